// Package workflow holds the Snakemake workflow that runs exomir per sample
// on a cluster or cloud; this test runs it with the real snakemake.
package workflow

import (
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/exomir/exomir/internal/testenv"
	"github.com/exomir/exomir/internal/tsvtest"
)

func TestSnakefileRunsOnDemoData(t *testing.T) {
	snakemake := testenv.Tool(t, "snakemake")
	dir := t.TempDir()
	bin := filepath.Join(dir, "exomir")
	build := exec.Command("go", "build", "-o", bin, "../exomir")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	sheet, err := filepath.Abs("../../testdata/demo/samplesheet.tsv")
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "results")
	cmd := exec.Command(snakemake, "-s", "Snakefile", "--cores", "2", "--quiet",
		"--directory", dir,
		"--config", "samplesheet="+sheet, "out="+out, "exomir="+bin, "contrast=condition,tumor,control")
	cmd.Dir = "."
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("snakemake: %v\n%s", err, b)
	}
	de, err := os.ReadFile(filepath.Join(out, "de.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(de)), "\n")
	if lines[0] != "mirna\tbaseMean\tlog2FoldChange\tlfcSE\tstat\tpvalue\tpadj" || len(lines) < 100 {
		t.Fatalf("de.tsv: header %q, %d lines", lines[0], len(lines))
	}
	counts, err := os.ReadFile(filepath.Join(out, "mirna_counts.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	header := strings.SplitN(string(counts), "\n", 2)[0]
	if got := len(strings.Split(header, "\t")); got != 7 {
		t.Fatalf("matrix header %q has %d columns, want mirna + 6 samples", header, got)
	}
	// The workflow ends with the same files as exomir run, byte for byte:
	// counts, coldata, DE, ROC, summary, report and MultiQC files.
	runOut := filepath.Join(dir, "run")
	if b, err := exec.Command(bin, "run", "-samplesheet", sheet, "-out", runOut, "-quiet", "-contrast", "condition,tumor,control").CombinedOutput(); err != nil {
		t.Fatalf("exomir run: %v\n%s", err, b)
	}
	tsvtest.SameFiles(t, runOut, "run", out, "workflow", []string{"mirna_counts.tsv", "coldata.tsv", "de.tsv", "roc.tsv", "summary.tsv", "report.html",
		"exomir_accounting_mqc.tsv", "exomir_general_stats_mqc.tsv", "exomir_lengths_mqc.json"})
}

// TestDefaultContrastAgrees: exomir run, exomir de and this workflow (which
// calls de without -contrast) choose the same default contrast
// (diffexp.DefaultContrast) on a sheet that lists its control-like
// samples first under levels that are not tumor/control, so the same
// log2 fold changes come out, sign included.
func TestDefaultContrastAgrees(t *testing.T) {
	dir := t.TempDir()
	bin := filepath.Join(dir, "exomir")
	if out, err := exec.Command("go", "build", "-o", bin, "../exomir").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	demo, err := filepath.Abs("../../testdata/demo")
	if err != nil {
		t.Fatal(err)
	}
	// healthy (the simulated controls) listed before cancer
	sheet := filepath.Join(dir, "sheet.tsv")
	// with a covariate column, which both write to coldata.tsv
	rows := "sample\tcondition\tfastq\tbatch\n"
	for i, r := range [][2]string{{"h1", "control1"}, {"h2", "control2"}, {"h3", "control3"}, {"k1", "tumor1"}, {"k2", "tumor2"}, {"k3", "tumor3"}} {
		cond := "healthy"
		if r[0][0] == 'k' {
			cond = "cancer"
		}
		rows += r[0] + "\t" + cond + "\t" + filepath.Join(demo, r[1]+".fastq.gz") + "\t" + string(rune('a'+i%2)) + "\n"
	}
	if err := os.WriteFile(sheet, []byte(rows), 0o644); err != nil {
		t.Fatal(err)
	}
	runOut := filepath.Join(dir, "run")
	if b, err := exec.Command(bin, "run", "-samplesheet", sheet, "-out", runOut, "-quiet").CombinedOutput(); err != nil {
		t.Fatalf("exomir run: %v\n%s", err, b)
	} else if !strings.Contains(string(b), "de: healthy vs cancer") {
		t.Errorf("run's contrast: %s", b)
	}
	deOut := filepath.Join(dir, "de.tsv")
	if b, err := exec.Command(bin, "de", "-counts", filepath.Join(runOut, "mirna_counts.tsv"), "-coldata", filepath.Join(runOut, "coldata.tsv"), "-out", deOut).CombinedOutput(); err != nil {
		t.Fatalf("exomir de: %v\n%s", err, b)
	}
	runLFC := readLFC(t, filepath.Join(runOut, "de.tsv"))
	deLFC := readLFC(t, deOut)
	const name = "hsa-let-7a-5p"
	t.Logf("%s log2FC: run %s, de %s", name, runLFC[name], deLFC[name])
	if runLFC[name] == "" || runLFC[name] == "NA" {
		t.Fatalf("run has no log2FC for %s", name)
	}
	sameLFC(t, "run", runLFC, "de", deLFC)

	snakemake := testenv.Tool(t, "snakemake") // run and de agree already
	smkOut := filepath.Join(dir, "smk")
	cmd := exec.Command(snakemake, "-s", "Snakefile", "--cores", "2", "--quiet", "--directory", dir,
		"--config", "samplesheet="+sheet, "out="+smkOut, "exomir="+bin)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("snakemake: %v\n%s", err, b)
	}
	smkLFC := readLFC(t, filepath.Join(smkOut, "de.tsv"))
	t.Logf("%s log2FC: workflow %s", name, smkLFC[name])
	sameLFC(t, "run", runLFC, "workflow", smkLFC)
	// Same files, default contrast and covariate included.
	tsvtest.SameFiles(t, runOut, "run", smkOut, "workflow", []string{"coldata.tsv", "summary.tsv", "report.html", "exomir_general_stats_mqc.tsv"})
}

// readLFC maps miRNA to its log2FoldChange cell in a DE results file.
func readLFC(t *testing.T, path string) map[string]string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, l := range strings.Split(strings.TrimSpace(string(b)), "\n")[1:] {
		f := strings.Split(l, "\t")
		out[f[0]] = f[2]
	}
	return out
}

// sameLFC checks that two result sets have the same log2 fold changes:
// equal NA, equal sign, values within 1e-6.
func sameLFC(t *testing.T, an string, a map[string]string, bn string, b map[string]string) {
	t.Helper()
	if len(a) != len(b) {
		t.Fatalf("%s has %d rows, %s %d", an, len(a), bn, len(b))
	}
	bad := 0
	for k, va := range a {
		vb := b[k]
		if va == "NA" || vb == "NA" {
			if va != vb {
				bad++
			}
			continue
		}
		x, err1 := strconv.ParseFloat(va, 64)
		y, err2 := strconv.ParseFloat(vb, 64)
		if err1 != nil || err2 != nil || (x > 0) != (y > 0) || math.Abs(x-y) > 1e-6*max(1, math.Abs(x)) {
			if bad < 5 {
				t.Errorf("%s: log2FC %s %s, %s %s", k, an, va, bn, vb)
			}
			bad++
		}
	}
	if bad > 0 {
		t.Errorf("%d of %d miRNAs differ between %s and %s", bad, len(a), an, bn)
	}
}
