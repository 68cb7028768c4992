package quant

import (
	"bytes"
	"context"
	"errors"
	"io"
	"math/rand/v2"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"testing/iotest"
)

// TestMergeIsomirSpills: samples spilled one per file by WriteIsomirSpill
// and merged back give the isomiR table and matrices that the samples in
// memory give, byte for byte, on random inputs (with random variants, so
// that every field goes through the file).
func TestMergeIsomirSpills(t *testing.T) {
	r := embeddedHsa(t)
	for seed := range uint64(4) {
		rng := rand.New(rand.NewPCG(seed, 11))
		pool, pasg := isomirPool(rng, 120)
		for i := range pasg {
			for k := range pasg[i].Placements {
				v := &pasg[i].Placements[k].Variant
				v.Shift3, v.Add3p, v.SNV = rng.IntN(5)-2, rng.IntN(3), uint8(rng.IntN(32))
			}
		}
		var samples []*Sample
		var files []string
		var spills []io.Reader
		for si := range 1 + int(seed) {
			s, _, _, _ := randomIsomirSample(r, rng, "s"+strconv.Itoa(si), Options{Multi: MultiEM}, pool, pasg)
			samples = append(samples, s)
			var b bytes.Buffer
			if err := WriteIsomirSpill(&b, s); err != nil {
				t.Fatal(err)
			}
			spills = append(spills, &b)
			files = append(files, s.Name+".rows")
		}
		names := make([]string, len(samples))
		for i, s := range samples {
			names[i] = s.Name
		}
		var want, got bytes.Buffer
		if err := WriteIsomirCounts(&want, samples); err != nil {
			t.Fatal(err)
		}
		// The spills are read once: keep copies for the matrices.
		copies := make([]io.Reader, len(spills))
		for i, sp := range spills {
			copies[i] = bytes.NewReader(bytes.Clone(sp.(*bytes.Buffer).Bytes()))
		}
		if err := WriteIsomirRows(&got, r, names, MergeIsomirSpills(r, spills, files)); err != nil {
			t.Fatal(err)
		}
		if got.String() != want.String() {
			t.Fatalf("seed %d: merged spills differ from the table in memory", seed)
		}
		if strings.Count(want.String(), "\n") < 20 {
			t.Fatalf("seed %d: only %d rows", seed, strings.Count(want.String(), "\n"))
		}
		wi, wt, err := IsomirMatrices(samples, IsomirFilter{MinCount: 10, MinSamples: 1})
		if err != nil {
			t.Fatal(err)
		}
		gi, gt, err := IsomirMatricesOf(r, names, MergeIsomirSpills(r, copies, files), IsomirFilter{MinCount: 10, MinSamples: 1})
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(wi, gi) || !reflect.DeepEqual(wt, gt) {
			t.Errorf("seed %d: matrices from spills differ from those in memory", seed)
		}
	}
}

// TestMergeIsomirSpillsBadInput: a damaged spill is an ErrBadGFF naming
// file and line.
func TestMergeIsomirSpillsBadInput(t *testing.T) {
	r := embeddedHsa(t)
	row := func(h, start, f int, seq string) string {
		return strconv.Itoa(h) + "\t" + strconv.Itoa(start) + "\t" + strconv.Itoa(f) + "\t" + seq + "\t0\t0\t0\t0\t5\n"
	}
	cases := map[string]string{
		"header":   "#other\n",
		"empty":    "",
		"order":    spillHeader + "\n" + row(1, 5, 0, "ACGT") + row(1, 4, 0, "ACGT"),
		"columns":  spillHeader + "\n1\t2\t3\n",
		"number":   spillHeader + "\n" + strings.Replace(row(1, 5, 0, "ACGT"), "5\n", "x\n", 1),
		"hairpin":  spillHeader + "\n" + row(len(r.Hairpins), 5, 0, "ACGT"),
		"negative": spillHeader + "\n" + strings.Replace(row(1, 5, 0, "ACGT"), "5\n", "-5\n", 1),
	}
	for name, text := range cases {
		rows := MergeIsomirSpills(r, []io.Reader{strings.NewReader(text)}, []string{"x.rows"})
		err := WriteIsomirRows(io.Discard, r, []string{"s"}, rows)
		if !errors.Is(err, ErrBadGFF) || !strings.Contains(err.Error(), "x.rows:") {
			t.Errorf("%s: %v, want ErrBadGFF naming x.rows", name, err)
		}
	}
}

// TestMergeReadErrorMidLine: a read that fails in the middle of a line of
// a spill or GFF input is that read error (a cancelled context in the
// study), not a parse error of the cut line.
func TestMergeReadErrorMidLine(t *testing.T) {
	r := embeddedHsa(t)
	rng := rand.New(rand.NewPCG(3, 11))
	pool, pasg := isomirPool(rng, 60)
	s, _, _, _ := randomIsomirSample(r, rng, "s0", Options{Multi: MultiEM}, pool, pasg)
	var spill, gff bytes.Buffer
	if err := WriteIsomirSpill(&spill, s); err != nil {
		t.Fatal(err)
	}
	if err := WriteIsomirGFF(&gff, []*Sample{s}, GFFOptions{}); err != nil {
		t.Fatal(err)
	}
	errRead := errors.New("read failed")
	cut := func(b []byte) io.Reader {
		// Half-way through the third line from the end.
		lines := bytes.SplitAfter(b, []byte("\n"))
		n := len(b) - len(lines[len(lines)-2]) - len(lines[len(lines)-3]) - len(lines[len(lines)-4])/2
		return io.MultiReader(bytes.NewReader(b[:n]), iotest.ErrReader(errRead))
	}
	err := WriteIsomirRows(io.Discard, r, []string{"s0"}, MergeIsomirSpills(r, []io.Reader{cut(spill.Bytes())}, []string{"s0.rows"}))
	if !errors.Is(err, errRead) || errors.Is(err, ErrBadGFF) {
		t.Errorf("spill: %v, want the read error", err)
	}
	err = MergeIsomirGFF(context.Background(), io.Discard, r, []io.Reader{cut(gff.Bytes())}, []string{"s0.gff3"}, GFFOptions{})
	if !errors.Is(err, errRead) || errors.Is(err, ErrBadGFF) {
		t.Errorf("GFF: %v, want the read error", err)
	}
}
