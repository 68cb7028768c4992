package quant

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/exomir/exomir/seq"
)

// TestWriteOutputsParallel: the files written at once are the bytes each
// writer gives alone, and a failing writer fails the whole set (its error
// and file named) while the previous set of the sample stays as it was.
func TestWriteOutputsParallel(t *testing.T) {
	ref := embeddedHsa(t)
	l, hp := locusOf(t, ref, "hsa-miR-21-5p", "hsa-mir-21")
	ins := []seq.Insert{{Seq: string(hp[l.Start:l.End]), Reads: 9}, {Seq: "ACGTTGCAACGTTGCAACGTTG", Reads: 2}}
	s, err := Quantify(context.Background(), ref, "s", ins, []Stat{{"input_reads", "11"}, {"reads_passed", "11"}}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	extra := []OutputFile{{Name: "s.extra.txt", Write: func(w io.Writer) error { _, err := io.WriteString(w, "extra\n"); return err }}}
	if err := WriteOutputs(dir, s, GFFOptions{}, extra...); err != nil {
		t.Fatal(err)
	}
	for _, f := range append(outputFiles(s, GFFOptions{}), extra...) {
		var want strings.Builder
		if err := f.Write(&want); err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(filepath.Join(dir, f.Name))
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != want.String() {
			t.Errorf("%s differs from its writer's output", f.Name)
		}
	}
	before, _ := os.ReadFile(filepath.Join(dir, "s.mirna_counts.tsv"))
	boom := errors.New("boom")
	s.Mature[0]++ // a changed count that must not be published
	bad := []OutputFile{{Name: "s.bad.txt", Write: func(w io.Writer) error { return boom }}}
	err = WriteOutputs(dir, s, GFFOptions{}, bad...)
	if !errors.Is(err, boom) || !strings.Contains(err.Error(), "s.bad.txt") {
		t.Fatalf("err = %v, want boom naming s.bad.txt", err)
	}
	after, _ := os.ReadFile(filepath.Join(dir, "s.mirna_counts.tsv"))
	if string(after) != string(before) {
		t.Error("a failed set replaced the previous mirna_counts")
	}
	if _, err := os.Stat(filepath.Join(dir, "s.bad.txt")); err == nil {
		t.Error("the failed file was published")
	}
	if _, err := os.Stat(filepath.Join(dir, "s.extra.txt")); err != nil {
		t.Error("the previous set lost a file")
	}
}
