package align

import (
	"compress/gzip"
	"math/rand/v2"
	"os"
	"slices"
	"testing"
	"time"
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
			cpu0 := cpuTime()
			for i := 0; b.Loop(); i++ {
				dst = ix.Align(reads[i%len(reads)], dst[:0])
			}
			reportRate(b, cpu0)
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

// allSpeciesHairpins is miRBase 21 hairpin.fa for all species (28,645
// hairpins) in the project's shared data next to the repository;
// benchmarks using it are skipped where it is absent.
const allSpeciesHairpins = "../../shared/data/mirbase/hairpin_v21_all.fa.gz"

func loadAllSpecies(b *testing.B) []Ref {
	f, err := os.Open(allSpeciesHairpins)
	if err != nil {
		b.Skip("all-species hairpins not available:", err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		b.Fatal(err)
	}
	return readRefs(b, zr, allSpeciesHairpins)
}

// BenchmarkAllSpecies builds the index of all 28,645 miRBase 21 hairpins
// and aligns the same read mix as BenchmarkAlign drawn from them.
func BenchmarkAllSpecies(b *testing.B) {
	refs := loadAllSpecies(b)
	b.Run("NewIndex", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := NewIndex(refs, DefaultOptions()); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("Align-k1-tail3", func(b *testing.B) {
		ix, err := NewIndex(refs, DefaultOptions())
		if err != nil {
			b.Fatal(err)
		}
		reads := benchReads(refs, 100000)
		b.SetBytes(22)
		b.ReportAllocs()
		dst := make([]Hit, 0, 1024)
		cpu0 := cpuTime()
		for i := 0; b.Loop(); i++ {
			dst = ix.Align(reads[i%len(reads)], dst[:0])
		}
		reportRate(b, cpu0)
	})
}

// reportRate reports reads per wall second and, where measured, reads per
// CPU second of the process since cpu0.
func reportRate(b *testing.B, cpu0 time.Duration) {
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "reads/s")
	if cpu := cpuTime() - cpu0; cpu0 > 0 && cpu > 0 {
		b.ReportMetric(float64(b.N)/cpu.Seconds(), "reads/cpu-s")
	}
}
