package diffexp

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
)

// Sentinel errors of package diffexp; wrapped errors match them with errors.Is.
var (
	ErrFormat           = errors.New("diffexp: malformed input")
	ErrNotInteger       = errors.New("diffexp: count is not an integer in 0..2^53")
	ErrRagged           = errors.New("diffexp: row has the wrong number of fields")
	ErrDuplicate        = errors.New("diffexp: duplicate name")
	ErrEmpty            = errors.New("diffexp: no data")
	ErrMissingSample    = errors.New("diffexp: sample missing")
	ErrDesign           = errors.New("diffexp: invalid design")
	ErrRank             = errors.New("diffexp: design matrix is not full rank")
	ErrContrast         = errors.New("diffexp: invalid contrast")
	ErrSizeFactors      = errors.New("diffexp: cannot estimate size factors")
	ErrTooFewReplicates = errors.New("diffexp: too few replicates")
	ErrDispersion       = errors.New("diffexp: cannot estimate dispersions")
	// ErrZeroInEveryFeature (wrapped together with ErrSizeFactors) means
	// that ratio size factors are impossible because every feature has a
	// zero count in some sample; poscounts size factors are DESeq2's
	// answer, which callers may choose with errors.Is on this sentinel.
	ErrZeroInEveryFeature = errors.New("diffexp: every feature has a zero count in some sample")
)

// ParseError locates a problem in a count or coldata file. Line is 1-based
// (0: the whole file).
type ParseError struct {
	File string
	Line int64
	Err  error
}

func (e *ParseError) Error() string {
	file := e.File
	if file == "" {
		file = "<input>"
	}
	if e.Line == 0 {
		return fmt.Sprintf("%s: %v", file, e.Err) // the whole file
	}
	return fmt.Sprintf("%s:%d: %v", file, e.Line, e.Err)
}

// Unwrap returns the underlying error.
func (e *ParseError) Unwrap() error { return e.Err }

// Counts is a feature × sample count matrix. Values is row-major:
// Values[i*len(Samples)+j] is the count of feature i in sample j. Counts are
// non-negative integers stored as float64.
type Counts struct {
	Features []string
	Samples  []string
	Values   []float64
}

// Row returns the counts of feature i (a slice of c.Values, not a copy).
func (c *Counts) Row(i int) []float64 {
	m := len(c.Samples)
	return c.Values[i*m : (i+1)*m : (i+1)*m]
}

// At returns the count of feature i in sample j.
func (c *Counts) At(i, j int) float64 { return c.Values[i*len(c.Samples)+j] }

// splitTab splits a line on tabs, trimming a trailing carriage return.
func splitTab(line []byte) []string {
	line = bytes.TrimRight(line, "\r\n")
	return strings.Split(string(line), "\t")
}

// parallelReadMin is the input size (bytes of rows) from which ReadCounts
// parses in parallel chunks (a variable for the tests).
var parallelReadMin = 1 << 18

// valueBlock is the number of counts per storage block of ReadCounts.
const valueBlock = 1 << 16

// ReadCounts reads a tab-separated count matrix: a header
// "id<TAB>sample1<TAB>...", then one row per feature with its name and
// non-negative integer counts. A header with one field fewer than the rows
// (R write.table style) is accepted. Errors are *ParseError with the line.
//
// The input is read whole, then its rows are parsed on GOMAXPROCS
// goroutines into a matrix allocated once; the result, and the first
// error in line order, are those of a line-by-line reader.
func ReadCounts(r io.Reader, file string) (*Counts, error) {
	data, err := readAllSized(r)
	if err != nil {
		return nil, &ParseError{file, int64(bytes.Count(data, []byte{'\n'})) + 1, err}
	}
	var (
		c      Counts
		header []string
		lineNo int64 // lines before data[pos:]
		pos    int
	)
	// header, and the first data row to tell the header style
	for pos < len(data) {
		b, next := nextLine(data, pos)
		if len(bytes.TrimSpace(b)) == 0 {
			pos, lineNo = next, lineNo+1
			continue
		}
		if header == nil {
			header = splitTab(b)
			pos, lineNo = next, lineNo+1
			continue
		}
		nf := bytes.Count(b, []byte{'\t'}) + 1
		switch nf {
		case len(header):
			c.Samples = header[1:]
		case len(header) + 1:
			c.Samples = header
		default:
			return nil, &ParseError{file, lineNo + 1, fmt.Errorf("%w: %d fields, header has %d", ErrRagged, nf, len(header))}
		}
		if len(c.Samples) == 0 {
			return nil, &ParseError{file, 1, fmt.Errorf("%w: header names no samples", ErrFormat)}
		}
		ss := make(map[string]bool, len(c.Samples))
		for _, s := range c.Samples {
			if ss[s] {
				return nil, &ParseError{file, 1, fmt.Errorf("%w: sample %q", ErrDuplicate, s)}
			}
			ss[s] = true
		}
		break
	}
	if header == nil {
		return nil, &ParseError{file, lineNo, fmt.Errorf("%w: empty count file", ErrEmpty)}
	}
	if c.Samples == nil {
		c.Samples = header[1:]
		if len(c.Samples) == 0 {
			return nil, &ParseError{file, 1, fmt.Errorf("%w: header names no samples", ErrFormat)}
		}
		return &c, nil
	}
	m := len(c.Samples)
	// chunks of whole lines; pass 1 counts lines and data rows per chunk
	rest := data[pos:]
	workers := 1
	if len(rest) >= parallelReadMin {
		workers = max(2, runtime.GOMAXPROCS(0))
	}
	type chunk struct {
		b         []byte
		lines     int64 // lines in b
		rows      int   // non-blank lines in b
		firstLine int64 // line number of b's first line, minus one
		firstRow  int
		errLine   int64
		errRow    int
		err       error
	}
	chunks := make([]chunk, workers)
	start := 0
	for w := range chunks {
		end := len(rest) * (w + 1) / workers
		if end < len(rest) {
			if k := bytes.IndexByte(rest[end:], '\n'); k >= 0 {
				end += k + 1
			} else {
				end = len(rest)
			}
		}
		end = max(end, start)
		chunks[w].b = rest[start:end]
		start = end
	}
	var wg sync.WaitGroup
	for w := range chunks {
		wg.Add(1)
		go func(ch *chunk) {
			defer wg.Done()
			for p := 0; p < len(ch.b); {
				b, next := nextLine(ch.b, p)
				ch.lines++
				if len(bytes.TrimSpace(b)) != 0 {
					ch.rows++
				}
				p = next
			}
		}(&chunks[w])
	}
	wg.Wait()
	rows := 0
	line := lineNo
	for w := range chunks {
		chunks[w].firstRow, chunks[w].firstLine = rows, line
		rows += chunks[w].rows
		line += chunks[w].lines
	}
	c.Features = make([]string, rows)
	c.Values = make([]float64, rows*m)
	rowLine := make([]int64, rows)
	// pass 2: parse each chunk into its rows
	for w := range chunks {
		wg.Add(1)
		go func(ch *chunk) {
			defer wg.Done()
			row, ln := ch.firstRow, ch.firstLine
			for p := 0; p < len(ch.b); {
				b, next := nextLine(ch.b, p)
				p = next
				ln++
				if len(bytes.TrimSpace(b)) == 0 {
					continue
				}
				name, err := parseCountRow(b, c.Samples, c.Values[row*m:(row+1)*m])
				if err != nil {
					ch.errLine, ch.errRow, ch.err = ln, row, err
					return
				}
				c.Features[row], rowLine[row] = name, ln
				row++
			}
		}(&chunks[w])
	}
	wg.Wait()
	errLine, errRow, errAt := int64(0), rows, error(nil)
	for _, ch := range chunks {
		if ch.err != nil {
			errLine, errRow, errAt = ch.errLine, ch.errRow, ch.err
			break
		}
	}
	// duplicate names, in line order, before the first parse error
	seen := make(map[string]bool, errRow)
	for i, name := range c.Features[:errRow] {
		if seen[name] {
			return nil, &ParseError{file, rowLine[i], fmt.Errorf("%w: feature %q", ErrDuplicate, name)}
		}
		seen[name] = true
	}
	if errAt != nil {
		return nil, &ParseError{file, errLine, errAt}
	}
	return &c, nil
}

// readAllSized reads r to the end, allocating once when r reports its
// size (os.File, bytes.Reader, strings.Reader).
func readAllSized(r io.Reader) ([]byte, error) {
	size := int64(-1)
	switch v := r.(type) {
	case interface{ Len() int }:
		size = int64(v.Len())
	case interface{ Stat() (fs.FileInfo, error) }:
		if fi, err := v.Stat(); err == nil && fi.Mode().IsRegular() {
			size = fi.Size()
		}
	}
	if size < 0 {
		return io.ReadAll(r)
	}
	// one allocation of the announced size (+1 to see the end), filled
	// directly: no growing, no clearing beyond what the allocator does
	buf := make([]byte, size+1)
	n, err := io.ReadFull(r, buf)
	switch {
	case err == io.ErrUnexpectedEOF || err == io.EOF:
		return buf[:n], nil
	case err != nil:
		return buf[:n], err
	}
	// longer than announced (a growing file): read the rest
	rest, err := io.ReadAll(r)
	return append(buf, rest...), err
}

// nextLine returns the line of data starting at pos without its "\n" and
// a trailing "\r", and the start of the next line.
func nextLine(data []byte, pos int) ([]byte, int) {
	b := data[pos:]
	next := len(data)
	if k := bytes.IndexByte(b, '\n'); k >= 0 {
		b, next = b[:k], pos+k+1
	}
	return bytes.TrimRight(b, "\r\n"), next
}

// parseCountRow parses one data line (name and len(samples) counts) into
// dst and returns the name.
func parseCountRow(b []byte, samples []string, dst []float64) (string, error) {
	tab := bytes.IndexByte(b, '\t')
	if tab < 0 {
		return "", fmt.Errorf("%w: 1 field, want %d", ErrRagged, len(samples)+1)
	}
	name := string(b[:tab])
	rest := b[tab+1:]
	for j := range samples {
		// fast path, one pass: 1 to 15 digits (exact in a float64) ending
		// at a tab, or at the line's end for the last field
		var u uint64
		k := 0
		for k < len(rest) && k < 16 {
			d := rest[k] - '0'
			if d > 9 {
				break
			}
			u = u*10 + uint64(d)
			k++
		}
		if k > 0 && k <= 15 {
			if j == len(samples)-1 {
				if k == len(rest) {
					dst[j] = float64(u)
					rest = nil
					continue
				}
			} else if k < len(rest) && rest[k] == '\t' {
				dst[j] = float64(u)
				rest = rest[k+1:]
				continue
			}
		}
		var field []byte
		if k := bytes.IndexByte(rest, '\t'); k >= 0 {
			field, rest = rest[:k], rest[k+1:]
			if j == len(samples)-1 {
				return "", fmt.Errorf("%w: more than %d fields", ErrRagged, len(samples)+1)
			}
		} else {
			if j != len(samples)-1 {
				return "", fmt.Errorf("%w: %d fields, want %d", ErrRagged, j+2, len(samples)+1)
			}
			field, rest = rest, nil
		}
		v, ok := parseCount(field)
		if !ok {
			return "", fmt.Errorf("%w: %q (feature %q, sample %q)", ErrNotInteger, field, name, samples[j])
		}
		dst[j] = v
	}
	return name, nil
}

// readCountsSeq is the line-by-line reader ReadCounts must agree with
// (kept as the tests' reference).
func readCountsSeq(r io.Reader, file string) (*Counts, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<16), 1<<26)
	var (
		c      Counts
		lineNo int64
		seen   = map[string]bool{}
		header []string
		blocks [][]float64
		block  []float64
	)
	for sc.Scan() {
		lineNo++
		b := bytes.TrimRight(sc.Bytes(), "\r\n")
		if len(bytes.TrimSpace(b)) == 0 {
			continue
		}
		if header == nil {
			header = splitTab(b)
			continue
		}
		if c.Samples == nil {
			nf := bytes.Count(b, []byte{'\t'}) + 1
			switch nf {
			case len(header):
				c.Samples = header[1:]
			case len(header) + 1:
				c.Samples = header
			default:
				return nil, &ParseError{file, lineNo, fmt.Errorf("%w: %d fields, header has %d", ErrRagged, nf, len(header))}
			}
			if len(c.Samples) == 0 {
				return nil, &ParseError{file, 1, fmt.Errorf("%w: header names no samples", ErrFormat)}
			}
			ss := map[string]bool{}
			for _, s := range c.Samples {
				if ss[s] {
					return nil, &ParseError{file, 1, fmt.Errorf("%w: sample %q", ErrDuplicate, s)}
				}
				ss[s] = true
			}
		}
		// name, then the counts, split with IndexByte on the scanner's buffer
		tab := bytes.IndexByte(b, '\t')
		if tab < 0 {
			return nil, &ParseError{file, lineNo, fmt.Errorf("%w: 1 field, want %d", ErrRagged, len(c.Samples)+1)}
		}
		name := string(b[:tab])
		if seen[name] {
			return nil, &ParseError{file, lineNo, fmt.Errorf("%w: feature %q", ErrDuplicate, name)}
		}
		seen[name] = true
		rest := b[tab+1:]
		for j := range c.Samples {
			var field []byte
			if k := bytes.IndexByte(rest, '\t'); k >= 0 {
				field, rest = rest[:k], rest[k+1:]
				if j == len(c.Samples)-1 {
					return nil, &ParseError{file, lineNo, fmt.Errorf("%w: more than %d fields", ErrRagged, len(c.Samples)+1)}
				}
			} else {
				if j != len(c.Samples)-1 {
					return nil, &ParseError{file, lineNo, fmt.Errorf("%w: %d fields, want %d", ErrRagged, j+2, len(c.Samples)+1)}
				}
				field, rest = rest, nil
			}
			v, ok := parseCount(field)
			if !ok {
				return nil, &ParseError{file, lineNo, fmt.Errorf("%w: %q (feature %q, sample %q)", ErrNotInteger, field, name, c.Samples[j])}
			}
			if len(block) == cap(block) {
				// fixed-size blocks, joined once at the end, instead of
				// growing one slice (which copies and faults in ~3× the data)
				blocks = append(blocks, block)
				block = make([]float64, 0, max(valueBlock, len(c.Samples)))
			}
			block = append(block, v)
		}
		c.Features = append(c.Features, name)
	}
	blocks = append(blocks, block)
	total := 0
	for _, b := range blocks {
		total += len(b)
	}
	c.Values = make([]float64, 0, total)
	for _, b := range blocks {
		c.Values = append(c.Values, b...)
	}
	if err := sc.Err(); err != nil {
		return nil, &ParseError{file, lineNo, err}
	}
	if header == nil {
		return nil, &ParseError{file, lineNo, fmt.Errorf("%w: empty count file", ErrEmpty)}
	}
	if c.Samples == nil {
		c.Samples = header[1:]
		if len(c.Samples) == 0 {
			return nil, &ParseError{file, 1, fmt.Errorf("%w: header names no samples", ErrFormat)}
		}
	}
	return &c, nil
}

// parseCount parses a non-negative integer count: plain digits directly,
// anything else (1e3, 5.0) through strconv, accepted only when integral.
func parseCount(f []byte) (float64, bool) {
	if n := len(f); n == 0 || f[0] < '0' || f[0] > '9' || f[n-1] < '0' || f[n-1] > '9' {
		f = bytes.TrimSpace(f)
	}
	if len(f) == 0 {
		return 0, false
	}
	if len(f) <= 15 {
		v := 0.0
		digits := true
		for _, ch := range f {
			if ch < '0' || ch > '9' {
				digits = false
				break
			}
			v = v*10 + float64(ch-'0')
		}
		if digits {
			return v, true
		}
	}
	if u, err := strconv.ParseUint(string(f), 10, 64); err == nil || errors.Is(err, strconv.ErrRange) {
		// plain digits: exact, so 2^53+1 (which float64 rounds down) is caught
		return float64(u), err == nil && u <= MaxCount
	}
	v, err := strconv.ParseFloat(string(f), 64)
	if err != nil || v < 0 || v != math.Trunc(v) || v > MaxCount {
		return 0, false
	}
	return v, true
}

// MaxCount is the largest count a count matrix may hold: 2^53, the largest
// integer up to which float64 counts are exact. A larger value is not a
// sequencing count (and would give meaningless fold changes).
const MaxCount = 1 << 53

// ColData holds per-sample annotations, column-major: Columns[k][j] is the
// value of variable Names[k] for sample Samples[j].
type ColData struct {
	Samples []string
	Names   []string
	Columns [][]string
	// file and header are ReadColData's input name and header line, to
	// tell a missing header from a missing sample.
	file   string
	header []string
}

// Column returns the values of the named variable, or nil if absent.
func (cd *ColData) Column(name string) []string {
	for k, n := range cd.Names {
		if n == name {
			return cd.Columns[k]
		}
	}
	return nil
}

// ReadColData reads a tab-separated sample table with a header; the first
// column names the sample (its header is typically "sample"), the others are
// variables such as condition or batch. A header with one field fewer than
// the rows is accepted (R row-name style).
func ReadColData(r io.Reader, file string) (*ColData, error) {
	sc := bufio.NewScanner(r)
	var (
		cd     ColData
		lineNo int64
		header []string
		seen   = map[string]bool{}
	)
	for sc.Scan() {
		lineNo++
		b := sc.Bytes()
		if len(bytes.TrimSpace(b)) == 0 || b[0] == '#' {
			continue
		}
		f := splitTab(b)
		if header == nil {
			header = f
			for i, h := range header {
				if j := slices.Index(header[:i], h); j >= 0 && h != "" {
					return nil, &ParseError{file, lineNo, fmt.Errorf("%w: column %q twice (columns %d and %d)", ErrDuplicate, h, j+1, i+1)}
				}
			}
			continue
		}
		if cd.Names == nil {
			switch len(f) {
			case len(header):
				cd.Names = header[1:]
			case len(header) + 1:
				cd.Names = header
			default:
				return nil, &ParseError{file, lineNo, fmt.Errorf("%w: %d fields, header has %d", ErrRagged, len(f), len(header))}
			}
			cd.Columns = make([][]string, len(cd.Names))
		}
		if len(f) != len(cd.Names)+1 {
			return nil, &ParseError{file, lineNo, fmt.Errorf("%w: %d fields, want %d", ErrRagged, len(f), len(cd.Names)+1)}
		}
		if seen[f[0]] {
			return nil, &ParseError{file, lineNo, fmt.Errorf("%w: sample %q", ErrDuplicate, f[0])}
		}
		seen[f[0]] = true
		cd.Samples = append(cd.Samples, f[0])
		for k := range cd.Names {
			cd.Columns[k] = append(cd.Columns[k], strings.TrimSpace(f[k+1]))
		}
	}
	if err := sc.Err(); err != nil {
		return nil, &ParseError{file, lineNo, err}
	}
	if len(cd.Samples) == 0 {
		return nil, &ParseError{file, lineNo, fmt.Errorf("%w: no samples in coldata", ErrEmpty)}
	}
	cd.file, cd.header = file, header
	return &cd, nil
}

// Align returns a copy of cd whose samples are in the given order (the
// count matrix's). Samples absent from cd are an error naming them; extra
// samples in cd are dropped.
func (cd *ColData) Align(samples []string) (*ColData, error) {
	idx := make(map[string]int, len(cd.Samples))
	for j, s := range cd.Samples {
		idx[s] = j
	}
	var missing []string
	for _, s := range samples {
		if _, ok := idx[s]; !ok {
			missing = append(missing, s)
		}
	}
	if len(missing) > 0 {
		sort.Strings(missing)
		for _, m := range missing {
			if len(cd.header) > 0 && cd.header[0] == m {
				return nil, fmt.Errorf("%w from coldata: %s: its first line starts with sample %q: the file needs a header line (sample<TAB>condition…)",
					ErrMissingSample, cd.file, m)
			}
		}
		return nil, fmt.Errorf("%w from coldata: %s", ErrMissingSample, strings.Join(missing, ", "))
	}
	out := &ColData{Samples: append([]string(nil), samples...), Names: append([]string(nil), cd.Names...)}
	out.Columns = make([][]string, len(cd.Names))
	for k := range cd.Names {
		col := make([]string, len(samples))
		for j, s := range samples {
			col[j] = cd.Columns[k][idx[s]]
		}
		out.Columns[k] = col
	}
	return out, nil
}
