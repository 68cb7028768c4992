package simulate

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

// TestShapedFragment draws many fragments of a 110-nt sequence for each
// shaped class and checks lengths, where 5' and 3' fragments start and
// end, and the shares of the three kinds against endShapes.
func TestShapedFragment(t *testing.T) {
	s := []byte(strings.Repeat("ACGTTGCA", 14)[:110])
	r := rand.New(rand.NewPCG(7, 1))
	const draws = 20000
	for _, class := range []string{"SRP_RNA", "YRNA", "vaultRNA"} {
		sh := endShapes[class]
		var n5, n3 int
		for i := 0; i < draws; i++ {
			start, end, ok := shapedFragment(class, s, r)
			if !ok {
				t.Fatalf("%s: no shape", class)
			}
			l := end - start
			if start < 0 || end > len(s) || l < sh.minLen || l > sh.maxLen {
				t.Fatalf("%s: fragment %d-%d", class, start, end)
			}
			switch {
			case start <= sh.shift5:
				n5++
			case end >= len(s)-sh.trim3Max:
				n3++
			}
		}
		// Internal fragments can land at either end by chance; allow 3%.
		if f := float64(n5) / draws; math.Abs(f-sh.p5) > 0.03 {
			t.Errorf("%s: 5' share %.3f, want %.2f", class, f, sh.p5)
		}
		if f := float64(n3) / draws; math.Abs(f-sh.p3) > 0.03 {
			t.Errorf("%s: 3' share %.3f, want %.2f", class, f, sh.p3)
		}
	}
	if _, _, ok := shapedFragment("rRNA", s, r); ok {
		t.Error("rRNA got an end shape")
	}
}
