package diffexp

import (
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

func TestReadCounts(t *testing.T) {
	tests := []struct {
		name     string
		in       string
		features int
		samples  []string
		err      error
		line     int64
	}{
		{"ok", "mirna\ta\tb\nm1\t1\t2\nm2\t0\t5\n", 2, []string{"a", "b"}, nil, 0},
		{"r style header", "a\tb\nm1\t1\t2\n", 1, []string{"a", "b"}, nil, 0},
		{"crlf and blank", "mirna\ta\tb\r\nm1\t1\t2\r\n\r\n", 1, []string{"a", "b"}, nil, 0},
		{"header only", "mirna\ta\tb\n", 0, []string{"a", "b"}, nil, 0},
		{"non integer", "mirna\ta\tb\nm1\t1\t2.5\n", 0, nil, ErrNotInteger, 2},
		{"negative", "mirna\ta\tb\nm1\t1\t2\nm2\t-1\t2\n", 0, nil, ErrNotInteger, 3},
		{"text", "mirna\ta\tb\nm1\tx\t2\n", 0, nil, ErrNotInteger, 2},
		// Above 2^53 (once accepted, giving log2FC -57): not a count.
		{"huge", "mirna\ta\tb\nm1\t1\t2\nm2\t99999999999999999999\t2\n", 0, nil, ErrNotInteger, 3},
		{"above 2^53", "mirna\ta\tb\nm1\t9007199254740993\t2\n", 0, nil, ErrNotInteger, 2},
		{"2^53", "mirna\ta\tb\nm1\t9007199254740992\t2\n", 1, []string{"a", "b"}, nil, 0},
		{"ragged", "mirna\ta\tb\nm1\t1\t2\nm2\t1\n", 0, nil, ErrRagged, 3},
		{"duplicate feature", "mirna\ta\tb\nm1\t1\t2\nm1\t1\t2\n", 0, nil, ErrDuplicate, 3},
		{"duplicate sample", "mirna\ta\ta\nm1\t1\t2\n", 0, nil, ErrDuplicate, 1},
		{"empty", "", 0, nil, ErrEmpty, 0},
	}
	defer func(v int) { parallelReadMin = v }(parallelReadMin)
	for _, tc := range tests {
		for _, thr := range []int{1 << 18, 1} { // sequential and chunked parsing
			parallelReadMin = thr
			t.Run(fmt.Sprintf("%s/%d", tc.name, thr), func(t *testing.T) {
				c, err := ReadCounts(strings.NewReader(tc.in), "x.tsv")
				if tc.err != nil {
					if !errors.Is(err, tc.err) {
						t.Fatalf("error %v, want %v", err, tc.err)
					}
					var pe *ParseError
					if !errors.As(err, &pe) || (tc.line > 0 && pe.Line != tc.line) || pe.File != "x.tsv" {
						t.Fatalf("error %v: want ParseError at x.tsv:%d", err, tc.line)
					}
					return
				}
				if err != nil {
					t.Fatal(err)
				}
				if len(c.Features) != tc.features || strings.Join(c.Samples, ",") != strings.Join(tc.samples, ",") {
					t.Fatalf("got %d features, samples %v", len(c.Features), c.Samples)
				}
				if len(c.Values) != tc.features*len(tc.samples) {
					t.Fatalf("%d values", len(c.Values))
				}
			})
		}
	}
	c, err := ReadCounts(strings.NewReader("mirna\ta\tb\nm1\t1\t2\nm2\t0\t5\n"), "")
	if err != nil {
		t.Fatal(err)
	}
	if c.At(1, 1) != 5 || c.Row(0)[1] != 2 {
		t.Errorf("At/Row wrong: %v", c.Values)
	}
}

func TestReadColDataAlign(t *testing.T) {
	cd, err := ReadColData(strings.NewReader("sample\tcondition\tbatch\ns2\ttumor\tB\ns1\tcontrol\tA\ns3\ttumor\tA\n"), "cd.tsv")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(cd.Names, ",") != "condition,batch" {
		t.Fatalf("names %v", cd.Names)
	}
	al, err := cd.Align([]string{"s1", "s2"})
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(al.Column("condition"), ","); got != "control,tumor" {
		t.Errorf("aligned condition %s", got)
	}
	if got := strings.Join(al.Column("batch"), ","); got != "A,B" {
		t.Errorf("aligned batch %s", got)
	}
	_, err = cd.Align([]string{"s1", "s9", "s0"})
	if !errors.Is(err, ErrMissingSample) || !strings.Contains(err.Error(), "s0, s9") {
		t.Errorf("missing samples: %v", err)
	}
	// No header: the first sample's line was taken as one, and the error
	// once said only "s1 missing from coldata".
	nohead, err := ReadColData(strings.NewReader("s1\ttumor\ns2\tcontrol\ns3\ttumor\n"), "nohead.tsv")
	if err != nil {
		t.Fatal(err)
	}
	_, err = nohead.Align([]string{"s1", "s2", "s3"})
	if !errors.Is(err, ErrMissingSample) || !strings.Contains(err.Error(), "nohead.tsv") || !strings.Contains(err.Error(), "needs a header line") {
		t.Errorf("coldata without header: %v", err)
	}
	for _, bad := range []string{"sample\tcondition\tcondition\ns1\ta\tb\n", "", "sample\tcondition\n", "sample\tcondition\ns1\ta\ns1\tb\n", "sample\tcondition\ns1\ta\tb\tc\n"} {
		if _, err := ReadColData(strings.NewReader(bad), "cd.tsv"); err == nil {
			t.Errorf("ReadColData(%q) succeeded", bad)
		}
	}
}

// FuzzReadCounts: arbitrary input never panics, and a parsed matrix is
// consistent (values F × S, all non-negative integers).
func FuzzReadCounts(f *testing.F) {
	f.Add("mirna\ta\tb\nm1\t1\t2\nm2\t0\t5\n")
	f.Add("a\tb\nm1\t1\t2\n")
	f.Add("mirna\ta\n\n\nm\t1e3\n")
	f.Add("mirna\ta\tb\nm1\t1\t-0\n")
	f.Fuzz(func(t *testing.T, in string) {
		c, err := ReadCounts(strings.NewReader(in), "fuzz.tsv")
		if err != nil {
			return
		}
		if len(c.Values) != len(c.Features)*len(c.Samples) {
			t.Fatalf("%d values for %d × %d", len(c.Values), len(c.Features), len(c.Samples))
		}
		for _, v := range c.Values {
			if v < 0 || v != math.Trunc(v) {
				t.Fatalf("bad value %v", v)
			}
		}
	})
}

func BenchmarkReadCounts(b *testing.B) {
	var sb strings.Builder
	sb.WriteString("mirna")
	for j := 0; j < 20; j++ {
		fmt.Fprintf(&sb, "\ts%d", j)
	}
	sb.WriteByte('\n')
	for i := 0; i < 2600; i++ {
		fmt.Fprintf(&sb, "m%d", i)
		for j := 0; j < 20; j++ {
			fmt.Fprintf(&sb, "\t%d", (i*31+j*17)%5000)
		}
		sb.WriteByte('\n')
	}
	in := sb.String()
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ReadCounts(strings.NewReader(in), ""); err != nil {
			b.Fatal(err)
		}
	}
}

// TestReadCountsMatchesSequential compares ReadCounts (whole input, rows
// parsed in parallel chunks) with the line-by-line reference reader on
// random matrices, small and large enough for several chunks, with blank
// lines, CRLF endings and one injected fault (non-integer, ragged row,
// duplicate feature) at a random place.
func TestReadCountsMatchesSequential(t *testing.T) {
	rng := rand.New(rand.NewPCG(61, 62))
	defer func(v int) { parallelReadMin = v }(parallelReadMin)
	for trial := 0; trial < 60; trial++ {
		parallelReadMin = []int{1 << 18, 64, 1}[trial%3]
		m := 1 + rng.IntN(30)
		n := 1 + rng.IntN(40)
		if trial%3 == 0 {
			n = 3000 + rng.IntN(3000) // > 256 KB: parallel chunks
		}
		var sb strings.Builder
		if trial%2 == 0 {
			sb.WriteString("mirna")
		}
		for j := 0; j < m; j++ {
			if j > 0 || trial%2 == 0 {
				sb.WriteByte('\t')
			}
			fmt.Fprintf(&sb, "s%d", j)
		}
		sb.WriteString("\n")
		fault := -1
		if trial%4 != 0 {
			fault = rng.IntN(n)
		}
		eol := "\n"
		if trial%5 == 0 {
			eol = "\r\n"
		}
		for i := 0; i < n; i++ {
			if rng.IntN(50) == 0 {
				sb.WriteString(eol) // blank line
			}
			name := fmt.Sprintf("f%d", i)
			if i == fault && trial%4 == 3 && i > 0 {
				name = "f0" // duplicate
			}
			sb.WriteString(name)
			for j := 0; j < m; j++ {
				sb.WriteByte('\t')
				switch {
				case i == fault && trial%4 == 1 && j == m-1:
					sb.WriteString("1.5")
				case trial%7 == 6 && rng.IntN(20) == 0:
					// the reader's one-pass digit path must hand these to
					// the general one: padding, leading zeros, exponents,
					// 15 to 17 digits
					odd := []string{" 12", "12 ", "007", "1e3", "999999999999999", "1000000000000000", "9007199254740993", "0"}
					sb.WriteString(odd[rng.IntN(len(odd))])
				default:
					fmt.Fprintf(&sb, "%d", rng.IntN(5000))
				}
			}
			if i == fault && trial%4 == 2 {
				sb.WriteString("\t7") // ragged
			}
			sb.WriteString(eol)
		}
		in := sb.String()
		got, err := ReadCounts(strings.NewReader(in), "x.tsv")
		want, werr := readCountsSeq(strings.NewReader(in), "x.tsv")
		if (err == nil) != (werr == nil) {
			t.Fatalf("trial %d: error %v, reference %v", trial, err, werr)
		}
		if err != nil {
			if err.Error() != werr.Error() {
				t.Fatalf("trial %d: error %q, reference %q", trial, err, werr)
			}
			continue
		}
		if strings.Join(got.Features, ",") != strings.Join(want.Features, ",") ||
			strings.Join(got.Samples, ",") != strings.Join(want.Samples, ",") ||
			len(got.Values) != len(want.Values) {
			t.Fatalf("trial %d: matrix shape differs", trial)
		}
		for k := range got.Values {
			if got.Values[k] != want.Values[k] {
				t.Fatalf("trial %d: value %d: %v, reference %v", trial, k, got.Values[k], want.Values[k])
			}
		}
	}
}

// shortLen is a reader whose Len under-reports what it holds (a file that
// grew after its size was read).
type shortLen struct{ *strings.Reader }

func (s shortLen) Len() int { return s.Reader.Len() / 2 }

// TestReadAllSized: the whole input is read whether Len is exact, short
// or absent.
func TestReadAllSized(t *testing.T) {
	in := strings.Repeat("mirna\ta\tb\nm1\t1\t2\n", 50)
	for name, r := range map[string]io.Reader{
		"exact": strings.NewReader(in),
		"short": shortLen{strings.NewReader(in)},
		"none":  io.MultiReader(strings.NewReader(in)),
	} {
		got, err := readAllSized(r)
		if err != nil || string(got) != in {
			t.Errorf("%s: %d of %d bytes, %v", name, len(got), len(in), err)
		}
	}
}
