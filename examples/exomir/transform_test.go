package main

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// readMatrixFile reads a TSV (gzip when the name ends in .gz) into its
// header and rows of fields.
func readMatrixFile(t *testing.T, path string) ([]string, [][]string) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var sc *bufio.Scanner
	if strings.HasSuffix(path, ".gz") {
		z, err := gzip.NewReader(f)
		if err != nil {
			t.Fatal(err)
		}
		sc = bufio.NewScanner(z)
	} else {
		sc = bufio.NewScanner(f)
	}
	sc.Buffer(make([]byte, 1<<16), 1<<22)
	var hdr []string
	var rows [][]string
	for sc.Scan() {
		fs := strings.Split(sc.Text(), "\t")
		if hdr == nil {
			hdr = fs
			continue
		}
		rows = append(rows, fs)
	}
	return hdr, rows
}

// TestTransformCommand runs "exomir transform" on sim_batch and compares
// with DESeq2's vst / rlog (blind, parametric trend) and the counts' shape.
func TestTransformCommand(t *testing.T) {
	data := filepath.Join("..", "..", "testdata", "de", "sim_batch")
	for _, method := range []string{"vst", "rlog"} {
		out := filepath.Join(t.TempDir(), method+".tsv")
		var so, se bytes.Buffer
		code := runMain([]string{"transform", "-counts", filepath.Join(data, "counts.tsv.gz"), "-coldata", filepath.Join(data, "coldata.tsv"),
			"-method", method, "-out", out}, &so, &se)
		if code != 0 {
			t.Fatalf("%s: exit %d: %s", method, code, se.String())
		}
		hdr, rows := readMatrixFile(t, out)
		chdr, crows := readMatrixFile(t, filepath.Join(data, "counts.tsv.gz"))
		if strings.Join(hdr, "\t") != strings.Join(chdr, "\t") || len(rows) != len(crows) {
			t.Fatalf("%s: shape %d×%d, counts %d×%d", method, len(rows), len(hdr), len(crows), len(chdr))
		}
		got := map[string][]string{}
		for k, r := range rows {
			if r[0] != crows[k][0] {
				t.Fatalf("%s row %d: %s, counts %s", method, k, r[0], crows[k][0])
			}
			got[r[0]] = r
		}
		_, ref := readMatrixFile(t, filepath.Join(data, method+"_blind"+map[string]string{"vst": "_parametric", "rlog": ""}[method]+".tsv.gz"))
		worst := 0.0
		for _, r := range ref {
			g := got[r[0]]
			for j := 1; j < len(r); j++ {
				a, _ := strconv.ParseFloat(g[j], 64)
				b, _ := strconv.ParseFloat(r[j], 64)
				worst = math.Max(worst, math.Abs(a-b))
			}
		}
		t.Logf("exomir transform -method %s (sim_batch, blind): max|Δ| vs DESeq2 %.3g", method, worst)
		if worst > 1e-3 {
			t.Errorf("%s: max|Δ| %.3g vs DESeq2", method, worst)
		}
	}
}

func TestTransformErrors(t *testing.T) {
	dir := t.TempDir()
	cp, dp := deFixture(t, dir, deCounts+"mir-f\t1\t2\tx\t4\t5\t6\n", deColdata)
	var so, se bytes.Buffer
	code := runMain([]string{"transform", "-counts", cp, "-coldata", dp, "-out", filepath.Join(dir, "o.tsv")}, &so, &se)
	if code != 1 || !strings.Contains(se.String(), cp+":8") {
		t.Errorf("bad count: exit %d, stderr %q (want file:line)", code, se.String())
	}
	cp, dp = deFixture(t, dir, deCounts, deColdata)
	se.Reset()
	code = runMain([]string{"transform", "-counts", cp, "-coldata", dp, "-method", "log", "-out", filepath.Join(dir, "o.tsv")}, &so, &se)
	if code != 1 || !strings.Contains(se.String(), "-method") {
		t.Errorf("bad method: exit %d, stderr %q", code, se.String())
	}
	se.Reset()
	code = runMain([]string{"transform", "-counts", cp, "-coldata", dp, "-fit-type", "loess", "-out", filepath.Join(dir, "o.tsv")}, &so, &se)
	if code != 1 || !strings.Contains(se.String(), "loess") || !strings.Contains(se.String(), "parametric, local, mean") {
		t.Errorf("bad fit type: exit %d, stderr %q", code, se.String())
	}
	if _, err := os.Stat(filepath.Join(dir, "o.tsv")); err == nil {
		t.Errorf("output written despite errors")
	}
	se.Reset()
	code = runMain([]string{"de", "-counts", cp, "-coldata", dp, "-shrink", "apeglm", "-out", filepath.Join(dir, "o.tsv")}, &so, &se)
	if code != 1 || !strings.Contains(se.String(), "-shrink") {
		t.Errorf("bad -shrink: exit %d, stderr %q", code, se.String())
	}
}

// TestDEShrinkNormal checks "exomir de -shrink normal" against DESeq2's
// lfcShrink(type = "normal") on the amygdala matrix.
func TestDEShrinkNormal(t *testing.T) {
	data := filepath.Join("..", "..", "testdata", "de", "pd_amygdala")
	out := filepath.Join(t.TempDir(), "shr.tsv")
	var so, se bytes.Buffer
	code := runMain([]string{"de", "-counts", filepath.Join(data, "counts.tsv.gz"), "-coldata", filepath.Join(data, "coldata.tsv"),
		"-contrast", "condition,ct,cc", "-shrink", "normal", "-out", out}, &so, &se)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, se.String())
	}
	hdr, rows := readMatrixFile(t, out)
	rhdr, ref := readMatrixFile(t, filepath.Join(data, "lfcshrink_normal.tsv.gz"))
	if strings.Join(hdr, " ") != "mirna baseMean log2FoldChange lfcSE stat pvalue padj" || strings.Join(rhdr, " ") != strings.Join(hdr, " ") || len(rows) != len(ref) {
		t.Fatalf("header %v (DESeq2 %v), %d rows (DESeq2 %d)", hdr, rhdr, len(rows), len(ref))
	}
	worst := 0.0
	for k, r := range rows {
		bm, _ := strconv.ParseFloat(r[1], 64)
		a, _ := strconv.ParseFloat(r[2], 64)
		b, _ := strconv.ParseFloat(ref[k][2], 64)
		if r[0] != ref[k][0] {
			t.Fatalf("row %d: %s vs %s", k, r[0], ref[k][0])
		}
		if bm >= 10 {
			worst = math.Max(worst, math.Abs(a-b))
		}
	}
	t.Logf("exomir de -shrink normal (pd_amygdala): max|ΔLFC| %.3g for baseMean ≥ 10", worst)
	if worst > 1e-3 {
		t.Errorf("max|ΔLFC| %.3g > 1e-3", worst)
	}
}

// TestTransformDesignLocal: -blind=false -fit-type local on the amygdala
// matrix against DESeq2's vst(blind = FALSE, fitType = "local").
func TestTransformDesignLocal(t *testing.T) {
	data := filepath.Join("..", "..", "testdata", "de", "pd_amygdala")
	out := filepath.Join(t.TempDir(), "vst.tsv")
	var so, se bytes.Buffer
	code := runMain([]string{"transform", "-counts", filepath.Join(data, "counts.tsv.gz"), "-coldata", filepath.Join(data, "coldata.tsv"),
		"-blind=false", "-design", "~ condition", "-fit-type", "local", "-out", out}, &so, &se)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, se.String())
	}
	_, rows := readMatrixFile(t, out)
	got := map[string][]string{}
	for _, r := range rows {
		got[r[0]] = r
	}
	_, ref := readMatrixFile(t, filepath.Join(data, "vst_design_local.tsv.gz"))
	worst := 0.0
	for _, r := range ref {
		for j := 1; j < len(r); j++ {
			a, _ := strconv.ParseFloat(got[r[0]][j], 64)
			b, _ := strconv.ParseFloat(r[j], 64)
			worst = math.Max(worst, math.Abs(a-b))
		}
	}
	t.Logf("exomir transform -blind=false -fit-type local (pd_amygdala): max|Δ| vs DESeq2 %.3g", worst)
	if worst > 0.002 {
		t.Errorf("max|Δ| %.3g", worst)
	}
}
