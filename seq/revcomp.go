package seq

// ReverseComplement reverse-complements the DNA s in place: A↔T, C↔G,
// any other byte (lower case included) becomes N.
func ReverseComplement(s []byte) {
	for i, j := 0, len(s)-1; i <= j; i, j = i+1, j-1 {
		s[i], s[j] = complementBase(s[j]), complementBase(s[i])
	}
}

func complementBase(c byte) byte {
	switch c {
	case 'A':
		return 'T'
	case 'C':
		return 'G'
	case 'G':
		return 'C'
	case 'T':
		return 'A'
	}
	return 'N'
}
