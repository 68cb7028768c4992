package main

import (
	"bytes"
	"os"
	"strings"
	"testing"
)

// TestTransformComBatSeq runs exomir transform -method combat-seq on the
// sim_batch golden input and compares with sva's ComBat_seq output
// (testdata/de/make_combatseq_goldens.R): same shape, ≥ 99.9% identical.
func TestTransformComBatSeq(t *testing.T) {
	dir := "../../testdata/de/sim_batch/"
	var so, se bytes.Buffer
	if code := runMain([]string{"transform", "-method", "combat-seq", "-batch", "batch", "-group", "condition",
		"-counts", dir + "counts.tsv.gz", "-coldata", dir + "coldata.tsv", "-out", "-"}, &so, &se); code != 0 {
		t.Fatalf("exit %d: %s", code, se.String())
	}
	want, err := os.ReadFile(dir + "combatseq_group.tsv")
	if err != nil {
		t.Fatal(err)
	}
	gl := strings.Split(strings.TrimSpace(so.String()), "\n")
	wl := strings.Split(strings.TrimSpace(string(want)), "\n")
	if len(gl) != len(wl) || gl[0] != wl[0] {
		t.Fatalf("shape: %d lines (header %q), want %d (%q)", len(gl), gl[0], len(wl), wl[0])
	}
	cells, same := 0, 0
	for i := 1; i < len(wl); i++ {
		g, w := strings.Split(gl[i], "\t"), strings.Split(wl[i], "\t")
		if len(g) != len(w) || g[0] != w[0] {
			t.Fatalf("line %d: %q vs %q", i+1, gl[i], wl[i])
		}
		for k := 1; k < len(w); k++ {
			cells++
			if g[k] == w[k] {
				same++
			}
		}
	}
	t.Logf("exomir transform -method combat-seq vs sva: %d of %d cells identical", same, cells)
	if float64(same) < 0.999*float64(cells) {
		t.Errorf("%d of %d cells identical", same, cells)
	}
	// -batch is required, and must name a column
	for _, args := range [][]string{{}, {"-batch", "nope"}} {
		so.Reset()
		se.Reset()
		a := append([]string{"transform", "-method", "combat-seq", "-counts", dir + "counts.tsv.gz", "-coldata", dir + "coldata.tsv", "-out", "-"}, args...)
		if code := runMain(a, &so, &se); code == 0 || !strings.Contains(se.String(), "batch") {
			t.Errorf("%v: exit %d, stderr %q", args, code, se.String())
		}
	}
}
