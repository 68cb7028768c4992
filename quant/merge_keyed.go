package quant

import (
	"bufio"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"

	"github.com/exomir/exomir/seq"
)

// MergeKeyedCountFiles joins count tables whose rows are keyed by their
// first keyCols columns, such as smallrna_counts.tsv (feature, class) and
// trf_counts.tsv (trna, trf_type), into one matrix written to w. Every
// input has a header: keyCols key names (equal in all files), then sample
// names. Rows are the union of the inputs' rows, a row absent from a file
// counting 0 there (per-sample trf_counts.tsv lists only the fragments
// seen). Row order keeps the order of every input; (trna, trf_type) rows
// are sorted by tRNA name then type, as WriteTRFCounts writes them, so
// merged per-sample files give exomir run's study-level file. Unlike MergeCountFiles this holds the whole matrix in memory.
func MergeKeyedCountFiles(w io.Writer, paths []string, keyCols int) (MergeStats, error) {
	var st MergeStats
	if len(paths) == 0 {
		return st, ErrMergeNoInput
	}
	if keyCols < 1 {
		return st, fmt.Errorf("%w: %d key columns", ErrMergeColumns, keyCols)
	}
	var header []string // key column names
	var samples []string
	seenName := map[string]string{}
	index := map[string]int{} // key → row
	var keys []string
	var cells [][]int64         // row → sample → count
	var next []map[int]struct{} // row → rows that follow it in some file
	for _, p := range paths {
		keyNames, names, rows, err := readKeyedFile(p, keyCols)
		if err != nil {
			return st, err
		}
		if header == nil {
			header = keyNames
		} else if strings.Join(keyNames, "\t") != strings.Join(header, "\t") {
			return st, fmt.Errorf("%w: %s:1: key columns %q, first file has %q", ErrMergeFeatures, p, keyNames, header)
		}
		for _, n := range names {
			if q, dup := seenName[n]; dup {
				return st, fmt.Errorf("%w: %q in %s and %s", ErrMergeDuplicateName, n, q, p)
			}
			seenName[n] = p
		}
		base := len(samples)
		samples = append(samples, names...)
		for i := range cells {
			cells[i] = append(cells[i], make([]int64, len(names))...)
		}
		prev := -1
		for _, r := range rows {
			i, ok := index[r.key]
			if !ok {
				i = len(keys)
				index[r.key] = i
				keys = append(keys, r.key)
				cells = append(cells, make([]int64, len(samples)))
				next = append(next, map[int]struct{}{})
			}
			copy(cells[i][base:], r.counts)
			if prev >= 0 {
				next[prev][i] = struct{}{}
			}
			prev = i
		}
	}
	order, err := rowOrder(keys, next)
	if err != nil {
		return st, err
	}
	if types, ok := trfTypeRanks(keys, keyCols); ok {
		// trf_counts.tsv: by tRNA name, then fragment type, as
		// WriteTRFCounts sorts them.
		sort.SliceStable(order, func(a, b int) bool {
			i, j := order[a], order[b]
			ni, _, _ := strings.Cut(keys[i], "\t")
			nj, _, _ := strings.Cut(keys[j], "\t")
			if ni != nj {
				return ni < nj
			}
			return types[i] < types[j]
		})
	}
	bw := bufio.NewWriter(w)
	bw.WriteString(strings.Join(header, "\t"))
	for _, s := range samples {
		bw.WriteString("\t" + s)
	}
	bw.WriteByte('\n')
	var buf []byte
	for _, i := range order {
		bw.WriteString(keys[i])
		for _, v := range cells[i] {
			buf = strconv.AppendInt(append(buf[:0], '\t'), v, 10)
			bw.Write(buf)
		}
		bw.WriteByte('\n')
	}
	st.Samples, st.Features = len(samples), len(keys)
	return st, bw.Flush()
}

// trfTypeRanks returns each row's fragment type when the keys are
// (trna, trf_type) pairs.
func trfTypeRanks(keys []string, keyCols int) ([]int, bool) {
	if keyCols != 2 {
		return nil, false
	}
	rank := map[string]int{}
	for _, t := range TRFTypes() {
		rank[t.String()] = int(t)
	}
	out := make([]int, len(keys))
	for i, k := range keys {
		_, t, _ := strings.Cut(k, "\t")
		r, ok := rank[t]
		if !ok {
			return nil, false
		}
		out[i] = r
	}
	return out, len(keys) > 0
}

// rowOrder sorts the rows so that every file's order is kept (Kahn's
// algorithm; among free rows the one seen first goes first).
func rowOrder(keys []string, next []map[int]struct{}) ([]int, error) {
	indeg := make([]int, len(keys))
	for _, m := range next {
		for j := range m {
			indeg[j]++
		}
	}
	// free rows in first-seen order: a min-heap on the index
	var free intHeap
	for i, d := range indeg {
		if d == 0 {
			free.push(i)
		}
	}
	order := make([]int, 0, len(keys))
	for len(free) > 0 {
		i := free.pop()
		order = append(order, i)
		for j := range next[i] {
			if indeg[j]--; indeg[j] == 0 {
				free.push(j)
			}
		}
	}
	if len(order) != len(keys) {
		return nil, fmt.Errorf("%w: the files list rows in contradicting orders", ErrMergeFeatures)
	}
	return order, nil
}

// intHeap is a min-heap of ints.
type intHeap []int

func (h *intHeap) push(v int) {
	*h = append(*h, v)
	s := *h
	for i := len(s) - 1; i > 0; {
		p := (i - 1) / 2
		if s[p] <= s[i] {
			break
		}
		s[p], s[i] = s[i], s[p]
		i = p
	}
}

func (h *intHeap) pop() int {
	s := *h
	top := s[0]
	n := len(s) - 1
	s[0] = s[n]
	s = s[:n]
	for i := 0; ; {
		l, m := 2*i+1, i
		if l < n && s[l] < s[m] {
			m = l
		}
		if l+1 < n && s[l+1] < s[m] {
			m = l + 1
		}
		if m == i {
			break
		}
		s[i], s[m] = s[m], s[i]
		i = m
	}
	*h = s
	return top
}

type keyedRow struct {
	key    string // the key columns joined by tabs
	counts []int64
}

// readKeyedFile reads one keyed count table (plain or gzip).
func readKeyedFile(path string, keyCols int) (keyNames, samples []string, rows []keyedRow, err error) {
	in, err := seq.Open(path)
	if err != nil {
		return nil, nil, nil, err
	}
	defer in.Close()
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 1<<16), 1<<26)
	seen := map[string]bool{}
	line := 0
	for sc.Scan() {
		line++
		f := strings.Split(strings.TrimRight(sc.Text(), "\r"), "\t")
		if line == 1 {
			if len(f) <= keyCols {
				return nil, nil, nil, fmt.Errorf("%w: %s:1: want %d key columns and at least one sample", ErrMergeColumns, path, keyCols)
			}
			keyNames, samples = f[:keyCols], f[keyCols:]
			continue
		}
		if len(f) != keyCols+len(samples) {
			return nil, nil, nil, fmt.Errorf("%w: %s:%d: %d columns, header has %d", ErrMergeColumns, path, line, len(f), keyCols+len(samples))
		}
		r := keyedRow{key: strings.Join(f[:keyCols], "\t"), counts: make([]int64, len(samples))}
		if seen[r.key] {
			return nil, nil, nil, fmt.Errorf("%w: %s:%d: %q", ErrMergeDuplicateRow, path, line, r.key)
		}
		seen[r.key] = true
		for j, v := range f[keyCols:] {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil || n < 0 || n > 1<<53 {
				return nil, nil, nil, fmt.Errorf("%w: %s:%d: %q", ErrMergeCount, path, line, v)
			}
			r.counts[j] = n
		}
		rows = append(rows, r)
	}
	if err := sc.Err(); err != nil {
		return nil, nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	if line == 0 {
		return nil, nil, nil, fmt.Errorf("%w: %s", ErrMergeEmpty, path)
	}
	return keyNames, samples, rows, nil
}
