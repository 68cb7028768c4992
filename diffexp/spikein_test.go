package diffexp

import (
	"errors"
	"math"
	"os"
	"strconv"
	"strings"
	"testing"
)

// TestSpikeinSizeFactorsDESeq2 compares with DESeq2 1.38.3
// estimateSizeFactors(dds, controlGenes = spike-in rows) on
// testdata/de/spikein (made by make_golden.R there; one spike-in has a
// zero and must be left out).
func TestSpikeinSizeFactorsDESeq2(t *testing.T) {
	const dir = "../testdata/de/spikein/"
	f, err := os.Open(dir + "spikein_counts.tsv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	spike, err := ReadCounts(f, "spikein_counts.tsv")
	if err != nil {
		t.Fatal(err)
	}
	golden, err := os.ReadFile(dir + "sizefactors_deseq2.tsv")
	if err != nil {
		t.Fatal(err)
	}
	var samples []string
	var want []float64
	for _, line := range strings.Split(strings.TrimSpace(string(golden)), "\n")[1:] {
		name, v, _ := strings.Cut(line, "\t")
		x, err := strconv.ParseFloat(v, 64)
		if err != nil {
			t.Fatal(err)
		}
		samples, want = append(samples, name), append(want, x)
	}
	// Reversed sample order: columns are matched by name.
	rev := make([]string, len(samples))
	for i, s := range samples {
		rev[len(samples)-1-i] = s
	}
	got, err := SpikeinSizeFactors(spike, rev)
	if err != nil {
		t.Fatal(err)
	}
	const tol = 1e-12
	for i, s := range rev {
		w := want[len(samples)-1-i]
		if math.Abs(got[i]-w) > tol*w {
			t.Errorf("%s: size factor %.15g, DESeq2 %.15g", s, got[i], w)
		}
	}
	if _, err := SpikeinSizeFactors(spike, append(rev, "nope")); !errors.Is(err, ErrMissingSample) {
		t.Errorf("missing sample: %v, want ErrMissingSample", err)
	}
}
