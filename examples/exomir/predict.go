package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/exomir/exomir/biomarker"
	"github.com/exomir/exomir/diffexp"
)

func init() {
	register(command{
		name:    "predict",
		summary: "score new samples with a locked signature (model.json of exomir panel)",
		run:     runPredict,
	})
}

// runPredict scores the samples of a count matrix with a panel's model.
func runPredict(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("predict", "-model DIR/model.json -counts counts.tsv -out scores.tsv", stderr)
	var model, counts, out string
	fs.StringVar(&model, "model", "", "model.json written by exomir panel")
	fs.StringVar(&counts, "counts", "", "count matrix of the new samples: mirna<TAB>sample..., integer counts (gzip accepted)")
	fs.StringVar(&out, "out", "", "scores (sample score class; class = positive level when score ≥ 0.5); - for stdout")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := requireFlags(fs, "model", "counts", "out"); err != nil {
		return err
	}
	md, err := readInput(model, biomarker.ReadModel)
	if err != nil {
		return err
	}
	c, err := readInput(counts, diffexp.ReadCounts)
	if err != nil {
		return err
	}
	scores, absent, err := md.Predict(c)
	if err != nil {
		return fmt.Errorf("%s: %w", counts, err)
	}
	if len(absent) > 0 {
		show := absent
		if len(show) > 5 {
			show = show[:5]
		}
		fmt.Fprintf(stderr, "warning: %s lacks %d of the model's %d training miRNAs (%s…); size factors use the others\n", counts, len(absent), len(md.VST.Features), strings.Join(show, ", "))
	}
	ctx, stop := interruptContext()
	defer stop()
	return deWrite(ctx, out, stdout, func(w io.Writer) error { return md.WriteScores(w, scores) })
}
