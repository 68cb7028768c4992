package diffexp_test

import (
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/exomir/exomir/diffexp"
)

const exampleCounts = `mirna	c1	c2	c3	t1	t2	t3
miR-1	100	120	90	410	380	450
miR-2	50	55	48	52	60	47
miR-3	200	180	220	190	230	205
miR-4	10	12	8	11	9	13
miR-5	0	0	0	0	0	0
miR-6	300	280	310	150	140	160
miR-7	75	80	70	78	72	85
miR-8	30	25	35	28	33	31
`

const exampleColData = `sample	condition
t1	tumor
c1	control
t2	tumor
c2	control
t3	tumor
c3	control
`

// ExampleDESeq runs the DESeq2 method on a small matrix and writes the
// results table (miR-5 has no counts: NA everywhere but baseMean).
func ExampleDESeq() {
	c, err := diffexp.ReadCounts(strings.NewReader(exampleCounts), "counts.tsv")
	if err != nil {
		fmt.Println(err)
		return
	}
	cd, err := diffexp.ReadColData(strings.NewReader(exampleColData), "coldata.tsv")
	if err != nil {
		fmt.Println(err)
		return
	}
	res, err := diffexp.DESeq(context.Background(), c, cd, diffexp.Options{Contrast: []string{"condition", "tumor", "control"}})
	if err != nil {
		fmt.Println(err)
		return
	}
	for i, f := range res.Features {
		fmt.Printf("%s baseMean %.1f log2FC %.2f padj %.3g\n", f, res.BaseMean[i], res.Log2FoldChange[i], res.PAdj[i])
	}
	// DESeq2 1.38.3 (../shared/peers/deseq2.R) on the same matrix gives the
	// same figures, e.g. miR-1 padj 3.4483e-42, miR-6 log2FC -1.0687.
	// Output:
	// miR-1 baseMean 251.2 log2FC 1.92 padj 3.45e-42
	// miR-2 baseMean 51.3 log2FC -0.03 padj 0.93
	// miR-3 baseMean 202.1 log2FC -0.03 padj 0.93
	// miR-4 baseMean 10.4 log2FC 0.06 padj 0.93
	// miR-5 baseMean 0.0 log2FC NaN padj NaN
	// miR-6 baseMean 223.6 log2FC -1.07 padj 6.38e-15
	// miR-7 baseMean 75.8 log2FC -0.02 padj 0.93
	// miR-8 baseMean 30.1 log2FC -0.06 padj 0.93
}

// ExampleSizeFactors shows the median-of-ratios size factors.
func ExampleSizeFactors() {
	c, _ := diffexp.ReadCounts(strings.NewReader(exampleCounts), "counts.tsv")
	sf, err := diffexp.SizeFactors(c, "ratio")
	if err != nil {
		fmt.Println(err)
		return
	}
	for j, s := range c.Samples {
		fmt.Printf("%s %.4f\n", s, sf[j])
	}
	// Output:
	// c1 0.9803
	// c2 1.0457
	// c3 0.9263
	// t1 1.0035
	// t2 1.0943
	// t3 1.0280
}

// ExampleWriteResults writes DESeq2-style results with NA.
func ExampleWriteResults() {
	c, _ := diffexp.ReadCounts(strings.NewReader(exampleCounts), "counts.tsv")
	cd, _ := diffexp.ReadColData(strings.NewReader(exampleColData), "coldata.tsv")
	res, _ := diffexp.DESeq(context.Background(), c, cd, diffexp.Options{})
	res.Features, res.BaseMean = res.Features[4:5], res.BaseMean[4:5]
	res.Log2FoldChange, res.LfcSE, res.Stat = res.Log2FoldChange[4:5], res.LfcSE[4:5], res.Stat[4:5]
	res.PValue, res.PAdj = res.PValue[4:5], res.PAdj[4:5]
	if err := diffexp.WriteResults(os.Stdout, res); err != nil {
		fmt.Println(err)
	}
	// Output:
	// mirna	baseMean	log2FoldChange	lfcSE	stat	pvalue	padj
	// miR-5	0	NA	NA	NA	NA	NA
}

// The default contrast: tumor vs control when both exist, else the last
// sorted level vs the first, whatever the order the samples list them in.
func ExampleDefaultContrast() {
	for _, levels := range [][]string{
		{"control", "tumor", "normal"},
		{"healthy", "healthy", "cancer", "cancer"},
		{"b", "c", "a"},
	} {
		num, den, _ := diffexp.DefaultContrast(levels)
		fmt.Println(num, "vs", den)
	}
	// Output:
	// tumor vs control
	// healthy vs cancer
	// c vs a
}
