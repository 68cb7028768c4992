package quant

import (
	"context"
	"io"
	"testing"

	"github.com/exomir/exomir/simulate"
)

// BenchmarkQuantify aligns, assigns and counts the distinct inserts of a
// simulated 20k-read TruSeq sample; bytes are insert bases.
func BenchmarkQuantify(b *testing.B) {
	ins, _, _, _ := simInserts(b, simulate.TruSeq, 20000)
	r, err := Embedded("hsa")
	if err != nil {
		b.Fatal(err)
	}
	if _, err := r.Index(); err != nil {
		b.Fatal(err)
	}
	var n int64
	for _, in := range ins {
		n += int64(len(in.Seq))
	}
	b.SetBytes(n)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Quantify(context.Background(), r, "b", ins, nil, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkAssign times Assign alone on a miR-21-5p isomiR with its hit.
func BenchmarkAssign(b *testing.B) {
	r, err := Embedded("hsa")
	if err != nil {
		b.Fatal(err)
	}
	fi, hi := r.FeatureIndex("hsa-miR-21-5p"), r.HairpinIndex("hsa-mir-21")
	var l Locus
	for _, x := range r.Features[fi].Loci {
		if x.Hairpin == hi {
			l = x
		}
	}
	read := append(append([]byte(nil), r.Hairpins[hi].Seq[l.Start:l.End-1]...), 'A')
	hits := []Hit{{Hairpin: int32(hi), Pos: int32(l.Start), Len: int32(len(read) - 1), Tail: 1}}
	a := NewAssigner(r, AssignerOptions{})
	b.SetBytes(int64(len(read)))
	b.ReportAllocs()
	for b.Loop() {
		if as := a.Assign(read, hits, nil); as.Kind != Mirna {
			b.Fatal(as.Kind)
		}
	}
}

// BenchmarkWriteIsomirGFF formats the mirGFF3 of a simulated 20k-read
// sample; bytes are output bytes.
func BenchmarkWriteIsomirGFF(b *testing.B) {
	ins, _, _, _ := simInserts(b, simulate.TruSeq, 20000)
	r, err := Embedded("hsa")
	if err != nil {
		b.Fatal(err)
	}
	s, err := Quantify(context.Background(), r, "b", ins, nil, Options{})
	if err != nil {
		b.Fatal(err)
	}
	var n countWriter
	if err := WriteIsomirGFF(&n, []*Sample{s}, GFFOptions{}); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(n))
	b.ReportAllocs()
	for b.Loop() {
		if err := WriteIsomirGFF(io.Discard, []*Sample{s}, GFFOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}

type countWriter int

func (c *countWriter) Write(p []byte) (int, error) { *c += countWriter(len(p)); return len(p), nil }
