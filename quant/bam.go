package quant

import (
	"bufio"
	"bytes"
	"cmp"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/biogo/hts/bgzf"
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
	ErrReadCount        = errors.New("quant: read count in a read name out of range")
)

// MaxReadCount is the largest read count a collapsed-read name ("_x<count>")
// or a sum of them may carry: 2^53, beyond which float64 arithmetic (DESeq2,
// edgeR) is no longer exact. No sequencing run comes near it, so a larger
// value is a corrupt or forged name, not data.
const MaxReadCount = 1 << 53

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
	// Options are the counting options: Multi is the multi-mapping rule,
	// Threads the number of BGZF decompression workers (0 = GOMAXPROCS;
	// results do not depend on it). UMI is ignored: BAM input has no UMIs,
	// counts are the reads given by the names' "_x<count>".
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
	OffEnd       int64 // records past their reference's ends or disagreeing with the read's length (ignored)
	NoFeature    int64 // genome input: records on no annotated hairpin
	Inserts      int   // distinct (sequence, hits) combinations counted
	// MissingEOF is set for a BAM file without the BGZF end-of-file
	// marker: every record read was valid, but the file may have been cut
	// short (an interrupted copy or aligner).
	MissingEOF bool
}

// ReadWeight returns the number of reads a read name stands for: the
// integer after a final "_x" (the miRDeep2/mirtop collapsed-read
// convention, "seq_12_x350" → 350), else 1 (no "_x", or "_x" followed by
// anything but digits). A count of 0 or above MaxReadCount is an error
// wrapping ErrReadCount.
func ReadWeight(name string) (int64, error) {
	i := strings.LastIndex(name, "_x")
	if i < 0 || i+2 == len(name) {
		return 1, nil
	}
	digits := name[i+2:]
	for j := 0; j < len(digits); j++ {
		if digits[j] < '0' || digits[j] > '9' {
			return 1, nil
		}
	}
	n, err := strconv.ParseUint(digits, 10, 64)
	if err != nil || n < 1 || n > MaxReadCount {
		return 0, fmt.Errorf("%w: %q (want 1..2^53)", ErrReadCount, name)
	}
	return int64(n), nil
}

// alnRec is one alignment record, decoded into buffers the reader reuses:
// valid until the next read.
type alnRec struct {
	name  []byte
	flags sam.Flags
	ref   int32 // index in alignmentReader.refs; -1 when unplaced
	pos   int   // 0-based
	cigar sam.Cigar
	seq   []byte // letters, empty when the record has none
	md    []byte // value of the MD tag, nil when absent
}

// Limits that keep a corrupt length field from allocating without bound.
const (
	maxBAMRecord = 64 << 20
	maxBAMText   = 256 << 20
	maxBAMRefs   = 1 << 24
)

// alignmentReader reads SAM or BAM records, sniffing the format. BAM is
// decompressed by hts's bgzf reader (concurrently) and decoded here, into
// reused buffers.
type alignmentReader struct {
	file    string
	n       int64 // records read
	bg      *bgzf.Reader
	text    *bufio.Reader
	gz      *gzip.Reader
	refs    []string
	refLens []int // -1 when unknown (SAM without @SQ)
	refIdx  map[string]int32
	sortOrd string // SO of the @HD line
	buf     []byte
	line    []byte
	seqBuf  []byte
	cigBuf  sam.Cigar
	tail    *tailKeeper // the raw input's last bytes, for BGZF's EOF marker
}

// bgzfEOF is the empty BGZF block that ends every complete BAM file (SAM
// specification §4.1.2); a file without it was probably cut short.
var bgzfEOF = []byte{0x1f, 0x8b, 0x08, 0x04, 0, 0, 0, 0, 0, 0xff, 0x06, 0, 0x42, 0x43, 0x02, 0, 0x1b, 0, 0x03, 0, 0, 0, 0, 0, 0, 0, 0, 0}

// tailKeeper passes reads through, keeping the last len(bgzfEOF) bytes.
type tailKeeper struct {
	r    io.Reader
	last []byte
}

func (t *tailKeeper) Read(p []byte) (int, error) {
	n, err := t.r.Read(p)
	if n >= len(bgzfEOF) {
		t.last = append(t.last[:0], p[n-len(bgzfEOF):n]...)
	} else if n > 0 {
		t.last = append(t.last, p[:n]...)
		if k := len(t.last) - len(bgzfEOF); k > 0 {
			t.last = append(t.last[:0], t.last[k:]...)
		}
	}
	return n, err
}

// missingEOF reports, after a BAM file was read to its end, whether it
// lacks the BGZF EOF marker.
func (ar *alignmentReader) missingEOF() bool {
	if ar.bg == nil || ar.tail == nil {
		return false
	}
	io.Copy(io.Discard, ar.tail) // whatever follows the last block
	return !bytes.Equal(ar.tail.last, bgzfEOF)
}

func (ar *alignmentReader) fail(format string, args ...any) error {
	return &AlignmentError{File: ar.file, Record: ar.n, Err: fmt.Errorf("%w: "+format, append([]any{ErrAlignmentRecord}, args...)...)}
}

// openAlignments sniffs BAM (BGZF with the "BAM\1" magic) or SAM text
// (plain or gzip-compressed) from the first bytes of r.
func openAlignments(r io.Reader, file string, threads int) (ar *alignmentReader, err error) {
	ar = &alignmentReader{file: file, refIdx: map[string]int32{}, tail: &tailKeeper{r: r}}
	br := bufio.NewReaderSize(ar.tail, 1<<17)
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
			ar.bg, err = bgzf.NewReader(br, threads)
			if err != nil {
				return nil, &AlignmentError{File: file, Err: fmt.Errorf("%w: %v", ErrAlignmentRecord, err)}
			}
			if err := ar.readBAMHeader(); err != nil {
				ar.bg.Close()
				return nil, err
			}
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
	for {
		c, _ := ar.text.Peek(1)
		if len(c) == 0 || c[0] != '@' {
			break
		}
		l, rerr := ar.text.ReadBytes('\n')
		if err := ar.headerLine(bytes.TrimRight(l, "\r\n"), true); err != nil {
			return nil, err
		}
		if rerr != nil {
			if rerr != io.EOF {
				return nil, &AlignmentError{File: file, Err: rerr}
			}
			break
		}
	}
	return ar, nil
}

func isSAMNameByte(c byte) bool { return c >= '!' && c <= '~' }

// headerLine takes SO from @HD and, when sq is set, references from @SQ.
func (ar *alignmentReader) headerLine(l []byte, sq bool) error {
	f := bytes.Split(l, []byte{'\t'})
	switch string(f[0]) {
	case "@HD":
		for _, x := range f[1:] {
			if v, ok := bytes.CutPrefix(x, []byte("SO:")); ok {
				ar.sortOrd = string(v)
			}
		}
	case "@SQ":
		if !sq {
			return nil
		}
		name, ln := "", -1
		for _, x := range f[1:] {
			if v, ok := bytes.CutPrefix(x, []byte("SN:")); ok {
				name = string(v)
			} else if v, ok := bytes.CutPrefix(x, []byte("LN:")); ok {
				n, err := strconv.Atoi(string(v))
				if err != nil || n < 0 {
					return &AlignmentError{File: ar.file, Err: fmt.Errorf("%w: bad @SQ length %q", ErrAlignmentFormat, v)}
				}
				ln = n
			}
		}
		if name == "" {
			return &AlignmentError{File: ar.file, Err: fmt.Errorf("%w: @SQ line without SN", ErrAlignmentFormat)}
		}
		if _, dup := ar.refIdx[name]; dup {
			return &AlignmentError{File: ar.file, Err: fmt.Errorf("%w: @SQ %s listed twice", ErrAlignmentFormat, name)}
		}
		ar.addRef(name, ln)
	}
	return nil
}

func (ar *alignmentReader) addRef(name string, ln int) int32 {
	id := int32(len(ar.refs))
	ar.refs = append(ar.refs, name)
	ar.refLens = append(ar.refLens, ln)
	ar.refIdx[name] = id
	return id
}

// eagerRead is the largest read whose buffer is allocated before its bytes
// arrive; larger declared lengths grow with the data, so a tiny corrupt
// file declaring 255 MiB does not allocate it.
const eagerRead = 1 << 20

// readFullGrowing reads exactly n bytes into buf (reused when large enough)
// and returns them; like io.ReadFull it fails on a short input, but beyond
// eagerRead bytes memory grows only as data is actually read.
func readFullGrowing(r io.Reader, n int, buf []byte) ([]byte, error) {
	if n <= max(eagerRead, cap(buf)) {
		if cap(buf) < n {
			buf = make([]byte, n)
		}
		buf = buf[:n]
		k, err := io.ReadFull(r, buf)
		return buf[:k], err
	}
	var bb bytes.Buffer
	k, err := bb.ReadFrom(io.LimitReader(r, int64(n)))
	if err == nil && k < int64(n) {
		err = io.ErrUnexpectedEOF
	}
	return bb.Bytes(), err
}

// readBAMHeader reads the BAM magic, header text and reference list.
func (ar *alignmentReader) readBAMHeader() error {
	bad := func(format string, args ...any) error {
		return &AlignmentError{File: ar.file, Err: fmt.Errorf("%w: header: "+format, append([]any{ErrAlignmentRecord}, args...)...)}
	}
	var b [8]byte
	if _, err := io.ReadFull(ar.bg, b[:8]); err != nil {
		return bad("%v", err)
	}
	lText := int(int32(binary.LittleEndian.Uint32(b[4:])))
	if lText < 0 || lText > maxBAMText {
		return bad("text length %d", lText)
	}
	text, err := readFullGrowing(ar.bg, lText, nil)
	if err != nil {
		return bad("truncated text: %d of %d declared bytes (%v)", len(text), lText, err)
	}
	for _, l := range bytes.Split(bytes.TrimRight(text, "\x00"), []byte{'\n'}) {
		if bytes.HasPrefix(l, []byte("@HD")) {
			ar.headerLine(bytes.TrimRight(l, "\r"), false)
		}
	}
	if _, err := io.ReadFull(ar.bg, b[:4]); err != nil {
		return bad("truncated reference count (%v)", err)
	}
	nRef := int(int32(binary.LittleEndian.Uint32(b[:4])))
	if nRef < 0 || nRef > maxBAMRefs {
		return bad("reference count %d", nRef)
	}
	for i := 0; i < nRef; i++ {
		if _, err := io.ReadFull(ar.bg, b[:4]); err != nil {
			return bad("truncated reference %d (%v)", i+1, err)
		}
		ln := int(int32(binary.LittleEndian.Uint32(b[:4])))
		if ln < 1 || ln > 1<<16 {
			return bad("reference %d: name length %d", i+1, ln)
		}
		name := make([]byte, ln+4)
		if _, err := io.ReadFull(ar.bg, name); err != nil {
			return bad("truncated reference %d (%v)", i+1, err)
		}
		l := int(int32(binary.LittleEndian.Uint32(name[ln:])))
		if l < 0 {
			return bad("reference %d: negative length %d", i+1, l)
		}
		ar.addRef(string(bytes.TrimRight(name[:ln], "\x00")), l)
	}
	return nil
}

// read decodes the next record into rec; io.EOF at the end, else nil or
// an *AlignmentError.
func (ar *alignmentReader) read(rec *alnRec) error {
	ar.n++
	if ar.bg != nil {
		return ar.readBAM(rec)
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
			return ar.fail("%v", rerr)
		}
		line = bytes.TrimRight(line, "\r\n")
		if len(line) == 0 {
			if rerr == io.EOF {
				ar.n--
				return io.EOF
			}
			continue
		}
		return ar.parseSAM(rec, line)
	}
}

// bamBases decodes BAM's 4-bit base codes.
const bamBases = "=ACMGRSVTWYHKDBN"

func (ar *alignmentReader) readBAM(rec *alnRec) error {
	var sz [4]byte
	n, err := io.ReadFull(ar.bg, sz[:])
	if err == io.EOF {
		ar.n--
		return io.EOF
	}
	if err != nil {
		return ar.fail("truncated file (%d of 4 bytes of a record length: %v)", n, err)
	}
	size := int(int32(binary.LittleEndian.Uint32(sz[:])))
	if size < 32 || size > maxBAMRecord {
		return ar.fail("record length %d", size)
	}
	b, err := readFullGrowing(ar.bg, size, ar.buf)
	if err != nil {
		return ar.fail("truncated file (%v)", err)
	}
	ar.buf = b
	le := binary.LittleEndian
	refID := int32(le.Uint32(b[0:]))
	rec.pos = int(int32(le.Uint32(b[4:])))
	lName := int(b[8])
	nCigar := int(le.Uint16(b[12:]))
	rec.flags = sam.Flags(le.Uint16(b[14:]))
	lSeq := int(int32(le.Uint32(b[16:])))
	if refID < -1 || int(refID) >= len(ar.refs) {
		return ar.fail("reference id %d of %d", refID, len(ar.refs))
	}
	rec.ref = refID
	off := 32
	if lName < 1 || lSeq < 0 || off+lName+4*nCigar+(lSeq+1)/2+lSeq > size {
		return ar.fail("field lengths exceed the record")
	}
	rec.name = b[off : off+lName-1]
	off += lName
	rec.cigar = ar.cigBuf[:0]
	for i := 0; i < nCigar; i++ {
		op := sam.CigarOp(le.Uint32(b[off:]))
		if op.Type() > sam.CigarBack {
			return ar.fail("CIGAR operation %d", int(op.Type()))
		}
		rec.cigar = append(rec.cigar, op)
		off += 4
	}
	ar.cigBuf = rec.cigar
	rec.seq = ar.seqBuf[:0]
	for i := 0; i < lSeq; i++ {
		c := b[off+i/2]
		if i%2 == 0 {
			c >>= 4
		}
		rec.seq = append(rec.seq, bamBases[c&0xf])
	}
	ar.seqBuf = rec.seq
	off += (lSeq+1)/2 + lSeq
	if len(rec.cigar) > 0 && lSeq > 0 && cigarQueryLen(rec.cigar) != lSeq {
		return ar.fail("CIGAR and sequence lengths differ")
	}
	if rec.pos < -1 {
		return ar.fail("negative position %d", rec.pos)
	}
	if err := ar.checkPosition(rec); err != nil {
		return err
	}
	rec.md = nil
	aux := b[off:]
	for len(aux) >= 3 {
		tag, typ := aux[:2], aux[2]
		aux = aux[3:]
		var l int
		switch typ {
		case 'A', 'c', 'C':
			l = 1
		case 's', 'S':
			l = 2
		case 'i', 'I', 'f':
			l = 4
		case 'Z', 'H':
			l = bytes.IndexByte(aux, 0)
			if l < 0 {
				return ar.fail("unterminated %s tag", tag)
			}
			if tag[0] == 'M' && tag[1] == 'D' && typ == 'Z' {
				rec.md = aux[:l]
			}
			l++
		case 'B':
			if len(aux) < 5 {
				return ar.fail("short %s tag", tag)
			}
			var w int
			switch aux[0] {
			case 'c', 'C':
				w = 1
			case 's', 'S':
				w = 2
			case 'i', 'I', 'f':
				w = 4
			default:
				return ar.fail("tag %s: array type %q", tag, aux[0])
			}
			cnt := int(int32(le.Uint32(aux[1:])))
			if cnt < 0 || cnt > len(aux) {
				return ar.fail("tag %s: array length %d", tag, cnt)
			}
			l = 5 + cnt*w
		default:
			return ar.fail("tag %s: type %q", tag, typ)
		}
		if l > len(aux) {
			return ar.fail("tag %s runs past the record", tag)
		}
		aux = aux[l:]
	}
	if len(aux) != 0 {
		return ar.fail("trailing bytes after the tags")
	}
	return nil
}

func cigarQueryLen(c sam.Cigar) int {
	n := 0
	for _, op := range c {
		n += op.Len() * op.Type().Consumes().Query
	}
	return n
}

// parseSAM decodes one SAM line. References absent from the header are
// added as they appear (headerless SAM).
func (ar *alignmentReader) parseSAM(rec *alnRec, line []byte) error {
	var f [12][]byte
	nf := 0
	rest := line
	for nf < 12 {
		i := bytes.IndexByte(rest, '\t')
		if i < 0 {
			f[nf] = rest
			nf++
			rest = nil
			break
		}
		f[nf] = rest[:i]
		nf++
		rest = rest[i+1:]
	}
	if nf < 11 {
		return ar.fail("%d fields, want at least 11", nf)
	}
	tags := f[11:nf]
	if rest != nil {
		tags = append(tags, bytes.Split(rest, []byte{'\t'})...)
	}
	rec.name = f[0]
	flags, err := strconv.ParseUint(string(f[1]), 0, 16)
	if err != nil {
		return ar.fail("flag %q", f[1])
	}
	rec.flags = sam.Flags(flags)
	rec.ref = -1
	if !bytes.Equal(f[2], []byte("*")) {
		id, ok := ar.refIdx[string(f[2])]
		if !ok {
			id = ar.addRef(string(f[2]), -1)
		}
		rec.ref = id
	}
	pos, err := strconv.Atoi(string(f[3]))
	if err != nil || pos < 0 {
		return ar.fail("position %q", f[3])
	}
	rec.pos = pos - 1
	rec.cigar = ar.cigBuf[:0]
	if !bytes.Equal(f[5], []byte("*")) {
		c := f[5]
		for len(c) > 0 {
			n := 0
			i := 0
			for i < len(c) && c[i] >= '0' && c[i] <= '9' {
				n = n*10 + int(c[i]-'0')
				i++
				if n > 1<<27 {
					return ar.fail("CIGAR %q", f[5])
				}
			}
			if i == 0 || i == len(c) {
				return ar.fail("CIGAR %q", f[5])
			}
			t := bytes.IndexByte([]byte("MIDNSHP=XB"), c[i])
			if t < 0 {
				return ar.fail("CIGAR %q", f[5])
			}
			rec.cigar = append(rec.cigar, sam.NewCigarOp(sam.CigarOpType(t), n))
			c = c[i+1:]
		}
	}
	ar.cigBuf = rec.cigar
	rec.seq = ar.seqBuf[:0]
	if !bytes.Equal(f[9], []byte("*")) {
		// SAM: SEQ is * or [A-Za-z=.]+, QUAL * or one [!-~] per base
		for i, c := range f[9] {
			if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c == '=' || c == '.') {
				return ar.fail("SEQ has %q at position %d", c, i+1)
			}
		}
		rec.seq = append(rec.seq, f[9]...)
		if len(rec.cigar) > 0 && cigarQueryLen(rec.cigar) != len(rec.seq) {
			return ar.fail("CIGAR and sequence lengths differ")
		}
		if q := f[10]; !bytes.Equal(q, []byte("*")) {
			if len(q) != len(rec.seq) {
				return ar.fail("QUAL has %d characters, SEQ %d bases", len(q), len(rec.seq))
			}
			for i, c := range q {
				if c < '!' || c > '~' {
					return ar.fail("QUAL has %q at position %d", c, i+1)
				}
			}
		}
	}
	ar.seqBuf = rec.seq
	if err := ar.checkPosition(rec); err != nil {
		return err
	}
	rec.md = nil
	for _, t := range tags {
		if v, ok := bytes.CutPrefix(t, []byte("MD:Z:")); ok {
			rec.md = v
		}
	}
	return nil
}

// checkPosition rejects a mapped record starting past the end of a
// reference whose length the header gives (no aligner writes one).
func (ar *alignmentReader) checkPosition(rec *alnRec) error {
	if rec.ref < 0 || rec.flags&sam.Unmapped != 0 {
		return nil
	}
	if rec.pos < 0 {
		return ar.fail("mapped to %s without a position", ar.refs[rec.ref])
	}
	if l := ar.refLens[rec.ref]; l >= 0 && rec.pos >= l {
		return ar.fail("position %d past the end of %s (%d nt)", rec.pos+1, ar.refs[rec.ref], l)
	}
	return nil
}

// Close releases the decompressors.
func (ar *alignmentReader) Close() error {
	if ar.bg != nil {
		return ar.bg.Close()
	}
	if ar.gz != nil {
		return ar.gz.Close()
	}
	return nil
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
				bamRevComp(a.readBuf)
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
// readWeight is ReadWeight of a record's name, with the running total of
// all reads kept within MaxReadCount; errors name the file and record.
func (c *insertCollector) readWeight(file string, name []byte, record int64) (int64, error) {
	w, err := ReadWeight(string(name))
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
			acc.reset()
			if cr.read >= 0 {
				acc.read = c.seqs[cr.read]
			}
			if cr.nHits > 0 {
				acc.hits = append(acc.hits, cr.first)
			}
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
			acc.reset()
			if cr.read >= 0 {
				acc.read = c.seqs[cr.read]
			}
			if cr.nHits > 0 {
				acc.hits = append(acc.hits, cr.first)
			}
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
// A read with no SEQ in any record (secondary records often omit it) is
// rebuilt from the hairpin, with N at the mismatches of its MD tag.
// Grouping by name: coordinate-sorted files (@HD SO:coordinate) are
// grouped in memory, other files must keep a read's records adjacent (as
// aligners write them) and stream; see insertCollector.collect. Reads
// with the same sequence and hits are merged into one insert; inserts are
// returned in an order independent of the order of the records: by
// "seq_<i>_x<n>" index when every name has one (the collapser's order, as
// in the FASTQ path), else by sequence and hits. So sorted, unsorted and
// name-sorted copies of a file give the same counts.
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
	c.canonicalOrder()
	st.Inserts = len(c.inserts)
	return c.inserts, st, nil
}

func checkHeaderLengths(ar *alignmentReader, ref *Reference) error {
	var bad []string
	for i, name := range ar.refs {
		hi := ref.HairpinIndex(name)
		if hi < 0 || ar.refLens[i] <= 0 {
			continue
		}
		if l := len(ref.Hairpins[hi].Seq); ar.refLens[i] != l {
			bad = append(bad, fmt.Sprintf("%s (LN:%d, hairpin %d nt)", name, ar.refLens[i], l))
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

func eofRow(missing bool) string {
	if missing {
		return "missing"
	}
	return "present"
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
		{"bam_eof_marker", eofRow(st.MissingEOF)},
	}
}
