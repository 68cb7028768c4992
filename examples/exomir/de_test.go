package main

import (
	"bytes"
	"compress/gzip"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// deFixture writes a small count matrix and coldata into dir and returns
// their paths. The counts are arbitrary small integers (6 miRNAs × 6
// samples); row "zero" is all zero.
func deFixture(t *testing.T, dir, counts, coldata string) (string, string) {
	t.Helper()
	cp := filepath.Join(dir, "counts.tsv")
	dp := filepath.Join(dir, "coldata.tsv")
	if err := os.WriteFile(cp, []byte(counts), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dp, []byte(coldata), 0o644); err != nil {
		t.Fatal(err)
	}
	return cp, dp
}

const deCounts = "mirna\tc1\tc2\tc3\tt1\tt2\tt3\n" +
	"mir-a\t10\t25\t5\t200\t300\t250\n" +
	"mir-b\t100\t60\t150\t80\t140\t99\n" +
	"mir-c\t500\t900\t400\t20\t10\t30\n" +
	"mir-d\t7\t1\t12\t2\t9\t4\n" +
	"mir-e\t300\t180\t450\t250\t400\t200\n" +
	"zero\t0\t0\t0\t0\t0\t0\n"

const deColdata = "sample\tcondition\tbatch\n" +
	"t3\ttumor\tB\nc1\tcontrol\tA\nc2\tcontrol\tB\nc3\tcontrol\tA\nt1\ttumor\tB\nt2\ttumor\tA\n"

func TestDECommand(t *testing.T) {
	for _, method := range []string{"deseq2", "edger"} {
		t.Run(method, func(t *testing.T) {
			dir := t.TempDir()
			cp, dp := deFixture(t, dir, deCounts, deColdata)
			out := filepath.Join(dir, "de.tsv")
			roc := filepath.Join(dir, "roc.tsv")
			var so, se bytes.Buffer
			code := runMain([]string{"de", "-counts", cp, "-coldata", dp, "-method", method,
				"-contrast", "condition,tumor,control", "-roc", roc, "-out", out}, &so, &se)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, se.String())
			}
			b, err := os.ReadFile(out)
			if err != nil {
				t.Fatal(err)
			}
			lines := strings.Split(strings.TrimSpace(string(b)), "\n")
			if lines[0] != "mirna\tbaseMean\tlog2FoldChange\tlfcSE\tstat\tpvalue\tpadj" || len(lines) != 7 {
				t.Fatalf("de.tsv:\n%s", b)
			}
			for i, want := range []string{"mir-a", "mir-b", "mir-c", "mir-d", "mir-e", "zero"} {
				f := strings.Split(lines[i+1], "\t")
				if f[0] != want || len(f) != 7 {
					t.Errorf("row %d: %q", i+1, lines[i+1])
				}
			}
			// mir-a is up and mir-c down in tumor
			if f := strings.Split(lines[1], "\t"); strings.HasPrefix(f[2], "-") {
				t.Errorf("mir-a log2FC %s not positive", f[2])
			}
			if f := strings.Split(lines[3], "\t"); !strings.HasPrefix(f[2], "-") {
				t.Errorf("mir-c log2FC %s not negative", f[2])
			}
			rb, err := os.ReadFile(roc)
			if err != nil {
				t.Fatal(err)
			}
			rl := strings.Split(strings.TrimSpace(string(rb)), "\n")
			// mir-a: every tumor above every control → AUC 1, up
			if len(rl) != 7 || rl[0] != "mirna\tauc\tlower\tupper\tdirection" || rl[1] != "mir-a\t1\t1\t1\tup" || !strings.HasSuffix(rl[3], "\tdown") {
				t.Errorf("roc.tsv:\n%s", rb)
			}
		})
	}
}

func TestDECommandGzipStdout(t *testing.T) {
	dir := t.TempDir()
	_, dp := deFixture(t, dir, deCounts, deColdata)
	gz := filepath.Join(dir, "counts.tsv.gz")
	var zb bytes.Buffer
	zw := gzip.NewWriter(&zb)
	zw.Write([]byte(deCounts))
	zw.Close()
	if err := os.WriteFile(gz, zb.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	var so, se bytes.Buffer
	if code := runMain([]string{"de", "-method", "edger", "-counts", gz, "-coldata", dp, "-out", "-"}, &so, &se); code != 0 {
		t.Fatalf("exit %d: %s", code, se.String())
	}
	if lines := strings.Split(strings.TrimSpace(so.String()), "\n"); len(lines) != 7 || !strings.HasPrefix(lines[1], "mir-a\t") {
		t.Errorf("stdout:\n%s", so.String())
	}
}

// TestDECommandErrors checks exit codes and messages (one success case
// checks that the default contrast follows the design variable).
func TestDECommandErrors(t *testing.T) {
	tests := []struct {
		name     string
		counts   string
		coldata  string
		args     []string
		wantCode int
		wantMsg  []string // substrings of stderr
	}{
		{"sample missing from coldata", deCounts,
			"sample\tcondition\nc1\tcontrol\nc2\tcontrol\nc3\tcontrol\nt1\ttumor\nt2\ttumor\n",
			nil, 1, []string{"sample missing", "t3"}},
		{"sample missing from counts", deCounts, deColdata + "t9\ttumor\tA\n",
			nil, 1, []string{"sample missing", "t9", "counts.tsv"}},
		{"condition level absent", deCounts, deColdata,
			[]string{"-contrast", "condition,tumour,control"}, 1, []string{`"tumour"`, "absent", "control, tumor"}},
		{"contrast variable absent", deCounts, deColdata,
			[]string{"-contrast", "group,tumor,control"}, 1, []string{`"group"`, "not a column"}},
		{"one sample in a group", deCounts,
			"sample\tcondition\nc1\tcontrol\nc2\tcontrol\nc3\tcontrol\nt1\ttumor\nt2\tother\nt3\tother\n",
			[]string{"-contrast", "condition,tumor,control"}, 1, []string{"at least 2", `"tumor"`}},
		{"non-integer count", strings.Replace(deCounts, "\t25\t", "\t25.5\t", 1), deColdata,
			nil, 1, []string{"counts.tsv:2", "25.5"}},
		{"negative count", strings.Replace(deCounts, "\t60\t", "\t-60\t", 1), deColdata,
			nil, 1, []string{"counts.tsv:3", "-60"}},
		{"ragged row", strings.Replace(deCounts, "\t7\t1\t", "\t7\t", 1), deColdata,
			nil, 1, []string{"counts.tsv:5"}},
		{"design not full rank", deCounts,
			"sample\tcondition\tbatch\nc1\tcontrol\tA\nc2\tcontrol\tA\nc3\tcontrol\tA\nt1\ttumor\tB\nt2\ttumor\tB\nt3\ttumor\tB\n",
			[]string{"-design", "~ batch + condition"}, 1, []string{"full rank", "batch", "condition"}},
		{"edger with covariates", deCounts, deColdata,
			[]string{"-method", "edger", "-design", "~ batch + condition"}, 1, []string{"single-factor"}},
		{"edger with lrt", deCounts, deColdata,
			[]string{"-method", "edger", "-test", "lrt"}, 1, []string{"exact test"}},
		{"unknown method", deCounts, deColdata,
			[]string{"-method", "limma"}, 1, []string{"-method", "limma", "deseq2, edger, edger-ql"}},
		{"unknown test", deCounts, deColdata,
			[]string{"-test", "score"}, 1, []string{"-test", "score", "wald, lrt"}},
		{"unknown size factor type", deCounts, deColdata,
			[]string{"-sf-type", "tmm"}, 1, []string{"-sf-type", "tmm", "ratio, poscounts", "spikein"}},
		{"bad contrast syntax", deCounts, deColdata,
			[]string{"-contrast", "condition,tumor"}, 1, []string{"variable,numerator,denominator"}},
		{"edger default contrast on another variable", deCounts,
			"sample\tgroup\nc1\tA\nc2\tA\nc3\tA\nt1\tB\nt2\tB\nt3\tB\n",
			[]string{"-method", "edger", "-design", "~ group", "-out", "-"}, 0, nil},
		{"missing -out", deCounts, deColdata, []string{"-out", ""}, 2, []string{"missing -out"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			cp, dp := deFixture(t, dir, tc.counts, tc.coldata)
			out := filepath.Join(dir, "de.tsv")
			args := append([]string{"de", "-counts", cp, "-coldata", dp, "-out", out}, tc.args...)
			var so, se bytes.Buffer
			code := runMain(args, &so, &se)
			if code != tc.wantCode {
				t.Fatalf("exit %d, want %d; stderr: %s", code, tc.wantCode, se.String())
			}
			for _, m := range tc.wantMsg {
				if !strings.Contains(se.String(), m) {
					t.Errorf("stderr lacks %q:\n%s", m, se.String())
				}
			}
			if _, err := os.Stat(out); err == nil && tc.wantCode != 0 {
				t.Errorf("output written despite the error")
			}
		})
	}
}
