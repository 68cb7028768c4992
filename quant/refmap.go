package quant

import (
	"bufio"
	"bytes"
	"io"
	"strconv"
	"strings"
)

// Name mapping between references (MirGeneDB ↔ miRBase)
//
// References name one mature differently (Hsa-Mir-21_5p in MirGeneDB,
// hsa-miR-21-5p in miRBase) and often disagree on its ends by a base or
// two. MapReferences matches every feature of one reference to the
// features of another by sequence alone:
//
//	identical   the same sequence
//	contains    the other's sequence lies inside this one (offset = its
//	            0-based start here)
//	within      this sequence lies inside the other's (offset = start there)
//	none        no feature of the other reference
//
// keeping for each feature the best kind present (identical, then the
// containment with the smallest length difference). Counts of a study can
// then be compared across references through the map.

// RefMatch is one feature's counterparts in another reference.
type RefMatch struct {
	Feature int    // index in the first reference
	Kind    string // identical, contains, within or none
	Others  []int  // indexes in the second reference
	Offsets []int  // parallel to Others
}

// MapReferences matches each feature of a to the features of b by
// sequence (see above), in a's feature order.
func MapReferences(a, b *Reference) []RefMatch {
	bySeq := map[string]int{}
	for j, f := range b.Features {
		bySeq[string(f.Seq)] = j
	}
	out := make([]RefMatch, len(a.Features))
	for i, f := range a.Features {
		m := RefMatch{Feature: i, Kind: "none"}
		if j, ok := bySeq[string(f.Seq)]; ok {
			m.Kind, m.Others, m.Offsets = "identical", []int{j}, []int{0}
			out[i] = m
			continue
		}
		best := -1
		for j, g := range b.Features {
			kind, off := "", -1
			switch {
			case len(g.Seq) < len(f.Seq):
				if off = bytes.Index(f.Seq, g.Seq); off >= 0 {
					kind = "contains"
				}
			case len(g.Seq) > len(f.Seq):
				if off = bytes.Index(g.Seq, f.Seq); off >= 0 {
					kind = "within"
				}
			}
			if kind == "" {
				continue
			}
			d := len(g.Seq) - len(f.Seq)
			if d < 0 {
				d = -d
			}
			switch {
			case best < 0 || d < best:
				best = d
				m.Kind, m.Others, m.Offsets = kind, []int{j}, []int{off}
			case d == best:
				m.Others = append(m.Others, j)
				m.Offsets = append(m.Offsets, off)
				if m.Kind != kind {
					m.Kind = "contains/within"
				}
			}
		}
		out[i] = m
	}
	return out
}

// WriteReferenceMap writes "feature other match offset": one row per
// feature of a, the names of its counterparts in b joined with ";" ("-"
// when none), and the offsets likewise.
func WriteReferenceMap(w io.Writer, a, b *Reference, m []RefMatch) error {
	bw := bufio.NewWriter(w)
	bw.WriteString("feature\tother\tmatch\toffset\n")
	for _, r := range m {
		names, offs := make([]string, len(r.Others)), make([]string, len(r.Others))
		for k, j := range r.Others {
			names[k] = b.Features[j].Name
			offs[k] = strconv.Itoa(r.Offsets[k])
		}
		other, off := strings.Join(names, ";"), strings.Join(offs, ";")
		if other == "" {
			other, off = "-", "-"
		}
		bw.WriteString(a.Features[r.Feature].Name + "\t" + other + "\t" + r.Kind + "\t" + off + "\n")
	}
	return bw.Flush()
}
