package report_test

import (
	"bytes"
	"fmt"
	"log"
	"regexp"

	"github.com/exomir/exomir/report"
)

// Build a report from values in memory: two conditions, a few miRNAs and
// their DE results. report.Load(dir) gives the same Data from a run's
// output folder.
func Example() {
	d := &report.Data{Title: "my study", Contrast: "tumor vs control", Alpha: 0.1}
	for i, name := range []string{"c1", "c2", "c3", "t1", "t2", "t3"} {
		cond := "control"
		if i >= 3 {
			cond = "tumor"
		}
		lengths := make([]int64, 30)
		lengths[21], lengths[22], lengths[23] = 200, 600, 200
		d.Samples = append(d.Samples, report.Sample{
			Name: name, Condition: cond, InputReads: 1200, MiRNAReads: 900,
			Accounting:    []report.Category{{Name: "reads_mirna", Reads: 900}, {Name: "reads_unmapped", Reads: 100}, {Name: "reads_too_short", Reads: 200}},
			Classes:       []report.Category{{Name: "miRNA", Reads: 900}, {Name: "unmapped", Reads: 100}},
			InsertLengths: lengths,
		})
	}
	for f, name := range []string{"hsa-miR-21-5p", "hsa-let-7a-5p", "hsa-miR-16-5p", "hsa-miR-451a"} {
		row := []float64{100, 110, 90, 100, 105, 95}
		if f == 0 {
			row = []float64{100, 110, 90, 400, 420, 380}
		}
		row[f%6] += float64(10 * f)
		d.Features = append(d.Features, name)
		d.Counts = append(d.Counts, row)
		p := 0.6
		if f == 0 {
			p = 1e-5
		}
		d.DE = append(d.DE, report.DERow{Feature: name, BaseMean: 150, Log2FC: 2 - 2*float64(f), PValue: p, PAdj: p * 4})
	}
	var html bytes.Buffer
	if err := report.WriteHTML(&html, d); err != nil {
		log.Fatal(err)
	}
	for _, m := range regexp.MustCompile(`<figure id="([a-z_]+)"`).FindAllStringSubmatch(html.String(), -1) {
		fmt.Println(m[1])
	}
	// Output:
	// lengths
	// accounting
	// classes
	// pca
	// volcano
	// ma
	// heatmap
}

// Read a run's output folder (here the package's test fixture, which has
// every optional file) and write the report and a MultiQC file.
func ExampleLoad() {
	d, err := report.Load("testdata/fixture")
	if err != nil {
		log.Fatal(err)
	}
	d.Title = "demo study"
	var html, mqc bytes.Buffer
	if err := report.WriteHTML(&html, d); err != nil {
		log.Fatal(err)
	}
	if err := report.WriteMultiQCGeneralStats(&mqc, d.Samples); err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(d.Samples), "samples,", len(d.Features), "miRNAs,", d.Contrast)
	fmt.Printf("signature AUC %.3f [%.3f, %.3f]\n", d.Signature.AUC.Estimate, d.Signature.AUC.Lower, d.Signature.AUC.Upper)
	for _, m := range regexp.MustCompile(`<h2 id="([a-z]+)"`).FindAllStringSubmatch(html.String(), -1) {
		fmt.Print(m[1], " ")
	}
	fmt.Println()
	// Output:
	// 6 samples, 300 miRNAs, tumor vs control
	// signature AUC 0.812 [0.690, 0.935]
	// qc de biomarkers spikeins exogenous editing isomirs evqc signature
}
