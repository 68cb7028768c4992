package quant

import (
	"errors"
	"strings"
	"testing"
)

func TestCheckSampleName(t *testing.T) {
	for _, ok := range []string{"s1", "tumor_1", "A", "_x", "S1.rep-2+b", strings.Repeat("a", 200)} {
		if err := CheckSampleName(ok); err != nil {
			t.Errorf("CheckSampleName(%q) = %v, want nil", ok, err)
		}
	}
	// Names that escaped the output folder, hid files or looked like
	// options, and characters that break the outputs' formats.
	for _, bad := range []string{"", ".", "..", "../x", "a/b", "-rf", ".hidden", "a,b", "a b", "a\tb",
		"a\nb", "a;b", "a\\b", "é", strings.Repeat("a", 201)} {
		if err := CheckSampleName(bad); !errors.Is(err, ErrSampleName) {
			t.Errorf("CheckSampleName(%q) = %v, want ErrSampleName", bad, err)
		}
	}
}
