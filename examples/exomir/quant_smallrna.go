package main

import (
	"bufio"
	"flag"
	"fmt"

	"github.com/exomir/exomir/quant"
)

// addSmallRNAFlags declares -annotation and -spikeins (quant and run).
func addSmallRNAFlags(fs *flag.FlagSet, c *quantConfig) {
	fs.StringVar(&c.annotation, "annotation", "builtin", "other small-RNA classes: builtin (the embedded human tRNA, rRNA, snRNA, snoRNA annotation; with -species hsa only) or none")
	fs.StringVar(&c.spikeins, "spikeins", "", "spike-in FASTA: reads on these are counted first (reads_spikein, spikein_counts.tsv), never as miRNA")
}

// addAnnotation adds the built-in annotation unless -annotation none or
// the species is not human (the annotation is human only).
func addAnnotation(c *quantConfig, ref *quant.Reference) error {
	switch c.annotation {
	case "none":
		return nil
	case "builtin", "":
		if c.species != "hsa" {
			return nil
		}
		return ref.AddAnnotation(c.species)
	}
	return fmt.Errorf("-annotation %q: want builtin or none", c.annotation)
}

// smallRNAStudyFiles are run's study-level matrices of the other classes
// (when every sample has per-feature counts: not from BAM input) and
// spike-ins.
func smallRNAStudyFiles(ref *quant.Reference, samples []*quant.Sample) []outFile {
	var out []outFile
	featured := true
	for _, s := range samples {
		featured = featured && s.SmallRNA != nil && s.SmallRNA.Features != nil
	}
	if len(ref.Others) > 0 && featured {
		out = append(out,
			outFile{"smallrna_counts.tsv", func(w *bufio.Writer) error { return quant.WriteSmallRNACounts(w, samples) }},
			outFile{"trf_counts.tsv", func(w *bufio.Writer) error { return quant.WriteTRFCounts(w, samples) }})
	}
	if len(ref.Spikeins) > 0 {
		out = append(out, outFile{"spikein_counts.tsv", func(w *bufio.Writer) error { return quant.WriteSpikeinCounts(w, samples) }})
	}
	return out
}
