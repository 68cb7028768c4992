package study

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/exomir/exomir/diffexp"
	"github.com/exomir/exomir/internal/resultset"
	"github.com/exomir/exomir/quant"
	"github.com/exomir/exomir/report"
)

// Output is one file of a study's results and what fills it. Write stops
// with ctx's error once ctx is done: the streamed outputs check it every
// few thousand lines, the others at every buffer they write.
type Output struct {
	Name  string
	Write func(ctx context.Context, w io.Writer) error
}

// Outputs lists the files of the study, in the order Write writes them.
// A new output is one more entry here.
func (r *Result) Outputs() []Output {
	out := []Output{
		{"isomirs.gff3", r.WriteIsomirGFF},
		{"mirna_counts.tsv", checked(func(w io.Writer) error {
			return writeMatrix(w, featureNames(r.Ref), r.Samples, func(s *Sample) sparse { return s.mature })
		})},
		{"hairpin_counts.tsv", checked(func(w io.Writer) error {
			return writeMatrix(w, hairpinNames(r.Ref), r.Samples, func(s *Sample) sparse { return s.hairpin })
		})},
		{"isomir_counts.tsv", r.WriteIsomirCounts},
		{"summary.tsv", checked(r.writeSummary)},
		{"coldata.tsv", checked(r.writeColData)},
		{"exomir_accounting_mqc.tsv", checked(func(w io.Writer) error { return report.WriteMultiQCAccounting(w, r.reportSamples()) })},
		{"exomir_general_stats_mqc.tsv", checked(func(w io.Writer) error { return report.WriteMultiQCGeneralStats(w, r.reportSamples()) })},
		{"exomir_lengths_mqc.json", checked(func(w io.Writer) error { return report.WriteMultiQCLengths(w, r.reportSamples()) })},
		{"exomir_isomirs_mqc.tsv", checked(r.writeMultiQCIsomirs)},
		{"report.html", func(ctx context.Context, w io.Writer) error {
			data, err := r.Report(ctx)
			if err != nil {
				return err
			}
			return report.WriteHTML(ctxWriter{ctx, w}, data)
		}},
	}
	out = append(out, r.smallRNAOutputs()...)
	out = append(out, r.extraOutputs()...)
	if r.DE != nil {
		out = append(out,
			Output{"de.tsv", checked(func(w io.Writer) error { return diffexp.WriteResults(w, r.DE.Results) })},
			Output{"roc.tsv", checked(func(w io.Writer) error { return diffexp.WriteROC(w, r.DE.ROC) })})
	}
	if d := r.IsomirDE; d != nil {
		out = append(out, Output{"de_isomirs.tsv", checked(func(w io.Writer) error { return diffexp.WriteIsomirDE(w, d.Levels, d.Results) })})
	}
	return out
}

// checked turns a writer without a context into an Output's Write: its
// writes fail with ctx's error once ctx is done.
func checked(write func(w io.Writer) error) func(context.Context, io.Writer) error {
	return func(ctx context.Context, w io.Writer) error { return write(ctxWriter{ctx, w}) }
}

// ctxWriter fails every write once ctx is done. The writers behind it
// buffer their lines (4 KB at a time), so ctx is checked every few dozen
// lines at little cost.
type ctxWriter struct {
	ctx context.Context
	w   io.Writer
}

func (c ctxWriter) Write(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.w.Write(p)
}

// Write writes every output of the study into dir (created if missing)
// as one set: they replace the previous run's outputs together, or not at
// all (an error or a cancelled ctx leaves the previous ones, and no
// half-written file). With Config.WorkDir it also writes manifest.json.
func (r *Result) Write(ctx context.Context, dir string) error {
	set, err := resultset.Begin(dir, "run")
	if err != nil {
		return err
	}
	defer set.Abort()
	sizes := map[string]int64{}
	for _, o := range r.Outputs() {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := set.WriteFile(o.Name, func(w *bufio.Writer) error { return o.Write(ctx, w) }); err != nil {
			return err
		}
		st, err := os.Stat(set.Path(o.Name))
		if err != nil {
			return err
		}
		sizes[o.Name] = st.Size()
	}
	if r.man != nil {
		m := *r.man
		m.Outputs, m.Seconds = sizes, r.Seconds
		err := set.WriteFile(manifestName, func(w *bufio.Writer) error {
			enc := json.NewEncoder(w)
			enc.SetIndent("", "  ")
			return enc.Encode(&m)
		})
		if err != nil {
			return err
		}
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	return set.Commit()
}

// WriteIsomirGFF writes the isomiRs of every sample as one mirGFF3 file,
// read back from the work folder when the samples were spilled there. It
// stops with ctx's error once ctx is done.
func (r *Result) WriteIsomirGFF(ctx context.Context, w io.Writer) error {
	qs := make([]*quant.Sample, len(r.Samples))
	for i, s := range r.Samples {
		qs[i] = s.Quant
	}
	if r.spill == "" {
		return quant.WriteIsomirGFF(ctxWriter{ctx, w}, qs, r.Config.gffOptions())
	}
	inputs := make([]io.Reader, len(qs))
	files := make([]string, len(qs))
	for i, s := range qs {
		files[i] = filepath.Join(r.spill, s.Name+gffSuffix)
		f, err := os.Open(files[i])
		if err != nil {
			return err
		}
		defer f.Close()
		inputs[i] = f
	}
	return quant.MergeIsomirGFF(ctx, ctxWriter{ctx, w}, r.Ref, inputs, files, r.Config.gffOptions())
}

// writeMatrix writes a feature × sample count matrix (header "mirna").
func writeMatrix(w io.Writer, names []string, samples []*Sample, counts func(*Sample) sparse) error {
	return writeRows(w, "mirna", names, samples, counts)
}

// featureNames and hairpinNames are the rows of the count matrices.
func featureNames(ref *quant.Reference) []string {
	names := make([]string, len(ref.Features))
	for i, f := range ref.Features {
		names[i] = f.Name
	}
	return names
}

func hairpinNames(ref *quant.Reference) []string {
	names := make([]string, len(ref.Hairpins))
	for i, h := range ref.Hairpins {
		names[i] = h.Name
	}
	return names
}

// writeSummary writes metrics × samples: every summary row of the
// samples (reads_* categories, adapter, RNA classes, warnings) plus miRNA
// complexity and the study-level warning codes (the same in every
// column).
func (r *Result) writeSummary(w io.Writer) error {
	sh := r.Sheet
	var metrics []string
	values := make([]map[string]string, len(r.Samples))
	for i, s := range r.Samples {
		values[i] = map[string]string{"condition": sh.Rows[i].Condition}
		for _, st := range s.Quant.Stats {
			if !containsString(metrics, st.Name) {
				metrics = append(metrics, st.Name)
			}
			values[i][st.Name] = st.Value
		}
		var det quant.Detected
		s.mature.each(func(_ int, v int64) { det.Add(float64(v)) })
		det.SetRows(values[i])
	}
	metrics = append([]string{"condition"}, metrics...)
	metrics = append(metrics, "mirnas_detected", "mirnas_detected_10", "study_warnings")
	for i := range values {
		values[i]["study_warnings"] = quant.WarningCodes(r.Warnings)
	}
	bw := bufio.NewWriter(w)
	bw.WriteString("metric")
	for _, row := range sh.Rows {
		bw.WriteString("\t" + row.Sample)
	}
	bw.WriteByte('\n')
	for _, m := range metrics {
		bw.WriteString(m)
		for i := range r.Samples {
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
func (r *Result) writeColData(w io.Writer) error {
	sh := r.Sheet
	bw := bufio.NewWriter(w)
	bw.WriteString("sample\tcondition")
	for _, e := range sh.Extra {
		bw.WriteString("\t" + e)
	}
	bw.WriteByte('\n')
	for _, row := range sh.Rows {
		bw.WriteString(row.Sample + "\t" + row.Condition)
		for _, v := range row.Extra {
			bw.WriteString("\t" + v)
		}
		bw.WriteByte('\n')
	}
	return bw.Flush()
}

// reportSamples turns the samples' summaries into the report's QC rows.
func (r *Result) reportSamples() []report.Sample {
	out := make([]report.Sample, len(r.Samples))
	for i, rs := range r.Samples {
		q := rs.Quant
		s := report.Sample{Name: q.Name, Condition: r.Sheet.Rows[i].Condition, InsertLengths: rs.Lengths, Adapter: rs.Adapter}
		for _, w := range rs.Warnings {
			s.Warnings = append(s.Warnings, report.Warning{Code: string(w.Code), Message: w.Message})
		}
		for _, st := range q.Stats {
			// the rows come from quant, whose numbers always parse
			_ = s.AddSummaryRow(st.Name, st.Value)
		}
		s.ComposeClasses()
		out[i] = s
	}
	return out
}

// reportData gathers what the report shows.
func (r *Result) reportData(ctx context.Context) (*report.Data, error) {
	names := featureNames(r.Ref)
	data := &report.Data{
		Title:    "exomir study: " + filepath.Base(r.Sheet.File),
		Samples:  r.reportSamples(),
		Features: names,
		Alpha:    0.1,
	}
	data.SpikeIns = r.reportSpikeins()
	for _, w := range r.Warnings {
		data.StudyWarnings = append(data.StudyWarnings, report.Warning{Code: string(w.Code), Message: w.Message})
	}
	data.Counts = make([][]float64, len(names))
	for f := range names {
		data.Counts[f] = make([]float64, len(r.Samples))
	}
	for j, s := range r.Samples {
		s.mature.each(func(i int, v int64) { data.Counts[i][j] = float64(v) })
	}
	if de := r.DE; de != nil {
		data.Contrast = de.Contrast[1] + " vs " + de.Contrast[2]
		data.SizeFactors = de.Results.SizeFactors
		res := de.Results
		for i, f := range res.Features {
			data.DE = append(data.DE, report.DERow{Feature: f, BaseMean: res.BaseMean[i],
				Log2FC: res.Log2FoldChange[i], PValue: res.PValue[i], PAdj: res.PAdj[i]})
		}
		for _, x := range de.ROC {
			data.ROC = append(data.ROC, report.ROCRow{Feature: x.Feature, AUC: x.AUC, Lower: x.Lower, Upper: x.Upper, Direction: x.Direction})
		}
	}
	if err := r.extraReport(ctx, data); err != nil {
		return nil, err
	}
	return data, nil
}

// Summary is one line about the study: samples, reads, reads on miRNAs.
func (r *Result) Summary() string {
	var reads, mirna int64
	for _, s := range r.reportSamples() {
		reads += s.InputReads
		mirna += s.MiRNAReads
	}
	return fmt.Sprintf("%d samples, %d reads (%d on miRNAs)", len(r.Samples), reads, mirna)
}
