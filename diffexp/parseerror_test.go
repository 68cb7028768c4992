package diffexp

import (
	"errors"
	"testing"
)

// TestParseErrorShape: messages follow docs/conventions.md,
// "file:line: detail", and "file: detail" for the whole file.
func TestParseErrorShape(t *testing.T) {
	bad := errors.New("bad")
	for _, tc := range []struct {
		e    *ParseError
		want string
	}{
		{&ParseError{File: "c.tsv", Line: 3, Err: bad}, "c.tsv:3: bad"},
		{&ParseError{File: "c.tsv", Err: bad}, "c.tsv: bad"},
		{&ParseError{Line: 2, Err: bad}, "<input>:2: bad"},
	} {
		if got := tc.e.Error(); got != tc.want {
			t.Errorf("Error() = %q, want %q", got, tc.want)
		}
		if !errors.Is(tc.e, bad) {
			t.Errorf("%v does not wrap its cause", tc.e)
		}
	}
}
