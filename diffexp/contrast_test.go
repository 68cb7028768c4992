package diffexp

import (
	"errors"
	"testing"
)

func TestDefaultContrast(t *testing.T) {
	for _, tc := range []struct {
		levels   []string
		num, den string
	}{
		{[]string{"tumor", "control"}, "tumor", "control"},
		{[]string{"control", "tumor"}, "tumor", "control"},
		// tumor and control win over the sorted rule (zzz would be last)
		{[]string{"zzz", "control", "tumor"}, "tumor", "control"},
		// listing order never matters
		{[]string{"healthy", "cancer"}, "healthy", "cancer"},
		{[]string{"cancer", "healthy", "cancer"}, "healthy", "cancer"},
		{[]string{"b", "c", "a"}, "c", "a"},
		// tumor without control: sorted rule
		{[]string{"tumor", "normal"}, "tumor", "normal"},
		{[]string{"tumour", "control"}, "tumour", "control"},
	} {
		num, den, err := DefaultContrast(tc.levels)
		if err != nil || num != tc.num || den != tc.den {
			t.Errorf("DefaultContrast(%q) = %q, %q, %v; want %q, %q", tc.levels, num, den, err, tc.num, tc.den)
		}
	}
	for _, levels := range [][]string{nil, {"a"}, {"a", "a"}} {
		if _, _, err := DefaultContrast(levels); !errors.Is(err, ErrContrast) {
			t.Errorf("DefaultContrast(%q): %v, want ErrContrast", levels, err)
		}
	}
}

// Ratio size factors on a matrix whose every row has a zero fail with a
// sentinel that callers test with errors.Is (not the message).
func TestSizeFactorsZeroInEveryFeatureSentinel(t *testing.T) {
	c := &Counts{Features: []string{"a", "b"}, Samples: []string{"s1", "s2", "s3"},
		Values: []float64{0, 5, 7, 3, 0, 6}}
	_, err := SizeFactors(c, "ratio")
	if !errors.Is(err, ErrZeroInEveryFeature) || !errors.Is(err, ErrSizeFactors) {
		t.Fatalf("ratio: %v, want ErrSizeFactors and ErrZeroInEveryFeature", err)
	}
	if _, err := SizeFactors(c, "poscounts"); err != nil {
		t.Fatalf("poscounts: %v", err)
	}
	// A single positive row is enough for ratio: no sentinel.
	c.Values = []float64{1, 5, 7, 3, 0, 6}
	if _, err := SizeFactors(c, "ratio"); errors.Is(err, ErrZeroInEveryFeature) {
		t.Fatalf("ratio with a complete row: %v", err)
	}
}
