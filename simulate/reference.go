package simulate

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"

	"github.com/exomir/exomir/seq"
)

// Sentinel errors of package simulate.
var (
	ErrNoMatures = errors.New("simulate: no mature miRNA placed on a hairpin")
	ErrConfig    = errors.New("simulate: bad configuration")
	ErrKit       = errors.New("simulate: unknown kit")
)

// Site is one placement of a mature on a hairpin.
type Site struct {
	Hairpin int // index into Reference.Hairpins
	Pos     int // 0-based start of the mature on the hairpin
}

// Mature is a mature miRNA of the reference.
type Mature struct {
	Name    string
	Seq     []byte // DNA letters, upper case
	Feature string // names sharing Seq joined with "/", in input order
	Sites   []Site // empty when the mature is on no hairpin (never simulated)
}

// Hairpin is a miRNA precursor of the reference.
type Hairpin struct {
	Name string
	Seq  []byte
	// Free lists fragments [Start, Start+Len) of the hairpin that overlap no
	// mature arm and match no other hairpin within two mismatches: the
	// sources of hairpin-only reads.
	Free []Fragment
}

// Fragment is a piece of a reference sequence.
type Fragment struct {
	Start, Len int
}

// Reference is the set of sequences reads are drawn from.
type Reference struct {
	Matures  []Mature
	Hairpins []Hairpin
	// Other holds other-RNA fragments (tRNA pieces and the like), each
	// checked not to match a hairpin within two mismatches.
	Other [][]byte
	// Classes, when set, are drawn from for other_rna reads instead of
	// Other; Spikeins for spike-in reads (classes.go).
	Classes  []Class
	Spikeins []Spikein

	checker *kmerChecker
}

// NewReference selects the records whose names start with species+"-"
// (all when species is empty), places every mature on its hairpins by
// exact search, groups names sharing a sequence and finds the hairpin-only
// fragments. Matures found on no hairpin are kept (their truth is 0).
func NewReference(mature, hairpin []seq.FastaRecord, species string) (*Reference, error) {
	keep := func(name string) bool {
		return species == "" || strings.HasPrefix(name, species+"-")
	}
	ref := &Reference{}
	byPrefix := map[string][]int{}
	for _, r := range hairpin {
		if !keep(r.Name) || len(r.Seq) == 0 {
			continue
		}
		p := prefixOf(r.Name)
		byPrefix[p] = append(byPrefix[p], len(ref.Hairpins))
		ref.Hairpins = append(ref.Hairpins, Hairpin{Name: r.Name, Seq: r.Seq})
	}
	groups := map[string][]int{}
	placed := 0
	for _, r := range mature {
		if !keep(r.Name) || len(r.Seq) == 0 {
			continue
		}
		m := Mature{Name: r.Name, Seq: r.Seq}
		for _, h := range byPrefix[prefixOf(r.Name)] {
			hs := ref.Hairpins[h].Seq
			for off := 0; ; {
				i := bytes.Index(hs[off:], r.Seq)
				if i < 0 {
					break
				}
				m.Sites = append(m.Sites, Site{Hairpin: h, Pos: off + i})
				off += i + 1
			}
		}
		if len(m.Sites) > 0 {
			placed++
		}
		groups[string(m.Seq)] = append(groups[string(m.Seq)], len(ref.Matures))
		ref.Matures = append(ref.Matures, m)
	}
	if placed == 0 {
		return nil, fmt.Errorf("%w (species %q: %d matures, %d hairpins)", ErrNoMatures, species, len(ref.Matures), len(ref.Hairpins))
	}
	for _, idx := range groups {
		names := make([]string, len(idx))
		for k, i := range idx {
			names[k] = ref.Matures[i].Name
		}
		f := strings.Join(names, "/")
		for _, i := range idx {
			ref.Matures[i].Feature = f
		}
	}
	ref.checker = newKmerChecker(ref.Hairpins)
	ref.findFree()
	return ref, nil
}

func prefixOf(name string) string {
	if i := strings.IndexByte(name, '-'); i >= 0 {
		return name[:i]
	}
	return ""
}

// findFree lists the hairpin-only fragments of every hairpin.
func (ref *Reference) findFree() {
	arms := make([][]Fragment, len(ref.Hairpins))
	for _, m := range ref.Matures {
		for _, s := range m.Sites {
			arms[s.Hairpin] = append(arms[s.Hairpin], Fragment{s.Pos, len(m.Seq)})
		}
	}
	for h := range ref.Hairpins {
		hs := ref.Hairpins[h].Seq
		for l := 18; l <= 24; l += 3 {
			for start := 0; start+l <= len(hs); start += 2 {
				overlaps := false
				for _, a := range arms[h] {
					// keep 3 nt away from the arms so that no isomiR window reaches it
					if start < a.Start+a.Len+3 && a.Start-3 < start+l {
						overlaps = true
						break
					}
				}
				if overlaps || ref.checker.matches(hs[start:start+l], h) {
					continue
				}
				ref.Hairpins[h].Free = append(ref.Hairpins[h].Free, Fragment{start, l})
			}
		}
	}
}

// AddOther cuts fragments from other small-RNA sequences (such as tRNAs):
// 5' fragments of 18-34 nt, 3' fragments of 18-24 nt and one internal
// fragment per record, drawn with the given seed. Fragments that match a
// hairpin within two mismatches (over all but their last 3 bases) are
// dropped. It returns the number of fragments kept.
func (ref *Reference) AddOther(recs []seq.FastaRecord, seed uint64) int {
	rng := rand.New(rand.NewPCG(seed, 0x07e7))
	n := 0
	add := func(f []byte) {
		if len(f) < 18 || bytes.IndexByte(f, 'N') >= 0 || ref.checker.matches(f, -1) {
			return
		}
		ref.Other = append(ref.Other, append([]byte(nil), f...))
		n++
	}
	for _, r := range recs {
		s := r.Seq
		if len(s) < 30 {
			continue
		}
		l5 := 18 + rng.IntN(17)
		if l5 < len(s) {
			add(s[:l5])
		}
		l3 := 18 + rng.IntN(7)
		if l3 < len(s) {
			add(s[len(s)-l3:])
		}
		li := 18 + rng.IntN(8)
		if li < len(s) {
			st := rng.IntN(len(s) - li + 1)
			add(s[st : st+li])
		}
	}
	return n
}

// kmerChecker finds whether a sequence matches any hairpin within two
// mismatches. Pigeonhole: such a match of the first m bases shares one of
// three disjoint segments exactly, so segment starts are looked up in an
// index of all k-mers (k = 6) of the hairpins and then verified.
type kmerChecker struct {
	hairpins []Hairpin
	index    map[uint32][]Site
}

const checkK = 6

func newKmerChecker(hp []Hairpin) *kmerChecker {
	c := &kmerChecker{hairpins: hp, index: map[uint32][]Site{}}
	for h, p := range hp {
		for i := 0; i+checkK <= len(p.Seq); i++ {
			if key, ok := kmerKey(p.Seq[i : i+checkK]); ok {
				c.index[key] = append(c.index[key], Site{h, i})
			}
		}
	}
	return c
}

func kmerKey(b []byte) (uint32, bool) {
	var k uint32
	for _, c := range b {
		var v uint32
		switch c {
		case 'A':
		case 'C':
			v = 1
		case 'G':
			v = 2
		case 'T':
			v = 3
		default:
			return 0, false
		}
		k = k<<2 | v
	}
	return k, true
}

// matches reports whether f without its last 3 bases lies within two
// mismatches on any hairpin other than skip.
func (c *kmerChecker) matches(f []byte, skip int) bool {
	m := len(f) - 3
	if m < 3*checkK {
		m = len(f)
	}
	q := f[:m]
	seg := m / 3
	for s := 0; s < 3; s++ {
		off := s * seg
		key, ok := kmerKey(q[off : off+checkK])
		if !ok {
			continue
		}
		for _, site := range c.index[key] {
			if site.Hairpin == skip {
				continue
			}
			start := site.Pos - off
			hs := c.hairpins[site.Hairpin].Seq
			if start < 0 || start+m > len(hs) {
				continue
			}
			mm := 0
			for i := 0; i < m && mm <= 2; i++ {
				if q[i] != hs[start+i] {
					mm++
				}
			}
			if mm <= 2 {
				return true
			}
		}
	}
	return false
}
