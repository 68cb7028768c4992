package diffexp

import (
	"context"
	"math"
	"os"
	"path/filepath"
	"testing"
)

// TestIsomirDEGolden compares IsomirDE with DESeq2 1.38.3 on the demo
// study's variant-type matrix with the miRNA matrix's size factors
// (testdata/isomir_de, made by make.R there).
func TestIsomirDEGolden(t *testing.T) {
	const (
		lfcTol  = 1e-4 // |Δ log2FoldChange|, rows with baseMean >= 1
		logPTol = 1e-3 // |Δ log10 pvalue|
	)
	dir := filepath.Join("testdata", "isomir_de")
	c, cd := loadInputs(t, dir)
	mf, err := os.Open(filepath.Join(dir, "mirna_counts.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	defer mf.Close()
	mir, err := ReadCounts(mf, "mirna_counts.tsv")
	if err != nil {
		t.Fatal(err)
	}
	sf, err := SizeFactors(mir, "ratio")
	if err != nil {
		t.Fatal(err)
	}
	n := len(c.Features)
	lvl := IsomirLevel{Level: "type", Counts: c, Mirna: make([]string, n), Variant: make([]string, n), SeedShift: make([]bool, n)}
	res, err := IsomirDE(context.Background(), []IsomirLevel{lvl}, cd, Options{Contrast: []string{"condition", "tumor", "control"}, SizeFactors: sf})
	if err != nil {
		t.Fatal(err)
	}
	r := res[0]
	gf, err := os.Open(filepath.Join(dir, "deseq2.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	defer gf.Close()
	ids, want := readTable(t, gf)
	if len(ids) != n {
		t.Fatalf("%d golden rows, %d features", len(ids), n)
	}
	var maxLFC, maxP float64
	naDiff := 0
	for i, id := range ids {
		if id != r.Features[i] {
			t.Fatalf("row %d: %s, golden %s", i, r.Features[i], id)
		}
		for _, col := range []struct {
			name string
			got  []float64
		}{{"log2FoldChange", r.Log2FoldChange}, {"pvalue", r.PValue}, {"padj", r.PAdj}} {
			w, g := want[col.name][i], col.got[i]
			if math.IsNaN(w) != math.IsNaN(g) {
				naDiff++
				continue
			}
			if math.IsNaN(w) {
				continue
			}
			switch col.name {
			case "log2FoldChange":
				if want["baseMean"][i] >= 1 {
					maxLFC = math.Max(maxLFC, math.Abs(w-g))
				}
			default:
				if w > 0 && g > 0 {
					maxP = math.Max(maxP, math.Abs(math.Log10(w)-math.Log10(g)))
				}
			}
		}
	}
	t.Logf("%d rows: max |Δ log2FC| %.2g, max |Δ log10 p| %.2g, NA mismatches %d", n, maxLFC, maxP, naDiff)
	if maxLFC > lfcTol || maxP > logPTol || naDiff > 0 {
		t.Errorf("IsomirDE vs DESeq2: max |Δ log2FC| %.3g (tol %g), max |Δ log10 p| %.3g (tol %g), %d NA mismatches", maxLFC, lfcTol, maxP, logPTol, naDiff)
	}
}
