package report

import (
	"fmt"
	"hash/fnv"
	"image/color"
	"math"
	"sort"
	"strings"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/palette/moreland"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// colours is a colour-blind-safe qualitative palette (Okabe & Ito 2008).
var colours = []color.Color{
	color.RGBA{0, 114, 178, 255},
	color.RGBA{230, 159, 0, 255},
	color.RGBA{0, 158, 115, 255},
	color.RGBA{204, 121, 167, 255},
	color.RGBA{86, 180, 233, 255},
	color.RGBA{213, 94, 0, 255},
	color.RGBA{240, 228, 66, 255},
	color.RGBA{0, 0, 0, 255},
}

func colour(i int) color.Color { return colours[i%len(colours)] }

var grey = color.RGBA{170, 170, 170, 255}

// fixedConditionColours are the colours of common condition names, the
// same in every figure and report: controls blue, cases vermilion.
var fixedConditionColours = map[string]color.RGBA{
	"control": oiBlue, "controls": oiBlue, "ctrl": oiBlue, "healthy": oiBlue, "normal": oiBlue, "hc": oiBlue,
	"tumor": oiVermilion, "tumour": oiVermilion, "cancer": oiVermilion, "case": oiVermilion, "disease": oiVermilion, "patient": oiVermilion,
}

// conditionPalette are the colours of other conditions (Okabe–Ito, black
// and yellow last: thin lines of them are hard to see).
var conditionPalette = []color.RGBA{oiOrange, oiGreen, oiPurple, oiSkyBlue, rgb(0x5F5F5F), oiBlack, oiYellow, rgb(0x9E4A79)}

// conditionColour gives a condition its colour: fixed for common names;
// otherwise the palette entry picked by a hash of the name, so the same
// name has the same colour in every report, moved to the next free entry
// only when another condition of the study took it.
func conditionColours(samples []Sample) map[string]color.Color {
	m := map[string]color.Color{}
	used := map[color.RGBA]bool{}
	var rest []string
	for _, c := range conditions(samples) {
		if col, ok := fixedConditionColours[strings.ToLower(c)]; ok && !used[col] {
			m[c] = col
			used[col] = true
			continue
		}
		rest = append(rest, c)
	}
	sort.Strings(rest) // the probing order depends on the names only
	for _, c := range rest {
		h := fnv.New32a()
		h.Write([]byte(strings.ToLower(c)))
		start := int(h.Sum32() % uint32(len(conditionPalette)))
		col := conditionPalette[start]
		for k := 0; k < len(conditionPalette); k++ {
			if cand := conditionPalette[(start+k)%len(conditionPalette)]; !used[cand] {
				col = cand
				break
			}
		}
		used[col] = true
		m[c] = col
	}
	return m
}

// maxSampleLegend is the most samples given a colour and legend entry each.
const maxSampleLegend = 10

// conditions lists the conditions in order of first use.
func conditions(samples []Sample) []string {
	var conds []string
	for _, s := range samples {
		if !contains(conds, s.Condition) {
			conds = append(conds, s.Condition)
		}
	}
	return conds
}

func lengthPlot(d *Data) (*plot.Plot, error) {
	p := plot.New()
	p.Title.Text = "Insert length (passed reads)"
	p.X.Label.Text = "length (nt)"
	p.Y.Label.Text = "% of passed reads"
	p.Legend.Top = true
	p.X.Min, p.X.Max = 14, 42
	// One colour a sample while a legend of names stays readable, else one
	// a condition.
	bySample := len(d.Samples) <= maxSampleLegend
	cc := conditionColours(d.Samples)
	for i, s := range d.Samples {
		var tot int64
		for _, v := range s.InsertLengths {
			tot += v
		}
		if tot == 0 {
			continue
		}
		// Trailing zeros are dropped: histograms read back from files end
		// at the longest length seen, in-memory ones may run further.
		h := s.InsertLengths
		for len(h) > 0 && h[len(h)-1] == 0 {
			h = h[:len(h)-1]
		}
		var pts plotter.XYs
		for l, v := range h {
			if l == 0 && v == 0 {
				continue
			}
			pts = append(pts, plotter.XY{X: float64(l), Y: 100 * float64(v) / float64(tot)})
		}
		if len(pts) == 0 {
			continue
		}
		ln, err := plotter.NewLine(pts)
		if err != nil {
			return nil, err
		}
		ln.Width = vg.Points(1.5)
		p.Add(ln)
		if bySample {
			ln.Color = colour(i)
			p.Legend.Add(s.Name, ln)
		} else {
			ln.Color = cc[s.Condition]
			ln.Width = vg.Points(1)
		}
	}
	if !bySample {
		for _, c := range conditions(d.Samples) {
			p.Legend.Add(c, legendThumb{cc[c]})
		}
	}
	return p, nil
}

// stackedPlot draws one stacked bar per sample of the categories' share.
// Each value is scale × reads / total (100: percentages).
func stackedPlot(title string, width vg.Length, samples []Sample, rows func(Sample) []Category, total func(Sample) int64, scale float64) (*plot.Plot, error) {
	p := plot.New()
	p.Title.Text = title
	p.Y.Label.Text = "% of reads"
	p.Legend.Top = true
	p.Legend.Left = false
	var names []string
	seen := map[string]bool{}
	for _, s := range samples {
		for _, c := range rows(s) {
			if !seen[c.Name] {
				seen[c.Name] = true
				names = append(names, c.Name)
			}
		}
	}
	cols := distinctColours(names)
	var below *plotter.BarChart
	// Bars fill 80% of their slot in the plot area (about 60% of the width).
	barW := min(vg.Points(18), width*0.6*0.8/vg.Length(max(len(samples), 1)))
	for _, name := range names {
		vals := make(plotter.Values, len(samples))
		any := false
		for si, s := range samples {
			t := total(s)
			for _, c := range rows(s) {
				if c.Name == name && t > 0 {
					vals[si] = scale * float64(c.Reads) / float64(t)
					any = any || c.Reads > 0
				}
			}
		}
		if !any {
			continue // an empty category only clutters the legend
		}
		bar, err := plotter.NewBarChart(vals, barW)
		if err != nil {
			return nil, err
		}
		bar.Color = cols[name]
		bar.LineStyle.Width = 0
		if below != nil {
			bar.StackOn(below)
		}
		below = bar
		p.Add(bar)
		p.Legend.Add(categoryLabel(name), bar)
	}
	labels := make([]string, len(samples))
	for i, s := range samples {
		labels[i] = s.Name
	}
	p.NominalX(labels...)
	// Vertical, not slanted: slanted names crowd each other's boxes.
	p.X.Tick.Label.Rotation = math.Pi / 2
	p.X.Tick.Label.XAlign = draw.XRight
	p.X.Tick.Label.YAlign = draw.YCenter
	if scale == 100 {
		p.Y.Max = 100
	}
	if len(samples) > 40 {
		// Names would overlap: the QC table names the samples in order.
		p.X.Tick.Label.Font.Size = vg.Points(5)
		if len(samples) > 60 {
			p.X.Tick.Marker = plot.ConstantTicks(nil)
			p.X.Label.Text = fmt.Sprintf("%d samples, in QC-table order", len(samples))
		}
	}
	return p, nil
}

func accountingPlot(d *Data, w vg.Length) (*plot.Plot, error) {
	return stackedPlot("Read accounting", w, d.Samples,
		func(s Sample) []Category { return s.Accounting },
		func(s Sample) int64 { return s.InputReads }, 100)
}

func classesPlot(d *Data, w vg.Length) (*plot.Plot, error) {
	return stackedPlot("RNA classes (passed reads)", w, d.Samples,
		func(s Sample) []Category { return s.Classes },
		func(s Sample) int64 { return categoryReads(s.Classes) }, 100)
}

// categoryReads is the sum of the reads of cs.
func categoryReads(cs []Category) int64 {
	var t int64
	for _, c := range cs {
		t += c.Reads
	}
	return t
}

// pca returns the first two principal-component scores of the samples on
// the log-normalised counts of the most variable features, and the share
// of variance each explains.
func pca(d *Data, top int) (pc1, pc2 []float64, var1, var2 float64, err error) {
	ln := d.logNormalised()
	ns := len(d.Samples)
	if ns < 2 || len(ln) == 0 {
		return nil, nil, 0, 0, fmt.Errorf("report: PCA needs two samples and one feature")
	}
	type fv struct {
		f int
		v float64
	}
	vars := make([]fv, len(ln))
	for f, row := range ln {
		var m, ss float64
		for _, v := range row {
			m += v
		}
		m /= float64(ns)
		for _, v := range row {
			ss += (v - m) * (v - m)
		}
		vars[f] = fv{f, ss}
	}
	sort.SliceStable(vars, func(a, b int) bool { return vars[a].v > vars[b].v })
	if len(vars) > top {
		vars = vars[:top]
	}
	x := mat.NewDense(ns, len(vars), nil)
	for j, v := range vars {
		row := ln[v.f]
		var m float64
		for _, y := range row {
			m += y
		}
		m /= float64(ns)
		for s, y := range row {
			x.Set(s, j, y-m)
		}
	}
	var svd mat.SVD
	if !svd.Factorize(x, mat.SVDThin) {
		return nil, nil, 0, 0, fmt.Errorf("report: PCA did not converge")
	}
	sv := svd.Values(nil)
	var u mat.Dense
	svd.UTo(&u)
	pc1, pc2 = make([]float64, ns), make([]float64, ns)
	_, uc := u.Dims()
	var tot float64
	for _, s := range sv {
		tot += s * s
	}
	for s := 0; s < ns; s++ {
		if uc > 0 {
			pc1[s] = u.At(s, 0) * sv[0]
		}
		if uc > 1 {
			pc2[s] = u.At(s, 1) * sv[1]
		}
	}
	// Fix the sign so the output does not depend on the SVD's choice.
	for _, pc := range [][]float64{pc1, pc2} {
		var sum float64
		for i, v := range pc {
			sum += v * float64(i+1)
		}
		if sum < 0 {
			for i := range pc {
				pc[i] = -pc[i]
			}
		}
	}
	if tot > 0 && len(sv) > 1 {
		var1, var2 = sv[0]*sv[0]/tot, sv[1]*sv[1]/tot
	}
	return pc1, pc2, var1, var2, nil
}

func pcaPlot(d *Data) (chart, error) {
	pc1, pc2, v1, v2, err := pca(d, 500)
	if err != nil {
		return chart{}, err
	}
	p := plot.New()
	p.Title.Text = "PCA (log2 normalised counts, top 500 miRNAs)"
	p.X.Label.Text = fmt.Sprintf("PC1 (%.0f%%)", 100*v1)
	p.Y.Label.Text = fmt.Sprintf("PC2 (%.0f%%)", 100*v2)
	cc := conditionColours(d.Samples)
	for _, c := range conditions(d.Samples) {
		p.Legend.Add(c, legendThumb{cc[c]})
	}
	// Names are in the tooltips: labels beside the points would overlap
	// points and each other as soon as samples cluster.
	tl := &tipLayer{}
	for i, s := range d.Samples {
		tl.pts = append(tl.pts, tip{X: pc1[i], Y: pc2[i], Radius: vg.Points(4), Colour: cc[s.Condition],
			Text: fmt.Sprintf("%s (%s)\nPC1 %.3g, PC2 %.3g", s.Name, s.Condition, pc1[i], pc2[i])})
	}
	p.Add(tl)
	return chart{p: p, tips: tl}, nil
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

// sigAt reports whether a DE row is significant at alpha.
func sigAt(r DERow, alpha float64) bool { return !math.IsNaN(r.PAdj) && r.PAdj < alpha }

// dePlot draws DE rows, significant ones on top in colour, each point
// carrying its miRNA and values as a tooltip.
func dePlot(d *Data, title, xl, yl string, xy func(DERow) (float64, float64, bool)) (chart, error) {
	p := plot.New()
	p.Title.Text = title
	p.X.Label.Text = xl
	p.Y.Label.Text = yl
	tl := &tipLayer{}
	var sig []tip
	for _, r := range d.DE {
		x, y, ok := xy(r)
		if !ok {
			continue
		}
		t := tip{X: x, Y: y, Radius: vg.Points(1.8), Colour: grey,
			Text: fmt.Sprintf("%s\nbaseMean %s\nlog2FC %s\np %s\npadj %s", r.Feature,
				num(r.BaseMean, 'f', 1), num(r.Log2FC, 'f', 2), num(r.PValue, 'g', 3), num(r.PAdj, 'g', 3))}
		if sigAt(r, d.Alpha) {
			t.Colour, t.Radius = oiVermilion, vg.Points(2.6)
			sig = append(sig, t)
			continue
		}
		tl.pts = append(tl.pts, t)
	}
	tl.pts = append(tl.pts, sig...) // drawn last, on top
	if len(tl.pts) == 0 {
		return chart{}, fmt.Errorf("report: no DE rows with values to plot")
	}
	p.Add(tl)
	p.Legend.Add("not significant", legendThumb{grey})
	p.Legend.Add(fmt.Sprintf("padj < %g (%d)", d.Alpha, len(sig)), legendThumb{oiVermilion})
	return chart{p: p, tips: tl}, nil
}

func volcanoPlot(d *Data) (chart, error) {
	return dePlot(d, "Volcano plot "+d.Contrast, "log2 fold change", "-log10 p-value",
		func(r DERow) (float64, float64, bool) {
			if math.IsNaN(r.Log2FC) || math.IsNaN(r.PValue) {
				return 0, 0, false
			}
			p := math.Max(r.PValue, 1e-300)
			return r.Log2FC, -math.Log10(p), true
		})
}

func maPlot(d *Data) (chart, error) {
	return dePlot(d, "MA plot "+d.Contrast, "log10 mean normalised count", "log2 fold change",
		func(r DERow) (float64, float64, bool) {
			if math.IsNaN(r.Log2FC) || !(r.BaseMean > 0) {
				return 0, 0, false
			}
			return math.Log10(r.BaseMean), r.Log2FC, true
		})
}

// grid is a features × samples matrix for plotter.HeatMap.
type grid struct{ z [][]float64 }

func (g grid) Dims() (c, r int)   { return len(g.z[0]), len(g.z) }
func (g grid) Z(c, r int) float64 { return g.z[r][c] }
func (g grid) X(c int) float64    { return float64(c) }
func (g grid) Y(r int) float64    { return float64(r) }

// maxHeatmapLabels is the most heatmap columns labelled with their names.
const maxHeatmapLabels = 48

// heatmapLimit clamps z-scores so one outlier does not wash out the rest.
const heatmapLimit = 2.5

// condBar draws one coloured cell per heatmap column above the top row.
type condBar struct {
	cols []color.Color
	y    float64 // bottom of the bar, in data units
}

// Plot fills the cells.
func (b condBar) Plot(c draw.Canvas, p *plot.Plot) {
	tx, ty := p.Transforms(&c)
	for i, col := range b.cols {
		x0, x1 := tx(float64(i)-0.5), tx(float64(i)+0.5)
		y0, y1 := ty(b.y), ty(b.y+0.8)
		c.FillPolygon(col, []vg.Point{{X: x0, Y: y0}, {X: x0, Y: y1}, {X: x1, Y: y1}, {X: x1, Y: y0}})
	}
}

// DataRange covers the bar.
func (b condBar) DataRange() (xmin, xmax, ymin, ymax float64) {
	return -0.5, float64(len(b.cols)) - 0.5, b.y, b.y + 0.8
}

// heatmapPlot shows z-scored log expression of the top DE miRNAs, rows and
// columns ordered by average-linkage clustering on 1 − Pearson correlation
// of the plotted z-scores, with a condition bar above the columns.
func heatmapPlot(d *Data, top int) (chart, error) {
	rows := d.topDE(top)
	if len(rows) == 0 {
		return chart{}, fmt.Errorf("report: no DE rows for the heatmap")
	}
	index := map[string]int{}
	for i, f := range d.Features {
		index[f] = i
	}
	ln := d.logNormalised()
	var z [][]float64
	var names []string
	nsig := 0
	for _, ri := range rows {
		fi, ok := index[d.DE[ri].Feature]
		if !ok {
			continue
		}
		if sigAt(d.DE[ri], d.Alpha) {
			nsig++
		}
		row := append([]float64(nil), ln[fi]...)
		var m, ss float64
		for _, v := range row {
			m += v
		}
		m /= float64(len(row))
		for _, v := range row {
			ss += (v - m) * (v - m)
		}
		sd := math.Sqrt(ss / float64(len(row)))
		for i := range row {
			if sd > 0 {
				row[i] = math.Max(-heatmapLimit, math.Min(heatmapLimit, (row[i]-m)/sd))
			} else {
				row[i] = 0
			}
		}
		z = append(z, row)
		names = append(names, d.DE[ri].Feature)
	}
	if len(z) == 0 {
		return chart{}, fmt.Errorf("report: DE features absent from the count matrix")
	}
	ns := len(d.Samples)
	rowOrder, rowMerges := averageLinkage(z)
	cols := make([][]float64, ns)
	for s := range cols {
		cols[s] = make([]float64, len(z))
		for f := range z {
			cols[s][f] = z[f][s]
		}
	}
	colOrder, colMerges := averageLinkage(cols)
	// Plot rows bottom-up, so the first leaf is drawn at the top.
	oz := make([][]float64, len(z))
	onames := make([]string, len(z))
	for k, ri := range rowOrder {
		r := len(z) - 1 - k
		onames[r] = names[ri]
		oz[r] = make([]float64, ns)
		for c, si := range colOrder {
			oz[r][c] = z[ri][si]
		}
	}
	cm := moreland.SmoothBlueRed()
	cm.SetMin(-heatmapLimit)
	cm.SetMax(heatmapLimit)
	hm := plotter.NewHeatMap(grid{oz}, cm.Palette(64))
	hm.Min, hm.Max = -heatmapLimit, heatmapLimit
	p := plot.New()
	p.Title.Text = fmt.Sprintf("%d miRNAs with the smallest padj; %d with padj < %g", len(z), nsig, d.Alpha)
	p.Add(hm)
	cc := conditionColours(d.Samples)
	bar := condBar{y: float64(len(z)) - 0.5 + 0.2}
	labels := make([]string, ns)
	for c, si := range colOrder {
		labels[c] = d.Samples[si].Name
		bar.cols = append(bar.cols, cc[d.Samples[si].Condition])
	}
	p.Add(bar)
	for _, c := range conditions(d.Samples) {
		p.Legend.Add(c, legendThumb{cc[c]})
	}
	nr := float64(len(z))
	if segs, mh := dendroSegments(colOrder, colMerges); len(segs) > 0 {
		p.Add(dendro{segs: segs, maxH: mh, cols: true, base: bar.y + 1, span: math.Max(2, 0.2*nr), n: float64(ns)})
	}
	if segs, mh := dendroSegments(rowOrder, rowMerges); len(segs) > 0 {
		p.Add(dendro{segs: segs, maxH: mh, base: float64(ns) - 0.5 + 0.2, span: math.Max(1.5, 0.15*float64(ns)), n: nr})
	}
	p.NominalX(labels...)
	p.NominalY(onames...)
	p.X.Tick.Label.Rotation = math.Pi / 2
	p.X.Tick.Label.XAlign = draw.XRight
	p.X.Tick.Label.YAlign = draw.YCenter
	if ns > 24 {
		p.X.Tick.Label.Font.Size = vg.Points(math.Max(5, 10*24/float64(ns)))
	}
	if ns > maxHeatmapLabels {
		// Names would overlap: each column's name is in its tooltip.
		p.X.Tick.Marker = plot.ConstantTicks(nil)
		p.X.Label.Text = fmt.Sprintf("%d samples (hover a column for its name)", ns)
	}
	ct := &columnTips{y0: -0.5, y1: float64(len(z)) + 0.5}
	for _, si := range colOrder {
		ct.names = append(ct.names, d.Samples[si].Name+" ("+d.Samples[si].Condition+")")
	}
	p.Add(ct)
	if len(z) > 20 {
		p.Y.Tick.Label.Font.Size = vg.Points(math.Max(4, 8*30/float64(len(z))))
	}
	key := keyPlot(cm, "row z-score")
	return chart{p: p, key: key, cols: ct}, nil
}

// rocCurve returns the empirical ROC of scores where positive marks the
// case samples; higher scores predict a case.
func rocCurve(scores []float64, positive []bool) plotter.XYs {
	idx := make([]int, len(scores))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return scores[idx[a]] > scores[idx[b]] })
	var np, nn float64
	for _, p := range positive {
		if p {
			np++
		} else {
			nn++
		}
	}
	pts := plotter.XYs{{X: 0, Y: 0}}
	var tp, fp float64
	for i := 0; i < len(idx); {
		j := i
		for j < len(idx) && scores[idx[j]] == scores[idx[i]] {
			if positive[idx[j]] {
				tp++
			} else {
				fp++
			}
			j++
		}
		pts = append(pts, plotter.XY{X: fp / math.Max(nn, 1), Y: tp / math.Max(np, 1)})
		i = j
	}
	return pts
}

// dendro draws a dendrogram beside the heatmap: above the columns (cols)
// or right of the rows, its height scaled to span data units from base.
type dendro struct {
	segs       [][4]float64 // pos, height, pos, height (dendroSegments)
	maxH       float64
	cols       bool
	base, span float64
	n          float64 // leaves
}

// at maps a leaf position and height to data coordinates. Rows are drawn
// bottom-up, so the first leaf is at the top.
func (dd dendro) at(pos, h float64) (x, y float64) {
	t := 0.0
	if dd.maxH > 0 {
		t = h / dd.maxH
	}
	if dd.cols {
		return pos, dd.base + dd.span*t
	}
	return dd.base + dd.span*t, dd.n - 1 - pos
}

// Plot strokes the segments.
func (dd dendro) Plot(c draw.Canvas, p *plot.Plot) {
	tx, ty := p.Transforms(&c)
	ls := draw.LineStyle{Color: color.RGBA{0x55, 0x55, 0x55, 0xFF}, Width: vg.Points(0.7)}
	for _, s := range dd.segs {
		x0, y0 := dd.at(s[0], s[1])
		x1, y1 := dd.at(s[2], s[3])
		c.StrokeLine2(ls, tx(x0), ty(y0), tx(x1), ty(y1))
	}
}

// DataRange covers the dendrogram.
func (dd dendro) DataRange() (xmin, xmax, ymin, ymax float64) {
	if dd.cols {
		return -0.5, dd.n - 0.5, dd.base, dd.base + dd.span
	}
	return dd.base, dd.base + dd.span, -0.5, dd.n - 0.5
}
