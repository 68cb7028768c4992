package seq_test

import (
	"context"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	"github.com/exomir/exomir/seq"
)

// Trim reads of a NEXTflex library: the TruSeq adapter is cut, then the
// kit's four random bases on each side of the insert are removed. A read
// that ends inside the adapter is cut at the partial adapter.
func ExampleNewTrimmer() {
	kit, err := seq.KitByName("nextflex")
	if err != nil {
		fmt.Println(err)
		return
	}
	tr, err := seq.NewTrimmer(seq.TrimOptions{Kit: kit})
	if err != nil {
		fmt.Println(err)
		return
	}
	const mir21 = "TAGCTTATCAGACTGATGTTGA" // hsa-miR-21-5p (miRBase 21)
	reads := []string{
		// random 4 nt, insert, random 4 nt, full adapter, more sequence
		"ACGT" + mir21 + "GGCC" + seq.AdapterTruSeq + "ATCTCGTATG",
		// the read ends 6 nt into the adapter
		"TTTT" + mir21 + "AAAA" + seq.AdapterTruSeq[:6],
		// no adapter at all: only the clips apply
		"CCCC" + mir21 + "GGGG",
	}
	for _, r := range reads {
		res := tr.Trim([]byte(r), nil)
		fmt.Printf("adapter=%-5v at %2d insert %s\n", res.AdapterFound, res.AdapterStart, res.Insert)
	}
	// Output:
	// adapter=true  at 30 insert TAGCTTATCAGACTGATGTTGA
	// adapter=true  at 30 insert TAGCTTATCAGACTGATGTTGA
	// adapter=false at 30 insert TAGCTTATCAGACTGATGTTGA
}

// Collapse a small in-memory TruSeq FASTQ. Every read lands in exactly one
// category; the passed ones are collapsed into distinct inserts, most
// abundant first.
func ExampleCollapse_categories() {
	const (
		adapter = seq.AdapterTruSeq
		mir21   = "TAGCTTATCAGACTGATGTTGA" // hsa-miR-21-5p
		let7a   = "TGAGGTAGTAGGTTGTATAGTT" // hsa-let-7a-5p
	)
	reads := []string{
		mir21 + adapter,
		mir21 + adapter + "ATCTCG",
		mir21 + "A" + adapter, // untemplated A: a distinct insert
		let7a + adapter,
		let7a + adapter[:10],
		"ACGTACGTAC" + adapter,         // insert of 10 nt: too short
		strings.Repeat("ACGT", 11),     // 44 nt, no adapter
		adapter + "ATCTCGTATGCCGTCTTC", // adapter dimer
		"TAGCTTATCNNACTGATGTTGA" + adapter,
	}
	var fq strings.Builder
	for i, r := range reads {
		fmt.Fprintf(&fq, "@read%d\n%s\n+\n%s\n", i+1, r, strings.Repeat("I", len(r)))
	}
	res, err := seq.Collapse(context.Background(), strings.NewReader(fq.String()), "example.fq",
		seq.Options{Protocol: "truseq"})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("input_reads", res.Summary.InputReads)
	for _, c := range res.Summary.Categories {
		fmt.Println(c.Name, c.Reads)
	}
	for _, in := range res.Inserts {
		fmt.Println(in.Seq, in.Reads)
	}
	// Output:
	// input_reads 9
	// reads_no_adapter 1
	// reads_adapter_dimer 1
	// reads_no_umi 0
	// reads_too_short 1
	// reads_too_long 0
	// reads_too_many_n 1
	// reads_low_quality 0
	// reads_passed 5
	// TAGCTTATCAGACTGATGTTGA 2
	// TGAGGTAGTAGGTTGTATAGTT 2
	// TAGCTTATCAGACTGATGTTGAA 1
}

// Read every record of a FASTA file at once. Wrapped lines are joined,
// sequences are upper-cased and U becomes T, and the header is split into
// name and description.
func ExampleReadAllFasta() {
	const fa = `>hsa-miR-21-5p MIMAT0000076 Homo sapiens miR-21-5p
UAGCUUAUCAGACUGAUGUUGA
>hsa-let-7a-5p MIMAT0000062 Homo sapiens let-7a-5p
ugagguagua
gguuguauag
uu
`
	recs, err := seq.ReadAllFasta(strings.NewReader(fa), "mature.fa")
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, r := range recs {
		fmt.Printf("%s %s [%s]\n", r.Name, r.Seq, r.Desc)
	}
	// Output:
	// hsa-miR-21-5p TAGCTTATCAGACTGATGTTGA [MIMAT0000076 Homo sapiens miR-21-5p]
	// hsa-let-7a-5p TGAGGTAGTAGGTTGTATAGTT [MIMAT0000062 Homo sapiens let-7a-5p]
}

// Stream FASTA records one at a time; a malformed input is reported with
// its file and line.
func ExampleFastaReader_Read() {
	const fa = ">a\nACGU\n>b\nGGCC\nAA\n>c\nAC#T\n"
	fr := seq.NewFastaReader(strings.NewReader(fa), "in.fa")
	for {
		rec, err := fr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			fmt.Println(err)
			break
		}
		fmt.Println(rec.Name, string(rec.Seq))
	}
	// Output:
	// a ACGT
	// b GGCCAA
	// in.fa:7: record 3: seq: invalid character in sequence '#' at column 3
}

// Merge UMIs that differ by one sequencing error from a much more abundant
// UMI (UMI-tools' directional rule).
func ExampleMergeUMIs() {
	counts := map[string]int64{
		"AAAAAA": 10,
		"AAAAAT": 2, // one mismatch from AAAAAA, 10 >= 2*2-1: absorbed
		"CCCCCC": 3,
		"CCCCCA": 3, // one mismatch from CCCCCC, but 3 < 2*3-1: kept
	}
	merged := seq.MergeUMIs(counts)
	umis := make([]string, 0, len(merged))
	for u := range merged {
		umis = append(umis, u)
	}
	sort.Strings(umis)
	for _, u := range umis {
		fmt.Println(u, merged[u])
	}
	// Output:
	// AAAAAA 12
	// CCCCCA 3
	// CCCCCC 3
}

// Write the accounting of a collapse as the two-column summary table.
func ExampleWriteSummary() {
	const mir21 = "TAGCTTATCAGACTGATGTTGA"
	fq := "@r1\n" + mir21 + seq.AdapterTruSeq + "\n+\n" + strings.Repeat("I", 43) + "\n" +
		"@r2\n" + seq.AdapterTruSeq + "\n+\n" + strings.Repeat("I", 21) + "\n"
	res, err := seq.Collapse(context.Background(), strings.NewReader(fq), "tiny.fq", seq.Options{Protocol: "truseq"})
	if err != nil {
		fmt.Println(err)
		return
	}
	if err := seq.WriteSummary(os.Stdout, &res.Summary); err != nil {
		fmt.Println(err)
	}
	// Output:
	// metric	value
	// input_reads	2
	// reads_no_adapter	0
	// reads_adapter_dimer	1
	// reads_no_umi	0
	// reads_too_short	0
	// reads_too_long	0
	// reads_too_many_n	0
	// reads_low_quality	0
	// reads_passed	1
	// adapter	TGGAATTCTCGGGTGCCAAGG
	// adapter_source	preset
	// adapter_confidence	1.000
	// protocol	truseq
	// clip5	0
	// clip3	0
	// layout_source	preset
	// umi	false
	// distinct_inserts	1
	// molecules	1
}
