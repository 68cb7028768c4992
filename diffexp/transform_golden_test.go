package diffexp

import (
	"context"
	"math"
	"path/filepath"
	"sort"
	"strconv"
	"testing"

	"github.com/exomir/exomir/internal/corr"
)

// transformSets are the data sets with DESeq2 transform goldens made by
// testdata/de/make_transform_goldens.R.
// vst lists the committed VST goldens (the script makes more; see
// testdata/de/README.md).
var transformSets = []struct {
	name, design string
	contrast     []string
	shrink       bool
	vst          []string
	rlog         bool // rlog_blind and rlog_design goldens
}{
	{"sim2600x20", "~ condition", []string{"condition", "tumor", "control"}, true,
		[]string{"blind_parametric", "blind_local", "blind_mean", "design_parametric", "design_local", "design_mean"}, true},
	{"sim_batch", "~ batch + condition", []string{"condition", "tumor", "control"}, true,
		[]string{"blind_parametric", "blind_local", "design_parametric", "design_local"}, true},
	{"pd_amygdala", "~ condition", []string{"condition", "ct", "cc"}, true,
		[]string{"blind_parametric", "blind_local", "design_parametric", "design_local"}, true},
	// the parametric trend fails here and DESeq2 falls back to local (also
	// in rlog)
	{"sim_local", "~ condition", nil, false, []string{"blind_parametric", "blind_local"}, true},
}

// hasVST reports whether the set has the VST golden tag.
func hasVST(vst []string, tag string) bool {
	for _, v := range vst {
		if v == tag {
			return true
		}
	}
	return false
}

func boolPtr(b bool) *bool { return &b }

// readInfo reads transform_info.tsv as key → value.
func readInfo(t *testing.T, dir string) map[string]string {
	t.Helper()
	ids, _ := readTable(t, openMaybeGz(t, filepath.Join(dir, "transform_info.tsv")))
	out := map[string]string{}
	// readTable keeps only the first column as text: reread the values
	_, cols := readTable(t, openMaybeGz(t, filepath.Join(dir, "transform_info.tsv")))
	for k, id := range ids {
		out[id] = strconv.FormatFloat(cols["value"][k], 'g', -1, 64)
		if math.IsNaN(cols["value"][k]) {
			out[id] = "text"
		}
	}
	return out
}

// compareMatrix returns the largest |Δ| between got and the golden matrix
// file (a subset of rows, matched by id) and where it occurs.
func compareMatrix(t *testing.T, got *Transformed, path string) (float64, string, int) {
	t.Helper()
	ids, cols := readTable(t, openMaybeGz(t, path))
	row := map[string]int{}
	for i, f := range got.Features {
		row[f] = i
	}
	m := len(got.Samples)
	worst, where := 0.0, ""
	for k, id := range ids {
		i, ok := row[id]
		if !ok {
			t.Fatalf("%s: feature %s not in the input", path, id)
		}
		for j, s := range got.Samples {
			ref := cols[s][k]
			d := math.Abs(got.Values[i*m+j] - ref)
			if math.IsNaN(d) {
				d = math.Inf(1)
			}
			if d > worst {
				worst, where = d, id+"/"+s
			}
		}
	}
	return worst, where, len(ids)
}

func TestGoldenVST(t *testing.T) {
	for _, set := range transformSets {
		dir := filepath.Join("..", "testdata", "de", set.name)
		c, cd := loadInputs(t, dir)
		info := readInfo(t, dir)
		for _, blind := range []bool{true, false} {
			for _, ft := range []FitType{FitParametric, FitLocal, FitMean} {
				tag := "design"
				if blind {
					tag = "blind"
				}
				tag += "_" + ft.String()
				if !hasVST(set.vst, tag) {
					continue
				}
				tr, err := VST(context.Background(), c, cd, TransformOptions{Blind: boolPtr(blind), Design: set.design, FitType: ft})
				if err != nil {
					t.Fatalf("%s %s: %v", set.name, tag, err)
				}
				worst, where, n := compareMatrix(t, tr, filepath.Join(dir, "vst_"+tag+".tsv"))
				t.Logf("%s vst %s (fit %s): max|Δ| %.3g at %s over %d rows × %d samples", set.name, tag, tr.FitType, worst, where, n, len(tr.Samples))
				t.Logf("  asymptDisp %.10g (DESeq2 %s) extraPois %.10g (DESeq2 %s) mean %.10g (DESeq2 %s)", tr.AsymptDisp, info["vst_"+tag+"_asymptDisp"], tr.ExtraPois, info["vst_"+tag+"_extraPois"], tr.MeanDisp, info["vst_"+tag+"_mean"])
				// issue 12's target. Local trends are fitted to DESeq2's own
				// gene-wise estimates (geneEstReplay) and measured within 1e-7;
				// parametric and mean trends to the likelihood maxima, which
				// move them by ~1e-5 relative (measured ≤ 9.3e-5 here).
				tol := 1e-4
				if worst > tol {
					t.Errorf("%s vst %s: max|Δ| %.3g > %g", set.name, tag, worst, tol)
				}
			}
		}
	}
}

// TestGoldenVSTGivenTrend checks the closed-form transforms alone: with
// DESeq2's trend coefficients the result must match DESeq2's to 1e-6.
func TestGoldenVSTGivenTrend(t *testing.T) {
	for _, set := range transformSets {
		dir := filepath.Join("..", "testdata", "de", set.name)
		c, cd := loadInputs(t, dir)
		info := readInfo(t, dir)
		for _, blind := range []bool{true, false} {
			for _, ft := range []FitType{FitParametric, FitMean} {
				tag := "design_" + ft.String()
				if blind {
					tag = "blind_" + ft.String()
				}
				if !hasVST(set.vst, tag) {
					continue
				}
				pl, err := trendStage(context.Background(), c, cd, TransformOptions{Blind: boolPtr(blind), Design: set.design, FitType: ft})
				if err != nil {
					t.Fatal(err)
				}
				if pl.tr.typ != ft {
					continue // parametric fell back to local, as DESeq2's did
				}
				if ft == "parametric" {
					pl.tr.asympt, _ = strconv.ParseFloat(info["vst_"+tag+"_asymptDisp"], 64)
					pl.tr.extraPois, _ = strconv.ParseFloat(info["vst_"+tag+"_extraPois"], 64)
				} else {
					pl.tr.asympt, _ = strconv.ParseFloat(info["vst_"+tag+"_mean"], 64)
				}
				tr, err := vstFromTrend(pl)
				if err != nil {
					t.Fatal(err)
				}
				worst, where, n := compareMatrix(t, tr, filepath.Join(dir, "vst_"+tag+".tsv"))
				t.Logf("%s vst %s with DESeq2's trend: max|Δ| %.3g at %s over %d rows", set.name, tag, worst, where, n)
				if worst > 1e-6 {
					t.Errorf("%s vst %s with DESeq2's trend: max|Δ| %.3g > 1e-6", set.name, tag, worst)
				}
			}
		}
	}
}

// TestGoldenVSTIntegration checks the numeric integration of the local VST
// alone: with DESeq2's own dispersion function (read on its integration
// grid) the result must match DESeq2's to 1e-4.
func TestGoldenVSTIntegration(t *testing.T) {
	for _, set := range transformSets {
		dir := filepath.Join("..", "testdata", "de", set.name)
		c, cd := loadInputs(t, dir)
		for _, blind := range []bool{true, false} {
			tag := "design_local"
			if blind {
				tag = "blind_local"
			}
			if !hasVST(set.vst, tag) {
				continue
			}
			gx, g := readTable(t, openMaybeGz(t, filepath.Join(dir, "vst_"+tag+".grid.tsv")))
			xg, dg := make([]float64, len(gx)), g["disp"]
			for k, s := range gx {
				xg[k], _ = strconv.ParseFloat(s, 64)
			}
			disp := func(x float64) float64 {
				k := sort.SearchFloat64s(xg, x)
				if k == len(xg) || (k > 0 && x-xg[k-1] < xg[k]-x) {
					k--
				}
				if math.Abs(xg[k]-x) > 1e-9*x {
					t.Fatalf("%s: grid point %g not in the golden grid (nearest %g)", set.name, x, xg[k])
				}
				return dg[k]
			}
			pl, err := trendStage(context.Background(), c, cd, TransformOptions{Blind: boolPtr(blind), Design: set.design, FitType: "local"})
			if err != nil {
				t.Fatal(err)
			}
			tr := newTransformed(pl)
			m := pl.m
			nc := make([]float64, len(c.Values))
			for k, v := range c.Values {
				nc[k] = v / pl.sf[k%m]
			}
			if err := vstNumeric(pl, nc, disp, tr.Values); err != nil {
				t.Fatal(err)
			}
			worst, where, n := compareMatrix(t, tr, filepath.Join(dir, "vst_"+tag+".tsv"))
			t.Logf("%s vst %s with DESeq2's trend: max|Δ| %.3g at %s over %d rows", set.name, tag, worst, where, n)
			if worst > 1e-4 {
				t.Errorf("%s vst %s integration: max|Δ| %.3g > 1e-4", set.name, tag, worst)
			}
		}
	}
}

func TestGoldenRLog(t *testing.T) {
	for _, set := range transformSets {
		if !set.rlog {
			continue
		}
		dir := filepath.Join("..", "testdata", "de", set.name)
		c, cd := loadInputs(t, dir)
		info := readInfo(t, dir)
		for _, blind := range []bool{true, false} {
			tag := "design"
			if blind {
				tag = "blind"
			}
			tr, err := RLog(context.Background(), c, cd, TransformOptions{Blind: boolPtr(blind), Design: set.design})
			if err != nil {
				t.Fatalf("%s rlog %s: %v", set.name, tag, err)
			}
			refVar, _ := strconv.ParseFloat(info["rlog_"+tag+"_betaPriorVar"], 64)
			worst, where, n := compareMatrix(t, tr, filepath.Join(dir, "rlog_"+tag+".tsv"))
			t.Logf("%s rlog %s: max|Δ| %.3g at %s over %d rows × %d samples; betaPriorVar %.10g (DESeq2 %.10g)",
				set.name, tag, worst, where, n, len(tr.Samples), tr.BetaPriorVar, refVar)
			if math.Abs(tr.BetaPriorVar-refVar) > 1e-3*refVar {
				t.Errorf("%s rlog %s: betaPriorVar %g, DESeq2 %g", set.name, tag, tr.BetaPriorVar, refVar)
			}
			if worst > 1e-3 {
				t.Errorf("%s rlog %s: max|Δ| %.3g > 1e-3", set.name, tag, worst)
			}
			if tr.FitType != "parametric" {
				continue // DESeq2's local trend has no coefficients to substitute
			}
			// with DESeq2's own trend: the rlog fit itself
			pl, err := trendStage(context.Background(), c, cd, TransformOptions{Blind: boolPtr(blind), Design: set.design})
			if err != nil {
				t.Fatal(err)
			}
			a0, _ := strconv.ParseFloat(info["vst_"+tag+"_parametric_asymptDisp"], 64)
			a1, _ := strconv.ParseFloat(info["vst_"+tag+"_parametric_extraPois"], 64)
			for i := range pl.res.DispFit {
				pl.res.DispFit[i] = a0 + a1/pl.res.BaseMean[i]
			}
			tr2, err := rlogFromTrend(pl)
			if err != nil {
				t.Fatal(err)
			}
			worst2, where2, _ := compareMatrix(t, tr2, filepath.Join(dir, "rlog_"+tag+".tsv"))
			t.Logf("%s rlog %s with DESeq2's trend: max|Δ| %.3g at %s; betaPriorVar %.10g", set.name, tag, worst2, where2, tr2.BetaPriorVar)
			if worst2 > 1e-3 {
				t.Errorf("%s rlog %s with DESeq2's trend: max|Δ| %.3g > 1e-3", set.name, tag, worst2)
			}
		}
	}
}

func TestGoldenLFCShrinkNormal(t *testing.T) {
	type variant struct {
		name, file, infoKey string
		contrast            []string
	}
	for _, set := range transformSets {
		if !set.shrink {
			continue
		}
		variants := []variant{{set.name, "lfcshrink_normal.tsv", "shrink", set.contrast}}
		if set.name == "sim_batch" {
			// lfcShrink(coef = "condition_tumor_vs_control"): standard model matrix
			variants = append(variants, variant{set.name + " coef", "lfcshrink_normal_coef.tsv", "shrinkcoef", nil})
		}
		for _, v := range variants {
			testShrinkVariant(t, set.name, set.design, v.name, v.file, v.infoKey, v.contrast)
		}
	}
}

func testShrinkVariant(t *testing.T, setName, design, name, file, infoKey string, contrast []string) {
	t.Helper()
	{
		set := struct{ name string }{name}
		dir := filepath.Join("..", "testdata", "de", setName)
		c, cd := loadInputs(t, dir)
		info := readInfo(t, dir)
		res, si, err := LFCShrinkNormal(context.Background(), c, cd, Options{Design: design, Contrast: contrast})
		if err != nil {
			t.Fatal(err)
		}
		for k, name := range si.Coefficients {
			ref, _ := strconv.ParseFloat(info[infoKey+"_betaPriorVar_"+name], 64)
			t.Logf("%s prior var %s: %.10g (DESeq2 %.10g)", set.name, name, si.BetaPriorVar[k], ref)
			if math.Abs(si.BetaPriorVar[k]-ref) > 1e-4*ref {
				t.Errorf("%s prior var %s: %g, DESeq2 %g", set.name, name, si.BetaPriorVar[k], ref)
			}
		}
		ids, ref := readTable(t, openMaybeGz(t, filepath.Join(dir, file)))
		if len(ids) != len(res.Features) {
			t.Fatalf("%s: %d rows, golden %d", set.name, len(res.Features), len(ids))
		}
		var a, b []float64
		worstLFC, worstSE, whereLFC := 0.0, 0.0, ""
		naDiff := 0
		for i, id := range ids {
			if id != res.Features[i] {
				t.Fatalf("%s row %d: %s vs %s", set.name, i, res.Features[i], id)
			}
			for _, col := range []struct {
				name string
				v    []float64
			}{{"log2FoldChange", res.Log2FoldChange}, {"lfcSE", res.LfcSE}, {"stat", res.Stat}, {"pvalue", res.PValue}, {"padj", res.PAdj}} {
				if math.IsNaN(col.v[i]) != math.IsNaN(ref[col.name][i]) {
					naDiff++
				}
			}
			g, r := res.Log2FoldChange[i], ref["log2FoldChange"][i]
			if math.IsNaN(g) || math.IsNaN(r) {
				continue
			}
			a, b = append(a, g), append(b, r)
			if res.BaseMean[i] >= 10 {
				if d := math.Abs(g - r); d > worstLFC {
					worstLFC, whereLFC = d, id
				}
				worstSE = math.Max(worstSE, math.Abs(res.LfcSE[i]-ref["lfcSE"][i]))
			}
		}
		pr := corr.Pearson(a, b)
		t.Logf("%s lfcShrink normal: log2FC Pearson %.9f over %d rows; baseMean ≥ 10: max|ΔLFC| %.3g (%s), max|ΔlfcSE| %.3g; NA mismatches %d",
			set.name, pr, len(a), worstLFC, whereLFC, worstSE, naDiff)
		if naDiff != 0 {
			t.Errorf("%s lfcShrink: %d NA mismatches", set.name, naDiff)
		}
		if pr < 0.99999 || worstLFC > 1e-3 {
			t.Errorf("%s lfcShrink: Pearson %.9f (want ≥ 0.99999), max|Δ| %.3g (want ≤ 1e-3)", set.name, pr, worstLFC)
		}
	}
}

// TestGoldenShrinkGivenDispersions checks the shrinkage refit alone: with
// DESeq2's dispersions, trend values and base means (deseq2.tsv.disp.tsv,
// same DESeq run) the shrunken log2 fold changes must match to 1e-4.
func TestGoldenShrinkGivenDispersions(t *testing.T) {
	for _, v := range []struct {
		set, design, file string
		contrast          []string
	}{
		{"sim_batch", "~ batch + condition", "lfcshrink_normal_coef.tsv", nil},
		{"sim_batch", "~ batch + condition", "lfcshrink_normal.tsv", []string{"condition", "tumor", "control"}},
		{"sim2600x20", "~ condition", "lfcshrink_normal.tsv", []string{"condition", "tumor", "control"}},
	} {
		dir := filepath.Join("..", "testdata", "de", v.set)
		c, cd := loadInputs(t, dir)
		pl, err := newPipeline(context.Background(), c, cd, Options{Design: v.design, Contrast: v.contrast})
		if err != nil {
			t.Fatal(err)
		}
		if err := pl.run(); err != nil {
			t.Fatal(err)
		}
		_, disp := readTable(t, openMaybeGz(t, filepath.Join(dir, "deseq2.tsv.disp.tsv")))
		copy(pl.res.Dispersion, disp["dispersion"])
		copy(pl.res.DispFit, disp["dispFit"])
		copy(pl.res.BaseMean, disp["baseMean"])
		res, _, err := pl.shrinkNormal()
		if err != nil {
			t.Fatal(err)
		}
		_, ref := readTable(t, openMaybeGz(t, filepath.Join(dir, v.file)))
		worst, worstSE := 0.0, 0.0
		for i := range res.Features {
			if math.IsNaN(ref["log2FoldChange"][i]) {
				continue
			}
			worst = math.Max(worst, math.Abs(res.Log2FoldChange[i]-ref["log2FoldChange"][i]))
			worstSE = math.Max(worstSE, math.Abs(res.LfcSE[i]-ref["lfcSE"][i]))
		}
		t.Logf("%s %s with DESeq2's dispersions: max|ΔLFC| %.3g, max|ΔlfcSE| %.3g (all rows)", v.set, v.file, worst, worstSE)
		if worst > 1e-4 || worstSE > 1e-4 {
			t.Errorf("%s %s: max|ΔLFC| %.3g, max|ΔlfcSE| %.3g > 1e-4", v.set, v.file, worst, worstSE)
		}
	}
}

// TestVSTSharedAmygdala runs VST and rlog on the real amygdala matrix in
// the shared data (GEO GSE97285) and compares with the DESeq2 goldens made
// from its copy in testdata/de/pd_amygdala.
func TestVSTSharedAmygdala(t *testing.T) {
	edgerNeedDir(t, amygdalaDir)
	c, cd := loadInputs(t, amygdalaDir)
	golden := filepath.Join("..", "testdata", "de", "pd_amygdala")
	v, err := VST(context.Background(), c, cd, TransformOptions{})
	if err != nil {
		t.Fatal(err)
	}
	worst, where, n := compareMatrix(t, v, filepath.Join(golden, "vst_blind_parametric.tsv"))
	t.Logf("shared amygdala (%d × %d) vst blind parametric: max|Δ| %.3g at %s over %d rows", len(c.Features), len(c.Samples), worst, where, n)
	if worst > 1e-4 {
		t.Errorf("vst: max|Δ| %.3g > 1e-4", worst)
	}
	r, err := RLog(context.Background(), c, cd, TransformOptions{})
	if err != nil {
		t.Fatal(err)
	}
	worst, where, n = compareMatrix(t, r, filepath.Join(golden, "rlog_blind.tsv"))
	t.Logf("shared amygdala rlog blind: max|Δ| %.3g at %s over %d rows", worst, where, n)
	if worst > 1e-3 {
		t.Errorf("rlog: max|Δ| %.3g > 1e-3", worst)
	}
}
