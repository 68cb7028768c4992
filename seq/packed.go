package seq

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

// key4 holds up to 84 bases: raw reads of the usual 50–76 cycles.
type key4 [4]uint64

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

// pack4 packs a non-empty sequence of at most 84 bases.
func pack4(b []byte) (k key4, ok bool) {
	if len(b) == 0 || len(b) > 4*basesPerWord {
		return k, false
	}
	ok = true
	for i := range k {
		lo := min(i*basesPerWord, len(b))
		hi := min(lo+basesPerWord, len(b))
		var o bool
		k[i], o = packWord(b[lo:hi])
		ok = ok && o
	}
	return k, ok
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

func (k key4) hash() uint64 {
	return mix((k[0]*0x9e3779b97f4a7c15^k[1])*0xc2b2ae3d27d4eb4f ^ k[2]*0x165667b19e3779f9 ^ k[3])
}

// idTable maps key2 to int32 ids by open addressing (linear probing); the
// zero key marks an empty slot (pack2 never returns it). Key and id share
// a slot: a lookup touches one cache line.
type idTable struct {
	slots []idSlot
	n     int
}

type idSlot struct {
	k  key2
	id int32
}

func newIDTable(slots int) idTable {
	s := 1 << 10
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

// insert stores k with id at the slot find returned.
func (t *idTable) insert(slot int, k key2, id int32) {
	t.slots[slot] = idSlot{k, id}
	t.n++
	if 4*t.n > 3*len(t.slots) {
		t.grow()
	}
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

// readCache is a bounded cache of trimming outcomes keyed by the packed raw
// read; it never grows (entries are only added until it holds max).
type readCache struct {
	keys []key4
	vals []cacheEntry
	n    int
	max  int
}

func newReadCache(max int) *readCache {
	s := 1 << 6
	for s < 2*max {
		s <<= 1
	}
	return &readCache{keys: make([]key4, s), vals: make([]cacheEntry, s), max: max}
}

// lookup returns the entry of k and true, or false and the slot where it
// would go (-1 when the cache is full).
func (c *readCache) lookup(k key4) (cacheEntry, bool, int) {
	mask := uint64(len(c.keys) - 1)
	i := k.hash() & mask
	for {
		s := c.keys[i]
		if s == k {
			return c.vals[i], true, int(i)
		}
		if s == (key4{}) {
			if c.n >= c.max {
				return cacheEntry{}, false, -1
			}
			return cacheEntry{}, false, int(i)
		}
		i = (i + 1) & mask
	}
}

func (c *readCache) put(slot int, k key4, e cacheEntry) {
	c.keys[slot], c.vals[slot] = k, e
	c.n++
}
