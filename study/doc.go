// Package study runs a whole small-RNA study from a samplesheet, as the
// "exomir run" command does: every sample's reads (or alignments) are
// counted on miRBase, the study is checked for doubtful samples and
// designs, and differential expression (DESeq2 or edgeR) with a
// biomarker ROC is run on the count matrix in memory, then DESeq2 on the
// isomiR and variant-type matrices (de_isomirs.tsv; when that fails it is
// skipped with a de_isomirs_skipped warning, not an error).
//
// A complete program (the package's Example, run by go test, does the
// same on the bundled demo data and checks its output):
//
//	package main
//
//	import (
//		"context"
//		"fmt"
//		"log"
//
//		"github.com/exomir/exomir/study"
//	)
//
//	func main() {
//		ctx := context.Background()
//		sh, err := study.ReadSheet(ctx, "samplesheet.tsv")
//		if err != nil {
//			log.Fatal(err)
//		}
//		// Zero values are the defaults of "exomir run"; WorkDir keeps
//		// each sample in results/samples/ so that a rerun reuses it.
//		cfg := study.Config{Threads: 4, WorkDir: "results"}
//		res, err := study.Run(ctx, sh, cfg)
//		if err != nil {
//			log.Fatal(err)
//		}
//		if err := res.Write(ctx, "results"); err != nil {
//			log.Fatal(err)
//		}
//		fmt.Println(res.Summary())
//		if res.DE != nil {
//			fmt.Println("DE:", res.DE.Contrast, len(res.DE.Results.Features), "miRNAs tested")
//		}
//	}
//
// Run returns the Result in memory (counts, summaries, isomiRs, DE, ROC);
// Result.Write publishes the outputs (count matrices, isomirs.gff3,
// isomir_counts.tsv, summary.tsv, de.tsv, roc.tsv, de_isomirs.tsv,
// report.html, MultiQC files; Result.Outputs lists them) into a folder
// as one set, replacing the previous set together or not at all.
//
// # Exosome outputs
//
// Reads left unmapped are searched in the embedded all-species miRBase 22
// for exogenous and viral miRNAs (Config.NoExogenous turns it off):
// exogenous_counts.tsv, the reads_exogenous_mirna, clade_* and
// human_viral_mirnas summary rows. Every study also gets editing.tsv
// (A-to-I sites: a site significant in any sample has a row for every
// sample covering it at least 50 times), the EV QC rows qc_* of summary.tsv
// and methods.md (versions, references with SHA-256, settings, thresholds;
// no times and no absolute paths, so identical studies give identical
// bytes). A sample keeps only its exogenous counts (sparse) and its tested
// editing sites, in memory or in its WorkDir file, so these outputs are the
// same whether the samples were kept in memory, spilled or reused.
// Config.Mirbase picks the embedded release; Config.Reference RefMirGeneDB
// reads MirGeneDB files and adds reference_map.tsv.
//
// # Settings
//
// Config follows one convention: the zero value of every field means its
// default, so Config{} is "exomir run" without flags. Where 0 is itself a
// meaningful setting (MaxN, Clip5, Clip3) the field is a pointer and nil
// means the default.
//
// Besides miRNAs, a study counts the other small-RNA classes of the
// built-in human annotation (Config.Annotation; the zero value uses it for
// species hsa) and of Config.Others, and spike-ins (Config.Spikeins): the
// outputs smallrna_counts.tsv and trf_counts.tsv (when every sample has
// per-feature counts, i.e. not from BAM input) and spikein_counts.tsv.
// Config.SizeFactors "spikein" gives DESeq2 size factors from the spike-ins.
//
// # Cohorts
//
// With Config.WorkDir set, each sample's isomiR placements, isomiR rows
// and tables are written to WorkDir/samples/ as soon as the sample is
// counted; memory then holds per sample only its summary, isomiR statistics
// and non-zero counts, varint-encoded (a few bytes per detected miRNA), and
// the study's isomirs.gff3, isomir_counts.tsv and the isomiR DE matrices
// are built from the per-sample files by streaming (quant.MergeIsomirGFF,
// quant.MergeIsomirSpills). What grows with the number of samples is those
// counts (at most about 12 KB a sample with the summary rows), and, while DE runs,
// the miRNA × sample matrix and the isomiR × sample matrices of the rows
// passing the filter (8 bytes per cell), plus the variant-type sums under
// it (2–4 bytes per non-zero cell). Result.Write stops at a cancelled
// context and leaves the previous outputs in place.
//
// A later Run reuses a sample's files when its input (size, modification
// time and SHA-256 checksum) and the settings it depends on are unchanged
// (Config.Force recomputes), and Write records all of it in manifest.json;
// UpToDate tells when nothing at all changed.
package study
