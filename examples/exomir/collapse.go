package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"

	"github.com/exomir/exomir/internal/atomicfile"
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
	adapter := fs.String("adapter", "", "3' adapter sequence; overrides the protocol's adapter (and skips detection)")
	minLen := fs.Int("min-len", seq.DefaultMinLen, "shortest insert kept (nt)")
	maxLen := fs.Int("max-len", seq.DefaultMaxLen, "longest insert kept (nt)")
	maxN := fs.Int("max-n", 0, "most N bases an insert may hold (negative: no limit)")
	minQual := fs.Float64("min-qual", 0, "drop inserts whose mean Phred quality is below this (0: off)")
	errRate := fs.Float64("error-rate", seq.DefaultMaxErrorRate, "maximum error rate (mismatches and indels) in the adapter match (as cutadapt -e)")
	noIndels := fs.Bool("no-indels", false, "allow only mismatches in the adapter match, no indels (as cutadapt --no-indels)")
	minOverlap := fs.Int("min-overlap", seq.DefaultMinOverlap, "shortest partial adapter recognised at the read end (as cutadapt -O)")
	threads := fs.Int("threads", 0, "worker goroutines for BGZF inflation and for trimming and collapsing; 0 = all cores (output never depends on it)")
	detectReads := fs.Int("detect-reads", seq.DefaultDetectReads, "reads examined by adapter detection with -protocol auto")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *in == "" || *out == "" {
		fmt.Fprintln(stderr, "exomir collapse: -in and -out are required")
		fs.Usage()
		return errUsage
	}
	if *minLen <= 0 || *maxLen < *minLen {
		return fmt.Errorf("bad length range -min-len %d -max-len %d", *minLen, *maxLen)
	}
	o := seq.Options{
		Protocol:     *protocol,
		Adapter:      *adapter,
		MinLen:       *minLen,
		MaxLen:       *maxLen,
		MaxN:         *maxN,
		MinMeanQual:  *minQual,
		Threads:      *threads,
		DetectReads:  *detectReads,
		MaxErrorRate: *errRate,
		MinOverlap:   *minOverlap,
		NoIndels:     *noIndels,
	}
	if p := strings.ToLower(*protocol); p != "auto" && p != "" {
		if _, err := seq.KitByName(*protocol); err != nil {
			return err
		}
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	res, err := seq.CollapseFile(ctx, *in, o)
	if err != nil {
		return err
	}
	// All three files are written to temporaries first and published only
	// when every one is complete.
	type output struct {
		suffix string
		fill   func(w *bufio.Writer) error
	}
	outs := []output{
		{".collapsed.fa", func(w *bufio.Writer) error { return seq.WriteCollapsedFasta(w, res.Inserts) }},
		{".summary.tsv", func(w *bufio.Writer) error { return seq.WriteSummary(w, &res.Summary) }},
		{".lengths.tsv", func(w *bufio.Writer) error { return seq.WriteLengths(w, &res.Summary) }},
	}
	files := make([]*atomicfile.File, 0, len(outs))
	defer func() {
		for _, f := range files {
			f.Abort()
		}
	}()
	for _, o := range outs {
		f, err := atomicfile.Create(*out + o.suffix)
		if err != nil {
			return err
		}
		files = append(files, f)
		if err := o.fill(f.Writer); err != nil {
			return fmt.Errorf("write %s%s: %w", *out, o.suffix, err)
		}
	}
	if err := ctx.Err(); err != nil {
		return errors.New("interrupted")
	}
	for _, f := range files {
		if err := f.Commit(); err != nil {
			return err
		}
	}
	s := &res.Summary
	fmt.Fprintf(stderr, "exomir collapse: %s: %d reads, %d passed, %d distinct inserts; adapter %s (%s, protocol %s)\n",
		*in, s.InputReads, s.Count(seq.CatPassed), s.DistinctInserts, s.Adapter, s.AdapterSource, s.Protocol)
	return nil
}
