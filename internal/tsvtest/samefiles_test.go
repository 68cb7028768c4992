package tsvtest

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// recordT records failures instead of failing the real test.
type recordT struct {
	testing.TB
	errors []string
	fatal  bool
}

func (r *recordT) Helper() {}
func (r *recordT) Errorf(format string, args ...any) {
	r.errors = append(r.errors, format)
}
func (r *recordT) Fatalf(format string, args ...any) {
	r.fatal = true
	runtime.Goexit()
}

func sameFiles(a, b string, files []string) *recordT {
	r := &recordT{}
	done := make(chan struct{})
	go func() {
		defer close(done)
		SameFiles(r, a, "a", b, "b", files)
	}()
	<-done
	return r
}

func TestSameFiles(t *testing.T) {
	a, b := t.TempDir(), t.TempDir()
	for dir, files := range map[string]map[string]string{
		a: {"x.tsv": "1\n", "y.tsv": "2\n"},
		b: {"x.tsv": "1\n", "y.tsv": "3\n"},
	} {
		for n, c := range files {
			if err := os.WriteFile(filepath.Join(dir, n), []byte(c), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	if r := sameFiles(a, b, []string{"x.tsv"}); len(r.errors) != 0 || r.fatal {
		t.Errorf("equal files: %v, fatal %v", r.errors, r.fatal)
	}
	if r := sameFiles(a, b, []string{"x.tsv", "y.tsv"}); len(r.errors) != 1 || !strings.Contains(r.errors[0], "differs") {
		t.Errorf("different files: %v", r.errors)
	}
	if r := sameFiles(a, b, []string{"z.tsv"}); !r.fatal {
		t.Error("missing file not fatal")
	}
}

func TestReadFolder(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "a.tsv"), []byte("x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(dir, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "sub", "b.tsv"), []byte("y\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	got := ReadFolder(t, dir)
	if len(got) != 2 || got["a.tsv"] != "x\n" || got["sub/"] != "" {
		t.Errorf("ReadFolder = %q, want a.tsv and sub/", got)
	}
	if _, ok := got["sub/"]; !ok {
		t.Error("folder sub/ missing")
	}
}
