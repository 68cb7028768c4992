package report

import (
	"bytes"
	"fmt"
	"image/color"
	"math"
	"sort"
	"strings"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/palette"
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

// svg renders p as an inline SVG element.
func svg(p *plot.Plot, w, h vg.Length) (string, error) {
	wt, err := p.WriterTo(w, h, "svg")
	if err != nil {
		return "", err
	}
	var buf bytes.Buffer
	if _, err := wt.WriteTo(&buf); err != nil {
		return "", err
	}
	s := buf.String()
	if i := strings.Index(s, "<svg"); i > 0 {
		s = s[i:]
	}
	return s, nil
}

// conditionColours maps each condition to a colour, in order of first use.
func conditionColours(samples []Sample) map[string]color.Color {
	m := map[string]color.Color{}
	for _, s := range samples {
		if _, ok := m[s.Condition]; !ok {
			m[s.Condition] = colour(len(m))
		}
	}
	return m
}

func lengthPlot(d *Data) (*plot.Plot, error) {
	p := plot.New()
	p.Title.Text = "Insert length (passed reads)"
	p.X.Label.Text = "length (nt)"
	p.Y.Label.Text = "% of passed reads"
	p.Legend.Top = true
	p.X.Min, p.X.Max = 14, 42
	for i, s := range d.Samples {
		var tot int64
		for _, v := range s.InsertLengths {
			tot += v
		}
		if tot == 0 {
			continue
		}
		var pts plotter.XYs
		for l, v := range s.InsertLengths {
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
		ln.Color = colour(i)
		ln.Width = vg.Points(1.5)
		p.Add(ln)
		p.Legend.Add(s.Name, ln)
	}
	return p, nil
}

// stackedPlot draws one stacked bar per sample of the categories' share.
func stackedPlot(title string, samples []Sample, rows func(Sample) []Category, total func(Sample) int64) (*plot.Plot, error) {
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
	var below *plotter.BarChart
	ci := 0
	for _, name := range names {
		vals := make(plotter.Values, len(samples))
		any := false
		for si, s := range samples {
			t := total(s)
			for _, c := range rows(s) {
				if c.Name == name && t > 0 {
					vals[si] = 100 * float64(c.Reads) / float64(t)
					any = any || c.Reads > 0
				}
			}
		}
		if !any {
			continue // an empty category only clutters the legend
		}
		bar, err := plotter.NewBarChart(vals, vg.Points(18))
		if err != nil {
			return nil, err
		}
		bar.Color = colour(ci)
		ci++
		bar.LineStyle.Width = 0
		if below != nil {
			bar.StackOn(below)
		}
		below = bar
		p.Add(bar)
		p.Legend.Add(name, bar)
	}
	labels := make([]string, len(samples))
	for i, s := range samples {
		labels[i] = s.Name
	}
	p.NominalX(labels...)
	p.X.Tick.Label.Rotation = math.Pi / 4
	p.X.Tick.Label.XAlign = draw.XRight
	p.Y.Max = 100
	// Room on the right for the legend, clear of the bars.
	p.X.Max = float64(len(samples)) + 2.5
	return p, nil
}

func accountingPlot(d *Data) (*plot.Plot, error) {
	return stackedPlot("Read accounting", d.Samples,
		func(s Sample) []Category { return s.Accounting },
		func(s Sample) int64 { return s.InputReads })
}

func classesPlot(d *Data) (*plot.Plot, error) {
	return stackedPlot("RNA classes (passed reads)", d.Samples,
		func(s Sample) []Category { return s.Classes },
		func(s Sample) int64 {
			var t int64
			for _, c := range s.Classes {
				t += c.Reads
			}
			return t
		})
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

func pcaPlot(d *Data) (*plot.Plot, error) {
	pc1, pc2, v1, v2, err := pca(d, 500)
	if err != nil {
		return nil, err
	}
	p := plot.New()
	p.Title.Text = "PCA (log2 normalised counts, top 500 miRNAs)"
	p.X.Label.Text = fmt.Sprintf("PC1 (%.0f%%)", 100*v1)
	p.Y.Label.Text = fmt.Sprintf("PC2 (%.0f%%)", 100*v2)
	p.Legend.Top = true
	cc := conditionColours(d.Samples)
	var conds []string
	for _, s := range d.Samples {
		if len(conds) == 0 || !contains(conds, s.Condition) {
			conds = append(conds, s.Condition)
		}
	}
	for _, c := range conds {
		var pts plotter.XYs
		var labels []string
		for i, s := range d.Samples {
			if s.Condition == c {
				pts = append(pts, plotter.XY{X: pc1[i], Y: pc2[i]})
				labels = append(labels, s.Name)
			}
		}
		sc, err := plotter.NewScatter(pts)
		if err != nil {
			return nil, err
		}
		sc.GlyphStyle.Color = cc[c]
		sc.GlyphStyle.Radius = vg.Points(4)
		sc.GlyphStyle.Shape = draw.CircleGlyph{}
		p.Add(sc)
		p.Legend.Add(c, sc)
		lb, err := plotter.NewLabels(plotter.XYLabels{XYs: pts, Labels: labels})
		if err != nil {
			return nil, err
		}
		for i := range lb.TextStyle {
			lb.TextStyle[i].XAlign = draw.XLeft
		}
		lb.Offset = vg.Point{X: vg.Points(5)}
		p.Add(lb)
	}
	return p, nil
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

func scatterOf(pts plotter.XYs, c color.Color, radius float64) (*plotter.Scatter, error) {
	sc, err := plotter.NewScatter(pts)
	if err != nil {
		return nil, err
	}
	sc.GlyphStyle.Color = c
	sc.GlyphStyle.Radius = vg.Points(radius)
	sc.GlyphStyle.Shape = draw.CircleGlyph{}
	return sc, nil
}

// dePlot draws DE rows split into significant and other points.
func dePlot(d *Data, title, xl, yl string, xy func(DERow) (float64, float64, bool)) (*plot.Plot, error) {
	p := plot.New()
	p.Title.Text = title
	p.X.Label.Text = xl
	p.Y.Label.Text = yl
	p.Legend.Top = true
	var other, sig plotter.XYs
	for _, r := range d.DE {
		x, y, ok := xy(r)
		if !ok {
			continue
		}
		if sigAt(r, d.Alpha) {
			sig = append(sig, plotter.XY{X: x, Y: y})
		} else {
			other = append(other, plotter.XY{X: x, Y: y})
		}
	}
	if len(other) > 0 {
		sc, err := scatterOf(other, grey, 1.5)
		if err != nil {
			return nil, err
		}
		p.Add(sc)
		p.Legend.Add("not significant", sc)
	}
	if len(sig) > 0 {
		sc, err := scatterOf(sig, colour(5), 2.2)
		if err != nil {
			return nil, err
		}
		p.Add(sc)
		p.Legend.Add(fmt.Sprintf("padj < %g", d.Alpha), sc)
	}
	return p, nil
}

func volcanoPlot(d *Data) (*plot.Plot, error) {
	return dePlot(d, "Volcano plot "+d.Contrast, "log2 fold change", "-log10 p-value",
		func(r DERow) (float64, float64, bool) {
			if math.IsNaN(r.Log2FC) || math.IsNaN(r.PValue) {
				return 0, 0, false
			}
			p := math.Max(r.PValue, 1e-300)
			return r.Log2FC, -math.Log10(p), true
		})
}

func maPlot(d *Data) (*plot.Plot, error) {
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

// heatmapPlot shows z-scored log expression of the top DE miRNAs.
func heatmapPlot(d *Data, top int) (*plot.Plot, error) {
	rows := d.topDE(top)
	if len(rows) == 0 {
		return nil, fmt.Errorf("report: no DE rows for the heatmap")
	}
	index := map[string]int{}
	for i, f := range d.Features {
		index[f] = i
	}
	ln := d.logNormalised()
	var z [][]float64
	var names []string
	for _, ri := range rows {
		fi, ok := index[d.DE[ri].Feature]
		if !ok {
			continue
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
				row[i] = (row[i] - m) / sd
			} else {
				row[i] = 0
			}
		}
		// Reverse so the best row is at the top.
		z = append([][]float64{row}, z...)
		names = append([]string{d.DE[ri].Feature}, names...)
	}
	if len(z) == 0 {
		return nil, fmt.Errorf("report: DE features absent from the count matrix")
	}
	pal := palette.Heat(64, 1)
	hm := plotter.NewHeatMap(grid{z}, pal)
	hm.Min, hm.Max = -2.5, 2.5
	p := plot.New()
	p.Title.Text = fmt.Sprintf("Top %d DE miRNAs (row z-scores of log2 normalised counts)", len(z))
	p.Add(hm)
	labels := make([]string, len(d.Samples))
	for i, s := range d.Samples {
		labels[i] = s.Name + " (" + s.Condition + ")"
	}
	p.NominalX(labels...)
	p.NominalY(names...)
	p.X.Tick.Label.Rotation = math.Pi / 4
	p.X.Tick.Label.XAlign = draw.XRight
	return p, nil
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

// rocPlot draws the ROC curves of the best biomarkers (by AUC).
func rocPlot(d *Data, top int, positive string) (*plot.Plot, error) {
	idx := make([]int, len(d.ROC))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return d.ROC[idx[a]].AUC > d.ROC[idx[b]].AUC })
	if len(idx) > top {
		idx = idx[:top]
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
	p := plot.New()
	p.Title.Text = "ROC of the best biomarkers (" + positive + " vs rest)"
	p.X.Label.Text = "1 - specificity"
	p.Y.Label.Text = "sensitivity"
	p.X.Min, p.X.Max, p.Y.Min, p.Y.Max = 0, 1, 0, 1
	// Bottom right: the curves of good biomarkers run along the top left.
	p.Legend.Top = false
	p.Legend.Left = false
	p.Legend.XOffs = -vg.Points(5)
	p.Legend.YOffs = vg.Points(5)
	for k, ri := range idx {
		r := d.ROC[ri]
		fi, ok := index[r.Feature]
		if !ok {
			continue
		}
		scores := append([]float64(nil), norm[fi]...)
		if r.Direction == "down" {
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
		p.Legend.Add(fmt.Sprintf("%s AUC %.2f (%s)", r.Feature, r.AUC, r.Direction), ln)
	}
	diag, err := plotter.NewLine(plotter.XYs{{X: 0, Y: 0}, {X: 1, Y: 1}})
	if err != nil {
		return nil, err
	}
	diag.Color = grey
	diag.Dashes = []vg.Length{vg.Points(3), vg.Points(3)}
	p.Add(diag)
	return p, nil
}
