package main

import (
	"errors"
	"fmt"
	"strings"

	"github.com/exomir/exomir/diffexp"
	"github.com/exomir/exomir/seq"
)

// deSpikein sets o's size factors from -spikein-counts for -sf-type
// spikein (DESeq2 only).
func deSpikein(a *deArgs, c *diffexp.Counts, o *diffexp.Options) error {
	if a.sfType != "spikein" {
		if a.spikeinCounts != "" {
			return errors.New("-spikein-counts needs -sf-type spikein")
		}
		return nil
	}
	if a.spikeinCounts == "" {
		return errors.New("-sf-type spikein needs -spikein-counts FILE")
	}
	if m := strings.ToLower(a.method); m != "deseq2" {
		return fmt.Errorf("-sf-type spikein applies to -method deseq2, not %s", m)
	}
	in, err := seq.Open(a.spikeinCounts)
	if err != nil {
		return err
	}
	defer in.Close()
	spike, err := diffexp.ReadCounts(in, a.spikeinCounts)
	if err != nil {
		return err
	}
	sf, err := diffexp.SpikeinSizeFactors(spike, c.Samples)
	if err != nil {
		return fmt.Errorf("%s: %w", a.spikeinCounts, err)
	}
	o.SizeFactors, o.SizeFactorType = sf, ""
	return nil
}
