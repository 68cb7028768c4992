package quant

import (
	"strconv"
	"strings"

	"github.com/exomir/exomir/internal/trnadesc"
)

// TRFType is the type of a tRNA fragment, after the tRF literature
// (MINTmap: Loher et al. 2017; tDRmapper: Selitsky & Sethupathy 2015).
// A read is typed by where its templated part starts and ends on the
// mature tRNA (of length L, the 3' CCA included; anticodon at 0-based
// a..a+2, its 7-nt loop at a-2..a+4):
//
//	full        starts at 1 and reaches the discriminator (end >= L-3)
//	5p-half     starts at 1, last base in the anticodon loop
//	5p-tRF      starts at 1, ends elsewhere
//	3p-half     first base in the anticodon loop, reaches the discriminator
//	3p-CCA-tRF  ends with the whole CCA (end = L), starts elsewhere
//	3p-tRF      reaches the discriminator or part of CCA, not all of it
//	i-tRF       starts after 1 and ends before the discriminator
//
// On a pre-tRNA (with its genomic 5' leader and 3' trailer) a read that
// matches no mature tRNA is typed by the mature body's place:
//
//	leader      starts in the 5' leader
//	tRF-1       starts in the body or after it and ends in the 3' trailer
//	            (tRF-1 / trailer fragments)
//	pre-tRNA    inside the body but not on the mature (intron, unspliced)
//
// tRNAs without anticodon or body information (a user's -other tRNA file)
// give "untyped".
type TRFType int8

// Fragment types, in output order.
const (
	TRF5       TRFType = iota // 5p-tRF
	TRF5Half                  // 5p-half
	TRFi                      // i-tRF
	TRF3                      // 3p-tRF
	TRF3CCA                   // 3p-CCA-tRF
	TRF3Half                  // 3p-half
	TRFFull                   // full
	TRFLeader                 // leader
	TRF1                      // tRF-1 (trailer)
	TRFPre                    // pre-tRNA
	TRFUntyped                // untyped
	numTRFTypes
)

var trfNames = [numTRFTypes]string{"5p-tRF", "5p-half", "i-tRF", "3p-tRF", "3p-CCA-tRF", "3p-half", "full", "leader", "tRF-1", "pre-tRNA", "untyped"}

// String returns the type's name as written in trf_counts.tsv and in the
// summary rows trf_<name>.
func (t TRFType) String() string {
	if t < 0 || t >= numTRFTypes {
		return "TRFType(" + strconv.Itoa(int(t)) + ")"
	}
	return trfNames[t]
}

// TRFTypes returns every fragment type in output order.
func TRFTypes() []TRFType {
	out := make([]TRFType, numTRFTypes)
	for i := range out {
		out[i] = TRFType(i)
	}
	return out
}

type trnaKind uint8

const (
	trnaNone trnaKind = iota
	trnaMature
	trnaPre
)

// trnaInfo locates the parts of one tRNA record (0-based, end exclusive).
type trnaInfo struct {
	kind               trnaKind
	anticodon          int // first base of the anticodon on the mature; -1 unknown
	bodyStart, bodyEnd int // the mature body on a pre-tRNA; -1 unknown
}

// parseTRNA reads "anticodon=a-b" (1-based) of a mature record and
// "body=i-j" (1-based) of a "pre-" record from its description.
func parseTRNA(o OtherSeq) trnaInfo {
	t := trnaInfo{kind: trnaMature}
	if strings.HasPrefix(o.Name, "pre-") {
		t.kind = trnaPre
	}
	t.anticodon, t.bodyStart, t.bodyEnd = trnadesc.Parse(o.Desc, len(o.Seq))
	return t
}

// classify types a read whose templated part is [start, end) on a record
// of length n.
func (t *trnaInfo) classify(start, end, n int) TRFType {
	switch t.kind {
	case trnaPre:
		switch {
		case t.bodyStart < 0:
			return TRFPre
		case start < t.bodyStart:
			return TRFLeader
		case end > t.bodyEnd:
			return TRF1
		}
		return TRFPre
	case trnaMature:
		if t.anticodon < 0 {
			return TRFUntyped
		}
		loop0, loop1 := t.anticodon-2, t.anticodon+5 // the 7-nt anticodon loop
		inLoop := func(p int) bool { return p >= loop0 && p < loop1 }
		from5 := start == 0
		to3 := end >= n-3 // reaches the discriminator base
		switch {
		case from5 && to3:
			return TRFFull
		case from5 && inLoop(end-1):
			return TRF5Half
		case from5:
			return TRF5
		case to3 && inLoop(start):
			return TRF3Half
		case end == n:
			return TRF3CCA
		case to3:
			return TRF3
		}
		return TRFi
	}
	return TRFUntyped
}
