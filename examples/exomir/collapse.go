package main

import (
	"bufio"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/exomir/exomir/internal/atomicfile"
	"github.com/exomir/exomir/internal/resultset"
	"github.com/exomir/exomir/quant"
	"github.com/exomir/exomir/seq"
)

func init() {
	register(command{
		name:    "collapse",
		summary: "trim adapters, filter and collapse reads of one FASTQ into unique inserts",
		run:     runCollapse,
	})
}

func runCollapse(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("collapse", "-in FILE -out PREFIX [flags]", stderr)
	in := fs.String("in", "", "input FASTQ: plain, gzip or BGZF (detected from the content), or - for stdin (required)")
	out := fs.String("out", "", "output prefix: writes PREFIX.collapsed.fa, PREFIX.summary.tsv and PREFIX.lengths.tsv (required)")
	protocol := fs.String("protocol", "auto", "library prep: auto (detect the adapter from the first reads), "+strings.Join(seq.KitNames(), ", ")+"; none = reads are already trimmed")
	adapter := fs.String("adapter", "", "3' adapter sequence; overrides the protocol's adapter, keeping its layout (with auto: the detected layout)")
	clip5 := fs.Int("clip5", -1, "bases removed from each insert's 5' end after adapter trimming, e.g. 6 for a 6-nt barcode (-1: the kit's or detected)")
	clip3 := fs.Int("clip3", -1, "bases removed from each insert's 3' end after adapter trimming (-1: the kit's)")
	minLen := fs.Int("min-len", seq.DefaultMinLen, "shortest insert kept (nt)")
	maxLen := fs.Int("max-len", seq.DefaultMaxLen, "longest insert kept (nt)")
	maxN := fs.Int("max-n", seq.DefaultMaxN, "most N bases an insert may hold (an N aligns as a mismatch); 0: none; negative: no limit")
	minQual := fs.Float64("min-qual", 0, "drop inserts whose mean Phred quality is below this (0: off)")
	errRate := fs.Float64("error-rate", seq.DefaultMaxErrorRate, "maximum error rate (mismatches and indels) in the adapter match (as cutadapt -e)")
	noIndels := fs.Bool("no-indels", false, "allow only mismatches in the adapter match, no indels (as cutadapt --no-indels)")
	minOverlap := fs.Int("min-overlap", seq.DefaultMinOverlap, "shortest partial adapter recognised at the read end (as cutadapt -O)")
	threads := fs.Int("threads", 0, "worker goroutines for BGZF inflation and for trimming and collapsing; 0 = all cores (output never depends on it)")
	detectReads := fs.Int("detect-reads", seq.DefaultDetectReads, "reads examined by adapter detection with -protocol auto")
	maxReadLen := fs.Int("max-read-len", seq.DefaultMaxReadLen, "longest raw read accepted (nt); a longer one is an error (a wrong file), found without reading the whole line")
	strict := fs.Bool("strict", false, "QC warnings (adapter missing, dimers, length mode, unsure detection) are an error: exit non-zero, write nothing")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	defer softMemoryLimit()()
	if *in == "" || *out == "" {
		fmt.Fprintln(stderr, "exomir collapse: -in and -out are required")
		fs.Usage()
		return errUsage
	}
	if *maxReadLen <= 0 {
		return fmt.Errorf("-max-read-len %d: want a positive length", *maxReadLen)
	}
	if *minLen <= 0 || *maxLen < *minLen {
		return fmt.Errorf("bad length range -min-len %d -max-len %d", *minLen, *maxLen)
	}
	o := seq.Options{
		Protocol:     *protocol,
		Adapter:      *adapter,
		MinLen:       *minLen,
		MaxLen:       *maxLen,
		MaxN:         maxN,
		Clip5:        clipOption(*clip5),
		Clip3:        clipOption(*clip3),
		MinMeanQual:  *minQual,
		Threads:      *threads,
		DetectReads:  *detectReads,
		MaxErrorRate: *errRate,
		MinOverlap:   *minOverlap,
		NoIndels:     *noIndels,
		MaxReadLen:   *maxReadLen,
	}
	if p := strings.ToLower(*protocol); p != "auto" && p != "" {
		if _, err := seq.KitByName(*protocol); err != nil {
			return err
		}
	}
	if err := atomicfile.CheckDir(filepath.Dir(*out)); err != nil {
		return err
	}
	ctx, stop := interruptContext()
	defer stop()
	res, err := seq.CollapseFile(ctx, *in, o)
	if err != nil {
		return readLenHint(err)
	}
	// The checks that need no miRNA counts.
	ws := quant.CheckSample(sampleName(*in), &res.Summary, nil)
	printWarnings(stderr, ws)
	if err := strictCheck(*strict, ws); err != nil {
		return err
	}
	// The three files are one result set (keyed by the prefix's name):
	// they appear together, replacing the previous ones, or not at all.
	dir, key := filepath.Split(*out)
	if key == "" || key == "." || key == ".." {
		return fmt.Errorf("-out %q: want a prefix ending in a file name, e.g. results/s1", *out)
	}
	set, err := resultset.Begin(dir, key)
	if err != nil {
		return err
	}
	defer set.Abort()
	outs := []quant.OutputFile{
		{Name: key + ".collapsed.fa", Write: func(w io.Writer) error { return seq.WriteCollapsedFasta(w, res.Inserts) }},
		{Name: key + ".summary.tsv", Write: func(w io.Writer) error {
			if err := seq.WriteSummary(w, &res.Summary); err != nil {
				return err
			}
			_, err := io.WriteString(w, "warnings\t"+quant.WarningCodes(ws)+"\n")
			return err
		}},
		{Name: key + ".lengths.tsv", Write: func(w io.Writer) error { return seq.WriteLengths(w, &res.Summary) }},
	}
	for _, o := range outs {
		if err := set.WriteFile(o.Name, func(w *bufio.Writer) error { return o.Write(w) }); err != nil {
			return err
		}
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := set.Commit(); err != nil {
		return err
	}
	s := &res.Summary
	fmt.Fprintf(stderr, "exomir collapse: %s: %d reads, %d passed, %d distinct inserts; adapter %s (%s, protocol %s)\n",
		*in, s.InputReads, s.Count(seq.CatPassed), s.DistinctInserts, s.Adapter, s.AdapterSource, s.Protocol)
	return nil
}
