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

// Figure sizes in the SVG's own units; CSS scales them to the grid cell,
// two a row on a wide screen, one on a narrow one.
const (
	figW  = 16 * vg.Centimeter
	figH  = 10 * vg.Centimeter
	heatH = 14 * vg.Centimeter
)

// captions say how each figure was made.
var captions = map[string]string{
	"lengths":    "Share of passed reads at each insert length; mature miRNAs peak at 22 nt.",
	"accounting": "Every input read in exactly one category (colours fixed across reports, see docs/report.md).",
	"classes":    "RNA class of the passed reads.",
	"pca":        "Samples on the first two principal components of log2(normalised count + 1) of the 500 most variable miRNAs. Hover a point for the sample.",
	"volcano":    "Each point a tested miRNA; hover for its values.",
	"ma":         "Each point a tested miRNA; hover for its values.",
	"heatmap":    "Row z-scores of log2(normalised count + 1), clipped to ±2.5. Rows and samples ordered by average-linkage hierarchical clustering on 1 − Pearson correlation of the plotted z-scores, with their dendrograms (right, top); the bar above the columns gives each sample's condition.",
	"roc":        "Empirical ROC curves, on normalised counts, of the significant miRNAs with the highest lower confidence bound of the AUC.",
	"auc":        "Each significant miRNA's AUC (line) and its DeLong 95% confidence interval (band), best lower bound at the top; the dashed line is chance (0.5). Hover for the values.",
	"trf":        "Share of each sample's tRNA-fragment reads by fragment type.",
	"spikein":    "Observed reads of each spike-in in each sample, log scale. Hover a point for its count.",
	"clades":     "Reads on exogenous miRNAs per million input reads, by clade.",
	"editlevels": "Edited share of the reads covering each candidate A-to-I site, one point a sample coloured by condition. Hover for the values.",
	"isomir":     "One point a sample (coloured by condition) for each isomiR type, spread across the column so samples stay apart. Hover for the sample and value.",
	"sigroc":     "ROC of the signature's out-of-fold scores over the nested cross-validation.",
	"stability":  "Share of training folds in which each miRNA was selected (top 20). Hover for the mean coefficient.",
}

// figure is one rendered plot, or the reason it could not be drawn.
type figure struct {
	ID, Title string
	Caption   string // what the figure shows and how it was made
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
	FontCSS  template.CSS
	Sections []section
}

// WriteHTML writes the report as one self-contained HTML page. Each
// optional section (ROC, tRF types, spike-ins, exogenous miRNAs, editing,
// isomiR profile, EV QC flags, signature) is there only when its data are.
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
	pg := page{Title: d.Title, Contrast: d.Contrast, Alpha: d.Alpha, MinMiRNA: d.MinMiRNAReads, FontCSS: fontCSS()}
	if pg.Title == "" {
		pg.Title = "exomir report"
	}
	positive := caseCondition(d)
	plain := func(f func() (*plot.Plot, error)) func(vg.Length) (chart, error) {
		return func(vg.Length) (chart, error) {
			p, err := f()
			return chart{p: p}, err
		}
	}
	specs := []spec{
		{"lengths", "Read-length distribution", figW, figH, plain(func() (*plot.Plot, error) { return lengthPlot(d) })},
		{"accounting", "Read accounting", figW, figH, func(w vg.Length) (chart, error) {
			p, err := accountingPlot(d, w)
			return chart{p: p}, err
		}},
		{"classes", "RNA-class composition", figW, figH, func(w vg.Length) (chart, error) {
			p, err := classesPlot(d, w)
			return chart{p: p}, err
		}},
	}
	if hasRows(d, func(s Sample) bool { return len(s.TRF) > 0 }) {
		specs = append(specs, spec{"trf", "tRNA-fragment types", figW, figH, func(w vg.Length) (chart, error) {
			p, err := trfPlot(d, w)
			return chart{p: p}, err
		}})
	}
	specs = append(specs, spec{"pca", "PCA of samples", figW, figH, func(vg.Length) (chart, error) { return pcaPlot(d) }})
	if len(d.DE) > 0 {
		specs = append(specs,
			spec{"volcano", "Volcano plot", figW, figH, func(vg.Length) (chart, error) { return volcanoPlot(d) }},
			spec{"ma", "MA plot", figW, figH, func(vg.Length) (chart, error) { return maPlot(d) }},
			spec{"heatmap", "Heatmap of the top DE miRNAs", figW, heatH, func(vg.Length) (chart, error) { return heatmapPlot(d, 30) }},
		)
	}
	for _, s := range specs {
		pg.Figures = append(pg.Figures, makeFigure(s))
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
	for _, i := range d.topDE(len(d.DE)) {
		r := d.DE[i]
		a := "NA"
		if v, ok := auc[r.Feature]; ok {
			a = strconv.FormatFloat(v, 'f', 3, 64)
		}
		pg.DE = append(pg.DE, deRow{r.Feature, num(r.BaseMean, 'f', 1), num(r.Log2FC, 'f', 2), num(r.PValue, 'g', 3), num(r.PAdj, 'g', 3), a})
	}
	pg.Sections = sections(d, positive)
	return pageTemplate.Execute(w, pg)
}

// spec is a figure to draw: its id, title, size and maker.
type spec struct {
	id, title string
	w, h      vg.Length
	make      func(w vg.Length) (chart, error)
}

// makeFigure draws a spec, or says why it could not.
func makeFigure(s spec) figure {
	fig := figure{ID: s.id, Title: s.title, Caption: captions[s.id]}
	ch, err := s.make(s.w)
	if err == nil {
		var out string
		out, err = render(ch, s.w, s.h)
		fig.SVG = template.HTML(out) // rendered by gonum/plot from our own data
	}
	if err != nil {
		fig.Missing = err.Error()
	}
	return fig
}

func hasRows(d *Data, f func(Sample) bool) bool {
	for _, s := range d.Samples {
		if f(s) {
			return true
		}
	}
	return false
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
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}}</title>
<style>
{{.FontCSS}}
body{font-family:Helvetica,Arial,sans-serif;margin:1em auto;max-width:1800px;padding:0 1em;color:#222}
h1{font-size:1.6em}h2{font-size:1.25em;border-bottom:1px solid #ddd;padding-bottom:.2em;margin-top:1.6em}
table{border-collapse:collapse;font-size:.9em;margin:.5em 0}
th,td{border:1px solid #ccc;padding:.25em .6em;text-align:right;white-space:nowrap}
th{background:#f3f3f3;cursor:pointer;user-select:none;white-space:nowrap}
th[aria-sort=ascending]::after{content:" \25B2"}th[aria-sort=descending]::after{content:" \25BC"}
td:first-child,th:first-child{text-align:left}
.pass{color:#0a7d32;font-weight:bold}.warn{color:#b35900;font-weight:bold}.fail{color:#b00020;font-weight:bold}
.figs{display:grid;grid-template-columns:1fr;gap:1em}
@media (min-width:1200px){.figs{grid-template-columns:1fr 1fr}}
figure{margin:0;min-width:0}
figure svg{display:block;width:100%;height:auto;max-height:85vh}
figcaption{font-size:.85em;color:#555}
nav a{margin-right:1em}
.missing{color:#888;font-style:italic}
.notice{border:2px solid #b35900;background:#fff4e5;padding:.5em 1em;margin:1em 0}
.notice h2{border:none;margin:.2em 0;color:#b35900}
.notice li{margin:.2em 0}
td.warnings{text-align:left;font-size:.85em}
.tools{margin:.5em 0}.tools input{margin-right:1em}
.scroll{overflow-x:auto}
/* Off-screen figures and tables are laid out only when scrolled to: a
   120-sample report opens fast. */
figure,.scroll{content-visibility:auto;contain-intrinsic-size:auto 600px}
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
{{end}}<nav>{{range .Figures}}<a href="#{{.ID}}">{{.Title}}</a>{{end}}<a href="#qc">QC table</a>{{if .DE}}<a href="#de">DE table</a>{{end}}{{range .Sections}}<a href="#{{.ID}}">{{.Title}}</a>{{end}}</nav>
<h2 id="qc">Quality control</h2>
<p>Flags follow exceRpt's thresholds: at least {{.MinMiRNA}} miRNA reads, at least half of the reads passing trimming and filters, and an insert length peak at 20–24 nt (mature miRNAs are 22 nt).</p>
<div class="tools"><input type="search" placeholder="filter rows" data-table="qc-table" aria-label="filter QC rows"><a href="#" class="tsv" data-table="qc-table" download="qc.tsv">download TSV</a></div>
<div class="scroll"><table id="qc-table" class="sortable">
<thead><tr><th>sample</th><th>condition</th><th>adapter</th><th>input reads</th><th>passed</th><th>% passed</th><th>miRNA reads</th><th>peak length</th><th>QC</th><th>why</th><th>warnings</th></tr></thead>
<tbody>
{{range .QC}}<tr><td>{{.Sample}}</td><td>{{.Condition}}</td><td>{{.Adapter}}</td><td>{{.Input}}</td><td>{{.Passed}}</td><td>{{.PassedPct}}</td><td>{{.MiRNA}}</td><td>{{.PeakLen}}</td><td class="{{.Flag}}">{{.Flag}}</td><td>{{.Why}}</td><td class="warnings">{{range $i, $w := .Warnings}}{{if $i}}; {{end}}<span title="{{$w.Message}}">{{$w.Code}}</span>{{else}}none{{end}}</td></tr>
{{end}}</tbody></table></div>
<p>Hover a point of the PCA, volcano or MA plot for its name and values. Click a table header to sort; type in the box to filter.</p>
<div class="figs">
{{range .Figures}}{{template "fig" .}}{{end}}</div>
{{if .DE}}<h2 id="de">Differential expression {{.Contrast}}</h2>
<p>{{.NSig}} of {{.NTested}} tested miRNAs have adjusted p-value below {{.Alpha}}. All tested miRNAs, by adjusted p-value:</p>
<div class="tools"><input type="search" placeholder="filter rows" data-table="de-table" aria-label="filter DE rows"><a href="#" class="tsv" data-table="de-table" download="de.tsv">download TSV</a></div>
<div class="scroll"><table id="de-table" class="sortable">
<thead><tr><th>miRNA</th><th>baseMean</th><th>log2 fold change</th><th>p-value</th><th>adjusted p</th><th>ROC AUC</th></tr></thead>
<tbody>
{{range .DE}}<tr><td>{{.Feature}}</td><td>{{.BaseMean}}</td><td>{{.LFC}}</td><td>{{.PValue}}</td><td>{{.PAdj}}</td><td>{{.AUC}}</td></tr>
{{end}}</tbody></table></div>{{end}}
{{range .Sections}}<h2 id="{{.ID}}">{{.Title}}</h2>
{{if .Intro}}<p>{{.Intro}}</p>
{{end}}{{if .Figures}}<div class="figs">
{{range .Figures}}{{template "fig" .}}{{end}}</div>
{{end}}{{range .Tables}}{{if .Caption}}<p>{{.Caption}}</p>
{{end}}<div class="tools"><input type="search" placeholder="filter rows" data-table="{{.ID}}" aria-label="filter rows"><a href="#" class="tsv" data-table="{{.ID}}" download="{{.File}}">download TSV</a></div>
<div class="scroll"><table id="{{.ID}}" class="sortable">
<thead><tr>{{range .Header}}<th>{{.}}</th>{{end}}</tr></thead>
<tbody>
{{range .Rows}}<tr>{{range .}}<td{{if .Class}} class="{{.Class}}"{{end}}>{{.Text}}</td>{{end}}</tr>
{{end}}</tbody></table></div>
{{end}}{{end}}<script>
// Sorting, filtering and TSV download of the tables; no network needed.
(function(){
function key(t){var v=t.trim();if(v===""||v==="NA")return null;var n=Number(v);return isNaN(n)?v.toLowerCase():n}
function cmp(a,b){if(a===null)return b===null?0:1;if(b===null)return -1;
 if(typeof a===typeof b)return a<b?-1:a>b?1:0;return typeof a==="number"?-1:1}
document.querySelectorAll("table.sortable").forEach(function(tb){
 tb.querySelectorAll("thead th").forEach(function(th,col){
  th.addEventListener("click",function(){
   var asc=th.getAttribute("aria-sort")!=="ascending";
   tb.querySelectorAll("thead th").forEach(function(o){o.removeAttribute("aria-sort")});
   th.setAttribute("aria-sort",asc?"ascending":"descending");
   var body=tb.tBodies[0],rows=Array.prototype.slice.call(body.rows);
   rows.forEach(function(r,i){r._i=i});
   rows.sort(function(x,y){var a=key(x.cells[col].textContent),b=key(y.cells[col].textContent);
    var c=(a===null||b===null)?cmp(a,b):(asc?cmp(a,b):cmp(b,a));return c||x._i-y._i});
   rows.forEach(function(r){body.appendChild(r)});
  });
 });
});
document.querySelectorAll("input[data-table]").forEach(function(inp){
 inp.addEventListener("input",function(){
  var q=inp.value.toLowerCase(),tb=document.getElementById(inp.dataset.table);
  Array.prototype.forEach.call(tb.tBodies[0].rows,function(r){r.hidden=q!==""&&r.textContent.toLowerCase().indexOf(q)<0});
 });
});
document.querySelectorAll("a.tsv").forEach(function(a){
 a.addEventListener("click",function(){
  var tb=document.getElementById(a.dataset.table),lines=[];
  Array.prototype.forEach.call(tb.rows,function(r){
   lines.push(Array.prototype.map.call(r.cells,function(c){return c.textContent.replace(/[\t\n]+/g," ").trim()}).join("\t"))});
  a.href=URL.createObjectURL(new Blob([lines.join("\n")+"\n"],{type:"text/tab-separated-values"}));
 });
});
})();
</script>
</body>
</html>
{{define "fig"}}<figure id="{{.ID}}" class="plot">{{if .Missing}}<p class="missing">{{.Title}}: not drawn ({{.Missing}})</p>{{else}}{{.SVG}}{{end}}<figcaption><b>{{.Title}}.</b> {{.Caption}}</figcaption></figure>
{{end}}`))
