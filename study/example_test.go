package study_test

import (
	"bytes"
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/exomir/exomir/report"
	"github.com/exomir/exomir/study"
)

// Example runs the bundled demo study (3 tumor + 3 control simulated
// samples) with two CPUs, writes its outputs and reads a few figures from
// the result in memory.
func Example() {
	sh, err := study.ReadSheet(context.Background(), "../testdata/demo/samplesheet.tsv")
	if err != nil {
		log.Fatal(err)
	}
	res, err := study.Run(context.Background(), sh, study.Config{Threads: 2})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(res.Summary())
	fmt.Println(res.Notes[0])
	counts := res.Counts()
	for i, f := range counts.Features {
		if f == "hsa-miR-21-5p" {
			fmt.Println(f, "in", counts.Samples[0]+":", counts.At(i, 0))
		}
	}
	dir, err := os.MkdirTemp("", "exomir-study")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	if err := res.Write(context.Background(), dir); err != nil {
		log.Fatal(err)
	}
	_, err = os.Stat(filepath.Join(dir, "report.html"))
	fmt.Println("report written:", err == nil)
	// Output:
	// 6 samples, 240000 reads (191704 on miRNAs)
	// de: tumor vs control (deseq2, wald test)
	// hsa-miR-21-5p in tumor1: 5759
	// report written: true
}

// ExampleResult_Report draws the report of a study held in memory,
// without writing the study's other files.
func ExampleResult_Report() {
	sh, err := study.ReadSheet(context.Background(), "../testdata/demo/samplesheet.tsv")
	if err != nil {
		log.Fatal(err)
	}
	res, err := study.Run(context.Background(), sh, study.Config{Threads: 2})
	if err != nil {
		log.Fatal(err)
	}
	data, err := res.Report(context.Background())
	if err != nil {
		log.Fatal(err)
	}
	var html bytes.Buffer
	if err := report.WriteHTML(&html, data); err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(data.Samples), "samples,", data.Contrast)
	fmt.Println("self-contained page:", bytes.HasPrefix(html.Bytes(), []byte("<!DOCTYPE html>")))
	// Output:
	// 6 samples, tumor vs control
	// self-contained page: true
}
