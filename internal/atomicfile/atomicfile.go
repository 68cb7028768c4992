// Package atomicfile writes output files so that a reader never sees a
// half-written file: data goes to a temporary file in the same directory,
// which is renamed over the target only on Commit.
package atomicfile

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
)

// File is an output file under construction. Write through it (it is
// buffered), then call Commit to publish it or Abort to discard it. Abort
// after Commit is a no-op, so "defer f.Abort()" is always safe.
type File struct {
	*bufio.Writer
	tmp    *os.File
	path   string
	closed bool
}

// Create starts writing path.
func Create(path string) (*File, error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	tmp, err := os.CreateTemp(dir, "."+base+".tmp-*")
	if err != nil {
		return nil, fmt.Errorf("atomicfile: create %s: %w", path, err)
	}
	return &File{Writer: bufio.NewWriterSize(tmp, 1<<16), tmp: tmp, path: path}, nil
}

// Commit flushes, syncs and renames the file into place.
func (f *File) Commit() error {
	if f.closed {
		return fmt.Errorf("atomicfile: %s already closed", f.path)
	}
	f.closed = true
	err := f.Writer.Flush()
	if err == nil {
		err = f.tmp.Chmod(0o644)
	}
	if cerr := f.tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.tmp.Name(), f.path)
	}
	if err != nil {
		os.Remove(f.tmp.Name())
		return fmt.Errorf("atomicfile: write %s: %w", f.path, err)
	}
	return nil
}

// Abort discards the file. It is safe to call more than once.
func (f *File) Abort() {
	if f.closed {
		return
	}
	f.closed = true
	f.tmp.Close()
	os.Remove(f.tmp.Name())
}

// WriteFile writes path atomically with the output of fill.
func WriteFile(path string, fill func(w *bufio.Writer) error) error {
	f, err := Create(path)
	if err != nil {
		return err
	}
	defer f.Abort()
	if err := fill(f.Writer); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return f.Commit()
}

// CheckDir creates dir if missing and proves that files can be written
// in it by creating and removing a probe file, so that a command finds an
// unwritable output folder before any input is read.
func CheckDir(dir string) error {
	if dir == "" {
		dir = "."
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("atomicfile: output folder %s: %w", dir, err)
	}
	f, err := os.CreateTemp(dir, ".exomir-probe-*")
	if err != nil {
		return fmt.Errorf("atomicfile: output folder %s is not writable: %w", dir, err)
	}
	name := f.Name()
	_, werr := f.WriteString("probe\n")
	cerr := f.Close()
	rerr := os.Remove(name)
	for _, e := range []error{werr, cerr, rerr} {
		if e != nil {
			return fmt.Errorf("atomicfile: output folder %s is not writable: %w", dir, e)
		}
	}
	return nil
}
