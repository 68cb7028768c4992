package main

import (
	"bufio"
	"fmt"

	"github.com/exomir/exomir/diffexp"
	"github.com/exomir/exomir/quant"
)

// isomirMinTotal is the smallest count over all samples of an isomiR row
// tested in de_isomirs.tsv.
const isomirMinTotal = 10

// isomirOutputs lists run's isomiR outputs: isomir_counts.tsv,
// exomir_isomirs_mqc.tsv and, when the study had DE, de_isomirs.tsv
// (DESeq2 on isomiRs and on variant types per miRNA, with the miRNA
// matrix's size factors and the study's design and contrast).
func isomirOutputs(samples []*quant.Sample, de *studyResult) ([]outFile, error) {
	names := make([]string, len(samples))
	stats := make([]quant.IsomirStats, len(samples))
	for i, s := range samples {
		names[i], stats[i] = s.Name, quant.ComputeIsomirStats(s)
	}
	files := []outFile{
		{"isomir_counts.tsv", func(w *bufio.Writer) error { return quant.WriteIsomirCounts(w, samples) }},
		{"exomir_isomirs_mqc.tsv", func(w *bufio.Writer) error { return quant.WriteMultiQCIsomirs(w, names, stats) }},
	}
	if de == nil {
		return files, nil
	}
	iso, typ, err := quant.IsomirMatrices(samples, isomirMinTotal)
	if err != nil {
		return nil, err
	}
	var levels []diffexp.IsomirLevel
	for _, m := range []*quant.IsomirMatrix{iso, typ} {
		if len(m.Features) == 0 {
			continue
		}
		c := &diffexp.Counts{Features: m.Features, Samples: m.Samples, Values: make([]float64, len(m.Values))}
		for i, v := range m.Values {
			c.Values[i] = float64(v)
		}
		levels = append(levels, diffexp.IsomirLevel{Level: m.Level, Counts: c, Mirna: m.Mirna, Variant: m.Variant, SeedShift: m.SeedShift})
	}
	o := de.opts
	o.SizeFactors = de.res.SizeFactors
	res, err := diffexp.IsomirDE(levels, de.cd, o)
	if err != nil {
		return nil, fmt.Errorf("de_isomirs: %w", err)
	}
	return append(files, outFile{"de_isomirs.tsv", func(w *bufio.Writer) error { return diffexp.WriteIsomirDE(w, levels, res) }}), nil
}
