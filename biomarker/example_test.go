package biomarker

import (
	"bytes"
	"context"
	"fmt"
)

// Fit a lasso path on six samples and two features, then read the
// coefficients at the smallest λ (original scale of x). glmnet 4.1-6's
// glmnet(x, y, family = "binomial", nlambda = 5) prints the same λ
// (0.330847 … 3.30847e-05) and coefficients (54.140680, 0.771464,
// -11.322522).
func ExampleFit() {
	x := []float64{ // samples × features, row-major
		1.0, 5.2,
		2.1, 4.8,
		2.9, 5.5,
		4.2, 5.0,
		4.8, 5.1,
		6.1, 4.9,
	}
	y := []float64{0, 1, 0, 0, 1, 1}
	p, err := Fit(context.Background(), x, 6, 2, y, 1, NetOptions{NLambda: 5})
	if err != nil {
		fmt.Println(err)
		return
	}
	last := len(p.Lambda) - 1
	fmt.Printf("%d λ from %.4f to %.6f\n", len(p.Lambda), p.Lambda[0], p.Lambda[last])
	fmt.Printf("intercept %.3f, feature 1 %.3f, feature 2 %.3f\n", p.Intercept[last], p.Beta[last][0], p.Beta[last][1])
	// Output:
	// 5 λ from 0.3308 to 0.000033
	// intercept 54.141, feature 1 0.771, feature 2 -11.323
}

// Build a signature by nested cross-validation on simulated counts (20
// features of 150 change 3× between 12 tumor and 12 control samples),
// then score the samples with the locked model read back from its JSON.
func ExampleBuildPanel() {
	c, cd := simCounts(2, 150, 12, 12, 20, 3)
	p, err := BuildPanel(context.Background(), c, cd, PanelOptions{
		Positive: "tumor", Negative: "control", Features: 30, Alpha: 0.5, Folds: 3, Repeats: 2, Seed: 1,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("nested-CV AUC %.2f [%.2f, %.2f]\n", p.AUC, p.Lower, p.Upper)
	var js bytes.Buffer
	if err := p.Model.WriteJSON(&js); err != nil {
		fmt.Println(err)
		return
	}
	md, err := ReadModel(&js, "model.json")
	if err != nil {
		fmt.Println(err)
		return
	}
	scores, _, err := md.Predict(c)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, s := range scores[10:14] {
		fmt.Printf("%s %.3f %v\n", s.Sample, s.Score, s.Positive)
	}
	// Output:
	// nested-CV AUC 1.00 [1.00, 1.00]
	// c11 0.009 false
	// c12 0.001 false
	// t01 0.992 true
	// t02 0.994 true
}
