package quant

import (
	"bytes"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// TestIsomirStatsHandMade: the reads of gffSamples, whose classes are
// known by construction (s1: miR-21 100 reference, 7 shifted by -1/+1, 5
// with a 3' addition, 3 with a seed SNV; miR-19b-3p 40 reference on two
// hairpins, counted once).
func TestIsomirStatsHandMade(t *testing.T) {
	r, samples := gffSamples(t)
	_, hp21 := locusOf(t, r, "hsa-miR-21-5p", "hsa-mir-21")
	l21, _ := locusOf(t, r, "hsa-miR-21-5p", "hsa-mir-21")
	st := ComputeIsomirStats(samples[0])
	want := IsomirStats{Total: 155, Distinct: 5, Canonical: 140, Isomir: 15, Shift5: 7, Shift3: 7, Add3p: 5, SNVSeed: 3}
	if otherTail(hp21, l21.End) == "A" {
		want.Add3pA = 5
	} else {
		want.Add3pU = 5
	}
	if st != want {
		t.Errorf("stats = %+v\nwant    %+v", st, want)
	}
	rows := st.Rows()
	if rows[0] != (Stat{"isomir_reads", "155"}) {
		t.Errorf("first row %v", rows[0])
	}
	got := map[string]string{}
	for _, r := range rows {
		got[r.Name] = r.Value
	}
	if got["isomir_5p_shift"] != "7" || got["isomir_5p_shift_frac"] != "0.0452" || got["isomir_canonical_frac"] != "0.9032" {
		t.Errorf("rows %v", rows)
	}
	if v, _ := samples[0].Stat("isomir_snv_seed"); v != "3" {
		t.Errorf("summary isomir_snv_seed = %q, want 3", v)
	}
	var b bytes.Buffer
	if err := WriteMultiQCIsomirs(&b, []string{"s1", "s2"}, []IsomirStats{st, ComputeIsomirStats(samples[1])}); err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{"# section_name: 'exomir: isomiRs'\n", "# description: '", "\ns1\t90.3226\t9.6774\t4.5161\t", "\ns2\t100.0000\t0.0000\t"} {
		if !strings.Contains(b.String(), w) {
			t.Errorf("MultiQC file lacks %q:\n%s", w, b.String())
		}
	}
}

// TestIsomirStatsVsReference checks ComputeIsomirStats against a direct
// count over the placements' variant strings (as mirtop stats reads
// them) on random samples.
func TestIsomirStatsVsReference(t *testing.T) {
	r := embeddedHsa(t)
	rng := rand.New(rand.NewPCG(3, 4))
	pool, pasg := isomirPool(rng, 200)
	for i := range pasg {
		for k := range pasg[i].Placements {
			p := &pasg[i].Placements[k]
			p.Variant = Variant{Shift5: rng.IntN(3) - 1, Shift3: rng.IntN(3) - 1, SNV: uint8(rng.IntN(32))}
			if rng.IntN(3) == 0 {
				p.Variant.Add3p = 1 + rng.IntN(2)
			}
		}
	}
	s, _, _, _ := randomIsomirSample(r, rng, "s", Options{}, pool, pasg)
	st := ComputeIsomirStats(s)
	sums := map[string]int64{}
	for _, iso := range s.Isomirs {
		if iso.Expr == 0 {
			continue
		}
		sums["all"] += iso.Expr
		v := iso.Variant.String()
		if v == "NA" {
			sums["ref_miRNA"] += iso.Expr
			continue
		}
		sums["isomiR"] += iso.Expr
		for _, term := range strings.Split(v, ",") {
			term, _, _ = strings.Cut(term, ":")
			sums[term] += iso.Expr
		}
	}
	if st.Total != sums["all"] {
		t.Errorf("total %d, want %d", st.Total, sums["all"])
	}
	for _, c := range st.Categories() {
		if c.Mirtop != "" && c.Reads != sums[c.Mirtop] {
			t.Errorf("%s = %d, reference %d", c.Name, c.Reads, sums[c.Mirtop])
		}
	}
	if st.Add3pA+st.Add3pU+st.Add3pMixed != st.Add3p {
		t.Errorf("3' additions by base %d+%d+%d != %d", st.Add3pA, st.Add3pU, st.Add3pMixed, st.Add3p)
	}
}

// TestIsomirMatrices: the type rows of each miRNA sum to its mature
// counts (nothing filtered with minTotal 0), and the isomiR rows are the
// isomir_counts.tsv rows with their totals over the threshold.
func TestIsomirMatrices(t *testing.T) {
	r := embeddedHsa(t)
	rng := rand.New(rand.NewPCG(5, 6))
	pool, pasg := isomirPool(rng, 120)
	var samples []*Sample
	for _, n := range []string{"a", "b"} {
		s, _, _, _ := randomIsomirSample(r, rng, n, Options{}, pool, pasg)
		samples = append(samples, s)
	}
	iso, typ, err := IsomirMatrices(samples, IsomirFilter{})
	if err != nil {
		t.Fatal(err)
	}
	sum := map[string][]int64{}
	for i, m := range typ.Mirna {
		if sum[m] == nil {
			sum[m] = make([]int64, 2)
		}
		sum[m][0] += typ.Values[2*i]
		sum[m][1] += typ.Values[2*i+1]
		if typ.SeedShift[i] != strings.Contains(typ.Variant[i], "iso_5p") {
			t.Errorf("type %s: seed shift %v", typ.Features[i], typ.SeedShift[i])
		}
	}
	for f, feat := range r.Features {
		for si, s := range samples {
			var got int64
			if sum[feat.Name] != nil {
				got = sum[feat.Name][si]
			}
			if got != s.Mature[f] {
				t.Errorf("%s %s: type rows sum to %d, mature %d", feat.Name, s.Name, got, s.Mature[f])
			}
		}
	}
	var tab bytes.Buffer
	if err := WriteIsomirCounts(&tab, samples); err != nil {
		t.Fatal(err)
	}
	nonzero := 0
	for _, l := range strings.Split(strings.TrimSpace(tab.String()), "\n")[1:] {
		if c := strings.Split(l, "\t"); c[4] != "0" || c[5] != "0" {
			nonzero++
		}
	}
	if len(iso.Features) != nonzero {
		t.Errorf("%d isomiR rows, isomir_counts.tsv has %d with a count", len(iso.Features), nonzero)
	}
	iso10, _, _ := IsomirMatrices(samples, IsomirFilter{MinCount: 10, MinSamples: 2})
	for i := range iso10.Features {
		if iso10.Values[2*i] < 10 || iso10.Values[2*i+1] < 10 {
			t.Errorf("row %s under the threshold", iso10.Features[i])
		}
	}
	for i := range iso.Features { // and every row over it is kept
		if iso.Values[2*i] >= 10 && iso.Values[2*i+1] >= 10 && !slices.Contains(iso10.Features, iso.Features[i]) {
			t.Errorf("row %s over the threshold dropped", iso.Features[i])
		}
	}
	if len(iso10.Features) >= len(iso.Features) {
		t.Errorf("threshold 10 kept %d of %d rows", len(iso10.Features), len(iso.Features))
	}
}

// TestIsomirTypeFilter: the filtered type rows (summed sparsely until they
// may pass) equal the unfiltered rows that pass the filter, on random
// samples and several filters.
func TestIsomirTypeFilter(t *testing.T) {
	r := embeddedHsa(t)
	rng := rand.New(rand.NewPCG(7, 8))
	pool, pasg := isomirPool(rng, 120)
	var samples []*Sample
	for _, n := range []string{"a", "b", "c", "d"} {
		s, _, _, _ := randomIsomirSample(r, rng, n, Options{}, pool, pasg)
		samples = append(samples, s)
	}
	_, all, err := IsomirMatrices(samples, IsomirFilter{})
	if err != nil {
		t.Fatal(err)
	}
	ns := len(samples)
	for _, f := range []IsomirFilter{{MinCount: 1, MinSamples: 1}, {MinCount: 3, MinSamples: 2}, {MinCount: 10, MinSamples: 3}, {MinCount: 50, MinSamples: 4}} {
		_, got, err := IsomirMatrices(samples, f)
		if err != nil {
			t.Fatal(err)
		}
		var want []string
		var wantVals []int64
		for i := range all.Features {
			row := all.Values[i*ns : (i+1)*ns]
			if f.keep(row) {
				want = append(want, all.Features[i])
				wantVals = append(wantVals, row...)
			}
		}
		if !slices.Equal(got.Features, want) || !slices.Equal(got.Values, wantVals) {
			t.Errorf("filter %+v: %d type rows, want %d (or values differ)", f, len(got.Features), len(want))
		}
		if len(want) == 0 || len(want) == len(all.Features) {
			t.Logf("filter %+v keeps %d of %d rows", f, len(want), len(all.Features))
		}
	}
}
