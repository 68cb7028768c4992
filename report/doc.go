// Package report renders the study report of exomir: one self-contained
// HTML file with plots drawn by gonum.org/v1/plot (inline SVG) and tables,
// and MultiQC custom-content files so MultiQC picks up the QC.
//
// The report takes plain values (per-sample QC, a count matrix, DE and ROC
// rows), so it knows nothing of how they were computed.
package report
