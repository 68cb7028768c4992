package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/exomir/exomir/internal/gztest"
)

// exomir merge of quant's per-sample smallrna_counts.tsv, trf_counts.tsv
// and spikein_counts.tsv gives run's study-level files byte for byte, and
// run -sf-type spikein gives the DE of exomir de -sf-type spikein on run's
// own matrices.
func TestMergeSmallRNAEqualsRun(t *testing.T) {
	dir := t.TempDir()
	fa := filepath.Join(dir, "spikes.fa")
	if err := os.WriteFile(fa, []byte(">spk-miR-21\nUAGCUUAUCAGACUGAUGUUGA\n>cel-miR-39-3p\nUCACCGGGUGUAAAUCAGCUUG\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	samples := []string{"control1", "control2", "tumor1", "tumor2"}
	var rows []string
	for _, s := range samples {
		if err := os.WriteFile(filepath.Join(dir, s+".fastq"), gztest.HeadFastq(t, filepath.Join("../../testdata/demo", s+".fastq.gz"), 4000), 0o644); err != nil {
			t.Fatal(err)
		}
		rows = append(rows, s+"\t"+strings.TrimRight(s, "12")+"\t"+s+".fastq")
	}
	sheet := writeSheet(t, dir, "sample\tcondition\tfastq", rows...)
	study := filepath.Join(dir, "study")
	var so, se bytes.Buffer
	if code := runMain([]string{"run", "-samplesheet", sheet, "-out", study, "-spikeins", fa, "-sf-type", "spikein",
		"-contrast", "condition,tumor,control", "-quiet", "-threads", "2"}, &so, &se); code != 0 {
		t.Fatalf("run exited %d: %s", code, se.String())
	}
	per := filepath.Join(dir, "per")
	for _, s := range samples {
		if code := runMain([]string{"quant", "-fastq", filepath.Join(dir, s+".fastq"), "-sample", s, "-spikeins", fa, "-out", per, "-threads", "1"}, &so, &se); code != 0 {
			t.Fatalf("quant %s exited %d: %s", s, code, se.String())
		}
	}
	for _, kind := range []string{"smallrna_counts.tsv", "trf_counts.tsv", "spikein_counts.tsv"} {
		var in []string
		for _, s := range samples {
			in = append(in, filepath.Join(per, s+"."+kind))
		}
		out := filepath.Join(dir, "merged") + "/"
		if code := runMain(append([]string{"merge", "-out", out}, in...), &so, &se); code != 0 {
			t.Fatalf("merge %s exited %d: %s", kind, code, se.String())
		}
		got, err := os.ReadFile(filepath.Join(out, kind))
		if err != nil {
			t.Fatal(err)
		}
		want, err := os.ReadFile(filepath.Join(study, kind))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("merged %s differs from run's (%d vs %d bytes)", kind, len(got), len(want))
		}
	}
	de := filepath.Join(dir, "de.tsv")
	if code := runMain([]string{"de", "-counts", filepath.Join(study, "mirna_counts.tsv"), "-coldata", filepath.Join(study, "coldata.tsv"),
		"-contrast", "condition,tumor,control", "-sf-type", "spikein", "-spikein-counts", filepath.Join(study, "spikein_counts.tsv"), "-out", de}, &so, &se); code != 0 {
		t.Fatalf("de exited %d: %s", code, se.String())
	}
	a, _ := os.ReadFile(filepath.Join(study, "de.tsv"))
	b, _ := os.ReadFile(de)
	if len(a) == 0 || !bytes.Equal(a, b) {
		t.Errorf("run -sf-type spikein de.tsv differs from exomir de -sf-type spikein (%d vs %d bytes)", len(a), len(b))
	}
	// and differs from the default size factors
	ratio := filepath.Join(dir, "ratio.tsv")
	if code := runMain([]string{"de", "-counts", filepath.Join(study, "mirna_counts.tsv"), "-coldata", filepath.Join(study, "coldata.tsv"),
		"-contrast", "condition,tumor,control", "-out", ratio}, &so, &se); code != 0 {
		t.Fatalf("de exited %d: %s", code, se.String())
	}
	if c, _ := os.ReadFile(ratio); bytes.Equal(a, c) {
		t.Error("spike-in and ratio size factors give the same DE: the test tells nothing")
	}
}
