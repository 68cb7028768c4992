// Package workflow holds the Snakemake workflow that runs exomir per sample
// on a cluster or cloud; this test runs it with the real snakemake.
package workflow

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func TestSnakefileRunsOnDemoData(t *testing.T) {
	snakemake, err := exec.LookPath("snakemake")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("snakemake is not installed; .ci/run installs Debian's snakemake")
		}
		t.Skip("snakemake not installed (Debian package snakemake); CI installs it")
	}
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
}
