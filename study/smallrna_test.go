package study_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/exomir/exomir/diffexp"
	"github.com/exomir/exomir/quant"
	"github.com/exomir/exomir/study"
)

// spikeFasta writes a spike-in set: hsa-miR-21-5p's sequence (abundant in
// the demo, so every sample has spike-in reads) and cel-miR-39 (absent).
func spikeFasta(t *testing.T, dir string) string {
	t.Helper()
	fa := filepath.Join(dir, "spikes.fa")
	if err := os.WriteFile(fa, []byte(">spk-miR-21\nUAGCUUAUCAGACUGAUGUUGA\n>cel-miR-39-3p\nUCACCGGGUGUAAAUCAGCUUG\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return fa
}

// The study-level smallrna_counts.tsv, trf_counts.tsv and
// spikein_counts.tsv are the same bytes in memory and with a work folder,
// fresh and resumed, with 1 or 2 threads; they equal quant's writers on
// the samples' full counts; DE with spike-in size factors uses the median
// of ratios over the spike-ins.
func TestSmallRNAOutputsInMemoryAndSpilled(t *testing.T) {
	dir := t.TempDir()
	samples := []string{"control1", "control2", "tumor1", "tumor2"}
	sh := smallSheet(t, dir, 2000, samples...)
	fa := spikeFasta(t, dir)
	cfg := study.Config{Spikeins: fa, SizeFactors: study.SizeFactorsSpikein}

	mem := cfg
	mem.Threads = 1
	res, err := study.Run(context.Background(), sh, mem)
	if err != nil {
		t.Fatal(err)
	}
	memDir := filepath.Join(dir, "mem")
	if err := res.Write(context.Background(), memDir); err != nil {
		t.Fatal(err)
	}
	files := readDir(t, memDir)
	for _, f := range []string{"smallrna_counts.tsv", "trf_counts.tsv", "spikein_counts.tsv"} {
		if _, ok := files[f]; !ok {
			t.Fatalf("no %s among the outputs", f)
		}
	}

	// The reference: quant's own writers on the full per-sample counts.
	qs := make([]*quant.Sample, len(res.Samples))
	for i, s := range res.Samples {
		qs[i] = s.Quant
	}
	for f, write := range map[string]func(*bytes.Buffer) error{
		"smallrna_counts.tsv": func(b *bytes.Buffer) error { return quant.WriteSmallRNACounts(b, qs) },
		"trf_counts.tsv":      func(b *bytes.Buffer) error { return quant.WriteTRFCounts(b, qs) },
		"spikein_counts.tsv":  func(b *bytes.Buffer) error { return quant.WriteSpikeinCounts(b, qs) },
	} {
		var b bytes.Buffer
		if err := write(&b); err != nil {
			t.Fatal(err)
		}
		if b.String() != files[f] {
			t.Errorf("%s differs from quant's writer", f)
		}
	}
	if strings.Count(files["trf_counts.tsv"], "\n") < 10 {
		t.Errorf("trf_counts.tsv has few rows:\n%s", files["trf_counts.tsv"])
	}

	// Size factors: median of ratios over the spike-in rows.
	spike, err := diffexp.ReadCounts(strings.NewReader(files["spikein_counts.tsv"]), "spikein_counts.tsv")
	if err != nil {
		t.Fatal(err)
	}
	want, err := diffexp.SpikeinSizeFactors(spike, samples)
	if err != nil {
		t.Fatal(err)
	}
	if res.DE == nil || res.DE.SizeFactorType != study.SizeFactorsSpikein || !slices.Equal(res.DE.Results.SizeFactors, want) {
		t.Errorf("DE size factors %v, want the spike-in ones %v", res.DE.Results.SizeFactors, want)
	}
	ratio, err := study.Run(context.Background(), sh, study.Config{Spikeins: fa, Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	if slices.Equal(ratio.DE.Results.SizeFactors, want) {
		t.Error("ratio and spike-in size factors agree: the test tells nothing")
	}

	// With a work folder: fresh (2 threads), then resumed (1 thread).
	work := filepath.Join(dir, "work")
	spilled := func(threads int) (*recorder, map[string]string) {
		t.Helper()
		c := cfg
		c.Threads = threads
		return runInto(t, sh, c, work)
	}
	first, fresh := spilled(2)
	sameOutputs(t, "work folder vs in memory", readDir(t, memDir), fresh)
	second, resumed := spilled(1)
	for _, s := range samples {
		if first.done[s] || !second.done[s] {
			t.Errorf("%s: reused %v then %v, want false then true", s, first.done[s], second.done[s])
		}
	}
	sameOutputs(t, "resumed vs in memory", readDir(t, memDir), resumed)

	// The manifest records the spike-in file with its checksum and the
	// built-in annotation.
	var m study.Manifest
	mb, err := os.ReadFile(filepath.Join(work, "manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(mb, &m); err != nil {
		t.Fatal(err)
	}
	var haveSpike, haveAnn bool
	for _, r := range m.References {
		haveSpike = haveSpike || (r.Name == "spikeins" && r.Path == fa && len(r.SHA256) == 64)
		haveAnn = haveAnn || strings.HasPrefix(r.Name, "embedded small-RNA annotation")
	}
	if !haveSpike || !haveAnn || m.Params["spikeins"] != fa || m.Params["size_factors"] != "spikein" {
		t.Errorf("manifest references %+v, params %v", m.References, m.Params)
	}

	// Other annotation or spike-in settings: the samples are recomputed.
	if ok, _ := study.UpToDate(context.Background(), work, sh, study.Config{Spikeins: fa, SizeFactors: study.SizeFactorsSpikein, Annotation: study.AnnotationNone}); ok {
		t.Error("up to date with the annotation off")
	}
	rec := newRecorder()
	none, err := study.Run(context.Background(), sh, study.Config{Annotation: study.AnnotationNone, WorkDir: work, Progress: rec})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range samples {
		if rec.done[s] {
			t.Errorf("%s reused after the annotation and spike-ins changed", s)
		}
	}
	for _, o := range none.Outputs() {
		switch o.Name {
		case "smallrna_counts.tsv", "trf_counts.tsv", "spikein_counts.tsv":
			t.Errorf("%s written without annotation and spike-ins", o.Name)
		}
	}
}

// Spike-in size factors need spike-ins and DESeq2; the annotation is
// builtin or none.
func TestSmallRNAConfigErrors(t *testing.T) {
	dir := t.TempDir()
	sh := smallSheet(t, dir, 10, "control1", "tumor1")
	for _, c := range []study.Config{
		{SizeFactors: study.SizeFactorsSpikein},
		{SizeFactors: study.SizeFactorsSpikein, Spikeins: "x.fa", Method: study.MethodEdgeR},
		{SizeFactors: "tmm"},
		{Annotation: "gencode"},
	} {
		if err := study.Check(sh, c); !errors.Is(err, study.ErrConfig) {
			t.Errorf("%+v: %v, want ErrConfig", c, err)
		}
	}
}
