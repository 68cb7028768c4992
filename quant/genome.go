package quant

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"sort"
	"strconv"
	"strings"

	"github.com/exomir/exomir/seq"
)

// Sentinel errors of the GFF3 reader and genome counting; wrapped errors
// match them with errors.Is.
var (
	ErrGFFFormat   = errors.New("quant: malformed GFF3 line")
	ErrGFFParent   = errors.New("quant: miRNA without a known Derives_from primary transcript")
	ErrGFFEmpty    = errors.New("quant: GFF3 has no miRNA_primary_transcript records")
	ErrGenomeNames = errors.New("quant: no alignment is on a chromosome of the GFF3")
)

// GFFRecord is one miRNA_primary_transcript or miRNA line of a miRBase
// GFF3 file. Start and End are 0-based, End exclusive (GFF3's 1-based
// inclusive start−1 and end).
type GFFRecord struct {
	Seqid       string
	Type        string // "miRNA_primary_transcript" or "miRNA"
	Start, End  int
	Strand      byte // '+' or '-'
	ID          string
	Name        string
	Alias       string
	DerivesFrom string // the primary transcript's ID, for miRNA records
	Line        int64  // line number in the file
}

// GenomeAnnotation is a miRBase GFF3 file: hairpins (primary transcripts)
// and matures on genome coordinates, in file order.
type GenomeAnnotation struct {
	Primaries []GFFRecord
	Matures   []GFFRecord
	// File names the source in errors (set by ReadMirbaseGFF3).
	File string
}

// maxGFFFeature bounds the length of a GFF3 miRNA feature.
const maxGFFFeature = 10000

// ReadMirbaseGFF3 reads a miRBase GFF3 (v20–v22 layout: type
// miRNA_primary_transcript with ID=MI…;Name=…, type miRNA with
// ID=MIMAT…;Name=…;Derives_from=MI…). Other feature types are skipped;
// "##FASTA" ends the records. Attribute values are percent-decoded. Every
// miRNA must derive from a primary transcript of the file
// (ErrGFFParent). Malformed lines give a *seq.ParseError wrapping
// ErrGFFFormat with file and line. Features longer than 10,000 nt are
// rejected (miRBase hairpins are under 200 nt).
func ReadMirbaseGFF3(r io.Reader, file string) (*GenomeAnnotation, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 1<<16), 1<<24)
	ann := &GenomeAnnotation{File: file}
	var line int64
	bad := func(format string, args ...any) error {
		return &seq.ParseError{File: file, Line: line, Err: fmt.Errorf("%w: "+format, append([]any{ErrGFFFormat}, args...)...)}
	}
	for sc.Scan() {
		line++
		b := bytes.TrimRight(sc.Bytes(), "\r")
		if len(b) == 0 {
			continue
		}
		if b[0] == '#' {
			if bytes.HasPrefix(b, []byte("##FASTA")) {
				break
			}
			continue
		}
		f := bytes.Split(b, []byte{'\t'})
		if len(f) != 9 {
			return nil, bad("%d columns, want 9", len(f))
		}
		typ := string(f[2])
		if typ != "miRNA_primary_transcript" && typ != "miRNA" {
			continue
		}
		start, err1 := strconv.Atoi(string(f[3]))
		end, err2 := strconv.Atoi(string(f[4]))
		if err1 != nil || err2 != nil || start < 1 || end < start {
			return nil, bad("bad coordinates %q..%q", f[3], f[4])
		}
		if end-start+1 > maxGFFFeature {
			// hairpins are < 200 nt; a longer feature is not miRBase's and
			// would cost its length in memory
			return nil, bad("%s of %d nt (at most %d)", typ, end-start+1, maxGFFFeature)
		}
		if len(f[6]) != 1 || (f[6][0] != '+' && f[6][0] != '-') {
			return nil, bad("strand %q, want + or -", f[6])
		}
		rec := GFFRecord{Seqid: string(f[0]), Type: typ, Start: start - 1, End: end, Strand: f[6][0], Line: line}
		for _, kv := range bytes.Split(f[8], []byte{';'}) {
			kv = bytes.TrimSpace(kv)
			if len(kv) == 0 {
				continue
			}
			k, v, ok := bytes.Cut(kv, []byte{'='})
			if !ok {
				return nil, bad("attribute %q is not key=value", kv)
			}
			val, err := url.PathUnescape(string(v))
			if err != nil {
				val = string(v)
			}
			switch string(k) {
			case "ID":
				rec.ID = val
			case "Name":
				rec.Name = val
			case "Alias":
				rec.Alias = val
			case "Derives_from":
				rec.DerivesFrom = val
			}
		}
		if rec.ID == "" {
			return nil, bad("no ID attribute")
		}
		if rec.Name == "" {
			rec.Name = rec.ID
		}
		if typ == "miRNA" {
			ann.Matures = append(ann.Matures, rec)
		} else {
			ann.Primaries = append(ann.Primaries, rec)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, &seq.ParseError{File: file, Line: line + 1, Err: err}
	}
	if len(ann.Primaries) == 0 {
		return nil, fmt.Errorf("%s: %w", file, ErrGFFEmpty)
	}
	ids := make(map[string]bool, 2*len(ann.Primaries))
	for _, p := range ann.Primaries {
		ids[p.ID] = true
		if p.Alias != "" {
			ids[p.Alias] = true
		}
	}
	for _, m := range ann.Matures {
		if !ids[m.DerivesFrom] {
			return nil, &seq.ParseError{File: file, Line: m.Line, Err: fmt.Errorf("%w: %s (Derives_from=%q)", ErrGFFParent, m.ID, m.DerivesFrom)}
		}
	}
	return ann, nil
}

// LoadMirbaseGFF3 reads a miRBase GFF3 file, plain or gzip.
func LoadMirbaseGFF3(ctx context.Context, path string) (*GenomeAnnotation, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("quant: %w", err)
	}
	defer f.Close()
	r, err := seq.NewDecompressor(f, 1)
	if err != nil {
		return nil, fmt.Errorf("quant: %s: %w", path, err)
	}
	defer r.Close()
	return ReadMirbaseGFF3(r, path)
}

// genomeLocus is one primary transcript on the genome, as a hairpin of the
// genome reference.
type genomeLocus struct {
	start, end int
	strand     byte
	hairpin    int32
}

// GenomeReference counts genome alignments on the miRNAs of a miRBase
// GFF3. Ref is a Reference in hairpin coordinates whose loci come from the
// GFF3: each primary transcript is a hairpin (oriented 5'→3' on its
// strand) and each miRNA a locus on it, so genome reads are placed on
// hairpins and assigned by the same Assigner, windows and multi-mapping
// rules as FASTQ input.
type GenomeReference struct {
	// Ref lists the base reference's features and hairpins first (same
	// names and order, so count files of genome and FASTQ input merge),
	// then GFF names the base does not know.
	Ref *Reference
	// MatchedFeatures and NewFeatures count GFF mature names found in the
	// base reference and added from the GFF; MatchedHairpins and
	// NewHairpins likewise for primary transcripts. SeqlessHairpins are
	// hairpins with no usable sequence (not in the base, or of another
	// length there): SNVs cannot be called on them.
	MatchedFeatures, NewFeatures int
	MatchedHairpins, NewHairpins int
	SeqlessHairpins              int

	chroms   map[string][]genomeLocus // sorted by start
	maxLen   map[string]int
	seqKnown []bool
}

// NewGenomeReference builds the genome reference of ann. With a base
// reference (the miRBase FASTA reference, e.g. Embedded("hsa")), GFF
// names are mapped onto its features and hairpins: a mature Name that is
// one of the names of a base feature counts to that feature (so names
// sharing a sequence stay one feature "a/b/c"), a primary transcript Name
// that is a base hairpin of the same length takes its sequence. Names the
// base does not know become new features and hairpins named as in the
// GFF; several GFF miRNA records with one Name (one mature at several
// loci, IDs MIMAT…, MIMAT…_1) are one feature. base may be nil.
func NewGenomeReference(ann *GenomeAnnotation, base *Reference) (*GenomeReference, error) {
	if ann == nil || len(ann.Primaries) == 0 {
		return nil, ErrGFFEmpty
	}
	g := &GenomeReference{chroms: map[string][]genomeLocus{}, maxLen: map[string]int{}}
	ref := &Reference{hairpinByName: map[string]int{}, featureByName: map[string]int{}}
	if base != nil {
		ref.Species = base.Species
		ref.Classes = base.Classes
		ref.Others = base.Others
		for _, h := range base.Hairpins {
			ref.Hairpins = append(ref.Hairpins, Hairpin{Name: h.Name, ID: h.ID, Seq: h.Seq})
			g.seqKnown = append(g.seqKnown, true)
		}
		for _, f := range base.Features {
			ref.Features = append(ref.Features, Feature{Name: f.Name, Names: f.Names, IDs: f.IDs, Seq: f.Seq})
		}
	}
	for i, h := range ref.Hairpins {
		ref.hairpinByName[h.Name] = i
	}
	for i, f := range ref.Features {
		ref.featureByName[f.Name] = i
		for _, n := range f.Names {
			ref.featureByName[n] = i
		}
	}
	nBaseHairpins := len(ref.Hairpins)
	// Primary transcripts by ID and by Alias: miRBase 22 repeats a
	// hairpin at several loci with IDs MI…_2, MI…_3 whose miRNAs still say
	// Derives_from=MI…; the primary that contains the miRNA is its parent.
	byKey := map[string][]int{} // ID or Alias → indices in ann.Primaries
	hairpinOf := make([]int, len(ann.Primaries))
	matchedH := map[int]bool{}
	for pi, p := range ann.Primaries {
		byKey[p.ID] = append(byKey[p.ID], pi)
		if p.Alias != "" && p.Alias != p.ID {
			byKey[p.Alias] = append(byKey[p.Alias], pi)
		}
		l := p.End - p.Start
		hi, ok := ref.hairpinByName[p.Name]
		switch {
		case ok && len(ref.Hairpins[hi].Seq) == l:
			if hi < nBaseHairpins {
				matchedH[hi] = true
			}
		case ok && hi < nBaseHairpins && !matchedH[hi]:
			// The base hairpin has another length (another miRBase
			// version): count on GFF coordinates without its sequence.
			ref.Hairpins[hi].Seq = bytes.Repeat([]byte{'N'}, l)
			g.seqKnown[hi] = false
			matchedH[hi] = true
		default:
			name := p.Name
			if ok { // same name, another length: keep both, apart
				name = p.Name + "@" + p.ID
			}
			hi = len(ref.Hairpins)
			ref.Hairpins = append(ref.Hairpins, Hairpin{Name: name, ID: p.ID, Seq: bytes.Repeat([]byte{'N'}, l)})
			g.seqKnown = append(g.seqKnown, false)
			ref.hairpinByName[name] = hi
			g.NewHairpins++
		}
		hairpinOf[pi] = hi
		g.chroms[p.Seqid] = append(g.chroms[p.Seqid], genomeLocus{start: p.Start, end: p.End, strand: p.Strand, hairpin: int32(hi)})
		if l > g.maxLen[p.Seqid] {
			g.maxLen[p.Seqid] = l
		}
	}
	g.MatchedHairpins = len(matchedH)
	for _, k := range g.seqKnown {
		if !k {
			g.SeqlessHairpins++
		}
	}
	for c := range g.chroms {
		loci := g.chroms[c]
		sort.Slice(loci, func(i, j int) bool {
			if loci[i].start != loci[j].start {
				return loci[i].start < loci[j].start
			}
			return loci[i].hairpin < loci[j].hairpin
		})
	}
	// Matures: loci in hairpin coordinates.
	matchedF := map[int]bool{}
	type lk struct{ f, h, s, e int }
	seen := map[lk]bool{}
	for _, m := range ann.Matures {
		cands := byKey[m.DerivesFrom]
		if len(cands) == 0 {
			return nil, &seq.ParseError{File: ann.File, Line: m.Line, Err: fmt.Errorf("%w: %s (Derives_from=%q)", ErrGFFParent, m.ID, m.DerivesFrom)}
		}
		pi := -1
		for _, c := range cands {
			p := ann.Primaries[c]
			if m.Seqid == p.Seqid && m.Strand == p.Strand && m.Start >= p.Start && m.End <= p.End {
				pi = c
				break
			}
		}
		if pi < 0 {
			return nil, &seq.ParseError{File: ann.File, Line: m.Line, Err: fmt.Errorf("%w: miRNA %s lies outside its primary transcript %s", ErrGFFFormat, m.ID, m.DerivesFrom)}
		}
		p := ann.Primaries[pi]
		hi := hairpinOf[pi]
		s, e := m.Start-p.Start, m.End-p.Start
		if p.Strand == '-' {
			s, e = p.End-m.End, p.End-m.Start
		}
		fi, ok := ref.featureByName[m.Name]
		if !ok {
			fi = len(ref.Features)
			f := Feature{Name: m.Name, Names: []string{m.Name}, IDs: []string{m.Alias}}
			if g.seqKnown[hi] {
				f.Seq = ref.Hairpins[hi].Seq[s:e]
			}
			ref.Features = append(ref.Features, f)
			ref.featureByName[m.Name] = fi
			g.NewFeatures++
		} else if fi < len(ref.Features) && base != nil && fi < len(base.Features) {
			matchedF[fi] = true
		}
		k := lk{fi, hi, s, e}
		if seen[k] {
			continue
		}
		seen[k] = true
		l := Locus{Feature: fi, Hairpin: hi, Start: s, End: e}
		ref.Features[fi].Loci = append(ref.Features[fi].Loci, l)
		ref.Hairpins[hi].Loci = append(ref.Hairpins[hi].Loci, l)
	}
	g.MatchedFeatures = len(matchedF)
	for hi := range ref.Hairpins {
		loci := ref.Hairpins[hi].Loci
		sort.Slice(loci, func(a, b int) bool {
			if loci[a].Start != loci[b].Start {
				return loci[a].Start < loci[b].Start
			}
			return loci[a].End < loci[b].End
		})
	}
	g.Ref = ref
	return g, nil
}

// chromLoci returns the loci of a chromosome, trying the name with and
// without a "chr" prefix (and MT/chrM) when the exact name is absent.
func (g *GenomeReference) chromLoci(name string) ([]genomeLocus, int) {
	if l, ok := g.chroms[name]; ok {
		return l, g.maxLen[name]
	}
	var alt string
	switch {
	case name == "MT":
		alt = "chrM"
	case name == "chrM":
		alt = "MT"
	case strings.HasPrefix(name, "chr"):
		alt = name[3:]
	default:
		alt = "chr" + name
	}
	return g.chroms[alt], g.maxLen[alt]
}

// lociHits converts one genome record into hits on the hairpins whose
// primary transcript, on the read's strand, contains the read's templated
// part. loci are the chromosome's primary transcripts (sorted by start,
// the longest maxLen long), sp the record's reduced CIGAR, reverse its
// strand.
func (g *GenomeReference) lociHits(dst []Hit, loci []genomeLocus, maxLen int, sp alnSpan, reverse bool) []Hit {
	if len(loci) == 0 {
		return dst
	}
	// Templated part on the genome and tail, by the read's orientation.
	ts, te, tail := sp.Pos-sp.Clip5, sp.Pos+sp.Ref, sp.Clip3
	strand := byte('+')
	if reverse {
		ts, te, tail = sp.Pos, sp.Pos+sp.Ref+sp.Clip3, sp.Clip5
		strand = '-'
	}
	if tail > 127 {
		return dst
	}
	// Loci with start in [ts-maxLen, ts] may contain [ts, te).
	i := sort.Search(len(loci), func(i int) bool { return loci[i].start >= ts-maxLen })
	for ; i < len(loci) && loci[i].start <= ts; i++ {
		l := loci[i]
		if l.strand != strand || te > l.end {
			continue
		}
		pos := ts - l.start
		if strand == '-' {
			pos = l.end - te
		}
		dst = append(dst, Hit{Hairpin: l.hairpin, Pos: int32(pos), Len: int32(te - ts), Tail: int8(tail)})
	}
	return dst
}

// ReadGenomeAlignments reads a BAM or SAM file of reads aligned to the
// genome and reduces it to distinct inserts with hits on the hairpins of
// g.Ref. A record on either strand is placed on every primary transcript
// of its strand that contains its templated part (the aligned bases plus
// clipped 5' bases; clipped 3' bases are the untemplated tail, as for
// hairpin input), in the transcript's 5'→3' coordinates. The rest follows
// ReadHairpinAlignments: records are grouped by read name, weighted by
// "_x<count>", hits of the best (mismatches, tail) class kept (mismatches
// are counted on hairpins whose sequence is known, from the base
// reference); gapped and supplementary records are ignored. Records on no
// primary transcript are counted in BAMStats.NoFeature; reads left
// without a hit are unmapped. Chromosome names match with or without a
// "chr" prefix. When mapped records exist but none is on a chromosome of
// the GFF3, the error wraps ErrGenomeNames.
func ReadGenomeAlignments(ctx context.Context, r io.Reader, file string, g *GenomeReference, o BAMOptions) ([]AlignedInsert, BAMStats, error) {
	return readAlignments(ctx, r, file, g.Ref, o,
		func(_ *alignmentReader, c *insertCollector) error {
			c.genome = g
			return nil
		},
		func(c *insertCollector) error {
			if c.genomeMapped > 0 && c.genomeOnChrom == 0 {
				return &AlignmentError{File: file, Err: fmt.Errorf("%w: e.g. %s", ErrGenomeNames, abbreviate(c.genomeChromNames, 5))}
			}
			return nil
		})
}

// QuantifyGenomeBAM counts a genome BAM/SAM file on the miRNAs of g with
// the rules of FASTQ input (see ReadGenomeAlignments) and returns the
// sample, whose Ref is g.Ref.
func QuantifyGenomeBAM(ctx context.Context, r io.Reader, file, sample string, g *GenomeReference, o BAMOptions) (*Sample, error) {
	opt := o
	inserts, st, err := ReadGenomeAlignments(ctx, r, file, g, opt)
	if err != nil {
		return nil, err
	}
	a := opt.Assigner
	if a == nil || a.ref != g.Ref {
		var ao AssignerOptions
		if a != nil {
			ao = AssignerOptions{Window5: &a.w5, Window3: &a.w3}
		}
		a = NewAssigner(g.Ref, ao)
	}
	rows := append(bamStatRows(st), Stat{"bam_records_off_mirna", itoa(st.NoFeature)})
	return countAligned(g.Ref, a, opt.Options, inserts, sample, rows), nil
}
