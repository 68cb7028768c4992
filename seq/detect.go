package seq

import (
	"bytes"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
)

// Detection is the outcome of DetectAdapter.
type Detection struct {
	Kit          string   // best kit name ("truseq", "v1.5", ..., "none", "custom")
	Adapter      string   // adapter sequence found in the reads ("" = none)
	Method       string   // human-readable: how it was found
	Confidence   float64  // 0..1
	Alternatives []string // kits the reads cannot tell apart (e.g. truseq vs nextflex)
	Note         string
	// Support is the fraction of reads in which Adapter (at least its
	// first 8 bases, or all of it when shorter) was found by the trimmer.
	Support float64
	// Contig is the sequence assembled from enriched k-mers, before it was
	// compared with the known kits.
	Contig string
	// Clip5 is the number of bases found before the inserts (after the
	// adapter was found): a 5' barcode, or random bases as in NEXTflex.
	// The detected layout clips them; 0 when there are none.
	Clip5 int
	// Prefix describes those bases ("" when Clip5 is 0).
	Prefix string
}

// Detection parameters; see docs/adapters.md for the reasoning.
const (
	detectK         = 10    // k-mer length (4^10 counters)
	detectMaxLeft   = 30    // longest extension to the left of the seed
	detectMaxRight  = 40    // longest extension to the right of the seed
	detectMinSpread = 0.3   // adapter k-mers sit at many read positions
	detectMinLeft   = 0.05  // share of contig starts preceded by a base
	detectLeftDom   = 0.7   // share of the best base to extend to the left
	detectRightDom  = 0.6   // share of the best base to extend to the right
	detectMinFrac   = 0.01  // a candidate k-mer occurs in >= 1% of reads
	detectMinSupp   = 0.02  // below this share of reads: no adapter
	nextflexRatio   = 0.4   // C(0)/C(4) below this: random 5' bases
	nextflexRandom  = 4     // NEXTflex random bases at each insert end
	detectMaxContig = 3     // contigs assembled per sample
	customMaxLen    = 24    // bases reported for an unknown adapter
	customMinLen    = 16    // shortest contig accepted as an unknown adapter
	detectSample    = 20000 // reads used for positions, support and 5'-randomness figures
)

// knownAdapters are the kit adapters a contig is compared with, in the
// order used to break ties.
var knownAdapters = []struct{ kit, adapter string }{
	{"truseq", AdapterTruSeq},
	{"qiaseq", AdapterQIAseq},
	{"v1.5", AdapterV15},
	{"v1", AdapterV1},
	{"neb", AdapterUniversal},
	{"encode", AdapterENCODE},
	{"cats", "AAAAAAAAAAAAAAAAAAAA"}, // last: noneDetection leaves it out
}

type kmerStat struct {
	code   uint32
	count  uint32
	spread float64 // 1 - (reads at the most common position)/(all)
	median int     // median read position
}

type contig struct {
	seq   []byte
	count uint32 // seed k-mer count
	start int    // typical read position where the contig starts
}

// DetectAdapter finds the 3' adapter of a small-RNA library from the reads
// themselves (reads = sequences of the first ~100k reads).
//
// Method: count all 10-mers; keep those in at least 1% of reads whose read
// positions are spread out (an adapter follows inserts of many lengths,
// while the k-mers of an abundant RNA sit at one position); assemble the
// most frequent of them into contigs by greedy extension while one base
// dominates; the contig that starts leftmost in the reads is the adapter
// (QIAseq reads also carry the universal adapter after the UMI). The contig
// is then compared with the known kit adapters; NEXTflex is told from
// TruSeq (same adapter) by its 4 random 5' bases. Last, the starts of the
// reads holding the adapter are examined for a 5' barcode or block of
// random bases (detectPrefix), reported as Clip5. See docs/adapters.md.
func DetectAdapter(reads [][]byte) Detection {
	nreads := 0
	for _, r := range reads {
		if len(r) > 0 {
			nreads++
		}
	}
	if nreads == 0 {
		return Detection{Kit: "none", Method: "no reads to inspect", Note: "no reads"}
	}
	counts := make([]uint32, 1<<(2*detectK))
	countKmers(reads, counts)
	minCount := uint32(max(5, int(detectMinFrac*float64(nreads))))
	cands := topKmers(counts, minCount, 200)
	if len(cands) == 0 {
		return noneDetection(reads, "no 10-mer occurs in 1% of the reads")
	}
	// Positions need no more than a sample of the reads.
	sample := reads[:min(len(reads), detectSample)]
	kmerPositions(sample, cands, make([]uint8, len(counts)), uint32(max(5, int(detectMinFrac*float64(len(sample))))))
	contigs := assemble(counts, cands, minCount)
	if len(contigs) == 0 {
		return noneDetection(reads, "the enriched 10-mers all sit at fixed read positions (inserts, not an adapter)")
	}
	// The adapter is the contig that starts leftmost among the strong ones.
	best := 0
	for i, c := range contigs {
		if c.count*2 >= contigs[0].count && c.start < contigs[best].start {
			best = i
		}
	}
	ct := contigs[best]
	det := Detection{
		Contig: string(ct.seq),
		Method: fmt.Sprintf("10-mer enrichment: contig assembled from k-mers found in %d of %d reads at spread-out read positions, preceded by diverse bases", ct.count, nreads),
	}
	kit, adapter, quality := matchKnown(ct.seq)
	if kit == "" && len(ct.seq) < customMinLen {
		d := noneDetection(reads, fmt.Sprintf("the only enriched contig %s matches no kit and is too short (%d nt) to be an adapter running to the read end", ct.seq, len(ct.seq)))
		d.Contig = det.Contig
		return d
	}
	if kit == "" {
		kit, adapter, quality = "custom", string(ct.seq[:min(len(ct.seq), customMaxLen)]), 0.8
		det.Note = "the assembled adapter matches no known kit"
	}
	det.Kit, det.Adapter = kit, adapter
	det.Support = adapterSupport(reads, adapter)
	if det.Support < detectMinSupp {
		d := noneDetection(reads, fmt.Sprintf("best contig %s is in only %.1f%% of reads", ct.seq, 100*det.Support))
		d.Contig = det.Contig
		return d
	}
	det.Confidence = quality * min(1, det.Support/0.25)
	var notes []string
	if det.Note != "" {
		notes = append(notes, det.Note)
	}
	switch kit {
	case "truseq":
		r0, r4 := startConcentration(reads, adapter)
		if r4 > 0 && r0/r4 < nextflexRatio {
			det.Kit = "nextflex"
			det.Alternatives = []string{"truseq"}
			notes = append(notes, fmt.Sprintf("TruSeq/NEXTflex adapter; read starts look random: the top 12-mers at offset 0 cover %.1f%% of trimmed reads vs %.1f%% at offset 4 (4 random nt, NEXTflex)", 100*r0, 100*r4))
		} else {
			det.Alternatives = []string{"nextflex"}
			notes = append(notes, fmt.Sprintf("TruSeq and NEXTflex share this adapter; no sign of 4 random 5' nt (top 12-mers cover %.1f%% at offset 0, %.1f%% at offset 4), so truseq; use -protocol nextflex if the library is NEXTflex", 100*r0, 100*r4))
		}
	case "qiaseq":
		if f := umiEvidence(reads); f > 0 {
			notes = append(notes, fmt.Sprintf("%.1f%% of reads with the adapter show 12 nt (the UMI) and then the universal adapter", 100*f))
		}
	case "v1", "v1.5":
		notes = append(notes, "Illumina v1.5 adapter = ATC + v1 adapter; chosen by what precedes TCGTATG in the reads")
	}
	switch det.Kit {
	case "nextflex":
		det.Clip5, det.Prefix = nextflexRandom, "4 random 5' nt (NEXTflex)"
	case "cats":
	default:
		pf := detectPrefix(reads, adapter)
		det.Clip5 = pf.n
		if pf.n > 0 {
			det.Prefix = pf.String()
			notes = append(notes, "5' prefix: "+det.Prefix+", clipped")
		} else {
			notes = append(notes, pf.String())
		}
		if det.Kit == "encode" && pf.n != 6 {
			notes = append(notes, "ENCODE adapter without the 6-nt 5' barcode the ENCODE layout has")
		}
	}
	det.Note = strings.Join(notes, "; ")
	return det
}

// noneDetection reports reads without a detectable adapter.
func noneDetection(reads [][]byte, why string) Detection {
	best := 0.0
	for _, k := range knownAdapters[:len(knownAdapters)-1] {
		best = max(best, adapterSupport(reads, k.adapter))
	}
	return Detection{
		Kit:        "none",
		Method:     "10-mer enrichment: " + why,
		Confidence: max(0, 1-best/detectMinSupp),
		Note:       fmt.Sprintf("reads look adapter-free (best known adapter in %.2f%% of reads)", 100*best),
	}
}

// baseCode maps A, C, G, T (either case) to 0..3 and anything else to 4.
var baseCode = func() (t [256]byte) {
	for i := range t {
		t[i] = 4
	}
	for i, c := range "ACGT" {
		t[c], t[c+'a'-'A'] = byte(i), byte(i)
	}
	t['U'], t['u'] = 3, 3
	return t
}()

const kmerMask = 1<<(2*detectK) - 1

// nextKmer adds base c to the rolling k-mer state (code, run: the 2-bit
// code of the last bases and how many there are since a base other than
// A, C, G, T/U, which starts it again) and reports whether code holds a
// whole k-mer. Values, not a struct, keep the state in registers.
func nextKmer(code uint32, run int, c byte) (uint32, int, bool) {
	b := baseCode[c]
	if b > 3 {
		return code, 0, false
	}
	run++
	return (code<<2 | uint32(b)) & kmerMask, run, run >= detectK
}

// countKmers counts, for every k-mer, the reads that hold it (a k-mer
// repeated within a read, as in a poly-A run, counts once).
func countKmers(reads [][]byte, counts []uint32) {
	last := make([]uint32, len(counts)) // 1 + index of the last read counted
	for i, r := range reads {
		id := uint32(i + 1)
		var code uint32
		run, whole := 0, false
		for _, c := range r {
			if code, run, whole = nextKmer(code, run, c); whole && last[code] != id {
				last[code] = id
				counts[code]++
			}
		}
	}
}

// topKmers returns up to n k-mers with count >= minCount, most frequent
// first (ties by code, for determinism).
func topKmers(counts []uint32, minCount uint32, n int) []kmerStat {
	var c []kmerStat
	for code, v := range counts {
		if v >= minCount {
			c = append(c, kmerStat{code: uint32(code), count: v})
		}
	}
	sort.Slice(c, func(i, j int) bool {
		if c[i].count != c[j].count {
			return c[i].count > c[j].count
		}
		return c[i].code < c[j].code
	})
	if len(c) > n {
		c = c[:n]
	}
	return c
}

// kmerPositions fills spread and median of the candidates (at most 255).
func kmerPositions(reads [][]byte, cands []kmerStat, idx []uint8, minCount uint32) {
	const maxPos = 512
	clear(idx)
	for i, c := range cands {
		idx[c.code] = uint8(i + 1)
	}
	hist := make([]uint32, len(cands)*maxPos)
	for _, r := range reads {
		var code uint32
		run, whole := 0, false
		for pos, c := range r {
			if code, run, whole = nextKmer(code, run, c); whole {
				if i := idx[code]; i != 0 {
					hist[int(i-1)*maxPos+min(pos-detectK+1, maxPos-1)]++
				}
			}
		}
	}
	for i := range cands {
		// Position 0 is left out: an adapter there is a dimer (no insert),
		// which says nothing about spread, and dimers can be most reads.
		h := hist[i*maxPos+1 : (i+1)*maxPos]
		var tot, top uint32
		for _, v := range h {
			tot += v
			top = max(top, v)
		}
		if tot == 0 {
			continue
		}
		if tot < minCount {
			continue // spread stays 0
		}
		cands[i].spread = 1 - float64(top)/float64(tot)
		var acc uint32
		for p, v := range h {
			acc += v
			if 2*acc >= tot {
				cands[i].median = p + 1
				break
			}
		}
	}
}

func decode(code uint32) []byte {
	b := make([]byte, detectK)
	for i := detectK - 1; i >= 0; i-- {
		b[i] = "ACGT"[code&3]
		code >>= 2
	}
	return b
}

func encode(s []byte) uint32 {
	var code uint32
	for _, c := range s {
		code = code<<2 | uint32(baseCode[c]&3)
	}
	return code
}

// assemble builds up to detectMaxContig contigs from spread-out candidate
// k-mers, most frequent first; a k-mer already inside a contig seeds none.
func assemble(counts []uint32, cands []kmerStat, minCount uint32) []contig {
	var out []contig
	for _, c := range cands {
		if c.spread < detectMinSpread {
			continue
		}
		seed := decode(c.code)
		inside := false
		for _, o := range out {
			if bytes.Contains(o.seq, seed) {
				inside = true
				break
			}
		}
		if inside {
			continue
		}
		seq, off := extend(counts, seed, minCount)
		// An adapter follows inserts: its first k-mer is preceded by some
		// base in most reads. A contig that begins where reads begin (an
		// abundant RNA whose 5' isomiRs spread its k-mers) is not one.
		first := encode(seq[:detectK])
		var left uint32
		for x := uint32(0); x < 4; x++ {
			left += counts[x<<(2*(detectK-1))|first>>2]
		}
		if left < minCount || float64(left) < detectMinLeft*float64(counts[first]) {
			continue
		}
		out = append(out, contig{seq: seq, count: c.count, start: c.median - off})
		if len(out) == detectMaxContig {
			break
		}
	}
	return out
}

// extend grows seed greedily while one next base dominates; it returns the
// contig and the seed's offset in it.
func extend(counts []uint32, seed []byte, minCount uint32) ([]byte, int) {
	seq := slices.Clone(seed)
	for n := 0; n < detectMaxRight; n++ {
		suffix := encode(seq[len(seq)-detectK+1:])
		b, ok := dominant(counts, func(x uint32) uint32 { return (suffix<<2 | x) & kmerMask }, minCount, detectRightDom)
		if !ok {
			break
		}
		seq = append(seq, b)
	}
	off := 0
	for n := 0; n < detectMaxLeft; n++ {
		prefix := encode(seq[:detectK-1])
		b, ok := dominant(counts, func(x uint32) uint32 { return x<<(2*(detectK-1)) | prefix }, minCount, detectLeftDom)
		if !ok {
			break
		}
		seq = append([]byte{b}, seq...)
		off++
	}
	return seq, off
}

// dominant picks the base whose k-mer is most frequent, if it has at least
// minCount occurrences and the share dom of the four.
func dominant(counts []uint32, code func(uint32) uint32, minCount uint32, dom float64) (byte, bool) {
	var best, tot uint32
	bi := 0
	for x := uint32(0); x < 4; x++ {
		v := counts[code(x)]
		tot += v
		if v > best {
			best, bi = v, int(x)
		}
	}
	if best < minCount || float64(best) < dom*float64(tot) {
		return 0, false
	}
	return "ACGT"[bi], true
}

// matchKnown compares a contig with the known kit adapters. A kit matches
// when its adapter starts at some contig offset o and agrees over at least
// 10 bases with at most 10% mismatches; the kit whose adapter starts
// leftmost in the contig wins (v1.5 = ATC + v1 is thereby told from v1 by
// what the reads hold before TCGTATG). quality is 1 for a match over 15
// bases or more, else 0.9.
func matchKnown(ct []byte) (kit, adapter string, quality float64) {
	bestO, bestL := len(ct)+1, 0
	for _, k := range knownAdapters {
		for o := 0; o+10 <= len(ct); o++ {
			l := min(len(ct)-o, len(k.adapter))
			m := 0
			for j := 0; j < l; j++ {
				if ct[o+j] != k.adapter[j] {
					m++
				}
			}
			if 10*m > l {
				continue
			}
			if o < bestO || (o == bestO && l > bestL) {
				bestO, bestL, kit, adapter = o, l, k.kit, k.adapter
			}
			break
		}
	}
	if kit == "" {
		// The contig may start inside a known adapter (left extension
		// stopped early): accept an adapter suffix of 12+ bases.
		for _, k := range knownAdapters {
			for s := 1; s+12 <= len(k.adapter); s++ {
				l := min(len(ct), len(k.adapter)-s)
				if l >= 12 && bytes.Equal(ct[:l], []byte(k.adapter[s:s+l])) {
					return k.kit, k.adapter, 0.9
				}
			}
		}
		return "", "", 0
	}
	if kit == "cats" {
		adapter = ""
	}
	quality = 0.9
	if bestL >= 15 {
		quality = 1
	}
	return kit, adapter, quality
}

// adapterSupport is the share of reads in which the trimmer finds adapter
// with at least min(8, len) bases of it in the read.
func adapterSupport(reads [][]byte, adapter string) float64 {
	reads = reads[:min(len(reads), detectSample)]
	k := Kit{Adapter: adapter}
	if adapter == "" {
		k.PolyA = true
	}
	tr, err := NewTrimmer(TrimOptions{Kit: k, MinOverlap: 8})
	if err != nil {
		return 0
	}
	n, hit := 0, 0
	for _, r := range reads {
		if len(r) == 0 {
			continue
		}
		n++
		if tr.Trim(r, nil).AdapterFound {
			hit++
		}
	}
	if n == 0 {
		return 0
	}
	return float64(hit) / float64(n)
}

// startConcentration returns, over reads with the adapter and an insert of
// 16+ nt, the share of reads whose 12-mer at offset 0 (and at offset 4) is
// one of the 20 most common 12-mers there. Random 5' bases (NEXTflex) make
// the offset-0 share much smaller than the offset-4 share.
func startConcentration(reads [][]byte, adapter string) (c0, c4 float64) {
	reads = reads[:min(len(reads), detectSample)]
	tr, err := NewTrimmer(TrimOptions{Kit: Kit{Adapter: adapter}})
	if err != nil {
		return 0, 0
	}
	m0, m4 := map[uint64]int{}, map[uint64]int{}
	n := 0
	for _, r := range reads {
		res := tr.Trim(r, nil)
		if !res.AdapterFound || len(res.Insert) < 16 {
			continue
		}
		n++
		m0[encode12(res.Insert[:12])]++
		m4[encode12(res.Insert[4:16])]++
	}
	if n == 0 {
		return 0, 0
	}
	return top20Share(m0, n), top20Share(m4, n)
}

// top20Share is the share of the n items that the 20 most frequent keys
// of the counts m hold.
func top20Share(m map[uint64]int, n int) float64 {
	v := make([]int, 0, len(m))
	for _, c := range m {
		v = append(v, c)
	}
	sort.Sort(sort.Reverse(sort.IntSlice(v)))
	t := 0
	for _, c := range v[:min(20, len(v))] {
		t += c
	}
	return float64(t) / float64(n)
}

// encode12 packs 12 bases into 24 bits plus a flag bit per non-ACGT base
// (so that N-containing 12-mers do not collide with ACGT ones).
func encode12(s []byte) uint64 {
	var code, bad uint64
	for i, c := range s {
		b := baseCode[c]
		if b > 3 {
			bad |= 1 << uint(i)
			b = 0
		}
		code = code<<2 | uint64(b)
	}
	return code | bad<<24
}

// umiEvidence is the share of reads holding the full QIAseq adapter that
// show the universal adapter's first 10 bases exactly 12 nt after it.
func umiEvidence(reads [][]byte) float64 {
	reads = reads[:min(len(reads), detectSample)]
	qa, ua := []byte(AdapterQIAseq), []byte(AdapterUniversal[:10])
	n, hit := 0, 0
	for _, r := range reads {
		p := bytes.Index(r, qa)
		if p < 0 || p+len(qa)+12+len(ua) > len(r) {
			continue
		}
		n++
		if bytes.Equal(r[p+len(qa)+12:p+len(qa)+12+len(ua)], ua) {
			hit++
		}
	}
	if n == 0 {
		return 0
	}
	return float64(hit) / float64(n)
}

// 5' prefix detection parameters (see detectPrefix and docs/adapters.md).
const (
	prefixMinLen     = 2   // shortest barcode: one constant base is a miRNA 5' U bias
	prefixMaxLen     = 10  // longest 5' prefix looked for
	prefixMinReads   = 200 // reads with the adapter needed to decide
	prefixMaxEntropy = 3.3 // bits: at most ~8 barcodes (3 bits) plus sequencing errors
	prefixLastCond   = 0.3 // bits: the prefix's last base follows from the bases before it
	prefixNextCond   = 0.7 // bits: the first insert base does not
	prefixCover      = 0.9 // share of reads the reported barcodes cover
	prefixRandomPeak = 0.8 // random block: offset whose 12-mers are near the most concentrated
)

// prefix is a 5' block found before the inserts.
type prefix struct {
	n     int      // length (0 = none)
	kind  string   // "barcode" or "random"
	top   []string // barcode: the sequences covering prefixCover of the reads
	share float64  // barcode: share of reads starting with one of top
	reads int      // reads looked at
}

func (p prefix) String() string {
	switch p.kind {
	case "barcode":
		return fmt.Sprintf("%d-nt 5' barcode %s (%.1f%% of %d reads with the adapter)", p.n, strings.Join(p.top, ","), 100*p.share, p.reads)
	case "random":
		return fmt.Sprintf("%d random 5' nt (%d reads with the adapter)", p.n, p.reads)
	}
	return fmt.Sprintf("no 5' barcode or random bases (%d reads with the adapter)", p.reads)
}

// detectPrefix looks for a constant or barcode-like block of 2-10 nt, or a
// block of 1-10 random bases, at the start of the inserts (reads cut at
// adapter, which was found).
//
// Barcodes: with H(l) the entropy of the inserts' first l bases and c(p) =
// H(p+1) - H(p) the entropy of base p given the bases before it, n barcode
// bases from a handful of barcodes show H(n) <= 3.3 bits, c(n-1) near 0
// (the barcode is fixed once begun) and c(n) high (the first insert base
// varies with the RNA). Real libraries without a prefix show c(0), c(1)
// of 1.7-2 bits and H(2) > 2 (testdata/detect); one dominated by a single
// RNA has every c low and so no high c(n).
//
// Random bases: the most common 12-mers cover few reads at offset 0 and
// many at offset n, as NEXTflex's 4 random bases do (startConcentration);
// n is the first offset within prefixRandomPeak of the best one.
func detectPrefix(reads [][]byte, adapter string) prefix {
	reads = reads[:min(len(reads), detectSample)]
	tr, err := NewTrimmer(TrimOptions{Kit: Kit{Adapter: adapter}})
	if err != nil {
		return prefix{}
	}
	var ins [][]byte
	for _, r := range reads {
		res := tr.Trim(r, nil)
		if res.AdapterFound && len(res.Insert) >= 16 {
			ins = append(ins, res.Insert)
		}
	}
	p := prefix{reads: len(ins)}
	if len(ins) < prefixMinReads {
		return p
	}
	// H[l], l = 0..prefixMaxLen+1: entropy of the first l bases.
	var H [prefixMaxLen + 2]float64
	m := make(map[uint64]int)
	for l := 1; l < len(H); l++ {
		clear(m)
		for _, s := range ins {
			m[encode12(s[:l])]++
		}
		H[l] = entropy(m, len(ins))
	}
	cond := func(p int) float64 { return H[p+1] - H[p] }
	for n := prefixMaxLen; n >= prefixMinLen; n-- {
		if H[n] <= prefixMaxEntropy && cond(n-1) <= prefixLastCond && cond(n) >= prefixNextCond {
			p.n, p.kind = n, "barcode"
			p.top, p.share = topPrefixes(ins, n)
			return p
		}
	}
	var share [prefixMaxLen + 1]float64
	best := 0.0
	for o := range share {
		share[o] = topShare(ins, o)
		best = max(best, share[o])
	}
	for n := 1; n <= prefixMaxLen; n++ {
		if share[n] >= prefixRandomPeak*best && share[0] < nextflexRatio*share[n] {
			p.n, p.kind = n, "random"
			return p
		}
	}
	return p
}

// topShare is the share of inserts (of those with 12 bases at off) whose
// 12-mer at off is one of the 20 most common there.
func topShare(ins [][]byte, off int) float64 {
	m := map[uint64]int{}
	n := 0
	for _, s := range ins {
		if len(s) >= off+12 {
			m[encode12(s[off:off+12])]++
			n++
		}
	}
	if n == 0 {
		return 0
	}
	return top20Share(m, n)
}

// entropy is the Shannon entropy (bits) of the counts m over n items.
func entropy(m map[uint64]int, n int) float64 {
	h := 0.0
	for _, c := range m {
		f := float64(c) / float64(n)
		h -= f * math.Log2(f)
	}
	return h
}

// topPrefixes returns the most common n-base prefixes, most frequent first
// (ties by sequence), until they cover prefixCover of the reads (at most 8),
// and the share they cover.
func topPrefixes(starts [][]byte, n int) ([]string, float64) {
	m := map[string]int{}
	for _, s := range starts {
		m[string(s[:n])]++
	}
	type kv struct {
		s string
		c int
	}
	v := make([]kv, 0, len(m))
	for s, c := range m {
		v = append(v, kv{s, c})
	}
	sort.Slice(v, func(i, j int) bool {
		if v[i].c != v[j].c {
			return v[i].c > v[j].c
		}
		return v[i].s < v[j].s
	})
	var top []string
	acc := 0
	for _, x := range v {
		if len(top) == 8 || float64(acc) >= prefixCover*float64(len(starts)) {
			break
		}
		top = append(top, x.s)
		acc += x.c
	}
	return top, float64(acc) / float64(len(starts))
}
