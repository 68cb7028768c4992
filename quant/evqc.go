package quant

import (
	"strconv"
	"strings"
)

// EV QC: the exRNA Atlas and miRTrace criteria
//
// EVQualityCheck applies to one sample the criteria extracellular-RNA
// studies are judged by:
//
//	transcriptome_reads  >= 100,000 reads on annotated small RNA
//	                     (miRNA, hairpin, other classes, exogenous miRNA;
//	                     exRNA Atlas / exceRpt)
//	annotated_fraction   >= 0.5 of the passed reads on annotated RNA
//	                     (exRNA Atlas asks 50% of genome-mapped reads;
//	                     exomir maps to no genome, so the denominator is
//	                     every read that passed trimming and filters:
//	                     stricter, as it holds unannotated genomic reads)
//	length_20_25         >= 0.25 of passed inserts 20–25 nt (miRTrace)
//	mirna_fraction       >= 0.10 of passed reads on miRNAs (miRTrace RNA
//	                     type)
//	complexity           >= 0.10 of the reference's miRNAs detected
//	                     (>= 1 read; miRTrace complexity)
//
// Failing a criterion is a flag, not an error: low-input EV libraries
// often fail some.

// QC thresholds.
const (
	MinTranscriptomeReads = 100_000
	MinAnnotatedFraction  = 0.5
	MinLength2025Fraction = 0.25
	MinMiRNAFraction      = 0.10
	MinComplexity         = 0.10
)

// QCFlag is one criterion's result.
type QCFlag struct {
	Name      string  // e.g. transcriptome_reads (summary row qc_<Name>)
	Value     float64 // the measured value (a count or a fraction)
	Threshold float64 // pass when Value >= Threshold
	Pass      bool
	// Measured is false when the input lacks what the criterion needs
	// (insert lengths of alignment input): the flag then passes and is
	// written as NA.
	Measured bool
	Source   string // exRNA Atlas or miRTrace
	Meaning  string // one line for a report
}

// Part is one slice of a sample's RNA-type composition.
type Part struct {
	Name     string
	Reads    int64
	Fraction float64 // of the passed reads
}

// EVQC is the EV quality check of one sample, for summary.tsv (Stats) and
// the report.
type EVQC struct {
	Sample string
	Flags  []QCFlag
	// Composition of the passed reads: miRNA, hairpin only, each other
	// class, exogenous miRNA, unmapped.
	Composition []Part
	Pass        bool // every flag passes
}

// EVQualityCheck evaluates s (its summary rows and counts). lengths holds
// the passed inserts per length (seq.Summary.LengthsInsert; nil for
// alignment input, whose length criterion is then not measured).
func EVQualityCheck(s *Sample, lengths []int64) EVQC {
	q := EVQC{Sample: s.Name, Pass: true}
	num := func(k string) int64 {
		v, _ := s.Stat(k)
		n, _ := strconv.ParseInt(v, 10, 64)
		return n
	}
	mirna, hp, other, unmapped, exo := num("reads_mirna"), num("reads_hairpin_only"), num("reads_other_rna"), num("reads_unmapped"), num("reads_exogenous_mirna")
	// spike-ins (reads_spikein, when a caller counts them) passed the
	// filters but are not the library's own RNA: in the denominator only
	passed := mirna + hp + other + unmapped + exo + num("reads_spikein")
	frac := func(n int64) float64 {
		if passed == 0 {
			return 0
		}
		return float64(n) / float64(passed)
	}
	annotated := mirna + hp + other + exo
	q.Composition = append(q.Composition, Part{"miRNA", mirna, frac(mirna)}, Part{"hairpin_only", hp, frac(hp)})
	for i, c := range s.Ref.Classes {
		if i < len(s.Class) {
			q.Composition = append(q.Composition, Part{c, s.Class[i], frac(s.Class[i])})
		}
	}
	q.Composition = append(q.Composition, Part{"exogenous_miRNA", exo, frac(exo)}, Part{"unmapped", unmapped, frac(unmapped)})

	var detected int
	for _, c := range s.Mature {
		if c > 0 {
			detected++
		}
	}
	complexity := 0.0
	if len(s.Mature) > 0 {
		complexity = float64(detected) / float64(len(s.Mature))
	}
	add := func(f QCFlag) {
		f.Pass = !f.Measured || f.Value >= f.Threshold
		q.Pass = q.Pass && f.Pass
		q.Flags = append(q.Flags, f)
	}
	add(QCFlag{Name: "transcriptome_reads", Value: float64(annotated), Threshold: MinTranscriptomeReads, Measured: true, Source: "exRNA Atlas",
		Meaning: "reads on annotated small RNA (miRNA, hairpin, other classes, exogenous miRNA)"})
	add(QCFlag{Name: "annotated_fraction", Value: frac(annotated), Threshold: MinAnnotatedFraction, Measured: passed > 0, Source: "exRNA Atlas",
		Meaning: "share of the passed reads on annotated small RNA (exRNA Atlas: of genome-mapped reads)"})
	var in2025, all int64
	for l, n := range lengths {
		all += n
		if l >= 20 && l <= 25 {
			in2025 += n
		}
	}
	l2025 := 0.0
	if all > 0 {
		l2025 = float64(in2025) / float64(all)
	}
	add(QCFlag{Name: "length_20_25", Value: l2025, Threshold: MinLength2025Fraction, Measured: all > 0, Source: "miRTrace",
		Meaning: "share of passed inserts 20-25 nt long"})
	add(QCFlag{Name: "mirna_fraction", Value: frac(mirna), Threshold: MinMiRNAFraction, Measured: passed > 0, Source: "miRTrace",
		Meaning: "share of the passed reads on miRNAs (RNA type)"})
	add(QCFlag{Name: "complexity", Value: complexity, Threshold: MinComplexity, Measured: len(s.Mature) > 0, Source: "miRTrace",
		Meaning: "share of the reference's miRNAs detected (>= 1 read)"})
	return q
}

// Stats returns the summary rows: qc_<flag> (the value; NA when not
// measured), qc_<flag>_pass (yes/no), qc_failed (the failed flags joined
// with ",", or none) and qc_pass (yes/no).
func (q EVQC) Stats() []Stat {
	var out []Stat
	var failed []string
	for _, f := range q.Flags {
		v := "NA"
		if f.Measured {
			if f.Threshold >= 1 {
				v = strconv.FormatInt(int64(f.Value), 10)
			} else {
				v = strconv.FormatFloat(f.Value, 'f', 4, 64)
			}
		}
		pass := "yes"
		if !f.Pass {
			pass = "no"
			failed = append(failed, f.Name)
		}
		out = append(out, Stat{"qc_" + f.Name, v}, Stat{"qc_" + f.Name + "_pass", pass})
	}
	fl := "none"
	if len(failed) > 0 {
		fl = strings.Join(failed, ",")
	}
	pass := "yes"
	if !q.Pass {
		pass = "no"
	}
	return append(out, Stat{"qc_failed", fl}, Stat{"qc_pass", pass})
}

// SetEVQC replaces (or appends) the sample's qc_* summary rows with q's.
func (s *Sample) SetEVQC(q EVQC) {
	kept := s.Stats[:0:0]
	for _, st := range s.Stats {
		if !strings.HasPrefix(st.Name, "qc_") {
			kept = append(kept, st)
		}
	}
	s.Stats = append(kept, q.Stats()...)
}
