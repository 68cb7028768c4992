package seq

import (
	"strings"
	"testing"
)

// FuzzTrim checks Trim against the reference (refCombined) and its slice
// invariants on arbitrary reads and adapters. Seeds live in
// testdata/fuzz/FuzzTrim.
func FuzzTrim(f *testing.F) {
	f.Add([]byte(miR21+ts+"ATCTCG"), ts, uint8(10), uint8(3))
	f.Add([]byte(miR21+ts[:12]+ts[13:]), ts, uint8(10), uint8(3))
	f.Add([]byte("NNNNTGGAATTC"), ts, uint8(20), uint8(1))
	f.Add([]byte(miR21+AdapterQIAseq+"ACGTACGTACGT"+AdapterUniversal), AdapterQIAseq, uint8(10), uint8(3))
	f.Add([]byte(""), "A", uint8(0), uint8(0))
	f.Add([]byte("acgt\x00\xff"), "ACGN", uint8(40), uint8(2))
	f.Fuzz(func(t *testing.T, read []byte, adapter string, ratePct, minOv uint8) {
		adapter = strings.ToUpper(adapter)
		if len(adapter) == 0 || len(adapter) > 40 || strings.Trim(adapter, "ACGTN") != "" || len(read) > 300 {
			return
		}
		rate := float64(ratePct%60) / 100
		tr, err := NewTrimmer(TrimOptions{Kit: Kit{Adapter: adapter, Clip5: int(minOv % 3), Clip3: int(minOv % 2), UMILen: int(minOv % 5)}, MaxErrorRate: rate, MinOverlap: int(minOv % 8)})
		if err != nil {
			t.Fatal(err)
		}
		q := make([]byte, len(read))
		r := tr.Trim(read, q)
		if r.AdapterStart < 0 || r.AdapterStart > len(read) || len(r.Insert) > r.AdapterStart || len(r.InsertQual) != len(r.Insert) {
			t.Fatalf("bad result %+v for %q", r, read)
		}
		effRate := rate
		if effRate == 0 {
			effRate = DefaultMaxErrorRate
		}
		effOv := int(minOv % 8)
		if effOv == 0 {
			effOv = DefaultMinOverlap
		}
		want, found := refCombined(adapter, string(read), effRate, effOv)
		if want != r.AdapterStart || found != r.AdapterFound {
			t.Fatalf("read %q adapter %s rate %v minOv %d: start %d/%v, reference %d/%v", read, adapter, effRate, effOv, r.AdapterStart, r.AdapterFound, want, found)
		}
	})
}
