package report

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"

	"gonum.org/v1/plot/vg"
)

// section is one optional part of the page: a heading, a paragraph,
// figures and tables.
type section struct {
	ID, Title string
	Intro     string
	Figures   []figure
	Tables    []htmlTable
}

// htmlTable is a sortable, filterable table with a TSV download.
type htmlTable struct {
	ID, File string
	Caption  string
	Header   []string
	Rows     [][]cell
}

// cell is a table cell and its CSS class (pass, warn, fail or none).
type cell struct {
	Text, Class string
}

func cells(texts ...string) []cell {
	out := make([]cell, len(texts))
	for i, t := range texts {
		out[i] = cell{Text: t}
	}
	return out
}

// sections builds the optional sections whose data are present.
func sections(d *Data, positive string) []section {
	var out []section
	if len(d.ROC) > 0 {
		out = append(out, rocSection(d, positive))
	}
	if len(d.SpikeIns) > 0 {
		out = append(out, spikeInSection(d))
	}
	if len(d.Exogenous) > 0 || hasRows(d, func(s Sample) bool { return len(s.Clades) > 0 }) {
		out = append(out, exogenousSection(d))
	}
	if len(d.Editing) > 0 {
		out = append(out, editingSection(d))
	}
	if hasRows(d, func(s Sample) bool { return len(s.IsomiR) > 0 }) {
		out = append(out, isomirSection(d))
	}
	if hasRows(d, func(s Sample) bool { return len(s.QCFlags) > 0 }) {
		out = append(out, qcFlagSection(d))
	}
	if d.Signature != nil {
		out = append(out, signatureSection(d))
	}
	return out
}

func rocSection(d *Data, positive string) section {
	sec := section{ID: "biomarkers", Title: "Biomarkers: per-miRNA ROC"}
	rows, haveDE := rocCandidates(d)
	note := rocNote(d, positive)
	switch {
	case !haveDE:
		sec.Intro = note + "No differential-expression results, so no miRNA is known to be significant: no ROC curve is drawn."
		return sec
	case len(rows) == 0:
		sec.Intro = note + fmt.Sprintf("No miRNA has an adjusted p-value below %g, so no ROC curve is drawn: curves of non-significant miRNAs would be arbitrary picks among chance-level ties.", d.Alpha)
		return sec
	}
	sec.Intro = note + fmt.Sprintf("Only the %d miRNAs with adjusted p-value below %g are shown, ranked by the lower bound of the AUC's 95%% confidence interval (DeLong), on normalised counts.", len(rows), d.Alpha)
	sec.Figures = []figure{
		makeFigure(spec{"roc", "ROC of the significant miRNAs", figW, figH, func(vg.Length) (chart, error) {
			p, err := rocPlot(d, rows, positive)
			return chart{p: p}, err
		}}),
		makeFigure(spec{"auc", "AUC with 95% confidence bands", figW, figH, func(vg.Length) (chart, error) { return forestPlot(d, rows) }}),
	}
	padj := map[string]float64{}
	for _, r := range d.DE {
		padj[r.Feature] = r.PAdj
	}
	t := htmlTable{ID: "roc-table", File: "roc_significant.tsv", Header: []string{"miRNA", "AUC", "lower 95%", "upper 95%", "direction", "adjusted p"}}
	for _, r := range rows {
		t.Rows = append(t.Rows, cells(r.Feature, num(r.AUC, 'f', 3), num(r.Lower, 'f', 3), num(r.Upper, 'f', 3), r.Direction.String(), num(padj[r.Feature], 'g', 3)))
	}
	sec.Tables = []htmlTable{t}
	return sec
}

func spikeInSection(d *Data) section {
	sec := section{ID: "spikeins", Title: "Spike-ins",
		Intro: "Observed reads of each spike-in per sample. Spike-ins added in equal amounts should give level lines; a sample off the others points to a library-prep or input problem."}
	sec.Figures = []figure{makeFigure(spec{"spikein", "Spike-in reads", figW, figH, func(vg.Length) (chart, error) { return spikeInPlot(d) }})}
	t := htmlTable{ID: "spikein-table", File: "spikeins.tsv", Header: append([]string{"spike-in"}, sampleNames(d)...)}
	for _, sp := range d.SpikeIns {
		row := []string{sp.Name}
		for _, v := range sp.Counts {
			row = append(row, num(v, 'f', 0))
		}
		t.Rows = append(t.Rows, cells(row...))
	}
	sec.Tables = []htmlTable{t}
	return sec
}

// maxExogenousRows is the most exogenous miRNAs listed.
const maxExogenousRows = 500

func exogenousSection(d *Data) section {
	sec := section{ID: "exogenous", Title: "Exogenous and viral miRNAs",
		Intro: "Reads on miRNAs of other species (viral, bacterial, plant, food) and their clades. Reads here may be contamination, cross-mapping or real exogenous RNA; a few reads prove little."}
	if hasRows(d, func(s Sample) bool { return len(s.Clades) > 0 }) {
		sec.Figures = []figure{makeFigure(spec{"clades", "Exogenous reads by clade", figW, figH, func(w vg.Length) (chart, error) {
			p, err := cladePlot(d, w)
			return chart{p: p}, err
		}})}
	}
	if len(d.Exogenous) > 0 {
		type exo struct {
			e        Exogenous
			tot      float64
			detected int
		}
		var rows []exo
		for _, e := range d.Exogenous {
			x := exo{e: e}
			for _, v := range e.Counts {
				if v > 0 {
					x.tot += v
					x.detected++
				}
			}
			rows = append(rows, x)
		}
		sort.SliceStable(rows, func(a, b int) bool { return rows[a].tot > rows[b].tot })
		t := htmlTable{ID: "exogenous-table", File: "exogenous.tsv", Header: []string{"miRNA", "species", "reads", "samples with reads"}}
		if len(rows) > maxExogenousRows {
			t.Caption = fmt.Sprintf("The %d miRNAs with the most reads of %d (all in exogenous_counts.tsv).", maxExogenousRows, len(rows))
			rows = rows[:maxExogenousRows]
		}
		for _, x := range rows {
			t.Rows = append(t.Rows, cells(x.e.MiRNA, x.e.Species, num(x.tot, 'f', 0), strconv.Itoa(x.detected)))
		}
		sec.Tables = []htmlTable{t}
	}
	return sec
}

func editingSection(d *Data) section {
	sites := editingSites(d)
	nsig := 0
	for _, s := range sites {
		if !math.IsNaN(s.PAdj) && s.PAdj < d.Alpha {
			nsig++
		}
	}
	sec := section{ID: "editing", Title: "A-to-I editing sites",
		Intro: fmt.Sprintf("%d candidate sites, %d with adjusted p-value below %g. An A-to-I edit reads as A→G; the level is the edited share of the reads covering the position.", len(sites), nsig, d.Alpha)}
	sec.Figures = []figure{makeFigure(spec{"editlevels", "Editing level per sample", figW, figH, func(vg.Length) (chart, error) { return editingPlot(d) }})}
	t := htmlTable{ID: "editing-table", File: "editing_sites.tsv", Header: []string{"miRNA", "position", "samples", "mean level", "max level", "adjusted p"}}
	for _, s := range sites {
		t.Rows = append(t.Rows, cells(s.MiRNA, strconv.Itoa(s.Position), strconv.Itoa(s.Samples), num(s.Mean, 'f', 3), num(s.Max, 'f', 3), num(s.PAdj, 'g', 3)))
	}
	sec.Tables = []htmlTable{t}
	return sec
}

func isomirSection(d *Data) section {
	names := isomirNames(d)
	sec := section{ID: "isomirs", Title: "isomiR profile",
		Intro: "Share of each sample's miRNA reads by isomiR type (miRTop variants: canonical, 5' and 3' shifts, non-templated 3' additions, SNVs). Samples of one study should look alike; one apart suggests degradation or a different library prep."}
	sec.Figures = []figure{makeFigure(spec{"isomir", "isomiR profile per sample", figW, figH, func(vg.Length) (chart, error) { return isomirPlot(d) }})}
	head := []string{"sample", "condition"}
	for _, n := range names {
		head = append(head, readable(n)+" (%)")
	}
	t := htmlTable{ID: "isomir-table", File: "isomir_profile.tsv", Header: head}
	for _, s := range d.Samples {
		row := []string{s.Name, s.Condition}
		for _, n := range names {
			v := "NA"
			for _, x := range s.IsomiR {
				if x.Name == n {
					v = num(100*x.Value, 'f', 2)
				}
			}
			row = append(row, v)
		}
		t.Rows = append(t.Rows, cells(row...))
	}
	sec.Tables = []htmlTable{t}
	return sec
}

// flagClass colours a QC flag cell by its value.
func flagClass(v string) string {
	switch strings.ToLower(v) {
	case "pass", "ok", "true":
		return "pass"
	case "warn", "warning":
		return "warn"
	case "fail", "false":
		return "fail"
	}
	return ""
}

func qcFlagSection(d *Data) section {
	var names []string
	for _, s := range d.Samples {
		for _, f := range s.QCFlags {
			if !contains(names, f.Name) {
				names = append(names, f.Name)
			}
		}
	}
	sec := section{ID: "evqc", Title: "EV QC flags",
		Intro: "Extracellular-vesicle library checks (exRNA Atlas / miRTrace style) as written in summary.tsv's qc_ rows."}
	head := []string{"sample", "condition"}
	for _, n := range names {
		head = append(head, readable(n))
	}
	t := htmlTable{ID: "evqc-table", File: "ev_qc.tsv", Header: head}
	for _, s := range d.Samples {
		row := cells(s.Name, s.Condition)
		for _, n := range names {
			c := cell{Text: "NA"}
			for _, f := range s.QCFlags {
				if f.Name == n {
					c = cell{Text: f.Value, Class: flagClass(f.Value)}
				}
			}
			row = append(row, c)
		}
		t.Rows = append(t.Rows, row)
	}
	sec.Tables = []htmlTable{t}
	return sec
}

// maxLambdaColumns is the most λ columns of coefficients shown.
const maxLambdaColumns = 6

func signatureSection(d *Data) section {
	sig := d.Signature
	sec := section{ID: "signature", Title: "Multi-miRNA signature",
		Intro: fmt.Sprintf("Elastic-net logistic regression; performance by nested cross-validation, in which size factors, the transform, feature selection and λ are refit on each training fold: mean test AUC %.3f, 95%% CI [%.3f, %.3f]. The selection frequency says how often each miRNA entered the model across training folds.",
			sig.AUC.Estimate, sig.AUC.Lower, sig.AUC.Upper)}
	if len(sig.ROC) > 0 {
		sec.Figures = append(sec.Figures, makeFigure(spec{"sigroc", "Signature ROC (nested CV)", figW, figH, func(vg.Length) (chart, error) {
			p, err := signatureROCPlot(sig)
			return chart{p: p}, err
		}}))
	}
	if len(sig.Stability) > 0 {
		sec.Figures = append(sec.Figures, makeFigure(spec{"stability", "Signature stability", figW, figH, func(vg.Length) (chart, error) { return stabilityPlot(sig) }}))
		rows := append([]Stability(nil), sig.Stability...)
		sort.SliceStable(rows, func(a, b int) bool { return rows[a].Frequency > rows[b].Frequency })
		t := htmlTable{ID: "stability-table", File: "stability.tsv", Header: []string{"miRNA", "selection frequency", "mean coefficient"}}
		for _, r := range rows {
			t.Rows = append(t.Rows, cells(r.MiRNA, num(r.Frequency, 'f', 3), num(r.Coefficient, 'g', 4)))
		}
		sec.Tables = append(sec.Tables, t)
	}
	if len(sig.Terms) > 0 {
		t := htmlTable{ID: "coef-table", File: "coefficients.tsv", Header: []string{"term"}}
		lam := sig.Lambdas
		if len(lam) > maxLambdaColumns {
			t.Caption = fmt.Sprintf("The last %d of %d λ columns of coefficients.tsv.", maxLambdaColumns, len(lam))
		}
		from := max(0, len(lam)-maxLambdaColumns)
		t.Header = append(t.Header, lam[from:]...)
		for i, term := range sig.Terms {
			row := []string{term}
			for _, v := range sig.Coefficients[i][from:] {
				row = append(row, num(v, 'g', 4))
			}
			t.Rows = append(t.Rows, cells(row...))
		}
		sec.Tables = append(sec.Tables, t)
	}
	return sec
}
