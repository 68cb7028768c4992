package main

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/exomir/exomir/quant"
)

// fixture is a testdata FASTQ as an absolute path.
func fixture(t *testing.T, parts ...string) string {
	t.Helper()
	p, err := filepath.Abs(filepath.Join(append([]string{"..", "..", "testdata"}, parts...)...))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// writeSheet writes a samplesheet (rows of sample, condition, fastq and
// any covariates) under dir.
func writeSheet(t *testing.T, dir, header string, rows ...string) string {
	t.Helper()
	p := filepath.Join(dir, "sheet.tsv")
	if err := os.WriteFile(p, []byte(header+"\n"+strings.Join(rows, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// rowValues returns the cells of the named row of a metrics × samples (or
// metric/value) TSV.
func rowValues(t *testing.T, path, metric string) []string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		f := strings.Split(l, "\t")
		if f[0] == metric {
			return f[1:]
		}
	}
	t.Fatalf("%s has no row %q", path, metric)
	return nil
}

// entries lists the files in dir (none when it does not exist).
func entries(t *testing.T, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	var names []string
	for _, e := range es {
		names = append(names, e.Name())
	}
	return names
}

func TestQuantWarnsOnWrongKit(t *testing.T) {
	in := fixture(t, "fastq", "compsra01_nextflex.fq.gz")
	dir := t.TempDir()
	var stdout, stderr bytes.Buffer
	// NEXTflex reads trimmed as TruSeq: 1 miRNA read, exit 0, but loud.
	if code := runMain([]string{"quant", "-fastq", in, "-sample", "nf", "-protocol", "truseq", "-out", dir}, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	if !strings.Contains(stderr.String(), "warning: nf: mirna_low: miRNA ") || !strings.Contains(stderr.String(), "-protocol nextflex") {
		t.Errorf("stderr lacks the mirna_low warning naming nextflex:\n%s", stderr.String())
	}
	if got := rowValues(t, filepath.Join(dir, "nf.summary.tsv"), "warnings"); len(got) != 1 || got[0] != "mirna_low" {
		t.Errorf("warnings row %q", got)
	}
	// -strict: an error, and nothing written.
	strictDir := filepath.Join(t.TempDir(), "strict")
	stderr.Reset()
	code := runMain([]string{"quant", "-fastq", in, "-sample", "nf", "-protocol", "truseq", "-out", strictDir, "-strict", "-bam-out"}, &stdout, &stderr)
	if code == 0 || !strings.Contains(stderr.String(), "-strict") || !strings.Contains(stderr.String(), "warning: nf: mirna_low") {
		t.Errorf("-strict: exit %d, stderr %s", code, stderr.String())
	}
	if e := entries(t, strictDir); len(e) != 0 {
		t.Errorf("-strict left outputs: %v", e)
	}
	// The right kit: no warning, a "none" row.
	clean := t.TempDir()
	stderr.Reset()
	if code := runMain([]string{"quant", "-fastq", in, "-sample", "nf", "-out", clean, "-strict"}, &stdout, &stderr); code != 0 {
		t.Fatalf("auto: exit %d: %s", code, stderr.String())
	}
	if strings.Contains(stderr.String(), "warning:") {
		t.Errorf("auto-detected NEXTflex warns: %s", stderr.String())
	}
	if got := rowValues(t, filepath.Join(clean, "nf.summary.tsv"), "warnings"); got[0] != "none" {
		t.Errorf("warnings row %q, want none", got)
	}
}

func TestCollapseWarnsAndStrict(t *testing.T) {
	in := fixture(t, "fastq", "excerpt_v1.fq.gz")
	dir := t.TempDir()
	var stdout, stderr bytes.Buffer
	if code := runMain([]string{"collapse", "-in", in, "-protocol", "truseq", "-out", filepath.Join(dir, "v1")}, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	if !strings.Contains(stderr.String(), "warning: excerpt_v1: adapter_missing: adapter TGGAATTCTCGGGTGCCAAGG found in 0.3% of reads") {
		t.Errorf("stderr:\n%s", stderr.String())
	}
	if got := rowValues(t, filepath.Join(dir, "v1.summary.tsv"), "warnings"); got[0] != "adapter_missing;length_mode" {
		t.Errorf("warnings row %q", got)
	}
	strict := filepath.Join(t.TempDir(), "s")
	if code := runMain([]string{"collapse", "-in", in, "-protocol", "truseq", "-out", filepath.Join(strict, "v1"), "-strict"}, &stdout, &stderr); code == 0 {
		t.Error("-strict exited 0")
	}
	if e := entries(t, strict); len(e) != 0 {
		t.Errorf("-strict left outputs: %v", e)
	}
	stderr.Reset()
	if code := runMain([]string{"collapse", "-in", in, "-out", filepath.Join(dir, "auto"), "-strict"}, &stdout, &stderr); code != 0 || strings.Contains(stderr.String(), "warning:") {
		t.Errorf("auto: exit %d: %s", code, stderr.String())
	}
}

// A study with a wrong kit, read with -quiet: exit 0, warnings on stderr,
// in summary.tsv and in the report; -strict writes nothing.
func TestRunWarningsQuietAndStrict(t *testing.T) {
	dir := t.TempDir()
	// (one tumor sample: DE is skipped, which is a warning too; the v1
	// sample has no miRNA read, so DE could not run anyway)
	sheet := writeSheet(t, dir, "sample\tcondition\tfastq",
		"t1\ttumor\t"+fixture(t, "demo", "tumor1.fastq.gz"),
		"c1\tcontrol\t"+fixture(t, "demo", "control1.fastq.gz"),
		"v1\tcontrol\t"+fixture(t, "fastq", "excerpt_v1.fq.gz"))
	out := filepath.Join(dir, "out")
	var stdout, stderr bytes.Buffer
	if code := runMain([]string{"run", "-samplesheet", sheet, "-out", out, "-quiet", "-protocol", "truseq"}, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	for _, want := range []string{"warning: v1: adapter_missing: ", "warning: v1: mirna_low: ", "warning: study: de_skipped: default contrast tumor vs control: tumor has 1"} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("stderr with -quiet lacks %q:\n%s", want, stderr.String())
		}
	}
	for _, l := range strings.Split(strings.TrimSpace(stderr.String()), "\n") {
		if !strings.HasPrefix(l, "warning: ") {
			t.Errorf("-quiet printed a non-warning line %q", l)
		}
	}
	got := rowValues(t, filepath.Join(out, "summary.tsv"), "warnings")
	if strings.Join(got, " ") != "none none adapter_missing;length_mode;mirna_low" {
		t.Errorf("warnings row %q", got)
	}
	if got := rowValues(t, filepath.Join(out, "summary.tsv"), "study_warnings"); strings.Join(got, " ") != "de_skipped de_skipped de_skipped" {
		t.Errorf("study_warnings row %q", got)
	}
	html, err := os.ReadFile(filepath.Join(out, "report.html"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`<div class="notice" id="warnings">`, "4 warning(s)", "<code>adapter_missing</code>", "<code>de_skipped</code>", `<td class="warnings"><span title=`} {
		if !bytes.Contains(html, []byte(want)) {
			t.Errorf("report lacks %q", want)
		}
	}
	strict := filepath.Join(dir, "strict")
	stderr.Reset()
	code := runMain([]string{"run", "-samplesheet", sheet, "-out", strict, "-quiet", "-protocol", "truseq", "-strict"}, &stdout, &stderr)
	if code == 0 || !strings.Contains(stderr.String(), "3 warning(s)") {
		t.Errorf("-strict: exit %d, stderr %s", code, stderr.String())
	}
	if e := entries(t, strict); len(e) != 0 {
		t.Errorf("-strict left outputs: %v", e)
	}
}

// The demo study is clean: no warning line, "none" rows, no notice, and
// -strict passes.
func TestRunDemoHasNoWarnings(t *testing.T) {
	out := filepath.Join(t.TempDir(), "demo")
	var stdout, stderr bytes.Buffer
	if code := runMain([]string{"run", "-samplesheet", "../../testdata/demo/samplesheet.tsv", "-out", out, "-strict"}, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	if strings.Contains(stderr.String(), "warning:") {
		t.Errorf("demo warns:\n%s", stderr.String())
	}
	for _, row := range []string{"warnings", "study_warnings"} {
		for _, v := range rowValues(t, filepath.Join(out, "summary.tsv"), row) {
			if v != "none" {
				t.Errorf("%s row has %q", row, v)
			}
		}
	}
	html, _ := os.ReadFile(filepath.Join(out, "report.html"))
	if bytes.Contains(html, []byte(`class="notice"`)) {
		t.Error("clean report shows a warnings notice")
	}
}

// writeMiRNAFastq writes TruSeq reads (mature + adapter) with the given
// count of each mature sequence.
func writeMiRNAFastq(t *testing.T, path string, seqs []string, counts []int) {
	t.Helper()
	var b strings.Builder
	n := 0
	for i, s := range seqs {
		read := s + "TGGAATTCTCGGGTGCCAAGG"
		for k := 0; k < counts[i]; k++ {
			n++
			fmt.Fprintf(&b, "@r%d\n%s\n+\n%s\n", n, read, strings.Repeat("I", len(read)))
		}
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}

// Every miRNA has a zero in some sample: run falls back to poscounts and
// says so; de stops as DESeq2 does, and agrees with run given
// -sf-type poscounts.
func TestRunPoscountsFallbackWarns(t *testing.T) {
	ref, err := quant.Embedded("hsa")
	if err != nil {
		t.Fatal(err)
	}
	var seqs []string
	for _, f := range ref.Features {
		if len(seqs) == 40 {
			break
		}
		if len(f.Loci) > 0 && len(f.Names) == 1 && len(f.Seq) >= 20 {
			seqs = append(seqs, strings.ReplaceAll(string(f.Seq), "U", "T"))
		}
	}
	dir := t.TempDir()
	rng := rand.New(rand.NewPCG(1, 2))
	var rows []string
	for s := 0; s < 4; s++ {
		counts := make([]int, len(seqs))
		for i := range counts {
			if i%4 != s { // miRNA i is absent from sample i mod 4
				counts[i] = 5 + rng.IntN(60)
			}
		}
		name := fmt.Sprintf("s%d", s+1)
		writeMiRNAFastq(t, filepath.Join(dir, name+".fq"), seqs, counts)
		cond := "tumor"
		if s >= 2 {
			cond = "control"
		}
		rows = append(rows, name+"\t"+cond+"\t"+name+".fq")
	}
	sheet := writeSheet(t, dir, "sample\tcondition\tfastq", rows...)
	out := filepath.Join(dir, "out")
	var stdout, stderr bytes.Buffer
	if code := runMain([]string{"run", "-samplesheet", sheet, "-out", out, "-quiet", "-protocol", "truseq"}, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	if !strings.Contains(stderr.String(), "warning: study: de_poscounts: ") || !strings.Contains(stderr.String(), "poscounts size factors used") {
		t.Errorf("stderr lacks the poscounts warning:\n%s", stderr.String())
	}
	if got := rowValues(t, filepath.Join(out, "summary.tsv"), "study_warnings"); got[0] != "de_poscounts" {
		t.Errorf("study_warnings %q", got)
	}
	if !strings.Contains(stdout.String(), "poscounts size factors") {
		t.Errorf("stdout note: %s", stdout.String())
	}
	html, _ := os.ReadFile(filepath.Join(out, "report.html"))
	if !bytes.Contains(html, []byte("<code>de_poscounts</code>")) {
		t.Error("report lacks the poscounts notice")
	}
	runDE, err := os.ReadFile(filepath.Join(out, "de.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	// exomir de stops, as DESeq2 does ...
	deArgs := []string{"de", "-counts", filepath.Join(out, "mirna_counts.tsv"), "-coldata", filepath.Join(out, "coldata.tsv"), "-out", filepath.Join(dir, "de.tsv")}
	stderr.Reset()
	if code := runMain(deArgs, &stdout, &stderr); code == 0 || !strings.Contains(stderr.String(), "poscounts") {
		t.Errorf("de with ratio size factors: exit %d, %s", code, stderr.String())
	}
	// ... and with -sf-type poscounts gives run's results.
	if code := runMain(append(deArgs, "-sf-type", "poscounts"), &stdout, &stderr); code != 0 {
		t.Fatalf("de poscounts: %s", stderr.String())
	}
	deOut, _ := os.ReadFile(filepath.Join(dir, "de.tsv"))
	if !bytes.Equal(deOut, runDE) {
		t.Error("run's de.tsv differs from exomir de -sf-type poscounts")
	}
	// -strict: the DE warning stops the run, nothing is written.
	strict := filepath.Join(dir, "strict")
	if code := runMain([]string{"run", "-samplesheet", sheet, "-out", strict, "-quiet", "-protocol", "truseq", "-strict"}, &stdout, &stderr); code == 0 {
		t.Error("-strict exited 0")
	}
	if e := entries(t, strict); len(e) != 0 {
		t.Errorf("-strict left outputs: %v", e)
	}
}

// A condition typo is loud; DE is skipped with a warning when the default
// contrast has too few samples.
func TestRunConditionWarnings(t *testing.T) {
	dir := t.TempDir()
	demo := func(n string) string { return fixture(t, "demo", n+".fastq.gz") }
	sheet := writeSheet(t, dir, "sample\tcondition\tfastq",
		"t1\ttumor\t"+demo("tumor1"), "t2\ttumor\t"+demo("tumor2"), "t3\ttumour\t"+demo("tumor3"),
		"c1\tcontrol\t"+demo("control1"), "c2\tcontrol\t"+demo("control2"))
	out := filepath.Join(dir, "typo")
	var stdout, stderr bytes.Buffer
	if code := runMain([]string{"run", "-samplesheet", sheet, "-out", out, "-quiet"}, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	if !strings.Contains(stderr.String(), `warning: study: condition_similar: conditions "tumor" and "tumour" look alike`) {
		t.Errorf("stderr:\n%s", stderr.String())
	}
	// the default contrast still tests tumor vs control
	if !strings.Contains(stdout.String(), "de: tumor vs control") {
		t.Errorf("stdout: %s", stdout.String())
	}
	// tumor and tumour only: the default tumour vs tumor has one sample
	sheet = writeSheet(t, dir, "sample\tcondition\tfastq",
		"t1\ttumor\t"+demo("tumor1"), "t2\ttumor\t"+demo("tumor2"), "t3\ttumour\t"+demo("tumor3"))
	out = filepath.Join(dir, "skip")
	stderr.Reset()
	if code := runMain([]string{"run", "-samplesheet", sheet, "-out", out, "-quiet"}, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	if !strings.Contains(stderr.String(), "warning: study: de_skipped: default contrast tumour vs tumor: tumour has 1") {
		t.Errorf("stderr:\n%s", stderr.String())
	}
	if got := rowValues(t, filepath.Join(out, "summary.tsv"), "study_warnings"); got[0] != "condition_similar;de_skipped" {
		t.Errorf("study_warnings %q", got)
	}
	if _, err := os.Stat(filepath.Join(out, "de.tsv")); !os.IsNotExist(err) {
		t.Errorf("de.tsv written for a skipped DE: %v", err)
	}
}

// A contrast level that does not exist is an error naming the levels that
// do, in run (before any read) and in de.
func TestContrastTypoIsAnError(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "out")
	var stdout, stderr bytes.Buffer
	code := runMain([]string{"run", "-samplesheet", "../../testdata/demo/samplesheet.tsv", "-out", out, "-quiet", "-contrast", "condition,tumour,control"}, &stdout, &stderr)
	if code == 0 || !strings.Contains(stderr.String(), `condition "tumour" is absent`) || !strings.Contains(stderr.String(), "levels: tumor, control") {
		t.Errorf("run: exit %d: %s", code, stderr.String())
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("run created its output folder before the error")
	}
	// a covariate column works the same way
	sheet := writeSheet(t, dir, "sample\tcondition\tfastq\tbatch",
		"t1\ttumor\t"+fixture(t, "demo", "tumor1.fastq.gz")+"\tA",
		"c1\tcontrol\t"+fixture(t, "demo", "control1.fastq.gz")+"\tB")
	stderr.Reset()
	code = runMain([]string{"run", "-samplesheet", sheet, "-out", out, "-quiet", "-contrast", "batch,A,C"}, &stdout, &stderr)
	if code == 0 || !strings.Contains(stderr.String(), `batch "C" is absent`) || !strings.Contains(stderr.String(), "levels: A, B") {
		t.Errorf("run batch: exit %d: %s", code, stderr.String())
	}
	cp, dp := deFixture(t, dir, deCounts, deColdata)
	stderr.Reset()
	code = runMain([]string{"de", "-counts", cp, "-coldata", dp, "-contrast", "condition,tumour,control", "-out", filepath.Join(dir, "de.tsv")}, &stdout, &stderr)
	if code == 0 || !strings.Contains(stderr.String(), `level "tumour"`) || !strings.Contains(stderr.String(), "levels: control, tumor") {
		t.Errorf("de: exit %d: %s", code, stderr.String())
	}
}

// An unwritable output folder is reported before any sample is read: the
// input here is malformed, and the error is about the folder.
func TestUnwritableOutputFoundFirst(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.fastq")
	if err := os.WriteFile(bad, []byte("@r1\nACGT\n+\nIII\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(dir, "a_file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	unwritable := filepath.Join(file, "out") // a folder under a file
	sheet := writeSheet(t, dir, "sample\tcondition\tfastq", "bad\ttumor\tbad.fastq")
	for _, args := range [][]string{
		{"run", "-samplesheet", sheet, "-out", unwritable, "-quiet"},
		{"quant", "-fastq", bad, "-out", unwritable},
		{"collapse", "-in", bad, "-out", filepath.Join(unwritable, "x")},
	} {
		var stdout, stderr bytes.Buffer
		code := runMain(args, &stdout, &stderr)
		if code == 0 || !strings.Contains(stderr.String(), "output folder") || strings.Contains(stderr.String(), "bad.fastq") {
			t.Errorf("%s: exit %d: %s", args[0], code, stderr.String())
		}
	}
}

// de warns about a covariate confounded with the contrast variable;
// -strict makes it an error with no output.
func TestDEWarnsConfounded(t *testing.T) {
	dir := t.TempDir()
	coldata := "sample\tcondition\tbatch\n" +
		"t3\ttumor\tB\nc1\tcontrol\tA\nc2\tcontrol\tA\nc3\tcontrol\tA\nt1\ttumor\tB\nt2\ttumor\tB\n"
	cp, dp := deFixture(t, dir, deCounts, coldata)
	out := filepath.Join(dir, "de.tsv")
	var stdout, stderr bytes.Buffer
	if code := runMain([]string{"de", "-counts", cp, "-coldata", dp, "-out", out}, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	if !strings.Contains(stderr.String(), "warning: study: confounded: column batch separates the samples as the condition does") {
		t.Errorf("stderr: %s", stderr.String())
	}
	os.Remove(out)
	if code := runMain([]string{"de", "-counts", cp, "-coldata", dp, "-out", out, "-strict"}, &stdout, &stderr); code == 0 {
		t.Error("-strict exited 0")
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Error("-strict wrote de.tsv")
	}
	// the crossed batches of deColdata are fine
	cp, dp = deFixture(t, dir, deCounts, deColdata)
	stderr.Reset()
	if code := runMain([]string{"de", "-counts", cp, "-coldata", dp, "-out", out, "-strict"}, &stdout, &stderr); code != 0 || stderr.Len() != 0 {
		t.Errorf("crossed batches: exit %d: %s", code, stderr.String())
	}
}
