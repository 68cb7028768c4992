package seq

import (
	"context"
	"errors"
	"fmt"
	"io"
	"runtime"
	"strings"
	"sync"
	"unsafe"
)

// ErrBadOptions is returned (wrapped) by Collapse for invalid Options.
var ErrBadOptions = errors.New("seq: invalid collapse options")

// Defaults of Options.
const (
	DefaultMinLen       = 16
	DefaultMaxLen       = 40
	DefaultDetectReads  = 100000
	DefaultCacheEntries = 1 << 12
	DefaultMaxN         = 1
)

// Options configures Collapse. The zero value means: detect the adapter
// and the layout, keep inserts of 16–40 nt with at most one N, no quality
// filter. Fields where 0 is a meaningful setting distinct from the default
// (MaxN, Clip5, Clip3) are pointers: nil means the default, new(0) zero.
type Options struct {
	// Protocol is "auto" (or ""): detect the adapter and the layout (5'
	// barcode or random bases) from the first DetectReads reads; or a kit
	// name (KitNames), "none" meaning the reads are already trimmed and
	// are inserts as they are.
	Protocol string
	// Adapter, if set, overrides the 3' adapter of the protocol; the
	// layout (clips, UMI) stays the kit's. With "auto" the layout is still
	// detected (the detected kit's when its adapter is this one, else the
	// 5' prefix found before this adapter); with "none", no clips.
	Adapter string
	// Clip5 and Clip3, when not nil, replace the layout's number of bases
	// removed from the insert's 5' and 3' ends after adapter trimming
	// (e.g. -clip5 6 for a 6-nt barcode); nil keeps the kit's or the
	// detected ones.
	Clip5, Clip3 *int
	// MinLen and MaxLen bound the insert length (0 = 16 and 40).
	MinLen, MaxLen int
	// MaxN is the most N bases an insert may hold: nil means DefaultMaxN
	// (1: the aligner counts an N as a mismatch, as bowtie does), new(0)
	// allows none, a negative value means no limit.
	MaxN *int
	// MinMeanQual, if > 0, drops inserts whose mean Phred quality is
	// lower; QualOffset is the quality encoding's offset (0 = 33).
	MinMeanQual float64
	QualOffset  int
	// Threads is the worker count (0 = GOMAXPROCS) for BGZF inflation
	// and for trimming and collapsing: gzip is inflated on one goroutine,
	// the reads are parsed on another and handed in batches to Threads
	// workers whose counts are summed at the end, so the result never
	// depends on it.
	Threads int
	// DetectReads is how many reads adapter detection looks at (0 =
	// 100000).
	DetectReads int
	// MaxErrorRate and MinOverlap are passed to the Trimmer (0 = 0.1 and
	// 3, cutadapt's defaults).
	MaxErrorRate float64
	MinOverlap   int
	// NoIndels restricts adapter matching to mismatches (cutadapt
	// --no-indels); by default indels count as errors too, as in cutadapt.
	NoIndels bool
	// CacheEntries bounds each worker's cache of trimming results keyed
	// by the raw read sequence (0 = 4096; negative disables it).
	// Small-RNA reads repeat a lot, so most reads are a single lookup in a
	// table small enough to stay in the CPU cache; the first distinct
	// reads fill it (the frequent ones come early), later ones are trimmed
	// directly. A bigger cache was slower on 2M reads whose tails are
	// random.
	CacheEntries int
	// MaxReadLen is the longest raw read accepted (0 = DefaultMaxReadLen,
	// 1000 nt): a longer one stops the reading with an error.
	MaxReadLen int
}

// Result is the outcome of Collapse.
type Result struct {
	// Inserts are the distinct passed inserts, sorted by Reads
	// (descending), then Seq (ascending).
	Inserts []Insert
	// UMIs, with UMI layouts only (else nil), holds for each insert
	// (parallel to Inserts) its distinct UMIs after the directional merge,
	// sorted; len(UMIs[i]) == Inserts[i].Molecules.
	UMIs    [][]string
	Summary Summary
}

// CollapseFile opens path (see Open) and collapses its reads.
func CollapseFile(ctx context.Context, path string, o Options) (*Result, error) {
	rc, err := OpenThreads(path, o.Threads)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	file := path
	if path == "-" {
		file = "<stdin>"
	}
	return collapse(ctx, rc, file, o)
}

// Collapse reads FASTQ from r (plain, gzip or BGZF, sniffed), trims every
// read, assigns it to exactly one read category, and collapses the passed
// inserts. file names the input in errors and in the summary.
func Collapse(ctx context.Context, r io.Reader, file string, o Options) (*Result, error) {
	rc, err := NewDecompressor(r, o.Threads)
	if err != nil {
		return nil, &ParseError{File: file, Line: 1, Err: err}
	}
	defer rc.Close()
	return collapse(ctx, rc, file, o)
}

// cacheEntry is the trimming outcome of one raw read sequence. Offsets are
// into the read.
type cacheEntry struct {
	id     int32 // insert index in the collapser; -1 unless passed so far
	is, ie uint16
	us, ue uint16
	cat    uint8
}

// processor accounts for reads; each pipeline worker has its own, and
// they are merged at the end (all their state is sums).
type processor struct {
	o         Options
	trim      *Trimmer
	adapter   bool // the layout has an adapter to look for
	umi       bool
	col       *collapser
	cache     *readCache
	grows     int // col.grows when the cache's ids were taken
	counts    [numCategories]int64
	input     int64
	lenRaw    []int64
	lenInsert []int64
	maxN      int // resolved Options.MaxN; negative: no limit
	pend      []pendingRead
	sink      uint64 // keeps addBatch's prefetching loads
}

func (o *Options) defaults() error {
	o.Protocol = strings.ToLower(strings.TrimSpace(o.Protocol))
	if o.Protocol == "" {
		o.Protocol = "auto"
	}
	if o.MinLen == 0 {
		o.MinLen = DefaultMinLen
	}
	if o.MaxLen == 0 {
		o.MaxLen = DefaultMaxLen
	}
	if o.MinLen < 0 || o.MaxLen < o.MinLen {
		return fmt.Errorf("%w: insert length range %d..%d", ErrBadOptions, o.MinLen, o.MaxLen)
	}
	if o.QualOffset == 0 {
		o.QualOffset = 33
	}
	if o.DetectReads <= 0 {
		o.DetectReads = DefaultDetectReads
	}
	if o.CacheEntries == 0 {
		o.CacheEntries = DefaultCacheEntries
	}
	if o.MinMeanQual < 0 {
		return fmt.Errorf("%w: MinMeanQual %v < 0", ErrBadOptions, o.MinMeanQual)
	}
	if o.Clip5 != nil && *o.Clip5 < 0 || o.Clip3 != nil && *o.Clip3 < 0 {
		return fmt.Errorf("%w: negative clip", ErrBadOptions)
	}
	return nil
}

// maxN resolves o.MaxN.
func (o *Options) maxN() int {
	if o.MaxN == nil {
		return DefaultMaxN
	}
	return *o.MaxN
}

// resolveKit picks the layout and fills the adapter and layout fields of
// s. reads are the first reads' sequences, used only with protocol auto.
func resolveKit(o *Options, reads [][]byte, s *Summary) (Kit, error) {
	k, err := baseKit(o, reads, s)
	if err != nil {
		return Kit{}, err
	}
	if o.Clip5 != nil || o.Clip3 != nil {
		s.LayoutSource = "user"
		if o.Clip5 != nil {
			k.Clip5 = *o.Clip5
		}
		if o.Clip3 != nil {
			k.Clip3 = *o.Clip3
		}
	}
	s.Clip5, s.Clip3 = k.Clip5, k.Clip3
	return k, nil
}

// baseKit is resolveKit before the user's clips.
func baseKit(o *Options, reads [][]byte, s *Summary) (Kit, error) {
	var user string
	if o.Adapter != "" {
		ad, err := normalizeAdapter(o.Adapter)
		if err != nil {
			return Kit{}, err
		}
		user = ad
		s.Adapter, s.AdapterSource, s.AdapterConfidence = ad, "user", 1
	}
	if o.Protocol != "auto" {
		s.LayoutSource = "preset"
		if o.Protocol == "none" && user != "" {
			return Kit{Name: "custom", Adapter: user}, nil
		}
		k, err := KitByName(o.Protocol)
		if err != nil {
			return Kit{}, err
		}
		if user != "" {
			k.Adapter, k.PolyA = user, false
			return k, nil
		}
		s.Adapter, s.AdapterSource, s.AdapterConfidence = k.Adapter, "preset", 1
		if k.PolyA {
			s.Adapter = "polyA"
		}
		if k.Name == "none" {
			s.Adapter = "none"
		}
		return k, nil
	}
	d := DetectAdapter(reads)
	s.Detection = &d
	s.LayoutSource = "detected"
	if user != "" {
		// The detected layout applies when it was found with this adapter
		// (or a prefix of it, or it a prefix of this one); otherwise the
		// reads cut at the user's adapter are examined for a 5' prefix.
		if d.Adapter != "" && (strings.HasPrefix(d.Adapter, user) || strings.HasPrefix(user, d.Adapter)) {
			k, err := KitByName(d.Kit)
			if err != nil {
				k = Kit{Name: "custom"}
			}
			k.Adapter, k.PolyA, k.Clip5 = user, false, d.Clip5
			return k, nil
		}
		pf := detectPrefix(reads, user)
		return Kit{Name: "custom", Adapter: user, Clip5: pf.n}, nil
	}
	s.AdapterSource, s.AdapterConfidence = "detected", d.Confidence
	if d.Kit == "none" || d.Kit == "" && d.Adapter == "" {
		s.Adapter = "none"
		return Kit{Name: "none"}, nil
	}
	k, err := KitByName(d.Kit)
	if err != nil {
		k = Kit{Name: "custom"}
	}
	if d.Adapter != "" && !k.PolyA {
		ad, err := normalizeAdapter(d.Adapter)
		if err != nil {
			return Kit{}, fmt.Errorf("seq: detected adapter: %w", err)
		}
		k.Adapter = ad
		k.Clip5 = d.Clip5
	}
	s.Adapter = k.Adapter
	if k.PolyA {
		s.Adapter = "polyA"
	}
	return k, nil
}

func collapse(ctx context.Context, r io.Reader, file string, o Options) (*Result, error) {
	if err := o.defaults(); err != nil {
		return nil, err
	}
	fr := NewFastqReader(r, file)
	fr.SetMaxReadLen(o.MaxReadLen)
	var rec Record
	res := &Result{Summary: Summary{File: file}}
	s := &res.Summary

	// With detection, the first reads are kept (copied into one arena)
	// until the adapter is known.
	var held [][]byte // seq, qual pairs
	if o.Protocol == "auto" {
		arena := make([]byte, 0, o.DetectReads*64)
		seqs := make([][]byte, 0, o.DetectReads)
		held = make([][]byte, 0, 2*o.DetectReads)
		for len(seqs) < o.DetectReads && fr.Scan(&rec) {
			if len(arena)+len(rec.Seq)+len(rec.Qual) > cap(arena) {
				arena = make([]byte, 0, max(cap(arena), 2*(len(rec.Seq)+len(rec.Qual))))
			}
			a := len(arena)
			arena = append(arena, rec.Seq...)
			arena = append(arena, rec.Qual...)
			sq := arena[a : a+len(rec.Seq) : a+len(rec.Seq)]
			ql := arena[a+len(rec.Seq) : len(arena) : len(arena)]
			seqs = append(seqs, sq)
			held = append(held, sq, ql)
		}
		if err := fr.Err(); err != nil {
			return nil, err
		}
		// Detection runs while the reads that follow are parsed into
		// batches, so that inflating does not wait for it.
		det := make(chan kitResult, 1)
		go func() {
			k, err := resolveKit(&o, seqs, s)
			det <- kitResult{k, err}
		}()
		ahead, kr := parseAhead(ctx, fr, o.MinMeanQual > 0, det)
		if kr.err != nil {
			return nil, kr.err
		}
		seqs = nil
		return run(ctx, fr, kr.k, o, held, ahead, res)
	}
	k, err := resolveKit(&o, nil, s)
	if err != nil {
		return nil, err
	}
	return run(ctx, fr, k, o, nil, nil, res)
}

type kitResult struct {
	k   Kit
	err error
}

// aheadBytes bounds the reads parseAhead holds (a variable so that tests
// can lower it).
var aheadBytes = 32 << 20

// parseAhead parses reads from fr into batches until det delivers the kit
// (or aheadBytes are held; then it waits for det). A read error stops it
// early; fr keeps the error for feed to return.
func parseAhead(ctx context.Context, fr *FastqReader, qual bool, det <-chan kitResult) ([]*batch, kitResult) {
	var out []*batch
	var rec Record
	held := 0
	for held < aheadBytes && ctx.Err() == nil {
		select {
		case kr := <-det:
			return out, kr
		default:
		}
		b := &batch{data: make([]byte, 0, batchBytes+1024), ends: make([]int32, 0, batchReads)}
		for len(b.ends) < batchReads && len(b.data) < batchBytes && fr.Scan(&rec) {
			b.put(rec.Seq, rec.Qual, qual)
		}
		if len(b.ends) > 0 {
			out = append(out, b)
			held += cap(b.data)
		}
		if len(b.ends) < batchReads && len(b.data) < batchBytes {
			break // the input ended, or an error
		}
	}
	return out, <-det
}

func run(ctx context.Context, fr *FastqReader, k Kit, o Options, held [][]byte, ahead []*batch, res *Result) (*Result, error) {
	s := &res.Summary
	tr, err := NewTrimmer(TrimOptions{Kit: k, MaxErrorRate: o.MaxErrorRate, MinOverlap: o.MinOverlap, NoIndels: o.NoIndels})
	if err != nil {
		return nil, err
	}
	s.Protocol = k.Name
	umi := k.UMILen > 0 && (k.Adapter != "" || k.PolyA)
	s.UMI = umi
	workers := o.Threads
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	procs := make([]*processor, workers)
	for i := range procs {
		p := &processor{
			o:       o,
			trim:    tr,
			adapter: k.Adapter != "" || k.PolyA,
			umi:     umi,
			lenRaw:  make([]int64, 64),
			col:     newCollapser(umi),
			maxN:    o.maxN(),
			pend:    make([]pendingRead, 0, batchReads),
		}
		if o.CacheEntries > 0 {
			p.cache = newReadCache(o.CacheEntries)
		}
		procs[i] = p
	}
	if err := feed(ctx, fr, held, ahead, procs, o.MinMeanQual > 0); err != nil {
		return nil, err
	}
	p := procs[0]
	cols := make([]*collapser, len(procs))
	for i, q := range procs {
		cols[i] = q.col
		if i > 0 {
			p.merge(q)
		}
	}
	res.Inserts, res.UMIs = collapseAll(cols)
	s.InputReads = p.input
	s.Categories = make([]Category, numCategories)
	for i := range s.Categories {
		s.Categories[i] = Category{Name: categoryNames[i], Reads: p.counts[i]}
	}
	s.LengthsRaw = trimZeros(p.lenRaw)
	s.LengthsInsert = trimZeros(p.lenInsert)
	s.DistinctInserts = len(res.Inserts)
	for _, in := range res.Inserts {
		s.Molecules += in.Molecules
	}
	return res, nil
}

// batch is a run of reads copied out of the reader's buffer: read i is
// data[ends[i-1]:ends[i]] (ends[-1] = 0), its sequence followed, when the
// qualities are needed, by its qualities.
type batch struct {
	data []byte
	ends []int32
}

const (
	batchReads = 4096
	batchBytes = 1 << 18
)

// put appends a read (its qualities too when qual).
func (b *batch) put(sq, ql []byte, qual bool) {
	b.data = append(b.data, sq...)
	if qual {
		b.data = append(b.data, ql...)
	}
	b.ends = append(b.ends, int32(len(b.data)))
}

// feed parses the reads (the held ones and the batches read ahead first)
// on the calling goroutine and hands them in batches to one goroutine per
// processor. Which processor sees which read does not change the merged
// result.
func feed(ctx context.Context, fr *FastqReader, held [][]byte, ahead []*batch, procs []*processor, qual bool) error {
	nb := 3 * len(procs)
	free := make(chan *batch, nb)
	work := make(chan *batch, nb)
	for i := 0; i < nb; i++ {
		free <- &batch{data: make([]byte, 0, batchBytes+1024), ends: make([]int32, 0, batchReads)}
	}
	var wg sync.WaitGroup
	for _, p := range procs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for b := range work {
				p.addBatch(b, qual)
				select {
				case free <- b:
				default: // a batch read ahead, beyond the pool
				}
			}
		}()
	}
	b := <-free
	put := func(sq, ql []byte) {
		b.put(sq, ql, qual)
		if len(b.ends) == batchReads || len(b.data) >= batchBytes {
			work <- b
			b = <-free
			b.data, b.ends = b.data[:0], b.ends[:0]
		}
	}
	var err error
	for i := 0; i+1 < len(held); i += 2 {
		put(held[i], held[i+1])
		held[i], held[i+1] = nil, nil
	}
	for i, a := range ahead {
		work <- a
		ahead[i] = nil
	}
	var rec Record
	for n := 0; fr.Scan(&rec); n++ {
		if len(rec.Seq) > 0xffff {
			// Too long for a batch's offsets: flush, and take it alone.
			if len(b.ends) > 0 {
				work <- b
				b = <-free
				b.data, b.ends = b.data[:0], b.ends[:0]
			}
			close(work)
			wg.Wait()
			procs[0].add(rec.Seq, rec.Qual)
			return feedRest(ctx, fr, procs, qual)
		}
		put(rec.Seq, rec.Qual)
		if n&0xffff == 0 {
			if err = ctx.Err(); err != nil {
				break
			}
		}
	}
	if len(b.ends) > 0 {
		work <- b
	}
	close(work)
	wg.Wait()
	if err != nil {
		return err
	}
	if err := fr.Err(); err != nil {
		return err
	}
	return ctx.Err()
}

// feedRest accounts for the rest of the reads on the calling goroutine
// (after a read too long for the batches).
func feedRest(ctx context.Context, fr *FastqReader, procs []*processor, qual bool) error {
	var rec Record
	for n := 0; fr.Scan(&rec); n++ {
		procs[0].add(rec.Seq, rec.Qual)
		if n&0xffff == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
	}
	if err := fr.Err(); err != nil {
		return err
	}
	return ctx.Err()
}

// pendingRead is a read of a batch that passed trimming and whose packed
// insert's id is looked up in addBatch's second pass.
type pendingRead struct {
	start, end int32 // the read in the batch's data
	e          cacheEntry
	k          key2
}

// addBatch accounts for the reads of b in two passes. The first trims
// each read (or finds it in the read cache) and accounts for all but the
// passed reads the cache did not know; their inserts' table slots are
// then loaded in a tight loop of independent loads, whose cache misses
// the CPU overlaps, before the second pass looks them up and accounts for
// them. The counts are those of add, read by read.
func (p *processor) addBatch(b *batch, qual bool) {
	split := func(start, end int32) (sq, ql []byte) {
		r := b.data[start:end:end]
		if qual {
			n := len(r) / 2
			return r[:n:n], r[n:]
		}
		return r, nil
	}
	pend := p.pend[:0]
	start := int32(0)
	for _, end := range b.ends {
		sq, ql := split(start, end)
		st := start
		start = end
		if len(sq) > 0xffff || p.cache == nil {
			p.add(sq, ql)
			continue
		}
		p.countRaw(len(sq))
		p.refreshCache()
		e, hit, h, slot := p.cache.lookup(sq)
		if !hit {
			e = p.classifyTrimmed(sq, p.trim.Trim(sq, nil), false)
			if e.cat == catPassed {
				k, ok := pack2(sq[e.is:e.ie])
				if ok {
					pend = append(pend, pendingRead{st, end, e, k})
					continue
				}
				e.id = p.col.idLong(string(sq[e.is:e.ie]))
			}
			if slot >= 0 {
				p.cache.put(slot, h, sq, e)
			}
		}
		p.account(e, sq, ql)
	}
	if len(pend) > 0 {
		slots := p.col.table.slots
		mask := uint64(len(slots) - 1)
		var sink uint64
		for i := range pend {
			sink += slots[pend[i].k.hash()&mask].k[0]
		}
		p.sink += sink
	}
	for i := range pend {
		pr := &pend[i]
		sq, ql := split(pr.start, pr.end)
		pr.e.id = p.col.idKey(pr.k)
		p.refreshCache()
		// A full cache takes no more reads: no second lookup.
		if !p.cache.full() {
			if _, hit, h, slot := p.cache.lookup(sq); !hit && slot >= 0 {
				p.cache.put(slot, h, sq, pr.e)
			}
		}
		p.account(pr.e, sq, ql)
	}
	p.pend = pend[:0]
}

// refreshCache empties the read cache when the insert table has moved
// since its ids were taken.
func (p *processor) refreshCache() {
	if p.col.grows != p.grows {
		p.cache.reset()
		p.grows = p.col.grows
	}
}

// countRaw counts one input read of length l.
func (p *processor) countRaw(l int) {
	p.input++
	if l >= len(p.lenRaw) {
		p.lenRaw = append(p.lenRaw, make([]int64, l+1-len(p.lenRaw))...)
	}
	p.lenRaw[l]++
}

// merge adds q's read counts (not its collapser's) into p.
func (p *processor) merge(q *processor) {
	p.input += q.input
	for i, n := range q.counts {
		p.counts[i] += n
	}
	p.lenRaw = addHist(p.lenRaw, q.lenRaw)
	p.lenInsert = addHist(p.lenInsert, q.lenInsert)
}

func addHist(a, b []int64) []int64 {
	if len(b) > len(a) {
		a = append(a, make([]int64, len(b)-len(a))...)
	}
	for i, n := range b {
		a[i] += n
	}
	return a
}

func trimZeros(h []int64) []int64 {
	n := len(h)
	for n > 0 && h[n-1] == 0 {
		n--
	}
	return h[:n:n]
}

// classify trims one read and returns its entry (category, offsets and,
// when passed, the insert index). Quality is not looked at here.
func (p *processor) classify(seq []byte) cacheEntry {
	return p.classifyTrimmed(seq, p.trim.Trim(seq, nil), true)
}

// classifyTrimmed is classify given the trimming result t of seq; without
// withID a passed read's id is left at -1.
func (p *processor) classifyTrimmed(seq []byte, t TrimResult, withID bool) cacheEntry {
	e := cacheEntry{id: -1}
	if len(t.Insert) > 0 {
		e.is = uint16(offsetIn(seq, t.Insert))
		e.ie = e.is + uint16(len(t.Insert))
	}
	if t.UMI != nil {
		e.us = uint16(offsetIn(seq, t.UMI))
		e.ue = e.us + uint16(len(t.UMI))
	}
	ins := t.Insert
	switch {
	case p.adapter && !t.AdapterFound:
		e.cat = catNoAdapter
	case len(ins) == 0:
		e.cat = catAdapterDimer
	case p.umi && !t.UMIComplete:
		e.cat = catNoUMI
	case len(ins) < p.o.MinLen:
		e.cat = catTooShort
	case len(ins) > p.o.MaxLen:
		e.cat = catTooLong
	case p.maxN >= 0 && countN(ins) > p.maxN:
		e.cat = catTooManyN
	default:
		e.cat = catPassed
		if withID {
			e.id = p.col.id(ins)
		}
	}
	return e
}

// offsetIn returns the position of sub within s; sub must be a non-empty
// sub-slice of s (the Trimmer's results are).
func offsetIn(s, sub []byte) int {
	return int(uintptr(unsafe.Pointer(unsafe.SliceData(sub))) - uintptr(unsafe.Pointer(unsafe.SliceData(s))))
}

func countN(b []byte) int {
	n := 0
	for _, c := range b {
		if c == 'N' {
			n++
		}
	}
	return n
}

// add accounts for one read.
func (p *processor) add(seq, qual []byte) {
	p.countRaw(len(seq))
	if len(seq) > 0xffff {
		p.addLong(seq, qual)
		return
	}
	p.account(p.lookup(seq), seq, qual)
}

// account counts a read (already counted as input) whose trimming
// outcome is e.
func (p *processor) account(e cacheEntry, seq, qual []byte) {
	cat := e.cat
	if cat == catPassed && p.o.MinMeanQual > 0 && meanQual(qual[e.is:e.ie], p.o.QualOffset) < p.o.MinMeanQual {
		cat = catLowQuality
	}
	p.counts[cat]++
	if cat != catPassed {
		return
	}
	p.col.add(e.id, 1)
	if p.umi {
		p.col.addUMI(e.id, seq[e.us:e.ue], 1)
	}
	n := int(e.ie - e.is)
	if n >= len(p.lenInsert) {
		p.lenInsert = append(p.lenInsert, make([]int64, n+1-len(p.lenInsert))...)
	}
	p.lenInsert[n]++
}

// lookup returns the trimming outcome of seq, from the cache when it is
// there: small-RNA reads repeat a lot, and a hit also gives the insert's
// id, saving the collapser's lookup.
func (p *processor) lookup(seq []byte) cacheEntry {
	if p.cache == nil {
		return p.classify(seq)
	}
	p.refreshCache()
	e, hit, h, slot := p.cache.lookup(seq)
	if hit {
		return e
	}
	e = p.classify(seq)
	if slot >= 0 && p.col.grows == p.grows {
		p.cache.put(slot, h, seq, e)
	}
	return e
}

// addLong accounts for a read too long for the cache's offsets.
func (p *processor) addLong(seq, qual []byte) {
	t := p.trim.Trim(seq, qual)
	ins := t.Insert
	cat := catPassed
	switch {
	case p.adapter && !t.AdapterFound:
		cat = catNoAdapter
	case len(ins) == 0:
		cat = catAdapterDimer
	case p.umi && !t.UMIComplete:
		cat = catNoUMI
	case len(ins) < p.o.MinLen:
		cat = catTooShort
	case len(ins) > p.o.MaxLen:
		cat = catTooLong
	case p.maxN >= 0 && countN(ins) > p.maxN:
		cat = catTooManyN
	case p.o.MinMeanQual > 0 && meanQual(t.InsertQual, p.o.QualOffset) < p.o.MinMeanQual:
		cat = catLowQuality
	}
	p.counts[cat]++
	if cat != catPassed {
		return
	}
	id := p.col.id(ins)
	p.col.add(id, 1)
	if p.umi {
		p.col.addUMI(id, t.UMI, 1)
	}
	n := len(ins)
	if n >= len(p.lenInsert) {
		p.lenInsert = append(p.lenInsert, make([]int64, n+1-len(p.lenInsert))...)
	}
	p.lenInsert[n]++
}

func meanQual(q []byte, offset int) float64 {
	if len(q) == 0 {
		return 0
	}
	sum := 0
	for _, c := range q {
		sum += int(c) - offset
	}
	return float64(sum) / float64(len(q))
}
