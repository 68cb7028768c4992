package quant

import (
	"cmp"
	"slices"
	"strconv"
)

// Default assignment windows, in nt: a hit belongs to a mature when its
// 5' end lies within ±Window5 of the mature's first base and its templated
// 3' end within ±Window3 of the mature's last base (miRDeep2's quantifier
// uses 2 upstream / 5 downstream, mirtop accepts similar shifts).
const (
	DefaultWindow5 = 3
	DefaultWindow3 = 5
)

// Hit is one ungapped alignment of an insert on a hairpin, in hairpin
// coordinates. The insert's first Len bases are templated and align at
// Pos; its last Tail bases are untemplated 3' additions (so the insert is
// Len+Tail long). Mismatches are recomputed by Assign from the sequences.
type Hit struct {
	Hairpin int32 // index in Reference.Hairpins
	Pos     int32 // 0-based
	Len     int32
	Tail    int8
}

// Kind is what an insert turned out to be.
type Kind uint8

// Kinds of assignment.
const (
	Unmapped    Kind = iota // no hit
	Mirna                   // on a mature arm of at least one hairpin
	HairpinOnly             // on hairpins, but on no mature arm
	OtherRNA                // on an other-class sequence only
	Spikein                 // on a spike-in sequence (aligned before anything else)
)

// SNV classes by position in the mature (1-based), as in mirGFF3.
const (
	snvSeed          = 1 << iota // 2–7
	snvCentralOffset             // 8
	snvCentral                   // 9–12
	snvCentralSupp               // 13–17
	snvOther                     // elsewhere
)

// Variant is the isomiR description of a read relative to a mature, in
// mirGFF3 (miRTop v1.2) terms. Signs follow the spec: negative means
// upstream (towards the hairpin's 5' end), so Shift5 = -2 is a read
// starting 2 nt before the mature, Shift3 = +1 one ending 1 nt after it.
type Variant struct {
	Shift5 int   // iso_5p: read start − mature start
	Shift3 int   // iso_3p: templated read end − mature end
	Add3p  int   // iso_add3p: untemplated 3' bases
	SNV    uint8 // bit set of SNV classes (iso_snv_seed, …)
}

// IsRef reports whether the read is exactly the reference mature.
func (v Variant) IsRef() bool { return v == Variant{} }

// String formats the variant as a mirGFF3 Variant attribute: "NA" for the
// reference, otherwise e.g. "iso_5p:-1,iso_3p:+2,iso_add3p:1,iso_snv_seed".
func (v Variant) String() string { return string(appendVariant(nil, v)) }

// snvNames are the SNV classes' names, in output order.
var snvNames = [...]struct {
	bit  uint8
	name string
}{{snvSeed, "iso_snv_seed"}, {snvCentralOffset, "iso_snv_central_offset"}, {snvCentral, "iso_snv_central"}, {snvCentralSupp, "iso_snv_central_supp"}, {snvOther, "iso_snv"}}

// appendVariant appends v.String() to b without allocating (the GFF
// writer formats one per line).
func appendVariant(b []byte, v Variant) []byte {
	if v.IsRef() {
		return append(b, "NA"...)
	}
	start := len(b)
	sep := func() {
		if len(b) > start {
			b = append(b, ',')
		}
	}
	signed := func(n int) {
		if n > 0 {
			b = append(b, '+')
		}
		b = strconv.AppendInt(b, int64(n), 10)
	}
	if v.Shift5 != 0 {
		sep()
		b = append(b, "iso_5p:"...)
		signed(v.Shift5)
	}
	if v.Shift3 != 0 {
		sep()
		b = append(b, "iso_3p:"...)
		signed(v.Shift3)
	}
	if v.Add3p != 0 {
		sep()
		b = append(b, "iso_add3p:"...)
		b = strconv.AppendInt(b, int64(v.Add3p), 10)
	}
	for _, s := range snvNames {
		if v.SNV&s.bit != 0 {
			sep()
			b = append(b, s.name...)
		}
	}
	return b
}

// Placement is an insert placed on a hairpin, and on a mature of it when
// Feature >= 0.
type Placement struct {
	Feature int32 // index in Reference.Features, -1 for hairpin-only
	Hairpin int32
	Start   int32 // 0-based first templated base on the hairpin
	End     int32 // exclusive end of the templated part
	Tail    int8
	Variant Variant // relative to the mature (zero when Feature < 0)
}

// Assignment is the outcome of Assign for one insert.
type Assignment struct {
	Kind Kind
	// Placements: for Mirna, the best placements on mature features (one
	// per feature and hairpin); for HairpinOnly, one per hit.
	Placements []Placement
	// Class is the other-RNA class (index in Reference.Classes) for
	// OtherRNA, else -1.
	Class int
	// Others are the insert's best hits on the sequences of Class
	// (Hit.Hairpin indexes Reference.Others), set by Quantify.
	Others []Hit
	// Spikes are the spike-ins (indexes in Reference.Spikeins) of a
	// Spikein assignment.
	Spikes []int32
}

// Features returns the distinct features of a Mirna assignment, sorted.
func (a *Assignment) Features() []int32 {
	return appendDistinct(nil, a.Placements, func(p Placement) int32 { return p.Feature })
}

// HairpinSet returns the distinct hairpins of the placements, sorted.
func (a *Assignment) HairpinSet() []int32 {
	return appendDistinct(nil, a.Placements, func(p Placement) int32 { return p.Hairpin })
}

// appendDistinct returns the distinct keys of ps, sorted, in dst's storage.
func appendDistinct(dst []int32, ps []Placement, key func(Placement) int32) []int32 {
	out := dst[:0]
	for _, p := range ps {
		out = append(out, key(p))
	}
	slices.Sort(out)
	n := 0
	for i, v := range out {
		if i == 0 || v != out[n-1] {
			out[n] = v
			n++
		}
	}
	return out[:n]
}

// Assigner turns hits of an insert into an Assignment. It is safe for
// concurrent use.
type Assigner struct {
	ref    *Reference
	w5, w3 int
}

// AssignerOptions are the settings of NewAssigner. The zero value means
// the defaults; the windows are pointers because 0 (exact ends) is a real
// setting.
type AssignerOptions struct {
	// Window5 and Window3 are the most a read end may lie from the mature
	// end (nil = DefaultWindow5 and DefaultWindow3).
	Window5, Window3 *int
}

// NewAssigner returns an assigner of hits on ref with the windows of o.
func NewAssigner(ref *Reference, o AssignerOptions) *Assigner {
	w5, w3 := DefaultWindow5, DefaultWindow3
	if o.Window5 != nil {
		w5 = *o.Window5
	}
	if o.Window3 != nil {
		w3 = *o.Window3
	}
	return &Assigner{ref: ref, w5: w5, w3: w3}
}

// Assign places insert, given its best hits on hairpins and the classes of
// its best hits on other-class sequences (hits should form one stratum:
// equally good alignments). Hits outside their hairpin are ignored.
//
// Rules: a hit lies on a mature when |Shift5| <= w5 and |Shift3| <= w3.
// Only the features whose closest placement has the smallest
// |Shift5|+|Shift3| over all hits are kept (so a read equal to one mature
// is not also a shifted isomiR of a nested or overlapping one), each with
// its closest placement on every hairpin where it lies within the
// windows; the kept features are the insert's candidate set, ambiguous
// when it names several features (or several hairpins).
// Without a mature placement the insert is HairpinOnly when it has a
// hairpin hit; otherwise OtherRNA (the lowest class index wins) or
// Unmapped.
func (a *Assigner) Assign(insert []byte, hits []Hit, otherClasses []int) Assignment {
	return a.assign(insert, hits, otherClasses, nil)
}

// assignScratch is one goroutine's working space for Assigner.assign:
// the candidate lists, reused, and an arena the returned placements are
// cut from (a new block when full, never regrown, so that earlier
// assignments keep theirs).
type assignScratch struct {
	hairpin, out []Placement
	mature       []scored
	arena        []Placement
}

// keep returns ps copied into the arena.
func (sc *assignScratch) keep(ps []Placement) []Placement {
	if cap(sc.arena)-len(sc.arena) < len(ps) {
		sc.arena = make([]Placement, 0, max(1024, len(ps)))
	}
	start := len(sc.arena)
	sc.arena = append(sc.arena, ps...)
	return sc.arena[start:len(sc.arena):len(sc.arena)]
}

// assign is Assign; with sc it allocates no more than the arena blocks.
func (a *Assigner) assign(insert []byte, hits []Hit, otherClasses []int, sc *assignScratch) Assignment {
	var hairpin, out []Placement
	var mature []scored
	if sc != nil {
		hairpin, mature, out = sc.hairpin[:0], sc.mature[:0], sc.out[:0]
		defer func() { sc.hairpin, sc.mature, sc.out = hairpin[:0], mature[:0], out[:0] }()
	}
	best := -1
	for _, h := range hits {
		if h.Hairpin < 0 || int(h.Hairpin) >= len(a.ref.Hairpins) {
			continue
		}
		hp := &a.ref.Hairpins[h.Hairpin]
		start, end := int(h.Pos), int(h.Pos)+int(h.Len)
		if start < 0 || h.Len <= 0 || end > len(hp.Seq) || int(h.Len)+int(h.Tail) != len(insert) || h.Tail < 0 {
			continue
		}
		hairpin = append(hairpin, Placement{Feature: -1, Hairpin: h.Hairpin, Start: int32(start), End: int32(end), Tail: h.Tail})
		// Loci are sorted by Start; scan those whose start is in the window.
		for _, l := range hp.Loci {
			if l.Start > start+a.w5 {
				break
			}
			d5, d3 := start-l.Start, end-l.End
			if abs(d5) > a.w5 || abs(d3) > a.w3 {
				continue
			}
			d := abs(d5) + abs(d3)
			if best < 0 || d < best {
				best = d
			}
			v := Variant{Shift5: d5, Shift3: d3, Add3p: int(h.Tail)}
			for i := 0; i < int(h.Len); i++ {
				if insert[i] != hp.Seq[start+i] {
					v.SNV |= snvClass(start + i - l.Start + 1)
				}
			}
			mature = append(mature, scored{Placement{Feature: int32(l.Feature), Hairpin: h.Hairpin, Start: int32(start), End: int32(end), Tail: h.Tail, Variant: v}, d})
		}
	}
	switch {
	case len(mature) > 0:
		out = selectFeatures(out[:0], mature, best)
		if sc == nil {
			return Assignment{Kind: Mirna, Placements: out, Class: -1}
		}
		return Assignment{Kind: Mirna, Placements: sc.keep(out), Class: -1}
	case len(hairpin) > 0:
		sortPlacements(hairpin)
		ps := dedupe(hairpin)
		if sc == nil {
			return Assignment{Kind: HairpinOnly, Placements: ps, Class: -1}
		}
		return Assignment{Kind: HairpinOnly, Placements: sc.keep(ps), Class: -1}
	case len(otherClasses) > 0:
		c := otherClasses[0]
		for _, x := range otherClasses {
			if x < c {
				c = x
			}
		}
		return Assignment{Kind: OtherRNA, Class: c}
	}
	return Assignment{Kind: Unmapped, Class: -1}
}

// scored is a mature placement with its distance |Δ5|+|Δ3|.
type scored struct {
	p Placement
	d int
}

// selectFeatures appends to out the features whose closest placement is at
// distance best, with all their placements (the closest per hairpin): a
// feature on several hairpins may sit at different distances on them, e.g.
// an A that is templated on one hairpin and an untemplated addition on
// another.
func selectFeatures(out []Placement, ms []scored, best int) []Placement {
	slices.SortFunc(ms, func(a, b scored) int {
		switch {
		case a.p.Feature != b.p.Feature:
			return cmp.Compare(a.p.Feature, b.p.Feature)
		case a.p.Hairpin != b.p.Hairpin:
			return cmp.Compare(a.p.Hairpin, b.p.Hairpin)
		case a.d != b.d:
			return cmp.Compare(a.d, b.d)
		}
		return cmp.Compare(a.p.Start, b.p.Start)
	})
	if out == nil {
		out = make([]Placement, 0, len(ms))
	}
	for i := 0; i < len(ms); {
		j, fbest := i, ms[i].d
		for j < len(ms) && ms[j].p.Feature == ms[i].p.Feature {
			fbest = min(fbest, ms[j].d)
			j++
		}
		if fbest == best {
			for k := i; k < j; k++ {
				if k == i || ms[k].p.Hairpin != ms[k-1].p.Hairpin {
					out = append(out, ms[k].p)
				}
			}
		}
		i = j
	}
	return out
}

// snvClass maps a 1-based position in the mature to its SNV class.
func snvClass(pos int) uint8 {
	switch {
	case pos >= 2 && pos <= 7:
		return snvSeed
	case pos == 8:
		return snvCentralOffset
	case pos >= 9 && pos <= 12:
		return snvCentral
	case pos >= 13 && pos <= 17:
		return snvCentralSupp
	}
	return snvOther
}

func sortPlacements(ps []Placement) {
	slices.SortFunc(ps, func(a, b Placement) int {
		switch {
		case a.Feature != b.Feature:
			return cmp.Compare(a.Feature, b.Feature)
		case a.Hairpin != b.Hairpin:
			return cmp.Compare(a.Hairpin, b.Hairpin)
		}
		return cmp.Compare(a.Start, b.Start)
	})
}

// dedupe keeps the first placement of each (feature, hairpin) pair of a
// sorted slice.
func dedupe(ps []Placement) []Placement {
	n := 0
	for i, p := range ps {
		if i > 0 && p.Feature == ps[n-1].Feature && p.Hairpin == ps[n-1].Hairpin {
			continue
		}
		ps[n] = p
		n++
	}
	return ps[:n]
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}
