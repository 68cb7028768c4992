package quant

import (
	"context"
	"testing"

	"github.com/exomir/exomir/seq"
)

// TestEVQualityCheck: a toy library with 120,000 miRNA reads, 20,000
// exogenous and 160,000 unmapped passes the read count (140,000 >=
// 100,000) but not the annotated fraction (140,000 / 300,000 = 0.4667);
// its length, miRNA-share and complexity flags follow the inputs.
func TestEVQualityCheck(t *testing.T) {
	x := toyExo(t)
	ref := toyHostRef(t)
	inserts := []seq.Insert{
		{Seq: seqMiR21, Reads: 120_000, Molecules: 120_000},
		{Seq: seqCel39, Reads: 20_000, Molecules: 20_000},
		{Seq: "ACGTTGCAACGTTGCAACGTAC", Reads: 160_000, Molecules: 160_000},
	}
	s, err := Quantify(context.Background(), ref, "q", inserts, nil, Options{Exogenous: x})
	if err != nil {
		t.Fatal(err)
	}
	lengths := make([]int64, 41)
	lengths[22] = 140_000
	lengths[30] = 160_000
	q := EVQualityCheck(s, lengths)
	s.SetEVQC(q)
	want := map[string]string{
		"qc_transcriptome_reads": "140000", "qc_transcriptome_reads_pass": "yes",
		"qc_annotated_fraction": "0.4667", "qc_annotated_fraction_pass": "no",
		"qc_length_20_25": "0.4667", "qc_length_20_25_pass": "yes",
		"qc_mirna_fraction": "0.4000", "qc_mirna_fraction_pass": "yes",
		"qc_complexity": "1.0000", "qc_complexity_pass": "yes",
		"qc_failed": "annotated_fraction", "qc_pass": "no",
	}
	for k, v := range want {
		if got, _ := s.Stat(k); got != v {
			t.Errorf("%s = %q, want %q", k, got, v)
		}
	}
	// alignment input: no lengths, the length flag is not measured
	q = EVQualityCheck(s, nil)
	s.SetEVQC(q)
	if v, _ := s.Stat("qc_length_20_25"); v != "NA" {
		t.Errorf("qc_length_20_25 without lengths = %q", v)
	}
	n := 0
	for _, st := range s.Stats {
		if st.Name == "qc_pass" {
			n++
		}
	}
	if n != 1 {
		t.Errorf("%d qc_pass rows after SetEVQC twice", n)
	}
	var sum int64
	for _, p := range q.Composition {
		sum += p.Reads
	}
	if sum != 300_000 {
		t.Errorf("composition sums to %d, want 300000", sum)
	}
}
