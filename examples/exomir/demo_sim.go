package main

import (
	"context"
	"path/filepath"

	"github.com/exomir/exomir/quant"
	"github.com/exomir/exomir/simulate"
)

// demoSeed is the seed of the bundled demo study (bench/make_testdata.sh demo).
const demoSeed = 2026

// simulateDemo writes the demo study into dir and returns its samplesheet:
// the settings of bench/make_testdata.sh demo (3 tumor + 3 control TruSeq
// samples of 40,000 reads, seed 2026, |log2FC| 1.5-3) on the embedded
// miRBase 21. Unlike the bundled copy it has no tRNA reads: their FASTA is
// not in the binary. The output depends on the seed alone, not on threads.
func simulateDemo(ctx context.Context, dir string, threads int) (string, error) {
	m, h, err := quant.EmbeddedFasta("hsa")
	if err != nil {
		return "", err
	}
	ref, err := simulate.NewReference(m, h, "hsa")
	if err != nil {
		return "", err
	}
	cfg := simulate.DefaultConfig()
	cfg.Kit = simulate.TruSeq
	cfg.Tumor, cfg.Control, cfg.Reads = 3, 3, 40000
	cfg.Seed = demoSeed
	cfg.MinLFC, cfg.MaxLFC = 1.5, 3
	cfg.PlainNames = true
	cfg.GzipLevel = 1
	cfg.Workers = threads
	st, err := simulate.New(ref, cfg)
	if err != nil {
		return "", err
	}
	if _, err := st.WriteStudy(ctx, dir); err != nil {
		return "", err
	}
	return filepath.Join(dir, simulate.SamplesheetFile), nil
}
