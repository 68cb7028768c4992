package seq

import "testing"

func TestReverseComplement(t *testing.T) {
	for in, want := range map[string]string{
		"": "", "A": "T", "ACGT": "ACGT", "AACGN": "NCGTT", "acgT": "ANNN", "GATTACA": "TGTAATC",
	} {
		b := []byte(in)
		ReverseComplement(b)
		if string(b) != want {
			t.Errorf("ReverseComplement(%q) = %q, want %q", in, b, want)
		}
	}
}
