package diffexp

import (
	"math"
	"math/rand/v2"
	"sort"
	"testing"
)

const tmmTol = 1e-12

func TestTMMHand(t *testing.T) {
	// Worked by hand from the definition in TMM's doc comment.
	s1 := []float64{10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 100}
	s2 := []float64{10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 1000}
	mk := func(cols ...[]float64) *Counts {
		c := &Counts{}
		for j := range cols {
			c.Samples = append(c.Samples, string(rune('a'+j)))
		}
		for i := range cols[0] {
			c.Features = append(c.Features, string(rune('A'+i)))
			for _, col := range cols {
				c.Values = append(c.Values, col[i])
			}
		}
		return c
	}
	// N1 = 650, N2 = 1550: ten features have M = log2(650/1550), the last is
	// trimmed (rank 11 > n − ⌊0.3·11⌋ = 8), so f2/f1 = 650/1550 and after
	// geometric scaling f = (√(1550/650), √(650/1550)).
	r := math.Sqrt(1550.0 / 650)
	a := 650.0 / 1550
	zero := make([]float64, len(s1))
	tests := []struct {
		name string
		c    *Counts
		want []float64
	}{
		{"identical", mk(s1, s1), []float64{1, 1}},
		{"scaled copy", mk(s1, scale(s1, 3)), []float64{1, 1}},
		{"one outlier trimmed", mk(s1, s2), []float64{r, 1 / r}},
		// all-zero sample: factor 1 before scaling; reference is sample 1
		// (sample 2's upper quartile is not closest to the mean of two), so
		// unscaled f = (1, a, 1), a = 650/1550, then ÷ ∛a
		{"all-zero sample", mk(s1, s2, zero), []float64{1 / math.Cbrt(a), a / math.Cbrt(a), 1 / math.Cbrt(a)}},
		{"single sample", mk(s1), []float64{1}},
	}
	for _, tc := range tests {
		got := TMM(tc.c)
		for j := range tc.want {
			if math.Abs(got[j]-tc.want[j]) > tmmTol {
				t.Errorf("%s: got %v want %v", tc.name, got, tc.want)
				break
			}
		}
	}
}

func scale(x []float64, f float64) []float64 {
	out := make([]float64, len(x))
	for i, v := range x {
		out[i] = v * f
	}
	return out
}

// tmmNaive is a direct transcription of the TMM definition with O(n²)
// ranks, used as the reference on random inputs.
func tmmNaive(c *Counts) []float64 {
	n, m := len(c.Features), len(c.Samples)
	lib := make([]float64, m)
	var rows [][]float64
	for i := 0; i < n; i++ {
		r := c.Row(i)
		any := false
		for j, v := range r {
			lib[j] += v
			any = any || v > 0
		}
		if any {
			rows = append(rows, r)
		}
	}
	uq := make([]float64, m)
	for j := 0; j < m; j++ {
		col := make([]float64, len(rows))
		for i, r := range rows {
			col[i] = r[j]
		}
		sort.Float64s(col)
		h := 0.75 * float64(len(col)-1)
		lo := int(h)
		v := col[lo]
		if lo+1 < len(col) {
			v += (h - float64(lo)) * (col[lo+1] - col[lo])
		}
		uq[j] = v / lib[j]
	}
	mean := 0.0
	for _, v := range uq {
		mean += v / float64(m)
	}
	ref := 0
	for j := range uq {
		if math.Abs(uq[j]-mean) < math.Abs(uq[ref]-mean) {
			ref = j
		}
	}
	rank := func(x []float64, i int) float64 {
		less, eq := 0.0, 0.0
		for _, v := range x {
			if v < x[i] {
				less++
			} else if v == x[i] {
				eq++
			}
		}
		return less + (eq+1)/2
	}
	f := make([]float64, m)
	logsum := 0.0
	for j := 0; j < m; j++ {
		var M, A, V []float64
		for _, r := range rows {
			if r[j] == 0 || r[ref] == 0 {
				continue
			}
			pj, pr := r[j]/lib[j], r[ref]/lib[ref]
			M = append(M, math.Log2(pj/pr))
			A = append(A, (math.Log2(pj)+math.Log2(pr))/2)
			V = append(V, 1/r[j]-1/lib[j]+1/r[ref]-1/lib[ref])
		}
		allSmall := true
		for _, v := range M {
			allSmall = allSmall && math.Abs(v) < 1e-6
		}
		f[j] = 1
		if !allSmall {
			k := float64(len(M))
			loL, loS := math.Floor(0.3*k)+1, math.Floor(0.05*k)+1
			num, den := 0.0, 0.0
			for i := range M {
				rm, ra := rank(M, i), rank(A, i)
				if rm >= loL && rm <= k+1-loL && ra >= loS && ra <= k+1-loS {
					num += M[i] / V[i]
					den += 1 / V[i]
				}
			}
			f[j] = math.Exp2(num / den)
		}
		logsum += math.Log(f[j])
	}
	for j := range f {
		f[j] /= math.Exp(logsum / float64(m))
	}
	return f
}

func TestTMMRandom(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 5))
	for it := 0; it < 200; it++ {
		n, m := 5+rng.IntN(60), 2+rng.IntN(6)
		c := &Counts{Features: make([]string, n), Samples: make([]string, m), Values: make([]float64, n*m)}
		for j := 0; j < m; j++ {
			depth := 0.3 + 3*rng.Float64()
			for i := 0; i < n; i++ {
				mu := math.Exp(3*rng.NormFloat64()) * depth
				c.Values[i*m+j] = float64(rng.IntN(int(mu) + 1)) // many zeros and ties
			}
			c.Values[j] += 1 // no empty sample
		}
		got, want := TMM(c), tmmNaive(c)
		for j := range want {
			if math.Abs(got[j]-want[j]) > 1e-9*want[j] {
				t.Fatalf("iteration %d (n=%d m=%d): got %v want %v", it, n, m, got, want)
			}
		}
	}
}
