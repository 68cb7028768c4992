package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestRun(t *testing.T) {
	ref := []string{"-mature", "../../quant/mirbase/hsa_mature_v21.fa.gz", "-hairpin", "../../quant/mirbase/hsa_hairpin_v21.fa.gz", "-other", "../../testdata/sim/trna_subset.fa"}
	for _, c := range []struct {
		name    string
		args    []string
		files   []string
		wantErr string
	}{
		{"truseq", []string{"-reads", "300", "-samples", "3"}, []string{"tumor1.fastq.gz", "tumor2.fastq.gz", "control1.fastq.gz", "samplesheet.tsv", "truth_mirna_reads.tsv", "truth_foldchange.tsv"}, ""},
		{"qiaseq", []string{"-reads", "300", "-tumor", "1", "-control", "1", "-kit", "qiaseq"}, []string{"tumor1.fastq.gz", "control1.fastq.gz", "truth_mirna_molecules.tsv"}, ""},
		{"encode realistic", []string{"-reads", "300", "-samples", "2", "-kit", "encode", "-err-start", "0.001", "-err-end", "0.008", "-err-shape", "4", "-n-rate", "0.0005", "-n-read-rate", "0", "-phred-qual", "-qual-drop", "0.2"}, []string{"tumor1.fastq.gz", "control1.fastq.gz", "truth_mirna_reads.tsv"}, ""},
		{"barcode5", []string{"-reads", "100", "-samples", "2", "-barcode5", "GATTACA"}, []string{"tumor1.fastq.gz"}, ""},
		{"bad barcode", []string{"-barcode5", "GATXACA"}, nil, "barcode"},
		{"bad shape", []string{"-err-shape", "-1"}, nil, "shape"},
		{"bad kit", []string{"-kit", "smarter"}, nil, "unknown kit"},
		{"bad species", []string{"-species", "zzz"}, nil, "no mature"},
		{"missing file", []string{"-mature", "/nonexistent.fa"}, nil, "nonexistent"},
		{"embedded", []string{"-mature", "", "-hairpin", "", "-reads", "100", "-samples", "2"}, []string{"tumor1.fastq.gz", "control1.fastq.gz"}, ""},
		{"embedded other species", []string{"-mature", "", "-hairpin", "", "-species", "mmu"}, nil, "hsa"},
		{"mature without hairpin", []string{"-hairpin", ""}, nil, "both"},
	} {
		t.Run(c.name, func(t *testing.T) {
			out := t.TempDir()
			args := append(append(append([]string{}, ref...), c.args...), "-out", out)
			var stdout, stderr bytes.Buffer
			err := run(args, &stdout, &stderr)
			if c.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), c.wantErr) {
					t.Fatalf("error %v, want %q", err, c.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("%v\n%s", err, stderr.String())
			}
			for _, f := range c.files {
				if st, err := os.Stat(filepath.Join(out, f)); err != nil || st.Size() == 0 {
					t.Errorf("%s: %v", f, err)
				}
			}
		})
	}
	var stderr bytes.Buffer
	if err := run([]string{"-reads", "5"}, &bytes.Buffer{}, &stderr); err == nil {
		t.Error("missing -out accepted")
	}
}
