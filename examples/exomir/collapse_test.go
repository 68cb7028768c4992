package main

import (
	"bytes"
	"compress/gzip"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestCollapseCommand(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join("..", "..", "testdata", "fastq", "mirtrace_sample1_truseq.fq.gz")
	prefix := filepath.Join(dir, "s1")
	var stdout, stderr bytes.Buffer
	if code := runMain([]string{"collapse", "-in", in, "-out", prefix}, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	summary, err := os.ReadFile(prefix + ".summary.tsv")
	if err != nil {
		t.Fatal(err)
	}
	rows := map[string]string{}
	for _, l := range strings.Split(strings.TrimSpace(string(summary)), "\n") {
		f := strings.Split(l, "\t")
		if len(f) != 2 {
			t.Fatalf("summary row %q has %d columns", l, len(f))
		}
		rows[f[0]] = f[1]
	}
	for k, v := range map[string]string{"input_reads": "2000", "adapter": "TGGAATTCTCGGGTGCCAAGG", "adapter_source": "detected", "protocol": "truseq"} {
		if rows[k] != v {
			t.Errorf("summary %s = %q, want %q", k, rows[k], v)
		}
	}
	for _, k := range []string{"reads_passed", "reads_no_adapter", "reads_too_short", "adapter_confidence"} {
		if _, ok := rows[k]; !ok {
			t.Errorf("summary lacks %s", k)
		}
	}
	fa, err := os.ReadFile(prefix + ".collapsed.fa")
	if err != nil || !strings.HasPrefix(string(fa), ">seq_1_x") {
		t.Fatalf("collapsed FASTA: %v %.40q", err, fa)
	}
	lengths, err := os.ReadFile(prefix + ".lengths.tsv")
	if err != nil || !strings.HasPrefix(string(lengths), "length\traw\tinsert\n") {
		t.Fatalf("lengths: %v %.40q", err, lengths)
	}
}

// TestCollapseCommandErrors checks that bad input fails with the file and
// line in the message, a non-zero exit, and no output left behind.
func TestCollapseCommandErrors(t *testing.T) {
	dir := t.TempDir()
	good := "@r1\nTAGCTTATCAGACTGATGTTGATGGAATTCTCGG\n+\nIIIIIIIIIIIIIIIIIIIIIIIIIIIIIIIIII\n"
	var z bytes.Buffer
	zw := gzip.NewWriter(&z)
	zw.Write([]byte(strings.Repeat(good, 5000)))
	zw.Close()
	files := map[string][]byte{
		"trunc.fq.gz":  z.Bytes()[:z.Len()/2],
		"noplus.fq":    []byte(good + "@r2\nACGT\nIIII\n"),
		"mismatch.fq":  []byte(good + "@r2\nACGT\n+\nIII\n"),
		"empty.fq":     nil,
		"garbage.bin":  {0, 1, 2, 3, 0xff, '\n'},
		"truncated.fq": []byte(good + "@r2\nACGT\n"),
	}
	wantLine := map[string]string{
		"noplus.fq": ":7:", "mismatch.fq": ":8:", "garbage.bin": ":1:", "truncated.fq": ":6:",
	}
	for name, data := range files {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		out := filepath.Join(dir, "out", name)
		os.MkdirAll(filepath.Dir(out), 0o755)
		var stdout, stderr bytes.Buffer
		code := runMain([]string{"collapse", "-in", path, "-out", out, "-protocol", "truseq"}, &stdout, &stderr)
		if code == 0 {
			t.Errorf("%s: exit 0", name)
		}
		msg := stderr.String()
		if !strings.Contains(msg, path) || !strings.Contains(msg, wantLine[name]) {
			t.Errorf("%s: message %q lacks file and line %s", name, msg, wantLine[name])
		}
		left, _ := os.ReadDir(filepath.Dir(out))
		if len(left) != 0 {
			t.Errorf("%s: output left behind: %v", name, left)
		}
		os.RemoveAll(filepath.Dir(out))
	}
	// Usage errors and help.
	var stdout, stderr bytes.Buffer
	if code := runMain([]string{"collapse", "-in", "x"}, &stdout, &stderr); code != 2 {
		t.Errorf("missing -out: exit %d", code)
	}
	stderr.Reset()
	if code := runMain([]string{"collapse", "-h"}, &stdout, &stderr); code != 0 {
		t.Errorf("-h: exit %d", code)
	}
	for _, f := range []string{"-in", "-out", "-protocol", "-adapter", "-min-len", "-max-len", "-threads", "-max-n", "-min-qual"} {
		if !strings.Contains(stderr.String(), f) {
			t.Errorf("-h does not explain %s", f)
		}
	}
	stderr.Reset()
	if code := runMain([]string{"collapse", "-in", "x", "-out", filepath.Join(dir, "y"), "-protocol", "bogus"}, &stdout, &stderr); code != 1 || !strings.Contains(stderr.String(), "truseq") {
		t.Errorf("unknown protocol: exit %d, %q", code, stderr.String())
	}
}

func TestCollapseCommandStdin(t *testing.T) {
	f, err := os.Open(filepath.Join("..", "..", "testdata", "fastq", "excerpt_v1.fq.gz"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	old := os.Stdin
	os.Stdin = f
	defer func() { os.Stdin = old }()
	prefix := filepath.Join(t.TempDir(), "stdin")
	var stdout, stderr bytes.Buffer
	if code := runMain([]string{"collapse", "-in", "-", "-out", prefix}, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	summary, err := os.ReadFile(prefix + ".summary.tsv")
	if err != nil {
		t.Fatal(err)
	}
	for _, row := range []string{"input_reads\t1000\n", "adapter\tTCGTATGCCGTCTTCTGCTTG\n", "protocol\tv1\n"} {
		if !strings.Contains(string(summary), row) {
			t.Errorf("summary lacks %q", row)
		}
	}
}
