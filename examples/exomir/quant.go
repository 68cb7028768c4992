package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/exomir/exomir/internal/atomicfile"
	"github.com/exomir/exomir/quant"
	"github.com/exomir/exomir/seq"
	"github.com/exomir/exomir/study"
)

func init() {
	register(command{
		name:    "quant",
		summary: "count miRNAs, hairpins, isomiRs and other small RNAs of one sample (FASTQ or BAM)",
		run:     runQuant,
	})
}

// multiFlag collects repeated -other NAME=FILE flags.
type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ",") }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }

// quantConfig is the parsed command line of "exomir quant".
type quantConfig struct {
	fastq, bam, sample, out       string
	protocol, adapter             string
	umi                           bool
	species, mature, hairpin, gff string
	others                        multiFlag
	annotation, spikeins          string // small-RNA annotation and spike-ins (quant_smallrna.go)
	multi                         string
	threads, minLen, maxLen       int
	maxN, clip5, clip3            int
	maxReadLen                    int
	mismatches                    int
	skipUnplaced, bamOut          bool
	strict                        bool // warnings are an error, no outputs
	extra                         refExtras
}

func runQuant(args []string, stdout, stderr io.Writer) error {
	var c quantConfig
	fs := newFlagSet("quant", "(-fastq FILE | -bam FILE) -out DIR [flags]", stderr)
	fs.StringVar(&c.fastq, "fastq", "", "reads: FASTQ, gzip or BGZF (sniffed), - for stdin")
	fs.StringVar(&c.bam, "bam", "", "alignments instead of reads: BAM/SAM on hairpins, or on the genome with -gff")
	fs.StringVar(&c.sample, "sample", "", "sample name used for the output files (default: input file name without extensions)")
	fs.StringVar(&c.out, "out", "", "output directory (created if missing)")
	addReadFlags(fs, &c)
	fs.IntVar(&c.threads, "threads", 0, "worker threads (0 = all CPUs)")
	fs.BoolVar(&c.bamOut, "bam-out", false, "also write DIR/NAME.bam: the inserts' alignments on the hairpins (FASTQ input)")
	fs.BoolVar(&c.strict, "strict", false, "QC warnings (wrong kit?, few miRNA reads, …) are an error: exit non-zero, write nothing")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	// Growth 50%, not 100%: the live heap peaks briefly (~160 MB on a
	// 2M-read, 30%-distinct library, while Finish joins the placement
	// blocks), and doubling it would set the resident peak.
	defer softMemoryLimitOf(softHeapLimit, 50)()
	if (c.fastq == "") == (c.bam == "") {
		fmt.Fprintln(stderr, "exomir quant: give exactly one of -fastq and -bam")
		fs.Usage()
		return errUsage
	}
	if c.out == "" {
		fmt.Fprintln(stderr, "exomir quant: -out DIR is required")
		fs.Usage()
		return errUsage
	}
	if c.gff != "" && c.bam == "" {
		return errors.New("-gff applies to -bam input (genome alignments)")
	}
	if c.bamOut && c.bam != "" {
		return errors.New("-bam-out applies to -fastq input")
	}
	sc, err := c.studyConfig()
	if err != nil {
		return err
	}
	if c.sample == "" {
		c.sample = sampleName(c.fastq + c.bam)
	}
	if err := quant.CheckSampleName(c.sample); err != nil {
		return fmt.Errorf("%w (give -sample NAME)", err)
	}
	if err := atomicfile.CheckDir(c.out); err != nil {
		return err
	}
	ctx, stop := interruptContext()
	defer stop()
	ref, err := study.LoadReference(ctx, sc)
	if err != nil {
		return err
	}
	var s *quant.Sample
	var res *seq.Result
	if c.fastq != "" {
		s, res, err = quantFastq(ctx, &c, sc, ref)
	} else {
		s, err = study.QuantifyBAM(ctx, ref, c.sample, c.bam, sc, c.threads)
	}
	if err != nil {
		return err
	}
	var sum *seq.Summary
	if res != nil {
		sum = &res.Summary
	}
	ws := quant.CheckSample(s.Name, sum, s)
	s.SetWarnings(ws)
	printWarnings(stderr, ws)
	if err := strictCheck(c.strict, ws); err != nil {
		return err
	}
	var extra []quant.OutputFile
	if sum != nil {
		// The insert lengths, for exomir report -quant (the workflow).
		extra = append(extra, quant.OutputFile{Name: s.Name + ".lengths.tsv", Write: func(w io.Writer) error { return seq.WriteLengths(w, sum) }})
	}
	if c.bamOut {
		bam, err := insertBAM(ctx, &c, ref, res)
		if err != nil {
			return err
		}
		extra = append(extra, bam)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	extra = append(extra, quantExtraFiles(sc, s.Name, ref)...)
	gffo, err := sc.GFFOptions()
	if err != nil {
		return err
	}
	if err := quant.WriteOutputs(c.out, s, gffo, extra...); err != nil {
		return err
	}
	mirna, _ := s.Stat("reads_mirna")
	input, _ := s.Stat("input_reads")
	unit, _ := s.Stat("count_unit")
	counted, _ := s.Stat("mirna_counted")
	fmt.Fprintf(stdout, "%s: %s input reads, %s miRNA reads, %s %s counted on %d miRNAs; wrote %s\n",
		s.Name, input, mirna, counted, unit, len(s.Ref.Features), filepath.Join(c.out, s.Name+".*"))
	return nil
}

// addReadFlags declares the read-processing and reference flags shared by
// quant and run.
func addReadFlags(fs *flag.FlagSet, c *quantConfig) {
	fs.StringVar(&c.protocol, "protocol", "auto", "library kit: auto (detect the adapter and layout: 5' barcode or random bases) or one of "+strings.Join(seq.KitNames(), ", "))
	fs.StringVar(&c.adapter, "adapter", "", "3' adapter sequence, overriding the protocol's; its layout (clips, UMI) is kept, with auto the detected one")
	fs.BoolVar(&c.umi, "umi", false, "require UMIs (e.g. -protocol qiaseq) and count molecules; UMI reads are always counted as molecules")
	fs.StringVar(&c.species, "species", "hsa", "miRBase species prefix; without -mature/-hairpin the embedded miRBase (-mirbase, hsa only) is used")
	fs.StringVar(&c.mature, "mature", "", "miRBase mature.fa (plain or gzip; needs -hairpin)")
	fs.StringVar(&c.hairpin, "hairpin", "", "miRBase hairpin.fa (plain or gzip; needs -mature)")
	fs.StringVar(&c.gff, "gff", "", "miRBase GFF3 (genome coordinates): -bam is aligned to the genome")
	addSmallRNAFlags(fs, c)
	fs.Var(&c.others, "other", "other small-RNA class NAME=FASTA (repeatable), e.g. -other piRNA=pirna.fa (piRNA is not built in); searched after the built-in classes (a built-in NAME adds to that class, e.g. -other YRNA=rny5.fa)")
	fs.StringVar(&c.multi, "multi", "em", "reads on several miRNAs: em (expectation-maximisation), unique (drop them) or split (equal shares)")
	fs.IntVar(&c.mismatches, "mismatches", 2, "most substitutions in a read placed on a hairpin: 2 (reads matching nothing with 1 are aligned again with 2) or 1 (faster)")
	fs.IntVar(&c.minLen, "min-len", 0, "shortest insert kept (0 = 16)")
	fs.IntVar(&c.maxLen, "max-len", 0, "longest insert kept (0 = 40)")
	fs.IntVar(&c.maxN, "max-n", seq.DefaultMaxN, "most N bases an insert may hold (an N aligns as a mismatch); 0: none; negative: no limit")
	fs.IntVar(&c.clip5, "clip5", -1, "bases removed from each insert's 5' end after adapter trimming, e.g. 6 for a 6-nt barcode (-1: the kit's or detected)")
	fs.IntVar(&c.clip3, "clip3", -1, "bases removed from each insert's 3' end after adapter trimming (-1: the kit's)")
	fs.IntVar(&c.maxReadLen, "max-read-len", seq.DefaultMaxReadLen, "longest raw read accepted (nt); a longer one is an error (a wrong file), found without reading the whole line")
	fs.BoolVar(&c.skipUnplaced, "skip-unplaced", false, "drop mature sequences found on no hairpin instead of failing")
	addExtraFlags(fs, &c.extra)
}

// clipOption turns a -clip5/-clip3 value into seq.Options' form: negative
// (the flag's default) keeps the layout's clip.
func clipOption(n int) *int {
	if n < 0 {
		return nil
	}
	return new(n)
}

// studyConfig checks the read and reference flags and turns them into
// study's Config.
func (c *quantConfig) studyConfig() (study.Config, error) {
	var sc study.Config
	if (c.mature == "") != (c.hairpin == "") {
		return sc, errors.New("-mature and -hairpin go together")
	}
	multi, err := quant.ParseMulti(c.multi)
	if err != nil {
		return sc, err
	}
	if c.mismatches != 1 && c.mismatches != 2 {
		return sc, fmt.Errorf("-mismatches %d: want 1 or 2", c.mismatches)
	}
	if c.maxReadLen <= 0 {
		return sc, fmt.Errorf("-max-read-len %d: want a positive length", c.maxReadLen)
	}
	sc = study.Config{
		Protocol: c.protocol, Adapter: c.adapter, UMI: c.umi,
		MinLen: c.minLen, MaxLen: c.maxLen, MaxN: new(c.maxN),
		Clip5: clipOption(c.clip5), Clip3: clipOption(c.clip3), MaxReadLen: c.maxReadLen,
		Species: c.species, Mature: c.mature, Hairpin: c.hairpin, GFF: c.gff,
		SkipUnplaced: c.skipUnplaced, Multi: multi, Mismatches: c.mismatches,
	}
	c.extra.setConfig(&sc)
	for _, o := range c.others {
		other, err := study.ParseOther(o)
		if err != nil {
			return sc, fmt.Errorf("-other %q: want NAME=FASTA", o)
		}
		sc.Others = append(sc.Others, other)
	}
	sc.Annotation, sc.Spikeins = study.AnnotationSet(c.annotation), c.spikeins
	return sc, nil
}

func quantFastq(ctx context.Context, c *quantConfig, sc study.Config, ref *quant.Reference) (*quant.Sample, *seq.Result, error) {
	in, err := seq.Open(c.fastq)
	if err != nil {
		return nil, nil, err
	}
	defer in.Close()
	s, res, err := study.QuantifyReads(ctx, ref, c.sample, in, c.fastq, sc, c.threads)
	if err != nil {
		return nil, nil, readLenHint(err)
	}
	return s, res, nil
}

// insertBAM aligns the inserts on the hairpins for NAME.bam, written with
// the sample's other outputs.
func insertBAM(ctx context.Context, c *quantConfig, ref *quant.Reference, res *seq.Result) (quant.OutputFile, error) {
	al, err := quant.AlignInserts(ctx, ref, res.Inserts, c.threads)
	if err != nil {
		return quant.OutputFile{}, err
	}
	return quant.OutputFile{Name: c.sample + ".bam", Write: func(w io.Writer) error {
		return quant.WriteBAM(w, ref, al, quant.BAMWriteOptions{Molecules: res.Summary.UMI, Threads: c.threads})
	}}, nil
}

// readLenHint adds the flag to an error about a read over -max-read-len.
func readLenHint(err error) error {
	if errors.Is(err, seq.ErrReadTooLong) {
		return fmt.Errorf("%w (not small-RNA reads? -max-read-len raises the limit)", err)
	}
	return err
}

// sampleName is the file name without directory and without the usual
// sequence/alignment extensions.
func sampleName(path string) string {
	if path == "-" {
		return "stdin"
	}
	name := filepath.Base(path)
	for _, ext := range []string{".gz", ".bgz", ".bz2", ".fastq", ".fq", ".bam", ".sam", ".txt"} {
		name = strings.TrimSuffix(name, ext)
	}
	return name
}
