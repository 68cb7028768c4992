package diffexp_test

import (
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/exomir/exomir/diffexp"
)

// edgerExampleCounts is a small tumor-vs-control matrix: mir-up is higher in
// every tumor sample, mir-down lower, the rest vary without a pattern.
const edgerExampleCounts = `mirna	c1	c2	c3	c4	t1	t2	t3	t4
mir-up	10	25	5	12	200	300	250	180
mir-flat	100	60	150	90	80	140	99	120
mir-down	500	900	400	650	20	10	30	25
mir-low	7	1	12	3	2	9	4	6
mir-high	300	180	450	260	250	400	200	310
`

const edgerExampleColData = `sample	condition
c1	control
c2	control
c3	control
c4	control
t1	tumor
t2	tumor
t3	tumor
t4	tumor
`

func edgerExampleInput() (*diffexp.Counts, *diffexp.ColData) {
	c, err := diffexp.ReadCounts(strings.NewReader(edgerExampleCounts), "counts.tsv")
	if err != nil {
		panic(err)
	}
	cd, err := diffexp.ReadColData(strings.NewReader(edgerExampleColData), "coldata.tsv")
	if err != nil {
		panic(err)
	}
	return c, cd
}

func ExampleTMM() {
	c, _ := edgerExampleInput()
	for j, f := range diffexp.TMM(c) {
		fmt.Printf("%s %.4f\n", c.Samples[j], f)
	}
	// edgeR 3.40.2 calcNormFactors gives the same factors to 4 decimals.

	// Output:
	// c1 0.8692
	// c2 1.0134
	// c3 0.8390
	// c4 0.6908
	// t1 1.1872
	// t2 1.2484
	// t3 1.0004
	// t4 1.3210
}

func ExampleEdgeR() {
	c, cd := edgerExampleInput()
	res, err := diffexp.EdgeR(context.Background(), c, cd, diffexp.Options{Contrast: []string{"condition", "tumor", "control"}})
	if err != nil {
		fmt.Println(err)
		return
	}
	for i, f := range res.Features {
		fmt.Printf("%-8s logFC %6.2f  p %.2g\n", f, res.Log2FoldChange[i], res.PValue[i])
	}
	// edgeR 3.40.2 exactTest on the same matrix: logFC 4.40, 0.235, −4.56,
	// −0.078, 0.0382 and p 4.22e-22, 0.545, 3.86e-24, 0.922, 0.924.

	// Output:
	// mir-up   logFC   4.40  p 4.2e-22
	// mir-flat logFC   0.23  p 0.54
	// mir-down logFC  -4.56  p 3.9e-24
	// mir-low  logFC  -0.08  p 0.92
	// mir-high logFC   0.04  p 0.92
}

func ExampleROCAUC() {
	c, cd := edgerExampleInput()
	rocs, err := diffexp.ROCAUC(c, cd, nil, "condition", "tumor", "control")
	if err != nil {
		fmt.Println(err)
		return
	}
	if err := diffexp.WriteROC(os.Stdout, rocs); err != nil {
		fmt.Println(err)
	}
	// mir-flat and mir-high have normalised values that tie exactly (equal
	// count/size-factor ratios); they count as ties whatever the rounding.
	// pROC 1.18.0 on R's rounding of the same values: mir-up 1, mir-down 1,
	// mir-low 0.5625 (0.0428–1), mir-high 0.65625, mir-flat 0.84375 (R's
	// last-bit differences break some ties).

	// Output:
	// mirna	auc	lower	upper	direction
	// mir-up	1	1	1	up
	// mir-flat	0.75	0.4035240439	1	up
	// mir-down	1	1	1	down
	// mir-low	0.5625	0.04278606587	1	down
	// mir-high	0.6875	0.2183693377	1	down
}
