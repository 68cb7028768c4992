package quant

import (
	"strings"

	"github.com/biogo/hts/sam"
)

// alnSpan is a record's alignment reduced to what counting needs: the
// aligned part of the read starts at reference position Pos and covers
// Ref bases; Clip5/Clip3 read bases before/after it are unaligned (soft
// or hard clipped), in the read's 5'→3' orientation on the reference's
// forward strand (so Clip5 is at the left end of the CIGAR).
type alnSpan struct {
	Pos          int
	Ref          int // reference bases covered
	Clip5, Clip3 int // unaligned read bases left/right of the aligned part
	Hard5, Hard3 int // of which hard-clipped (absent from SEQ)
	Gapped       bool
}

// cigarSpan reduces a CIGAR. Records with I, D, N or P operations are
// reported as Gapped.
func alnSpanOf(pos int, c sam.Cigar) alnSpan {
	s := alnSpan{Pos: pos}
	seenAligned := false
	for _, op := range c {
		n := op.Len()
		switch op.Type() {
		case sam.CigarMatch, sam.CigarEqual, sam.CigarMismatch:
			if seenAligned && s.Clip3 > 0 {
				s.Gapped = true // clip between aligned blocks
			}
			seenAligned = true
			s.Ref += n
		case sam.CigarSoftClipped:
			if seenAligned {
				s.Clip3 += n
			} else {
				s.Clip5 += n
			}
		case sam.CigarHardClipped:
			if seenAligned {
				s.Clip3 += n
				s.Hard3 += n
			} else {
				s.Clip5 += n
				s.Hard5 += n
			}
		case sam.CigarInsertion, sam.CigarDeletion, sam.CigarSkipped, sam.CigarPadded:
			s.Gapped = true
			if op.Type() != sam.CigarInsertion && op.Type() != sam.CigarPadded {
				s.Ref += n
			}
		case sam.CigarBack:
			s.Gapped = true
		}
	}
	return s
}

// Limits of the 3' re-templating done by normaliseTail: the same as the
// default aligner settings of the FASTQ path (align.DefaultOptions).
const (
	bamMaxTail   = 3
	bamTailBases = "AT"
	bamMinLength = 15
)

// readMismatches counts mismatches of read[0:n] against ref[pos:pos+n];
// any letter other than A, C, G, T in the read counts as a mismatch.
func bamMismatches(read, ref []byte, pos, n int) int {
	mm := 0
	for i := 0; i < n; i++ {
		c := read[i]
		if c != ref[pos+i] || (c != 'A' && c != 'C' && c != 'G' && c != 'T') {
			mm++
		}
	}
	return mm
}

// normaliseTail re-expresses a hit the way the FASTQ-path aligner ranks
// placements: among the same placement with 0..bamMaxTail untemplated 3'
// bases (tail letters A/T, templated part >= bamMinLength), it picks the
// fewest mismatches, then the shortest tail. A soft clip longer than
// bamMaxTail is left as it is. It returns the hit and its mismatches.
func normaliseTail(read, ref []byte, h Hit) (Hit, int) {
	total := int(h.Len) + int(h.Tail)
	bestMM := bamMismatches(read, ref, int(h.Pos), int(h.Len))
	if int(h.Tail) > bamMaxTail {
		return h, bestMM
	}
	best := h
	for t := 0; t <= bamMaxTail; t++ {
		l := total - t
		if t == int(h.Tail) || l < bamMinLength || int(h.Pos)+l > len(ref) {
			continue
		}
		ok := true
		for i := l; i < total; i++ {
			if strings.IndexByte(bamTailBases, read[i]) < 0 {
				ok = false
				break
			}
		}
		if !ok {
			continue
		}
		mm := bamMismatches(read, ref, int(h.Pos), l)
		if mm < bestMM || (mm == bestMM && t < int(best.Tail)) {
			best, bestMM = Hit{Hairpin: h.Hairpin, Pos: h.Pos, Len: int32(l), Tail: int8(t)}, mm
		}
	}
	return best, bestMM
}

// mdMismatches returns the 0-based offsets (within the aligned part) of
// the mismatches listed in an MD tag of an ungapped alignment.
func mdMismatches(md string) []int {
	var out []int
	pos, num := 0, 0
	for i := 0; i < len(md); i++ {
		ch := md[i]
		switch {
		case ch >= '0' && ch <= '9':
			num = num*10 + int(ch-'0')
		case ch == '^':
			return out // deletion: not expected for ungapped records
		default:
			pos += num
			num = 0
			out = append(out, pos)
			pos++
		}
	}
	return out
}

// bamUpperDNA upper-cases in place and turns U into T.
func bamUpperDNA(s []byte) []byte {
	for i, c := range s {
		if c >= 'a' && c <= 'z' {
			c -= 'a' - 'A'
		}
		if c == 'U' {
			c = 'T'
		}
		s[i] = c
	}
	return s
}
