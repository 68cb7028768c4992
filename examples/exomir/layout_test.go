package main

import (
	"bytes"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// encodeFastq writes n reads of the ENCODE small-RNA layout: a 6-nt barcode
// (ENCODE-DCC/mirna-seq-pipeline five_prime_adapter_set1.fasta), an insert
// (one of four hsa miRNAs, miRBase 21, or 30% random), the ENCODE 3'
// adapter and filler; every 50th miRNA read has two Ns, every other 20th
// one.
// It returns the path and the number of miRNA reads.
func encodeFastq(t *testing.T, dir string, seed uint64, n int) (string, int) {
	t.Helper()
	mirs := []string{"TAGCTTATCAGACTGATGTTGA", "TGAGGTAGTAGGTTGTATAGTT", "TAGCAGCACGTAAATATTGGCG", "AAACCGTTACCATTACTGAGTT"}
	rng := rand.New(rand.NewPCG(seed, 1))
	rnd := func(k int) string {
		b := make([]byte, k)
		for i := range b {
			b[i] = "ACGT"[rng.IntN(4)]
		}
		return string(b)
	}
	// Per-sample miRNA shares, so that samples differ (overdispersion).
	w := make([]float64, len(mirs))
	for j := range w {
		w[j] = 0.05 + rng.Float64()
		if j > 0 {
			w[j] += w[j-1]
		}
	}
	var b strings.Builder
	nmir := 0
	for i := 0; i < n; i++ {
		ins := rnd(28 + rng.IntN(8)) // long enough to match no hairpin by chance
		if rng.Float64() < 0.7 {
			u := rng.Float64() * w[len(w)-1]
			j := 0
			for u >= w[j] {
				j++
			}
			ins = mirs[j]
			nmir++
			switch {
			case nmir%50 == 0:
				ins = "N" + ins[1:8] + "N" + ins[9:]
			case nmir%20 == 0:
				ins = ins[:10] + "N" + ins[11:]
			}
		}
		bc := []string{"CAGTCG", "TGACTC", "GCTAGA", "ATCGAT"}[rng.IntN(4)]
		r := (bc + ins + "ACGGGCTAATATTTATCGGTGGAGCATCACGATCTCGTAT" + strings.Repeat("A", 20))[:50]
		b.WriteString("@r" + strconv.Itoa(i) + "\n" + r + "\n+\n" + strings.Repeat("I", 50) + "\n")
	}
	path := filepath.Join(dir, "encode"+strconv.FormatUint(seed, 10)+".fastq")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return path, nmir
}

// tsvRows reads a two-column metric<TAB>value file.
func tsvRows(t *testing.T, path string) map[string]string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	rows := map[string]string{}
	for _, l := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		k, v, _ := strings.Cut(l, "\t")
		rows[k] = v
	}
	return rows
}

// TestLayoutFlags: -clip5/-clip3/-max-n on collapse and quant, the
// detected ENCODE barcode, and the layout rows of the summaries.
func TestLayoutFlags(t *testing.T) {
	dir := t.TempDir()
	fq, nmir := encodeFastq(t, dir, 1, 600)
	twoN := nmir / 50
	for _, c := range []struct {
		name string
		args []string
		want map[string]string
	}{
		{"collapse auto", []string{"collapse", "-in", fq},
			map[string]string{"protocol": "encode", "clip5": "6", "clip3": "0", "layout_source": "detected", "detected_clip5": "6", "reads_too_many_n": strconv.Itoa(twoN)}},
		{"collapse user clips", []string{"collapse", "-in", fq, "-protocol", "none", "-adapter", "ACGGGCTAATATTTATCGGTGGAG", "-clip5", "6", "-clip3", "1"},
			map[string]string{"protocol": "custom", "clip5": "6", "clip3": "1", "layout_source": "user", "adapter_source": "user"}},
		{"collapse max-n 0", []string{"collapse", "-in", fq, "-protocol", "encode", "-max-n", "0"},
			map[string]string{"clip5": "6", "layout_source": "preset", "reads_too_many_n": strconv.Itoa(nmir/20 - nmir/100 + nmir/50)}},
		{"quant auto", []string{"quant", "-fastq", fq, "-sample", "a"},
			map[string]string{"protocol": "encode", "clip5": "6", "layout_source": "detected", "reads_mirna": strconv.Itoa(nmir - twoN)}},
		{"quant max-n 2", []string{"quant", "-fastq", fq, "-sample", "b", "-max-n", "2"},
			map[string]string{"reads_mirna": strconv.Itoa(nmir), "reads_too_many_n": "0"}},
		{"quant clip5 0", []string{"quant", "-fastq", fq, "-sample", "c", "-protocol", "encode", "-clip5", "0"},
			map[string]string{"clip5": "0", "layout_source": "user", "reads_mirna": "0"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			out := filepath.Join(dir, strings.ReplaceAll(c.name, " ", "_"))
			args := append(c.args, "-out", out)
			var stdout, stderr bytes.Buffer
			if code := runMain(args, &stdout, &stderr); code != 0 {
				t.Fatalf("exit %d: %s", code, stderr.String())
			}
			path := out + ".summary.tsv"
			if c.args[0] == "quant" {
				path = filepath.Join(out, c.args[4]+".summary.tsv")
			}
			rows := tsvRows(t, path)
			for k, v := range c.want {
				if rows[k] != v {
					t.Errorf("%s = %q, want %q", k, rows[k], v)
				}
			}
		})
	}
	// run: the per-sample layout rows reach summary.tsv.
	sheet := "sample\tcondition\tfastq\n"
	for i := 1; i <= 4; i++ {
		p, _ := encodeFastq(t, dir, uint64(10+i), 300)
		sheet += "s" + strconv.Itoa(i) + "\t" + []string{"tumor", "control"}[i%2] + "\t" + filepath.Base(p) + "\n"
	}
	if err := os.WriteFile(filepath.Join(dir, "sheet.tsv"), []byte(sheet), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "run")
	var stdout, stderr bytes.Buffer
	if code := runMain([]string{"run", "-samplesheet", filepath.Join(dir, "sheet.tsv"), "-out", out, "-quiet", "-max-n", "0", "-clip5", "6"}, &stdout, &stderr); code != 0 {
		t.Fatalf("run exit %d: %s", code, stderr.String())
	}
	data, err := os.ReadFile(filepath.Join(out, "summary.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"\nclip5\t6\t6\t6\t6\n", "\nlayout_source\tuser\tuser\tuser\tuser\n", "\nclip3\t0\t0\t0\t0\n"} {
		if !strings.Contains(string(data), want) {
			t.Errorf("run summary.tsv lacks %q:\n%s", want, data)
		}
	}
}
