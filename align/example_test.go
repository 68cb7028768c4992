package align_test

import (
	"fmt"

	"github.com/exomir/exomir/align"
)

func Example() {
	refs := []align.Ref{
		{Name: "hsa-mir-21", Seq: []byte("TGTCGGGTAGCTTATCAGACTGATGTTGACTGTTGAATCTCATGGCAACACCAGTCGATGGGCTGTC")},
	}
	ix, err := align.NewIndex(refs, align.DefaultOptions())
	if err != nil {
		fmt.Println(err)
		return
	}
	// miR-21-5p with one untemplated A, then with a substitution at read position 3.
	for _, read := range []string{"TAGCTTATCAGACTGATGTTGAA", "TAGGTTATCAGACTGATGTTGA"} {
		for _, h := range ix.Align([]byte(read), nil) {
			fmt.Printf("%s pos=%d len=%d tail=%d mismatches=%d at %v\n",
				ix.Refs()[h.Ref].Name, h.Pos, h.Len, h.Tail, h.Mismatches, h.MM[:h.Mismatches])
		}
	}
	// Output:
	// hsa-mir-21 pos=7 len=22 tail=1 mismatches=0 at []
	// hsa-mir-21 pos=7 len=22 tail=0 mismatches=1 at [3]
}
