// Package simulate makes small-RNA sequencing reads of known origin, for
// benchmarking miRNA quantification and differential expression.
//
// A [Reference] holds miRBase matures placed on their hairpins by exact
// search (a mature may sit on several hairpins; mature names sharing one
// sequence form one feature, named by joining the names with "/"), plus an
// optional pool of other-RNA fragments (e.g. tRNA fragments) checked not to
// match any hairpin within two mismatches.
//
// A [Study] draws, once per seed:
//
//   - base abundances over matures: log-normal (sigma 2.2) with about 30%
//     of matures not expressed, and a few dominant miRNAs (miR-21-5p,
//     let-7 family, miR-16-5p, miR-92a-3p, miR-451a, miR-486-5p) holding
//     about 44% of the miRNA reads, as in plasma/exosome libraries;
//   - true log2 fold changes, tumor versus control: a fraction FoldFrac of
//     the expressed features (dominant ones excluded, so the library
//     composition stays balanced) gets |log2FC| uniform in [MinLFC, MaxLFC],
//     up or down with equal chance; tumor means are base*2^(+lfc/2),
//     control means base*2^(-lfc/2);
//   - a negative-binomial dispersion per feature, log-uniform in
//     [DispMin, DispMax].
//
// Each sample then draws per-mature abundances from a gamma distribution
// with mean equal to its group mean and squared coefficient of variation
// equal to the dispersion (the gamma-Poisson form of the negative binomial),
// and samples molecules from them. Every molecule is one of:
//
//	mirna         a mature miRNA from one of its hairpins, with templated
//	              isomiR shifts (5' end: 0 in 96%, ±1 in 2% each; 3' end:
//	              0 in 65%, ±1 in 12% each, -2 in 6%, +2 in 5%), untemplated
//	              3' additions (none 80%, 1 nt 15%, 2 nt 5%; A 60%, U 40%)
//	              and a rare SNV (SNVRate)
//	hairpin_only  a 18-24 nt fragment of a hairpin outside every mature arm
//	other_rna     a fragment of the other-RNA pool
//	unmapped      random sequence, 18-30 nt
//	adapter_dimer no insert
//	too_short     random insert of 1-15 nt
//
// The read is built with the kit layout (Illumina TruSeq small RNA:
// insert+adapter+index-primer filler; NEXTflex: 4 random nt + insert + 4
// random nt + adapter; QIAseq miRNA: insert + AACTGTAGGCACCATCAAT + 12-nt
// UMI + AGATCGGAAGAGCACACGTCT + filler, with PCR duplicates: every molecule
// is read 1 + Geometric times, mean MeanCopies; ENCODE: a 6-nt barcode, one
// per sample, + insert + ACGGGCTAATATTTATCGGTGGAG + filler), preceded by
// Barcode5 when set, cut to the read length, and given substitution errors
// whose rate rises from ErrStart at the first cycle to ErrEnd at the last
// one as (p/(L-1))^ErrShape (linear by default; error bases get quality
// 15, or with PhredQual every base carries the Phred score of its error
// rate), a 3' quality drop in a share QualDrop of the reads (qualities fall
// to Phred 5 and errors follow them), N calls with probability NBaseRate
// per base, and, with probability NRate, one N per read. UMI bases are
// exempt from sequencing errors; instead one UMI base is changed with
// probability UMIErrRate per read, so that UMI errors stay rare. With the
// new knobs at zero the output is that of earlier versions, seed for seed.
//
// The truth of a sample counts, per mature name, the reads and the
// molecules of category mirna written for it, and, per hairpin, the
// mirna and hairpin_only reads that came from it. Read headers carry the
// origin in a comment unless Config.PlainNames is set:
//
//	@tumor1.17 o=mirna:hsa-miR-21-5p:hsa-mir-21:0:+1:A:-
//
// (category, mature, hairpin, 5' shift, 3' shift, untemplated bases, SNV
// position or "-"), and for QIAseq a molecule number (m=…) as well.
//
// Output is deterministic given the seed, whatever the number of workers:
// every sample has its own random stream.
package simulate
