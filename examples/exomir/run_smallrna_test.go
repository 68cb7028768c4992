package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// tsvColumnSums reads a TSV with skip leading text columns and returns, per
// sample column (by header name), the sums of the rows whose first field
// passes keep.
func tsvColumnSums(t *testing.T, path string, skip int, keep func(string) bool) map[string]int64 {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	header := strings.Split(lines[0], "\t")
	sums := map[string]int64{}
	for _, l := range lines[1:] {
		f := strings.Split(l, "\t")
		if !keep(f[0]) {
			continue
		}
		for i := skip; i < len(f); i++ {
			n, err := strconv.ParseInt(f[i], 10, 64)
			if err != nil {
				continue
			}
			sums[header[i]] += n
		}
	}
	return sums
}

// checkSmallRNASums checks a study folder: class_* rows sum to
// reads_other_rna, trf_* rows to class_tRNA, and the columns of
// smallrna_counts.tsv and trf_counts.tsv to those rows.
func checkSmallRNASums(t *testing.T, dir string) {
	t.Helper()
	sum := filepath.Join(dir, "summary.tsv")
	row := func(name string) map[string]int64 {
		return tsvColumnSums(t, sum, 1, func(s string) bool { return s == name })
	}
	other, trna := row("reads_other_rna"), row("class_tRNA")
	classes := tsvColumnSums(t, sum, 1, func(s string) bool { return strings.HasPrefix(s, "class_") })
	trf := tsvColumnSums(t, sum, 1, func(s string) bool { return strings.HasPrefix(s, "trf_") })
	feats := tsvColumnSums(t, filepath.Join(dir, "smallrna_counts.tsv"), 2, func(string) bool { return true })
	trfRows := tsvColumnSums(t, filepath.Join(dir, "trf_counts.tsv"), 2, func(string) bool { return true })
	if len(other) == 0 {
		t.Fatal("no reads_other_rna row")
	}
	for s, n := range other {
		if n == 0 || classes[s] != n || feats[s] != n {
			t.Errorf("%s: reads_other_rna %d, class_* %d, smallrna_counts %d", s, n, classes[s], feats[s])
		}
		if trf[s] != trna[s] || trfRows[s] != trna[s] {
			t.Errorf("%s: class_tRNA %d, trf_* %d, trf_counts %d", s, trna[s], trf[s], trfRows[s])
		}
	}
}

// TestRunSpikeins runs the demo study with a spike-in set holding
// hsa-miR-21-5p's sequence (the demo's most abundant miRNA) and a
// cel-miR-39 oligo: reads of that exact sequence (or within it) become
// spike-in reads and appear in no isomiR record, miR-21-5p keeps only
// reads that a 22-nt oligo cannot give (3' extended isomiRs), so fewer
// than the spike-in reads, spikein_counts.tsv has both rows, and all
// reads_* rows still sum to input_reads.
func TestRunSpikeins(t *testing.T) {
	dir := t.TempDir()
	fa := filepath.Join(dir, "spikes.fa")
	if err := os.WriteFile(fa, []byte(">spk-miR-21\nUAGCUUAUCAGACUGAUGUUGA\n>cel-miR-39-3p\nUCACCGGGUGUAAAUCAGCUUG\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "study")
	var stdout, stderr bytes.Buffer
	if code := runMain([]string{"run", "-samplesheet", "../../testdata/demo/samplesheet.tsv", "-out", out,
		"-contrast", "condition,tumor,control", "-spikeins", fa, "-quiet"}, &stdout, &stderr); code != 0 {
		t.Fatalf("run exited %d: %s", code, stderr.String())
	}
	sum := filepath.Join(out, "summary.tsv")
	spike := tsvColumnSums(t, sum, 1, func(s string) bool { return s == "reads_spikein" })
	reads := tsvColumnSums(t, sum, 1, func(s string) bool { return strings.HasPrefix(s, "reads_") })
	input := tsvColumnSums(t, sum, 1, func(s string) bool { return s == "input_reads" })
	file := tsvColumnSums(t, filepath.Join(out, "spikein_counts.tsv"), 1, func(string) bool { return true })
	mir21 := tsvColumnSums(t, filepath.Join(out, "mirna_counts.tsv"), 1, func(s string) bool { return s == "hsa-miR-21-5p" })
	if len(spike) == 0 {
		t.Fatal("no reads_spikein row")
	}
	for s, n := range spike {
		if n < 1000 || file[s] != n || reads[s] != input[s] || mir21[s] >= n {
			t.Errorf("%s: reads_spikein %d, spikein_counts %d, reads_* %d of %d, hsa-miR-21-5p %d", s, n, file[s], reads[s], input[s], mir21[s])
		}
	}
	gff, err := os.ReadFile(filepath.Join(out, "isomirs.gff3"))
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(gff, []byte("Read=TAGCTTATCAGACTGATGTTGA;")) || !bytes.Contains(gff, []byte("hsa-miR-21-5p")) {
		t.Error("isomirs.gff3 holds the spike-in sequence as a miRNA read, or no miR-21-5p at all")
	}
	b, err := os.ReadFile(filepath.Join(out, "spikein_counts.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(lines) != 3 || !strings.HasPrefix(lines[1], "spk-miR-21\t") || !strings.HasPrefix(lines[2], "cel-miR-39-3p\t") {
		t.Errorf("spikein_counts.tsv:\n%s", b)
	}
	checkSmallRNASums(t, out)
}
