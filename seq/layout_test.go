package seq

import (
	"context"
	"math/rand/v2"
	"strings"
	"testing"
)

// layoutMirs are miRBase 21 human matures (DNA letters) with skewed
// weights, standing in for a plasma library's miRNA 5' ends.
var layoutMirs = []struct {
	seq string
	w   float64
}{
	{"TAGCTTATCAGACTGATGTTGA", 0.15},  // miR-21-5p
	{"TGAGGTAGTAGGTTGTATAGTT", 0.06},  // let-7a-5p
	{"TAGCAGCACGTAAATATTGGCG", 0.05},  // miR-16-5p
	{"TATTGCACTTGTCCCGGCCTGT", 0.05},  // miR-92a-3p
	{"AAACCGTTACCATTACTGAGTT", 0.04},  // miR-451a
	{"TCCTGTACTGAGCTGCCCCGAG", 0.04},  // miR-486-5p
	{"CAACGGAATCCCAAAAGCAGCTG", 0.03}, // miR-191-5p
	{"GGCTACAAAACCCTTCTTGAGT", 0.03},  // miR-26... stand-in G start
	{"CTTTTTGCGGTCTGGGCTTGC", 0.02},   // miR-320-like C start
}

// layoutLibrary builds FASTQ reads: prefix (one of barcodes, or random
// bases when barcodes is nil and random > 0) + insert + extra random 3' nt
// + adapter + filler, cut to 50 nt, with substitutions at rate errRate.
// Inserts are miRNAs (70%) or random sequences (30%). It returns the FASTQ
// and the inserts in read order.
func layoutLibrary(seed uint64, n int, barcodes []string, random, random3 int, adapter string, errRate float64) (string, []string) {
	rng := rand.New(rand.NewPCG(seed, 7))
	var b strings.Builder
	var inserts []string
	var tot float64
	for _, m := range layoutMirs {
		tot += m.w
	}
	for i := 0; i < n; i++ {
		var ins string
		if rng.Float64() < 0.7 {
			u := rng.Float64() * tot
			for _, m := range layoutMirs {
				if u < m.w {
					ins = m.seq
					break
				}
				u -= m.w
			}
			if ins == "" {
				ins = layoutMirs[0].seq
			}
		} else {
			ins = randSeq(rng, 18+rng.IntN(12))
		}
		inserts = append(inserts, ins)
		pre := randSeq(rng, random)
		if len(barcodes) > 0 {
			pre = barcodes[rng.IntN(len(barcodes))]
		}
		read := []byte((pre + ins + randSeq(rng, random3) + adapter + "ATCTCGTATGCCGTCTTCTGCTTG" + strings.Repeat("A", 60))[:50])
		for p := range read {
			if rng.Float64() < errRate {
				read[p] = "ACGT"[(strings.IndexByte("ACGT", read[p])+1+rng.IntN(3))%4]
			}
		}
		b.WriteString("@r\n")
		b.Write(read)
		b.WriteString("\n+\n")
		b.WriteString(strings.Repeat("I", len(read)))
		b.WriteString("\n")
	}
	return b.String(), inserts
}

// readsOf returns the sequence lines of a FASTQ string.
func readsOf(fq string) [][]byte {
	var out [][]byte
	for i, l := range strings.Split(fq, "\n") {
		if i%4 == 1 {
			out = append(out, []byte(l))
		}
	}
	return out
}

// TestDetectBarcodes: 5' barcodes of 2-8 nt (one per library, or ENCODE's
// sets of four) before inserts, with several adapters, are found by
// detection and clipped; libraries without one get no clip.
func TestDetectBarcodes(t *testing.T) {
	// ENCODE-DCC/mirna-seq-pipeline adapters/five_prime_adapter_set1.fasta
	// and set5.fasta (../shared/data/other/encode_adapters).
	set1 := []string{"CAGTCG", "TGACTC", "GCTAGA", "ATCGAT"}
	set5 := []string{"AGCGTC", "GATCCT", "CTGAAG", "TCATGA"}
	const custom = "GTCCAGTTCAGGACTCTGATCGAT" // made up; not a kit adapter
	tests := []struct {
		name     string
		barcodes []string
		random   int
		adapter  string
		kit      string
		clip5    int
	}{
		{"encode one barcode", []string{"CAGTCG"}, 0, AdapterENCODE, "encode", 6},
		{"encode set1", set1, 0, AdapterENCODE, "encode", 6},
		{"encode set5", set5, 0, AdapterENCODE, "encode", 6},
		{"encode two of set1", set1[:2], 0, AdapterENCODE, "encode", 6},
		{"encode adapter, no barcode", nil, 0, AdapterENCODE, "encode", 0},
		{"truseq 4-nt barcode", []string{"GTCA"}, 0, AdapterTruSeq, "truseq", 4},
		{"truseq 5-nt barcodes", []string{"GTCAG", "ACGTT", "TTGCA"}, 0, AdapterTruSeq, "truseq", 5},
		{"qiaseq 7-nt barcode", []string{"ACGTTGC"}, 0, AdapterQIAseq, "qiaseq", 7},
		{"custom 8-nt barcode", []string{"GATTACAG"}, 0, custom, "custom", 8},
		{"neb 2-nt constant", []string{"GG"}, 0, AdapterUniversal, "neb", 2},
		{"v1.5 3 random nt", nil, 3, AdapterV15, "v1.5", 3},
		{"truseq plain", nil, 0, AdapterTruSeq, "truseq", 0},
		{"qiaseq plain", nil, 0, AdapterQIAseq, "qiaseq", 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fq, _ := layoutLibrary(3, 4000, tc.barcodes, tc.random, 0, tc.adapter, 0.003)
			d := DetectAdapter(readsOf(fq))
			t.Logf("%s: clip5 %d; %s", d.Kit, d.Clip5, d.Note)
			if d.Kit != tc.kit || d.Clip5 != tc.clip5 {
				t.Errorf("kit %s clip5 %d (%s), want %s %d", d.Kit, d.Clip5, d.Prefix, tc.kit, tc.clip5)
			}
			if tc.clip5 > 0 && len(tc.barcodes) > 0 && !strings.Contains(d.Prefix, tc.barcodes[0]) {
				t.Errorf("prefix %q does not name barcode %s", d.Prefix, tc.barcodes[0])
			}
		})
	}
}

// TestCollapseLayouts checks the layout used (summary fields) and the
// inserts recovered for presets, detection, user clips and user adapters.
func TestCollapseLayouts(t *testing.T) {
	encodeFq, encodeIns := layoutLibrary(5, 3000, []string{"CAGTCG", "TGACTC", "GCTAGA", "ATCGAT"}, 0, 0, AdapterENCODE, 0)
	nfFq, nfIns := layoutLibrary(6, 3000, nil, 4, 4, AdapterTruSeq, 0)
	customFq, customIns := layoutLibrary(7, 3000, []string{"ACGTAC"}, 0, 2, "GTCCAGTTCAGGACTCTGATCGAT", 0)
	tests := []struct {
		name        string
		fq          string
		ins         []string
		o           Options
		protocol    string
		clip5       int
		clip3       int
		source      string
		wantCorrect bool // every passed insert is the true one
	}{
		{"encode preset", encodeFq, encodeIns, Options{Protocol: "encode"}, "encode", 6, 0, "preset", true},
		{"encode auto", encodeFq, encodeIns, Options{}, "encode", 6, 0, "detected", true},
		{"encode auto, user adapter", encodeFq, encodeIns, Options{Adapter: AdapterENCODE}, "encode", 6, 0, "detected", true},
		{"encode none + adapter + clip5", encodeFq, encodeIns, Options{Protocol: "none", Adapter: AdapterENCODE, Clip5: new(6)}, "custom", 6, 0, "user", true},
		{"encode preset, clip5 0", encodeFq, encodeIns, Options{Protocol: "encode", Clip5: new(0)}, "encode", 0, 0, "user", false},
		{"nextflex auto", nfFq, nfIns, Options{}, "nextflex", 4, 4, "detected", true},
		{"nextflex auto + adapter", nfFq, nfIns, Options{Adapter: AdapterTruSeq}, "nextflex", 4, 4, "detected", true},
		{"nextflex preset + adapter", nfFq, nfIns, Options{Protocol: "nextflex", Adapter: AdapterTruSeq}, "nextflex", 4, 4, "preset", true},
		{"truseq preset + clips", nfFq, nfIns, Options{Protocol: "truseq", Clip5: new(4), Clip3: new(4)}, "truseq", 4, 4, "user", true},
		{"custom adapter, barcode detected", customFq, customIns, Options{Adapter: "GTCCAGTTCAGGACTCTGATCGAT", Clip3: new(2)}, "custom", 6, 2, "user", true},
		{"custom adapter, barcode and 3' clipped by user", customFq, customIns, Options{Protocol: "none", Adapter: "GTCCAGTTCAGGACTCTGATCGAT", Clip5: new(6), Clip3: new(2)}, "custom", 6, 2, "user", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res, err := Collapse(context.Background(), strings.NewReader(tc.fq), "lib.fq", tc.o)
			if err != nil {
				t.Fatal(err)
			}
			s := res.Summary
			if s.Protocol != tc.protocol || s.Clip5 != tc.clip5 || s.Clip3 != tc.clip3 || s.LayoutSource != tc.source {
				t.Fatalf("layout %s clip5 %d clip3 %d source %s, want %s %d %d %s", s.Protocol, s.Clip5, s.Clip3, s.LayoutSource, tc.protocol, tc.clip5, tc.clip3, tc.source)
			}
			want := map[string]int64{}
			for _, in := range tc.ins {
				if len(in) >= DefaultMinLen && len(in) <= DefaultMaxLen {
					want[in]++
				}
			}
			var right int64
			for _, in := range res.Inserts {
				right += min(in.Reads, want[in.Seq])
			}
			passed := s.Count(CatPassed)
			if tc.wantCorrect && (right != passed || passed < int64(len(tc.ins))*9/10) {
				t.Errorf("%d of %d passed reads have their true insert (of %d reads)", right, passed, len(tc.ins))
			}
			if !tc.wantCorrect && right > passed/10 {
				t.Errorf("%d of %d passed reads have their true insert without the clip", right, passed)
			}
		})
	}
	if _, err := Collapse(context.Background(), strings.NewReader(encodeFq), "x", Options{Clip5: new(-1)}); err == nil {
		t.Error("negative clip accepted")
	}
}

// TestMaxN: an insert with one N at any position is kept by default (the
// aligner counts it as a mismatch); two Ns are reads_too_many_n; new(0)
// allows none and a negative MaxN any number.
func TestMaxN(t *testing.T) {
	var b strings.Builder
	add := func(ins string) {
		r := ins + AdapterTruSeq
		b.WriteString("@r\n" + r + "\n+\n" + strings.Repeat("I", len(r)) + "\n")
	}
	for p := 0; p < len(miR21); p++ {
		add(miR21[:p] + "N" + miR21[p+1:])
	}
	add("NN" + miR21[2:])
	add(miR21[:5] + "N" + miR21[6:15] + "N" + miR21[16:])
	fq := b.String()
	one := int64(len(miR21))
	for _, tc := range []struct {
		name         string
		maxN         *int
		passed, tooN int64
	}{
		{"default", nil, one, 2},
		{"max 0", new(0), 0, one + 2},
		{"max 1", new(1), one, 2},
		{"max 2", new(2), one + 2, 0},
		{"no limit", new(-1), one + 2, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := Collapse(context.Background(), strings.NewReader(fq), "n.fq", Options{Protocol: "truseq", MaxN: tc.maxN})
			if err != nil {
				t.Fatal(err)
			}
			s := res.Summary
			if s.Count(CatPassed) != tc.passed || s.Count(CatTooManyN) != tc.tooN || s.Count(CatPassed)+s.Count(CatTooManyN) != s.InputReads {
				t.Errorf("passed %d too_many_n %d of %d, want %d %d", s.Count(CatPassed), s.Count(CatTooManyN), s.InputReads, tc.passed, tc.tooN)
			}
			if tc.name == "default" {
				// Every position's N kept as its own insert.
				if len(res.Inserts) != len(miR21) {
					t.Errorf("%d distinct inserts, want %d", len(res.Inserts), len(miR21))
				}
				for _, in := range res.Inserts {
					if strings.Count(in.Seq, "N") != 1 {
						t.Errorf("kept insert %s", in.Seq)
					}
				}
			}
		})
	}
}
