// Command simulate writes a simulated small-RNA-seq study of known truth:
// per-sample FASTQ.gz files, a samplesheet and truth tables (see package
// github.com/exomir/exomir/simulate).
//
// Usage:
//
//	go run ./examples/simulate -out DIR [-kit truseq|nextflex|qiaseq|encode]
//	    [-tumor 3 -control 3 | -samples 6] [-reads 2000000] [-len 50]
//	    [-seed 1] [-fold-frac 0.1] [-species hsa] [-mature F -hairpin F]
//	    [-err-start 0.001 -err-end 0.01 -err-shape 1] [-n-rate 0]
//	    [-n-read-rate 0.005] [-phred-qual] [-qual-drop 0] [-barcode5 SEQ]
//	    [-other F] [-classes builtin -class-weights tRNA=0.4,…]
//	    [-spikeins F -spikein-share 0.02] [-plain-names] [-threads N]
//	    [-exogenous 0.02 [-exo-names a,b,…]] [-editing hsa-miR-376a-3p:6:0.3,…]
//
// Without -mature/-hairpin the human miRBase 21 embedded in package quant
// is used. Without -other, other_rna reads come from
// testdata/sim/tdrmapper_hg19_tRNA.fa when the command runs from the
// repository root (a development convenience; elsewhere give -other FILE,
// or -other "" for none). bench/make_testdata.sh shows the command lines of
// the committed fixtures; bench/layouts_accuracy.sh a realistic error
// profile.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/exomir/exomir/quant"
	"github.com/exomir/exomir/seq"
	"github.com/exomir/exomir/simulate"
)

// defOther is the tRNA set used for other-RNA reads when -other is not
// given and the file exists: the repository's copy of the tDRmapper set,
// found when the command runs from the repository root.
const defOther = "testdata/sim/tdrmapper_hg19_tRNA.fa"

func main() {
	if err := run(os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return
		}
		fmt.Fprintln(os.Stderr, "simulate:", err)
		os.Exit(1)
	}
}

func run(args []string, stdout, stderr io.Writer) error {
	cfg := simulate.DefaultConfig()
	fs := flag.NewFlagSet("simulate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	out := fs.String("out", "", "output directory (required)")
	kit := fs.String("kit", string(cfg.Kit), "library layout: truseq, nextflex, qiaseq or encode (6-nt 5' barcode + insert + ENCODE adapter)")
	samples := fs.Int("samples", 0, "number of samples, split half tumor / half control (overrides -tumor/-control)")
	fs.IntVar(&cfg.Tumor, "tumor", cfg.Tumor, "tumor samples")
	fs.IntVar(&cfg.Control, "control", cfg.Control, "control samples")
	fs.IntVar(&cfg.Reads, "reads", cfg.Reads, "reads per sample")
	fs.IntVar(&cfg.ReadLen, "len", 0, "read length (default 76 for qiaseq, 50 otherwise)")
	fs.Uint64Var(&cfg.Seed, "seed", cfg.Seed, "random seed; output is determined by it")
	fs.Float64Var(&cfg.FoldFrac, "fold-frac", cfg.FoldFrac, "fraction of expressed features that are differentially expressed")
	fs.Float64Var(&cfg.MinLFC, "min-lfc", cfg.MinLFC, "smallest |log2 fold change| of DE features")
	fs.Float64Var(&cfg.MaxLFC, "max-lfc", cfg.MaxLFC, "largest |log2 fold change| of DE features")
	fs.Float64Var(&cfg.DispMin, "disp-min", cfg.DispMin, "smallest negative-binomial dispersion")
	fs.Float64Var(&cfg.DispMax, "disp-max", cfg.DispMax, "largest negative-binomial dispersion")
	fs.Float64Var(&cfg.MeanCopies, "copies", cfg.MeanCopies, "qiaseq: mean reads per molecule (PCR duplicates)")
	fs.Float64Var(&cfg.ErrStart, "err-start", cfg.ErrStart, "substitution rate at the first cycle")
	fs.Float64Var(&cfg.ErrEnd, "err-end", cfg.ErrEnd, "substitution rate at the last cycle")
	fs.Float64Var(&cfg.ErrShape, "err-shape", 1, "exponent of the error rise along the read: 1 linear, e.g. 4 flat then steep near the 3' end")
	fs.Float64Var(&cfg.NBaseRate, "n-rate", cfg.NBaseRate, "probability per base of an N call")
	fs.Float64Var(&cfg.NRate, "n-read-rate", cfg.NRate, "probability that a read has one N at a uniform position (on top of -n-rate)")
	fs.BoolVar(&cfg.PhredQual, "phred-qual", false, "qualities are the Phred scores of each base's error rate (fall where errors rise)")
	fs.Float64Var(&cfg.QualDrop, "qual-drop", cfg.QualDrop, "share of reads whose qualities (and so error rates) fall to Phred 5 towards the 3' end")
	fs.StringVar(&cfg.Barcode5, "barcode5", "", "bases written before every insert (a 5' barcode); with -kit encode replaces the per-sample ENCODE barcode")
	species := fs.String("species", "hsa", "species prefix of the miRBase names (empty: all)")
	mature := fs.String("mature", "", "miRBase mature FASTA, plain or gzip (default: the embedded miRBase 21 of package quant; hsa only)")
	hairpin := fs.String("hairpin", "", "miRBase hairpin FASTA, plain or gzip (with -mature)")
	other := fs.String("other", "default", "other small-RNA FASTA for other_rna reads; \"default\": "+defOther+" if present (run from the repository root); \"\": none")
	var cf classFlags
	addClassFlags(fs, &cf, &cfg)
	fs.BoolVar(&cfg.PlainNames, "plain-names", false, "omit the origin comment from read headers (smaller files)")
	fs.IntVar(&cfg.Workers, "threads", 0, "samples written in parallel (0 = GOMAXPROCS)")
	fs.IntVar(&cfg.GzipLevel, "gzip-level", 0, "gzip level 1-9 (0 = default 6)")
	ex := addExtraFlags(fs, &cfg)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %v", fs.Args())
	}
	if *out == "" {
		fs.Usage()
		return errors.New("-out is required")
	}
	if *samples > 0 {
		cfg.Tumor = (*samples + 1) / 2
		cfg.Control = *samples - cfg.Tumor
	}
	cfg.Kit = simulate.Kit(*kit)
	if err := ex.apply(&cfg); err != nil {
		return err
	}
	start := time.Now()
	m, h, err := reference(*mature, *hairpin, *species)
	if err != nil {
		return err
	}
	ref, err := simulate.NewReference(m, h, *species)
	if err != nil {
		return err
	}
	nOther := 0
	if *other == "default" {
		*other = ""
		if _, err := os.Stat(defOther); err == nil {
			*other = defOther
		} else {
			fmt.Fprintf(stderr, "simulate: %s not found: no other_rna reads (give -other FILE)\n", defOther)
		}
	}
	if *other != "" {
		o, err := seq.ReadFastaFile(*other)
		if err != nil {
			return err
		}
		nOther = ref.AddOther(o, cfg.Seed)
	}
	if err := applyClasses(&cf, ref, &cfg); err != nil {
		return err
	}
	st, err := simulate.New(ref, cfg)
	if err != nil {
		return err
	}
	truths, err := st.WriteStudy(context.Background(), *out)
	if err != nil {
		return err
	}
	nDE := 0
	for _, d := range st.DE {
		if d {
			nDE++
		}
	}
	fmt.Fprintf(stdout, "simulate: %d samples × %d reads (%s, %d nt) in %s; %d matures, %d hairpins, %d other-RNA fragments, %d DE names; wrote %s\n",
		len(truths), cfg.Reads, cfg.Kit, st.Cfg.ReadLen, time.Since(start).Round(time.Millisecond),
		len(ref.Matures), len(ref.Hairpins), nOther, nDE, *out)
	return nil
}

// reference returns the mature and hairpin records: from the files, or,
// without them, from the reference embedded in package quant (in its
// feature order: names sharing a sequence are adjacent).
func reference(mature, hairpin, species string) (m, h []seq.FastaRecord, err error) {
	if (mature == "") != (hairpin == "") {
		return nil, nil, errors.New("give both -mature and -hairpin, or neither")
	}
	if mature != "" {
		if m, err = seq.ReadFastaFile(mature); err != nil {
			return nil, nil, err
		}
		h, err = seq.ReadFastaFile(hairpin)
		return m, h, err
	}
	r, err := quant.Embedded(species)
	if err != nil {
		return nil, nil, err
	}
	for _, f := range r.Features {
		for i, n := range f.Names {
			m = append(m, seq.FastaRecord{Name: n, Desc: f.IDs[i], Seq: f.Seq})
		}
	}
	for _, hp := range r.Hairpins {
		h = append(h, seq.FastaRecord{Name: hp.Name, Desc: hp.ID, Seq: hp.Seq})
	}
	return m, h, nil
}
