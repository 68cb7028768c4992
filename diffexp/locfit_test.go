package diffexp

import (
	"math"
	"path/filepath"
	"testing"
)

// TestLocalTrendGolden fits the local trend to DESeq2's own gene-wise
// dispersions of sim_local (where DESeq2 used its locfit trend) and
// compares with DESeq2's dispFit: the fit itself must agree to 1e-6.
func TestLocalTrendGolden(t *testing.T) {
	dir := filepath.Join("..", "testdata", "de", "sim_local")
	_, ref := readTable(t, openMaybeGz(t, filepath.Join(dir, "deseq2.tsv.disp.tsv")))
	var means, disps []float64
	for k, g := range ref["dispGeneEst"] {
		if g > 100*minDisp && ref["baseMean"][k] > 0 {
			means = append(means, ref["baseMean"][k])
			disps = append(disps, g)
		}
	}
	tr, err := fitLocalTrend(means, disps)
	if err != nil {
		t.Fatal(err)
	}
	worst := 0.0
	n := 0
	for k, f := range ref["dispFit"] {
		if math.IsNaN(f) || !(ref["baseMean"][k] > 0) {
			continue
		}
		n++
		worst = math.Max(worst, math.Abs(math.Log(tr.at(ref["baseMean"][k]))-math.Log(f)))
	}
	t.Logf("sim_local: local trend from DESeq2's gene-wise estimates, max |Δ log dispFit| %.3g over %d genes (%d vertices)", worst, n, len(tr.localX))
	if worst > 1e-6 {
		t.Errorf("max |Δ log dispFit| %.3g > 1e-6", worst)
	}
}
