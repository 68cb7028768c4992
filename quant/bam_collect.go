package quant

import (
	"bytes"
	"cmp"
	"encoding/binary"
	"fmt"
	"io"
	"slices"
	"sort"

	"github.com/biogo/hts/sam"
	"github.com/exomir/exomir/seq"
)

// insertCollector turns the records of each read into an AlignedInsert
// and merges reads with the same sequence and hits.
type insertCollector struct {
	ref         *Reference
	keepStrata  bool
	refIdx      map[string]int // name → hairpin index
	otherIdx    map[string]int // name → class index
	unknown     []string
	unknownSet  map[string]int64
	byKey       map[string]int
	inserts     []AlignedInsert
	st          *BAMStats
	totalWeight int64 // sum of the read names' counts so far (bounded by MaxReadCount)
	key         []byte
	intern      map[string]int32 // read sequence → index in seqs
	seqs        [][]byte         // distinct read sequences (interning)
	mms         []int
	interning   bool // read sequences must outlive the record (coordinate-sorted input)
	// firstIndex is the smallest collapsed-read index ("seq_<i>_x<n>") of
	// each insert's reads, -1 for none; uncollapsed is set when some read
	// name has no index.
	firstIndex  []int64
	uncollapsed bool
	kinds       refKinds

	// Genome input (nil for hairpin input).
	genome           *GenomeReference
	genomeMapped     int64
	genomeOnChrom    int64
	genomeChromNames []string
}

func newInsertCollector(ref *Reference, st *BAMStats, keepStrata bool) *insertCollector {
	c := &insertCollector{
		ref: ref, st: st, keepStrata: keepStrata,
		refIdx:     make(map[string]int, len(ref.Hairpins)),
		otherIdx:   make(map[string]int, len(ref.Others)),
		unknownSet: map[string]int64{},
		byKey:      map[string]int{},
		intern:     map[string]int32{},
	}
	for i, h := range ref.Hairpins {
		c.refIdx[h.Name] = i
	}
	for _, o := range ref.Others {
		if _, dup := c.otherIdx[o.Name]; !dup {
			c.otherIdx[o.Name] = o.Class
		}
	}
	return c
}

// readAcc accumulates the records of one read name: what counting needs,
// not the records themselves.
type readAcc struct {
	read    []byte // 5'→3', from the first record with a full SEQ
	readBuf []byte // holds read when the collector does not intern
	readID  int32  // index of read in insertCollector.seqs when interning
	hits    []Hit
	others  []int
	// For reads whose records carry no SEQ: the MD tag and 5' clip of the
	// record of the first hit.
	md    string
	mdOff int
}

func (a *readAcc) reset() {
	a.read, a.md, a.mdOff = nil, "", 0
	a.hits, a.others = a.hits[:0], a.others[:0]
}

// refKinds caches, per reference id of the input, its hairpin index and
// other-RNA class (-1: none) and, for genome input, its loci.
type refKinds struct {
	hairpin []int32
	class   []int32
	loci    [][]genomeLocus
	maxLen  []int
}

func (c *insertCollector) resolveRefs(ar *alignmentReader) {
	k := &c.kinds
	for id := len(k.hairpin); id < len(ar.refs); id++ {
		name := ar.refs[id]
		h, cl := int32(-1), int32(-1)
		var loci []genomeLocus
		ml := 0
		if c.genome != nil {
			loci, ml = c.genome.chromLoci(name)
		} else if i, ok := c.refIdx[name]; ok {
			h = int32(i)
		} else if x, ok := c.otherIdx[name]; ok {
			cl = int32(x)
		}
		k.hairpin = append(k.hairpin, h)
		k.class = append(k.class, cl)
		k.loci = append(k.loci, loci)
		k.maxLen = append(k.maxLen, ml)
	}
}

// internSeq returns the shared copy of a read sequence and its index in
// c.seqs.
func (c *insertCollector) internSeq(b []byte) ([]byte, int32) {
	if id, ok := c.intern[string(b)]; ok {
		return c.seqs[id], id
	}
	s := append([]byte(nil), b...)
	id := int32(len(c.seqs))
	c.seqs = append(c.seqs, s)
	c.intern[string(s)] = id
	return s, id
}

// addRecord converts one record of the read a.
func (c *insertCollector) addRecord(a *readAcc, r *alnRec, ar *alignmentReader) {
	if a.read == nil && len(r.seq) > 0 && r.flags&sam.Supplementary == 0 {
		hard := false
		for _, op := range r.cigar {
			hard = hard || op.Type() == sam.CigarHardClipped
		}
		if !hard {
			a.readBuf = append(a.readBuf[:0], r.seq...)
			bamUpperDNA(a.readBuf)
			if r.flags&sam.Reverse != 0 {
				seq.ReverseComplement(a.readBuf)
			}
			a.read = a.readBuf
			if c.interning {
				a.read, a.readID = c.internSeq(a.readBuf)
			}
		}
	}
	if r.flags&sam.Unmapped != 0 || r.ref < 0 {
		return
	}
	if r.flags&sam.Supplementary != 0 {
		c.st.Supplemental++
		return
	}
	if int(r.ref) >= len(c.kinds.hairpin) {
		c.resolveRefs(ar)
	}
	if c.genome != nil {
		c.genomeMapped++
		sp := alnSpanOf(r.pos, r.cigar)
		if sp.Gapped {
			c.st.Gapped++
			return
		}
		loci := c.kinds.loci[r.ref]
		if len(loci) == 0 {
			rn := ar.refs[r.ref]
			if len(c.genomeChromNames) < 5 && !slices.Contains(c.genomeChromNames, rn) {
				c.genomeChromNames = append(c.genomeChromNames, rn)
			}
			c.st.NoFeature++
			return
		}
		c.genomeOnChrom++
		if sp.Ref <= 0 {
			c.st.OffEnd++ // no aligned base: as on hairpins
			return
		}
		n := len(a.hits)
		a.hits = c.genome.lociHits(a.hits, loci, c.kinds.maxLen[r.ref], sp, r.flags&sam.Reverse != 0)
		if len(a.hits) == n {
			c.st.NoFeature++
		}
		return
	}
	hi := c.kinds.hairpin[r.ref]
	if hi < 0 {
		if cl := c.kinds.class[r.ref]; cl >= 0 {
			if r.flags&sam.Reverse == 0 {
				a.others = append(a.others, int(cl))
			}
			return
		}
		rn := ar.refs[r.ref]
		if _, seen := c.unknownSet[rn]; !seen {
			c.unknown = append(c.unknown, rn)
		}
		c.unknownSet[rn]++
		return
	}
	if r.flags&sam.Reverse != 0 {
		c.st.Antisense++
		return
	}
	sp := alnSpanOf(r.pos, r.cigar)
	if sp.Gapped {
		c.st.Gapped++
		return
	}
	hp := c.ref.Hairpins[hi].Seq
	start := sp.Pos - sp.Clip5
	if start < 0 || sp.Pos+sp.Ref > len(hp) || sp.Ref <= 0 || sp.Clip3 > 127 {
		c.st.OffEnd++
		return
	}
	if len(a.hits) == 0 && len(r.seq) == 0 && r.md != nil {
		a.md, a.mdOff = string(r.md), sp.Clip5
	}
	a.hits = append(a.hits, Hit{Hairpin: hi, Pos: int32(start), Len: int32(sp.Clip5 + sp.Ref), Tail: int8(sp.Clip3)})
}

// finishRead turns the accumulated read, of weight reads, into an insert.
// readWeight is parseReadWeight of a record's name, with the running total of
// all reads kept within MaxReadCount; errors name the file and record.
func (c *insertCollector) readWeight(file string, name []byte, record int64) (int64, error) {
	w, err := parseReadWeight(string(name))
	if err == nil && c.totalWeight+w > MaxReadCount {
		err = fmt.Errorf("%w: the reads' counts add up to more than 2^53", ErrReadCount)
	}
	if err != nil {
		return 0, &AlignmentError{File: file, Record: record, Err: err}
	}
	c.totalWeight += w
	return w, nil
}

func (c *insertCollector) finishRead(a *readAcc, weight, index int64) {
	c.st.Names++
	c.st.Reads += weight
	read := a.read
	if read == nil && len(a.hits) > 0 {
		read = c.readFromReference(a)
	}
	// Keep hits consistent with the read's length, re-express 3' ends as
	// the aligner would, and keep the best (mismatches, tail) class.
	hits := a.hits[:0]
	mms := c.mms[:0]
	for _, h := range a.hits {
		if read == nil || int(h.Len)+int(h.Tail) != len(read) {
			c.st.OffEnd++
			continue
		}
		mm := 0
		if c.genome == nil || c.genome.seqKnown[h.Hairpin] {
			h, mm = normaliseTail(read, c.ref.Hairpins[h.Hairpin].Seq, h)
		}
		hits = append(hits, h)
		mms = append(mms, mm)
	}
	c.mms = mms
	if !c.keepStrata && len(hits) > 1 {
		bm, bt := mms[0], hits[0].Tail
		for i, h := range hits {
			if mms[i] < bm || (mms[i] == bm && h.Tail < bt) {
				bm, bt = mms[i], h.Tail
			}
		}
		kept := hits[:0]
		for i, h := range hits {
			if mms[i] == bm && h.Tail == bt {
				kept = append(kept, h)
			}
		}
		hits = kept
	}
	if len(hits) > 1 {
		sort.Slice(hits, func(i, j int) bool {
			x, y := hits[i], hits[j]
			if x.Hairpin != y.Hairpin {
				return x.Hairpin < y.Hairpin
			}
			if x.Pos != y.Pos {
				return x.Pos < y.Pos
			}
			return x.Len < y.Len
		})
		hits = slices.Compact(hits)
	}
	others := a.others
	if len(others) > 1 {
		sort.Ints(others)
		others = slices.Compact(others)
	}
	if len(hits) == 0 && len(others) == 0 {
		c.st.Unmapped += weight
	}
	// Merge with an earlier identical insert.
	c.key = append(c.key[:0], read...)
	c.key = append(c.key, 0)
	for _, h := range hits {
		c.key = binary.LittleEndian.AppendUint32(c.key, uint32(h.Hairpin))
		c.key = binary.LittleEndian.AppendUint32(c.key, uint32(h.Pos))
		c.key = binary.LittleEndian.AppendUint32(c.key, uint32(h.Len))
		c.key = append(c.key, byte(h.Tail))
	}
	c.key = append(c.key, 0xff)
	for _, o := range others {
		c.key = binary.LittleEndian.AppendUint32(c.key, uint32(o))
	}
	if index < 0 {
		c.uncollapsed = true
	}
	if i, ok := c.byKey[string(c.key)]; ok {
		if index >= 0 && (c.firstIndex[i] < 0 || index < c.firstIndex[i]) {
			c.firstIndex[i] = index
		}
		c.inserts[i].Reads += weight
		c.inserts[i].Molecules += weight
		return
	}
	c.byKey[string(c.key)] = len(c.inserts)
	c.firstIndex = append(c.firstIndex, index)
	if !c.interning {
		read = append([]byte(nil), read...)
	}
	in := AlignedInsert{Seq: read, Reads: weight, Molecules: weight}
	if len(hits) > 0 {
		in.Hits = append([]Hit(nil), hits...)
	}
	if len(others) > 0 {
		in.Others = append([]int(nil), others...)
	}
	c.inserts = append(c.inserts, in)
}

// readFromReference rebuilds a read whose records carry no sequence: the
// hairpin bases under its first hit, N where the MD tag of that record
// reports a mismatch, N for untemplated bases.
func (c *insertCollector) readFromReference(a *readAcc) []byte {
	h := a.hits[0]
	hp := c.ref.Hairpins[h.Hairpin].Seq
	read := make([]byte, int(h.Len)+int(h.Tail))
	copy(read, hp[h.Pos:int(h.Pos)+int(h.Len)])
	for i := int(h.Len); i < len(read); i++ {
		read[i] = 'N'
	}
	for _, p := range mdMismatches(a.md) {
		if a.mdOff+p < len(read) {
			read[a.mdOff+p] = 'N'
		}
	}
	if c.interning {
		read, _ = c.internSeq(read)
	}
	return read
}

// nameHash is the 64-bit FNV-1a hash of a read name.
func nameHash(b []byte) uint64 {
	h := uint64(14695981039346656037)
	for _, c := range b {
		h ^= uint64(c)
		h *= 1099511628211
	}
	return h
}

// coordRead is the state of one read name of a coordinate-sorted file:
// its weight, order key, interned sequence and first hit inline; further
// hits and other-RNA classes live in flat arenas, MD tags (rare) in a map.
type coordRead struct {
	weight    int64
	order     int64 // collapsed-read index, or -1
	hash      uint64
	read      int32 // index in insertCollector.seqs, -1 before the first SEQ
	nHits     int32 // hits, the first inline
	first     Hit
	hasOthers bool
	hasMD     bool
}

// seedAcc resets acc to what cr keeps inline: the read's sequence and
// first hit, when seen.
func (c *insertCollector) seedAcc(acc *readAcc, cr *coordRead) {
	acc.reset()
	if cr.read >= 0 {
		acc.read = c.seqs[cr.read]
	}
	if cr.nHits > 0 {
		acc.hits = append(acc.hits, cr.first)
	}
}

// arenaHit is a hit (or, in the other-RNA arena, a class in Hairpin) of
// read number read.
type arenaHit struct {
	read int32
	hit  Hit
}

type readMD struct {
	md  string
	off int
}

// collect reads every record and passes each read (all records of one
// name) through c.
//
// Files sorted by coordinate (header SO:coordinate) are grouped in memory,
// about 100 bytes per read name: names are keyed by their 64-bit FNV-1a
// hash (two names of one file sharing a hash, a chance of about n²/2⁶⁵,
// 1e-7 for 2 million names, would be merged), and only the weight, the
// shared read sequence and the hits are kept. The reads are then finished
// in order of their collapsed-read index ("seq_<i>_x<n>"), else of their
// name hash, so the result does not depend on coordinates. Collapsed
// input keeps this small; for large uncollapsed files, name-grouped
// input (the aligner's own output order, or samtools sort -n) streams.
//
// Other files must keep the records of a read adjacent, as aligners write
// them; they stream with 16 bytes per read name (its hash and first
// record number, sorted at the end to find a name that reappeared after
// other reads: an ErrNotGrouped error).
func (c *insertCollector) collect(ar *alignmentReader) (err error) {
	defer func() {
		if err == nil {
			c.st.MissingEOF = ar.missingEOF()
		}
	}()
	st := c.st
	var rec alnRec
	var acc readAcc
	if ar.sortOrd == "coordinate" {
		c.interning = true
		idx := map[uint64]int32{}
		var reads []coordRead
		var extra, extraOthers []arenaHit
		mds := map[int32]readMD{}
		for {
			err := ar.read(&rec)
			if err == io.EOF {
				break
			}
			if err != nil {
				return err
			}
			st.Records++
			h := nameHash(rec.name)
			i, ok := idx[h]
			if !ok {
				i = int32(len(reads))
				idx[h] = i
				ord := int64(-1)
				if v, ok := collapsedIndex(rec.name); ok {
					ord = v
				}
				w, err := c.readWeight(ar.file, rec.name, ar.n)
				if err != nil {
					return err
				}
				reads = append(reads, coordRead{weight: w, order: ord, hash: h, read: -1})
			}
			cr := &reads[i]
			// Convert the record with a scratch accumulator seeded with
			// what addRecord looks at (sequence, first hit), then store
			// the additions compactly.
			c.seedAcc(&acc, cr)
			nh := len(acc.hits)
			c.addRecord(&acc, &rec, ar)
			if cr.read < 0 && acc.read != nil {
				cr.read = acc.readID
			}
			for _, hit := range acc.hits[nh:] {
				if cr.nHits == 0 {
					cr.first = hit
				} else {
					extra = append(extra, arenaHit{i, hit})
				}
				cr.nHits++
			}
			for _, cl := range acc.others {
				extraOthers = append(extraOthers, arenaHit{i, Hit{Hairpin: int32(cl)}})
				cr.hasOthers = true
			}
			if acc.md != "" && !cr.hasMD {
				mds[i] = readMD{acc.md, acc.mdOff}
				cr.hasMD = true
			}
		}
		idx = nil
		byRead := func(a, b arenaHit) int { return cmp.Compare(a.read, b.read) }
		slices.SortStableFunc(extra, byRead)
		slices.SortStableFunc(extraOthers, byRead)
		span := func(arena []arenaHit, i int32) []arenaHit {
			lo := sort.Search(len(arena), func(k int) bool { return arena[k].read >= i })
			hi := lo
			for hi < len(arena) && arena[hi].read == i {
				hi++
			}
			return arena[lo:hi]
		}
		order := make([]int32, len(reads))
		for i := range order {
			order[i] = int32(i)
		}
		sort.Slice(order, func(a, b int) bool {
			x, y := &reads[order[a]], &reads[order[b]]
			if (x.order >= 0) != (y.order >= 0) {
				return x.order >= 0
			}
			if x.order != y.order {
				return x.order < y.order
			}
			return x.hash < y.hash
		})
		for _, i := range order {
			cr := &reads[i]
			c.seedAcc(&acc, cr)
			if cr.nHits > 1 {
				for _, e := range span(extra, i) {
					acc.hits = append(acc.hits, e.hit)
				}
			}
			if cr.hasOthers {
				for _, e := range span(extraOthers, i) {
					acc.others = append(acc.others, int(e.hit.Hairpin))
				}
			}
			if cr.hasMD {
				m := mds[i]
				acc.md, acc.mdOff = m.md, m.off
			}
			c.finishRead(&acc, cr.weight, cr.order)
		}
		return nil
	}
	// Names of finished reads, checked at the end for a name that came
	// back after other reads (sorting 8+8 bytes per name is much cheaper
	// than a set lookup per read).
	type seen struct {
		hash uint64
		rec  int64
	}
	var done []seen
	var curName []byte
	var curWeight int64
	open := false
	for {
		err := ar.read(&rec)
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		st.Records++
		if open && !bytes.Equal(rec.name, curName) {
			c.finishRead(&acc, curWeight, collapsedIndexOr(curName))
			open = false
		}
		if !open {
			if curWeight, err = c.readWeight(ar.file, rec.name, ar.n); err != nil {
				return err
			}
			done = append(done, seen{nameHash(rec.name), ar.n})
			curName = append(curName[:0], rec.name...)
			acc.reset()
			open = true
		}
		c.addRecord(&acc, &rec, ar)
	}
	if open {
		c.finishRead(&acc, curWeight, collapsedIndexOr(curName))
	}
	slices.SortFunc(done, func(a, b seen) int {
		if a.hash != b.hash {
			return cmp.Compare(a.hash, b.hash)
		}
		return cmp.Compare(a.rec, b.rec)
	})
	for i := 1; i < len(done); i++ {
		if done[i].hash == done[i-1].hash {
			return &AlignmentError{File: ar.file, Record: done[i].rec, Err: fmt.Errorf("%w: the read name of record %d appears again here after other reads; sort the file by name (samtools sort -n) or by coordinate", ErrNotGrouped, done[i-1].rec)}
		}
	}
	return nil
}

// collapsedIndexOr returns collapsedIndex(n), or -1.
func collapsedIndexOr(n []byte) int64 {
	if v, ok := collapsedIndex(n); ok {
		return v
	}
	return -1
}

// canonicalOrder puts the inserts in an order that does not depend on the
// order of the records: by collapsed-read index when every read name has
// one (the order of the collapser that named them, hence of the FASTQ
// path), else by sequence and hits.
func (c *insertCollector) canonicalOrder() {
	keys := make([]string, len(c.inserts))
	for k, i := range c.byKey {
		keys[i] = k
	}
	perm := make([]int, len(c.inserts))
	for i := range perm {
		perm[i] = i
	}
	sort.Slice(perm, func(a, b int) bool {
		x, y := perm[a], perm[b]
		if !c.uncollapsed && c.firstIndex[x] != c.firstIndex[y] {
			return c.firstIndex[x] < c.firstIndex[y]
		}
		return keys[x] < keys[y]
	})
	out := make([]AlignedInsert, len(perm))
	for i, p := range perm {
		out[i] = c.inserts[p]
	}
	c.inserts = out
}

// collapsedIndex parses i from a name "<prefix>_<i>_x<count>".
func collapsedIndex(n []byte) (int64, bool) {
	j := bytes.LastIndex(n, []byte("_x"))
	if j < 0 {
		return 0, false
	}
	i := bytes.LastIndexByte(n[:j], '_')
	if i < 0 || i+1 == j {
		return 0, false
	}
	var v int64
	for _, ch := range n[i+1 : j] {
		if ch < '0' || ch > '9' || v > 1<<58 {
			return 0, false
		}
		v = v*10 + int64(ch-'0')
	}
	return v, true
}
