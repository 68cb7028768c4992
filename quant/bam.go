package quant

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/biogo/hts/bam"
	"github.com/biogo/hts/sam"
)

// Sentinel errors of the BAM/SAM input; wrapped errors match them with
// errors.Is.
var (
	ErrAlignmentFormat  = errors.New("quant: not a BAM or SAM file")
	ErrAlignmentRecord  = errors.New("quant: bad BAM/SAM record")
	ErrUnknownReference = errors.New("quant: alignments on references absent from the miRNA reference")
	ErrReferenceLength  = errors.New("quant: reference lengths in the alignment header differ from the miRNA reference")
	ErrNotGrouped       = errors.New("quant: records of one read are not adjacent")
)

// AlignmentError locates a problem in a BAM or SAM file. Record is the
// 1-based number of the alignment record (0: in the header).
type AlignmentError struct {
	File   string
	Record int64
	Err    error
}

func (e *AlignmentError) Error() string {
	file := e.File
	if file == "" {
		file = "<input>"
	}
	if e.Record == 0 {
		return fmt.Sprintf("%s: header: %v", file, e.Err)
	}
	return fmt.Sprintf("%s: record %d: %v", file, e.Record, e.Err)
}

// Unwrap returns the underlying error.
func (e *AlignmentError) Unwrap() error { return e.Err }

// BAMOptions control the reading of BAM/SAM input. A nil *BAMOptions means
// the defaults.
type BAMOptions struct {
	// Options are the counting options (multi-mapping rule). UMI is
	// ignored: BAM input has no UMIs, counts are reads.
	Options
	// Assigner places hits on matures; nil means NewAssigner(ref, -1, -1),
	// the default windows of FASTQ input.
	Assigner *Assigner
	// KeepStrata keeps every hit of a read instead of only those of the
	// best (mismatches, tail) class, the class the aligner of the FASTQ
	// path keeps.
	KeepStrata bool
}

// BAMStats counts what a BAM/SAM file held. Reads are weighted by the
// "_x<count>" suffix of their names.
type BAMStats struct {
	Records      int64 // alignment records read
	Names        int64 // distinct read names (records grouped by name)
	Reads        int64 // reads: Σ weights of the names
	Unmapped     int64 // reads with no usable alignment
	Antisense    int64 // records on the reverse strand of a hairpin (ignored)
	Gapped       int64 // records with insertions, deletions or skips (ignored)
	Supplemental int64 // supplementary records (ignored)
	OffEnd       int64 // records extending past their reference (ignored)
	NoFeature    int64 // genome input: records on no annotated hairpin
	Inserts      int   // distinct (sequence, hits) combinations counted
}

// ReadWeight returns the number of reads a read name stands for: the
// integer after a final "_x" (the miRDeep2/mirtop collapsed-read
// convention, "seq_12_x350" → 350), else 1.
func ReadWeight(name string) int64 {
	i := strings.LastIndex(name, "_x")
	if i < 0 || i+2 == len(name) {
		return 1
	}
	n, err := strconv.ParseInt(name[i+2:], 10, 64)
	if err != nil || n < 1 {
		return 1
	}
	return n
}

// alignmentReader reads SAM or BAM records, sniffing the format.
type alignmentReader struct {
	file   string
	n      int64
	bam    *bam.Reader
	text   *bufio.Reader
	gz     *gzip.Reader
	header *sam.Header
	line   []byte
}

// openAlignments sniffs BAM (BGZF with the "BAM\1" magic) or SAM text
// (plain or gzip-compressed) from the first bytes of r.
func openAlignments(r io.Reader, file string, threads int) (ar *alignmentReader, err error) {
	defer func() {
		if p := recover(); p != nil {
			ar, err = nil, &AlignmentError{File: file, Err: fmt.Errorf("%w: %v", ErrAlignmentRecord, p)}
		}
	}()
	ar = &alignmentReader{file: file}
	br := bufio.NewReaderSize(r, 1<<17)
	magic, _ := br.Peek(4)
	if len(magic) == 0 {
		return nil, &AlignmentError{File: file, Err: fmt.Errorf("%w: empty input", ErrAlignmentFormat)}
	}
	if len(magic) >= 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		// gzip or BGZF: look at the start of the decompressed data.
		head, _ := br.Peek(1 << 17)
		zr, zerr := gzip.NewReader(bytes.NewReader(head))
		var start [4]byte
		n := 0
		if zerr == nil {
			n, _ = io.ReadFull(zr, start[:])
		}
		if n == 4 && string(start[:]) == "BAM\x01" {
			ar.bam, err = bam.NewReader(br, threads)
			if err != nil {
				return nil, &AlignmentError{File: file, Err: fmt.Errorf("%w: %v", ErrAlignmentRecord, err)}
			}
			ar.header = ar.bam.Header()
			return ar, nil
		}
		ar.gz, err = gzip.NewReader(br)
		if err != nil {
			return nil, &AlignmentError{File: file, Err: fmt.Errorf("%w: %v", ErrAlignmentFormat, err)}
		}
		ar.text = bufio.NewReaderSize(ar.gz, 1<<16)
	} else {
		if string(magic) == "BAM\x01" {
			return nil, &AlignmentError{File: file, Err: fmt.Errorf("%w: uncompressed BAM is not supported", ErrAlignmentFormat)}
		}
		ar.text = br
	}
	// SAM: header lines, then records.
	c, perr := ar.text.Peek(1)
	if perr != nil && perr != io.EOF {
		return nil, &AlignmentError{File: file, Err: perr}
	}
	if len(c) > 0 && c[0] != '@' && !isSAMNameByte(c[0]) {
		return nil, &AlignmentError{File: file, Err: fmt.Errorf("%w: starts with byte %#x", ErrAlignmentFormat, c[0])}
	}
	var htext []byte
	for {
		c, _ := ar.text.Peek(1)
		if len(c) == 0 || c[0] != '@' {
			break
		}
		l, rerr := ar.text.ReadBytes('\n')
		htext = append(htext, l...)
		if rerr != nil {
			if rerr != io.EOF {
				return nil, &AlignmentError{File: file, Err: rerr}
			}
			if len(l) > 0 && l[len(l)-1] != '\n' {
				htext = append(htext, '\n')
			}
			break
		}
	}
	ar.header, _ = sam.NewHeader(nil, nil)
	if len(htext) > 0 {
		if herr := ar.header.UnmarshalText(htext); herr != nil {
			return nil, &AlignmentError{File: file, Err: fmt.Errorf("%w: %v", ErrAlignmentFormat, herr)}
		}
	}
	return ar, nil
}

func isSAMNameByte(c byte) bool { return c >= '!' && c <= '~' }

// Header returns the file's header (empty for headerless SAM).
func (ar *alignmentReader) Header() *sam.Header { return ar.header }

// read returns the next record, io.EOF at the end, or an *AlignmentError.
// For SAM input the record's references are stand-ins carrying only the
// name; use refName.
func (ar *alignmentReader) read() (rec *sam.Record, err error) {
	defer func() {
		if p := recover(); p != nil {
			rec, err = nil, &AlignmentError{File: ar.file, Record: ar.n, Err: fmt.Errorf("%w: %v", ErrAlignmentRecord, p)}
		}
	}()
	ar.n++
	if ar.bam != nil {
		rec, err = ar.bam.Read()
		if err == io.EOF {
			ar.n--
			return nil, io.EOF
		}
		if err != nil {
			if errors.Is(err, io.ErrUnexpectedEOF) {
				err = fmt.Errorf("%w: truncated file (%v)", ErrAlignmentRecord, err)
			} else {
				err = fmt.Errorf("%w: %v", ErrAlignmentRecord, err)
			}
			return nil, &AlignmentError{File: ar.file, Record: ar.n, Err: err}
		}
		return rec, nil
	}
	for {
		line, rerr := ar.text.ReadSlice('\n')
		if rerr == bufio.ErrBufferFull {
			ar.line = append(ar.line[:0], line...)
			for rerr == bufio.ErrBufferFull {
				line, rerr = ar.text.ReadSlice('\n')
				ar.line = append(ar.line, line...)
			}
			line = ar.line
		}
		if rerr != nil && rerr != io.EOF {
			return nil, &AlignmentError{File: ar.file, Record: ar.n, Err: fmt.Errorf("%w: %v", ErrAlignmentRecord, rerr)}
		}
		line = bytes.TrimRight(line, "\r\n")
		if len(line) == 0 {
			if rerr == io.EOF {
				ar.n--
				return nil, io.EOF
			}
			continue
		}
		var r sam.Record
		if uerr := r.UnmarshalSAM(nil, line); uerr != nil {
			return nil, &AlignmentError{File: ar.file, Record: ar.n, Err: fmt.Errorf("%w: %v", ErrAlignmentRecord, uerr)}
		}
		return &r, nil
	}
}

// Close releases the decompressors.
func (ar *alignmentReader) Close() error {
	if ar.bam != nil {
		return ar.bam.Close()
	}
	if ar.gz != nil {
		return ar.gz.Close()
	}
	return nil
}

// refName returns the name of a record's reference, "" when unmapped.
func refName(r *sam.Record) string {
	if r.Ref == nil {
		return ""
	}
	return r.Ref.Name()
}

// alnSpan is a record's alignment reduced to what counting needs: the
// aligned part of the read starts at reference position Pos and covers
// Ref bases; Clip5/Clip3 read bases before/after it are unaligned (soft
// or hard clipped), in the read's 5'→3' orientation on the reference's
// forward strand (so Clip5 is at the left end of the CIGAR).
type alnSpan struct {
	Pos          int
	Ref          int // reference bases covered
	Clip5, Clip3 int // unaligned read bases left/right of the aligned part
	Hard5, Hard3 int // of which hard-clipped (absent from SEQ)
	Gapped       bool
}

// cigarSpan reduces a CIGAR. Records with I, D, N or P operations are
// reported as Gapped.
func alnSpanOf(pos int, c sam.Cigar) alnSpan {
	s := alnSpan{Pos: pos}
	seenAligned := false
	for _, op := range c {
		n := op.Len()
		switch op.Type() {
		case sam.CigarMatch, sam.CigarEqual, sam.CigarMismatch:
			if seenAligned && s.Clip3 > 0 {
				s.Gapped = true // clip between aligned blocks
			}
			seenAligned = true
			s.Ref += n
		case sam.CigarSoftClipped:
			if seenAligned {
				s.Clip3 += n
			} else {
				s.Clip5 += n
			}
		case sam.CigarHardClipped:
			if seenAligned {
				s.Clip3 += n
				s.Hard3 += n
			} else {
				s.Clip5 += n
				s.Hard5 += n
			}
		case sam.CigarInsertion, sam.CigarDeletion, sam.CigarSkipped, sam.CigarPadded:
			s.Gapped = true
			if op.Type() != sam.CigarInsertion && op.Type() != sam.CigarPadded {
				s.Ref += n
			}
		case sam.CigarBack:
			s.Gapped = true
		}
	}
	return s
}

// Limits of the 3' re-templating done by normaliseTail: the same as the
// default aligner settings of the FASTQ path (align.DefaultOptions).
const (
	bamMaxTail   = 3
	bamTailBases = "AT"
	bamMinLength = 15
)

// readMismatches counts mismatches of read[0:n] against ref[pos:pos+n];
// any letter other than A, C, G, T in the read counts as a mismatch.
func bamMismatches(read, ref []byte, pos, n int) int {
	mm := 0
	for i := 0; i < n; i++ {
		c := read[i]
		if c != ref[pos+i] || (c != 'A' && c != 'C' && c != 'G' && c != 'T') {
			mm++
		}
	}
	return mm
}

// normaliseTail re-expresses a hit the way the FASTQ-path aligner ranks
// placements: among the same placement with 0..bamMaxTail untemplated 3'
// bases (tail letters A/T, templated part >= bamMinLength), it picks the
// fewest mismatches, then the shortest tail. A soft clip longer than
// bamMaxTail is left as it is. It returns the hit and its mismatches.
func normaliseTail(read, ref []byte, h Hit) (Hit, int) {
	total := int(h.Len) + int(h.Tail)
	bestMM := bamMismatches(read, ref, int(h.Pos), int(h.Len))
	if int(h.Tail) > bamMaxTail {
		return h, bestMM
	}
	best := h
	for t := 0; t <= bamMaxTail; t++ {
		l := total - t
		if t == int(h.Tail) || l < bamMinLength || int(h.Pos)+l > len(ref) {
			continue
		}
		ok := true
		for i := l; i < total; i++ {
			if strings.IndexByte(bamTailBases, read[i]) < 0 {
				ok = false
				break
			}
		}
		if !ok {
			continue
		}
		mm := bamMismatches(read, ref, int(h.Pos), l)
		if mm < bestMM || (mm == bestMM && t < int(best.Tail)) {
			best, bestMM = Hit{Hairpin: h.Hairpin, Pos: h.Pos, Len: int32(l), Tail: int8(t)}, mm
		}
	}
	return best, bestMM
}

// AlignedInsert is one distinct insert with its hits on the hairpins of a
// Reference and the number of reads (and molecules) carrying it. It is
// what BAM input is reduced to, and what WriteBAM writes.
type AlignedInsert struct {
	Seq       []byte // DNA, upper case, 5'→3'
	Reads     int64
	Molecules int64 // = Reads for BAM input
	Hits      []Hit // on Reference.Hairpins; empty when unmapped
	// Others are the other-RNA classes (indices in Reference.Classes) of
	// the insert's alignments on other-class sequences.
	Others []int
}

// insertCollector turns the records of each read into an AlignedInsert
// and merges reads with the same sequence and hits.
type insertCollector struct {
	ref        *Reference
	keepStrata bool
	refIdx     map[string]int // name → hairpin index
	otherIdx   map[string]int // name → class index
	unknown    []string
	unknownSet map[string]int64
	byKey      map[string]int
	inserts    []AlignedInsert
	st         *BAMStats
	key        []byte
	intern     map[string][]byte // read sequences, shared by reads
	mms        []int

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
		intern:     map[string][]byte{},
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
	name   string
	read   []byte // 5'→3', from the first record with a full SEQ
	hits   []Hit
	others []int
	// For reads whose records carry no SEQ: the MD tag and 5' clip of the
	// record of the first hit.
	md    string
	mdOff int
}

func (a *readAcc) reset(name string) {
	a.name, a.read, a.md, a.mdOff = name, nil, "", 0
	a.hits, a.others = a.hits[:0], a.others[:0]
}

// addRecord converts one record of the read a.
func (c *insertCollector) addRecord(a *readAcc, r *sam.Record) {
	if a.read == nil && r.Seq.Length > 0 && r.Flags&sam.Supplementary == 0 {
		hard := false
		for _, op := range r.Cigar {
			hard = hard || op.Type() == sam.CigarHardClipped
		}
		if !hard {
			b := bamUpperDNA(r.Seq.Expand())
			if r.Flags&sam.Reverse != 0 {
				bamRevComp(b)
			}
			if s, ok := c.intern[string(b)]; ok {
				b = s
			} else {
				c.intern[string(b)] = b
			}
			a.read = b
		}
	}
	if r.Flags&sam.Unmapped != 0 || r.Ref == nil {
		return
	}
	if r.Flags&sam.Supplementary != 0 {
		c.st.Supplemental++
		return
	}
	rn := refName(r)
	if c.genome != nil {
		c.genomeMapped++
		sp := alnSpanOf(r.Pos, r.Cigar)
		if sp.Gapped {
			c.st.Gapped++
			return
		}
		if loci, _ := c.genome.chromLoci(rn); len(loci) == 0 {
			if len(c.genomeChromNames) < 5 && !slices.Contains(c.genomeChromNames, rn) {
				c.genomeChromNames = append(c.genomeChromNames, rn)
			}
			c.st.NoFeature++
			return
		}
		c.genomeOnChrom++
		n := len(a.hits)
		a.hits = c.genome.genomeHits(a.hits, rn, sp, r.Flags&sam.Reverse != 0)
		if len(a.hits) == n {
			c.st.NoFeature++
		}
		return
	}
	hi, isHairpin := c.refIdx[rn]
	if !isHairpin {
		if cl, ok := c.otherIdx[rn]; ok {
			if r.Flags&sam.Reverse == 0 {
				a.others = append(a.others, cl)
			}
			return
		}
		if _, seen := c.unknownSet[rn]; !seen {
			c.unknown = append(c.unknown, rn)
		}
		c.unknownSet[rn]++
		return
	}
	if r.Flags&sam.Reverse != 0 {
		c.st.Antisense++
		return
	}
	sp := alnSpanOf(r.Pos, r.Cigar)
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
	if len(a.hits) == 0 && r.Seq.Length == 0 {
		if md, ok := r.Tag([]byte("MD")); ok {
			if v, ok := md.Value().(string); ok {
				a.md, a.mdOff = v, sp.Clip5
			}
		}
	}
	a.hits = append(a.hits, Hit{Hairpin: int32(hi), Pos: int32(start), Len: int32(sp.Clip5 + sp.Ref), Tail: int8(sp.Clip3)})
}

// finishRead turns the accumulated read into an insert.
func (c *insertCollector) finishRead(a *readAcc) {
	weight := ReadWeight(a.name)
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
	hits = bamUniqueHits(hits)
	others := a.others
	sort.Ints(others)
	others = bamUniqueInts(others)
	if len(hits) == 0 && len(others) == 0 {
		c.st.Unmapped += weight
	}
	// Merge with an earlier identical insert.
	c.key = append(c.key[:0], read...)
	c.key = append(c.key, 0)
	for _, h := range hits {
		c.key = strconv.AppendInt(c.key, int64(h.Hairpin), 10)
		c.key = append(c.key, ':')
		c.key = strconv.AppendInt(c.key, int64(h.Pos), 10)
		c.key = append(c.key, ':')
		c.key = strconv.AppendInt(c.key, int64(h.Len), 10)
		c.key = append(c.key, ':')
		c.key = strconv.AppendInt(c.key, int64(h.Tail), 10)
		c.key = append(c.key, ';')
	}
	for _, o := range others {
		c.key = append(c.key, 'o')
		c.key = strconv.AppendInt(c.key, int64(o), 10)
		c.key = append(c.key, ';')
	}
	if i, ok := c.byKey[string(c.key)]; ok {
		c.inserts[i].Reads += weight
		c.inserts[i].Molecules += weight
		return
	}
	c.byKey[string(c.key)] = len(c.inserts)
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
	return read
}

// mdMismatches returns the 0-based offsets (within the aligned part) of
// the mismatches listed in an MD tag of an ungapped alignment.
func mdMismatches(md string) []int {
	var out []int
	pos, num := 0, 0
	for i := 0; i < len(md); i++ {
		ch := md[i]
		switch {
		case ch >= '0' && ch <= '9':
			num = num*10 + int(ch-'0')
		case ch == '^':
			return out // deletion: not expected for ungapped records
		default:
			pos += num
			num = 0
			out = append(out, pos)
			pos++
		}
	}
	return out
}

func bamUniqueHits(h []Hit) []Hit {
	n := 0
	for i, x := range h {
		if i > 0 && x == h[n-1] {
			continue
		}
		h[n] = x
		n++
	}
	return h[:n]
}

func bamUniqueInts(x []int) []int {
	n := 0
	for i, v := range x {
		if i > 0 && v == x[n-1] {
			continue
		}
		x[n] = v
		n++
	}
	return x[:n]
}

// bamUpperDNA upper-cases in place and turns U into T.
func bamUpperDNA(s []byte) []byte {
	for i, c := range s {
		if c >= 'a' && c <= 'z' {
			c -= 'a' - 'A'
		}
		if c == 'U' {
			c = 'T'
		}
		s[i] = c
	}
	return s
}

// bamRevComp reverse-complements s in place.
func bamRevComp(s []byte) {
	comp := func(c byte) byte {
		switch c {
		case 'A':
			return 'T'
		case 'C':
			return 'G'
		case 'G':
			return 'C'
		case 'T':
			return 'A'
		}
		return 'N'
	}
	for i, j := 0, len(s)-1; i <= j; i, j = i+1, j-1 {
		s[i], s[j] = comp(s[j]), comp(s[i])
	}
}

// collect reads every record and passes each read (all records of one
// name) through c. Files sorted by coordinate (header SO:coordinate) keep
// one small accumulator per read name in memory (the read's sequence,
// shared between reads with the same one, and its hits; not the records)
// and the reads are then finished in name order (see sortReadNames), so
// the result does not depend on coordinates. Other files must keep the
// records of a read adjacent, as aligners write them; they stream, and a
// name that reappears after other reads is an ErrNotGrouped error.
func (c *insertCollector) collect(ar *alignmentReader) error {
	st := c.st
	if ar.Header().SortOrder == sam.Coordinate {
		accs := map[string]*readAcc{}
		var order []string
		for {
			r, err := ar.read()
			if err == io.EOF {
				break
			}
			if err != nil {
				return err
			}
			st.Records++
			a, ok := accs[r.Name]
			if !ok {
				a = &readAcc{name: r.Name}
				accs[r.Name] = a
				order = append(order, r.Name)
			}
			c.addRecord(a, r)
		}
		sortReadNames(order)
		for _, n := range order {
			c.finishRead(accs[n])
			delete(accs, n)
		}
		return nil
	}
	done := map[uint64]struct{}{}
	hash := func(s string) uint64 {
		h := fnv.New64a()
		io.WriteString(h, s)
		return h.Sum64()
	}
	var cur readAcc
	open := false
	for {
		r, err := ar.read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		st.Records++
		if open && r.Name != cur.name {
			c.finishRead(&cur)
			done[hash(cur.name)] = struct{}{}
			open = false
		}
		if !open {
			if _, seen := done[hash(r.Name)]; seen {
				return &AlignmentError{File: ar.file, Record: ar.n, Err: fmt.Errorf("%w: %q appears again after other reads; sort the file by name (samtools sort -n) or by coordinate", ErrNotGrouped, r.Name)}
			}
			cur.reset(r.Name)
			open = true
		}
		c.addRecord(&cur, r)
	}
	if open {
		c.finishRead(&cur)
	}
	return nil
}

// ReadHairpinAlignments reads a BAM or SAM file (sniffed from its first
// bytes; SAM may be gzip-compressed) of reads aligned to the hairpins of
// ref, and reduces it to distinct inserts with their hits on the hairpins.
//
// Conversion rules, per read name (all records of a name are one read,
// multi-mappers included; its weight is the "_x<count>" suffix, else 1):
//   - records on the forward strand of a hairpin give a Hit: the aligned
//     part plus any 5' clipped bases is templated (clipped 5' bases count
//     as mismatches where they differ), 3' soft/hard-clipped bases are the
//     untemplated tail; then, as the FASTQ-path aligner does, the 3' end is
//     re-expressed with 0–3 untemplated A/T bases when that removes
//     mismatches, and only the hits of the best (mismatches, tail) class
//     are kept (unless o.KeepStrata);
//   - records on other-class sequences of ref (Reference.Others names)
//     make the read other-RNA, unless it also has a hairpin hit;
//   - unmapped, reverse-strand, supplementary, gapped (I/D/N/P) and
//     off-end records give no hit; a read left with no hit is unmapped.
//
// Records on references that are neither hairpins nor other sequences of
// ref give an ErrUnknownReference error naming the first few; @SQ lengths
// that differ from the hairpins give ErrReferenceLength. Bad or truncated
// input gives an *AlignmentError with the file and record number.
func ReadHairpinAlignments(r io.Reader, file string, ref *Reference, o *BAMOptions) ([]AlignedInsert, BAMStats, error) {
	var opt BAMOptions
	if o != nil {
		opt = *o
	}
	var st BAMStats
	ar, err := openAlignments(r, file, opt.Threads)
	if err != nil {
		return nil, st, err
	}
	defer ar.Close()
	c := newInsertCollector(ref, &st, opt.KeepStrata)
	if err := checkHeaderLengths(ar, ref); err != nil {
		return nil, st, err
	}
	if err := c.collect(ar); err != nil {
		return nil, st, err
	}
	if len(c.unknown) > 0 {
		return nil, st, unknownRefError(file, c.unknown, c.unknownSet)
	}
	st.Inserts = len(c.inserts)
	return c.inserts, st, nil
}

func checkHeaderLengths(ar *alignmentReader, ref *Reference) error {
	var bad []string
	for _, sq := range ar.Header().Refs() {
		hi := ref.HairpinIndex(sq.Name())
		if hi < 0 || sq.Len() <= 0 {
			continue
		}
		if l := len(ref.Hairpins[hi].Seq); sq.Len() != l {
			bad = append(bad, fmt.Sprintf("%s (LN:%d, hairpin %d nt)", sq.Name(), sq.Len(), l))
		}
	}
	if len(bad) > 0 {
		return &AlignmentError{File: ar.file, Err: fmt.Errorf("%w (another miRBase version?): %s", ErrReferenceLength, abbreviate(bad, 5))}
	}
	return nil
}

func unknownRefError(file string, names []string, recs map[string]int64) error {
	var total int64
	for _, n := range recs {
		total += n
	}
	hint := ""
	for _, n := range names {
		if strings.HasPrefix(n, "chr") || (len(n) <= 2 && n != "") {
			hint = "; the file looks aligned to a genome: give a miRBase GFF3 (-gff) to count it on genome coordinates"
			break
		}
	}
	return &AlignmentError{File: file, Err: fmt.Errorf("%w: %d records on %d references, e.g. %s%s", ErrUnknownReference, total, len(names), abbreviate(names, 5), hint)}
}

// CountInserts assigns each insert with a and accumulates it into b, in
// slice order. Inserts with no hit are other-RNA when they have Others,
// else unmapped.
func CountInserts(b *Builder, a *Assigner, inserts []AlignedInsert) {
	for i := range inserts {
		in := &inserts[i]
		asg := a.Assign(in.Seq, in.Hits, in.Others)
		b.Add(string(in.Seq), in.Reads, in.Molecules, asg)
	}
}

// QuantifyHairpinBAM counts a BAM/SAM file aligned to the hairpins of ref
// with the rules of FASTQ input (see ReadHairpinAlignments for how records
// become hits) and returns the sample. The summary has input_reads (Σ read
// weights), the reads_* partition of the Builder, and bam_* rows from
// BAMStats.
func QuantifyHairpinBAM(r io.Reader, file, sample string, ref *Reference, o *BAMOptions) (*Sample, error) {
	var opt BAMOptions
	if o != nil {
		opt = *o
	}
	inserts, st, err := ReadHairpinAlignments(r, file, ref, &opt)
	if err != nil {
		return nil, err
	}
	a := opt.Assigner
	if a == nil {
		a = NewAssigner(ref, -1, -1)
	}
	counting := opt.Options
	counting.UMI = false
	b := NewBuilder(ref, counting)
	CountInserts(b, a, inserts)
	return b.Finish(sample, bamStatRows(st)), nil
}

// bamStatRows are the summary rows describing the BAM input.
func bamStatRows(st BAMStats) []Stat {
	return []Stat{
		{"input_reads", itoa(st.Reads)},
		{"reads_passed", itoa(st.Reads)},
		{"bam_records", itoa(st.Records)},
		{"bam_read_names", itoa(st.Names)},
		{"bam_distinct_inserts", strconv.Itoa(st.Inserts)},
		{"bam_records_antisense", itoa(st.Antisense)},
		{"bam_records_gapped", itoa(st.Gapped)},
		{"bam_records_supplementary", itoa(st.Supplemental)},
		{"bam_records_off_reference", itoa(st.OffEnd)},
	}
}

// sortReadNames orders read names: names of the collapsed-read form
// "<prefix>_<i>_x<count>" by their running index i (restoring the order
// of the collapser that made them), others after them by string order.
func sortReadNames(names []string) {
	type key struct {
		name string
		idx  int64
		ok   bool
	}
	keys := make([]key, len(names))
	for i, n := range names {
		k := key{name: n}
		if j := strings.LastIndex(n, "_x"); j >= 0 {
			if i := strings.LastIndexByte(n[:j], '_'); i >= 0 {
				v, err := strconv.ParseInt(n[i+1:j], 10, 64)
				k.idx, k.ok = v, err == nil
			}
		}
		keys[i] = k
	}
	sort.Slice(keys, func(a, b int) bool {
		ka, kb := &keys[a], &keys[b]
		switch {
		case ka.ok && kb.ok:
			if ka.idx != kb.idx {
				return ka.idx < kb.idx
			}
		case ka.ok != kb.ok:
			return ka.ok
		}
		return ka.name < kb.name
	})
	for i := range keys {
		names[i] = keys[i].name
	}
}
