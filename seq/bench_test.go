package seq

import (
	"bytes"
	"fmt"
	"io"
	"math/rand/v2"
	"testing"

	"github.com/biogo/biogo/alphabet"
	biofastq "github.com/biogo/biogo/io/seqio/fastq"
	"github.com/biogo/biogo/seq/linear"
)

// benchFastq returns n realistic 50-nt small-RNA FASTQ records (Illumina
// style names, miRNA + TruSeq adapter + primer continuation).
func benchFastq(n int) []byte {
	rng := rand.New(rand.NewPCG(7, 7))
	inserts := []string{
		"TAGCTTATCAGACTGATGTTGA", "TGAGGTAGTAGGTTGTATAGTT", "TATTGCACTTGTCCCGGCCTGT",
		"TTCAAGTAATCCAGGATAGGCT", "AACCCGTAGATCCGAACTTGTG", "CAAAGTGCTTACAGTGCAGGTAG",
	}
	const tail = "TGGAATTCTCGGGTGCCAAGGAACTCCAGTCACATCACGATCTCGTATGCCGTCTTCTGCTTG"
	var b bytes.Buffer
	for i := 0; i < n; i++ {
		s := []byte((inserts[rng.IntN(len(inserts))] + tail)[:50])
		if rng.IntN(20) == 0 {
			s[rng.IntN(50)] = "ACGT"[rng.IntN(4)]
		}
		fmt.Fprintf(&b, "@NS500688:98:HMNCWBGXX:%d:%d:%d:%d 1:N:0:ATCACG\n%s\n+\n", 1+rng.IntN(4), 11101+rng.IntN(12000), rng.IntN(30000), rng.IntN(30000), s)
		for j := 0; j < 50; j++ {
			b.WriteByte("AAEEEEEE/"[rng.IntN(9)])
		}
		b.WriteByte('\n')
	}
	return b.Bytes()
}

var benchData = benchFastq(50000)

// BenchmarkFastqReader measures this package's reader on uncompressed
// FASTQ held in memory (target: >= 1 GB/s, 0 allocs per record).
func BenchmarkFastqReader(b *testing.B) {
	b.SetBytes(int64(len(benchData)))
	b.ReportAllocs()
	var rec Record
	r := bytes.NewReader(benchData)
	fr := NewFastqReader(r, "")
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		r.Reset(benchData)
		fr.r, fr.pos, fr.end, fr.eof, fr.err, fr.record = r, 0, 0, false, nil, 0
		n := 0
		for fr.Scan(&rec) {
			n++
		}
		if fr.Err() != nil || n != 50000 {
			b.Fatal(fr.Err(), n)
		}
	}
}

// BenchmarkFastqReaderNew is BenchmarkFastqReader including the reader's
// construction (buffer allocation) for each pass.
func BenchmarkFastqReaderNew(b *testing.B) {
	b.SetBytes(int64(len(benchData)))
	b.ReportAllocs()
	var rec Record
	for i := 0; i < b.N; i++ {
		fr := NewFastqReader(bytes.NewReader(benchData), "")
		for fr.Scan(&rec) {
		}
		if fr.Err() != nil {
			b.Fatal(fr.Err())
		}
	}
}

// BenchmarkBiogoFastqReader runs biogo's FASTQ reader on the same data, to
// keep the choice of writing our own reader visible.
func BenchmarkBiogoFastqReader(b *testing.B) {
	b.SetBytes(int64(len(benchData)))
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		fr := biofastq.NewReader(bytes.NewReader(benchData), linear.NewQSeq("", nil, alphabet.DNA, alphabet.Sanger))
		n := 0
		for {
			_, err := fr.Read()
			if err == io.EOF {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
			n++
		}
		if n != 50000 {
			b.Fatal(n)
		}
	}
}
