package simulate_test

import (
	"bytes"
	"fmt"

	"github.com/exomir/exomir/seq"
	"github.com/exomir/exomir/simulate"
)

// A two-hairpin reference, one TruSeq sample of 1000 reads, and its truth.
func ExampleStudy_Generate() {
	hairpins := []seq.FastaRecord{
		{Name: "hsa-mir-21", Seq: []byte("TGTCGGGTAGCTTATCAGACTGATGTTGACTGTTGAATCTCATGGCAACACCAGTCGATGGGCTGTC")},
		{Name: "hsa-mir-16-1", Seq: []byte("GTCAGCAGTGCCTTAGCAGCACGTAAATATTGGCGTTAAGATTCTAAAATTATCTCCAGTATTAACTGTGCTGCTGAAGTAAGGTTGAC")},
	}
	matures := []seq.FastaRecord{
		{Name: "hsa-miR-21-5p", Seq: []byte("TAGCTTATCAGACTGATGTTGA")},
		{Name: "hsa-miR-16-5p", Seq: []byte("TAGCAGCACGTAAATATTGGCG")},
	}
	ref, err := simulate.NewReference(matures, hairpins, "hsa")
	if err != nil {
		fmt.Println(err)
		return
	}
	cfg := simulate.DefaultConfig()
	cfg.Tumor, cfg.Control, cfg.Reads = 1, 0, 1000
	st, err := simulate.New(ref, cfg)
	if err != nil {
		fmt.Println(err)
		return
	}
	var fastq bytes.Buffer
	truth, err := st.Generate(0, &fastq)
	if err != nil {
		fmt.Println(err)
		return
	}
	c := truth.Comp
	fmt.Println("reads:", c.Reads, "lines:", bytes.Count(fastq.Bytes(), []byte("\n")))
	fmt.Println("categories sum to reads:", c.Mirna+c.HairpinOnly+c.OtherRNA+c.Unmapped+c.AdapterDimer+c.TooShort == c.Reads)
	fmt.Println("miRNA reads = truth total:", truth.MirnaReads[0]+truth.MirnaReads[1] == c.Mirna)
	// Output:
	// reads: 1000 lines: 4000
	// categories sum to reads: true
	// miRNA reads = truth total: true
}
