package study

import (
	"math/rand/v2"
	"slices"
	"strconv"
	"testing"

	"github.com/exomir/exomir/quant"
)

// TestCompactStats: the compacted rows equal the input on random rows
// (empty values and repeated names included), and a sample's rows cost
// two allocations once their names are known.
func TestCompactStats(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for range 50 {
		var in []quant.Stat
		for range rng.IntN(120) {
			v := ""
			if rng.IntN(4) > 0 {
				v = strconv.FormatFloat(rng.Float64()*1e6, 'g', -1, 64)
			}
			in = append(in, quant.Stat{Name: "reads_" + strconv.Itoa(rng.IntN(40)), Value: v})
		}
		want := slices.Clone(in)
		got := compactStats(in)
		if !slices.Equal(got, want) || len(got) != cap(got) {
			t.Fatalf("compactStats(%v) = %v", want, got)
		}
	}
	rows := []quant.Stat{{Name: "input_reads", Value: "20000"}, {Name: "reads_mirna", Value: "15990"}, {Name: "adapter", Value: "TGGAATTCTCGGGTGCCAAGG"}}
	compactStats(rows)
	if n := testing.AllocsPerRun(20, func() { compactStats(rows) }); n > 2 {
		t.Errorf("%v allocations for 3 known rows, want 2", n)
	}
}
