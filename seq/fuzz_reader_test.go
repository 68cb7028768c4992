package seq

import (
	"bytes"
	"context"
	"errors"
	"testing"
)

// FuzzFastqReader checks that the reader never panics, that every error is
// a *ParseError, and that whatever it accepts the naive reference parser
// accepts with the same records. The seed corpus lives in
// testdata/fuzz/FuzzFastqReader and runs with every "go test".
func FuzzFastqReader(f *testing.F) {
	f.Add([]byte("@r1\nACGT\n+\nIIII\n"))
	f.Add([]byte("@r1\r\nacgu\r\n+r1\r\nIIII\r\n\r\n"))
	f.Add([]byte("@r1\nACGT\n+\nIII"))
	f.Add([]byte("@r1\nACGT\nIIII\n"))
	f.Add([]byte("\x1f\x8b\x08\x00"))
	f.Add([]byte("@\n\n+\n\n@x\nN.\n+\n##"))
	f.Fuzz(func(t *testing.T, data []byte) {
		fr := NewFastqReader(bytes.NewReader(data), "fuzz.fq")
		fr.buf = make([]byte, 16) // small buffer: exercise compaction and growth
		var got []naiveRecord
		var rec Record
		for fr.Scan(&rec) {
			if len(rec.Seq) != len(rec.Qual) {
				t.Fatalf("record %d: seq and qual lengths differ", len(got)+1)
			}
			got = append(got, naiveRecord{string(rec.Name), string(rec.Seq), string(rec.Qual)})
		}
		if err := fr.Err(); err != nil {
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("error %v (%T) is not a *ParseError", err, err)
			}
			return
		}
		want, err := naiveParse(string(data))
		if err != nil {
			t.Fatalf("reader accepted input the reference rejects (%v)", err)
		}
		if len(got) != len(want) {
			t.Fatalf("%d records, reference %d", len(got), len(want))
		}
		for i := range got {
			if got[i] != want[i] {
				t.Fatalf("record %d: %+v, reference %+v", i+1, got[i], want[i])
			}
		}
	})
}

// FuzzCollapse checks the accounting on arbitrary input: Collapse either
// fails with a *ParseError or puts every read in exactly one category, and
// the passed reads are exactly those of the inserts.
func FuzzCollapse(f *testing.F) {
	f.Add([]byte("@r1\nTAGCTTATCAGACTGATGTTGATGGAATTCTCGGGTGCCAAGG\n+\nIIIIIIIIIIIIIIIIIIIIIIIIIIIIIIIIIIIIIIIIIII\n"), "truseq")
	f.Add([]byte("@r1\nTGGAATTCTCGG\n+\nIIIIIIIIIIII\n@r2\nACGTNNNNACGTACGTACGT\n+\n####################\n"), "nextflex")
	f.Add([]byte("@r1\nACGTACGTACGTACGTAACTGTAGGCACCATCAATACGTACG\n+\nIIIIIIIIIIIIIIIIIIIIIIIIIIIIIIIIIIIIIIIIII\n"), "qiaseq")
	f.Add([]byte("@r1\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n+\nIIIIIIIIIIIIIIIIIIIIIIIIIIIIIIII\n"), "cats")
	f.Add([]byte("@r1\nACGT\n+\nIIII\n"), "none")
	f.Add([]byte("@r1\nACGT\n+\nIIII\n"), "auto")
	f.Fuzz(func(t *testing.T, data []byte, protocol string) {
		if _, err := KitByName(protocol); err != nil && protocol != "auto" {
			return
		}
		res, err := Collapse(context.Background(), bytes.NewReader(data), "fuzz.fq", Options{Protocol: protocol, MinMeanQual: 20})
		if err != nil {
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("error %v (%T) is not a *ParseError", err, err)
			}
			return
		}
		var sum, passed int64
		for _, c := range res.Summary.Categories {
			sum += c.Reads
		}
		for _, in := range res.Inserts {
			passed += in.Reads
			if in.Reads < 1 || in.Molecules < 1 || in.Molecules > in.Reads {
				t.Fatalf("insert %+v", in)
			}
		}
		if sum != res.Summary.InputReads || passed != res.Summary.Count(CatPassed) {
			t.Fatalf("categories sum %d, input %d, inserts %d, passed %d", sum, res.Summary.InputReads, passed, res.Summary.Count(CatPassed))
		}
	})
}
