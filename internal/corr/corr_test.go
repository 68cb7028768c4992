package corr

import (
	"math"
	"testing"
)

func TestPearson(t *testing.T) {
	for _, c := range []struct {
		x, y []float64
		want float64
	}{
		{[]float64{1, 2, 3}, []float64{2, 4, 6}, 1},
		{[]float64{1, 2, 3}, []float64{3, 2, 1}, -1},
		// Means 2.5 and 2.5; Σdxdy = 3, Σdx² = 5, Σdy² = 5: r = 0.6.
		{[]float64{1, 2, 3, 4}, []float64{2, 1, 4, 3}, 0.6},
	} {
		if got := Pearson(c.x, c.y); math.Abs(got-c.want) > 1e-12 {
			t.Errorf("Pearson(%v, %v) = %g, want %g", c.x, c.y, got, c.want)
		}
	}
	for _, c := range [][2][]float64{
		{nil, nil},
		{{1}, {2}},
		{{1, 1, 1}, {1, 2, 3}},
		{{1, 2, 3}, {5, 5, 5}},
	} {
		if got := Pearson(c[0], c[1]); !math.IsNaN(got) {
			t.Errorf("Pearson(%v, %v) = %g, want NaN", c[0], c[1], got)
		}
	}
}

func TestMeanSS(t *testing.T) {
	m, ss := MeanSS([]float64{1, 2, 3, 6})
	if m != 3 || ss != 14 {
		t.Errorf("MeanSS: %v, %v; want 3, 14", m, ss)
	}
}
