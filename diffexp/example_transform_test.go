package diffexp_test

import (
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/exomir/exomir/diffexp"
)

// exampleInputs parses the small example matrix and sample table.
func exampleInputs() (*diffexp.Counts, *diffexp.ColData) {
	c, err := diffexp.ReadCounts(strings.NewReader(exampleCounts), "counts.tsv")
	if err != nil {
		panic(err)
	}
	cd, err := diffexp.ReadColData(strings.NewReader(exampleColData), "coldata.tsv")
	if err != nil {
		panic(err)
	}
	return c, cd
}

// printRows prints the first rows of a transformed matrix.
func printRows(t *diffexp.Transformed, rows int) {
	m := len(t.Samples)
	for i := 0; i < rows; i++ {
		fmt.Print(t.Features[i])
		for _, v := range t.Values[i*m : (i+1)*m] {
			fmt.Printf(" %.3f", v)
		}
		fmt.Println()
	}
}

// ExampleVST is DESeq2's vst(blind = TRUE, fitType = "mean") of the
// example matrix; DESeq2 1.38.3 prints the same values.
func ExampleVST() {
	c, cd := exampleInputs()
	t, err := diffexp.VST(context.Background(), c, cd, diffexp.TransformOptions{FitType: "mean"})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("fit:", t.FitType)
	printRows(t, 2)
	// Output:
	// fit: mean
	// miR-1 6.706 6.872 6.637 8.683 8.450 8.782
	// miR-2 5.738 5.781 5.760 5.760 5.838 5.588
}

// ExampleRLog is DESeq2's rlog(blind = TRUE, fitType = "mean") of the
// example matrix; DESeq2 1.38.3 prints the same values (betaPriorVar
// 0.431713).
func ExampleRLog() {
	c, cd := exampleInputs()
	t, err := diffexp.RLog(context.Background(), c, cd, diffexp.TransformOptions{FitType: "mean"})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("betaPriorVar %.4f\n", t.BetaPriorVar)
	printRows(t, 2)
	// Output:
	// betaPriorVar 0.4317
	// miR-1 7.279 7.345 7.252 8.246 8.115 8.303
	// miR-2 5.676 5.697 5.687 5.687 5.726 5.602
}

// ExampleLFCShrinkNormal shrinks the tumor vs control log2 fold changes
// with DESeq2's normal prior; DESeq2 1.38.3's lfcShrink(type = "normal")
// gives prior variance 0.962763 and miR-1 1.90381 (lfcSE 0.138266), miR-6
// −1.05876 (0.133091).
func ExampleLFCShrinkNormal() {
	c, cd := exampleInputs()
	res, info, err := diffexp.LFCShrinkNormal(context.Background(), c, cd, diffexp.Options{Contrast: []string{"condition", "tumor", "control"}})
	if err != nil {
		fmt.Println(err)
		return
	}
	for k, name := range info.Coefficients {
		fmt.Printf("prior variance %s %.4g\n", name, info.BetaPriorVar[k])
	}
	for _, i := range []int{0, 5} {
		fmt.Printf("%s log2FC %.3f lfcSE %.3f\n", res.Features[i], res.Log2FoldChange[i], res.LfcSE[i])
	}
	// Output:
	// prior variance Intercept 1e+06
	// prior variance conditioncontrol 0.9628
	// prior variance conditiontumor 0.9628
	// miR-1 log2FC 1.904 lfcSE 0.138
	// miR-6 log2FC -1.059 lfcSE 0.133
}

// ExampleWriteTransformed writes a transformed matrix.
func ExampleWriteTransformed() {
	t := &diffexp.Transformed{Features: []string{"miR-1"}, Samples: []string{"s1", "s2"}, Values: []float64{7.25, 1.0 / 3}}
	if err := diffexp.WriteTransformed(os.Stdout, t); err != nil {
		fmt.Println(err)
	}
	// Output:
	// mirna	s1	s2
	// miR-1	7.25	0.3333333333333333
}
