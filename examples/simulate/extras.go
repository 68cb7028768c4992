package main

import (
	"flag"
	"fmt"
	"strconv"
	"strings"

	"github.com/exomir/exomir/quant"
	"github.com/exomir/exomir/simulate"
)

// defExoNames are the exogenous miRNAs of -exogenous: human viruses
// (EBV, KSHV, HCMV), nematode (the cel-miR-39 spike-in), plant, insect
// and mouse miRNAs, from miRBase 22.
const defExoNames = "ebv-miR-BART7-3p,ebv-miR-BART1-5p,kshv-miR-K12-4-3p,hcmv-miR-UL112-3p,cel-miR-39-3p,cel-miR-238-3p,osa-miR168a-5p,dme-miR-2a-3p,mmu-miR-1983"

// extraFlags are the exogenous and editing flags.
type extraFlags struct {
	exoShare float64
	exoNames string
	editing  string
}

func addExtraFlags(fs *flag.FlagSet, cfg *simulate.Config) *extraFlags {
	e := &extraFlags{}
	fs.Float64Var(&e.exoShare, "exogenous", 0, "share of molecules from non-human miRNAs (-exo-names; sequences from the all-species miRBase 22 embedded in package quant); truth in "+simulate.TruthExogenousFile)
	fs.StringVar(&e.exoNames, "exo-names", defExoNames, "comma-separated non-human miRNA names for -exogenous (equal shares)")
	fs.StringVar(&e.editing, "editing", "", "A-to-I sites MATURE:POSITION:LEVEL,… (position 1-based in the mature), e.g. hsa-miR-376a-3p:6:0.3; truth in "+simulate.TruthEditingFile)
	return e
}

// apply fills cfg's exogenous miRNAs and editing sites.
func (e *extraFlags) apply(cfg *simulate.Config) error {
	if e.exoShare > 0 {
		x, err := quant.EmbeddedExogenous()
		if err != nil {
			return err
		}
		cfg.Mix.Exogenous = e.exoShare
		for _, n := range strings.Split(e.exoNames, ",") {
			i := x.ExoFeatureIndex(strings.TrimSpace(n))
			if i < 0 {
				return fmt.Errorf("-exo-names: %q is not a non-human miRNA of miRBase 22", n)
			}
			f := x.Features[i]
			cfg.Exogenous = append(cfg.Exogenous, simulate.ExoMiRNA{Name: f.Name, Seq: f.Seq, Weight: 1})
		}
	}
	if e.editing == "" {
		return nil
	}
	for _, s := range strings.Split(e.editing, ",") {
		f := strings.Split(s, ":")
		if len(f) != 3 {
			return fmt.Errorf("-editing %q: want MATURE:POSITION:LEVEL", s)
		}
		pos, err1 := strconv.Atoi(f[1])
		lvl, err2 := strconv.ParseFloat(f[2], 64)
		if err1 != nil || err2 != nil {
			return fmt.Errorf("-editing %q: want MATURE:POSITION:LEVEL", s)
		}
		cfg.Editing = append(cfg.Editing, simulate.EditSite{Mature: f[0], Position: pos, Level: lvl})
	}
	return nil
}
