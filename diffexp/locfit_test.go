package diffexp

import (
	"math"
	"path/filepath"
	"testing"
)

// localTrendGoldens are DESeq2 runs whose dispersion trend is its local
// (locfit) fit, with every feature's baseMean, dispGeneEst and dispFit:
// DESeq() on sim_local (~ condition; its parametric fit fails), and what
// varianceStabilizingTransformation(fitType = "local") fits its trend to
// (make_transform_goldens.R, SETS "trend"): design ~ 1 for blind, the
// design otherwise.
var localTrendGoldens = []struct {
	set, file, design string
	blind             bool
}{
	{"sim_local", "deseq2.tsv.disp.tsv", "~ condition", false},
	{"sim_local", "vst_blind_local.disp.tsv", "~ condition", true},
	{"sim_local", "vst_design_local.disp.tsv", "~ condition", false},
	{"sim2600x20", "vst_blind_local.disp.tsv", "~ condition", true},
	// real data; hsa-miR-2115-3p's line search does not converge and its
	// estimate comes from DESeq2's grid search
	{"pd_amygdala", "vst_design_local.disp.tsv", "~ condition", false},
}

// TestLocalTrendGolden fits the local trend to DESeq2's own gene-wise
// dispersions and compares with DESeq2's dispFit: the fit itself must
// agree to 1e-6 on the log scale at every feature. The genes fed to it are
// those estimateDispersionsFit passes to localDispersionFit (dispGeneEst >
// 100 × minDisp; its own filter, ≥ 10 × minDisp, then removes none).
func TestLocalTrendGolden(t *testing.T) {
	for _, g := range localTrendGoldens {
		dir := filepath.Join("..", "testdata", "de", g.set)
		_, ref := readTable(t, openMaybeGz(t, filepath.Join(dir, g.file)))
		var means, disps []float64
		for k, d := range ref["dispGeneEst"] {
			if d > 100*minDisp {
				means = append(means, ref["baseMean"][k])
				disps = append(disps, d)
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
		t.Logf("%s %s: local trend from DESeq2's gene-wise estimates (%d of them), max |Δ log dispFit| %.3g over %d features (%d vertices)",
			g.set, g.file, len(means), worst, n, len(tr.localX))
		if worst > 1e-6 {
			t.Errorf("%s %s: max |Δ log dispFit| %.3g > 1e-6", g.set, g.file, worst)
		}
	}
}
