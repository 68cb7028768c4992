package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestQuantAnnotationFlag: by default quant counts the built-in classes
// and writes the per-sample smallrna/trf files; -annotation none gives
// neither (and no class rows); a bad value is an error; a non-human
// species gets no annotation.
func TestQuantAnnotationFlag(t *testing.T) {
	in := filepath.Join("..", "..", "testdata", "fastq", "mirtrace_sample1_truseq.fq.gz")
	dir := t.TempDir()
	var so, se bytes.Buffer
	if code := runMain([]string{"quant", "-fastq", in, "-sample", "on", "-out", dir}, &so, &se); code != 0 {
		t.Fatalf("exit %d: %s", code, se.String())
	}
	if code := runMain([]string{"quant", "-fastq", in, "-sample", "off", "-annotation", "none", "-out", dir}, &so, &se); code != 0 {
		t.Fatalf("exit %d: %s", code, se.String())
	}
	on, err := os.ReadFile(filepath.Join(dir, "on.summary.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	off, err := os.ReadFile(filepath.Join(dir, "off.summary.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	for _, row := range []string{"\nclass_tRNA\t", "\nclass_rRNA\t", "\nclass_snRNA\t", "\nclass_snoRNA\t", "\ntrf_5p-half\t"} {
		if !bytes.Contains(on, []byte(row)) {
			t.Errorf("default summary lacks %q", strings.TrimSpace(row))
		}
		if bytes.Contains(off, []byte(row)) {
			t.Errorf("-annotation none summary has %q", strings.TrimSpace(row))
		}
	}
	for _, f := range []string{"on.smallrna_counts.tsv", "on.trf_counts.tsv"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("%s: %v", f, err)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "off.smallrna_counts.tsv")); err == nil {
		t.Error("-annotation none wrote off.smallrna_counts.tsv")
	}
	checkSmallRNASumsSample(t, filepath.Join(dir, "on.summary.tsv"), filepath.Join(dir, "on.smallrna_counts.tsv"))
	if code := runMain([]string{"quant", "-fastq", in, "-sample", "bad", "-annotation", "mouse", "-out", dir}, &so, &se); code == 0 {
		t.Error("-annotation mouse accepted")
	}
}

// checkSmallRNASumsSample checks one sample's files: class_* sum to
// reads_other_rna, which the smallrna_counts column sums to.
func checkSmallRNASumsSample(t *testing.T, summary, counts string) {
	t.Helper()
	other := tsvColumnSums(t, summary, 1, func(s string) bool { return s == "reads_other_rna" })
	classes := tsvColumnSums(t, summary, 1, func(s string) bool { return strings.HasPrefix(s, "class_") })
	// One sample: the summary's value column against the matrix's only
	// sample column.
	var f int64
	for _, n := range tsvColumnSums(t, counts, 2, func(string) bool { return true }) {
		f += n
	}
	for s, n := range other {
		if n == 0 || classes[s] != n || f != n {
			t.Errorf("%s: reads_other_rna %d, class_* %d, smallrna_counts %d", s, n, classes[s], f)
		}
	}
}
