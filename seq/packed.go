package seq

import (
	"encoding/binary"
	"hash/maphash"
	"math/bits"
)

// Packed sequence keys for the collapser's hash tables. Bases are packed 3
// bits each, first base in the highest bits of the first word:
// A=1, C=2, G=3, N=4, T=5. The codes are nonzero, so a key's zero padding
// marks the end and equal keys mean equal sequences; and they are in
// alphabetical order, so comparing keys word by word orders the sequences
// as strings do (a prefix sorts first). Sequences with other bytes, or
// longer than the key holds, are not packed (the callers fall back to
// string-keyed maps).

// basesPerWord is how many 3-bit bases one uint64 holds.
const basesPerWord = 21

// key2 holds up to 42 bases: every insert of the default length range.
type key2 [2]uint64

var packCode = func() (t [256]uint8) {
	t['A'], t['C'], t['G'], t['N'], t['T'] = 1, 2, 3, 4, 5
	return t
}()

const codeBases = ".ACGNT"

// packWord packs b (at most basesPerWord bytes) into one word; ok is false
// when b holds a byte other than A, C, G, N, T.
func packWord(b []byte) (w uint64, ok bool) {
	var bad uint8
	for _, c := range b {
		x := packCode[c]
		bad |= x - 1 // wraps to 0xff only for x == 0
		w = w<<3 | uint64(x)
	}
	// bad has its high bit set iff some x was 0 (x-1 <= 4 otherwise).
	return w << (3 * (basesPerWord - uint(len(b)))), bad&0x80 == 0
}

// pack2 packs a non-empty sequence of at most 42 bases.
func pack2(b []byte) (k key2, ok bool) {
	if len(b) == 0 || len(b) > 2*basesPerWord {
		return k, false
	}
	n := min(len(b), basesPerWord)
	var ok0, ok1 bool
	k[0], ok0 = packWord(b[:n])
	k[1], ok1 = packWord(b[n:])
	return k, ok0 && ok1
}

// appendUnpacked appends the bases of k's words to dst.
func appendUnpacked(dst []byte, k []uint64) []byte {
	for _, w := range k {
		for s := 60; s >= 0; s -= 3 {
			c := w >> uint(s) & 7
			if c == 0 {
				return dst
			}
			dst = append(dst, codeBases[c])
		}
	}
	return dst
}

// seqLen returns the number of bases packed in k.
func seqLen(k key2) int {
	n := 0
	for _, w := range k {
		if w == 0 {
			break
		}
		// The last base sits above 3*(basesPerWord-n) zero bits.
		n += basesPerWord - bits.TrailingZeros64(w)/3
	}
	return n
}

// less2 orders keys as their sequences order as strings.
func less2(a, b key2) int {
	switch {
	case a[0] < b[0]:
		return -1
	case a[0] > b[0]:
		return 1
	case a[1] < b[1]:
		return -1
	case a[1] > b[1]:
		return 1
	}
	return 0
}

func mix(h uint64) uint64 {
	h ^= h >> 31
	h *= 0xbf58476d1ce4e5b9
	h ^= h >> 29
	h *= 0x94d049bb133111eb
	return h ^ h>>32
}

func (k key2) hash() uint64 { return mix(k[0]*0x9e3779b97f4a7c15 ^ k[1]) }

// idTable holds key2 keys and a count per key by open addressing (linear
// probing); the zero key marks an empty slot (pack2 never returns it). A
// key's slot index is its id until the table grows.
type idTable struct {
	slots []idSlot
	n     int
}

type idSlot struct {
	k key2
	n int64
}

func newIDTable(slots int) idTable {
	s := 16
	for s < slots {
		s <<= 1
	}
	return idTable{slots: make([]idSlot, s)}
}

// find returns the slot of k and whether k is there; when it is not, the
// slot is where insert must put it.
func (t *idTable) find(k key2) (int, bool) {
	mask := uint64(len(t.slots) - 1)
	i := k.hash() & mask
	for {
		s := &t.slots[i]
		if s.k == k {
			return int(i), true
		}
		if s.k == (key2{}) {
			return int(i), false
		}
		i = (i + 1) & mask
	}
}

// insert stores k, with a zero count, at the slot find returned, and
// reports whether the table grew (moving every slot).
func (t *idTable) insert(slot int, k key2) bool {
	t.slots[slot] = idSlot{k: k}
	t.n++
	if 4*t.n > 3*len(t.slots) {
		t.grow()
		return true
	}
	return false
}

func (t *idTable) grow() {
	old := t.slots
	t.slots = make([]idSlot, 2*len(old))
	mask := uint64(len(t.slots) - 1)
	for _, s := range old {
		if s.k == (key2{}) {
			continue
		}
		i := s.k.hash() & mask
		for t.slots[i].k != (key2{}) {
			i = (i + 1) & mask
		}
		t.slots[i] = s
	}
}

// readCache is a bounded cache of trimming outcomes keyed by the raw read
// sequence: open addressing on a maphash of the bytes, which are kept in
// an arena and compared on a hash match. It never grows: entries are only
// added until it holds max (the frequent reads come early).
type readCache struct {
	slots []cacheSlot
	arena []byte
	seed  maphash.Seed
	n     int
	max   int
}

type cacheSlot struct {
	h   uint64 // 0: empty
	off int32  // read bytes: arena[off : off+len]
	len uint16
	e   cacheEntry
}

func newReadCache(max int) *readCache {
	s := 1 << 6
	for s < 2*max {
		s <<= 1
	}
	return &readCache{slots: make([]cacheSlot, s), seed: maphash.MakeSeed(), max: max}
}

// lookup returns the entry of read and true; or false, the read's hash,
// and the slot where put would store it (-1 when the cache is full).
func (c *readCache) lookup(read []byte) (e cacheEntry, hit bool, h uint64, slot int) {
	h = maphash.Bytes(c.seed, read) | 1
	mask := uint64(len(c.slots) - 1)
	i := h & mask
	for {
		s := &c.slots[i]
		if s.h == h && int(s.len) == len(read) && string(c.arena[s.off:int(s.off)+len(read)]) == string(read) {
			return s.e, true, h, int(i)
		}
		if s.h == 0 {
			if c.n >= c.max {
				return cacheEntry{}, false, h, -1
			}
			return cacheEntry{}, false, h, int(i)
		}
		i = (i + 1) & mask
	}
}

// full reports whether the cache takes no more entries.
func (c *readCache) full() bool { return c.n >= c.max }

// reset empties the cache.
func (c *readCache) reset() {
	clear(c.slots)
	c.arena = c.arena[:0]
	c.n = 0
}

// put stores read's entry at the slot lookup returned. read must be at
// most 0xffff bytes.
func (c *readCache) put(slot int, h uint64, read []byte, e cacheEntry) {
	c.slots[slot] = cacheSlot{h: h, off: int32(len(c.arena)), len: uint16(len(read)), e: e}
	c.arena = append(c.arena, read...)
	c.n++
}

// codeLetter is codeBases for every 3-bit value (6 and 7 never occur).
var codeLetter = [8]byte{'.', 'A', 'C', 'G', 'N', 'T', '.', '.'}

// unpack4 maps 12 bits (four packed bases) to their letters, first base
// in the lowest byte.
var unpack4 = func() (t [1 << 12]uint32) {
	for x := range t {
		var v uint32
		for j := 0; j < 4; j++ {
			v |= uint32(codeLetter[x>>(9-3*j)&7]) << (8 * j)
		}
		t[x] = v
	}
	return t
}()

// unpackKey writes the bases of k into dst, which must be seqLen(k)
// long: four bases per table lookup.
func unpackKey(dst []byte, k key2) {
	var tmp [2*basesPerWord + 6]byte
	for i, w := range k {
		o := i * basesPerWord
		// Bases 0–19 of the word in five groups of four, then base 20.
		for g := 0; g < 5; g++ {
			binary.LittleEndian.PutUint32(tmp[o+4*g:], unpack4[w>>(51-12*uint(g))&0xfff])
		}
		tmp[o+20] = codeLetter[w&7]
	}
	copy(dst, tmp[:len(dst)])
}
