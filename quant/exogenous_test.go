package quant

import (
	"bytes"
	"context"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"

	"github.com/exomir/exomir/seq"
)

// Sequences from miRBase v22 mature.fa (U written as T).
const (
	seqMiR21   = "TAGCTTATCAGACTGATGTTGA"   // hsa-miR-21-5p
	seqBART7   = "CATCATAGTCCAGTGTCCAGGG"   // ebv-miR-BART7-3p
	seqCel39   = "TCACCGGGTGTAAATCAGCTTG"   // cel-miR-39-3p
	seqAth156a = "TGACAGAAGAGAGTGAGCAC"     // ath-miR156a-5p
	seqHsa376  = "ATCATAGAGGAAAATCCACGT"    // hsa-miR-376a-3p (a host decoy here)
	seqMmu376  = "ATCGTAGAGGAAAATCCACGT"    // mmu-miR-376a-3p
	seqDme1    = "TGGAATGTAAAGAAGTATGGAG"   // dme-miR-1-3p
	seqToyHost = "GGCTTAGCCTAACCGGTTAACCAA" // hairpin filler
)

func sumReads(t *testing.T, s *Sample) {
	t.Helper()
	var sum int64
	for _, st := range s.Stats {
		if strings.HasPrefix(st.Name, "reads_") {
			n, err := strconv.ParseInt(st.Value, 10, 64)
			if err != nil {
				t.Fatalf("%s = %q", st.Name, st.Value)
			}
			sum += n
		}
	}
	in, _ := s.Stat("input_reads")
	if strconv.FormatInt(sum, 10) != in {
		t.Errorf("reads_* sum to %d, input_reads %s: %v", sum, in, s.Stats)
	}
}

func toyExo(t *testing.T) *ExoReference {
	t.Helper()
	orgs, err := Organisms()
	if err != nil {
		t.Fatal(err)
	}
	recs := []seq.FastaRecord{
		{Name: "ebv-miR-BART7-3p", Seq: []byte(seqBART7)},
		{Name: "cel-miR-39-3p", Seq: []byte(seqCel39)},
		{Name: "ath-miR156a-5p", Seq: []byte(seqAth156a)},
		{Name: "osa-miR156a", Seq: []byte(seqAth156a)}, // same sequence: one feature
		{Name: "hsa-miR-376a-3p", Seq: []byte(seqHsa376)},
		{Name: "mmu-miR-376a-3p", Seq: []byte(seqMmu376)},
		{Name: "dme-miR-1-3p", Seq: []byte(seqDme1)},
	}
	x, err := NewExoReference(recs, "hsa", orgs, "toy")
	if err != nil {
		t.Fatal(err)
	}
	return x
}

func toyHostRef(t *testing.T) *Reference {
	t.Helper()
	ref, err := NewReference([]seq.FastaRecord{{Name: "hsa-miR-21-5p", Desc: "MIMAT0000076", Seq: []byte(seqMiR21)}},
		[]seq.FastaRecord{{Name: "hsa-mir-21", Desc: "MI0000077", Seq: []byte(seqToyHost + seqMiR21 + seqToyHost)}}, RefOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return ref
}

// TestExogenousCounts: a viral read (with a sequencing error), a nematode
// read with an untemplated A, plant reads of a sequence two species
// share, and reads that must stay unmapped (random; the human miR-376a-3p
// missing from the host reference, which is closer to it than to its
// mouse orthologue) are counted and accounted for.
func TestExogenousCounts(t *testing.T) {
	x := toyExo(t)
	ref := toyHostRef(t)
	inserts := []seq.Insert{
		{Seq: seqMiR21, Reads: 1000, Molecules: 1000},
		{Seq: mutate(seqBART7, 9), Reads: 7, Molecules: 7},
		{Seq: seqBART7, Reads: 13, Molecules: 13},
		{Seq: seqCel39 + "A", Reads: 30, Molecules: 30},
		{Seq: seqAth156a, Reads: 5, Molecules: 5},
		{Seq: seqHsa376, Reads: 11, Molecules: 11},
		{Seq: "ACGTTGCAACGTTGCAACGTAC", Reads: 9, Molecules: 9},
		{Seq: seqDme1[:19], Reads: 4, Molecules: 4},  // 3' end 3 nt short: in the window
		{Seq: seqDme1[6:], Reads: 2, Molecules: 2},   // 5' end 6 nt short: outside
		{Seq: seqBART7[:14], Reads: 3, Molecules: 3}, // too short
	}
	base := []Stat{{"input_reads", "1084"}, {"reads_passed", "1084"}}
	s, err := Quantify(context.Background(), ref, "s1", inserts, base, Options{Exogenous: x})
	if err != nil {
		t.Fatal(err)
	}
	sumReads(t, s)
	want := map[string]string{
		"reads_mirna": "1000", "reads_exogenous_mirna": "59", "reads_unmapped": "25",
		"clade_human": "1000", "clade_virus": "20", "clade_nematode": "30", "clade_plant": "5",
		"clade_insect": "4", "clade_other_mammal": "0", "clade_other": "0",
		"human_viral_mirnas": "ebv-miR-BART7-3p:20",
	}
	for k, v := range want {
		if got, _ := s.Stat(k); got != v {
			t.Errorf("%s = %q, want %q", k, got, v)
		}
	}
	var buf bytes.Buffer
	if err := WriteExogenousCounts(&buf, []*Sample{s}); err != nil {
		t.Fatal(err)
	}
	wantTSV := "mirna\tspecies\ts1\n" +
		"ebv-miR-BART7-3p\tebv\t20\n" +
		"cel-miR-39-3p\tcel\t30\n" +
		"ath-miR156a-5p/osa-miR156a\tath/osa\t5\n" +
		"dme-miR-1-3p\tdme\t4\n"
	if buf.String() != wantTSV {
		t.Errorf("exogenous_counts.tsv:\n%s\nwant\n%s", buf.String(), wantTSV)
	}
	ws := CheckSample("s1", nil, s)
	var codes []string
	for _, w := range ws {
		if w.Code == WarnExogenous {
			codes = append(codes, w.Message)
		}
	}
	// virus 20, nematode 30 of 1059 miRNA reads exceed 1%; plant 5 and insect 4 do not
	if len(codes) != 2 || !strings.Contains(codes[0], "nematode") || !strings.Contains(codes[1], "virus") {
		t.Errorf("exogenous warnings %q, want virus and nematode", codes)
	}
	// Off: the same reads are unmapped and no clade rows appear.
	s0, err := Quantify(context.Background(), ref, "s1", inserts, base, Options{})
	if err != nil {
		t.Fatal(err)
	}
	sumReads(t, s0)
	if v, _ := s0.Stat("reads_unmapped"); v != "84" {
		t.Errorf("without the search reads_unmapped = %s, want 84", v)
	}
	if _, ok := s0.Stat("clade_human"); ok || s0.Exogenous != nil {
		t.Error("clade rows without the search")
	}
	if !equalInt64(s0.Mature, s.Mature) {
		t.Errorf("miRNA counts change with the search: %v vs %v", s0.Mature, s.Mature)
	}
}

func equalInt64(a, b []int64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestExogenousUMI: with UMIs the counts are distinct UMIs, the
// accounting stays in reads.
func TestExogenousUMI(t *testing.T) {
	x := toyExo(t)
	ref := toyHostRef(t)
	inserts := []seq.Insert{
		{Seq: seqCel39, Reads: 10, Molecules: 2},
		{Seq: mutate(seqCel39, 3), Reads: 1, Molecules: 1},
	}
	umis := [][]string{{"AAAA", "CCCC"}, {"AAAA"}}
	s, err := Quantify(context.Background(), ref, "u", inserts, nil, Options{UMI: true, UMIs: umis, Exogenous: x})
	if err != nil {
		t.Fatal(err)
	}
	sumReads(t, s)
	f := x.ExoFeatureIndex("cel-miR-39-3p")
	if got := s.Exogenous.Counts[f]; got != 2 {
		t.Errorf("cel-miR-39-3p molecules %d, want 2", got)
	}
	if v, _ := s.Stat("reads_exogenous_mirna"); v != "11" {
		t.Errorf("reads_exogenous_mirna %s, want 11", v)
	}
}

// TestEmbeddedExogenous: the embedded all-species miRBase names a viral,
// a nematode and a plant read, and keeps human sequences as decoys.
func TestEmbeddedExogenous(t *testing.T) {
	x, err := EmbeddedExogenous()
	if err != nil {
		t.Fatal(err)
	}
	e := &exoSearch{x: x}
	for _, tc := range []struct {
		read, want string
		clade      Clade
	}{
		{seqBART7, "ebv-miR-BART7-3p", CladeVirus},
		{mutate(seqBART7, 12) + "T", "ebv-miR-BART7-3p", CladeVirus},
		{seqCel39, "cel-miR-39-3p", CladeNematode},
		{"TGACAGAAGAGAGTGAGCAC", "ath-miR156a-5p", CladePlant},
	} {
		// every candidate is in the clade; the named one is among them
		// (a 20-nt plant miR156 also lies inside the 21-nt miR156 variants
		// of other plants: EM shares such reads)
		h := e.find([]byte(tc.read))
		found := false
		for _, c := range h {
			f := x.Features[c.f]
			found = found || containsString(f.Names, tc.want)
			if f.Clade != tc.clade {
				t.Errorf("%s: candidate %s is %s, want %s", tc.read, f.Name, f.Clade, tc.clade)
			}
		}
		if !found {
			t.Errorf("%s: %s not among %d candidates", tc.read, tc.want, len(h))
		}
	}
	if h := e.find([]byte(seqMiR21)); h != nil {
		t.Errorf("human miR-21 called exogenous: %v", h)
	}
	if h := e.find([]byte(seqHsa376)); h != nil {
		t.Errorf("human miR-376a-3p called exogenous: %v", h)
	}
	// Human viruses are flagged.
	f := x.Features[x.ExoFeatureIndex("kshv-miR-K12-1-5p")]
	if !f.HumanVirus || f.Clade != CladeVirus {
		t.Errorf("kshv-miR-K12-1-5p: %+v", f)
	}
}

// TestExoMatchBruteForce checks the index search against a scan of every
// feature on reads drawn from features (window trims, at most one
// substitution, sometimes an A/T tail): the best (mismatches, tail)
// stratum over all placements, then every non-host feature placed within
// the windows with its smallest end distance; none when a host decoy is
// among the placements closest to the mature's ends.
func TestExoMatchBruteForce(t *testing.T) {
	x, err := EmbeddedExogenous()
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(11, 12))
	e := &exoSearch{x: x}
	type plc struct {
		k     int32
		d, tl int
		delta int
		win   bool
	}
	for trial := 0; trial < 150; trial++ {
		f := &x.Features[rng.IntN(len(x.Features))]
		if len(f.Seq) < ExoMinLength+4 {
			continue
		}
		start, end := rng.IntN(3), len(f.Seq)-rng.IntN(3)
		read := []byte(string(f.Seq[start:end]))
		if rng.IntN(2) == 0 {
			p := rng.IntN(len(read))
			read[p] = "ACGT"[(strings.IndexByte("ACGT", read[p])+1+rng.IntN(3))%4]
		}
		if rng.IntN(4) == 0 {
			read = append(read, "AT"[rng.IntN(2)])
		}
		var all []plc
		for t := 0; t <= 3 && len(read)-t >= ExoMinLength; t++ {
			if t > 0 && !strings.ContainsRune("AT", rune(read[len(read)-t])) {
				break
			}
			tm := read[:len(read)-t]
			for k := range x.Features {
				g := x.Features[k].Seq
				for off := 0; off+len(tm) <= len(g); off++ {
					d := 0
					for i := range tm {
						if tm[i] != g[off+i] {
							d++
							if d > 1 {
								break
							}
						}
					}
					if d <= 1 {
						d3 := len(g) - off - len(tm)
						all = append(all, plc{int32(k), d, t, off + d3, off <= DefaultWindow5 && d3 <= DefaultWindow3})
					}
				}
			}
		}
		bd, bt := 9, 9
		for _, p := range all {
			if p.d < bd || p.d == bd && p.tl < bt {
				bd, bt = p.d, p.tl
			}
		}
		bestDelta := 1 << 30
		for _, p := range all {
			if p.d == bd && p.tl == bt && p.win && p.delta < bestDelta {
				bestDelta = p.delta
			}
		}
		// every in-window non-host feature with its smallest distance;
		// none when a host decoy is among the closest
		want, decoy := map[int32]int{}, false
		for _, p := range all {
			if p.d != bd || p.tl != bt || !p.win {
				continue
			}
			if x.Features[p.k].host {
				decoy = decoy || p.delta == bestDelta
				continue
			}
			if d, ok := want[p.k]; !ok || p.delta < d {
				want[p.k] = p.delta
			}
		}
		if decoy {
			want = map[int32]int{}
		}
		got := e.find(read)
		if len(got) != len(want) {
			t.Errorf("%s: got %d features, brute force %d", read, len(got), len(want))
			continue
		}
		for _, c := range got {
			if d, ok := want[c.f]; !ok || d != int(c.delta) {
				t.Errorf("%s: %s at distance %d, brute force %d (%v)", read, x.Features[c.f].Name, c.delta, d, ok)
			}
		}
	}
}
