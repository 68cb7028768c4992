// Package seq reads small-RNA sequencing reads and turns them into collapsed
// inserts: FASTQ and FASTA readers (plain, gzip, BGZF, stdin), 3' adapter
// trimming with kit presets and detection from the reads, UMI extraction,
// length and quality filters, collapsing of identical inserts, and an
// accounting in which every input read lands in exactly one category.
//
// Package seq knows reads, not miRNAs.
package seq
