package quant

import (
	"bytes"
	"context"
	"testing"
)

// FuzzReadHairpinAlignments feeds arbitrary bytes (seeded with SAM text,
// a BAM and damaged copies) to the BAM/SAM reader: it must return inserts
// or an error, never panic, and checkAligned must hold.
func FuzzReadHairpinAlignments(f *testing.F) {
	ref, s := bamToyRef(f)
	good := bamToyHeader + "r_x2\t0\ttoy-mir-1\t11\t255\t23M\t*\t0\t0\t" + s + "AA\t*\tMD:Z:23\n" +
		"q\t16\ttoy-mir-2\t11\t255\t21M2S\t*\t0\t0\t" + s + "TT\t*\n"
	f.Add([]byte(good))
	f.Add([]byte("r\t0\ttoy-mir-1\t11\t255\t2S21M\t*\t0\t0\t*\t*\tMD:Z:3A17\n"))
	ins, _, err := ReadHairpinAlignments(context.Background(), bytes.NewReader([]byte(good)), "seed.sam", ref, BAMOptions{})
	if err != nil {
		f.Fatal(err)
	}
	b := bamBytes(f, ref, ins, BAMWriteOptions{})
	f.Add(b)
	f.Add(b[:len(b)/2])
	f.Fuzz(func(t *testing.T, data []byte) {
		ins, st, err := ReadHairpinAlignments(context.Background(), bytes.NewReader(data), "fuzz", ref, BAMOptions{})
		checkAligned(t, ref, ins, st, err)
	})
}
