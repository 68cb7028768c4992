package quant

import (
	"bytes"
	"context"
	"embed"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/exomir/exomir/align"
	"github.com/exomir/exomir/seq"
)

// Reference is a miRNA reference: miRBase hairpins, the mature features
// placed on them, and optional other small-RNA classes.
//
// Mature names that share one sequence form ONE feature whose Name is the
// names joined with "/" in file order (hsa-miR-519a-5p and its identical
// siblings become "hsa-miR-519a-5p/hsa-miR-519b-5p/..."): reads of such a
// sequence cannot tell the names apart, so counting them separately would
// either double count or invent a split. A feature is placed at every exact
// occurrence of its sequence in every hairpin of the reference, so one
// feature may have several loci (hsa-miR-19b-3p on hsa-mir-19b-1 and
// hsa-mir-19b-2).
//
// A Reference is read-only once built and safe for concurrent use.
type Reference struct {
	// Species is the name prefix the reference was restricted to ("" for all).
	Species string
	// Hairpins are the precursors in file order.
	Hairpins []Hairpin
	// Features are the mature features in file order of first occurrence.
	Features []Feature
	// Classes are the other small-RNA classes in the order they were added.
	Classes []string
	// Others are the sequences of the other classes.
	Others []OtherSeq

	hairpinByName map[string]int
	featureByName map[string]int
	idx           indexed // hairpins + others (Index)
	hpIdx, otIdx  indexed // hairpins alone, others alone (InsertAligner)
	hp2Idx        indexed // hairpins alone, 2 mismatches (InsertAligner)
	// Spikeins are the spike-in sequences (AddSpikeins), aligned first.
	Spikeins []OtherSeq
	spIdx    indexed
	feats    otherFeatures // per-feature view of Others (annotation.go)
}

// Hairpin is one miRNA precursor (stem-loop).
type Hairpin struct {
	Name string // e.g. hsa-mir-21
	ID   string // accession, e.g. MI0000077
	Seq  []byte // DNA alphabet, upper case
	// Loci are the mature features on this hairpin, sorted by Start.
	Loci []Locus
}

// Locus places a mature feature on a hairpin.
type Locus struct {
	Feature int // index in Reference.Features
	Hairpin int // index in Reference.Hairpins
	Start   int // 0-based first base on the hairpin
	End     int // 0-based, exclusive
}

// Feature is one mature miRNA sequence with all the names it carries.
type Feature struct {
	Name  string   // Names joined with "/"
	Names []string // e.g. hsa-miR-21-5p
	IDs   []string // accessions, e.g. MIMAT0000076, parallel to Names
	Seq   []byte
	Loci  []Locus // every exact occurrence on a hairpin
}

// OtherSeq is one sequence of another small-RNA class (tRNA, rRNA, ...).
type OtherSeq struct {
	Class int // index in Reference.Classes
	Name  string
	Desc  string // the FASTA description (the embedded tRNAs carry anticodon= and body=)
	Seq   []byte
}

// RefOptions select what NewReference keeps.
type RefOptions struct {
	// Species keeps only records whose name starts with Species+"-"
	// (e.g. "hsa"); "" keeps all.
	Species string
	// SkipUnplaced drops mature sequences found on no hairpin instead of
	// failing with ErrUnplacedMature.
	SkipUnplaced bool
	// MatureFile and HairpinFile name the inputs in errors, which are
	// *seq.ParseError values giving the file, the record's line and its
	// number ("" = "mature" and "hairpin"). LoadReference sets them.
	MatureFile, HairpinFile string
}

// recordError locates err at record i (0-based) of file; records not read
// from a file (Line 0) are located by number only.
func recordError(file string, recs []seq.FastaRecord, i int, err error) error {
	if recs[i].Line == 0 {
		return fmt.Errorf("%s: record %d: %w", file, i+1, err)
	}
	return &seq.ParseError{File: file, Line: recs[i].Line, Record: int64(i + 1), Err: err}
}

// recordAt names record i (0-based) with its line when known.
func recordAt(recs []seq.FastaRecord, i int) string {
	if recs[i].Line == 0 {
		return fmt.Sprintf("record %d", i+1)
	}
	return fmt.Sprintf("record %d on line %d", i+1, recs[i].Line)
}

// indexBySeq is the index in *feats of the feature of sequence seq,
// recorded in bySeq; a new sequence gets a feature mk(seq) appended.
func indexBySeq[F any](bySeq map[string]int, feats *[]F, seq []byte, mk func([]byte) F) int {
	k, ok := bySeq[string(seq)]
	if !ok {
		k = len(*feats)
		bySeq[string(seq)] = k
		*feats = append(*feats, mk(seq))
	}
	return k
}

// NewReference builds a reference from miRBase mature and hairpin records
// (as read by seq.ReadAllFasta: U already converted to T). It fails with
// ErrUnknownSpecies when no record has the species prefix, ErrEmptyReference
// when nothing is left, and ErrUnplacedMature (naming the matures) when a
// mature sequence occurs in no hairpin and o.SkipUnplaced is false. A
// hairpin with a letter the aligner cannot index (not a base or IUPAC
// code) is an error wrapping align.ErrBadBase naming the record, one
// without sequence an error wrapping align.ErrEmptyRef.
func NewReference(mature, hairpin []seq.FastaRecord, o RefOptions) (*Reference, error) {
	keep := func(name string) bool {
		return o.Species == "" || strings.HasPrefix(name, o.Species+"-")
	}
	if o.MatureFile == "" {
		o.MatureFile = "mature"
	}
	if o.HairpinFile == "" {
		o.HairpinFile = "hairpin"
	}
	r := &Reference{
		Species:       o.Species,
		hairpinByName: map[string]int{},
		featureByName: map[string]int{},
	}
	hairpinRec := map[string]int{}
	for i, rec := range hairpin {
		if rec.Name == "" {
			return nil, recordError(o.HairpinFile, hairpin, i, fmt.Errorf("%w (hairpin)", ErrNoName))
		}
		if !keep(rec.Name) {
			continue
		}
		if j, dup := hairpinRec[rec.Name]; dup {
			return nil, recordError(o.HairpinFile, hairpin, i, fmt.Errorf("%w: hairpin %s is %s and record %d",
				ErrDuplicateName, rec.Name, recordAt(hairpin, j), i+1))
		}
		if len(rec.Seq) == 0 {
			return nil, fmt.Errorf("%w: hairpin %s (record %d) has no sequence", align.ErrEmptyRef, rec.Name, i+1)
		}
		if j := badRefLetter(rec.Seq); j >= 0 {
			return nil, fmt.Errorf("%w: hairpin %s (record %d) has %q at position %d", align.ErrBadBase, rec.Name, i+1, rec.Seq[j], j+1)
		}
		hairpinRec[rec.Name] = i
		r.hairpinByName[rec.Name] = len(r.Hairpins)
		r.Hairpins = append(r.Hairpins, Hairpin{Name: rec.Name, ID: firstWord(rec.Desc), Seq: rec.Seq})
	}
	bySeq := map[string]int{}
	byName := map[string]int{} // mature name -> index in mature
	nMature := 0
	for i, rec := range mature {
		if rec.Name == "" {
			return nil, recordError(o.MatureFile, mature, i, fmt.Errorf("%w (mature)", ErrNoName))
		}
		if !keep(rec.Name) {
			continue
		}
		nMature++
		if j, dup := byName[rec.Name]; dup && !bytes.Equal(mature[j].Seq, rec.Seq) {
			// one name, two sequences: which one a read counts under would
			// be arbitrary
			return nil, recordError(o.MatureFile, mature, i, fmt.Errorf("%w: mature %s is %s (%s) and record %d (%s)",
				ErrDuplicateName, rec.Name, recordAt(mature, j), mature[j].Seq, i+1, rec.Seq))
		}
		byName[rec.Name] = i
		if len(rec.Seq) == 0 {
			continue
		}
		// Two statements: indexBySeq may grow r.Features.
		fi := indexBySeq(bySeq, &r.Features, rec.Seq, func(s []byte) Feature { return Feature{Seq: s} })
		f := &r.Features[fi]
		if !containsString(f.Names, rec.Name) {
			f.Names = append(f.Names, rec.Name)
			f.IDs = append(f.IDs, firstWord(rec.Desc))
		}
	}
	if o.Species != "" && len(r.Hairpins) == 0 && nMature == 0 {
		return nil, fmt.Errorf("%s, %s: %w %q; available prefixes include %s", o.MatureFile, o.HairpinFile, ErrUnknownSpecies, o.Species, speciesList(hairpin, mature))
	}
	if len(r.Hairpins) == 0 || len(r.Features) == 0 {
		return nil, fmt.Errorf("%s, %s: %w: %d hairpins, %d mature sequences", o.MatureFile, o.HairpinFile, ErrEmptyReference, len(r.Hairpins), len(r.Features))
	}
	r.place()
	var unplaced []string
	kept := r.Features[:0]
	remap := make([]int, len(r.Features))
	for i, f := range r.Features {
		if len(f.Loci) == 0 {
			unplaced = append(unplaced, f.Names...)
			remap[i] = -1
			continue
		}
		remap[i] = len(kept)
		kept = append(kept, f)
	}
	if len(unplaced) > 0 && !o.SkipUnplaced {
		// Located at the first unplaced mature's record; all are named.
		first := byName[unplaced[0]]
		for _, n := range unplaced {
			first = min(first, byName[n])
		}
		return nil, recordError(o.MatureFile, mature, first, fmt.Errorf("%w (of %s): %s; -skip-unplaced drops them",
			ErrUnplacedMature, o.HairpinFile, abbreviate(unplaced, 10)))
	}
	r.Features = kept
	if len(r.Features) == 0 {
		return nil, fmt.Errorf("%s, %s: %w: no mature sequence lies on a hairpin", o.MatureFile, o.HairpinFile, ErrEmptyReference)
	}
	for fi := range r.Features {
		f := &r.Features[fi]
		f.Name = strings.Join(f.Names, "/")
		for li := range f.Loci {
			f.Loci[li].Feature = fi
		}
		r.featureByName[f.Name] = fi
		for _, n := range f.Names {
			r.featureByName[n] = fi
		}
	}
	for hi := range r.Hairpins {
		h := &r.Hairpins[hi]
		loci := h.Loci[:0]
		for _, l := range h.Loci {
			if remap[l.Feature] >= 0 {
				l.Feature = remap[l.Feature]
				loci = append(loci, l)
			}
		}
		h.Loci = loci
		sort.Slice(h.Loci, func(a, b int) bool {
			if h.Loci[a].Start != h.Loci[b].Start {
				return h.Loci[a].Start < h.Loci[b].Start
			}
			return h.Loci[a].End < h.Loci[b].End
		})
	}
	return r, nil
}

// place finds every exact occurrence of every feature in every hairpin.
// Hairpin positions are bucketed by their first k bases (2-bit codes,
// k = shortest mature, at most 10) with a counting sort, so that even
// all-species references load in milliseconds; features whose first k
// bases are not all ACGT are searched directly.
func (r *Reference) place() {
	k := 10
	for _, f := range r.Features {
		k = min(k, len(f.Seq))
	}
	mask := uint32(1)<<(2*k) - 1
	// forEach calls fn(code, p) for each ACGT-only k-mer starting at p.
	forEach := func(s []byte, fn func(code uint32, p int)) {
		var code uint32
		valid := 0
		for i, c := range s {
			v := code2(c)
			if v == 0 && c != 'A' {
				valid = 0
				continue
			}
			code = (code<<2 | uint32(v)) & mask
			valid++
			if valid >= k {
				fn(code, i-k+1)
			}
		}
	}
	offsets := make([]uint32, int(mask)+2)
	for _, h := range r.Hairpins {
		forEach(h.Seq, func(code uint32, _ int) { offsets[code+1]++ })
	}
	for i := 1; i < len(offsets); i++ {
		offsets[i] += offsets[i-1]
	}
	type pos struct{ h, p int32 }
	positions := make([]pos, offsets[len(offsets)-1])
	next := append([]uint32(nil), offsets[:len(offsets)-1]...)
	for hi, h := range r.Hairpins {
		forEach(h.Seq, func(code uint32, p int) {
			positions[next[code]] = pos{int32(hi), int32(p)}
			next[code]++
		})
	}
	add := func(fi, hi, p int) {
		f, h := &r.Features[fi], &r.Hairpins[hi]
		if p+len(f.Seq) <= len(h.Seq) && bytes.Equal(h.Seq[p:p+len(f.Seq)], f.Seq) {
			l := Locus{Feature: fi, Hairpin: hi, Start: p, End: p + len(f.Seq)}
			f.Loci = append(f.Loci, l)
			h.Loci = append(h.Loci, l)
		}
	}
	for fi := range r.Features {
		f := &r.Features[fi]
		code, ok := uint32(0), true
		for _, c := range f.Seq[:k] {
			v := code2(c)
			if v == 0 && c != 'A' {
				ok = false
				break
			}
			code = code<<2 | uint32(v)
		}
		if !ok {
			for hi := range r.Hairpins {
				for p := 0; ; p++ {
					j := bytes.Index(r.Hairpins[hi].Seq[p:], f.Seq)
					if j < 0 {
						break
					}
					p += j
					add(fi, hi, p)
				}
			}
			continue
		}
		for _, c := range positions[offsets[code]:offsets[code+1]] {
			add(fi, int(c.h), int(c.p))
		}
	}
}

// AddOther adds the sequences of another small-RNA class (e.g. "tRNA").
// Reads matching a hairpin are miRNA (or hairpin) reads whatever their
// other-class hits (see InsertAligner); reads matching several classes go
// to the class added first. A sequence with a letter that is not a base
// or IUPAC code is an error wrapping align.ErrBadBase naming the record.
func (r *Reference) AddOther(class string, recs []seq.FastaRecord) error {
	if class == "" {
		return fmt.Errorf("%w: empty class name", ErrBadOption)
	}
	ci := -1
	for i, c := range r.Classes {
		if c == class {
			ci = i
		}
	}
	if ci < 0 {
		ci = len(r.Classes)
		r.Classes = append(r.Classes, class)
	}
	for i, rec := range recs {
		if j := badRefLetter(rec.Seq); j >= 0 {
			return fmt.Errorf("%w: class %s: %s (record %d) has %q at position %d", align.ErrBadBase, class, rec.Name, i+1, rec.Seq[j], j+1)
		}
	}
	n := 0
	for _, rec := range recs {
		if len(rec.Seq) == 0 {
			continue
		}
		r.Others = append(r.Others, OtherSeq{Class: ci, Name: rec.Name, Desc: rec.Desc, Seq: rec.Seq})
		n++
	}
	if n == 0 {
		return fmt.Errorf("%w: class %s has no sequences", ErrEmptyReference, class)
	}
	return nil
}

// refLetters are the letters align.NewIndex takes in a reference: bases
// (U as T) and IUPAC ambiguity codes. Checking them when a sequence is
// added names its record; the index would fail only at the first count.
const refLetters = "ACGTUNRYKMSWBDHVacgtunrykmswbdhv"

// badRefLetter returns the index of the first letter of s that is not in
// refLetters, or -1.
func badRefLetter(s []byte) int {
	for i, c := range s {
		if strings.IndexByte(refLetters, c) < 0 {
			return i
		}
	}
	return -1
}

// AddOtherFile reads a FASTA file (plain or gzip) and adds it as class.
func (r *Reference) AddOtherFile(class, path string) error {
	recs, err := seq.ReadFastaFile(path)
	if err != nil {
		return err
	}
	if err := r.AddOther(class, recs); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

// FeatureIndex returns the index of the feature with the given name (the
// joined name or any one of its names), or -1.
func (r *Reference) FeatureIndex(name string) int {
	if i, ok := r.featureByName[name]; ok {
		return i
	}
	return -1
}

// HairpinIndex returns the index of the hairpin with the given name, or -1.
func (r *Reference) HairpinIndex(name string) int {
	if i, ok := r.hairpinByName[name]; ok {
		return i
	}
	return -1
}

// LoadReference reads miRBase mature and hairpin FASTA files (plain or
// gzip, detected from the magic bytes) and calls NewReference.
func LoadReference(ctx context.Context, maturePath, hairpinPath string, o RefOptions) (*Reference, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	m, err := seq.ReadFastaFile(maturePath)
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	h, err := seq.ReadFastaFile(hairpinPath)
	if err != nil {
		return nil, err
	}
	o.MatureFile, o.HairpinFile = maturePath, hairpinPath
	return NewReference(m, h, o)
}

//go:embed mirbase/*.fa.gz
var embedded embed.FS

// Embedded returns the reference built into the binary: miRBase 21 for
// species "hsa" (see mirbase/SOURCES.md). Other species fail with
// ErrUnknownSpecies.
func Embedded(species string) (*Reference, error) {
	m, h, err := EmbeddedFasta(species)
	if err != nil {
		return nil, err
	}
	return NewReference(m, h, RefOptions{Species: species, MatureFile: "embedded:hsa_mature_v21.fa.gz", HairpinFile: "embedded:hsa_hairpin_v21.fa.gz"})
}

// EmbeddedFasta returns the records of the embedded miRBase 21 mature and
// hairpin files (species "hsa" only), in file order: what Embedded builds
// its reference from, for other tools that take FASTA (the simulator).
func EmbeddedFasta(species string) (mature, hairpin []seq.FastaRecord, err error) {
	if species != "hsa" {
		return nil, nil, fmt.Errorf("%w %q: the embedded reference has only hsa (miRBase 21); give -mature and -hairpin files for others", ErrUnknownSpecies, species)
	}
	read := func(name string) ([]seq.FastaRecord, error) {
		f, err := embedded.Open("mirbase/" + name)
		if err != nil {
			return nil, fmt.Errorf("quant: embedded %s: %w", name, err)
		}
		defer f.Close()
		return readFasta(f, "embedded:"+name)
	}
	if mature, err = read("hsa_mature_v21.fa.gz"); err != nil {
		return nil, nil, err
	}
	if hairpin, err = read("hsa_hairpin_v21.fa.gz"); err != nil {
		return nil, nil, err
	}
	return mature, hairpin, nil
}

// readFasta reads FASTA from r, plain or compressed (sniffed by seq).
func readFasta(r io.Reader, name string) ([]seq.FastaRecord, error) {
	in, err := seq.NewDecompressor(r, 1)
	if err != nil {
		return nil, fmt.Errorf("quant: %s: %w", name, err)
	}
	defer in.Close()
	return seq.ReadAllFasta(in, name)
}

func firstWord(s string) string {
	if i := strings.IndexAny(s, " \t"); i >= 0 {
		return s[:i]
	}
	return s
}

// speciesList names up to 12 of the most frequent name prefixes.
func speciesList(lists ...[]seq.FastaRecord) string {
	count := map[string]int{}
	for _, l := range lists {
		for _, rec := range l {
			if i := strings.IndexByte(rec.Name, '-'); i > 0 {
				count[rec.Name[:i]]++
			}
		}
	}
	if len(count) == 0 {
		return "(none: the files have no prefixed names)"
	}
	names := make([]string, 0, len(count))
	for n := range count {
		names = append(names, n)
	}
	sort.Slice(names, func(a, b int) bool {
		if count[names[a]] != count[names[b]] {
			return count[names[a]] > count[names[b]]
		}
		return names[a] < names[b]
	})
	return abbreviate(names, 12)
}

func abbreviate(names []string, max int) string {
	if len(names) <= max {
		return strings.Join(names, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(names[:max], ", "), len(names)-max)
}
