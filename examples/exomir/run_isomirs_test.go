package main

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"

	"github.com/exomir/exomir/internal/tsvtest"
)

// TestQuantIsomirCountsReconcile: exomir quant writes NAME.isomir_counts.tsv,
// whose per-miRNA sums are NAME.mirna_counts.tsv.
func TestQuantIsomirCountsReconcile(t *testing.T) {
	out := t.TempDir()
	var stdout, stderr bytes.Buffer
	if code := runMain([]string{"quant", "-fastq", "../../testdata/demo/tumor1.fastq.gz", "-sample", "s1", "-out", out}, &stdout, &stderr); code != 0 {
		t.Fatalf("quant exited %d: %s%s", code, stdout.String(), stderr.String())
	}
	matrix := tsvtest.ReadTable(t, filepath.Join(out, "s1.mirna_counts.tsv"))
	iso := tsvtest.ReadTable(t, filepath.Join(out, "s1.isomir_counts.tsv"))
	if got := strings.Join(iso[0], " "); got != "uid read mirna variant s1" {
		t.Fatalf("header %q", got)
	}
	tsvtest.CheckSumsEqualMatrix(t, "s1.isomir_counts.tsv", tsvtest.SumByMirna(t, iso, "mirna", []string{"s1"}), matrix)
}
