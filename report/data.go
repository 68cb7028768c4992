package report

import (
	"math"
	"sort"

	"github.com/exomir/exomir/diffexp"
)

// Category is a named read count, e.g. one accounting row.
type Category struct {
	Name  string // e.g. reads_too_short, or an RNA class
	Reads int64
}

// Sample is the QC of one sample.
type Sample struct {
	Name       string
	Condition  string // group, e.g. tumor or control
	InputReads int64  // reads in the sample's input file
	// Accounting rows (reads_*), summing to InputReads.
	Accounting []Category
	// Classes is the RNA-class composition of the passed reads
	// (miRNA, hairpin only, tRNA, ..., unmapped).
	Classes []Category
	// InsertLengths[l] is the number of passed reads with insert length l.
	InsertLengths []int64
	// MiRNAReads are the reads counted on mature miRNAs.
	MiRNAReads int64
	// Adapter is the 3' adapter used (or a note such as "(BAM input)").
	Adapter string
	// Warnings are the sample's QC warnings (quant.CheckSample).
	Warnings []Warning

	// Optional rows; each section of the report is drawn only when some
	// sample has them.

	// TRF counts the reads of each tRNA-fragment type (summary rows
	// trf_<type>, e.g. 5' tRF, 3' tRF, i-tRF).
	TRF []Category
	// Clades counts the reads on exogenous miRNAs of each clade or
	// species group (summary rows clade_<name>).
	Clades []Category
	// IsomiR are the isomiR profile fractions (summary rows isomir_<name>:
	// canonical, 5' or 3' shifted, 3' additions by nucleotide, SNVs), each
	// a fraction of the miRNA reads.
	IsomiR []Value
	// QCFlags are the EV QC flags (summary rows qc_<name>), e.g. pass,
	// warn or fail, or a measured value.
	QCFlags []Flag
}

// Value is a named number, e.g. one isomiR fraction.
type Value struct {
	Name  string
	Value float64
}

// Flag is a named QC result as written in summary.tsv.
type Flag struct {
	Name, Value string
}

// SpikeIn is the observed count of one spike-in in each sample (in the
// order of Data.Samples).
type SpikeIn struct {
	Name   string
	Counts []float64
}

// Exogenous is one exogenous (e.g. viral or plant) miRNA: its species and
// count in each sample.
type Exogenous struct {
	MiRNA, Species string
	Counts         []float64
}

// EditingSite is one A-to-I editing site in one sample: reads edited and
// reads covering the position, the edited level, and the site's adjusted
// p-value (NaN when not tested).
type EditingSite struct {
	MiRNA            string
	Position         int
	Sample           string
	Edited, Covering int64
	Level, PAdj      float64
}

// Signature is a multi-miRNA biomarker panel (exomir panel): its
// nested-cross-validation AUC, the ROC of its out-of-fold scores, the
// selection frequency of each miRNA and the coefficients of the locked
// model.
type Signature struct {
	// AUC is the mean per-fold test AUC with its 95% CI (cv_auc.tsv's
	// first row); Folds are its further rows, if any.
	AUC   Interval
	Folds []Interval
	// ROC is the curve of the out-of-fold scores (roc.tsv: fpr, tpr).
	ROC []Point
	// Stability lists each miRNA's selection frequency over the folds and
	// mean coefficient when selected.
	Stability []Stability
	// Terms and Lambdas head Coefficients[term][lambda]: the model's
	// coefficients (coefficients.tsv), "(Intercept)" first.
	Terms, Lambdas []string
	Coefficients   [][]float64
}

// Interval is an estimate with a confidence interval.
type Interval struct {
	Estimate, Lower, Upper float64
}

// Point is one point of a curve.
type Point struct{ X, Y float64 }

// Stability is one miRNA's selection frequency and mean coefficient.
type Stability struct {
	MiRNA                  string
	Frequency, Coefficient float64
}

// Warning is one QC warning: a stable code and the message saying what
// was measured and its likely cause.
type Warning struct {
	Code, Message string
}

// DERow is one differential-expression result; NaN means NA.
type DERow struct {
	Feature string
	// DESeq2's baseMean, log2FoldChange, pvalue and padj.
	BaseMean, Log2FC, PValue, PAdj float64
}

// ROCRow is one biomarker result.
type ROCRow struct {
	Feature           string
	AUC, Lower, Upper float64
	Direction         diffexp.Direction // DirectionUp or DirectionDown
}

// Data is everything the report shows. Counts[f][s] is the raw count of
// Features[f] in Samples[s].
type Data struct {
	Title    string
	Samples  []Sample
	Features []string    // miRNA names, the rows of Counts
	Counts   [][]float64 // raw counts, features × samples
	// SizeFactors normalise Counts; nil means counts per million.
	SizeFactors []float64
	// Contrast describes the DE comparison, e.g. "tumor vs control".
	Contrast string
	DE       []DERow  // optional; no DE figures without it
	ROC      []ROCRow // optional; no ROC figure without it
	// Alpha is the adjusted p-value threshold for calling a miRNA DE.
	Alpha float64
	// MinMiRNAReads is the QC threshold on miRNA reads per sample
	// (exceRpt uses 100,000).
	MinMiRNAReads int64
	// StudyWarnings are the warnings about the study as a whole (kits,
	// confounding, DE skipped or its size factors changed).
	StudyWarnings []Warning

	// Optional sections, each drawn only when present.
	SpikeIns  []SpikeIn
	Exogenous []Exogenous
	Editing   []EditingSite
	Signature *Signature
}

// normalised returns Counts divided by size factors (or scaled to counts
// per million), as a features × samples slice.
func (d *Data) normalised() [][]float64 {
	ns := len(d.Samples)
	scale := make([]float64, ns)
	if len(d.SizeFactors) == ns {
		for s, f := range d.SizeFactors {
			scale[s] = 1 / f
		}
	} else {
		tot := make([]float64, ns)
		for _, row := range d.Counts {
			for s, v := range row {
				tot[s] += v
			}
		}
		for s := range scale {
			if tot[s] > 0 {
				scale[s] = 1e6 / tot[s]
			}
		}
	}
	out := make([][]float64, len(d.Counts))
	for f, row := range d.Counts {
		out[f] = make([]float64, ns)
		for s, v := range row {
			out[f][s] = v * scale[s]
		}
	}
	return out
}

// logNormalised is log2(normalised + 1).
func (d *Data) logNormalised() [][]float64 {
	n := d.normalised()
	for _, row := range n {
		for s, v := range row {
			row[s] = math.Log2(v + 1)
		}
	}
	return n
}

// topDE returns the indices of DE rows with the smallest adjusted p-values
// (then p-values), at most n, NA last.
func (d *Data) topDE(n int) []int {
	idx := make([]int, 0, len(d.DE))
	for i, r := range d.DE {
		if !math.IsNaN(r.PValue) {
			idx = append(idx, i)
		}
	}
	key := func(i int) float64 {
		if p := d.DE[i].PAdj; !math.IsNaN(p) {
			return p
		}
		return 2
	}
	sort.SliceStable(idx, func(a, b int) bool {
		ka, kb := key(idx[a]), key(idx[b])
		if ka != kb {
			return ka < kb
		}
		return d.DE[idx[a]].PValue < d.DE[idx[b]].PValue
	})
	if len(idx) > n {
		idx = idx[:n]
	}
	return idx
}
