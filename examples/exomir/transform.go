package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/exomir/exomir/diffexp"
)

func init() {
	register(command{
		name:    "transform",
		summary: "variance-stabilising (vst) or regularised log (rlog) transform of a count matrix, as DESeq2, or ComBat-seq batch correction, as sva",
		run:     runTransform,
	})
}

// runTransform writes DESeq2's vst or rlog of a count matrix: same rows,
// columns and order as the counts, values (log2 scale) in Go's shortest
// round-trip form (strconv 'g', -1).
func runTransform(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("transform", "-counts counts.tsv -coldata coldata.tsv -method vst|rlog [flags] -out matrix.tsv", stderr)
	var counts, coldata, design, method, fitType, sfType, out, batchCol, groupCol string
	var blind bool
	var threads int
	fs.StringVar(&counts, "counts", "", "count matrix: mirna<TAB>sample..., integer counts (gzip accepted)")
	fs.StringVar(&coldata, "coldata", "", "sample table: sample<TAB>condition[<TAB>more...], any row order")
	fs.StringVar(&design, "design", "~ condition", "design formula for the dispersion trend when -blind=false")
	fs.StringVar(&method, "method", "vst", "vst (varianceStabilizingTransformation), rlog, or combat-seq (sva's ComBat_seq: batch-corrected integer counts)")
	fs.StringVar(&batchCol, "batch", "", "combat-seq: coldata column naming each sample's batch")
	fs.StringVar(&groupCol, "group", "", "combat-seq: coldata column of the condition to preserve (default: none)")
	fs.BoolVar(&blind, "blind", true, "estimate the dispersion trend blind to the design (~ 1), DESeq2's default")
	fs.StringVar(&fitType, "fit-type", "parametric", "dispersion trend: parametric, local or mean")
	fs.StringVar(&sfType, "sf-type", "ratio", "size factors: ratio or poscounts")
	fs.IntVar(&threads, "threads", 0, "worker goroutines (0 = all CPUs); results do not depend on it")
	fs.StringVar(&out, "out", "", "output matrix (mirna<TAB>sample..., same shape and order as the counts, log2 values in shortest round-trip form, strconv 'g' -1); - for stdout")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := requireFlags(fs, "counts", "coldata", "out"); err != nil {
		return err
	}
	method = strings.ToLower(method)
	if method != "vst" && method != "rlog" && method != "combat-seq" {
		return fmt.Errorf("unknown -method %q (vst, rlog, combat-seq)", method)
	}
	if method == "combat-seq" && batchCol == "" {
		return fmt.Errorf("-method combat-seq needs -batch COLUMN")
	}
	ft, err := diffexp.ParseFitType(fitType)
	if err != nil {
		return fmt.Errorf("-fit-type: %w", err)
	}
	sft, err := diffexp.ParseSizeFactorType(sfType)
	if err != nil {
		return fmt.Errorf("-sf-type: %w", err)
	}
	c, err := readInput(counts, diffexp.ReadCounts)
	if err != nil {
		return err
	}
	cd, err := readInput(coldata, diffexp.ReadColData)
	if err != nil {
		return err
	}
	cda, err := cd.Align(c.Samples)
	if err != nil {
		return fmt.Errorf("%s vs %s: %w", counts, coldata, err)
	}
	ctx, stop := interruptContext()
	defer stop()
	if method == "combat-seq" {
		return transformComBatSeq(ctx, counts, out, batchCol, groupCol, threads, c, cda, stdout)
	}
	o := diffexp.TransformOptions{Blind: &blind, Design: design, FitType: ft, SizeFactorType: sft, Workers: threads}
	var t *diffexp.Transformed
	if method == "vst" {
		t, err = diffexp.VST(ctx, c, cda, o)
	} else {
		t, err = diffexp.RLog(ctx, c, cda, o)
	}
	if err != nil {
		return fmt.Errorf("%s: %w", counts, err)
	}
	if ft != "" && t.FitType != ft {
		fmt.Fprintf(stderr, "warning: the %s dispersion trend failed; used %s (as DESeq2)\n", ft, t.FitType)
	}
	return deWrite(ctx, out, stdout, func(w io.Writer) error { return diffexp.WriteTransformed(w, t) })
}

// transformComBatSeq writes sva's ComBat_seq adjustment of c: integer
// counts with the shape and order of the input.
func transformComBatSeq(ctx context.Context, counts, out, batchCol, groupCol string, threads int, c *diffexp.Counts, cda *diffexp.ColData, stdout io.Writer) error {
	batch := cda.Column(batchCol)
	if batch == nil {
		return fmt.Errorf("-batch: no column %q in the coldata (columns: %s)", batchCol, strings.Join(cda.Names, ", "))
	}
	var group []string
	if groupCol != "" {
		if group = cda.Column(groupCol); group == nil {
			return fmt.Errorf("-group: no column %q in the coldata (columns: %s)", groupCol, strings.Join(cda.Names, ", "))
		}
	}
	adj, err := diffexp.ComBatSeq(ctx, c, batch, group, threads)
	if err != nil {
		return fmt.Errorf("%s: %w", counts, err)
	}
	return deWrite(ctx, out, stdout, func(w io.Writer) error { return diffexp.WriteCounts(w, adj) })
}

// deCheckShrink validates "exomir de -shrink".
func deCheckShrink(a *deArgs) error {
	switch strings.ToLower(a.shrink) {
	case "":
		return nil
	case "normal":
		if m := strings.ToLower(a.method); m != "deseq2" && m != "deseq" {
			return fmt.Errorf("-shrink normal needs -method deseq2")
		}
		if strings.ToLower(a.test) == "lrt" {
			return fmt.Errorf("-shrink normal needs -test wald")
		}
		return nil
	}
	return fmt.Errorf("unknown -shrink %q (normal)", a.shrink)
}

// deDESeq runs DESeq, followed by lfcShrink(type = "normal") with -shrink
// normal.
func deDESeq(ctx context.Context, a *deArgs, c *diffexp.Counts, cd *diffexp.ColData, o diffexp.Options) (*diffexp.Results, error) {
	if strings.ToLower(a.shrink) == "normal" {
		res, _, err := diffexp.LFCShrinkNormal(ctx, c, cd, o)
		return res, err
	}
	return diffexp.DESeq(ctx, c, cd, o)
}
