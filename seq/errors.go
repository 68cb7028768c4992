package seq

import (
	"errors"
	"fmt"
)

// Sentinel errors of package seq; wrapped errors match them with errors.Is.
var (
	ErrTruncated      = errors.New("seq: truncated record")
	ErrMissingPlus    = errors.New("seq: missing '+' separator line")
	ErrLengthMismatch = errors.New("seq: sequence and quality lengths differ")
	ErrBadHeader      = errors.New("seq: bad record header")
	ErrBadBase        = errors.New("seq: invalid character in sequence")
	ErrBadQual        = errors.New("seq: invalid quality character")
	ErrReadTooLong    = errors.New("seq: read longer than the limit")
	ErrFasta          = errors.New("seq: FASTA, not FASTQ: reads need qualities (a collapsed FASTA such as >seq_1_x<count> is read from its alignments: align it and give the BAM/SAM)")
	ErrEmpty          = errors.New("seq: input has no records")
)

// ParseError locates a problem in a sequence file. Line and Record are
// 1-based; Record is 0 when the problem precedes the first record.
type ParseError struct {
	File   string
	Line   int64
	Record int64
	Err    error
}

func (e *ParseError) Error() string {
	file := e.File
	if file == "" {
		file = "<input>"
	}
	switch {
	case e.Line == 0:
		return fmt.Sprintf("%s: %v", file, e.Err) // the whole file (empty)
	case e.Record == 0:
		return fmt.Sprintf("%s:%d: %v", file, e.Line, e.Err) // before the first record
	}
	return fmt.Sprintf("%s:%d: record %d: %v", file, e.Line, e.Record, e.Err)
}

// Unwrap returns the underlying error.
func (e *ParseError) Unwrap() error { return e.Err }
