package main

import (
	"bytes"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

func readTSVRows(t *testing.T, path string) map[string][]string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	rows := make(map[string][]string)
	for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n")[1:] {
		f := strings.Split(line, "\t")
		for i := range f {
			f[i] = strings.TrimSpace(f[i])
		}
		rows[f[0]] = f[1:]
	}
	return rows
}

// TestDESpikeinSizeFactors runs exomir de -sf-type spikein on
// testdata/de/spikein and compares with DESeq2 1.38.3 run with
// sizeFactors from estimateSizeFactors(controlGenes = spike-ins)
// (make_golden.R there): baseMean depends only on the size factors and
// matches to rounding; log2FoldChange and pvalue within 1e-3 (DESeq2's
// IRLS stops at a looser tolerance: the largest differences seen are
// about 5e-6 in log2FoldChange and 2.4e-4 in pvalue).
func TestDESpikeinSizeFactors(t *testing.T) {
	const dir = "../../testdata/de/spikein/"
	out := filepath.Join(t.TempDir(), "de.tsv")
	var so, se bytes.Buffer
	if code := runMain([]string{"de", "-counts", dir + "counts.tsv", "-coldata", dir + "coldata.tsv",
		"-sf-type", "spikein", "-spikein-counts", dir + "spikein_counts.tsv", "-contrast", "condition,b,a", "-out", out}, &so, &se); code != 0 {
		t.Fatalf("exit %d: %s", code, se.String())
	}
	got := readTSVRows(t, out)
	want := readTSVRows(t, dir+"de_deseq2.tsv")
	if len(got) != len(want) || len(want) != 300 {
		t.Fatalf("%d rows, DESeq2 %d", len(got), len(want))
	}
	num := func(s string) float64 {
		x, err := strconv.ParseFloat(s, 64)
		if err != nil {
			t.Fatalf("%q: %v", s, err)
		}
		return x
	}
	for name, w := range want {
		g := got[name]
		if (w[1] == "NA") != (g[1] == "NA") || (w[2] == "NA") != (g[4] == "NA") {
			t.Errorf("%s: %v, DESeq2 %v", name, g, w)
			continue
		}
		if w[2] == "NA" {
			g[4], w[2] = "0", "0" // Cook's outlier: NA in both
		}
		if w[1] == "NA" {
			continue
		}
		if bm, wbm := num(g[0]), num(w[0]); math.Abs(bm-wbm) > 1e-9*wbm {
			t.Errorf("%s baseMean %g, DESeq2 %g", name, bm, wbm)
		}
		if lfc, wl := num(g[1]), num(w[1]); math.Abs(lfc-wl) > 1e-3 {
			t.Errorf("%s log2FoldChange %g, DESeq2 %g", name, lfc, wl)
		}
		if p, wp := num(g[4]), num(w[2]); math.Abs(p-wp) > 1e-3 {
			t.Errorf("%s pvalue %g, DESeq2 %g", name, p, wp)
		}
	}
	// Without spike-in counts, or with another method: a usage error.
	for _, args := range [][]string{
		{"-sf-type", "spikein"},
		{"-sf-type", "spikein", "-spikein-counts", dir + "spikein_counts.tsv", "-method", "edger"},
		{"-spikein-counts", dir + "spikein_counts.tsv"},
	} {
		a := append([]string{"de", "-counts", dir + "counts.tsv", "-coldata", dir + "coldata.tsv", "-out", out}, args...)
		if code := runMain(a, &so, &se); code == 0 {
			t.Errorf("%v: exit 0", args)
		}
	}
}
