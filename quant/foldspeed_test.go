package quant

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// foldErrorsRef is the plain form of foldErrors: for each read, every
// one-base neighbour (A, C, G, T at each position) is looked up among the
// kept reads of its mature. foldErrors must give the same counts.
func foldErrorsRef(isos []Isomir, skew float64) int64 {
	if skew <= 0 {
		return 0
	}
	var idx []int32
	for i := range isos {
		if isos[i].Primary && isos[i].Expr > 0 {
			idx = append(idx, int32(i))
		}
	}
	slices.SortFunc(idx, func(a, b int32) int {
		x, y := &isos[a], &isos[b]
		switch {
		case x.Feature != y.Feature:
			return int(x.Feature) - int(y.Feature)
		case x.Expr != y.Expr:
			if x.Expr > y.Expr {
				return -1
			}
			return 1
		}
		return compareIsomir(x, y)
	})
	var moved int64
	kept := map[string]int32{}
	for lo := 0; lo < len(idx); {
		hi := lo
		for hi < len(idx) && isos[idx[hi]].Feature == isos[idx[lo]].Feature {
			hi++
		}
		clear(kept)
		for _, i := range idx[lo:hi] {
			c := &isos[i]
			best := int32(-1)
			buf := []byte(c.Seq)
			for p := range buf {
				orig := buf[p]
				for _, b := range []byte("ACGT") {
					if b == orig {
						continue
					}
					buf[p] = b
					if k, ok := kept[string(buf)]; ok && float64(c.Expr) <= skew*float64(isos[k].Expr) && sameShape(c.Variant, isos[k].Variant) {
						if best < 0 || isos[k].Expr > isos[best].Expr || (isos[k].Expr == isos[best].Expr && compareIsomir(&isos[k], &isos[best]) < 0) {
							best = k
						}
					}
				}
				buf[p] = orig
			}
			if best < 0 {
				kept[c.Seq] = i
				continue
			}
			moved += c.Expr
			isos[best].Expr += c.Expr
			c.Expr = 0
		}
		lo = hi
	}
	return moved
}

// TestFoldErrorsMatchesReference: random placements shaped like error
// clouds around a few parents (substitutions and Ns, shared shapes,
// duplicate sequences, counts spanning the skew, many parents so that
// both of foldErrors' search strategies run) fold exactly as
// foldErrorsRef does.
func TestFoldErrorsMatchesReference(t *testing.T) {
	r := rand.New(rand.NewPCG(8, 1))
	for trial := 0; trial < 300; trial++ {
		var isos []Isomir
		nf := 1 + r.IntN(3)
		alphabet := "ACGT"
		if trial%3 == 0 {
			alphabet = "ACGTN"
		}
		for f := 0; f < nf; f++ {
			l := 4 + r.IntN(8)
			if trial%5 == 0 {
				l = 2 + r.IntN(3) // short reads: dense neighbourhoods, many parents
			}
			parent := make([]byte, l)
			for i := range parent {
				parent[i] = "ACGT"[r.IntN(4)]
			}
			n := 1 + r.IntN(120)
			for j := 0; j < n; j++ {
				s := append([]byte(nil), parent...)
				for e := r.IntN(3); e > 0; e-- {
					s[r.IntN(l)] = alphabet[r.IntN(len(alphabet))]
				}
				if r.IntN(10) == 0 {
					s = append(s, 'A')
				}
				var expr int64
				switch r.IntN(4) {
				case 0:
					expr = 1 + r.Int64N(3)
				case 1:
					expr = 1 + r.Int64N(100)
				case 2:
					expr = 100 + r.Int64N(10000)
				default:
					expr = r.Int64N(5)
				}
				isos = append(isos, Isomir{
					Seq: string(s), Feature: int32(f), Hairpin: int32(r.IntN(2)), Start: int32(r.IntN(2)),
					Variant: Variant{Shift3: r.IntN(2)}, Primary: r.IntN(8) != 0, Expr: expr,
				})
			}
		}
		r.Shuffle(len(isos), func(i, j int) { isos[i], isos[j] = isos[j], isos[i] })
		skew := DefaultIsomirSkew
		if trial%4 == 1 {
			skew = 0.5 // many parents per read: the neighbour-lookup path
		}
		want := slices.Clone(isos)
		wm := foldErrorsRef(want, skew)
		gm := foldErrors(isos, skew)
		if gm != wm {
			t.Fatalf("trial %d: moved %d, reference %d", trial, gm, wm)
		}
		for i := range isos {
			if isos[i].Expr != want[i].Expr {
				t.Fatalf("trial %d: placement %d (%s, feature %d): count %d, reference %d", trial, i, isos[i].Seq, isos[i].Feature, isos[i].Expr, want[i].Expr)
			}
		}
	}
}
