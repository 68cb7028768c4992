package main

import (
	"bufio"
	"fmt"
	"io"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"github.com/exomir/exomir/biomarker"
	"github.com/exomir/exomir/diffexp"
	"github.com/exomir/exomir/internal/resultset"
)

func init() {
	register(command{
		name:    "panel",
		summary: "multi-miRNA signature: elastic-net logistic regression (glmnet) with nested cross-validation",
		run:     runPanel,
	})
}

// runPanel builds a signature with biomarker.BuildPanel and writes its
// files into -out as one result set.
func runPanel(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("panel", "-counts counts.tsv -coldata coldata.tsv -contrast condition,tumor,control [flags] -out DIR", stderr)
	var counts, coldata, contrast, lambdas, out string
	var o biomarker.PanelOptions
	fs.StringVar(&counts, "counts", "", "count matrix: mirna<TAB>sample..., integer counts (gzip accepted)")
	fs.StringVar(&coldata, "coldata", "", "sample table: sample<TAB>condition[<TAB>more...], any row order")
	fs.StringVar(&contrast, "contrast", "", "variable,numerator,denominator: outcome 1 = numerator (e.g. condition,tumor,control); samples of other levels are an error")
	fs.IntVar(&o.Features, "features", 200, "use the N most variable miRNAs of vst(blind=FALSE), chosen within each training fold")
	fs.Float64Var(&o.Alpha, "alpha", 0.5, "elastic-net mixing: 1 = lasso, 0 = ridge")
	fs.StringVar(&lambdas, "lambda", "", "comma-separated λ values (default: glmnet's own sequence on each fit)")
	fs.IntVar(&o.Folds, "cv", 5, "folds of the outer (and inner) cross-validation")
	fs.IntVar(&o.Repeats, "repeats", 10, "repeats of the outer cross-validation")
	var seed uint64
	fs.Uint64Var(&seed, "seed", 1, "seed of the fold draws; outputs are identical for a seed whatever -threads")
	fs.IntVar(&o.Workers, "threads", 0, "worker goroutines (0 = all CPUs); results do not depend on it")
	fs.StringVar(&out, "out", "", "output folder: coefficients.tsv cv_auc.tsv stability.tsv roc.tsv oof_scores.tsv model.json")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	o.Seed = seed
	if err := requireFlags(fs, "counts", "coldata", "contrast", "out"); err != nil {
		return err
	}
	parts := strings.Split(contrast, ",")
	for i := range parts {
		parts[i] = strings.TrimSpace(parts[i])
	}
	if len(parts) != 3 || parts[0] == "" || parts[1] == "" || parts[2] == "" {
		return fmt.Errorf("-contrast %q: want variable,numerator,denominator (e.g. condition,tumor,control)", contrast)
	}
	o.Column, o.Positive, o.Negative = parts[0], parts[1], parts[2]
	if lambdas != "" {
		for _, s := range strings.Split(lambdas, ",") {
			v, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
			if err != nil || !(v >= 0) {
				return fmt.Errorf("-lambda %q: %q is not a non-negative number", lambdas, s)
			}
			o.Lambda = append(o.Lambda, v)
		}
	}
	o.Version = exomirVersion()
	start := time.Now()
	c, cd, err := deRead(&deArgs{counts: counts, coldata: coldata})
	if err != nil {
		return err
	}
	col := cd.Column(o.Column)
	if col == nil {
		return fmt.Errorf("%s: %w: no column %q (columns: %s)", coldata, diffexp.ErrContrast, o.Column, strings.Join(cd.Names, ", "))
	}
	for j, v := range col {
		if v != o.Positive && v != o.Negative {
			return fmt.Errorf("%s: sample %q has %s = %q, neither %q nor %q; drop it from the counts or the coldata", coldata, cd.Samples[j], o.Column, v, o.Positive, o.Negative)
		}
	}
	ctx, stop := interruptContext()
	defer stop()
	pn, err := biomarker.BuildPanel(ctx, c, cd, o)
	if err != nil {
		return fmt.Errorf("%s: %w", counts, err)
	}
	for _, w := range pn.Warnings {
		fmt.Fprintln(stderr, "warning: "+w)
	}
	set, err := resultset.Begin(out, "panel")
	if err != nil {
		return err
	}
	defer set.Abort()
	md := pn.Model
	files := []outFile{
		{"coefficients.tsv", func(w *bufio.Writer) error { return biomarker.WriteCoefficients(w, pn.Path, md.Features) }},
		{"cv_auc.tsv", func(w *bufio.Writer) error { return pn.WriteCVAUC(w) }},
		{"stability.tsv", func(w *bufio.Writer) error { return pn.WriteStability(w) }},
		{"roc.tsv", func(w *bufio.Writer) error { return pn.WriteROC(w) }},
		{"oof_scores.tsv", func(w *bufio.Writer) error { return pn.WriteOOF(w) }},
		{"model.json", func(w *bufio.Writer) error { return md.WriteJSON(w) }},
	}
	for _, f := range files {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := set.WriteFile(f.name, f.fill); err != nil {
			return err
		}
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := set.Commit(); err != nil {
		return err
	}
	nz := 0
	for _, b := range md.Coefficients {
		if b != 0 {
			nz++
		}
	}
	fmt.Fprintf(stdout, "exomir panel: %d samples, %d candidate miRNAs; nested CV (%d folds × %d repeats) AUC %.3f [%.3f, %.3f]; final model λ = %.4g with %d miRNAs; %.1f s\n",
		len(c.Samples), len(md.Features), o.Folds, o.Repeats, pn.AUC, pn.Lower, pn.Upper, md.Lambda, nz, time.Since(start).Seconds())
	fmt.Fprintln(stdout, "model: "+filepath.Join(out, "model.json"))
	return nil
}

// exomirVersion is the module version and VCS revision of this binary.
func exomirVersion() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "unknown"
	}
	v := bi.Main.Version
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			v += " " + s.Value
		case "vcs.modified":
			if s.Value == "true" {
				v += " (modified)"
			}
		}
	}
	return v
}
