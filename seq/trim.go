package seq

import (
	"bytes"
	"errors"
	"fmt"
	"math"
)

// ErrBadTrimOptions is returned (wrapped) by NewTrimmer for out-of-range
// options.
var ErrBadTrimOptions = errors.New("seq: invalid trim options")

// Defaults of TrimOptions, the same as cutadapt's (-e 0.1, -O 3).
const (
	DefaultMaxErrorRate = 0.1
	DefaultMinOverlap   = 3
)

// maxPlanes bounds the mismatch counters of the bit-parallel matcher: it
// handles adapters of at most 64 bases whose full-length match allows at
// most maxPlanes-1 mismatches; anything else takes the scalar path.
const maxPlanes = 8

// TrimOptions configures a Trimmer.
type TrimOptions struct {
	Kit          Kit     // adapter, clips, UMI layout
	MaxErrorRate float64 // 0 -> 0.1 (cutadapt's default)
	MinOverlap   int     // 0 -> 3: minimum partial adapter at the read end
}

// Trimmer removes a 3' adapter (and what follows it) from reads, then the
// kit's random bases, and extracts the UMI of UMI layouts.
//
// Matching follows cutadapt's 3' adapter (-a ADAPTER) without indels: the
// adapter may start at any read position p; its overlap with the read is
// L = min(len(adapter), len(read)-p) bases, which must be at least
// MinOverlap; the overlap may hold at most floor(MaxErrorRate*L)
// mismatches (an N in the read is a mismatch, an N in the adapter matches
// anything). Among acceptable positions the one with the highest score
// L - 2*mismatches (cutadapt 4's +1/-1 scoring) wins; ties go to the
// leftmost. The read is cut at p.
//
// A Trimmer is immutable after NewTrimmer and safe for concurrent use.
type Trimmer struct {
	none    bool   // kit "none": nothing to trim
	adapter []byte // normalized adapter (A, C, G, T, N)
	exact   bool   // adapter has no N: an exact bytes.Index hit is final
	bits    bool   // bit-parallel matcher usable
	planes  int    // mismatch counter planes: maxErr[len(adapter)]+1
	minOv   int
	maxErr  []int // maxErr[L] = floor(rate*L), L = 0..len(adapter)
	clip5   int
	clip3   int
	umiLen  int
	// mm[b] has bit j set when read byte b does not match adapter[j].
	mm [256]uint64
}

// TrimResult is the outcome of trimming one read. Its slices alias the
// input; they are valid as long as the input is.
type TrimResult struct {
	Insert       []byte // sub-slice of the input seq (after clips); may be empty
	InsertQual   []byte // matching sub-slice of qual (nil if qual nil)
	UMI          []byte // sub-slice of seq, nil without UMI layout
	AdapterFound bool   // adapter (or its partial prefix at the read end) was found
	UMIComplete  bool   // UMI layout: all UMILen bases present after the adapter
	// AdapterStart is the read position where the adapter starts
	// (len(seq) when none was found), before clips.
	AdapterStart int
}

// NewTrimmer checks the options, applies defaults and precomputes the
// matcher.
func NewTrimmer(o TrimOptions) (*Trimmer, error) {
	rate := o.MaxErrorRate
	if rate == 0 {
		rate = DefaultMaxErrorRate
	}
	if math.IsNaN(rate) || rate < 0 || rate >= 1 {
		return nil, fmt.Errorf("%w: MaxErrorRate %v not in [0,1)", ErrBadTrimOptions, o.MaxErrorRate)
	}
	minOv := o.MinOverlap
	if minOv == 0 {
		minOv = DefaultMinOverlap
	}
	if minOv < 0 {
		return nil, fmt.Errorf("%w: MinOverlap %d < 0", ErrBadTrimOptions, o.MinOverlap)
	}
	k := o.Kit
	if k.Clip5 < 0 || k.Clip3 < 0 || k.UMILen < 0 {
		return nil, fmt.Errorf("%w: negative clip or UMI length in kit %q", ErrBadTrimOptions, k.Name)
	}
	t := &Trimmer{clip5: k.Clip5, clip3: k.Clip3, umiLen: k.UMILen}
	ad := k.Adapter
	if k.PolyA && ad == "" {
		ad = polyATail
	}
	ad, err := normalizeAdapter(ad)
	if err != nil {
		return nil, err
	}
	if ad == "" {
		t.none = true
		t.umiLen = 0
		return t, nil
	}
	t.adapter = []byte(ad)
	a := len(ad)
	// cutadapt caps the minimum overlap at the adapter length.
	t.minOv = min(max(minOv, 1), a)
	t.maxErr = make([]int, a+1)
	for l := range t.maxErr {
		// The tiny slack keeps e.g. 0.1*30 = 3.0000000000000004 at 3.
		t.maxErr[l] = int(math.Floor(rate*float64(l) + 1e-9))
	}
	t.exact = bytes.IndexByte(t.adapter, 'N') < 0
	t.planes = t.maxErr[a] + 1
	t.bits = a <= 64 && t.planes <= maxPlanes
	for b := 0; b < 256; b++ {
		var m uint64
		for j := 0; j < a && j < 64; j++ {
			if !baseMatches(t.adapter[j], byte(b)) {
				m |= 1 << uint(j)
			}
		}
		t.mm[b] = m
	}
	return t, nil
}

// baseMatches reports whether read byte r matches adapter base a (N in the
// adapter matches anything; lower-case read bases are accepted).
func baseMatches(a, r byte) bool {
	if a == 'N' {
		return true
	}
	if 'a' <= r && r <= 'z' {
		r -= 'a' - 'A'
	}
	if r == 'U' {
		r = 'T'
	}
	return a == r
}

// Adapter returns the adapter the Trimmer searches for ("" when none).
func (t *Trimmer) Adapter() string { return string(t.adapter) }

// Trim trims one read. qual may be nil. It does not allocate.
func (t *Trimmer) Trim(seq, qual []byte) TrimResult {
	var r TrimResult
	end := len(seq)
	if !t.none {
		var found bool
		end, found = t.locate(seq)
		r.AdapterFound = found
		if t.umiLen > 0 && found {
			r.UMI, r.UMIComplete = t.umiAfter(seq, end)
		}
	}
	r.AdapterStart = end
	s, e := t.clip5, end-t.clip3
	if e < s {
		s, e = min(s, end), min(s, end)
	}
	r.Insert = seq[s:e:e]
	if qual != nil {
		qs, qe := min(s, len(qual)), min(e, len(qual))
		r.InsertQual = qual[qs:qe:qe]
	}
	return r
}

// locate returns the start of the best adapter match (len(s) and false when
// there is none).
func (t *Trimmer) locate(s []byte) (int, bool) {
	n := len(s)
	if n < t.minOv {
		return n, false
	}
	// An exact full-length occurrence has the highest possible score, and
	// the first one is the leftmost: it is the answer.
	if t.exact && n >= len(t.adapter) {
		if i := bytes.Index(s, t.adapter); i >= 0 {
			return i, true
		}
	}
	if t.bits {
		return t.locateBits(s)
	}
	return t.locateScalar(s)
}

// locateBits is a bit-parallel (shift-add, Baeza-Yates & Gonnet 1992)
// mismatch counter: after read position i, bit j of g[k] says that the
// alignment of adapter[0..j] ending at i has at least k mismatches.
func (t *Trimmer) locateBits(s []byte) (int, bool) {
	a := len(t.adapter)
	n := len(s)
	var g [maxPlanes + 1]uint64
	kp := t.planes
	top := uint64(1) << uint(a-1)
	fullLimit := t.maxErr[a] + 1 // plane that must be clear at the top bit
	bestPos, bestScore := n, math.MinInt
	for i := 0; i < n; i++ {
		x := t.mm[s[i]]
		for k := kp; k >= 2; k-- {
			g[k] = g[k]<<1 | (g[k-1]<<1)&x
		}
		g[1] = g[1]<<1 | x
		if i >= a-1 && g[fullLimit]&top == 0 {
			m := 0
			for k := 1; k < fullLimit && g[k]&top != 0; k++ {
				m++
			}
			if sc := a - 2*m; sc > bestScore {
				bestScore, bestPos = sc, i-a+1
				if m == 0 {
					return bestPos, true // maximal score, leftmost
				}
			}
		}
	}
	// Partial adapters running off the read end: L = a-1 ... minOv, i.e.
	// start positions from left to right.
	for l := min(a-1, n); l >= t.minOv; l-- {
		bit := uint64(1) << uint(l-1)
		lim := t.maxErr[l] + 1
		if g[lim]&bit != 0 {
			continue
		}
		m := 0
		for k := 1; k < lim && g[k]&bit != 0; k++ {
			m++
		}
		if sc := l - 2*m; sc > bestScore {
			bestScore, bestPos = sc, n-l
		}
	}
	return bestPos, bestScore != math.MinInt
}

// locateScalar is the plain loop used for adapters the bit-parallel
// matcher cannot hold (longer than 64 bases, or many allowed errors).
func (t *Trimmer) locateScalar(s []byte) (int, bool) {
	a := len(t.adapter)
	n := len(s)
	bestPos, bestScore := n, math.MinInt
	for p := 0; p+t.minOv <= n; p++ {
		l := min(a, n-p)
		lim := t.maxErr[l]
		m := 0
		for j := 0; j < l && m <= lim; j++ {
			if !baseMatches(t.adapter[j], s[p+j]) {
				m++
			}
		}
		if m > lim {
			continue
		}
		if sc := l - 2*m; sc > bestScore {
			bestScore, bestPos = sc, p
		}
	}
	return bestPos, bestScore != math.MinInt
}
