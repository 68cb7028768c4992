package report

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"html"
	"html/template"
	"image/color"
	"math"
	"strings"

	serif "codeberg.org/go-fonts/liberation/liberationserifregular"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/palette"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgsvg"
)

// chart is a plot and what is drawn beside it: its legend goes in a
// column to the right of the plot, clear of the data, with an optional
// colour key under it.
type chart struct {
	p    *plot.Plot
	key  *plot.Plot  // e.g. a colour bar; drawn under the legend
	tips *tipLayer   // points carrying tooltips, or nil
	cols *columnTips // heatmap columns carrying tooltips, or nil
}

// tip is one point with a tooltip: its data coordinates, look and text.
type tip struct {
	X, Y   float64
	Radius vg.Length
	Colour color.Color
	Text   string
}

// tipLayer is a plotter that reserves room for its points and records
// where they land; the points are written into the SVG afterwards as
// <circle> elements with a <title> child, which browsers show on hover.
type tipLayer struct {
	pts []tip
	at  []vg.Point // canvas positions, set by Plot
}

// Plot records the canvas position of each point.
func (t *tipLayer) Plot(c draw.Canvas, p *plot.Plot) {
	tx, ty := p.Transforms(&c)
	t.at = make([]vg.Point, len(t.pts))
	for i, q := range t.pts {
		t.at[i] = vg.Point{X: tx(q.X), Y: ty(q.Y)}
	}
}

// DataRange covers every point.
func (t *tipLayer) DataRange() (xmin, xmax, ymin, ymax float64) {
	xmin, ymin = math.Inf(1), math.Inf(1)
	xmax, ymax = math.Inf(-1), math.Inf(-1)
	for _, q := range t.pts {
		xmin, xmax = math.Min(xmin, q.X), math.Max(xmax, q.X)
		ymin, ymax = math.Min(ymin, q.Y), math.Max(ymax, q.Y)
	}
	return
}

// GlyphBoxes keeps whole circles inside the data area.
func (t *tipLayer) GlyphBoxes(p *plot.Plot) []plot.GlyphBox {
	bs := make([]plot.GlyphBox, len(t.pts))
	for i, q := range t.pts {
		bs[i].X, bs[i].Y = p.X.Norm(q.X), p.Y.Norm(q.Y)
		r := q.Radius
		bs[i].Rectangle = vg.Rectangle{Min: vg.Point{X: -r, Y: -r}, Max: vg.Point{X: r, Y: r}}
	}
	return bs
}

// svgPoints writes the recorded points in SVG user units (origin top left).
func (t *tipLayer) svgPoints(h vg.Length) string {
	var b strings.Builder
	b.WriteString(`<g class="pts">` + "\n")
	for i, q := range t.pts {
		r, g, bl, _ := q.Colour.RGBA()
		fmt.Fprintf(&b, `<circle cx="%.4g" cy="%.4g" r="%.3g" fill="#%02x%02x%02x" fill-opacity="0.85"><title>%s</title></circle>`+"\n",
			t.at[i].X.Points(), (h - t.at[i].Y).Points(), q.Radius.Points(), r>>8, g>>8, bl>>8, html.EscapeString(q.Text))
	}
	b.WriteString("</g>\n")
	return b.String()
}

// legendThumb draws a filled square in a legend.
type legendThumb struct{ c color.Color }

// Thumbnail fills the legend icon with the colour.
func (t legendThumb) Thumbnail(c *draw.Canvas) {
	c.FillPolygon(t.c, c.ClipPolygonY([]vg.Point{c.Min, {X: c.Min.X, Y: c.Max.Y}, c.Max, {X: c.Max.X, Y: c.Min.Y}}))
}

// figMargin is the blank border of every figure.
const figMargin = 4 * vg.Millimeter / 2

// legendGap separates the plot from the legend column.
const legendGap = 6 * vg.Millimeter

// render draws ch at w × h as an SVG element (no XML prolog). The SVG's
// width and height attributes are dropped so CSS sizes it; its viewBox
// keeps the aspect ratio.
func render(ch chart, w, h vg.Length) (string, error) {
	p := ch.p
	leg := p.Legend
	p.Legend = plot.NewLegend() // drawn in its own column instead
	leg.Top, leg.Left = true, true
	leg.XOffs, leg.YOffs = 0, 0
	// Browsers' text boxes are a little taller than gonum's: more room.
	leg.Padding = leg.TextStyle.Font.Size / 2
	p.X.Label.Padding += vg.Points(3)
	p.Y.Label.Padding += vg.Points(3)
	c := vgsvg.New(w, h)
	// A margin, so text at the edges is not cut where a browser's font
	// box is a little larger than gonum's.
	dc := draw.Crop(draw.New(c), figMargin, -figMargin, figMargin, -figMargin)
	var lw vg.Length
	if r := leg.Rectangle(dc); r.Size().X > 0 {
		lw = r.Size().X
	}
	if ch.key != nil {
		lw = max(lw, 22*vg.Millimeter)
	}
	plotArea := dc
	if lw > 0 {
		plotArea = draw.Crop(dc, 0, -(lw + legendGap), 0, 0)
	}
	var err error
	func() {
		// gonum/plot panics on some degenerate inputs; report them as errors.
		defer func() {
			if r := recover(); r != nil {
				err = fmt.Errorf("report: drawing %q: %v", p.Title.Text, r)
			}
		}()
		p.Draw(plotArea)
		if lw > 0 {
			side := draw.Crop(dc, dc.Size().X-lw, 0, 0, -(p.Title.TextStyle.Height(p.Title.Text) + p.Title.Padding))
			leg.Draw(side)
			if ch.key != nil {
				kh := min(h*0.5, 60*vg.Millimeter)
				top := side.Max.Y - leg.Rectangle(side).Size().Y - 4*vg.Millimeter
				kc := draw.Canvas{Canvas: dc.Canvas, Rectangle: vg.Rectangle{Min: vg.Point{X: side.Min.X, Y: top - kh}, Max: vg.Point{X: side.Max.X, Y: top}}}
				ch.key.Draw(kc)
			}
		}
	}()
	if err != nil {
		return "", err
	}
	var buf bytes.Buffer
	if _, err := c.WriteTo(&buf); err != nil {
		return "", err
	}
	s := buf.String()
	if i := strings.Index(s, "<svg"); i >= 0 {
		s = s[i:]
	}
	// CSS gives the size; the viewBox keeps the aspect ratio.
	if i := strings.Index(s, "viewBox"); i > 0 {
		s = "<svg " + s[i:]
	}
	if ch.tips != nil && ch.tips.at != nil {
		end := strings.LastIndex(s, "</svg>")
		s = s[:end] + ch.tips.svgPoints(h) + s[end:]
	}
	if ch.cols != nil && ch.cols.x != nil {
		end := strings.LastIndex(s, "</svg>")
		s = s[:end] + ch.cols.svgRects(h) + s[end:]
	}
	return s, nil
}

// keyBar is a vertical colour key drawn as filled cells: vector shapes
// scale crisply where gonum's raster colour bar is blurred by browsers.
type keyBar struct {
	cm    palette.ColorMap
	steps int
}

// Plot fills one cell per step from the map's minimum to its maximum.
func (k keyBar) Plot(c draw.Canvas, p *plot.Plot) {
	tx, ty := p.Transforms(&c)
	lo, hi := k.cm.Min(), k.cm.Max()
	step := (hi - lo) / float64(k.steps)
	for i := 0; i < k.steps; i++ {
		v0 := lo + step*float64(i)
		col, err := k.cm.At(v0 + step/2)
		if err != nil {
			continue
		}
		x0, x1, y0, y1 := tx(0), tx(1), ty(v0), ty(v0+step)
		c.FillPolygon(col, []vg.Point{{X: x0, Y: y0}, {X: x0, Y: y1}, {X: x1, Y: y1}, {X: x1, Y: y0}})
	}
}

// DataRange is the unit width by the map's range.
func (k keyBar) DataRange() (xmin, xmax, ymin, ymax float64) {
	return 0, 1, k.cm.Min(), k.cm.Max()
}

// keyPlot is a vertical colour key for a colour map.
func keyPlot(cm palette.ColorMap, label string) *plot.Plot {
	p := plot.New()
	p.Add(keyBar{cm: cm, steps: 50})
	p.HideX()
	p.Y.Label.Text = label
	p.Y.Padding = 0
	return p
}

// fontCSS embeds the font gonum/plot measured the figures' text with
// (Liberation Serif, its default), once for the whole page: inline SVGs
// share the page's styles, so the text renders at the measured width on
// machines without the font installed; font-display:block keeps text
// hidden rather than drawn in a fallback font of other widths while the
// font loads.
func fontCSS() template.CSS {
	return template.CSS(`@font-face{font-family:"Liberation Serif";font-style:normal;font-weight:normal;font-display:block;` +
		`src:url(data:font/ttf;base64,` + base64.StdEncoding.EncodeToString(serif.TTF) + `) format("truetype")}`)
}

// columnTips records the canvas extent of heatmap columns so each can
// carry its sample's name as a tooltip over the whole column.
type columnTips struct {
	names  []string
	y0, y1 float64
	x      []vg.Length // column edges, len(names)+1
	lo, hi vg.Length
}

// Plot records the column edges.
func (ct *columnTips) Plot(c draw.Canvas, p *plot.Plot) {
	tx, ty := p.Transforms(&c)
	ct.x = make([]vg.Length, len(ct.names)+1)
	for i := range ct.x {
		ct.x[i] = tx(float64(i) - 0.5)
	}
	ct.lo, ct.hi = ty(ct.y0), ty(ct.y1)
}

// svgRects writes one transparent rectangle with a <title> per column.
func (ct *columnTips) svgRects(h vg.Length) string {
	var b strings.Builder
	b.WriteString(`<g class="cols" fill="none" pointer-events="all">` + "\n")
	for i, n := range ct.names {
		fmt.Fprintf(&b, `<rect x="%.4g" y="%.4g" width="%.4g" height="%.4g"><title>%s</title></rect>`+"\n",
			ct.x[i].Points(), (h - ct.hi).Points(), (ct.x[i+1] - ct.x[i]).Points(), (ct.hi - ct.lo).Points(), html.EscapeString(n))
	}
	b.WriteString("</g>\n")
	return b.String()
}
