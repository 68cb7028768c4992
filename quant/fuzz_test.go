package quant

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/biogo/hts/bam"
	"github.com/biogo/hts/sam"

	"github.com/exomir/exomir/align"
	"github.com/exomir/exomir/seq"
)

// checkAligned is the property shared by the BAM/SAM fuzz targets: an
// error is an *AlignmentError; a result has hits inside the reference and
// consistent with the insert, and inserts carrying exactly the reads the
// stats count.
func checkAligned(t *testing.T, ref *Reference, ins []AlignedInsert, st BAMStats, err error) {
	t.Helper()
	if err != nil {
		var ae *AlignmentError
		if !errors.As(err, &ae) {
			t.Fatalf("untyped error %T: %v", err, err)
		}
		return
	}
	var reads int64
	for _, in := range ins {
		if in.Reads < 1 {
			t.Fatalf("insert %s with %d reads", in.Seq, in.Reads)
		}
		reads += in.Reads
		for _, h := range in.Hits {
			if int(h.Hairpin) >= len(ref.Hairpins) || int(h.Len)+int(h.Tail) != len(in.Seq) || int(h.Pos)+int(h.Len) > len(ref.Hairpins[h.Hairpin].Seq) {
				t.Fatalf("inconsistent hit %+v for %s", h, in.Seq)
			}
		}
	}
	if reads != st.Reads || len(ins) != st.Inserts {
		t.Fatalf("inserts carry %d reads in %d inserts, stats say %+v", reads, len(ins), st)
	}
}

// FuzzReadBAMRecords fuzzes the decompressed BAM stream (header, reference
// list, records, tags): the fuzzer's bytes are BGZF-compressed before
// reading, so mutations reach the decoder instead of failing the gzip CRC
// as they do in FuzzReadHairpinAlignments.
func FuzzReadBAMRecords(f *testing.F) {
	ref, s := bamToyRef(f)
	good := bamToyHeader + "r_x2\t0\ttoy-mir-1\t11\t255\t23M\t*\t0\t0\t" + s + "AA\t*\tMD:Z:23\n" +
		"q\t16\ttoy-mir-2\t11\t255\t21M2S\t*\t0\t0\t" + s + "TT\t*\n" +
		"u_x3\t4\t*\t0\t0\t*\t*\t0\t0\tACGTACGTACGTACGTAC\t*\n"
	ins, _, err := ReadHairpinAlignments(context.Background(), strings.NewReader(good), "seed.sam", ref, BAMOptions{})
	if err != nil {
		f.Fatal(err)
	}
	zr, err := gzip.NewReader(bytes.NewReader(bamBytes(f, ref, ins, BAMWriteOptions{})))
	if err != nil {
		f.Fatal(err)
	}
	raw, err := io.ReadAll(zr)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(raw)
	f.Add(raw[:len(raw)-3])
	f.Add([]byte("BAM\x01"))
	// Every tag type, an unmapped and a hard-clipped record, written by
	// hts's own BAM writer.
	tags := htsBAM(f, bamToyHeader+
		"t_x4\t0\ttoy-mir-1\t11\t255\t2H21M\t*\t0\t0\t"+s+"\tIIIIIIIIIIIIIIIIIIIII\tXA:A:x\tXc:i:-5\tXC:i:200\tXs:i:-300\tXS:i:60000\tXi:i:-70000\tXI:i:3000000000\tXf:f:1.5\tMD:Z:21\tXH:H:1AE3\tXB:B:s,1,-2,3\tXb:B:C,1,2\tXF:B:f,0.5\n"+
		"u_x3\t4\t*\t0\t0\t*\t*\t0\t0\tACGTACGTACGTACGTAC\t*\n")
	f.Add(tags)
	var enc bgzfEncoder
	if _, st, err := ReadHairpinAlignments(context.Background(), bytes.NewReader(enc.encode(tags)), "tags.bam", ref, BAMOptions{}); err != nil || st.Reads != 7 || st.Records != 2 {
		f.Fatalf("hts-written seed: %+v, %v", st, err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		z := enc.encode(data)
		ins, st, err := ReadHairpinAlignments(context.Background(), bytes.NewReader(z), "fuzz.bam", ref, BAMOptions{Options: Options{Threads: 1}})
		if bytes.HasPrefix(data, []byte("BAM\x01")) && err != nil && errors.Is(err, ErrAlignmentFormat) {
			t.Fatalf("BAM magic not recognised: %v", err)
		}
		checkAligned(t, ref, ins, st, err)
	})
}

// bgzfEncoder writes BGZF (gzip members of at most 64 KiB carrying their
// size in a "BC" extra field, then the empty end-of-file member) with one
// reused gzip writer: hts's bgzf writer allocates a compressor per file,
// which made each fuzz iteration a hundred times slower.
type bgzfEncoder struct {
	zw  *gzip.Writer
	out []byte
}

func (e *bgzfEncoder) encode(data []byte) []byte {
	e.out = e.out[:0]
	for first := true; first || len(data) > 0; first = false {
		n := min(len(data), 0xff00) // deflate output stays under 64 KiB
		var b bytes.Buffer
		if e.zw == nil {
			e.zw, _ = gzip.NewWriterLevel(&b, gzip.BestSpeed)
		} else {
			e.zw.Reset(&b)
		}
		e.zw.Header.Extra = []byte{'B', 'C', 2, 0, 0, 0}
		e.zw.Write(data[:n])
		e.zw.Close()
		m := b.Bytes()
		m[16], m[17] = byte(len(m)-1), byte((len(m)-1)>>8) // BSIZE: member size − 1
		e.out = append(e.out, m...)
		data = data[n:]
	}
	// The BGZF end-of-file marker (SAM spec §4.1.2).
	return append(e.out, 0x1f, 0x8b, 8, 4, 0, 0, 0, 0, 0, 0xff, 6, 0, 'B', 'C', 2, 0, 0x1b, 0, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0)
}

// htsBAM converts SAM text to the decompressed bytes of a BAM file with
// hts's reader and writer (an encoder independent of ours).
func htsBAM(t testing.TB, samText string) []byte {
	sr, err := sam.NewReader(strings.NewReader(samText))
	if err != nil {
		t.Fatal(err)
	}
	var z bytes.Buffer
	bw, err := bam.NewWriter(&z, sr.Header(), 1)
	if err != nil {
		t.Fatal(err)
	}
	for {
		rec, err := sr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if err := bw.Write(rec); err != nil {
			t.Fatal(err)
		}
	}
	if err := bw.Close(); err != nil {
		t.Fatal(err)
	}
	zr, err := gzip.NewReader(&z)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// fuzzToyGFF is the GFF3 of TestGenomeBAMByHand: two chromosomes, a minus
// strand hairpin, one mature at two loci.
const fuzzToyGFF = "##gff-version 3\n" +
	"chr1\t.\tmiRNA_primary_transcript\t101\t180\t.\t+\t.\tID=MI1;Name=x-mir-1\n" +
	"chr1\t.\tmiRNA\t111\t132\t.\t+\t.\tID=MIMAT1;Alias=MIMAT1;Name=x-miR-1-5p;Derives_from=MI1\n" +
	"chr1\t.\tmiRNA_primary_transcript\t1001\t1080\t.\t-\t.\tID=MI2;Name=x-mir-2\n" +
	"chr1\t.\tmiRNA\t1051\t1072\t.\t-\t.\tID=MIMAT2;Alias=MIMAT2;Name=x-miR-2-5p;Derives_from=MI2\n" +
	"chr2\t.\tmiRNA_primary_transcript\t501\t580\t.\t+\t.\tID=MI3;Name=x-mir-1b\n" +
	"chr2\t.\tmiRNA\t511\t532\t.\t+\t.\tID=MIMAT1_1;Alias=MIMAT1;Name=x-miR-1-5p;Derives_from=MI3\n"

// FuzzReadMirbaseGFF3 checks the miRBase GFF3 reader: errors are a
// *seq.ParseError (wrapping ErrGFFFormat or ErrGFFParent, on a line of the
// input) or ErrGFFEmpty; accepted records have valid coordinates and
// strands, IDs and known parents, and NewGenomeReference builds from them
// loci that lie on their hairpins.
func FuzzReadMirbaseGFF3(f *testing.F) {
	f.Add(fuzzToyGFF)
	f.Add("chr1\t.\tmiRNA_primary_transcript\t1\t1\t.\t-\t.\tID=M%20I1;Name=a\n##FASTA\n>x\n")
	f.Add("chr1\t.\tmiRNA\t1\t5\t.\t+\t.\tID=A;Derives_from=B\nchr1\t.\tmiRNA_primary_transcript\t1\t9\t.\t+\t.\tID=B\r\n")
	f.Add("chr1\t.\tgene\t1\t5\t.\t+\t.\tID=A\n")
	f.Add("chr1\t.\tmiRNA_primary_transcript\t5\t1\t.\t+\t.\tID=A\n")
	f.Add("chr1\t.\tmiRNA_primary_transcript\t1\t9\t.\t.\t.\tID=A\n")
	f.Add("chr1\t.\tmiRNA_primary_transcript\t1\t9\t.\t+\t.\tName=A\n")
	f.Fuzz(func(t *testing.T, text string) {
		ann, err := ReadMirbaseGFF3(strings.NewReader(text), "fuzz.gff3")
		if err != nil {
			var pe *seq.ParseError
			switch {
			case errors.As(err, &pe):
				if !errors.Is(err, ErrGFFFormat) && !errors.Is(err, ErrGFFParent) && !errors.Is(err, bufio.ErrTooLong) {
					t.Fatalf("parse error with no sentinel: %v", err)
				}
				if pe.Line < 1 || pe.Line > int64(strings.Count(text, "\n")+1) {
					t.Fatalf("line %d outside the input: %v", pe.Line, err)
				}
			case !errors.Is(err, ErrGFFEmpty):
				t.Fatalf("error %v (%T)", err, err)
			}
			return
		}
		ids := map[string]bool{}
		for _, r := range slices.Concat(ann.Primaries, ann.Matures) {
			if r.Start < 0 || r.End <= r.Start || (r.Strand != '+' && r.Strand != '-') || r.ID == "" || r.Name == "" {
				t.Fatalf("bad record %+v", r)
			}
			if r.Type == "miRNA_primary_transcript" {
				ids[r.ID], ids[r.Alias] = true, true
			}
		}
		for _, m := range ann.Matures {
			if !ids[m.DerivesFrom] {
				t.Fatalf("mature %+v without parent", m)
			}
		}
		g, err := NewGenomeReference(ann, nil)
		if err != nil {
			return
		}
		checkReference(t, g.Ref, false)
	})
}

// checkReference checks a built reference: unique hairpin and feature
// names found by their index functions, every locus on its hairpin and
// listed on both sides. withSeq also checks that each locus's bases are
// the feature's sequence.
func checkReference(t *testing.T, r *Reference, withSeq bool) {
	t.Helper()
	for i, h := range r.Hairpins {
		if r.HairpinIndex(h.Name) != i {
			t.Fatalf("hairpin %q at %d, index says %d", h.Name, i, r.HairpinIndex(h.Name))
		}
		for _, l := range h.Loci {
			if l.Hairpin != i || l.Start < 0 || l.End <= l.Start || l.Feature < 0 || l.Feature >= len(r.Features) {
				t.Fatalf("hairpin %s: locus %+v", h.Name, l)
			}
			if withSeq && (l.End > len(h.Seq) || !bytes.Equal(h.Seq[l.Start:l.End], r.Features[l.Feature].Seq)) {
				t.Fatalf("hairpin %s: locus %+v is not %s", h.Name, l, r.Features[l.Feature].Seq)
			}
			if !slices.Contains(r.Features[l.Feature].Loci, l) {
				t.Fatalf("locus %+v missing from its feature", l)
			}
		}
	}
	for i, f := range r.Features {
		if r.FeatureIndex(f.Name) != i {
			t.Fatalf("feature %q at %d, index says %d", f.Name, i, r.FeatureIndex(f.Name))
		}
		if len(f.Loci) == 0 || len(f.Names) == 0 || len(f.Names) != len(f.IDs) {
			t.Fatalf("feature %+v", f)
		}
		for _, n := range f.Names {
			if r.FeatureIndex(n) != i {
				t.Fatalf("name %q of feature %d indexed as %d", n, i, r.FeatureIndex(n))
			}
		}
		for _, l := range f.Loci {
			if l.Feature != i || l.Hairpin < 0 || l.Hairpin >= len(r.Hairpins) || !slices.Contains(r.Hairpins[l.Hairpin].Loci, l) {
				t.Fatalf("feature %s: locus %+v", f.Name, l)
			}
		}
	}
}

// FuzzNewReference builds references from fuzzed mature and hairpin FASTA
// text, as LoadReference does: FASTA errors are *seq.ParseError, reference
// errors wrap the documented sentinels, and a built reference passes
// checkReference (every mature found where its loci say).
func FuzzNewReference(f *testing.F) {
	f.Add(">hsa-miR-1 MIMAT1\nUGGAAUGUAAAGAAGUAUGUAU\n>hsa-miR-1b MIMAT2\nUGGAAUGUAAAGAAGUAUGUAU\n>mmu-miR-1 MIMAT3\nACGU\n",
		">hsa-mir-1 MI1\nACGUACGUUGGAAUGUAAAGAAGUAUGUAUACGUUGGAAUGUAAAGAAGUAUGUAU\n>hsa-mir-2 MI2\nUGGAAUGUAAAGAAGUAUGUAU\n", "hsa", false)
	f.Add(">a\nACGT\n>a\nACGA\n", ">h\nACGTACGA\n", "", false)
	f.Add(">a\nAC\n>b\nGGGG\n", ">h\nACAC\n>h\nAC\n", "", true)
	f.Add(">a\n\n>b\nNNN\n", ">h\nNNNN\n", "", true)
	f.Add(">a\nA\n", ">h\nAAAAAAAAAAAAAAAAAAAAAAAAAA\n", "x", false)
	f.Fuzz(func(t *testing.T, mature, hairpin, species string, skip bool) {
		if len(mature)+len(hairpin) > 4096 {
			return // keep each iteration cheap
		}
		m, err1 := seq.ReadAllFasta(strings.NewReader(mature), "mature.fa")
		h, err2 := seq.ReadAllFasta(strings.NewReader(hairpin), "hairpin.fa")
		for _, err := range []error{err1, err2} {
			var pe *seq.ParseError
			if err != nil && !errors.As(err, &pe) {
				t.Fatalf("FASTA error %v (%T)", err, err)
			}
		}
		if err1 != nil || err2 != nil {
			return
		}
		r, err := NewReference(m, h, RefOptions{Species: species, SkipUnplaced: skip})
		if err != nil {
			if !errors.Is(err, ErrEmptyReference) && !errors.Is(err, ErrUnknownSpecies) && !errors.Is(err, align.ErrBadBase) && !errors.Is(err, align.ErrEmptyRef) && !errors.Is(err, ErrUnplacedMature) && !errors.Is(err, ErrDuplicateName) && !errors.Is(err, ErrNoName) {
				t.Fatalf("error with no sentinel: %v", err)
			}
			if errors.Is(err, ErrUnplacedMature) && skip {
				t.Fatalf("unplaced matures with SkipUnplaced: %v", err)
			}
			return
		}
		checkReference(t, r, true)
		if _, err := r.NewInsertAligner(); err != nil {
			t.Fatalf("reference built but not indexed: %v", err)
		}
		// Every kept mature name (of the species) is a feature, unless
		// unplaced or empty; no other name is.
		for _, rec := range m {
			if species != "" && !strings.HasPrefix(rec.Name, species+"-") {
				if r.FeatureIndex(rec.Name) >= 0 && !strings.Contains(rec.Name, "/") {
					t.Fatalf("mature %s of another species kept", rec.Name)
				}
				continue
			}
			fi := r.FeatureIndex(rec.Name)
			if fi < 0 {
				if len(rec.Seq) > 0 && !skip {
					t.Fatalf("mature %s lost", rec.Name)
				}
				continue
			}
			if !bytes.Equal(r.Features[fi].Seq, rec.Seq) && !strings.Contains(rec.Name, "/") {
				t.Fatalf("mature %s: feature %s has %s, record %s", rec.Name, r.Features[fi].Name, r.Features[fi].Seq, rec.Seq)
			}
		}
	})
}

// FuzzAddOther adds fuzzed FASTA text as two other-RNA classes to the toy
// reference: errors are typed; on success every non-empty record is kept
// under its class, and an insert equal to a kept sequence that misses the
// hairpins is found in its class or a class added before it.
func FuzzAddOther(f *testing.F) {
	f.Add("tRNA", ">t1 desc\nGCAUUGGUGGUUCAGUGGUAGAAUUCUCGCC\n>t2\n\n", "rRNA", ">r1\nACGACGACGACGACGACGACGACG\n")
	f.Add("", ">t\nACGT\n", "y", ">y\nGCAUUGGUGGUUCAGUGGUAGAAUUCUCGCC\n")
	f.Add("a", ">t\n\n", "a", ">t\nAAAAAAAAAAAAAAAAAAAA\n")
	f.Fuzz(func(t *testing.T, class1, fa1, class2, fa2 string) {
		if len(fa1)+len(fa2) > 4096 {
			return
		}
		ref, _ := bamToyRef(t)
		var kept []OtherSeq
		for _, c := range []struct{ class, fa string }{{class1, fa1}, {class2, fa2}} {
			recs, err := seq.ReadAllFasta(strings.NewReader(c.fa), "other.fa")
			if err != nil {
				var pe *seq.ParseError
				if !errors.As(err, &pe) {
					t.Fatalf("FASTA error %v (%T)", err, err)
				}
				return
			}
			before := len(ref.Others)
			if err := ref.AddOther(c.class, recs); err != nil {
				if !errors.Is(err, ErrBadOption) && !errors.Is(err, ErrEmptyReference) && !errors.Is(err, align.ErrBadBase) {
					t.Fatalf("error with no sentinel: %v", err)
				}
				return
			}
			n := 0
			for _, r := range recs {
				if len(r.Seq) > 0 {
					n++
				}
			}
			ci := slices.Index(ref.Classes, c.class)
			if ci < 0 || len(ref.Others) != before+n {
				t.Fatalf("class %q: %d sequences added of %d, classes %q", c.class, len(ref.Others)-before, n, ref.Classes)
			}
			for _, o := range ref.Others[before:] {
				if o.Class != ci {
					t.Fatalf("sequence %s in class %d, want %d", o.Name, o.Class, ci)
				}
			}
			kept = ref.Others
		}
		a, err := ref.NewInsertAligner()
		if err != nil {
			t.Fatalf("aligner: %v", err)
		}
		for _, o := range kept {
			if len(o.Seq) < 18 || len(o.Seq) > 40 || bytes.IndexFunc(o.Seq, func(r rune) bool { return !strings.ContainsRune("ACGT", r) }) >= 0 {
				continue
			}
			hits, classes := a.Align(o.Seq)
			if len(hits) > 0 {
				continue
			}
			if len(classes) == 0 || classes[0] > o.Class {
				t.Fatalf("%s (class %d) aligned to classes %v", o.Seq, o.Class, classes)
			}
		}
	})
}

// FuzzReadGenomeAlignments reads fuzzed SAM/BAM bytes against the genome
// reference of fuzzToyGFF: typed errors, consistent hits and read totals.
func FuzzReadGenomeAlignments(f *testing.F) {
	g := gffGenome(f, fuzzToyGFF, "toy.gff3", nil)
	a := strings.Repeat("A", 22)
	f.Add("@HD\tVN:1.6\tSO:unsorted\n@SQ\tSN:chr1\tLN:2000\n@SQ\tSN:chr2\tLN:2000\n" +
		"a_x5\t0\tchr1\t111\t255\t22M\t*\t0\t0\t" + a + "\t*\n" +
		"a_x5\t256\tchr2\t511\t255\t22M\t*\t0\t0\t" + a + "\t*\n" +
		"c_x7\t16\tchr1\t1051\t255\t2S21M\t*\t0\t0\tA" + a + "\t*\n" +
		"g_x6\t4\t*\t0\t0\t*\t*\t0\t0\t" + a + "\t*\n" +
		"h_x1\t0\tchr2\t1500\t255\t22M\t*\t0\t0\t" + a + "\t*\n")
	f.Add("r\t0\t1\t101\t255\t3H10M5S\t*\t0\t0\t*\t*\n")
	f.Add("r\t16\tchr1\t170\t255\t20M\t*\t0\t0\t" + a[:20] + "\t*\tMD:Z:20\n")
	f.Add("r\t0\tscaffold\t1\t255\t20M\t*\t0\t0\t" + a[:20] + "\t*\n")
	f.Fuzz(func(t *testing.T, text string) {
		ins, st, err := ReadGenomeAlignments(context.Background(), strings.NewReader(text), "fuzz.sam", g, BAMOptions{Options: Options{Threads: 1}})
		checkAligned(t, g.Ref, ins, st, err)
	})
}

// mergeMatrix parses a merged count matrix into feature → sample → count,
// checking its shape: a header, unique features and samples, one integer
// per sample on every row.
func mergeMatrix(t *testing.T, out string, st MergeStats) ([]string, map[string]map[string]string) {
	t.Helper()
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if len(lines) != st.Features+1 {
		t.Fatalf("%d lines for %d features:\n%s", len(lines), st.Features, out)
	}
	head := strings.Split(lines[0], "\t")
	if len(head) != st.Samples+1 {
		t.Fatalf("header %q for %d samples", lines[0], st.Samples)
	}
	samples := head[1:]
	m := map[string]map[string]string{}
	for _, l := range lines[1:] {
		f := strings.Split(l, "\t")
		if len(f) != len(head) {
			t.Fatalf("row %q: %d fields, header %d", l, len(f), len(head))
		}
		if m[f[0]] != nil {
			t.Fatalf("feature %q twice", f[0])
		}
		m[f[0]] = map[string]string{}
		for j, v := range f[1:] {
			if n, err := strconv.ParseInt(v, 10, 64); err != nil || n < 0 || strconv.FormatInt(n, 10) != v {
				t.Fatalf("count %q", v)
			}
			if _, dup := m[f[0]][samples[j]]; dup {
				t.Fatalf("sample %q twice", samples[j])
			}
			m[f[0]][samples[j]] = v
		}
	}
	return samples, m
}

// FuzzMergeCountFiles merges two fuzzed count files: errors wrap a merge
// sentinel or name the file; a merged matrix has the shape the stats give,
// and each file's columns are what merging that file alone gives.
func FuzzMergeCountFiles(f *testing.F) {
	f.Add("mirna\tcount\nm1\t1\nm2\t0\n", "mirna\tcount\nm1\t7\nm2\t12\n")
	f.Add("# c\r\nm1\t1\r\n\r\nm2\t2\r\n", "m2\t4\nm1\t3\n\n")
	f.Add("mirna\ts1\ts2\nm1\t1\t2\nm2\t3\t4\n", "m1\t5\nm2\t6\n")
	f.Add("hairpin\tpatient7\nh1\t5\n", "hairpin\tpatient7\nh1\t6\n")
	f.Add("m1\t1\nm1\t2\n", "m1\t1\n")
	f.Add("m1\t1\tx\n", "m1\t-1\n")
	f.Add("m1\t9007199254740993\n", "m2\t1\n")
	f.Fuzz(func(t *testing.T, a, b string) {
		dir := t.TempDir()
		pa, pb := filepath.Join(dir, "a.tsv"), filepath.Join(dir, "b.tsv")
		if err := os.WriteFile(pa, []byte(a), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(pb, []byte(b), 0o644); err != nil {
			t.Fatal(err)
		}
		var out bytes.Buffer
		st, err := MergeCountFiles(&out, []string{pa, pb}, MergeOptions{TempDir: dir})
		if err != nil {
			merr := []error{ErrMergeNoInput, ErrMergeFeatures, ErrMergeCount, ErrMergeDuplicateName, ErrMergeDuplicateRow, ErrMergeColumns, ErrMergeEmpty, ErrMergeNeedsSampleRow}
			if !slices.ContainsFunc(merr, func(s error) bool { return errors.Is(err, s) }) && !strings.Contains(err.Error(), "a.tsv") && !strings.Contains(err.Error(), "b.tsv") {
				t.Fatalf("error with no sentinel or file: %v", err)
			}
			return
		}
		samples, both := mergeMatrix(t, out.String(), st)
		seen := 0
		for _, p := range []string{pa, pb} {
			var one bytes.Buffer
			st1, err := MergeCountFiles(&one, []string{p}, MergeOptions{TempDir: dir})
			if err != nil {
				t.Fatalf("%s merges with another file but not alone: %v", filepath.Base(p), err)
			}
			s1, m1 := mergeMatrix(t, one.String(), st1)
			if st1.Features != st.Features {
				t.Fatalf("%s alone: %d features, merged %d", filepath.Base(p), st1.Features, st.Features)
			}
			for feat, row := range m1 {
				for _, s := range s1 {
					if both[feat] == nil || both[feat][s] != row[s] {
						t.Fatalf("%s: %s/%s = %s alone, %s merged", filepath.Base(p), feat, s, row[s], both[feat][s])
					}
				}
			}
			seen += len(s1)
		}
		if seen != len(samples) {
			t.Fatalf("%d samples merged, %d alone", len(samples), seen)
		}
	})
}

// fuzzGFFSeeds returns the toy reference and the mirGFF3 of two samples
// quantified on it, written separately.
func fuzzGFFSeeds(t testing.TB) (*Reference, []string) {
	ref, s := bamToyRef(t)
	var out []string
	for i, ins := range [][]seq.Insert{
		{{Seq: s + "AA", Reads: 10, Molecules: 10}, {Seq: s + "CC", Reads: 3, Molecules: 3}, {Seq: s + "AAT", Reads: 2, Molecules: 2}},
		{{Seq: s + "AA", Reads: 4, Molecules: 4}, {Seq: s[1:] + "CC", Reads: 1, Molecules: 1}},
	} {
		smp, err := Quantify(context.Background(), ref, "s"+strconv.Itoa(i+1), ins, nil, Options{})
		if err != nil {
			t.Fatal(err)
		}
		var b bytes.Buffer
		if err := WriteIsomirGFF(&b, []*Sample{smp}, GFFOptions{}); err != nil {
			t.Fatal(err)
		}
		out = append(out, b.String())
	}
	return ref, out
}

// FuzzMergeIsomirGFF merges two fuzzed mirGFF3 inputs: errors wrap
// ErrBadGFF or ErrBadOption; a merged file lists both inputs' samples,
// has one expression value per sample on every line, and merging it again
// (as a single input) gives the same bytes.
func FuzzMergeIsomirGFF(f *testing.F) {
	ref, seeds := fuzzGFFSeeds(f)
	f.Add(seeds[0], seeds[1])
	f.Add(seeds[0], seeds[0])
	lines := strings.SplitAfter(seeds[0], "\n")
	f.Add(strings.Join(lines[:5], "")+strings.Join(lines[6:], "")+lines[5], seeds[1])
	f.Add("## COLDATA: a, b\n", "## COLDATA:\n")
	f.Fuzz(func(t *testing.T, a, b string) {
		var out bytes.Buffer
		err := MergeIsomirGFF(context.Background(), &out, ref, []io.Reader{strings.NewReader(a), strings.NewReader(b)}, []string{"a.gff", "b.gff"}, GFFOptions{})
		if err != nil {
			if !errors.Is(err, ErrBadGFF) && !errors.Is(err, ErrBadOption) && !errors.Is(err, bufio.ErrTooLong) {
				t.Fatalf("error with no sentinel: %v", err)
			}
			return
		}
		var coldata []string
		for _, l := range strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n") {
			if c, ok := strings.CutPrefix(l, "## COLDATA: "); ok {
				coldata = strings.Split(c, ",")
				continue
			}
			if strings.HasPrefix(l, "#") {
				continue
			}
			_, attrs, _ := strings.Cut(l[strings.LastIndexByte(l, '\t')+1:], "Expression=")
			expr, _, _ := strings.Cut(attrs, "; ")
			if n := strings.Count(expr, ",") + 1; n != len(coldata) {
				t.Fatalf("line %q: %d values for %d samples", l, n, len(coldata))
			}
		}
		var again bytes.Buffer
		if err := MergeIsomirGFF(context.Background(), &again, ref, []io.Reader{bytes.NewReader(out.Bytes())}, []string{"merged.gff"}, GFFOptions{}); err != nil {
			t.Fatalf("merged output does not merge again: %v\n%s", err, out.String())
		}
		if again.String() != out.String() {
			t.Fatalf("merging the merge changed it:\n%s\nto\n%s", out.String(), again.String())
		}
	})
}
