package study

import (
	"bufio"
	"fmt"
	"io"
	"strconv"

	"github.com/exomir/exomir/diffexp"
	"github.com/exomir/exomir/quant"
	"github.com/exomir/exomir/report"
)

// Values of Config.Annotation.
const (
	AnnotationBuiltin AnnotationSet = "builtin" // the embedded human annotation (quant.AnnotationClasses)
	AnnotationNone    AnnotationSet = "none"    // miRNAs and Others only
)

// AnnotationSet is the built-in small-RNA annotation a study uses
// (Config.Annotation).
type AnnotationSet string

// SizeFactorSource is what DESeq2's size factors are computed from
// (Config.SizeFactors, DE.SizeFactorType).
type SizeFactorSource string

// String returns the set's name, as the -annotation flag takes it.
func (a AnnotationSet) String() string { return string(a) }

// String returns the source's name, as the -sf-type flag takes it.
func (s SizeFactorSource) String() string { return string(s) }

// Values of Config.SizeFactors, and SizeFactorsPoscounts, which only DE's
// fallback chooses.
const (
	SizeFactorsRatio     SizeFactorSource = "ratio"     // DESeq2's median of ratios over the miRNAs
	SizeFactorsSpikein   SizeFactorSource = "spikein"   // median of ratios over the spike-ins
	SizeFactorsPoscounts SizeFactorSource = "poscounts" // DE's fallback when every miRNA has a zero somewhere
)

// smallRNADefaults sets and checks the annotation, spike-in and
// size-factor settings of c.
func (c *Config) smallRNADefaults() error {
	if c.Annotation == "" {
		c.Annotation = AnnotationBuiltin
	}
	if c.SizeFactors == "" {
		c.SizeFactors = SizeFactorsRatio
	}
	switch {
	case c.Annotation != AnnotationBuiltin && c.Annotation != AnnotationNone:
		return fmt.Errorf("%w: annotation %q: want builtin or none", ErrConfig, c.Annotation)
	case c.SizeFactors != SizeFactorsRatio && c.SizeFactors != SizeFactorsSpikein:
		return fmt.Errorf("%w: size factors %q: want ratio or spikein", ErrConfig, c.SizeFactors)
	case c.SizeFactors == SizeFactorsSpikein && c.Spikeins == "":
		return fmt.Errorf("%w: spike-in size factors need a spike-in FASTA", ErrConfig)
	case c.SizeFactors == SizeFactorsSpikein && c.Method != MethodDESeq2:
		return fmt.Errorf("%w: spike-in size factors apply to method deseq2, not %s", ErrConfig, c.Method)
	}
	return nil
}

// builtinAnnotation tells whether the embedded annotation is used: it is
// human only, so other species go without it.
func (c *Config) builtinAnnotation() bool {
	return c.Annotation == AnnotationBuiltin && c.Species == "hsa"
}

// addAnnotation adds the built-in annotation to ref (before the Others, so
// that user classes come after the built-in ones).
func addAnnotation(c *Config, ref *quant.Reference) error {
	if !c.builtinAnnotation() {
		return nil
	}
	return ref.AddAnnotation(c.Species)
}

// addSpikeins adds c's spike-ins to ref.
func addSpikeins(c *Config, ref *quant.Reference) error {
	if c.Spikeins == "" {
		return nil
	}
	if err := ref.AddSpikeinFile(c.Spikeins); err != nil {
		return fmt.Errorf("spike-ins: %w", err)
	}
	return nil
}

// smallCounts are a sample's counts on the other classes and spike-ins,
// kept sparse like the miRNA counts.
type smallCounts struct {
	featured bool   // per-feature counts are known (not BAM input)
	features sparse // reads per other-class feature
	trf      []quant.TRFCount
	spikeins sparse
}

func smallOf(q *quant.Sample) smallCounts {
	sc := q.SmallRNA
	if sc == nil {
		return smallCounts{}
	}
	return smallCounts{featured: sc.Features != nil, features: toSparse(sc.Features),
		trf: append([]quant.TRFCount(nil), sc.TRF...), spikeins: toSparse(sc.Spikeins)}
}

// spilledSmall is the part of the sample file holding smallCounts.
type spilledSmall struct {
	Featured bool             `json:"featured"`
	Features []int64          `json:"features"`
	TRF      []quant.TRFCount `json:"trf"`
	Spikeins []int64          `json:"spikeins"`
}

func (s smallCounts) spilled() spilledSmall {
	return spilledSmall{Featured: s.featured, Features: s.features.dense(), TRF: s.trf, Spikeins: s.spikeins.dense()}
}

// fits tells whether a spilled record matches ref's features.
func (s spilledSmall) fits(ref *quant.Reference) bool {
	names, _ := ref.OtherFeatureNames()
	if (s.Featured && len(s.Features) != len(names)) || (len(s.Spikeins) != 0 && len(s.Spikeins) != len(ref.Spikeins)) {
		return false
	}
	for _, t := range s.TRF {
		if int(t.Feature) < 0 || int(t.Feature) >= len(names) {
			return false
		}
	}
	return true
}

func (s spilledSmall) counts() smallCounts {
	return smallCounts{featured: s.Featured, features: toSparse(s.Features), trf: s.TRF, spikeins: toSparse(s.Spikeins)}
}

// smallRNAOutputs are the study's matrices of the other classes (when
// every sample has per-feature counts: not from BAM input) and of the
// spike-ins.
func (r *Result) smallRNAOutputs() []Output {
	var out []Output
	featured := true
	for _, s := range r.Samples {
		featured = featured && s.small.featured
	}
	if len(r.Ref.Others) > 0 && featured {
		out = append(out, Output{"smallrna_counts.tsv", checked(r.writeSmallRNACounts)}, Output{"trf_counts.tsv", checked(r.writeTRFCounts)})
	}
	if len(r.Ref.Spikeins) > 0 {
		out = append(out, Output{"spikein_counts.tsv", checked(r.writeSpikeinCounts)})
	}
	return out
}

// writeSmallRNACounts writes feature, class and one column per sample,
// as quant.WriteSmallRNACounts.
func (r *Result) writeSmallRNACounts(w io.Writer) error {
	names, classes := r.Ref.OtherFeatureNames()
	labels := make([]string, len(names))
	for i, n := range names {
		labels[i] = n + "\t" + r.Ref.Classes[classes[i]]
	}
	return writeRows(w, "feature\tclass", labels, r.Samples, func(s *Sample) sparse { return s.small.features })
}

// writeSpikeinCounts writes one row per spike-in, as
// quant.WriteSpikeinCounts.
func (r *Result) writeSpikeinCounts(w io.Writer) error {
	names := make([]string, len(r.Ref.Spikeins))
	for i, sp := range r.Ref.Spikeins {
		names[i] = sp.Name
	}
	return writeRows(w, "spikein", names, r.Samples, func(s *Sample) sparse { return s.small.spikeins })
}

// writeRows writes a labelled row × sample matrix of sparse counts.
func writeRows(w io.Writer, header string, labels []string, samples []*Sample, counts func(*Sample) sparse) error {
	bw := bufio.NewWriter(w)
	bw.WriteString(header)
	cur := make([]cursor, len(samples))
	for j, s := range samples {
		bw.WriteString("\t" + s.Quant.Name)
		cur[j] = newCursor(counts(s))
	}
	bw.WriteByte('\n')
	var buf []byte
	for f, label := range labels {
		bw.WriteString(label)
		for j := range cur {
			buf = strconv.AppendInt(append(buf[:0], '\t'), cur[j].at(f), 10)
			bw.Write(buf)
		}
		bw.WriteByte('\n')
	}
	return bw.Flush()
}

// writeTRFCounts writes one row per (tRNA, fragment type) seen in any
// sample, as quant.WriteTRFCounts.
func (r *Result) writeTRFCounts(w io.Writer) error {
	var qs []*quant.Sample
	for _, s := range r.Samples {
		// Only the name and the fragment counts: the rest stays on disk.
		qs = append(qs, &quant.Sample{Name: s.Quant.Name, Ref: r.Ref, SmallRNA: &quant.SmallRNACounts{TRF: s.small.trf}})
	}
	return quant.WriteTRFCounts(w, qs)
}

// SpikeinCounts returns the spike-in × sample count matrix of the study
// (nil without spike-ins).
func (r *Result) SpikeinCounts() *diffexp.Counts {
	if len(r.Ref.Spikeins) == 0 {
		return nil
	}
	m := &diffexp.Counts{Samples: make([]string, len(r.Samples))}
	for j, s := range r.Samples {
		m.Samples[j] = s.Quant.Name
	}
	for _, sp := range r.Ref.Spikeins {
		m.Features = append(m.Features, sp.Name)
	}
	m.Values = make([]float64, len(m.Features)*len(m.Samples))
	for j, s := range r.Samples {
		s.small.spikeins.each(func(i int, v int64) { m.Values[i*len(m.Samples)+j] = float64(v) })
	}
	return m
}

// spikeinSizeFactors returns the size factors of c.SizeFactors
// "spikein" (nil otherwise).
func spikeinSizeFactors(c *Config, spike *diffexp.Counts, samples []string) ([]float64, error) {
	if c.SizeFactors != SizeFactorsSpikein {
		return nil, nil
	}
	sf, err := diffexp.SpikeinSizeFactors(spike, samples)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", c.Spikeins, err)
	}
	return sf, nil
}

// reportSpikeins are the observed spike-in counts the report plots.
func (r *Result) reportSpikeins() []report.SpikeIn {
	m := r.SpikeinCounts()
	if m == nil {
		return nil
	}
	out := make([]report.SpikeIn, len(m.Features))
	n := len(m.Samples)
	for i, name := range m.Features {
		out[i] = report.SpikeIn{Name: name, Counts: m.Values[i*n : (i+1)*n : (i+1)*n]}
	}
	return out
}
