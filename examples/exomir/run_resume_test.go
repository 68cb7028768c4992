package main

import (
	"bytes"
	"encoding/json"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/exomir/exomir/internal/gztest"
	"github.com/exomir/exomir/internal/tsvtest"
)

// TestRunResume: a second run of an unchanged study does nothing and says
// so; after one input is touched only that sample is recomputed (the
// manifest says which were reused) and the outputs keep their bytes;
// -force recomputes every sample; -resume=false too.
func TestRunResume(t *testing.T) {
	dir := t.TempDir()
	var sb strings.Builder
	sb.WriteString("sample\tcondition\tfastq\n")
	for _, s := range []string{"tumor1", "tumor2", "control1", "control2"} {
		fq := filepath.Join(dir, s+".fastq")
		if err := os.WriteFile(fq, gztest.HeadFastq(t, filepath.Join("../../testdata/demo", s+".fastq.gz"), 2000), 0o644); err != nil {
			t.Fatal(err)
		}
		sb.WriteString(s + "\t" + strings.TrimRight(s, "0123456789") + "\t" + s + ".fastq\n")
	}
	sheet := filepath.Join(dir, "sheet.tsv")
	if err := os.WriteFile(sheet, []byte(sb.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out")
	run := func(extra ...string) string {
		t.Helper()
		var stdout, stderr bytes.Buffer
		if code := runMain(append([]string{"run", "-samplesheet", sheet, "-out", out, "-quiet"}, extra...), &stdout, &stderr); code != 0 {
			t.Fatalf("run %v: exit %d\n%s", extra, code, stderr.String())
		}
		return stdout.String()
	}
	reused := func() map[string]bool {
		t.Helper()
		b, err := os.ReadFile(filepath.Join(out, "manifest.json"))
		if err != nil {
			t.Fatal(err)
		}
		var m struct {
			Samples []struct {
				Name   string
				Reused bool
			}
		}
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatal(err)
		}
		r := map[string]bool{}
		for _, s := range m.Samples {
			r[s.Name] = s.Reused
		}
		return r
	}
	run()
	first := visibleState(tsvtest.ReadFolder(t, out))
	if got := run(); !strings.Contains(got, "up to date") {
		t.Errorf("unchanged rerun: %q", got)
	}
	later := time.Now().Add(time.Hour)
	if err := os.Chtimes(filepath.Join(dir, "tumor2.fastq"), later, later); err != nil {
		t.Fatal(err)
	}
	if got := run(); strings.Contains(got, "up to date") {
		t.Errorf("rerun after a touched input: %q", got)
	}
	want := map[string]bool{"tumor1": true, "tumor2": false, "control1": true, "control2": true}
	if got := reused(); len(got) != 4 || got["tumor1"] != true || got["tumor2"] != false || got["control1"] != true || got["control2"] != true {
		t.Errorf("reused %v, want %v", got, want)
	}
	if got := visibleState(tsvtest.ReadFolder(t, out)); !maps.Equal(got, first) {
		t.Error("outputs changed after recomputing an unchanged sample")
	}
	for _, flags := range [][]string{{"-force"}, {"-resume=false"}} {
		run(flags...)
		for s, r := range reused() {
			if r {
				t.Errorf("%v: %s reused", flags, s)
			}
		}
	}
}
