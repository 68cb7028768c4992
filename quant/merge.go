package quant

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/exomir/exomir/seq"
)

// Sentinel errors of the count-file merge; wrapped errors match them with
// errors.Is.
var (
	ErrMergeNoInput        = errors.New("quant: merge: no input files")
	ErrMergeFeatures       = errors.New("quant: merge: files do not list the same features")
	ErrMergeCount          = errors.New("quant: merge: count is not an integer in 0..2^53")
	ErrMergeDuplicateName  = errors.New("quant: merge: duplicate sample name")
	ErrMergeDuplicateRow   = errors.New("quant: merge: feature listed twice in one file")
	ErrMergeColumns        = errors.New("quant: merge: wrong number of columns")
	ErrMergeEmpty          = errors.New("quant: merge: file has no feature rows")
	ErrMergeNeedsSampleRow = errors.New("quant: merge: a file with several count columns needs a header naming them")
)

// MergeOptions tunes MergeCountFiles. The zero value means the defaults.
type MergeOptions struct {
	// TempDir holds temporary files: reordered copies of inputs whose
	// feature order differs from the first file's, and partial matrices
	// when there are more inputs than MaxOpen. "" means os.TempDir().
	TempDir string
	// MaxOpen bounds the number of input files open at the same time
	// (0 means 400). With more inputs, groups of MaxOpen files are merged
	// into temporary matrices first, which are then merged.
	MaxOpen int
}

// MergeStats describes a finished merge.
type MergeStats struct {
	Samples   int // count columns written
	Features  int // rows written (without the header)
	Reordered int // input files whose feature order differed and were reordered
}

// sampleNameFromPath derives a sample name from a count file name:
// the base name without a ".gz" suffix, without the extension (".tsv",
// ".txt", ".csv") and without a trailing ".mirna_counts",
// ".hairpin_counts", ".counts", "_mirna_counts" or "_counts". So
// "out/S1.mirna_counts.tsv" gives "S1".
func sampleNameFromPath(path string) string {
	name := filepath.Base(path)
	name = strings.TrimSuffix(name, ".gz")
	for _, ext := range []string{".tsv", ".txt", ".csv"} {
		if strings.HasSuffix(name, ext) {
			name = strings.TrimSuffix(name, ext)
			break
		}
	}
	for _, suf := range []string{".mirna_counts", ".hairpin_counts", "_mirna_counts", "_hairpin_counts", ".counts", "_counts"} {
		if strings.HasSuffix(name, suf) {
			if len(name) == len(suf) {
				break // nothing would be left: keep the name
			}
			return strings.TrimSuffix(name, suf)
		}
	}
	return name
}

// genericCountHeader reports whether a column name says "count" rather
// than naming a sample.
func genericCountHeader(s string) bool {
	switch strings.ToLower(s) {
	case "", "count", "counts", "reads", "read_count", "value":
		return true
	}
	return false
}

// MergeCountFiles joins per-sample count tables into one count matrix
// written to w as TSV: a header "mirna<TAB>s1<TAB>s2…" (the first column
// name is taken from the first file's header when it has one), then one
// row per feature in the first file's order.
//
// Each input is a TSV file (plain or gzip) with a feature column followed
// by one or more count columns, with or without a header line; a first
// line with a count field that is not a number is a header. Lines starting
// with '#' and blank lines are ignored. Sample names: a single count
// column is named by its header when that is not a generic word such as
// "count", else by its file name ("out/S1.mirna_counts.tsv" gives "S1");
// files with several count columns (matrices, e.g. earlier merges) must
// have a header and keep its names.
// Duplicate sample names are an error.
//
// The merge streams: files are read line by line in lockstep, so memory
// holds one row of every file (plus a small read buffer per file), not
// samples × features. A cheap first pass over each file checks that all
// files list the same features; a file whose order differs from the first
// file's is rewritten, in the first file's order, to a temporary file
// (this holds that one file's rows in memory) and then merged in
// lockstep like the others. Files listing different feature sets give an
// ErrMergeFeatures error naming a feature that differs. Counts must be
// non-negative integers (ErrMergeCount, with file and line).
func MergeCountFiles(w io.Writer, paths []string, o MergeOptions) (MergeStats, error) {
	if o.MaxOpen <= 0 {
		o.MaxOpen = 400
	}
	if o.MaxOpen < 2 {
		o.MaxOpen = 2
	}
	if len(paths) == 0 {
		return MergeStats{}, ErrMergeNoInput
	}
	if len(paths) <= o.MaxOpen {
		return mergeFlat(w, paths, &o)
	}
	// Too many files to hold open: merge groups into temporary matrices.
	tmpDir, err := os.MkdirTemp(o.TempDir, "exomir-merge-")
	if err != nil {
		return MergeStats{}, fmt.Errorf("quant: merge: %w", err)
	}
	defer os.RemoveAll(tmpDir)
	// Check sample names over all inputs first so the error names the
	// original files.
	if _, err := sampleNamesOf(paths); err != nil {
		return MergeStats{}, err
	}
	var parts []string
	var st MergeStats
	for i := 0; i < len(paths); i += o.MaxOpen {
		j := min(i+o.MaxOpen, len(paths))
		part := filepath.Join(tmpDir, fmt.Sprintf("part%06d.tsv", len(parts)))
		f, err := os.Create(part)
		if err != nil {
			return MergeStats{}, fmt.Errorf("quant: merge: %w", err)
		}
		bw := bufio.NewWriterSize(f, 1<<16)
		s, err := mergeFlat(bw, paths[i:j], &o)
		if err == nil {
			err = bw.Flush()
		}
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return MergeStats{}, err
		}
		st.Reordered += s.Reordered
		parts = append(parts, part)
	}
	s, err := MergeCountFiles(w, parts, o)
	s.Reordered += st.Reordered
	return s, err
}

// countFile reads one count table line by line.
type countFile struct {
	path   string
	f      *os.File
	sc     *bufio.Scanner
	line   int64
	ncol   int      // count columns
	names  []string // header names of the count columns (nil without header)
	first  string   // header name of the feature column ("" without header)
	pend   []byte   // first data line, already read while sniffing the header
	closer io.Closer
}

func openCountFile(path string) (*countFile, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("quant: merge: %w", err)
	}
	cf := &countFile{path: path, f: f}
	r, err := seq.NewDecompressor(f, 1)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("quant: merge: %s: %w", path, err)
	}
	cf.closer = r
	cf.sc = bufio.NewScanner(r)
	cf.sc.Buffer(make([]byte, 0, 4096), 64<<20)
	line, ok, err := cf.next()
	if err != nil {
		cf.Close()
		return nil, err
	}
	if !ok {
		cf.Close()
		return nil, fmt.Errorf("%s: %w", path, ErrMergeEmpty)
	}
	fields := bytes.Split(line, []byte{'\t'})
	if len(fields) < 2 {
		cf.Close()
		return nil, fmt.Errorf("%s:%d: %w: want a feature and at least one count column", path, cf.line, ErrMergeColumns)
	}
	cf.ncol = len(fields) - 1
	// A first line with a count field that is not even a number is a
	// header; "-1" or "2.5" is a data row with a bad count.
	header := false
	for _, c := range fields[1:] {
		if _, err := strconv.ParseFloat(string(c), 64); err != nil {
			header = true
			break
		}
	}
	if header {
		cf.first = string(fields[0])
		for _, c := range fields[1:] {
			cf.names = append(cf.names, string(c))
		}
	} else {
		cf.pend = append([]byte(nil), line...)
	}
	return cf, nil
}

// next returns the next non-blank, non-comment line (valid until the next
// call), trimmed of a trailing '\r'.
func (cf *countFile) next() ([]byte, bool, error) {
	if cf.pend != nil {
		p := cf.pend
		cf.pend = nil
		return p, true, nil
	}
	for cf.sc.Scan() {
		cf.line++
		b := cf.sc.Bytes()
		b = bytes.TrimSuffix(b, []byte{'\r'})
		if len(b) == 0 || b[0] == '#' {
			continue
		}
		return b, true, nil
	}
	if err := cf.sc.Err(); err != nil {
		return nil, false, &seq.ParseError{File: cf.path, Line: cf.line + 1, Err: fmt.Errorf("quant: merge: %w", err)}
	}
	return nil, false, nil
}

// Close releases the file.
func (cf *countFile) Close() error {
	if cf.closer != nil {
		cf.closer.Close()
	}
	return cf.f.Close()
}

// sampleNames returns the sample names of the file's count columns.
func (cf *countFile) sampleNames() ([]string, error) {
	if cf.ncol == 1 {
		if len(cf.names) == 1 && !genericCountHeader(cf.names[0]) {
			return cf.names, nil
		}
		return []string{sampleNameFromPath(cf.path)}, nil
	}
	if cf.names == nil {
		return nil, fmt.Errorf("%s: %w", cf.path, ErrMergeNeedsSampleRow)
	}
	return cf.names, nil
}

// isCount reports whether b is a non-negative decimal integer no larger
// than MaxReadCount.
func isCount(b []byte) bool {
	if len(b) == 0 || len(b) > 16 { // 2^53 has 16 digits
		return false
	}
	var v uint64
	for _, c := range b {
		if c < '0' || c > '9' {
			return false
		}
		v = v*10 + uint64(c-'0')
	}
	return v <= MaxReadCount
}

// sampleNamesOf opens every file briefly to collect the sample names and
// reports duplicates.
func sampleNamesOf(paths []string) ([]string, error) {
	seen := make(map[string]string, len(paths))
	var all []string
	for _, p := range paths {
		cf, err := openCountFile(p)
		if err != nil {
			return nil, err
		}
		names, err := cf.sampleNames()
		cf.Close()
		if err != nil {
			return nil, err
		}
		for _, n := range names {
			if prev, dup := seen[n]; dup {
				return nil, fmt.Errorf("%w %q: in %s and %s", ErrMergeDuplicateName, n, prev, p)
			}
			seen[n] = p
			all = append(all, n)
		}
	}
	return all, nil
}

// featureDigest summarises a file's feature column: the number of rows, a
// hash of the features in order, and an order-independent hash of the set.
type featureDigest struct {
	n     int
	order uint64
	set   uint64
}

// digestFile reads a file's feature column. With checkDup it also reports a
// feature listed twice (holding the file's feature names in memory).
func digestFile(path string, checkDup bool) (featureDigest, error) {
	cf, err := openCountFile(path)
	if err != nil {
		return featureDigest{}, err
	}
	defer cf.Close()
	var d featureDigest
	var seen map[string]bool
	if checkDup {
		seen = make(map[string]bool)
	}
	ho := fnv.New64a()
	for {
		line, ok, err := cf.next()
		if err != nil {
			return d, err
		}
		if !ok {
			break
		}
		feat := line
		if i := bytes.IndexByte(line, '\t'); i >= 0 {
			feat = line[:i]
		}
		if checkDup {
			if seen[string(feat)] {
				return d, fmt.Errorf("%s:%d: %w: %q", path, cf.line, ErrMergeDuplicateRow, feat)
			}
			seen[string(feat)] = true
		}
		ho.Write(feat)
		ho.Write([]byte{0})
		h := fnv.New64a()
		h.Write(feat)
		// A multiplicative mix keeps the sum sensitive to each element.
		d.set += mix64(h.Sum64())
		d.n++
	}
	d.order = ho.Sum64()
	return d, nil
}

func mix64(x uint64) uint64 {
	x ^= x >> 33
	x *= 0xff51afd7ed558ccd
	x ^= x >> 33
	x *= 0xc4ceb9fe1a85ec53
	x ^= x >> 33
	return x
}

// mergeFlat merges files that can all be open at once.
func mergeFlat(w io.Writer, paths []string, o *MergeOptions) (MergeStats, error) {
	var st MergeStats
	names, err := sampleNamesOf(paths)
	if err != nil {
		return st, err
	}
	// First pass: compare each file's feature list with the first file's.
	d0, err := digestFile(paths[0], true)
	if err != nil {
		return st, err
	}
	use := append([]string(nil), paths...)
	var tmpDir string
	defer func() {
		if tmpDir != "" {
			os.RemoveAll(tmpDir)
		}
	}()
	for i := 1; i < len(paths); i++ {
		d, err := digestFile(paths[i], false)
		if err != nil {
			return st, err
		}
		if d == d0 {
			continue
		}
		if d.n != d0.n || d.set != d0.set {
			return st, describeFeatureMismatch(paths[0], paths[i])
		}
		// Same features, another order: rewrite in the first file's order.
		if tmpDir == "" {
			tmpDir, err = os.MkdirTemp(o.TempDir, "exomir-merge-")
			if err != nil {
				return st, fmt.Errorf("quant: merge: %w", err)
			}
		}
		dst := filepath.Join(tmpDir, fmt.Sprintf("reordered%06d.tsv", i))
		if err := reorderLike(dst, paths[0], paths[i]); err != nil {
			return st, err
		}
		use[i] = dst
		st.Reordered++
	}

	files := make([]*countFile, len(use))
	defer func() {
		for _, cf := range files {
			if cf != nil {
				cf.Close()
			}
		}
	}()
	for i, p := range use {
		cf, err := openCountFile(p)
		if err != nil {
			return st, err
		}
		cf.path = paths[i] // report errors against the user's file
		files[i] = cf
	}
	bw := bufio.NewWriterSize(w, 1<<16)
	first := files[0].first
	if first == "" {
		first = "mirna"
	}
	bw.WriteString(first)
	for _, n := range names {
		bw.WriteByte('\t')
		bw.WriteString(n)
	}
	bw.WriteByte('\n')
	st.Samples = len(names)
	var feat0 []byte
	for {
		line, ok, err := files[0].next()
		if err != nil {
			return st, err
		}
		if !ok {
			for _, cf := range files[1:] {
				if _, more, err := cf.next(); err != nil {
					return st, err
				} else if more {
					return st, fmt.Errorf("%w: %s has more rows than %s", ErrMergeFeatures, cf.path, files[0].path)
				}
			}
			break
		}
		feat0 = append(feat0[:0], line[:featureEnd(line)]...)
		bw.Write(feat0)
		if err := writeCounts(bw, files[0], line); err != nil {
			return st, err
		}
		for _, cf := range files[1:] {
			l, more, err := cf.next()
			if err != nil {
				return st, err
			}
			if !more {
				return st, fmt.Errorf("%w: %s ends before feature %q", ErrMergeFeatures, cf.path, feat0)
			}
			if !bytes.Equal(l[:featureEnd(l)], feat0) {
				// The digests matched, so this only happens with hash
				// collisions; report it as a mismatch.
				return st, fmt.Errorf("%w: %s:%d has %q where %s has %q", ErrMergeFeatures, cf.path, cf.line, l[:featureEnd(l)], files[0].path, feat0)
			}
			if err := writeCounts(bw, cf, l); err != nil {
				return st, err
			}
		}
		bw.WriteByte('\n')
		st.Features++
	}
	if st.Features == 0 {
		return st, fmt.Errorf("%s: %w", paths[0], ErrMergeEmpty)
	}
	return st, bw.Flush()
}

func featureEnd(line []byte) int {
	if i := bytes.IndexByte(line, '\t'); i >= 0 {
		return i
	}
	return len(line)
}

// writeCounts validates the count fields of line and writes them, each
// preceded by a tab.
func writeCounts(bw *bufio.Writer, cf *countFile, line []byte) error {
	rest := line[featureEnd(line):]
	n := 0
	for len(rest) > 0 {
		rest = rest[1:] // the tab
		end := bytes.IndexByte(rest, '\t')
		if end < 0 {
			end = len(rest)
		}
		field := rest[:end]
		rest = rest[end:]
		n++
		if n > cf.ncol {
			break
		}
		if !isCount(field) {
			return fmt.Errorf("%s:%d: %w: %q", cf.path, cf.line, ErrMergeCount, field)
		}
		for len(field) > 1 && field[0] == '0' {
			field = field[1:] // "03" is 3: the matrix holds canonical integers
		}
		bw.WriteByte('\t')
		bw.Write(field)
	}
	if n != cf.ncol {
		return fmt.Errorf("%s:%d: %w: %d count fields, want %d", cf.path, cf.line, ErrMergeColumns, n, cf.ncol)
	}
	return nil
}

// describeFeatureMismatch finds a feature present in one file and not the
// other, for the error message.
func describeFeatureMismatch(a, b string) error {
	// setOf maps each feature of p to its line.
	setOf := func(p string) (map[string]int, []string, error) {
		cf, err := openCountFile(p)
		if err != nil {
			return nil, nil, err
		}
		defer cf.Close()
		m := make(map[string]int)
		var order []string
		for {
			line, ok, err := cf.next()
			if err != nil {
				return nil, nil, err
			}
			if !ok {
				return m, order, nil
			}
			f := string(line[:featureEnd(line)])
			if _, dup := m[f]; dup {
				return nil, nil, fmt.Errorf("%s:%d: %w: %q", p, cf.line, ErrMergeDuplicateRow, f)
			}
			m[f] = int(cf.line)
			order = append(order, f)
		}
	}
	ma, oa, err := setOf(a)
	if err != nil {
		return err
	}
	mb, ob, err := setOf(b)
	if err != nil {
		return err
	}
	if len(ob) == 0 {
		return fmt.Errorf("%s: %w", b, ErrMergeEmpty)
	}
	for _, f := range oa {
		if _, ok := mb[f]; !ok {
			return fmt.Errorf("%s:%d: %w: %q is not in %s", a, ma[f], ErrMergeFeatures, f, b)
		}
	}
	for _, f := range ob {
		if _, ok := ma[f]; !ok {
			return fmt.Errorf("%s:%d: %w: %q is not in %s", b, mb[f], ErrMergeFeatures, f, a)
		}
	}
	return fmt.Errorf("%w: %s and %s differ", ErrMergeFeatures, a, b)
}

// reorderLike writes src's rows to dst in the feature order of ref,
// keeping src's header line. It holds src's rows in memory.
func reorderLike(dst, ref, src string) error {
	cs, err := openCountFile(src)
	if err != nil {
		return err
	}
	defer cs.Close()
	rows := make(map[string]string)
	for {
		line, ok, err := cs.next()
		if err != nil {
			return err
		}
		if !ok {
			break
		}
		f := string(line[:featureEnd(line)])
		if _, dup := rows[f]; dup {
			return fmt.Errorf("%s:%d: %w: %q", src, cs.line, ErrMergeDuplicateRow, f)
		}
		rows[f] = string(line)
	}
	cr, err := openCountFile(ref)
	if err != nil {
		return err
	}
	defer cr.Close()
	out, err := os.Create(dst)
	if err != nil {
		return fmt.Errorf("quant: merge: %w", err)
	}
	bw := bufio.NewWriter(out)
	if cs.names != nil {
		bw.WriteString(cs.first)
		for _, n := range cs.names {
			bw.WriteByte('\t')
			bw.WriteString(n)
		}
		bw.WriteByte('\n')
	}
	for {
		line, ok, err := cr.next()
		if err != nil {
			out.Close()
			return err
		}
		if !ok {
			break
		}
		f := string(line[:featureEnd(line)])
		row, found := rows[f]
		if !found {
			out.Close()
			return fmt.Errorf("%w: %q is in %s but not in %s", ErrMergeFeatures, f, ref, src)
		}
		delete(rows, f)
		bw.WriteString(row)
		bw.WriteByte('\n')
	}
	err = bw.Flush()
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("quant: merge: %w", err)
	}
	for f := range rows {
		return fmt.Errorf("%w: %q is in %s but not in %s", ErrMergeFeatures, f, src, ref)
	}
	return nil
}
