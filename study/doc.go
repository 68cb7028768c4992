// Package study runs a whole small-RNA study from a samplesheet, as the
// "exomir run" command does: every sample's reads (or alignments) are
// counted on miRBase, the study is checked for doubtful samples and
// designs, and differential expression (DESeq2 or edgeR) with a
// biomarker ROC is run on the count matrix in memory.
//
//	sh, err := study.ReadSheet("samplesheet.tsv")
//	res, err := study.Run(ctx, sh, study.Config{Threads: 4})
//	err = res.Write("results")
//
// Run returns the Result in memory (counts, summaries, isomiRs, DE, ROC);
// Result.Write publishes the outputs (count matrices, isomirs.gff3,
// summary.tsv, de.tsv, roc.tsv, report.html, MultiQC files) into a folder
// as one set, replacing the previous set together or not at all.
//
// # Settings
//
// Config follows one convention: the zero value of every field means its
// default, so Config{} is "exomir run" without flags. Where 0 is itself a
// meaningful setting (MaxN, Clip5, Clip3) the field is a pointer and nil
// means the default.
//
// # Cohorts
//
// With Config.WorkDir set, each sample's isomiR placements and tables are
// written to WorkDir/samples/ as soon as the sample is counted, and only
// its small tables stay in memory; the study's isomirs.gff3 is then merged
// from those files by streaming. Memory is thus flat in the number of
// samples. A later Run reuses a sample's files when its input (size,
// modification time and SHA-256 checksum) and the settings it depends on
// are unchanged (Config.Force recomputes), and Write records all of it in
// manifest.json; UpToDate tells when nothing at all changed.
package study
