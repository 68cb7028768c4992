package diffexp

import (
	"math"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// benchSPD returns a p × p positive-definite XᵀWX of a two-group design
// with a covariate, as the GLM and dispersion fits build it.
func benchSPD(p int) []float64 {
	a := make([]float64, p*p)
	for j := 0; j < 20; j++ {
		x := make([]float64, p)
		x[0] = 1
		for k := 1; k < p; k++ {
			x[k] = math.Sin(float64(j*(k+1)) + float64(k))
		}
		w := 1 + float64(j%7)
		for r := 0; r < p; r++ {
			for c := 0; c < p; c++ {
				a[r*p+c] += w * x[r] * x[c]
			}
		}
	}
	return a
}

// BenchmarkCholesky compares the small in-place Cholesky of the GLM and
// dispersion loops (factor + log determinant, as logDetCholesky runs once
// per likelihood evaluation) with gonum's mat.Cholesky on reused values,
// for the design sizes of the CLI (p = 2 for ~ condition, 3 and 4 with
// covariates). The result is the reason for the own routine (see cholesky).
func BenchmarkCholesky(b *testing.B) {
	for _, p := range []int{2, 3, 4} {
		a := benchSPD(p)
		l := make([]float64, p*p)
		b.Run("own/p="+string(rune('0'+p)), func(b *testing.B) {
			b.ReportAllocs()
			s := 0.0
			for b.Loop() {
				s += logDetCholesky(a, p, l)
			}
			sinkFloat = s
		})
		sym := mat.NewSymDense(p, append([]float64(nil), a...))
		var ch mat.Cholesky
		b.Run("gonum/p="+string(rune('0'+p)), func(b *testing.B) {
			b.ReportAllocs()
			s := 0.0
			for b.Loop() {
				if !ch.Factorize(sym) {
					b.Fatal("not positive definite")
				}
				s += ch.LogDet()
			}
			sinkFloat = s
		})
	}
}

// TestCholeskyMatchesGonum: the own factorisation's log determinant and
// solve agree with gonum's on the benchmark matrices.
func TestCholeskyMatchesGonum(t *testing.T) {
	for _, p := range []int{2, 3, 4} {
		a := benchSPD(p)
		l := make([]float64, p*p)
		var ch mat.Cholesky
		if !ch.Factorize(mat.NewSymDense(p, append([]float64(nil), a...))) {
			t.Fatal("not positive definite")
		}
		if got, want := logDetCholesky(a, p, l), ch.LogDet(); math.Abs(got-want) > 1e-12*math.Abs(want) {
			t.Errorf("p=%d: log det %v, gonum %v", p, got, want)
		}
		rhs := make([]float64, p)
		for k := range rhs {
			rhs[k] = float64(k + 1)
		}
		x := append([]float64(nil), rhs...)
		if !cholSolve(a, p, x, l) {
			t.Fatal("cholSolve failed")
		}
		var want mat.VecDense
		if err := ch.SolveVecTo(&want, mat.NewVecDense(p, rhs)); err != nil {
			t.Fatal(err)
		}
		for k := range x {
			if math.Abs(x[k]-want.AtVec(k)) > 1e-12*(1+math.Abs(x[k])) {
				t.Errorf("p=%d: x[%d] = %v, gonum %v", p, k, x[k], want.AtVec(k))
			}
		}
	}
}
