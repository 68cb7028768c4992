package quant

import (
	"bytes"
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
)

// isomirPool is a pool of distinct inserts with fixed random assignments
// of 1–4 placements over a few features and hairpins (so that some are
// ambiguous and some sit on several hairpins), as an aligner would give.
func isomirPool(rng *rand.Rand, n int) ([]string, []Assignment) {
	seqs := make([]string, n)
	asg := make([]Assignment, n)
	for i := range n {
		b := []byte("ACGTACGTACGTAC")
		for k := i; k > 0; k /= 4 {
			b = append(b, "ACGT"[k%4])
		}
		seqs[i] = string(b)
		np := 1 + rng.IntN(4)
		seen := map[[2]int32]bool{}
		var pl []Placement
		for len(pl) < np {
			p := Placement{Feature: int32(rng.IntN(6)), Hairpin: int32(rng.IntN(4)), Start: int32(rng.IntN(3))}
			p.End = p.Start + int32(len(seqs[i]))
			if seen[[2]int32{p.Feature, p.Hairpin}] {
				continue
			}
			seen[[2]int32{p.Feature, p.Hairpin}] = true
			p.Variant.Shift5 = int(p.Start) - 1
			pl = append(pl, p)
		}
		asg[i] = Assignment{Kind: Mirna, Placements: pl, Class: -1}
	}
	return seqs, asg
}

// randomIsomirSample feeds a Builder a random subset of the pool with
// random counts (and UMI sets when o.UMIs is not nil).
func randomIsomirSample(r *Reference, rng *rand.Rand, name string, o Options, pool []string, pasg []Assignment) (*Sample, []string, []Assignment, []int64) {
	b := NewBuilder(r, o)
	var seqs []string
	var asg []Assignment
	var counts []int64
	umiPool := []string{"AAA", "CCC", "GGG", "TTT", "ACA", "CAC", "GTG", "TGT"}
	for i := range pool {
		if rng.IntN(3) == 0 {
			continue
		}
		n := 1 + rng.Int64N(60)
		seqs, asg, counts = append(seqs, pool[i]), append(asg, pasg[i]), append(counts, n)
		if o.UMIs != nil {
			var umis []string
			for _, u := range umiPool {
				if rng.IntN(3) == 0 {
					umis = append(umis, u)
				}
			}
			b.AddUMIs(pool[i], n, umis, pasg[i])
			continue
		}
		b.Add(pool[i], n, n, pasg[i])
	}
	return b.Finish(name, nil), seqs, asg, counts
}

// TestIsomirCountsReconcile: on random inserts, under every multi-mapping
// rule, with and without UMI sets, each feature's isomiR counts sum to its
// mature count exactly; each (insert, feature) has one primary placement,
// the first in GFF order; the integer shares are within one read of the
// fractional shares of a plain EM reference; and the isomiR table and the
// GFF, summed per miRNA, give back the count matrix.
func TestIsomirCountsReconcile(t *testing.T) {
	r := embeddedHsa(t)
	for _, m := range []Multi{MultiEM, MultiSplit, MultiUnique} {
		for _, umi := range []bool{false, true} {
			for _, skew := range []float64{-1, 0} {
				t.Run(fmt.Sprintf("%s/umi=%v/skew=%v", m, umi, skew), func(t *testing.T) {
					rng := rand.New(rand.NewPCG(uint64(m)+1, map[bool]uint64{true: 7}[umi]))
					pool, pasg := isomirPool(rng, 150)
					var samples []*Sample
					for si := range 3 {
						o := Options{Multi: m, IsomirSkew: skew}
						if umi {
							o.UMI = true
							o.UMIs = [][]string{} // non-nil: AddUMIs path
						}
						s, seqs, asg, counts := randomIsomirSample(r, rng, "s"+strconv.Itoa(si), o, pool, pasg)
						samples = append(samples, s)
						checkIsomirSample(t, s, seqs, asg, counts, m, umi || skew >= 0)
					}
					checkTablesReconcile(t, samples)
				})
			}
		}
	}
}

// checkIsomirSample checks the sums and primaries of s, and unless
// noShares (UMI credits, error folding) each count against its share.
func checkIsomirSample(t *testing.T, s *Sample, seqs []string, asg []Assignment, counts []int64, m Multi, noShares bool) {
	t.Helper()
	sum := make([]int64, len(s.Mature))
	for _, iso := range s.Isomirs {
		sum[iso.Feature] += iso.Expr
		if iso.Expr != 0 && !iso.Primary {
			t.Fatalf("count %d on a non-primary placement %+v", iso.Expr, iso)
		}
		if iso.Expr < 0 {
			t.Fatalf("negative count %+v", iso)
		}
	}
	for f := range sum {
		if sum[f] != s.Mature[f] {
			t.Errorf("feature %d: isomiR counts sum to %d, mature count %d", f, sum[f], s.Mature[f])
		}
	}
	// Primary: exactly one per (insert, feature), the smallest in GFF order.
	type key struct {
		seq string
		f   int32
	}
	best := map[key]*Isomir{}
	nprim := map[key]int{}
	for i := range s.Isomirs {
		iso := &s.Isomirs[i]
		k := key{iso.Seq, iso.Feature}
		if b, ok := best[k]; !ok || compareIsomir(iso, b) < 0 {
			best[k] = iso
		}
		if iso.Primary {
			nprim[k]++
		}
	}
	for k, b := range best {
		if nprim[k] != 1 || !b.Primary {
			t.Fatalf("%v: %d primary placements, first-in-order primary = %v", k, nprim[k], b.Primary)
		}
	}
	if noShares {
		return // the sums above are the check
	}
	// Reference shares: plain EM over the same groups (or equal split).
	unique := make([]float64, len(s.Mature))
	groups := map[string]*ambiguous{}
	var gl []*ambiguous
	cands := make([][]int32, len(seqs))
	for i, a := range asg {
		cands[i] = a.Features()
		if len(cands[i]) == 1 {
			unique[cands[i][0]] += float64(counts[i])
			continue
		}
		k := fmt.Sprint(cands[i])
		if groups[k] == nil {
			groups[k] = &ambiguous{cands: cands[i]}
			gl = append(gl, groups[k])
		}
		groups[k].n += float64(counts[i])
	}
	theta := plainEM(unique, gl, 3000)
	got := map[key]int64{}
	for _, iso := range s.Isomirs {
		got[key{iso.Seq, iso.Feature}] += iso.Expr
	}
	for i, cs := range cands {
		var tot float64
		for _, c := range cs {
			tot += theta[c]
		}
		for _, c := range cs {
			want := float64(counts[i])
			switch {
			case len(cs) == 1:
			case m == MultiUnique:
				want = 0
			case m == MultiSplit:
				want /= float64(len(cs))
			default:
				want *= theta[c] / tot
			}
			if d := math.Abs(float64(got[key{seqs[i], c}]) - want); d > 1+1e-3 {
				t.Errorf("insert %d feature %d: count %d, share %.4f", i, c, got[key{seqs[i], c}], want)
			}
		}
	}
}

// checkTablesReconcile: WriteIsomirCounts and WriteIsomirGFF, summed per
// miRNA and sample, equal the samples' mature counts.
func checkTablesReconcile(t *testing.T, samples []*Sample) {
	t.Helper()
	ref := samples[0].Ref
	want := map[string][]int64{}
	for f, feat := range ref.Features {
		row := make([]int64, len(samples))
		for si, s := range samples {
			row[si] = s.Mature[f]
		}
		want[feat.Name] = row
	}
	compare := func(what string, got map[string][]int64) {
		t.Helper()
		for name, w := range want {
			g := got[name]
			if g == nil {
				g = make([]int64, len(samples))
			}
			for si := range w {
				if g[si] != w[si] {
					t.Errorf("%s: %s sample %d sums to %d, count matrix %d", what, name, si, g[si], w[si])
				}
			}
		}
	}
	var tab bytes.Buffer
	if err := WriteIsomirCounts(&tab, samples); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(tab.String(), "\n"), "\n")
	if want := "uid\tread\tmirna\tvariant\ts0\ts1\ts2"; lines[0] != want {
		t.Fatalf("header %q, want %q", lines[0], want)
	}
	got := map[string][]int64{}
	rows := map[string]bool{}
	for _, l := range lines[1:] {
		c := strings.Split(l, "\t")
		if len(c) != 7 || c[0] != UID(c[1]) {
			t.Fatalf("bad row %q", l)
		}
		if rows[c[1]+" "+c[2]] {
			t.Fatalf("two rows for read %s on %s", c[1], c[2])
		}
		rows[c[1]+" "+c[2]] = true
		if got[c[2]] == nil {
			got[c[2]] = make([]int64, len(samples))
		}
		for si := range samples {
			v, err := strconv.ParseInt(c[4+si], 10, 64)
			if err != nil {
				t.Fatal(err)
			}
			got[c[2]][si] += v
		}
	}
	compare("isomir_counts", got)
	var gff bytes.Buffer
	if err := WriteIsomirGFF(&gff, samples, GFFOptions{}); err != nil {
		t.Fatal(err)
	}
	got = map[string][]int64{}
	for _, l := range strings.Split(strings.TrimSuffix(gff.String(), "\n"), "\n") {
		if strings.HasPrefix(l, "#") {
			continue
		}
		var name string
		var expr []string
		for _, a := range strings.Split(strings.Split(l, "\t")[8], "; ") {
			k, v, _ := strings.Cut(a, "=")
			switch k {
			case "Name":
				name = v
			case "Expression":
				expr = strings.Split(v, ",")
			}
		}
		if got[name] == nil {
			got[name] = make([]int64, len(samples))
		}
		for si, e := range expr {
			v, _ := strconv.ParseInt(e, 10, 64)
			got[name][si] += v
		}
	}
	compare("GFF Expression", got)
}

func TestApportion(t *testing.T) {
	for _, c := range []struct {
		target int64
		xs     []float64
		want   []int64
	}{
		{10, []float64{2.5, 2.5, 5}, []int64{3, 2, 5}},                    // tie to the lower index
		{3, []float64{0.4, 0.3, 2.3}, []int64{1, 0, 2}},                   // largest remainder
		{4, []float64{1.9999999999, 2.0000000001}, []int64{2, 2}},         // float noise
		{2, []float64{1.0000000001, 1.0000000001, 0.3}, []int64{1, 1, 0}}, // floors already reach target
		{1, []float64{1, 1}, []int64{1, 0}},                               // floors overshoot: give back
	} {
		got := apportion(c.target, c.xs)
		if fmt.Sprint(got) != fmt.Sprint(c.want) {
			t.Errorf("apportion(%d, %v) = %v, want %v", c.target, c.xs, got, c.want)
		}
	}
}

// TestFoldErrors: a read one base (or an N) away from a read of the same
// mature and variant shape with at least 50 times its count joins it;
// others stay.
func TestFoldErrors(t *testing.T) {
	p := "TGAGGTAGTAGGTTGTATAGTT"
	sub := func(s string, i int, b byte) string { x := []byte(s); x[i] = b; return string(x) }
	isos := []Isomir{
		{Seq: p, Feature: 0, Expr: 100},
		{Seq: sub(p, 3, 'C'), Feature: 0, Expr: 2},              // 2 <= 100/50: an error
		{Seq: sub(p, 5, 'A'), Feature: 0, Expr: 3},              // 3 > 2: kept (an SNV isomiR)
		{Seq: sub(p, 9, 'N'), Feature: 0, Expr: 1},              // an N: an error
		{Seq: sub(sub(p, 5, 'A'), 7, 'C'), Feature: 0, Expr: 1}, // 2 away from p, 1 from a read of 3: kept
		{Seq: sub(p, 3, 'C'), Feature: 1, Expr: 2},              // other mature, no parent there
		{Seq: p + "A", Feature: 0, Expr: 1},                     // other length
		{Seq: sub(p, 1, 'C'), Feature: 0, Expr: 1, Primary: false},
		{Seq: sub(p, 21, 'A'), Feature: 0, Expr: 1, Variant: Variant{Shift3: -1, Add3p: 1}}, // trimmed + tailed: an isomiR
	}
	isos[8].Primary = true
	for i := range isos[:7] {
		isos[i].Primary = true
	}
	moved := foldErrors(isos, DefaultIsomirSkew)
	want := []int64{103, 0, 3, 0, 1, 2, 1, 1, 1}
	for i, w := range want {
		if isos[i].Expr != w {
			t.Errorf("read %d: count %d, want %d", i, isos[i].Expr, w)
		}
	}
	if moved != 3 {
		t.Errorf("moved %d, want 3", moved)
	}
	if foldErrors(isos, -1) != 0 {
		t.Error("negative skew folded reads")
	}
}
