package study

// sparse holds a count vector by its non-zero entries: a sample of a
// cohort keeps its counts this way, most miRNAs of a sample being zero.
type sparse struct {
	n   int     // length of the dense vector
	idx []int32 // positions of the non-zero counts, increasing
	val []int64
}

func toSparse(dense []int64) sparse {
	s := sparse{n: len(dense)}
	nz := 0
	for _, v := range dense {
		if v != 0 {
			nz++
		}
	}
	s.idx, s.val = make([]int32, 0, nz), make([]int64, 0, nz)
	for i, v := range dense {
		if v != 0 {
			s.idx = append(s.idx, int32(i))
			s.val = append(s.val, v)
		}
	}
	return s
}

// dense returns the full vector.
func (s sparse) dense() []int64 {
	out := make([]int64, s.n)
	for k, i := range s.idx {
		out[i] = s.val[k]
	}
	return out
}

// cursor walks s in increasing position: at(i) for i = 0, 1, … returns
// the count at i.
type cursor struct {
	s sparse
	k int
}

func (c *cursor) at(i int) int64 {
	for c.k < len(c.s.idx) && int(c.s.idx[c.k]) < i {
		c.k++
	}
	if c.k < len(c.s.idx) && int(c.s.idx[c.k]) == i {
		return c.s.val[c.k]
	}
	return 0
}
