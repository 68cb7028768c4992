package quant

import (
	"bytes"
	"context"
	"io"
	"math/rand/v2"
	"testing"

	"github.com/biogo/hts/bam"
)

// BenchmarkBAMDecode compares the record decoder of alignmentReader with
// hts's bam.Reader on the same BAM (5,000 simulated inserts on the human
// hairpins, one decompression thread each), decoding every record. The
// result is the reason for the own decoder (see alignmentReader).
func BenchmarkBAMDecode(b *testing.B) {
	ref := bamHsa(b)
	rng := rand.New(rand.NewPCG(1, 1))
	aligned, err := AlignInserts(context.Background(), ref, bamSimInserts(ref, rng, 5000), 0)
	if err != nil {
		b.Fatal(err)
	}
	var buf bytes.Buffer
	if err := WriteBAM(&buf, ref, aligned, BAMWriteOptions{}); err != nil {
		b.Fatal(err)
	}
	data := buf.Bytes()
	b.Run("exomir", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		b.ReportAllocs()
		for b.Loop() {
			ar, err := openAlignments(bytes.NewReader(data), "b.bam", 1)
			if err != nil {
				b.Fatal(err)
			}
			var rec alnRec
			for {
				err := ar.read(&rec)
				if err == io.EOF {
					break
				}
				if err != nil {
					b.Fatal(err)
				}
			}
			ar.Close()
		}
	})
	b.Run("hts", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		b.ReportAllocs()
		for b.Loop() {
			r, err := bam.NewReader(bytes.NewReader(data), 1)
			if err != nil {
				b.Fatal(err)
			}
			for {
				_, err := r.Read()
				if err == io.EOF {
					break
				}
				if err != nil {
					b.Fatal(err)
				}
			}
			r.Close()
		}
	})
}
