package report

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// chromium returns the path of a headless Chromium, skipping the test when
// there is none (failing under CI=true).
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("chromium not found and CI=true")
	}
	t.Skip("chromium not installed: report rendering not checked")
	return ""
}

// runPage loads page with script appended to its body in headless Chromium
// at the window size and returns the text of the <pre id="result"> the
// script writes.
func runPage(t *testing.T, page, script string, width, height int) string {
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
// rendered page and lists texts that overlap another text or a point, or
// stick out of their SVG.
const layoutScript = `
document.fonts.ready.then(function(){
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
	for _, size := range [][2]int{{1366, 768}, {1920, 1080}} {
		var res layoutResult
		out := runPage(t, buf.String(), layoutScript, size[0], size[1])
		if err := json.Unmarshal([]byte(out), &res); err != nil {
			t.Fatalf("%v: %s", err, out)
		}
		t.Logf("%dx%d: %d figures, %d texts checked, %d problems", size[0], size[1], res.Figures, res.Texts, len(res.Problems))
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
	checkLayout(t, testData(), 8)
}

// The same for a 120-sample study.
func TestReportLayoutInChromium120(t *testing.T) {
	checkLayout(t, bigData(120, 2600), 8)
}
