package main

import (
	"bytes"
	"errors"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/exomir/exomir/internal/gztest"
	"github.com/exomir/exomir/internal/tsvtest"
)

// TestMain lets the tests run the CLI as a child process (to send it
// signals): with EXOMIR_TEST_MAIN=1 the test binary is exomir.
func TestMain(m *testing.M) {
	if os.Getenv("EXOMIR_TEST_MAIN") == "1" {
		os.Exit(runMain(os.Args[1:], os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}

// exomirCmd is the CLI as a child process.
func exomirCmd(args ...string) *exec.Cmd {
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), "EXOMIR_TEST_MAIN=1")
	return cmd
}

// visibleState is tsvtest.ReadFolder without hidden entries (exomir's
// bookkeeping, staging folders and temporaries), without manifest.json
// (it records timings) and without the samples/ folder (the kept
// per-sample results, compared by sameSamples).
func visibleState(m map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range m {
		if !strings.HasPrefix(k, ".") && k != "manifest.json" && k != "samples/" {
			out[k] = v
		}
	}
	return out
}

// sameSamples fails unless the isomiR files (GFF and rows) kept in
// a/samples and b/samples are the same (the .sample.json files record
// timings).
func sameSamples(t *testing.T, what, a, b string) {
	t.Helper()
	sa, sb := tsvtest.ReadFolder(t, filepath.Join(a, "samples")), tsvtest.ReadFolder(t, filepath.Join(b, "samples"))
	n := 0
	for k, v := range sa {
		if strings.HasSuffix(k, ".isomirs.gff3") || strings.HasSuffix(k, ".isomir_rows.tsv") {
			n++
			if sb[k] != v {
				t.Errorf("%s: samples/%s differs", what, k)
			}
		}
	}
	if n != 8 {
		t.Errorf("%s: %d isomiR files kept in %s/samples", what, n, a)
	}
}

// copyState writes the files of m (not its folders) into dir.
func copyState(t *testing.T, m map[string]string, dir string) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for k, v := range m {
		if strings.HasSuffix(k, "/") {
			continue
		}
		if err := os.WriteFile(filepath.Join(dir, k), []byte(v), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// TestRunInterruptedKeepsOneCompleteSet sends SIGTERM at 20 moments of a
// `run` into a folder holding an earlier result (made with -multi unique,
// so its bytes differ): afterwards the folder holds exactly the earlier
// set or exactly the new one, an interrupted run exits non-zero, and the
// next complete run leaves no staging folder or temporary file, and the
// same bytes as an uninterrupted run (reusing the samples the interrupted
// run had finished). A first
// run with DE and a second without show that files only the earlier set
// had are removed.
func TestRunInterruptedKeepsOneCompleteSet(t *testing.T) {
	demo, err := filepath.Abs("../../testdata/demo")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	sheet := filepath.Join(dir, "sheet.tsv")
	var sb strings.Builder
	sb.WriteString("sample\tcondition\tfastq\n")
	for _, s := range []string{"tumor1", "tumor2", "control1", "control2"} {
		// the first 10,000 reads of the demo sample: the test runs exomir
		// about 30 times (under -race in CI)
		fq := filepath.Join(dir, s+".fastq")
		if err := os.WriteFile(fq, gztest.HeadFastq(t, filepath.Join(demo, s+".fastq.gz"), 10000), 0o644); err != nil {
			t.Fatal(err)
		}
		sb.WriteString(s + "\t" + strings.TrimRight(s, "0123456789") + "\t" + fq + "\n")
	}
	if err := os.WriteFile(sheet, []byte(sb.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	args := func(out string, extra ...string) []string {
		return append([]string{"run", "-samplesheet", sheet, "-out", out, "-quiet"}, extra...)
	}
	runOK := func(out string, extra ...string) time.Duration {
		t.Helper()
		start := time.Now()
		if b, err := exomirCmd(args(out, extra...)...).CombinedOutput(); err != nil {
			t.Fatalf("run: %v\n%s", err, b)
		}
		return time.Since(start)
	}
	oldDir, newDir := filepath.Join(dir, "old"), filepath.Join(dir, "new")
	runOK(oldDir, "-multi", "unique")
	full := runOK(newDir)
	oldState, newState := tsvtest.ReadFolder(t, oldDir), tsvtest.ReadFolder(t, newDir)
	if maps.Equal(visibleState(oldState), visibleState(newState)) {
		t.Fatal("the two results do not differ: the test could not tell them apart")
	}

	sawOld, sawNew, reused := 0, 0, 0
	for k := 0; k < 20; k++ {
		out := filepath.Join(dir, "trial", string(rune('a'+k)))
		copyState(t, oldState, out)
		cmd := exomirCmd(args(out)...)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(full * time.Duration(13*k) / 190) // 0 to 1.3 × a full run
		cmd.Process.Signal(syscall.SIGTERM)
		err := cmd.Wait()
		got := visibleState(tsvtest.ReadFolder(t, out))
		switch {
		case maps.Equal(got, visibleState(oldState)):
			sawOld++
			var ee *exec.ExitError
			if !errors.As(err, &ee) {
				t.Errorf("moment %d: the earlier set is in place but the run ended with %v", k, err)
			}
		case maps.Equal(got, visibleState(newState)):
			sawNew++
		default:
			t.Errorf("moment %d: the folder holds neither set: %v (stderr %s)", k, slices.Sorted(maps.Keys(got)), stderr.String())
		}
		if k%5 != 4 {
			continue
		}
		// The next complete run leaves exactly the new set and no debris.
		runOK(out)
		after := tsvtest.ReadFolder(t, out)
		if !maps.Equal(visibleState(after), visibleState(newState)) {
			t.Errorf("moment %d: rerun holds %v", k, slices.Sorted(maps.Keys(after)))
		}
		sameSamples(t, fmt.Sprintf("moment %d", k), out, newDir)
		reused += strings.Count(after["manifest.json"], `"reused": true`)
		for name := range after {
			if strings.HasPrefix(name, ".exomir-staging") || strings.HasPrefix(name, ".exomir-commit") || strings.Contains(name, ".tmp-") {
				t.Errorf("moment %d: %s left after the rerun", k, name)
			}
		}
	}
	t.Logf("full run %v; interrupted runs left the earlier set %d times, the new set %d times; reruns reused %d samples", full, sawOld, sawNew, reused)
	if sawOld == 0 {
		t.Error("no interruption landed before the commit: the test checks nothing")
	}

	// A rerun that skips DE (one condition) removes de.tsv and roc.tsv of
	// the earlier set; the user's own file stays.
	os.WriteFile(filepath.Join(newDir, "my_notes.txt"), []byte("mine"), 0o644)
	one := filepath.Join(dir, "one.tsv")
	os.WriteFile(one, []byte("sample\tcondition\tfastq\ntumor1\ttumor\t"+filepath.Join(dir, "tumor1.fastq")+"\n"), 0o644)
	if b, err := exomirCmd("run", "-samplesheet", one, "-out", newDir, "-quiet").CombinedOutput(); err != nil {
		t.Fatalf("run: %v\n%s", err, b)
	}
	st := tsvtest.ReadFolder(t, newDir)
	for _, gone := range []string{"de.tsv", "roc.tsv"} {
		if _, ok := st[gone]; ok {
			t.Errorf("%s of the earlier set kept", gone)
		}
	}
	if st["my_notes.txt"] != "mine" {
		t.Error("the user's file was touched")
	}
}
