package seq

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

func TestKitByName(t *testing.T) {
	// Expected values: GUIDE §3 and the shared data's other/ (see kit.go).
	tests := []struct {
		name string
		want Kit
	}{
		{"truseq", Kit{Name: "truseq", Adapter: "TGGAATTCTCGGGTGCCAAGG"}},
		{"NEXTflex", Kit{Name: "nextflex", Adapter: "TGGAATTCTCGGGTGCCAAGG", Clip5: 4, Clip3: 4}},
		{"qiaseq", Kit{Name: "qiaseq", Adapter: "AACTGTAGGCACCATCAAT", UMILen: 12}},
		{"v1", Kit{Name: "v1", Adapter: "TCGTATGCCGTCTTCTGCTTG"}},
		{"v1.5", Kit{Name: "v1.5", Adapter: "ATCTCGTATGCCGTCTTCTGCTTG"}},
		{"cats", Kit{Name: "cats", PolyA: true, Clip5: 3}},
		{"neb", Kit{Name: "neb", Adapter: "AGATCGGAAGAGCACACGTCT"}},
		// ENCODE-DCC/mirna-seq-pipeline adapters/three_prime_adapter.fasta
		// (first 24 nt) and the 6-nt barcodes of five_prime_adapter_set*.
		{"encode", Kit{Name: "encode", Adapter: "ACGGGCTAATATTTATCGGTGGAG", Clip5: 6}},
		{" none ", Kit{Name: "none"}},
	}
	for _, tc := range tests {
		got, err := KitByName(tc.name)
		if err != nil || got != tc.want {
			t.Errorf("KitByName(%q) = %+v, %v; want %+v", tc.name, got, err, tc.want)
		}
		if _, err := NewTrimmer(TrimOptions{Kit: got}); err != nil {
			t.Errorf("NewTrimmer(%s): %v", tc.name, err)
		}
	}
	_, err := KitByName("illumina-v9")
	if !errors.Is(err, ErrUnknownKit) || !strings.Contains(err.Error(), "truseq, nextflex") {
		t.Errorf("unknown kit error = %v", err)
	}
	want := []string{"truseq", "nextflex", "qiaseq", "v1", "v1.5", "cats", "neb", "encode", "none"}
	if got := KitNames(); !slices.Equal(got, want) {
		t.Errorf("KitNames() = %v, want %v", got, want)
	}
	// The detection table names only known kits.
	for _, k := range knownAdapters {
		if _, err := KitByName(k.kit); err != nil {
			t.Errorf("knownAdapters has %q: %v", k.kit, err)
		}
	}
}
