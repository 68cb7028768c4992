package seq

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/exomir/exomir/internal/gztest"
)

// naiveRecord is a record parsed by the reference parser.
type naiveRecord struct{ name, seq, qual string }

// naiveParse is a deliberately simple FASTQ parser used as the reference:
// split into lines, drop blank lines, take four at a time.
func naiveParse(data string) ([]naiveRecord, error) {
	var lines []string
	for _, l := range strings.Split(data, "\n") {
		l = strings.TrimSuffix(l, "\r")
		lines = append(lines, l)
	}
	var recs []naiveRecord
	for i := 0; i < len(lines); {
		if lines[i] == "" {
			i++
			continue
		}
		if i+3 >= len(lines) {
			return nil, errors.New("truncated")
		}
		h, s, p, q := lines[i], lines[i+1], lines[i+2], lines[i+3]
		if h[0] != '@' || !strings.HasPrefix(p, "+") || len(s) != len(q) {
			return nil, errors.New("bad")
		}
		s = strings.ToUpper(s)
		s = strings.ReplaceAll(s, "U", "T")
		for _, c := range ".RYSWKMBDHV" {
			s = strings.ReplaceAll(s, string(c), "N")
		}
		recs = append(recs, naiveRecord{h[1:], s, q})
		i += 4
	}
	if len(recs) == 0 {
		return nil, errors.New("empty")
	}
	return recs, nil
}

func readAll(t testing.TB, r io.Reader) ([]naiveRecord, error) {
	t.Helper()
	fr := NewFastqReader(r, "test.fq")
	var out []naiveRecord
	var rec Record
	for fr.Scan(&rec) {
		out = append(out, naiveRecord{string(rec.Name), string(rec.Seq), string(rec.Qual)})
	}
	return out, fr.Err()
}

// randomFastq makes n random valid records with random line endings, case
// and lengths (including a few long ones that force buffer growth).
func randomFastq(rng *rand.Rand, n int) string {
	var b strings.Builder
	const bases = "ACGTNacgtnU.ACGTACGTRYswkmBDHV"
	for i := 0; i < n; i++ {
		eol := "\n"
		if rng.IntN(4) == 0 {
			eol = "\r\n"
		}
		l := rng.IntN(80)
		if rng.IntN(200) == 0 {
			l = 3000 + rng.IntN(3000)
		}
		fmt.Fprintf(&b, "@r%d extra:%d%s", i, rng.IntN(1000), eol)
		for j := 0; j < l; j++ {
			b.WriteByte(bases[rng.IntN(len(bases))])
		}
		b.WriteString(eol)
		if rng.IntN(3) == 0 {
			fmt.Fprintf(&b, "+r%d%s", i, eol)
		} else {
			b.WriteString("+" + eol)
		}
		for j := 0; j < l; j++ {
			b.WriteByte(byte('!' + rng.IntN(42)))
		}
		if i < n-1 || rng.IntN(2) == 0 {
			b.WriteString(eol)
		}
		if rng.IntN(50) == 0 {
			b.WriteString(eol)
		}
	}
	return b.String()
}

func TestFastqReaderMatchesNaive(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for trial := 0; trial < 40; trial++ {
		data := randomFastq(rng, 1+rng.IntN(400))
		want, err := naiveParse(data)
		if err != nil {
			t.Fatalf("trial %d: reference parser: %v", trial, err)
		}
		readers := map[string]io.Reader{
			"whole":    strings.NewReader(data),
			"onebyte":  iotest.OneByteReader(strings.NewReader(data)),
			"halfread": iotest.HalfReader(strings.NewReader(data)),
		}
		for name, r := range readers {
			fr := NewFastqReader(r, "t.fq")
			fr.buf = make([]byte, 64+rng.IntN(200)) // tiny buffer: exercise growth and compaction
			fr.SetMaxReadLen(6000)                  // the few long reads are up to 6000 nt
			var got []naiveRecord
			var rec Record
			for fr.Scan(&rec) {
				got = append(got, naiveRecord{string(rec.Name), string(rec.Seq), string(rec.Qual)})
			}
			if err := fr.Err(); err != nil {
				t.Fatalf("trial %d %s: %v", trial, name, err)
			}
			if len(got) != len(want) {
				t.Fatalf("trial %d %s: %d records, want %d", trial, name, len(got), len(want))
			}
			for i := range got {
				if got[i] != want[i] {
					t.Fatalf("trial %d %s record %d: got %+v want %+v", trial, name, i, got[i], want[i])
				}
			}
		}
	}
}

func gz(s string) []byte {
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	w.Write([]byte(s))
	w.Close()
	return b.Bytes()
}

func TestFastqBadInput(t *testing.T) {
	good := "@r1\nACGT\n+\nIIII\n@r2\nacgu\n+r2\nIIII\n"
	long := strings.Repeat(good, 2000)
	gzLong := gz(long)
	bgLong := gztest.BGZF([]byte(long))
	cases := []struct {
		name     string
		data     []byte
		want     error // nil = no error
		line     int64
		record   int64
		nRecords int
	}{
		{"ok", []byte(good), nil, 0, 0, 2},
		{"crlf", []byte(strings.ReplaceAll(good, "\n", "\r\n")), nil, 0, 0, 2},
		{"no final newline", []byte(strings.TrimSuffix(good, "\n")), nil, 0, 0, 2},
		{"trailing blank lines", []byte(good + "\n\n"), nil, 0, 0, 2},
		{"gzip", gz(good), nil, 0, 0, 2},
		{"gzip multi-member", append(gz(good), gz(good)...), nil, 0, 0, 4},
		{"empty", nil, ErrEmpty, 0, 0, 0},
		{"only blank lines", []byte("\n\n"), ErrEmpty, 2, 0, 0},
		{"missing plus", []byte("@r1\nACGT\nIIII\n@r2\n"), ErrMissingPlus, 3, 1, 0},
		{"length mismatch", []byte("@r1\nACGT\n+\nIIII\n@r2\nACGT\n+\nIII\n@r3\nA\n+\nI\n"), ErrLengthMismatch, 8, 2, 1},
		{"truncated after header", []byte("@r1\nACGT\n+\nIIII\n@r2\n"), ErrTruncated, 5, 2, 1},
		{"truncated in quality", []byte("@r1\nACGT\n+\nIIII\n@r2\nACGT\n+\nII"), ErrTruncated, 8, 2, 1},
		{"bad header", []byte("@r1\nACGT\n+\nIIII\nr2\nACGT\n+\nIIII\n"), ErrBadHeader, 5, 2, 1},
		{"binary garbage", []byte{0x00, 0xff, 0x13, 0x37, '\n', 0x01, 0x02, '\n', 0x03, '\n', 0x04, '\n'}, ErrBadHeader, 1, 1, 0},
		{"bad base", []byte("@r1\nAC*T\n+\nIIII\n"), ErrBadBase, 2, 1, 0},
		{"non-IUPAC letter", []byte("@r1\nACGT\n+\nIIII\n@r2\nACXT\n+\nIIII\n"), ErrBadBase, 6, 2, 1},
		{"space in sequence", []byte("@r1\nAC T\n+\nIIII\n"), ErrBadBase, 2, 1, 0},
		{"quality below '!'", []byte("@r1\nACGT\n+\nII I\n"), ErrBadQual, 4, 1, 0},
		{"quality above '~'", []byte("@r1\nACGT\n+\nIIII\n@r2\nACGT\n+\nII\x7fI\n"), ErrBadQual, 8, 2, 1},
		{"quality byte 0xff", []byte("@r1\nACGT\n+\n\xffIII\n"), ErrBadQual, 4, 1, 0},
		{"FASTA", []byte(">seq_1_x10\nACGT\n"), ErrFasta, 1, 1, 0},
		{"read too long", []byte("@r1\nACGT\n+\nIIII\n@r2\n" + strings.Repeat("A", 1001) + "\n+\n" + strings.Repeat("I", 1001) + "\n"), ErrReadTooLong, 6, 2, 1},
		{"read too long at EOF", []byte("@r1\n" + strings.Repeat("A", 1001)), ErrReadTooLong, 2, 1, 0},
		{"quality too long", []byte("@r1\nACGT\n+\n" + strings.Repeat("I", 1001) + "\n"), ErrReadTooLong, 4, 1, 0},
		{"header too long", []byte("@" + strings.Repeat("r", 1<<17) + "\nACGT\n+\nIIII\n"), ErrReadTooLong, 1, 0, 0},
		{"truncated gzip", gzLong[:len(gzLong)/2], ErrTruncated, -1, -1, -1},
		{"gzip missing trailer", gzLong[:len(gzLong)-4], ErrTruncated, -1, -1, -1},
		{"bgzf", gztest.BGZF([]byte(good)), nil, 0, 0, 2},
		{"truncated bgzf", bgLong[:len(bgLong)/2], ErrTruncated, -1, -1, -1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var recs []naiveRecord
			rc, err := NewDecompressor(bytes.NewReader(c.data), 0)
			if err == nil {
				defer rc.Close()
				recs, err = readAll(t, rc)
			} else {
				// As Collapse and OpenThreads report it.
				err = &ParseError{File: "test.fq", Line: 1, Err: err}
			}
			if c.want == nil {
				if err != nil {
					t.Fatalf("unexpected error %v", err)
				}
				if len(recs) != c.nRecords {
					t.Fatalf("%d records, want %d", len(recs), c.nRecords)
				}
				if recs[1].seq != "ACGT" {
					t.Fatalf("record 2 seq %q, want ACGT (upper case, U->T)", recs[1].seq)
				}
				return
			}
			if !errors.Is(err, c.want) {
				t.Fatalf("error %v, want %v", err, c.want)
			}
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("error %T is not a *ParseError", err)
			}
			if pe.File != "test.fq" {
				t.Errorf("file %q", pe.File)
			}
			if c.line >= 0 && (pe.Line != c.line || pe.Record != c.record) {
				t.Errorf("at line %d record %d, want line %d record %d (%v)", pe.Line, pe.Record, c.line, c.record, err)
			}
			if c.nRecords >= 0 && len(recs) != c.nRecords {
				t.Errorf("%d records before the error, want %d", len(recs), c.nRecords)
			}
			if !strings.Contains(err.Error(), "test.fq:") {
				t.Errorf("message %q does not name the file", err)
			}
		})
	}
}

// TestFastqLimitDoesNotBuffer checks that an endless sequence line is
// rejected after reading about one buffer of it, not the whole line.
func TestFastqLimitDoesNotBuffer(t *testing.T) {
	for _, limit := range []int{0, 50, 1000, 5000} {
		src := &endlessRead{}
		fr := NewFastqReader(src, "huge.fq")
		fr.SetMaxReadLen(limit)
		var rec Record
		if fr.Scan(&rec) {
			t.Fatal("scanned a record of an endless line")
		}
		err := fr.Err()
		if !errors.Is(err, ErrReadTooLong) {
			t.Fatalf("limit %d: error %v, want ErrReadTooLong", limit, err)
		}
		want := limit
		if want == 0 {
			want = DefaultMaxReadLen
		}
		if !strings.Contains(err.Error(), fmt.Sprintf("huge.fq:2: record 1: ")) || !strings.Contains(err.Error(), fmt.Sprint(want)) {
			t.Errorf("limit %d: message %q lacks file:line or the limit", limit, err)
		}
		if src.n > 2*defaultFastqBuf || len(fr.buf) > defaultFastqBuf {
			t.Errorf("limit %d: read %d bytes, buffer %d: the line was buffered", limit, src.n, len(fr.buf))
		}
	}
	// A limit above the default accepts a long read.
	long := "@r\n" + strings.Repeat("A", 5000) + "\n+\n" + strings.Repeat("I", 5000) + "\n"
	fr := NewFastqReader(strings.NewReader(long), "long.fq")
	fr.SetMaxReadLen(5000)
	var rec Record
	if !fr.Scan(&rec) || len(rec.Seq) != 5000 {
		t.Fatalf("5000-nt read with limit 5000: %v", fr.Err())
	}
}

// endlessRead yields "@r\n" then 'A' forever, counting the bytes served.
type endlessRead struct{ n int }

func (e *endlessRead) Read(p []byte) (int, error) {
	for i := range p {
		if e.n+i < 3 {
			p[i] = "@r\n"[e.n+i]
		} else {
			p[i] = 'A'
		}
	}
	e.n += len(p)
	return len(p), nil
}

// TestFastqBadBytesMatchNaive puts one random byte into a random valid
// file and checks the reader against a simple rule: the file is rejected
// exactly when the byte is outside the allowed set of its line, at that
// line.
func TestFastqBadBytesMatchNaive(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	allowedBase := func(c byte) bool {
		return strings.IndexByte("ACGTUNRYSWKMBDHVacgtunryswkmbdhv.", c) >= 0
	}
	for trial := 0; trial < 2000; trial++ {
		n := 1 + rng.IntN(20)
		var lines []string
		for i := 0; i < n; i++ {
			l := 1 + rng.IntN(30)
			s, q := make([]byte, l), make([]byte, l)
			for j := range s {
				s[j] = "ACGT"[rng.IntN(4)]
				q[j] = byte('!' + rng.IntN(94))
			}
			lines = append(lines, fmt.Sprintf("@r%d", i), string(s), "+", string(q))
		}
		rec := rng.IntN(n)
		isQual := rng.IntN(2) == 0
		li := 4*rec + 1
		if isQual {
			li += 2
		}
		b := []byte(lines[li])
		col := rng.IntN(len(b))
		c := byte(rng.IntN(256))
		if c == '\n' || c == '\r' {
			c = 'Z'
		}
		b[col] = c
		lines[li] = string(b)
		var wantErr error
		switch {
		case !isQual && !allowedBase(c):
			wantErr = ErrBadBase
		case isQual && (c < '!' || c > '~'):
			wantErr = ErrBadQual
		}
		fr := NewFastqReader(strings.NewReader(strings.Join(lines, "\n")+"\n"), "r.fq")
		var r Record
		got := 0
		for fr.Scan(&r) {
			got++
		}
		err := fr.Err()
		if wantErr == nil {
			if err != nil || got != n {
				t.Fatalf("trial %d: byte %q on line %d: %d records, %v; want all %d", trial, c, li+1, got, err, n)
			}
			continue
		}
		var pe *ParseError
		if !errors.Is(err, wantErr) || !errors.As(err, &pe) || pe.Line != int64(li+1) || pe.Record != int64(rec+1) || got != rec {
			t.Fatalf("trial %d: byte %q on line %d (record %d): %d records, %v; want %v there", trial, c, li+1, rec+1, got, err, wantErr)
		}
	}
}

// TestFastqZeroAllocs checks that Scan does not allocate per record.
func TestFastqZeroAllocs(t *testing.T) {
	data := []byte(strings.Repeat("@read_1 1:N:0:ATCACG\nTATTGCACTTGTCCCGGCCTGTTGGAATTCTCGGGTGCCAAGGAACTCCAG\n+\nAAAAAEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEE\n", 20000))
	r := bytes.NewReader(data)
	fr := NewFastqReader(r, "")
	var rec Record
	allocs := testing.AllocsPerRun(1000, func() {
		if !fr.Scan(&rec) {
			t.Fatal("ran out of records")
		}
	})
	if allocs != 0 {
		t.Fatalf("%v allocations per record", allocs)
	}
}

// TestReadAheadAfterEOF checks that reading a gzip stream past its end
// keeps returning io.EOF (this used to panic).
func TestReadAheadAfterEOF(t *testing.T) {
	data := strings.Repeat("@r\nACGT\n+\nIIII\n", 100000)
	rc, err := NewDecompressor(bytes.NewReader(gz(data)), 0)
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	got, err := io.ReadAll(rc)
	if err != nil || string(got) != data {
		t.Fatalf("ReadAll: %d bytes, %v", len(got), err)
	}
	for i := 0; i < 3; i++ {
		if n, err := rc.Read(make([]byte, 10)); n != 0 || err != io.EOF {
			t.Fatalf("read after EOF: %d, %v", n, err)
		}
	}
}

func ExampleFastqReader() {
	in := "@r1\nTAGCTTATCAGACTGATGTTGA\n+\nIIIIIIIIIIIIIIIIIIIIII\n@r2\nugagguaguagguuguauaguu\n+\nIIIIIIIIIIIIIIIIIIIIII\n"
	fr := NewFastqReader(strings.NewReader(in), "example.fq")
	var rec Record // slices valid until the next Scan
	for fr.Scan(&rec) {
		fmt.Printf("%s %s\n", rec.Name, rec.Seq)
	}
	if err := fr.Err(); err != nil {
		fmt.Println(err)
	}
	// Output:
	// r1 TAGCTTATCAGACTGATGTTGA
	// r2 TGAGGTAGTAGGTTGTATAGTT
}

// TestQualsInRange checks the word-at-a-time quality check against a
// byte-by-byte reference: every byte value at every position of valid
// strings of several lengths, and random strings.
func TestQualsInRange(t *testing.T) {
	naive := func(q []byte) bool {
		for _, c := range q {
			if c < '!' || c > '~' {
				return false
			}
		}
		return true
	}
	rng := rand.New(rand.NewPCG(5, 6))
	for n := 0; n <= 24; n++ {
		q := make([]byte, n)
		for i := range q {
			q[i] = byte('!' + rng.IntN(94))
		}
		if !qualsInRange(q) {
			t.Fatalf("valid %q rejected", q)
		}
		for pos := 0; pos < n; pos++ {
			keep := q[pos]
			for v := 0; v < 256; v++ {
				q[pos] = byte(v)
				if got, want := qualsInRange(q), naive(q); got != want {
					t.Fatalf("len %d, byte %#x at %d: got %v, want %v", n, v, pos, got, want)
				}
			}
			q[pos] = keep
		}
	}
	for trial := 0; trial < 100000; trial++ {
		q := make([]byte, rng.IntN(40))
		for i := range q {
			if rng.IntN(8) == 0 {
				q[i] = byte(rng.IntN(256))
			} else {
				q[i] = byte('!' + rng.IntN(94))
			}
		}
		if got, want := qualsInRange(q), naive(q); got != want {
			t.Fatalf("%q: got %v, want %v", q, got, want)
		}
	}
}
