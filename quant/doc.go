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
// "a/b/c". AddOther adds other small-RNA classes (tRNA, rRNA, …).
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
// (Hit.Tail) are iso_add3p, never a shift. Among all such placements only
// those closest to their mature (smallest |Δ5|+|Δ3|) are kept. The
// Variant follows mirGFF3 v1.2 (miRTop): iso_5p and iso_3p are read minus
// reference coordinates (negative = upstream), iso_add3p the number of
// untemplated bases, and mismatches are classed by their 1-based position
// in the mature: iso_snv_seed 2–7, iso_snv_central_offset 8,
// iso_snv_central 9–12, iso_snv_central_supp 13–17, iso_snv elsewhere.
// Hits on no mature arm make the insert hairpin-only. Inserts are aligned
// on the hairpins first and only those without a hairpin hit on the other
// classes (InsertAligner), so miRNA wins whenever a read matches a hairpin
// within the allowed mismatches, and miRNA counts do not depend on the
// other classes given.
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
// MultiSplit shares equally, MultiUnique counts unambiguous inserts only. Hairpin counts follow the same rule
// over hairpins. The fractional totals are rounded by largest remainder so
// that the integer counts sum to the rounded fractional total: no read is
// counted twice and none is lost to rounding.
//
// # Accounting
//
// The summary's reads_passed row (from package seq) is replaced by
// reads_mirna, reads_hairpin_only, reads_other_rna and reads_unmapped, so
// all reads_* rows still sum to input_reads. With UMIs, counts are
// molecules; the accounting stays in reads. Given each insert's UMIs
// (Options.UMIs, from seq's Result.UMIs), a miRNA's molecules are the
// distinct UMIs over all its inserts, so that a PCR copy with a
// sequencing error, which forms a new insert with an old UMI, adds none.
//
// # Outputs
//
// WriteMatureCounts, WriteHairpinCounts, WriteSummary and WriteIsomirGFF
// (mirGFF3 v1.2, one or several samples, readable by mirtop); WriteOutputs
// writes all four atomically.
package quant
