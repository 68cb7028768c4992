package quant_test

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/exomir/exomir/quant"
	"github.com/exomir/exomir/seq"
)

// Quantify three inserts on the embedded human miRBase: the reference
// hsa-miR-21-5p, a 3'-extended isomiR of it, and a sequence found nowhere.
func ExampleQuantify() {
	ref, err := quant.Embedded("hsa")
	if err != nil {
		fmt.Println(err)
		return
	}
	inserts := []seq.Insert{
		{Seq: "TAGCTTATCAGACTGATGTTGA", Reads: 100, Molecules: 100},
		{Seq: "TAGCTTATCAGACTGATGTTGAC", Reads: 20, Molecules: 20},
		{Seq: "ACGTTGCAACGTTGCAACGTTG", Reads: 5, Molecules: 5},
	}
	s, err := quant.Quantify(context.Background(), ref, "s1", inserts, nil, quant.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("hsa-miR-21-5p:", s.Mature[ref.FeatureIndex("hsa-miR-21-5p")])
	for _, iso := range s.Isomirs {
		fmt.Println(iso.Seq, iso.Variant)
	}
	for _, name := range []string{"input_reads", "reads_mirna", "reads_unmapped"} {
		v, _ := s.Stat(name)
		fmt.Println(name, v)
	}
	// Output:
	// hsa-miR-21-5p: 120
	// TAGCTTATCAGACTGATGTTGA NA
	// TAGCTTATCAGACTGATGTTGAC iso_3p:+1
	// input_reads 125
	// reads_mirna 120
	// reads_unmapped 5
}

// An excerpt of miRBase 21 (hsa hairpin.fa and mature.fa, as distributed:
// RNA letters, 60-column lines). hsa-miR-199a-3p and hsa-miR-199b-3p have
// the same sequence; hsa-let-7a-5p lies on two hairpins.
const (
	exampleHairpinFa = `>hsa-let-7a-1 MI0000060 Homo sapiens let-7a-1 stem-loop
UGGGAUGAGGUAGUAGGUUGUAUAGUUUUAGGGUCACACCCACCACUGGGAGAUAACUAU
ACAAUCUACUGUCUUUCCUA
>hsa-let-7a-2 MI0000061 Homo sapiens let-7a-2 stem-loop
AGGUUGAGGUAGUAGGUUGUAUAGUUUAGAAUUACAUCAAGGGAGAUAACUGUACAGCCU
CCUAGCUUUCCU
>hsa-mir-21 MI0000077 Homo sapiens miR-21 stem-loop
UGUCGGGUAGCUUAUCAGACUGAUGUUGACUGUUGAAUCUCAUGGCAACACCAGUCGAUG
GGCUGUCUGACA
>hsa-mir-199a-1 MI0000242 Homo sapiens miR-199a-1 stem-loop
GCCAACCCAGUGUUCAGACUACCUGUUCAGGAGGCUCUCAAUGUGUACAGUAGUCUGCAC
AUUGGUUAGGC
>hsa-mir-199b MI0000282 Homo sapiens miR-199b stem-loop
CCAGAGGACACCUCCACUCCGUCUACCCAGUGUUUAGACUAUCUGUUCAGGACUCCCAAA
UUGUACAGUAGUCUGCACAUUGGUUAGGCUGGGCUGGGUUAGACCCUCGG
`
	exampleMatureFa = `>hsa-let-7a-5p MIMAT0000062 Homo sapiens let-7a-5p
UGAGGUAGUAGGUUGUAUAGUU
>hsa-let-7a-3p MIMAT0004481 Homo sapiens let-7a-3p
CUAUACAAUCUACUGUCUUUC
>hsa-let-7a-2-3p MIMAT0010195 Homo sapiens let-7a-2-3p
CUGUACAGCCUCCUAGCUUUCC
>hsa-miR-21-5p MIMAT0000076 Homo sapiens miR-21-5p
UAGCUUAUCAGACUGAUGUUGA
>hsa-miR-21-3p MIMAT0004494 Homo sapiens miR-21-3p
CAACACCAGUCGAUGGGCUGU
>hsa-miR-199a-3p MIMAT0000232 Homo sapiens miR-199a-3p
ACAGUAGUCUGCACAUUGGUUA
>hsa-miR-199b-3p MIMAT0004563 Homo sapiens miR-199b-3p
ACAGUAGUCUGCACAUUGGUUA
`
)

// Build a reference from a few miRBase records. Each mature sequence is
// placed at its exact occurrences in the hairpins (0-based, end exclusive);
// names sharing one sequence become one feature.
func ExampleNewReference() {
	hairpins, err := seq.ReadAllFasta(strings.NewReader(exampleHairpinFa), "hairpin.fa")
	if err != nil {
		fmt.Println(err)
		return
	}
	matures, err := seq.ReadAllFasta(strings.NewReader(exampleMatureFa), "mature.fa")
	if err != nil {
		fmt.Println(err)
		return
	}
	ref, err := quant.NewReference(matures, hairpins, quant.RefOptions{Species: "hsa"})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, f := range ref.Features {
		fmt.Print(f.Name)
		for _, l := range f.Loci {
			fmt.Printf(" %s:%d-%d", ref.Hairpins[l.Hairpin].Name, l.Start, l.End)
		}
		fmt.Println()
	}
	// Output:
	// hsa-let-7a-5p hsa-let-7a-1:5-27 hsa-let-7a-2:4-26
	// hsa-let-7a-3p hsa-let-7a-1:56-77
	// hsa-let-7a-2-3p hsa-let-7a-2:49-71
	// hsa-miR-21-5p hsa-mir-21:7-29
	// hsa-miR-21-3p hsa-mir-21:45-66
	// hsa-miR-199a-3p/hsa-miR-199b-3p hsa-mir-199a-1:46-68 hsa-mir-199b:64-86
}

// Count inserts on a hand-made reference: mature counts per feature,
// hairpin counts per precursor (reads on several hairpins shared by EM),
// the isomiR of each placement, and the read accounting.
func ExampleQuantify_reference() {
	hairpins, err1 := seq.ReadAllFasta(strings.NewReader(exampleHairpinFa), "hairpin.fa")
	matures, err2 := seq.ReadAllFasta(strings.NewReader(exampleMatureFa), "mature.fa")
	ref, err := quant.NewReference(matures, hairpins, quant.RefOptions{})
	if err := errors.Join(err1, err2, err); err != nil {
		fmt.Println(err)
		return
	}
	inserts := []seq.Insert{
		{Seq: "TAGCTTATCAGACTGATGTTGA", Reads: 10, Molecules: 10}, // miR-21-5p
		{Seq: "TAGCTTATCAGACTGATGTTGAAA", Reads: 3, Molecules: 3}, // + 2 untemplated A
		{Seq: "AGCTTATCAGACTGATGTTG", Reads: 2, Molecules: 2},     // 1 nt shorter at each end
		{Seq: "TGAGGTAGTAGGTTGTATAGTT", Reads: 8, Molecules: 8},   // let-7a-5p, two hairpins
		{Seq: "ACAGTAGTCTGCACATTGGTTA", Reads: 6, Molecules: 6},   // miR-199a/b-3p, two hairpins
		{Seq: "CTGTTGAATCTCATGGCAACAC", Reads: 4, Molecules: 4},   // loop of mir-21
		{Seq: "ACGTTGCAACGTTGCAACGTTG", Reads: 1, Molecules: 1},   // nowhere
	}
	s, err := quant.Quantify(context.Background(), ref, "example", inserts, nil, quant.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	for i, f := range ref.Features {
		fmt.Println(f.Name, s.Mature[i])
	}
	for i, h := range ref.Hairpins {
		fmt.Println(h.Name, s.Hairpin[i])
	}
	for _, iso := range s.Isomirs {
		fmt.Println(iso.Seq, ref.Hairpins[iso.Hairpin].Name, iso.Variant, iso.Count)
	}
	for _, row := range s.Stats {
		if strings.HasPrefix(row.Name, "reads_") || row.Name == "input_reads" {
			fmt.Println(row.Name, row.Value)
		}
	}
	// Output:
	// hsa-let-7a-5p 8
	// hsa-let-7a-3p 0
	// hsa-let-7a-2-3p 0
	// hsa-miR-21-5p 15
	// hsa-miR-21-3p 0
	// hsa-miR-199a-3p/hsa-miR-199b-3p 6
	// hsa-let-7a-1 4
	// hsa-let-7a-2 4
	// hsa-mir-21 19
	// hsa-mir-199a-1 3
	// hsa-mir-199b 3
	// TAGCTTATCAGACTGATGTTGA hsa-mir-21 NA 10
	// TAGCTTATCAGACTGATGTTGAAA hsa-mir-21 iso_add3p:2 3
	// AGCTTATCAGACTGATGTTG hsa-mir-21 iso_5p:+1,iso_3p:-1 2
	// TGAGGTAGTAGGTTGTATAGTT hsa-let-7a-1 NA 8
	// TGAGGTAGTAGGTTGTATAGTT hsa-let-7a-2 NA 8
	// ACAGTAGTCTGCACATTGGTTA hsa-mir-199a-1 NA 6
	// ACAGTAGTCTGCACATTGGTTA hsa-mir-199b NA 6
	// input_reads 34
	// reads_mirna 29
	// reads_hairpin_only 4
	// reads_other_rna 0
	// reads_unmapped 1
}

// The embedded human reference (miRBase 21): 1881 hairpins and 2588
// mature names, of which identical sequences are one feature.
func ExampleEmbedded() {
	ref, err := quant.Embedded("hsa")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(len(ref.Hairpins), "hairpins,", len(ref.Features), "mature features")
	i := ref.FeatureIndex("hsa-miR-199b-3p")
	fmt.Println(ref.Features[i].Name, len(ref.Features[i].Loci), "loci")
	_, err = quant.Embedded("mmu")
	fmt.Println(errors.Is(err, quant.ErrUnknownSpecies))
	// Output:
	// 1881 hairpins, 2565 mature features
	// hsa-miR-199a-3p/hsa-miR-199b-3p 3 loci
	// true
}

// From reads to counts: collapse a TruSeq FASTQ with package seq, carry
// its accounting over with StatsFromSeq, and count on the embedded human
// reference. The reads_* rows still sum to input_reads.
func Example_fromReads() {
	const adapter = seq.AdapterTruSeq
	reads := []string{
		"TAGCTTATCAGACTGATGTTGA" + adapter,   // hsa-miR-21-5p
		"TAGCTTATCAGACTGATGTTGA" + adapter,   //
		"TAGCATATCAGACTGATGTTGA" + adapter,   // T>A at mature position 5 (seed)
		"TGAGGTAGTAGGTTGTATAGTT" + adapter,   // hsa-let-7a-5p
		"ACGTTGCAACGTTGCAACGTTG" + adapter,   // in no miRNA
		adapter + "ATCTCGTATGCCGTCTTCTGCTTG", // adapter dimer
	}
	var fq strings.Builder
	for i, r := range reads {
		fmt.Fprintf(&fq, "@r%d\n%s\n+\n%s\n", i+1, r, strings.Repeat("I", len(r)))
	}
	res, err := seq.Collapse(context.Background(), strings.NewReader(fq.String()), "s1.fq", seq.Options{Protocol: "truseq"})
	if err != nil {
		fmt.Println(err)
		return
	}
	base, err := quant.StatsFromSeq(&res.Summary)
	if err != nil {
		fmt.Println(err)
		return
	}
	ref, err := quant.Embedded("hsa")
	if err != nil {
		fmt.Println(err)
		return
	}
	s, err := quant.Quantify(context.Background(), ref, "s1", res.Inserts, base, quant.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	for i, n := range s.Mature {
		if n > 0 {
			fmt.Println(ref.Features[i].Name, n)
		}
	}
	for _, iso := range s.Isomirs {
		fmt.Println(iso.Seq, ref.Hairpins[iso.Hairpin].Name, iso.Variant, iso.Count)
	}
	for _, row := range s.Stats {
		if strings.HasPrefix(row.Name, "reads_") || row.Name == "input_reads" {
			fmt.Println(row.Name, row.Value)
		}
	}
	// Output:
	// hsa-let-7a-5p 1
	// hsa-miR-21-5p 3
	// TAGCTTATCAGACTGATGTTGA hsa-mir-21 NA 2
	// TAGCATATCAGACTGATGTTGA hsa-mir-21 iso_snv_seed 1
	// TGAGGTAGTAGGTTGTATAGTT hsa-let-7a-1 NA 1
	// TGAGGTAGTAGGTTGTATAGTT hsa-let-7a-2 NA 1
	// TGAGGTAGTAGGTTGTATAGTT hsa-let-7a-3 NA 1
	// input_reads 6
	// reads_no_adapter 0
	// reads_adapter_dimer 1
	// reads_no_umi 0
	// reads_too_short 0
	// reads_too_long 0
	// reads_too_many_n 0
	// reads_low_quality 0
	// reads_mirna 4
	// reads_hairpin_only 0
	// reads_other_rna 0
	// reads_unmapped 1
}
