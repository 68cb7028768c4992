package seq

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
)

// FastaRecord is one FASTA entry. Name is the first word of the header,
// Desc the rest. Seq is upper case with U converted to T. Line is the
// 1-based line of the header in its file (0 when the record was not read
// from a file), so that callers can point at a record in their errors.
type FastaRecord struct {
	Name string
	Desc string
	Seq  []byte
	Line int64
}

// FastaReader streams records from a FASTA file with wrapped or unwrapped
// sequence lines, RNA or DNA letters, and LF or CRLF line endings. Gap and
// stop symbols (- . _ *) are dropped; any other non-letter is an error.
type FastaReader struct {
	br      *bufio.Reader
	file    string
	line    int64
	record  int64
	pending []byte // header line read ahead of the next record
	err     error
}

// NewFastaReader returns a reader of r; file names the input in errors.
func NewFastaReader(r io.Reader, file string) *FastaReader {
	return &FastaReader{br: bufio.NewReaderSize(r, 1<<16), file: file}
}

// Read returns the next record, owned by the caller, or io.EOF after the
// last one. Errors are sticky and carry the file and line.
func (fr *FastaReader) Read() (FastaRecord, error) {
	if fr.err != nil {
		return FastaRecord{}, fr.err
	}
	header, headerLine := fr.pending, fr.line
	fr.pending = nil
	for header == nil {
		line, err := fr.readLine()
		if err == io.EOF {
			if fr.record == 0 {
				fr.err = &ParseError{File: fr.file, Line: fr.line, Err: ErrEmpty}
				return FastaRecord{}, fr.err
			}
			fr.err = io.EOF
			return FastaRecord{}, io.EOF
		}
		if err != nil {
			return FastaRecord{}, fr.readFail(err)
		}
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		if line[0] != '>' {
			return FastaRecord{}, fr.fail(fmt.Errorf("%w: want '>', found %q", ErrBadHeader, line[0]))
		}
		header, headerLine = line, fr.line
	}
	fr.record++
	name, desc := splitHeader(header[1:])
	rec := FastaRecord{Name: name, Desc: desc, Line: headerLine}
	for {
		line, err := fr.readLine()
		if err == io.EOF {
			break
		}
		if err != nil {
			return FastaRecord{}, fr.readFail(err)
		}
		if len(line) > 0 && line[0] == '>' {
			fr.pending = line // its line number is fr.line when it is used
			break
		}
		for i, c := range line {
			switch {
			case c >= 'a' && c <= 'z':
				c -= 'a' - 'A'
			case c == ' ' || c == '\t':
				continue
			}
			if c == 'U' {
				c = 'T'
			}
			if c < 'A' || c > 'Z' {
				if c == '*' || c == '-' || c == '.' || c == '_' {
					continue
				}
				return FastaRecord{}, fr.fail(fmt.Errorf("%w %q at column %d", ErrBadBase, line[i], i+1))
			}
			rec.Seq = append(rec.Seq, c)
		}
	}
	return rec, nil
}

// readLine returns the next line without its line ending, as a fresh slice.
func (fr *FastaReader) readLine() ([]byte, error) {
	line, err := fr.br.ReadBytes('\n')
	if len(line) == 0 && err != nil {
		return nil, err
	}
	if err != nil && err != io.EOF {
		return nil, err
	}
	fr.line++
	line = bytes.TrimRight(line, "\r\n")
	return line, nil
}

// readFail records a read error at the line being read.
func (fr *FastaReader) readFail(err error) error {
	if err == io.ErrUnexpectedEOF {
		err = fmt.Errorf("%w: compressed stream ends early (%w)", ErrTruncated, err)
	}
	fr.err = &ParseError{File: fr.file, Line: fr.line + 1, Record: fr.record, Err: err}
	return fr.err
}

func (fr *FastaReader) fail(err error) error {
	fr.err = &ParseError{File: fr.file, Line: fr.line, Record: fr.record, Err: err}
	return fr.err
}

func splitHeader(h []byte) (name, desc string) {
	h = bytes.TrimSpace(h)
	if i := bytes.IndexAny(h, " \t"); i >= 0 {
		return string(h[:i]), string(bytes.TrimSpace(h[i+1:]))
	}
	return string(h), ""
}

// ReadFastaFile reads every record of the FASTA file at path: plain, gzip
// or BGZF (sniffed from the magic bytes by Open), "-" for standard input.
func ReadFastaFile(path string) ([]FastaRecord, error) {
	f, err := Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return ReadAllFasta(f, path)
}

// ReadAllFasta reads every record of r.
func ReadAllFasta(r io.Reader, file string) ([]FastaRecord, error) {
	fr := NewFastaReader(r, file)
	var recs []FastaRecord
	for {
		rec, err := fr.Read()
		if err == io.EOF {
			return recs, nil
		}
		if err != nil {
			return nil, err
		}
		recs = append(recs, rec)
	}
}
