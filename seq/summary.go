package seq

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
)

// Category is one line of the read accounting: the number of input reads
// that ended in this state. Name begins with "reads_".
type Category struct {
	Name  string
	Reads int64
}

// Read categories, in the fixed order of Summary.Categories. A read is
// assigned to the first one that applies.
const (
	CatNoAdapter    = "reads_no_adapter"    // adapter layout, but no adapter (nor partial adapter at the end) found
	CatAdapterDimer = "reads_adapter_dimer" // adapter found, insert empty after trimming and clips
	CatNoUMI        = "reads_no_umi"        // UMI layout, but fewer than UMILen bases after the adapter
	CatTooShort     = "reads_too_short"     // insert shorter than MinLen
	CatTooLong      = "reads_too_long"      // insert longer than MaxLen
	CatTooManyN     = "reads_too_many_n"    // more than MaxN N bases in the insert
	CatLowQuality   = "reads_low_quality"   // mean insert quality below MinMeanQual (only when set)
	CatPassed       = "reads_passed"        // counted in the collapsed inserts
)

const (
	catNoAdapter = iota
	catAdapterDimer
	catNoUMI
	catTooShort
	catTooLong
	catTooManyN
	catLowQuality
	catPassed
	numCategories
)

var categoryNames = [numCategories]string{
	CatNoAdapter, CatAdapterDimer, CatNoUMI, CatTooShort, CatTooLong,
	CatTooManyN, CatLowQuality, CatPassed,
}

// CategoryNames returns the read categories in their fixed order.
func CategoryNames() []string { return append([]string(nil), categoryNames[:]...) }

// Summary is the accounting of one input file.
type Summary struct {
	File       string
	InputReads int64
	// Categories lists every category in fixed order (zeros included);
	// their Reads sum to InputReads.
	Categories []Category
	// Adapter is the 3' adapter used, "polyA" for poly-A kits, or "none";
	// AdapterSource is "preset", "detected" or "user".
	Adapter, AdapterSource string
	// AdapterConfidence is the detection's confidence; 1 for a preset or
	// user adapter.
	AdapterConfidence float64
	// Detection is the detector's full answer with protocol auto, else nil.
	Detection *Detection
	// Protocol is the kit layout used ("truseq", ..., "none", "custom").
	Protocol string
	// Clip5 and Clip3 are the bases removed from each insert's 5' and 3'
	// ends after adapter trimming; LayoutSource says where they (and the
	// UMI layout) came from: "preset" (the named kit), "detected"
	// (protocol auto) or "user" (Options.Clip5/Clip3 given).
	Clip5, Clip3 int
	LayoutSource string
	// UMI reports whether reads carried UMIs (Insert.Molecules is then
	// the deduplicated count).
	UMI bool
	// LengthsRaw[n] counts input reads of length n; LengthsInsert[n]
	// counts passed reads whose insert has length n.
	LengthsRaw, LengthsInsert []int64
	// DistinctInserts is the number of collapsed inserts; Molecules the
	// sum of their molecule counts.
	DistinctInserts int
	Molecules       int64
}

// Count returns the reads of the named category (0 if absent).
func (s *Summary) Count(name string) int64 {
	for _, c := range s.Categories {
		if c.Name == name {
			return c.Reads
		}
	}
	return 0
}

// WriteSummary writes s as two tab-separated columns, metric and value:
// input_reads, every category, adapter, adapter_source,
// adapter_confidence, then the layout (protocol, clip5, clip3,
// layout_source) and detection details.
func WriteSummary(w io.Writer, s *Summary) error {
	bw := bufio.NewWriter(w)
	row := func(k, v string) { fmt.Fprintf(bw, "%s\t%s\n", k, v) }
	row("metric", "value")
	row("input_reads", strconv.FormatInt(s.InputReads, 10))
	for _, c := range s.Categories {
		row(c.Name, strconv.FormatInt(c.Reads, 10))
	}
	row("adapter", orNone(s.Adapter))
	row("adapter_source", s.AdapterSource)
	row("adapter_confidence", strconv.FormatFloat(s.AdapterConfidence, 'f', 3, 64))
	row("protocol", s.Protocol)
	row("clip5", strconv.Itoa(s.Clip5))
	row("clip3", strconv.Itoa(s.Clip3))
	row("layout_source", s.LayoutSource)
	row("umi", strconv.FormatBool(s.UMI))
	row("distinct_inserts", strconv.Itoa(s.DistinctInserts))
	row("molecules", strconv.FormatInt(s.Molecules, 10))
	if d := s.Detection; d != nil {
		row("detected_kit", d.Kit)
		row("detection_method", clean(d.Method))
		alts := ""
		for i, a := range d.Alternatives {
			if i > 0 {
				alts += ","
			}
			alts += a
		}
		row("detection_alternatives", orNone(alts))
		row("detection_support", strconv.FormatFloat(d.Support, 'f', 3, 64))
		row("detected_clip5", strconv.Itoa(d.Clip5))
		if d.Note != "" {
			row("detection_note", clean(d.Note))
		}
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("seq: write summary: %w", err)
	}
	return nil
}

// WriteLengths writes the read-length histograms as three tab-separated
// columns: length, raw (input reads of that length before trimming) and
// insert (passed reads with an insert of that length), from 0 to the
// longest length seen.
func WriteLengths(w io.Writer, s *Summary) error {
	bw := bufio.NewWriter(w)
	fmt.Fprintln(bw, "length\traw\tinsert")
	n := max(len(s.LengthsRaw), len(s.LengthsInsert))
	at := func(h []int64, i int) int64 {
		if i < len(h) {
			return h[i]
		}
		return 0
	}
	for i := 0; i < n; i++ {
		fmt.Fprintf(bw, "%d\t%d\t%d\n", i, at(s.LengthsRaw, i), at(s.LengthsInsert, i))
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("seq: write lengths: %w", err)
	}
	return nil
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

// clean keeps a free-text value on one TSV cell.
func clean(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c == '\t' || c == '\n' || c == '\r' {
			b[i] = ' '
		}
	}
	return string(b)
}
