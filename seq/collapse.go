package seq

import (
	"fmt"
	"io"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unsafe"
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
// insert–UMI pairs), never with the number of reads. Inserts of at most 42
// bases of A, C, G, N, T are keyed by their packed form in an
// open-addressing table (packed.go); others, rare, by string.
type collapser struct {
	table idTable
	long  map[string]int32 // inserts pack2 cannot hold
	strs  map[int32]string // their ids' sequences
	keys  []key2           // per id: packed insert, zero for long ones
	reads []int64
	umis  []map[string]int64 // per insert; nil without UMIs
	umi   bool
}

func newCollapser(umi bool) *collapser {
	// Sized for a few hundred thousand distinct inserts: growing copies.
	const n = 1 << 17
	return &collapser{table: newIDTable(2 * n), long: make(map[string]int32), strs: make(map[int32]string),
		keys: make([]key2, 0, n), reads: make([]int64, 0, n), umi: umi}
}

// newID appends an insert with no reads yet.
func (c *collapser) newID(k key2, s string) int32 {
	i := int32(len(c.reads))
	c.keys = append(c.keys, k)
	if k == (key2{}) {
		c.strs[i] = s
	}
	c.reads = append(c.reads, 0)
	if c.umi {
		c.umis = append(c.umis, nil)
	}
	return i
}

// id returns the index of insert s, adding it if new.
func (c *collapser) id(s []byte) int32 {
	if k, ok := pack2(s); ok {
		return c.idKey(k)
	}
	if i, ok := c.long[string(s)]; ok {
		return i
	}
	str := string(s)
	i := c.newID(key2{}, str)
	c.long[str] = i
	return i
}

func (c *collapser) idKey(k key2) int32 {
	slot, ok := c.table.find(k)
	if ok {
		return c.table.slots[slot].id
	}
	i := c.newID(k, "")
	c.table.insert(slot, k, i)
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

// merge adds o's counts into c. Sums do not depend on the order in which
// reads reached the collapsers, so the result is the same for any split of
// the reads.
func (c *collapser) merge(o *collapser) {
	for j, r := range o.reads {
		var i int32
		if o.keys[j] != (key2{}) {
			i = c.idKey(o.keys[j])
		} else if id, ok := c.long[o.strs[int32(j)]]; ok {
			i = id
		} else {
			i = c.newID(key2{}, o.strs[int32(j)])
			c.long[o.strs[int32(j)]] = i
		}
		c.reads[i] += r
		if c.umi {
			for u, n := range o.umis[j] {
				c.addUMI(i, []byte(u), n)
			}
		}
	}
}

// inserts returns the collapsed inserts sorted by Reads (descending), then
// Seq (ascending), dropping inserts with no reads; with UMIs also, parallel
// to them, each insert's surviving UMIs after MergeUMIs, sorted.
func (c *collapser) inserts() ([]Insert, [][]string) {
	// Sort (reads, key, id) records: packed keys compare as their
	// sequences do, so most comparisons are integer compares on the
	// records themselves, without indirection.
	type rec struct {
		reads int64
		k     key2
		id    int32
	}
	recs := make([]rec, 0, len(c.reads))
	total := 0
	for i, r := range c.reads {
		if r > 0 {
			recs = append(recs, rec{r, c.keys[i], int32(i)})
			total += len(c.strs[int32(i)])
		}
	}
	slices.SortFunc(recs, func(a, b rec) int {
		if a.reads != b.reads {
			if a.reads > b.reads {
				return -1
			}
			return 1
		}
		if a.k != (key2{}) && b.k != (key2{}) {
			return less2(a.k, b.k)
		}
		return strings.Compare(c.seqOf(a.id), c.seqOf(b.id))
	})
	ids := make([]int32, len(recs))
	for n := range recs {
		ids[n] = recs[n].id
	}
	recs = nil
	// All sequences in one string: one allocation instead of one each.
	buf := make([]byte, 0, total+len(ids)*24)
	ends := make([]int, len(ids))
	for n, i := range ids {
		if c.keys[i] != (key2{}) {
			buf = appendUnpacked(buf, c.keys[i][:])
		} else {
			buf = append(buf, c.strs[i]...)
		}
		ends[n] = len(buf)
	}
	all := unsafe.String(unsafe.SliceData(buf), len(buf)) // buf is not written again
	out := make([]Insert, len(ids))
	var umis [][]string
	if c.umi {
		umis = make([][]string, len(ids))
	}
	start := 0
	for n, i := range ids {
		mol := c.reads[i]
		if c.umi {
			merged := MergeUMIs(c.umis[i])
			u := make([]string, 0, len(merged))
			for k := range merged {
				u = append(u, k)
			}
			sort.Strings(u)
			umis[n] = u
			mol = int64(len(u))
		}
		out[n] = Insert{Seq: all[start:ends[n]], Reads: c.reads[i], Molecules: mol}
		start = ends[n]
	}
	return out, umis
}

// seqOf returns insert i's sequence (allocating for packed ones; used only
// when comparing with a long insert).
func (c *collapser) seqOf(i int32) string {
	if c.keys[i] == (key2{}) {
		return c.strs[i]
	}
	return string(appendUnpacked(nil, c.keys[i][:]))
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
