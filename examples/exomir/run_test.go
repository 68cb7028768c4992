package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/exomir/exomir/internal/testenv"
	"github.com/exomir/exomir/internal/tsvtest"
)

// demoFiles are the outputs of "exomir run" compared across thread counts.
var demoFiles = []string{
	"mirna_counts.tsv", "hairpin_counts.tsv", "summary.tsv", "coldata.tsv", "isomirs.gff3",
	"de.tsv", "roc.tsv", "report.html",
	"exomir_accounting_mqc.tsv", "exomir_general_stats_mqc.tsv", "exomir_lengths_mqc.json",
	"isomir_counts.tsv", "exomir_isomirs_mqc.tsv", "de_isomirs.tsv",
	"smallrna_counts.tsv", "trf_counts.tsv",
	"exogenous_counts.tsv", "editing.tsv",
}

// runDemoStudy runs the bundled study into a fresh directory.
func runDemoStudy(t *testing.T, threads int) string {
	t.Helper()
	out := filepath.Join(t.TempDir(), "study")
	var stdout, stderr bytes.Buffer
	code := runMain([]string{"run", "-samplesheet", "../../testdata/demo/samplesheet.tsv", "-out", out,
		"-threads", strconv.Itoa(threads), "-contrast", "condition,tumor,control"}, &stdout, &stderr)
	if code != 0 {
		t.Fatalf("run exited %d: %s%s", code, stdout.String(), stderr.String())
	}
	return out
}

func TestRunStudyOutputsIdenticalAcrossThreads(t *testing.T) {
	one := runDemoStudy(t, 1)
	two := runDemoStudy(t, 2)
	tsvtest.SameFiles(t, one, "-threads 1", two, "-threads 2", demoFiles)
	// Every reads_* row sums to input_reads for every sample.
	rows, _ := os.ReadFile(filepath.Join(one, "summary.tsv"))
	lines := strings.Split(strings.TrimSpace(string(rows)), "\n")
	header := strings.Split(lines[0], "\t")
	sums := make([]int64, len(header))
	inputs := make([]int64, len(header))
	for _, l := range lines[1:] {
		f := strings.Split(l, "\t")
		for i := 1; i < len(f); i++ {
			n, _ := strconv.ParseInt(f[i], 10, 64)
			switch {
			case f[0] == "input_reads":
				inputs[i] = n
			case strings.HasPrefix(f[0], "reads_"):
				sums[i] += n
			}
		}
	}
	for i := 1; i < len(header); i++ {
		if inputs[i] == 0 || sums[i] != inputs[i] {
			t.Errorf("sample %s: reads_* sum %d, input_reads %d", header[i], sums[i], inputs[i])
		}
	}
	checkSmallRNASums(t, one)
	// The demo has known DE miRNAs: some must be found.
	de, _ := os.ReadFile(filepath.Join(one, "de.tsv"))
	sig := 0
	for _, l := range strings.Split(string(de), "\n")[1:] {
		f := strings.Split(l, "\t")
		if len(f) == 7 && f[6] != "NA" {
			if p, _ := strconv.ParseFloat(f[6], 64); p < 0.1 {
				sig++
			}
		}
	}
	if sig < 5 {
		t.Errorf("only %d miRNAs with padj < 0.1 in the demo", sig)
	}
}

func TestRunReportLoadsInChromium(t *testing.T) {
	browser := testenv.Tool(t, "chromium")
	out := runDemoStudy(t, 2)
	page := "file://" + filepath.Join(out, "report.html")
	if !filepath.IsAbs(page[7:]) {
		abs, _ := filepath.Abs(page[7:])
		page = "file://" + abs
	}
	cmd := exec.Command(browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
		"--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--user-data-dir="+t.TempDir(), "--dump-dom", page)
	var dom, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &dom, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("chromium: %v\n%s", err, errb.String())
	}
	html := dom.String()
	for _, id := range []string{"lengths", "accounting", "classes", "pca", "volcano", "ma", "heatmap", "roc"} {
		i := strings.Index(html, `id="`+id+`"`)
		if i < 0 {
			t.Errorf("figure %s absent from the rendered page", id)
			continue
		}
		if end := strings.Index(html[i:], "</figure>"); end < 0 || !strings.Contains(html[i:i+end], "<svg") {
			t.Errorf("figure %s has no rendered SVG", id)
		}
	}
	if !strings.Contains(html, "Differential expression") {
		t.Error("DE table missing from the rendered page")
	}
}

func TestRunErrorsBeforeWork(t *testing.T) {
	dir := t.TempDir()
	fq, err := filepath.Abs("../../testdata/demo/tumor1.fastq.gz")
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, sheet, want string
	}{
		{"duplicate", "sample\tcondition\tfastq\na\ttumor\t" + fq + "\na\tcontrol\t" + fq + "\n", `duplicate sample "a"`},
		{"missing file", "sample\tcondition\tfastq\na\ttumor\tnope.fastq.gz\n", "nope.fastq.gz"},
		{"no condition", "sample\tcondition\tfastq\na\t\t" + fq + "\n", `sample "a" has no condition`},
		{"no header", "a\ttumor\t" + fq + "\n", `header lacks column`},
		{"ragged", "sample\tcondition\tfastq\na\ttumor\n", "2 columns, header has 3"},
		{"empty", "", "empty samplesheet"},
		{"sample dotdot", "sample\tcondition\tfastq\n..\ttumor\t" + fq + "\n", `invalid sample name: ".."`},
		{"sample dot", "sample\tcondition\tfastq\n.\ttumor\t" + fq + "\n", `invalid sample name: "."`},
		{"header column twice", "sample\tcondition\tfastq\tfastq\na\ttumor\t" + fq + "\t" + fq + "\n", `header names column "fastq" twice (columns 3 and 4)`},
		{"header unnamed column", "sample\t\tcondition\tfastq\na\tx\ttumor\t" + fq + "\n", "header column 2 has no name"},
		{"header with spaces", "sample condition fastq\na tumor " + fq + "\n", "columns are separated by tabs"},
		{"sample option", "sample\tcondition\tfastq\n-rf\ttumor\t" + fq + "\n", `invalid sample name: "-rf"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			sheet := filepath.Join(dir, strings.ReplaceAll(c.name, " ", "_")+".tsv")
			if err := os.WriteFile(sheet, []byte(c.sheet), 0o644); err != nil {
				t.Fatal(err)
			}
			out := filepath.Join(dir, "out_"+strings.ReplaceAll(c.name, " ", "_"))
			var stdout, stderr bytes.Buffer
			code := runMain([]string{"run", "-samplesheet", sheet, "-out", out, "-quiet"}, &stdout, &stderr)
			if code == 0 {
				t.Fatal("want an error")
			}
			if !strings.Contains(stderr.String(), c.want) {
				t.Errorf("stderr %q lacks %q", stderr.String(), c.want)
			}
			if _, err := os.Stat(out); !os.IsNotExist(err) {
				t.Errorf("output directory created before the error: %v", err)
			}
		})
	}
}

func TestRunBadReadsLeaveNoOutput(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.fastq")
	if err := os.WriteFile(bad, []byte("@r1\nACGT\n+\nIII\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	good, _ := filepath.Abs("../../testdata/demo/tumor1.fastq.gz")
	sheet := filepath.Join(dir, "sheet.tsv")
	os.WriteFile(sheet, []byte("sample\tcondition\tfastq\ngood\ttumor\t"+good+"\nbad\tcontrol\tbad.fastq\n"), 0o644)
	out := filepath.Join(dir, "out")
	var stdout, stderr bytes.Buffer
	if code := runMain([]string{"run", "-samplesheet", sheet, "-out", out, "-quiet"}, &stdout, &stderr); code == 0 {
		t.Fatal("want an error for the malformed FASTQ")
	}
	if !strings.Contains(stderr.String(), "sample bad") || !strings.Contains(stderr.String(), "bad.fastq") {
		t.Errorf("error does not name the sample and file: %s", stderr.String())
	}
	entries, _ := os.ReadDir(out)
	if len(entries) != 0 {
		t.Errorf("outputs left after the error: %v", entries)
	}
}

// TestRunIsomirsReadByMirtop: the real mirtop (Debian) reads the study's
// multi-sample mirGFF3 and reports every sample.
// TestRunMixesFastqAndBAM: a samplesheet may name BAM files (aligned to
// hairpins by another aligner) next to FASTQ files.
func TestRunMixesFastqAndBAM(t *testing.T) {
	dir := t.TempDir()
	bam, _ := filepath.Abs("../../testdata/bam/mirtrace_sample1.hairpin.bam")
	fq, _ := filepath.Abs("../../testdata/fastq/mirtrace_sample1_truseq.fq.gz")
	sheet := filepath.Join(dir, "sheet.tsv")
	os.WriteFile(sheet, []byte("sample\tcondition\tfastq\nfrom_bam\tcontrol\t"+bam+"\nfrom_fastq\ttumor\t"+fq+"\n"), 0o644)
	out := filepath.Join(dir, "out")
	var stdout, stderr bytes.Buffer
	if code := runMain([]string{"run", "-samplesheet", sheet, "-out", out, "-quiet"}, &stdout, &stderr); code != 0 {
		t.Fatalf("run exited %d: %s", code, stderr.String())
	}
	if !strings.Contains(stdout.String(), "de: skipped") {
		t.Errorf("one sample per condition should skip DE with a note: %s", stdout.String())
	}
	m, err := os.ReadFile(filepath.Join(out, "mirna_counts.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	var bamTotal, fqTotal int64
	for _, l := range strings.Split(strings.TrimSpace(string(m)), "\n")[1:] {
		f := strings.Split(l, "\t")
		a, _ := strconv.ParseInt(f[1], 10, 64)
		b, _ := strconv.ParseInt(f[2], 10, 64)
		bamTotal += a
		fqTotal += b
	}
	if bamTotal == 0 || fqTotal == 0 {
		t.Fatalf("miRNA totals: BAM %d, FASTQ %d", bamTotal, fqTotal)
	}
	if _, err := os.Stat(filepath.Join(out, "de.tsv")); !os.IsNotExist(err) {
		t.Error("de.tsv written without replicates")
	}
}
