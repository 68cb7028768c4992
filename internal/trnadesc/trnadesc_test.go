package trnadesc

import "testing"

func TestParse(t *testing.T) {
	for _, c := range []struct {
		desc          string
		n             int
		ac, bs, bodyE int
	}{
		{"tRNA-Gly-GCC-1-1 anticodon=34-36", 72, 33, -1, -1},
		{"body=11-82 x=1-2", 100, -1, 10, 82},
		{"anticodon=34-36 body=11-82", 100, 33, 10, 82},
		{"", 50, -1, -1, -1},
		{"anticodon=0-3 body=5-4", 50, -1, -1, -1},    // not 1-based, reversed
		{"anticodon=34-51 body=1-51", 50, -1, -1, -1}, // past the record
		{"anticodon=a-b body anticodon 34-36", 50, -1, -1, -1},
		{"anticodon=3-5 anticodon=7-9", 50, 6, -1, -1},
	} {
		ac, bs, be := Parse(c.desc, c.n)
		if ac != c.ac || bs != c.bs || be != c.bodyE {
			t.Errorf("Parse(%q, %d) = %d, %d, %d; want %d, %d, %d", c.desc, c.n, ac, bs, be, c.ac, c.bs, c.bodyE)
		}
	}
}
