package report

import (
	"fmt"
	"html/template"
	"io"
	"math"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
)

// figure is one rendered plot, or the reason it could not be drawn.
type figure struct {
	ID, Title string
	SVG       template.HTML
	Missing   string
}

type qcRow struct {
	Sample, Condition, Adapter string
	Input, Passed, MiRNA       string
	PassedPct, PeakLen         string
	Flag, Why                  string
	Warnings                   []Warning
}

// notice is one line of the warnings box at the top of the page.
type notice struct {
	Who string // sample name, or "study"
	Warning
}

type deRow struct {
	Feature, BaseMean, LFC, PValue, PAdj, AUC string
}

type page struct {
	Title    string
	Contrast string
	Figures  []figure
	QC       []qcRow
	DE       []deRow
	Alpha    float64
	NSig     int
	NTested  int
	MinMiRNA int64
	Notices  []notice
}

// WriteHTML writes the report as one self-contained HTML page.
func WriteHTML(w io.Writer, d *Data) error {
	if len(d.Samples) == 0 {
		return fmt.Errorf("report: no samples")
	}
	if d.Alpha == 0 {
		d.Alpha = 0.1
	}
	if d.MinMiRNAReads == 0 {
		d.MinMiRNAReads = 100000
	}
	pg := page{Title: d.Title, Contrast: d.Contrast, Alpha: d.Alpha, MinMiRNA: d.MinMiRNAReads}
	if pg.Title == "" {
		pg.Title = "exomir report"
	}
	positive := ""
	if len(d.Samples) > 0 {
		positive = caseCondition(d)
	}
	type spec struct {
		id, title string
		w, h      vg.Length
		make      func() (*plot.Plot, error)
	}
	specs := []spec{
		{"lengths", "Read-length distribution", 16 * vg.Centimeter, 9 * vg.Centimeter, func() (*plot.Plot, error) { return lengthPlot(d) }},
		{"accounting", "Read accounting", 16 * vg.Centimeter, 10 * vg.Centimeter, func() (*plot.Plot, error) { return accountingPlot(d) }},
		{"classes", "RNA-class composition", 16 * vg.Centimeter, 10 * vg.Centimeter, func() (*plot.Plot, error) { return classesPlot(d) }},
		{"pca", "PCA of samples", 14 * vg.Centimeter, 11 * vg.Centimeter, func() (*plot.Plot, error) { return pcaPlot(d) }},
	}
	if len(d.DE) > 0 {
		specs = append(specs,
			spec{"volcano", "Volcano plot", 14 * vg.Centimeter, 11 * vg.Centimeter, func() (*plot.Plot, error) { return volcanoPlot(d) }},
			spec{"ma", "MA plot", 14 * vg.Centimeter, 11 * vg.Centimeter, func() (*plot.Plot, error) { return maPlot(d) }},
			spec{"heatmap", "Top DE miRNAs", 16 * vg.Centimeter, 14 * vg.Centimeter, func() (*plot.Plot, error) { return heatmapPlot(d, 30) }},
		)
	}
	if len(d.ROC) > 0 {
		specs = append(specs, spec{"roc", "ROC of the best biomarkers", 14 * vg.Centimeter, 12 * vg.Centimeter, func() (*plot.Plot, error) { return rocPlot(d, 4, positive) }})
	}
	for _, s := range specs {
		fig := figure{ID: s.id, Title: s.title}
		p, err := s.make()
		if err == nil {
			var out string
			out, err = svg(p, s.w, s.h)
			fig.SVG = template.HTML(out) // rendered by gonum/plot from our own data
		}
		if err != nil {
			fig.Missing = err.Error()
		}
		pg.Figures = append(pg.Figures, fig)
	}
	pg.QC = qcRows(d)
	for _, w := range d.StudyWarnings {
		pg.Notices = append(pg.Notices, notice{"study", w})
	}
	for _, s := range d.Samples {
		for _, w := range s.Warnings {
			pg.Notices = append(pg.Notices, notice{s.Name, w})
		}
	}
	auc := map[string]float64{}
	for _, r := range d.ROC {
		auc[r.Feature] = r.AUC
	}
	for _, r := range d.DE {
		if !math.IsNaN(r.PValue) {
			pg.NTested++
		}
		if sigAt(r, d.Alpha) {
			pg.NSig++
		}
	}
	for _, i := range d.topDE(25) {
		r := d.DE[i]
		a := "NA"
		if v, ok := auc[r.Feature]; ok {
			a = strconv.FormatFloat(v, 'f', 3, 64)
		}
		pg.DE = append(pg.DE, deRow{r.Feature, num(r.BaseMean, 'f', 1), num(r.Log2FC, 'f', 2), num(r.PValue, 'g', 3), num(r.PAdj, 'g', 3), a})
	}
	return pageTemplate.Execute(w, pg)
}

// caseCondition picks the condition shown as the positive class of ROC
// curves: "tumor" when present, else the second condition seen.
func caseCondition(d *Data) string {
	var conds []string
	for _, s := range d.Samples {
		if !contains(conds, s.Condition) {
			conds = append(conds, s.Condition)
		}
	}
	for _, c := range conds {
		if c == "tumor" || c == "tumour" || c == "case" {
			return c
		}
	}
	if len(conds) > 1 {
		return conds[1]
	}
	return conds[0]
}

func num(v float64, f byte, prec int) string {
	if math.IsNaN(v) {
		return "NA"
	}
	return strconv.FormatFloat(v, f, prec, 64)
}

func qcRows(d *Data) []qcRow {
	var rows []qcRow
	for _, s := range d.Samples {
		var passed, tot, peakN int64
		peak := 0
		for l, v := range s.InsertLengths {
			tot += v
			if v > peakN {
				peak, peakN = l, v
			}
		}
		passed = tot
		r := qcRow{Sample: s.Name, Condition: s.Condition, Adapter: s.Adapter,
			Input: strconv.FormatInt(s.InputReads, 10), Passed: strconv.FormatInt(passed, 10),
			MiRNA: strconv.FormatInt(s.MiRNAReads, 10), PeakLen: strconv.Itoa(peak), Flag: "pass", Warnings: s.Warnings}
		if s.InputReads > 0 {
			r.PassedPct = strconv.FormatFloat(100*float64(passed)/float64(s.InputReads), 'f', 1, 64)
		}
		var why []string
		if s.MiRNAReads < d.MinMiRNAReads {
			why = append(why, fmt.Sprintf("fewer than %d miRNA reads", d.MinMiRNAReads))
		}
		if s.InputReads > 0 && float64(passed) < 0.5*float64(s.InputReads) {
			why = append(why, "under 50% of reads passed trimming and filters")
		}
		if peak < 20 || peak > 24 {
			why = append(why, "insert length peak outside 20-24 nt")
		}
		if len(why) > 0 || len(s.Warnings) > 0 {
			r.Flag = "warn"
			for i, w := range why {
				if i > 0 {
					r.Why += "; "
				}
				r.Why += w
			}
		}
		rows = append(rows, r)
	}
	return rows
}

var pageTemplate = template.Must(template.New("report").Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{{.Title}}</title>
<style>
body{font-family:Helvetica,Arial,sans-serif;margin:2em auto;max-width:1100px;color:#222}
h1{font-size:1.6em}h2{font-size:1.25em;border-bottom:1px solid #ddd;padding-bottom:.2em;margin-top:1.6em}
table{border-collapse:collapse;font-size:.9em;margin:.5em 0}
th,td{border:1px solid #ccc;padding:.25em .6em;text-align:right}
th{background:#f3f3f3}td:first-child,th:first-child{text-align:left}
.pass{color:#0a7d32;font-weight:bold}.warn{color:#b35900;font-weight:bold}
figure{margin:1em 0;display:inline-block;vertical-align:top}
figcaption{font-size:.85em;color:#555}
nav a{margin-right:1em}
.missing{color:#888;font-style:italic}
.notice{border:2px solid #b35900;background:#fff4e5;padding:.5em 1em;margin:1em 0}
.notice h2{border:none;margin:.2em 0;color:#b35900}
.notice li{margin:.2em 0}
td.warnings{text-align:left;font-size:.85em}
</style>
</head>
<body>
<h1>{{.Title}}</h1>
{{if .Notices}}<div class="notice" id="warnings">
<h2>{{len .Notices}} warning(s): check before trusting the results</h2>
<ul>
{{range .Notices}}<li><b>{{.Who}}</b>: <code>{{.Code}}</code>: {{.Message}}</li>
{{end}}</ul>
</div>
{{end}}<nav>{{range .Figures}}<a href="#{{.ID}}">{{.Title}}</a>{{end}}<a href="#qc">QC table</a>{{if .DE}}<a href="#de">DE table</a>{{end}}</nav>
<h2 id="qc">Quality control</h2>
<p>Flags follow exceRpt's thresholds: at least {{.MinMiRNA}} miRNA reads, at least half of the reads passing trimming and filters, and an insert length peak at 20–24 nt (mature miRNAs are 22 nt).</p>
<table>
<tr><th>sample</th><th>condition</th><th>adapter</th><th>input reads</th><th>passed</th><th>% passed</th><th>miRNA reads</th><th>peak length</th><th>QC</th><th>why</th><th>warnings</th></tr>
{{range .QC}}<tr><td>{{.Sample}}</td><td>{{.Condition}}</td><td>{{.Adapter}}</td><td>{{.Input}}</td><td>{{.Passed}}</td><td>{{.PassedPct}}</td><td>{{.MiRNA}}</td><td>{{.PeakLen}}</td><td class="{{.Flag}}">{{.Flag}}</td><td>{{.Why}}</td><td class="warnings">{{range $i, $w := .Warnings}}{{if $i}}; {{end}}<span title="{{$w.Message}}">{{$w.Code}}</span>{{else}}none{{end}}</td></tr>
{{end}}</table>
{{range .Figures}}<figure id="{{.ID}}" class="plot">{{if .Missing}}<p class="missing">{{.Title}}: not drawn ({{.Missing}})</p>{{else}}{{.SVG}}{{end}}<figcaption>{{.Title}}</figcaption></figure>
{{end}}
{{if .DE}}<h2 id="de">Differential expression {{.Contrast}}</h2>
<p>{{.NSig}} of {{.NTested}} tested miRNAs have adjusted p-value below {{.Alpha}}. Top miRNAs by adjusted p-value:</p>
<table>
<tr><th>miRNA</th><th>baseMean</th><th>log2 fold change</th><th>p-value</th><th>adjusted p</th><th>ROC AUC</th></tr>
{{range .DE}}<tr><td>{{.Feature}}</td><td>{{.BaseMean}}</td><td>{{.LFC}}</td><td>{{.PValue}}</td><td>{{.PAdj}}</td><td>{{.AUC}}</td></tr>
{{end}}</table>{{end}}
</body>
</html>
`))
