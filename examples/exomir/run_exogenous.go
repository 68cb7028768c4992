package main

import (
	"flag"
	"io"
	"strings"

	"github.com/exomir/exomir/quant"
	"github.com/exomir/exomir/study"
)

// refExtras are the reference choices of quant and run beyond the
// miRBase files: the embedded release, MirGeneDB, the exogenous
// (all-species) search.
type refExtras struct {
	mirbase   string // embedded release
	reference string // mirbase or mirgenedb
	exogenous bool
}

func addExtraFlags(fs *flag.FlagSet, e *refExtras) {
	fs.StringVar(&e.mirbase, "mirbase", quant.DefaultMirbase, "embedded miRBase release: "+strings.Join(quant.MirbaseReleases(), " or ")+" (human; -mature/-hairpin files win)")
	fs.StringVar(&e.reference, "reference", "mirbase", "reference kind: mirbase, or mirgenedb (with MirGeneDB -mature/-hairpin files; names Hsa-…; reference_map.tsv maps them to miRBase 22 by sequence)")
	fs.BoolVar(&e.exogenous, "exogenous", true, "search reads left unmapped in the embedded all-species miRBase 22 (viral, plant, nematode, … miRNAs); FASTQ input; -exogenous=false turns it off")
}

// setConfig puts the flags into study's Config.
func (e *refExtras) setConfig(sc *study.Config) {
	sc.Mirbase, sc.Reference, sc.NoExogenous = e.mirbase, study.RefKind(e.reference), !e.exogenous
}

// quantExtraFiles are quant's outputs of the additions beyond the
// per-sample files of package quant: NAME.reference_map.tsv with
// -reference mirgenedb.
func quantExtraFiles(sc study.Config, name string, ref *quant.Reference) []quant.OutputFile {
	if sc.Reference != study.RefMirGeneDB {
		return nil
	}
	return []quant.OutputFile{{Name: name + ".reference_map.tsv", Write: func(w io.Writer) error { return study.WriteReferenceMap(w, ref) }}}
}
