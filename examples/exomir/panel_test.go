package main

import (
	"bytes"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/exomir/exomir/biomarker"
	"github.com/exomir/exomir/internal/tsvtest"
)

// amygdala is the real count matrix of GSE97285 (7 cc vs 7 ct), see
// testdata/de/pd_amygdala/README.md.
const amygdala = "../../testdata/de/pd_amygdala/"

func runPanelCLI(t *testing.T, out string, extra ...string) string {
	t.Helper()
	var so, se bytes.Buffer
	args := append([]string{"panel", "-counts", amygdala + "counts.tsv.gz", "-coldata", amygdala + "coldata.tsv",
		"-contrast", "condition,ct,cc", "-features", "40", "-cv", "3", "-repeats", "2", "-seed", "7", "-out", out}, extra...)
	if code := runMain(args, &so, &se); code != 0 {
		t.Fatalf("exit %d: %s", code, se.String())
	}
	return so.String() + se.String()
}

// TestPanelCLI runs exomir panel on real counts: every output file with
// its columns; identical bytes with 1 and 2 threads; predict on the same
// counts gives the model's score computed independently from exomir
// transform's vst(blind = FALSE) and model.json's coefficients.
func TestPanelCLI(t *testing.T) {
	dir := t.TempDir()
	out1, out2 := filepath.Join(dir, "p1"), filepath.Join(dir, "p2")
	msg := runPanelCLI(t, out1, "-threads", "1")
	if !strings.Contains(msg, "very uncertain") {
		t.Errorf("7 vs 7 samples: no small-group warning in %q", msg)
	}
	runPanelCLI(t, out2, "-threads", "2")
	names := []string{"coefficients.tsv", "cv_auc.tsv", "stability.tsv", "roc.tsv", "oof_scores.tsv", "model.json"}
	for _, n := range names {
		a, err1 := os.ReadFile(filepath.Join(out1, n))
		b, err2 := os.ReadFile(filepath.Join(out2, n))
		if err1 != nil || err2 != nil {
			t.Fatal(err1, err2)
		}
		if !bytes.Equal(a, b) {
			t.Errorf("%s differs between -threads 1 and 2", n)
		}
	}
	heads := map[string]string{"cv_auc.tsv": "auc\tlower\tupper", "stability.tsv": "mirna\tselection_frequency\tmean_coefficient",
		"roc.tsv": "fpr\ttpr", "oof_scores.tsv": "sample\trepeat\tscore\tclass"}
	for n, h := range heads {
		if rows := tsvtest.ReadTable(t, filepath.Join(out1, n)); strings.Join(rows[0], "\t") != h {
			t.Errorf("%s header %q, want %q", n, rows[0], h)
		}
	}
	if rows := tsvtest.ReadTable(t, filepath.Join(out1, "cv_auc.tsv")); len(rows) != 1+1+2 {
		t.Errorf("cv_auc.tsv: %d lines, want header + overall + 2 repeats", len(rows))
	}
	if rows := tsvtest.ReadTable(t, filepath.Join(out1, "oof_scores.tsv")); len(rows) != 1+14*2 {
		t.Errorf("oof_scores.tsv: %d lines, want 1 + 14 × 2", len(rows))
	}
	coef := tsvtest.ReadTable(t, filepath.Join(out1, "coefficients.tsv"))
	if coef[0][0] != "term" || !strings.HasPrefix(coef[0][1], "lambda=") || coef[1][0] != "(Intercept)" || len(coef) != 2+40 {
		t.Errorf("coefficients.tsv: header %q, first term %q, %d rows", coef[0][:2], coef[1][0], len(coef))
	}
	// predict on the training counts
	scores := filepath.Join(dir, "scores.tsv")
	var so, se bytes.Buffer
	if code := runMain([]string{"predict", "-model", filepath.Join(out1, "model.json"), "-counts", amygdala + "counts.tsv.gz", "-out", scores}, &so, &se); code != 0 {
		t.Fatalf("predict: exit %d: %s", code, se.String())
	}
	so.Reset()
	if code := runMain([]string{"transform", "-method", "vst", "-blind=false", "-counts", amygdala + "counts.tsv.gz", "-coldata", amygdala + "coldata.tsv", "-out", "-"}, &so, &se); code != 0 {
		t.Fatalf("transform: %s", se.String())
	}
	vst := map[string][]float64{}
	lines := strings.Split(strings.TrimSpace(so.String()), "\n")
	samples := strings.Split(lines[0], "\t")[1:]
	for _, l := range lines[1:] {
		f := strings.Split(l, "\t")
		for _, v := range f[1:] {
			x, _ := strconv.ParseFloat(v, 64)
			vst[f[0]] = append(vst[f[0]], x)
		}
	}
	mf, err := os.Open(filepath.Join(out1, "model.json"))
	if err != nil {
		t.Fatal(err)
	}
	md, err := biomarker.ReadModel(mf, "model.json")
	mf.Close()
	if err != nil {
		t.Fatal(err)
	}
	got := tsvtest.ReadTable(t, scores)
	if strings.Join(got[0], "\t") != "sample\tscore\tclass" || len(got) != 1+len(samples) {
		t.Fatalf("scores.tsv: header %q, %d lines", got[0], len(got))
	}
	for j, s := range samples {
		f := md.Intercept
		for k, name := range md.Features {
			f += md.Coefficients[k] * vst[name][j]
		}
		want := 1 / (1 + math.Exp(-f))
		sc, _ := strconv.ParseFloat(got[j+1][1], 64)
		if got[j+1][0] != s || math.Abs(sc-want) > 1e-12 {
			t.Errorf("sample %s: predict %s %v, vst × coefficients %v", s, got[j+1][0], sc, want)
		}
		cls := "cc"
		if want >= 0.5 {
			cls = "ct"
		}
		if got[j+1][2] != cls {
			t.Errorf("sample %s: class %s, want %s", s, got[j+1][2], cls)
		}
	}
}

// TestPanelCLIBadInput: bad inputs fail with a message naming the file
// (and line), and write nothing.
func TestPanelCLIBadInput(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.tsv")
	os.WriteFile(bad, []byte("mirna\ta\tb\nmiR-1\t1\t2\nmiR-2\t3\tx\n"), 0o644)
	cd := filepath.Join(dir, "cd.tsv")
	os.WriteFile(cd, []byte("sample\tcondition\na\tct\nb\tcc\n"), 0o644)
	badModel := filepath.Join(dir, "model.json")
	os.WriteFile(badModel, []byte(`{"format": "exomir-panel-model/1", "features": [`), 0o644)
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"panel", "-counts", bad, "-coldata", cd, "-contrast", "condition,ct,cc", "-out", dir + "/o"}, bad + ":3"},
		{[]string{"panel", "-counts", amygdala + "counts.tsv.gz", "-coldata", amygdala + "coldata.tsv", "-contrast", "condition,tumor,cc", "-out", dir + "/o"}, "coldata.tsv"},
		{[]string{"panel", "-counts", amygdala + "counts.tsv.gz", "-coldata", amygdala + "coldata.tsv", "-contrast", "condition,ct", "-out", dir + "/o"}, "-contrast"},
		{[]string{"panel", "-counts", amygdala + "counts.tsv.gz", "-coldata", amygdala + "coldata.tsv", "-contrast", "condition,ct,cc", "-lambda", "0.1,x", "-out", dir + "/o"}, "-lambda"},
		{[]string{"predict", "-model", badModel, "-counts", amygdala + "counts.tsv.gz", "-out", dir + "/s.tsv"}, badModel},
		{[]string{"predict", "-model", filepath.Join(dir, "none.json"), "-counts", amygdala + "counts.tsv.gz", "-out", dir + "/s.tsv"}, "none.json"},
	}
	for _, tc := range cases {
		var so, se bytes.Buffer
		if code := runMain(tc.args, &so, &se); code == 0 || !strings.Contains(se.String(), tc.want) {
			t.Errorf("%v: exit %d, stderr %q, want it to name %q", tc.args, code, se.String(), tc.want)
		}
	}
	if _, err := os.Stat(dir + "/o"); err == nil {
		t.Error("a failed panel left an output folder")
	}
	if _, err := os.Stat(dir + "/s.tsv"); err == nil {
		t.Error("a failed predict left a scores file")
	}
}
