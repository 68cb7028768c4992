package quant

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// Random per-sample files drawn from one ordered feature list, each with
// a random subset of the rows: the merge equals the simple reference
// (every row seen, in the list's order, absent = 0) whenever the rows of
// the result are constrained by the files, and always holds each file's
// rows in its order with its counts.
func TestMergeKeyedCountFilesRandom(t *testing.T) {
	rng := rand.New(rand.NewSource(7))
	for trial := 0; trial < 30; trial++ {
		dir := t.TempDir()
		nfeat, nfile := 1+rng.Intn(30), 1+rng.Intn(5)
		full := trial%2 == 0 // every file lists every row: order fully fixed
		var paths []string
		counts := make([]map[int]int64, nfile)
		for f := 0; f < nfile; f++ {
			counts[f] = map[int]int64{}
			var sb strings.Builder
			fmt.Fprintf(&sb, "feature\tclass\ts%d\n", f)
			for i := 0; i < nfeat; i++ {
				if !full && rng.Intn(2) == 0 {
					continue
				}
				n := int64(rng.Intn(5))
				counts[f][i] = n
				fmt.Fprintf(&sb, "f%d\tc%d\t%d\n", i, i%3, n)
			}
			p := filepath.Join(dir, fmt.Sprintf("s%d.smallrna_counts.tsv", f))
			if err := os.WriteFile(p, []byte(sb.String()), 0o644); err != nil {
				t.Fatal(err)
			}
			paths = append(paths, p)
		}
		var got bytes.Buffer
		st, err := MergeKeyedCountFiles(&got, paths, 2)
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(strings.TrimSuffix(got.String(), "\n"), "\n")
		rows := map[string][]string{}
		var order []int
		for _, l := range lines[1:] {
			f := strings.Split(l, "\t")
			var i int
			fmt.Sscanf(f[0], "f%d", &i)
			order = append(order, i)
			rows[f[0]] = f[2:]
		}
		var want []int
		for i := 0; i < nfeat; i++ {
			for f := range counts {
				if _, ok := counts[f][i]; ok {
					want = append(want, i)
					break
				}
			}
		}
		if st.Features != len(want) || st.Samples != nfile {
			t.Fatalf("trial %d: stats %+v, want %d rows, %d samples", trial, st, len(want), nfile)
		}
		if full && !slices.Equal(order, want) {
			t.Errorf("trial %d: order %v, want %v", trial, order, want)
		}
		pos := map[int]int{}
		for k, i := range order {
			pos[i] = k
		}
		for f := range counts {
			last := -1
			for i := 0; i < nfeat; i++ {
				n, ok := counts[f][i]
				if !ok {
					continue
				}
				if pos[i] < last {
					t.Errorf("trial %d: file %d's order not kept", trial, f)
				}
				last = pos[i]
				if rows[fmt.Sprintf("f%d", i)][f] != fmt.Sprint(n) {
					t.Errorf("trial %d: f%d in s%d: %s, want %d", trial, i, f, rows[fmt.Sprintf("f%d", i)][f], n)
				}
			}
			for name, r := range rows {
				var i int
				fmt.Sscanf(name, "f%d", &i)
				if _, ok := counts[f][i]; !ok && r[f] != "0" {
					t.Errorf("trial %d: %s absent from s%d but %s", trial, name, f, r[f])
				}
			}
		}
	}
}

// trf_counts.tsv rows are sorted by tRNA name, then fragment type.
func TestMergeKeyedTRFOrder(t *testing.T) {
	dir := t.TempDir()
	a := filepath.Join(dir, "a.trf_counts.tsv")
	b := filepath.Join(dir, "b.trf_counts.tsv")
	os.WriteFile(a, []byte("trna\ttrf_type\ta\nGly-GCC-1\t3p-tRF\t2\nVal-AAC-1\t5p-half\t1\n"), 0o644)
	os.WriteFile(b, []byte("trna\ttrf_type\tb\nAla-AGC-1\tleader\t4\nGly-GCC-1\t5p-tRF\t3\n"), 0o644)
	var got bytes.Buffer
	if _, err := MergeKeyedCountFiles(&got, []string{a, b}, 2); err != nil {
		t.Fatal(err)
	}
	want := "trna\ttrf_type\ta\tb\nAla-AGC-1\tleader\t0\t4\nGly-GCC-1\t5p-tRF\t0\t3\nGly-GCC-1\t3p-tRF\t2\t0\nVal-AAC-1\t5p-half\t1\t0\n"
	if got.String() != want {
		t.Errorf("got\n%swant\n%s", got.String(), want)
	}
}

func TestMergeKeyedCountFilesErrors(t *testing.T) {
	dir := t.TempDir()
	w := func(name, s string) string {
		p := filepath.Join(dir, name)
		os.WriteFile(p, []byte(s), 0o644)
		return p
	}
	ok := w("ok.tsv", "feature\tclass\tx\nf1\ttRNA\t3\n")
	for _, c := range []struct {
		files []string
		want  error
		text  string
	}{
		{[]string{ok, w("dup.tsv", "feature\tclass\tx\nf1\ttRNA\t1\n")}, ErrMergeDuplicateName, "x"},
		{[]string{w("neg.tsv", "feature\tclass\ty\nf1\ttRNA\t-1\n")}, ErrMergeCount, "neg.tsv:2"},
		{[]string{w("cols.tsv", "feature\tclass\ty\nf1\t1\n")}, ErrMergeColumns, "cols.tsv:2"},
		{[]string{ok, w("key.tsv", "mirna\tclass\ty\nf1\ttRNA\t1\n")}, ErrMergeFeatures, "key.tsv:1"},
		{[]string{w("twice.tsv", "feature\tclass\ty\nf1\ttRNA\t1\nf1\ttRNA\t2\n")}, ErrMergeDuplicateRow, "twice.tsv:3"},
		{nil, ErrMergeNoInput, ""},
	} {
		_, err := MergeKeyedCountFiles(&bytes.Buffer{}, c.files, 2)
		if !errors.Is(err, c.want) || !strings.Contains(fmt.Sprint(err), c.text) {
			t.Errorf("%v: %v, want %v naming %q", c.files, err, c.want, c.text)
		}
	}
}
