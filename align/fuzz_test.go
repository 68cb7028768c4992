package align

import (
	"reflect"
	"testing"
)

// FuzzAlign checks NewIndex and Align on arbitrary input against the brute
// force. Reference bytes are mapped onto ACGTN so that most inputs build an
// index; the raw bytes are tried first to check that bad letters give an
// error, not a panic.
func FuzzAlign(f *testing.F) {
	f.Add([]byte("TGGGATGAGGTAGTAGGTTGTATAGTTTTAGGG"), []byte("ACGTTGCAACGTAGCT"), []byte("TGAGGTAGTAGGTTGTATAGTTA"), uint8(0x0d))
	f.Add([]byte("AAAAAAAAAAAAAAAAAAAAAAA"), []byte("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"), []byte("AAAAAAAAAAAAAAAAAAAAAA"), uint8(0xff))
	f.Add([]byte("CCCCCNGGGGGAAAAATTTTTCCCCC"), []byte("acgu"), []byte("GGGGGAAAAATTTTTCCCCCNN"), uint8(0x36))
	f.Add([]byte("ACGT-X"), []byte(""), []byte("ACGT"), uint8(1))
	f.Fuzz(func(t *testing.T, ref1, ref2, read []byte, opt uint8) {
		if len(ref1)+len(ref2) > 400 || len(read) > MaxReadLen+2 {
			return
		}
		o := Options{
			MaxMismatches: int(opt & 3),
			MaxTail:       int(opt>>2) & 3,
			TailBases:     []string{"A", "AT", "ACGT", "GC"}[opt>>4&3],
			BothStrands:   opt&0x40 != 0,
		}
		o.MinLength = o.MaxMismatches + 1 + int(opt>>7)*10
		raw := []Ref{{Name: "a", Seq: ref1}, {Name: "b", Seq: ref2}}
		if ix, err := NewIndex(raw, o); err == nil {
			ix.Align(read, nil)
		}
		var refs []Ref
		for i, s := range [][]byte{ref1, ref2} {
			if len(s) == 0 {
				continue
			}
			clean := make([]byte, len(s))
			for j, c := range s {
				clean[j] = "ACGTNacgtu"[int(c)%10]
			}
			refs = append(refs, Ref{Name: string(rune('a' + i)), Seq: clean})
		}
		if len(refs) == 0 {
			return
		}
		ix, err := NewIndex(refs, o)
		if err != nil {
			t.Fatalf("clean references rejected: %v", err)
		}
		got := ix.Align(read, nil)
		if len(got) == 0 {
			got = nil
		}
		if want := bruteAlign(refs, o, read); !reflect.DeepEqual(got, want) {
			t.Fatalf("options %+v read %q:\n got %v\nwant %v", o, read, got, want)
		}
	})
}
