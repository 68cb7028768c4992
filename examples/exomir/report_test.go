package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/exomir/exomir/internal/tsvtest"
)

// exomir report on a run's folder writes the same report.html and MultiQC
// files as the run did.
func TestReportFromRunFolderEqualsRun(t *testing.T) {
	dir := runDemoStudy(t, 2)
	out := filepath.Join(t.TempDir(), "again")
	var stdout, stderr bytes.Buffer
	title := "exomir study: samplesheet.tsv"
	if code := runMain([]string{"report", "-in", dir, "-out", out, "-title", title}, &stdout, &stderr); code != 0 {
		t.Fatalf("report exited %d: %s%s", code, stdout.String(), stderr.String())
	}
	tsvtest.SameFiles(t, dir, "run", out, "report", []string{"report.html", "exomir_accounting_mqc.tsv", "exomir_general_stats_mqc.tsv", "exomir_lengths_mqc.json"})
}

// A folder without summary.tsv is an error naming it, and nothing is
// written.
func TestReportNeedsSummary(t *testing.T) {
	in, out := t.TempDir(), filepath.Join(t.TempDir(), "out")
	var stdout, stderr bytes.Buffer
	if code := runMain([]string{"report", "-in", in, "-out", out}, &stdout, &stderr); code == 0 {
		t.Fatal("report of an empty folder succeeded")
	}
	if !strings.Contains(stderr.String(), "summary.tsv") {
		t.Errorf("stderr does not name summary.tsv: %s", stderr.String())
	}
	if _, err := os.Stat(filepath.Join(out, "report.html")); err == nil {
		t.Error("report.html written despite the error")
	}
}

// -panel adds the signature section from a panel folder elsewhere; the
// optional sections of the fixture folder appear.
func TestReportPanelFlag(t *testing.T) {
	fixture := "../../report/testdata/fixture"
	in := t.TempDir()
	ents, err := os.ReadDir(fixture)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		if e.IsDir() {
			continue // leave panel/ behind
		}
		b, err := os.ReadFile(filepath.Join(fixture, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(in, e.Name()), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	read := func(args ...string) string {
		t.Helper()
		out := filepath.Join(t.TempDir(), "out")
		var stdout, stderr bytes.Buffer
		if code := runMain(append([]string{"report", "-in", in, "-out", out}, args...), &stdout, &stderr); code != 0 {
			t.Fatalf("report exited %d: %s", code, stderr.String())
		}
		b, err := os.ReadFile(filepath.Join(out, "report.html"))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	if strings.Contains(read(), `<h2 id="signature"`) {
		t.Error("signature section without a panel")
	}
	page := read("-panel", filepath.Join(fixture, "panel"))
	for _, id := range []string{"signature", "spikeins", "exogenous", "editing", "isomirs", "evqc", "biomarkers"} {
		if !strings.Contains(page, `<h2 id="`+id+`"`) {
			t.Errorf("section %s missing", id)
		}
	}
}
