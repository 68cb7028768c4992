package seq

// keyByte returns byte d of k read as a 128-bit big-endian number (d = 0
// is the most significant), so that ordering keys byte by byte orders
// them as less2 does.
func keyByte(k key2, d int) byte {
	return byte(k[d>>3] >> (56 - 8*uint(d&7)))
}

// radixMin is the part size below which sortKeys uses insertion sort.
const radixMin = 32

// sortKeys sorts a by key (less2; records with equal keys stay adjacent,
// in no particular order), given that their bytes before d are all equal.
// It is a most-significant-byte radix sort: each level counts the byte d
// values, scatters into tmp (as long as a) and copies back, then sorts
// each bucket on the next byte. Inserts differ early (a miRNA's variants
// at their first error), so few levels are needed, each a linear pass,
// instead of a comparison sort's log n passes of unpredictable branches.
func sortKeys(a, tmp []collapsed, d int) {
	for len(a) > radixMin && d < 16 {
		var cnt [256]int
		for i := range a {
			cnt[keyByte(a[i].k, d)]++
		}
		if cnt[keyByte(a[0].k, d)] == len(a) {
			d++ // one value: on to the next byte
			continue
		}
		var next [256]int
		s := 0
		for b, n := range cnt {
			next[b] = s
			s += n
		}
		for i := range a {
			b := keyByte(a[i].k, d)
			tmp[next[b]] = a[i]
			next[b]++
		}
		copy(a, tmp)
		s = 0
		for _, n := range cnt {
			if n > 1 {
				sortKeys(a[s:s+n], tmp[s:s+n], d+1)
			}
			s += n
		}
		return
	}
	for i := 1; i < len(a); i++ {
		r := a[i]
		j := i
		for ; j > 0 && less2(r.k, a[j-1].k) < 0; j-- {
			a[j] = a[j-1]
		}
		a[j] = r
	}
}
