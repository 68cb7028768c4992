package diffexp

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"
)

// FuzzReadColData checks the coldata reader: errors are a *ParseError on a
// line of the input; an accepted table has unique samples, one value per
// sample in every column, and aligns to its own sample order unchanged.
func FuzzReadColData(f *testing.F) {
	f.Add("sample\tcondition\tbatch\ns1\ta\tx\ns2\tb\ty\n")
	f.Add("condition\n# comment\ns1\ta\r\ns2\t b \n\n")
	f.Add("s1\ta\ns2\tb\n")
	f.Add("sample\tcondition\ns1\ta\ns1\tb\n")
	f.Add("sample\tcondition\ns1\ta\tb\tc\n")
	f.Add("sample\tcondition\n")
	f.Add("")
	f.Fuzz(func(t *testing.T, text string) {
		cd, err := ReadColData(strings.NewReader(text), "fuzz.tsv")
		if err != nil {
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("error %v (%T) is not a *ParseError", err, err)
			}
			if pe.File != "fuzz.tsv" || pe.Line < 0 || pe.Line > int64(strings.Count(text, "\n")+1) {
				t.Fatalf("error position %+v", pe)
			}
			return
		}
		if len(cd.Samples) == 0 || len(cd.Columns) != len(cd.Names) {
			t.Fatalf("%d samples, %d columns for %d names", len(cd.Samples), len(cd.Columns), len(cd.Names))
		}
		seen := map[string]bool{}
		for _, s := range cd.Samples {
			if seen[s] {
				t.Fatalf("sample %q twice", s)
			}
			seen[s] = true
		}
		for k, col := range cd.Columns {
			if len(col) != len(cd.Samples) {
				t.Fatalf("column %q: %d values for %d samples", cd.Names[k], len(col), len(cd.Samples))
			}
		}
		rev := slices.Clone(cd.Samples)
		slices.Reverse(rev)
		al, err := cd.Align(rev)
		if err != nil {
			t.Fatalf("aligning to its own samples: %v", err)
		}
		for k := range cd.Names {
			for j := range rev {
				if al.Columns[k][j] != cd.Columns[k][len(rev)-1-j] {
					t.Fatalf("aligned column %q differs", cd.Names[k])
				}
			}
		}
	})
}

// fuzzDesignData is a tiny experiment for FuzzDESeqDesign: 8 samples with a
// 3-level condition, a batch, a numeric covariate, a constant column and a
// column with a missing value.
func fuzzDesignData(t testing.TB) (*Counts, *ColData) {
	cd, err := ReadColData(strings.NewReader("sample\tcondition\tbatch\tage\tsite\tgroup\n"+
		"s1\ta\tx\t31\tk\tg1\ns2\ta\ty\t45\tk\tg1\ns3\tb\tx\t52\tk\tNA\ns4\tb\ty\t38\tk\tg2\n"+
		"s5\tc\tx\t60\tk\tg2\ns6\tc\ty\t29\tk\tg1\ns7\ta\tx\t41\tk\tg2\ns8\tb\ty\t57\tk\tg1\n"), "coldata.tsv")
	if err != nil {
		t.Fatal(err)
	}
	var sb strings.Builder
	sb.WriteString("mirna\ts1\ts2\ts3\ts4\ts5\ts6\ts7\ts8\n")
	for i := 0; i < 6; i++ {
		fmt.Fprintf(&sb, "f%d", i)
		for j := 0; j < 8; j++ {
			fmt.Fprintf(&sb, "\t%d", (i*37+j*11+(i*j)%7*13)%90+i*5)
		}
		sb.WriteByte('\n')
	}
	c, err := ReadCounts(strings.NewReader(sb.String()), "counts.tsv")
	if err != nil {
		t.Fatal(err)
	}
	return c, cd
}

// FuzzDESeqDesign runs DESeq on a tiny matrix with fuzzed design formula,
// contrast, test and reduced formula. Errors wrap the design, rank,
// contrast or replicate sentinels; results have one row per feature,
// p-values in [0, 1] with padj ≥ pvalue, a coefficient per design level,
// and swapping a Wald contrast's numerator and denominator negates the
// log2 fold changes and keeps the p-values.
func FuzzDESeqDesign(f *testing.F) {
	c, cd := fuzzDesignData(f)
	f.Add("~ condition", "condition,b,a", "", "")
	f.Add("~ batch + condition", "condition,c,a", "wald", "")
	f.Add("~ age + condition", "", "lrt", "~ age")
	f.Add("~condition+batch", "batch,y,x", "Wald", "")
	f.Add("~ site + condition", "", "", "")
	f.Add("~ group", "", "", "")
	f.Add("~ condition", "age,1,2", "", "")
	f.Add("condition", "condition,a,a", "", "")
	f.Add("~ condition + condition", "x", "", "")
	f.Add("~ 1", "", "lrt", "~ 1")
	f.Add("~ condition:batch", "", "", "")
	f.Fuzz(func(t *testing.T, design, contrast, test, reduced string) {
		var con []string
		if contrast != "" {
			con = strings.Split(contrast, ",")
		}
		o := Options{Design: design, Contrast: con, Test: Test(test), Reduced: reduced, Workers: 1}
		res, err := DESeq(context.Background(), c, cd, o)
		if err != nil {
			for _, s := range []error{ErrDesign, ErrRank, ErrContrast, ErrTooFewReplicates, ErrMissingSample} {
				if errors.Is(err, s) {
					return
				}
			}
			t.Fatalf("error with no design sentinel: %v", err)
		}
		if len(res.Features) != len(c.Features) || len(res.PValue) != len(c.Features) || len(res.Log2FoldChange) != len(c.Features) {
			t.Fatalf("%d result rows for %d features", len(res.PValue), len(c.Features))
		}
		if len(res.Coefficients) == 0 || res.Coefficients[0] != "Intercept" {
			t.Fatalf("coefficients %q", res.Coefficients)
		}
		if design == "" {
			design = "~ condition" // DESeq's default
		}
		vars, err := parseFormula(design)
		if err != nil {
			t.Fatalf("DESeq accepted formula %q that parseFormula rejects: %v", design, err)
		}
		for _, v := range vars {
			if !slices.ContainsFunc(res.Coefficients, func(n string) bool { return strings.HasPrefix(n, v) }) {
				t.Fatalf("variable %q has no coefficient in %q", v, res.Coefficients)
			}
		}
		for i, p := range res.PValue {
			q := res.PAdj[i]
			if !math.IsNaN(p) && (p < 0 || p > 1) || !math.IsNaN(q) && (q < 0 || q > 1 || !math.IsNaN(p) && q < p*(1-1e-12)) {
				t.Fatalf("row %d: pvalue %v padj %v", i, p, q)
			}
		}
		if len(con) != 3 || strings.ToLower(test) == "lrt" {
			return
		}
		o.Contrast = []string{con[0], con[2], con[1]}
		sw, err := DESeq(context.Background(), c, cd, o)
		if err != nil {
			t.Fatalf("contrast %q works, swapped fails: %v", contrast, err)
		}
		for i := range res.Log2FoldChange {
			a, b := res.Log2FoldChange[i], sw.Log2FoldChange[i]
			p, q := res.PValue[i], sw.PValue[i]
			if math.IsNaN(a) != math.IsNaN(b) || math.Abs(a+b) > 1e-9*(1+math.Abs(a)) ||
				math.IsNaN(p) != math.IsNaN(q) || math.Abs(p-q) > 1e-9 {
				t.Fatalf("row %d: lfc %v, swapped %v; p %v, swapped %v", i, a, b, p, q)
			}
		}
	})
}
