// Package quant places collapsed small-RNA inserts on a miRBase reference
// and counts them: per mature miRNA, per hairpin, per isomiR (mirGFF3) and
// per other small-RNA class, with every input read accounted for.
//
// # Reference
//
// NewReference, LoadReference and Embedded("hsa") build a Reference from
// miRBase mature.fa and hairpin.fa (all species or one prefix). Every
// mature sequence is placed at each of its exact occurrences in the
// hairpins; mature names sharing one sequence are one Feature named
// "a/b/c". AddOther adds other small-RNA classes (tRNA, rRNA, …);
// AddAnnotation("hsa") adds the embedded human annotation (classes tRNA,
// rRNA, snRNA, snoRNA, YRNA, vaultRNA, SRP_RNA; annotation/SOURCES.md says
// what each holds and where it comes from; piRNA is not built in) and
// AddSpikeins spike-in sequences.
//
// # Alignment
//
// Quantify aligns the distinct inserts, never each read, with package
// align, in parallel, in three passes that each keep the best (mismatches,
// untemplated tail) stratum on the sense strand (InsertAligner): on the
// hairpins with at most 1 mismatch and up to 3 untemplated A/T 3' bases;
// if nothing, on the other classes with the same settings; if still
// nothing, on the hairpins with 2 mismatches. So miRNA wins whenever a
// read matches a hairpin with at most 1 mismatch, whatever other classes
// are given, and reads with two differences (an SNV isomiR read with a
// sequencing error) are still placed. A read that only the 2-mismatch pass
// places on a hairpin is counted in an other class instead when a given
// class matches it with at most 1 mismatch: such reads (and, through EM,
// the shares of ambiguous reads) make miRNA counts depend on the classes
// given. With Options.SinglePass (no third pass) they do not.
//
// With spike-ins, or with other classes and without SinglePass, the order
// at each mismatch level (1, then 2) is: spike-ins, hairpins, other
// classes. So spike-in reads never enter the miRNA counts (reads_spikein),
// miRNA still wins over a class at equal mismatches, and the classes get
// the hairpins' mismatch policy (a read with two errors is placed).
//
// # Other classes and tRNA fragments
//
// Within a class an insert on several sequences is shared equally among
// their features (a feature is a record name; a pre-tRNA "pre-X" counts
// under X); SmallRNACounts holds the per-feature counts, written by
// WriteSmallRNACounts. tRNA reads are typed by TRFType (MINTmap/tDRmapper
// types, rules in its doc) from their position on the mature tRNA, or on
// the pre-tRNA when no mature matches, and written by WriteTRFCounts;
// the summary rows trf_<type> sum to class_tRNA. Spike-in counts are
// written by WriteSpikeinCounts.
//
// # Assignment
//
// An insert's best alignments (Hit, hairpin coordinates) are turned into an
// Assignment by an Assigner. A hit lies on a mature when
//
//	|start(read) − start(mature)| <= W5   (DefaultWindow5 = 3)
//	|end(read)   − end(mature)|   <= W3   (DefaultWindow3 = 5)
//
// where end(read) is the end of the templated part: untemplated 3' bases
// (Hit.Tail) are iso_add3p, never a shift. Only the features whose
// closest placement has the smallest |Δ5|+|Δ3| are kept, each with its
// closest placement on every hairpin (a read equal to one mature is not
// also a shifted isomiR of a nested or overlapping one). The
// Variant follows mirGFF3 v1.2 (miRTop): iso_5p and iso_3p are read minus
// reference coordinates (negative = upstream), iso_add3p the number of
// untemplated bases, and mismatches are classed by their 1-based position
// in the mature: iso_snv_seed 2–7, iso_snv_central_offset 8,
// iso_snv_central 9–12, iso_snv_central_supp 13–17, iso_snv elsewhere.
// Hits on no mature arm make the insert hairpin-only; other-class hits
// count per class (the class added first wins a tie between classes).
//
// # Multi-mapping reads
//
// An insert whose placements name several features is ambiguous. MultiEM
// (default) shares it in proportion to abundances estimated by
// expectation–maximisation:
//
//	θ⁰_f   = unique_f + Σ_g n_g / |g|                      (the equal split)
//	θⁱ⁺¹_f = unique_f + Σ_g n_g · θⁱ_f / Σ_{h∈g} θⁱ_h     (g: ambiguous groups containing f)
//
// iterated until no θ moves by more than 1e-6, accelerated by SQUAREM
// (Varadhan & Roland 2008) with a likelihood check (at most 10000 rounds).
// Starting from the equal split keeps every candidate positive, so a
// feature supported only by ambiguous groups is not pinned at zero.
// MultiSplit shares equally, MultiUnique counts unambiguous inserts only.
// Hairpin counts follow the same rule over hairpins. (Reads of multi-copy
// miRNAs are mostly identical on all copies, so hairpin counts of such
// families rest on few copy-specific reads: on simulated data their L1
// error is about 5% with EM against 0.2–0.4% for the miRNA counts.) The fractional totals are rounded by largest remainder so
// that the integer counts sum to the rounded fractional total: no read is
// counted twice and none is lost to rounding.
//
// # Accounting
//
// The summary's reads_passed row (from package seq) is replaced by
// reads_mirna, reads_hairpin_only, reads_other_rna and reads_unmapped (and
// reads_spikein with spike-ins), so all reads_* rows still sum to
// input_reads. With UMIs, counts are
// molecules; the accounting stays in reads. Given each insert's UMIs
// (Options.UMIs, from seq's Result.UMIs), a miRNA's molecules are the
// distinct UMIs over all its inserts, so that a PCR copy with a
// sequencing error, which forms a new insert with an old UMI, adds none.
//
// # QC warnings
//
// CheckSample looks at seq's summary and the counts of one sample and
// returns Warnings with stable codes (WarningCode constants) whose messages
// name the measured value and its likely cause:
//
//	adapter_missing      the layout's adapter in < 50% of reads
//	mirna_low            miRNA reads < 5% of the reads that passed filters
//	length_mode          most common insert length outside 18–26 nt
//	adapter_dimers       > 50% of reads are adapter dimers
//	too_short            > 50% of reads have too short an insert
//	detection_uncertain  protocol auto and detection confidence < 0.5
//	no_reads             an empty input
//
// CheckStudy adds study-level ones: kit_mixed (kits differ between
// samples), confounded (kit or a covariate column separates the samples
// as the condition does), condition_similar (tumor/tumour). de_poscounts,
// de_skipped and de_isomirs_skipped are raised by callers running DE on
// the counts.
// Sample.SetWarnings records the codes as the summary row "warnings"
// (codes joined by ";", or "none"). Warnings never stop a computation:
// the caller decides (the CLI's -strict).
//
// # isomiR counts
//
// The isomiR outputs split the same integers as the count matrix
// (Isomir.Expr). A read on one feature gives it all its reads; a read on
// several gives each its share under the multi-mapping rule, with the
// weights w the mature totals use (EM's converged θ, equal for MultiSplit,
// nothing for MultiUnique):
//
//	x_{r,f} = n_r · w_f / Σ_{h∈cands(r)} w_h
//
// and the shares of each feature are rounded by largest remainder (ties to
// the earlier insert) to its integer count Mature_f. With UMI sets, n_r is
// the molecules the insert adds to its candidates (UMIs not seen on an
// earlier insert of the same candidates), so the n_r sum to the molecule
// counts. The count sits on the read's primary placement on that feature
// (the first in GFF order: lowest hairpin, then start); its other
// placements carry 0. Then, per feature, a read one base (or an N) away
// from a read with the same shifts and 3' addition length and at least
// 1/Options.IsomirSkew (50) times its count is taken for a sequencing
// error of it and its count moves there (UNOISE's rule; Edgar 2016). So,
// per sample and feature,
//
//	Σ_placements Expr = Mature_f
//
// WriteIsomirCounts (isomir_counts.tsv: uid, read, mirna, variant, one
// column per sample; one row per read × feature) and WriteIsomirGFF (one
// line per read × hairpin × feature, Hits = the read's placements,
// Expression = Expr) both sum per miRNA to the count matrix: for the GFF,
// sum the Expression of all lines with a given Name, as mirtop counts'
// table summed per miRNA column. IsomirStats (ComputeIsomirStats) are the
// per-sample shares of canonical reads, 5' and 3' shifts, 3' additions
// (by added base) and SNVs by region; they equal mirtop stats' _sum rows
// on the same GFF, and Finish adds them to the summary as isomir_* rows.
// IsomirMatrices builds the isomiR and variant-type matrices for
// isomiR-level DE (package diffexp, IsomirDE).
//
// # Outputs
//
// WriteMatureCounts, WriteHairpinCounts, WriteSummary, WriteIsomirGFF
// (mirGFF3 v1.2, one or several samples, read by mirtop's stats, counts
// and validate: COLDATA is the last header line) and WriteIsomirCounts;
// WriteOutputs writes them atomically.
//
// # Exosome landscape
//
// EmbeddedRelease selects the embedded miRBase 21 or 22; MapReferences
// matches features of two references (MirGeneDB ↔ miRBase) by sequence.
// With Options.Exogenous (EmbeddedExogenous: all-species miRBase 22),
// Quantify searches the inserts left unmapped for non-human miRNAs
// (Sample.Exogenous: counts, clade reads, HumanViral; the summary's
// reads_exogenous_mirna, clade_<name> and human_viral_mirnas rows;
// WriteExogenousCounts; warning exogenous_mirna). Editing tests A-to-I
// sites (WriteEditing). EVQualityCheck returns the exRNA Atlas / miRTrace
// flags (EVQC, Sample.SetEVQC writes the qc_* rows); Methods and
// WriteMethods render methods.md.
package quant
