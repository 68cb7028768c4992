package gztest

import (
	"bytes"
	"compress/gzip"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/biogo/hts/bgzf"
)

func writeGz(t *testing.T, content string) string {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write([]byte(content))
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "x.gz")
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestReadAllAndHeadFastq(t *testing.T) {
	fq := "@r1\nACGT\n+\nIIII\n@r2\nGGCC\n+\nIIII\n@r3\nTTAA\n+\nIIII\n"
	path := writeGz(t, fq)
	if got := string(ReadAll(t, path)); got != fq {
		t.Errorf("ReadAll = %q, want %q", got, fq)
	}
	if got, want := string(HeadFastq(t, path, 2)), fq[:2*len("@r1\nACGT\n+\nIIII\n")]; got != want {
		t.Errorf("HeadFastq(2) = %q, want %q", got, want)
	}
	if got := string(HeadFastq(t, path, 3)); got != fq {
		t.Errorf("HeadFastq(3) = %q, want the whole file", got)
	}
}

// fatalT records a Fatal instead of failing the real test.
type fatalT struct {
	testing.TB
	failed bool
}

func (f *fatalT) Helper() {}
func (f *fatalT) Fatal(args ...any) {
	f.failed = true
	runtime.Goexit()
}
func (f *fatalT) Fatalf(format string, args ...any) { f.Fatal() }

// failsOn reports whether call fails its test.
func failsOn(call func(testing.TB)) bool {
	f := &fatalT{}
	done := make(chan struct{})
	go func() {
		defer close(done)
		call(f)
	}()
	<-done
	return f.failed
}

func TestFailures(t *testing.T) {
	path := writeGz(t, "@r1\nACGT\n+\nIIII\n")
	if !failsOn(func(tb testing.TB) { HeadFastq(tb, path, 2) }) {
		t.Error("HeadFastq past the end did not fail")
	}
	if failsOn(func(tb testing.TB) { HeadFastq(tb, path, 1) }) {
		t.Error("HeadFastq of the one record failed")
	}
	plain := filepath.Join(t.TempDir(), "plain")
	if err := os.WriteFile(plain, []byte("not gzip"), 0o644); err != nil {
		t.Fatal(err)
	}
	if !failsOn(func(tb testing.TB) { ReadAll(tb, plain) }) {
		t.Error("ReadAll of a plain file did not fail")
	}
	if !failsOn(func(tb testing.TB) { ReadAll(tb, filepath.Join(t.TempDir(), "absent.gz")) }) {
		t.Error("ReadAll of a missing file did not fail")
	}
}

func TestBGZF(t *testing.T) {
	data := bytes.Repeat([]byte("ACGT\n"), 20000) // more than one 64 KiB block
	b := BGZF(data)
	r, err := bgzf.NewReader(bytes.NewReader(b), 1)
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, data) {
		t.Errorf("round trip: %d bytes, want %d", len(got), len(data))
	}
	// A BGZF stream is gzip too, and ends with the 28-byte EOF block.
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	if got, err := io.ReadAll(zr); err != nil || !bytes.Equal(got, data) {
		t.Errorf("as gzip: %d bytes, %v", len(got), err)
	}
	if eof := []byte("\x1f\x8b\x08\x04\x00\x00\x00\x00\x00\xff\x06\x00BC\x02\x00\x1b\x00\x03\x00\x00\x00\x00\x00\x00\x00\x00\x00"); !bytes.HasSuffix(b, eof) {
		t.Error("no BGZF EOF block")
	}
}
