// Package gztest reads the gzip fixtures of the tests: a whole file, or
// the first records of a FASTQ file.
package gztest

import (
	"bufio"
	"compress/gzip"
	"io"
	"os"
	"testing"
)

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
