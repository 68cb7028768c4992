package diffexp_test

import (
	"context"
	"fmt"

	"github.com/exomir/exomir/diffexp"
)

func ExampleEdgeRQL() {
	c, cd := edgerExampleInput()
	r, err := diffexp.EdgeRQL(context.Background(), c, cd, diffexp.Options{Contrast: []string{"condition", "tumor", "control"}})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("prior df %.3f\n", r.PriorDF)
	for i, id := range r.Features {
		fmt.Printf("%-8s logFC %6.3f logCPM %6.3f F %8.3f PValue %.3g FDR %.3g\n",
			id, r.Log2FoldChange[i], r.LogCPM[i], r.Stat[i], r.PValue[i], r.PAdj[i])
	}
	// edgeR 3.40.2 (estimateDisp, glmQLFit, glmQLFTest) prints the same
	// figures to these digits; the prior df is infinite here (limma's
	// fitFDist finds no excess variance), so F is tested against χ²₁.

	// Output:
	// prior df +Inf
	// mir-up   logFC  4.403 logCPM 17.298 F   72.769 PValue 1.62e-09 FDR 4.04e-09
	// mir-flat logFC  0.235 logCPM 17.011 F    0.290 PValue 0.594 FDR 0.928
	// mir-down logFC -4.558 logCPM 18.474 F   83.116 PValue 3.77e-10 FDR 1.88e-09
	// mir-low  logFC -0.078 logCPM 13.136 F    0.009 PValue 0.924 FDR 0.928
	// mir-high logFC  0.038 logCPM 18.465 F    0.008 PValue 0.928 FDR 0.928
}
