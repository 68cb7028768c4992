package quant

import (
	"errors"
	"fmt"
)

// ErrSampleName is returned (wrapped) by CheckSampleName.
var ErrSampleName = errors.New("quant: invalid sample name")

// maxSampleName bounds a sample name's length (it becomes part of file
// names, which most file systems cap at 255 bytes).
const maxSampleName = 200

// CheckSampleName reports whether name can name a sample. A sample name
// becomes a file name (NAME.mirna_counts.tsv), a column of every matrix
// and an entry of mirGFF3's comma-separated COLDATA, so it is 1–200
// characters from A–Z, a–z, 0–9 and "_.+-", starting with a letter, digit
// or "_": no path separators, no "." or "..", no hidden files, nothing a
// shell would take for an option ("-rf").
func CheckSampleName(name string) error {
	if name == "" {
		return fmt.Errorf("%w: empty", ErrSampleName)
	}
	if len(name) > maxSampleName {
		return fmt.Errorf("%w: %q is longer than %d characters", ErrSampleName, name[:20]+"…", maxSampleName)
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		ok := c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_'
		if i > 0 {
			ok = ok || c == '.' || c == '+' || c == '-'
		}
		if !ok {
			if i == 0 {
				return fmt.Errorf("%w: %q must start with a letter, digit or _", ErrSampleName, name)
			}
			return fmt.Errorf("%w: %q has %q at position %d (allowed: letters, digits, _ . + -)", ErrSampleName, name, c, i+1)
		}
	}
	return nil
}
