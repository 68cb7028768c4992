package seq

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"runtime"
	"sort"
	"strings"
	"testing"

	"github.com/exomir/exomir/internal/gztest"
	"github.com/exomir/exomir/internal/testenv"
)

// fixtures are the real FASTQ files of testdata/fastq (see
// testdata/SOURCES.md) with the kit each one was made with; reads counted
// with zcat | wc -l / 4.
var fixtures = []struct {
	file  string
	kit   string // expected detection
	reads int64
}{
	{"mirtrace_sample1_truseq.fq.gz", "truseq", 2000},
	{"bcbio_truseq.fq.gz", "truseq", 2000},
	{"mirtrace_sample3_v15.fq.gz", "v1.5", 2000},
	{"excerpt_v1.fq.gz", "v1", 1000},
	{"mirtrace_qiaseq.fq.gz", "qiaseq", 2000},
	{"compsra01_nextflex.fq.gz", "nextflex", 2000},
	{"mirtrace_sample2_trimmed.fq.gz", "none", 2000},
}

func fixturePath(name string) string { return filepath.Join("..", "testdata", "fastq", name) }

func readFixture(t testing.TB, name string) []byte {
	t.Helper()
	return gztest.ReadAll(t, fixturePath(name))
}

// referenceCollapse is the simple reference: parse with the naive parser,
// trim every read with the Trimmer, classify in the documented order, count
// in a map, sort.
func referenceCollapse(t testing.TB, data []byte, k Kit, o Options) ([]Insert, map[string]int64, []int64, []int64) {
	t.Helper()
	recs, err := naiveParse(string(data))
	if err != nil {
		t.Fatal(err)
	}
	tr, err := NewTrimmer(TrimOptions{Kit: k})
	if err != nil {
		t.Fatal(err)
	}
	maxN := 1 // documented default
	if o.MaxN != nil {
		maxN = *o.MaxN
	}
	hasAdapter := k.Adapter != "" || k.PolyA
	umi := hasAdapter && k.UMILen > 0
	cats := map[string]int64{}
	reads := map[string]int64{}
	umis := map[string]map[string]int64{}
	var lenRaw, lenIns []int64
	inc := func(h *[]int64, n int) {
		for len(*h) <= n {
			*h = append(*h, 0)
		}
		(*h)[n]++
	}
	for _, r := range recs {
		s, q := []byte(r.seq), []byte(r.qual)
		inc(&lenRaw, len(s))
		res := tr.Trim(s, q)
		ins := string(res.Insert)
		cat := refCategory(res, hasAdapter, umi, o, maxN, 33)
		if cat == catPassed {
			reads[ins]++
			inc(&lenIns, len(ins))
			if umi {
				if umis[ins] == nil {
					umis[ins] = map[string]int64{}
				}
				umis[ins][string(res.UMI)]++
			}
		}
		cats[categoryNames[cat]]++
	}
	var out []Insert
	for s, n := range reads {
		m := n
		if umi {
			m = int64(len(bruteMergeUMIs(umis[s])))
		}
		out = append(out, Insert{Seq: s, Reads: n, Molecules: m})
	}
	SortInserts(out)
	return out, cats, trimZeros(lenRaw), trimZeros(lenIns)
}

func TestCollapseFixtures(t *testing.T) {
	for _, fx := range fixtures {
		for _, qual := range []float64{0, 30} {
			t.Run(fmt.Sprintf("%s/minqual=%v", fx.file, qual), func(t *testing.T) {
				data := readFixture(t, fx.file)
				o := Options{MinMeanQual: qual}
				res, err := CollapseFile(context.Background(), fixturePath(fx.file), o)
				if err != nil {
					t.Fatal(err)
				}
				s := res.Summary
				if s.InputReads != fx.reads {
					t.Fatalf("input_reads %d, want %d", s.InputReads, fx.reads)
				}
				// Every read in exactly one category, fixed order.
				var sum int64
				var names []string
				for _, c := range s.Categories {
					sum += c.Reads
					names = append(names, c.Name)
				}
				if sum != s.InputReads {
					t.Fatalf("categories sum to %d, input_reads %d", sum, s.InputReads)
				}
				if !reflect.DeepEqual(names, CategoryNames()) {
					t.Fatalf("categories %v", names)
				}
				if s.Detection == nil || s.Detection.Kit != fx.kit || s.Protocol != fx.kit {
					t.Fatalf("detected %+v, protocol %s, want %s", s.Detection, s.Protocol, fx.kit)
				}
				var passed, sumLen int64
				for _, in := range res.Inserts {
					passed += in.Reads
				}
				for _, n := range s.LengthsInsert {
					sumLen += n
				}
				if passed != s.Count(CatPassed) || sumLen != passed {
					t.Fatalf("inserts hold %d reads, insert histogram %d, reads_passed %d", passed, sumLen, s.Count(CatPassed))
				}
				// Same as the simple reference implementation.
				k, _ := KitByName(fx.kit)
				// Real libraries: detection adds no 5' clip to the kit's.
				if s.Clip5 != k.Clip5 || s.Clip3 != k.Clip3 || s.LayoutSource != "detected" {
					t.Errorf("layout clip5 %d clip3 %d (%s), want the kit's %d %d (detected)", s.Clip5, s.Clip3, s.LayoutSource, k.Clip5, k.Clip3)
				}
				if fx.kit != "none" {
					k.Adapter = s.Adapter
				}
				o.MinLen, o.MaxLen = DefaultMinLen, DefaultMaxLen
				want, cats, lenRaw, lenIns := referenceCollapse(t, data, k, o)
				for _, c := range s.Categories {
					if c.Reads != cats[c.Name] {
						t.Errorf("%s = %d, reference %d", c.Name, c.Reads, cats[c.Name])
					}
				}
				if !reflect.DeepEqual(res.Inserts, want) {
					t.Errorf("inserts differ from the reference (%d vs %d)", len(res.Inserts), len(want))
				}
				if !reflect.DeepEqual(s.LengthsRaw, lenRaw) || !reflect.DeepEqual(s.LengthsInsert, lenIns) {
					t.Errorf("length histograms differ from the reference")
				}
				if qual > 0 && fx.file == "mirtrace_sample3_v15.fq.gz" && s.Count(CatLowQuality) == 0 {
					t.Errorf("no low-quality reads in a file with '#' runs")
				}
				// The trim cache changes nothing.
				o2 := Options{MinMeanQual: qual, CacheEntries: -1}
				res2, err := Collapse(context.Background(), bytes.NewReader(data), fx.file, o2)
				if err != nil {
					t.Fatal(err)
				}
				if !reflect.DeepEqual(res.Inserts, res2.Inserts) || !reflect.DeepEqual(res.Summary.Categories, res2.Summary.Categories) {
					t.Errorf("results differ without the trim cache")
				}
			})
		}
	}
}

// TestCollapseDeterministic checks that the container format, the thread
// count and a tiny trim cache do not change the result.
func TestCollapseDeterministic(t *testing.T) {
	data := readFixture(t, "mirtrace_qiaseq.fq.gz")
	ref, err := Collapse(context.Background(), bytes.NewReader(data), "x", Options{Protocol: "qiaseq"})
	if err != nil {
		t.Fatal(err)
	}
	bg := gztest.BGZF(data)
	if Sniff(bg) != BGZF || Sniff(gz(string(data))) != Gzip || Sniff(data) != Plain {
		t.Fatal("Sniff misclassifies")
	}
	inputs := map[string][]byte{"plain": data, "gzip": gz(string(data)), "bgzf": bg}
	for name, in := range inputs {
		for _, th := range []int{1, 2, 4} {
			for _, cache := range []int{0, 7} {
				res, err := Collapse(context.Background(), bytes.NewReader(in), "x", Options{Protocol: "qiaseq", Threads: th, CacheEntries: cache})
				if err != nil {
					t.Fatal(err)
				}
				if !reflect.DeepEqual(res.Inserts, ref.Inserts) || !reflect.DeepEqual(res.Summary.Categories, ref.Summary.Categories) {
					t.Errorf("%s threads=%d cache=%d: result differs", name, th, cache)
				}
			}
		}
	}
	if !ref.Summary.UMI {
		t.Fatal("qiaseq run without UMIs")
	}
	for i, in := range ref.Inserts {
		if in.Molecules > in.Reads || in.Molecules < 1 || int64(len(ref.UMIs[i])) != in.Molecules {
			t.Fatalf("insert %s: %d molecules, %d UMIs, %d reads", in.Seq, in.Molecules, len(ref.UMIs[i]), in.Reads)
		}
	}
}

// TestCollapseUMIs builds QIAseq reads (insert, adapter, 12-nt UMI,
// universal adapter) with PCR duplicates and one-error UMI copies.
func TestCollapseUMIs(t *testing.T) {
	const univ = "AGATCGGAAGAGCACACGTCT"
	mk := func(ins, umi string, n int, b *strings.Builder) {
		r := (ins + AdapterQIAseq + umi + univ + univ)[:75]
		for i := 0; i < n; i++ {
			fmt.Fprintf(b, "@r\n%s\n+\n%s\n", r, strings.Repeat("I", len(r)))
		}
	}
	var b strings.Builder
	a, c := "TAGCTTATCAGACTGATGTTGA", "TGAGGTAGTAGGTTGTATAGTT"
	mk(a, "ACGTACGTACGT", 5, &b) // molecule 1
	mk(a, "ACGTACGTACGA", 1, &b) // one error, absorbed (5 >= 2*1-1)
	mk(a, "TTTTCCCCGGGG", 2, &b) // molecule 2
	mk(c, "ACGTACGTACGT", 3, &b) // same UMI, other insert: own molecule
	mk(c, "ACGTACGTACGA", 3, &b) // one error but equal count: kept
	mk(c, "GGGGAAAACCCC", 1, &b) // third molecule
	res, err := Collapse(context.Background(), strings.NewReader(b.String()), "umi.fq", Options{Protocol: "qiaseq"})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string][2]int64{}
	for _, in := range res.Inserts {
		got[in.Seq] = [2]int64{in.Reads, in.Molecules}
	}
	want := map[string][2]int64{a: {8, 2}, c: {7, 3}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("reads/molecules %v, want %v", got, want)
	}
	wantUMIs := map[string][]string{
		a: {"ACGTACGTACGT", "TTTTCCCCGGGG"},
		c: {"ACGTACGTACGA", "ACGTACGTACGT", "GGGGAAAACCCC"},
	}
	if len(res.UMIs) != len(res.Inserts) {
		t.Fatalf("%d UMI sets for %d inserts", len(res.UMIs), len(res.Inserts))
	}
	for i, in := range res.Inserts {
		if !reflect.DeepEqual(res.UMIs[i], wantUMIs[in.Seq]) {
			t.Errorf("UMIs of %s: %v, want %v", in.Seq, res.UMIs[i], wantUMIs[in.Seq])
		}
	}
	if res.Summary.Molecules != 5 {
		t.Fatalf("summary molecules %d, want 5", res.Summary.Molecules)
	}
	// A read that ends inside the UMI is reads_no_umi.
	short := "@r\n" + a + AdapterQIAseq + "ACGTAC\n+\n" + strings.Repeat("I", len(a)+len(AdapterQIAseq)+6) + "\n"
	res, err = Collapse(context.Background(), strings.NewReader(b.String()+short), "umi.fq", Options{Protocol: "qiaseq"})
	if err != nil {
		t.Fatal(err)
	}
	if res.Summary.Count(CatNoUMI) != 1 {
		t.Fatalf("reads_no_umi %d, want 1", res.Summary.Count(CatNoUMI))
	}
}

func TestCollapseProtocols(t *testing.T) {
	data := readFixture(t, "mirtrace_sample1_truseq.fq.gz")
	cases := []struct {
		name           string
		o              Options
		adapter, src   string
		protocol       string
		wantNoAdapter0 bool
	}{
		{"none", Options{Protocol: "none"}, "none", "preset", "none", true},
		{"preset", Options{Protocol: "truseq"}, AdapterTruSeq, "preset", "truseq", false},
		{"user", Options{Adapter: "tggaattctcgg"}, "TGGAATTCTCGG", "user", "truseq", false}, // the detected kit's layout
		{"user+kit", Options{Protocol: "nextflex", Adapter: "TGGAATTCTCGG"}, "TGGAATTCTCGG", "user", "nextflex", false},
		{"auto", Options{}, AdapterTruSeq, "detected", "truseq", false},
		{"AUTO", Options{Protocol: " AUTO"}, AdapterTruSeq, "detected", "truseq", false},
		{"TruSeq", Options{Protocol: "TruSeq"}, AdapterTruSeq, "preset", "truseq", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res, err := Collapse(context.Background(), bytes.NewReader(data), "x", c.o)
			if err != nil {
				t.Fatal(err)
			}
			s := res.Summary
			if s.Adapter != c.adapter || s.AdapterSource != c.src || s.Protocol != c.protocol {
				t.Fatalf("adapter %q source %q protocol %q", s.Adapter, s.AdapterSource, s.Protocol)
			}
			if c.wantNoAdapter0 && (s.Count(CatNoAdapter) != 0 || s.Count(CatTooLong) == 0) {
				t.Fatalf("protocol none: %+v", s.Categories)
			}
			if c.name == "none" {
				// Untrimmed 51-nt reads are all too long for 16..40.
				if s.Count(CatTooLong) != s.InputReads-s.Count(CatTooManyN) {
					t.Fatalf("protocol none on raw reads: %+v", s.Categories)
				}
			}
		})
	}
	if _, err := Collapse(context.Background(), bytes.NewReader(data), "x", Options{Protocol: "bogus"}); !errors.Is(err, ErrUnknownKit) {
		t.Fatalf("unknown protocol: %v", err)
	}
	if _, err := Collapse(context.Background(), bytes.NewReader(data), "x", Options{MinLen: 30, MaxLen: 20}); !errors.Is(err, ErrBadOptions) {
		t.Fatalf("bad range: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Collapse(ctx, bytes.NewReader(data), "x", Options{Protocol: "truseq"}); !errors.Is(err, context.Canceled) {
		t.Fatalf("canceled context: %v", err)
	}
}

func TestCollapseBadInput(t *testing.T) {
	data := readFixture(t, "mirtrace_sample1_truseq.fq.gz")
	z := gz(string(data))
	cases := map[string][]byte{
		"truncated gzip":  z[:len(z)/2],
		"empty":           nil,
		"length mismatch": append(append([]byte{}, data...), "@x\nACGT\n+\nII\n"...),
		"garbage":         []byte("\x00\x01\x02garbage\n"),
	}
	for name, in := range cases {
		for _, proto := range []string{"auto", "truseq"} {
			_, err := Collapse(context.Background(), bytes.NewReader(in), "bad.fq", Options{Protocol: proto})
			var pe *ParseError
			if !errors.As(err, &pe) || pe.File != "bad.fq" {
				t.Errorf("%s/%s: error %v, want a ParseError naming bad.fq", name, proto, err)
			}
		}
	}
}

// bruteMergeUMIs is the reference for MergeUMIs: directed edges from all
// pairs, roots by count then UMI, breadth-first absorption.
func bruteMergeUMIs(counts map[string]int64) map[string]int64 {
	var umis []string
	for u := range counts {
		umis = append(umis, u)
	}
	sort.Slice(umis, func(a, b int) bool {
		if counts[umis[a]] != counts[umis[b]] {
			return counts[umis[a]] > counts[umis[b]]
		}
		return umis[a] < umis[b]
	})
	ham1 := func(a, b string) bool {
		if len(a) != len(b) {
			return false
		}
		d := 0
		for i := range a {
			if a[i] != b[i] {
				d++
			}
		}
		return d == 1
	}
	done := map[string]bool{}
	out := map[string]int64{}
	for _, root := range umis {
		if done[root] {
			continue
		}
		done[root] = true
		queue := []string{root}
		var total int64
		for len(queue) > 0 {
			a := queue[0]
			queue = queue[1:]
			total += counts[a]
			for _, b := range umis {
				if !done[b] && ham1(a, b) && counts[a] >= 2*counts[b]-1 {
					done[b] = true
					queue = append(queue, b)
				}
			}
		}
		out[root] = total
	}
	return out
}

func TestMergeUMIs(t *testing.T) {
	cases := []struct {
		name string
		in   map[string]int64
		want map[string]int64
	}{
		{"single", map[string]int64{"AAAA": 3}, map[string]int64{"AAAA": 3}},
		{"absorbed", map[string]int64{"AAAA": 10, "AAAT": 5}, map[string]int64{"AAAA": 15}},
		{"too close in count", map[string]int64{"AAAA": 10, "AAAT": 6}, map[string]int64{"AAAA": 10, "AAAT": 6}},
		{"chain", map[string]int64{"AAAA": 10, "AAAT": 4, "AATT": 1}, map[string]int64{"AAAA": 15}},
		{"two mismatches", map[string]int64{"AAAA": 10, "AATT": 1}, map[string]int64{"AAAA": 10, "AATT": 1}},
		{"equal singletons", map[string]int64{"AAAA": 1, "AAAT": 1}, map[string]int64{"AAAA": 2}},
		{"lengths differ", map[string]int64{"AAAA": 10, "AAA": 1}, map[string]int64{"AAAA": 10, "AAA": 1}},
	}
	for _, c := range cases {
		if got := MergeUMIs(c.in); !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
	}
	rng := rand.New(rand.NewPCG(3, 4))
	for trial := 0; trial < 300; trial++ {
		in := map[string]int64{}
		l := 1 + rng.IntN(5)
		for i := rng.IntN(40); i >= 0; i-- {
			b := make([]byte, l)
			for j := range b {
				b[j] = "ACGN"[rng.IntN(4)]
			}
			in[string(b)] = 1 + int64(rng.ExpFloat64()*5)
		}
		if got, want := MergeUMIs(in), bruteMergeUMIs(in); !reflect.DeepEqual(got, want) {
			t.Fatalf("trial %d: %v, reference %v (input %v)", trial, got, want, in)
		}
	}
}

func TestWriters(t *testing.T) {
	ins := []Insert{{Seq: "ACGT", Reads: 5, Molecules: 5}, {Seq: "TTTT", Reads: 2, Molecules: 1}}
	var b bytes.Buffer
	if err := WriteCollapsedFasta(&b, ins); err != nil {
		t.Fatal(err)
	}
	if got, want := b.String(), ">seq_1_x5\nACGT\n>seq_2_x2\nTTTT\n"; got != want {
		t.Fatalf("collapsed FASTA %q, want %q", got, want)
	}
	recs, err := ReadAllFasta(&b, "c.fa")
	if err != nil || len(recs) != 2 || recs[1].Name != "seq_2_x2" {
		t.Fatalf("round trip: %v %v", recs, err)
	}
	s := &Summary{InputReads: 3, Categories: []Category{{CatTooShort, 1}, {CatPassed, 2}},
		Adapter: "ACGT", AdapterSource: "user", AdapterConfidence: 1, Protocol: "custom",
		LengthsRaw: []int64{0, 0, 3}, LengthsInsert: []int64{0, 2}}
	b.Reset()
	if err := WriteSummary(&b, s); err != nil {
		t.Fatal(err)
	}
	for _, row := range []string{"input_reads\t3\n", "reads_too_short\t1\n", "reads_passed\t2\n", "adapter\tACGT\n", "adapter_source\tuser\n", "adapter_confidence\t1.000\n"} {
		if !strings.Contains(b.String(), row) {
			t.Errorf("summary lacks %q:\n%s", row, b.String())
		}
	}
	b.Reset()
	if err := WriteLengths(&b, s); err != nil {
		t.Fatal(err)
	}
	if got, want := b.String(), "length\traw\tinsert\n0\t0\t0\n1\t0\t2\n2\t3\t0\n"; got != want {
		t.Fatalf("lengths %q, want %q", got, want)
	}
}

// BenchmarkCollapse measures the whole pipeline (parse, trim, collapse)
// on uncompressed reads from memory.
func BenchmarkCollapse(b *testing.B) {
	b.SetBytes(int64(len(benchData)))
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, err := Collapse(context.Background(), bytes.NewReader(benchData), "bench", Options{Protocol: "truseq"}); err != nil {
			b.Fatal(err)
		}
	}
}

func ExampleCollapse() {
	const adapter = "TGGAATTCTCGGGTGCCAAGG"
	reads := []string{
		"TAGCTTATCAGACTGATGTTGA" + adapter + "AACTCCA", // miR-21-5p
		"TAGCTTATCAGACTGATGTTGA" + adapter + "AACTCCA",
		"TGAGGTAGTAGGTTGTATAGTT" + adapter + "AACTCCA", // let-7a-5p
		adapter + "AACTCCAGTCACATCACGATCTCGTATG",       // adapter dimer
	}
	var in strings.Builder
	for i, r := range reads {
		fmt.Fprintf(&in, "@r%d\n%s\n+\n%s\n", i, r, strings.Repeat("I", len(r)))
	}
	res, err := Collapse(context.Background(), strings.NewReader(in.String()), "example.fq", Options{Protocol: "truseq"})
	if err != nil {
		fmt.Println(err)
		return
	}
	WriteCollapsedFasta(os.Stdout, res.Inserts)
	fmt.Println(CatAdapterDimer, res.Summary.Count(CatAdapterDimer))
	// Output:
	// >seq_1_x2
	// TAGCTTATCAGACTGATGTTGA
	// >seq_2_x1
	// TGAGGTAGTAGGTTGTATAGTT
	// reads_adapter_dimer 1
}

// TestCollapseMatchesCutadapt compares collapsed inserts with cutadapt
// (-e 0.1 -O 3, indels allowed, --discard-untrimmed -m 16 -M 40
// --max-n 1: the same adapter, error and filter settings) on the real
// fixtures. It runs when cutadapt is installed (Debian package cutadapt)
// and fails under CI=true when it is missing. Target of issue #2: at least
// 99.5% of passed reads give the same insert.
func TestCollapseMatchesCutadapt(t *testing.T) {
	testenv.Tool(t, "cutadapt")
	for _, c := range []struct{ file, kit string }{
		{"mirtrace_sample1_truseq.fq.gz", "truseq"},
		{"bcbio_truseq.fq.gz", "truseq"},
		{"mirtrace_sample3_v15.fq.gz", "v1.5"},
		{"excerpt_v1.fq.gz", "v1"},
	} {
		t.Run(c.file, func(t *testing.T) {
			k, err := KitByName(c.kit)
			if err != nil {
				t.Fatal(err)
			}
			out := filepath.Join(t.TempDir(), "ca.fq")
			cmd := exec.Command("cutadapt", "-a", k.Adapter, "-e", "0.1", "-O", "3", "--discard-untrimmed",
				"-m", "16", "-M", "40", "--max-n", "1", "-o", out, fixturePath(c.file))
			if msg, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("cutadapt: %v\n%s", err, msg)
			}
			f, err := os.Open(out)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			want := map[string]int64{}
			fr := NewFastqReader(f, out)
			var rec Record
			var total int64
			for fr.Scan(&rec) {
				want[string(rec.Seq)]++
				total++
			}
			if err := fr.Err(); err != nil && !errors.Is(err, ErrEmpty) {
				t.Fatal(err)
			}
			res, err := CollapseFile(context.Background(), fixturePath(c.file), Options{Protocol: c.kit})
			if err != nil {
				t.Fatal(err)
			}
			// Reads whose insert or fate differs, bounded above by the
			// L1 distance of the two insert count vectors (a read moved
			// from one insert to another counts twice).
			var diff int64
			seen := map[string]bool{}
			for _, in := range res.Inserts {
				seen[in.Seq] = true
				diff += absInt64(in.Reads - want[in.Seq])
			}
			for s, n := range want {
				if !seen[s] {
					diff += n
				}
			}
			passed := res.Summary.Count(CatPassed)
			agree := 1 - float64(diff)/float64(max(passed, total))
			t.Logf("%s: exomir %d passed, cutadapt %d; reads with a different insert or fate <= %d; agreement %.4f", c.file, passed, total, diff, agree)
			if agree < 0.995 {
				t.Errorf("agreement %.4f < 0.995", agree)
			}
		})
	}
}

func absInt64(x int64) int64 {
	if x < 0 {
		return -x
	}
	return x
}

// TestCollapseMemoryPerInsert checks that memory grows with distinct
// inserts, not reads: ten times the reads of the same few inserts must
// not need (nearly) ten times the allocations or bytes.
func TestCollapseMemoryPerInsert(t *testing.T) {
	var block strings.Builder
	for _, ins := range []string{"TAGCTTATCAGACTGATGTTGA", "TGAGGTAGTAGGTTGTATAGTT", "TATTGCACTTGTCCCGGCCTGT", "AACCCGTAGATCCGAACTTGTG", ""} {
		r := (ins + AdapterTruSeq + "AACTCCAGTCACATCACGATCTCGTATGCCGTCTTCTGCTTG")[:50]
		fmt.Fprintf(&block, "@NS500688:98:HMNCWBGXX:1:11101:1000:1000 1:N:0:ATCACG\n%s\n+\n%s\n", r, strings.Repeat("E", 50))
	}
	small := []byte(strings.Repeat(block.String(), 1000))
	large := []byte(strings.Repeat(block.String(), 10000))
	measure := func(data []byte) (allocs, bytes uint64) {
		var m0, m1 runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&m0)
		if _, err := Collapse(context.Background(), bytesReader(data), "m", Options{Protocol: "truseq"}); err != nil {
			t.Fatal(err)
		}
		runtime.ReadMemStats(&m1)
		return m1.Mallocs - m0.Mallocs, m1.TotalAlloc - m0.TotalAlloc
	}
	as, bs := measure(small)
	al, bl := measure(large)
	t.Logf("5000 reads: %d allocs, %d bytes; 50000 reads: %d allocs, %d bytes", as, bs, al, bl)
	if al > as+50 || bl > bs+(256<<10) {
		t.Errorf("allocation grows with reads: %d -> %d allocs, %d -> %d bytes", as, al, bs, bl)
	}
}

func bytesReader(b []byte) io.Reader { return bytes.NewReader(b) }
