package quant

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
)

// mergeWriteTemp writes content to dir/name and returns the path.
func mergeWriteTemp(t testing.TB, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestSampleNameFromPath(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"out/S1.mirna_counts.tsv", "S1"},
		{"S1.hairpin_counts.tsv.gz", "S1"},
		{"/a/b/ctrl_3_counts.txt", "ctrl_3"},
		{"tumor.tsv", "tumor"},
		{"x.counts.tsv", "x"},
		{".mirna_counts.tsv", ".mirna_counts"},
		{"plain", "plain"},
	} {
		if got := sampleNameFromPath(tc.in); got != tc.want {
			t.Errorf("sampleNameFromPath(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestMergeCountFilesCases(t *testing.T) {
	type file struct{ name, content string }
	for _, tc := range []struct {
		name  string
		files []file
		want  string
		reord int
	}{
		{
			name: "headers, same order",
			files: []file{
				{"A.mirna_counts.tsv", "mirna\tcount\nm1\t1\nm2\t0\n"},
				{"B.mirna_counts.tsv", "mirna\tcount\nm1\t7\nm2\t12\n"},
			},
			want: "mirna\tA\tB\nm1\t1\t7\nm2\t0\t12\n",
		},
		{
			name: "no header, CRLF, comments and blank lines",
			files: []file{
				{"A.tsv", "# made by hand\r\nm1\t1\r\n\r\nm2\t2\r\n"},
				{"B.tsv", "m1\t3\nm2\t4\n\n"},
			},
			want: "mirna\tA\tB\nm1\t1\t3\nm2\t2\t4\n",
		},
		{
			name: "sample name from header, first column name kept",
			files: []file{
				{"x.tsv", "hairpin\tpatient7\nh1\t5\n"},
				{"y.tsv", "hairpin\tcount\nh1\t6\n"},
			},
			want: "hairpin\tpatient7\ty\nh1\t5\t6\n",
		},
		{
			name: "other order is reordered",
			files: []file{
				{"A.tsv", "m1\t1\nm2\t2\nm3\t3\n"},
				{"B.tsv", "m3\t30\nm1\t10\nm2\t20\n"},
				{"C.tsv", "m1\t100\nm2\t200\nm3\t300\n"},
			},
			want:  "mirna\tA\tB\tC\nm1\t1\t10\t100\nm2\t2\t20\t200\nm3\t3\t30\t300\n",
			reord: 1,
		},
		{
			name: "matrix input keeps its sample names",
			files: []file{
				{"m.tsv", "mirna\ts1\ts2\nm1\t1\t2\nm2\t3\t4\n"},
				{"s3.mirna_counts.tsv", "m1\t5\nm2\t6\n"},
			},
			want: "mirna\ts1\ts2\ts3\nm1\t1\t2\t5\nm2\t3\t4\t6\n",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			var paths []string
			for _, f := range tc.files {
				paths = append(paths, mergeWriteTemp(t, dir, f.name, f.content))
			}
			var out bytes.Buffer
			st, err := MergeCountFiles(&out, paths, MergeOptions{TempDir: dir})
			if err != nil {
				t.Fatal(err)
			}
			if out.String() != tc.want {
				t.Errorf("got\n%s\nwant\n%s", out.String(), tc.want)
			}
			if st.Reordered != tc.reord {
				t.Errorf("Reordered = %d, want %d", st.Reordered, tc.reord)
			}
		})
	}
}

func TestMergeCountFilesGzip(t *testing.T) {
	dir := t.TempDir()
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	gz.Write([]byte("mirna\tcount\nm1\t4\nm2\t5\n"))
	gz.Close()
	p1 := filepath.Join(dir, "G.mirna_counts.tsv.gz")
	if err := os.WriteFile(p1, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	p2 := mergeWriteTemp(t, dir, "P.mirna_counts.tsv", "m1\t1\nm2\t2\n")
	var out bytes.Buffer
	if _, err := MergeCountFiles(&out, []string{p1, p2}, MergeOptions{}); err != nil {
		t.Fatal(err)
	}
	if want := "mirna\tG\tP\nm1\t4\t1\nm2\t5\t2\n"; out.String() != want {
		t.Errorf("got %q, want %q", out.String(), want)
	}
}

func TestMergeCountFilesErrors(t *testing.T) {
	for _, tc := range []struct {
		name    string
		files   [][2]string
		want    error
		mention string
	}{
		{"missing feature", [][2]string{{"A.tsv", "m1\t1\nm2\t2\n"}, {"B.tsv", "m1\t1\nm3\t2\n"}}, ErrMergeFeatures, `"m2"`},
		{"extra feature", [][2]string{{"A.tsv", "m1\t1\n"}, {"B.tsv", "m1\t1\nm3\t2\n"}}, ErrMergeFeatures, `"m3"`},
		{"float count", [][2]string{{"A.tsv", "m1\t1\nm2\t2\n"}, {"B.tsv", "m1\t1\nm2\t2.5\n"}}, ErrMergeCount, "B.tsv:2"},
		{"negative count", [][2]string{{"A.tsv", "m1\t-1\nm2\t2\n"}, {"B.tsv", "m1\t1\nm2\t2\n"}}, ErrMergeCount, "A.tsv:1"},
		{"NA count", [][2]string{{"A.tsv", "mirna\tcount\nm1\t1\nm2\tNA\n"}}, ErrMergeCount, "A.tsv:3"},
		{"count above 2^53", [][2]string{{"A.tsv", "m1\t1\nm2\t9007199254740993\n"}}, ErrMergeCount, "A.tsv:2"},
		{"count above int64", [][2]string{{"A.tsv", "m1\t99999999999999999999\nm2\t2\n"}}, ErrMergeCount, "A.tsv:1"},
		{"duplicate sample", [][2]string{{"A.tsv", "m1\t1\n"}, {"sub/A.tsv", "m1\t1\n"}}, ErrMergeDuplicateName, `"A"`},
		{"duplicate row", [][2]string{{"A.tsv", "m1\t1\nm1\t2\n"}}, ErrMergeDuplicateRow, `"m1"`},
		{"empty file", [][2]string{{"A.tsv", "mirna\tcount\n"}}, ErrMergeEmpty, "A.tsv"},
		{"one column", [][2]string{{"A.tsv", "m1\nm2\n"}}, ErrMergeColumns, "A.tsv:1"},
		{"short row", [][2]string{{"A.tsv", "mirna\ts1\ts2\nm1\t1\t2\nm2\t3\n"}}, ErrMergeColumns, "A.tsv:3"},
		{"matrix without header", [][2]string{{"A.tsv", "m1\t1\t2\n"}}, ErrMergeNeedsSampleRow, "A.tsv"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			os.Mkdir(filepath.Join(dir, "sub"), 0o755)
			var paths []string
			for _, f := range tc.files {
				paths = append(paths, mergeWriteTemp(t, dir, f[0], f[1]))
			}
			_, err := MergeCountFiles(&bytes.Buffer{}, paths, MergeOptions{TempDir: dir})
			if !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
			if !strings.Contains(err.Error(), tc.mention) {
				t.Errorf("error %q does not mention %q", err, tc.mention)
			}
		})
	}
	if _, err := MergeCountFiles(&bytes.Buffer{}, nil, MergeOptions{}); !errors.Is(err, ErrMergeNoInput) {
		t.Errorf("no input: err = %v", err)
	}
}

// mergeReference is the simple reference: every file in memory, rows in the
// first file's order.
func mergeReference(names []string, contents []map[string]int, order []string) string {
	var b strings.Builder
	b.WriteString("mirna")
	for _, n := range names {
		b.WriteString("\t" + n)
	}
	b.WriteByte('\n')
	for _, f := range order {
		b.WriteString(f)
		for _, c := range contents {
			b.WriteString("\t" + strconv.Itoa(c[f]))
		}
		b.WriteByte('\n')
	}
	return b.String()
}

// mergeRandomFiles writes nfiles count files over nfeat features; with
// shuffle, some files list the features in another order.
func mergeRandomFiles(t testing.TB, rng *rand.Rand, dir string, nfiles, nfeat int, shuffle bool) (paths, names []string, contents []map[string]int, order []string) {
	order = make([]string, nfeat)
	for i := range order {
		order[i] = fmt.Sprintf("hsa-miR-%d-%dp", i, 3+i%3)
	}
	for s := 0; s < nfiles; s++ {
		name := fmt.Sprintf("s%03d", s)
		c := make(map[string]int, nfeat)
		feats := append([]string(nil), order...)
		if shuffle && s > 0 && rng.IntN(3) == 0 {
			rng.Shuffle(len(feats), func(i, j int) { feats[i], feats[j] = feats[j], feats[i] })
		}
		var b strings.Builder
		if rng.IntN(2) == 0 {
			b.WriteString("mirna\tcount\n")
		}
		for _, f := range feats {
			n := rng.IntN(1000)
			if rng.IntN(4) == 0 {
				n = 0
			}
			c[f] = n
			fmt.Fprintf(&b, "%s\t%d\n", f, n)
		}
		paths = append(paths, mergeWriteTemp(t, dir, name+".mirna_counts.tsv", b.String()))
		names = append(names, name)
		contents = append(contents, c)
	}
	return
}

func TestMergeCountFilesRandom(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 5))
	for trial := 0; trial < 20; trial++ {
		dir := t.TempDir()
		nfiles := 1 + rng.IntN(12)
		nfeat := 1 + rng.IntN(60)
		paths, names, contents, order := mergeRandomFiles(t, rng, dir, nfiles, nfeat, true)
		want := mergeReference(names, contents, order)
		for _, maxOpen := range []int{0, 2, 3} {
			var out bytes.Buffer
			st, err := MergeCountFiles(&out, paths, MergeOptions{TempDir: dir, MaxOpen: maxOpen})
			if err != nil {
				t.Fatalf("trial %d maxOpen %d: %v", trial, maxOpen, err)
			}
			if out.String() != want {
				t.Fatalf("trial %d maxOpen %d: merge differs from reference\ngot\n%s\nwant\n%s", trial, maxOpen, out.String(), want)
			}
			if st.Samples != nfiles || st.Features != nfeat {
				t.Errorf("stats %+v, want %d samples %d features", st, nfiles, nfeat)
			}
		}
	}
}

// TestMergeMemoryIsStreaming merges 300 files and checks that the bytes
// allocated do not grow with samples × features: going from 100 to 1,000
// features per file (270,000 more cells) must cost far less than one
// 8-byte word per added cell.
func TestMergeMemoryIsStreaming(t *testing.T) {
	const nfiles = 300
	rng := rand.New(rand.NewPCG(1, 2))
	alloc := func(nfeat int) uint64 {
		dir := t.TempDir()
		paths, _, _, _ := mergeRandomFiles(t, rng, dir, nfiles, nfeat, false)
		var out mergeCountingWriter
		runtime.GC()
		var m0, m1 runtime.MemStats
		runtime.ReadMemStats(&m0)
		st, err := MergeCountFiles(&out, paths, MergeOptions{TempDir: dir})
		runtime.ReadMemStats(&m1)
		if err != nil {
			t.Fatal(err)
		}
		if st.Samples != nfiles || st.Features != nfeat {
			t.Fatalf("stats %+v", st)
		}
		return m1.TotalAlloc - m0.TotalAlloc
	}
	small, large := alloc(100), alloc(1000)
	cells := uint64(nfiles * (1000 - 100))
	t.Logf("allocated %d B for 300x100, %d B for 300x1000 (%d added cells)", small, large, cells)
	if large > small && large-small > cells*8/4 {
		t.Errorf("allocation grew by %d B for %d added cells: not streaming", large-small, cells)
	}
}

type mergeCountingWriter struct{ n int64 }

func (w *mergeCountingWriter) Write(p []byte) (int, error) { w.n += int64(len(p)); return len(p), nil }

func BenchmarkMergeCountFiles(b *testing.B) {
	rng := rand.New(rand.NewPCG(9, 9))
	dir := b.TempDir()
	paths, _, _, _ := mergeRandomFiles(b, rng, dir, 50, 2000, false)
	var size int64
	for _, p := range paths {
		fi, _ := os.Stat(p)
		size += fi.Size()
	}
	b.SetBytes(size)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := MergeCountFiles(&mergeCountingWriter{}, paths, MergeOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}
