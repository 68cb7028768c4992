package report

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/exomir/exomir/diffexp"
)

// Errors of Load.
var (
	// ErrFormat: a file of the run folder is not in the format exomir
	// writes; the message names the file and line.
	ErrFormat = errors.New("report: bad file")
	// ErrNoSummary: the folder has no summary.tsv.
	ErrNoSummary = errors.New("report: no summary.tsv")
)

// Load reads the report's data from a run's output folder, as written by
// exomir run (or the Snakemake workflow): summary.tsv (required), and when
// present mirna_counts.tsv, coldata.tsv, de.tsv, roc.tsv,
// exomir_lengths_mqc.json, spikein_counts.tsv, exogenous_counts.tsv,
// editing.tsv and a signature panel in dir/panel (see LoadSignature).
//
// Samples come in summary.tsv's column order. Counts are normalised by
// DESeq2's median-of-ratios size factors (poscounts when every miRNA has a
// zero), as exomir run does with its default DE method. The title is
// "exomir study"; set Data.Title to change it. Warnings are known by their
// codes only (summary.tsv holds no messages), so each is shown with the
// code's meaning.
func Load(dir string) (*Data, error) {
	d := &Data{Title: "exomir study", Alpha: 0.1}
	if err := loadSummary(d, filepath.Join(dir, "summary.tsv")); err != nil {
		return nil, err
	}
	steps := []struct {
		name string
		f    func(*Data, string) error
	}{
		{"coldata.tsv", loadColData},
		{"mirna_counts.tsv", loadCounts},
		{"de.tsv", loadDE},
		{"roc.tsv", loadROC},
		{"exomir_lengths_mqc.json", loadLengths},
		{"spikein_counts.tsv", loadSpikeIns},
		{"exogenous_counts.tsv", loadExogenous},
		{"editing.tsv", loadEditing},
	}
	for _, s := range steps {
		p := filepath.Join(dir, s.name)
		if _, err := os.Stat(p); errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err := s.f(d, p); err != nil {
			return nil, err
		}
	}
	if fi, err := os.Stat(filepath.Join(dir, "panel", "cv_auc.tsv")); err == nil && !fi.IsDir() {
		sig, err := LoadSignature(filepath.Join(dir, "panel"))
		if err != nil {
			return nil, err
		}
		d.Signature = sig
	}
	return d, nil
}

// LoadSignature reads a signature panel folder (exomir panel -out DIR):
// cv_auc.tsv (auc lower upper; the first row is the mean), and when
// present roc.tsv (fpr tpr), stability.tsv (mirna selection_frequency
// mean_coefficient) and coefficients.tsv (term, then one column per λ).
func LoadSignature(dir string) (*Signature, error) {
	sig := &Signature{}
	p := filepath.Join(dir, "cv_auc.tsv")
	rows, err := readTable(p, []string{"auc", "lower", "upper"})
	if err != nil {
		return nil, err
	}
	if len(rows.data) == 0 {
		return nil, fmt.Errorf("%w: %s: no AUC row", ErrFormat, p)
	}
	for i, r := range rows.data {
		v, err := rows.floats(r, i, rows.col...)
		if err != nil {
			return nil, err
		}
		iv := Interval{v[0], v[1], v[2]}
		if i == 0 {
			sig.AUC = iv
		} else {
			sig.Folds = append(sig.Folds, iv)
		}
	}
	if p := filepath.Join(dir, "roc.tsv"); exists(p) {
		t, err := readTable(p, []string{"fpr", "tpr"})
		if err != nil {
			return nil, err
		}
		for i, r := range t.data {
			v, err := t.floats(r, i, t.col...)
			if err != nil {
				return nil, err
			}
			sig.ROC = append(sig.ROC, Point{v[0], v[1]})
		}
	}
	if p := filepath.Join(dir, "stability.tsv"); exists(p) {
		t, err := readTable(p, []string{"mirna", "selection_frequency", "mean_coefficient"})
		if err != nil {
			return nil, err
		}
		for i, r := range t.data {
			v, err := t.floats(r, i, t.col[1], t.col[2])
			if err != nil {
				return nil, err
			}
			sig.Stability = append(sig.Stability, Stability{r[t.col[0]], v[0], v[1]})
		}
	}
	if p := filepath.Join(dir, "coefficients.tsv"); exists(p) {
		t, err := readTable(p, []string{"term"})
		if err != nil {
			return nil, err
		}
		sig.Lambdas = t.header[1:]
		for i, r := range t.data {
			idx := make([]int, len(r)-1)
			for k := range idx {
				idx[k] = k + 1
			}
			v, err := t.floats(r, i, idx...)
			if err != nil {
				return nil, err
			}
			sig.Terms = append(sig.Terms, r[0])
			sig.Coefficients = append(sig.Coefficients, v)
		}
	}
	return sig, nil
}

func exists(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && !fi.IsDir()
}

// table is a TSV file: its header, its rows (all as wide as the header)
// and the columns of the names asked for.
type table struct {
	file   string
	header []string
	data   [][]string
	col    []int
}

// readTable reads a TSV file whose header holds the named columns.
func readTable(path string, want []string) (*table, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return parseTable(f, path, want)
}

func parseTable(r io.Reader, path string, want []string) (*table, error) {
	t := &table{file: path}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 64*1024*1024)
	line := 0
	for sc.Scan() {
		line++
		s := strings.TrimRight(sc.Text(), "\r")
		if s == "" || strings.HasPrefix(s, "#") {
			continue
		}
		fields := strings.Split(s, "\t")
		if t.header == nil {
			t.header = fields
			for _, w := range want {
				k := indexOf(fields, w)
				if k < 0 {
					return nil, fmt.Errorf("%w: %s:%d: no column %q in header %q", ErrFormat, path, line, w, s)
				}
				t.col = append(t.col, k)
			}
			continue
		}
		if len(fields) != len(t.header) {
			return nil, fmt.Errorf("%w: %s:%d: %d fields, the header has %d", ErrFormat, path, line, len(fields), len(t.header))
		}
		t.data = append(t.data, fields)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%w: %s:%d: %v", ErrFormat, path, line+1, err)
	}
	if t.header == nil {
		return nil, fmt.Errorf("%w: %s: empty", ErrFormat, path)
	}
	return t, nil
}

// floats parses the fields at columns cs of data row i as numbers, NA
// as NaN.
func (t *table) floats(r []string, i int, cs ...int) ([]float64, error) {
	out := make([]float64, len(cs))
	for j, c := range cs {
		v, err := parseNum(r[c])
		if err != nil {
			return nil, fmt.Errorf("%w: %s: data row %d, column %s: %q is not a number", ErrFormat, t.file, i+1, t.header[c], r[c])
		}
		out[j] = v
	}
	return out, nil
}

func parseNum(s string) (float64, error) {
	if s == "NA" || s == "" {
		return math.NaN(), nil
	}
	return strconv.ParseFloat(s, 64)
}

func indexOf(xs []string, x string) int {
	for i, y := range xs {
		if y == x {
			return i
		}
	}
	return -1
}

// loadSummary reads summary.tsv (metric × sample) into the samples.
func loadSummary(d *Data, path string) error {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("%w in %s", ErrNoSummary, filepath.Dir(path))
	}
	if err != nil {
		return err
	}
	defer f.Close()
	t, err := parseTable(f, path, []string{"metric"})
	if err != nil {
		return err
	}
	if t.col[0] != 0 || len(t.header) < 2 {
		return fmt.Errorf("%w: %s:1: want the header metric<TAB>sample…", ErrFormat, path)
	}
	names := t.header[1:]
	d.Samples = make([]Sample, len(names))
	for i, n := range names {
		d.Samples[i].Name = n
	}
	rows := map[string][]string{}
	var order []string
	for _, r := range t.data {
		rows[r[0]] = r[1:]
		order = append(order, r[0])
	}
	for ri, name := range order {
		vals := rows[name]
		for i := range d.Samples {
			s := &d.Samples[i]
			switch name {
			case "condition":
				s.Condition = vals[i]
			case "adapter":
				s.Adapter = vals[i]
			case "warnings":
				s.Warnings = append(s.Warnings, codeWarnings(vals[i])...)
			case "study_warnings":
				if i == 0 {
					d.StudyWarnings = codeWarnings(vals[i])
				}
			default:
				if err := s.AddSummaryRow(name, vals[i]); err != nil {
					return fmt.Errorf("%w: %s:%d: %v", ErrFormat, path, ri+2, err)
				}
			}
		}
	}
	// Composition of the passed reads, as exomir run builds it: miRNA,
	// hairpin only, the other classes, unmapped.
	for i := range d.Samples {
		d.Samples[i].ComposeClasses()
	}
	return nil
}

// AddSummaryRow files one summary.tsv row of the sample (metric name and
// value) into its place: reads_* rows into Accounting, class_* into
// Classes, trf_*, clade_*, isomir_*_frac and qc_* into their sections,
// input_reads into InputReads. Rows of no section are ignored; an
// isomir_*_frac value that is not a number is an error.
// run and Load both fill samples this way, so their reports agree.
func (s *Sample) AddSummaryRow(name, v string) error {
	n, nerr := strconv.ParseInt(v, 10, 64)
	switch {
	case name == "input_reads" && nerr == nil:
		s.InputReads = n
	case strings.HasPrefix(name, "reads_") && nerr == nil:
		s.Accounting = append(s.Accounting, Category{name, n})
		if name == "reads_mirna" {
			s.MiRNAReads = n
		}
	case strings.HasPrefix(name, "class_") && nerr == nil:
		s.Classes = append(s.Classes, Category{strings.TrimPrefix(name, "class_"), n})
	case strings.HasPrefix(name, "trf_") && nerr == nil:
		s.TRF = append(s.TRF, Category{strings.TrimPrefix(name, "trf_"), n})
	case strings.HasPrefix(name, "clade_") && nerr == nil:
		s.Clades = append(s.Clades, Category{strings.TrimPrefix(name, "clade_"), n})
	case strings.HasPrefix(name, "isomir_") && strings.HasSuffix(name, "_frac"):
		x, err := parseNum(v)
		if err != nil {
			return fmt.Errorf("%s of %s: %q is not a number", name, s.Name, v)
		}
		s.IsomiR = append(s.IsomiR, Value{strings.TrimSuffix(strings.TrimPrefix(name, "isomir_"), "_frac"), x})
	case strings.HasPrefix(name, "qc_"):
		s.QCFlags = append(s.QCFlags, Flag{strings.TrimPrefix(name, "qc_"), v})
	}
	return nil
}

// ComposeClasses turns the class_* rows of Classes into the composition
// of the passed reads that the report draws: miRNA, hairpin only, the
// other classes, unmapped. Call it once, after the last AddSummaryRow.
func (s *Sample) ComposeClasses() {
	var hairpin, unmapped int64
	for _, c := range s.Accounting {
		switch c.Name {
		case "reads_hairpin_only":
			hairpin = c.Reads
		case "reads_unmapped":
			unmapped = c.Reads
		}
	}
	classes := []Category{{"miRNA", s.MiRNAReads}, {"hairpin only", hairpin}}
	classes = append(classes, s.Classes...)
	s.Classes = append(classes, Category{"unmapped", unmapped})
}

// warningMeanings says what each warning code of exomir's summary means,
// for reports made from files, where only the codes were kept.
var warningMeanings = map[string]string{
	"no_reads":            "the input holds no reads",
	"adapter_missing":     "the 3' adapter was found in fewer than half of the reads: wrong kit?",
	"mirna_low":           "miRNA reads are under 5% of the passed reads",
	"length_mode":         "the most common insert length is outside 18–26 nt",
	"adapter_dimers":      "more than half of the reads are adapter dimers",
	"too_short":           "more than half of the reads have too short an insert",
	"detection_uncertain": "the adapter detection's confidence is below 0.5",
	"kit_mixed":           "the samples were read with different kit layouts",
	"confounded":          "the kit or a covariate separates the samples exactly as the condition does",
	"duplicate_input":     "two samples read the same file",
	"condition_similar":   "two condition levels differ only by a typo-like change",
	"bam_truncated":       "a BAM input lacks the BGZF end-of-file marker",
	"de_poscounts":        "DESeq2's ratio size factors do not exist; poscounts used",
	"de_skipped":          "differential expression was not run",
	"de_isomirs_skipped":  "isomiR-level differential expression was not run",
	"exogenous_mirna":     "a non-human clade holds more than 1% of the miRNA reads",
}

// codeWarnings turns a summary warnings cell ("none" or codes joined by
// ";") into warnings.
func codeWarnings(cell string) []Warning {
	if cell == "none" || cell == "" || cell == "NA" {
		return nil
	}
	var ws []Warning
	for _, c := range strings.Split(cell, ";") {
		m, ok := warningMeanings[c]
		if !ok {
			m = "see the run's log"
		}
		ws = append(ws, Warning{Code: c, Message: m + " (details in the run's log)"})
	}
	return ws
}

func (d *Data) sampleIndex() map[string]int {
	m := make(map[string]int, len(d.Samples))
	for i, s := range d.Samples {
		m[s.Name] = i
	}
	return m
}

// loadColData fills the conditions that summary.tsv did not give.
func loadColData(d *Data, path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	cd, err := diffexp.ReadColData(f, path)
	if err != nil {
		return err
	}
	cond := cd.Column("condition")
	if cond == nil {
		return nil
	}
	idx := d.sampleIndex()
	for k, s := range cd.Samples {
		if i, ok := idx[s]; ok && d.Samples[i].Condition == "" {
			d.Samples[i].Condition = cond[k]
		}
	}
	return nil
}

// loadCounts reads the count matrix, its columns put in the samples'
// order, and its size factors.
func loadCounts(d *Data, path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	c, err := diffexp.ReadCounts(f, path)
	if err != nil {
		return err
	}
	col, err := columnsFor(d, c.Samples, path)
	if err != nil {
		return err
	}
	d.Features = c.Features
	d.Counts = make([][]float64, len(c.Features))
	for i := range c.Features {
		row := c.Row(i)
		out := make([]float64, len(d.Samples))
		for s, k := range col {
			out[s] = row[k]
		}
		d.Counts[i] = out
	}
	sf, err := diffexp.SizeFactors(c, "ratio")
	if errors.Is(err, diffexp.ErrZeroInEveryFeature) {
		sf, err = diffexp.SizeFactors(c, "poscounts")
	}
	if err == nil {
		d.SizeFactors = make([]float64, len(col))
		for s, k := range col {
			d.SizeFactors[s] = sf[k]
		}
	}
	return nil
}

// columnsFor maps each sample of d to its column among names.
func columnsFor(d *Data, names []string, path string) ([]int, error) {
	col := make([]int, len(d.Samples))
	for s, smp := range d.Samples {
		col[s] = indexOf(names, smp.Name)
		if col[s] < 0 {
			return nil, fmt.Errorf("%w: %s:1: no column for sample %q of summary.tsv", ErrFormat, path, smp.Name)
		}
	}
	return col, nil
}

// loadDE reads DESeq2-style (baseMean log2FoldChange pvalue padj) or
// edgeR-style (logCPM logFC PValue FDR) results.
func loadDE(d *Data, path string) error {
	t, err := readTable(path, nil)
	if err != nil {
		return err
	}
	cols := []string{"baseMean", "log2FoldChange", "pvalue", "padj"}
	if indexOf(t.header, "baseMean") < 0 {
		cols = []string{"logCPM", "logFC", "PValue", "FDR"}
	}
	var k [4]int
	for i, c := range cols {
		if k[i] = indexOf(t.header, c); k[i] < 0 {
			return fmt.Errorf("%w: %s:1: no column %q", ErrFormat, path, c)
		}
	}
	for i, r := range t.data {
		v, err := t.floats(r, i, k[:]...)
		if err != nil {
			return err
		}
		if cols[0] == "logCPM" {
			v[0] = math.Exp2(v[0]) // a mean level on the MA plot's axis
		}
		d.DE = append(d.DE, DERow{Feature: r[0], BaseMean: v[0], Log2FC: v[1], PValue: v[2], PAdj: v[3]})
	}
	if c := contrastOf(d); c != "" {
		d.Contrast = c
	}
	return nil
}

// contrastOf names the DE contrast as exomir run does, "A vs B", from the
// conditions when there are exactly two.
func contrastOf(d *Data) string {
	conds := conditions(d.Samples)
	if len(conds) != 2 {
		return ""
	}
	num, den, err := diffexp.DefaultContrast(conds)
	if err != nil {
		return ""
	}
	return num + " vs " + den
}

func loadROC(d *Data, path string) error {
	t, err := readTable(path, []string{"mirna", "auc", "lower", "upper", "direction"})
	if err != nil {
		return err
	}
	for i, r := range t.data {
		v, err := t.floats(r, i, t.col[1], t.col[2], t.col[3])
		if err != nil {
			return err
		}
		dir := diffexp.Direction(r[t.col[4]])
		if dir != diffexp.DirectionUp && dir != diffexp.DirectionDown {
			return fmt.Errorf("%w: %s: data row %d, column %s: %q is not %s or %s", ErrFormat, t.file, i+1, t.header[t.col[4]], r[t.col[4]], diffexp.DirectionUp, diffexp.DirectionDown)
		}
		d.ROC = append(d.ROC, ROCRow{Feature: r[t.col[0]], AUC: v[0], Lower: v[1], Upper: v[2], Direction: dir})
	}
	return nil
}

// loadLengths reads the insert lengths back from the MultiQC line graph
// exomir writes.
func loadLengths(d *Data, path string) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	var doc struct {
		Data map[string]map[string]int64 `json:"data"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		return fmt.Errorf("%w: %s: %v", ErrFormat, path, err)
	}
	for i := range d.Samples {
		m, ok := doc.Data[d.Samples[i].Name]
		if !ok {
			continue
		}
		d.Samples[i].InsertLengths, err = lengthsFrom(m, path)
		if err != nil {
			return err
		}
	}
	return nil
}

func lengthsFrom(m map[string]int64, path string) ([]int64, error) {
	var h []int64
	for k, v := range m {
		l, err := strconv.Atoi(k)
		if err != nil || l < 0 || l > 1<<16 {
			return nil, fmt.Errorf("%w: %s: length %q", ErrFormat, path, k)
		}
		for len(h) <= l {
			h = append(h, 0)
		}
		h[l] = v
	}
	return h, nil
}

// sampleColumns reads a TSV whose first columns are named by lead and whose
// other columns are samples, returning the lead fields and the counts in
// the samples' order.
func sampleColumns(d *Data, path string, lead []string) ([][]string, [][]float64, error) {
	t, err := readTable(path, lead)
	if err != nil {
		return nil, nil, err
	}
	col, err := columnsFor(d, t.header, path)
	if err != nil {
		return nil, nil, err
	}
	var keys [][]string
	var vals [][]float64
	for i, r := range t.data {
		v, err := t.floats(r, i, col...)
		if err != nil {
			return nil, nil, err
		}
		k := make([]string, len(lead))
		for j, c := range t.col {
			k[j] = r[c]
		}
		keys = append(keys, k)
		vals = append(vals, v)
	}
	return keys, vals, nil
}

func loadSpikeIns(d *Data, path string) error {
	keys, vals, err := sampleColumns(d, path, []string{"spikein"})
	if err != nil {
		return err
	}
	for i := range keys {
		d.SpikeIns = append(d.SpikeIns, SpikeIn{Name: keys[i][0], Counts: vals[i]})
	}
	return nil
}

func loadExogenous(d *Data, path string) error {
	keys, vals, err := sampleColumns(d, path, []string{"mirna", "species"})
	if err != nil {
		return err
	}
	for i := range keys {
		d.Exogenous = append(d.Exogenous, Exogenous{MiRNA: keys[i][0], Species: keys[i][1], Counts: vals[i]})
	}
	return nil
}

func loadEditing(d *Data, path string) error {
	t, err := readTable(path, []string{"mirna", "position", "sample", "edited", "covering", "level", "padj"})
	if err != nil {
		return err
	}
	for i, r := range t.data {
		v, err := t.floats(r, i, t.col[1], t.col[3], t.col[4], t.col[5], t.col[6])
		if err != nil {
			return err
		}
		if math.IsNaN(v[0]) || math.IsNaN(v[1]) || math.IsNaN(v[2]) {
			return fmt.Errorf("%w: %s: data row %d: position, edited and covering must be numbers", ErrFormat, path, i+1)
		}
		d.Editing = append(d.Editing, EditingSite{MiRNA: r[t.col[0]], Position: int(v[0]), Sample: r[t.col[2]],
			Edited: int64(v[1]), Covering: int64(v[2]), Level: v[3], PAdj: v[4]})
	}
	return nil
}
