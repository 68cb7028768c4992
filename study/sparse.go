package study

import "encoding/binary"

// sparse holds a count vector by its non-zero entries, varint-encoded as
// (gap to the previous non-zero position, count) pairs: a sample of a
// cohort keeps its counts this way, in a few bytes per detected miRNA.
type sparse struct {
	n    int    // length of the dense vector
	data []byte // uvarint gap, uvarint count, …
}

func toSparse(dense []int64) sparse {
	var buf []byte
	prev := -1
	for i, v := range dense {
		if v != 0 {
			buf = binary.AppendUvarint(buf, uint64(i-prev))
			buf = binary.AppendUvarint(buf, uint64(v))
			prev = i
		}
	}
	return sparse{n: len(dense), data: append([]byte(nil), buf...)} // exact size
}

// each calls f with the position and count of every non-zero entry, in
// increasing position.
func (s sparse) each(f func(i int, v int64)) {
	c := cursor{s: s, next: -1}
	for c.advance() {
		f(c.next, c.v)
	}
}

// dense returns the full vector.
func (s sparse) dense() []int64 {
	out := make([]int64, s.n)
	s.each(func(i int, v int64) { out[i] = v })
	return out
}

// cursor walks s in increasing position: at(i) for i = 0, 1, … returns
// the count at i.
type cursor struct {
	s    sparse
	pos  int   // bytes of s.data decoded
	next int   // position of the current non-zero entry (-1 before the first)
	v    int64 // its count
	done bool
}

func newCursor(s sparse) cursor { return cursor{s: s, next: -1} }

// advance decodes the next non-zero entry; false at the end.
func (c *cursor) advance() bool {
	if c.pos >= len(c.s.data) {
		c.done = true
		return false
	}
	gap, n := binary.Uvarint(c.s.data[c.pos:])
	v, m := binary.Uvarint(c.s.data[c.pos+n:])
	c.pos += n + m
	c.next += int(gap)
	c.v = int64(v)
	return true
}

func (c *cursor) at(i int) int64 {
	for !c.done && c.next < i {
		c.advance()
	}
	if !c.done && c.next == i {
		return c.v
	}
	return 0
}
