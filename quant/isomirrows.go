package quant

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// IsomirRows produces the rows of an isomiR count table: it calls emit
// for every (read, miRNA) at its primary placement, in GFF order, with
// its count (Isomir.Expr) in each sample of the table. iso and counts are
// valid during the call only. It is how WriteIsomirRows and
// IsomirMatricesOf read samples held in memory (SampleIsomirRows) or
// spilled to disk (MergeIsomirSpills) alike.
type IsomirRows func(emit func(iso *Isomir, counts []int64)) error

// SampleIsomirRows returns the rows of samples held in memory.
func SampleIsomirRows(samples []*Sample) IsomirRows {
	return func(emit func(iso *Isomir, counts []int64)) error {
		return mergeIsomirs(samples, true, emit)
	}
}

// WriteIsomirRows writes isomir_counts.tsv (see WriteIsomirCounts) from
// rows over the samples named names, on ref.
func WriteIsomirRows(w io.Writer, ref *Reference, names []string, rows IsomirRows) error {
	if len(names) == 0 {
		return fmt.Errorf("%w: no samples for the isomiR table", ErrBadOption)
	}
	bw := bufio.NewWriter(w)
	bw.WriteString("uid\tread\tmirna\tvariant")
	for _, n := range names {
		if err := CheckSampleName(n); err != nil {
			return err
		}
		bw.WriteByte('\t')
		bw.WriteString(n)
	}
	bw.WriteByte('\n')
	return writeIsomirLines(bw, rows, func(b []byte, iso *Isomir, expr []int64) []byte {
		b = appendUID(b, iso.Seq)
		b = append(b, '\t')
		b = append(b, iso.Seq...)
		b = append(b, '\t')
		b = append(b, ref.Features[iso.Feature].Name...)
		b = append(b, '\t')
		b = appendVariant(b, iso.Variant)
		return appendTabInts(b, expr)
	})
}

// writeIsomirLines writes to bw the line format makes of each row (format
// appends to b, which it gets empty, all but the newline), then flushes.
func writeIsomirLines(bw *bufio.Writer, rows IsomirRows, format func(b []byte, iso *Isomir, expr []int64) []byte) error {
	var b []byte
	err := rows(func(iso *Isomir, expr []int64) {
		b = append(format(b[:0], iso, expr), '\n')
		bw.Write(b)
	})
	if err != nil {
		return err
	}
	return bw.Flush()
}

// appendTabInts appends each of v to b after a tab.
func appendTabInts(b []byte, v []int64) []byte {
	for _, x := range v {
		b = append(b, '\t')
		b = strconv.AppendInt(b, x, 10)
	}
	return b
}

// spillHeader is the first line of a file written by WriteIsomirSpill.
const spillHeader = "#exomir isomir rows 1\thairpin\tstart\tfeature\tseq\tshift5\tshift3\tadd3p\tsnv\texpr"

// WriteIsomirSpill writes the primary placements of one sample in GFF
// order with their counts, as MergeIsomirSpills reads them back: a
// compact form of the sample's isomir_counts rows that keeps the order
// key (hairpin and start, as reference indexes), so that many samples
// merge by streaming. It is a working file, valid only with the same
// reference.
func WriteIsomirSpill(w io.Writer, s *Sample) error {
	bw := bufio.NewWriter(w)
	bw.WriteString(spillHeader)
	bw.WriteByte('\n')
	return writeIsomirLines(bw, SampleIsomirRows([]*Sample{s}), func(b []byte, iso *Isomir, expr []int64) []byte {
		for _, v := range []int64{int64(iso.Hairpin), int64(iso.Start), int64(iso.Feature)} {
			b = strconv.AppendInt(b, v, 10)
			b = append(b, '\t')
		}
		b = append(b, iso.Seq...)
		v := iso.Variant
		return appendTabInts(b, []int64{int64(v.Shift5), int64(v.Shift3), int64(v.Add3p), int64(v.SNV), expr[0]})
	})
}

// spillInput is one input of MergeIsomirSpills and its current row.
type spillInput struct {
	sc   *bufio.Scanner
	file string
	line int
	cur  Isomir
	done bool
}

func (in *spillInput) errorf(format string, a ...any) error {
	return fmt.Errorf("%w: %s:%d: %s", ErrBadGFF, in.file, in.line, fmt.Sprintf(format, a...))
}

// next reads the next row.
func (in *spillInput) next(ref *Reference) error {
	if !in.sc.Scan() {
		if err := in.sc.Err(); err != nil {
			return fmt.Errorf("quant: %s: %w", in.file, err)
		}
		if in.line == 0 {
			return in.errorf("empty file, want the header %q", spillHeader)
		}
		in.done = true
		return nil
	}
	if err := in.sc.Err(); err != nil {
		// A read failed: the last line is cut short, not malformed.
		return fmt.Errorf("quant: %s: %w", in.file, err)
	}
	in.line++
	text := in.sc.Text()
	if in.line == 1 {
		if text != spillHeader {
			return in.errorf("header %q, want %q", text, spillHeader)
		}
		return in.next(ref)
	}
	f := strings.Split(text, "\t")
	if len(f) != 9 {
		return in.errorf("%d columns, want 9", len(f))
	}
	var n [8]int64
	for i, k := range []int{0, 1, 2, 4, 5, 6, 7, 8} {
		v, err := strconv.ParseInt(f[k], 10, 64)
		if err != nil {
			return in.errorf("column %d: %q is not an integer", k+1, f[k])
		}
		n[i] = v
	}
	iso := Isomir{Hairpin: int32(n[0]), Start: int32(n[1]), Feature: int32(n[2]), Seq: f[3],
		Variant: Variant{Shift5: int(n[3]), Shift3: int(n[4]), Add3p: int(n[5]), SNV: uint8(n[6])}, Expr: n[7], Primary: true}
	switch {
	case n[0] < 0 || int(n[0]) >= len(ref.Hairpins) || n[2] < 0 || int(n[2]) >= len(ref.Features):
		return in.errorf("hairpin %d or feature %d not in the reference", n[0], n[2])
	case n[6] < 0 || n[6] > 255 || n[7] < 0 || n[7] > MaxReadCount || iso.Seq == "":
		return in.errorf("bad row %q", text)
	case in.line > 2 && compareIsomir(&in.cur, &iso) >= 0:
		return in.errorf("rows not in GFF order")
	}
	in.cur = iso
	return nil
}

// MergeIsomirSpills returns the rows over samples spilled one per input
// by WriteIsomirSpill (files name them in errors: ErrBadGFF with file and
// line), merged by streaming: it holds one row per input, so hundreds of
// samples merge in little memory. The rows are those SampleIsomirRows
// gives for the samples in memory. The inputs are read once: the rows can
// be produced once.
func MergeIsomirSpills(ref *Reference, inputs []io.Reader, files []string) IsomirRows {
	return func(emit func(iso *Isomir, counts []int64)) error {
		if len(inputs) == 0 || len(files) != len(inputs) {
			return fmt.Errorf("%w: %d inputs, %d names", ErrBadOption, len(inputs), len(files))
		}
		ins := make([]*spillInput, len(inputs))
		for i, r := range inputs {
			sc := bufio.NewScanner(r)
			sc.Buffer(make([]byte, 4<<10), 16<<20)
			ins[i] = &spillInput{sc: sc, file: files[i]}
			if err := ins[i].next(ref); err != nil {
				return err
			}
		}
		expr := make([]int64, len(ins))
		for {
			var min *Isomir
			for _, in := range ins {
				if !in.done && (min == nil || compareIsomir(&in.cur, min) < 0) {
					min = &in.cur
				}
			}
			if min == nil {
				return nil
			}
			cur := *min
			for i, in := range ins {
				expr[i] = 0
				if !in.done && compareIsomir(&in.cur, &cur) == 0 {
					expr[i] = in.cur.Expr
					if err := in.next(ref); err != nil {
						return err
					}
				}
			}
			emit(&cur, expr)
		}
	}
}
