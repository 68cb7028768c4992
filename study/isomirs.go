package study

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"

	"github.com/exomir/exomir/diffexp"
	"github.com/exomir/exomir/quant"
)

// IsomirMinCount is the count an isomiR or variant-type row of
// de_isomirs.tsv must reach in at least as many samples as the smaller
// group of the contrast has (DESeq2's vignette prefilter): it keeps the
// matrices small at cohort scale.
const IsomirMinCount = 10

// isomirDEFit is diffexp.IsomirDE; a test replaces it to see a failure
// handled.
var isomirDEFit = diffexp.IsomirDE

// IsomirDE is the isomiR-level differential expression of a study
// (de_isomirs.tsv): DESeq2 on the isomiR matrix and on the variant-type
// matrix per miRNA, with the miRNA matrix's size factors and the study's
// design and contrast. Levels keep their annotations, not their counts
// (Counts is nil after the fit: the matrices grow with the samples).
type IsomirDE struct {
	Levels  []diffexp.IsomirLevel
	Results []*diffexp.Results
}

// IsomirRows returns the rows of isomir_counts.tsv over the study's
// samples: from memory, or merged by streaming from the work folder's
// per-sample files when the samples were spilled there (reads fail with
// ctx's error once ctx is done).
func (r *Result) IsomirRows(ctx context.Context) quant.IsomirRows {
	if r.spill == "" {
		qs := make([]*quant.Sample, len(r.Samples))
		for i, s := range r.Samples {
			qs[i] = s.Quant
		}
		return quant.SampleIsomirRows(qs)
	}
	return func(emit func(iso *quant.Isomir, counts []int64)) error {
		inputs := make([]io.Reader, len(r.Samples))
		files := make([]string, len(r.Samples))
		for i, s := range r.Samples {
			files[i] = filepath.Join(r.spill, s.Quant.Name+rowsSuffix)
			f, err := os.Open(files[i])
			if err != nil {
				return err
			}
			defer f.Close()
			inputs[i] = &ctxReader{ctx, f}
		}
		return quant.MergeIsomirSpills(r.Ref, inputs, files)(emit)
	}
}

func (r *Result) sampleNames() []string {
	names := make([]string, len(r.Samples))
	for i, s := range r.Samples {
		names[i] = s.Quant.Name
	}
	return names
}

// WriteIsomirCounts writes isomir_counts.tsv: one row per read × miRNA,
// whose sums per miRNA are mirna_counts.tsv (see quant.WriteIsomirCounts).
// It stops with ctx's error once ctx is done.
func (r *Result) WriteIsomirCounts(ctx context.Context, w io.Writer) error {
	return quant.WriteIsomirRows(ctxWriter{ctx, w}, r.Ref, r.sampleNames(), r.IsomirRows(ctx))
}

// writeMultiQCIsomirs writes exomir_isomirs_mqc.tsv.
func (r *Result) writeMultiQCIsomirs(w io.Writer) error {
	stats := make([]quant.IsomirStats, len(r.Samples))
	for i, s := range r.Samples {
		stats[i] = s.IsomirStats
	}
	return quant.WriteMultiQCIsomirs(w, r.sampleNames(), stats)
}

// studyIsomirDE runs the isomiR-level DE of r, whose miRNA-level DE is
// de. The matrices are built from the streamed rows: memory holds them,
// not the reads of all samples.
func studyIsomirDE(ctx context.Context, c *Config, r *Result, de *DE) (*IsomirDE, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	filter := quant.IsomirFilter{MinCount: IsomirMinCount, MinSamples: smallerGroup(r, de)}
	iso, typ, err := quant.IsomirMatricesOf(r.Ref, r.sampleNames(), r.IsomirRows(ctx), filter)
	if err != nil {
		return nil, err
	}
	out := &IsomirDE{}
	for _, m := range []*quant.IsomirMatrix{iso, typ} {
		if len(m.Features) == 0 {
			continue
		}
		cts := &diffexp.Counts{Features: m.Features, Samples: m.Samples, Values: make([]float64, len(m.Values))}
		for i, v := range m.Values {
			cts.Values[i] = float64(v)
		}
		m.Values = nil // not both copies at once: the matrix grows with the samples
		out.Levels = append(out.Levels, diffexp.IsomirLevel{Level: m.Level, Counts: cts, Mirna: m.Mirna, Variant: m.Variant, SeedShift: m.SeedShift})
	}
	if len(out.Levels) == 0 {
		return nil, fmt.Errorf("no isomiR or variant type has %d reads in %d samples", IsomirMinCount, filter.MinSamples)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	o := diffexp.Options{Design: c.Design, Test: diffexp.Test(c.Test), Alpha: 0.1, Workers: c.Threads,
		Contrast: de.Contrast, SizeFactors: de.Results.SizeFactors}
	if c.Test == TestLRT {
		o.Reduced = "~ 1"
	}
	if out.Results, err = isomirDEFit(ctx, out.Levels, r.Sheet.colData(), o); err != nil {
		return nil, err
	}
	// de_isomirs.tsv needs the results and annotations only; the
	// matrices (isomiR rows × samples) are the large part.
	for i := range out.Levels {
		out.Levels[i].Counts = nil
	}
	return out, nil
}

// isomirDEOrWarn runs studyIsomirDE; a failure (other than an
// interruption) skips de_isomirs.tsv with a de_isomirs_skipped warning
// rather than failing the study.
func isomirDEOrWarn(ctx context.Context, c *Config, r *Result, de *DE) (*IsomirDE, []quant.Warning, error) {
	if de == nil {
		return nil, nil, nil
	}
	ide, err := studyIsomirDE(ctx, c, r, de)
	if err == nil {
		return ide, nil, nil
	}
	if ctx.Err() != nil {
		return nil, nil, ctx.Err()
	}
	msg := "isomiR-level DE not run, de_isomirs.tsv not written: " + err.Error()
	return nil, []quant.Warning{{Code: quant.WarnDEIsomirsSkipped, Message: msg}}, nil
}

// smallerGroup is the number of samples of the contrast's smaller group.
func smallerGroup(r *Result, de *DE) int {
	if len(de.Contrast) != 3 {
		return 1
	}
	col := slices.Index(r.Sheet.Extra, de.Contrast[0])
	var num, den int
	for _, row := range r.Sheet.Rows {
		v := row.Condition
		if col >= 0 {
			v = row.Extra[col]
		}
		switch v {
		case de.Contrast[1]:
			num++
		case de.Contrast[2]:
			den++
		}
	}
	return max(1, min(num, den))
}
