package seq

import (
	"cmp"
	"fmt"
	"io"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
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
// open-addressing table that holds their read counts too (one cache line
// per read); others, rare, go to a string-keyed map.
//
// An insert's id is its table slot (>= 0), or -2-i for the i-th long
// insert. Slots move when the table grows: ids taken before are stale
// after, and grows counts the moves so that callers holding ids (the read
// cache) can drop them.
type collapser struct {
	table     idTable
	grows     int
	long      map[string]int32 // long insert -> index
	longSeqs  []string
	longReads []int64
	umis      map[key2]map[string]int64 // packed inserts' UMI counts
	longUMIs  []map[string]int64
	umi       bool
}

// collapserSlots is the initial table size: about 390,000 distinct
// inserts per worker fit before it grows (growing copies and drops the
// read cache), a 2M-read library up to ~20% distinct inserts
// (bench/diversity_grid.sh). Tests lower it.
var collapserSlots = 1 << 19

func newCollapser(umi bool) *collapser {
	c := &collapser{table: newIDTable(collapserSlots), long: make(map[string]int32), umi: umi}
	if umi {
		c.umis = make(map[key2]map[string]int64)
	}
	return c
}

// id returns the id of insert s, adding it (with no reads) if new.
func (c *collapser) id(s []byte) int32 {
	if k, ok := pack2(s); ok {
		return c.idKey(k)
	}
	return c.idLong(string(s))
}

func (c *collapser) idKey(k key2) int32 {
	slot, ok := c.table.find(k)
	if !ok {
		if c.table.insert(slot, k) {
			c.grows++
			slot, _ = c.table.find(k)
		}
	}
	return int32(slot)
}

func (c *collapser) idLong(s string) int32 {
	i, ok := c.long[s]
	if !ok {
		i = int32(len(c.longSeqs))
		c.long[s] = i
		c.longSeqs = append(c.longSeqs, s)
		c.longReads = append(c.longReads, 0)
		if c.umi {
			c.longUMIs = append(c.longUMIs, nil)
		}
	}
	return -2 - i
}

// add counts n reads of insert id.
func (c *collapser) add(id int32, n int64) {
	if id >= 0 {
		c.table.slots[id].n += n
	} else {
		c.longReads[-2-id] += n
	}
}

// addUMI counts n reads with the given UMI for insert id.
func (c *collapser) addUMI(id int32, umi []byte, n int64) {
	var m map[string]int64
	if id >= 0 {
		k := c.table.slots[id].k
		if m = c.umis[k]; m == nil {
			m = make(map[string]int64, 1)
			c.umis[k] = m
		}
	} else {
		if m = c.longUMIs[-2-id]; m == nil {
			m = make(map[string]int64, 1)
			c.longUMIs[-2-id] = m
		}
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
	for _, sl := range o.table.slots {
		if sl.k == (key2{}) {
			continue
		}
		id := c.idKey(sl.k)
		c.add(id, sl.n)
		if c.umi {
			for u, n := range o.umis[sl.k] {
				c.addUMI(id, []byte(u), n)
			}
		}
	}
	for j, s := range o.longSeqs {
		id := c.idLong(s)
		c.add(id, o.longReads[j])
		if c.umi {
			for u, n := range o.longUMIs[j] {
				c.addUMI(id, []byte(u), n)
			}
		}
	}
}

// collapseAll returns the inserts of all of cols together, as inserts
// does for one. Without UMIs the tables are not merged by hashing: their
// records are partitioned by the first bases of the packed key, each part
// radix-sorted by key and equal keys summed, concurrently; the parts in order
// are then in sequence order, and a stable counting pass by read count
// gives the output order.
func collapseAll(cols []*collapser) ([]Insert, [][]string) {
	c := cols[0]
	if c.umi {
		for i, o := range cols[1:] {
			c.merge(o)
			cols[i+1] = nil // its tables can go
		}
		return c.inserts()
	}
	// Each table is counted and scattered by its own goroutine: table t's
	// records of part b go after those of tables before it.
	tc := make([][256]int, len(cols))
	var wg sync.WaitGroup
	for t, o := range cols {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range o.table.slots {
				if k := o.table.slots[i].k; k != (key2{}) {
					tc[t][k[0]>>56]++
				}
			}
		}()
	}
	wg.Wait()
	var starts [257]int // starts[b]: first record of part b; starts[256]: total
	next := make([][256]int, len(cols))
	for b := range 256 {
		at := starts[b]
		for t := range cols {
			next[t][b] = at
			at += tc[t][b]
		}
		starts[b+1] = at
	}
	recs := make([]collapsed, starts[256])
	for t, o := range cols {
		wg.Add(1)
		go func() {
			defer wg.Done()
			nx := &next[t]
			for i := range o.table.slots {
				if sl := &o.table.slots[i]; sl.k != (key2{}) {
					b := sl.k[0] >> 56
					recs[nx[b]] = collapsed{sl.n, sl.k, -1}
					nx[b]++
				}
			}
			o.table.slots = nil
		}()
	}
	wg.Wait()
	var ends [256]int
	sem := make(chan struct{}, runtime.GOMAXPROCS(0))
	for b := range ends {
		part := recs[starts[b]:starts[b+1]]
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			sortKeys(part, make([]collapsed, len(part)), 1) // byte 0 is b
			w := 0
			for _, r := range part {
				if w > 0 && part[w-1].k == r.k {
					part[w-1].reads += r.reads
					continue
				}
				part[w] = r
				w++
			}
			// Drop inserts without reads (ids taken for low-quality reads).
			v := 0
			for _, r := range part[:w] {
				if r.reads > 0 {
					part[v] = r
					v++
				}
			}
			ends[b] = starts[b] + v
		}()
	}
	wg.Wait()
	keyed := recs[:0]
	for b := range ends {
		keyed = append(keyed, recs[starts[b]:ends[b]]...)
	}
	// Long inserts (few): summed by string, sorted, merged in.
	longReads := map[string]int64{}
	for _, o := range cols {
		for j, s := range o.longSeqs {
			longReads[s] += o.longReads[j]
		}
	}
	out := &collapser{}
	for s, n := range longReads {
		if n > 0 {
			out.longSeqs = append(out.longSeqs, s)
		}
	}
	sort.Strings(out.longSeqs)
	seqOrder := keyed
	if len(out.longSeqs) > 0 {
		seqOrder = make([]collapsed, 0, len(keyed)+len(out.longSeqs))
		var scratch []byte
		j := 0
		for _, r := range keyed {
			scratch = appendUnpacked(scratch[:0], r.k[:])
			for j < len(out.longSeqs) && out.longSeqs[j] < string(scratch) {
				seqOrder = append(seqOrder, collapsed{reads: longReads[out.longSeqs[j]], long: int32(j)})
				j++
			}
			seqOrder = append(seqOrder, r)
		}
		for ; j < len(out.longSeqs); j++ {
			seqOrder = append(seqOrder, collapsed{reads: longReads[out.longSeqs[j]], long: int32(j)})
		}
	}
	return out.output(out.byReads(seqOrder))
}

// byReads returns recs, which are in sequence order, in output order: a
// stable counting pass by read count (up to 64; more frequent inserts,
// few, go first and are sorted). GOMAXPROCS goroutines count and place
// consecutive chunks of recs, chunk c's records of a group after those of
// the chunks before it, so the pass stays stable.
func (c *collapser) byReads(recs []collapsed) []collapsed {
	const small = 64
	const groups = small + 1
	group := func(r collapsed) int {
		if r.reads > small {
			return 0
		}
		return 1 + int(small-r.reads)
	}
	chunks := runtime.GOMAXPROCS(0)
	chunk := func(ch int) []collapsed { return recs[ch*len(recs)/chunks : (ch+1)*len(recs)/chunks] }
	counts := make([][groups]int, chunks)
	var wg sync.WaitGroup
	for ch := range chunks {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for _, r := range chunk(ch) {
				counts[ch][group(r)]++
			}
		}()
	}
	wg.Wait()
	next := make([][groups]int, chunks)
	at, top := 0, 0
	for g := range groups {
		for ch := range chunks {
			next[ch][g] = at
			at += counts[ch][g]
		}
		if g == 0 {
			top = at
		}
	}
	sorted := make([]collapsed, len(recs))
	for ch := range chunks {
		wg.Add(1)
		go func() {
			defer wg.Done()
			nx := &next[ch]
			for _, r := range chunk(ch) {
				g := group(r)
				sorted[nx[g]] = r
				nx[g]++
			}
		}()
	}
	wg.Wait()
	slices.SortStableFunc(sorted[:top], func(a, b collapsed) int { return cmp.Compare(b.reads, a.reads) })
	return sorted
}

// collapsed is one insert being sorted for output: long is -1 for packed
// inserts, else the index of a long one.
type collapsed struct {
	reads int64
	k     key2
	long  int32
}

// inserts returns the collapsed inserts sorted by Reads (descending), then
// Seq (ascending), dropping inserts with no reads; with UMIs also, parallel
// to them, each insert's surviving UMIs after MergeUMIs, sorted.
func (c *collapser) inserts() ([]Insert, [][]string) {
	recs := make([]collapsed, 0, c.table.n+len(c.longSeqs))
	for _, sl := range c.table.slots {
		if sl.n > 0 {
			recs = append(recs, collapsed{sl.n, sl.k, -1})
		}
	}
	total := 0
	for i, r := range c.longReads {
		if r > 0 {
			recs = append(recs, collapsed{reads: r, long: int32(i)})
			total += len(c.longSeqs[i])
		}
	}
	c.table.slots = nil // counted: let the collector have it while sorting
	return c.output(c.sort(recs))
}

// output makes the Inserts (and UMI sets) of recs, which are in output
// order.
func (c *collapser) output(recs []collapsed) ([]Insert, [][]string) {
	// All sequences in one string: one allocation instead of one each.
	// off[n] is where record n's sequence starts; the sequences are
	// unpacked, and the Inserts made, by GOMAXPROCS goroutines.
	off := make([]int, len(recs)+1)
	for n := range recs {
		r := &recs[n]
		if r.long < 0 {
			off[n+1] = off[n] + seqLen(r.k)
		} else {
			off[n+1] = off[n] + len(c.longSeqs[r.long])
		}
	}
	buf := make([]byte, off[len(recs)])
	all := unsafe.String(unsafe.SliceData(buf), len(buf)) // buf is filled before all is read
	out := make([]Insert, len(recs))
	chunks := runtime.GOMAXPROCS(0)
	var wg sync.WaitGroup
	for ch := range chunks {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := ch * len(recs) / chunks; n < (ch+1)*len(recs)/chunks; n++ {
				r := &recs[n]
				if r.long < 0 {
					unpackKey(buf[off[n]:off[n+1]], r.k)
				} else {
					copy(buf[off[n]:], c.longSeqs[r.long])
				}
				out[n] = Insert{Seq: all[off[n]:off[n+1]], Reads: r.reads, Molecules: r.reads}
			}
		}()
	}
	wg.Wait()
	if !c.umi {
		return out, nil
	}
	// UMI sets: the directional merge gives each insert's molecules.
	umis := make([][]string, len(recs))
	for n := range recs {
		r := &recs[n]
		var m map[string]int64
		if r.long < 0 {
			m = c.umis[r.k]
		} else {
			m = c.longUMIs[r.long]
		}
		merged := MergeUMIs(m)
		u := make([]string, 0, len(merged))
		for k := range merged {
			u = append(u, k)
		}
		sort.Strings(u)
		umis[n] = u
		out[n].Molecules = int64(len(u))
	}
	return out, umis
}

// sort returns recs (its contents lost) ordered by reads (descending),
// then sequence. Packed keys
// compare as their sequences do, so most comparisons are integer compares.
// Most inserts are seen once or a few times: those are bucketed by count
// and first base and the buckets sorted by key, concurrently.
func (c *collapser) sort(recs []collapsed) []collapsed {
	bySeq := func(a, b collapsed) int {
		if a.long < 0 && b.long < 0 {
			return less2(a.k, b.k)
		}
		return strings.Compare(c.recSeq(a), c.recSeq(b))
	}
	full := func(a, b collapsed) int {
		if a.reads != b.reads {
			if a.reads > b.reads {
				return -1
			}
			return 1
		}
		return bySeq(a, b)
	}
	const small = 64 // counts bucketed
	first := func(r collapsed) byte {
		if r.long < 0 {
			return codeBases[r.k[0]>>60]
		}
		return c.longSeqs[r.long][0]
	}
	// Bucket b = (small-reads)*256 + first byte for reads <= small; the
	// rest (frequent inserts, few) go first, fully sorted.
	counts := make([]int, small*256+1)
	bucket := func(r collapsed) int {
		if r.reads > small {
			return 0
		}
		return 1 + int(small-r.reads)*256 + int(first(r))
	}
	for _, r := range recs {
		counts[bucket(r)]++
	}
	starts := make([]int, len(counts)+1)
	for b, n := range counts {
		starts[b+1] = starts[b] + n
	}
	sorted := make([]collapsed, len(recs))
	next := append([]int(nil), starts[:len(counts)]...)
	for _, r := range recs {
		b := bucket(r)
		sorted[next[b]] = r
		next[b]++
	}
	var wg sync.WaitGroup
	sem := make(chan struct{}, runtime.GOMAXPROCS(0))
	for b := range counts {
		part := sorted[starts[b]:starts[b+1]]
		if len(part) < 2 {
			continue
		}
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			if b == 0 {
				slices.SortFunc(part, full)
			} else {
				slices.SortFunc(part, bySeq)
			}
		}()
	}
	wg.Wait()
	return sorted
}

// recSeq returns r's sequence (allocating for packed ones; used only when
// comparing with a long insert).
func (c *collapser) recSeq(r collapsed) string {
	if r.long >= 0 {
		return c.longSeqs[r.long]
	}
	return string(appendUnpacked(nil, r.k[:]))
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
