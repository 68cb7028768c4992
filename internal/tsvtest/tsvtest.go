// Package tsvtest holds the table helpers of the tests that check exomir's
// count tables against each other (isomir_counts.tsv, mirtop's counts
// table, mirna_counts.tsv) and the output files of two runs against each
// other.
package tsvtest

import (
	"bufio"
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// ReadTable reads a tab-separated file (lines starting with '#' skipped).
func ReadTable(t testing.TB, path string) [][]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var rows [][]string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		if strings.HasPrefix(sc.Text(), "#") {
			continue
		}
		rows = append(rows, strings.Split(sc.Text(), "\t"))
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return rows
}

// SumByMirna sums the sample columns of table rows per value of column
// name: the documented way back from isomir_counts.tsv (and mirtop
// counts' table) to mirna_counts.tsv.
func SumByMirna(t testing.TB, rows [][]string, name string, samples []string) map[string][]int64 {
	t.Helper()
	col := map[string]int{}
	for i, h := range rows[0] {
		col[h] = i
	}
	out := map[string][]int64{}
	for _, r := range rows[1:] {
		m := r[col[name]]
		if out[m] == nil {
			out[m] = make([]int64, len(samples))
		}
		for k, s := range samples {
			v, err := strconv.ParseInt(r[col[s]], 10, 64)
			if err != nil {
				t.Fatalf("%s: %v", s, err)
			}
			out[m][k] += v
		}
	}
	return out
}

// CheckSumsEqualMatrix compares per-miRNA sums with the count matrix.
func CheckSumsEqualMatrix(t testing.TB, what string, got map[string][]int64, matrix [][]string) {
	t.Helper()
	seen := map[string]bool{}
	bad := 0
	for _, r := range matrix[1:] {
		seen[r[0]] = true
		g := got[r[0]]
		for k, c := range r[1:] {
			want, _ := strconv.ParseInt(c, 10, 64)
			var v int64
			if g != nil {
				v = g[k]
			}
			if v != want {
				if bad++; bad <= 5 {
					t.Errorf("%s: %s %s sums to %d, mirna_counts.tsv has %d", what, r[0], matrix[0][k+1], v, want)
				}
			}
		}
	}
	for m := range got {
		if !seen[m] {
			t.Errorf("%s: miRNA %s is not in mirna_counts.tsv", what, m)
		}
	}
	if bad > 0 {
		t.Errorf("%s: %d (miRNA, sample) sums differ from mirna_counts.tsv", what, bad)
	}
}

// SameFiles fails the test for each of files whose bytes differ between
// folder a (named aName in messages) and folder b (bName); a file missing
// from either folder is fatal.
func SameFiles(t testing.TB, a, aName, b, bName string, files []string) {
	t.Helper()
	for _, f := range files {
		x, err := os.ReadFile(filepath.Join(a, f))
		if err != nil {
			t.Fatalf("%s: %v", aName, err)
		}
		y, err := os.ReadFile(filepath.Join(b, f))
		if err != nil {
			t.Fatalf("%s: %v", bName, err)
		}
		if !bytes.Equal(x, y) {
			t.Errorf("%s differs between %s and %s (%d vs %d bytes)", f, aName, bName, len(x), len(y))
		}
	}
}

// ReadFolder maps every entry of dir to its content: files by name, folders
// (not entered) as their name and "/" with content "".
func ReadFolder(t testing.TB, dir string) map[string]string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]string{}
	for _, e := range ents {
		if e.IsDir() {
			m[e.Name()+"/"] = ""
			continue
		}
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		m[e.Name()] = string(b)
	}
	return m
}
