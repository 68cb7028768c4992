package seq

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// benchKeys returns n packed inserts like a diverse library's: variants
// (substitutions) of 300 miRNA-like sequences of 18-26 nt, unsorted.
func benchKeys(n int) []collapsed {
	rng := rand.New(rand.NewPCG(1, 2))
	base := make([][]byte, 300)
	for i := range base {
		base[i] = make([]byte, 18+rng.IntN(9))
		for j := range base[i] {
			base[i][j] = "ACGT"[rng.IntN(4)]
		}
	}
	recs := make([]collapsed, n)
	for i := range recs {
		s := slices.Clone(base[rng.IntN(len(base))])
		for e := 1 + rng.IntN(2); e > 0; e-- {
			s[rng.IntN(len(s))] = "ACGTN"[rng.IntN(5)]
		}
		k, _ := pack2(s)
		recs[i] = collapsed{reads: 1, k: k, long: -1}
	}
	return recs
}

// BenchmarkSortKeys: the radix sort of collapseAll's parts against the
// comparison sort it replaced, on 600,000 keys (a 30%-distinct 2M-read
// library), one part.
func BenchmarkSortKeys(b *testing.B) {
	recs := benchKeys(600000)
	a := make([]collapsed, len(recs))
	b.Run("radix", func(b *testing.B) {
		for b.Loop() {
			copy(a, recs)
			sortKeys(a, make([]collapsed, len(a)), 0)
		}
	})
	b.Run("pdqsort", func(b *testing.B) {
		for b.Loop() {
			copy(a, recs)
			slices.SortFunc(a, func(x, y collapsed) int { return less2(x.k, y.k) })
		}
	})
}
