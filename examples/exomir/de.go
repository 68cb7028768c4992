package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"runtime/debug"
	"sort"
	"strings"
	"time"

	"github.com/exomir/exomir/diffexp"
	"github.com/exomir/exomir/internal/atomicfile"
	"github.com/exomir/exomir/seq"
)

func init() {
	register(command{
		name:    "de",
		summary: "differential expression (DESeq2 or edgeR exact test) and biomarker ROC",
		run:     runDE,
	})
}

// deArgs are the parsed flags of "exomir de".
type deArgs struct {
	counts, coldata, out, roc     string
	design, contrast, test, redu  string
	method, sfType                string
	spikeinCounts                 string // -spikein-counts (de_spikein.go)
	alpha                         float64
	threads                       int
	noFilter, strict              bool
	timing                        bool
	fitSeconds                    float64 // wall time of the DESeq/EdgeR call alone
	contrastVar, numLvl, denomLvl string
	shrink                        string // "" or "normal" (transform.go)
}

func runDE(args []string, stdout, stderr io.Writer) error {
	// A count matrix is small: collect garbage less often.
	defer debug.SetGCPercent(debug.SetGCPercent(400))
	fs := newFlagSet("de", "-counts counts.tsv -coldata coldata.tsv [flags] -out de.tsv", stderr)
	var a deArgs
	fs.StringVar(&a.counts, "counts", "", "count matrix: mirna<TAB>sample..., integer counts (gzip accepted)")
	fs.StringVar(&a.coldata, "coldata", "", "sample table: sample<TAB>condition[<TAB>more...], any row order")
	fs.StringVar(&a.out, "out", "", "results file (mirna baseMean log2FoldChange lfcSE stat pvalue padj); - for stdout")
	fs.StringVar(&a.design, "design", "~ condition", "design formula, covariates first: \"~ batch + condition\"")
	fs.StringVar(&a.contrast, "contrast", "", "variable,numerator,denominator (default: last design variable, tumor vs control when both exist, else the last level vs the first in sorted order)")
	fs.StringVar(&a.test, "test", "wald", "deseq2 test: wald or lrt")
	fs.StringVar(&a.redu, "reduced", "~ 1", "reduced formula for -test lrt")
	fs.StringVar(&a.method, "method", "deseq2", "deseq2, edger (TMM + exact test; baseMean = mean TMM-normalised count, lfcSE and stat NA), or edger-ql (glmQLFit + glmQLFTest, edgeR 3.x; -design may add covariates; writes mirna logFC logCPM F PValue FDR)")
	fs.StringVar(&a.sfType, "sf-type", "ratio", "deseq2 size factors: ratio, poscounts, or spikein (median of ratios over the spike-ins of -spikein-counts)")
	fs.StringVar(&a.spikeinCounts, "spikein-counts", "", "spike-in counts (spikein<TAB>sample…, as exomir quant/run write spikein_counts.tsv) for -sf-type spikein")
	fs.Float64Var(&a.alpha, "alpha", 0.1, "significance level for independent filtering")
	fs.BoolVar(&a.noFilter, "no-filter", false, "deseq2: turn independent filtering off")
	fs.StringVar(&a.roc, "roc", "", "also write per-miRNA ROC AUC with DeLong 95% CI (mirna auc lower upper direction) to this file")
	fs.StringVar(&a.shrink, "shrink", "", "deseq2: normal = DESeq2's lfcShrink(type=\"normal\") log2FoldChange and lfcSE (stat, pvalue, padj unshrunken)")
	fs.IntVar(&a.threads, "threads", 0, "worker goroutines (0 = all CPUs); results do not depend on it")
	fs.BoolVar(&a.strict, "strict", false, "warnings (a covariate confounded with the contrast variable, look-alike levels) are an error: exit non-zero, write nothing")
	fs.BoolVar(&a.timing, "timing", false, "print the wall time of the fit alone (reading and writing excluded) to stderr, as seconds_fit<TAB>s")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := requireFlags(fs, "counts", "coldata", "out"); err != nil {
		return err
	}
	ctx, stop := interruptContext()
	defer stop()
	c, cda, err := deRead(&a)
	if err != nil {
		return err
	}
	res, rocs, err := deFit(ctx, &a, c, cda)
	if err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	ws := coldataWarnings(cda, a.contrastVar)
	printWarnings(stderr, ws)
	if err := strictCheck(a.strict, ws); err != nil {
		return err
	}
	if a.timing {
		fmt.Fprintf(stderr, "seconds_fit\t%.6f\n", a.fitSeconds)
	}
	write := diffexp.WriteResults
	if res.Method == diffexp.MethodEdgeRQL {
		write = diffexp.WriteEdgeRQLResults
	}
	if err := deWrite(ctx, a.out, stdout, func(w io.Writer) error { return write(w, res) }); err != nil {
		return err
	}
	if a.roc != "" {
		if err := deWrite(ctx, a.roc, stdout, func(w io.Writer) error { return diffexp.WriteROC(w, rocs) }); err != nil {
			return err
		}
	}
	return nil
}

// deWrite writes path atomically ("-" is stdout); an interruption before
// the file is complete leaves no file.
func deWrite(ctx context.Context, path string, stdout io.Writer, fill func(w io.Writer) error) error {
	if path == "-" {
		return fill(stdout)
	}
	return atomicfile.WriteFile(path, func(w *bufio.Writer) error {
		if err := fill(w); err != nil {
			return err
		}
		return ctx.Err()
	})
}

// requireFlags reports the named flags of fs left empty, shows the usage
// and returns errUsage; nil when all are set.
func requireFlags(fs *flag.FlagSet, names ...string) error {
	var missing []string
	for _, name := range names {
		if fs.Lookup(name).Value.String() == "" {
			missing = append(missing, "-"+name)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	fmt.Fprintf(fs.Output(), "%s: missing %s\n", fs.Name(), strings.Join(missing, ", "))
	fs.Usage()
	return errUsage
}

// readInput reads the possibly compressed file path with read, which
// names path in its errors.
func readInput[T any](path string, read func(r io.Reader, file string) (T, error)) (T, error) {
	r, done, err := deOpen(path)
	if err != nil {
		var zero T
		return zero, err
	}
	defer done()
	return read(r, path)
}

// deOpen opens a possibly compressed file (sniffed by seq from its magic
// bytes); a plain file keeps its size visible, so the matrix is read
// into one allocation.
func deOpen(path string) (io.Reader, func(), error) {
	rc, err := seq.Open(path)
	if err != nil {
		return nil, nil, err
	}
	return rc, func() { rc.Close() }, nil
}

// deRead reads the count matrix and the coldata files.
func deRead(a *deArgs) (*diffexp.Counts, *diffexp.ColData, error) {
	c, err := readInput(a.counts, diffexp.ReadCounts)
	if err != nil {
		return nil, nil, err
	}
	cd, err := readInput(a.coldata, diffexp.ReadColData)
	if err != nil {
		return nil, nil, err
	}
	cda, err := deAlign(a, c, cd)
	if err != nil {
		return nil, nil, err
	}
	return c, cda, nil
}

// deAlign puts the coldata in the matrix's sample order, naming samples
// missing from either file.
func deAlign(a *deArgs, c *diffexp.Counts, cd *diffexp.ColData) (*diffexp.ColData, error) {
	inCounts := map[string]bool{}
	for _, s := range c.Samples {
		inCounts[s] = true
	}
	var extra []string
	for _, s := range cd.Samples {
		if !inCounts[s] {
			extra = append(extra, s)
		}
	}
	if len(extra) > 0 {
		sort.Strings(extra)
		return nil, fmt.Errorf("%w from %s (listed in %s): %s", diffexp.ErrMissingSample, a.counts, a.coldata, strings.Join(extra, ", "))
	}
	cda, err := cd.Align(c.Samples)
	if err != nil {
		return nil, fmt.Errorf("%s vs %s: %w", a.counts, a.coldata, err)
	}
	return cda, nil
}

// deFit resolves the contrast and runs the chosen method (and the ROC
// when a.roc is set) on counts c with coldata cda in c's sample order.
func deFit(ctx context.Context, a *deArgs, c *diffexp.Counts, cda *diffexp.ColData) (*diffexp.Results, []diffexp.ROC, error) {
	test, err := diffexp.ParseTest(a.test)
	if err != nil {
		return nil, nil, fmt.Errorf("-test: %w", err)
	}
	method, err := diffexp.ParseMethod(a.method)
	if err != nil {
		return nil, nil, fmt.Errorf("-method: %w", err)
	}
	if method == "" {
		method = diffexp.MethodDESeq2
	}
	var sfType diffexp.SizeFactorType
	if a.sfType != "spikein" {
		if sfType, err = diffexp.ParseSizeFactorType(a.sfType); err != nil {
			return nil, nil, fmt.Errorf("-sf-type: %w, or spikein", err)
		}
	}
	// the checks below compare the canonical names
	a.test, a.method = test.String(), method.String()
	o := diffexp.Options{
		Design: a.design, Test: test, Alpha: a.alpha,
		SizeFactorType: sfType, Workers: a.threads,
	}
	if o.Test == diffexp.TestLRT {
		o.Reduced = a.redu
	}
	if err := deSpikein(a, c, &o); err != nil {
		return nil, nil, err
	}
	if a.noFilter {
		f := false
		o.IndependentFiltering = &f
	}
	if err := deContrast(a, cda, &o); err != nil {
		return nil, nil, err
	}
	if err := deCheckShrink(a); err != nil {
		return nil, nil, err
	}
	fit := func(ctx context.Context, c *diffexp.Counts, cd *diffexp.ColData, o diffexp.Options) (*diffexp.Results, error) {
		return deDESeq(ctx, a, c, cd, o)
	}
	only := "" // the edgeR methods' single test
	switch method {
	case diffexp.MethodEdgeR:
		fit, only = diffexp.EdgeR, "the exact test"
	case diffexp.MethodEdgeRQL:
		fit, only = diffexp.EdgeRQL, "the QL F-test"
	}
	if only != "" {
		if o.Test == diffexp.TestLRT {
			return nil, nil, fmt.Errorf("-method %s has only %s; -test lrt needs -method deseq2", method, only)
		}
		o.Test = ""
	}
	t0 := time.Now()
	res, err := fit(ctx, c, cda, o)
	a.fitSeconds = time.Since(t0).Seconds()
	if err != nil {
		return nil, nil, err
	}
	var rocs []diffexp.ROC
	if a.roc != "" {
		rocs, err = diffexp.ROCAUC(c, cda, res.SizeFactors, a.contrastVar, a.numLvl, a.denomLvl)
		if err != nil {
			return nil, nil, fmt.Errorf("roc: %w", err)
		}
	}
	return res, rocs, nil
}

// deContrast resolves -contrast (or its default) against the coldata and
// checks that both levels exist with at least two samples each.
func deContrast(a *deArgs, cd *diffexp.ColData, o *diffexp.Options) error {
	if a.contrast != "" {
		parts := strings.Split(a.contrast, ",")
		for i := range parts {
			parts[i] = strings.TrimSpace(parts[i])
		}
		if len(parts) != 3 || parts[0] == "" || parts[1] == "" || parts[2] == "" {
			return fmt.Errorf("-contrast %q: want variable,numerator,denominator (e.g. condition,tumor,control)", a.contrast)
		}
		a.contrastVar, a.numLvl, a.denomLvl = parts[0], parts[1], parts[2]
		o.Contrast = parts
	} else {
		// last variable of the design formula
		f := strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(a.design), "~"))
		terms := strings.Split(f, "+")
		a.contrastVar = strings.TrimSpace(terms[len(terms)-1])
	}
	col := cd.Column(a.contrastVar)
	if col == nil {
		return fmt.Errorf("%w: variable %q is not a column of %s (columns: %s)", diffexp.ErrContrast, a.contrastVar, a.coldata, strings.Join(cd.Names, ", "))
	}
	count := map[string]int{}
	var levels []string
	for _, v := range col {
		if count[v] == 0 {
			levels = append(levels, v)
		}
		count[v]++
	}
	sort.Strings(levels)
	if a.contrast == "" {
		num, den, err := diffexp.DefaultContrast(levels)
		if err != nil {
			return fmt.Errorf("%w: %q has only the level %q in %s", diffexp.ErrContrast, a.contrastVar, levels[0], a.coldata)
		}
		a.numLvl, a.denomLvl = num, den
	}
	for _, l := range []string{a.numLvl, a.denomLvl} {
		if count[l] == 0 {
			return fmt.Errorf("%w: level %q of %q absent from %s (levels: %s)", diffexp.ErrContrast, l, a.contrastVar, a.coldata, strings.Join(levels, ", "))
		}
	}
	// pass the resolved contrast on, so every method and the ROC agree
	o.Contrast = []string{a.contrastVar, a.numLvl, a.denomLvl}
	if a.numLvl == a.denomLvl {
		return fmt.Errorf("%w: numerator and denominator are both %q", diffexp.ErrContrast, a.numLvl)
	}
	needTwo := strings.ToLower(a.method) == "edger" || a.roc != "" || strings.ToLower(a.test) != "lrt"
	if needTwo {
		for _, l := range []string{a.numLvl, a.denomLvl} {
			if count[l] < 2 {
				return fmt.Errorf("%w: %s = %q has %d sample(s) in %s; at least 2 per group are needed", diffexp.ErrTooFewReplicates, a.contrastVar, l, count[l], a.coldata)
			}
		}
	}
	return nil
}
