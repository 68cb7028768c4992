package testenv

import (
	"os"
	"path/filepath"
	"testing"
)

// fakeT records how a helper stopped the test instead of stopping it.
type fakeT struct {
	testing.TB
	failed, skipped bool
}

func (f *fakeT) Helper()           {}
func (f *fakeT) Fatal(args ...any) { f.failed = true; panic(f) }
func (f *fakeT) Skip(args ...any)  { f.skipped = true; panic(f) }

// run calls fn with a fakeT and reports whether it failed or skipped.
func run(fn func(t testing.TB)) (failed, skipped bool) {
	f := &fakeT{}
	func() {
		defer func() {
			if r := recover(); r != nil && r != any(f) {
				panic(r)
			}
		}()
		fn(f)
	}()
	return f.failed, f.skipped
}

func TestMissingSkipsOutsideCIAndFailsInCI(t *testing.T) {
	absent := filepath.Join(t.TempDir(), "absent")
	for _, ci := range []string{"", "1", "true"} {
		t.Setenv("CI", ci)
		failed, skipped := run(func(t testing.TB) { Path(t, absent) })
		if wantFail := ci == "true"; failed != wantFail || skipped == wantFail {
			t.Errorf("CI=%q: failed %v, skipped %v", ci, failed, skipped)
		}
	}
}

func TestPresentThingsPass(t *testing.T) {
	t.Setenv("CI", "true")
	dir := t.TempDir()
	exe := filepath.Join(dir, "mytool")
	if err := os.WriteFile(exe, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", dir)
	f := &fakeT{}
	if got := Tool(f, "nosuchtool", "mytool"); got != exe || f.failed || f.skipped {
		t.Errorf("Tool: %q, failed %v, skipped %v", got, f.failed, f.skipped)
	}
	Path(f, dir)
	if f.failed || f.skipped {
		t.Errorf("Path of an existing folder stopped the test")
	}
}
