package quant

import (
	"bytes"
	"encoding/binary"
	"errors"
	"runtime"
	"testing"

	"github.com/biogo/hts/bgzf"
)

// TestBAMDeclaredLengthsDoNotAllocate: a few bytes declaring a 255 MiB
// header text, or a 60 MiB record, fail as truncated without allocating
// what they declare (once ~270 MB before the error).
func TestBAMDeclaredLengthsDoNotAllocate(t *testing.T) {
	ref, _ := bamToyRef(t)
	bam := func(payload []byte) []byte {
		var buf bytes.Buffer
		w := bgzf.NewWriter(&buf, 1)
		w.Write(payload)
		w.Close()
		return buf.Bytes()
	}
	le := binary.LittleEndian
	hugeText := le.AppendUint32([]byte("BAM\x01"), 255<<20)
	hugeText = append(hugeText, "@HD\tVN:1.6"...)
	hugeRecord := le.AppendUint32([]byte("BAM\x01"), 0)
	hugeRecord = le.AppendUint32(hugeRecord, 0) // no references
	hugeRecord = le.AppendUint32(hugeRecord, 60<<20)
	hugeRecord = append(hugeRecord, make([]byte, 40)...)
	for _, tc := range []struct {
		name string
		data []byte
	}{{"header text", bam(hugeText)}, {"record", bam(hugeRecord)}} {
		t.Run(tc.name, func(t *testing.T) {
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			_, _, err := ReadHairpinAlignments(bytes.NewReader(tc.data), "tiny.bam", ref, nil)
			runtime.ReadMemStats(&after)
			if !errors.Is(err, ErrAlignmentRecord) {
				t.Fatalf("err = %v, want ErrAlignmentRecord", err)
			}
			if got := after.TotalAlloc - before.TotalAlloc; got > 16<<20 {
				t.Errorf("%d-byte input allocated %d MB", len(tc.data), got>>20)
			}
		})
	}
}
