package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/exomir/exomir/quant"
)

// refExtras are the reference choices of quant and run beyond the
// miRBase files: the embedded release, MirGeneDB, the exogenous
// (all-species) search.
type refExtras struct {
	mirbase   string // embedded release
	reference string // mirbase or mirgenedb
	exogenous bool
	exo       *quant.ExoReference // loaded by loadExtras when exogenous
}

func addExtraFlags(fs *flag.FlagSet, e *refExtras) {
	fs.StringVar(&e.mirbase, "mirbase", quant.DefaultMirbase, "embedded miRBase release: "+strings.Join(quant.MirbaseReleases(), " or ")+" (human; -mature/-hairpin files win)")
	fs.StringVar(&e.reference, "reference", "mirbase", "reference kind: mirbase, or mirgenedb (with MirGeneDB -mature/-hairpin files; names Hsa-…; reference_map.tsv maps them to miRBase 22 by sequence)")
	fs.BoolVar(&e.exogenous, "exogenous", true, "search reads left unmapped in the embedded all-species miRBase 22 (viral, plant, nematode, … miRNAs); FASTQ input; -exogenous=false turns it off")
}

// checkReferenceFlags checks -mirbase and -reference before any work.
func checkReferenceFlags(c *quantConfig) error {
	if _, _, err := quant.EmbeddedFiles(c.extra.mirbase); err != nil {
		return fmt.Errorf("-mirbase %q: want %s", c.extra.mirbase, strings.Join(quant.MirbaseReleases(), " or "))
	}
	switch c.extra.reference {
	case "mirbase":
	case "mirgenedb":
		if c.mature == "" {
			return errors.New("-reference mirgenedb needs MirGeneDB -mature and -hairpin files (e.g. mirgenedb.org/fasta/hsa?mat=1 and the hsa pri-30-30 hairpins)")
		}
	default:
		return fmt.Errorf("-reference %q: want mirbase or mirgenedb", c.extra.reference)
	}
	return nil
}

// referenceSpecies is the name prefix of the reference's records:
// MirGeneDB capitalises it (Hsa-Mir-21_5p).
func referenceSpecies(c *quantConfig) string {
	if c.extra.reference == "mirgenedb" && c.species != "" {
		return strings.ToUpper(c.species[:1]) + c.species[1:]
	}
	return c.species
}

// gffOptions names the reference in the mirGFF3 header.
func gffOptions(c *quantConfig) quant.GFFOptions {
	switch {
	case c.extra.reference == "mirgenedb":
		return quant.GFFOptions{Database: "MirGeneDB"}
	case c.mature == "":
		return quant.GFFOptions{Database: "miRBase" + c.extra.mirbase}
	}
	return quant.GFFOptions{}
}

// loadExtras loads what the flags ask for beyond the host reference.
func loadExtras(c *quantConfig, ref *quant.Reference) error {
	if c.extra.exogenous && strings.EqualFold(ref.Species, "hsa") {
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
	if c.extra.reference == "mirgenedb" && len(samples) > 0 {
		out = append(out, outFile{"reference_map.tsv", func(w *bufio.Writer) error { return writeReferenceMap(w, samples[0].Ref) }})
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

// quantExtraFiles are quant's outputs of the additions beyond the
// per-sample files of package quant: NAME.reference_map.tsv with
// -reference mirgenedb.
func quantExtraFiles(c *quantConfig, ref *quant.Reference) []quant.OutputFile {
	if c.extra.reference != "mirgenedb" {
		return nil
	}
	return []quant.OutputFile{{Name: c.sample + ".reference_map.tsv", Write: func(w io.Writer) error { return writeReferenceMap(w, ref) }}}
}

// writeReferenceMap maps the reference's features to the embedded
// miRBase 22 by sequence.
func writeReferenceMap(w io.Writer, ref *quant.Reference) error {
	mb, err := quant.EmbeddedRelease("hsa", "22")
	if err != nil {
		return err
	}
	return quant.WriteReferenceMap(w, ref, mb, quant.MapReferences(ref, mb))
}
