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
	// NoIndels restricts matching to mismatches (cutadapt --no-indels).
	// By default one or more insertions or deletions count as errors too,
	// like cutadapt's default.
	NoIndels bool
}

// Trimmer removes a 3' adapter (and what follows it) from reads, then the
// kit's random bases, and extracts the UMI of UMI layouts.
//
// Matching follows cutadapt's 3' adapter (-a ADAPTER, cutadapt 4): the
// adapter starts with its first base at some read position p and either
// ends inside the read or runs off the read end; an alignment of l adapter
// bases is acceptable with at most floor(MaxErrorRate*l) errors
// (mismatches, and unless NoIndels, insertions and deletions) and
// l >= MinOverlap. An N in the read is a mismatch, an N in the adapter
// matches anything. Among acceptable alignments the best score wins (+1
// match, -1 mismatch, -2 indel), ties to the leftmost start; the read is
// cut at p. Without indels the overlap at p is simply
// l = min(len(adapter), len(read)-p) and the score l - 2*mismatches.
// docs/adapters.md describes the fast paths (exact search, pigeonhole
// seeds, banded alignment only where it can win).
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
	// Seeds (pigeonhole): any acceptable alignment with c >= 1 edits, or
	// with at least l1 adapter bases, holds one of the pieces exactly.
	pieces []piece
	seeded bool // the seeded search is usable (pieces of 4+ bases, no N)
	l1     int  // least overlap allowing one error (len(adapter)+1 if none)
	indels bool // also try alignments with insertions and deletions
	// mm[b] has bit j set when read byte b does not match adapter[j].
	mm [256]uint64
}

// piece is an exact seed: adapter[off:off+len(seq)].
type piece struct {
	off int
	seq []byte
}

// minPiece is the shortest useful seed; shorter ones hit random reads too
// often, and the bit-parallel search is used instead.
const minPiece = 4

// setPieces prepares the pigeonhole seeds. An alignment with c edits needs
// at least lc adapter bases, the least l with maxErr[l] >= c; cut
// adapter[:lc] into c+1 pieces: each edit spoils at most one, so one
// survives untouched. Error-free matches of l1 or more bases hold every
// piece of adapter[:l1].
func (t *Trimmer) setPieces() {
	a := len(t.adapter)
	t.l1 = a + 1
	t.seeded = t.exact
	seen := map[[2]int]bool{}
	for c := 1; c <= t.maxErr[a]; c++ {
		lc := 0
		for l := 1; l <= a; l++ {
			if t.maxErr[l] >= c {
				lc = l
				break
			}
		}
		if c == 1 {
			t.l1 = lc
		}
		for q := 0; q <= c; q++ {
			lo, hi := q*lc/(c+1), (q+1)*lc/(c+1)
			if hi-lo < minPiece {
				t.seeded = false
			}
			if !seen[[2]int{lo, hi}] {
				seen[[2]int{lo, hi}] = true
				t.pieces = append(t.pieces, piece{off: lo, seq: t.adapter[lo:hi]})
			}
		}
	}
	// A piece that contains an earlier one at the same offset finds no
	// more starts: drop it ([0:6] after [0:5]).
	kept := t.pieces[:0]
	for _, p := range t.pieces {
		dup := false
		for _, k := range kept {
			if k.off == p.off && len(k.seq) <= len(p.seq) {
				dup = true
				break
			}
		}
		if !dup {
			kept = append(kept, p)
		}
	}
	t.pieces = kept
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
	t.indels = !o.NoIndels && a <= maxIndelAdapter
	t.setPieces()
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

// baseMatches reports whether read byte r matches adapter base a: equal
// bytes, or N in the adapter. Reads are expected in upper case, as
// FastqReader delivers them; any other byte (N, lower case) is a mismatch.
func baseMatches(a, r byte) bool {
	return a == r || a == 'N'
}

// Adapter returns the adapter the Trimmer searches for ("" when none).
func (t *Trimmer) Adapter() string { return string(t.adapter) }

// Trim trims one read. seq must be upper case (see baseMatches); qual may
// be nil. It does not allocate.
func (t *Trimmer) Trim(seq, qual []byte) TrimResult {
	var r TrimResult
	end := len(seq)
	if !t.none {
		var found bool
		var adEnd int
		end, adEnd, found = t.locate(seq)
		r.AdapterFound = found
		if t.umiLen > 0 && found {
			r.UMI, r.UMIComplete = t.umiAfter(seq, adEnd)
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

// locate returns the start and end of the best adapter match (len(s),
// len(s) and false when there is none). end is where the adapter's last
// base aligns plus one (len(s) when the adapter runs off the read end).
func (t *Trimmer) locate(s []byte) (start, end int, found bool) {
	n := len(s)
	if n+t.maxErr[len(t.adapter)] < t.minOv {
		return n, n, false // even with deletions nothing fits
	}
	// An exact full-length occurrence has the highest possible score, and
	// the first one is the leftmost: it is the answer.
	if t.exact && n >= len(t.adapter) {
		if i := bytes.Index(s, t.adapter); i >= 0 {
			return i, i + len(t.adapter), true
		}
	}
	if t.seeded && n <= maxSeededRead {
		if pos, end, ok, done := t.locateSeeded(s); done {
			return pos, end, ok
		}
	}
	var pos, score int
	if t.bits {
		pos, score = t.locateBits(s)
	} else {
		pos, score = t.locateScalar(s)
	}
	end = min(pos+len(t.adapter), n)
	// An alignment with an indel scores at most a-2 (an insertion costs 2
	// points, a deletion 3).
	if t.indels && score < len(t.adapter)-2 {
		if c := t.indelCap(score); t.indelPossible(s, c) {
			if p, sc, e := t.locateIndel(s, 0, c); sc > score {
				pos, score, end = p, sc, e
			}
		}
	}
	return pos, end, score != math.MinInt
}

// maxSeededRead bounds the read length of the seeded search (its candidate
// list is a fixed array).
const maxSeededRead = 1024

// maxSeedHits bounds the candidate starts of the seeded search; a read with
// more (a repetitive read) takes the bit-parallel path.
const maxSeedHits = 32

// locateSeeded finds the best mismatch-only match from the candidate starts
// the seeds give, plus the short error-free partial at the read end, then,
// if an alignment with indels could still score higher, runs locateIndel
// on the part of the read where such an alignment could start. done is
// false when there were too many candidates.
//
// Completeness: an acceptable match with overlap below l1 is error-free
// and, not being a full-length exact match (handled by the caller), runs
// off the read end; every other acceptable alignment holds a piece
// (setPieces), so its start is a piece hit minus the piece offset, plus or
// minus its number of indels.
func (t *Trimmer) locateSeeded(s []byte) (pos, end int, found, done bool) {
	a, n := len(t.adapter), len(s)
	bestPos, bestScore := n, math.MinInt
	a0 := t.adapter[0]
	for l := min(a-1, n, t.l1-1); l >= t.minOv; l-- {
		if s[n-l] == a0 && bytes.Equal(s[n-l:], t.adapter[:l]) {
			bestPos, bestScore = n-l, l
			break // the longest is the leftmost and scores highest
		}
	}
	var hits [maxSeedHits]int32
	nh := 0
	for _, pc := range t.pieces {
		for i := 0; i+len(pc.seq) <= n; {
			k := bytes.Index(s[i:], pc.seq)
			if k < 0 {
				break
			}
			q := i + k
			i = q + 1
			p := int32(q - pc.off)
			dup := false
			for _, h := range hits[:nh] {
				if h == p {
					dup = true
					break
				}
			}
			if dup {
				continue
			}
			if nh == maxSeedHits {
				return 0, 0, false, false
			}
			hits[nh] = p
			nh++
		}
	}
	for _, h := range hits[:nh] {
		p := int(h)
		if p < 0 {
			continue
		}
		l := min(a, n-p)
		if l < t.minOv {
			continue
		}
		lim := t.maxErr[l]
		m := t.mismatches(s[p:p+l], lim)
		if m > lim {
			continue
		}
		if sc := l - 2*m; sc > bestScore || (sc == bestScore && p < bestPos) {
			bestScore, bestPos = sc, p
		}
	}
	bestEnd := min(bestPos+a, n)
	if t.indels && bestScore < a-2 && nh > 0 {
		// An indel alignment scoring above bestScore, with c edits, spans
		// ℓ >= bestScore+1+2c adapter bases and at least ℓ-c read bases, so
		// it starts at or before n-bestScore-1-c, and its seed hit implies a
		// start within c of it: only hits implying starts up to
		// n-bestScore-1 matter, and the alignment starts at or after the
		// least of them minus maxErr[a].
		limit := n
		if bestScore != math.MinInt {
			limit = n - bestScore - 1
		}
		w := n
		for _, h := range hits[:nh] {
			if int(h) <= limit {
				w = min(w, int(h))
			}
		}
		if w < n {
			c := t.indelCap(bestScore)
			w = max(0, w-c)
			if t.indelPossible(s[w:], c) {
				if p, sc, e := t.locateIndel(s[w:], w, c); sc > bestScore {
					bestPos, bestScore, bestEnd = p, sc, e
				}
			}
		}
	}
	return bestPos, bestEnd, bestScore != math.MinInt, true
}

// locateBits is a bit-parallel (shift-add, Baeza-Yates & Gonnet 1992)
// mismatch counter: after read position i, bit j of g[k] says that the
// alignment of adapter[0..j] ending at i has at least k mismatches.
func (t *Trimmer) locateBits(s []byte) (pos, score int) {
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
					return bestPos, bestScore // maximal score, leftmost
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
	return bestPos, bestScore
}

// mismatches counts the bases of r that miss the adapter's first
// len(r) bases, stopping once past lim.
func (t *Trimmer) mismatches(r []byte, lim int) int {
	m := 0
	for j := 0; j < len(r) && m <= lim; j++ {
		if !baseMatches(t.adapter[j], r[j]) {
			m++
		}
	}
	return m
}

// locateScalar is the plain loop used for adapters the bit-parallel
// matcher cannot hold (longer than 64 bases, or many allowed errors).
func (t *Trimmer) locateScalar(s []byte) (pos, score int) {
	a := len(t.adapter)
	n := len(s)
	bestPos, bestScore := n, math.MinInt
	for p := 0; p+t.minOv <= n; p++ {
		l := min(a, n-p)
		lim := t.maxErr[l]
		m := t.mismatches(s[p:p+l], lim)
		if m > lim {
			continue
		}
		if sc := l - 2*m; sc > bestScore {
			bestScore, bestPos = sc, p
		}
	}
	return bestPos, bestScore
}

// maxIndelAdapter bounds the adapter length of the indel search (its
// columns live in fixed arrays).
const maxIndelAdapter = 64

// locateIndel is the semiglobal alignment of the adapter against the read
// with unit costs (mismatch, insertion, deletion), in the spirit of
// cutadapt's: the adapter starts with its first base anywhere in the read,
// and either ends inside the read (all of it aligned) or runs off the read
// end (a prefix aligned). Each cell keeps the least cost, and among equal
// costs the best score (+1 match, -1 mismatch, -2 indel), then the
// diagonal; an alignment of l adapter bases is acceptable with at most
// maxErr[l] edits and l >= minOv. The best score wins, ties to the
// leftmost start. Cells over the largest allowed cost, or over kcap, are
// dropped (Ukkonen's cut-off). s may be a suffix of the read starting at read
// position off. It returns the start and end (read positions) and the
// score (math.MinInt if none).
func (t *Trimmer) locateIndel(s []byte, off, kcap int) (pos, score, end int) {
	// A cell holds key = cost<<10 - score: the least key is the least cost,
	// then the best score. Scores stay within (-512, 64] for live cells.
	a := len(t.adapter)
	kmax := int32(min(kcap, t.maxErr[a]))
	limit := (kmax+1)<<10 - 100 // key < limit <=> cost <= kmax
	dead := (kmax+2)<<10 + 600
	var key, org [maxIndelAdapter + 1]int32
	for j := 0; j <= a; j++ {
		key[j], org[j] = int32(j)<<10+int32(2*j), 0
		if key[j] >= limit {
			key[j] = dead
		}
	}
	last := min(a, int(kmax)) // deepest row with cost <= kmax
	bestPos, bestScore, bestEnd := off+len(s), math.MinInt, off+len(s)
	for i := 1; i <= len(s); i++ {
		x := t.mm[s[i-1]]
		// Row 0: the adapter may start after read position i.
		dk, do := key[0], org[0] // diagonal source for row 1
		key[0], org[0] = 0, int32(i)
		jmax := min(a, last+1)
		newLast := 0
		for j := 1; j <= jmax; j++ {
			// Diagonal: +1 for a match, -1 and one error for a mismatch.
			k, o := dk-1+1026*int32(x>>uint(j-1)&1), do
			// Up: adapter base j missing from the read (deletion).
			if ku := key[j-1] + 1026; ku < k {
				k, o = ku, org[j-1]
			}
			// Left: read base i not in the adapter (insertion).
			ok, oo := key[j], org[j]
			if j > last {
				ok = dead
			}
			if kl := ok + 1026; kl < k {
				k, o = kl, oo
			}
			dk, do = ok, oo
			if k >= limit {
				k = dead
			} else {
				newLast = j
			}
			key[j], org[j] = k, o
		}
		// Rows below newLast+1 cannot come back under the limit: costs never
		// decrease along a diagonal (Ukkonen 1985).
		last = newLast
		if last == a {
			if c, sc := keyCost(key[a]), keyScore(key[a]); c <= t.maxErr[a] && a >= t.minOv &&
				(sc > bestScore || (sc == bestScore && int(org[a])+off < bestPos)) {
				bestScore, bestPos, bestEnd = sc, int(org[a])+off, off+i
			}
		}
	}
	// Partial adapters running off the read end.
	for j := min(last, a-1); j >= t.minOv; j-- {
		if key[j] >= limit {
			continue
		}
		if c, sc := keyCost(key[j]), keyScore(key[j]); c <= t.maxErr[j] &&
			(sc > bestScore || (sc == bestScore && int(org[j])+off < bestPos)) {
			bestScore, bestPos, bestEnd = sc, int(org[j])+off, off+len(s)
		}
	}
	return bestPos, bestScore, bestEnd
}

// indelCap is the most edits an alignment can have and still score above
// best: l adapter bases with c edits (d of them deletions) score
// l - 2c - d <= len(adapter) - 2c. Cells costing more are dropped by
// locateIndel's cut-off (they could never win), which shrinks its band.
func (t *Trimmer) indelCap(best int) int {
	a := len(t.adapter)
	if best == math.MinInt {
		return t.maxErr[a]
	}
	return min(t.maxErr[a], (a-best-1)/2)
}

// indelPossible reports whether locateIndel(s, off, kcap) can find an
// acceptable alignment: whether the least edit distance of the whole
// adapter ending anywhere in s, or of a prefix of at least minOv bases
// running off its end, is within the limits. The distances come from
// Myers' bit-parallel algorithm (J. ACM 46:395, 1999; free start in the
// read), about a tenth of the dynamic programming's cost: most reads with
// only substitutions in the adapter need no alignment at all.
func (t *Trimmer) indelPossible(s []byte, kcap int) bool {
	a := len(t.adapter)
	k := min(kcap, t.maxErr[a])
	mask := uint64(1)<<uint(a) - 1
	if a == 64 {
		mask = ^uint64(0)
	}
	top := uint64(1) << uint(a-1)
	pv, mv := mask, uint64(0)
	score := a // D[a][0]
	for _, c := range s {
		eq := ^t.mm[c] & mask
		xv := eq | mv
		xh := ((eq & pv) + pv) ^ pv | eq
		ph := mv | ^(xh|pv)&mask
		mh := pv & xh
		if ph&top != 0 {
			score++
		} else if mh&top != 0 {
			score--
		}
		if score <= k {
			return true
		}
		ph, mh = ph<<1&mask, mh<<1&mask // row 0 is free: no carry in
		pv = mh | ^(xv|ph)&mask
		mv = ph & xv
	}
	// Last column: D[j][n] is the sum of the vertical deltas of rows 1..j.
	d := 0
	for j := 1; j < a; j++ {
		bit := uint64(1) << uint(j-1)
		if pv&bit != 0 {
			d++
		} else if mv&bit != 0 {
			d--
		}
		if j >= t.minOv && d <= min(k, t.maxErr[j]) {
			return true
		}
	}
	return false
}

// keyCost and keyScore unpack a cell key of locateIndel.
func keyCost(k int32) int  { return int((k + 512) >> 10) }
func keyScore(k int32) int { return keyCost(k)<<10 - int(k) }
