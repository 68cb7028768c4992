package resultset

import (
	"bufio"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// listing returns "name=content" for every entry of dir, sorted (folders
// as "name/").
func listing(t *testing.T, dir string) []string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range ents {
		if e.IsDir() {
			out = append(out, e.Name()+"/")
			continue
		}
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, e.Name()+"="+string(b))
	}
	return out
}

func visible(l []string) []string {
	var out []string
	for _, x := range l {
		if !strings.HasPrefix(x, ".") {
			out = append(out, x)
		}
	}
	return out
}

func writeSet(t *testing.T, dir, key string, files map[string]string) {
	t.Helper()
	s, err := Begin(dir, key)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Abort()
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		if err := s.WriteFile(n, func(w *bufio.Writer) error { _, err := w.WriteString(files[n]); return err }); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Commit(); err != nil {
		t.Fatal(err)
	}
}

func TestCommitReplacesTheSet(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("user"), 0o644)
	writeSet(t, dir, "run", map[string]string{"a.tsv": "1", "de.tsv": "1"})
	writeSet(t, dir, "s1", map[string]string{"s1.tsv": "x"})
	writeSet(t, dir, "run", map[string]string{"a.tsv": "2", "b.tsv": "2"})
	// de.tsv was only in the earlier run set: gone; the user's file and
	// the other key's set stay.
	want := []string{"a.tsv=2", "b.tsv=2", "notes.txt=user", "s1.tsv=x"}
	if got := visible(listing(t, dir)); !slices.Equal(got, want) {
		t.Errorf("folder %v, want %v", got, want)
	}
	for _, e := range listing(t, dir) {
		if strings.HasPrefix(e, stagingPrefix) || strings.HasPrefix(e, journalPrefix) || strings.Contains(e, ".tmp-") {
			t.Errorf("left behind: %s", e)
		}
	}
}

func TestAbortKeepsThePreviousSet(t *testing.T) {
	dir := t.TempDir()
	writeSet(t, dir, "run", map[string]string{"a.tsv": "1"})
	before := listing(t, dir)
	s, err := Begin(dir, "run")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.WriteFile("a.tsv", func(w *bufio.Writer) error { w.WriteString("2"); return nil }); err != nil {
		t.Fatal(err)
	}
	if err := s.WriteFile("b.tsv", func(w *bufio.Writer) error { return errors.New("disk full") }); err == nil {
		t.Fatal("fill error not returned")
	}
	s.Abort()
	if got := listing(t, dir); !slices.Equal(got, before) {
		t.Errorf("after abort %v, want %v", got, before)
	}
	// A file created but never completed makes Commit fail, publishing nothing.
	s, _ = Begin(dir, "run")
	s.WriteFile("a.tsv", func(w *bufio.Writer) error { w.WriteString("3"); return nil })
	f, _ := s.Create("c.tsv")
	f.Abort()
	if err := s.Commit(); err == nil {
		t.Fatal("commit of an incomplete set succeeded")
	}
	if got := listing(t, dir); !slices.Equal(got, before) {
		t.Errorf("after failed commit %v, want %v", got, before)
	}
}

// TestInterruptedCommitIsCompleted: a process killed after the journal
// was written, with some files renamed, leaves a folder that the next
// Begin turns into exactly the new set; one killed before the journal
// leaves the old set, and its staging folder is removed.
func TestInterruptedCommitIsCompleted(t *testing.T) {
	for moved := 0; moved <= 3; moved++ {
		dir := t.TempDir()
		writeSet(t, dir, "run", map[string]string{"a.tsv": "1", "old.tsv": "1"})
		s, err := Begin(dir, "run")
		if err != nil {
			t.Fatal(err)
		}
		for _, n := range []string{"a.tsv", "b.tsv", "c.tsv"} {
			s.WriteFile(n, func(w *bufio.Writer) error { w.WriteString("2"); return nil })
		}
		j := journal{staging: filepath.Base(s.staging), names: s.names, remove: []string{"old.tsv"}}
		if err := writeSmall(filepath.Join(dir, journalPrefix+"run"), j.String()); err != nil {
			t.Fatal(err)
		}
		for _, n := range s.names[:moved] { // the kill came after `moved` renames
			os.Rename(s.Path(n), filepath.Join(dir, n))
		}
		if _, err := Begin(dir, "other"); err != nil { // another key: nothing to do with it
			t.Fatal(err)
		}
		if err := Recover(dir, "run"); err != nil {
			t.Fatal(err)
		}
		want := []string{"a.tsv=2", "b.tsv=2", "c.tsv=2"}
		if got := visible(listing(t, dir)); !slices.Equal(got, want) {
			t.Errorf("moved %d: folder %v, want %v", moved, got, want)
		}
		for _, e := range listing(t, dir) {
			if strings.HasPrefix(e, stagingPrefix+"run") || strings.HasPrefix(e, journalPrefix) {
				t.Errorf("moved %d: left behind %s", moved, e)
			}
		}
	}
	// Killed before the journal: the staging folder and a temporary are
	// stale; the old set stays and the next Begin removes them.
	dir := t.TempDir()
	writeSet(t, dir, "run", map[string]string{"a.tsv": "1"})
	s, _ := Begin(dir, "run")
	s.WriteFile("a.tsv", func(w *bufio.Writer) error { w.WriteString("2"); return nil })
	os.WriteFile(filepath.Join(dir, ".a.tsv.tmp-123"), []byte("half"), 0o644)
	s2, err := Begin(dir, "run")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(s.staging); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("stale staging folder kept: %v", err)
	}
	s2.WriteFile("a.tsv", func(w *bufio.Writer) error { w.WriteString("3"); return nil })
	if err := s2.Commit(); err != nil {
		t.Fatal(err)
	}
	if got := visible(listing(t, dir)); !slices.Equal(got, []string{"a.tsv=3"}) {
		t.Errorf("folder %v", got)
	}
	if got := listing(t, dir); slices.Contains(got, ".a.tsv.tmp-123=half") {
		t.Error("stale temporary kept")
	}
}

func TestNames(t *testing.T) {
	dir := t.TempDir()
	for _, k := range []string{"", ".", "..", "a/b", ".exomir-x"} {
		if _, err := Begin(dir, k); !errors.Is(err, ErrBadName) {
			t.Errorf("Begin key %q: %v", k, err)
		}
	}
	s, err := Begin(dir, "k")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Abort()
	for _, n := range []string{"", "..", "../x", "a/b"} {
		if _, err := s.Create(n); !errors.Is(err, ErrBadName) {
			t.Errorf("Create %q: %v", n, err)
		}
	}
	if _, err := s.Create("a"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Create("a"); !errors.Is(err, ErrBadName) {
		t.Errorf("same file twice: %v", err)
	}
	// a key that extends another keeps its staging folder
	other, _ := Begin(dir, "k-2")
	defer other.Abort()
	if err := Recover(dir, "k"); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(other.staging); err != nil {
		t.Errorf("staging of key k-2 removed by key k: %v", err)
	}
}
