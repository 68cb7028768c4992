package diffexp

import (
	"errors"
	"strings"
	"testing"
)

// TestParseEnums: every value parses back from its String (in any case),
// "" is the default, and an unknown name is an ErrOption error that names
// the valid values.
func TestParseEnums(t *testing.T) {
	type enum struct {
		name  string
		parse func(string) (string, error)
		valid []string
	}
	enums := []enum{
		{"test", func(s string) (string, error) { v, err := ParseTest(s); return v.String(), err },
			[]string{TestWald.String(), TestLRT.String(), TestQLF.String(), TestExact.String()}},
		{"size factor type", func(s string) (string, error) { v, err := ParseSizeFactorType(s); return v.String(), err },
			[]string{SizeFactorsRatio.String(), SizeFactorsPoscounts.String()}},
		{"fit type", func(s string) (string, error) { v, err := ParseFitType(s); return v.String(), err },
			[]string{FitParametric.String(), FitLocal.String(), FitMean.String()}},
		{"method", func(s string) (string, error) { v, err := ParseMethod(s); return v.String(), err },
			[]string{MethodDESeq2.String(), MethodEdgeR.String(), MethodEdgeRQL.String()}},
	}
	for _, e := range enums {
		for _, v := range e.valid {
			for _, s := range []string{v, strings.ToUpper(v)} {
				if got, err := e.parse(s); err != nil || got != v {
					t.Errorf("%s %q: got %q, %v; want %q", e.name, s, got, err, v)
				}
			}
		}
		if got, err := e.parse(""); err != nil || got != "" {
			t.Errorf("%s \"\": got %q, %v; want the default \"\"", e.name, got, err)
		}
		_, err := e.parse("bogus")
		if !errors.Is(err, ErrOption) || !strings.Contains(err.Error(), `"bogus"`) || !strings.Contains(err.Error(), strings.Join(e.valid, ", ")) {
			t.Errorf("%s \"bogus\": error %v; want ErrOption naming %s", e.name, err, strings.Join(e.valid, ", "))
		}
	}
	if m, err := ParseMethod("DESeq"); err != nil || m != MethodDESeq2 {
		t.Errorf("method DESeq: %q, %v; want deseq2", m, err)
	}
}
