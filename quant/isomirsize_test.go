package quant

import (
	"testing"
	"unsafe"
)

// A sample holds hundreds of thousands of placements, twice over while
// Builder.Finish joins its blocks: Isomir's field order keeps the small
// fields in one word (96 bytes on 64-bit platforms, not 104).
func TestIsomirSize(t *testing.T) {
	if unsafe.Sizeof(uintptr(0)) != 8 {
		t.Skip("sizes checked on 64-bit platforms")
	}
	if got := unsafe.Sizeof(Isomir{}); got > 96 {
		t.Errorf("Isomir is %d bytes, want at most 96", got)
	}
}
