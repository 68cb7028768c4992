package seq

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/exomir/exomir/internal/testenv"
)

// refCollapse is the reference for Collapse's parallel, packed-key path:
// every read trimmed by the Trimmer, classified in category order, and the
// passed inserts counted in a map[string] (the collapser before packed
// keys, caches and workers). Kit detection is Collapse's own (resolveKit).
func refCollapse(t *testing.T, data []byte, o Options) *Result {
	t.Helper()
	if err := o.defaults(); err != nil {
		t.Fatal(err)
	}
	rc, err := NewDecompressor(bytes.NewReader(data), 1)
	if err != nil {
		t.Fatal(err)
	}
	fr := NewFastqReader(rc, "ref")
	fr.SetMaxReadLen(o.MaxReadLen)
	var seqs, quals [][]byte
	var rec Record
	for fr.Scan(&rec) {
		seqs = append(seqs, append([]byte(nil), rec.Seq...))
		quals = append(quals, append([]byte(nil), rec.Qual...))
	}
	if err := fr.Err(); err != nil {
		t.Fatal(err)
	}
	res := &Result{}
	s := &res.Summary
	var det [][]byte
	if o.Protocol == "auto" && o.Adapter == "" {
		det = seqs[:min(len(seqs), o.DetectReads)]
	}
	k, err := resolveKit(&o, det, s)
	if err != nil {
		t.Fatal(err)
	}
	tr, err := NewTrimmer(TrimOptions{Kit: k, MaxErrorRate: o.MaxErrorRate, MinOverlap: o.MinOverlap, NoIndels: o.NoIndels})
	if err != nil {
		t.Fatal(err)
	}
	hasAdapter := k.Adapter != "" || k.PolyA
	umi := k.UMILen > 0 && hasAdapter
	s.Protocol, s.UMI = k.Name, umi
	counts := make([]int64, numCategories)
	reads := map[string]int64{}
	umis := map[string]map[string]int64{}
	var lenRaw, lenIns []int64
	inc := func(h []int64, n int) []int64 {
		for len(h) <= n {
			h = append(h, 0)
		}
		h[n]++
		return h
	}
	for i, sq := range seqs {
		lenRaw = inc(lenRaw, len(sq))
		r := tr.Trim(sq, quals[i])
		ins := r.Insert
		cat := refCategory(r, hasAdapter, umi, o, o.maxN(), o.QualOffset)
		counts[cat]++
		if cat != catPassed {
			continue
		}
		reads[string(ins)]++
		lenIns = inc(lenIns, len(ins))
		if umi {
			m := umis[string(ins)]
			if m == nil {
				m = map[string]int64{}
				umis[string(ins)] = m
			}
			m[string(r.UMI)]++
		}
	}
	for sq, n := range reads {
		mol := n
		if umi {
			mol = int64(len(MergeUMIs(umis[sq])))
		}
		res.Inserts = append(res.Inserts, Insert{Seq: sq, Reads: n, Molecules: mol})
	}
	SortInserts(res.Inserts)
	if umi {
		res.UMIs = make([][]string, len(res.Inserts))
		for i, in := range res.Inserts {
			u := []string{}
			for x := range MergeUMIs(umis[in.Seq]) {
				u = append(u, x)
			}
			sort.Strings(u)
			res.UMIs[i] = u
		}
	}
	s.InputReads = int64(len(seqs))
	for i, n := range counts {
		s.Categories = append(s.Categories, Category{Name: categoryNames[i], Reads: n})
	}
	s.LengthsRaw, s.LengthsInsert = lenRaw, lenIns
	s.DistinctInserts = len(res.Inserts)
	for _, in := range res.Inserts {
		s.Molecules += in.Molecules
	}
	return res
}

// sameResult fails unless got equals want in inserts, UMIs and the
// summary's counts.
func sameResult(t *testing.T, what string, got, want *Result) {
	t.Helper()
	if len(got.Inserts) != len(want.Inserts) {
		t.Fatalf("%s: %d inserts, reference %d", what, len(got.Inserts), len(want.Inserts))
	}
	for i := range got.Inserts {
		if got.Inserts[i] != want.Inserts[i] {
			t.Fatalf("%s: insert %d = %+v, reference %+v", what, i, got.Inserts[i], want.Inserts[i])
		}
	}
	if len(got.UMIs) != len(want.UMIs) || (got.UMIs == nil) != (want.UMIs == nil) {
		t.Fatalf("%s: %d UMI sets, reference %d", what, len(got.UMIs), len(want.UMIs))
	}
	for i := range got.UMIs {
		if !reflect.DeepEqual(got.UMIs[i], want.UMIs[i]) {
			t.Fatalf("%s: UMIs of insert %d = %v, reference %v", what, i, got.UMIs[i], want.UMIs[i])
		}
	}
	g, w := got.Summary, want.Summary
	if g.InputReads != w.InputReads || !reflect.DeepEqual(g.Categories, w.Categories) ||
		g.Protocol != w.Protocol || g.Adapter != w.Adapter || g.UMI != w.UMI ||
		g.DistinctInserts != w.DistinctInserts || g.Molecules != w.Molecules {
		t.Fatalf("%s: summary %d %v %s %s %v %d %d, reference %d %v %s %s %v %d %d", what,
			g.InputReads, g.Categories, g.Protocol, g.Adapter, g.UMI, g.DistinctInserts, g.Molecules,
			w.InputReads, w.Categories, w.Protocol, w.Adapter, w.UMI, w.DistinctInserts, w.Molecules)
	}
	if !reflect.DeepEqual(trimZeros(g.LengthsRaw), trimZeros(w.LengthsRaw)) ||
		!reflect.DeepEqual(trimZeros(g.LengthsInsert), trimZeros(w.LengthsInsert)) {
		t.Fatalf("%s: lengths %v %v, reference %v %v", what, g.LengthsRaw, g.LengthsInsert, w.LengthsRaw, w.LengthsInsert)
	}
}

// randomLibrary writes n FASTQ records: inserts of 0–75 bases (some with N
// or another IUPAC letter, many repeated), then the adapter (sometimes
// with errors, cut at the read end, or absent), a UMI for QIAseq, and a
// tail; read lengths vary.
func randomLibrary(rng *rand.Rand, n int, adapter string, umi bool) []byte {
	pool := make([]string, 40)
	rs := func(m int, alpha string) string {
		b := make([]byte, m)
		for i := range b {
			b[i] = alpha[rng.IntN(len(alpha))]
		}
		return string(b)
	}
	for i := range pool {
		pool[i] = rs(15+rng.IntN(12), "ACGT")
	}
	var buf bytes.Buffer
	var prev []string // raw reads, repeated so that the read cache hits
	for i := 0; i < n; i++ {
		if len(prev) > 0 && rng.IntN(3) == 0 {
			read := prev[rng.IntN(len(prev))]
			fmt.Fprintf(&buf, "@r%d\n%s\n+\n%s\n", i, read, strings.Repeat("I", len(read)))
			continue
		}
		var ins string
		switch r := rng.IntN(10); {
		case r < 5:
			ins = pool[rng.IntN(len(pool))]
		case r < 7:
			ins = rs(rng.IntN(76), "ACGT")
		case r < 8:
			ins = rs(rng.IntN(50), "ACGTN")
		case r < 9:
			ins = rs(rng.IntN(50), "ACGTNR")
		default:
			ins = pool[rng.IntN(len(pool))] + rs(rng.IntN(4), "ACGTN") // 3' variants
		}
		ad := []byte(adapter)
		for j := range ad {
			if rng.IntN(25) == 0 {
				ad[j] = "ACGTN"[rng.IntN(5)]
			}
		}
		if rng.IntN(15) == 0 && len(ad) > 5 {
			k := rng.IntN(len(ad))
			ad = append(ad[:k], ad[k+1:]...)
		}
		read := ins
		if rng.IntN(12) != 0 {
			read += string(ad)
			if umi {
				read += rs(12, "ACGT")
			}
		}
		read += "AGATCGGAAGAGCACACGTCT" + rs(20, "ACGT")
		l := 36 + rng.IntN(50)
		if rng.IntN(3) == 0 {
			l = 50
		}
		read = read[:min(l, len(read))]
		q := make([]byte, len(read))
		for j := range q {
			q[j] = byte(33 + 2 + rng.IntN(39))
		}
		fmt.Fprintf(&buf, "@r%d\n%s\n+\n%s\n", i, read, q)
		if rng.IntN(4) == 0 {
			prev = append(prev, read)
		}
	}
	return buf.Bytes()
}

func TestCollapseMatchesReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(31, 8))
	cases := []struct {
		name string
		kit  string
		o    Options
	}{
		{"truseq", "truseq", Options{Protocol: "truseq"}},
		{"truseq no N", "truseq", Options{Protocol: "truseq", MaxN: new(0)}},
		{"truseq maxn1 maxlen60", "truseq", Options{Protocol: "truseq", MaxN: new(1), MaxLen: 60, MinLen: 1}},
		{"truseq no N limit, quality", "truseq", Options{Protocol: "truseq", MaxN: new(-1), MinMeanQual: 20}},
		{"truseq no cache", "truseq", Options{Protocol: "truseq", CacheEntries: -1, MaxN: new(2)}},
		{"truseq tiny cache", "truseq", Options{Protocol: "truseq", CacheEntries: 3, MaxLen: 80}},
		{"auto", "truseq", Options{}},
		// Detection on the first reads while the next ones are parsed
		// ahead (parseAhead), with and without qualities in the batches.
		{"auto few detection reads", "truseq", Options{DetectReads: 500}},
		{"auto few detection reads, quality", "truseq", Options{DetectReads: 300, MinMeanQual: 20}},
		{"auto qiaseq few detection reads", "qiaseq", Options{DetectReads: 1000}},
		{"qiaseq", "qiaseq", Options{Protocol: "qiaseq", MaxN: new(1)}},
		{"none", "truseq", Options{Protocol: "none", MaxLen: 90, MaxN: new(-1)}},
	}
	for _, tc := range cases {
		k, err := KitByName(tc.kit)
		if err != nil {
			t.Fatal(err)
		}
		data := randomLibrary(rng, 6000, k.Adapter, k.UMILen > 0)
		want := refCollapse(t, data, tc.o)
		var first *Result
		for _, threads := range []int{1, 2, 3, 8, -1} {
			o := tc.o
			o.Threads = threads
			saved := collapserSlots
			if threads == -1 {
				// A small insert table grows during the run, so that
				// the read cache's ids go stale and must be dropped.
				collapserSlots = 0
				o.Threads = 2
			}
			got, err := Collapse(context.Background(), bytes.NewReader(data), "x", o)
			collapserSlots = saved
			if err != nil {
				t.Fatal(err)
			}
			sameResult(t, fmt.Sprintf("%s threads %d", tc.name, threads), got, want)
			if first == nil {
				first = got
			} else if !reflect.DeepEqual(got.Summary, first.Summary) {
				t.Fatalf("%s: summary with %d threads differs from 1 thread", tc.name, threads)
			}
		}
	}
}

// A read too long for the batches' offsets switches to the serial path
// mid-file; the result must not change.
func TestCollapseVeryLongRead(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 5))
	long := strings.Repeat("ACGT", 17000)
	var b bytes.Buffer
	b.Write(randomLibrary(rng, 10000, AdapterTruSeq, false))
	fmt.Fprintf(&b, "@long\n%s\n+\n%s\n", long, strings.Repeat("I", len(long)))
	b.Write(randomLibrary(rng, 2000, AdapterTruSeq, false))
	in := b.Bytes()
	want := refCollapse(t, in, Options{Protocol: "truseq", MaxReadLen: 100000})
	for _, threads := range []int{1, 2} {
		got, err := Collapse(context.Background(), bytes.NewReader(in), "x", Options{Protocol: "truseq", Threads: threads, MaxReadLen: 100000})
		if err != nil {
			t.Fatal(err)
		}
		sameResult(t, fmt.Sprintf("threads %d", threads), got, want)
	}
}

// Real files: the fixtures, and the shared data when present.
func TestCollapseMatchesReferenceRealFiles(t *testing.T) {
	files, _ := filepath.Glob("../testdata/fastq/*.fq.gz")
	shared, _ := filepath.Glob("../../shared/data/fastq/*.fastq.gz")
	if len(shared) == 0 {
		if testenv.CI() {
			t.Fatal("shared data ../../shared/data/fastq required under CI")
		}
		t.Log("shared data ../../shared/data/fastq not present: fixtures only")
	}
	files = append(files, shared...)
	if len(files) == 0 {
		t.Fatal("no fixtures in ../testdata/fastq")
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range []Options{{}, {MaxN: new(0)}} {
			want := refCollapse(t, data, o)
			for _, threads := range []int{1, 2, 5} {
				o.Threads = threads
				got, err := Collapse(context.Background(), bytes.NewReader(data), f, o)
				if err != nil {
					t.Fatal(err)
				}
				sameResult(t, fmt.Sprintf("%s maxN %d threads %d", f, o.MaxN, threads), got, want)
			}
		}
	}
}

// Reads parsed ahead while the adapter is detected: whatever the bound on
// them (one batch, a few, all), and when detection fails or the input
// breaks during it, the result is the reference's or the error.
func TestCollapseParseAhead(t *testing.T) {
	rng := rand.New(rand.NewPCG(17, 3))
	data := randomLibrary(rng, 30000, AdapterTruSeq, false)
	o := Options{DetectReads: 2000}
	want := refCollapse(t, data, o)
	saved := aheadBytes
	defer func() { aheadBytes = saved }()
	for _, limit := range []int{1, 3 * batchBytes, saved} {
		aheadBytes = limit
		for _, threads := range []int{1, 2} {
			o.Threads = threads
			got, err := Collapse(context.Background(), bytes.NewReader(data), "x", o)
			if err != nil {
				t.Fatal(err)
			}
			sameResult(t, fmt.Sprintf("ahead %d threads %d", limit, threads), got, want)
		}
	}
	// A broken record after the detection reads: the reader's error,
	// whether it is met while parsing ahead or later.
	broken := append(append([]byte(nil), data...), "@bad\nACGT\n+\nII\n"...)
	for _, limit := range []int{1, saved} {
		aheadBytes = limit
		_, err := Collapse(context.Background(), bytes.NewReader(broken), "x", o)
		if !errors.Is(err, ErrLengthMismatch) {
			t.Fatalf("ahead %d: error %v, want %v", limit, err, ErrLengthMismatch)
		}
	}
	// A detection error is returned as it is.
	_, err := Collapse(context.Background(), bytes.NewReader(data), "x", Options{Adapter: "ACGTXX", DetectReads: 100})
	if err == nil {
		t.Fatal("bad adapter: no error")
	}
}

// refCategory is the reference collapsers' filter: the category (an index
// of categoryNames) of a trimmed read, tested in the documented order.
func refCategory(r TrimResult, hasAdapter, umi bool, o Options, maxN, qualOffset int) int {
	ins := r.Insert
	switch {
	case hasAdapter && !r.AdapterFound:
		return catNoAdapter
	case len(ins) == 0:
		return catAdapterDimer
	case umi && !r.UMIComplete:
		return catNoUMI
	case len(ins) < o.MinLen:
		return catTooShort
	case len(ins) > o.MaxLen:
		return catTooLong
	case maxN >= 0 && bytes.Count(ins, []byte("N")) > maxN:
		return catTooManyN
	case o.MinMeanQual > 0 && meanQual(r.InsertQual, qualOffset) < o.MinMeanQual:
		return catLowQuality
	}
	return catPassed
}
