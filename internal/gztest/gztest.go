// Package gztest holds the gzip helpers of the tests: reading a fixture
// whole or the first records of a FASTQ file, and BGZF-compressing bytes.
package gztest

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"io"
	"os"
	"testing"

	"github.com/biogo/hts/bgzf"
)

// BGZF compresses data as one BGZF stream (level 1, with the EOF block).
// Writing to memory cannot fail; if the compressor still returns an
// error, BGZF panics, which fails the calling test.
func BGZF(data []byte) []byte {
	var b bytes.Buffer
	w := bgzf.NewWriter(&b, 1)
	if _, err := w.Write(data); err != nil {
		panic(err)
	}
	if err := w.Close(); err != nil {
		panic(err)
	}
	return b.Bytes()
}

// ReadAll returns the decompressed content of the gzip file path.
func ReadAll(t testing.TB, path string) []byte {
	t.Helper()
	var b []byte
	read(t, path, func(r io.Reader) (err error) {
		b, err = io.ReadAll(r)
		return err
	})
	return b
}

// HeadFastq returns the first n records (4n lines) of the gzip FASTQ file
// path; a shorter file fails the test.
func HeadFastq(t testing.TB, path string, n int) []byte {
	t.Helper()
	var out []byte
	read(t, path, func(r io.Reader) error {
		br := bufio.NewReader(r)
		for i := 0; i < 4*n; i++ {
			line, err := br.ReadBytes('\n')
			if err != nil {
				return err
			}
			out = append(out, line...)
		}
		return nil
	})
	return out
}

// read opens path, hands its decompressed stream to use and fails the test
// on any error, naming the file.
func read(t testing.TB, path string, use func(io.Reader) error) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err == nil {
		err = use(zr)
	}
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}
