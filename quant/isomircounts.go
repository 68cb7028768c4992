package quant

import (
	"cmp"
	"fmt"
	"io"
	"math"
	"slices"
	"sort"
)

// credit is what one miRNA insert added to the mature tally: its count
// (reads, or the molecules it added) and its candidates (one feature, or
// an ambiguous group). Its placements are Builder.isomirs[first:] up to
// the next credit's first.
type credit struct {
	first   int
	n       float64
	group   *ambiguous
	feature int32
}

// isomirCounts sets Primary and Expr of every placement of s: each miRNA
// insert's count is shared among its features as the mature counts share
// it (the whole count for one feature; n · w_c / Σ w over an ambiguous
// group, the weights EM converged to; nothing with MultiUnique), and the
// shares of each feature are rounded by largest remainder (ties to the
// earlier insert) to sum to exactly Sample.Mature of the feature.
func (b *Builder) isomirCounts(s *Sample, weights []float64) {
	type entry struct {
		feature int32
		iso     int32
		x       float64
	}
	entries := make([]entry, 0, len(b.credits))
	for k, cr := range b.credits {
		end := len(b.isomirs)
		if k+1 < len(b.credits) {
			end = b.credits[k+1].first
		}
		isos := b.isomirs[cr.first:end]
		for i := range isos {
			f := isos[i].Feature
			// The primary placement of f: the first in GFF order.
			prim := i
			seen := false
			for j := range isos {
				if isos[j].Feature != f {
					continue
				}
				if j < i {
					seen = true
					break
				}
				if compareIsomir(&isos[j], &isos[prim]) < 0 {
					prim = j
				}
			}
			if seen {
				continue // f handled at its first placement
			}
			isos[prim].Primary = true
			var x float64
			switch {
			case cr.group == nil:
				x = cr.n
			case weights != nil:
				x = share(cr.n, cr.group.cands, weights, f)
			}
			entries = append(entries, entry{f, int32(cr.first + prim), x})
		}
	}
	slices.SortStableFunc(entries, func(a, b entry) int { return int(a.feature) - int(b.feature) })
	var xs []float64
	for lo := 0; lo < len(entries); {
		hi := lo
		for hi < len(entries) && entries[hi].feature == entries[lo].feature {
			hi++
		}
		xs = xs[:0]
		for _, e := range entries[lo:hi] {
			xs = append(xs, e.x)
		}
		out := apportion(s.Mature[entries[lo].feature], xs)
		for k, e := range entries[lo:hi] {
			b.isomirs[e.iso].Expr = out[k]
		}
		lo = hi
	}
}

// apportion rounds xs to non-negative integers summing to target, by
// largest remainder (ties to the lower index) from the floors; should the
// floors overshoot target (float error in Σ xs), the smallest remainders
// give back first.
func apportion(target int64, xs []float64) []int64 {
	out := make([]int64, len(xs))
	rem := make([]float64, len(xs))
	var sum int64
	for i, x := range xs {
		f := math.Floor(x + 1e-9)
		out[i] = int64(f)
		rem[i] = x - f
		sum += out[i]
	}
	order := make([]int, len(xs))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int {
		switch {
		case rem[a] > rem[b]:
			return -1
		case rem[a] < rem[b]:
			return 1
		}
		return 0
	})
	for need := target - sum; need > 0 && len(order) > 0; {
		for _, i := range order {
			if need == 0 {
				break
			}
			out[i]++
			need--
		}
	}
	for need := sum - target; need > 0; {
		took := false
		for k := len(order) - 1; k >= 0 && need > 0; k-- {
			if i := order[k]; out[i] > 0 {
				out[i]--
				need--
				took = true
			}
		}
		if !took {
			break
		}
	}
	return out
}

// WriteIsomirCounts writes the isomiR count table of samples (sharing one
// reference): a header "uid read mirna variant" then one column per
// sample, and one row per (read, mature) over the samples, in GFF order of
// the read's primary placement on that mature. A value is the read's
// count on that mature in that sample after the multi-mapping rule and
// rounding (Isomir.Expr), so the column sums of one mature's rows are
// exactly its row of the count matrix (Sample.Mature). variant is the
// read's variant at its primary placement; uid is UID(read).
func WriteIsomirCounts(w io.Writer, samples []*Sample) error {
	if len(samples) == 0 {
		return fmt.Errorf("%w: no samples for the isomiR table", ErrBadOption)
	}
	names := make([]string, len(samples))
	for i, s := range samples {
		if s.Ref != samples[0].Ref {
			return fmt.Errorf("%w: %s and %s", ErrSampleMismatch, samples[0].Name, s.Name)
		}
		names[i] = s.Name
	}
	return WriteIsomirRows(w, samples[0].Ref, names, SampleIsomirRows(samples))
}

// mergeIsomirs calls emit for every distinct placement over the samples
// (primary ones only when primary is set) in GFF order, with its Expr in
// each sample (0 where the sample lacks it). iso is valid during the call.
func mergeIsomirs(samples []*Sample, primary bool, emit func(iso *Isomir, expr []int64)) error {
	orders := isomirOrders(samples, primary)
	heads := make([]int, len(samples))
	expr := make([]int64, len(samples))
	var cur Isomir // one copy for all the calls (emit's &cur escapes)
	for {
		min := minHead(samples, orders, heads)
		if min == nil {
			return nil
		}
		cur = *min
		for si, s := range samples {
			expr[si] = 0
			for heads[si] < len(orders[si]) {
				iso := &s.Isomirs[orders[si][heads[si]]]
				if compareIsomir(iso, &cur) != 0 {
					break
				}
				expr[si] += iso.Expr
				heads[si]++
			}
		}
		emit(&cur, expr)
	}
}

// minHead is the smallest placement (compareIsomir) at the heads of the
// samples' sorted orders, nil when every order is used up: a linear scan,
// as studies merged in memory have few samples.
func minHead(samples []*Sample, orders [][]int32, heads []int) *Isomir {
	var min *Isomir
	for si, s := range samples {
		if heads[si] < len(orders[si]) {
			if iso := &s.Isomirs[orders[si][heads[si]]]; min == nil || compareIsomir(iso, min) < 0 {
				min = iso
			}
		}
	}
	return min
}

// DefaultIsomirSkew is the default Options.IsomirSkew.
const DefaultIsomirSkew = 1.0 / 50

// foldErrors moves, within each mature, the count of every read that
// differs by one base (a substitution or an N, same length) from a read
// with at least 1/skew times its count in the sample, and has the same
// shifts and 3' addition length (a trimmed read with an added base, e.g.
// iso_3p:-1,iso_add3p:1, is an isomiR, not an error), onto that read, as
// UNOISE (Edgar 2016, bioRxiv 081257) treats amplicon errors: reads are
// taken by decreasing count; each either joins the most abundant earlier
// kept read one base away whose count is ≥ its own / skew, or is kept.
// Per-base sequencing error rates (0.1–1%) make such a read's expected
// count well under 1/50 of its parent, whereas SNV isomiRs (editing, true
// variants) worth reporting are usually far above. It returns the reads
// moved. Only primary placements hold counts (isomirCounts), so the
// per-mature sums do not change.
func foldErrors(isos []Isomir, skew float64) int64 {
	if skew <= 0 {
		return 0
	}
	var idx []int32
	for i := range isos {
		if isos[i].Primary && isos[i].Expr > 0 {
			idx = append(idx, int32(i))
		}
	}
	sortFoldOrder(isos, idx)
	var moved int64
	kept := map[string]int32{} // sequence → kept placement, within one feature
	// The kept placements of the feature by decreasing count: those that
	// can absorb a read (count ≥ its own / skew) are a prefix, usually a
	// few, compared directly instead of looking up the read's 3·len
	// one-base neighbours. pos is each one's place in list, shadowed marks
	// those whose sequence was kept again later (the map holds the last).
	var list []int32
	pos := make([]int32, len(isos))
	var shadowed []bool
	var buf []byte
	for lo := 0; lo < len(idx); {
		hi := lo
		for hi < len(idx) && isos[idx[hi]].Feature == isos[idx[lo]].Feature {
			hi++
		}
		clear(kept)
		for _, k := range list {
			if shadowed != nil {
				shadowed[k] = false
			}
		}
		list = list[:0]
		for _, i := range idx[lo:hi] {
			c := &isos[i]
			best := int32(-1)
			ce := float64(c.Expr)
			// Processed reads come in decreasing count and kept ones only
			// grow, so list stays sorted and the parents are a prefix.
			n := sort.Search(len(list), func(j int) bool { return !(ce <= skew*float64(isos[list[j]].Expr)) })
			if n <= 4*len(c.Seq) {
				for _, k := range list[:n] {
					if (shadowed == nil || !shadowed[k]) && sameShape(c.Variant, isos[k].Variant) && oneBaseAway(c.Seq, isos[k].Seq) &&
						(best < 0 || isos[k].Expr > isos[best].Expr || (isos[k].Expr == isos[best].Expr && compareIsomir(&isos[k], &isos[best]) < 0)) {
						best = k
					}
				}
			} else {
				buf = append(buf[:0], c.Seq...)
				for p := range buf {
					orig := buf[p]
					for _, b := range []byte("ACGT") {
						if b == orig {
							continue
						}
						buf[p] = b
						if k, ok := kept[string(buf)]; ok && ce <= skew*float64(isos[k].Expr) && sameShape(c.Variant, isos[k].Variant) {
							if best < 0 || isos[k].Expr > isos[best].Expr || (isos[k].Expr == isos[best].Expr && compareIsomir(&isos[k], &isos[best]) < 0) {
								best = k
							}
						}
					}
					buf[p] = orig
				}
			}
			if best < 0 {
				if old, ok := kept[c.Seq]; ok {
					if shadowed == nil {
						shadowed = make([]bool, len(isos))
					}
					shadowed[old] = true
				}
				kept[c.Seq] = i
				pos[i] = int32(len(list))
				list = append(list, i)
				continue
			}
			moved += c.Expr
			isos[best].Expr += c.Expr
			c.Expr = 0
			// Restore the order of list: best moves up past smaller counts.
			for j := pos[best]; j > 0 && isos[list[j-1]].Expr < isos[best].Expr; j-- {
				prev := list[j-1]
				list[j-1], list[j] = best, prev
				pos[best], pos[prev] = j-1, j
			}
		}
		lo = hi
	}
	return moved
}

// sortFoldOrder sorts idx by feature, decreasing count, then GFF order
// (compareIsomir), deciding most comparisons on integer keys as
// isomirOrder does.
func sortFoldOrder(isos []Isomir, idx []int32) {
	type keyed struct {
		f    int32
		e    int64
		k, s uint64
		i    int32
	}
	keys := make([]keyed, len(idx))
	packable := true
	for j, i := range idx {
		iso := &isos[i]
		h, st, l := uint64(iso.Hairpin), uint64(iso.Start), uint64(len(iso.Seq))
		if iso.Hairpin < 0 || iso.Start < 0 || h >= 1<<24 || st >= 1<<24 || l >= 1<<16 {
			packable = false
		}
		keys[j] = keyed{iso.Feature, iso.Expr, h<<40 | st<<16 | l, seqPrefixKey(iso.Seq), i}
	}
	slices.SortFunc(keys, func(a, b keyed) int {
		switch {
		case a.f != b.f:
			return cmp.Compare(a.f, b.f)
		case a.e != b.e:
			return cmp.Compare(b.e, a.e)
		case !packable:
		case a.k != b.k:
			return cmp.Compare(a.k, b.k)
		case a.s != b.s && a.s != 0 && b.s != 0:
			return cmp.Compare(a.s, b.s)
		}
		return compareIsomir(&isos[a.i], &isos[b.i])
	})
	for j, k := range keys {
		idx[j] = k.i
	}
}

// oneBaseAway reports whether a and b have the same length and differ at
// exactly one position, where b holds A, C, G or T: b is then one of the
// neighbours of a that foldErrors looks for.
func oneBaseAway(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	d := -1
	for p := 0; p < len(a); p++ {
		if a[p] != b[p] {
			if d >= 0 {
				return false
			}
			d = p
		}
	}
	if d < 0 {
		return false
	}
	switch b[d] {
	case 'A', 'C', 'G', 'T':
		return true
	}
	return false
}

// sameShape reports whether a and b have the same shifts and 3' addition
// length (SNVs may differ).
func sameShape(a, b Variant) bool {
	return a.Shift5 == b.Shift5 && a.Shift3 == b.Shift3 && a.Add3p == b.Add3p
}
