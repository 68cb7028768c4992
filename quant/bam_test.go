package quant

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/biogo/hts/bam"
	"github.com/biogo/hts/sam"

	"github.com/exomir/exomir/internal/gztest"
	"github.com/exomir/exomir/internal/testenv"
	"github.com/exomir/exomir/seq"
)

// bamRequireTool returns the path of an external tool; when it is missing
// the test is skipped, except under CI=true where it fails.
func bamRequireTool(t *testing.T, name string) string {
	t.Helper()
	return testenv.Tool(t, name)
}

// alignedSimInserts makes n inserts with bamSimInserts and aligns them
// with AlignInserts on threads workers.
func alignedSimInserts(t testing.TB, ref *Reference, rng *rand.Rand, n, threads int) ([]seq.Insert, []AlignedInsert) {
	t.Helper()
	inserts := bamSimInserts(ref, rng, n)
	aligned, err := AlignInserts(context.Background(), ref, inserts, threads)
	if err != nil {
		t.Fatal(err)
	}
	return inserts, aligned
}

// bamBytes is the BAM WriteBAM writes of ins with o.
func bamBytes(tb testing.TB, ref *Reference, ins []AlignedInsert, o BAMWriteOptions) []byte {
	tb.Helper()
	var buf bytes.Buffer
	if err := WriteBAM(&buf, ref, ins, o); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

// bamSimInserts makes distinct inserts from the matures and hairpins of ref:
// isomiRs with 5'/3' shifts, A/T additions and substitutions, fragments
// of hairpin loops, and random sequences, each with a random read count.
func bamSimInserts(ref *Reference, rng *rand.Rand, n int) []seq.Insert {
	seen := map[string]bool{}
	var out []seq.Insert
	add := func(s []byte) {
		if len(s) < 15 || seen[string(s)] {
			return
		}
		seen[string(s)] = true
		r := int64(1 + rng.IntN(500))
		out = append(out, seq.Insert{Seq: string(s), Reads: r, Molecules: r})
	}
	for len(out) < n {
		switch k := rng.IntN(10); {
		case k < 7: // isomiR of a mature
			f := ref.Features[rng.IntN(len(ref.Features))]
			l := f.Loci[rng.IntN(len(f.Loci))]
			hp := ref.Hairpins[l.Hairpin].Seq
			s5, s3 := rng.IntN(5)-2, rng.IntN(7)-3
			a, b := l.Start+s5, l.End+s3
			if a < 0 || b > len(hp) || b-a < 16 {
				continue
			}
			s := append([]byte(nil), hp[a:b]...)
			// 0, 1 or 2 substitutions (2: placed by the aligner's
			// 2-mismatch pass only).
			for n := []int{0, 0, 0, 1, 1, 2}[rng.IntN(6)]; n > 0; n-- {
				i := rng.IntN(len(s))
				s[i] = "ACGT"[(strings.IndexByte("ACGT", s[i])+1+rng.IntN(3))%4]
			}
			for t := rng.IntN(4); t > 0 && rng.IntN(2) == 0; t-- {
				s = append(s, "AT"[rng.IntN(2)])
			}
			add(s)
		case k < 9: // piece of a hairpin
			h := ref.Hairpins[rng.IntN(len(ref.Hairpins))].Seq
			l := 18 + rng.IntN(8)
			if len(h) <= l {
				continue
			}
			a := rng.IntN(len(h) - l)
			add(h[a : a+l])
		default: // unrelated
			s := make([]byte, 18+rng.IntN(8))
			for i := range s {
				s[i] = "ACGT"[rng.IntN(4)]
			}
			add(s)
		}
	}
	return out
}

var (
	bamHsaRef *Reference
	bamHsaErr error
)

func bamHsa(t testing.TB) *Reference {
	t.Helper()
	if bamHsaRef == nil && bamHsaErr == nil {
		bamHsaRef, bamHsaErr = Embedded("hsa")
	}
	if bamHsaErr != nil {
		t.Fatal(bamHsaErr)
	}
	return bamHsaRef
}

func bamReadsStats(s *Sample) []string {
	var out []string
	for _, st := range s.Stats {
		if strings.HasPrefix(st.Name, "reads_") || st.Name == "input_reads" || st.Name == "mirna_multi_reads" {
			out = append(out, st.Name+"="+st.Value)
		}
	}
	return out
}

// TestHairpinBAMMatchesFastqPath counts the same inserts through Quantify
// (the FASTQ path) and through WriteBAM + QuantifyHairpinBAM, for every
// multi-mapping rule and for BAM, SAM, gzip SAM and headerless SAM.
func TestHairpinBAMMatchesFastqPath(t *testing.T) {
	ref := bamHsa(t)
	rng := rand.New(rand.NewPCG(21, 5))
	inserts, aligned := alignedSimInserts(t, ref, rng, 1500, 0)
	bamData := bamBytes(t, ref, aligned, BAMWriteOptions{Version: "test", CommandLine: "exomir quant -bam-out"})
	samText := bamToSAM(t, bamData, true)
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(samText)
	zw.Close()
	inputs := []struct {
		name string
		data []byte
	}{
		{"x.bam", bamData},
		{"x.sam", samText},
		{"x.sam.gz", gz.Bytes()},
		// As an aligner writes it: no header, records of a read together.
		{"noheader.sam", groupSAMByName(bamToSAM(t, bamData, false))},
	}
	for _, multi := range []Multi{MultiEM, MultiUnique, MultiSplit} {
		want, err := Quantify(context.Background(), ref, "s", inserts, nil, Options{Multi: multi})
		if err != nil {
			t.Fatal(err)
		}
		var nonzero int
		for _, c := range want.Mature {
			if c > 0 {
				nonzero++
			}
		}
		if nonzero < 100 {
			t.Fatalf("only %d features counted: simulation too weak for the test", nonzero)
		}
		for _, in := range inputs {
			got, err := QuantifyHairpinBAM(context.Background(), bytes.NewReader(in.data), in.name, "s", ref, BAMOptions{Options: Options{Multi: multi}})
			if err != nil {
				t.Fatalf("%s %v: %v", in.name, multi, err)
			}
			if !slices.Equal(got.Mature, want.Mature) {
				for i := range got.Mature {
					if got.Mature[i] != want.Mature[i] {
						t.Errorf("%s %v: %s: BAM %d, FASTQ path %d", in.name, multi, ref.Features[i].Name, got.Mature[i], want.Mature[i])
					}
				}
			}
			if !slices.Equal(got.Hairpin, want.Hairpin) {
				t.Errorf("%s %v: hairpin counts differ", in.name, multi)
			}
			if g, w := bamReadsStats(got), bamReadsStats(want); !slices.Equal(g, w) {
				t.Errorf("%s %v: accounting %v, FASTQ path %v", in.name, multi, g, w)
			}
			if len(got.Isomirs) != len(want.Isomirs) {
				t.Errorf("%s %v: %d isomiR lines, FASTQ path %d", in.name, multi, len(got.Isomirs), len(want.Isomirs))
			}
		}
	}
}

// groupSAMByName reorders SAM records by read name (collapsed-read order).
func groupSAMByName(b []byte) []byte {
	lines := strings.SplitAfter(string(b), "\n")
	names := make([]string, 0, len(lines))
	byName := map[string][]string{}
	for _, l := range lines {
		if l == "" {
			continue
		}
		n := l[:strings.IndexByte(l, '\t')]
		if _, ok := byName[n]; !ok {
			names = append(names, n)
		}
		byName[n] = append(byName[n], l)
	}
	sortReadNames(names)
	var out strings.Builder
	for _, n := range names {
		for _, l := range byName[n] {
			out.WriteString(l)
		}
	}
	return []byte(out.String())
}

// bamToSAM converts BAM bytes to SAM text with hts, with or without the
// header.
func bamToSAM(t testing.TB, b []byte, header bool) []byte {
	t.Helper()
	br, err := bam.NewReader(bytes.NewReader(b), 1)
	if err != nil {
		t.Fatal(err)
	}
	defer br.Close()
	var out bytes.Buffer
	h := br.Header()
	if !header {
		h, _ = sam.NewHeader(nil, nil)
	}
	sw, err := sam.NewWriter(&out, h, sam.FlagDecimal)
	if err != nil {
		t.Fatal(err)
	}
	for {
		r, err := br.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if err := sw.Write(r); err != nil {
			t.Fatal(err)
		}
	}
	return out.Bytes()
}

// TestWriteBAMRoundTrip writes inserts, reads the BAM back with hts and
// checks every record against the inserts; samtools checks validity.
func TestWriteBAMRoundTrip(t *testing.T) {
	ref := bamHsa(t)
	rng := rand.New(rand.NewPCG(8, 8))
	_, aligned := alignedSimInserts(t, ref, rng, 300, 2)
	buf := bamBytes(t, ref, aligned, BAMWriteOptions{Version: "0.1", CommandLine: "exomir quant -bam-out"})
	// Same bytes with several compressors.
	if !bytes.Equal(buf, bamBytes(t, ref, aligned, BAMWriteOptions{Version: "0.1", CommandLine: "exomir quant -bam-out", Threads: 4})) {
		t.Error("BAM differs with 4 compression threads")
	}
	br, err := bam.NewReader(bytes.NewReader(buf), 1)
	if err != nil {
		t.Fatal(err)
	}
	h := br.Header()
	if h.SortOrder != sam.Coordinate || len(h.Refs()) != len(ref.Hairpins) || len(h.Progs()) != 1 {
		t.Fatalf("header: SO %v, %d refs, %d programs", h.SortOrder, len(h.Refs()), len(h.Progs()))
	}
	for i, r := range h.Refs() {
		if r.Name() != ref.Hairpins[i].Name || r.Len() != len(ref.Hairpins[i].Seq) {
			t.Fatalf("@SQ %d: %s LN %d", i, r.Name(), r.Len())
		}
	}
	type key struct {
		name string
		hp   int
		pos  int
	}
	want := map[key]Hit{}
	unmapped := map[string]bool{}
	for i, a := range aligned {
		name := fmt.Sprintf("seq_%d_x%d", i+1, a.Reads)
		if len(a.Hits) == 0 {
			unmapped[name] = true
		}
		for _, hit := range a.Hits {
			want[key{name, int(hit.Hairpin), int(hit.Pos)}] = hit
		}
	}
	prevRef, prevPos := -1, -1
	seenUnmapped := false
	n := 0
	for {
		r, err := br.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		n++
		if r.Flags&sam.Unmapped != 0 {
			if !unmapped[r.Name] {
				t.Errorf("unexpected unmapped record %s", r.Name)
			}
			delete(unmapped, r.Name)
			seenUnmapped = true
			continue
		}
		if seenUnmapped {
			t.Fatal("mapped record after unmapped ones")
		}
		id := r.Ref.ID()
		if id < prevRef || (id == prevRef && r.Pos < prevPos) {
			t.Fatalf("record %d (%s) out of coordinate order", n, r.Name)
		}
		prevRef, prevPos = id, r.Pos
		k := key{r.Name, id, r.Pos}
		hit, ok := want[k]
		if !ok {
			t.Fatalf("unexpected record %s on %s:%d", r.Name, r.Ref.Name(), r.Pos)
		}
		delete(want, k)
		wantCigar := fmt.Sprintf("%dM", hit.Len)
		if hit.Tail > 0 {
			wantCigar += fmt.Sprintf("%dS", hit.Tail)
		}
		if r.Cigar.String() != wantCigar {
			t.Errorf("%s: CIGAR %s, want %s", r.Name, r.Cigar, wantCigar)
		}
		s := string(r.Seq.Expand())
		hp := ref.Hairpins[id].Seq
		nm := 0
		for i := 0; i < int(hit.Len); i++ {
			if s[i] != hp[r.Pos+i] {
				nm++
			}
		}
		if v, ok := r.Tag([]byte("NM")); !ok || fmt.Sprint(v.Value()) != fmt.Sprint(nm) {
			t.Errorf("%s: NM %v, want %d", r.Name, v, nm)
		}
	}
	if len(want) > 0 || len(unmapped) > 0 {
		t.Errorf("%d hits and %d unmapped inserts missing from the BAM", len(want), len(unmapped))
	}

	samtools := bamRequireTool(t, "samtools")
	dir := t.TempDir()
	p := filepath.Join(dir, "s.bam")
	if err := os.WriteFile(p, buf, 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(samtools, "quickcheck", "-v", p).CombinedOutput(); err != nil {
		t.Fatalf("samtools quickcheck: %v: %s", err, out)
	}
	out, err := exec.Command(samtools, "view", "-c", p).Output()
	if err != nil {
		t.Fatalf("samtools view: %v", err)
	}
	if strings.TrimSpace(string(out)) != fmt.Sprint(n) {
		t.Errorf("samtools view -c = %s, want %d", out, n)
	}
	// samtools agrees on the MD/NM tags (calmd prints a warning per
	// record whose tags it would change).
	hpFa := filepath.Join(dir, "hp.fa")
	var fa bytes.Buffer
	for _, h := range ref.Hairpins {
		fmt.Fprintf(&fa, ">%s\n%s\n", h.Name, h.Seq)
	}
	os.WriteFile(hpFa, fa.Bytes(), 0o644)
	cmd := exec.Command(samtools, "calmd", p, hpFa)
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = io.Discard, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("samtools calmd: %v: %s", err, stderr.String())
	}
	if strings.Contains(stderr.String(), "different") {
		t.Errorf("samtools calmd disagrees with our MD/NM: %s", bamFirstLines(stderr.String(), 3))
	}
	// samtools sort keeps our order: the file is sorted already.
	sorted, err := exec.Command(samtools, "view", p).Output()
	if err != nil {
		t.Fatal(err)
	}
	resorted, err := exec.Command("sh", "-c", samtools+" sort -O sam "+p+" | "+samtools+" view -").Output()
	if err != nil {
		t.Fatal(err)
	}
	if !bamSameCoordinates(sorted, resorted) {
		t.Error("samtools sort changes the coordinate order of our records")
	}

	// mirtop (the real client of collapsed-read BAMs) reads the file: its
	// isomiR lines carry our sequences with the read counts of the names.
	mirtop := bamRequireTool(t, "mirtop")
	gff3 := filepath.Join(dir, "hsa.gff3")
	src, err := os.ReadFile(gffV21)
	if err != nil {
		t.Fatal(err)
	}
	zr, err := gzip.NewReader(bytes.NewReader(src))
	if err != nil {
		t.Fatal(err)
	}
	plain, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(gff3, plain, 0o644)
	mtOut := filepath.Join(dir, "mirtop")
	if out, err := exec.Command(mirtop, "gff", "--sps", "hsa", "--hairpin", hpFa, "--gtf", gff3, "-o", mtOut, p).CombinedOutput(); err != nil {
		t.Fatalf("mirtop gff: %v: %s", err, bamFirstLines(string(out), 5))
	}
	mt, err := os.ReadFile(filepath.Join(mtOut, "mirtop.gff"))
	if err != nil {
		t.Fatal(err)
	}
	reads := map[string]int64{}
	for _, a := range aligned {
		reads[string(a.Seq)] = a.Reads
	}
	lines := 0
	for _, l := range strings.Split(string(mt), "\n") {
		if l == "" || l[0] == '#' {
			continue
		}
		var seq, expr string
		for _, kv := range strings.Split(strings.Split(l, "\t")[8], "; ") {
			k, v, _ := strings.Cut(kv, " ")
			switch k {
			case "Read":
				seq = v
			case "Expression":
				expr = v
			}
		}
		lines++
		if want, ok := reads[seq]; !ok || expr != fmt.Sprint(want) {
			t.Errorf("mirtop line for %s: Expression %s, want %d", seq, expr, want)
		}
	}
	t.Logf("mirtop read %d isomiR lines from our BAM", lines)
	if lines < 100 {
		t.Errorf("mirtop found %d isomiR lines in our BAM", lines)
	}
}

func bamFirstLines(s string, n int) string {
	l := strings.SplitN(s, "\n", n+1)
	if len(l) > n {
		l = l[:n]
	}
	return strings.Join(l, "\n")
}

// bamSameCoordinates compares the (RNAME, POS) columns of two SAM bodies.
func bamSameCoordinates(a, b []byte) bool {
	cols := func(x []byte) []string {
		var out []string
		for _, l := range strings.Split(strings.TrimSpace(string(x)), "\n") {
			f := strings.Split(l, "\t")
			if len(f) > 3 {
				out = append(out, f[2]+":"+f[3])
			}
		}
		return out
	}
	return slices.Equal(cols(a), cols(b))
}

// bamToyRef builds a two-hairpin reference where the 21-nt stem S sits on
// both hairpins, followed by AA on h1 (mature mA = S+AA) and CC on h2
// (mature mB = S+CC): a read equal to S is ambiguous between mA and mB.
func bamToyRef(t testing.TB) (*Reference, string) {
	t.Helper()
	rng := rand.New(rand.NewPCG(77, 1))
	rnd := func(n int) string {
		b := make([]byte, n)
		for i := range b {
			b[i] = "ACGT"[rng.IntN(4)]
		}
		return string(b)
	}
	s := "TGAGGTAGTAGGTTGTATAGT"
	h1 := rnd(10) + s + "AA" + rnd(40)
	h2 := rnd(10) + s + "CC" + rnd(40)
	ref, err := NewReference(
		[]seq.FastaRecord{{Name: "toy-miR-A", Desc: "MIMAT1", Seq: []byte(s + "AA")}, {Name: "toy-miR-B", Desc: "MIMAT2", Seq: []byte(s + "CC")}},
		[]seq.FastaRecord{{Name: "toy-mir-1", Desc: "MI1", Seq: []byte(h1)}, {Name: "toy-mir-2", Desc: "MI2", Seq: []byte(h2)}},
		RefOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return ref, s
}

const bamToyHeader = "@HD\tVN:1.6\tSO:unsorted\n@SQ\tSN:toy-mir-1\tLN:73\n@SQ\tSN:toy-mir-2\tLN:73\n"

// TestHairpinBAMMultiMappers resolves reads on two matures with each rule
// (values worked out by hand from the rules in the package doc).
func TestHairpinBAMMultiMappers(t *testing.T) {
	ref, s := bamToyRef(t)
	a, b := s+"AA", s+"CC"
	sam := bamToyHeader +
		"ua_x10\t0\ttoy-mir-1\t11\t255\t23M\t*\t0\t0\t" + a + "\t*\n" +
		"ub_x30\t0\ttoy-mir-2\t11\t255\t23M\t*\t0\t0\t" + b + "\t*\n" +
		"m_x8\t0\ttoy-mir-1\t11\t0\t21M\t*\t0\t0\t" + s + "\t*\tNH:i:2\n" +
		"m_x8\t256\ttoy-mir-2\t11\t0\t21M\t*\t0\t0\t*\t*\tNH:i:2\n" +
		"un_x5\t4\t*\t0\t0\t*\t*\t0\t0\tACGTACGTACGTACGTAC\t*\n"
	for _, tc := range []struct {
		multi Multi
		want  []int64 // mA, mB
	}{
		{MultiEM, []int64{12, 36}},    // 10 + 8·10/40, 30 + 8·30/40
		{MultiSplit, []int64{14, 34}}, // 10 + 4, 30 + 4
		{MultiUnique, []int64{10, 30}},
	} {
		got, err := QuantifyHairpinBAM(context.Background(), strings.NewReader(sam), "toy.sam", "toy", ref, BAMOptions{Options: Options{Multi: tc.multi}})
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got.Mature, tc.want) {
			t.Errorf("%v: counts %v, want %v", tc.multi, got.Mature, tc.want)
		}
		if v, _ := got.Stat("reads_unmapped"); v != "5" {
			t.Errorf("%v: reads_unmapped %s, want 5", tc.multi, v)
		}
		if v, _ := got.Stat("input_reads"); v != "53" {
			t.Errorf("%v: input_reads %s, want 53", tc.multi, v)
		}
	}
}

// TestReadHairpinAlignmentsConversion checks record → hit rules by hand.
func TestReadHairpinAlignmentsConversion(t *testing.T) {
	ref, s := bamToyRef(t)
	h1 := string(ref.Hairpins[0].Seq)
	mut := []byte(s + "AA")
	mut[3] = 'C' // position 4 of the mature: seed SNV (was G)
	for _, tc := range []struct {
		name   string
		body   string
		hits   []Hit
		seq    string
		reads  int64
		others string
	}{
		{"exact", "r_x3\t0\ttoy-mir-1\t11\t255\t23M\t*\t0\t0\t" + s + "AA\t*\n",
			[]Hit{{0, 10, 23, 0}}, s + "AA", 3, ""},
		{"3' soft clip is a tail", "r\t0\ttoy-mir-1\t11\t255\t23M2S\t*\t0\t0\t" + s + "AATT\t*\n",
			[]Hit{{0, 10, 23, 2}}, s + "AATT", 1, ""},
		{"3' mismatching A becomes a tail", "r\t0\ttoy-mir-1\t11\t255\t24M\t*\t0\t0\t" + s + "AA" + "A\t*\n",
			[]Hit{{0, 10, func() int32 {
				if h1[33] == 'A' {
					return 24
				}
				return 23
			}(), func() int8 {
				if h1[33] == 'A' {
					return 0
				}
				return 1
			}()}}, s + "AAA", 1, ""},
		{"5' soft clip is templated", "r\t0\ttoy-mir-1\t13\t255\t2S21M\t*\t0\t0\t" + s + "AA\t*\n",
			[]Hit{{0, 10, 23, 0}}, s + "AA", 1, ""},
		{"SNV kept as mismatch", "r\t0\ttoy-mir-1\t11\t255\t23M\t*\t0\t0\t" + string(mut) + "\t*\n",
			[]Hit{{0, 10, 23, 0}}, string(mut), 1, ""},
		{"no SEQ: rebuilt from hairpin and MD", "r\t0\ttoy-mir-1\t11\t255\t23M\t*\t0\t0\t*\t*\tMD:Z:3G19\n",
			[]Hit{{0, 10, 23, 0}}, s[:3] + "N" + s[4:] + "AA", 1, ""},
		{"reverse strand ignored", "r_x2\t16\ttoy-mir-1\t11\t255\t23M\t*\t0\t0\t" + s + "AA\t*\n",
			nil, "", 2, ""},
		{"gapped ignored", "r\t0\ttoy-mir-1\t11\t255\t10M1D13M\t*\t0\t0\t" + s + "AA\t*\n",
			nil, "", 1, ""},
		{"worse stratum dropped", "r\t0\ttoy-mir-1\t11\t255\t23M\t*\t0\t0\t" + s + "AA\t*\n" +
			"r\t256\ttoy-mir-2\t11\t255\t23M\t*\t0\t0\t*\t*\n",
			[]Hit{{0, 10, 23, 0}}, s + "AA", 1, ""},
	} {
		// Both grouping paths: streaming (unsorted) and in memory (coordinate).
		for _, g := range []struct{ label, hdr string }{
			{"unsorted", bamToyHeader},
			{"coordinate", strings.Replace(bamToyHeader, "SO:unsorted", "SO:coordinate", 1)},
		} {
			hdr := g.hdr
			t.Run(tc.name+"/"+g.label, func(t *testing.T) {
				ins, st, err := ReadHairpinAlignments(context.Background(), strings.NewReader(hdr+tc.body), "t.sam", ref, BAMOptions{})
				if err != nil {
					t.Fatal(err)
				}
				if len(ins) != 1 {
					t.Fatalf("%d inserts, want 1", len(ins))
				}
				if !slices.Equal(ins[0].Hits, tc.hits) {
					t.Errorf("hits %+v, want %+v", ins[0].Hits, tc.hits)
				}
				if tc.hits != nil && string(ins[0].Seq) != tc.seq {
					t.Errorf("seq %s, want %s", ins[0].Seq, tc.seq)
				}
				if ins[0].Reads != tc.reads || st.Reads != tc.reads {
					t.Errorf("reads %d (stats %d), want %d", ins[0].Reads, st.Reads, tc.reads)
				}
				if tc.hits == nil && st.Unmapped != tc.reads {
					t.Errorf("unmapped %d, want %d", st.Unmapped, tc.reads)
				}
			})
		}
	}
}

func TestReadWeight(t *testing.T) {
	for _, tc := range []struct {
		name string
		want int64
	}{{"seq_1_x350", 350}, {"read7", 1}, {"a_x", 1}, {"a_xy", 1}, {"a_x12y", 1}, {"x_x2_x9", 9},
		{"a_x9007199254740992", 1 << 53}} {
		got, err := parseReadWeight(tc.name)
		if err != nil || got != tc.want {
			t.Errorf("parseReadWeight(%q) = %d, %v, want %d", tc.name, got, err, tc.want)
		}
	}
	// Counts that no sequencing run gives: zero, above 2^53, above int64
	// (which once wrapped to negative totals or silently counted as 1).
	for _, name := range []string{"a_x0", "a_x9007199254740993", "a_x9000000000000000000", "a_x99999999999999999999999"} {
		if got, err := parseReadWeight(name); !errors.Is(err, ErrReadCount) {
			t.Errorf("parseReadWeight(%q) = %d, %v, want ErrReadCount", name, got, err)
		}
	}
}

func TestHairpinBAMErrors(t *testing.T) {
	ref, s := bamToyRef(t)
	good := bamToyHeader + "r\t0\ttoy-mir-1\t11\t255\t23M\t*\t0\t0\t" + s + "AA\t*\n"
	var bamBuf bytes.Buffer
	{
		ins, _, err := ReadHairpinAlignments(context.Background(), strings.NewReader(good), "g.sam", ref, BAMOptions{})
		if err != nil {
			t.Fatal(err)
		}
		many := make([]AlignedInsert, 0, 3000)
		for i := 0; i < 3000; i++ {
			many = append(many, ins[0])
		}
		if err := WriteBAM(&bamBuf, ref, many, BAMWriteOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	full := bamBuf.Bytes()
	for _, tc := range []struct {
		name    string
		data    []byte
		want    error
		mention []string
	}{
		{"unknown references",
			[]byte("@SQ\tSN:chr1\tLN:1000\n@SQ\tSN:foo\tLN:50\n@SQ\tSN:toy-mir-1\tLN:73\n" +
				"a\t0\tchr1\t5\t255\t20M\t*\t0\t0\tACGTACGTACGTACGTACGT\t*\n" +
				"b\t0\tfoo\t5\t255\t20M\t*\t0\t0\tACGTACGTACGTACGTACGT\t*\n" +
				"c\t0\tchr1\t9\t255\t20M\t*\t0\t0\tACGTACGTACGTACGTACGT\t*\n"),
			ErrUnknownReference, []string{"chr1", "foo", "3 records on 2 references", "genome", "bad.sam"}},
		{"length mismatch", []byte("@SQ\tSN:toy-mir-1\tLN:80\n"), ErrReferenceLength, []string{"toy-mir-1", "LN:80"}},
		{"not alignments", []byte("\x00\x01binary"), ErrAlignmentFormat, []string{"bad.sam"}},
		{"empty", nil, ErrAlignmentFormat, []string{"empty"}},
		{"short SAM line", []byte("r\t0\ttoy-mir-1\t11\n"), ErrAlignmentRecord, []string{"record 1"}},
		{"bad CIGAR", []byte(good + "r2\t0\ttoy-mir-1\t11\t255\t2Q\t*\t0\t0\tAC\t*\n"), ErrAlignmentRecord, []string{"record 2"}},
		{"truncated BAM", full[:len(full)*2/3], ErrAlignmentRecord, []string{"bad.sam", "record"}},
		{"corrupt BAM", func() []byte {
			b := append([]byte(nil), full...)
			for i := 200; i < len(b)-100; i += 97 {
				b[i] ^= 0x5a
			}
			return b
		}(), ErrAlignmentRecord, []string{"bad.sam"}},
		{"not grouped", []byte(bamToyHeader + "r\t0\ttoy-mir-1\t11\t255\t23M\t*\t0\t0\t" + s + "AA\t*\n" +
			"q\t0\ttoy-mir-1\t11\t255\t23M\t*\t0\t0\t" + s + "AA\t*\n" +
			"r\t256\ttoy-mir-2\t11\t255\t23M\t*\t0\t0\t*\t*\n"), ErrNotGrouped, []string{"record 3", "record 1"}},
		{"! in SEQ", []byte(bamToyHeader + "r\t0\ttoy-mir-1\t11\t255\t23M\t*\t0\t0\t" + s[:5] + "!" + s[6:] + "AA\t*\n"),
			ErrAlignmentRecord, []string{"record 1", "SEQ has '!' at position 6"}},
		{"QUAL length", []byte(bamToyHeader + "r\t0\ttoy-mir-1\t11\t255\t23M\t*\t0\t0\t" + s + "AA\tIIII\n"),
			ErrAlignmentRecord, []string{"record 1", "QUAL has 4 characters, SEQ 23"}},
		{"QUAL byte", []byte(bamToyHeader + "r\t0\ttoy-mir-1\t11\t255\t23M\t*\t0\t0\t" + s + "AA\t" + strings.Repeat("I", 22) + " \n"),
			ErrAlignmentRecord, []string{"record 1", "QUAL has ' ' at position 23"}},
		{"past the reference end", []byte(bamToyHeader + "r\t0\ttoy-mir-1\t80\t255\t23M\t*\t0\t0\t" + s + "AA\t*\n"),
			ErrAlignmentRecord, []string{"record 1", "position 80 past the end of toy-mir-1 (73 nt)"}},
		{"mapped without position", []byte(bamToyHeader + "r\t0\ttoy-mir-1\t0\t255\t23M\t*\t0\t0\t" + s + "AA\t*\n"),
			ErrAlignmentRecord, []string{"record 1", "without a position"}},
		{"count above int64", []byte(bamToyHeader + "r_x99999999999999999999\t0\ttoy-mir-1\t11\t255\t23M\t*\t0\t0\t" + s + "AA\t*\n"),
			ErrReadCount, []string{"bad.sam", "record 1", "r_x99999999999999999999"}},
		{"counts overflow", []byte(bamToyHeader + "r_x9000000000000000\t0\ttoy-mir-1\t11\t255\t23M\t*\t0\t0\t" + s + "AA\t*\n" +
			"q_x9000000000000000\t0\ttoy-mir-1\t11\t255\t23M\t*\t0\t0\t" + s + "AA\t*\n"), ErrReadCount, []string{"record 2", "2^53"}},
		{"counts overflow, coordinate-sorted", []byte("@HD\tVN:1.6\tSO:coordinate\n@SQ\tSN:toy-mir-1\tLN:73\n@SQ\tSN:toy-mir-2\tLN:73\n" +
			"r_x9000000000000000\t0\ttoy-mir-1\t11\t255\t23M\t*\t0\t0\t" + s + "AA\t*\n" +
			"q_x9000000000000000\t0\ttoy-mir-1\t11\t255\t23M\t*\t0\t0\t" + s + "AA\t*\n"), ErrReadCount, []string{"record 2", "2^53"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := ReadHairpinAlignments(context.Background(), bytes.NewReader(tc.data), "bad.sam", ref, BAMOptions{})
			if !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
			for _, m := range tc.mention {
				if !strings.Contains(err.Error(), m) {
					t.Errorf("error %q does not mention %q", err, m)
				}
			}
		})
	}
}

// benchAligned aligns 5,000 simulated inserts on the human hairpins, the
// input of the BAM benchmarks.
func benchAligned(b *testing.B) (*Reference, []AlignedInsert) {
	ref := bamHsa(b)
	rng := rand.New(rand.NewPCG(1, 1))
	_, aligned := alignedSimInserts(b, ref, rng, 5000, 0)
	return ref, aligned
}

// benchBAM is benchAligned written as BAM.
func benchBAM(b *testing.B) (*Reference, *bytes.Buffer) {
	ref, aligned := benchAligned(b)
	var buf bytes.Buffer
	if err := WriteBAM(&buf, ref, aligned, BAMWriteOptions{}); err != nil {
		b.Fatal(err)
	}
	return ref, &buf
}

func BenchmarkReadHairpinBAM(b *testing.B) {
	ref, buf := benchBAM(b)
	b.SetBytes(int64(buf.Len()))
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := ReadHairpinAlignments(context.Background(), bytes.NewReader(buf.Bytes()), "b.bam", ref, BAMOptions{Options: Options{Threads: 1}}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkWriteBAM(b *testing.B) {
	ref, aligned := benchAligned(b)
	var n int64
	for _, a := range aligned {
		n += int64(len(a.Seq))
	}
	for _, level := range []int{1, 6} {
		b.Run(fmt.Sprintf("level%d", level), func(b *testing.B) {
			b.SetBytes(n)
			b.ReportAllocs()
			for b.Loop() {
				if err := WriteBAM(io.Discard, ref, aligned, BAMWriteOptions{Level: level}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// TestHairpinBAMBowtieFixture counts a real bowtie BAM (nf-core/smrnaseq
// hairpin settings, testdata/bam/README.md) and compares it with the
// FASTQ path on the same collapsed reads. They differ a little by design:
// bowtie (-n 2, no tails) reports hits with 2 mismatches that our aligner
// (1 mismatch + up to 3 untemplated A/T) does not, and misses reads with
// 2–3 untemplated bases. On this file the L1 distance is 1.0% of the
// reads (measured when the fixture was made); the test allows 2%.
func TestHairpinBAMBowtieFixture(t *testing.T) {
	ref := bamHsa(t)
	fa := gztest.ReadAll(t, "../testdata/bam/mirtrace_sample1.collapsed.fa.gz")
	recs, err := seq.ReadAllFasta(bytes.NewReader(fa), "mirtrace_sample1.collapsed.fa.gz")
	if err != nil {
		t.Fatal(err)
	}
	var inserts []seq.Insert
	for _, r := range recs {
		w, err := parseReadWeight(r.Name)
		if err != nil {
			t.Fatal(err)
		}
		inserts = append(inserts, seq.Insert{Seq: string(r.Seq), Reads: w, Molecules: w})
	}
	want, err := Quantify(context.Background(), ref, "s1", inserts, nil, Options{})
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.Open("../testdata/bam/mirtrace_sample1.hairpin.bam")
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	got, err := QuantifyHairpinBAM(context.Background(), b, "mirtrace_sample1.hairpin.bam", "s1", ref, BAMOptions{})
	if err != nil {
		t.Fatal(err)
	}
	// 8,419 trimmed reads (cutadapt log), 2,336 distinct, 2,516 records.
	for k, v := range map[string]string{"input_reads": "8419", "bam_read_names": "2336", "bam_records": "2516"} {
		if s, _ := got.Stat(k); s != v {
			t.Errorf("%s = %s, want %s", k, s, v)
		}
	}
	checkMatureL1(t, "BAM vs FASTQ path", got, want, 4000)
}

// TestBAMOrderIndependent counts one set of uncollapsed alignments given
// in coordinate order, grouped by name in one order, and grouped in the
// reverse order: the samples must be identical.
func TestBAMOrderIndependent(t *testing.T) {
	ref := bamHsa(t)
	rng := rand.New(rand.NewPCG(5, 5))
	_, aligned := alignedSimInserts(t, ref, rng, 800, 0)
	buf := bamBytes(t, ref, aligned, BAMWriteOptions{})
	// Uncollapsed names: "seq_<i>_x<n>" becomes "read<i>" (weight 1).
	samText := string(bamToSAM(t, buf, true))
	var header, body []string
	for _, l := range strings.SplitAfter(samText, "\n") {
		if l == "" {
			continue
		}
		if l[0] == '@' {
			header = append(header, l)
			continue
		}
		name := l[:strings.IndexByte(l, '\t')]
		j := strings.LastIndex(name, "_x")
		body = append(body, "read"+name[4:j]+l[len(name):])
	}
	coord := strings.Join(header, "") + strings.Join(body, "")
	grouped := string(groupSAMByName([]byte(strings.Join(body, ""))))
	lines := strings.SplitAfter(grouped, "\n")
	// Reverse the order of the reads, keeping each read's records together.
	var reads [][]string
	for _, l := range lines {
		if l == "" {
			continue
		}
		n := l[:strings.IndexByte(l, '\t')]
		if len(reads) == 0 || !strings.HasPrefix(reads[len(reads)-1][0], n+"\t") {
			reads = append(reads, nil)
		}
		reads[len(reads)-1] = append(reads[len(reads)-1], l)
	}
	slices.Reverse(reads)
	var rev strings.Builder
	for _, r := range reads {
		rev.WriteString(strings.Join(r, ""))
	}
	var samples []*Sample
	for _, in := range []string{coord, grouped, rev.String()} {
		s, err := QuantifyHairpinBAM(context.Background(), strings.NewReader(in), "o.sam", "s", ref, BAMOptions{})
		if err != nil {
			t.Fatal(err)
		}
		samples = append(samples, s)
	}
	for i, s := range samples[1:] {
		if !slices.Equal(s.Mature, samples[0].Mature) || !slices.Equal(s.Hairpin, samples[0].Hairpin) || !slices.Equal(s.Isomirs, samples[0].Isomirs) {
			t.Errorf("order %d gives other counts than coordinate order", i+1)
		}
	}
	if v, _ := samples[0].Stat("reads_mirna"); v == "0" {
		t.Fatal("nothing counted")
	}
}

// sortReadNames orders read names (test helper): names of the collapsed-read form
// "<prefix>_<i>_x<count>" by their running index i (restoring the order
// of the collapser that made them), others after them by string order.
func sortReadNames(names []string) {
	type key struct {
		name string
		idx  int64
		ok   bool
	}
	keys := make([]key, len(names))
	for i, n := range names {
		k := key{name: n}
		if j := strings.LastIndex(n, "_x"); j >= 0 {
			if i := strings.LastIndexByte(n[:j], '_'); i >= 0 {
				v, err := strconv.ParseInt(n[i+1:j], 10, 64)
				k.idx, k.ok = v, err == nil
			}
		}
		keys[i] = k
	}
	sort.Slice(keys, func(a, b int) bool {
		ka, kb := &keys[a], &keys[b]
		switch {
		case ka.ok && kb.ok:
			if ka.idx != kb.idx {
				return ka.idx < kb.idx
			}
		case ka.ok != kb.ok:
			return ka.ok
		}
		return ka.name < kb.name
	})
	for i := range keys {
		names[i] = keys[i].name
	}
}
