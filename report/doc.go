// Package report renders the study report of exomir: one self-contained
// HTML file with plots drawn by gonum.org/v1/plot (inline SVG) and tables,
// and MultiQC custom-content files so MultiQC picks up the QC.
//
// The report takes plain values (per-sample QC, a count matrix, DE and ROC
// rows, and optional sections: tRF types, spike-ins, exogenous miRNAs,
// A-to-I editing, isomiR profile, EV QC flags, a signature panel), so it
// knows nothing of how they were computed. Fill a Data yourself (see the
// package Example), or read a run's output folder:
//
//	d, err := report.Load("results") // summary.tsv, mirna_counts.tsv, de.tsv, …
//	if err != nil {
//		return err
//	}
//	d.Title = "my study"
//	err = report.WriteHTML(w, d)
//	// and WriteMultiQCGeneralStats, WriteMultiQCAccounting, WriteMultiQCLengths
//
// Layout, colours and each section are described in docs/report.md.
package report
