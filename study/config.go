package study

import (
	"fmt"
	"strings"

	"github.com/exomir/exomir/quant"
	"github.com/exomir/exomir/seq"
)

// Config holds the settings of a study: the flags of "exomir run" as a
// struct. The zero value of every field means its default, so Config{}
// runs a study as "exomir run" does without flags. Fields where 0 is a
// meaningful setting (MaxN, Clip5, Clip3) are pointers, nil meaning the
// default.
type Config struct {
	// Protocol is the library kit (seq.KitNames) or "auto" ("" = auto:
	// the adapter and layout are detected from the reads).
	Protocol string
	// Adapter overrides the protocol's 3' adapter ("" = the protocol's).
	Adapter string
	// UMI requires UMIs in the reads and counts molecules.
	UMI bool
	// MinLen and MaxLen bound the insert length (0 = seq's 16 and 40).
	MinLen, MaxLen int
	// MaxN is the most N bases an insert may hold (nil = seq.DefaultMaxN;
	// 0: none; negative: no limit).
	MaxN *int
	// Clip5 and Clip3 remove bases from the insert ends after adapter
	// trimming (nil = the kit's or the detected layout's).
	Clip5, Clip3 *int
	// MaxReadLen is the longest raw read accepted (0 = seq.DefaultMaxReadLen).
	MaxReadLen int

	// Species is the miRBase name prefix ("" = "hsa"). Without Mature and
	// Hairpin the embedded miRBase (Mirbase) is used.
	Species string
	// Mature and Hairpin are miRBase FASTA files; they go together.
	Mature, Hairpin string
	// GFF is a miRBase GFF3: BAM inputs are then genome alignments.
	GFF string
	// Others are other small-RNA classes counted as their own rows.
	Others []Other
	// SkipUnplaced drops mature sequences found on no hairpin instead of
	// failing.
	SkipUnplaced bool
	// Annotation is the built-in small-RNA annotation: AnnotationBuiltin
	// ("" = builtin: quant.AnnotationClasses, added for species hsa only)
	// or AnnotationNone. Others add to it.
	Annotation AnnotationSet
	// Spikeins is a spike-in FASTA: reads on it are counted first, never
	// as miRNA (reads_spikein, spikein_counts.tsv). "" = none.
	Spikeins string
	// Mirbase is the embedded miRBase release used without Mature and
	// Hairpin ("" = quant.DefaultMirbase; see quant.MirbaseReleases).
	Mirbase string
	// Reference is the kind of the Mature and Hairpin files ("" =
	// RefMirbase; RefMirGeneDB needs the files and adds
	// reference_map.tsv).
	Reference RefKind
	// NoExogenous turns off the search of the reads left unmapped in the
	// embedded all-species miRBase (viral, plant, nematode… miRNAs; on by
	// default for reads and a human reference).
	NoExogenous bool

	// Multi is the rule for reads on several miRNAs (zero = quant.MultiEM).
	Multi quant.Multi
	// Mismatches is the most substitutions of a placed read: 1 or 2 (0 = 2).
	Mismatches int

	// Design is the DE formula on samplesheet columns ("" = "~ condition").
	Design string
	// Contrast is variable, numerator, denominator (nil = condition with
	// the levels chosen by diffexp.DefaultContrast; DE is then skipped,
	// with a de_skipped warning, when they cannot be compared).
	Contrast []string
	// Test is the DE test ("" = TestWald).
	Test Test
	// Method is the DE method ("" = MethodDESeq2).
	Method Method
	// SizeFactors is how DESeq2's size factors are computed: SizeFactorsRatio
	// ("" = median of ratios over the miRNAs) or SizeFactorsSpikein (median
	// of ratios over the spike-ins; needs Spikeins and MethodDESeq2).
	SizeFactors SizeFactorSource

	// Threads is the CPU budget (0 = all CPUs); samples run in parallel.
	// Outputs do not depend on it.
	Threads int
	// Strict makes warnings an error: Run returns an error wrapping
	// ErrStrict and no Result.
	Strict bool
	// Progress, when set, is told of the progress of the work.
	Progress Progress

	// WorkDir, when set, is where each sample's results are kept
	// (WorkDir/samples/): memory then stays flat in the number of samples,
	// and a sample whose input and settings are unchanged is reused from
	// there instead of being computed again. "exomir run" uses its output
	// folder. Empty: everything is kept in memory and nothing is reused.
	WorkDir string
	// Force recomputes every sample even when WorkDir holds its results.
	Force bool
}

// Test is a DE test.
type Test string

// DE tests.
const (
	TestWald Test = "wald" // Wald test of the contrast
	TestLRT  Test = "lrt"  // likelihood-ratio test against the reduced model ~ 1
)

// Method is a DE method.
type Method string

// DE methods.
const (
	MethodDESeq2 Method = "deseq2" // DESeq2's negative-binomial GLM
	MethodEdgeR  Method = "edger"  // edgeR's TMM and exact test
)

// Other is one other small-RNA class: a name and a FASTA file.
type Other struct {
	Name, Path string
}

// ParseOther parses NAME=FASTA (the form of exomir's -other flag).
func ParseOther(s string) (Other, error) {
	name, path, ok := strings.Cut(s, "=")
	if !ok || name == "" || path == "" {
		return Other{}, fmt.Errorf("%w: other class %q: want NAME=FASTA", ErrConfig, s)
	}
	return Other{Name: name, Path: path}, nil
}

// withDefaults returns c with its zero fields set to their defaults and
// checks the values.
func (c Config) withDefaults() (Config, error) {
	if c.Protocol == "" {
		c.Protocol = "auto"
	}
	if c.Species == "" {
		c.Species = "hsa"
	}
	if c.MaxN == nil {
		c.MaxN = new(seq.DefaultMaxN)
	}
	if c.MaxReadLen == 0 {
		c.MaxReadLen = seq.DefaultMaxReadLen
	}
	if c.Mismatches == 0 {
		c.Mismatches = 2
	}
	if c.Design == "" {
		c.Design = "~ condition"
	}
	if c.Test == "" {
		c.Test = TestWald
	}
	if c.Method == "" || c.Method == "deseq" {
		c.Method = MethodDESeq2
	}
	c.Test, c.Method = Test(strings.ToLower(string(c.Test))), Method(strings.ToLower(string(c.Method)))
	if err := c.referenceDefaults(); err != nil {
		return c, err
	}
	switch {
	case (c.Mature == "") != (c.Hairpin == ""):
		return c, fmt.Errorf("%w: mature and hairpin FASTA files go together", ErrConfig)
	case c.Mismatches != 1 && c.Mismatches != 2:
		return c, fmt.Errorf("%w: mismatches %d: want 1 or 2", ErrConfig, c.Mismatches)
	case c.MaxReadLen < 0:
		return c, fmt.Errorf("%w: max read length %d: want a positive length", ErrConfig, c.MaxReadLen)
	case c.Test != TestWald && c.Test != TestLRT:
		return c, fmt.Errorf("%w: test %q: want wald or lrt", ErrConfig, c.Test)
	case c.Method != MethodDESeq2 && c.Method != MethodEdgeR:
		return c, fmt.Errorf("%w: method %q: want deseq2 or edger", ErrConfig, c.Method)
	case c.Method == MethodEdgeR && c.Test == TestLRT:
		return c, fmt.Errorf("%w: method edger has only the exact test; test lrt needs method deseq2", ErrConfig)
	case c.Contrast != nil && len(c.Contrast) != 3:
		return c, fmt.Errorf("%w: contrast %q: want variable, numerator, denominator", ErrConfig, c.Contrast)
	}
	err := c.smallRNADefaults()
	return c, err
}

// seqOptions are the read-processing options of c (with defaults).
func (c *Config) seqOptions(threads int) seq.Options {
	return seq.Options{
		Protocol: c.Protocol, Adapter: c.Adapter,
		MinLen: c.MinLen, MaxLen: c.MaxLen, Threads: threads,
		MaxN: c.MaxN, Clip5: c.Clip5, Clip3: c.Clip3,
		MaxReadLen: c.MaxReadLen,
	}
}
