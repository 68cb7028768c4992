package quant

import (
	"bufio"
	"cmp"
	"fmt"
	"io"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/exomir/exomir/internal/atomicfile"
	"github.com/exomir/exomir/internal/resultset"
	"golang.org/x/sync/errgroup"
)

// WriteMatureCounts writes "mirna<TAB>count" and one row per reference
// feature in reference order, zeros included.
func WriteMatureCounts(w io.Writer, s *Sample) error {
	return writeNameCounts(w, "mirna", len(s.Ref.Features), func(i int) string { return s.Ref.Features[i].Name }, s.Mature)
}

// WriteHairpinCounts writes "hairpin<TAB>count" and one row per hairpin in
// reference order, zeros included.
func WriteHairpinCounts(w io.Writer, s *Sample) error {
	return writeNameCounts(w, "hairpin", len(s.Ref.Hairpins), func(i int) string { return s.Ref.Hairpins[i].Name }, s.Hairpin)
}

// writeNameCounts writes the header "<lead><TAB>count" and the rows
// "name(i)<TAB>counts[i]" for i < n.
func writeNameCounts(w io.Writer, lead string, n int, name func(int) string, counts []int64) error {
	bw := bufio.NewWriter(w)
	bw.WriteString(lead + "\tcount\n")
	for i := 0; i < n; i++ {
		fmt.Fprintf(bw, "%s\t%d\n", name(i), counts[i])
	}
	return bw.Flush()
}

// WriteSummary writes "metric<TAB>value" rows of s.Stats.
func WriteSummary(w io.Writer, s *Sample) error {
	bw := bufio.NewWriter(w)
	bw.WriteString("metric\tvalue\n")
	for _, st := range s.Stats {
		fmt.Fprintf(bw, "%s\t%s\n", st.Name, st.Value)
	}
	return bw.Flush()
}

// GFFOptions describe the header of a mirGFF3 file.
type GFFOptions struct {
	// Database names the reference in "## source-ontology:"; default
	// "miRBase21".
	Database string
	// Tools is written in "## TOOLS:"; default "exomir".
	Tools string
}

// WriteIsomirGFF writes the isomiRs of one or more samples (sharing one
// reference) as mirGFF3 v1.2: one line per (sequence, hairpin, mature)
// with the samples' counts in Expression, in the order of "## COLDATA".
// Read is the insert sequence; UID is exomir's own reversible encoding of
// it ("ex" + length + "-" + the 2-bit-per-base packing in hex; sequences
// with other letters than ACGT use "ex" + length + "-" + the sequence),
// not the spec's lookup-table encoding. Hits is the number of the insert's
// placements (reference locations). Expression is Isomir.Expr: the
// insert's count on the mature after the multi-mapping rule and rounding,
// on its primary placement (the first line of that read and mature, the
// lowest hairpin), 0 on its other placements; so the Expression of a
// mature's lines sums to its count in the count matrix (see
// WriteIsomirCounts). Lines are
// sorted by hairpin (reference order), start, end, sequence and mature
// writeMirGFFHeader writes the header lines of a mirGFF3 file over the
// samples named samples.
func writeMirGFFHeader(bw *bufio.Writer, o GFFOptions, samples []string) {
	fmt.Fprintf(bw, "## mirGFF3. VERSION 1.2\n")
	fmt.Fprintf(bw, "## source-ontology: %s doi:10.25504/fairsharing.hmgte8\n", o.Database)
	fmt.Fprintf(bw, "## TOOLS: %s\n", o.Tools)
	// COLDATA last: mirtop counts takes the line after it as the first record.
	fmt.Fprintf(bw, "## FILTER: PASS\n")
	fmt.Fprintf(bw, "## COLDATA: %s\n", strings.Join(samples, ","))
}

// (reference order), the order MergeIsomirGFF relies on.
func WriteIsomirGFF(w io.Writer, samples []*Sample, o GFFOptions) error {
	if len(samples) == 0 {
		return fmt.Errorf("%w: no samples for the GFF", ErrBadOption)
	}
	ref := samples[0].Ref
	names := make([]string, len(samples))
	for i, s := range samples {
		if s.Ref != ref {
			return fmt.Errorf("%w: %s and %s", ErrSampleMismatch, samples[0].Name, s.Name)
		}
		if err := CheckSampleName(s.Name); err != nil {
			return err
		}
		names[i] = s.Name
	}
	if o.Database == "" {
		o.Database = "miRBase21"
	}
	if o.Tools == "" {
		o.Tools = "exomir"
	}
	// A merged line: its first placement and the largest Hits; its
	// samples' counts are exprs[k*ns : (k+1)*ns] for line k.
	type line struct {
		iso  *Isomir
		hits int
	}
	ns := len(samples)
	// Each sample's placements are sorted in GFF order (on all CPUs; see
	// Sample.SortIsomirs), then merged: equal (sequence, hairpin, mature)
	// placements become one line. Blocks of merged lines are formatted by
	// all CPUs while the merge goes on, then written in order.
	orders := isomirOrders(samples, false)
	bw := bufio.NewWriter(w)
	writeMirGFFHeader(bw, o, names)
	var exprs []int64
	format := func(b []byte, k int, l *line) []byte {
		iso := l.iso
		hp := &ref.Hairpins[iso.Hairpin]
		typ := "isomiR"
		if iso.Variant.IsRef() {
			typ = "ref_miRNA"
		}
		b = append(b, hp.Name...)
		b = append(b, '\t')
		b = append(b, o.Database...)
		b = append(b, '\t')
		b = append(b, typ...)
		b = append(b, '\t')
		b = strconv.AppendInt(b, int64(iso.Start)+1, 10)
		b = append(b, '\t')
		b = strconv.AppendInt(b, int64(iso.Start)+int64(len(iso.Seq)), 10)
		b = append(b, "\t.\t+\t.\tRead="...)
		b = append(b, iso.Seq...)
		b = append(b, "; UID="...)
		b = appendUID(b, iso.Seq)
		b = append(b, "; Name="...)
		b = append(b, ref.Features[iso.Feature].Name...)
		b = append(b, "; Parent="...)
		b = append(b, hp.Name...)
		b = append(b, "; Variant="...)
		b = appendVariant(b, iso.Variant)
		b = append(b, "; Cigar="...)
		b = appendCigar(b, iso.Seq, hp.Seq[iso.Start:])
		b = append(b, "; Expression="...)
		for i, e := range exprs[k*ns : (k+1)*ns] {
			if i > 0 {
				b = append(b, ',')
			}
			b = strconv.AppendInt(b, e, 10)
		}
		b = append(b, "; Filter=Pass; Hits="...)
		b = strconv.AppendInt(b, int64(l.hits), 10)
		return append(b, '\n')
	}
	total := 0
	for _, o := range orders {
		total += len(o)
	}
	// lines never grows past its capacity, so the formatters may read
	// finished blocks while the merge appends.
	lines := make([]line, 0, total)
	// Written for the line being merged while finished lines are read.
	exprs = make([]int64, total*ns)
	const block = 8192
	blocks := make([][]byte, (total+block-1)/block)
	done := make([]chan struct{}, len(blocks)) // closed when blocks[i] is formatted
	for i := range done {
		done[i] = make(chan struct{})
	}
	ready := make(chan [2]int, len(blocks)+1) // block index, end line
	all := lines[:total]
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for r := range ready {
				b := make([]byte, 0, (r[1]-r[0]*block)*256) // ~200-byte lines: rarely regrown
				for k := r[0] * block; k < r[1]; k++ {
					b = format(b, k, &all[k])
				}
				blocks[r[0]] = b
				close(done[r[0]])
			}
		}()
	}
	// Blocks are written, in order, as soon as they are formatted, and
	// dropped: the formatted text is never all in memory at once.
	var werr error
	written := make(chan struct{})
	go func() {
		defer close(written)
		for i := range blocks {
			<-done[i]
			if werr == nil {
				_, werr = bw.Write(blocks[i])
			}
			blocks[i] = nil
		}
	}()
	heads := make([]int, len(samples))
	for {
		min := minHead(samples, orders, heads)
		if min == nil {
			break
		}
		l := line{iso: min}
		expr := exprs[len(lines)*ns : (len(lines)+1)*ns]
		for si, s := range samples {
			for heads[si] < len(orders[si]) {
				iso := &s.Isomirs[orders[si][heads[si]]]
				if compareIsomir(iso, l.iso) != 0 {
					break
				}
				expr[si] += iso.Expr
				l.hits = max(l.hits, iso.Hits)
				heads[si]++
			}
		}
		lines = append(lines, l)
		if len(lines)%block == 0 {
			ready <- [2]int{len(lines)/block - 1, len(lines)}
		}
	}
	if len(lines)%block != 0 {
		ready <- [2]int{len(lines) / block, len(lines)}
	}
	close(ready)
	wg.Wait()
	// Blocks past the merged lines (equal placements merged) stay empty.
	for i := (len(lines) + block - 1) / block; i < len(done); i++ {
		close(done[i])
	}
	<-written
	if werr != nil {
		return werr
	}
	return bw.Flush()
}

// isomirOrders returns each sample's isomirOrder (only its primary
// placements when primary is set), one sample per CPU at a time.
func isomirOrders(samples []*Sample, primary bool) [][]int32 {
	orders := make([][]int32, len(samples))
	eachOnCPUs(len(samples), func(si int) {
		s := samples[si]
		order := isomirOrder(s.Isomirs)
		if primary {
			n := 0
			for _, i := range order {
				if s.Isomirs[i].Primary {
					order[n] = i
					n++
				}
			}
			order = order[:n]
		}
		orders[si] = order
	})
	return orders
}

// eachOnCPUs calls fn(0), …, fn(n-1) on at most GOMAXPROCS goroutines at
// a time and returns when all are done.
func eachOnCPUs(n int, fn func(i int)) {
	var g errgroup.Group
	g.SetLimit(runtime.GOMAXPROCS(0))
	for i := range n {
		g.Go(func() error { fn(i); return nil })
	}
	g.Wait()
}

// isomirOrder returns the indexes of isos in GFF order (compareIsomir).
// Most comparisons are decided by two integer keys sorted with the index:
// hairpin, start and length packed in one, the sequence's first 21 bases
// (3 bits each, in letter order) in the other; only ties on both compare
// the placements themselves.
func isomirOrder(isos []Isomir) []int32 {
	type keyed struct {
		k, s uint64
		i    int32
	}
	keys := make([]keyed, len(isos))
	packable := true
	for i := range isos {
		iso := &isos[i]
		h, st, l := uint64(iso.Hairpin), uint64(iso.Start), uint64(len(iso.Seq))
		if iso.Hairpin < 0 || iso.Start < 0 || h >= 1<<24 || st >= 1<<24 || l >= 1<<16 {
			packable = false
			break
		}
		keys[i] = keyed{h<<40 | st<<16 | l, seqPrefixKey(iso.Seq), int32(i)}
	}
	order := make([]int32, len(isos))
	if !packable {
		for i := range order {
			order[i] = int32(i)
		}
		less := func(i, j int32) int { return compareIsomir(&isos[i], &isos[j]) }
		if !slices.IsSortedFunc(order, less) {
			slices.SortFunc(order, less)
		}
		return order
	}
	less := func(a, b keyed) int {
		if a.k != b.k {
			return cmp.Compare(a.k, b.k)
		}
		if a.s != b.s && a.s != 0 && b.s != 0 {
			return cmp.Compare(a.s, b.s)
		}
		return compareIsomir(&isos[a.i], &isos[b.i])
	}
	if !slices.IsSortedFunc(keys, less) {
		slices.SortFunc(keys, less)
	}
	for i, k := range keys {
		order[i] = k.i
	}
	return order
}

// prefixCode maps the letters that sort in this order (A C G N T: the
// only ones in inserts) to 1..5, others to 0.
var prefixCode = func() (t [256]uint8) {
	for i, c := range "ACGNT" {
		t[c] = uint8(i + 1)
	}
	return t
}()

// seqPrefixKey packs the first 21 letters of s, 3 bits each, so that keys
// of equal-length sequences order as the sequences do; 0 (compare the
// sequences) when one of those letters is another.
func seqPrefixKey(s string) uint64 {
	var k uint64
	n := min(len(s), 21)
	for i := 0; i < n; i++ {
		c := prefixCode[s[i]]
		if c == 0 {
			return 0
		}
		k = k<<3 | uint64(c)
	}
	return k << (3 * uint(21-n))
}

// compareIsomir orders placements as the GFF lists them: by hairpin,
// start, end, sequence and mature.
func compareIsomir(a, b *Isomir) int {
	switch {
	case a.Hairpin != b.Hairpin:
		return cmp.Compare(a.Hairpin, b.Hairpin)
	case a.Start != b.Start:
		return cmp.Compare(a.Start, b.Start)
	case len(a.Seq) != len(b.Seq): // the end column
		return cmp.Compare(len(a.Seq), len(b.Seq))
	case a.Seq != b.Seq:
		return strings.Compare(a.Seq, b.Seq)
	}
	return cmp.Compare(a.Feature, b.Feature)
}

// UID is exomir's identifier of a read sequence used in the mirGFF3 UID
// attribute (see WriteIsomirGFF). It is reversible and collision-free.
func UID(seq string) string { return string(appendUID(nil, seq)) }

func appendUID(b []byte, seq string) []byte {
	b = append(b, "ex"...)
	b = strconv.AppendInt(b, int64(len(seq)), 10)
	b = append(b, '-')
	for i := 0; i < len(seq); i++ {
		switch seq[i] {
		case 'A', 'C', 'G', 'T':
		default:
			return append(b, seq...)
		}
	}
	const hex = "0123456789abcdef"
	for i := 0; i < len(seq); i += 2 {
		v := code2(seq[i]) << 2
		if i+1 < len(seq) {
			v |= code2(seq[i+1])
		}
		b = append(b, hex[v])
	}
	return b
}

func code2(c byte) byte {
	switch c {
	case 'C':
		return 1
	case 'G':
		return 2
	case 'T':
		return 3
	}
	return 0
}

// appendCigar appends the description of read against the reference starting at its first base
// in mirtop's compact form: runs of matches as "<n>M" ("M" for one), a
// mismatching (or overhanging) read base as the base itself.
func appendCigar(b []byte, read string, ref []byte) []byte {
	run := 0
	flush := func() {
		if run > 1 {
			b = strconv.AppendInt(b, int64(run), 10)
		}
		if run > 0 {
			b = append(b, 'M')
		}
		run = 0
	}
	for i := 0; i < len(read); i++ {
		if i < len(ref) && read[i] == ref[i] {
			run++
			continue
		}
		flush()
		b = append(b, read[i])
	}
	flush()
	return b
}

// OutputFile is one per-sample output: its file name and what writes it.
type OutputFile struct {
	Name  string
	Write func(io.Writer) error
}

// outputFiles lists the per-sample outputs of s: NAME.mirna_counts.tsv,
// .hairpin_counts.tsv, .isomirs.gff3, .isomir_counts.tsv and .summary.tsv,
// plus the small-RNA files and, with the exogenous search,
// .exogenous_counts.tsv and .editing.tsv (see extraOutputs).
func outputFiles(s *Sample, o GFFOptions) []OutputFile {
	out := []OutputFile{
		{s.Name + ".mirna_counts.tsv", func(w io.Writer) error { return WriteMatureCounts(w, s) }},
		{s.Name + ".hairpin_counts.tsv", func(w io.Writer) error { return WriteHairpinCounts(w, s) }},
		{s.Name + ".isomirs.gff3", func(w io.Writer) error { return WriteIsomirGFF(w, []*Sample{s}, o) }},
		{s.Name + ".isomir_counts.tsv", func(w io.Writer) error { return WriteIsomirCounts(w, []*Sample{s}) }},
		{s.Name + ".summary.tsv", func(w io.Writer) error { return WriteSummary(w, s) }},
	}
	out = append(out, smallRNAOutputs(s)...)
	return append(out, extraOutputs(s)...)
}

// WriteOutputs writes the per-sample outputs of s (NAME.mirna_counts.tsv,
// .hairpin_counts.tsv, .isomirs.gff3, .summary.tsv) and extra into dir as one set
// (keyed by the sample name): they appear together, replacing the
// sample's previous set, or not at all; see package internal/resultset.
func WriteOutputs(dir string, s *Sample, o GFFOptions, extra ...OutputFile) error {
	if err := CheckSampleName(s.Name); err != nil {
		return err // the name is part of the file names: never outside dir
	}
	set, err := resultset.Begin(dir, s.Name)
	if err != nil {
		return fmt.Errorf("quant: %w", err)
	}
	defer set.Abort()
	files := append(outputFiles(s, o), extra...)
	// The files are written at once, on up to GOMAXPROCS goroutines (the
	// writers only read s), each into its own staging file: the serial
	// tail of quant after counting is then the longest writer, not all.
	out := make([]*atomicfile.File, len(files))
	for i, f := range files {
		if out[i], err = set.Create(f.Name); err != nil {
			for _, g := range out[:i] {
				g.Abort()
			}
			return fmt.Errorf("quant: %w", err)
		}
	}
	if dir == "" {
		dir = "."
	}
	errs := make([]error, len(files))
	eachOnCPUs(len(files), func(i int) {
		defer out[i].Abort()
		if err := files[i].Write(out[i].Writer); err != nil {
			errs[i] = fmt.Errorf("write %s: %w", filepath.Join(dir, files[i].Name), err)
			return
		}
		errs[i] = out[i].Commit()
	})
	for _, err := range errs {
		if err != nil {
			return fmt.Errorf("quant: %w", err)
		}
	}
	if err := set.Commit(); err != nil {
		return fmt.Errorf("quant: %w", err)
	}
	return nil
}
