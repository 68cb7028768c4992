package quant

import (
	"bytes"
	"strings"
	"testing"

	"github.com/exomir/exomir/seq"
)

// TestMapReferencesMirGeneDB maps MirGeneDB-named matures (sequences of
// MirGeneDB 2.1 human, U as T) to the embedded miRBase 22: let-7a is
// identical, MirGeneDB's miR-21 is 2 nt longer at the 3' end (contains
// hsa-miR-21-5p at offset 0), and an invented sequence has no
// counterpart.
func TestMapReferencesMirGeneDB(t *testing.T) {
	mats := []seq.FastaRecord{
		{Name: "Hsa-Let-7-P2a1_5p", Seq: []byte("TGAGGTAGTAGGTTGTATAGTT")},
		{Name: "Hsa-Mir-21_5p", Seq: []byte("TAGCTTATCAGACTGATGTTGACT")},
		{Name: "Hsa-Mir-376-P1_3p", Seq: []byte("ATCATAGAGGAAAATCCACGT")},
		{Name: "Hsa-Mir-9999_5p", Seq: []byte("ACGTACGTTTGACCAGTGCAAT")},
	}
	var hp []seq.FastaRecord
	for _, m := range mats {
		hp = append(hp, seq.FastaRecord{Name: strings.TrimSuffix(strings.TrimSuffix(m.Name, "_5p"), "_3p") + "_pri",
			Seq: []byte("GGGCCCAAATTT" + string(m.Seq) + "CCCAAAGGGTTT")})
	}
	a, err := NewReference(mats, hp, RefOptions{Species: "Hsa"})
	if err != nil {
		t.Fatal(err)
	}
	b, err := EmbeddedRelease("hsa", "22")
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := WriteReferenceMap(&buf, a, b, MapReferences(a, b)); err != nil {
		t.Fatal(err)
	}
	want := "feature\tother\tmatch\toffset\n" +
		"Hsa-Let-7-P2a1_5p\thsa-let-7a-5p\tidentical\t0\n" +
		"Hsa-Mir-21_5p\thsa-miR-21-5p\tcontains\t0\n" +
		"Hsa-Mir-376-P1_3p\thsa-miR-376a-3p\tidentical\t0\n" +
		"Hsa-Mir-9999_5p\t-\tnone\t-\n"
	if buf.String() != want {
		t.Errorf("got\n%s\nwant\n%s", buf.String(), want)
	}
}
