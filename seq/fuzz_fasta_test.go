package seq

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"
)

// naiveFasta is the reference FASTA parser of FuzzFasta: whole input split
// into lines, no buffering, no reuse.
func naiveFasta(data string) ([]FastaRecord, error) {
	lines := strings.Split(data, "\n")
	if strings.HasSuffix(data, "\n") {
		lines = lines[:len(lines)-1]
	}
	var recs []FastaRecord
	for i, l := range lines {
		l = strings.TrimRight(l, "\r\n")
		if len(recs) == 0 && strings.TrimSpace(l) == "" {
			continue
		}
		if strings.HasPrefix(l, ">") {
			h := strings.TrimSpace(l[1:])
			name, desc, _ := strings.Cut(h, " ")
			if i := strings.IndexAny(h, " \t"); i >= 0 {
				name, desc = h[:i], strings.TrimSpace(h[i+1:])
			} else {
				name, desc = h, ""
			}
			recs = append(recs, FastaRecord{Name: name, Desc: desc, Line: int64(i + 1)})
			continue
		}
		if len(recs) == 0 {
			return nil, ErrBadHeader
		}
		r := &recs[len(recs)-1]
		for _, c := range []byte(l) {
			switch {
			case c == ' ' || c == '\t' || c == '*' || c == '-' || c == '.' || c == '_':
			case c == 'u' || c == 'U':
				r.Seq = append(r.Seq, 'T')
			case c >= 'a' && c <= 'z':
				r.Seq = append(r.Seq, c-'a'+'A')
			case c >= 'A' && c <= 'Z':
				r.Seq = append(r.Seq, c)
			default:
				return nil, ErrBadBase
			}
		}
	}
	if len(recs) == 0 {
		return nil, ErrEmpty
	}
	return recs, nil
}

// FuzzFasta checks the FASTA reader against naiveFasta: the same records
// when it accepts, an error of the same kind (a *ParseError wrapping the
// same sentinel, with a line inside the input) when it rejects.
func FuzzFasta(f *testing.F) {
	f.Add([]byte(">hsa-miR-21-5p MIMAT0000076 Homo sapiens miR-21-5p\nUAGCUUAUCAGACUGAUGUUGA\n"))
	f.Add([]byte(">h1 MI1\r\nACGU\r\nacgu\r\n\r\n>h2\nNN-..*_\n>h3"))
	f.Add([]byte("\n \n>x\tdesc  more \nAC GT\n"))
	f.Add([]byte("ACGT\n>x\nACGT\n"))
	f.Add([]byte(">x\nAC1T\n"))
	f.Add([]byte(""))
	f.Add([]byte("\n\n\r\n"))
	f.Add([]byte(">\n>\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		got, err := ReadAllFasta(bytes.NewReader(data), "fuzz.fa")
		want, werr := naiveFasta(string(data))
		if err != nil {
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("error %v (%T) is not a *ParseError", err, err)
			}
			if pe.File != "fuzz.fa" || pe.Line < 0 || pe.Line > int64(bytes.Count(data, []byte{'\n'})+1) {
				t.Fatalf("error position %+v", pe)
			}
			if werr == nil || !errors.Is(err, werr) {
				t.Fatalf("reader: %v; reference: %v", err, werr)
			}
			return
		}
		if werr != nil {
			t.Fatalf("reader accepted input the reference rejects (%v)", werr)
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("records %v, reference %v", got, want)
		}
	})
}
