package seq

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// sortKeys against a comparison sort by less2 on random inserts: shared
// prefixes (variants of a few sequences), duplicates (as from two
// workers' tables), lengths 1–42, N bases, and sizes around radixMin.
func TestSortKeysMatchesComparisonSort(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 9))
	base := make([][]byte, 6)
	for i := range base {
		base[i] = make([]byte, 42)
		for j := range base[i] {
			base[i][j] = "ACGT"[rng.IntN(4)]
		}
	}
	for _, n := range []int{0, 1, 2, radixMin, radixMin + 1, 100, 5000, 40000} {
		recs := make([]collapsed, 0, n)
		for len(recs) < n {
			var s []byte
			if rng.IntN(4) == 0 {
				s = make([]byte, 1+rng.IntN(42))
				for j := range s {
					s[j] = "ACGTN"[rng.IntN(5)]
				}
			} else {
				b := base[rng.IntN(len(base))]
				s = append([]byte(nil), b[:15+rng.IntN(28)]...)
				for e := rng.IntN(3); e > 0; e-- {
					s[rng.IntN(len(s))] = "ACGTN"[rng.IntN(5)]
				}
			}
			k, ok := pack2(s)
			if !ok {
				t.Fatal("pack2 failed")
			}
			r := collapsed{reads: int64(rng.IntN(5)), k: k, long: -1}
			recs = append(recs, r)
			if rng.IntN(3) == 0 && len(recs) < n {
				recs = append(recs, r) // a duplicate
			}
		}
		rng.Shuffle(len(recs), func(i, j int) { recs[i], recs[j] = recs[j], recs[i] })
		want := slices.Clone(recs)
		slices.SortStableFunc(want, func(x, y collapsed) int { return less2(x.k, y.k) })
		got := slices.Clone(recs)
		sortKeys(got, make([]collapsed, len(got)), 0)
		// Records with equal keys may be in any order: compare keys, and
		// the multiset of records through a stable re-sort.
		for i := range got {
			if got[i].k != want[i].k {
				t.Fatalf("n %d: record %d has key %v, want %v", n, i, got[i].k, want[i].k)
			}
		}
		slices.SortStableFunc(got, func(x, y collapsed) int {
			if c := less2(x.k, y.k); c != 0 {
				return c
			}
			return int(x.reads - y.reads)
		})
		slices.SortStableFunc(want, func(x, y collapsed) int {
			if c := less2(x.k, y.k); c != 0 {
				return c
			}
			return int(x.reads - y.reads)
		})
		if !slices.Equal(got, want) {
			t.Fatalf("n %d: records differ", n)
		}
	}
}
