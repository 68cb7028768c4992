package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/exomir/exomir/diffexp"
)

// TestDECommandEdgeRQL checks that -method edger-ql writes edgeR's
// glmQLFTest columns with the library's numbers.
func TestDECommandEdgeRQL(t *testing.T) {
	dir := t.TempDir()
	cp, dp := deFixture(t, dir, deCounts, deColdata)
	var so, se bytes.Buffer
	if code := runMain([]string{"de", "-method", "edger-ql", "-counts", cp, "-coldata", dp,
		"-contrast", "condition,tumor,control", "-out", "-"}, &so, &se); code != 0 {
		t.Fatalf("exit %d: %s", code, se.String())
	}
	c, err := diffexp.ReadCounts(strings.NewReader(deCounts), "counts.tsv")
	if err != nil {
		t.Fatal(err)
	}
	cd, err := diffexp.ReadColData(strings.NewReader(deColdata), "coldata.tsv")
	if err != nil {
		t.Fatal(err)
	}
	r, err := diffexp.EdgeRQL(context.Background(), c, cd, diffexp.Options{Contrast: []string{"condition", "tumor", "control"}})
	if err != nil {
		t.Fatal(err)
	}
	var want bytes.Buffer
	if err := diffexp.WriteEdgeRQLResults(&want, r); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(so.String(), "mirna\tlogFC\tlogCPM\tF\tPValue\tFDR\nmir-a\t") || so.String() != want.String() {
		t.Errorf("stdout:\n%s\nwant:\n%s", so.String(), want.String())
	}
	// -test lrt is refused
	so.Reset()
	se.Reset()
	if code := runMain([]string{"de", "-method", "edger-ql", "-test", "lrt", "-counts", cp, "-coldata", dp,
		"-out", filepath.Join(dir, "x.tsv")}, &so, &se); code == 0 || !strings.Contains(se.String(), "QL F-test") {
		t.Errorf("-test lrt: exit %d, stderr %q", code, se.String())
	}
}
