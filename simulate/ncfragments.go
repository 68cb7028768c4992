package simulate

import "math/rand/v2"

// Fragment shapes of the Pol III small RNAs other than tRNA, as small-RNA
// libraries of plasma and EVs show them: Y RNA mostly as 5' fragments of
// 25-33 nt (the RNY4 5' fragment leads), fewer 3' fragments ending in or
// just before the U tract; vault RNA as 5' and 3' svtRNAs of 20-30 nt
// (miR-886-5p/-3p were the vtRNA2-1 ones) and some internal pieces; 7SL
// as 5' and 3' Alu-domain fragments of 20-35 nt and some internal ones.
// The GENCODE records of the embedded vault RNAs start one base before
// the transcript, so 5' fragments start at 0 or 1.

// endShape is one class's shape: shares of 5' and 3' fragments (the rest
// internal), their length range, how far the 5' start may move in, and
// how many 3' bases (U tract) a 3' fragment may lack.
type endShape struct {
	p5, p3           float64
	minLen, maxLen   int
	shift5, trim3Max int
}

var endShapes = map[string]endShape{
	"YRNA":     {p5: 0.75, p3: 0.25, minLen: 25, maxLen: 33, shift5: 0, trim3Max: 4},
	"vaultRNA": {p5: 0.45, p3: 0.40, minLen: 20, maxLen: 30, shift5: 1, trim3Max: 4},
	"SRP_RNA":  {p5: 0.45, p3: 0.35, minLen: 20, maxLen: 35, shift5: 2, trim3Max: 2},
}

// shapedFragment draws a fragment of s for a class with an end shape;
// ok is false for classes without one.
func shapedFragment(class string, s []byte, r *rand.Rand) (start, end int, ok bool) {
	sh, ok := endShapes[class]
	if !ok {
		return 0, 0, false
	}
	n := len(s)
	l := sh.minLen + r.IntN(sh.maxLen-sh.minLen+1)
	switch u := r.Float64(); {
	case u < sh.p5:
		start = r.IntN(sh.shift5 + 1)
		end = start + l
	case u < sh.p5+sh.p3:
		end = n - r.IntN(sh.trim3Max+1)
		start = end - l
	default:
		start = r.IntN(max(1, n-l+1))
		end = start + l
	}
	return start, min(end, n), true
}
