package align

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/exomir/exomir/seq"
)

// bruteAlign is the reference implementation: every reference, strand,
// position and tail length is tried, then the best (Mismatches, Tail)
// class is kept.
func bruteAlign(refs []Ref, o Options, read []byte) []Hit {
	n := len(read)
	if n < o.MinLength || n > MaxReadLen {
		return nil
	}
	tailSet := strings.ToUpper(strings.ReplaceAll(strings.ToLower(o.TailBases), "u", "t"))
	var all []Hit
	for ri, r := range refs {
		// rcSeq[k] is the complement of r.Seq[len-1-k] (N for a non-base).
		rcSeq := make([]byte, len(r.Seq))
		for k, c := range r.Seq {
			rcSeq[k] = up(c)
		}
		seq.ReverseComplement(rcSeq)
		strands := []bool{false}
		if o.BothStrands {
			strands = append(strands, true)
		}
		for _, rev := range strands {
			for t := 0; t <= o.MaxTail && n-t >= o.MinLength; t++ {
				if strings.IndexFunc(string(read[n-t:]), func(c rune) bool {
					return !strings.ContainsRune(tailSet, rune(up(byte(c))))
				}) >= 0 {
					continue
				}
				l := n - t
				for pos := 0; pos+l <= len(r.Seq); pos++ {
					var mm []int8
					for i := 0; i < l && len(mm) <= o.MaxMismatches; i++ {
						var rc byte // the reference letter read base i faces; 0 or N for N
						if rev {
							// Read base i pairs with the complement of ref[pos+l-1-i].
							rc = rcSeq[len(r.Seq)-pos-l+i]
						} else if isBase(r.Seq[pos+i]) {
							rc = up(r.Seq[pos+i])
						}
						if !isBase(read[i]) || up(read[i]) != rc {
							mm = append(mm, int8(i))
						}
					}
					if len(mm) > o.MaxMismatches {
						continue
					}
					h := Hit{Ref: int32(ri), Pos: int32(pos), Len: int32(l), Tail: int8(t), Mismatches: int8(len(mm)), Reverse: rev}
					copy(h.MM[:], mm)
					all = append(all, h)
				}
			}
		}
	}
	if len(all) == 0 {
		return nil
	}
	best := all[0]
	for _, h := range all {
		if h.Mismatches < best.Mismatches || (h.Mismatches == best.Mismatches && h.Tail < best.Tail) {
			best = h
		}
	}
	var out []Hit
	for _, h := range all {
		if h.Mismatches == best.Mismatches && h.Tail == best.Tail {
			out = append(out, h)
		}
	}
	slices.SortFunc(out, func(a, b Hit) int {
		if a.Ref != b.Ref {
			return int(a.Ref) - int(b.Ref)
		}
		if a.Pos != b.Pos {
			return int(a.Pos) - int(b.Pos)
		}
		if a.Reverse == b.Reverse {
			return 0
		}
		if a.Reverse {
			return 1
		}
		return -1
	})
	return out
}

func isBase(c byte) bool {
	switch up(c) {
	case 'A', 'C', 'G', 'T':
		return true
	}
	return false
}

func up(c byte) byte {
	if c >= 'a' && c <= 'z' {
		c -= 'a' - 'A'
	}
	if c == 'U' {
		c = 'T'
	}
	return c
}

func randSeq(r *rand.Rand, n int, alphabet string) []byte {
	s := make([]byte, n)
	for i := range s {
		s[i] = alphabet[r.IntN(len(alphabet))]
	}
	return s
}

// mutate derives a read from ref: a random window, some substitutions
// (possibly N), an optional tail and an optional reverse complement.
func mutate(r *rand.Rand, ref []byte, o Options) []byte {
	l := 10 + r.IntN(30)
	if l > len(ref) {
		l = len(ref)
	}
	p := r.IntN(len(ref) - l + 1)
	read := slices.Clone(ref[p : p+l])
	for i := range read {
		if read[i] == 'N' {
			read[i] = "ACGT"[r.IntN(4)]
		}
	}
	for range r.IntN(o.MaxMismatches + 2) {
		read[r.IntN(l)] = "ACGTN"[r.IntN(5)]
	}
	if r.IntN(3) == 0 {
		read = revComp(read)
	}
	tb := o.TailBases
	if tb == "" {
		tb = "ACGT"
	}
	for range r.IntN(o.MaxTail + 2) {
		read = append(read, tb[r.IntN(len(tb))])
	}
	return read
}

func revComp(s []byte) []byte {
	out := bytes.ToUpper(s)
	seq.ReverseComplement(out)
	return out
}

func TestAlignMatchesBruteForce(t *testing.T) {
	cases := []struct {
		name   string
		o      Options
		nrefs  int
		maxLen int
		alpha  string // reference alphabet: small ones give many near-hits
		reads  int
	}{
		{"default", DefaultOptions(), 20, 120, "ACGT", 1500},
		{"exact-notail", Options{MinLength: 15}, 20, 120, "ACGT", 500},
		{"k1-both", Options{MaxMismatches: 1, MaxTail: 3, TailBases: "AT", BothStrands: true, MinLength: 15}, 15, 100, "ACGT", 1000},
		{"k2-anytail", Options{MaxMismatches: 2, MaxTail: 3, TailBases: "ACGT", MinLength: 12}, 15, 100, "ACGT", 1000},
		{"k3-both-short", Options{MaxMismatches: 3, MaxTail: 2, TailBases: "A", BothStrands: true, MinLength: 8}, 10, 80, "ACGT", 800},
		{"k1-lowcomplexity", Options{MaxMismatches: 1, MaxTail: 3, TailBases: "AT", BothStrands: true, MinLength: 10}, 10, 60, "AT", 800},
		{"k2-withN", Options{MaxMismatches: 2, MaxTail: 3, TailBases: "AT", MinLength: 14}, 20, 90, "ACGTACGTACGTN", 800},
		{"k1-tinyrefs", Options{MaxMismatches: 1, MaxTail: 3, TailBases: "AT", BothStrands: true, MinLength: 4}, 30, 12, "ACGT", 800},
		{"k3-tail10", Options{MaxMismatches: 3, MaxTail: 10, TailBases: "ACGT", MinLength: 5}, 8, 50, "ACG", 500},
	}
	for ci, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := rand.New(rand.NewPCG(uint64(ci), 42))
			refs := make([]Ref, tc.nrefs)
			for i := range refs {
				refs[i] = Ref{Name: fmt.Sprint("r", i), Seq: randSeq(r, 1+r.IntN(tc.maxLen), tc.alpha)}
			}
			// Duplicates and a lower-case copy must give separate hits.
			refs[1].Seq = slices.Clone(refs[0].Seq)
			refs[2].Seq = []byte(strings.ToLower(string(refs[0].Seq)))
			ix, err := NewIndex(refs, tc.o)
			if err != nil {
				t.Fatal(err)
			}
			nhits := 0
			for i := 0; i < tc.reads; i++ {
				var read []byte
				switch {
				case i%5 == 4:
					read = randSeq(r, 1+r.IntN(45), "ACGTN")
				default:
					read = mutate(r, refs[r.IntN(len(refs))].Seq, tc.o)
				}
				want := bruteAlign(refs, tc.o, read)
				got := ix.Align(read, nil)
				if len(got) == 0 {
					got = nil
				}
				if !reflect.DeepEqual(got, want) {
					t.Fatalf("read %s:\n got %v\nwant %v", read, got, want)
				}
				nhits += len(got)
			}
			if nhits == 0 {
				t.Fatal("no hits at all: the generator is broken")
			}
		})
	}
}

// TestAlignAppends checks that Align keeps what dst already holds.
func TestAlignAppends(t *testing.T) {
	refs := []Ref{{Name: "a", Seq: []byte("TGAGGTAGTAGGTTGTATAGTTTTAGGG")}}
	ix, err := NewIndex(refs, DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	prev := Hit{Ref: 99}
	got := ix.Align([]byte("TGAGGTAGTAGGTTGTATAGTT"), []Hit{prev})
	want := []Hit{prev, {Ref: 0, Pos: 0, Len: 22}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	// A worse hit seen first must not erase dst's earlier content.
	got = ix.Align([]byte("TGAGGTAGTAGGTTGTATAGTTAA"), []Hit{prev})
	want = []Hit{prev, {Ref: 0, Pos: 0, Len: 22, Tail: 2}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %v, want %v", got, want)
	}
}

func TestAlignEdgeCases(t *testing.T) {
	let7 := "TGGGATGAGGTAGTAGGTTGTATAGTTTTAGGGTCACACCCACCACTGGGAGATAACTATACAATCTACTGTCTTTCCTA"
	refs := []Ref{
		{Name: "let-7a-1", Seq: []byte(let7)},
		{Name: "copy", Seq: []byte(let7)},
		{Name: "short", Seq: []byte("ACGTTGCAACGTAGCT")},
		{Name: "withN", Seq: []byte("CCCCCNGGGGGAAAAATTTTTCCCCC")},
	}
	o := DefaultOptions()
	both := o
	both.BothStrands = true
	mm := func(p ...int8) (a [3]int8) { copy(a[:], p); return }
	cases := []struct {
		name string
		o    Options
		read string
		want []Hit
	}{
		{"exact on two identical refs", o, "TGAGGTAGTAGGTTGTATAGTT",
			[]Hit{{Ref: 0, Pos: 5, Len: 22}, {Ref: 1, Pos: 5, Len: 22}}},
		{"U and lower case read", o, "ugagguaguagguuguauaguu",
			[]Hit{{Ref: 0, Pos: 5, Len: 22}, {Ref: 1, Pos: 5, Len: 22}}},
		{"hit at reference start", o, "TGGGATGAGGTAGTAGGTTG",
			[]Hit{{Ref: 0, Pos: 0, Len: 20}, {Ref: 1, Pos: 0, Len: 20}}},
		{"hit at reference end", o, "ACAATCTACTGTCTTTCCTA",
			[]Hit{{Ref: 0, Pos: 60, Len: 20}, {Ref: 1, Pos: 60, Len: 20}}},
		{"tail past reference end", o, "ACAATCTACTGTCTTTCCTAAA",
			[]Hit{{Ref: 0, Pos: 60, Len: 20, Tail: 2}, {Ref: 1, Pos: 60, Len: 20, Tail: 2}}},
		{"untemplated A beats mismatch", o, "TGAGGTAGTAGGTTGTATAGTA",
			[]Hit{{Ref: 0, Pos: 5, Len: 21, Tail: 1}, {Ref: 1, Pos: 5, Len: 21, Tail: 1}}},
		{"templated T is not a tail", o, "TGAGGTAGTAGGTTGTATAGTTTT",
			[]Hit{{Ref: 0, Pos: 5, Len: 24}, {Ref: 1, Pos: 5, Len: 24}}},
		{"one mismatch", o, "TGAGGTAGTAGCTTGTATAGTTT",
			[]Hit{{Ref: 0, Pos: 5, Len: 23, Mismatches: 1, MM: mm(11)}, {Ref: 1, Pos: 5, Len: 23, Mismatches: 1, MM: mm(11)}}},
		{"N counts as mismatch", o, "TGAGGTAGTAGNTTGTATAGTTT",
			[]Hit{{Ref: 0, Pos: 5, Len: 23, Mismatches: 1, MM: mm(11)}, {Ref: 1, Pos: 5, Len: 23, Mismatches: 1, MM: mm(11)}}},
		{"two mismatches too many", o, "TGAGGTAGTAGCTTGTATCGTTT", nil},
		{"read longer than reference", o, "ACGTTGCAACGTAGCTG", nil},
		{"whole short reference plus tail", o, "ACGTTGCAACGTAGCTAT",
			[]Hit{{Ref: 2, Pos: 0, Len: 16, Tail: 2}}},
		{"shorter than MinLength", o, "ACGTTGCAACGTAG", nil},
		{"all N", o, "NNNNNNNNNNNNNNNNNNNNNN", nil},
		{"empty read", o, "", nil},
		{"reference N never matches", o, "CCCCCNGGGGGAAAAATTTTT",
			[]Hit{{Ref: 3, Pos: 0, Len: 21, Mismatches: 1, MM: mm(5)}}},
		{"reverse strand off", o, "AACTATACAACCTACTACCTCA", nil},
		{"reverse strand on", both, "AACTATACAACCTACTACCTCA",
			[]Hit{{Ref: 0, Pos: 5, Len: 22, Reverse: true}, {Ref: 1, Pos: 5, Len: 22, Reverse: true}}},
		{"reverse strand with tail", both, "AACTATACAACCTACTACCTCAAA",
			[]Hit{{Ref: 0, Pos: 5, Len: 22, Tail: 2, Reverse: true}, {Ref: 1, Pos: 5, Len: 22, Tail: 2, Reverse: true}}},
		{"palindrome on both strands", both, "GGGGGAAAAATTTTTCCCCC",
			[]Hit{{Ref: 3, Pos: 6, Len: 20}, {Ref: 3, Pos: 6, Len: 20, Reverse: true}}},
		{"too long", o, strings.Repeat("A", MaxReadLen+1), nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ix, err := NewIndex(refs, tc.o)
			if err != nil {
				t.Fatal(err)
			}
			got := ix.Align([]byte(tc.read), nil)
			if len(got) == 0 {
				got = nil
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got  %v\nwant %v", got, tc.want)
			}
			if bf := bruteAlign(refs, tc.o, []byte(tc.read)); !reflect.DeepEqual(bf, tc.want) {
				t.Errorf("brute force disagrees with the hand-made answer: %v", bf)
			}
		})
	}
}

func TestNewIndexErrors(t *testing.T) {
	good := []Ref{{Name: "a", Seq: []byte("ACGT")}}
	cases := []struct {
		name string
		refs []Ref
		o    Options
		want error
	}{
		{"no refs", nil, DefaultOptions(), ErrNoRefs},
		{"empty ref", []Ref{{Name: "a", Seq: []byte("ACGT")}, {Name: "b"}}, DefaultOptions(), ErrEmptyRef},
		{"bad letter", []Ref{{Name: "a", Seq: []byte("ACGT-A")}}, DefaultOptions(), ErrBadBase},
		{"digit", []Ref{{Name: "a", Seq: []byte("AC1")}}, DefaultOptions(), ErrBadBase},
		{"zero options", good, Options{}, ErrBadOptions},
		{"too many mismatches", good, Options{MaxMismatches: 4, MinLength: 15}, ErrBadOptions},
		{"negative mismatches", good, Options{MaxMismatches: -1, MinLength: 15}, ErrBadOptions},
		{"MinLength below k+1", good, Options{MaxMismatches: 2, MinLength: 2}, ErrBadOptions},
		{"tail without bases", good, Options{MaxTail: 2, MinLength: 15}, ErrBadOptions},
		{"tail too long", good, Options{MaxTail: 11, TailBases: "A", MinLength: 15}, ErrBadOptions},
		{"bad tail letter", good, Options{MaxTail: 1, TailBases: "AN", MinLength: 15}, ErrBadOptions},
		{"MinLength too long", good, Options{MinLength: MaxReadLen + 1}, ErrBadOptions},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ix, err := NewIndex(tc.refs, tc.o)
			if !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
			if ix != nil {
				t.Fatal("index returned with an error")
			}
		})
	}
	if _, err := NewIndex([]Ref{{Name: "a", Seq: []byte("ACGTUNRYacgtun")}}, DefaultOptions()); err != nil {
		t.Fatalf("valid letters rejected: %v", err)
	}
}

func loadHairpins(tb testing.TB) []Ref {
	tb.Helper()
	f, err := os.Open("testdata/hsa_hairpin_v21.fa")
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	return readRefs(tb, f, f.Name())
}

// readRefs reads the FASTA r (named name in errors) as references.
func readRefs(tb testing.TB, r io.Reader, name string) []Ref {
	tb.Helper()
	recs, err := seq.ReadAllFasta(r, name)
	if err != nil {
		tb.Fatal(err)
	}
	refs := make([]Ref, len(recs))
	for i, r := range recs {
		refs[i] = Ref{Name: r.Name, Seq: r.Seq}
	}
	return refs
}

// TestHairpins checks real miRBase hairpins: reads cut from them are found
// where they came from, and a sample of reads agrees with the brute force.
func TestHairpins(t *testing.T) {
	refs := loadHairpins(t)
	if len(refs) != 1881 {
		t.Fatalf("%d hairpins, want 1881 (miRBase 21 human)", len(refs))
	}
	o := DefaultOptions()
	ix, err := NewIndex(refs, o)
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(7, 7))
	var hits []Hit
	for i := 0; i < 2000; i++ {
		ri := r.IntN(len(refs))
		s := refs[ri].Seq
		l := 18 + r.IntN(8)
		if l > len(s) {
			continue
		}
		p := r.IntN(len(s) - l + 1)
		read := slices.Clone(s[p : p+l])
		hits = ix.Align(read, hits[:0])
		found := false
		for _, h := range hits {
			if h.Mismatches != 0 || h.Tail != 0 {
				t.Fatalf("exact read %s: inexact best hit %v", read, h)
			}
			if int(h.Ref) == ri && int(h.Pos) == p {
				found = true
			}
		}
		if !found {
			t.Fatalf("read %s from %s:%d not found: %v", read, refs[ri].Name, p, hits)
		}
		if i%20 == 0 {
			read = mutate(r, s, o)
			got := ix.Align(read, nil)
			if len(got) == 0 {
				got = nil
			}
			if want := bruteAlign(refs, o, read); !reflect.DeepEqual(got, want) {
				t.Fatalf("read %s:\n got %v\nwant %v", read, got, want)
			}
		}
	}
	// hsa-miR-21-5p with an untemplated A: one hit on mir-21, tail 1.
	hits = ix.Align([]byte("TAGCTTATCAGACTGATGTTGAA"), hits[:0])
	if len(hits) != 1 || refs[hits[0].Ref].Name != "hsa-mir-21" || hits[0].Tail != 1 || hits[0].Len != 22 {
		t.Fatalf("miR-21-5p+A: %v", hits)
	}
}

// TestAlignNoAlloc checks that Align allocates nothing when dst has room.
func TestAlignNoAlloc(t *testing.T) {
	refs := loadHairpins(t)
	ix, err := NewIndex(refs, DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	reads := benchReads(refs, 200)
	dst := make([]Hit, 0, 1024)
	allocs := testing.AllocsPerRun(20, func() {
		for _, rd := range reads {
			dst = ix.Align(rd, dst[:0])
		}
	})
	if allocs != 0 {
		t.Fatalf("%v allocations per run", allocs)
	}
}

// TestAlignConcurrent runs Align from several goroutines on one index (run
// with -race) and checks each gets the sequential answer.
func TestAlignConcurrent(t *testing.T) {
	refs := loadHairpins(t)
	o := DefaultOptions()
	o.BothStrands = true
	ix, err := NewIndex(refs, o)
	if err != nil {
		t.Fatal(err)
	}
	reads := benchReads(refs, 3000)
	want := make([][]Hit, len(reads))
	for i, rd := range reads {
		want[i] = ix.Align(rd, nil)
	}
	var wg sync.WaitGroup
	errs := make(chan string, 4)
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var dst []Hit
			for i := range reads {
				i := (i + g*len(reads)/4) % len(reads)
				dst = ix.Align(reads[i], dst[:0])
				if !slices.Equal(dst, want[i]) {
					errs <- fmt.Sprintf("goroutine %d read %s: got %v want %v", g, reads[i], dst, want[i])
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}
