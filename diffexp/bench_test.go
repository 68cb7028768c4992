package diffexp

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"path/filepath"
	"testing"
)

// benchCounts simulates an n × 2k NB count matrix like
// ../shared/peers/simulate_counts.R (log-normal means around 200,
// dispersion 0.05 + 1/μ, 10% of features 4× up or down in tumor).
func benchCounts(n, k int, seed uint64) (*Counts, *ColData) {
	rng := rand.New(rand.NewPCG(seed, 7))
	m := 2 * k
	c := &Counts{Features: make([]string, n), Samples: make([]string, m), Values: make([]float64, n*m)}
	cd := &ColData{Samples: c.Samples, Names: []string{"condition"}, Columns: [][]string{make([]string, m)}}
	sf := make([]float64, m)
	for j := 0; j < m; j++ {
		cond := "control"
		if j >= k {
			cond = "tumor"
		}
		c.Samples[j] = fmt.Sprintf("%s_%d", cond, j%k+1)
		cd.Columns[0][j] = cond
		sf[j] = 0.6 + 0.9*rng.Float64()
	}
	for i := 0; i < n; i++ {
		c.Features[i] = fmt.Sprintf("mir%04d", i+1)
		mu := math.Max(1, math.Exp(math.Log(200)+1.5*rng.NormFloat64()))
		disp := (0.05 + 1/mu) * math.Exp(0.3*rng.NormFloat64())
		lfc := 0.0
		if rng.Float64() < 0.1 {
			lfc = 2
			if rng.IntN(2) == 0 {
				lfc = -2
			}
		}
		for j := 0; j < m; j++ {
			mj := mu * sf[j]
			if j >= k {
				mj *= math.Exp2(lfc)
			}
			// NB as a gamma–Poisson mixture
			lam := gammaRand(rng, 1/disp) * mj * disp
			c.Values[i*m+j] = poissonRand(rng, lam)
		}
	}
	return c, cd
}

// gammaRand draws Gamma(shape, 1) (Marsaglia–Tsang).
func gammaRand(rng *rand.Rand, shape float64) float64 {
	if shape < 1 {
		return gammaRand(rng, shape+1) * math.Pow(rng.Float64(), 1/shape)
	}
	d := shape - 1.0/3
	c := 1 / math.Sqrt(9*d)
	for {
		x := rng.NormFloat64()
		v := 1 + c*x
		if v <= 0 {
			continue
		}
		v = v * v * v
		u := rng.Float64()
		if math.Log(u) < 0.5*x*x+d-d*v+d*math.Log(v) {
			return d * v
		}
	}
}

// poissonRand draws Poisson(lam): inversion for small means, a rounded
// normal approximation for large ones (adequate for benchmarks).
func poissonRand(rng *rand.Rand, lam float64) float64 {
	if lam > 500 {
		return math.Max(0, math.Round(lam+math.Sqrt(lam)*rng.NormFloat64()))
	}
	l := math.Exp(-lam)
	k, p := 0.0, 1.0
	for {
		p *= rng.Float64()
		if p <= l {
			return k
		}
		k++
	}
}

func benchGolden(b *testing.B) (*Counts, *ColData) {
	return edgerLoad(b, filepath.Join("..", "testdata", "de", "sim2600x20"))
}

// BenchmarkDESeq2600x20 runs the DESeq2 pipeline on the 2,600 × 20 golden
// matrix (bytes = 8 per count).
func BenchmarkDESeq2600x20(b *testing.B) {
	c, cd := benchGolden(b)
	b.SetBytes(int64(8 * len(c.Values)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := DESeq(context.Background(), c, cd, Options{Contrast: []string{"condition", "tumor", "control"}}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkEdgeR(b *testing.B) {
	for _, k := range []int{10, 100} {
		b.Run(fmt.Sprintf("2600x%d", 2*k), func(b *testing.B) {
			c, cd := benchCounts(2600, k, 1)
			b.SetBytes(int64(8 * len(c.Values)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := EdgeR(context.Background(), c, cd, Options{}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkTMM2600x200(b *testing.B) {
	c, _ := benchCounts(2600, 100, 1)
	b.SetBytes(int64(8 * len(c.Values)))
	b.ReportAllocs()
	for b.Loop() {
		TMM(c)
	}
}

func BenchmarkROC2600x200(b *testing.B) {
	c, cd := benchCounts(2600, 100, 1)
	sf := make([]float64, len(c.Samples))
	for j := range sf {
		sf[j] = 1
	}
	b.SetBytes(int64(8 * len(c.Values)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ROCAUC(c, cd, sf, "condition", "tumor", "control"); err != nil {
			b.Fatal(err)
		}
	}
}
