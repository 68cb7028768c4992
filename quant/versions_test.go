package quant

import (
	"errors"
	"testing"
)

// TestEmbeddedRelease22: the v22 mature and hairpin files agree (every one
// of the 2,656 human matures is placed on a hairpin; NewReference fails
// otherwise) and hold what v21 lacks (hsa-miR-12136, added in v22).
func TestEmbeddedRelease22(t *testing.T) {
	r22, err := EmbeddedRelease("hsa", "22")
	if err != nil {
		t.Fatal(err)
	}
	names := 0
	for _, f := range r22.Features {
		names += len(f.Names)
		if len(f.Loci) == 0 {
			t.Errorf("%s placed nowhere", f.Name)
		}
	}
	if names != 2656 || len(r22.Hairpins) != 1794 {
		t.Errorf("v22: %d mature names, %d hairpins; want 2656 and 1794", names, len(r22.Hairpins))
	}
	if r22.FeatureIndex("hsa-miR-12136") < 0 {
		t.Error("v22 lacks hsa-miR-12136")
	}
	r21, err := EmbeddedRelease("hsa", "")
	if err != nil {
		t.Fatal(err)
	}
	if r21.FeatureIndex("hsa-miR-12136") >= 0 || len(r21.Hairpins) != 1881 {
		t.Errorf("default release is not 21: %d hairpins", len(r21.Hairpins))
	}
	if _, err := EmbeddedRelease("hsa", "20"); !errors.Is(err, ErrBadOption) {
		t.Errorf("release 20: %v", err)
	}
	for _, n := range []string{"hsa_mature_v22.fa.gz", ExoEmbeddedFile} {
		if s, err := EmbeddedSHA256(n); err != nil || len(s) != 64 {
			t.Errorf("%s: %q %v", n, s, err)
		}
	}
}
