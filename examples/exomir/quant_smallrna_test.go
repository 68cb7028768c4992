package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
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
	for _, row := range []string{"\nclass_tRNA\t", "\nclass_rRNA\t", "\nclass_snRNA\t", "\nclass_snoRNA\t", "\nclass_YRNA\t", "\nclass_vaultRNA\t", "\nclass_SRP_RNA\t", "\ntrf_5p-half\t"} {
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

// TestQuantOtherPiRNAAndYRNA: the -other route for what is not built in:
// -other piRNA=F adds a class_piRNA row after the built-in classes, and
// -other YRNA=F (e.g. RNY5) adds its records to the built-in YRNA class;
// every read is accounted for and the classes sum to reads_other_rna.
func TestQuantOtherPiRNAAndYRNA(t *testing.T) {
	dir := t.TempDir()
	const (
		pirna = "TGGTACCAGTAGAGCTCGGTATACACCA"           // made-up 28-nt piRNA
		rny5  = "GGCATTCCAGTTGTAGCAACGGGTTCTAACCATTTCAC" // made-up RNY5 stand-in
		rny4  = "GGCTGGTCCGATGGTAGTGGGTTATCAGAACT"       // RNY4 5' fragment (built in)
		vt21  = "CGGGTCGGAGTTAGCTCAAGCGGTTACC"           // VTRNA2-1 5' fragment (built in)
	)
	var fq strings.Builder
	n := 0
	add := func(s string, k int) {
		for i := 0; i < k; i++ {
			n++
			fq.WriteString("@r" + strconv.Itoa(n) + "\n" + s + "\n+\n" + strings.Repeat("I", len(s)) + "\n")
		}
	}
	add(pirna, 3)
	add(rny5[2:30], 2)
	add(rny4, 4)
	add(vt21, 5)
	add("TAGCTTATCAGACTGATGTTGA", 6) // miR-21-5p
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	in := write("s.fq", fq.String())
	pf := write("pirna.fa", ">piR-toy-1\n"+pirna+"\n")
	yf := write("rny5.fa", ">RNY5-toy\n"+rny5+"\n")
	var so, se bytes.Buffer
	args := []string{"quant", "-fastq", in, "-protocol", "none", "-sample", "s", "-out", dir, "-other", "piRNA=" + pf, "-other", "YRNA=" + yf}
	if code := runMain(args, &so, &se); code != 0 {
		t.Fatalf("exit %d: %s", code, se.String())
	}
	sum, keys := readTSV(t, filepath.Join(dir, "s.summary.tsv"))
	for row, want := range map[string]string{"class_piRNA": "3", "class_YRNA": "6", "class_vaultRNA": "5", "class_SRP_RNA": "0", "reads_mirna": "6", "reads_other_rna": "14", "input_reads": "20"} {
		if sum[row] != want {
			t.Errorf("%s = %q, want %s", row, sum[row], want)
		}
	}
	var classes []string
	for _, k := range keys {
		if strings.HasPrefix(k, "class_") {
			classes = append(classes, k)
		}
	}
	if got := strings.Join(classes, ","); got != "class_tRNA,class_rRNA,class_snRNA,class_snoRNA,class_YRNA,class_vaultRNA,class_SRP_RNA,class_piRNA" {
		t.Errorf("class rows %s", got)
	}
	counts, err := os.ReadFile(filepath.Join(dir, "s.smallrna_counts.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"\npiR-toy-1\tpiRNA\t3\n", "\nRNY5-toy\tYRNA\t2\n", "\nRNY4\tYRNA\t4\n", "\nVTRNA2-1\tvaultRNA\t5\n"} {
		if !bytes.Contains(counts, []byte(want)) {
			t.Errorf("smallrna_counts.tsv lacks %q", strings.TrimSpace(want))
		}
	}
	checkSmallRNASumsSample(t, filepath.Join(dir, "s.summary.tsv"), filepath.Join(dir, "s.smallrna_counts.tsv"))
}
