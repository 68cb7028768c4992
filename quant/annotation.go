package quant

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/exomir/exomir/align"
	"github.com/exomir/exomir/seq"
)

//go:embed annotation/*.fa.gz
var annotationFS embed.FS

// AnnotationClasses are the classes of the embedded human small-RNA
// annotation, in the order AddAnnotation adds them (a read matching two
// classes equally well goes to the earlier one). See annotation/SOURCES.md
// for what each holds and where it comes from; RNY5 and piRNA have no
// permissively licensed source here and are left to AddOther (-other).
var AnnotationClasses = []string{"tRNA", "rRNA", "snRNA", "snoRNA", "YRNA", "vaultRNA", "SRP_RNA"}

// AddAnnotation adds the embedded human small-RNA annotation as other
// classes (AnnotationClasses). Species other than "hsa" fail with
// ErrUnknownSpecies. Call it before AddOther so that user classes come
// after the built-in ones.
func (r *Reference) AddAnnotation(species string) error {
	if species != "hsa" {
		return fmt.Errorf("%w %q: the embedded small-RNA annotation is human (hsa) only", ErrUnknownSpecies, species)
	}
	for _, class := range AnnotationClasses {
		recs, err := AnnotationRecords(class)
		if err != nil {
			return err
		}
		if err := r.AddOther(class, recs); err != nil {
			return fmt.Errorf("embedded %s annotation: %w", class, err)
		}
	}
	return nil
}

// AnnotationFile is the embedded file (as named in methods.md) of one
// class of AnnotationClasses.
func AnnotationFile(class string) string { return "annotation/" + class + ".fa.gz" }

// AnnotationSHA256 is the SHA-256 (hex) of the embedded file of one class
// of AnnotationClasses.
func AnnotationSHA256(class string) (string, error) {
	b, err := annotationFS.ReadFile(AnnotationFile(class))
	if err != nil {
		return "", fmt.Errorf("%w: no embedded annotation class %q: %w", ErrUnknownSpecies, class, err)
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:]), nil
}

// AnnotationRecords returns the embedded records of one class of
// AnnotationClasses (for the simulator and other users).
func AnnotationRecords(class string) ([]seq.FastaRecord, error) {
	name := AnnotationFile(class)
	f, err := annotationFS.Open(name)
	if err != nil {
		return nil, fmt.Errorf("%w: no embedded annotation class %q: %w", ErrUnknownSpecies, class, err)
	}
	defer f.Close()
	return readFasta(f, "embedded:"+name)
}

// AddSpikeins adds spike-in sequences (one count per FASTA record). Reads
// are aligned on them before anything else, at each mismatch level, so a
// spike-in read never enters the miRNA or class counts; they are counted
// as reads_spikein. Add them before the first Quantify.
func (r *Reference) AddSpikeins(recs []seq.FastaRecord) error {
	seen := make(map[string]bool, len(recs))
	for i, rec := range recs {
		if len(rec.Seq) == 0 {
			return fmt.Errorf("%w: spike-in %s (record %d) has no sequence", ErrEmptyReference, rec.Name, i+1)
		}
		if j := badRefLetter(rec.Seq); j >= 0 {
			return fmt.Errorf("%w: spike-in %s (record %d) has %q at position %d", align.ErrBadBase, rec.Name, i+1, rec.Seq[j], j+1)
		}
		if seen[rec.Name] {
			return fmt.Errorf("%w: spike-in %s (record %d)", ErrDuplicateName, rec.Name, i+1)
		}
		seen[rec.Name] = true
		r.Spikeins = append(r.Spikeins, OtherSeq{Class: -1, Name: rec.Name, Desc: rec.Desc, Seq: rec.Seq})
	}
	if len(recs) == 0 {
		return fmt.Errorf("%w: no spike-in sequences", ErrEmptyReference)
	}
	return nil
}

// AddSpikeinFile reads a FASTA file (plain or gzip) of spike-ins.
func (r *Reference) AddSpikeinFile(path string) error {
	recs, err := seq.ReadFastaFile(path)
	if err != nil {
		return err
	}
	if err := r.AddSpikeins(recs); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

// index builds an index over seqs with at most k mismatches (nil for none).
func buildIndex(ix *indexed, seqs []OtherSeq, k int, what string) (*align.Index, error) {
	ix.once.Do(func() {
		if len(seqs) == 0 {
			return
		}
		refs := make([]align.Ref, len(seqs))
		for i, o := range seqs {
			refs[i] = align.Ref{Name: o.Name, Seq: o.Seq}
		}
		o := AlignOptions()
		o.MaxMismatches = k
		ix.ix, ix.err = align.NewIndex(refs, o)
		if ix.err != nil {
			ix.err = fmt.Errorf("quant: %s index: %w", what, ix.err)
		}
	})
	return ix.ix, ix.err
}

// extraIndexes sets the spike-in indexes and the 2-mismatch index of the
// other classes of a.
func (r *Reference) extraIndexes(a *InsertAligner) error {
	var err error
	if a.ot2, err = buildIndex(&r.feats.ot2, r.Others, SecondPassMismatches, "other-RNA"); err != nil {
		return err
	}
	if a.sp, err = buildIndex(&r.feats.sp1, r.Spikeins, AlignOptions().MaxMismatches, "spike-in"); err != nil {
		return err
	}
	a.sp2, err = buildIndex(&r.spIdx, r.Spikeins, SecondPassMismatches, "spike-in")
	return err
}

// alignAll is Align with spike-ins or 2-mismatch classes: at each
// mismatch level (1, then 2 unless SinglePass) spike-ins, then hairpins,
// then other classes; the first that matches ends the search. So miRNA
// still wins over a class at equal mismatches and reads with two errors
// are placed in the classes as on the hairpins.
func (a *InsertAligner) alignAll(read []byte) {
	if a.alignLevel(a.sp, a.hp, a.ot, read) || a.SinglePass {
		return
	}
	a.alignLevel(a.sp2, a.hp2, a.ot2, read)
}

// alignLevel searches one mismatch level of alignAll: spike-ins (sp, may
// be nil), hairpins, other classes (ot, may be nil); true once one matched.
func (a *InsertAligner) alignLevel(sp, hp, ot *align.Index, read []byte) bool {
	if sp != nil && a.spikeins(sp, read) {
		return true
	}
	a.hairpins(hp, read)
	if len(a.hits) > 0 {
		return true
	}
	if ot != nil {
		a.others(ot, read)
		return len(a.classes) > 0
	}
	return false
}

func (a *InsertAligner) spikeins(ix *align.Index, read []byte) bool {
	a.scratch = ix.Align(read, a.scratch[:0])
	for _, h := range a.scratch {
		if !h.Reverse && !containsInt32(a.spikes, h.Ref) {
			a.spikes = append(a.spikes, h.Ref)
		}
	}
	sort.Slice(a.spikes, func(i, j int) bool { return a.spikes[i] < a.spikes[j] })
	return len(a.spikes) > 0
}

func containsInt32(s []int32, x int32) bool {
	for _, y := range s {
		if y == x {
			return true
		}
	}
	return false
}

// complete adds to x what Assign does not see: spike-in hits and the
// other-class hits of its class.
func (a *InsertAligner) complete(x *Assignment) {
	if len(a.spikes) > 0 && x.Kind == Unmapped {
		x.Kind = Spikein
		x.Spikes = append([]int32(nil), a.spikes...)
		return
	}
	if x.Kind != OtherRNA {
		return
	}
	for _, h := range a.ohits {
		if a.ref.Others[h.Hairpin].Class == x.Class {
			x.Others = append(x.Others, h)
		}
	}
}

// otherFeatures is the per-feature view of Reference.Others: a feature is
// a record name, except that a pre-tRNA ("pre-X" in class tRNA) is
// counted under its mature tRNA X.
type otherFeatures struct {
	once     sync.Once
	names    []string
	class    []int   // class index per feature
	of       []int32 // Others index → feature
	trna     []trnaInfo
	ot2, sp1 indexed
}

func (r *Reference) otherFeatures() *otherFeatures {
	f := &r.feats
	f.once.Do(func() {
		byKey := make(map[string]int32)
		f.of = make([]int32, len(r.Others))
		f.trna = make([]trnaInfo, len(r.Others))
		for i, o := range r.Others {
			name := o.Name
			class := r.Classes[o.Class]
			if class == "tRNA" {
				f.trna[i] = parseTRNA(o)
				name = strings.TrimPrefix(name, "pre-")
			}
			key := class + "\x00" + name
			fi, ok := byKey[key]
			if !ok {
				fi = int32(len(f.names))
				byKey[key] = fi
				f.names = append(f.names, name)
				f.class = append(f.class, o.Class)
			}
			f.of[i] = fi
		}
	})
	return f
}

// OtherFeatureNames returns the per-feature names of the other classes and
// each one's class index, in the order of smallrna_counts.tsv.
func (r *Reference) OtherFeatureNames() (names []string, classes []int) {
	f := r.otherFeatures()
	return f.names, f.class
}

// SmallRNACounts are a sample's counts on the other classes and spike-ins.
type SmallRNACounts struct {
	// Features are reads per other-class feature (Reference.OtherFeatureNames
	// order); an insert on several features of its class is shared equally.
	// They sum to reads_other_rna. Nil (and TRF too) when the sample's
	// other-RNA hits were not known (BAM input gives classes only).
	Features []int64
	// TRF are reads per (tRNA feature, fragment type), for the class
	// "tRNA"; they sum to class_tRNA. Keys are sorted.
	TRF []TRFCount
	// Spikeins are reads per spike-in (Reference.Spikeins order).
	Spikeins []int64
}

// TRFCount is the reads of one fragment type of one tRNA.
type TRFCount struct {
	Feature int32 // index in Reference.OtherFeatureNames
	Type    TRFType
	Reads   int64
}

// annBuilder accumulates SmallRNACounts (fractional until Finish).
type annBuilder struct {
	feat  []float64
	trf   map[[2]int32]float64
	spike []float64
	keys  [][2]int32 // scratch
	// unplaced counts other-RNA reads without their hits (BAM input):
	// then no per-feature counts are given.
	unplaced int64
}

func (b *Builder) addOther(reads int64, a Assignment) {
	if len(a.Others) == 0 {
		b.ann.unplaced += reads
		return
	}
	f := b.ref.otherFeatures()
	ab := &b.ann
	if ab.feat == nil {
		ab.feat = make([]float64, len(f.names))
		ab.trf = make(map[[2]int32]float64)
	}
	// A tRNA read on a mature tRNA is typed there; pre-tRNA hits count
	// only when no mature matches (leader, trailer, intron).
	mature := false
	for _, h := range a.Others {
		if f.trna[h.Hairpin].kind == trnaMature {
			mature = true
		}
	}
	ab.keys = ab.keys[:0]
	for _, h := range a.Others {
		t := &f.trna[h.Hairpin]
		if mature && t.kind == trnaPre {
			continue
		}
		k := [2]int32{f.of[h.Hairpin], -1}
		if b.ref.Classes[a.Class] == "tRNA" {
			k[1] = int32(t.classify(int(h.Pos), int(h.Pos)+int(h.Len), len(b.ref.Others[h.Hairpin].Seq)))
		}
		if !containsKey(ab.keys, k) {
			ab.keys = append(ab.keys, k)
		}
	}
	nf := 0
	for i := range ab.keys {
		if firstOfFeature(ab.keys, i) {
			nf++
		}
	}
	for i, k := range ab.keys {
		if firstOfFeature(ab.keys, i) {
			ab.feat[k[0]] += float64(reads) / float64(nf)
		}
		if k[1] >= 0 {
			ab.trf[k] += float64(reads) / float64(len(ab.keys))
		}
	}
}

// firstOfFeature reports whether keys[i] is the first of keys on its
// feature (keys[i][0]).
func firstOfFeature(keys [][2]int32, i int) bool {
	for _, q := range keys[:i] {
		if q[0] == keys[i][0] {
			return false
		}
	}
	return true
}

func containsKey(s [][2]int32, k [2]int32) bool {
	for _, q := range s {
		if q == k {
			return true
		}
	}
	return false
}

func (b *Builder) addSpike(reads int64, a Assignment) {
	ab := &b.ann
	if ab.spike == nil {
		ab.spike = make([]float64, len(b.ref.Spikeins))
	}
	for _, s := range a.Spikes {
		ab.spike[s] += float64(reads) / float64(len(a.Spikes))
	}
}

// finishAnnotation rounds the counts into s and returns the summary rows
// trf_<type> (when the reference has a tRNA class).
func (b *Builder) finishAnnotation(s *Sample) []Stat {
	f := b.ref.otherFeatures()
	ab := &b.ann
	sc := &SmallRNACounts{}
	if ab.feat == nil {
		ab.feat = make([]float64, len(f.names))
	}
	sc.Features = roundTotal(ab.feat)
	keys := make([][2]int32, 0, len(ab.trf))
	for k := range ab.trf {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if keys[i][0] != keys[j][0] {
			return keys[i][0] < keys[j][0]
		}
		return keys[i][1] < keys[j][1]
	})
	vals := make([]float64, len(keys))
	for i, k := range keys {
		vals[i] = ab.trf[k]
	}
	var byType [numTRFTypes]int64
	for i, n := range roundTotal(vals) {
		if n == 0 {
			continue
		}
		sc.TRF = append(sc.TRF, TRFCount{Feature: keys[i][0], Type: TRFType(keys[i][1]), Reads: n})
		byType[keys[i][1]] += n
	}
	if len(b.ref.Spikeins) > 0 {
		if ab.spike == nil {
			ab.spike = make([]float64, len(b.ref.Spikeins))
		}
		sc.Spikeins = roundTotal(ab.spike)
	}
	s.SmallRNA = sc
	if ab.unplaced > 0 { // BAM input: classes only
		sc.Features, sc.TRF = nil, nil
		return nil
	}
	var rows []Stat
	for _, c := range b.ref.Classes {
		if c == "tRNA" {
			for t := TRFType(0); t < numTRFTypes; t++ {
				rows = append(rows, Stat{"trf_" + t.String(), itoa(byType[t])})
			}
			break
		}
	}
	return rows
}

// checkSameRef fails unless every sample was counted on one reference.
func checkSameRef(samples []*Sample) error {
	for _, s := range samples[1:] {
		if s.Ref != samples[0].Ref {
			return fmt.Errorf("%w: %s and %s", ErrSampleMismatch, samples[0].Name, s.Name)
		}
	}
	return nil
}

func smallRNA(s *Sample) *SmallRNACounts {
	if s.SmallRNA == nil {
		return &SmallRNACounts{}
	}
	return s.SmallRNA
}

// WriteSmallRNACounts writes the per-feature matrix of the other classes:
// header "feature\tclass\t<samples>", one row per feature (zeros included)
// in Reference.OtherFeatureNames order.
func WriteSmallRNACounts(w io.Writer, samples []*Sample) error {
	return writeCountTable(w, samples, "feature\tclass", func(sb *strings.Builder) {
		ref := samples[0].Ref
		names, classes := ref.OtherFeatureNames()
		for i, n := range names {
			sb.WriteString(n + "\t" + ref.Classes[classes[i]])
			writeCountCells(sb, samples, i, func(c *SmallRNACounts) []int64 { return c.Features })
		}
	})
}

// WriteTRFCounts writes reads per tRNA and fragment type: header
// "trna\ttrf_type\t<samples>", one row per pair seen in any sample,
// sorted by tRNA name then type (TRFTypes order): a per-sample file lists
// only the pairs it saw, so name order lets a merge of them (exomir merge)
// give the study-level file.
func WriteTRFCounts(w io.Writer, samples []*Sample) error {
	return writeCountTable(w, samples, "trna\ttrf_type", func(sb *strings.Builder) {
		names, _ := samples[0].Ref.OtherFeatureNames()
		cells := make(map[[2]int32][]int64)
		var keys [][2]int32
		for j, s := range samples {
			for _, t := range smallRNA(s).TRF {
				k := [2]int32{t.Feature, int32(t.Type)}
				row, ok := cells[k]
				if !ok {
					row = make([]int64, len(samples))
					cells[k] = row
					keys = append(keys, k)
				}
				row[j] = t.Reads
			}
		}
		sortTRFKeys(keys, names)
		for _, k := range keys {
			sb.WriteString(names[k[0]] + "\t" + TRFType(k[1]).String())
			for _, v := range cells[k] {
				sb.WriteString("\t" + strconv.FormatInt(v, 10))
			}
			sb.WriteByte('\n')
		}
	})
}

// WriteSpikeinCounts writes reads per spike-in: header
// "spikein\t<samples>", one row per spike-in FASTA record in file order.
func WriteSpikeinCounts(w io.Writer, samples []*Sample) error {
	return writeCountTable(w, samples, "spikein", func(sb *strings.Builder) {
		for i, sp := range samples[0].Ref.Spikeins {
			sb.WriteString(sp.Name)
			writeCountCells(sb, samples, i, func(c *SmallRNACounts) []int64 { return c.Spikeins })
		}
	})
}

// writeCountTable checks that samples share one reference and writes a
// count table: the lead columns and one column per sample, then the rows
// that rows adds (run only when the check passed).
func writeCountTable(w io.Writer, samples []*Sample, lead string, rows func(sb *strings.Builder)) error {
	if len(samples) == 0 {
		return fmt.Errorf("%w: no samples", ErrBadOption)
	}
	if err := checkSameRef(samples); err != nil {
		return err
	}
	sb := &strings.Builder{}
	sb.WriteString(lead)
	for _, s := range samples {
		sb.WriteString("\t" + s.Name)
	}
	sb.WriteByte('\n')
	rows(sb)
	_, err := io.WriteString(w, sb.String())
	return err
}

// writeCountCells ends a row with each sample's count i of the slice col
// picks from its SmallRNACounts (0 where the slice is shorter).
func writeCountCells(sb *strings.Builder, samples []*Sample, i int, col func(*SmallRNACounts) []int64) {
	for _, s := range samples {
		v := int64(0)
		if c := col(smallRNA(s)); i < len(c) {
			v = c[i]
		}
		sb.WriteString("\t" + strconv.FormatInt(v, 10))
	}
	sb.WriteByte('\n')
}

// smallRNAOutputs are the per-sample files of the other classes and
// spike-ins, when the reference has any.
func smallRNAOutputs(s *Sample) []OutputFile {
	var out []OutputFile
	one := []*Sample{s}
	if len(s.Ref.Others) > 0 && s.SmallRNA != nil && s.SmallRNA.Features != nil {
		out = append(out,
			OutputFile{s.Name + ".smallrna_counts.tsv", func(w io.Writer) error { return WriteSmallRNACounts(w, one) }},
			OutputFile{s.Name + ".trf_counts.tsv", func(w io.Writer) error { return WriteTRFCounts(w, one) }})
	}
	if len(s.Ref.Spikeins) > 0 {
		out = append(out, OutputFile{s.Name + ".spikein_counts.tsv", func(w io.Writer) error { return WriteSpikeinCounts(w, one) }})
	}
	return out
}

// sortTRFKeys sorts (feature, type) keys by feature name, feature, type.
func sortTRFKeys(keys [][2]int32, names []string) {
	sort.Slice(keys, func(i, j int) bool {
		a, b := keys[i], keys[j]
		if a[0] != b[0] {
			if names[a[0]] != names[b[0]] {
				return names[a[0]] < names[b[0]]
			}
			return a[0] < b[0]
		}
		return a[1] < b[1]
	})
}
