package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/exomir/exomir/diffexp"
	"github.com/exomir/exomir/internal/atomicfile"
	"github.com/exomir/exomir/internal/report"
	"github.com/exomir/exomir/internal/resultset"
	"github.com/exomir/exomir/quant"
)

func init() {
	register(command{
		name:    "run",
		summary: "the whole study from a samplesheet: counts, isomiRs, DE, biomarkers, report",
		run:     runRun,
	})
}

// runConfig is the parsed command line of "exomir run".
type runConfig struct {
	quantConfig
	sheet, design, contrast, test, method string
	quiet, strict                         bool
	notes                                 []string // printed after the run
}

func runRun(args []string, stdout, stderr io.Writer) error {
	var c runConfig
	fs := newFlagSet("run", "-samplesheet sheet.tsv -out DIR [flags]", stderr)
	fs.StringVar(&c.sheet, "samplesheet", "", "sample<TAB>condition<TAB>fastq[<TAB>covariates…]; paths relative to the sheet; .bam/.sam accepted")
	fs.StringVar(&c.out, "out", "", "output directory (created if missing)")
	addReadFlags(fs, &c.quantConfig)
	fs.StringVar(&c.design, "design", "~ condition", "DE design formula; covariates are samplesheet columns: \"~ batch + condition\"")
	fs.StringVar(&c.contrast, "contrast", "", "variable,numerator,denominator, e.g. condition,tumor,control (default: condition, tumor vs control when both exist, else the last level vs the first in sorted order, as exomir de)")
	fs.StringVar(&c.test, "test", "wald", "DE test: wald or lrt (reduced model ~ 1)")
	fs.StringVar(&c.method, "method", "deseq2", "DE method: deseq2 or edger")
	fs.IntVar(&c.threads, "threads", 0, "CPUs to use (0 = all); samples run in parallel, outputs do not depend on it")
	fs.BoolVar(&c.quiet, "quiet", false, "no progress on stderr (warnings are still printed)")
	fs.BoolVar(&c.strict, "strict", false, "QC and DE warnings are an error: exit non-zero, write no output")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if c.sheet == "" || c.out == "" {
		fmt.Fprintln(stderr, "exomir run: -samplesheet and -out are required")
		fs.Usage()
		return errUsage
	}
	ctx, stop := interruptContext()
	defer stop()
	return runStudy(ctx, &c, stdout, stderr)
}

// sampleResult is what one sample contributes to the study.
type sampleResult struct {
	q        *quant.Sample
	lengths  []int64 // insert lengths of passed reads (nil for BAM input)
	adapter  string
	protocol string // kit layout used ("" for BAM input)
	warnings []quant.Warning
}

func runStudy(ctx context.Context, c *runConfig, stdout, stderr io.Writer) error {
	start := time.Now()
	sh, err := readSheet(c.sheet)
	if err != nil {
		return err
	}
	if (c.mature == "") != (c.hairpin == "") {
		return errors.New("-mature and -hairpin go together")
	}
	multi, err := quant.ParseMulti(c.multi)
	if err != nil {
		return err
	}
	if c.mismatches != 1 && c.mismatches != 2 {
		return fmt.Errorf("-mismatches %d: want 1 or 2", c.mismatches)
	}
	if c.maxReadLen <= 0 {
		return fmt.Errorf("-max-read-len %d: want a positive length", c.maxReadLen)
	}
	if err := checkDesign(c, sh); err != nil {
		return err
	}
	// Found now rather than after every sample is computed.
	if err := atomicfile.CheckDir(c.out); err != nil {
		return err
	}
	inputs := make([]quant.StudyInput, len(sh.Rows))
	for i, r := range sh.Rows {
		inputs[i] = quant.StudyInput{Name: r.Sample, Path: r.Path}
	}
	early := quant.CheckInputs(inputs)
	printWarnings(stderr, early)
	if err := strictCheck(c.strict, early); err != nil {
		return err
	}
	ref, err := loadQuantReference(&c.quantConfig)
	if err != nil {
		return err
	}

	cpus := c.threads
	if cpus <= 0 {
		cpus = runtime.NumCPU()
	}
	// -threads is the CPU budget: samples run in parallel, one worker per
	// CPU, so memory holds one sample's distinct inserts per worker.
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(cpus))
	workers := min(cpus, len(sh.Rows))
	perSample := max(1, cpus/workers)

	prog := newProgress(stderr, sh, c.quiet)
	defer prog.stop()
	results := make([]*sampleResult, len(sh.Rows))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(workers)
	for i, row := range sh.Rows {
		g.Go(func() error {
			r, err := runSample(gctx, c, ref, multi, row, perSample, prog.counter(i))
			if err != nil {
				return fmt.Errorf("sample %s (%s): %w", row.Sample, row.Path, err)
			}
			results[i] = r
			prog.done(i, r)
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return err
	}
	prog.stop()
	var ws []quant.Warning
	for _, r := range results {
		ws = append(ws, r.warnings...)
	}
	later := studyWarnings(sh, results)
	ws = append(ws, later...)
	printWarnings(stderr, ws) // the early ones were printed before the work
	study := append(early, later...)
	if err := strictCheck(c.strict, ws); err != nil {
		return err
	}
	return writeStudy(ctx, c, sh, ref, results, study, stdout, stderr, start)
}

// studyWarnings runs the study-level checks: kits and covariates against
// the condition, look-alike condition levels.
func studyWarnings(sh *sheet, results []*sampleResult) []quant.Warning {
	ss := make([]quant.StudySample, len(results))
	for i, r := range results {
		ss[i] = quant.StudySample{Name: sh.Rows[i].Sample, Condition: sh.Rows[i].Condition, Protocol: r.protocol}
	}
	covs := make([]quant.Covariate, len(sh.Extra))
	for k, name := range sh.Extra {
		covs[k].Name = name
		for _, row := range sh.Rows {
			covs[k].Values = append(covs[k].Values, row.Extra[k])
		}
	}
	return quant.CheckStudy(ss, covs)
}

// runSample turns one sample's reads (or alignments) into counts.
func runSample(ctx context.Context, c *runConfig, ref *quant.Reference, multi quant.Multi, row sheetRow, threads int, read *atomic.Int64) (*sampleResult, error) {
	o := quant.Options{Multi: multi, Threads: threads, SinglePass: c.mismatches == 1}
	lower := strings.ToLower(row.Path)
	if strings.HasSuffix(lower, ".bam") || strings.HasSuffix(lower, ".sam") {
		qc := c.quantConfig
		qc.bam, qc.sample = row.Path, row.Sample
		s, err := quantBAM(&qc, ref, o)
		if err != nil {
			return nil, err
		}
		ws := quant.CheckSample(row.Sample, nil, s)
		s.SetWarnings(ws)
		return &sampleResult{q: s, adapter: "(BAM input)", warnings: ws}, nil
	}
	// The file is decompressed by seq (sniffed), so progress counts the
	// bytes of the file itself.
	f, err := os.Open(row.Path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	qc := c.quantConfig
	qc.sample, qc.threads = row.Sample, threads
	s, res, err := quantReads(ctx, &qc, ref, o, &countingReader{r: f, n: read}, row.Path)
	if err != nil {
		return nil, err
	}
	s.SortIsomirs() // here, in parallel, rather than in the final GFF write
	ws := quant.CheckSample(row.Sample, &res.Summary, s)
	s.SetWarnings(ws)
	return &sampleResult{q: s, lengths: res.Summary.LengthsInsert, adapter: res.Summary.Adapter,
		protocol: res.Summary.Protocol, warnings: ws}, nil
}

// checkDesign verifies, before any reads are processed, that the design's
// variables are samplesheet columns.
func checkDesign(c *runConfig, sh *sheet) error {
	f := strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(c.design), "~"))
	for _, term := range strings.Split(f, "+") {
		term = strings.TrimSpace(term)
		if term == "" || term == "1" || term == "condition" {
			continue
		}
		if !containsString(sh.Extra, term) {
			return fmt.Errorf("-design %q: %q is not a column of %s (columns: condition %s)", c.design, term, sh.File, strings.Join(sh.Extra, " "))
		}
	}
	if c.contrast == "" {
		return nil
	}
	parts := strings.Split(c.contrast, ",")
	if len(parts) != 3 {
		return fmt.Errorf("-contrast %q: want variable,numerator,denominator", c.contrast)
	}
	var values []string
	switch k := indexString(sh.Extra, parts[0]); {
	case parts[0] == "condition":
		for _, r := range sh.Rows {
			values = append(values, r.Condition)
		}
	case k >= 0:
		for _, r := range sh.Rows {
			values = append(values, r.Extra[k])
		}
	default:
		return fmt.Errorf("-contrast %q: %q is not a column of %s (columns: condition %s)", c.contrast, parts[0], sh.File, strings.Join(sh.Extra, " "))
	}
	var levels []string
	for _, v := range values {
		if !containsString(levels, v) {
			levels = append(levels, v)
		}
	}
	for _, lvl := range parts[1:] {
		if !containsString(levels, lvl) {
			return fmt.Errorf("-contrast %q: %s %q is absent from %s (levels: %s)", c.contrast, parts[0], lvl, sh.File, strings.Join(levels, ", "))
		}
	}
	return nil
}

func indexString(xs []string, x string) int {
	for i, y := range xs {
		if y == x {
			return i
		}
	}
	return -1
}

// countingReader counts the bytes read, for progress.
type countingReader struct {
	r io.Reader
	n *atomic.Int64
}

func (cr *countingReader) Read(p []byte) (int, error) {
	n, err := cr.r.Read(p)
	cr.n.Add(int64(n))
	return n, err
}

// writeStudy runs DE (when possible) and writes every study output. Each
// file is filled as a temporary and all are renamed into place at the
// end, so that an error or -strict leaves no output behind.
func writeStudy(ctx context.Context, c *runConfig, sh *sheet, ref *quant.Reference, results []*sampleResult, study []quant.Warning, stdout, stderr io.Writer, start time.Time) error {
	samples := make([]*quant.Sample, len(results))
	for i, r := range results {
		samples[i] = r.q
	}
	out := func(name string) string { return filepath.Join(c.out, name) }
	matureNames := make([]string, len(ref.Features))
	for i, f := range ref.Features {
		matureNames[i] = f.Name
	}
	hairpinNames := make([]string, len(ref.Hairpins))
	for i, h := range ref.Hairpins {
		hairpinNames[i] = h.Name
	}
	// DE reads the matrix and the coldata as the files will hold them.
	var counts, coldata bytes.Buffer
	if err := writeMatrix(&counts, matureNames, samples, func(s *quant.Sample) []int64 { return s.Mature }); err != nil {
		return err
	}
	if err := writeColData(&coldata, sh); err != nil {
		return err
	}
	// The outputs are one result set: written into a staging folder, they
	// replace the previous run's outputs together, or not at all.
	set, err := resultset.Begin(c.out, "run")
	if err != nil {
		return err
	}
	defer set.Abort()
	// The isomiR file is the largest output: fill it while DE runs.
	gff, err := set.Create("isomirs.gff3")
	if err != nil {
		return err
	}
	defer gff.Abort()
	gffDone := make(chan error, 1)
	go func() { gffDone <- quant.WriteIsomirGFF(gff.Writer, samples, gffOptions(&c.quantConfig)) }()
	de, deNote, deWarn, err := studyDE(c, sh, counts.Bytes(), coldata.Bytes())
	if err == nil {
		printWarnings(stderr, deWarn)
		study = append(study, deWarn...)
		err = strictCheck(c.strict, deWarn)
	}
	if gerr := <-gffDone; err == nil && gerr != nil {
		err = fmt.Errorf("write %s: %w", out("isomirs.gff3"), gerr)
	}
	if err == nil {
		err = gff.Commit()
	}
	if err != nil {
		return err
	}
	qc := reportSamples(sh, results)
	write := []outFile{
		{"mirna_counts.tsv", func(w *bufio.Writer) error { _, err := w.Write(counts.Bytes()); return err }},
		{"hairpin_counts.tsv", func(w *bufio.Writer) error {
			return writeMatrix(w, hairpinNames, samples, func(s *quant.Sample) []int64 { return s.Hairpin })
		}},
		{"summary.tsv", func(w *bufio.Writer) error { return writeStudySummary(w, sh, results, study) }},
		{"coldata.tsv", func(w *bufio.Writer) error { _, err := w.Write(coldata.Bytes()); return err }},
		{"exomir_accounting_mqc.tsv", func(w *bufio.Writer) error { return report.WriteMultiQCAccounting(w, qc) }},
		{"exomir_general_stats_mqc.tsv", func(w *bufio.Writer) error { return report.WriteMultiQCGeneralStats(w, qc) }},
		{"exomir_lengths_mqc.json", func(w *bufio.Writer) error { return report.WriteMultiQCLengths(w, qc) }},
		{"report.html", func(w *bufio.Writer) error {
			return report.WriteHTML(w, reportData(c, qc, samples, matureNames, de, study))
		}},
	}
	write = append(write, extraStudyFiles(c, sh, samples, results)...)
	if de != nil {
		write = append(write,
			outFile{"de.tsv", func(w *bufio.Writer) error { return diffexp.WriteResults(w, de.res) }},
			outFile{"roc.tsv", func(w *bufio.Writer) error { return diffexp.WriteROC(w, de.rocs) }})
	}
	for _, f := range write {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := set.WriteFile(f.name, f.fill); err != nil {
			return err
		}
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := set.Commit(); err != nil {
		return err
	}
	if deNote != "" {
		c.notes = append(c.notes, deNote)
	}
	c.notes = append(c.notes, "report: "+out("report.html"))
	var reads, mirna int64
	for _, s := range qc {
		reads += s.InputReads
		mirna += s.MiRNAReads
	}
	fmt.Fprintf(stdout, "exomir run: %d samples, %d reads (%d on miRNAs) in %.1f s\n", len(results), reads, mirna, time.Since(start).Seconds())
	for _, n := range c.notes {
		fmt.Fprintln(stdout, n)
	}
	return nil
}

// outFile is one study output and what fills it.
type outFile struct {
	name string
	fill func(w *bufio.Writer) error
}

// reportData gathers what the report shows.
func reportData(c *runConfig, qc []report.Sample, samples []*quant.Sample, matureNames []string, de *studyResult, study []quant.Warning) *report.Data {
	data := &report.Data{
		Title:    "exomir study: " + filepath.Base(c.sheet),
		Samples:  qc,
		Features: matureNames,
		Alpha:    0.1,
	}
	for _, w := range study {
		data.StudyWarnings = append(data.StudyWarnings, report.Warning{Code: string(w.Code), Message: w.Message})
	}
	data.Counts = make([][]float64, len(matureNames))
	for f := range matureNames {
		row := make([]float64, len(samples))
		for s, q := range samples {
			row[s] = float64(q.Mature[f])
		}
		data.Counts[f] = row
	}
	if de != nil {
		data.Contrast = de.contrast
		data.SizeFactors = de.res.SizeFactors
		for i, f := range de.res.Features {
			data.DE = append(data.DE, report.DERow{Feature: f, BaseMean: de.res.BaseMean[i],
				Log2FC: de.res.Log2FoldChange[i], PValue: de.res.PValue[i], PAdj: de.res.PAdj[i]})
		}
		for _, r := range de.rocs {
			data.ROC = append(data.ROC, report.ROCRow{Feature: r.Feature, AUC: r.AUC, Lower: r.Lower, Upper: r.Upper, Direction: r.Direction})
		}
	}
	return data
}

// writeMatrix writes a feature × sample count matrix.
func writeMatrix(w io.Writer, names []string, samples []*quant.Sample, counts func(*quant.Sample) []int64) error {
	bw := bufio.NewWriter(w)
	bw.WriteString("mirna")
	for _, s := range samples {
		bw.WriteString("\t" + s.Name)
	}
	bw.WriteByte('\n')
	var buf []byte
	for f, name := range names {
		bw.WriteString(name)
		for _, s := range samples {
			buf = strconv.AppendInt(append(buf[:0], '\t'), counts(s)[f], 10)
			bw.Write(buf)
		}
		bw.WriteByte('\n')
	}
	return bw.Flush()
}

// writeStudySummary writes metrics × samples: every summary row of the
// samples (reads_* categories, adapter, RNA classes, warnings) plus miRNA
// complexity and the study-level warning codes (the same in every
// column).
func writeStudySummary(w io.Writer, sh *sheet, results []*sampleResult, study []quant.Warning) error {
	var metrics []string
	values := make([]map[string]string, len(results))
	for i, r := range results {
		values[i] = map[string]string{"condition": sh.Rows[i].Condition}
		for _, st := range r.q.Stats {
			if !containsString(metrics, st.Name) {
				metrics = append(metrics, st.Name)
			}
			values[i][st.Name] = st.Value
		}
		var detected, detected10 int
		for _, v := range r.q.Mature {
			if v >= 1 {
				detected++
			}
			if v >= 10 {
				detected10++
			}
		}
		values[i]["mirnas_detected"] = strconv.Itoa(detected)
		values[i]["mirnas_detected_10"] = strconv.Itoa(detected10)
	}
	metrics = append([]string{"condition"}, metrics...)
	metrics = append(metrics, "mirnas_detected", "mirnas_detected_10", "study_warnings")
	for i := range values {
		values[i]["study_warnings"] = quant.WarningCodes(study)
	}
	bw := bufio.NewWriter(w)
	bw.WriteString("metric")
	for _, r := range sh.Rows {
		bw.WriteString("\t" + r.Sample)
	}
	bw.WriteByte('\n')
	for _, m := range metrics {
		bw.WriteString(m)
		for i := range results {
			v, ok := values[i][m]
			if !ok {
				v = "NA"
			}
			bw.WriteString("\t" + v)
		}
		bw.WriteByte('\n')
	}
	return bw.Flush()
}

// writeColData writes sample, condition and covariates for DESeq2/edgeR.
func writeColData(w io.Writer, sh *sheet) error {
	bw := bufio.NewWriter(w)
	bw.WriteString("sample\tcondition")
	for _, e := range sh.Extra {
		bw.WriteString("\t" + e)
	}
	bw.WriteByte('\n')
	for _, r := range sh.Rows {
		bw.WriteString(r.Sample + "\t" + r.Condition)
		for _, v := range r.Extra {
			bw.WriteString("\t" + v)
		}
		bw.WriteByte('\n')
	}
	return bw.Flush()
}

// reportSamples turns the samples' summaries into the report's QC rows.
func reportSamples(sh *sheet, results []*sampleResult) []report.Sample {
	out := make([]report.Sample, len(results))
	for i, r := range results {
		s := report.Sample{Name: r.q.Name, Condition: sh.Rows[i].Condition, InsertLengths: r.lengths, Adapter: r.adapter}
		for _, w := range r.warnings {
			s.Warnings = append(s.Warnings, report.Warning{Code: string(w.Code), Message: w.Message})
		}
		num := func(name string) int64 {
			v, _ := r.q.Stat(name)
			n, _ := strconv.ParseInt(v, 10, 64)
			return n
		}
		s.InputReads = num("input_reads")
		s.MiRNAReads = num("reads_mirna")
		for _, st := range r.q.Stats {
			n, err := strconv.ParseInt(st.Value, 10, 64)
			if err != nil {
				continue
			}
			switch {
			case strings.HasPrefix(st.Name, "reads_"):
				s.Accounting = append(s.Accounting, report.Category{Name: st.Name, Reads: n})
			case strings.HasPrefix(st.Name, "class_"):
				s.Classes = append(s.Classes, report.Category{Name: strings.TrimPrefix(st.Name, "class_"), Reads: n})
			}
		}
		// Composition of the passed reads: miRNA, hairpin only, the other
		// classes, unmapped.
		classes := []report.Category{{Name: "miRNA", Reads: num("reads_mirna")}, {Name: "hairpin only", Reads: num("reads_hairpin_only")}}
		classes = append(classes, s.Classes...)
		s.Classes = append(classes, report.Category{Name: "unmapped", Reads: num("reads_unmapped")})
		out[i] = s
	}
	return out
}
