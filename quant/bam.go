package quant

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// Sentinel errors of the BAM/SAM input; wrapped errors match them with
// errors.Is.
var (
	ErrAlignmentFormat  = errors.New("quant: not a BAM or SAM file")
	ErrAlignmentRecord  = errors.New("quant: bad BAM/SAM record")
	ErrUnknownReference = errors.New("quant: alignments on references absent from the miRNA reference")
	ErrReferenceLength  = errors.New("quant: reference lengths in the alignment header differ from the miRNA reference")
	ErrNotGrouped       = errors.New("quant: records of one read are not adjacent")
	ErrReadCount        = errors.New("quant: read count in a read name out of range")
)

// MaxReadCount is the largest read count a collapsed-read name ("_x<count>")
// or a sum of them may carry: 2^53, beyond which float64 arithmetic (DESeq2,
// edgeR) is no longer exact. No sequencing run comes near it, so a larger
// value is a corrupt or forged name, not data.
const MaxReadCount = 1 << 53

// AlignmentError locates a problem in a BAM or SAM file. Record is the
// 1-based number of the alignment record (0: in the header).
type AlignmentError struct {
	File   string
	Record int64
	Err    error
}

func (e *AlignmentError) Error() string {
	file := e.File
	if file == "" {
		file = "<input>"
	}
	if e.Record == 0 {
		return fmt.Sprintf("%s: header: %v", file, e.Err)
	}
	return fmt.Sprintf("%s: record %d: %v", file, e.Record, e.Err)
}

// Unwrap returns the underlying error.
func (e *AlignmentError) Unwrap() error { return e.Err }

// BAMOptions control the reading of BAM/SAM input. The zero value means
// the defaults.
type BAMOptions struct {
	// Options are the counting options: Multi is the multi-mapping rule,
	// Threads the number of BGZF decompression workers (0 = GOMAXPROCS;
	// results do not depend on it). UMI is ignored: BAM input has no UMIs,
	// counts are the reads given by the names' "_x<count>".
	Options
	// Assigner places hits on matures; nil means NewAssigner(ref, AssignerOptions{}),
	// the default windows of FASTQ input.
	Assigner *Assigner
	// KeepStrata keeps every hit of a read instead of only those of the
	// best (mismatches, tail) class, the class the aligner of the FASTQ
	// path keeps.
	KeepStrata bool
}

// BAMStats counts what a BAM/SAM file held. Reads are weighted by the
// "_x<count>" suffix of their names.
type BAMStats struct {
	Records      int64 // alignment records read
	Names        int64 // distinct read names (records grouped by name)
	Reads        int64 // reads: Σ weights of the names
	Unmapped     int64 // reads with no usable alignment
	Antisense    int64 // records on the reverse strand of a hairpin (ignored)
	Gapped       int64 // records with insertions, deletions or skips (ignored)
	Supplemental int64 // supplementary records (ignored)
	OffEnd       int64 // records past their reference's ends or disagreeing with the read's length (ignored)
	NoFeature    int64 // genome input: records on no annotated hairpin
	Inserts      int   // distinct (sequence, hits) combinations counted
	// MissingEOF is set for a BAM file without the BGZF end-of-file
	// marker: every record read was valid, but the file may have been cut
	// short (an interrupted copy or aligner).
	MissingEOF bool
}

// parseReadWeight returns the number of reads a read name stands for: the
// integer after a final "_x" (the miRDeep2/mirtop collapsed-read
// convention, "seq_12_x350" → 350), else 1 (no "_x", or "_x" followed by
// anything but digits). A count of 0 or above MaxReadCount is an error
// wrapping ErrReadCount.
func parseReadWeight(name string) (int64, error) {
	i := strings.LastIndex(name, "_x")
	if i < 0 || i+2 == len(name) {
		return 1, nil
	}
	digits := name[i+2:]
	for j := 0; j < len(digits); j++ {
		if digits[j] < '0' || digits[j] > '9' {
			return 1, nil
		}
	}
	n, err := strconv.ParseUint(digits, 10, 64)
	if err != nil || n < 1 || n > MaxReadCount {
		return 0, fmt.Errorf("%w: %q (want 1..2^53)", ErrReadCount, name)
	}
	return int64(n), nil
}

// AlignedInsert is one distinct insert with its hits on the hairpins of a
// Reference and the number of reads (and molecules) carrying it. It is
// what BAM input is reduced to, and what WriteBAM writes.
type AlignedInsert struct {
	Seq       []byte // DNA, upper case, 5'→3'
	Reads     int64
	Molecules int64 // = Reads for BAM input
	Hits      []Hit // on Reference.Hairpins; empty when unmapped
	// Others are the other-RNA classes (indices in Reference.Classes) of
	// the insert's alignments on other-class sequences.
	Others []int
}

// ReadHairpinAlignments reads a BAM or SAM file (sniffed from its first
// bytes; SAM may be gzip-compressed) of reads aligned to the hairpins of
// ref, and reduces it to distinct inserts with their hits on the hairpins.
//
// Conversion rules, per read name (all records of a name are one read,
// multi-mappers included; its weight is the "_x<count>" suffix, else 1):
//   - records on the forward strand of a hairpin give a Hit: the aligned
//     part plus any 5' clipped bases is templated (clipped 5' bases count
//     as mismatches where they differ), 3' soft/hard-clipped bases are the
//     untemplated tail; then, as the FASTQ-path aligner does, the 3' end is
//     re-expressed with 0–3 untemplated A/T bases when that removes
//     mismatches, and only the hits of the best (mismatches, tail) class
//     are kept (unless o.KeepStrata);
//   - records on other-class sequences of ref (Reference.Others names)
//     make the read other-RNA, unless it also has a hairpin hit;
//   - unmapped, reverse-strand, supplementary, gapped (I/D/N/P) and
//     off-end records give no hit; a read left with no hit is unmapped.
//
// A read with no SEQ in any record (secondary records often omit it) is
// rebuilt from the hairpin, with N at the mismatches of its MD tag.
// Grouping by name: coordinate-sorted files (@HD SO:coordinate) are
// grouped in memory, other files must keep a read's records adjacent (as
// aligners write them) and stream; see insertCollector.collect. Reads
// with the same sequence and hits are merged into one insert; inserts are
// returned in an order independent of the order of the records: by
// "seq_<i>_x<n>" index when every name has one (the collapser's order, as
// in the FASTQ path), else by sequence and hits. So sorted, unsorted and
// name-sorted copies of a file give the same counts.
//
// Records on references that are neither hairpins nor other sequences of
// ref give an ErrUnknownReference error naming the first few; @SQ lengths
// that differ from the hairpins give ErrReferenceLength. Bad or truncated
// input gives an *AlignmentError with the file and record number.
func ReadHairpinAlignments(ctx context.Context, r io.Reader, file string, ref *Reference, o BAMOptions) ([]AlignedInsert, BAMStats, error) {
	return readAlignments(ctx, r, file, ref, o,
		func(ar *alignmentReader, _ *insertCollector) error { return checkHeaderLengths(ar, ref) },
		func(c *insertCollector) error {
			if len(c.unknown) > 0 {
				return unknownRefError(file, c.unknown, c.unknownSet)
			}
			return nil
		})
}

// readAlignments is the body of ReadHairpinAlignments and
// ReadGenomeAlignments: it opens r, lets setup prepare the collector and
// check the header, collects the records, lets check judge what was
// collected, and returns the inserts in canonical order.
func readAlignments(ctx context.Context, r io.Reader, file string, ref *Reference, o BAMOptions,
	setup func(*alignmentReader, *insertCollector) error, check func(*insertCollector) error) ([]AlignedInsert, BAMStats, error) {
	var st BAMStats
	if err := ctx.Err(); err != nil {
		return nil, st, err
	}
	ar, err := openAlignments(r, file, o.Threads)
	if err != nil {
		return nil, st, err
	}
	defer ar.Close()
	ar.ctx = ctx
	c := newInsertCollector(ref, &st, o.KeepStrata)
	if err := setup(ar, c); err != nil {
		return nil, st, err
	}
	if err := c.collect(ar); err != nil {
		return nil, st, err
	}
	if err := check(c); err != nil {
		return nil, st, err
	}
	c.canonicalOrder()
	st.Inserts = len(c.inserts)
	return c.inserts, st, nil
}

func checkHeaderLengths(ar *alignmentReader, ref *Reference) error {
	var bad []string
	for i, name := range ar.refs {
		hi := ref.HairpinIndex(name)
		if hi < 0 || ar.refLens[i] <= 0 {
			continue
		}
		if l := len(ref.Hairpins[hi].Seq); ar.refLens[i] != l {
			bad = append(bad, fmt.Sprintf("%s (LN:%d, hairpin %d nt)", name, ar.refLens[i], l))
		}
	}
	if len(bad) > 0 {
		return &AlignmentError{File: ar.file, Err: fmt.Errorf("%w (another miRBase version?): %s", ErrReferenceLength, abbreviate(bad, 5))}
	}
	return nil
}

func unknownRefError(file string, names []string, recs map[string]int64) error {
	var total int64
	for _, n := range recs {
		total += n
	}
	hint := ""
	for _, n := range names {
		if strings.HasPrefix(n, "chr") || (len(n) <= 2 && n != "") {
			hint = "; the file looks aligned to a genome: give a miRBase GFF3 (-gff) to count it on genome coordinates"
			break
		}
	}
	return &AlignmentError{File: file, Err: fmt.Errorf("%w: %d records on %d references, e.g. %s%s", ErrUnknownReference, total, len(names), abbreviate(names, 5), hint)}
}

// countAligned assigns each insert with a, in slice order, and returns the
// sample of ref they make with the counting rules of o (never UMIs: an
// alignment file has none) and the summary rows. Inserts with no hit are
// other-RNA when they have Others, else unmapped.
func countAligned(ref *Reference, a *Assigner, o Options, inserts []AlignedInsert, sample string, rows []Stat) *Sample {
	o.UMI = false
	b := NewBuilder(ref, o)
	for i := range inserts {
		in := &inserts[i]
		asg := a.Assign(in.Seq, in.Hits, in.Others)
		b.Add(string(in.Seq), in.Reads, in.Molecules, asg)
	}
	return b.Finish(sample, rows)
}

// QuantifyHairpinBAM counts a BAM/SAM file aligned to the hairpins of ref
// with the rules of FASTQ input (see ReadHairpinAlignments for how records
// become hits) and returns the sample. The summary has input_reads (Σ read
// weights), the reads_* partition of the Builder, and bam_* rows from
// BAMStats.
func QuantifyHairpinBAM(ctx context.Context, r io.Reader, file, sample string, ref *Reference, o BAMOptions) (*Sample, error) {
	opt := o
	inserts, st, err := ReadHairpinAlignments(ctx, r, file, ref, opt)
	if err != nil {
		return nil, err
	}
	a := opt.Assigner
	if a == nil {
		a = NewAssigner(ref, AssignerOptions{})
	}
	return countAligned(ref, a, opt.Options, inserts, sample, bamStatRows(st)), nil
}

func eofRow(missing bool) string {
	if missing {
		return "missing"
	}
	return "present"
}

// bamStatRows are the summary rows describing the BAM input.
func bamStatRows(st BAMStats) []Stat {
	return []Stat{
		{"input_reads", itoa(st.Reads)},
		{"reads_passed", itoa(st.Reads)},
		{"bam_records", itoa(st.Records)},
		{"bam_read_names", itoa(st.Names)},
		{"bam_distinct_inserts", strconv.Itoa(st.Inserts)},
		{"bam_records_antisense", itoa(st.Antisense)},
		{"bam_records_gapped", itoa(st.Gapped)},
		{"bam_records_supplementary", itoa(st.Supplemental)},
		{"bam_records_off_reference", itoa(st.OffEnd)},
		{"bam_eof_marker", eofRow(st.MissingEOF)},
	}
}
