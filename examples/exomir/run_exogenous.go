package main

import (
	"bufio"
	"flag"

	"github.com/exomir/exomir/quant"
)

// refExtras are the reference additions of quant and run beyond miRBase:
// the exogenous (all-species) search.
type refExtras struct {
	exogenous bool
	exo       *quant.ExoReference // loaded by loadExtras when exogenous
}

func addExtraFlags(fs *flag.FlagSet, e *refExtras) {
	fs.BoolVar(&e.exogenous, "exogenous", true, "search reads left unmapped in the embedded all-species miRBase 22 (viral, plant, nematode, … miRNAs); FASTQ input; -exogenous=false turns it off")
}

// loadExtras loads what the flags ask for beyond the host reference.
func loadExtras(c *quantConfig, ref *quant.Reference) error {
	if c.extra.exogenous && ref.Species == "hsa" {
		x, err := quant.EmbeddedExogenous()
		if err != nil {
			return err
		}
		c.extra.exo = x
	}
	return nil
}

// extraStudyFiles are the study outputs of the additions: the exogenous
// counts when the search ran on every sample, and the A-to-I editing
// sites.
func extraStudyFiles(c *runConfig, sh *sheet, samples []*quant.Sample, results []*sampleResult) []outFile {
	var out []outFile
	exo := len(samples) > 0
	for _, s := range samples {
		exo = exo && s.Exogenous != nil
	}
	if exo {
		out = append(out, outFile{"exogenous_counts.tsv", func(w *bufio.Writer) error { return quant.WriteExogenousCounts(w, samples) }})
	}
	out = append(out, outFile{"editing.tsv", func(w *bufio.Writer) error {
		sites, err := quant.Editing(samples, nil)
		if err != nil {
			return err
		}
		return quant.WriteEditing(w, samples, sites)
	}})
	return out
}
