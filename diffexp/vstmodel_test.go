package diffexp

import (
	"context"
	"errors"
	"math"
	"testing"
)

// TestVSTModelReproducesTraining: the locked vst applied to the training
// counts gives FitVST's (and VST's) values to the bit, for every trend type;
// applied to one sample alone it gives that sample's values (each sample
// is transformed on its own).
func TestVSTModelReproducesTraining(t *testing.T) {
	c, cd := simulate(5, 300, 8)
	c.Values[3*16] = 0
	for _, ft := range []FitType{FitParametric, FitLocal, FitMean} {
		o := TransformOptions{Blind: boolPtr(false), FitType: ft}
		tr, vm, err := FitVST(context.Background(), c, cd, o)
		if err != nil {
			t.Fatal(err)
		}
		ref, err := VST(context.Background(), c, cd, o)
		if err != nil {
			t.Fatal(err)
		}
		got, missing, err := vm.Apply(c)
		if err != nil || len(missing) > 0 {
			t.Fatal(err, missing)
		}
		for k := range tr.Values {
			if tr.Values[k] != ref.Values[k] || got.Values[k] != tr.Values[k] {
				t.Fatalf("%s: value %d: FitVST %v, VST %v, Apply %v", ft, k, tr.Values[k], ref.Values[k], got.Values[k])
			}
		}
		for j := range c.Samples {
			if got.SizeFactors[j] != tr.SizeFactors[j] {
				t.Fatalf("%s: size factor %d: %v vs %v", ft, j, got.SizeFactors[j], tr.SizeFactors[j])
			}
		}
		// one sample alone, features in reverse order plus an extra one
		j := 5
		one := &Counts{Samples: []string{c.Samples[j]}}
		for i := len(c.Features) - 1; i >= 0; i-- {
			one.Features = append(one.Features, c.Features[i])
			one.Values = append(one.Values, c.At(i, j))
		}
		one.Features = append(one.Features, "extra")
		one.Values = append(one.Values, 17)
		g1, _, err := vm.Apply(one)
		if err != nil {
			t.Fatal(err)
		}
		for i := range c.Features {
			if g1.Values[i] != tr.Values[i*len(c.Samples)+j] {
				t.Fatalf("%s: alone, feature %d: %v vs %v", ft, i, g1.Values[i], tr.Values[i*len(c.Samples)+j])
			}
		}
	}
}

// TestVSTModelMissingAndZero: absent features give NaN rows and are listed;
// an all-zero sample is an error naming it.
func TestVSTModelMissingAndZero(t *testing.T) {
	c, cd := simulate(6, 100, 6)
	_, vm, err := FitVST(context.Background(), c, cd, TransformOptions{Blind: boolPtr(false)})
	if err != nil {
		t.Fatal(err)
	}
	sub := &Counts{Features: c.Features[1:], Samples: c.Samples, Values: c.Values[len(c.Samples):]}
	got, missing, err := vm.Apply(sub)
	if err != nil {
		t.Fatal(err)
	}
	if len(missing) != 1 || missing[0] != c.Features[0] || !math.IsNaN(got.Values[0]) || math.IsNaN(got.Values[len(c.Samples)]) {
		t.Fatalf("missing %v, first values %v %v", missing, got.Values[0], got.Values[len(c.Samples)])
	}
	zero := &Counts{Features: c.Features, Samples: []string{"z"}, Values: make([]float64, len(c.Features))}
	if _, _, err := vm.Apply(zero); !errors.Is(err, ErrSizeFactors) {
		t.Fatalf("all-zero sample: %v", err)
	}
	bad := *vm
	bad.FitType = "nope"
	if _, _, err := bad.Apply(c); !errors.Is(err, ErrDispersion) {
		t.Fatalf("bad fit type: %v", err)
	}
}
