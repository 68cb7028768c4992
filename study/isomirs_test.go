package study_test

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/exomir/exomir/diffexp"
	"github.com/exomir/exomir/internal/tsvtest"
	"github.com/exomir/exomir/quant"
	"github.com/exomir/exomir/study"
)

// TestIsomirOutputsSameInEveryMode: isomir_counts.tsv,
// exomir_isomirs_mqc.tsv and de_isomirs.tsv (like every output) are the
// same bytes in memory and with a work folder, fresh and resumed, with 1
// or 2 threads; the resumed run reads the isomiR rows and statistics back
// from the spilled samples.
func TestIsomirOutputsSameInEveryMode(t *testing.T) {
	dir := t.TempDir()
	sh := smallSheet(t, dir, 3000, "control1", "control2", "tumor1", "tumor2")
	work := filepath.Join(dir, "work")
	run := func(name string, cfg study.Config) (*recorder, map[string]string) {
		t.Helper()
		rec := newRecorder()
		cfg.Progress = rec
		res, err := study.Run(context.Background(), sh, cfg)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		out := filepath.Join(dir, name)
		if cfg.WorkDir != "" {
			out = cfg.WorkDir
		}
		if err := res.Write(context.Background(), out); err != nil {
			t.Fatal(err)
		}
		return rec, readDir(t, out)
	}
	_, mem1 := run("mem1", study.Config{Threads: 1})
	for _, name := range []string{"isomir_counts.tsv", "exomir_isomirs_mqc.tsv", "de_isomirs.tsv"} {
		if strings.Count(mem1[name], "\n") < 3 {
			t.Fatalf("%s: %d lines", name, strings.Count(mem1[name], "\n"))
		}
	}
	if strings.Contains(mem1["summary.tsv"], "de_isomirs_skipped") {
		t.Fatal("isomiR DE skipped on the small study")
	}
	iso := parseTable(mem1["isomir_counts.tsv"])
	matrix := parseTable(mem1["mirna_counts.tsv"])
	tsvtest.CheckSumsEqualMatrix(t, "isomir_counts.tsv", tsvtest.SumByMirna(t, iso, "mirna", matrix[0][1:]), matrix)

	_, mem2 := run("mem2", study.Config{Threads: 2})
	sameOutputs(t, "in memory, 1 vs 2 threads", mem1, mem2)
	_, fresh := run("work", study.Config{Threads: 2, WorkDir: work})
	sameOutputs(t, "in memory vs work folder", mem1, fresh)
	rec, resumed := run("work", study.Config{Threads: 1, WorkDir: work})
	for s, reused := range rec.done {
		if !reused {
			t.Errorf("resumed run recomputed %s", s)
		}
	}
	sameOutputs(t, "in memory vs resumed", mem1, resumed)

	// The spilled sample keeps its isomiR statistics.
	b, err := os.ReadFile(filepath.Join(work, "samples", "tumor1.sample.json"))
	if err != nil {
		t.Fatal(err)
	}
	var rec1 struct {
		Format  int `json:"format"`
		Isomirs struct {
			Total int64
		} `json:"isomir_stats"`
	}
	if err := json.Unmarshal(b, &rec1); err != nil || rec1.Format < 2 || rec1.Isomirs.Total == 0 {
		t.Errorf("tumor1.sample.json: format %d, isomiR total %d (%v)", rec1.Format, rec1.Isomirs.Total, err)
	}
}

// parseTable splits a tab-separated text into rows of fields.
func parseTable(s string) [][]string {
	var rows [][]string
	for _, l := range strings.Split(strings.TrimSuffix(s, "\n"), "\n") {
		rows = append(rows, strings.Split(l, "\t"))
	}
	return rows
}

// TestIsomirDEFailureIsAWarning: when the isomiR-level DE fails, the
// study still runs: no de_isomirs.tsv, a de_isomirs_skipped warning told
// to Progress (the CLI's stderr), in summary.tsv's study_warnings and in
// the report; with Strict it is an error.
func TestIsomirDEFailureIsAWarning(t *testing.T) {
	dir := t.TempDir()
	sh := smallSheet(t, dir, 1000, "control1", "control2", "tumor1", "tumor2")
	defer study.SetIsomirDEFit(func(context.Context, []diffexp.IsomirLevel, *diffexp.ColData, diffexp.Options) ([]*diffexp.Results, error) {
		return nil, errors.New("test failure of the isomiR fit")
	})()
	for _, work := range []string{"", filepath.Join(dir, "work")} {
		rec := newRecorder()
		res, err := study.Run(context.Background(), sh, study.Config{Threads: 2, WorkDir: work, Progress: rec})
		if err != nil {
			t.Fatalf("work folder %q: %v", work, err)
		}
		if res.DE == nil || res.IsomirDE != nil {
			t.Fatalf("DE %v, isomiR DE %v: want the miRNA DE only", res.DE != nil, res.IsomirDE != nil)
		}
		told := false
		for _, w := range rec.warnings {
			if w.Code == quant.WarnDEIsomirsSkipped && strings.Contains(w.Message, "test failure of the isomiR fit") {
				told = true
			}
		}
		if !told {
			t.Errorf("no de_isomirs_skipped warning told to Progress: %v", rec.warnings)
		}
		out := filepath.Join(dir, "out")
		if err := res.Write(context.Background(), out); err != nil {
			t.Fatal(err)
		}
		files := readDir(t, out)
		if _, ok := files["de_isomirs.tsv"]; ok {
			t.Error("de_isomirs.tsv written after a failed isomiR DE")
		}
		if _, ok := files["isomir_counts.tsv"]; !ok {
			t.Error("isomir_counts.tsv missing")
		}
		found := false
		for _, row := range parseTable(files["summary.tsv"]) {
			if row[0] == "study_warnings" && strings.Contains(row[1], "de_isomirs_skipped") {
				found = true
			}
		}
		if !found {
			t.Error("summary.tsv study_warnings lacks de_isomirs_skipped")
		}
		if !strings.Contains(files["report.html"], "de_isomirs_skipped") {
			t.Error("report.html lacks de_isomirs_skipped")
		}
	}
	_, err := study.Run(context.Background(), sh, study.Config{Threads: 2, Strict: true})
	if !errors.Is(err, study.ErrStrict) || !strings.Contains(err.Error(), "de_isomirs_skipped") {
		t.Errorf("strict run: %v, want ErrStrict naming de_isomirs_skipped", err)
	}
}
