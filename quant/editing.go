package quant

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"

	"gonum.org/v1/gonum/mathext"
)

// A-to-I editing
//
// ADAR turns adenosine into inosine, read as G. For each mature and each
// position where the mature has an A, a sample's reads placed on that
// mature give covering = reads with A or G there and edited = reads with
// G. The sample's A→G background is the G share over all its A positions
// (after leaving out the sites found edited in a first pass, so that a
// strongly edited site does not raise it), p0 = (ΣG + 0.5) / (Σcovering + 1).
// A site with covering >= MinCoverage is tested one-sided,
//
//	p = P(X >= edited),  X ~ Binomial(covering, p0)  = I_p0(edited, covering − edited + 1)
//
// and the p-values of a sample's tested sites are adjusted by
// Benjamini–Hochberg; a site is edited when its adjusted p is below Alpha
// and its level at least MinLevel (1%). A read placed on several (feature, hairpin) pairs
// adds 1/Hits at each, so a read of a multi-copy miRNA counts once.

// EditingOptions set the editing scan; the zero value means defaults.
type EditingOptions struct {
	// MinCoverage is the fewest covering reads for a site to be tested
	// and reported (0 = DefaultEditMinCoverage).
	MinCoverage int
	// Alpha is the BH-adjusted p-value below which a site is edited
	// (0 = DefaultEditAlpha).
	Alpha float64
	// MinLevel is the smallest edited share for a site to be called (0 =
	// DefaultEditMinLevel): at coverages of thousands, sequencing errors
	// that rise along the read make 3' positions exceed the sample-wide
	// background by a fraction of a percent.
	MinLevel float64
}

// Editing defaults.
const (
	DefaultEditMinCoverage = 50
	DefaultEditAlpha       = 0.05
	DefaultEditMinLevel    = 0.01
)

func (o *EditingOptions) defaults() (int, float64, float64) {
	minCov, alpha, minLevel := DefaultEditMinCoverage, DefaultEditAlpha, DefaultEditMinLevel
	if o != nil && o.MinCoverage > 0 {
		minCov = o.MinCoverage
	}
	if o != nil && o.Alpha > 0 {
		alpha = o.Alpha
	}
	if o != nil && o.MinLevel > 0 {
		minLevel = o.MinLevel
	}
	return minCov, alpha, minLevel
}

// EditSite is one row of editing.tsv.
type EditSite struct {
	Feature  int // index in Reference.Features
	Position int // 1-based in the mature
	Sample   int // index in the samples given to Editing
	Edited   int64
	Covering int64
	Level    float64 // Edited / Covering
	PAdj     float64
}

type siteKey struct{ f, p int32 }

// siteCounts are one sample's A positions: covering and edited (G) reads.
type siteCounts struct {
	cov, ed map[siteKey]float64
}

func editingCounts(s *Sample) siteCounts {
	c := siteCounts{cov: map[siteKey]float64{}, ed: map[siteKey]float64{}}
	ref := s.Ref
	for i := range s.Isomirs {
		iso := &s.Isomirs[i]
		if iso.Hits <= 0 || int(iso.Hairpin) >= len(ref.Hairpins) || int(iso.Feature) >= len(ref.Features) {
			continue
		}
		hp := &ref.Hairpins[iso.Hairpin]
		m := &ref.Features[iso.Feature]
		// the mature's locus on this hairpin closest to the read
		lstart, best := -1, math.MaxInt
		for _, l := range hp.Loci {
			if int32(l.Feature) == iso.Feature {
				if d := absInt(l.Start - int(iso.Start)); d < best {
					lstart, best = l.Start, d
				}
			}
		}
		if lstart < 0 {
			continue
		}
		w := float64(iso.Count) / float64(iso.Hits)
		for hpos := int(iso.Start); hpos < int(iso.End); hpos++ {
			p := hpos - lstart
			ri := hpos - int(iso.Start)
			if p < 0 || p >= len(m.Seq) || ri >= len(iso.Seq) || m.Seq[p] != 'A' {
				continue
			}
			k := siteKey{iso.Feature, int32(p)}
			switch iso.Seq[ri] {
			case 'A':
				c.cov[k] += w
			case 'G':
				c.cov[k] += w
				c.ed[k] += w
			}
		}
	}
	return c
}

func absInt(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// binomUpper is P(X >= k) for X ~ Binomial(n, p).
func binomUpper(k, n int64, p float64) float64 {
	if k <= 0 {
		return 1
	}
	if k > n {
		return 0
	}
	return mathext.RegIncBeta(float64(k), float64(n-k+1), p)
}

// bhAdjust returns Benjamini–Hochberg adjusted p-values (R's p.adjust
// "BH").
func bhAdjust(p []float64) []float64 {
	n := len(p)
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return p[idx[a]] > p[idx[b]] })
	out := make([]float64, n)
	run := 1.0
	for r, i := range idx {
		rank := n - r
		run = math.Min(run, p[i]*float64(n)/float64(rank))
		out[i] = math.Min(1, run)
	}
	return out
}

type tested struct {
	k       siteKey
	ed, cov int64
	p, padj float64
	edited  bool
}

// testSample tests the sites of one sample with covering >= minCov.
func testSample(c siteCounts, minCov int, alpha, minLevel float64) map[siteKey]*tested {
	keys := make([]siteKey, 0, len(c.cov))
	for k := range c.cov {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(a, b int) bool {
		if keys[a].f != keys[b].f {
			return keys[a].f < keys[b].f
		}
		return keys[a].p < keys[b].p
	})
	out := map[siteKey]*tested{}
	var list []*tested
	for _, k := range keys {
		cov := int64(math.Round(c.cov[k]))
		if cov < int64(minCov) {
			continue
		}
		t := &tested{k: k, cov: cov, ed: int64(math.Round(c.ed[k]))}
		out[k] = t
		list = append(list, t)
	}
	run := func(exclude func(siteKey) bool) {
		var g, n float64
		for _, k := range keys {
			if exclude(k) {
				continue
			}
			g += c.ed[k]
			n += c.cov[k]
		}
		p0 := (g + 0.5) / (n + 1)
		ps := make([]float64, len(list))
		for i, t := range list {
			ps[i] = binomUpper(t.ed, t.cov, p0)
		}
		adj := bhAdjust(ps)
		for i, t := range list {
			t.p, t.padj = ps[i], adj[i]
			t.edited = adj[i] < alpha && float64(t.ed) >= minLevel*float64(t.cov)
		}
	}
	run(func(siteKey) bool { return false })
	first := map[siteKey]bool{}
	for k, t := range out {
		first[k] = t.edited
	}
	run(func(k siteKey) bool { return first[k] })
	return out
}

// EditTally is one tested A site of one sample (covering at least
// MinCoverage): what the study needs of a sample for editing.tsv, kept
// instead of its isomiRs.
type EditTally struct {
	Feature     int     `json:"f"` // index in Reference.Features
	Position    int     `json:"p"` // 1-based in the mature
	Edited      int64   `json:"e"`
	Covering    int64   `json:"c"`
	PAdj        float64 `json:"q"`
	Significant bool    `json:"s,omitempty"`
}

// EditingTallies tests the A sites of one sample and returns those with
// covering >= MinCoverage, ordered by feature and position.
func EditingTallies(s *Sample, o *EditingOptions) []EditTally {
	minCov, alpha, minLevel := o.defaults()
	per := testSample(editingCounts(s), minCov, alpha, minLevel)
	out := make([]EditTally, 0, len(per))
	for k, t := range per {
		out = append(out, EditTally{Feature: int(k.f), Position: int(k.p) + 1, Edited: t.ed, Covering: t.cov, PAdj: t.padj, Significant: t.edited})
	}
	sort.Slice(out, func(a, b int) bool {
		if out[a].Feature != out[b].Feature {
			return out[a].Feature < out[b].Feature
		}
		return out[a].Position < out[b].Position
	})
	return out
}

// CombineEditing returns the rows of editing.tsv from every sample's
// tallies (tallies[i] of sample i): for each site significant in at least
// one sample, one row per sample that has it, ordered by feature,
// position and sample.
func CombineEditing(tallies [][]EditTally) []EditSite {
	type fp struct{ f, p int }
	sig := map[fp]bool{}
	for _, ts := range tallies {
		for _, t := range ts {
			if t.Significant {
				sig[fp{t.Feature, t.Position}] = true
			}
		}
	}
	var out []EditSite
	for i, ts := range tallies {
		for _, t := range ts {
			if sig[fp{t.Feature, t.Position}] {
				out = append(out, EditSite{Feature: t.Feature, Position: t.Position, Sample: i,
					Edited: t.Edited, Covering: t.Covering, Level: float64(t.Edited) / float64(t.Covering), PAdj: t.PAdj})
			}
		}
	}
	sort.SliceStable(out, func(a, b int) bool {
		if out[a].Feature != out[b].Feature {
			return out[a].Feature < out[b].Feature
		}
		return out[a].Position < out[b].Position
	})
	return out
}

// Editing scans the samples (sharing one reference) for A-to-I editing
// and returns the rows of editing.tsv: for every site edited (BH-adjusted
// p below Alpha, level at least MinLevel) in at least one sample, one row
// per sample with covering >= MinCoverage, ordered by feature (reference
// order), position and sample. It is CombineEditing of the samples'
// EditingTallies.
func Editing(samples []*Sample, o *EditingOptions) ([]EditSite, error) {
	if len(samples) == 0 {
		return nil, nil
	}
	ref := samples[0].Ref
	tallies := make([][]EditTally, len(samples))
	for i, s := range samples {
		if s.Ref != ref {
			return nil, fmt.Errorf("%w: %s", ErrSampleMismatch, s.Name)
		}
		tallies[i] = EditingTallies(s, o)
	}
	return CombineEditing(tallies), nil
}

// WriteEditing writes editing.tsv: "mirna position sample edited covering
// level padj", level with 4 decimals, padj with 4 significant digits.
func WriteEditing(w io.Writer, samples []*Sample, sites []EditSite) error {
	bw := bufio.NewWriter(w)
	bw.WriteString("mirna\tposition\tsample\tedited\tcovering\tlevel\tpadj\n")
	for _, e := range sites {
		if len(samples) == 0 || e.Sample < 0 || e.Sample >= len(samples) || e.Feature < 0 || e.Feature >= len(samples[0].Ref.Features) {
			return fmt.Errorf("%w: editing site out of range", ErrBadOption)
		}
		fmt.Fprintf(bw, "%s\t%d\t%s\t%d\t%d\t%s\t%s\n", samples[0].Ref.Features[e.Feature].Name, e.Position,
			samples[e.Sample].Name, e.Edited, e.Covering, strconv.FormatFloat(e.Level, 'f', 4, 64), strconv.FormatFloat(e.PAdj, 'g', 4, 64))
	}
	return bw.Flush()
}
