package diffexp

import (
	"fmt"
	"slices"
)

// DefaultContrast returns the levels compared when the user names no
// contrast: "tumor" (numerator) vs "control" (denominator) when both are
// among levels; otherwise DESeq2's rule, the last level vs the first in
// sorted order (DESeq2 makes the first sorted level the reference and
// results() reports the last coefficient). Levels are sorted bytewise, as
// the design sorts them; R sorts by locale, which differs only for names
// mixing upper and lower case. levels may repeat and be in any order. With
// fewer than two distinct levels it returns an error wrapping ErrContrast.
//
// exomir's de and run commands, and so the Snakemake workflow that calls
// de, all use this rule.
func DefaultContrast(levels []string) (numerator, denominator string, err error) {
	distinct := uniqueSorted(levels)
	if len(distinct) < 2 {
		return "", "", fmt.Errorf("%w: %d distinct level(s) %q; a contrast needs two", ErrContrast, len(distinct), distinct)
	}
	if slices.Contains(distinct, "tumor") && slices.Contains(distinct, "control") {
		return "tumor", "control", nil
	}
	return distinct[len(distinct)-1], distinct[0], nil
}
