package study_test

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/exomir/exomir/study"
)

// checkCounter is a context whose Err reports context.Canceled from its
// (pass+1)th call on (never when pass < 0): it cancels a write at an
// exact check of ctx, whatever the machine's speed.
type checkCounter struct {
	context.Context
	pass  int64
	calls atomic.Int64
}

func newCheckCounter(pass int64) *checkCounter {
	return &checkCounter{Context: context.Background(), pass: pass}
}

func (c *checkCounter) Err() error {
	if k := c.calls.Add(1); c.pass >= 0 && k > c.pass {
		return context.Canceled
	}
	return nil
}

// treeOf maps every file and folder under dir (hidden ones included) to
// its contents ("/" for a folder).
func treeOf(t *testing.T, dir string) map[string]string {
	t.Helper()
	m := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			m[p] = "/"
			return nil
		}
		b, err := os.ReadFile(p)
		m[p] = string(b)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestWriteCancelled: a cancelled context stops Result.Write between
// outputs and inside them (the large streamed ones included) with an
// error matching context.Canceled, and the output folder keeps the
// previous set, byte for byte, with no half-written or temporary file.
func TestWriteCancelled(t *testing.T) {
	dir := t.TempDir()
	sh, err := study.ReadSheet(context.Background(), smallStudy(t, dir, 4000, "tumor1", "control1", "tumor2", "control2"))
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out")
	res, err := study.Run(context.Background(), sh, study.Config{Threads: 2, WorkDir: out})
	if err != nil {
		t.Fatal(err)
	}
	// Each output on its own: the large ones check ctx inside, and stop
	// when it is cancelled half-way.
	for _, o := range res.Outputs() {
		all := newCheckCounter(-1)
		if err := o.Write(all, io.Discard); err != nil {
			t.Fatalf("%s: %v", o.Name, err)
		}
		n := all.calls.Load()
		switch o.Name {
		case "isomirs.gff3", "isomir_counts.tsv", "mirna_counts.tsv", "report.html", "editing.tsv":
			if n < 3 {
				t.Errorf("%s: ctx checked %d times, want several", o.Name, n)
			}
		}
		for _, pass := range []int64{0, n / 2} {
			if err := o.Write(newCheckCounter(pass), io.Discard); !errors.Is(err, context.Canceled) {
				t.Errorf("%s cancelled after %d of %d checks: %v, want context.Canceled", o.Name, pass, n, err)
			}
		}
	}

	// The whole set, cancelled at checks spread over a full write.
	all := newCheckCounter(-1)
	if err := res.Write(all, out); err != nil {
		t.Fatal(err)
	}
	before := treeOf(t, out)
	n := all.calls.Load()
	const tries = 12
	inside := 0
	for i := int64(0); i < tries; i++ {
		pass := i * (n - 1) / (tries - 1) // 0 … n-1: the last is the check before publishing
		err := res.Write(newCheckCounter(pass), out)
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("cancelled after %d of %d checks: %v, want context.Canceled", pass, n, err)
		}
		if strings.Contains(err.Error(), "write "+out) {
			inside++ // stopped inside a file, not between two
		}
		after := treeOf(t, out)
		for p, b := range after {
			if a, ok := before[p]; !ok {
				t.Errorf("cancelled after %d checks: %s left behind", pass, p)
			} else if a != b {
				t.Errorf("cancelled after %d checks: %s changed", pass, p)
			}
		}
		for p := range before {
			if _, ok := after[p]; !ok {
				t.Errorf("cancelled after %d checks: %s removed", pass, p)
			}
		}
	}
	if inside == 0 {
		t.Errorf("no cancellation of %d fell inside a file (%d checks)", tries, n)
	}
}
