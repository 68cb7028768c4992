package seq

import (
	"fmt"
	"io"
	"sort"
	"strconv"
)

// Insert is one distinct insert sequence after trimming and filtering.
// Reads counts the reads that gave it; Molecules counts distinct UMIs after
// the directional merge (see MergeUMIs), and equals Reads without UMIs.
type Insert struct {
	Seq       string
	Reads     int64
	Molecules int64
}

// collapser accumulates inserts (and, with UMIs, per-insert UMI counts).
// Memory grows with the number of distinct inserts (and distinct
// insert–UMI pairs), never with the number of reads.
type collapser struct {
	index map[string]int32 // insert sequence -> position in seqs
	seqs  []string
	reads []int64
	umis  []map[string]int64 // per insert; nil without UMIs
	umi   bool
}

func newCollapser(umi bool) *collapser {
	return &collapser{index: make(map[string]int32, 1<<14), umi: umi}
}

// id returns the index of insert s, adding it if new. The map lookup with
// a converted []byte key does not allocate; only new inserts do.
func (c *collapser) id(s []byte) int32 {
	if i, ok := c.index[string(s)]; ok {
		return i
	}
	i := int32(len(c.seqs))
	str := string(s)
	c.index[str] = i
	c.seqs = append(c.seqs, str)
	c.reads = append(c.reads, 0)
	if c.umi {
		c.umis = append(c.umis, nil)
	}
	return i
}

// addUMI counts one read with the given UMI for insert i.
func (c *collapser) addUMI(i int32, umi []byte, n int64) {
	m := c.umis[i]
	if m == nil {
		m = make(map[string]int64, 1)
		c.umis[i] = m
	}
	if _, ok := m[string(umi)]; ok {
		m[string(umi)] += n
		return
	}
	m[string(umi)] = n
}

// inserts returns the collapsed inserts sorted by Reads (descending), then
// Seq (ascending), dropping inserts with no reads; with UMIs also, parallel
// to them, each insert's surviving UMIs after MergeUMIs, sorted.
func (c *collapser) inserts() ([]Insert, [][]string) {
	out := make([]Insert, 0, len(c.seqs))
	var umiOf map[string][]string
	if c.umi {
		umiOf = make(map[string][]string)
	}
	for i, s := range c.seqs {
		if c.reads[i] == 0 {
			continue
		}
		mol := c.reads[i]
		if c.umi {
			merged := MergeUMIs(c.umis[i])
			u := make([]string, 0, len(merged))
			for k := range merged {
				u = append(u, k)
			}
			sort.Strings(u)
			umiOf[s] = u
			mol = int64(len(u))
		}
		out = append(out, Insert{Seq: s, Reads: c.reads[i], Molecules: mol})
	}
	SortInserts(out)
	if !c.umi {
		return out, nil
	}
	umis := make([][]string, len(out))
	for i, in := range out {
		umis[i] = umiOf[in.Seq]
	}
	return out, umis
}

// SortInserts sorts by Reads descending, then Seq ascending.
func SortInserts(ins []Insert) {
	sort.Slice(ins, func(a, b int) bool {
		if ins[a].Reads != ins[b].Reads {
			return ins[a].Reads > ins[b].Reads
		}
		return ins[a].Seq < ins[b].Seq
	})
}

// MergeUMIs applies UMI-tools' directional rule (Smith, Heger & Sudbery
// 2017, Genome Research 27:491) to the UMIs seen with one insert, given as
// UMI -> read count, and returns the surviving UMIs with their absorbed
// read counts.
//
// Rule: draw an edge a -> b when Hamming(a, b) = 1 and
//
//	count(a) >= 2*count(b) - 1
//
// Each connected component reachable from a root by such edges is one
// molecule. Roots are taken in order of decreasing count (ties: UMI
// string ascending, so the result is deterministic); a root absorbs every
// not-yet-absorbed UMI reachable from it along directed edges. UMIs of
// different lengths are never merged.
func MergeUMIs(counts map[string]int64) map[string]int64 {
	if len(counts) <= 1 {
		out := make(map[string]int64, len(counts))
		for k, v := range counts {
			out[k] = v
		}
		return out
	}
	umis := make([]string, 0, len(counts))
	for u := range counts {
		umis = append(umis, u)
	}
	sort.Slice(umis, func(a, b int) bool {
		ca, cb := counts[umis[a]], counts[umis[b]]
		if ca != cb {
			return ca > cb
		}
		return umis[a] < umis[b]
	})
	pos := make(map[string]int, len(umis))
	for i, u := range umis {
		pos[u] = i
	}
	absorbed := make([]bool, len(umis))
	out := make(map[string]int64)
	var queue []int
	nb := make([]byte, 0, 16)
	for r, root := range umis {
		if absorbed[r] {
			continue
		}
		absorbed[r] = true
		total := int64(0)
		queue = append(queue[:0], r)
		for len(queue) > 0 {
			a := queue[0]
			queue = queue[1:]
			ua := umis[a]
			ca := counts[ua]
			total += ca
			// Enumerate Hamming-1 neighbours of ua; for short UMIs this
			// is 3*len lookups, cheaper than comparing all pairs.
			nb = append(nb[:0], ua...)
			for i := range nb {
				orig := nb[i]
				for _, x := range [...]byte{'A', 'C', 'G', 'T', 'N'} {
					if x == orig {
						continue
					}
					nb[i] = x
					if j, ok := pos[string(nb)]; ok && !absorbed[j] && ca >= 2*counts[umis[j]]-1 {
						absorbed[j] = true
						queue = append(queue, j)
					}
				}
				nb[i] = orig
			}
		}
		out[root] = total
	}
	return out
}

// WriteCollapsedFasta writes inserts in miRDeep2's collapsed format:
// ">seq_<i>_x<reads>" (i is 1-based, in slice order) then the sequence.
func WriteCollapsedFasta(w io.Writer, ins []Insert) error {
	buf := make([]byte, 0, 1<<16)
	for i, in := range ins {
		buf = append(buf, ">seq_"...)
		buf = strconv.AppendInt(buf, int64(i+1), 10)
		buf = append(buf, "_x"...)
		buf = strconv.AppendInt(buf, in.Reads, 10)
		buf = append(buf, '\n')
		buf = append(buf, in.Seq...)
		buf = append(buf, '\n')
		if len(buf) > 1<<15 {
			if _, err := w.Write(buf); err != nil {
				return fmt.Errorf("seq: write collapsed FASTA: %w", err)
			}
			buf = buf[:0]
		}
	}
	if _, err := w.Write(buf); err != nil {
		return fmt.Errorf("seq: write collapsed FASTA: %w", err)
	}
	return nil
}
