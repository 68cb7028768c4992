package main

import (
	"flag"
)

// addSmallRNAFlags declares -annotation and -spikeins (quant and run).
func addSmallRNAFlags(fs *flag.FlagSet, c *quantConfig) {
	fs.StringVar(&c.annotation, "annotation", "builtin", "other small-RNA classes: builtin (the embedded human tRNA, rRNA, snRNA, snoRNA, YRNA, vaultRNA, SRP_RNA annotation; with -species hsa only) or none")
	fs.StringVar(&c.spikeins, "spikeins", "", "spike-in FASTA: reads on these are counted first (reads_spikein, spikein_counts.tsv), never as miRNA")
}

// addRunSizeFactorFlag declares run's -sf-type.
func addRunSizeFactorFlag(fs *flag.FlagSet, c *runConfig) {
	fs.StringVar(&c.sfType, "sf-type", "ratio", "deseq2 size factors: ratio (median of ratios over the miRNAs) or spikein (over the spike-ins of -spikeins)")
}
