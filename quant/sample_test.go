package quant

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"

	"github.com/exomir/exomir/seq"
)

// checkAccounting asserts that the reads_* rows sum to input_reads.
func checkAccounting(t *testing.T, s *Sample) {
	t.Helper()
	var sum int64
	input := int64(-1)
	for _, st := range s.Stats {
		v, err := strconv.ParseInt(st.Value, 10, 64)
		switch {
		case st.Name == "input_reads":
			input = v
		case strings.HasPrefix(st.Name, "reads_"):
			if err != nil {
				t.Fatalf("%s = %q", st.Name, st.Value)
			}
			sum += v
		}
	}
	if input < 0 || sum != input {
		t.Errorf("reads_* sum to %d, input_reads = %d (%v)", sum, input, s.Stats)
	}
}

// Tolerance of the EM fixed point against the hand-derived answers.
const emTol = 1e-4

func TestResolve(t *testing.T) {
	// Hand-derived fixed points (θ_f = unique_f + Σ n_g θ_f / Σ_g θ):
	// case "two": θ0+θ1 = 60, θ0 = 30 + 20 θ0/60  =>  θ0 = 45, θ1 = 15.
	// case "three": feature 2 has no unique reads, so its θ stays 0 and the
	// {1,2} group goes to 1; θ0+θ1 = 66, θ0 = 30 + 20 θ0/66 => θ0 = 30·66/46.
	// case "cold": no candidate has unique reads: equal split.
	type group struct {
		cands []int32
		n     float64
	}
	cases := []struct {
		name   string
		unique []float64
		groups []group
		want   map[Multi][]float64
	}{
		{"two", []float64{30, 10}, []group{{[]int32{0, 1}, 20}}, map[Multi][]float64{
			MultiEM: {45, 15}, MultiSplit: {40, 20}, MultiUnique: {30, 10}}},
		{"three", []float64{30, 10, 0}, []group{{[]int32{0, 1}, 20}, {[]int32{1, 2}, 6}}, map[Multi][]float64{
			MultiEM: {30 * 66.0 / 46, 66 - 30*66.0/46, 0}, MultiSplit: {40, 23, 3}, MultiUnique: {30, 10, 0}}},
		{"cold", []float64{0, 0, 5}, []group{{[]int32{0, 1}, 9}}, map[Multi][]float64{
			MultiEM: {4.5, 4.5, 5}, MultiSplit: {4.5, 4.5, 5}, MultiUnique: {0, 0, 5}}},
	}
	for _, c := range cases {
		for m, want := range c.want {
			t.Run(c.name+"/"+m.String(), func(t *testing.T) {
				amb := map[string]*ambiguous{}
				var order []string
				for i, g := range c.groups {
					k := strconv.Itoa(i)
					amb[k] = &ambiguous{cands: g.cands, n: g.n}
					order = append(order, k)
				}
				got, _ := resolve(c.unique, amb, order, m)
				for i := range want {
					if math.Abs(got[i]-want[i]) > emTol {
						t.Errorf("got %v, want %v", got, want)
						break
					}
				}
			})
		}
	}
}

func TestRoundTotal(t *testing.T) {
	for _, c := range []struct {
		in   []float64
		want []int64
	}{
		{[]float64{1.5, 1.5, 2}, []int64{2, 1, 2}},
		{[]float64{45, 15}, []int64{45, 15}},
		{[]float64{1 / 3.0, 1 / 3.0, 1 / 3.0}, []int64{1, 0, 0}},
		{[]float64{0.2, 0.7, 3.1}, []int64{0, 1, 3}},
	} {
		got := roundTotal(c.in)
		if len(got) != len(c.want) {
			t.Fatalf("%v: %v", c.in, got)
		}
		for i := range got {
			if got[i] != c.want[i] {
				t.Errorf("roundTotal(%v) = %v, want %v", c.in, got, c.want)
				break
			}
		}
	}
	// Random inputs: the integer total is the rounded fractional total and
	// each count is its fraction rounded down or up.
	rng := rand.New(rand.NewPCG(1, 2))
	for k := 0; k < 200; k++ {
		x := make([]float64, 1+rng.IntN(20))
		var sum float64
		for i := range x {
			x[i] = rng.Float64() * 10
			sum += x[i]
		}
		got := roundTotal(x)
		var tot int64
		for i, v := range got {
			tot += v
			if float64(v) < math.Floor(x[i])-1e-9 || float64(v) > math.Ceil(x[i])+1e-9 {
				t.Fatalf("%v -> %v", x, got)
			}
		}
		if tot != int64(math.Round(sum)) {
			t.Fatalf("total %d, want %v", tot, math.Round(sum))
		}
	}
}

// TestMultiMapping checks EM, split and unique on a constructed ambiguous
// set: a read that is an equally shifted isomiR of two matures (and lies on
// two hairpins). Expected counts are the hand-derived ones of TestResolve.
func TestMultiMapping(t *testing.T) {
	// Hairpins H1 and H2 share a 30-nt core; mature A sits on H1 at 10..32,
	// mature B on H2 at 12..34 (B's sequence shifted by 2 in the core).
	core := "TGAGGTAGTAGGTTGTATAGTTACGATCGAT"
	h1 := "CCGTACGTAC" + core + "GGACCTTAAGGCCTAAGGCT"
	h2 := "GGCCAATTGC" + core + "TTCGAACCGGATTCCAAGTT"
	hp := []seq.FastaRecord{{Name: "xx-mir-1", Desc: "MI1", Seq: []byte(h1)}, {Name: "xx-mir-2", Desc: "MI2", Seq: []byte(h2)}}
	// Mature A = core[0:22] on both hairpins; mature B = core[2:24] on both.
	mat := []seq.FastaRecord{
		{Name: "xx-miR-A", Desc: "MIMATA", Seq: []byte(core[0:22])},
		{Name: "xx-miR-B", Desc: "MIMATB", Seq: []byte(core[2:24])},
	}
	r, err := NewReference(mat, hp, RefOptions{Species: "xx"})
	if err != nil {
		t.Fatal(err)
	}
	// core[1:23] is at distance 2 (|+1|+|+1|) from A and (|-1|+|-1|) from B
	// on both hairpins: ambiguous between A and B, and between hairpins.
	ins := []seq.Insert{
		{Seq: core[0:22], Reads: 30, Molecules: 3},
		{Seq: core[2:24], Reads: 10, Molecules: 1},
		{Seq: core[1:23], Reads: 20, Molecules: 4},
	}
	base := []Stat{{"input_reads", "60"}, {"reads_passed", "60"}}
	for _, c := range []struct {
		o    Options
		want []int64 // A, B
	}{
		{Options{Multi: MultiEM}, []int64{45, 15}},
		{Options{Multi: MultiSplit}, []int64{40, 20}},
		{Options{Multi: MultiUnique}, []int64{30, 10}},
		{Options{Multi: MultiEM, UMI: true}, []int64{6, 2}}, // molecules 3, 1, 4 ambiguous: θA = 3 + 4 θA/8 = 6
	} {
		t.Run(c.o.Multi.String()+map[bool]string{true: "/umi"}[c.o.UMI], func(t *testing.T) {
			s, err := Quantify(context.Background(), r, "s", ins, base, c.o)
			if err != nil {
				t.Fatal(err)
			}
			if s.Mature[0] != c.want[0] || s.Mature[1] != c.want[1] {
				t.Errorf("counts = %v (frac %v), want %v", s.Mature, s.MatureFrac, c.want)
			}
			var hsum int64
			for _, h := range s.Hairpin {
				hsum += h
			}
			if c.o.Multi != MultiUnique && hsum != c.want[0]+c.want[1] {
				t.Errorf("hairpin total %d, want %d", hsum, c.want[0]+c.want[1])
			}
			if got, _ := s.Stat("mirna_multi_reads"); got != "20" {
				t.Errorf("mirna_multi_reads = %s", got)
			}
			checkAccounting(t, s)
		})
	}
}

// TestUMISets: with UMI sets, a feature's molecules are its distinct UMIs
// over all its inserts, so a PCR copy with a sequencing error (a second
// insert carrying an already seen UMI) adds no molecule.
func TestUMISets(t *testing.T) {
	r := embeddedHsa(t)
	l, hp := locusOf(t, r, "hsa-miR-21-5p", "hsa-mir-21")
	m := string(hp[l.Start:l.End])
	fi := r.FeatureIndex("hsa-miR-21-5p")
	ins := []seq.Insert{
		{Seq: m, Reads: 9, Molecules: 3},
		{Seq: mutate(m, 12), Reads: 1, Molecules: 1}, // error copy of molecule "AAA"
		{Seq: m[:len(m)-1], Reads: 2, Molecules: 1},  // a new molecule
	}
	sets := [][]string{{"AAA", "CCC", "GGG"}, {"AAA"}, {"TTT"}}
	for _, c := range []struct {
		name string
		o    Options
		want int64
	}{
		{"umi sets", Options{UMI: true, UMIs: sets}, 4},
		{"summed molecules", Options{UMI: true}, 5},
		{"reads", Options{UMIs: sets}, 12},
	} {
		t.Run(c.name, func(t *testing.T) {
			s, err := Quantify(context.Background(), r, "s", ins, nil, c.o)
			if err != nil {
				t.Fatal(err)
			}
			if s.Mature[fi] != c.want {
				t.Errorf("count = %d, want %d", s.Mature[fi], c.want)
			}
			if got, _ := s.Stat("reads_mirna"); got != "12" {
				t.Errorf("reads_mirna = %s, want 12 (accounting stays in reads)", got)
			}
		})
	}
	if _, err := Quantify(context.Background(), r, "s", ins, nil, Options{UMI: true, UMIs: sets[:2]}); !errors.Is(err, ErrBadOption) {
		t.Errorf("mismatched UMI sets: err = %v", err)
	}
}

// plainEM is the reference implementation of MultiEM: textbook EM from
// the equal split, many iterations.
func plainEM(unique []float64, groups []*ambiguous, iters int) []float64 {
	theta := append([]float64(nil), unique...)
	for _, g := range groups {
		for _, c := range g.cands {
			theta[c] += g.n / float64(len(g.cands))
		}
	}
	for it := 0; it < iters; it++ {
		next := append([]float64(nil), unique...)
		for _, g := range groups {
			var sum float64
			for _, c := range g.cands {
				sum += theta[c]
			}
			for _, c := range g.cands {
				next[c] += g.n * theta[c] / sum
			}
		}
		theta = next
	}
	return theta
}

// TestResolveVsPlainEM checks the accelerated EM against plainEM on random
// ambiguous sets in which every candidate has unambiguous reads (so the
// fixed point is unique and plain EM reaches it).
func TestResolveVsPlainEM(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for trial := 0; trial < 100; trial++ {
		n := 2 + rng.IntN(12)
		unique := make([]float64, n)
		for i := range unique {
			unique[i] = float64(1 + rng.IntN(50))
		}
		amb := map[string]*ambiguous{}
		var order []string
		var groups []*ambiguous
		for g := 0; g < 1+rng.IntN(8); g++ {
			k := 2 + rng.IntN(n-1)
			perm := rng.Perm(n)[:k]
			cands := make([]int32, k)
			for i, p := range perm {
				cands[i] = int32(p)
			}
			key := strconv.Itoa(g)
			amb[key] = &ambiguous{cands: cands, n: float64(1 + rng.IntN(200))}
			order = append(order, key)
			groups = append(groups, amb[key])
		}
		got, _ := resolve(unique, amb, order, MultiEM)
		want := plainEM(unique, groups, 20000)
		for i := range want {
			if math.Abs(got[i]-want[i]) > emTol*math.Max(1, want[i]) {
				t.Fatalf("trial %d: got %v, want %v", trial, got, want)
			}
		}
	}
}
