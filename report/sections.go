package report

import (
	"fmt"
	"image/color"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/exomir/exomir/diffexp"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// minAUCGroup is the group size under which per-miRNA AUCs are said to
// mean little: with fewer than 10 samples a group, a handful of samples
// decide the AUC and its interval spans most of [0.5, 1].
const minAUCGroup = 10

// maxROCCurves is the most ROC curves drawn in one figure.
const maxROCCurves = 4

// maxForest is the most miRNAs in the AUC interval figure.
const maxForest = 20

// rocCandidates returns the ROC rows of the miRNAs significant at the
// study's alpha, ranked by the AUC's lower confidence bound (then AUC,
// then name), and whether DE results were there to tell significance.
func rocCandidates(d *Data) (rows []ROCRow, haveDE bool) {
	if len(d.DE) == 0 {
		return nil, false
	}
	sig := map[string]bool{}
	for _, r := range d.DE {
		if sigAt(r, d.Alpha) {
			sig[r.Feature] = true
		}
	}
	for _, r := range d.ROC {
		if sig[r.Feature] && !math.IsNaN(r.AUC) {
			rows = append(rows, r)
		}
	}
	lower := func(r ROCRow) float64 {
		if math.IsNaN(r.Lower) {
			return -1
		}
		return r.Lower
	}
	sort.SliceStable(rows, func(a, b int) bool {
		la, lb := lower(rows[a]), lower(rows[b])
		if la != lb {
			return la > lb
		}
		if rows[a].AUC != rows[b].AUC {
			return rows[a].AUC > rows[b].AUC
		}
		return rows[a].Feature < rows[b].Feature
	})
	return rows, true
}

// groupSizes counts the samples of the positive condition and of the rest.
func groupSizes(d *Data, positive string) (pos, neg int) {
	for _, s := range d.Samples {
		if s.Condition == positive {
			pos++
		} else {
			neg++
		}
	}
	return
}

// rocNote says how far the ROC figures can be trusted: the group sizes,
// and plainly when they are too small.
func rocNote(d *Data, positive string) string {
	pos, neg := groupSizes(d, positive)
	s := fmt.Sprintf("Groups: %d %s and %d other samples. ", pos, positive, neg)
	if min(pos, neg) < minAUCGroup {
		s += fmt.Sprintf("Too few samples for these AUCs to mean much: with under %d samples a group, a few samples decide each AUC and its 95%% interval is wide; treat the ranking as exploratory. ", minAUCGroup)
	}
	return s
}

// rocPlot draws the empirical ROC curves of the significant miRNAs with
// the highest lower confidence bound of the AUC.
func rocPlot(d *Data, rows []ROCRow, positive string) (*plot.Plot, error) {
	if len(rows) > maxROCCurves {
		rows = rows[:maxROCCurves]
	}
	index := map[string]int{}
	for i, f := range d.Features {
		index[f] = i
	}
	norm := d.normalised()
	isPos := make([]bool, len(d.Samples))
	for i, s := range d.Samples {
		isPos[i] = s.Condition == positive
	}
	p, _, err := rocCanvas(fmt.Sprintf("ROC, %s vs rest (padj < %g, best lower bound)", positive, d.Alpha))
	if err != nil {
		return nil, err
	}
	for k, r := range rows {
		fi, ok := index[r.Feature]
		if !ok {
			continue
		}
		scores := append([]float64(nil), norm[fi]...)
		if r.Direction == diffexp.DirectionDown {
			for i := range scores {
				scores[i] = -scores[i]
			}
		}
		ln, err := plotter.NewLine(rocCurve(scores, isPos))
		if err != nil {
			return nil, err
		}
		ln.Color = colour(k)
		ln.Width = vg.Points(1.5)
		p.Add(ln)
		p.Legend.Add(fmt.Sprintf("%s (%s)", r.Feature, r.Direction), ln)
		p.Legend.Add(fmt.Sprintf("  AUC %.2f [%.2f, %.2f]", r.AUC, r.Lower, r.Upper), legendThumb{color.Transparent})
	}
	return p, nil
}

// band is a plotter of horizontal interval bands with a point estimate.
type band struct {
	lo, hi, est []float64
	col         color.Color
}

// Plot draws each row's band from lower to upper, and its estimate.
func (b band) Plot(c draw.Canvas, p *plot.Plot) {
	tx, ty := p.Transforms(&c)
	light := color.RGBA{0xAA, 0xD9, 0xF4, 0xFF}
	for i := range b.lo {
		if math.IsNaN(b.lo[i]) || math.IsNaN(b.hi[i]) {
			continue
		}
		y0, y1 := ty(float64(i)-0.3), ty(float64(i)+0.3)
		x0, x1 := tx(b.lo[i]), tx(b.hi[i])
		c.FillPolygon(light, []vg.Point{{X: x0, Y: y0}, {X: x0, Y: y1}, {X: x1, Y: y1}, {X: x1, Y: y0}})
		xe := tx(b.est[i])
		c.StrokeLine2(draw.LineStyle{Color: b.col, Width: vg.Points(2)}, xe, y0, xe, y1)
	}
}

// DataRange is [0, 1] by the rows.
func (b band) DataRange() (xmin, xmax, ymin, ymax float64) {
	return 0, 1, -0.5, float64(len(b.lo)) - 0.5
}

// forestPlot shows the AUC and its 95% confidence band of each
// significant miRNA, best lower bound at the top.
func forestPlot(d *Data, rows []ROCRow) (chart, error) {
	if len(rows) > maxForest {
		rows = rows[:maxForest]
	}
	n := len(rows)
	b := band{lo: make([]float64, n), hi: make([]float64, n), est: make([]float64, n), col: oiBlue}
	names := make([]string, n)
	tl := &tipLayer{}
	for k, r := range rows {
		i := n - 1 - k // best at the top
		b.lo[i], b.hi[i], b.est[i] = r.Lower, r.Upper, r.AUC
		names[i] = r.Feature
		tl.pts = append(tl.pts, tip{X: r.AUC, Y: float64(i), Radius: vg.Points(2), Colour: oiBlue,
			Text: fmt.Sprintf("%s\nAUC %.3f, 95%% CI [%.3f, %.3f], %s", r.Feature, r.AUC, r.Lower, r.Upper, r.Direction)})
	}
	p := plot.New()
	p.Title.Text = fmt.Sprintf("AUC and 95%% CI of the %d best (padj < %g)", n, d.Alpha)
	p.X.Label.Text = "AUC (DeLong 95% CI)"
	p.X.Min, p.X.Max = 0, 1
	p.Add(b, tl)
	half, err := plotter.NewLine(plotter.XYs{{X: 0.5, Y: -0.5}, {X: 0.5, Y: float64(n) - 0.5}})
	if err != nil {
		return chart{}, err
	}
	half.Color = grey
	half.Dashes = []vg.Length{vg.Points(3), vg.Points(3)}
	p.Add(half)
	p.NominalY(names...)
	if n > 12 {
		p.Y.Tick.Label.Font.Size = vg.Points(7)
	}
	return chart{p: p, tips: tl}, nil
}

// readable turns a summary row suffix into a label: 5p → 5', 3p → 3',
// add3p → 3' addition, snv → SNV, underscores → spaces.
func readable(name string) string {
	parts := strings.Split(name, "_")
	for i, w := range parts {
		switch strings.ToLower(w) {
		case "5p":
			parts[i] = "5'"
		case "3p":
			parts[i] = "3'"
		case "add3p":
			parts[i] = "3' addition"
		case "add5p":
			parts[i] = "5' addition"
		case "snv", "snvs":
			parts[i] = "SNV"
		case "trf":
			parts[i] = "tRF"
		case "itrf":
			parts[i] = "i-tRF"
		}
	}
	return strings.Join(parts, " ")
}

func trfPlot(d *Data, w vg.Length) (*plot.Plot, error) {
	samples := make([]Sample, len(d.Samples))
	for i, s := range d.Samples {
		samples[i] = s
		samples[i].Accounting = nil
		for _, c := range s.TRF {
			samples[i].Accounting = append(samples[i].Accounting, Category{readable(c.Name), c.Reads})
		}
	}
	return stackedPlot("tRNA-fragment types (share of tRF reads)", w, samples,
		func(s Sample) []Category { return s.Accounting },
		func(s Sample) int64 { return categoryReads(s.Accounting) }, 100)
}

func cladePlot(d *Data, w vg.Length) (*plot.Plot, error) {
	p, err := stackedPlot("Exogenous miRNA reads by clade (per million input reads)", w, d.Samples,
		func(s Sample) []Category { return s.Clades },
		func(s Sample) int64 { return s.InputReads }, 1e6)
	if err != nil {
		return nil, err
	}
	p.Y.Label.Text = "reads per million input reads"
	return p, nil
}

// sampleAxis labels a nominal sample axis as the stacked bars do.
func sampleAxis(p *plot.Plot, names []string) {
	p.NominalX(names...)
	p.X.Tick.Label.Rotation = math.Pi / 2
	p.X.Tick.Label.XAlign = draw.XRight
	p.X.Tick.Label.YAlign = draw.YCenter
	if len(names) > 40 {
		p.X.Tick.Label.Font.Size = vg.Points(5)
		if len(names) > 60 {
			p.X.Tick.Marker = plot.ConstantTicks(nil)
			p.X.Label.Text = fmt.Sprintf("%d samples, in QC-table order", len(names))
		}
	}
}

func sampleNames(d *Data) []string {
	out := make([]string, len(d.Samples))
	for i, s := range d.Samples {
		out[i] = s.Name
	}
	return out
}

// maxLegendSeries is the most series given a colour and legend entry each.
const maxLegendSeries = 8

func spikeInPlot(d *Data) (chart, error) {
	p := plot.New()
	p.Title.Text = "Spike-ins: observed reads per sample"
	p.Y.Label.Text = "log10(reads + 1)"
	tl := &tipLayer{}
	many := len(d.SpikeIns) > maxLegendSeries
	for k, sp := range d.SpikeIns {
		col := colour(k)
		if many {
			col = oiBlue
		} else {
			p.Legend.Add(sp.Name, legendThumb{col})
		}
		for i, v := range sp.Counts {
			tl.pts = append(tl.pts, tip{X: float64(i), Y: math.Log10(v + 1), Radius: vg.Points(2.5), Colour: col,
				Text: fmt.Sprintf("%s in %s: %s reads", sp.Name, d.Samples[i].Name, num(v, 'f', 0))})
		}
	}
	if len(tl.pts) == 0 {
		return chart{}, fmt.Errorf("report: no spike-in counts")
	}
	p.Add(tl)
	sampleAxis(p, sampleNames(d))
	p.X.Min, p.X.Max = -0.5, float64(len(d.Samples))-0.5
	return chart{p: p, tips: tl}, nil
}

// isomirNames lists the isomiR profile rows in order of first appearance.
func isomirNames(d *Data) []string {
	var names []string
	for _, s := range d.Samples {
		for _, v := range s.IsomiR {
			if !contains(names, v.Name) {
				names = append(names, v.Name)
			}
		}
	}
	return names
}

// isomirPlot shows each isomiR fraction as one point a sample, coloured by
// condition, spread a little across the category so samples do not hide
// each other.
func isomirPlot(d *Data) (chart, error) {
	names := isomirNames(d)
	p := plot.New()
	p.Title.Text = "isomiR profile (% of miRNA reads)"
	p.Y.Label.Text = "% of miRNA reads"
	cc := conditionColours(d.Samples)
	for _, c := range conditions(d.Samples) {
		p.Legend.Add(c, legendThumb{cc[c]})
	}
	tl := &tipLayer{}
	ns := len(d.Samples)
	for k, n := range names {
		for i, s := range d.Samples {
			for _, v := range s.IsomiR {
				if v.Name != n || math.IsNaN(v.Value) {
					continue
				}
				off := 0.0
				if ns > 1 {
					off = 0.6 * (float64(i)/float64(ns-1) - 0.5)
				}
				tl.pts = append(tl.pts, tip{X: float64(k) + off, Y: 100 * v.Value, Radius: vg.Points(2.2), Colour: cc[s.Condition],
					Text: fmt.Sprintf("%s (%s)\n%s: %.2f%%", s.Name, s.Condition, readable(n), 100*v.Value)})
			}
		}
	}
	if len(tl.pts) == 0 {
		return chart{}, fmt.Errorf("report: no isomiR fractions")
	}
	p.Add(tl)
	labels := make([]string, len(names))
	for i, n := range names {
		labels[i] = readable(n)
	}
	p.NominalX(labels...)
	p.X.Min, p.X.Max = -0.5, float64(len(names))-0.5
	// Vertical: slanted labels' boxes overlap their neighbours'.
	p.X.Tick.Label.Rotation = math.Pi / 2
	p.X.Tick.Label.XAlign = draw.XRight
	p.X.Tick.Label.YAlign = draw.YCenter
	p.Y.Min = 0
	return chart{p: p, tips: tl}, nil
}

// editingSites groups the editing rows by site.
type siteSummary struct {
	MiRNA      string
	Position   int
	Samples    int
	Mean, Max  float64
	PAdj       float64
	levels     []float64
	sampleName []string
}

func editingSites(d *Data) []siteSummary {
	var out []siteSummary
	at := map[string]int{}
	for _, e := range d.Editing {
		key := e.MiRNA + "\x00" + strconv.Itoa(e.Position)
		i, ok := at[key]
		if !ok {
			i = len(out)
			at[key] = i
			out = append(out, siteSummary{MiRNA: e.MiRNA, Position: e.Position, PAdj: math.NaN()})
		}
		s := &out[i]
		s.Samples++
		s.levels = append(s.levels, e.Level)
		s.sampleName = append(s.sampleName, e.Sample)
		if !math.IsNaN(e.PAdj) && (math.IsNaN(s.PAdj) || e.PAdj < s.PAdj) {
			s.PAdj = e.PAdj
		}
	}
	for i := range out {
		var sum float64
		var n int
		for _, l := range out[i].levels {
			if !math.IsNaN(l) {
				sum += l
				n++
				out[i].Max = math.Max(out[i].Max, l)
			}
		}
		out[i].Mean = math.NaN()
		if n > 0 {
			out[i].Mean = sum / float64(n)
		}
	}
	sort.SliceStable(out, func(a, b int) bool {
		pa, pb := out[a].PAdj, out[b].PAdj
		if math.IsNaN(pa) {
			pa = 2
		}
		if math.IsNaN(pb) {
			pb = 2
		}
		if pa != pb {
			return pa < pb
		}
		return out[a].Mean > out[b].Mean
	})
	return out
}

// maxEditingSites is the most sites in the editing figure.
const maxEditingSites = 20

func editingPlot(d *Data) (chart, error) {
	sites := editingSites(d)
	if len(sites) > maxEditingSites {
		sites = sites[:maxEditingSites]
	}
	cond := map[string]string{}
	for _, s := range d.Samples {
		cond[s.Name] = s.Condition
	}
	cc := conditionColours(d.Samples)
	p := plot.New()
	p.Title.Text = fmt.Sprintf("A-to-I editing level, %d sites with the smallest padj", len(sites))
	p.X.Label.Text = "edited share of covering reads (%)"
	for _, c := range conditions(d.Samples) {
		p.Legend.Add(c, legendThumb{cc[c]})
	}
	tl := &tipLayer{}
	labels := make([]string, len(sites))
	for k, s := range sites {
		y := float64(len(sites) - 1 - k)
		labels[len(sites)-1-k] = fmt.Sprintf("%s:%d", s.MiRNA, s.Position)
		for j, l := range s.levels {
			if math.IsNaN(l) {
				continue
			}
			c := cc[cond[s.sampleName[j]]]
			if c == nil {
				c = grey
			}
			tl.pts = append(tl.pts, tip{X: 100 * l, Y: y, Radius: vg.Points(2.2), Colour: c,
				Text: fmt.Sprintf("%s position %d in %s: %.1f%% edited (padj %s)", s.MiRNA, s.Position, s.sampleName[j], 100*l, num(s.PAdj, 'g', 3))})
		}
	}
	if len(tl.pts) == 0 {
		return chart{}, fmt.Errorf("report: no editing levels")
	}
	p.Add(tl)
	p.NominalY(labels...)
	p.Y.Min, p.Y.Max = -0.5, float64(len(sites))-0.5
	p.X.Min = 0
	if len(sites) > 12 {
		p.Y.Tick.Label.Font.Size = vg.Points(7)
	}
	return chart{p: p, tips: tl}, nil
}

// rocCanvas is an empty ROC plot titled title: unit axes and the dashed
// diagonal of a classifier no better than chance, also returned for a
// legend.
func rocCanvas(title string) (*plot.Plot, *plotter.Line, error) {
	p := plot.New()
	p.Title.Text = title
	p.X.Label.Text = "1 - specificity"
	p.Y.Label.Text = "sensitivity"
	p.X.Min, p.X.Max, p.Y.Min, p.Y.Max = 0, 1, 0, 1
	diag, err := plotter.NewLine(plotter.XYs{{X: 0, Y: 0}, {X: 1, Y: 1}})
	if err != nil {
		return nil, nil, err
	}
	diag.Color = grey
	diag.Dashes = []vg.Length{vg.Points(3), vg.Points(3)}
	p.Add(diag)
	return p, diag, nil
}

// signatureROCPlot draws the ROC of the signature's out-of-fold scores.
func signatureROCPlot(sig *Signature) (*plot.Plot, error) {
	p, diag, err := rocCanvas(fmt.Sprintf("Signature: nested-CV AUC %.2f [%.2f, %.2f]", sig.AUC.Estimate, sig.AUC.Lower, sig.AUC.Upper))
	if err != nil {
		return nil, err
	}
	pts := make(plotter.XYs, len(sig.ROC))
	for i, q := range sig.ROC {
		pts[i] = plotter.XY{X: q.X, Y: q.Y}
	}
	ln, err := plotter.NewLine(pts)
	if err != nil {
		return nil, err
	}
	ln.Color = oiBlue
	ln.Width = vg.Points(2)
	p.Add(ln)
	p.Legend.Add("out-of-fold scores", ln)
	p.Legend.Add("chance", diag)
	return p, nil
}

// maxStability is the most miRNAs in the stability figure.
const maxStability = 20

func stabilityPlot(sig *Signature) (chart, error) {
	rows := append([]Stability(nil), sig.Stability...)
	sort.SliceStable(rows, func(a, b int) bool { return rows[a].Frequency > rows[b].Frequency })
	if len(rows) > maxStability {
		rows = rows[:maxStability]
	}
	n := len(rows)
	if n == 0 {
		return chart{}, fmt.Errorf("report: no stability rows")
	}
	b := band{lo: make([]float64, n), hi: make([]float64, n), est: make([]float64, n), col: oiBlue}
	names := make([]string, n)
	tl := &tipLayer{}
	for k, r := range rows {
		i := n - 1 - k
		b.lo[i], b.hi[i], b.est[i] = 0, r.Frequency, r.Frequency
		names[i] = r.MiRNA
		tl.pts = append(tl.pts, tip{X: r.Frequency, Y: float64(i), Radius: vg.Points(2), Colour: oiBlue,
			Text: fmt.Sprintf("%s: selected in %.0f%% of folds, mean coefficient %.3g", r.MiRNA, 100*r.Frequency, r.Coefficient)})
	}
	p := plot.New()
	p.Title.Text = fmt.Sprintf("Signature: selection frequency, top %d miRNAs", n)
	p.X.Label.Text = "share of training folds selecting the miRNA"
	p.X.Min, p.X.Max = 0, 1
	p.Add(b, tl)
	p.NominalY(names...)
	if n > 12 {
		p.Y.Tick.Label.Font.Size = vg.Points(7)
	}
	return chart{p: p, tips: tl}, nil
}
