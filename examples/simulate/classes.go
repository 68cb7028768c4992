package main

import (
	"flag"
	"fmt"
	"strconv"
	"strings"

	"github.com/exomir/exomir/quant"
	"github.com/exomir/exomir/seq"
	"github.com/exomir/exomir/simulate"
)

// classFlags are the flags of the small-RNA classes and spike-ins.
type classFlags struct {
	classes, weights, spikeins string
}

func addClassFlags(fs *flag.FlagSet, c *classFlags, cfg *simulate.Config) {
	fs.StringVar(&c.classes, "classes", "none", "other_rna reads from small-RNA classes: builtin (quant's embedded human tRNA, rRNA, snRNA, snoRNA, YRNA, vaultRNA, SRP_RNA, with tRF and end-fragment shapes) or none (the -other fragments)")
	fs.StringVar(&c.weights, "class-weights", "tRNA=0.4,rRNA=0.25,snRNA=0.05,snoRNA=0.1,YRNA=0.12,vaultRNA=0.03,SRP_RNA=0.05", "share of each class among other_rna reads with -classes builtin; NAME=FASTA:WEIGHT entries add a class from a file, e.g. piRNA=pirna.fa:0.1")
	fs.StringVar(&c.spikeins, "spikeins", "", "spike-in FASTA (e.g. QIAseq UniSP): -spikein-share of the molecules are drawn from it (amounts log-uniform over 100-fold)")
	fs.Float64Var(&cfg.SpikeinShare, "spikein-share", 0.02, "share of molecules that are spike-ins (with -spikeins)")
}

// applyClasses adds the classes and spike-ins to ref.
func applyClasses(c *classFlags, ref *simulate.Reference, cfg *simulate.Config) error {
	if c.spikeins != "" {
		recs, err := seq.ReadFastaFile(c.spikeins)
		if err != nil {
			return err
		}
		if err := ref.AddSpikeins(recs, cfg.Seed); err != nil {
			return fmt.Errorf("%s: %w", c.spikeins, err)
		}
	} else {
		cfg.SpikeinShare = 0
	}
	switch c.classes {
	case "none":
		return nil
	case "builtin":
	default:
		return fmt.Errorf("-classes %q: want builtin or none", c.classes)
	}
	for _, kv := range strings.Split(c.weights, ",") {
		name, val, ok := strings.Cut(kv, "=")
		if !ok {
			return fmt.Errorf("-class-weights %q: want NAME=WEIGHT or NAME=FASTA:WEIGHT", kv)
		}
		file := ""
		if f, w, ok := strings.Cut(val, ":"); ok {
			file, val = f, w
		}
		w, err := strconv.ParseFloat(val, 64)
		if err != nil {
			return fmt.Errorf("-class-weights %q: %w", kv, err)
		}
		if file != "" {
			r, err := seq.ReadFastaFile(file)
			if err != nil {
				return err
			}
			if err := ref.AddClass(name, w, r); err != nil {
				return err
			}
			continue
		}
		r, err := quant.AnnotationRecords(name)
		if err != nil {
			return fmt.Errorf("-class-weights %s: %w", name, err)
		}
		if err := ref.AddClass(name, w, r); err != nil {
			return err
		}
	}
	return nil
}
