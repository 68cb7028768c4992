package quant

import (
	"bytes"
	"context"
	"io"
	"math"
	"sort"
	"testing"

	"github.com/exomir/exomir/seq"
	"github.com/exomir/exomir/simulate"
)

// simInserts simulates one sample with the simulate package, trims and
// collapses it with seq's trimmer (a minimal stand-in for seq.Collapse:
// adapter found, 16 <= length <= 40, UMIs merged with seq.MergeUMIs), and
// returns the inserts, the truth and the simulator's reference.
func simInserts(t testing.TB, kit simulate.Kit, reads int) ([]seq.Insert, [][]string, *simulate.Truth, *simulate.Reference) {
	t.Helper()
	sref := simReference(t, embeddedHsa(t))
	cfg := simulate.DefaultConfig()
	cfg.Kit, cfg.Tumor, cfg.Control, cfg.Reads, cfg.Seed = kit, 1, 0, reads, 7
	cfg.Mix.OtherRNA = 0 // no other-class reference in this test
	fq, truth := simGenerate(t, sref, cfg)
	name := map[simulate.Kit]string{simulate.TruSeq: "truseq", simulate.NEXTflex: "nextflex", simulate.QIAseq: "qiaseq"}[kit]
	ins, sets := trimInserts(t, fq, name, -1)
	return ins, sets, truth, sref
}

// simReference is the simulator's reference made of r's miRNAs: one mature
// record a name of each feature, one hairpin record a hairpin.
func simReference(t testing.TB, r *Reference) *simulate.Reference {
	t.Helper()
	var mat, hp []seq.FastaRecord
	for _, f := range r.Features {
		for i, n := range f.Names {
			mat = append(mat, seq.FastaRecord{Name: n, Desc: f.IDs[i], Seq: f.Seq})
		}
	}
	for _, h := range r.Hairpins {
		hp = append(hp, seq.FastaRecord{Name: h.Name, Desc: h.ID, Seq: h.Seq})
	}
	sref, err := simulate.NewReference(mat, hp, "hsa")
	if err != nil {
		t.Fatal(err)
	}
	return sref
}

// simGenerate simulates sample 0 of cfg on sref and returns its FASTQ and
// truth.
func simGenerate(t testing.TB, sref *simulate.Reference, cfg simulate.Config) (*bytes.Buffer, *simulate.Truth) {
	t.Helper()
	st, err := simulate.New(sref, cfg)
	if err != nil {
		t.Fatal(err)
	}
	var fq bytes.Buffer
	truth, err := st.Generate(0, &fq)
	if err != nil {
		t.Fatal(err)
	}
	return &fq, truth
}

// trimInserts trims fq with kit's adapters and collapses the inserts with
// the adapter found, 16 to 40 nt and, when maxN >= 0, at most maxN N; for a
// kit with UMIs only complete UMIs count and the sets are each insert's
// UMIs merged with seq.MergeUMIs (Molecules their number), else nil.
func trimInserts(t testing.TB, fq io.Reader, kit string, maxN int) ([]seq.Insert, [][]string) {
	t.Helper()
	k, err := seq.KitByName(kit)
	if err != nil {
		t.Fatal(err)
	}
	tr, err := seq.NewTrimmer(seq.TrimOptions{Kit: k})
	if err != nil {
		t.Fatal(err)
	}
	fr := seq.NewFastqReader(fq, "sim")
	var rec seq.Record
	reads1 := map[string]int64{}
	umis := map[string]map[string]int64{}
	var order []string
	for fr.Scan(&rec) {
		res := tr.Trim(rec.Seq, rec.Qual)
		if !res.AdapterFound || len(res.Insert) < 16 || len(res.Insert) > 40 {
			continue
		}
		if maxN >= 0 && bytes.Count(res.Insert, []byte("N")) > maxN {
			continue
		}
		if k.UMILen > 0 && !res.UMIComplete {
			continue
		}
		s := string(res.Insert)
		if _, ok := reads1[s]; !ok {
			order = append(order, s)
			umis[s] = map[string]int64{}
		}
		reads1[s]++
		if k.UMILen > 0 {
			umis[s][string(res.UMI)]++
		}
	}
	if err := fr.Err(); err != nil {
		t.Fatal(err)
	}
	ins := make([]seq.Insert, 0, len(order))
	for _, s := range order {
		ins = append(ins, seq.Insert{Seq: s, Reads: reads1[s], Molecules: reads1[s]})
	}
	seq.SortInserts(ins)
	var sets [][]string
	if k.UMILen > 0 {
		sets = make([][]string, len(ins))
		for i := range ins {
			for u := range seq.MergeUMIs(umis[ins[i].Seq]) {
				sets[i] = append(sets[i], u)
			}
			sort.Strings(sets[i])
			ins[i].Molecules = int64(len(sets[i]))
		}
	}
	return ins, sets
}

// l1 is Σ|count − truth| / Σ truth over features (names sharing a
// sequence scored as one).
func l1(r *Reference, s *Sample, sref *simulate.Reference, truth []int64) float64 {
	want := make([]int64, len(r.Features))
	for i, m := range sref.Matures {
		if fi := r.FeatureIndex(m.Name); fi >= 0 {
			want[fi] += truth[i]
		}
	}
	var diff, tot float64
	for fi := range r.Features {
		diff += math.Abs(float64(s.Mature[fi] - want[fi]))
		tot += float64(want[fi])
	}
	return diff / tot
}

// hairpinL1Max bounds the hairpin-count L1 of TestAccuracySimulated.
const hairpinL1Max = 0.08

// TestAccuracySimulated: L1 error of the miRNA counts on simulated reads
// against the simulator's truth. Targets (issue #3): <= 1% of reads without
// UMIs, <= 2% of molecules for QIAseq.
func TestAccuracySimulated(t *testing.T) {
	for _, c := range []struct {
		kit   simulate.Kit
		reads int
		umi   bool
		max   float64
	}{
		{simulate.TruSeq, 40000, false, 0.01},
		{simulate.QIAseq, 40000, true, 0.02},
	} {
		t.Run(string(c.kit), func(t *testing.T) {
			ins, sets, truth, sref := simInserts(t, c.kit, c.reads)
			r := embeddedHsa(t)
			s, err := Quantify(context.Background(), r, "sim", ins, nil, Options{UMI: c.umi, UMIs: sets})
			if err != nil {
				t.Fatal(err)
			}
			if c.umi {
				// Summing per-insert molecules instead (what seq.Insert alone
				// allows) overcounts: a sequencing error in one PCR copy makes
				// a new insert with the same UMI.
				s2, err := Quantify(context.Background(), r, "sim", ins, nil, Options{UMI: true})
				if err != nil {
					t.Fatal(err)
				}
				t.Logf("without UMI sets: L1 = %.3f%%", 100*l1(r, s2, sref, truth.MirnaMolecules))
			}
			tr := truth.MirnaReads
			if c.umi {
				tr = truth.MirnaMolecules
			}
			got := l1(r, s, sref, tr)
			t.Logf("%s: %d inserts, L1 = %.3f%% (truth %d miRNA reads, %d molecules)", c.kit, len(ins), 100*got, truth.Comp.Mirna, truth.Comp.MirnaMolecules)
			if got > c.max {
				t.Errorf("L1 = %.3f%%, want <= %.1f%%", 100*got, 100*c.max)
			}
			if !c.umi {
				// Hairpin counts against the simulator's per-hairpin truth.
				// Reads of multi-copy miRNAs (let-7a-1/2/3, ...) are mostly
				// identical on all copies; the simulator spreads them
				// evenly, while EM follows the few copy-specific reads,
				// which an untemplated A/U that is templated on one copy
				// biases (the aligner prefers the templated reading). So
				// hairpin L1 is larger than miRNA L1: 5.2% with EM, 1.7%
				// with split on this set; the bound is a sanity check.
				var diff, tot float64
				for hi, h := range sref.Hairpins {
					j := r.HairpinIndex(h.Name)
					diff += math.Abs(float64(s.Hairpin[j] - truth.HairpinReads[hi]))
					tot += float64(truth.HairpinReads[hi])
				}
				t.Logf("hairpin L1 = %.3f%%", 100*diff/tot)
				if diff/tot > hairpinL1Max {
					t.Errorf("hairpin L1 = %.3f%%, want <= %.1f%%", 100*diff/tot, 100*hairpinL1Max)
				}
			}
			checkAccounting(t, s)
		})
	}
}
