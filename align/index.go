package align

import (
	"errors"
	"fmt"
	"math"
)

// Sentinel errors of package align; returned errors wrap them.
var (
	ErrNoRefs     = errors.New("align: no reference sequences")
	ErrEmptyRef   = errors.New("align: empty reference sequence")
	ErrBadBase    = errors.New("align: invalid letter in reference sequence")
	ErrBadOptions = errors.New("align: invalid options")
	ErrTooLarge   = errors.New("align: references too large")
)

// Limits of the search.
const (
	// MaxMismatchesLimit is the largest supported Options.MaxMismatches.
	MaxMismatchesLimit = 3
	// MaxTailLimit is the largest supported Options.MaxTail.
	MaxTailLimit = 10
	// MaxReadLen is the longest read Align places; longer reads get no
	// hits (mismatch positions are stored as int8).
	MaxReadLen = 127
)

// Ref is one reference sequence. Seq holds DNA letters; U is read as T,
// lower case as upper case, and IUPAC ambiguity codes (N, R, Y, …) as N,
// which never matches a read base.
type Ref struct {
	Name string
	Seq  []byte
}

// Options controls what counts as a hit.
type Options struct {
	// MaxMismatches is the number of substitutions allowed in the
	// templated part of the read, 0 to MaxMismatchesLimit.
	MaxMismatches int
	// MaxTail is the longest untemplated 3' tail, 0 (no tails) to
	// MaxTailLimit.
	MaxTail int
	// TailBases lists the letters allowed in a tail ("AT" for the A/U
	// additions of miRNAs, "ACGT" for any). Required when MaxTail > 0.
	TailBases string
	// BothStrands also searches the reverse complement of the references.
	BothStrands bool
	// MinLength is the shortest templated part reported; it must be at
	// least MaxMismatches+1.
	MinLength int
}

// DefaultOptions returns the settings for miRNA reads: one mismatch, up to
// three untemplated A/T bases, sense strand only, templated length >= 15.
func DefaultOptions() Options {
	return Options{MaxMismatches: 1, MaxTail: 3, TailBases: "AT", MinLength: 15}
}

// Letter codes. Reads use codeReadOther for anything but ACGT so that a
// single comparison decides a match: it equals neither a base nor the
// reference's codeN or codeEnd.
const (
	codeN         = 4 // reference N or ambiguity code
	codeEnd       = 5 // separator between targets in the text
	codeReadOther = 6 // read letter other than ACGT
)

// readCode maps a read letter to its code.
var readCode = func() (t [256]uint8) {
	for i := range t {
		t[i] = codeReadOther
	}
	for _, p := range []struct {
		c    string
		code uint8
	}{{"Aa", 0}, {"Cc", 1}, {"Gg", 2}, {"TtUu", 3}} {
		for _, c := range []byte(p.c) {
			t[c] = p.code
		}
	}
	return t
}()

// refCode maps a reference letter to its code, or 0xff when invalid.
var refCode = func() (t [256]uint8) {
	for i := range t {
		t[i] = 0xff
	}
	for i := 0; i < 256; i++ {
		if c := readCode[i]; c < 4 {
			t[i] = c
		}
	}
	for _, c := range []byte("NRYKMSWBDHVnrykmswbdhv") {
		t[c] = codeN
	}
	return t
}()

// Index is a searchable set of references. It is immutable after NewIndex
// and safe for concurrent use.
type Index struct {
	refs    []Ref
	opt     Options
	strands int      // 1, or 2 with BothStrands
	text    []uint8  // codes of all targets, each preceded and the last followed by codeEnd
	starts  []uint32 // text offset of each target; target = ref*strands + strand
	refLen  []int32
	k       uint     // k-mer length of the index
	offsets []uint32 // positions of k-mer c are pos[offsets[c]:offsets[c+1]]
	pos     []uint32 // text offsets sorted by k-mer, ascending within a k-mer
	tailOK  [8]bool  // read code allowed in a tail
	// blockTarget[b] is the target holding text offset b<<blockShift (0
	// for the leading separator): a short scan from it finds the target
	// of any offset.
	blockTarget []int32
}

const blockShift = 6

// NewIndex builds the index of refs for the options o. It returns an error
// wrapping ErrNoRefs, ErrEmptyRef, ErrBadBase, ErrBadOptions or ErrTooLarge.
// The index keeps refs; the caller must not modify them afterwards.
func NewIndex(refs []Ref, o Options) (*Index, error) {
	if err := o.validate(); err != nil {
		return nil, err
	}
	if len(refs) == 0 {
		return nil, ErrNoRefs
	}
	ix := &Index{refs: refs, opt: o, strands: 1}
	if o.BothStrands {
		ix.strands = 2
	}
	for _, c := range []byte(o.TailBases) {
		ix.tailOK[readCode[c]] = true
	}
	total := 1
	for i, r := range refs {
		if len(r.Seq) == 0 {
			return nil, fmt.Errorf("%w: %q (number %d)", ErrEmptyRef, r.Name, i+1)
		}
		if len(r.Seq) > math.MaxInt32 {
			return nil, fmt.Errorf("%w: %q is %d nt long", ErrTooLarge, r.Name, len(r.Seq))
		}
		total += ix.strands * (len(r.Seq) + 1)
	}
	if total > math.MaxUint32-1 || len(refs) > math.MaxInt32/2 {
		return nil, fmt.Errorf("%w: %d nt in %d references", ErrTooLarge, total, len(refs))
	}
	ix.text = make([]uint8, 0, total)
	ix.starts = make([]uint32, 0, len(refs)*ix.strands)
	ix.refLen = make([]int32, len(refs))
	ix.text = append(ix.text, codeEnd)
	for i, r := range refs {
		ix.refLen[i] = int32(len(r.Seq))
		ix.starts = append(ix.starts, uint32(len(ix.text)))
		for j, c := range r.Seq {
			code := refCode[c]
			if code == 0xff {
				return nil, fmt.Errorf("%w: %q at position %d: %q", ErrBadBase, r.Name, j+1, c)
			}
			ix.text = append(ix.text, code)
		}
		ix.text = append(ix.text, codeEnd)
		if ix.strands == 2 {
			ix.starts = append(ix.starts, uint32(len(ix.text)))
			fwd := ix.text[len(ix.text)-1-len(r.Seq) : len(ix.text)-1]
			for j := len(fwd) - 1; j >= 0; j-- {
				c := fwd[j]
				if c < 4 {
					c = 3 - c
				}
				ix.text = append(ix.text, c)
			}
			ix.text = append(ix.text, codeEnd)
		}
	}
	ix.blockTarget = make([]int32, len(ix.text)>>blockShift+1)
	tg := 0
	for b := range ix.blockTarget {
		for tg+1 < len(ix.starts) && int(ix.starts[tg+1]) <= b<<blockShift {
			tg++
		}
		ix.blockTarget[b] = int32(tg)
	}
	ix.buildKmers()
	return ix, nil
}

func (o Options) validate() error {
	switch {
	case o.MaxMismatches < 0 || o.MaxMismatches > MaxMismatchesLimit:
		return fmt.Errorf("%w: MaxMismatches %d outside 0..%d", ErrBadOptions, o.MaxMismatches, MaxMismatchesLimit)
	case o.MaxTail < 0 || o.MaxTail > MaxTailLimit:
		return fmt.Errorf("%w: MaxTail %d outside 0..%d", ErrBadOptions, o.MaxTail, MaxTailLimit)
	case o.MaxTail > 0 && o.TailBases == "":
		return fmt.Errorf("%w: MaxTail %d with empty TailBases", ErrBadOptions, o.MaxTail)
	case o.MinLength < o.MaxMismatches+1 || o.MinLength < 1:
		return fmt.Errorf("%w: MinLength %d must be at least MaxMismatches+1 = %d", ErrBadOptions, o.MinLength, o.MaxMismatches+1)
	case o.MinLength > MaxReadLen:
		return fmt.Errorf("%w: MinLength %d above %d", ErrBadOptions, o.MinLength, MaxReadLen)
	}
	for _, c := range []byte(o.TailBases) {
		if readCode[c] >= 4 {
			return fmt.Errorf("%w: TailBases %q: letter %q is not A, C, G, T or U", ErrBadOptions, o.TailBases, c)
		}
	}
	return nil
}

// buildKmers sorts every target position by the k-mer starting there
// (counting sort). Letters after the target end and N count as A, so a
// position whose first s < k letters match a seed lies in the seed's
// prefix range.
func (ix *Index) buildKmers() {
	n := len(ix.text) - len(ix.starts) - 1 // positions: all target letters
	// k: the smallest of 8..11 with 4^k >= positions, about one position
	// per k-mer (9 for human hairpins; measured faster than 10 there,
	// as the offsets table stays in cache).
	k := uint(8)
	for k < 11 && 1<<(2*k) < n {
		k++
	}
	ix.k = k
	mask := uint32(1)<<(2*k) - 1
	codes := make([]uint32, 0, n)
	counts := make([]uint32, 1<<(2*k)+1)
	for t, s := range ix.starts {
		seqT := ix.text[s:ix.targetEnd(t)]
		var code uint32
		for i := 0; i < len(seqT)+int(k)-1; i++ {
			var c uint32
			if i < len(seqT) && seqT[i] < 4 {
				c = uint32(seqT[i])
			}
			code = (code<<2 | c) & mask
			if i >= int(k)-1 {
				codes = append(codes, code)
				counts[code]++
			}
		}
	}
	// Inclusive prefix sums, then a backward fill that leaves counts[c]
	// at the start of k-mer c and positions ascending within it.
	for i := 1; i < len(counts); i++ {
		counts[i] += counts[i-1]
	}
	ix.pos = make([]uint32, n)
	j := len(codes)
	for t := len(ix.starts) - 1; t >= 0; t-- {
		s := ix.starts[t]
		for p := ix.targetEnd(t) - 1; p >= int(s); p-- {
			j--
			c := codes[j]
			counts[c]--
			ix.pos[counts[c]] = uint32(p)
		}
	}
	ix.offsets = counts
}

// targetEnd returns the text offset just past target t.
func (ix *Index) targetEnd(t int) int {
	if t+1 < len(ix.starts) {
		return int(ix.starts[t+1]) - 1
	}
	return len(ix.text) - 1
}

// Refs returns the references of the index, in the order given to
// NewIndex; Hit.Ref indexes this slice. The caller must not modify it.
func (ix *Index) Refs() []Ref { return ix.refs }

// Options returns the options the index was built with.
func (ix *Index) Options() Options { return ix.opt }
