package quant

import (
	"bytes"
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/exomir/exomir/seq"
)

// annotatedHsa is the embedded miRBase with the embedded annotation.
func annotatedHsa(t *testing.T) *Reference {
	t.Helper()
	r, err := Embedded("hsa")
	if err != nil {
		t.Fatal(err)
	}
	if err := r.AddAnnotation("hsa"); err != nil {
		t.Fatal(err)
	}
	return r
}

func otherSeq(t *testing.T, r *Reference, name string) OtherSeq {
	t.Helper()
	for _, o := range r.Others {
		if o.Name == name {
			return o
		}
	}
	t.Fatalf("%s not in the annotation", name)
	return OtherSeq{}
}

func statInt(t *testing.T, s *Sample, name string) int64 {
	t.Helper()
	v, ok := s.Stat(name)
	if !ok {
		t.Fatalf("no summary row %s", name)
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		t.Fatalf("%s = %q: %v", name, v, err)
	}
	return n
}

// checkAccounting checks every sum the outputs promise: reads_* rows sum
// to input_reads, class_* to reads_other_rna, trf_* to class_tRNA, the
// per-feature counts to reads_other_rna and the spike-ins to reads_spikein.
func checkSmallRNAAccounting(t *testing.T, s *Sample) {
	t.Helper()
	var reads, classes, trf, feats, spikes int64
	for _, st := range s.Stats {
		n, err := strconv.ParseInt(st.Value, 10, 64)
		switch {
		case err != nil:
		case strings.HasPrefix(st.Name, "reads_"):
			reads += n
		case strings.HasPrefix(st.Name, "class_"):
			classes += n
		case strings.HasPrefix(st.Name, "trf_"):
			trf += n
		}
	}
	for _, n := range s.SmallRNA.Features {
		feats += n
	}
	for _, n := range s.SmallRNA.Spikeins {
		spikes += n
	}
	if in := statInt(t, s, "input_reads"); reads != in {
		t.Errorf("reads_* sum to %d, input_reads %d", reads, in)
	}
	other := statInt(t, s, "reads_other_rna")
	if classes != other || feats != other {
		t.Errorf("class_* sum to %d, features to %d, reads_other_rna %d", classes, feats, other)
	}
	if _, ok := s.Stat("class_tRNA"); ok && trf != statInt(t, s, "class_tRNA") {
		t.Errorf("trf_* sum to %d, class_tRNA %d", trf, statInt(t, s, "class_tRNA"))
	}
	if _, ok := s.Stat("reads_spikein"); ok && spikes != statInt(t, s, "reads_spikein") {
		t.Errorf("spike-ins sum to %d, reads_spikein %d", spikes, statInt(t, s, "reads_spikein"))
	}
}

func quantifyInserts(t *testing.T, r *Reference, ins ...seq.Insert) *Sample {
	t.Helper()
	s, err := Quantify(context.Background(), r, "s", ins, nil, Options{})
	if err != nil {
		t.Fatal(err)
	}
	checkSmallRNAAccounting(t, s)
	return s
}

func sub2(s string, pos ...int) string {
	b := []byte(s)
	for _, p := range pos {
		b[p] = map[byte]byte{'A': 'C', 'C': 'G', 'G': 'T', 'T': 'A'}[b[p]]
	}
	return string(b)
}

// TestTRFTypes places hand-built fragments of real tRNAs (Ala-AGC-1-1 of
// the embedded tDRmapper set, 75 nt with CCA, anticodon 33-35, and its
// pre-tRNA with 40-nt leader and trailer) and checks the type each gets.
func TestTRFTypes(t *testing.T) {
	r := annotatedHsa(t)
	m := string(otherSeq(t, r, "Ala-AGC-1-1").Seq)
	pre := string(otherSeq(t, r, "pre-Ala-AGC-1-1").Seq)
	if len(m) != 75 || !strings.HasSuffix(m, "CCA") {
		t.Fatalf("Ala-AGC-1-1 = %s (%d nt), want 75 nt ending in CCA", m, len(m))
	}
	body := strings.Index(pre, m[:15])
	if body != 40 {
		t.Fatalf("mature body at %d of the pre-tRNA, want 40", body)
	}
	end := body + len(m) - 3 // end of the body on the pre-tRNA
	mt := string(otherSeq(t, r, "MT-TL1").Seq)
	for _, tc := range []struct {
		name, read string
		want       TRFType
	}{
		{"5' tRF (1-18)", m[:18], TRF5},
		{"5' half (1-33, ends in the anticodon)", m[:33], TRF5Half},
		{"i-tRF (11-30)", m[10:30], TRFi},
		{"3' tRF without CCA (ends at the discriminator)", m[50:72], TRF3},
		{"3' CCA tRF", m[53:], TRF3CCA},
		{"3' half (34-75)", m[33:], TRF3Half},
		{"trailer (tRF-1)", pre[end : end+20], TRF1},
		{"trailer with the body's 3' end", pre[end-5 : end+15], TRF1},
		{"leader", pre[body-12 : body+8], TRFLeader},
		{"mitochondrial 3' CCA tRF", mt[len(mt)-20:], TRF3CCA},
		{"mitochondrial 5' tRF with 2 errors", sub2(mt[:20], 5, 12), TRF5},
	} {
		s := quantifyInserts(t, r, seq.Insert{Seq: tc.read, Reads: 7, Molecules: 7})
		if got := statInt(t, s, "class_tRNA"); got != 7 {
			t.Errorf("%s %s: class_tRNA %d, want 7", tc.name, tc.read, got)
			continue
		}
		if got := statInt(t, s, "trf_"+tc.want.String()); got != 7 {
			var rows []string
			for _, st := range s.Stats {
				if strings.HasPrefix(st.Name, "trf_") && st.Value != "0" {
					rows = append(rows, st.Name+"="+st.Value)
				}
			}
			t.Errorf("%s %s: trf_%s %d, want 7 (%s)", tc.name, tc.read, tc.want, got, strings.Join(rows, " "))
		}
	}
}

// TestTRFClassify checks the type rules on a made-up 76-nt tRNA with the
// anticodon at 34-36 (loop 32-38, 1-based).
func TestTRFClassify(t *testing.T) {
	ti := trnaInfo{kind: trnaMature, anticodon: 33}
	n := 76
	for _, tc := range []struct {
		start, end int // 1-based inclusive
		want       TRFType
	}{
		{1, 76, TRFFull}, {1, 73, TRFFull}, {1, 72, TRF5}, {1, 31, TRF5}, {1, 32, TRF5Half},
		{1, 38, TRF5Half}, {1, 39, TRF5}, {32, 76, TRF3Half}, {38, 73, TRF3Half}, {39, 76, TRF3CCA},
		{39, 73, TRF3}, {39, 75, TRF3}, {2, 72, TRFi}, {40, 60, TRFi},
	} {
		if got := ti.classify(tc.start-1, tc.end, n); got != tc.want {
			t.Errorf("%d-%d: %s, want %s", tc.start, tc.end, got, tc.want)
		}
	}
	pre := trnaInfo{kind: trnaPre, bodyStart: 40, bodyEnd: 112}
	for _, tc := range []struct {
		start, end int
		want       TRFType
	}{{30, 50, TRFLeader}, {100, 120, TRF1}, {50, 70, TRFPre}, {30, 120, TRFLeader}} {
		if got := pre.classify(tc.start-1, tc.end, 152); got != tc.want {
			t.Errorf("pre %d-%d: %s, want %s", tc.start, tc.end, got, tc.want)
		}
	}
	if got := (&trnaInfo{kind: trnaMature, anticodon: -1}).classify(0, 20, 76); got != TRFUntyped {
		t.Errorf("no anticodon: %s, want untyped", got)
	}
}

// TestMiRNAWinsOverClass: a read on a hairpin that a class also holds
// exactly is miRNA.
func TestMiRNAWinsOverClass(t *testing.T) {
	r := annotatedHsa(t)
	const mir21 = "TAGCTTATCAGACTGATGTTGA" // hsa-miR-21-5p (miRBase 21)
	if err := r.AddOther("YRNA", []seq.FastaRecord{{Name: "toyY", Seq: []byte("GGCTGGTCCG" + mir21 + "AAGGTAGTGA")}}); err != nil {
		t.Fatal(err)
	}
	s := quantifyInserts(t, r, seq.Insert{Seq: mir21, Reads: 9, Molecules: 9},
		seq.Insert{Seq: "GGCTGGTCCG" + mir21[:12], Reads: 4, Molecules: 4})
	if got := statInt(t, s, "reads_mirna"); got != 9 {
		t.Errorf("reads_mirna %d, want 9", got)
	}
	if got := statInt(t, s, "class_YRNA"); got != 4 {
		t.Errorf("class_YRNA %d, want 4", got)
	}
	if got := s.Mature[r.FeatureIndex("hsa-miR-21-5p")]; got != 9 {
		t.Errorf("hsa-miR-21-5p %d, want 9", got)
	}
}

// TestSpikeinsNeverMiRNA: spike-ins are aligned first, so a spike-in equal
// to a human miRNA takes its reads (a user's choice, counted as spike-in,
// never as miRNA), and reads with 2 errors are placed on spike-ins too.
func TestSpikeinsNeverMiRNA(t *testing.T) {
	r := annotatedHsa(t)
	const mir21 = "TAGCTTATCAGACTGATGTTGA"
	const cel39 = "TCACCGGGTGTAAATCAGCTTG" // cel-miR-39-3p
	if err := r.AddSpikeins([]seq.FastaRecord{{Name: "cel-miR-39-3p", Seq: []byte(cel39)}, {Name: "spk-mir21", Seq: []byte(mir21)}, {Name: "unused", Seq: []byte("ACGTACGTTTGACCAGTAGCAT")}}); err != nil {
		t.Fatal(err)
	}
	s := quantifyInserts(t, r,
		seq.Insert{Seq: mir21, Reads: 11, Molecules: 11},
		seq.Insert{Seq: cel39, Reads: 5, Molecules: 5},
		seq.Insert{Seq: sub2(cel39, 3, 15), Reads: 2, Molecules: 2},
		seq.Insert{Seq: "TGAGGTAGTAGGTTGTATAGTT", Reads: 3, Molecules: 3}) // hsa-let-7a-5p
	if got := statInt(t, s, "reads_spikein"); got != 18 {
		t.Errorf("reads_spikein %d, want 18", got)
	}
	if got := statInt(t, s, "reads_mirna"); got != 3 {
		t.Errorf("reads_mirna %d, want 3", got)
	}
	if got := s.Mature[r.FeatureIndex("hsa-miR-21-5p")]; got != 0 {
		t.Errorf("hsa-miR-21-5p %d, want 0", got)
	}
	if got := s.SmallRNA.Spikeins; len(got) != 3 || got[0] != 7 || got[1] != 11 || got[2] != 0 {
		t.Errorf("spike-in counts %v, want [7 11 0]", got)
	}
	var b bytes.Buffer
	if err := WriteSpikeinCounts(&b, []*Sample{s}); err != nil {
		t.Fatal(err)
	}
	if want := "spikein\ts\ncel-miR-39-3p\t7\nspk-mir21\t11\nunused\t0\n"; b.String() != want {
		t.Errorf("spikein_counts.tsv:\n%s\nwant\n%s", b.String(), want)
	}
}

// TestAnnotationClassesAndMatrix counts one read of each class and checks
// the summary rows and smallrna_counts.tsv.
func TestAnnotationClassesAndMatrix(t *testing.T) {
	r := annotatedHsa(t)
	frag := func(name string, at, n int) string { return string(otherSeq(t, r, name).Seq[at : at+n]) }
	s := quantifyInserts(t, r,
		seq.Insert{Seq: frag("RNA28S", 2000, 24), Reads: 3, Molecules: 3},
		seq.Insert{Seq: frag("MT-RNR2", 300, 22), Reads: 4, Molecules: 4},
		seq.Insert{Seq: frag("RN7SK", 10, 25), Reads: 5, Molecules: 5},
		seq.Insert{Seq: sub2(frag("RN7SK", 40, 25), 4, 17), Reads: 1, Molecules: 1},
		seq.Insert{Seq: "ACGTTTTTTTTTTTTTTTGGGCCCAAA", Reads: 6, Molecules: 6})
	for _, tc := range []struct {
		row  string
		want int64
	}{{"class_rRNA", 7}, {"class_snRNA", 6}, {"class_tRNA", 0}, {"class_snoRNA", 0}, {"reads_unmapped", 6}} {
		if got := statInt(t, s, tc.row); got != tc.want {
			t.Errorf("%s %d, want %d", tc.row, got, tc.want)
		}
	}
	var b bytes.Buffer
	if err := WriteSmallRNACounts(&b, []*Sample{s}); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(b.String(), "\n")
	if lines[0] != "feature\tclass\ts" {
		t.Errorf("header %q", lines[0])
	}
	names, _ := r.OtherFeatureNames()
	if len(lines) != len(names)+2 {
		t.Errorf("%d lines, want %d features + header", len(lines)-2, len(names))
	}
	for _, want := range []string{"RNA28S\trRNA\t3", "MT-RNR2\trRNA\t4", "RN7SK\tsnRNA\t6", "Ala-AGC-1-1\ttRNA\t0"} {
		if !strings.Contains(b.String(), "\n"+want+"\n") {
			t.Errorf("smallrna_counts.tsv lacks %q", want)
		}
	}
}

func TestAddSpikeinsErrors(t *testing.T) {
	r := annotatedHsa(t)
	if err := r.AddSpikeins([]seq.FastaRecord{{Name: "a", Seq: []byte("ACGT")}, {Name: "a", Seq: []byte("ACGA")}}); err == nil {
		t.Error("duplicate spike-in names accepted")
	}
	if err := r.AddSpikeins(nil); err == nil {
		t.Error("empty spike-in set accepted")
	}
	if err := r.AddAnnotation("mmu"); err == nil {
		t.Error("mouse annotation accepted")
	}
}
