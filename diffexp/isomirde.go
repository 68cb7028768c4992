package diffexp

import (
	"bufio"
	"context"
	"fmt"
	"io"
)

// IsomirLevel is one isomiR count matrix for IsomirDE: its level name
// ("isomir", "type"), the counts, and per row the miRNA, the variant and
// whether the row is 5' shifted (a new seed).
type IsomirLevel struct {
	Level     string
	Counts    *Counts
	Mirna     []string
	Variant   []string
	SeedShift []bool
}

// IsomirDE runs DESeq on each level with options o, as the isomiRs R
// package's isoDE runs DESeq2 on isomiR and isomiR-type matrices. Each
// level is its own family of tests (padj within the level). Callers
// usually give o.SizeFactors of the miRNA matrix, since the isomiR counts
// partition the miRNA counts and sparse isomiR rows rarely allow ratio
// size factors of their own. A cancelled ctx stops the fits with an error
// matching ctx.Err() under errors.Is.
func IsomirDE(ctx context.Context, levels []IsomirLevel, cd *ColData, o Options) ([]*Results, error) {
	out := make([]*Results, len(levels))
	for i, l := range levels {
		if l.Counts == nil {
			return nil, fmt.Errorf("%w: isomiR level %q has no counts", ErrEmpty, l.Level)
		}
		n := len(l.Counts.Features)
		if len(l.Mirna) != n || len(l.Variant) != n || len(l.SeedShift) != n {
			return nil, fmt.Errorf("%w: isomiR level %q: annotations do not match %d rows", ErrRagged, l.Level, n)
		}
		res, err := DESeq(ctx, l.Counts, cd, o)
		if err != nil {
			return nil, fmt.Errorf("isomiR level %q: %w", l.Level, err)
		}
		out[i] = res
	}
	return out, nil
}

// WriteIsomirDE writes the results of IsomirDE as one table with columns
// "level feature mirna variant seed_shift baseMean log2FoldChange lfcSE
// stat pvalue padj": level as given, seed_shift "yes" for 5'-shifted rows
// ("no" otherwise), DESeq2's columns as WriteResults writes them; levels
// in order, rows in input order.
func WriteIsomirDE(w io.Writer, levels []IsomirLevel, res []*Results) error {
	if len(levels) != len(res) {
		return fmt.Errorf("%w: %d levels, %d results", ErrRagged, len(levels), len(res))
	}
	bw := bufio.NewWriter(w)
	bw.WriteString("level\tfeature\tmirna\tvariant\tseed_shift\tbaseMean\tlog2FoldChange\tlfcSE\tstat\tpvalue\tpadj\n")
	var b []byte
	for k, l := range levels {
		r := res[k]
		cols := [][]float64{r.BaseMean, r.Log2FoldChange, r.LfcSE, r.Stat, r.PValue, r.PAdj}
		for i, f := range r.Features {
			b = append(b[:0], l.Level...)
			b = append(b, '\t')
			b = append(b, f...)
			b = append(b, '\t')
			b = append(b, l.Mirna[i]...)
			b = append(b, '\t')
			b = append(b, l.Variant[i]...)
			if l.SeedShift[i] {
				b = append(b, "\tyes"...)
			} else {
				b = append(b, "\tno"...)
			}
			b = appendNums(b, cols, i)
			if _, err := bw.Write(b); err != nil {
				return err
			}
		}
	}
	return bw.Flush()
}
