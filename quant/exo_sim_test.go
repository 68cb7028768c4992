package quant

import (
	"context"
	"math"
	"testing"

	"github.com/exomir/exomir/seq"
	"github.com/exomir/exomir/simulate"
)

// TestSimulatedExogenousAndEditing runs the simulator with exogenous
// miRNAs (a viral, a nematode and a plant one, 3% of molecules) and
// A-to-I sites (miR-376a-3p position 6 at 30%, miR-376c-3p position 6 at
// 10%), then seq and quant: exogenous counts within 2% of the truth (per
// clade; per miRNA where no orthologue is one base away),
// each site called with its level within 0.03 of the truth, the reads_*
// rows summing to input_reads.
func TestSimulatedExogenousAndEditing(t *testing.T) {
	ref := embeddedHsa(t)
	sref := simReference(t, ref)
	x, err := EmbeddedExogenous()
	if err != nil {
		t.Fatal(err)
	}
	cfg := simulate.DefaultConfig()
	cfg.Tumor, cfg.Control, cfg.Reads, cfg.Seed = 1, 0, 100_000, 3
	cfg.Mix.Exogenous = 0.03
	for _, n := range []string{"ebv-miR-BART7-3p", "cel-miR-39-3p", "ath-miR166a-3p"} {
		f := x.Features[x.ExoFeatureIndex(n)]
		cfg.Exogenous = append(cfg.Exogenous, simulate.ExoMiRNA{Name: f.Name, Seq: f.Seq, Weight: 1})
	}
	cfg.Editing = []simulate.EditSite{{Mature: "hsa-miR-376a-3p", Position: 6, Level: 0.3}, {Mature: "hsa-miR-376c-3p", Position: 6, Level: 0.1}}
	fq, truth := simGenerate(t, sref, cfg)
	res, err := seq.Collapse(context.Background(), fq, "sim", seq.Options{Protocol: "truseq"})
	if err != nil {
		t.Fatal(err)
	}
	base, err := StatsFromSeq(&res.Summary)
	if err != nil {
		t.Fatal(err)
	}
	s, err := Quantify(context.Background(), ref, "sim", res.Inserts, base, Options{Exogenous: x})
	if err != nil {
		t.Fatal(err)
	}
	checkAccounting(t, s)
	// Per miRNA for the viral and nematode ones (sequences no other
	// species shares within a base); per clade for all three: the plant
	// miR166 has dozens of orthologues one base apart, whose exact matches
	// take some of its trimmed and miscalled reads (8% here).
	for i, e := range cfg.Exogenous {
		f := x.ExoFeatureIndex(e.Name)
		want := truth.ExoReads[i]
		if x.Features[f].Clade != CladePlant {
			if got := s.Exogenous.Counts[f]; math.Abs(float64(got-want)) > 0.02*float64(want) {
				t.Errorf("%s: %d reads, truth %d", e.Name, got, want)
			}
		}
		if got := s.Exogenous.CladeReads[x.Features[f].Clade]; math.Abs(float64(got-want)) > 0.02*float64(want) {
			t.Errorf("clade %s: %d reads, truth %d", x.Features[f].Clade, got, want)
		}
	}
	sites, err := Editing([]*Sample{s}, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, e := range cfg.Editing {
		tr := truth.Editing[k]
		found := false
		for _, site := range sites {
			if s.Ref.Features[site.Feature].Name == e.Mature && site.Position == e.Position {
				found = true
				want := float64(tr.Edited) / float64(tr.Covering)
				if math.Abs(site.Level-want) > 0.03 || site.PAdj >= DefaultEditAlpha {
					t.Errorf("%s:%d level %.4f (padj %g), truth %.4f (%d/%d)", e.Mature, e.Position, site.Level, site.PAdj, want, tr.Edited, tr.Covering)
				}
			}
		}
		if !found {
			t.Errorf("%s:%d not called (truth %d/%d)", e.Mature, e.Position, tr.Edited, tr.Covering)
		}
	}
	for _, site := range sites {
		name := s.Ref.Features[site.Feature].Name
		if !(name == "hsa-miR-376a-3p" || name == "hsa-miR-376c-3p") || site.Position != 6 {
			t.Errorf("false editing site %s:%d level %.4f padj %g", name, site.Position, site.Level, site.PAdj)
		}
	}
}
