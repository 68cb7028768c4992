package align

import "testing"

// TestNInReadIsAMismatch: an N at any position of a read is one mismatch
// at that position (seq keeps inserts with one N by default); two Ns are two.
func TestNInReadIsAMismatch(t *testing.T) {
	// hsa-mir-21 (miRBase 21 MI0000077, DNA letters); miR-21-5p at 7..29.
	hp := "TGTCGGGTAGCTTATCAGACTGATGTTGACTGTTGAATCTCATGGCAACACCAGTCGATGGGCTGTC"
	const mir = "TAGCTTATCAGACTGATGTTGA"
	ix, err := NewIndex([]Ref{{Name: "hsa-mir-21", Seq: []byte(hp)}}, DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	for p := range len(mir) {
		read := []byte(mir)
		read[p] = 'N'
		hits := ix.Align(read, nil)
		if len(hits) != 1 || hits[0].Pos != 7 || hits[0].Len != int32(len(mir)) || hits[0].Mismatches != 1 || int(hits[0].MM[0]) != p || hits[0].Reverse {
			t.Errorf("N at %d: hits %+v, want one at 7 with the mismatch at %d", p, hits, p)
		}
	}
	read := []byte(mir)
	read[2], read[15] = 'N', 'N'
	if hits := ix.Align(read, nil); len(hits) != 0 {
		t.Errorf("two Ns with one mismatch allowed: hits %+v", hits)
	}
	o := DefaultOptions()
	o.MaxMismatches = 2
	ix2, err := NewIndex([]Ref{{Name: "hsa-mir-21", Seq: []byte(hp)}}, o)
	if err != nil {
		t.Fatal(err)
	}
	hits := ix2.Align(read, nil)
	if len(hits) != 1 || hits[0].Mismatches != 2 || hits[0].MM[0] != 2 || hits[0].MM[1] != 15 {
		t.Errorf("two Ns: hits %+v", hits)
	}
}
