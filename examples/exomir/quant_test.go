package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// readTSV reads a two-column TSV (with header) into a map and key order.
func readTSV(t *testing.T, path string) (map[string]string, []string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]string{}
	var keys []string
	for i, line := range strings.Split(strings.TrimRight(string(b), "\n"), "\n") {
		if i == 0 {
			continue
		}
		k, v, ok := strings.Cut(line, "\t")
		if !ok {
			t.Fatalf("%s: bad line %q", path, line)
		}
		m[k] = v
		keys = append(keys, k)
	}
	return m, keys
}

func TestQuantFastq(t *testing.T) {
	in := filepath.Join("..", "..", "testdata", "fastq", "mirtrace_sample1_truseq.fq.gz")
	dir := t.TempDir()
	var stdout, stderr bytes.Buffer
	code := runMain([]string{"quant", "-fastq", in, "-sample", "s1", "-out", dir, "-threads", "2"}, &stdout, &stderr)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	for _, suffix := range []string{".mirna_counts.tsv", ".hairpin_counts.tsv", ".isomirs.gff3", ".summary.tsv"} {
		if _, err := os.Stat(filepath.Join(dir, "s1"+suffix)); err != nil {
			t.Error(err)
		}
	}
	sum, _ := readTSV(t, filepath.Join(dir, "s1.summary.tsv"))
	var reads, input int64
	for k, v := range sum {
		n, err := strconv.ParseInt(v, 10, 64)
		if k == "input_reads" {
			input = n
		} else if strings.HasPrefix(k, "reads_") {
			if err != nil {
				t.Fatalf("%s = %q", k, v)
			}
			reads += n
		}
	}
	if input == 0 || reads != input {
		t.Errorf("reads_* sum %d, input_reads %d", reads, input)
	}
	if _, ok := sum["reads_passed"]; ok {
		t.Error("reads_passed should be split into reads_mirna, ...")
	}
	counts, keys := readTSV(t, filepath.Join(dir, "s1.mirna_counts.tsv"))
	// Embedded miRBase 21 hsa: 2,588 names in 2,565 distinct sequences.
	if len(keys) != 2565 {
		t.Errorf("%d count rows, want 2565", len(keys))
	}
	var total int64
	for _, v := range counts {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			t.Fatalf("count %q", v)
		}
		total += n
	}
	if mirna, _ := strconv.ParseInt(sum["reads_mirna"], 10, 64); total != mirna || total == 0 {
		t.Errorf("counts sum %d, reads_mirna %d", total, mirna)
	}
	// The same run with another thread count gives identical files.
	dir2 := t.TempDir()
	if code := runMain([]string{"quant", "-fastq", in, "-sample", "s1", "-out", dir2, "-threads", "1"}, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	for _, suffix := range []string{".mirna_counts.tsv", ".hairpin_counts.tsv", ".isomirs.gff3", ".summary.tsv"} {
		a, _ := os.ReadFile(filepath.Join(dir, "s1"+suffix))
		b, _ := os.ReadFile(filepath.Join(dir2, "s1"+suffix))
		if !bytes.Equal(a, b) {
			t.Errorf("%s differs between -threads 2 and 1", suffix)
		}
	}
}

func TestQuantErrors(t *testing.T) {
	dir := t.TempDir()
	fq := filepath.Join("..", "..", "testdata", "fastq", "mirtrace_sample1_truseq.fq.gz")
	bad := filepath.Join(dir, "mature.fa")
	hp := filepath.Join(dir, "hairpin.fa")
	os.WriteFile(bad, []byte(">hsa-miR-zz MIMAT9\nGGGGGGGGGGGGGGGGGGGG\n"), 0o644)
	os.WriteFile(hp, []byte(">hsa-mir-zz MI9\nACGTACGTACGTACGTACGTACGTACGT\n"), 0o644)
	dotfq := filepath.Join(dir, "..fq") // default sample name "."
	os.WriteFile(dotfq, []byte("@r\nACGT\n+\nIIII\n"), 0o644)
	for _, c := range []struct {
		name string
		args []string
		code int
		msg  string
	}{
		{"no input", []string{"-out", dir}, 2, "exactly one"},
		{"no out", []string{"-fastq", fq}, 2, "-out"},
		{"unknown species", []string{"-fastq", fq, "-out", dir, "-species", "zzz"}, 1, "unknown species"},
		{"mature absent", []string{"-fastq", fq, "-out", dir, "-mature", bad, "-hairpin", hp}, 1, "hsa-miR-zz"},
		{"bad multi", []string{"-fastq", fq, "-out", dir, "-multi", "all"}, 1, "want em, unique or split"},
		{"bad mismatches", []string{"-fastq", fq, "-out", dir, "-mismatches", "3"}, 1, "want 1 or 2"},
		{"bad other", []string{"-fastq", fq, "-out", dir, "-other", "tRNA"}, 1, "NAME=FASTA"},
		{"umi without umis", []string{"-fastq", fq, "-out", dir, "-umi"}, 1, "no UMIs"},
		{"missing file", []string{"-fastq", filepath.Join(dir, "nope.fq"), "-out", dir}, 1, "nope.fq"},
		// Sample names that once wrote next to or above -out.
		{"sample dot", []string{"-fastq", fq, "-out", filepath.Join(dir, "o"), "-sample", "."}, 1, "invalid sample name"},
		{"sample dotdot", []string{"-fastq", fq, "-out", filepath.Join(dir, "o"), "-sample", ".."}, 1, "invalid sample name"},
		{"sample path", []string{"-fastq", fq, "-out", filepath.Join(dir, "o"), "-sample", "../up"}, 1, "invalid sample name"},
		{"default name dot", []string{"-fastq", dotfq, "-out", filepath.Join(dir, "o")}, 1, "give -sample"},
	} {
		t.Run(c.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := runMain(append([]string{"quant"}, c.args...), &stdout, &stderr)
			if code != c.code || !strings.Contains(stderr.String(), c.msg) {
				t.Errorf("exit %d (want %d), stderr %q lacks %q", code, c.code, stderr.String(), c.msg)
			}
			// nothing may appear next to the output folder
			if m, _ := filepath.Glob(filepath.Join(dir, "*.tsv")); len(m) > 0 {
				t.Errorf("files written outside -out: %v", m)
			}
		})
	}
}

// TestQuantUMI: QIAseq reads are counted as molecules (distinct UMIs per
// miRNA), never more than the miRNA reads, and -umi is accepted.
func TestQuantUMI(t *testing.T) {
	in := filepath.Join("..", "..", "testdata", "fastq", "mirtrace_qiaseq.fq.gz")
	dir := t.TempDir()
	var stdout, stderr bytes.Buffer
	if code := runMain([]string{"quant", "-fastq", in, "-protocol", "qiaseq", "-umi", "-sample", "q", "-out", dir}, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	sum, _ := readTSV(t, filepath.Join(dir, "q.summary.tsv"))
	if sum["count_unit"] != "molecules" || sum["umi"] != "true" {
		t.Errorf("count_unit %q, umi %q", sum["count_unit"], sum["umi"])
	}
	counted, _ := strconv.ParseInt(sum["mirna_counted"], 10, 64)
	reads, _ := strconv.ParseInt(sum["reads_mirna"], 10, 64)
	if counted <= 0 || counted > reads {
		t.Errorf("molecules counted %d, miRNA reads %d", counted, reads)
	}
}
