package study

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// TestSparseMatchesDense: on random vectors (mostly zeros, some long
// runs, empty), the sparse form gives back the dense vector and a cursor
// walked in order reads each entry.
func TestSparseMatchesDense(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for trial := 0; trial < 500; trial++ {
		dense := make([]int64, rng.IntN(300))
		zero := rng.Float64()
		for i := range dense {
			if rng.Float64() > zero {
				dense[i] = rng.Int64N(1 << 40)
			}
		}
		s := toSparse(dense)
		var nz []int64
		s.each(func(i int, v int64) {
			if dense[i] != v || v == 0 {
				t.Fatalf("trial %d: each gave %d at %d, dense has %d", trial, v, i, dense[i])
			}
			nz = append(nz, v)
		})
		if want := slices.DeleteFunc(slices.Clone(dense), func(v int64) bool { return v == 0 }); !slices.Equal(nz, want) {
			t.Fatalf("trial %d: each gave %v, want %v", trial, nz, want)
		}
		if got := s.dense(); !slices.Equal(got, dense) {
			t.Fatalf("trial %d: dense %v, want %v", trial, got, dense)
		}
		c := newCursor(s)
		for i, v := range dense {
			if got := c.at(i); got != v {
				t.Fatalf("trial %d: cursor at %d = %d, want %d", trial, i, got, v)
			}
		}
	}
}
