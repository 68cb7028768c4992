// Package trnadesc reads the tRNA coordinates that exomir's small-RNA
// annotation writes in FASTA descriptions, for quant (tRF typing) and
// simulate (tRF shapes) alike.
package trnadesc

import (
	"strconv"
	"strings"
)

// Parse reads "anticodon=a-b" (1-based, on a mature tRNA) and "body=i-j"
// (1-based, the mature body on a pre-tRNA) from the FASTA description desc
// of a record of n bases. It returns the anticodon's first base and the
// body as [bodyStart, bodyEnd), 0-based; each is -1 when absent or not a
// range within the record. Other fields are ignored; a repeated key keeps
// its last valid value.
func Parse(desc string, n int) (anticodon, bodyStart, bodyEnd int) {
	anticodon, bodyStart, bodyEnd = -1, -1, -1
	for _, f := range strings.Fields(desc) {
		key, val, ok := strings.Cut(f, "=")
		if !ok {
			continue
		}
		a, b, ok := strings.Cut(val, "-")
		if !ok {
			continue
		}
		x, err1 := strconv.Atoi(a)
		y, err2 := strconv.Atoi(b)
		if err1 != nil || err2 != nil || x < 1 || y < x || y > n {
			continue
		}
		switch key {
		case "anticodon":
			anticodon = x - 1
		case "body":
			bodyStart, bodyEnd = x-1, y
		}
	}
	return anticodon, bodyStart, bodyEnd
}
