package diffexp

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"runtime"
	"strconv"
	"sync"
)

// formatNum writes v with 17 significant digits (enough to round-trip), or
// NA for NaN, matching the output of the reference R scripts.
func formatNum(b []byte, v float64) []byte {
	switch {
	case math.IsNaN(v):
		return append(b, "NA"...)
	case math.IsInf(v, 1):
		return append(b, "Inf"...)
	case math.IsInf(v, -1):
		return append(b, "-Inf"...)
	}
	return strconv.AppendFloat(b, v, 'g', 17, 64)
}

// WriteResults writes r as a tab-separated table with DESeq2's column names
// "mirna baseMean log2FoldChange lfcSE stat pvalue padj", one row per
// feature in input order, NA for missing values.
func WriteResults(w io.Writer, r *Results) error {
	return writeResults(w, r, "mirna\tbaseMean\tlog2FoldChange\tlfcSE\tstat\tpvalue\tpadj\n",
		func(r *Results) [][]float64 {
			return [][]float64{r.BaseMean, r.Log2FoldChange, r.LfcSE, r.Stat, r.PValue, r.PAdj}
		})
}

// writeResults writes the header, then per feature its name and the
// columns colsOf(r) (NA for NaN); rows are formatted in blocks on
// GOMAXPROCS goroutines and written in order.
func writeResults(w io.Writer, r *Results, header string, colsOf func(*Results) [][]float64) error {
	if r == nil {
		return fmt.Errorf("%w: nil results", ErrEmpty)
	}
	n := len(r.Features)
	cols := colsOf(r)
	for _, c := range cols {
		if len(c) != n {
			return fmt.Errorf("%w: result columns have unequal lengths", ErrRagged)
		}
	}
	bw := bufio.NewWriter(w)
	if _, err := bw.WriteString(header); err != nil {
		return err
	}
	format := func(b []byte, lo, hi int) []byte {
		for i := lo; i < hi; i++ {
			b = append(b, r.Features[i]...)
			b = appendNums(b, cols, i)
		}
		return b
	}
	return writeRowBlocks(bw, n, 128, format)
}

// appendNums appends a tab and row i of each column (formatNum), then a
// newline.
func appendNums(b []byte, cols [][]float64, i int) []byte {
	for _, c := range cols {
		b = append(b, '\t')
		b = formatNum(b, c[i])
	}
	return append(b, '\n')
}

// writeRowBlocks formats rows 0..n-1 in blocks (format(dst, lo, hi)
// appends rows lo..hi-1) on GOMAXPROCS goroutines when n is large, writes
// the blocks in order and flushes bw; rowBytes sizes each block's buffer.
// The bytes do not depend on the goroutine count.
func writeRowBlocks(bw *bufio.Writer, n, rowBytes int, format func(dst []byte, lo, hi int) []byte) error {
	workers := 1
	if n >= 1024 {
		workers = runtime.GOMAXPROCS(0)
	}
	parts := make([][]byte, workers)
	var wg sync.WaitGroup
	for k := range parts {
		wg.Add(1)
		go func(k int) {
			defer wg.Done()
			lo, hi := n*k/workers, n*(k+1)/workers
			parts[k] = format(make([]byte, 0, rowBytes*(hi-lo)), lo, hi)
		}(k)
	}
	wg.Wait()
	for _, b := range parts {
		if _, err := bw.Write(b); err != nil {
			return err
		}
	}
	return bw.Flush()
}

// WriteEdgeRQLResults writes EdgeRQL results with edgeR's glmQLFTest
// column names "mirna logFC logCPM F PValue FDR" (Log2FoldChange, LogCPM,
// Stat, PValue, PAdj), one row per feature in input order, NA for missing
// values.
func WriteEdgeRQLResults(w io.Writer, r *Results) error {
	return writeResults(w, r, "mirna\tlogFC\tlogCPM\tF\tPValue\tFDR\n",
		func(r *Results) [][]float64 { return [][]float64{r.Log2FoldChange, r.LogCPM, r.Stat, r.PValue, r.PAdj} })
}
