package main

import (
	"io"
	"strings"

	"github.com/exomir/exomir/quant"
)

// smallRNAMergeKinds are the count files of the other classes and
// spike-ins that merge recognises by name: the matrix each makes and its
// key columns (0: one feature column, merged by the streaming merge).
var smallRNAMergeKinds = []struct {
	suffix  string
	keyCols int
}{
	{"smallrna_counts.tsv", 2}, // feature, class
	{"trf_counts.tsv", 2},      // trna, trf_type; rows differ between samples
	{"spikein_counts.tsv", 0},
}

// smallRNAMergeKind returns the output name and key columns when every
// input is a file of one kind of smallRNAMergeKinds ("" otherwise).
func smallRNAMergeKind(inputs []string) (name string, keyCols int) {
	for _, k := range smallRNAMergeKinds {
		all := len(inputs) > 0
		for _, in := range inputs {
			if !strings.HasSuffix(strings.TrimSuffix(in, ".gz"), k.suffix) {
				all = false
			}
		}
		if all {
			return k.suffix, k.keyCols
		}
	}
	return "", 0
}

// mergeCounts merges inputs with the merge their kind needs.
func mergeCounts(w io.Writer, inputs []string, opt quant.MergeOptions) (quant.MergeStats, error) {
	if _, k := smallRNAMergeKind(inputs); k > 0 {
		return quant.MergeKeyedCountFiles(w, inputs, k)
	}
	return quant.MergeCountFiles(w, inputs, opt)
}
