package seq

import (
	"math"
	"math/rand/v2"
	"testing"
)

// refIndel is the reference for locateIndel: the full dynamic-programming
// matrix (no cut-off) with the same cell rule (least cost, then best score,
// then diagonal before up before left) and the same choice among
// acceptable end cells (best score, then leftmost start).
func refIndel(adapter, read string, rate float64, minOv int) (int, int) {
	a, n := len(adapter), len(read)
	minOv = min(minOv, a)
	maxErr := func(l int) int { return int(math.Floor(rate*float64(l) + 1e-9)) }
	type cell struct{ c, s, o int }
	d := make([][]cell, a+1)
	for j := range d {
		d[j] = make([]cell, n+1)
		d[j][0] = cell{j, -2 * j, 0}
	}
	for i := 0; i <= n; i++ {
		d[0][i] = cell{0, 0, i}
	}
	for i := 1; i <= n; i++ {
		for j := 1; j <= a; j++ {
			x := d[j-1][i-1]
			if adapter[j-1] == 'N' || adapter[j-1] == read[i-1] {
				x.s++
			} else {
				x.c++
				x.s--
			}
			for _, y := range []cell{{d[j-1][i].c + 1, d[j-1][i].s - 2, d[j-1][i].o}, {d[j][i-1].c + 1, d[j][i-1].s - 2, d[j][i-1].o}} {
				if y.c < x.c || (y.c == x.c && y.s > x.s) {
					x = y
				}
			}
			d[j][i] = x
		}
	}
	best, bestScore := n, math.MinInt
	try := func(l int, x cell) {
		if l >= minOv && x.c <= maxErr(l) && (x.s > bestScore || (x.s == bestScore && x.o < best)) {
			best, bestScore = x.o, x.s
		}
	}
	for i := 1; i <= n; i++ {
		try(a, d[a][i])
	}
	for j := 1; j < a; j++ {
		try(j, d[j][n])
	}
	return best, bestScore
}

// refCombined is the reference for Trimmer.locate with indels: the
// mismatch-only result, replaced by the indel alignment when that scores
// higher (only tried below the score a-2, which an indel cannot reach).
func refCombined(adapter, read string, rate float64, minOv int) (int, bool) {
	p, found := refLocate(adapter, read, rate, minOv)
	score := math.MinInt
	if found {
		l := min(len(adapter), len(read)-p)
		m := 0
		for j := 0; j < l; j++ {
			if adapter[j] != 'N' && adapter[j] != read[p+j] {
				m++
			}
		}
		score = l - 2*m
	}
	if score < len(adapter)-2 {
		if q, sc := refIndel(adapter, read, rate, minOv); sc > score {
			return q, true
		}
	}
	return p, found
}

// mutateIndel applies n random substitutions, insertions or deletions.
func mutateIndel(rng *rand.Rand, s string, n int) string {
	b := []byte(s)
	for ; n > 0 && len(b) > 1; n-- {
		i := rng.IntN(len(b))
		switch rng.IntN(3) {
		case 0:
			b[i] = "ACGTN"[rng.IntN(5)]
		case 1:
			b = append(b[:i], append([]byte{"ACGT"[rng.IntN(4)]}, b[i:]...)...)
		default:
			b = append(b[:i], b[i+1:]...)
		}
	}
	return string(b)
}

func TestTrimIndelMatchesReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 9))
	for _, ad := range []string{ts, AdapterQIAseq, AdapterV15, "ACGNNACGTACGTAC"} {
		for _, rate := range []float64{0.1, 0.15, 0.25} {
			for _, minOv := range []int{3, 6} {
				tr := mustTrimmer(t, TrimOptions{Kit: Kit{Adapter: ad}, MaxErrorRate: rate, MinOverlap: minOv})
				for iter := 0; iter < 800; iter++ {
					n := 10 + rng.IntN(70)
					read := (randSeq(rng, rng.IntN(n)) + mutateIndel(rng, ad, rng.IntN(4)) + randSeq(rng, n))[:n]
					want, wantFound := refCombined(ad, read, rate, minOv)
					if p, sc, _ := tr.locateIndel([]byte(read), 0, len(ad)); true {
						wp, wsc := refIndel(ad, read, rate, minOv)
						if p != wp || sc != wsc {
							t.Fatalf("locateIndel %s read %s: got %d/%d, reference %d/%d", ad, read, p, sc, wp, wsc)
						}
					}
					got, _, gotFound := tr.locate([]byte(read))
					if got != want || gotFound != wantFound {
						t.Fatalf("adapter %s rate %v minOv %d read %s: got %d/%v, reference %d/%v",
							ad, rate, minOv, read, got, gotFound, want, wantFound)
					}
				}
			}
		}
	}
}

func TestTrimIndelCases(t *testing.T) {
	tr := mustTrimmer(t, TrimOptions{Kit: Kit{Adapter: ts}})
	tests := []struct{ name, read, insert string }{
		{"deletion in adapter", miR21 + ts[:12] + ts[13:] + "GAACTCCAG", miR21},
		{"insertion in adapter", miR21 + ts[:8] + "A" + ts[8:] + "GAACTC", miR21},
		{"deletion in partial", miR21 + "CCCCCC" + ts[:6] + ts[7:16], miR21 + "CCCCCC"},
		{"two deletions in full adapter", miR21 + ts[:5] + ts[6:15] + ts[16:] + "GAACTCC", miR21},
		{"three edits are too many", miR21 + ts[:5] + ts[6:10] + ts[11:15] + ts[16:] + "GAACTCC", miR21 + ts[:5] + ts[6:10] + ts[11:15] + ts[16:] + "GAACTCC"},
	}
	for _, tc := range tests {
		r := tr.Trim([]byte(tc.read), nil)
		if string(r.Insert) != tc.insert {
			t.Errorf("%s: insert %q, want %q", tc.name, r.Insert, tc.insert)
		}
		if w, _ := refCombined(ts, tc.read, 0.1, 3); w != r.AdapterStart {
			t.Errorf("%s: start %d, reference %d", tc.name, r.AdapterStart, w)
		}
	}
}

// indelPossible (Myers' bit-parallel distances) must say yes exactly when
// locateIndel finds an acceptable alignment, for any cap.
func TestIndelPossibleMatchesLocateIndel(t *testing.T) {
	rng := rand.New(rand.NewPCG(12, 34))
	long := randSeq(rng, 64)
	for _, ad := range []string{ts, AdapterQIAseq, AdapterV15, "ACGNNACGTACGTAC", "ACG", long} {
		for _, rate := range []float64{0.1, 0.2} {
			for _, minOv := range []int{1, 3, 6} {
				tr := mustTrimmer(t, TrimOptions{Kit: Kit{Adapter: ad}, MaxErrorRate: rate, MinOverlap: minOv})
				if !tr.indels {
					continue
				}
				for iter := 0; iter < 1500; iter++ {
					n := rng.IntN(90)
					read := []byte((randSeq(rng, rng.IntN(n+1)) + mutateIndel(rng, ad, rng.IntN(5)) + randSeq(rng, n))[:n])
					if rng.IntN(10) == 0 && n > 0 {
						read[rng.IntN(n)] = 'N'
					}
					kcap := rng.IntN(tr.maxErr[len(ad)] + 2)
					_, sc, _ := tr.locateIndel(read, 0, kcap)
					if got, want := tr.indelPossible(read, kcap), sc != math.MinInt; got != want {
						t.Fatalf("adapter %s rate %v minOv %d cap %d read %s: indelPossible %v, locateIndel found %v",
							ad, rate, minOv, kcap, read, got, want)
					}
				}
			}
		}
	}
}
