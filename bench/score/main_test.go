package main

import (
	"bytes"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// naiveSpearman computes rho with the textbook formula 1 - 6Σd²/(n(n²-1)),
// exact when there are no ties.
func naiveSpearman(x, y []float64) float64 {
	rank := func(v []float64) []float64 {
		idx := make([]int, len(v))
		for i := range idx {
			idx[i] = i
		}
		sort.Slice(idx, func(a, b int) bool { return v[idx[a]] < v[idx[b]] })
		r := make([]float64, len(v))
		for k, i := range idx {
			r[i] = float64(k + 1)
		}
		return r
	}
	rx, ry := rank(x), rank(y)
	var d2 float64
	for i := range rx {
		d2 += (rx[i] - ry[i]) * (rx[i] - ry[i])
	}
	n := float64(len(x))
	return 1 - 6*d2/(n*(n*n-1))
}

func TestSpearmanVsNaive(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for trial := 0; trial < 200; trial++ {
		n := 2 + r.IntN(50)
		x, y := make([]float64, n), make([]float64, n)
		for i := range x {
			x[i] = r.Float64()
			y[i] = x[i]*r.Float64() + r.NormFloat64()
		}
		if got, want := spearman(x, y), naiveSpearman(x, y); math.Abs(got-want) > 1e-9 {
			t.Fatalf("n=%d: %g, naive %g", n, got, want)
		}
	}
	// ties: average ranks; a monotone transform with ties is still 1
	if got := spearman([]float64{1, 1, 2, 3}, []float64{5, 5, 7, 9}); math.Abs(got-1) > 1e-12 {
		t.Errorf("tied monotone: %g", got)
	}
	if got := spearman([]float64{1, 2, 3}, []float64{3, 2, 1}); math.Abs(got+1) > 1e-12 {
		t.Errorf("reversed: %g", got)
	}
}

func TestL1(t *testing.T) {
	// a, b share a sequence (FASTA); c and d are reported together by the
	// tool; e is absent from the truth.
	fa := ">hsa-a x\nACGTACGTACGTACGTACGTAC\n>hsa-b x\nACGTACGTACGTACGTACGTAC\n>hsa-c x\nTTTTACGTACGTACGTACGTAC\n>hsa-d x\nGGGGACGTACGTACGTACGTAC\n>mmu-a x\nCCCCACGTACGTACGTACGTAC\n"
	dir := t.TempDir()
	write := func(name, s string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	faPath := write("m.fa", fa)
	truth := write("truth.tsv", "mirna\ts1\ts2\nhsa-a\t10\t1\nhsa-b\t30\t2\nhsa-c\t50\t3\nhsa-d\t10\t4\n")
	cases := []struct {
		name, counts string
		col          string
		want         float64
	}{
		{"exact merged", "mirna\tcount\nhsa-a/hsa-b\t40\nhsa-c/hsa-d\t60\n", "", 0},
		{"split names summed", "mirna\tcount\nhsa-a\t20\nhsa-b\t20\nhsa-c\t55\nhsa-d\t5\n", "", 0.1},
		{"double counting", "mirna\tcount\nhsa-a\t40\nhsa-b\t40\nhsa-c\t50\nhsa-d\t10\n", "", 0.4},
		{"extra feature", "mirna\tcount\nhsa-a/hsa-b\t40\nhsa-c/hsa-d\t50\nhsa-e\t10\n", "", 0.2},
		{"second sample", "mirna\tcount\nhsa-a/hsa-b\t3\nhsa-c/hsa-d\t7\n", "s2", 0},
	}
	for _, c := range cases {
		g := newGroups()
		if err := g.addFasta(faPath, "hsa"); err != nil {
			t.Fatal(err)
		}
		tc, err := readCounts(truth, c.col)
		if err != nil {
			t.Fatal(err)
		}
		cc, err := readCounts(write("c.tsv", c.counts), "")
		if err != nil {
			t.Fatal(err)
		}
		if got := l1(g, tc, cc).L1; math.Abs(got-c.want) > 1e-12 {
			t.Errorf("%s: L1 %g, want %g", c.name, got, c.want)
		}
	}
	var out bytes.Buffer
	if err := run([]string{"l1", "-mature", faPath, "-truth", truth, "-label", "x", write("d.tsv", "mirna\tcount\nhsa-a\t40\n")}, &out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "L1=0.6000") {
		t.Errorf("output %q", out.String())
	}
	pooled, err := readCounts(write("p1.tsv", "mirna\tcount\nhsa-a\t1\nhsa-c\t2\n")+","+write("p2.tsv", "id\tcount\nhsa-a\t5\n"), "")
	if err != nil || pooled["hsa-a"] != 6 || pooled["hsa-c"] != 2 || len(pooled) != 2 {
		t.Errorf("pooled %v, %v", pooled, err)
	}
	if _, err := readCounts(write("bad.tsv", "mirna\tcount\nhsa-a\tx\n"), ""); err == nil {
		t.Error("non-numeric count accepted")
	}
}
