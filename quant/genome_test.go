package quant

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/biogo/hts/sam"

	"github.com/exomir/exomir/seq"
)

const (
	gffV21 = "../testdata/bam/hsa_v21.gff3.gz"
	gffV22 = "../testdata/bam/hsa_v22.gff3.gz"
)

// TestReadMirbaseGFF3Real reads the real miRBase GFF3 files; the record
// counts are those of ../shared/data/SOURCES.md (grep of the types).
func TestReadMirbaseGFF3Real(t *testing.T) {
	for _, tc := range []struct {
		path               string
		primaries, matures int
	}{
		{gffV21, 1881, 2813},
		{gffV22, 1918, 2883},
	} {
		ann, err := LoadMirbaseGFF3(context.Background(), tc.path)
		if err != nil {
			t.Fatal(err)
		}
		if len(ann.Primaries) != tc.primaries || len(ann.Matures) != tc.matures {
			t.Errorf("%s: %d primaries, %d matures; want %d, %d", tc.path, len(ann.Primaries), len(ann.Matures), tc.primaries, tc.matures)
		}
		// First records of both files (see `head` of the files).
		p, m := ann.Primaries[0], ann.Matures[0]
		if p.Seqid != "chr1" || p.Start != 17368 || p.End != 17436 || p.Strand != '-' || p.Name != "hsa-mir-6859-1" || p.ID != "MI0022705" {
			t.Errorf("%s: first primary %+v", tc.path, p)
		}
		if m.Name != "hsa-miR-6859-5p" || m.DerivesFrom != "MI0022705" || m.Start != 17408 || m.End != 17431 {
			t.Errorf("%s: first mature %+v", tc.path, m)
		}
	}
}

// TestGenomeReferenceMatchesSequences checks the v21 GFF3 against the v21
// FASTA reference: GFF names map onto the reference, and the loci the GFF
// gives on each hairpin are where the mature sequences are found in it.
func TestGenomeReferenceMatchesSequences(t *testing.T) {
	base := bamHsa(t)
	ann, err := LoadMirbaseGFF3(context.Background(), gffV21)
	if err != nil {
		t.Fatal(err)
	}
	g, err := NewGenomeReference(ann, base)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("matched %d features, %d new; matched %d hairpins, %d new, %d without sequence",
		g.MatchedFeatures, g.NewFeatures, g.MatchedHairpins, g.NewHairpins, g.SeqlessHairpins)
	if g.MatchedHairpins != len(base.Hairpins) || g.NewHairpins != 0 || g.SeqlessHairpins != 0 {
		t.Errorf("v21 GFF vs v21 FASTA: every hairpin should match by name and length")
	}
	if g.NewFeatures != 0 || g.MatchedFeatures != len(base.Features) {
		t.Errorf("v21 GFF vs v21 FASTA: %d of %d features matched, %d new", g.MatchedFeatures, len(base.Features), g.NewFeatures)
	}
	if len(g.Ref.Features) != len(base.Features) || len(g.Ref.Hairpins) != len(base.Hairpins) {
		t.Fatalf("genome reference has %d features / %d hairpins, base %d / %d", len(g.Ref.Features), len(g.Ref.Hairpins), len(base.Features), len(base.Hairpins))
	}
	// Every GFF locus is an exact occurrence of the feature's sequence.
	var bad []string
	n := 0
	for _, h := range g.Ref.Hairpins {
		for _, l := range h.Loci {
			n++
			f := g.Ref.Features[l.Feature]
			if !bytes.Equal(h.Seq[l.Start:l.End], f.Seq) {
				bad = append(bad, fmt.Sprintf("%s on %s:%d-%d", f.Name, h.Name, l.Start, l.End))
			}
		}
	}
	if len(bad) > 0 {
		t.Errorf("%d of %d GFF loci do not hold the mature sequence: %s", len(bad), n, abbreviate(bad, 5))
	}
	// v22 against the v21 FASTA: most names map; the rest are new.
	ann22, err := LoadMirbaseGFF3(context.Background(), gffV22)
	if err != nil {
		t.Fatal(err)
	}
	g22, err := NewGenomeReference(ann22, base)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("v22: matched %d features, %d new; matched %d hairpins, %d new, %d without sequence",
		g22.MatchedFeatures, g22.NewFeatures, g22.MatchedHairpins, g22.NewHairpins, g22.SeqlessHairpins)
	if g22.MatchedFeatures < len(base.Features)*9/10 || g22.NewFeatures == 0 {
		t.Errorf("v22: %d features matched, %d new", g22.MatchedFeatures, g22.NewFeatures)
	}
	// Without a base, features are named as in the GFF.
	g0, err := NewGenomeReference(ann, nil)
	if err != nil {
		t.Fatal(err)
	}
	if g0.Ref.FeatureIndex("hsa-miR-6859-5p") < 0 || len(g0.Ref.Features[g0.Ref.FeatureIndex("hsa-miR-6859-5p")].Loci) < 2 {
		t.Error("without base: hsa-miR-6859-5p (MIMAT0027618 and _1) should be one feature with several loci")
	}
}

func TestReadMirbaseGFF3Errors(t *testing.T) {
	hdr := "##gff-version 3\n"
	prim := "chr1\t.\tmiRNA_primary_transcript\t100\t180\t.\t+\t.\tID=MI1;Name=x-mir-1\n"
	for _, tc := range []struct {
		name, text string
		want       error
		line       string
	}{
		{"columns", hdr + "chr1\t.\tmiRNA\t1\t2\n", ErrGFFFormat, ":2:"},
		{"coordinates", hdr + prim + "chr1\t.\tmiRNA\t120\tx\t.\t+\t.\tID=MIMAT1;Derives_from=MI1\n", ErrGFFFormat, ":3:"},
		{"strand", hdr + "chr1\t.\tmiRNA_primary_transcript\t100\t180\t.\t?\t.\tID=MI1\n", ErrGFFFormat, ":2:"},
		{"no ID", hdr + "chr1\t.\tmiRNA_primary_transcript\t100\t180\t.\t+\t.\tName=a\n", ErrGFFFormat, ":2:"},
		{"orphan", hdr + prim + "chr1\t.\tmiRNA\t120\t141\t.\t+\t.\tID=MIMAT1;Name=x-miR-1;Derives_from=MI9\n", ErrGFFParent, ":3:"},
		{"empty", hdr, ErrGFFEmpty, "t.gff3"},
		// 2 Gb "hairpin": once allocated as 2 GB of N before anything else
		{"huge feature", hdr + "chr1\t.\tmiRNA_primary_transcript\t1\t2000000000\t.\t+\t.\tID=MI1;Name=x-mir-1\n", ErrGFFFormat, ":2:"},
	} {
		_, err := ReadMirbaseGFF3(strings.NewReader(tc.text), "t.gff3")
		if !errors.Is(err, tc.want) {
			t.Errorf("%s: err = %v, want %v", tc.name, err, tc.want)
			continue
		}
		if !strings.Contains(err.Error(), tc.line) {
			t.Errorf("%s: error %q does not locate %q", tc.name, err, tc.line)
		}
	}
}

// synthHairpins are the hairpins the synthetic genome tests place: real
// hairpins, a mature on two of them (miR-19b-3p on mir-19b-1 and -2).
var synthHairpins = []string{"hsa-let-7a-1", "hsa-let-7a-2", "hsa-let-7f-1", "hsa-mir-21", "hsa-mir-19b-1", "hsa-mir-19b-2", "hsa-mir-16-1", "hsa-mir-15a", "hsa-mir-92a-1", "hsa-mir-92a-2", "hsa-mir-143", "hsa-mir-10a"}

// gffGenome reads the miRBase GFF3 text gff (named file in errors) and
// builds its genome reference on base (nil: the GFF3 alone).
func gffGenome(t testing.TB, gff, file string, base *Reference) *GenomeReference {
	t.Helper()
	ann, err := ReadMirbaseGFF3(strings.NewReader(gff), file)
	if err != nil {
		t.Fatal(err)
	}
	g, err := NewGenomeReference(ann, base)
	if err != nil {
		t.Fatal(err)
	}
	return g
}

// checkMatureL1 logs the L1 distance of got's mature counts from want's
// and fails when it passes 2% of want's reads or these are fewer than
// minTotal.
func checkMatureL1(t *testing.T, what string, got, want *Sample, minTotal int64) {
	t.Helper()
	var l1, total int64
	for i := range got.Mature {
		d := got.Mature[i] - want.Mature[i]
		if d < 0 {
			d = -d
		}
		l1 += d
		total += want.Mature[i]
	}
	t.Logf("%s: L1 %d of %d reads (%.2f%%)", what, l1, total, 100*float64(l1)/float64(total))
	if total < minTotal || float64(l1) > 0.02*float64(total) {
		t.Errorf("%s: L1 %d of %d reads", what, l1, total)
	}
}

// subReference keeps the named hairpins of r and the matures on them.
func subReference(t testing.TB, r *Reference, hairpins []string) *Reference {
	t.Helper()
	var hp, mat []seq.FastaRecord
	keep := map[int]bool{}
	for _, n := range hairpins {
		i := r.HairpinIndex(n)
		if i < 0 {
			t.Fatalf("no hairpin %s", n)
		}
		keep[i] = true
		h := r.Hairpins[i]
		hp = append(hp, seq.FastaRecord{Name: h.Name, Desc: h.ID, Seq: h.Seq})
	}
	for _, f := range r.Features {
		on := false
		for _, l := range f.Loci {
			on = on || keep[l.Hairpin]
		}
		if on {
			for j, n := range f.Names {
				mat = append(mat, seq.FastaRecord{Name: n, Desc: f.IDs[j], Seq: f.Seq})
			}
		}
	}
	sub, err := NewReference(mat, hp, RefOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return sub
}

// synthGenome places the hairpins of ref on random chromosomes, on both
// strands, and returns the chromosomes, a miRBase-style GFF3 of them (from
// the mature loci of ref) and each hairpin's placement.
type placed struct {
	chrom  string
	start  int // 0-based genome start of the hairpin
	strand byte
}

func synthGenome(rng *rand.Rand, ref *Reference) (map[string][]byte, string, []placed) {
	chroms := map[string][]byte{}
	rnd := func(n int) []byte {
		b := make([]byte, n)
		for i := range b {
			b[i] = "ACGT"[rng.IntN(4)]
		}
		return b
	}
	var gff strings.Builder
	gff.WriteString("##gff-version 3\n# synthetic genome for exomir tests\n")
	pl := make([]placed, len(ref.Hairpins))
	for hi, h := range ref.Hairpins {
		name := fmt.Sprintf("chr%d", 1+hi%2)
		c := append(chroms[name], rnd(50+rng.IntN(100))...)
		p := placed{chrom: name, start: len(c), strand: "+-"[rng.IntN(2)]}
		s := append([]byte(nil), h.Seq...)
		if p.strand == '-' {
			seq.ReverseComplement(s)
		}
		chroms[name] = append(c, s...)
		pl[hi] = p
		end := p.start + len(h.Seq)
		fmt.Fprintf(&gff, "%s\t.\tmiRNA_primary_transcript\t%d\t%d\t.\t%c\t.\tID=%s;Alias=%s;Name=%s\n", name, p.start+1, end, p.strand, h.ID, h.ID, h.Name)
		for k, l := range h.Loci {
			gs, ge := p.start+l.Start, p.start+l.End
			if p.strand == '-' {
				gs, ge = end-l.End, end-l.Start
			}
			f := ref.Features[l.Feature]
			id := f.IDs[0]
			if k > 0 {
				id = fmt.Sprintf("%s_%d", id, k)
			}
			fmt.Fprintf(&gff, "%s\t.\tmiRNA\t%d\t%d\t.\t%c\t.\tID=%s;Alias=%s;Name=%s;Derives_from=%s\n", name, gs+1, ge, p.strand, id, f.IDs[0], f.Names[0], h.ID)
		}
	}
	for name := range chroms {
		chroms[name] = append(chroms[name], rnd(100)...)
	}
	return chroms, gff.String(), pl
}

// genomeSAM writes the hairpin hits of inserts as genome alignments on the
// synthetic genome: reverse-strand hairpins give flag-16 records with the
// reverse-complemented read and the tail clipped on the left. Chromosome
// names drop the "chr" prefix (as in Ensembl BAMs). A decoy record on a
// chromosome without miRNAs is added to each read with no hit.
func genomeSAM(ref *Reference, chroms map[string][]byte, pl []placed, inserts []AlignedInsert) string {
	var b strings.Builder
	b.WriteString("@HD\tVN:1.6\tSO:unsorted\n")
	for _, c := range []string{"1", "2"} {
		fmt.Fprintf(&b, "@SQ\tSN:%s\tLN:%d\n", c, len(chroms["chr"+c]))
	}
	b.WriteString("@SQ\tSN:3\tLN:1000\n")
	for i, in := range inserts {
		name := fmt.Sprintf("seq_%d_x%d", i+1, in.Reads)
		if len(in.Hits) == 0 {
			fmt.Fprintf(&b, "%s\t0\t3\t100\t255\t%dM\t*\t0\t0\t%s\t*\n", name, len(in.Seq), in.Seq)
			continue
		}
		for j, h := range in.Hits {
			p := pl[h.Hairpin]
			flag := 0
			if j > 0 {
				flag = 256
			}
			hl := len(ref.Hairpins[h.Hairpin].Seq)
			s := append([]byte(nil), in.Seq...)
			pos := p.start + int(h.Pos)
			cigar := fmt.Sprintf("%dM", h.Len)
			if h.Tail > 0 {
				cigar += fmt.Sprintf("%dS", h.Tail)
			}
			if p.strand == '-' {
				flag |= 16
				seq.ReverseComplement(s)
				pos = p.start + hl - int(h.Pos) - int(h.Len)
				cigar = fmt.Sprintf("%dM", h.Len)
				if h.Tail > 0 {
					cigar = fmt.Sprintf("%dS", h.Tail) + cigar
				}
			}
			fmt.Fprintf(&b, "%s\t%d\t%s\t%d\t255\t%s\t*\t0\t0\t%s\t*\n", name, flag, strings.TrimPrefix(p.chrom, "chr"), pos+1, cigar, s)
		}
	}
	return b.String()
}

// TestGenomeBAMMatchesFastqPath places real hairpins (both strands, a
// mature on two hairpins: miR-19b-3p on mir-19b-1 and -2) on a synthetic
// genome, aligns simulated inserts to the genome through their hairpin
// hits, and checks that genome counting gives the FASTQ-path counts.
func TestGenomeBAMMatchesFastqPath(t *testing.T) {
	full := bamHsa(t)
	ref := subReference(t, full, synthHairpins)
	rng := rand.New(rand.NewPCG(4, 2))
	chroms, gff, pl := synthGenome(rng, ref)
	g := gffGenome(t, gff, "synthetic.gff3", ref)
	if g.NewFeatures != 0 || g.NewHairpins != 0 {
		t.Fatalf("synthetic GFF: %d new features, %d new hairpins", g.NewFeatures, g.NewHairpins)
	}
	inserts, aligned := alignedSimInserts(t, ref, rng, 400, 0)
	samText := genomeSAM(ref, chroms, pl, aligned)
	// The synthetic records are right: each templated part is read
	// against the genome with at most 2 mismatches (the aligner's limit,
	// third pass).
	checkGenomeRecords(t, samText, chroms)
	for _, multi := range []Multi{MultiEM, MultiSplit, MultiUnique} {
		want, err := Quantify(context.Background(), ref, "s", inserts, nil, Options{Multi: multi})
		if err != nil {
			t.Fatal(err)
		}
		got, err := QuantifyGenomeBAM(context.Background(), strings.NewReader(samText), "g.sam", "s", g, BAMOptions{Options: Options{Multi: multi}})
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got.Mature, want.Mature) {
			for i := range got.Mature {
				if got.Mature[i] != want.Mature[i] {
					t.Errorf("%v: %s: genome %d, FASTQ path %d", multi, ref.Features[i].Name, got.Mature[i], want.Mature[i])
				}
			}
		}
		if !slices.Equal(got.Hairpin, want.Hairpin) {
			t.Errorf("%v: hairpin counts: genome %v, FASTQ path %v", multi, got.Hairpin, want.Hairpin)
		}
		if g, w := bamReadsStats(got), bamReadsStats(want); !slices.Equal(g, w) {
			t.Errorf("%v: accounting %v, FASTQ path %v", multi, g, w)
		}
		var total int64
		for _, c := range got.Mature {
			total += c
		}
		if total < 1000 {
			t.Fatalf("only %d reads counted on matures: test too weak", total)
		}
	}
	// Strand matters: the same records with flipped strand flags count
	// nothing on miRNAs.
	flipped := flipStrands(samText)
	got, err := QuantifyGenomeBAM(context.Background(), strings.NewReader(flipped), "flip.sam", "s", g, BAMOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := got.Stat("reads_mirna"); v != "0" {
		t.Errorf("antisense reads counted as miRNA: reads_mirna = %s", v)
	}
}

func flipStrands(samText string) string {
	var b strings.Builder
	for _, l := range strings.SplitAfter(samText, "\n") {
		if l == "" || l[0] == '@' {
			b.WriteString(l)
			continue
		}
		f := strings.SplitN(l, "\t", 3)
		var flag int
		fmt.Sscan(f[1], &flag)
		if flag&4 == 0 {
			flag ^= 16
		}
		fmt.Fprintf(&b, "%s\t%d\t%s", f[0], flag, f[2])
	}
	return b.String()
}

// TestGenomeBAMByHand counts hand-made genome records on a hand-made GFF:
// windows relative to the strand, hairpin-only reads, and a mature at two
// loci counted once.
func TestGenomeBAMByHand(t *testing.T) {
	g := gffGenome(t, fuzzToyGFF, "hand.gff3", nil)
	r22 := strings.Repeat("A", 22)
	rec := func(name string, flag int, chrom string, pos int, cigar string, n int) string {
		return fmt.Sprintf("%s\t%d\t%s\t%d\t255\t%s\t*\t0\t0\t%s\t*\n", name, flag, chrom, pos, cigar, strings.Repeat("A", n))
	}
	body := "@HD\tVN:1.6\tSO:unsorted\n@SQ\tSN:chr1\tLN:2000\n@SQ\tSN:chr2\tLN:2000\n" +
		// x-miR-1-5p exact (GFF 111..132, 1-based) on both loci: one read, one feature.
		rec("a_x5", 0, "chr1", 111, "22M", 22) + rec("a_x5", 256, "chr2", 511, "22M", 22) +
		// 5' end 2 nt downstream, 3' end +1: within the windows.
		rec("b_x3", 0, "chr1", 113, "21M", 21) +
		// Minus-strand mature (1051..1072): the read's 5' end is the right end.
		// 1 nt shorter at the 5' end (right) and 2 untemplated bases clipped on the left.
		rec("c_x7", 16, "chr1", 1051, "2S21M", 23) +
		// On the loop of x-mir-1, far from the mature: hairpin only.
		rec("d_x2", 0, "chr1", 150, "22M", 22) +
		// 5' end 4 nt off: outside the 5' window (3): hairpin only.
		rec("e_x1", 0, "chr1", 115, "18M", 18) +
		// Antisense to x-mir-1: nothing.
		rec("f_x4", 16, "chr1", 111, "22M", 22) +
		// Unmapped and on no miRNA.
		"g_x6\t4\t*\t0\t0\t*\t*\t0\t0\t" + r22 + "\t*\n" +
		rec("h_x1", 0, "chr2", 1500, "22M", 22)
	s, err := QuantifyGenomeBAM(context.Background(), strings.NewReader(body), "hand.sam", "hand", g, BAMOptions{})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]int64{"x-miR-1-5p": 5 + 3, "x-miR-2-5p": 7}
	for i, f := range g.Ref.Features {
		if s.Mature[i] != want[f.Name] {
			t.Errorf("%s: %d, want %d", f.Name, s.Mature[i], want[f.Name])
		}
	}
	wantH := map[string]int64{"x-mir-1": 3 + 2 + 1, "x-mir-2": 7, "x-mir-1b": 0}
	// Read a is on x-mir-1 and x-mir-1b: its 5 reads are shared by EM over
	// the hairpins' unambiguous reads (6 on x-mir-1, 0 on x-mir-1b), so all 5
	// go to x-mir-1.
	wantH["x-mir-1"] += 5
	for i, h := range g.Ref.Hairpins {
		if s.Hairpin[i] != wantH[h.Name] {
			t.Errorf("hairpin %s: %d, want %d", h.Name, s.Hairpin[i], wantH[h.Name])
		}
	}
	for k, v := range map[string]string{"input_reads": "29", "reads_mirna": "15", "reads_hairpin_only": "3", "reads_unmapped": "11"} {
		if got, _ := s.Stat(k); got != v {
			t.Errorf("%s = %s, want %s", k, got, v)
		}
	}
	// Chromosome names that match nothing: a clear error.
	other := strings.ReplaceAll(strings.ReplaceAll(body, "chr1", "scaffold_1"), "chr2", "scaffold_2")
	if _, err := QuantifyGenomeBAM(context.Background(), strings.NewReader(other), "other.sam", "x", g, BAMOptions{}); !errors.Is(err, ErrGenomeNames) || !strings.Contains(err.Error(), "scaffold_1") {
		t.Errorf("unknown chromosomes: err = %v", err)
	}
}

// checkGenomeRecords compares the M part of every mapped record with the
// synthetic genome.
func checkGenomeRecords(t *testing.T, samText string, chroms map[string][]byte) {
	t.Helper()
	n, minus := 0, 0
	for _, l := range strings.Split(samText, "\n") {
		if l == "" || l[0] == '@' {
			continue
		}
		f := strings.Split(l, "\t")
		var flag, pos int
		fmt.Sscan(f[1], &flag)
		fmt.Sscan(f[3], &pos)
		c, ok := chroms["chr"+f[2]]
		if flag&4 != 0 || !ok {
			continue
		}
		sp := alnSpanOf(pos-1, mustCigar(t, f[5]))
		read := f[9][sp.Clip5 : sp.Clip5+sp.Ref]
		mm := 0
		for i := range read {
			if read[i] != c[pos-1+i] {
				mm++
			}
		}
		if mm > SecondPassMismatches {
			t.Fatalf("record %s: %d mismatches with the genome", f[0], mm)
		}
		n++
		if flag&16 != 0 {
			minus++
		}
	}
	if n < 300 || minus == 0 || minus == n {
		t.Fatalf("%d records, %d on the minus strand: test too weak", n, minus)
	}
}

func mustCigar(t *testing.T, s string) sam.Cigar {
	c, err := sam.ParseCigar([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestGenomeBAMBowtie aligns simulated inserts with the real bowtie
// (nf-core/smrnaseq settings: -k 50 --best --strata -e 99999, both
// strands, seed mode -n 2) to a synthetic genome holding real hairpins
// on both strands, counts the SAM on the genome GFF3, and compares with
// the FASTQ path on the inserts bowtie aligned. Counts may differ a
// little by design, as for hairpin BAMs (see TestHairpinBAMBowtieFixture);
// measured 0.79% (bowtie 1.3.1, this seed); the test allows 2%.
func TestGenomeBAMBowtie(t *testing.T) {
	bowtie := bamRequireTool(t, "bowtie")
	build := bamRequireTool(t, "bowtie-build")
	full := bamHsa(t)
	ref := subReference(t, full, synthHairpins)
	rng := rand.New(rand.NewPCG(12, 7))
	chroms, gff, _ := synthGenome(rng, ref)
	g := gffGenome(t, gff, "synthetic.gff3", ref)
	dir := t.TempDir()
	var fa, reads bytes.Buffer
	for _, c := range []string{"chr1", "chr2"} {
		fmt.Fprintf(&fa, ">%s\n%s\n", c, chroms[c])
	}
	inserts := bamSimInserts(ref, rng, 400)
	for i, in := range inserts {
		fmt.Fprintf(&reads, ">seq_%d_x%d\n%s\n", i+1, in.Reads, in.Seq)
	}
	genome := filepath.Join(dir, "genome.fa")
	readsFa := filepath.Join(dir, "reads.fa")
	os.WriteFile(genome, fa.Bytes(), 0o644)
	os.WriteFile(readsFa, reads.Bytes(), 0o644)
	idx := filepath.Join(dir, "genome")
	if out, err := exec.Command(build, "-q", genome, idx).CombinedOutput(); err != nil {
		t.Fatalf("bowtie-build: %v: %s", err, out)
	}
	samOut, err := exec.Command(bowtie, "-x", idx, "-f", readsFa, "-k", "50", "--best", "--strata", "-e", "99999", "-S", "--no-unal").Output()
	if err != nil {
		t.Fatalf("bowtie: %v", err)
	}
	if !bytes.Contains(samOut, []byte("\t16\tchr")) {
		t.Fatal("bowtie placed no read on the minus strand: test too weak")
	}
	// bowtie leaves some inserts unaligned that our aligner places (3
	// untemplated bases, or 2 plus a substitution, exceed its 2
	// mismatches): compare on the inserts bowtie aligned, so that only the
	// counting rules differ.
	aligned := map[string]bool{}
	for _, l := range strings.Split(string(samOut), "\n") {
		if l != "" && l[0] != '@' {
			aligned[l[:strings.IndexByte(l, '\t')]] = true
		}
	}
	var sub []seq.Insert
	for i, in := range inserts {
		if aligned[fmt.Sprintf("seq_%d_x%d", i+1, in.Reads)] {
			sub = append(sub, in)
		}
	}
	t.Logf("bowtie aligned %d of %d inserts", len(sub), len(inserts))
	want, err := Quantify(context.Background(), ref, "s", sub, nil, Options{})
	if err != nil {
		t.Fatal(err)
	}
	got, err := QuantifyGenomeBAM(context.Background(), bytes.NewReader(samOut), "bowtie.sam", "s", g, BAMOptions{})
	if err != nil {
		t.Fatal(err)
	}
	checkMatureL1(t, "genome (bowtie) vs FASTQ path", got, want, 10000)
}

// TestGenomeBAMNoAlignedBase: a mapped genome record whose CIGAR aligns no
// base (only clips) is off-end, as on hairpins, not a hit made of clipped
// bases.
func TestGenomeBAMNoAlignedBase(t *testing.T) {
	g := gffGenome(t, fuzzToyGFF, "toy.gff3", nil)
	ins, st, err := ReadGenomeAlignments(context.Background(), strings.NewReader("z_x4\t0\tchr1\t120\t255\t5S\t*\t0\t0\tAAAAA\t*\n"), "clip.sam", g, BAMOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if st.OffEnd != 1 || st.Reads != 4 || len(ins) != 1 || len(ins[0].Hits) != 0 {
		t.Errorf("stats %+v, inserts %+v", st, ins)
	}
}
