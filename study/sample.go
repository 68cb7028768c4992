package study

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/exomir/exomir/quant"
	"github.com/exomir/exomir/seq"
)

// LoadReference builds the reference of c: its Mature and Hairpin files
// or the embedded miRBase of c.Species, plus the built-in annotation, the
// Others classes and the spike-ins.
func LoadReference(ctx context.Context, c Config) (*quant.Reference, error) {
	c, err := c.withDefaults()
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	ref, err := c.hostReference(ctx)
	if err != nil {
		return nil, err
	}
	if err := addAnnotation(&c, ref); err != nil {
		return nil, err
	}
	for _, o := range c.Others {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if err := ref.AddOtherFile(o.Name, o.Path); err != nil {
			return nil, err
		}
	}
	if err := addSpikeins(&c, ref); err != nil {
		return nil, err
	}
	return ref, nil
}

// quantOptions are quant's options of c for one sample.
func (c *Config) quantOptions(threads int) quant.Options {
	return quant.Options{Multi: c.Multi, Threads: threads, SinglePass: c.Mismatches == 1}
}

// QuantifyReads collapses the reads of r (file names it in errors) and
// counts them on ref as sample name, with threads workers (0 = all CPUs).
// It also returns seq's result (inserts, summary).
func QuantifyReads(ctx context.Context, ref *quant.Reference, name string, r io.Reader, file string, c Config, threads int) (*quant.Sample, *seq.Result, error) {
	c, err := c.withDefaults()
	if err != nil {
		return nil, nil, err
	}
	// Build the alignment indexes (and the exogenous one, once per
	// process) while the reads are collapsed.
	indexed := make(chan error, 1)
	go func() {
		_, err := ref.NewInsertAligner()
		if err == nil && c.exoOn() {
			_, err = quant.EmbeddedExogenous()
		}
		indexed <- err
	}()
	res, err := seq.Collapse(ctx, r, file, c.seqOptions(threads))
	if ierr := <-indexed; err == nil && ierr != nil {
		err = ierr
	}
	if err != nil {
		return nil, nil, err
	}
	if c.UMI && !res.Summary.UMI {
		return nil, nil, fmt.Errorf("%w: -umi: the reads carry no UMIs with protocol %s (QIAseq: -protocol qiaseq)", ErrConfig, res.Summary.Protocol)
	}
	o := c.quantOptions(threads)
	o.UMI = res.Summary.UMI
	if c.exoOn() {
		if o.Exogenous, err = quant.EmbeddedExogenous(); err != nil {
			return nil, nil, err
		}
	}
	if o.UMI {
		// Molecules are distinct UMIs per miRNA over all its inserts.
		o.UMIs = res.UMIs
	}
	base, err := quant.StatsFromSeq(&res.Summary)
	if err != nil {
		return nil, nil, err
	}
	s, err := quant.Quantify(ctx, ref, name, res.Inserts, base, o)
	if err != nil {
		return nil, nil, err
	}
	s.SetEVQC(quant.EVQualityCheck(s, res.Summary.LengthsInsert))
	return s, res, nil
}

// QuantifyBAM counts the alignments of the BAM or SAM file at path as
// sample name: alignments on ref's hairpins, or on the genome when c.GFF
// is set.
func QuantifyBAM(ctx context.Context, ref *quant.Reference, name, path string, c Config, threads int) (*quant.Sample, error) {
	c, err := c.withDefaults()
	if err != nil {
		return nil, err
	}
	f, err := openFile(ctx, path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	bo := quant.BAMOptions{Options: c.quantOptions(threads)}
	var s *quant.Sample
	if c.GFF == "" {
		s, err = quant.QuantifyHairpinBAM(ctx, f, path, name, ref, bo)
	} else {
		s, err = quantifyGenomeBAM(ctx, f, path, name, ref, c, bo)
	}
	if err != nil {
		return nil, err
	}
	s.SetEVQC(quant.EVQualityCheck(s, nil))
	return s, nil
}

func quantifyGenomeBAM(ctx context.Context, f *os.File, path, name string, ref *quant.Reference, c Config, bo quant.BAMOptions) (*quant.Sample, error) {
	ann, err := quant.LoadMirbaseGFF3(ctx, c.GFF)
	if err != nil {
		return nil, err
	}
	g, err := quant.NewGenomeReference(ann, ref)
	if err != nil {
		return nil, err
	}
	return quant.QuantifyGenomeBAM(ctx, f, path, name, g, bo)
}

// isAlignments tells BAM/SAM inputs from reads by the file name.
func isAlignments(path string) bool {
	lower := strings.ToLower(path)
	return strings.HasSuffix(lower, ".bam") || strings.HasSuffix(lower, ".sam")
}

// Sample is what one sample contributes to the study.
type Sample struct {
	// Quant holds the sample's counts and summary. With Config.WorkDir
	// only the summary (Stats) and Class stay in memory: the isomiRs are
	// on disk (Result.WriteIsomirGFF reads them back), the fractional
	// counts are dropped, and Mature, Hairpin and Exogenous are nil (see
	// Sample.MatureCounts and HairpinCounts).
	Quant *quant.Sample
	// Lengths[n] counts passed reads with an n-nt insert (nil for BAM input).
	Lengths []int64
	// Adapter is the adapter used ("(BAM input)" for alignments).
	Adapter string
	// Protocol is the kit layout used ("" for BAM input).
	Protocol     string
	sampleExtras // exogenous counts and editing tallies
	// Warnings are the sample's QC warnings.
	Warnings []quant.Warning
	// Reused tells a sample read back from Config.WorkDir rather than
	// computed by this run.
	Reused bool
	// Seconds is the wall time the sample took when it was computed.
	Seconds float64
	// IsomirStats is the isomiR make-up of the sample's miRNA counts
	// (exomir_isomirs_mqc.tsv), kept with Config.WorkDir too.
	IsomirStats quant.IsomirStats

	mature, hairpin sparse // the integer counts
	small           smallCounts
}

// MatureCounts returns the integer count of each mature miRNA (parallel
// to the reference's Features), whether or not Quant holds them.
func (s *Sample) MatureCounts() []int64 { return s.mature.dense() }

// HairpinCounts returns the integer count of each hairpin.
func (s *Sample) HairpinCounts() []int64 { return s.hairpin.dense() }

// newSample wraps a counted sample.
func newSample(q *quant.Sample) *Sample {
	s := &Sample{Quant: q, IsomirStats: quant.ComputeIsomirStats(q), mature: toSparse(q.Mature), hairpin: toSparse(q.Hairpin), small: smallOf(q)}
	s.setExtras(q)
	return s
}

// countingReader counts the bytes read, for progress.
type countingReader struct {
	r    io.Reader
	i    int
	prog Progress
}

func (cr *countingReader) Read(p []byte) (int, error) {
	n, err := cr.r.Read(p)
	if n > 0 {
		cr.prog.SampleRead(cr.i, int64(n))
	}
	return n, err
}

// runSample turns one sample's reads (or alignments) into counts.
func runSample(ctx context.Context, c *Config, ref *quant.Reference, i int, row Row, threads int) (*Sample, error) {
	if isAlignments(row.Path) {
		s, err := QuantifyBAM(ctx, ref, row.Sample, row.Path, *c, threads)
		if err != nil {
			return nil, err
		}
		ws := quant.CheckSample(row.Sample, nil, s)
		s.SetWarnings(ws)
		out := newSample(s)
		out.Adapter, out.Warnings = "(BAM input)", ws
		return out, nil
	}
	// The file is decompressed by seq (sniffed), so progress counts the
	// bytes of the file itself.
	f, err := os.Open(row.Path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var r io.Reader = f
	if c.Progress != nil {
		r = &countingReader{r: f, i: i, prog: c.Progress}
	}
	s, res, err := QuantifyReads(ctx, ref, row.Sample, r, row.Path, *c, threads)
	if err != nil {
		return nil, err
	}
	s.SortIsomirs() // here, in parallel, rather than in the final GFF write
	ws := quant.CheckSample(row.Sample, &res.Summary, s)
	s.SetWarnings(ws)
	out := newSample(s)
	out.Lengths, out.Adapter, out.Protocol, out.Warnings = res.Summary.LengthsInsert, res.Summary.Adapter, res.Summary.Protocol, ws
	return out, nil
}
