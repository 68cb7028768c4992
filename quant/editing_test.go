package quant

import (
	"bufio"
	"bytes"
	"context"
	"math"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/exomir/exomir/seq"
)

// TestBinomBHAgainstR compares binomUpper and bhAdjust with R 4.2.2's
// binom.test(alternative = "greater") and p.adjust("BH") on
// testdata/editing/binom_bh.tsv (made by binom_bh.R next to it).
func TestBinomBHAgainstR(t *testing.T) {
	const tol = 1e-9 // relative
	f, err := os.Open("testdata/editing/binom_bh.tsv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Scan() // header
	var ps, want []float64
	for sc.Scan() {
		v := strings.Split(sc.Text(), "\t")
		num := func(i int) float64 {
			x, err := strconv.ParseFloat(v[i], 64)
			if err != nil {
				t.Fatal(err)
			}
			return x
		}
		p := binomUpper(int64(num(0)), int64(num(1)), num(2))
		if r := num(3); math.Abs(p-r) > tol*r {
			t.Errorf("P(X >= %s | n=%s, p=%s) = %g, R %g", v[0], v[1], v[2], p, r)
		}
		ps = append(ps, p)
		want = append(want, num(4))
	}
	for i, a := range bhAdjust(ps) {
		if math.Abs(a-want[i]) > tol*want[i] {
			t.Errorf("BH row %d: %g, R %g", i+1, a, want[i])
		}
	}
}

// TestEditingLevels: three samples carry the A at position 6 of
// hsa-miR-376a-3p edited to G in 0%, 10% and 50% of 1,000 reads, over a
// background of random A→G errors (0.3% per A) and other substitutions
// (at most one per read).
// The site must be called in the 10% and 50% samples with their exact
// levels, reported for all three (0% included, not significant), and no
// other position may be called.
func TestEditingLevels(t *testing.T) {
	const mature = "ATCATAGAGGAAAATCCACGT" // hsa-miR-376a-3p, miRBase v22
	rng := rand.New(rand.NewPCG(5, 6))
	hairpin := "GGTATTTAAAAGGTAGATTTTCCTTCTATGGTTACGTGTTTGATGGTTAATC" + mature + "GTTATACCAGTAAAGG"
	ref, err := NewReference([]seq.FastaRecord{{Name: "hsa-miR-376a-3p", Desc: "MIMAT0000729", Seq: []byte(mature)}},
		[]seq.FastaRecord{{Name: "hsa-mir-376a-1", Desc: "MI0000784", Seq: []byte(hairpin)}}, RefOptions{})
	if err != nil {
		t.Fatal(err)
	}
	levels := []float64{0, 0.10, 0.50}
	const n = 1000
	var samples []*Sample
	edited := make([]int64, len(levels))
	for si, lvl := range levels {
		counts := map[string]int64{}
		for r := 0; r < n; r++ {
			b := []byte(mature)
			if float64(r) < lvl*n { // exactly lvl of the reads
				b[5] = 'G'
				edited[si]++
			}
			// at most one error per read, so that every read (edited or
			// not) stays within the aligner's 2 mismatches
			for i := range b {
				if i == 5 {
					continue
				}
				if u := rng.Float64(); b[i] == 'A' && u < 0.003 {
					b[i] = 'G'
					break
				} else if u < 0.005 {
					b[i] = "ACGT"[(strings.IndexByte("ACGT", b[i])+1+rng.IntN(3))%4]
					break
				}
			}
			counts[string(b)]++
		}
		var inserts []seq.Insert
		for s, c := range counts {
			inserts = append(inserts, seq.Insert{Seq: s, Reads: c, Molecules: c})
		}
		// map order: sort for a reproducible sample
		sortInserts(inserts)
		s, err := Quantify(context.Background(), ref, "s"+strconv.Itoa(si), inserts, nil, Options{})
		if err != nil {
			t.Fatal(err)
		}
		samples = append(samples, s)
	}
	sites, err := Editing(samples, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(sites) != 3 {
		var buf bytes.Buffer
		WriteEditing(&buf, samples, sites)
		t.Fatalf("%d rows, want 3 (position 6 in each sample):\n%s", len(sites), buf.String())
	}
	for i, e := range sites {
		if e.Position != 6 || e.Sample != i {
			t.Errorf("row %d: position %d sample %d", i, e.Position, e.Sample)
		}
		// covering counts reads with A or G at the site: all n (the site
		// is never given another substitution)
		if e.Edited != edited[i] || e.Covering != n {
			t.Errorf("sample %d: %d/%d edited, want %d/%d", i, e.Edited, e.Covering, edited[i], n)
		}
		if math.Abs(e.Level-levels[i]) > 1e-12 {
			t.Errorf("sample %d: level %g, want %g", i, e.Level, levels[i])
		}
		if sig := e.PAdj < DefaultEditAlpha; sig != (levels[i] > 0) {
			t.Errorf("sample %d (level %g): padj %g", i, levels[i], e.PAdj)
		}
	}
	var buf bytes.Buffer
	if err := WriteEditing(&buf, samples, sites); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(buf.String(), "mirna\tposition\tsample\tedited\tcovering\tlevel\tpadj\nhsa-miR-376a-3p\t6\ts0\t0\t1000\t0.0000\t1\n") {
		t.Errorf("editing.tsv:\n%s", buf.String())
	}
	// Below the minimum coverage nothing is tested.
	none, err := Editing(samples, &EditingOptions{MinCoverage: n + 1})
	if err != nil || len(none) != 0 {
		t.Errorf("coverage %d: %d rows (%v)", n+1, len(none), err)
	}
}

func sortInserts(in []seq.Insert) {
	for i := 1; i < len(in); i++ {
		for j := i; j > 0 && in[j].Seq < in[j-1].Seq; j-- {
			in[j], in[j-1] = in[j-1], in[j]
		}
	}
}
