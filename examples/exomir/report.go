package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/exomir/exomir/diffexp"
	"github.com/exomir/exomir/internal/resultset"
	"github.com/exomir/exomir/quant"
	"github.com/exomir/exomir/report"
)

func init() {
	register(command{
		name:    "report",
		summary: "the study report (report.html) and MultiQC files from a run's output folder",
		run:     runReport,
	})
}

func runReport(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("report", "-in DIR [-out DIR] [-panel DIR] [-quant QDIR] [flags]", stderr)
	in := fs.String("in", "", "the run's output folder: summary.tsv, mirna_counts.tsv, coldata.tsv, de.tsv, roc.tsv, … (required)")
	out := fs.String("out", "", "output folder (default: -in)")
	panel := fs.String("panel", "", "signature panel folder (exomir panel -out); default DIR/panel when present")
	qdir := fs.String("quant", "", "per-sample outputs of exomir quant: first assemble DIR/summary.tsv and exogenous_counts.tsv from QDIR/NAME.summary.tsv and .exogenous_counts.tsv (samples of DIR/coldata.tsv), as exomir run writes them (editing.tsv is not assembled: it needs every sample's tested sites)")
	title := fs.String("title", "", "report title (default: exomir study)")
	alpha := fs.Float64("alpha", 0.1, "adjusted p-value threshold of the DE and ROC sections")
	contrast := fs.String("contrast", "", "the DE contrast as given to exomir de, e.g. condition,tumor,control (default: the default contrast of the conditions)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *in == "" || fs.NArg() > 0 {
		fmt.Fprintln(stderr, "exomir report: -in DIR is required, and takes no arguments")
		fs.Usage()
		return errUsage
	}
	if *out == "" {
		*out = *in
	}
	var lengths map[string][]int64
	if *qdir != "" {
		var err error
		if lengths, err = assembleSummary(*in, *qdir, stderr); err != nil {
			return err
		}
		if err := assembleExogenous(*in, *qdir); err != nil {
			return err
		}
	}
	d, err := report.Load(*in)
	if err != nil {
		return err
	}
	for i := range d.Samples {
		if l, ok := lengths[d.Samples[i].Name]; ok && d.Samples[i].InsertLengths == nil {
			d.Samples[i].InsertLengths = l
		}
	}
	if *panel != "" {
		if d.Signature, err = report.LoadSignature(*panel); err != nil {
			return err
		}
	}
	if *title != "" {
		d.Title = *title
	}
	if *contrast != "" {
		parts := strings.Split(*contrast, ",")
		if len(parts) != 3 {
			return fmt.Errorf("-contrast %q: want variable,numerator,denominator", *contrast)
		}
		d.Contrast = parts[1] + " vs " + parts[2]
	}
	d.Alpha = *alpha
	if err := os.MkdirAll(*out, 0o755); err != nil {
		return err
	}
	set, err := resultset.Begin(*out, "report")
	if err != nil {
		return err
	}
	defer set.Abort()
	for _, f := range []outFile{
		{"exomir_accounting_mqc.tsv", func(w *bufio.Writer) error { return report.WriteMultiQCAccounting(w, d.Samples) }},
		{"exomir_general_stats_mqc.tsv", func(w *bufio.Writer) error { return report.WriteMultiQCGeneralStats(w, d.Samples) }},
		{"exomir_lengths_mqc.json", func(w *bufio.Writer) error { return report.WriteMultiQCLengths(w, d.Samples) }},
		{"report.html", func(w *bufio.Writer) error { return report.WriteHTML(w, d) }},
	} {
		if err := set.WriteFile(f.name, f.fill); err != nil {
			return err
		}
	}
	if err := set.Commit(); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "report: %s\n", filepath.Join(*out, "report.html"))
	return nil
}

// assembleSummary writes dir/summary.tsv from the per-sample summaries in
// qdir, as exomir run writes it: the condition row, every summary row,
// miRNAs detected (from dir/mirna_counts.tsv) and the study-level warning
// codes (quant.CheckStudy on the kits and dir/coldata.tsv's covariates;
// duplicate inputs are not checked, the workflow has no checksums). It
// returns each sample's insert lengths (qdir/NAME.lengths.tsv).
func assembleSummary(dir, qdir string, stderr io.Writer) (map[string][]int64, error) {
	cdPath := filepath.Join(dir, "coldata.tsv")
	b, err := os.ReadFile(cdPath)
	if err != nil {
		return nil, err
	}
	cd, err := diffexp.ReadColData(bytes.NewReader(b), cdPath)
	if err != nil {
		return nil, err
	}
	cond := cd.Column("condition")
	if cond == nil {
		return nil, fmt.Errorf("%s: no condition column", cdPath)
	}
	cPath := filepath.Join(dir, "mirna_counts.tsv")
	cf, err := os.Open(cPath)
	if err != nil {
		return nil, err
	}
	counts, err := diffexp.ReadCounts(cf, cPath)
	cf.Close()
	if err != nil {
		return nil, err
	}
	var metrics []string
	values := make([]map[string]string, len(cd.Samples))
	lengths := map[string][]int64{}
	study := make([]quant.StudySample, len(cd.Samples))
	for i, name := range cd.Samples {
		values[i] = map[string]string{"condition": cond[i]}
		rows, err := readSummaryRows(filepath.Join(qdir, name+".summary.tsv"))
		if err != nil {
			return nil, err
		}
		for _, r := range rows {
			if !slices.Contains(metrics, r[0]) {
				metrics = append(metrics, r[0])
			}
			values[i][r[0]] = r[1]
		}
		study[i] = quant.StudySample{Name: name, Condition: cond[i], Protocol: values[i]["protocol"]}
		k := slices.Index(counts.Samples, name)
		if k < 0 {
			return nil, fmt.Errorf("%s: no column for sample %q of %s", cPath, name, cdPath)
		}
		var det quant.Detected
		for f := range counts.Features {
			det.Add(counts.At(f, k))
		}
		det.SetRows(values[i])
		if l, err := readLengths(filepath.Join(qdir, name+".lengths.tsv")); err == nil {
			lengths[name] = l
		} else if !errors.Is(err, os.ErrNotExist) {
			return nil, err
		}
	}
	var covs []quant.Covariate
	for k, n := range cd.Names {
		if n != "condition" {
			covs = append(covs, quant.Covariate{Name: n, Values: cd.Columns[k]})
		}
	}
	ws := quant.CheckStudy(study, covs)
	printWarnings(stderr, ws)
	codes := quant.WarningCodes(ws)
	metrics = append([]string{"condition"}, metrics...)
	metrics = append(metrics, "mirnas_detected", "mirnas_detected_10", "study_warnings")
	set, err := resultset.Begin(dir, "summary")
	if err != nil {
		return nil, err
	}
	defer set.Abort()
	err = set.WriteFile("summary.tsv", func(bw *bufio.Writer) error {
		bw.WriteString("metric")
		for _, s := range cd.Samples {
			bw.WriteString("\t" + s)
		}
		bw.WriteByte('\n')
		for _, m := range metrics {
			bw.WriteString(m)
			for i := range cd.Samples {
				v, ok := values[i][m]
				if m == "study_warnings" {
					v, ok = codes, true
				}
				if !ok {
					v = "NA"
				}
				bw.WriteString("\t" + v)
			}
			bw.WriteByte('\n')
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return lengths, set.Commit()
}

// readSummaryRows reads a per-sample summary (metric<TAB>value).
func readSummaryRows(path string) ([][2]string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var rows [][2]string
	for i, l := range strings.Split(strings.TrimRight(string(b), "\n"), "\n") {
		f := strings.Split(l, "\t")
		if len(f) != 2 {
			return nil, fmt.Errorf("%s:%d: want metric<TAB>value", path, i+1)
		}
		if i == 0 {
			continue // header
		}
		rows = append(rows, [2]string{f[0], f[1]})
	}
	return rows, nil
}

// readLengths reads the insert column of a lengths file (length raw insert).
func readLengths(path string) ([]int64, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var h []int64
	for i, l := range strings.Split(strings.TrimRight(string(b), "\n"), "\n") {
		if i == 0 {
			continue
		}
		f := strings.Split(l, "\t")
		if len(f) != 3 {
			return nil, fmt.Errorf("%s:%d: want length<TAB>raw<TAB>insert", path, i+1)
		}
		n, err := strconv.ParseInt(f[2], 10, 64)
		if err != nil {
			return nil, fmt.Errorf("%s:%d: insert count %q", path, i+1, f[2])
		}
		h = append(h, n)
	}
	return h, nil
}

// outFile is one output of the report command and the function filling it.
type outFile struct {
	name string
	fill func(*bufio.Writer) error
}
