package seq

import (
	"errors"
	"io"
	"strings"
	"testing"
)

func TestFastaReaderCases(t *testing.T) {
	cases := []struct {
		name, in string
		want     []FastaRecord
		err      error
		line     int64
	}{
		{"wrapped RNA, CRLF", ">a desc here\r\nacgu\r\nUUAA\r\n", []FastaRecord{{Name: "a", Desc: "desc here", Seq: []byte("ACGTTTAA"), Line: 1}}, nil, 0},
		{"gaps dropped", ">t\nAC-G.T_A*\n", []FastaRecord{{Name: "t", Seq: []byte("ACGTA"), Line: 1}}, nil, 0},
		{"two records, blank lines", "\n>x\nAC\n\n>y\nGT\n", []FastaRecord{{Name: "x", Seq: []byte("AC"), Line: 2}, {Name: "y", Seq: []byte("GT"), Line: 5}}, nil, 0},
		{"empty record", ">x\n>y\nA\n", []FastaRecord{{Name: "x", Line: 1}, {Name: "y", Seq: []byte("A"), Line: 2}}, nil, 0},
		{"no header", "ACGT\n", nil, ErrBadHeader, 1},
		{"bad character", ">x\nAC1G\n", nil, ErrBadBase, 2},
		{"bad character, second record", ">x\nACGT\nAC\n>y\nA\nAC GT=\n", nil, ErrBadBase, 6},
		{"empty input", "", nil, ErrEmpty, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := ReadAllFasta(strings.NewReader(c.in), "in.fa")
			if c.err != nil {
				var pe *ParseError
				if !errors.Is(err, c.err) || !errors.As(err, &pe) || pe.File != "in.fa" || pe.Line != c.line {
					t.Fatalf("err = %v, want %v at in.fa:%d", err, c.err, c.line)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(c.want) {
				t.Fatalf("got %d records, want %d", len(got), len(c.want))
			}
			for i := range got {
				if got[i].Name != c.want[i].Name || got[i].Desc != c.want[i].Desc || string(got[i].Seq) != string(c.want[i].Seq) || got[i].Line != c.want[i].Line {
					t.Errorf("record %d = %+v, want %+v", i, got[i], c.want[i])
				}
			}
		})
	}
}

func TestFastaReaderStickyError(t *testing.T) {
	fr := NewFastaReader(strings.NewReader(">x\nA!\n>y\nC\n"), "f.fa")
	if _, err := fr.Read(); err == nil {
		t.Fatal("want an error")
	}
	if _, err := fr.Read(); err == nil || err == io.EOF {
		t.Fatalf("second Read = %v, want the same error", err)
	}
}

// TestFastaTruncatedGzip: a compressed reference cut short is ErrTruncated
// at the line being read, not a bare "unexpected EOF".
func TestFastaTruncatedGzip(t *testing.T) {
	z := gz(strings.Repeat(">x\nACGTACGTAC\n", 3000))
	rc, err := NewDecompressor(strings.NewReader(string(z[:len(z)/2])), 1)
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	_, err = ReadAllFasta(rc, "ref.fa.gz")
	var pe *ParseError
	if !errors.Is(err, ErrTruncated) || !errors.As(err, &pe) || pe.Line < 2 || pe.File != "ref.fa.gz" {
		t.Fatalf("err = %v, want ErrTruncated at a line of ref.fa.gz", err)
	}
}
