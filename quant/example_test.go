package quant_test

import (
	"context"
	"fmt"

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
