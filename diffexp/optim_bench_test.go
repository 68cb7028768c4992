//go:build gonumoptimize

// This file needs gonum's optimize package, which imports stat/distmv and
// with it golang.org/x/tools, a module exomir does not require. To run it:
//
//	go get gonum.org/v1/gonum/stat/distmv@v0.17.0
//	go test -tags gonumoptimize -run FitOptim -bench FitOptim ./diffexp
//
// (and do not commit the go.mod/go.sum change).

package diffexp

import (
	"math"
	"testing"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/optimize"
)

// optimRow is a ~ condition row (3 + 3 samples) for the GLM fallback fit.
func optimRow() (*glmModel, []float64, float64) {
	x := []float64{1, 0, 1, 0, 1, 0, 1, 1, 1, 1, 1, 1}
	sf := []float64{0.8, 1.1, 1.3, 0.9, 1.0, 1.2}
	y := []float64{3, 0, 7, 40, 11, 95}
	return newGLMModel(x, 6, 2, sf), y, 0.4
}

// gonumOptim maximises the same penalised likelihood as fitOptim with
// gonum's optimize.Newton (gradient and Fisher information as Hessian).
func gonumOptim(g *glmModel, y []float64, alpha float64) ([]float64, error) {
	m, p, x := g.m, g.p, g.x
	r := 1 / alpha
	mus := func(b []float64, j int) float64 { return g.sf[j] * math.Exp(dot(x[j*p:(j+1)*p], b)) }
	prob := optimize.Problem{
		Func: func(b []float64) float64 {
			f := 0.0
			for j := 0; j < m; j++ {
				f += nbLogLik(y[j], mus(b, j), alpha)
			}
			for _, v := range b {
				f -= g.lambda / 2 * v * v
			}
			return -f
		},
		Grad: func(grad, b []float64) {
			clear(grad)
			for j := 0; j < m; j++ {
				mu := mus(b, j)
				d := (y[j] - mu) * r / (r + mu)
				for a := 0; a < p; a++ {
					grad[a] -= d * x[j*p+a]
				}
			}
			for a := range grad {
				grad[a] += g.lambda * b[a]
			}
		},
		Hess: func(h *mat.SymDense, b []float64) {
			for a := 0; a < p; a++ {
				for c := a; c < p; c++ {
					s := 0.0
					for j := 0; j < m; j++ {
						mu := mus(b, j)
						s += mu / (1 + alpha*mu) * x[j*p+a] * x[j*p+c]
					}
					if a == c {
						s += g.lambda
					}
					h.SetSym(a, c, s)
				}
			}
		},
	}
	s := 0.0
	for j := 0; j < m; j++ {
		s += y[j] / g.sf[j]
	}
	init := make([]float64, p)
	init[0] = math.Log(s / float64(m))
	// stop at a gradient of 1e-6: with the default (1e-12) and with 1e-9
	// Minimize fails on this row ("linesearch: failed to converge")
	res, err := optimize.Minimize(prob, init, &optimize.Settings{GradientThreshold: 1e-6}, &optimize.Newton{})
	if err != nil {
		return nil, err
	}
	return res.X, nil
}

// BenchmarkFitOptim compares the GLM fallback fit (fitOptim: Fisher
// scoring with step halving on reused buffers) with gonum's
// optimize.Newton on the same objective; TestFitOptimMatchesGonum checks
// that both reach the same optimum.
func BenchmarkFitOptim(b *testing.B) {
	g, y, alpha := optimRow()
	b.Run("own", func(b *testing.B) {
		ws := newGLMWork(g.m, g.p)
		b.ReportAllocs()
		for b.Loop() {
			clear(ws.beta)
			ws.beta[0] = math.NaN()
			g.fitOptim(ws, y, alpha)
		}
	})
	b.Run("gonum", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := gonumOptim(g, y, alpha); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func TestFitOptimMatchesGonum(t *testing.T) {
	g, y, alpha := optimRow()
	ws := newGLMWork(g.m, g.p)
	ws.beta[0] = math.NaN()
	g.fitOptim(ws, y, alpha)
	want, err := gonumOptim(g, y, alpha)
	if err != nil {
		t.Fatal(err)
	}
	for a := range want {
		if math.Abs(ws.beta[a]-want[a]) > 1e-6 {
			t.Errorf("beta[%d] = %v, gonum %v", a, ws.beta[a], want[a])
		}
	}
}
