package study

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/exomir/exomir/quant"
)

// ErrSheet is wrapped by every problem of a samplesheet.
var ErrSheet = errors.New("study: bad samplesheet")

// ParseError is a problem of a samplesheet at a line (0: the whole file).
// It wraps ErrSheet and the cause.
type ParseError struct {
	File string
	Line int64
	Err  error
}

func (e *ParseError) Error() string {
	if e.Line == 0 {
		return e.File + ": " + e.Err.Error()
	}
	return fmt.Sprintf("%s:%d: %v", e.File, e.Line, e.Err)
}

// Unwrap returns ErrSheet and the cause.
func (e *ParseError) Unwrap() []error { return []error{ErrSheet, e.Err} }

func sheetErr(file string, line int, format string, a ...any) *ParseError {
	return &ParseError{File: file, Line: int64(line), Err: fmt.Errorf(format, a...)}
}

// Problems are all the problems of a samplesheet's rows, reported
// together so that one run shows them all.
type Problems []*ParseError

func (p Problems) Error() string {
	lines := make([]string, len(p))
	for i, e := range p {
		lines[i] = e.Error()
	}
	return "samplesheet problems:\n  " + strings.Join(lines, "\n  ")
}

// Unwrap returns the problems.
func (p Problems) Unwrap() []error {
	out := make([]error, len(p))
	for i, e := range p {
		out[i] = e
	}
	return out
}

// Row is one sample of a samplesheet.
type Row struct {
	Sample, Condition string
	// Path is the reads (FASTQ, gzip or BGZF) or alignments (.bam/.sam):
	// absolute, or relative to the working directory (the sheet's
	// relative paths are joined to the sheet's folder).
	Path  string
	Extra []string // covariate values, parallel to Sheet.Extra
	Line  int      // line in the sheet file (1-based)
}

// Sheet is a parsed samplesheet: sample<TAB>condition<TAB>fastq, then
// optional covariate columns.
type Sheet struct {
	File  string
	Extra []string // names of the covariate columns
	Rows  []Row
}

// openFile opens the file at path unless ctx is already done.
func openFile(ctx context.Context, path string) (*os.File, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return os.Open(path)
}

// ReadSheet parses and validates a samplesheet before any work starts:
// header, duplicate samples, empty conditions and missing files are all
// reported with the file and line. Relative read paths are taken relative
// to the sheet's folder.
func ReadSheet(ctx context.Context, path string) (*Sheet, error) {
	f, err := openFile(ctx, path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	sh := &Sheet{File: path}
	dir := filepath.Dir(path)
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<16), 1<<20)
	line := 0
	var col map[string]int
	ncol := 0
	seen := map[string]int{}
	var problems Problems
	for sc.Scan() {
		line++
		text := strings.TrimRight(sc.Text(), "\r")
		if strings.TrimSpace(text) == "" || strings.HasPrefix(text, "#") {
			continue
		}
		fields := strings.Split(text, "\t")
		for i := range fields {
			fields[i] = strings.TrimSpace(fields[i])
		}
		for len(fields) > 1 && fields[len(fields)-1] == "" {
			fields = fields[:len(fields)-1] // trailing tabs, as spreadsheets export them
		}
		if col == nil {
			col = map[string]int{}
			for i, h := range fields {
				switch j, dup := col[strings.ToLower(h)]; {
				case h == "":
					return nil, sheetErr(path, line, "header column %d has no name", i+1)
				case dup:
					return nil, sheetErr(path, line, "header names column %q twice (columns %d and %d)", h, j+1, i+1)
				}
				col[strings.ToLower(h)] = i
			}
			ncol = len(fields)
			for _, need := range []string{"sample", "condition", "fastq"} {
				if _, ok := col[need]; !ok {
					hint := ""
					if len(fields) == 1 && strings.ContainsAny(fields[0], " ,;") {
						hint = "; columns are separated by tabs"
					}
					return nil, sheetErr(path, line, "header lacks column %q (want sample<TAB>condition<TAB>fastq[<TAB>covariates…]%s)", need, hint)
				}
			}
			for _, h := range fields {
				if l := strings.ToLower(h); l != "sample" && l != "condition" && l != "fastq" {
					sh.Extra = append(sh.Extra, h)
				}
			}
			continue
		}
		if len(fields) != ncol {
			problems = append(problems, sheetErr(path, line, "%d columns, header has %d", len(fields), ncol))
			continue
		}
		r := Row{Sample: fields[col["sample"]], Condition: fields[col["condition"]], Line: line}
		for _, h := range sh.Extra {
			r.Extra = append(r.Extra, fields[col[strings.ToLower(h)]])
		}
		reads := fields[col["fastq"]]
		switch {
		case r.Sample == "":
			problems = append(problems, sheetErr(path, line, "empty sample name"))
		case quant.CheckSampleName(r.Sample) != nil:
			problems = append(problems, sheetErr(path, line, "%w", quant.CheckSampleName(r.Sample)))
		case seen[r.Sample] > 0:
			problems = append(problems, sheetErr(path, line, "duplicate sample %q (first on line %d)", r.Sample, seen[r.Sample]))
		}
		seen[r.Sample] = line
		if r.Condition == "" || r.Condition == "NA" {
			problems = append(problems, sheetErr(path, line, "sample %q has no condition", r.Sample))
		}
		for i, v := range r.Extra {
			if v == "" {
				problems = append(problems, sheetErr(path, line, "sample %q has no value for %s", r.Sample, sh.Extra[i]))
			}
		}
		if reads == "" {
			problems = append(problems, sheetErr(path, line, "sample %q has no fastq", r.Sample))
		} else {
			if !filepath.IsAbs(reads) {
				reads = filepath.Join(dir, reads)
			}
			if st, err := os.Stat(reads); err != nil {
				problems = append(problems, sheetErr(path, line, "sample %q: %w", r.Sample, err))
			} else if st.IsDir() {
				problems = append(problems, sheetErr(path, line, "sample %q: %s is a directory", r.Sample, reads))
			}
		}
		r.Path = reads
		sh.Rows = append(sh.Rows, r)
	}
	if err := sc.Err(); err != nil {
		return nil, &ParseError{File: path, Line: int64(line) + 1, Err: err}
	}
	if col == nil {
		return nil, sheetErr(path, 0, "empty samplesheet (want a header sample<TAB>condition<TAB>fastq)")
	}
	if len(problems) > 0 {
		return nil, problems
	}
	if len(sh.Rows) == 0 {
		return nil, sheetErr(path, 0, "no samples")
	}
	return sh, nil
}

// Conditions returns the distinct conditions in order of first use.
func (sh *Sheet) Conditions() []string {
	var out []string
	for _, r := range sh.Rows {
		if !containsString(out, r.Condition) {
			out = append(out, r.Condition)
		}
	}
	return out
}

func containsString(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}
