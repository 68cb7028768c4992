package quant

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"strconv"

	"github.com/biogo/hts/bgzf"
	"github.com/biogo/hts/sam"
	"github.com/exomir/exomir/seq"
)

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
// reused buffers, not by hts's bam.Reader: that allocates a sam.Record per
// record and trusts the lengths in the file, where this decoder reuses its
// buffers and caps every length (maxBAMRecord, maxBAMText, maxBAMRefs). On
// a BAM of 5,000 simulated inserts (BenchmarkBAMDecode, one inflate
// thread) it used 4.7 ms of CPU per decode against 8.3 ms for bam.Reader,
// 9.7k allocations (0.97 MB) against 63.8k (4.07 MB); inflating is the
// same bgzf code in both.
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
	tail    *tailKeeper     // the raw input's last bytes, for BGZF's EOF marker
	ctx     context.Context // checked every 4096 records when set
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
	magic, _ := br.Peek(18)
	if len(magic) == 0 {
		return nil, &AlignmentError{File: file, Err: fmt.Errorf("%w: empty input", ErrAlignmentFormat)}
	}
	if seq.Sniff(magic) != seq.Plain {
		// gzip or BGZF: BAM when the decompressed data start with its magic
		if head, _ := br.Peek(1 << 17); seq.SniffBAM(head) {
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
		if len(magic) >= 4 && string(magic[:4]) == "BAM\x01" {
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
	if ar.ctx != nil && ar.n%4096 == 1 {
		if err := ar.ctx.Err(); err != nil {
			return err
		}
	}
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
