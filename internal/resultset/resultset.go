// Package resultset publishes the output files of one command as a set:
// they appear in the output folder together, replacing the previous set
// of the same command, or not at all.
//
// Files are written into a private staging folder inside the output
// folder. Commit then records a journal (which files move in, which files
// of the previous set go away), renames the files into place, removes the
// previous set's files that the new set lacks, and records the new set in
// a manifest. A set interrupted before the journal is complete leaves the
// previous set untouched; one interrupted after it (only by SIGKILL or a
// crash, within a few renames) is completed by the next Begin on the same
// folder and key. Begin also removes what interrupted runs left behind:
// staging folders and temporary files of the same key.
//
// The key names the set within the folder ("run", or a sample name for
// per-sample outputs), so that several sets can share one folder and only
// files of the same key are ever replaced or removed. Files not recorded
// in a manifest (the user's own) are never touched.
package resultset

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/exomir/exomir/internal/atomicfile"
)

// Names of the bookkeeping files, all hidden in the output folder.
const (
	stagingPrefix  = ".exomir-staging-"
	journalPrefix  = ".exomir-commit-"
	manifestPrefix = ".exomir-set-"
)

// ErrBadName is returned (wrapped) for a key or file name that is not a
// plain file name.
var ErrBadName = errors.New("resultset: invalid name")

// Set is a result set being written. Create its files, then Commit or
// Abort; Abort after Commit is a no-op, so "defer s.Abort()" is safe.
type Set struct {
	dir, key, staging string
	names             []string
	done              bool
}

func checkName(kind, name string) error {
	if name == "" || name == "." || name == ".." || strings.ContainsAny(name, `/\`) || strings.HasPrefix(name, ".exomir-") {
		return fmt.Errorf("%w: %s %q", ErrBadName, kind, name)
	}
	return nil
}

// Begin starts a set named key in dir (created if missing). It first
// completes a commit of the same key that was interrupted, and removes
// staging folders that interrupted runs of that key left.
func Begin(dir, key string) (*Set, error) {
	if err := checkName("key", key); err != nil {
		return nil, err
	}
	if dir == "" {
		dir = "."
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("resultset: %w", err)
	}
	if err := Recover(dir, key); err != nil {
		return nil, err
	}
	staging, err := os.MkdirTemp(dir, stagingPrefix+key+"-")
	if err != nil {
		return nil, fmt.Errorf("resultset: output folder %s: %w", dir, err)
	}
	return &Set{dir: dir, key: key, staging: staging}, nil
}

// Recover completes an interrupted commit of key in dir, if any, and
// removes stale staging folders of key.
func Recover(dir, key string) error {
	journal := filepath.Join(dir, journalPrefix+key)
	if b, err := os.ReadFile(journal); err == nil {
		j, err := parseJournal(string(b))
		if err != nil {
			return fmt.Errorf("resultset: %s: %w", journal, err)
		}
		if err := j.apply(dir, key); err != nil {
			return err
		}
	} else if !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("resultset: %w", err)
	}
	stale, err := filepath.Glob(filepath.Join(dir, stagingPrefix+key+"-*"))
	if err != nil {
		return fmt.Errorf("resultset: %w", err)
	}
	for _, s := range stale {
		if !allDigits(filepath.Base(s)[len(stagingPrefix+key)+1:]) {
			continue // another key that starts with this one ("s1-x" vs "s1")
		}
		if err := os.RemoveAll(s); err != nil {
			return fmt.Errorf("resultset: remove %s: %w", s, err)
		}
	}
	return nil
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// Path returns where a file of the set is written before Commit.
func (s *Set) Path(name string) string { return filepath.Join(s.staging, name) }

// Create starts writing the named file of the set (a plain file name); it
// is part of the set once its Commit succeeds.
func (s *Set) Create(name string) (*atomicfile.File, error) {
	if err := checkName("file", name); err != nil {
		return nil, err
	}
	if slices.Contains(s.names, name) {
		return nil, fmt.Errorf("%w: file %q twice in one set", ErrBadName, name)
	}
	f, err := atomicfile.Create(s.Path(name))
	if err != nil {
		return nil, err
	}
	s.names = append(s.names, name)
	return f, nil
}

// WriteFile writes the named file of the set with the output of fill.
func (s *Set) WriteFile(name string, fill func(w *bufio.Writer) error) error {
	f, err := s.Create(name)
	if err != nil {
		return err
	}
	defer f.Abort()
	if err := fill(f.Writer); err != nil {
		return fmt.Errorf("write %s: %w", filepath.Join(s.dir, name), err)
	}
	return f.Commit()
}

// Abort discards the set; the previous set stays as it was.
func (s *Set) Abort() {
	if s.done {
		return
	}
	s.done = true
	os.RemoveAll(s.staging)
}

// Commit publishes the set: afterwards dir holds its files and none of
// the previous set of the key that it lacks.
func (s *Set) Commit() error {
	if s.done {
		return errors.New("resultset: set already committed or aborted")
	}
	for _, n := range s.names {
		if _, err := os.Stat(s.Path(n)); err != nil {
			s.Abort()
			return fmt.Errorf("resultset: %s was not completed: %w", n, err)
		}
	}
	old, err := readManifest(s.dir, s.key)
	if err != nil {
		s.Abort()
		return err
	}
	j := journal{staging: filepath.Base(s.staging), names: s.names}
	for _, n := range old {
		if !slices.Contains(s.names, n) {
			j.remove = append(j.remove, n)
		}
	}
	if err := writeSmall(filepath.Join(s.dir, journalPrefix+s.key), j.String()); err != nil {
		s.Abort()
		return err
	}
	s.done = true
	return j.apply(s.dir, s.key)
}

// journal is what a commit does; applying it twice is harmless.
type journal struct {
	staging       string
	names, remove []string
}

func (j journal) String() string {
	var b strings.Builder
	b.WriteString("staging\t" + j.staging + "\n")
	for _, n := range j.names {
		b.WriteString("add\t" + n + "\n")
	}
	for _, n := range j.remove {
		b.WriteString("remove\t" + n + "\n")
	}
	b.WriteString("end\n")
	return b.String()
}

func parseJournal(s string) (journal, error) {
	var j journal
	complete := false
	for _, line := range strings.Split(strings.TrimSuffix(s, "\n"), "\n") {
		k, v, _ := strings.Cut(line, "\t")
		if k != "end" && checkName(k, v) != nil && !(k == "staging" && strings.HasPrefix(v, stagingPrefix)) {
			return j, fmt.Errorf("bad journal line %q", line)
		}
		switch k {
		case "staging":
			j.staging = v
		case "add":
			j.names = append(j.names, v)
		case "remove":
			j.remove = append(j.remove, v)
		case "end":
			complete = true
		default:
			return j, fmt.Errorf("bad journal line %q", line)
		}
	}
	if !complete || j.staging == "" {
		return j, errors.New("incomplete journal")
	}
	return j, nil
}

// apply moves the staged files in, removes the old ones, records the
// manifest and clears the journal and the staging folder.
func (j journal) apply(dir, key string) error {
	staging := filepath.Join(dir, j.staging)
	for _, n := range j.names {
		err := os.Rename(filepath.Join(staging, n), filepath.Join(dir, n))
		if err != nil && !errors.Is(err, os.ErrNotExist) { // not there: moved before an interruption
			return fmt.Errorf("resultset: %w", err)
		}
		removeTemps(dir, n)
	}
	for _, n := range j.remove {
		if err := os.Remove(filepath.Join(dir, n)); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("resultset: %w", err)
		}
		removeTemps(dir, n)
	}
	if err := writeSmall(filepath.Join(dir, manifestPrefix+key), strings.Join(j.names, "\n")+"\n"); err != nil {
		return err
	}
	if err := os.Remove(filepath.Join(dir, journalPrefix+key)); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("resultset: %w", err)
	}
	return os.RemoveAll(staging)
}

// removeTemps removes atomicfile temporaries of name left in dir by a
// process that was killed while writing it directly.
func removeTemps(dir, name string) {
	tmps, _ := filepath.Glob(filepath.Join(dir, "."+name+".tmp-*"))
	for _, t := range tmps {
		os.Remove(t)
	}
}

// readManifest lists the files of the previous set of key (none when
// there is no manifest).
func readManifest(dir, key string) ([]string, error) {
	b, err := os.ReadFile(filepath.Join(dir, manifestPrefix+key))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("resultset: %w", err)
	}
	var names []string
	for _, n := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		if n != "" && checkName("file", n) == nil {
			names = append(names, n)
		}
	}
	return names, nil
}

func writeSmall(path, text string) error {
	return atomicfile.WriteFile(path, func(w *bufio.Writer) error {
		_, err := w.WriteString(text)
		return err
	})
}
