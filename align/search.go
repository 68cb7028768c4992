package align

import (
	"encoding/binary"
	"math/bits"
	"slices"
)

// Hit is one placement of a read on a reference.
type Hit struct {
	Ref        int32 // index into Refs()
	Pos        int32 // 0-based start of the templated part on the forward strand
	Len        int32 // templated length: read length minus Tail
	Tail       int8  // untemplated 3' bases, read[Len:]
	Mismatches int8  // substitutions in the templated part
	Reverse    bool  // read matches the reverse complement of the reference
	// MM holds the read positions (0-based, in read coordinates also for
	// Reverse hits) of the mismatches, ascending; the first Mismatches
	// entries are valid.
	MM [3]int8
}

// segment is a piece of the read that must match exactly for some hits.
type segment struct{ start, end int }

// Align appends to dst every hit of read in the best (Mismatches, Tail)
// class, sorted by (Ref, Pos, Reverse), and returns the extended slice.
// Reads shorter than MinLength or longer than MaxReadLen get no hits. Read
// letters other than A, C, G, T, U (either case) count as mismatches.
// Align does not allocate beyond growing dst and is safe for concurrent
// use.
func (ix *Index) Align(read []byte, dst []Hit) []Hit {
	n := len(read)
	if n < ix.opt.MinLength || n > MaxReadLen {
		return dst
	}
	var rd [MaxReadLen]uint8
	for i, c := range read {
		rd[i] = readCode[c]
	}
	// Longest usable tail: letters from TailBases, templated part >= MinLength.
	tmax := 0
	for tmax < ix.opt.MaxTail && n-tmax-1 >= ix.opt.MinLength && ix.tailOK[rd[n-tmax-1]] {
		tmax++
	}
	lmin := n - tmax
	k := ix.opt.MaxMismatches

	// Pigeonhole segments of read[0:lmin].
	var segs [MaxMismatchesLimit + 1]segment
	nseg := k + 1
	for j := 0; j < nseg; j++ {
		segs[j] = segment{j * lmin / nseg, (j + 1) * lmin / nseg}
	}

	// Seed ranges of all segments first, so that their (cache-missing)
	// loads from the offsets table overlap.
	K := int(ix.k)
	var rlo, rhi [MaxMismatchesLimit + 1]uint32
	for j := 0; j < nseg; j++ {
		sg := segs[j]
		sl := min(sg.end-sg.start, K) // the seed is the first min(len, K) letters
		var code uint32
		var bad uint8
		for i := sg.start; i < sg.start+sl; i++ {
			c := rd[i]
			bad |= c
			code = code<<2 | uint32(c&3)
		}
		if bad >= 4 {
			// A non-ACGT letter: this segment holds a mismatch, another is exact.
			continue
		}
		shift := 2 * uint(K-sl)
		rlo[j], rhi[j] = ix.offsets[code<<shift], ix.offsets[(code+1)<<shift]
	}

	start := len(dst)
	bestMM, bestT := k+1, 0
	kk := k
	for j := 0; j < nseg; j++ {
		sg := segs[j]
	cand:
		for _, p := range ix.pos[rlo[j]:rhi[j]] {
			q := int(p) - sg.start
			if q < 0 {
				continue
			}
			// Verify: mismatch positions until the target ends or more
			// than kk are seen, kk = min(k, best class so far): a
			// placement with more cannot enter the best class, and one
			// whose extra mismatch lies past lmin keeps its shorter
			// templated lengths.
			var mm [MaxMismatchesLimit]int8
			nmm := 0
			limit := n
			text := ix.text[q:]
			for i := 0; i < n; i++ {
				// Eight letters at a time up to the first difference
				// (a read code never equals codeEnd).
				if i+8 <= n && i+8 <= len(text) {
					x := binary.LittleEndian.Uint64(text[i:]) ^ binary.LittleEndian.Uint64(rd[i:])
					if x == 0 {
						i += 7
						continue
					}
					i += bits.TrailingZeros64(x) >> 3
				}
				tc := text[i]
				if tc == rd[i] {
					continue
				}
				if tc == codeEnd || nmm == kk {
					limit = i
					break
				}
				mm[nmm] = int8(i)
				nmm++
			}
			if limit < lmin {
				continue
			}
			// Report each placement once: from its first exact segment.
			// (The seed covers at most K letters of segment j, so j
			// itself need not be exact.)
			if !exact(sg, mm[:nmm]) {
				continue
			}
			for e := 0; e < j; e++ {
				if exact(segs[e], mm[:nmm]) {
					continue cand
				}
			}
			// Best class of this placement over the usable tails.
			pm, pt := k+1, 0
			for t := 0; t <= tmax; t++ {
				l := n - t
				if l > limit {
					continue
				}
				m := 0
				for m < nmm && int(mm[m]) < l {
					m++
				}
				if m < pm {
					pm, pt = m, t
				}
			}
			if pm > bestMM || (pm == bestMM && pt > bestT) {
				continue
			}
			if pm < bestMM || pt < bestT {
				dst = dst[:start]
				bestMM, bestT = pm, pt
				kk = pm
			}
			dst = append(dst, ix.hit(q, n-pt, pt, pm, mm))
		}
	}
	if len(dst)-start > 1 {
		slices.SortFunc(dst[start:], compareHits)
	}
	return dst
}

// exact reports whether none of the mismatch positions lies in sg.
func exact(sg segment, mm []int8) bool {
	for _, p := range mm {
		if int(p) >= sg.start && int(p) < sg.end {
			return false
		}
	}
	return true
}

// hit converts a placement at text offset q into a Hit.
func (ix *Index) hit(q, l, t, m int, mm [MaxMismatchesLimit]int8) Hit {
	// The target holding q: start from the one holding q's block.
	tg := int(ix.blockTarget[q>>blockShift])
	for tg+1 < len(ix.starts) && int(ix.starts[tg+1]) <= q {
		tg++
	}
	ref := tg / ix.strands
	pos := q - int(ix.starts[tg])
	rev := tg%ix.strands == 1
	if rev {
		pos = int(ix.refLen[ref]) - pos - l
	}
	h := Hit{Ref: int32(ref), Pos: int32(pos), Len: int32(l), Tail: int8(t), Mismatches: int8(m), Reverse: rev}
	copy(h.MM[:m], mm[:m])
	return h
}

func compareHits(a, b Hit) int {
	switch {
	case a.Ref != b.Ref:
		return int(a.Ref - b.Ref)
	case a.Pos != b.Pos:
		return int(a.Pos - b.Pos)
	case a.Reverse == b.Reverse:
		return 0
	case b.Reverse:
		return -1
	}
	return 1
}
