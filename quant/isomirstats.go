package quant

import (
	"fmt"
	"io"
	"strconv"
	"strings"
)

// IsomirStats are the isomiR make-up of one sample's miRNA counts: reads
// (molecules with UMIs) counted as in the count matrix (Isomir.Expr, so
// Total is the sum of Sample.Mature), by the variant of each (read,
// miRNA) at its primary placement. A read in several classes (a 5' shift
// with a 3' addition) counts in each. These are the sums that mirtop stats
// reports per variant term on the sample's mirGFF3 (ref_miRNA_sum,
// isomiR_sum, iso_5p_sum, …); Add3pA/U/Mixed split Add3p by the added
// bases, which mirtop does not report.
type IsomirStats struct {
	Total     int64 // all miRNA reads
	Distinct  int   // (read, miRNA) pairs with a count
	Canonical int64 // exactly the reference mature (ref_miRNA)
	Isomir    int64 // any variant (isomiR)
	Shift5    int64 // iso_5p ≠ 0: a new seed
	Shift3    int64 // iso_3p ≠ 0
	Add3p     int64 // iso_add3p > 0: untemplated 3' bases
	// Add3pA and Add3pU have only A (only U) added; Add3pMixed both.
	Add3pA, Add3pU, Add3pMixed int64
	SNVSeed                    int64 // iso_snv_seed (positions 2–7)
	SNVCentralOffset           int64 // iso_snv_central_offset (8)
	SNVCentral                 int64 // iso_snv_central (9–12)
	SNVCentralSupp             int64 // iso_snv_central_supp (13–17)
	SNVOther                   int64 // iso_snv (elsewhere)
}

// ComputeIsomirStats returns the isomiR statistics of s.
func ComputeIsomirStats(s *Sample) IsomirStats {
	var st IsomirStats
	for i := range s.Isomirs {
		iso := &s.Isomirs[i]
		n := iso.Expr
		if n == 0 {
			continue
		}
		st.Total += n
		st.Distinct++
		v := iso.Variant
		if v.IsRef() {
			st.Canonical += n
			continue
		}
		st.Isomir += n
		if v.Shift5 != 0 {
			st.Shift5 += n
		}
		if v.Shift3 != 0 {
			st.Shift3 += n
		}
		if v.Add3p > 0 {
			st.Add3p += n
			tail := iso.Seq[len(iso.Seq)-v.Add3p:]
			switch {
			case strings.Trim(tail, "A") == "":
				st.Add3pA += n
			case strings.Trim(tail, "TU") == "":
				st.Add3pU += n
			default:
				st.Add3pMixed += n
			}
		}
		for _, c := range []struct {
			bit uint8
			n   *int64
		}{{snvSeed, &st.SNVSeed}, {snvCentralOffset, &st.SNVCentralOffset}, {snvCentral, &st.SNVCentral},
			{snvCentralSupp, &st.SNVCentralSupp}, {snvOther, &st.SNVOther}} {
			if v.SNV&c.bit != 0 {
				*c.n += n
			}
		}
	}
	return st
}

// Frac is n as a fraction of Total (0 when Total is 0).
func (st IsomirStats) Frac(n int64) float64 {
	if st.Total == 0 {
		return 0
	}
	return float64(n) / float64(st.Total)
}

// IsomirCategory is one class of IsomirStats with its summary name and
// its mirtop stats term ("" where mirtop has none).
type IsomirCategory struct {
	Name   string // e.g. "5p_shift": summary rows isomir_5p_shift and isomir_5p_shift_frac
	Label  string // for tables and plots
	Mirtop string // mirtop stats category, e.g. "iso_5p"
	Reads  int64
}

// Categories lists the classes in a fixed order.
func (st IsomirStats) Categories() []IsomirCategory {
	return []IsomirCategory{
		{"canonical", "canonical (reference mature)", "ref_miRNA", st.Canonical},
		{"variant", "any isomiR", "isomiR", st.Isomir},
		{"5p_shift", "5' shifted (new seed)", "iso_5p", st.Shift5},
		{"3p_shift", "3' shifted", "iso_3p", st.Shift3},
		{"add3p", "3' addition", "iso_add3p", st.Add3p},
		{"add3p_A", "3' addition, A only", "", st.Add3pA},
		{"add3p_U", "3' addition, U only", "", st.Add3pU},
		{"add3p_mixed", "3' addition, A and U", "", st.Add3pMixed},
		{"snv_seed", "SNV in the seed (2-7)", "iso_snv_seed", st.SNVSeed},
		{"snv_central_offset", "SNV at position 8", "iso_snv_central_offset", st.SNVCentralOffset},
		{"snv_central", "SNV central (9-12)", "iso_snv_central", st.SNVCentral},
		{"snv_central_supp", "SNV supplementary (13-17)", "iso_snv_central_supp", st.SNVCentralSupp},
		{"snv_other", "SNV elsewhere", "iso_snv", st.SNVOther},
	}
}

// Rows returns the summary rows: isomir_reads, isomir_distinct, then
// isomir_<name> (reads) and isomir_<name>_frac (fraction of
// isomir_reads, 4 decimals) for each category.
func (st IsomirStats) Rows() []Stat {
	rows := []Stat{{"isomir_reads", itoa(st.Total)}, {"isomir_distinct", strconv.Itoa(st.Distinct)}}
	for _, c := range st.Categories() {
		rows = append(rows,
			Stat{"isomir_" + c.Name, itoa(c.Reads)},
			Stat{"isomir_" + c.Name + "_frac", strconv.FormatFloat(st.Frac(c.Reads), 'f', 4, 64)})
	}
	return rows
}

// WriteMultiQCIsomirs writes a MultiQC custom-content table (file name
// ending in _mqc.tsv) of the isomiR fractions (percent of miRNA reads)
// per sample; names and stats are parallel.
func WriteMultiQCIsomirs(w io.Writer, names []string, stats []IsomirStats) error {
	if len(names) != len(stats) {
		return fmt.Errorf("%w: %d names for %d samples", ErrBadOption, len(names), len(stats))
	}
	var b strings.Builder
	b.WriteString("# id: 'exomir_isomirs'\n" +
		"# section_name: 'exomir: isomiRs'\n" +
		"# description: 'Percent of miRNA reads (as counted in mirna_counts.tsv, EM shares of multi-mapping reads) that are the canonical mature or an isomiR of each kind (mirGFF3 terms; a read of several kinds counts in each). 5'' shifted isomiRs have a new seed.'\n" +
		"# plot_type: 'table'\n" +
		"# pconfig:\n#     id: 'exomir_isomirs_table'\n#     title: 'exomir: isomiRs'\n" +
		"# headers:\n")
	cats := IsomirStats{}.Categories()
	for _, c := range cats {
		fmt.Fprintf(&b, "#     %s:\n#         title: '%s'\n#         suffix: '%%'\n#         format: '{:,.2f}'\n", c.Name, strings.ReplaceAll(c.Label, "'", "''"))
	}
	b.WriteString("Sample")
	for _, c := range cats {
		b.WriteString("\t" + c.Name)
	}
	b.WriteString("\n")
	for i, st := range stats {
		b.WriteString(names[i])
		for _, c := range st.Categories() {
			b.WriteString("\t" + strconv.FormatFloat(100*st.Frac(c.Reads), 'f', 4, 64))
		}
		b.WriteString("\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}
