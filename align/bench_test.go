package align

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// benchReads returns n distinct reads drawn from refs in a mix like a
// small-RNA sample: 30% exact 22-nt windows (matures), 20% isomiRs (19-25
// nt), 15% with one substitution, 15% with 1-3 untemplated A/T, 20% random
// 22-nt sequences that match nothing.
func benchReads(refs []Ref, n int) [][]byte {
	r := rand.New(rand.NewPCG(1, 2))
	seen := map[string]bool{}
	var out [][]byte
	window := func(l int) []byte {
		for {
			s := refs[r.IntN(len(refs))].Seq
			if len(s) >= l {
				p := r.IntN(len(s) - l + 1)
				return slices.Clone(s[p : p+l])
			}
		}
	}
	for len(out) < n {
		var read []byte
		switch x := r.IntN(100); {
		case x < 30:
			read = window(22)
		case x < 50:
			read = window(19 + r.IntN(7))
		case x < 65:
			read = window(22)
			i := r.IntN(len(read))
			read[i] = "ACGT"[(int(readCode[read[i]])+1+r.IntN(3))%4]
		case x < 80:
			read = window(21)
			for range 1 + r.IntN(3) {
				read = append(read, "AT"[r.IntN(2)])
			}
		default:
			read = randSeq(r, 22, "ACGT")
		}
		if !seen[string(read)] {
			seen[string(read)] = true
			out = append(out, read)
		}
	}
	return out
}

// BenchmarkAlign aligns distinct reads to the human miRBase 21 hairpins with
// the default options (k=1, tail 3 A/T). The reads/s metric is per core.
func BenchmarkAlign(b *testing.B) {
	refs := loadHairpins(b)
	for _, bc := range []struct {
		name string
		o    Options
	}{
		{"k1-tail3", DefaultOptions()},
		{"k0-tail3", Options{MaxTail: 3, TailBases: "AT", MinLength: 15}},
		{"k2-tail3", Options{MaxMismatches: 2, MaxTail: 3, TailBases: "AT", MinLength: 15}},
		{"k1-tail3-both", Options{MaxMismatches: 1, MaxTail: 3, TailBases: "AT", MinLength: 15, BothStrands: true}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			ix, err := NewIndex(refs, bc.o)
			if err != nil {
				b.Fatal(err)
			}
			reads := benchReads(refs, 100000)
			var nbytes int64
			for _, rd := range reads {
				nbytes += int64(len(rd))
			}
			b.SetBytes(nbytes / int64(len(reads)))
			b.ReportAllocs()
			dst := make([]Hit, 0, 1024)
			b.ResetTimer()
			for i := 0; b.Loop(); i++ {
				dst = ix.Align(reads[i%len(reads)], dst[:0])
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "reads/s")
		})
	}
}

// BenchmarkNewIndex builds the index of the human miRBase 21 hairpins.
func BenchmarkNewIndex(b *testing.B) {
	refs := loadHairpins(b)
	var nbytes int64
	for _, r := range refs {
		nbytes += int64(len(r.Seq))
	}
	b.SetBytes(nbytes)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := NewIndex(refs, DefaultOptions()); err != nil {
			b.Fatal(err)
		}
	}
}
