package diffexp

import (
	"bytes"
	"context"
	"errors"
	"math"
	"math/rand"
	"strings"
	"testing"
)

// TestQNBinomReference checks qnbinom and pnbinom against a plain search
// that sums NB probabilities from 0, on random inputs.
func TestQNBinomReference(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	for it := 0; it < 300; it++ {
		mu := math.Exp(rng.Float64()*10 - 2)
		size := math.Exp(rng.Float64()*6 - 2)
		p := rng.Float64()
		cum, y := 0.0, 0.0
		for ; ; y++ {
			cum += math.Exp(lnNB(y, mu, 1/size, true))
			if cum >= p || y > 1e6 {
				break
			}
		}
		if d := math.Abs(pnbinom(y, size, mu) - cum); d > 1e-9 {
			t.Errorf("pnbinom(%g; size %g, mu %g) = %g, summed %g", y, size, mu, pnbinom(y, size, mu), cum)
		}
		got := qnbinom(p, size, mu)
		// away from ties (summation error ~1e-12), the two must agree
		if got != y && math.Abs(cum-p) > 1e-9 && math.Abs(cum-math.Exp(lnNB(y, mu, 1/size, true))-p) > 1e-9 {
			t.Errorf("qnbinom(%g; size %g, mu %g) = %g, search gives %g", p, size, mu, got, y)
		}
	}
}

// TestNBFitGeneralVsOneWay checks the damped Fisher-scoring fit against
// the exact group-wise fit on one-way designs, on random counts: its
// deviance is at most 1e-6 above the minimum (edgeR's stopping rule:
// score × step < 1e-6) and its means within 1e-3 relative.
func TestNBFitGeneralVsOneWay(t *testing.T) {
	rng := rand.New(rand.NewSource(2))
	m, p := 9, 3
	x := make([]float64, m*p)
	for j := 0; j < m; j++ {
		x[j*p] = 1
		if j%3 > 0 {
			x[j*p+j%3] = 1
		}
	}
	oneWay := newNBFit(x, m, p)
	general := newNBFit(x, m, p)
	general.cellOf = nil
	if oneWay.cellOf == nil {
		t.Fatal("one-way layout not detected")
	}
	y, off, disp := make([]float64, m), make([]float64, m), make([]float64, m)
	for it := 0; it < 100; it++ {
		for j := range y {
			y[j] = float64(1 + rng.Intn(500))
			off[j] = rng.NormFloat64() * 0.3
			disp[j] = 0.01 + rng.Float64()*0.3
		}
		a := append([]float64(nil), oneWay.fit(y, off, disp)...)
		b := general.fit(y, off, disp)
		da, db := 0.0, 0.0
		for j := range a {
			if math.Abs(a[j]-b[j]) > 1e-3*a[j] {
				t.Fatalf("iteration %d sample %d: one-way μ %g, general %g", it, j, a[j], b[j])
			}
			da += edgerUnitDeviance(y[j], a[j], disp[j])
			db += edgerUnitDeviance(y[j], b[j], disp[j])
		}
		if db-da > 1e-6 || db-da < -1e-9 {
			t.Fatalf("iteration %d: deviance %.12g, minimum %.12g", it, db, da)
		}
	}
}

// TestComBatSeqWorkers checks byte-identical output whatever the worker
// count, and the error cases.
func TestComBatSeqWorkers(t *testing.T) {
	c, cd := edgerLoad(t, "../testdata/de/sim_batch")
	var first []byte
	for _, w := range []int{1, 2, 5} {
		adj, err := ComBatSeq(context.Background(), c, cd.Column("batch"), cd.Column("condition"), w)
		if err != nil {
			t.Fatal(err)
		}
		var b bytes.Buffer
		if err := WriteCounts(&b, adj); err != nil {
			t.Fatal(err)
		}
		if first == nil {
			first = b.Bytes()
			continue
		}
		if !bytes.Equal(first, b.Bytes()) {
			t.Errorf("workers=%d: output differs from workers=1", w)
		}
	}
	if !strings.HasPrefix(string(first), "mirna\tcontrol_1\t") {
		t.Errorf("header: %q", first[:30])
	}
	// the condition confounded with batch
	if _, err := ComBatSeq(context.Background(), c, cd.Column("condition"), cd.Column("condition"), 1); !errors.Is(err, ErrRank) {
		t.Errorf("confounded: err = %v, want ErrRank", err)
	}
	one := append([]string(nil), cd.Column("batch")...)
	one[0] = "Z"
	if _, err := ComBatSeq(context.Background(), c, one, nil, 1); !errors.Is(err, ErrTooFewReplicates) {
		t.Errorf("single-sample batch: err = %v, want ErrTooFewReplicates", err)
	}
}
