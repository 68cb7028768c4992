package report

import (
	"bytes"
	"encoding/json"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/exomir/exomir/internal/testenv"
)

// chromium returns the path of a headless Chromium, skipping the test when
// there is none (failing under CI=true).
func chromium(t *testing.T) string {
	t.Helper()
	return testenv.Tool(t, "chromium", "chromium-browser", "google-chrome")
}

// runPage loads page with script appended to its body in headless Chromium
// at the window size and returns the text of the <pre id="result"> the
// script writes.
func runPage(t *testing.T, page, script string, width, height int) string {
	t.Helper()
	return runPageFonts(t, page, script, width, height, true)
}

// noLiberationConf is a fontconfig file that hides every Liberation font
// of the system, as on a machine without them.
const noLiberationConf = `<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "fonts.dtd">
<fontconfig>
<include ignore_missing="yes">/etc/fonts/fonts.conf</include>
<selectfont><rejectfont><glob>*Liberation*</glob><glob>*liberation*</glob></rejectfont></selectfont>
</fontconfig>
`

// runPageFonts is runPage with the system's Liberation fonts visible to
// Chromium or hidden (fontconfig rejects them).
func runPageFonts(t *testing.T, page, script string, width, height int, systemLiberation bool) string {
	t.Helper()
	bin := chromium(t)
	dir := t.TempDir()
	file := filepath.Join(dir, "page.html")
	i := strings.LastIndex(page, "</body>")
	page = page[:i] + "<script>\n" + script + "\n</script>\n" + page[i:]
	if err := os.WriteFile(file, []byte(page), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
		"--user-data-dir="+filepath.Join(dir, "profile"),
		"--window-size="+strconv.Itoa(width)+","+strconv.Itoa(height),
		"--run-all-compositor-stages-before-draw", "--virtual-time-budget=10000",
		"--dump-dom", "file://"+file)
	if !systemLiberation {
		conf := filepath.Join(dir, "fonts.conf")
		if err := os.WriteFile(conf, []byte(noLiberationConf), 0o644); err != nil {
			t.Fatal(err)
		}
		cmd.Env = append(os.Environ(), "FONTCONFIG_FILE="+conf)
		// The hiding works: fontconfig no longer finds the family.
		if fcm, err := exec.LookPath("fc-match"); err == nil {
			m := exec.Command(fcm, "Liberation Serif")
			m.Env = cmd.Env
			if b, err := m.Output(); err == nil && strings.Contains(strings.ToLower(string(b)), "liberation") {
				t.Fatalf("fontconfig still finds Liberation with %s: %s", conf, b)
			}
		}
	}
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("chromium: %v\n%s", err, errb.String())
	}
	m := regexp.MustCompile(`(?s)<pre id="result">(.*?)</pre>`).FindStringSubmatch(out.String())
	if m == nil {
		t.Fatalf("no result in the dumped DOM (%d bytes); stderr:\n%s", out.Len(), errb.String())
	}
	return strings.NewReplacer("&lt;", "<", "&gt;", ">", "&amp;", "&", "&quot;", `"`).Replace(m[1])
}

// layoutScript measures every figure's text and point boxes in the
// rendered page (once the embedded font is loaded: the figures ask for it
// only when laid out, so fonts.ready alone can come first on a busy
// machine) and lists texts that overlap another text or a point, or
// stick out of their SVG.
const layoutScript = `
document.fonts.load("12px 'Liberation Serif'").then(function(){return document.fonts.ready}).then(function(){
var problems=[], texts=0, figs=0;
function r(e){var b=e.getBoundingClientRect();return {l:b.left,t:b.top,r:b.right,b:b.bottom}}
function ov(a,b){return (Math.min(a.r,b.r)-Math.max(a.l,b.l)).toFixed(1)+"x"+(Math.min(a.b,b.b)-Math.max(a.t,b.t)).toFixed(1)+"px"}
function inter(a,b){return Math.min(a.r,b.r)-Math.max(a.l,b.l)>0.5 && Math.min(a.b,b.b)-Math.max(a.t,b.t)>0.5}
document.querySelectorAll("figure.plot svg").forEach(function(svg){
 figs++;
 var id=svg.closest("figure").id, box=r(svg);
 var ts=Array.prototype.filter.call(svg.querySelectorAll("text"),function(t){return t.textContent.trim()!==""});
 var cs=svg.querySelectorAll("circle");
 var tb=ts.map(r);
 texts+=ts.length;
 tb.forEach(function(a,i){
  if(a.l<box.l-0.5||a.r>box.r+0.5||a.t<box.t-0.5||a.b>box.b+0.5)problems.push(id+": cut: "+ts[i].textContent+" "+JSON.stringify(a)+" in "+JSON.stringify(box));
  for(var j=i+1;j<tb.length;j++) if(inter(a,tb[j]))problems.push(id+": text overlap: "+ts[i].textContent+" / "+ts[j].textContent+" ("+ov(a,tb[j])+")");
  Array.prototype.forEach.call(cs,function(c){ if(inter(a,r(c)))problems.push(id+": text on a point: "+ts[i].textContent)});
 });
});
var pre=document.createElement("pre");pre.id="result";
pre.textContent=JSON.stringify({figures:figs,texts:texts,problems:problems,fonts:document.fonts.check("12px 'Liberation Serif'")});
document.body.appendChild(pre);
});`

type layoutResult struct {
	Figures, Texts int
	Problems       []string
	Fonts          bool
}

func checkLayout(t *testing.T, d *Data, want int) {
	var buf bytes.Buffer
	if err := WriteHTML(&buf, d); err != nil {
		t.Fatal(err)
	}
	// Both screen sizes with the system's Liberation fonts hidden (as on
	// most machines: the page must carry its own), and the small one with
	// them visible too.
	for k, size := range [][2]int{{1366, 768}, {1366, 768}, {1920, 1080}} {
		var res layoutResult
		out := runPageFonts(t, buf.String(), layoutScript, size[0], size[1], k == 0)
		if err := json.Unmarshal([]byte(out), &res); err != nil {
			t.Fatalf("%v: %s", err, out)
		}
		fonts := "system Liberation fonts visible"
		if k > 0 {
			fonts = "system Liberation fonts hidden"
		}
		t.Logf("%dx%d, %s: %d figures, %d texts checked, %d problems", size[0], size[1], fonts, res.Figures, res.Texts, len(res.Problems))
		if res.Figures != want || res.Texts < 10*want {
			t.Errorf("%dx%d: %d figures, %d texts measured; want %d figures", size[0], size[1], res.Figures, res.Texts, want)
		}
		if !res.Fonts {
			t.Errorf("%dx%d: embedded Liberation Serif not available to the page", size[0], size[1])
		}
		for _, p := range res.Problems {
			t.Errorf("%dx%d: %s", size[0], size[1], p)
		}
	}
}

// No figure text overlaps another text or a point, nor leaves its SVG,
// when Chromium renders the page, on a small and a large screen.
func TestReportLayoutInChromium(t *testing.T) {
	checkLayout(t, testData(), 9) // 7 + ROC and AUC bands
}

// The same for a 120-sample study.
func TestReportLayoutInChromium120(t *testing.T) {
	checkLayout(t, bigData(120, 2600), 16) // every section
}

// sortScript clicks the "log2 fold change" header of the DE table once
// (ascending) and again (descending), then filters the QC table on a
// sample name, and reports the first column after each step.
const sortScript = `
function col(id){return Array.prototype.filter.call(document.getElementById(id).tBodies[0].rows,function(r){return !r.hidden}).map(function(r){return r.cells[0].textContent})}
var th=Array.prototype.filter.call(document.querySelectorAll("#de-table th"),function(h){return h.textContent==="log2 fold change"})[0];
th.click(); var asc=col("de-table");
th.click(); var desc=col("de-table");
var inp=document.querySelector("input[data-table=qc-table]"); inp.value="s2"; inp.dispatchEvent(new Event("input"));
var filtered=col("qc-table");
var a=document.querySelector("a.tsv[data-table=de-table]"); a.dispatchEvent(new MouseEvent("click"));
var pre=document.createElement("pre");pre.id="result";
pre.textContent=JSON.stringify({asc:asc,desc:desc,filtered:filtered,blob:a.href.slice(0,5)});
document.body.appendChild(pre);`

// Clicking a header sorts the table by that column (numbers as numbers,
// NA last), the filter box hides other rows, and the download link gets a
// blob of the table.
func TestReportTablesInChromium(t *testing.T) {
	d := testData()
	var buf bytes.Buffer
	if err := WriteHTML(&buf, d); err != nil {
		t.Fatal(err)
	}
	var res struct {
		Asc, Desc, Filtered []string
		Blob                string
	}
	out := runPage(t, buf.String(), sortScript, 1366, 768)
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	// Reference: each listing holds every tested miRNA once, its log2
	// fold changes (as the table shows them) in order.
	lfc := map[string]float64{}
	for _, r := range d.DE {
		if !math.IsNaN(r.PValue) {
			v, _ := strconv.ParseFloat(num(r.Log2FC, 'f', 2), 64)
			lfc[r.Feature] = v
		}
	}
	for name, list := range map[string][]string{"ascending": res.Asc, "descending": res.Desc} {
		seen := map[string]bool{}
		for i, f := range list {
			if _, ok := lfc[f]; !ok || seen[f] {
				t.Fatalf("%s: row %q unknown or repeated", name, f)
			}
			seen[f] = true
			if i == 0 {
				continue
			}
			a, b := lfc[list[i-1]], lfc[f]
			if (name == "ascending" && a > b) || (name == "descending" && a < b) {
				t.Fatalf("%s: %s (%g) before %s (%g)", name, list[i-1], a, f, b)
			}
		}
		if len(seen) != len(lfc) {
			t.Fatalf("%s: %d rows, want %d", name, len(seen), len(lfc))
		}
	}
	if slices.Equal(res.Asc, res.Desc) {
		t.Error("second click did not reverse the order")
	}
	if len(res.Filtered) != 1 || res.Filtered[0] != "s2" {
		t.Errorf("filter on s2 left %v", res.Filtered)
	}
	if res.Blob != "blob:" {
		t.Errorf("download link href starts %q, want a blob URL", res.Blob)
	}
}

// The same for a run folder with every optional section (tRF types,
// spike-ins, clades, editing, isomiRs, EV QC flags, signature).
func TestReportLayoutInChromiumSections(t *testing.T) {
	d, err := Load("testdata/fixture")
	if err != nil {
		t.Fatal(err)
	}
	// 8 core figures (with tRF types), ROC and AUC bands, spike-ins,
	// clades, editing levels, isomiRs, signature ROC and stability.
	checkLayout(t, d, 16)
}

// sectionSortScript sorts the editing-site table by mean level and
// filters the exogenous table on a species.
const sectionSortScript = `
function col(id,k){return Array.prototype.filter.call(document.getElementById(id).tBodies[0].rows,function(r){return !r.hidden}).map(function(r){return r.cells[k].textContent})}
var th=Array.prototype.filter.call(document.querySelectorAll("#editing-table th"),function(h){return h.textContent==="mean level"})[0];
th.click(); var asc=col("editing-table",3);
th.click(); var desc=col("editing-table",3);
var inp=document.querySelector("input[data-table=exogenous-table]"); inp.value="virus"; inp.dispatchEvent(new Event("input"));
var pre=document.createElement("pre");pre.id="result";
pre.textContent=JSON.stringify({asc:asc,desc:desc,filtered:col("exogenous-table",1)});
document.body.appendChild(pre);`

// The tables of the new sections sort and filter like the others.
func TestReportSectionTablesInChromium(t *testing.T) {
	d, err := Load("testdata/fixture")
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := WriteHTML(&buf, d); err != nil {
		t.Fatal(err)
	}
	var res struct{ Asc, Desc, Filtered []string }
	out := runPage(t, buf.String(), sectionSortScript, 1366, 768)
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	nums := func(xs []string) []float64 {
		v := make([]float64, len(xs))
		for i, x := range xs {
			v[i], _ = strconv.ParseFloat(x, 64)
		}
		return v
	}
	a, b := nums(res.Asc), nums(res.Desc)
	if len(a) != 5 || !slices.IsSorted(a) {
		t.Errorf("editing table ascending by mean level: %v", res.Asc)
	}
	slices.Reverse(b)
	if !slices.Equal(a, b) {
		t.Errorf("descending %v is not ascending %v reversed", res.Desc, res.Asc)
	}
	if len(res.Filtered) != 3 {
		t.Errorf("filter on virus kept %v, want the 3 viral miRNAs", res.Filtered)
	}
	for _, s := range res.Filtered {
		if !strings.Contains(s, "virus") {
			t.Errorf("filter on virus kept species %q", s)
		}
	}
}
