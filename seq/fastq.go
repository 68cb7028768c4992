package seq

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// Record is one FASTQ record. Name is the header line without its leading
// '@' (description included); Seq is upper case over A C G T N (lower-case
// bases are converted, U becomes T; '.' and the IUPAC ambiguity codes
// R Y S W K M B D H V become N, so that -max-n counts them); Qual is the raw
// quality string, every byte in '!'..'~'.
//
// The slices point into the FastqReader's buffer: they are owned by the
// reader and valid only until the next call to Scan. Copy what you keep.
type Record struct {
	Name, Seq, Qual []byte
}

// defaultFastqBuf is the initial size of a FastqReader's buffer; it grows
// when a single record does not fit.
const defaultFastqBuf = 1 << 20

// maxFastqBuf bounds buffer growth so that a file without newlines cannot
// exhaust memory.
const maxFastqBuf = 1 << 28

// DefaultMaxReadLen is the longest read a FastqReader accepts by default:
// small-RNA libraries are sequenced at 36–150 nt, so a longer line is a
// wrong file, and rejecting it early bounds the reader's memory.
const DefaultMaxReadLen = 1000

// maxHeaderLen bounds FASTQ header and '+' lines, for the same reason.
const maxHeaderLen = 1 << 16

// baseTable maps an input sequence byte to its stored form, or 0 when the
// byte is not allowed in a FASTQ sequence line. Ambiguity codes become N
// rather than errors: some instruments and converters write them, and as
// no-calls they are filtered by the N limit like any N.
var baseTable = func() (t [256]byte) {
	for _, c := range "ACGTN" {
		t[c] = byte(c)
	}
	t['U'] = 'T'
	for _, c := range "RYSWKMBDHV" {
		t[c] = 'N'
	}
	for c := 'A'; c <= 'Z'; c++ {
		t[c+'a'-'A'] = t[c]
	}
	t['.'] = 'N'
	return t
}()

// qualBad is 1 for a byte outside '!'..'~' (Phred+33 0–93), the range of
// the FASTQ format, else 0.
var qualBad = func() (t [256]byte) {
	for c := range t {
		if c < '!' || c > '~' {
			t[c] = 1
		}
	}
	return t
}()

// FastqReader streams FASTQ records (four lines each; sequence and quality
// on one line) from an io.Reader, using one large reused buffer. LF and
// CRLF line endings are accepted, as are blank lines between records and at
// the end. Errors are sticky and returned by Err as a *ParseError carrying
// the file name, the 1-based line and the record number.
type FastqReader struct {
	r        io.Reader
	file     string
	buf      []byte
	pos      int // start of unread data in buf
	end      int // end of valid data in buf
	recStart int // start of the record being parsed
	eof      bool
	line     int64 // lines consumed so far
	record   int64 // records returned so far
	err      error
	readErr  error // error from r other than io.EOF, reported once buf drains
	maxRead  int   // longest sequence line accepted
}

// NewFastqReader returns a reader of r; file names the input in errors.
// It accepts reads of up to DefaultMaxReadLen bases (see SetMaxReadLen).
func NewFastqReader(r io.Reader, file string) *FastqReader {
	return &FastqReader{r: r, file: file, buf: make([]byte, defaultFastqBuf), maxRead: DefaultMaxReadLen}
}

// SetMaxReadLen sets the longest read accepted; n <= 0 means
// DefaultMaxReadLen. A longer sequence (or quality) line stops the reader
// with an error wrapping ErrReadTooLong as soon as n+1 bytes of it are
// seen, without buffering the rest of the line. Call it before Scan.
func (fr *FastqReader) SetMaxReadLen(n int) {
	if n <= 0 {
		n = DefaultMaxReadLen
	}
	fr.maxRead = n
}

// Records returns the number of records read so far.
func (fr *FastqReader) Records() int64 { return fr.record }

// Err returns the first error met by Scan, or nil if the input ended
// cleanly. An input without any record is an error (ErrEmpty).
func (fr *FastqReader) Err() error {
	if fr.err == io.EOF {
		return nil
	}
	return fr.err
}

// Scan reads the next record into rec, overwriting its slices, and
// reports whether it did. It returns false at the end of the input or on
// an error; Err tells which.
func (fr *FastqReader) Scan(rec *Record) bool {
	if fr.err != nil {
		return false
	}
	// Lines are tracked as offsets relative to recStart, so that fill may
	// move the current record to the buffer's start; the previous record's
	// slices are invalidated from here on.
	fr.recStart = fr.pos
	var hs, he int
	for {
		a, e, ok := fr.nextLine(maxHeaderLen)
		if !ok {
			if fr.err != nil {
				return false
			}
			if fr.record == 0 {
				return fr.fail(ErrEmpty, 0)
			}
			fr.err = io.EOF
			return false
		}
		if e > a {
			hs, he = a, e
			break
		}
	}
	fr.record++
	if c := fr.buf[fr.recStart+hs]; c != '@' {
		if c == '>' {
			return fr.fail(ErrFasta, 0)
		}
		return fr.fail(fmt.Errorf("%w: want '@', found %q", ErrBadHeader, c), 0)
	}
	ss, se, ok := fr.nextLine(fr.maxRead)
	if !ok {
		return fr.truncated()
	}
	ps, pe, ok := fr.nextLine(maxHeaderLen)
	if !ok {
		return fr.truncated()
	}
	if pe == ps || fr.buf[fr.recStart+ps] != '+' {
		return fr.fail(ErrMissingPlus, 0)
	}
	qs, qe, ok := fr.nextLine(fr.maxRead)
	if !ok {
		return fr.truncated()
	}
	base := fr.buf[fr.recStart:]
	s, q := base[ss:se], base[qs:qe]
	if len(q) != len(s) {
		if len(q) < len(s) && fr.eof && fr.pos == fr.end && !fr.endedWithNewline() {
			return fr.fail(ErrTruncated, 0)
		}
		return fr.fail(fmt.Errorf("%w (%d bases, %d qualities)", ErrLengthMismatch, len(s), len(q)), 0)
	}
	if !qualsInRange(q) {
		for i, c := range q {
			if qualBad[c] != 0 {
				return fr.fail(fmt.Errorf("%w %q at column %d (want '!'..'~')", ErrBadQual, c, i+1), 0)
			}
		}
	}
	for i, c := range s {
		b := baseTable[c]
		if b == 0 {
			return fr.fail(fmt.Errorf("%w %q at column %d (want A, C, G, T, U, N, '.' or an IUPAC code)", ErrBadBase, c, i+1), 2)
		}
		s[i] = b
	}
	rec.Name, rec.Seq, rec.Qual = base[hs+1:he], s, q
	return true
}

// qualsInRange reports whether every byte of q is in '!'..'~'. It tests
// eight bytes per step (the reader's hot path): in a 64-bit word w, a high
// bit is set in w for a byte >= 0x80, in w + 0x01 per byte for a byte
// 0x7f, and in w - 0x21 per byte for a byte below 0x21; carries and
// borrows arise only next to such a byte, so valid words never test bad.
func qualsInRange(q []byte) bool {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	if len(q) < 8 {
		var bad byte
		for _, c := range q {
			bad |= qualBad[c]
		}
		return bad == 0
	}
	// The last word may overlap the previous one: no byte loop for the tail.
	w := binary.LittleEndian.Uint64(q[len(q)-8:])
	acc := w | (w + ones) | (w - 0x21*ones)
	for len(q) >= 16 {
		a, b := binary.LittleEndian.Uint64(q), binary.LittleEndian.Uint64(q[8:])
		acc |= a | (a + ones) | (a - 0x21*ones) | b | (b + ones) | (b - 0x21*ones)
		q = q[16:]
	}
	if len(q) >= 8 {
		w = binary.LittleEndian.Uint64(q)
		acc |= w | (w + ones) | (w - 0x21*ones)
	}
	return acc&highs == 0
}

// endedWithNewline reports whether the last consumed byte was a newline.
func (fr *FastqReader) endedWithNewline() bool {
	return fr.end > 0 && fr.buf[fr.end-1] == '\n'
}

// nextLine finds the next line and returns its bounds, without the line
// ending, relative to fr.recStart. ok is false at the end of the input, on
// a read error or on a line longer than limit bytes (then fr.err is set);
// a long line is rejected once limit+2 bytes of it are buffered, so that
// its length never drives the buffer's size.
func (fr *FastqReader) nextLine(limit int) (start, end int, ok bool) {
	for {
		if i := bytes.IndexByte(fr.buf[fr.pos:fr.end], '\n'); i >= 0 {
			start, end = fr.pos-fr.recStart, fr.pos+i-fr.recStart
			if end > start && fr.buf[fr.recStart+end-1] == '\r' {
				end--
			}
			if end-start > limit {
				fr.tooLong(limit)
				return 0, 0, false
			}
			fr.pos += i + 1
			fr.line++
			return start, end, true
		}
		// Room for the line, a '\r' and one byte more proves it too long.
		if fr.end-fr.pos > limit+1 {
			fr.tooLong(limit)
			return 0, 0, false
		}
		if fr.eof {
			if fr.readErr != nil {
				fr.failRead(fr.readErr)
				return 0, 0, false
			}
			if fr.pos == fr.end {
				return 0, 0, false
			}
			// Last line without a newline.
			start, end = fr.pos-fr.recStart, fr.end-fr.recStart
			if end > start && fr.buf[fr.recStart+end-1] == '\r' {
				end--
			}
			if end-start > limit {
				fr.tooLong(limit)
				return 0, 0, false
			}
			fr.pos = fr.end
			fr.line++
			return start, end, true
		}
		if err := fr.fill(); err != nil {
			fr.failRead(err)
			return 0, 0, false
		}
	}
}

// fill reads more input. When the buffer is full it first moves the
// current record to the buffer's start, and grows the buffer only when a
// single record fills it.
func (fr *FastqReader) fill() error {
	if fr.end == len(fr.buf) {
		if fr.recStart > 0 {
			n := copy(fr.buf, fr.buf[fr.recStart:fr.end])
			fr.pos -= fr.recStart
			fr.end = n
			fr.recStart = 0
		} else {
			if len(fr.buf) >= maxFastqBuf {
				return errors.New("seq: FASTQ record longer than the reader's buffer limit")
			}
			nb := make([]byte, 2*len(fr.buf))
			copy(nb, fr.buf[:fr.end])
			fr.buf = nb
		}
	}
	for tries := 0; tries < 100; tries++ {
		n, err := fr.r.Read(fr.buf[fr.end:])
		fr.end += n
		if err == io.EOF {
			fr.eof = true
			return nil
		}
		if err != nil {
			fr.eof = true
			fr.readErr = err
			return nil
		}
		if n > 0 {
			return nil
		}
	}
	return io.ErrNoProgress
}

// tooLong fails on the line being read (not yet counted), which is longer
// than limit.
func (fr *FastqReader) tooLong(limit int) {
	what := "header"
	if limit == fr.maxRead {
		what = "sequence or quality"
	}
	fr.fail(fmt.Errorf("%w: %s line longer than %d bytes", ErrReadTooLong, what, limit), -1)
}

func (fr *FastqReader) truncated() bool {
	if fr.err != nil {
		return false
	}
	return fr.fail(ErrTruncated, 0)
}

// fail records err at the current line (minus back lines) and returns false.
func (fr *FastqReader) fail(err error, back int64) bool {
	fr.err = &ParseError{File: fr.file, Line: fr.line - back, Record: fr.record, Err: err}
	return false
}

func (fr *FastqReader) failRead(err error) {
	if err == io.ErrUnexpectedEOF {
		err = fmt.Errorf("%w: compressed stream ends early (%w)", ErrTruncated, err)
	}
	rec := fr.record
	fr.err = &ParseError{File: fr.file, Line: fr.line + 1, Record: rec, Err: err}
}
