package quant

import (
	"context"
	"math/rand/v2"
	"testing"

	"github.com/exomir/exomir/seq"
)

// TestMiRNACountsAndOtherClasses checks what the package doc states about
// other classes: reads within 1 mismatch of a hairpin count as miRNA
// whatever classes are given, while a read placed on a hairpin only by the
// 2-mismatch pass goes to an other class that matches it with at most 1
// mismatch; with SinglePass the miRNA counts do not depend on the classes.
func TestMiRNACountsAndOtherClasses(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	rnd := func(n int) string {
		b := make([]byte, n)
		for i := range b {
			b[i] = "ACGT"[rng.IntN(4)]
		}
		return string(b)
	}
	mature := "TAGCTTATCAGACTGATGTTGA" // hsa-miR-21-5p (miRBase 21), 22 nt
	hairpin := rnd(12) + mature + rnd(40)
	sub := func(s string, pos ...int) string {
		b := []byte(s)
		for _, p := range pos {
			b[p] = map[byte]byte{'A': 'C', 'C': 'G', 'G': 'T', 'T': 'A'}[b[p]]
		}
		return string(b)
	}
	one := sub(mature, 10)           // 1 mismatch: pass 1
	two := sub(mature, 6, 14)        // 2 mismatches: pass 3 only
	other := rnd(15) + two + rnd(15) // an other-class sequence holding "two" exactly
	otherOne := rnd(15) + one + rnd(15)
	inserts := []seq.Insert{{Seq: mature, Reads: 10, Molecules: 10}, {Seq: one, Reads: 5, Molecules: 5}, {Seq: two, Reads: 7, Molecules: 7}}
	count := func(withOther, single bool) (mirna, otherRNA string) {
		ref, err := NewReference([]seq.FastaRecord{{Name: "toy-miR-21-5p", Desc: "MIMAT1", Seq: []byte(mature)}},
			[]seq.FastaRecord{{Name: "toy-mir-21", Desc: "MI1", Seq: []byte(hairpin)}}, RefOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if withOther {
			if err := ref.AddOther("tRNA", []seq.FastaRecord{{Name: "t1", Seq: []byte(other)}, {Name: "t2", Seq: []byte(otherOne)}}); err != nil {
				t.Fatal(err)
			}
		}
		s, err := Quantify(context.Background(), ref, "s", inserts, nil, Options{SinglePass: single})
		if err != nil {
			t.Fatal(err)
		}
		mirna, _ = s.Stat("reads_mirna")
		otherRNA, _ = s.Stat("reads_other_rna")
		return mirna, otherRNA
	}
	for _, tc := range []struct {
		withOther, single bool
		mirna, other      string
	}{
		{false, false, "22", "0"}, // all three placed, "two" by pass 3
		{true, false, "15", "7"},  // "two" goes to tRNA; "one" stays miRNA
		{false, true, "15", "0"},  // single pass: "two" unmapped
		{true, true, "15", "7"},   // single pass: miRNA unchanged by classes
	} {
		m, o := count(tc.withOther, tc.single)
		if m != tc.mirna || o != tc.other {
			t.Errorf("other classes %v, single pass %v: miRNA %s other %s, want %s and %s", tc.withOther, tc.single, m, o, tc.mirna, tc.other)
		}
	}
}
