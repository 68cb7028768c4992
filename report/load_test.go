package report

import (
	"bytes"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Load reads every file of the fixture run folder into the report's data;
// the expected values are read off the fixture files.
func TestLoadFixture(t *testing.T) {
	d, err := Load("testdata/fixture")
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Samples) != 6 || d.Samples[0].Name != "tumor1" || d.Samples[0].Condition != "tumor" || d.Samples[3].Condition != "control" {
		t.Fatalf("samples: %+v", d.Samples)
	}
	s := d.Samples[0]
	// summary.tsv, column tumor1
	if s.InputReads != 40000 || s.MiRNAReads != 32000 || s.Adapter != "TGGAATTCTCGGGTGCCAAGG" {
		t.Errorf("tumor1: input %d, miRNA %d, adapter %q", s.InputReads, s.MiRNAReads, s.Adapter)
	}
	var sum int64
	for _, c := range s.Accounting {
		sum += c.Reads
	}
	if sum != s.InputReads {
		t.Errorf("accounting sums to %d, input %d", sum, s.InputReads)
	}
	if len(s.Classes) != 11 || s.Classes[0].Name != "miRNA" || s.Classes[2].Name != "tRNA" || s.Classes[10].Name != "unmapped" {
		t.Errorf("classes: %+v", s.Classes)
	}
	if len(s.TRF) != 5 || s.TRF[0].Name != "5p_tRF" || len(s.Clades) != 4 || len(s.IsomiR) != 8 || len(s.QCFlags) != 3 {
		t.Errorf("tRF %v, clades %v, isomiR %v, QC %v", s.TRF, s.Clades, s.IsomiR, s.QCFlags)
	}
	if s.IsomiR[0].Name != "canonical" || s.IsomiR[0].Value <= 0.35 || s.IsomiR[0].Value >= 0.5 {
		t.Errorf("isomiR canonical: %+v", s.IsomiR[0])
	}
	if len(s.InsertLengths) < 23 || s.InsertLengths[22] == 0 {
		t.Errorf("insert lengths: %v", s.InsertLengths)
	}
	if len(d.Features) != 300 || len(d.Counts) != 300 || len(d.SizeFactors) != 6 || len(d.DE) != 300 || len(d.ROC) != 300 {
		t.Errorf("features %d, counts %d, size factors %d, DE %d, ROC %d", len(d.Features), len(d.Counts), len(d.SizeFactors), len(d.DE), len(d.ROC))
	}
	if d.Contrast != "tumor vs control" {
		t.Errorf("contrast %q", d.Contrast)
	}
	if len(d.SpikeIns) != 5 || d.SpikeIns[3].Name != "cel-miR-39-3p" || len(d.SpikeIns[0].Counts) != 6 {
		t.Errorf("spike-ins: %+v", d.SpikeIns)
	}
	if len(d.Exogenous) != 6 || d.Exogenous[0].Species != "Epstein-Barr virus" {
		t.Errorf("exogenous: %+v", d.Exogenous)
	}
	if len(d.Editing) != 30 || d.Editing[0].MiRNA != "hsa-miR-376a-3p" || d.Editing[0].Position != 6 || d.Editing[0].PAdj != 1.2e-8 || !math.IsNaN(d.Editing[29].PAdj) {
		t.Errorf("editing: %d rows, first %+v, last %+v", len(d.Editing), d.Editing[0], d.Editing[len(d.Editing)-1])
	}
	sig := d.Signature
	if sig == nil || sig.AUC != (Interval{0.8125, 0.6903, 0.9347}) || len(sig.Folds) != 3 || len(sig.ROC) != 11 || len(sig.Stability) != 30 ||
		len(sig.Terms) != 9 || sig.Terms[0] != "(Intercept)" || len(sig.Lambdas) != 3 || sig.Lambdas[0] != "lambda=0.2" {
		t.Fatalf("signature: %+v", sig)
	}
	var html bytes.Buffer
	if err := WriteHTML(&html, d); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"trf", "roc", "auc", "spikein", "clades", "editlevels", "isomir", "sigroc", "stability"} {
		i := strings.Index(html.String(), `<figure id="`+id+`"`)
		if i < 0 || !strings.Contains(html.String()[i:i+strings.Index(html.String()[i:], "</figure>")], "<svg") {
			t.Errorf("figure %s missing or without SVG", id)
		}
	}
	for _, id := range []string{"biomarkers", "spikeins", "exogenous", "editing", "isomirs", "evqc", "signature"} {
		if !strings.Contains(html.String(), `<h2 id="`+id+`"`) {
			t.Errorf("section %s missing", id)
		}
	}
	for _, want := range []string{"3&#39; addition A (%)", `<td class="fail">fail</td>`, "5&#39; tRF", "ebv-miR-BART1-5p", "lambda=0.05"} {
		if !strings.Contains(html.String(), want) {
			t.Errorf("page lacks %q", want)
		}
	}
}

// Without the optional files, none of their sections appears.
func TestOptionalSectionsAbsent(t *testing.T) {
	var html bytes.Buffer
	if err := WriteHTML(&html, testData()); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"trf", "spikeins", "exogenous", "editing", "isomirs", "evqc", "signature"} {
		if strings.Contains(html.String(), `id="`+id+`"`) {
			t.Errorf("section %s shown without data", id)
		}
	}
}

// copyFixture copies the summary, sample sheet and count matrix of
// testdata/fixture into a new temporary folder and returns it.
func copyFixture(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for _, f := range []string{"summary.tsv", "coldata.tsv", "mirna_counts.tsv"} {
		b, err := os.ReadFile(filepath.Join("testdata/fixture", f))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, f), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// A bad file is an error naming the file and line; a missing summary
// names summary.tsv.
func TestLoadErrors(t *testing.T) {
	if _, err := Load(t.TempDir()); !errors.Is(err, ErrNoSummary) {
		t.Errorf("empty folder: %v", err)
	}
	for _, c := range []struct{ file, text, want string }{
		{"spikein_counts.tsv", "spikein\ttumor1\ttumor2\ttumor3\tcontrol1\tcontrol2\tcontrol3\nUniSp2\t1\t2\t3\n", "spikein_counts.tsv:2: 4 fields"},
		{"spikein_counts.tsv", "spike\ttumor1\n", `spikein_counts.tsv:1: no column "spikein"`},
		{"editing.tsv", "mirna\tposition\tsample\tedited\tcovering\tlevel\tpadj\nm\tsix\ttumor1\t1\t2\t0.5\t0.1\n", `editing.tsv: data row 1, column position: "six"`},
		{"exogenous_counts.tsv", "mirna\tspecies\ttumor1\nm\tvirus\t3\n", `no column for sample "tumor2"`},
		{"summary.tsv", "metric\ttumor1\nisomir_canonical_frac\thalf\n", `summary.tsv:2: isomir_canonical_frac of tumor1: "half"`},
		{"roc.tsv", "mirna\tauc\tlower\tupper\tdirection\nm\t0.9\t0.8\t1\tup\nm2\t0.9\t0.8\t1\tsideways\n", `roc.tsv: data row 2, column direction: "sideways" is not up or down`},
	} {
		dir := copyFixture(t)
		if err := os.WriteFile(filepath.Join(dir, c.file), []byte(c.text), 0o644); err != nil {
			t.Fatal(err)
		}
		_, err := Load(dir)
		if !errors.Is(err, ErrFormat) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got %v, want ErrFormat with %q", c.file, err, c.want)
		}
	}
}

// edgeR's columns (exomir de -method edger-ql) are read too: logFC as the
// fold change, PValue and FDR, 2^logCPM as the mean level.
func TestLoadEdgeRResults(t *testing.T) {
	dir := copyFixture(t)
	de := "mirna\tlogFC\tlogCPM\tF\tPValue\tFDR\nhsa-let-7a-5p\t-1.5\t3\t12.1\t0.001\t0.02\nhsa-miR-21-5p\tNA\t1\tNA\tNA\tNA\n"
	if err := os.WriteFile(filepath.Join(dir, "de.tsv"), []byte(de), 0o644); err != nil {
		t.Fatal(err)
	}
	d, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(d.DE) != 2 {
		t.Fatalf("%d DE rows", len(d.DE))
	}
	r := d.DE[0]
	if r.Feature != "hsa-let-7a-5p" || r.Log2FC != -1.5 || r.BaseMean != 8 || r.PValue != 0.001 || r.PAdj != 0.02 {
		t.Errorf("row 1: %+v", r)
	}
	if !math.IsNaN(d.DE[1].PAdj) || !math.IsNaN(d.DE[1].Log2FC) {
		t.Errorf("NA row: %+v", d.DE[1])
	}
}

// TestLoadIsomirFractionRows: exomir's summary holds isomir_<name> reads
// and isomir_<name>_frac fractions; the profile is the fractions only.
func TestLoadIsomirFractionRows(t *testing.T) {
	dir := t.TempDir()
	summary := "metric\ts1\ninput_reads\t100\nisomir_reads\t80\nisomir_distinct\t12\nisomir_canonical\t20\nisomir_canonical_frac\t0.2500\n" +
		"isomir_5p_shift\t8\nisomir_5p_shift_frac\t0.1000\nisomir_error_reads\t3\n"
	if err := os.WriteFile(filepath.Join(dir, "summary.tsv"), []byte(summary), 0o644); err != nil {
		t.Fatal(err)
	}
	d, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	got := d.Samples[0].IsomiR
	want := []Value{{"canonical", 0.25}, {"5p_shift", 0.1}}
	if len(got) != len(want) || got[0] != want[0] || got[1] != want[1] {
		t.Errorf("isomiR profile %v, want %v", got, want)
	}
}
