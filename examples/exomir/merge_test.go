package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestMergeCommand(t *testing.T) {
	dir := t.TempDir()
	in := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	a := in("A.mirna_counts.tsv", "mirna\tcount\nm1\t1\nm2\t2\n")
	b := in("B.mirna_counts.tsv", "mirna\tcount\nm2\t20\nm1\t10\n")
	h := in("A.hairpin_counts.tsv", "hairpin\tcount\nh1\t3\n")
	want := "mirna\tA\tB\nm1\t1\t10\nm2\t2\t20\n"
	for _, tc := range []struct {
		name, out, file string
		inputs          []string
		want            string
	}{
		{"dir with slash", filepath.Join(dir, "new") + "/", filepath.Join(dir, "new", "mirna_counts.tsv"), []string{a, b}, want},
		{"existing dir", dir, filepath.Join(dir, "mirna_counts.tsv"), []string{a, b}, want},
		{"file", filepath.Join(dir, "matrix.tsv"), filepath.Join(dir, "matrix.tsv"), []string{a, b}, want},
		{"hairpin dir", filepath.Join(dir, "hp") + "/", filepath.Join(dir, "hp", "hairpin_counts.tsv"), []string{h}, "hairpin\tA\nh1\t3\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			args := append([]string{"merge", "-out", tc.out}, tc.inputs...)
			if code := runMain(args, &stdout, &stderr); code != 0 {
				t.Fatalf("exit %d: %s", code, stderr.String())
			}
			got, err := os.ReadFile(tc.file)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
	var stdout, stderr bytes.Buffer
	if code := runMain([]string{"merge", "-out", "-", a, b}, &stdout, &stderr); code != 0 || stdout.String() != want {
		t.Errorf("stdout: exit %d, got %q (%s)", code, stdout.String(), stderr.String())
	}
	// Bad input: a clear error naming the problem, exit code 1, no output file.
	c := in("C.mirna_counts.tsv", "m1\t1\nm2\tx2\n")
	stderr.Reset()
	out := filepath.Join(dir, "bad.tsv")
	if code := runMain([]string{"merge", "-out", out, a, c}, &stdout, &stderr); code != 1 {
		t.Errorf("bad count: exit %d, want 1", code)
	}
	if !strings.Contains(stderr.String(), "C.mirna_counts.tsv:2") {
		t.Errorf("error does not locate the bad count: %s", stderr.String())
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("output written despite error")
	}
	if code := runMain([]string{"merge", a}, &stdout, &stderr); code != 2 {
		t.Errorf("missing -out: exit %d, want 2", code)
	}
}
