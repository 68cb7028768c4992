package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func write(t *testing.T, dir, name, text string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestReconcileAndL1(t *testing.T) {
	dir := t.TempDir()
	matrix := write(t, dir, "m.tsv", "mirna\ts1\ts2\nm1\t10\t5\nm2\t0\t3\n")
	good := write(t, dir, "good.tsv", "uid\tread\tmirna\tvariant\ts1\ts2\nu1\tAC\tm1\tNA\t7\t5\nu2\tAG\tm1\tx\t3\t0\nu3\tAT\tm2\tNA\t0\t3\n")
	bad := write(t, dir, "bad.tsv", "uid\tread\tmirna\tvariant\ts1\ts2\nu1\tAC\tm1\tNA\t7\t5\nu3\tAT\tm2\tNA\t0\t4\n")
	var out bytes.Buffer
	if err := run([]string{"reconcile", "-matrix", matrix, good}, &out); err != nil {
		t.Fatalf("%v: %s", err, out.String())
	}
	if !strings.Contains(out.String(), "differing=0\tmax_abs_diff=0\tmatrix_total=18\ttable_total=18") {
		t.Errorf("reconcile: %s", out.String())
	}
	out.Reset()
	if err := run([]string{"reconcile", "-matrix", matrix, bad}, &out); err == nil || !strings.Contains(out.String(), "differing=2\tmax_abs_diff=3") {
		t.Errorf("bad table: err %v, %s", err, out.String())
	}
	// truth: (m1, AC) 8 and 60; (m1, AG) 60 and 1 → cells ≥ 50: AC/s2 (60 vs 5), AG/s1 (60 vs 3).
	truth := write(t, dir, "t.tsv", "mirna\tfeature\tread\ts1\ts2\nm1\tm1\tAC\t8\t60\nm1\tm1\tAG\t60\t1\n")
	out.Reset()
	if err := run([]string{"l1", "-truth", truth, "-min", "50", good}, &out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "L1=0.9333\t(93.33%)\tabs_err=112\ttruth=120\tcells=2\tisomirs=2") {
		t.Errorf("l1: %s", out.String())
	}
}
