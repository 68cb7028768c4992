package quant

import (
	"bytes"
	"errors"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// variantStringRef is the plain formatting appendVariant must match.
func variantStringRef(v Variant) string {
	if v.IsRef() {
		return "NA"
	}
	var parts []string
	signed := func(n int) string {
		if n > 0 {
			return "+" + strconv.Itoa(n)
		}
		return strconv.Itoa(n)
	}
	if v.Shift5 != 0 {
		parts = append(parts, "iso_5p:"+signed(v.Shift5))
	}
	if v.Shift3 != 0 {
		parts = append(parts, "iso_3p:"+signed(v.Shift3))
	}
	if v.Add3p != 0 {
		parts = append(parts, "iso_add3p:"+strconv.Itoa(v.Add3p))
	}
	names := []string{"iso_snv_seed", "iso_snv_central_offset", "iso_snv_central", "iso_snv_central_supp", "iso_snv"}
	for i, n := range names {
		if v.SNV&(1<<i) != 0 {
			parts = append(parts, n)
		}
	}
	return strings.Join(parts, ",")
}

func TestAppendVariantMatchesReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for range 20000 {
		v := Variant{Shift5: rng.IntN(9) - 4, Shift3: rng.IntN(13) - 6, Add3p: rng.IntN(4), SNV: uint8(rng.IntN(32))}
		if rng.IntN(4) == 0 {
			v = Variant{SNV: uint8(rng.IntN(32))}
		}
		if got, want := string(appendVariant([]byte("x"), v)), "x"+variantStringRef(v); got != want {
			t.Fatalf("%+v: %q, want %q", v, got, want)
		}
		if got, want := v.String(), variantStringRef(v); got != want {
			t.Fatalf("%+v: String %q, want %q", v, got, want)
		}
	}
}

// randomIsomirs makes n placements with many ties on hairpin, start and
// length; bad adds values the packed sort key cannot hold.
func randomIsomirs(rng *rand.Rand, n int, bad bool) []Isomir {
	isos := make([]Isomir, n)
	for i := range isos {
		l := 18 + rng.IntN(7) // past the 21 letters of the prefix key
		b := make([]byte, l)
		for j := range b {
			b[j] = "ACGT"[rng.IntN(4)]
			if j > 14 {
				b[j] = "AC"[rng.IntN(2)] // long shared prefixes
			}
			switch rng.IntN(200) {
			case 0:
				b[j] = 'N'
			case 1:
				b[j] = 'X' // not packed: compared as strings
			}
		}
		isos[i] = Isomir{Seq: string(b), Feature: int32(rng.IntN(3)), Hairpin: int32(rng.IntN(4)), Start: int32(rng.IntN(5))}
		if bad && rng.IntN(50) == 0 {
			isos[i].Start = 1 << 25
		}
	}
	return isos
}

func TestIsomirOrderMatchesCompare(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, bad := range []bool{false, true} {
		for _, n := range []int{0, 1, 2, 50, 3000} {
			isos := randomIsomirs(rng, n, bad)
			order := isomirOrder(isos)
			if len(order) != n {
				t.Fatalf("n=%d: %d indexes", n, len(order))
			}
			seen := make([]bool, n)
			for k, i := range order {
				if seen[i] {
					t.Fatalf("n=%d: index %d twice", n, i)
				}
				seen[i] = true
				if k > 0 && compareIsomir(&isos[order[k-1]], &isos[i]) > 0 {
					t.Fatalf("n=%d bad=%v: out of order at %d", n, bad, k)
				}
			}
			want := slices.Clone(isos)
			slices.SortStableFunc(want, func(a, b Isomir) int { return compareIsomir(&a, &b) })
			s := &Sample{Isomirs: slices.Clone(isos)}
			s.SortIsomirs()
			for k := range want {
				if compareIsomir(&want[k], &s.Isomirs[k]) != 0 {
					t.Fatalf("n=%d bad=%v: SortIsomirs differs at %d", n, bad, k)
				}
			}
		}
	}
}

// TestWriteIsomirGFFManyBlocks writes more lines than one formatting
// block, placements unsorted, and checks that every line is there once,
// in GFF order, whatever the worker count.
func TestWriteIsomirGFFManyBlocks(t *testing.T) {
	r, samples := gffSamples(t)
	rng := rand.New(rand.NewPCG(5, 6))
	s := *samples[0]
	base := s.Isomirs[0]
	s.Isomirs = nil
	for i := range 20000 {
		iso := base
		iso.Seq = base.Seq + strings.Repeat("A", i%3) + strconv.Itoa(i) // unique
		iso.Count = int64(rng.IntN(100) + 1)
		s.Isomirs = append(s.Isomirs, iso)
	}
	rng.Shuffle(len(s.Isomirs), func(i, j int) { s.Isomirs[i], s.Isomirs[j] = s.Isomirs[j], s.Isomirs[i] })
	var buf bytes.Buffer
	if err := WriteIsomirGFF(&buf, []*Sample{&s}, GFFOptions{}); err != nil {
		t.Fatal(err)
	}
	var body []string
	for _, l := range strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n") {
		if !strings.HasPrefix(l, "#") {
			body = append(body, l)
		}
	}
	if len(body) != 20000 {
		t.Fatalf("%d lines, want 20000", len(body))
	}
	sorted := slices.Clone(s.Isomirs)
	slices.SortFunc(sorted, func(a, b Isomir) int { return compareIsomir(&a, &b) })
	for k, l := range body {
		if !strings.Contains(l, "\tRead="+sorted[k].Seq+";") || !strings.HasPrefix(l, r.Hairpins[sorted[k].Hairpin].Name+"\t") {
			t.Fatalf("line %d: %q, want Read=%s", k+1, l, sorted[k].Seq)
		}
	}
	// A failing writer is an error.
	if err := WriteIsomirGFF(failWriter{}, []*Sample{&s}, GFFOptions{}); !errors.Is(err, errFailWrite) {
		t.Fatalf("failing writer: %v", err)
	}
}

var errFailWrite = errors.New("write failed")

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errFailWrite }
