package study

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/exomir/exomir/quant"
)

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

// ReadSheet parses and validates a samplesheet before any work starts:
// header, duplicate samples, empty conditions and missing files are all
// reported with the file and line. Relative read paths are taken relative
// to the sheet's folder.
func ReadSheet(path string) (*Sheet, error) {
	f, err := os.Open(path)
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
	var problems []string
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
					return nil, fmt.Errorf("%s:%d: header column %d has no name", path, line, i+1)
				case dup:
					return nil, fmt.Errorf("%s:%d: header names column %q twice (columns %d and %d)", path, line, h, j+1, i+1)
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
					return nil, fmt.Errorf("%s:%d: header lacks column %q (want sample<TAB>condition<TAB>fastq[<TAB>covariates…]%s)", path, line, need, hint)
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
			problems = append(problems, fmt.Sprintf("%s:%d: %d columns, header has %d", path, line, len(fields), ncol))
			continue
		}
		r := Row{Sample: fields[col["sample"]], Condition: fields[col["condition"]], Line: line}
		for _, h := range sh.Extra {
			r.Extra = append(r.Extra, fields[col[strings.ToLower(h)]])
		}
		reads := fields[col["fastq"]]
		switch {
		case r.Sample == "":
			problems = append(problems, fmt.Sprintf("%s:%d: empty sample name", path, line))
		case quant.CheckSampleName(r.Sample) != nil:
			problems = append(problems, fmt.Sprintf("%s:%d: %v", path, line, quant.CheckSampleName(r.Sample)))
		case seen[r.Sample] > 0:
			problems = append(problems, fmt.Sprintf("%s:%d: duplicate sample %q (first on line %d)", path, line, r.Sample, seen[r.Sample]))
		}
		seen[r.Sample] = line
		if r.Condition == "" || r.Condition == "NA" {
			problems = append(problems, fmt.Sprintf("%s:%d: sample %q has no condition", path, line, r.Sample))
		}
		for i, v := range r.Extra {
			if v == "" {
				problems = append(problems, fmt.Sprintf("%s:%d: sample %q has no value for %s", path, line, r.Sample, sh.Extra[i]))
			}
		}
		if reads == "" {
			problems = append(problems, fmt.Sprintf("%s:%d: sample %q has no fastq", path, line, r.Sample))
		} else {
			if !filepath.IsAbs(reads) {
				reads = filepath.Join(dir, reads)
			}
			if st, err := os.Stat(reads); err != nil {
				problems = append(problems, fmt.Sprintf("%s:%d: sample %q: %v", path, line, r.Sample, err))
			} else if st.IsDir() {
				problems = append(problems, fmt.Sprintf("%s:%d: sample %q: %s is a directory", path, line, r.Sample, reads))
			}
		}
		r.Path = reads
		sh.Rows = append(sh.Rows, r)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if col == nil {
		return nil, fmt.Errorf("%s: empty samplesheet (want a header sample<TAB>condition<TAB>fastq)", path)
	}
	if len(problems) > 0 {
		return nil, fmt.Errorf("samplesheet problems:\n  %s", strings.Join(problems, "\n  "))
	}
	if len(sh.Rows) == 0 {
		return nil, fmt.Errorf("%s: no samples", path)
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
