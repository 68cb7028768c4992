package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"io"
	"runtime/debug"
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
	exoOn     bool          // the search runs (set by loadExtras)
	fs        *flag.FlagSet // the command's flags, for methods.md
}

func addExtraFlags(fs *flag.FlagSet, e *refExtras) {
	e.fs = fs
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
		c.extra.exoOn = true
		// built once, while the reads are collapsed (exoReference waits)
		go quant.EmbeddedExogenous()
	}
	return nil
}

// exoReference returns the exogenous reference when the search runs (nil
// otherwise).
func exoReference(c *quantConfig) (*quant.ExoReference, error) {
	if !c.extra.exoOn {
		return nil, nil
	}
	return quant.EmbeddedExogenous()
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
	out = append(out, outFile{"methods.md", func(w *bufio.Writer) error { return writeMethods(w, c, samples, results) }})
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

// writeMethods writes methods.md: software, references with SHA-256,
// samples' layouts, flags and fixed thresholds.
func writeMethods(w io.Writer, c *runConfig, samples []*quant.Sample, results []*sampleResult) error {
	m := &quant.Methods{Tool: "exomir", Version: buildVersion(), Exogenous: c.extra.exoOn}
	var cmd []string
	var params [][2]string
	if fs := c.extra.fs; fs != nil {
		cmd = append(cmd, fs.Name())
		// -out is left out: the same study written elsewhere gives the same
		// methods.md
		fs.Visit(func(f *flag.Flag) {
			if f.Name != "out" {
				cmd = append(cmd, "-"+f.Name+"="+f.Value.String())
			}
		})
		fs.VisitAll(func(f *flag.Flag) {
			if f.Name == "samplesheet" || f.Name == "out" || f.Name == "quiet" {
				return
			}
			params = append(params, [2]string{"-" + f.Name, f.Value.String()})
		})
	}
	m.Command = strings.Join(cmd, " ")
	refs, err := referenceFiles(&c.quantConfig)
	if err != nil {
		return err
	}
	m.References = refs
	for i, r := range results {
		m.Samples = append(m.Samples, quant.SampleKit{Sample: samples[i].Name, Protocol: orNA(r.protocol), Adapter: orNA(r.adapter)})
	}
	m.Params = append(params, quant.DefaultParams()...)
	contrast := c.contrast
	if contrast == "" {
		contrast = "default"
	}
	m.DE = fmt.Sprintf("Differential expression (when run) used exomir's implementation of the %s method on the miRNA count matrix (test %s, design `%s`, contrast %s), with Benjamini-Hochberg adjusted p-values", c.method, c.test, c.design, contrast)
	return quant.WriteMethods(w, m)
}

func orNA(s string) string {
	if s == "" {
		return "NA"
	}
	return s
}

// referenceFiles lists the reference files in use with their checksums.
func referenceFiles(c *quantConfig) ([]quant.RefFile, error) {
	var out []quant.RefFile
	add := func(f quant.RefFile, err error) error {
		if err == nil {
			out = append(out, f)
		}
		return err
	}
	kind := "miRBase"
	if c.extra.reference == "mirgenedb" {
		kind = "MirGeneDB"
	}
	if c.mature != "" {
		if err := add(quant.UserRefFile(kind+" mature", c.mature, kind+" (user file)")); err != nil {
			return nil, err
		}
		if err := add(quant.UserRefFile(kind+" hairpin", c.hairpin, kind+" (user file)")); err != nil {
			return nil, err
		}
	} else {
		mf, hf, err := quant.EmbeddedFiles(c.extra.mirbase)
		if err != nil {
			return nil, err
		}
		v := "miRBase " + c.extra.mirbase
		if err := add(quant.EmbeddedRefFile("miRBase mature, "+c.species, mf, v)); err != nil {
			return nil, err
		}
		if err := add(quant.EmbeddedRefFile("miRBase hairpin, "+c.species, hf, v)); err != nil {
			return nil, err
		}
	}
	for _, o := range c.others {
		name, path, _ := strings.Cut(o, "=")
		if err := add(quant.UserRefFile("other class "+name, path, "user file")); err != nil {
			return nil, err
		}
	}
	if c.extra.exoOn {
		if err := add(quant.EmbeddedRefFile("exogenous miRNAs (all species)", quant.ExoEmbeddedFile, "miRBase 22")); err != nil {
			return nil, err
		}
		if err := add(quant.EmbeddedRefFile("organism clades", quant.CladesFile, "miRBase 22 organisms")); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// buildVersion is the main module's version, or its VCS revision.
func buildVersion() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "(unknown version)"
	}
	v := bi.Main.Version
	var rev, dirty string
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			if s.Value == "true" {
				dirty = "+modified"
			}
		}
	}
	if (v == "" || v == "(devel)") && rev != "" {
		return "revision " + rev + dirty
	}
	if v == "" {
		v = "(devel)"
	}
	return v
}
