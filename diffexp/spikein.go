package diffexp

import "fmt"

// SpikeinSizeFactors returns size factors for the samples (in that order)
// computed from spike-in counts only: DESeq2's median of ratios
// (estimateSizeFactors with controlGenes = the spike-ins),
//
//	s_j = median_i { k_ij / (Π_j' k_ij')^(1/m) : spike-ins i with no zero }
//
// so that samples are scaled by how much of the same spike-in amount was
// read rather than by their miRNA content. spike holds one row per
// spike-in and at least the given samples (extra columns are ignored); a
// sample missing from spike is an error wrapping ErrMissingSample, as is
// a spike-in set with no row free of zeros (ErrSizeFactors).
func SpikeinSizeFactors(spike *Counts, samples []string) ([]float64, error) {
	col := make(map[string]int, len(spike.Samples))
	for j, s := range spike.Samples {
		col[s] = j
	}
	m := len(spike.Samples)
	sub := &Counts{Features: spike.Features, Samples: samples, Values: make([]float64, len(spike.Features)*len(samples))}
	for k, s := range samples {
		j, ok := col[s]
		if !ok {
			return nil, fmt.Errorf("%w from the spike-in counts: %s", ErrMissingSample, s)
		}
		for i := range spike.Features {
			sub.Values[i*len(samples)+k] = spike.Values[i*m+j]
		}
	}
	sf, err := SizeFactors(sub, "ratio")
	if err != nil {
		return nil, fmt.Errorf("spike-in size factors: %w", err)
	}
	return sf, nil
}
