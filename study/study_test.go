package study_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/exomir/exomir/internal/gztest"
	"github.com/exomir/exomir/internal/tsvtest"
	"github.com/exomir/exomir/quant"
	"github.com/exomir/exomir/study"
)

// demoDir holds the bundled demo study (3 tumor + 3 control simulated
// samples of 40,000 reads).
const demoDir = "../testdata/demo"

// smallStudy writes the first n reads of the demo samples named in
// samples (with conditions taken from their names) as FASTQ files and a
// samplesheet into dir, and returns the sheet's path.
func smallStudy(t *testing.T, dir string, n int, samples ...string) string {
	t.Helper()
	var sb strings.Builder
	sb.WriteString("sample\tcondition\tfastq\n")
	for _, s := range samples {
		out := gztest.HeadFastq(t, filepath.Join(demoDir, s+".fastq.gz"), n)
		if err := os.WriteFile(filepath.Join(dir, s+".fastq"), out, 0o644); err != nil {
			t.Fatal(err)
		}
		sb.WriteString(s + "\t" + strings.TrimRight(s, "0123456789") + "\t" + s + ".fastq\n")
	}
	sheet := filepath.Join(dir, "sheet.tsv")
	if err := os.WriteFile(sheet, []byte(sb.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return sheet
}

// smallSheet is the samplesheet smallStudy writes, read.
func smallSheet(t *testing.T, dir string, n int, samples ...string) *study.Sheet {
	t.Helper()
	sh, err := study.ReadSheet(context.Background(), smallStudy(t, dir, n, samples...))
	if err != nil {
		t.Fatal(err)
	}
	return sh
}

// recorder is a study.Progress that records what it is told.
type recorder struct {
	mu       sync.Mutex
	read     map[int]int64
	done     map[string]bool // sample → reused
	warnings []quant.Warning
}

func newRecorder() *recorder { return &recorder{read: map[int]int64{}, done: map[string]bool{}} }

func (r *recorder) Warnings(ws []quant.Warning) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.warnings = append(r.warnings, ws...)
}

func (r *recorder) SampleRead(i int, n int64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.read[i] += n
}

func (r *recorder) SampleDone(i int, s *study.Sample) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.done[s.Quant.Name] = s.Reused
}

// readDir maps the files of dir (not its folders, not hidden files) to
// their contents.
func readDir(t *testing.T, dir string) map[string]string {
	t.Helper()
	m := tsvtest.ReadFolder(t, dir)
	for k := range m {
		if strings.HasSuffix(k, "/") || strings.HasPrefix(k, ".") {
			delete(m, k)
		}
	}
	return m
}

// runInto runs sh with cfg, its work folder and output folder dir and a
// new recorder as Progress, and returns the recorder and dir's files.
func runInto(t *testing.T, sh *study.Sheet, cfg study.Config, dir string) (*recorder, map[string]string) {
	t.Helper()
	rec := newRecorder()
	cfg.Progress, cfg.WorkDir = rec, dir
	res, err := study.Run(context.Background(), sh, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := res.Write(context.Background(), dir); err != nil {
		t.Fatal(err)
	}
	return rec, readDir(t, dir)
}

// sameOutputs fails unless a and b hold the same files with the same
// bytes, manifest.json (timings) aside.
func sameOutputs(t *testing.T, what string, a, b map[string]string) {
	t.Helper()
	delete(a, "manifest.json")
	delete(b, "manifest.json")
	if len(a) != len(b) {
		t.Errorf("%s: %d files vs %d", what, len(a), len(b))
	}
	for name, x := range a {
		if y, ok := b[name]; !ok || x != y {
			t.Errorf("%s: %s differs (%d vs %d bytes)", what, name, len(x), len(y))
		}
	}
}

// TestRunCustomConfig runs a study from a program with settings other
// than the defaults: unique multi-mappers, edgeR, an explicit contrast,
// one thread, a progress recorder. The result in memory agrees with the
// files Write makes and with the settings asked for.
func TestRunCustomConfig(t *testing.T) {
	dir := t.TempDir()
	samples := []string{"control1", "control2", "tumor1", "tumor2"}
	sh := smallSheet(t, dir, 3000, samples...)
	rec := newRecorder()
	cfg := study.Config{Multi: quant.MultiUnique, Method: "edger", Contrast: []string{"condition", "tumor", "control"},
		Threads: 1, Progress: rec}
	res, err := study.Run(context.Background(), sh, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if res.DE == nil || res.DE.Results.Method != "edger" || strings.Join(res.DE.Contrast, ",") != "condition,tumor,control" {
		t.Fatalf("DE %+v", res.DE)
	}
	if len(res.DE.ROC) != len(res.Ref.Features) {
		t.Errorf("%d ROC rows for %d miRNAs", len(res.DE.ROC), len(res.Ref.Features))
	}
	for i, s := range res.Samples {
		st, _ := os.Stat(sh.Rows[i].Path)
		if rec.read[i] != st.Size() {
			t.Errorf("%s: progress saw %d bytes of %d", s.Quant.Name, rec.read[i], st.Size())
		}
		if reused, ok := rec.done[s.Quant.Name]; !ok || reused {
			t.Errorf("%s: done %v reused %v", s.Quant.Name, ok, reused)
		}
		if len(s.Quant.Isomirs) == 0 {
			t.Errorf("%s: no isomiRs in memory", s.Quant.Name)
		}
		if m, _ := s.Quant.Stat("multi"); m != "" && m != "unique" {
			t.Errorf("%s: multi %q", s.Quant.Name, m)
		}
	}
	// Unique counting leaves no fractional share: the in-memory matrix
	// equals the integer counts of each sample.
	cts := res.Counts()
	for j, s := range res.Samples {
		for i, v := range s.MatureCounts() {
			if cts.At(i, j) != float64(v) {
				t.Fatalf("count %d,%d: %v vs %d", i, j, cts.At(i, j), v)
			}
		}
	}
	out := filepath.Join(dir, "out")
	if err := res.Write(context.Background(), out); err != nil {
		t.Fatal(err)
	}
	files := readDir(t, out)
	for _, o := range res.Outputs() {
		if _, ok := files[o.Name]; !ok {
			t.Errorf("%s not written", o.Name)
		}
	}
	if _, ok := files["manifest.json"]; ok {
		t.Error("manifest.json written without a work folder")
	}
	var want bytes.Buffer
	fmt.Fprint(&want, "mirna")
	for _, s := range samples {
		fmt.Fprint(&want, "\t"+s)
	}
	fmt.Fprintln(&want)
	for i, f := range cts.Features {
		fmt.Fprint(&want, f)
		for j := range cts.Samples {
			fmt.Fprintf(&want, "\t%d", int64(cts.At(i, j)))
		}
		fmt.Fprintln(&want)
	}
	if files["mirna_counts.tsv"] != want.String() {
		t.Error("mirna_counts.tsv is not the matrix of the result")
	}
	if !strings.HasPrefix(files["de.tsv"], "mirna\tbaseMean\tlog2FoldChange") {
		t.Errorf("de.tsv starts %.60q", files["de.tsv"])
	}

	// A contrast of a column the sheet lacks is refused before any work.
	cfg.Contrast = []string{"batch", "a", "b"}
	rec2 := newRecorder()
	cfg.Progress = rec2
	if _, err := study.Run(context.Background(), sh, cfg); !errors.Is(err, study.ErrConfig) || len(rec2.done) != 0 {
		t.Errorf("contrast on a missing column: %v, %d samples run", err, len(rec2.done))
	}
}

// TestResumeRecomputesOnlyTheChangedSample: with a work folder, a rerun
// after one sample's input changed recomputes that sample alone, and the
// outputs equal those of a run from scratch in memory (spilled isomiRs
// merged back give the same bytes). Unchanged, UpToDate says so; Force
// recomputes everything.
func TestResumeRecomputesOnlyTheChangedSample(t *testing.T) {
	dir := t.TempDir()
	samples := []string{"control1", "control2", "tumor1", "tumor2"}
	sh := smallSheet(t, dir, 2000, samples...)
	out := filepath.Join(dir, "out")
	run := func(cfg study.Config) (*recorder, map[string]string) {
		t.Helper()
		return runInto(t, sh, cfg, out)
	}
	first, _ := run(study.Config{})
	for s, reused := range first.done {
		if reused {
			t.Errorf("first run: %s reused", s)
		}
	}
	if ok, err := study.UpToDate(context.Background(), out, sh, study.Config{}); err != nil || !ok {
		t.Errorf("unchanged study not up to date: %v %v", ok, err)
	}
	if ok, _ := study.UpToDate(context.Background(), out, sh, study.Config{Multi: quant.MultiSplit}); ok {
		t.Error("up to date with other settings")
	}

	// tumor1 loses its last 500 reads.
	fq := filepath.Join(dir, "tumor1.fastq")
	b, err := os.ReadFile(fq)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitAfter(string(b), "\n")
	if err := os.WriteFile(fq, []byte(strings.Join(lines[:4*1500], "")), 0o644); err != nil {
		t.Fatal(err)
	}
	if ok, _ := study.UpToDate(context.Background(), out, sh, study.Config{}); ok {
		t.Error("up to date after an input changed")
	}
	second, got := run(study.Config{})
	for _, s := range samples {
		if reused := second.done[s]; reused != (s != "tumor1") {
			t.Errorf("rerun: %s reused %v", s, reused)
		}
	}
	if !strings.Contains(got["summary.tsv"], "input_reads\t2000\t2000\t1500\t2000") {
		t.Error("summary.tsv lacks the changed sample's new read count")
	}
	// The same study from scratch, in memory.
	res, err := study.Run(context.Background(), sh, study.Config{})
	if err != nil {
		t.Fatal(err)
	}
	fresh := filepath.Join(dir, "fresh")
	if err := res.Write(context.Background(), fresh); err != nil {
		t.Fatal(err)
	}
	sameOutputs(t, "resumed vs in memory", got, readDir(t, fresh))

	// Only the modification time changes: recomputed (the rule is size,
	// mtime and checksum), with the same bytes.
	later := time.Now().Add(time.Hour)
	os.Chtimes(filepath.Join(dir, "control2.fastq"), later, later)
	third, got3 := run(study.Config{})
	if third.done["control2"] || !third.done["control1"] {
		t.Errorf("after touching control2: %v", third.done)
	}
	sameOutputs(t, "after touch", got, got3)
	forced, _ := run(study.Config{Force: true})
	for s, reused := range forced.done {
		if reused {
			t.Errorf("forced run: %s reused", s)
		}
	}
}

// cancelAfter cancels a run once n samples are done.
type cancelAfter struct {
	*recorder
	n      int
	cancel context.CancelFunc
}

func (c *cancelAfter) SampleDone(i int, s *study.Sample) {
	c.recorder.SampleDone(i, s)
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.done) == c.n {
		c.cancel()
	}
}

// TestInterruptedThenRerunSameBytes: a run cancelled after its second
// sample keeps those samples; the rerun reuses them, computes the others
// and writes the same bytes as a run that was never interrupted.
func TestInterruptedThenRerunSameBytes(t *testing.T) {
	dir := t.TempDir()
	sh := smallSheet(t, dir, 2000, "tumor1", "control1", "tumor2", "control2")
	out := filepath.Join(dir, "out")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	stop := &cancelAfter{recorder: newRecorder(), n: 2, cancel: cancel}
	_, err := study.Run(ctx, sh, study.Config{Threads: 1, WorkDir: out, Progress: stop})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled run: %v", err)
	}
	rec := newRecorder()
	res, err := study.Run(context.Background(), sh, study.Config{Threads: 1, WorkDir: out, Progress: rec})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for s, reused := range rec.done {
		if _, finished := stop.done[s]; reused && !finished {
			t.Errorf("%s reused though the interrupted run had not finished it", s)
		}
		if reused {
			n++
		}
	}
	if n != 2 {
		t.Errorf("rerun reused %d samples, want the 2 finished before the interruption (%v)", n, rec.done)
	}
	if err := res.Write(context.Background(), out); err != nil {
		t.Fatal(err)
	}
	whole := filepath.Join(dir, "whole")
	res, err = study.Run(context.Background(), sh, study.Config{Threads: 2, WorkDir: whole})
	if err != nil {
		t.Fatal(err)
	}
	if err := res.Write(context.Background(), whole); err != nil {
		t.Fatal(err)
	}
	sameOutputs(t, "interrupted+rerun vs whole", readDir(t, out), readDir(t, whole))
}
