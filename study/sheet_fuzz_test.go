package study

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/exomir/exomir/quant"
)

// sheetProblemLine matches the "file:line:" that starts every reported
// problem of a samplesheet.
var sheetProblemLine = regexp.MustCompile(`sheet\.tsv:([0-9]+):`)

// FuzzReadSheet writes fuzzed text as a samplesheet next to two read files
// and a directory. Errors name the sheet, at a line of it; an accepted
// sheet has one row per data line, unique valid sample names, a condition
// and every covariate for each sample, and reads files that exist.
func FuzzReadSheet(f *testing.F) {
	f.Add("sample\tcondition\tfastq\ns1\tctrl\ta.fq\ns2\ttumor\tb.fq\n")
	f.Add("# study\r\nSample\tCondition\tFASTQ\tbatch\t\r\ns1\tctrl\ta.fq\tx\t\r\n\r\ns2\ttumor\tb.fq\ty\n")
	f.Add("sample condition fastq\ns1 ctrl a.fq\n")
	f.Add("sample\tcondition\tfastq\tsample\n")
	f.Add("sample\t\tcondition\tfastq\n")
	f.Add("sample\tcondition\tfastq\ns1\tNA\td\ns1\tctrl\tmissing.fq\n-x\tc\t\n")
	f.Add("sample\tcondition\tfastq\tbatch\ns1\tctrl\ta.fq\n")
	f.Add("")
	f.Fuzz(func(t *testing.T, text string) {
		dir := t.TempDir()
		for _, name := range []string{"a.fq", "b.fq"} {
			if err := os.WriteFile(filepath.Join(dir, name), []byte("@r\nA\n+\nI\n"), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		if err := os.Mkdir(filepath.Join(dir, "d"), 0o755); err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(dir, "sheet.tsv")
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		lines := strings.Count(text, "\n") + 1
		sh, err := ReadSheet(context.Background(), path)
		if err != nil {
			msg := err.Error()
			if !strings.Contains(msg, path) {
				t.Fatalf("error does not name the sheet: %v", err)
			}
			if !errors.Is(err, ErrSheet) {
				t.Fatalf("error does not wrap ErrSheet: %v", err)
			}
			for _, m := range sheetProblemLine.FindAllStringSubmatch(msg, -1) {
				if n, _ := strconv.Atoi(m[1]); n < 1 || n > lines {
					t.Fatalf("line %d outside the sheet (%d lines): %v", n, lines, err)
				}
			}
			return
		}
		data := -1 // the header is not a row
		for _, l := range strings.Split(text, "\n") {
			if strings.TrimSpace(strings.TrimRight(l, "\r")) != "" && !strings.HasPrefix(l, "#") {
				data++
			}
		}
		if len(sh.Rows) != data || data < 1 {
			t.Fatalf("%d rows for %d data lines", len(sh.Rows), data)
		}
		seen := map[string]bool{}
		for _, r := range sh.Rows {
			if quant.CheckSampleName(r.Sample) != nil || seen[r.Sample] {
				t.Fatalf("sample %q accepted (line %d)", r.Sample, r.Line)
			}
			seen[r.Sample] = true
			if r.Condition == "" || r.Condition == "NA" || len(r.Extra) != len(sh.Extra) || r.Line < 2 || r.Line > lines {
				t.Fatalf("row %+v (covariates %q)", r, sh.Extra)
			}
			for _, v := range r.Extra {
				if v == "" {
					t.Fatalf("row %+v: empty covariate", r)
				}
			}
			if st, err := os.Stat(r.Path); err != nil || st.IsDir() {
				t.Fatalf("row %+v: reads %v", r, err)
			}
		}
	})
}
