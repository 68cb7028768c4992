package diffexp

import (
	"bytes"
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

// TestIsomirDE: each level's results are DESeq's on its matrix with the
// same options (IsomirDE adds no statistics of its own), and
// WriteIsomirDE lays them out with the annotations.
func TestIsomirDE(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	samples := []string{"a1", "a2", "a3", "b1", "b2", "b3"}
	cd, err := ReadColData(strings.NewReader("sample\tcondition\na1\tA\na2\tA\na3\tA\nb1\tB\nb2\tB\nb3\tB\n"), "coldata.tsv")
	if err != nil {
		t.Fatal(err)
	}
	level := func(name string, n int) IsomirLevel {
		c := &Counts{Samples: samples}
		l := IsomirLevel{Level: name, Counts: c}
		for i := range n {
			c.Features = append(c.Features, name+string(rune('A'+i%26))+string(rune('a'+i/26)))
			mu := math.Exp(1 + 4*rng.Float64())
			for j := range samples {
				f := 1.0
				if j >= 3 && i%5 == 0 {
					f = 4
				}
				c.Values = append(c.Values, math.Round(mu*f*(0.5+rng.Float64())))
			}
			l.Mirna = append(l.Mirna, "m"+string(rune('0'+i%7)))
			l.Variant = append(l.Variant, []string{"iso_5p:+1", "iso_3p:-1", "NA"}[i%3])
			l.SeedShift = append(l.SeedShift, i%3 == 0)
		}
		return l
	}
	levels := []IsomirLevel{level("isomir", 60), level("type", 25)}
	o := Options{Contrast: []string{"condition", "B", "A"}, SizeFactors: []float64{1, 1.1, 0.9, 1.2, 0.8, 1}}
	res, err := IsomirDE(context.Background(), levels, cd, o)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := WriteIsomirDE(&b, levels, res); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
	if lines[0] != "level\tfeature\tmirna\tvariant\tseed_shift\tbaseMean\tlog2FoldChange\tlfcSE\tstat\tpvalue\tpadj" {
		t.Fatalf("header %q", lines[0])
	}
	if len(lines) != 1+60+25 {
		t.Fatalf("%d lines", len(lines))
	}
	k := 1
	for li, l := range levels {
		want, err := DESeq(context.Background(), l.Counts, cd, o)
		if err != nil {
			t.Fatal(err)
		}
		var one bytes.Buffer
		if err := WriteResults(&one, want); err != nil {
			t.Fatal(err)
		}
		rows := strings.Split(strings.TrimSuffix(one.String(), "\n"), "\n")[1:]
		for i, r := range rows {
			c := strings.SplitN(lines[k], "\t", 6)
			flag := map[bool]string{true: "yes", false: "no"}[l.SeedShift[i]]
			if c[0] != l.Level || c[2] != l.Mirna[i] || c[3] != l.Variant[i] || c[4] != flag {
				t.Errorf("level %d row %d: %q", li, i, lines[k])
			}
			if c[1]+"\t"+c[5] != r {
				t.Errorf("level %d row %d: %q, DESeq gives %q", li, i, lines[k], r)
			}
			k++
		}
	}
	bad := []IsomirLevel{{Level: "x", Counts: levels[0].Counts, Mirna: levels[0].Mirna[:3], Variant: levels[0].Variant, SeedShift: levels[0].SeedShift}}
	if _, err := IsomirDE(context.Background(), bad, cd, o); !errors.Is(err, ErrRagged) {
		t.Errorf("ragged annotations: err = %v", err)
	}
}
