package main

import (
	"bytes"
	"compress/gzip"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// writeFastq writes reads (insert + TruSeq adapter) as FASTQ.gz.
func writeFastq(t *testing.T, path string, inserts map[string]int) {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	n := 0
	for _, ins := range sortedKeys(inserts) {
		for k := 0; k < inserts[ins]; k++ {
			n++
			r := ins + "TGGAATTCTCGGGTGCCAAGGAACTCCAGTCAC"
			r = r[:40]
			zw.Write([]byte("@r" + strconv.Itoa(n) + "\n" + r + "\n+\n" + strings.Repeat("I", len(r)) + "\n"))
		}
	}
	zw.Close()
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

func sortedKeys(m map[string]int) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	for i := 1; i < len(ks); i++ {
		for j := i; j > 0 && ks[j] < ks[j-1]; j-- {
			ks[j], ks[j-1] = ks[j-1], ks[j]
		}
	}
	return ks
}

// TestQuantViralAndPlantReads: a viral (EBV), a nematode and a plant read
// among human miRNA reads are named in exogenous_counts.tsv, their clades
// counted, and all reads_* rows still sum to input_reads; -exogenous=false
// leaves them unmapped.
func TestQuantViralAndPlantReads(t *testing.T) {
	dir := t.TempDir()
	fq := filepath.Join(dir, "s.fastq.gz")
	writeFastq(t, fq, map[string]int{
		"TAGCTTATCAGACTGATGTTGA": 50, // hsa-miR-21-5p
		"CATCATAGTCCAGTGTCCAGGG": 3,  // ebv-miR-BART7-3p
		"TCACCGGGTGTAAATCAGCTTG": 2,  // cel-miR-39-3p
		"TCGGACCAGGCTTCATTCCCC":  4,  // ath-miR166a-3p
	})
	var stdout, stderr bytes.Buffer
	if code := runMain([]string{"quant", "-fastq", fq, "-protocol", "truseq", "-out", dir, "-sample", "s"}, &stdout, &stderr); code != 0 {
		t.Fatalf("quant exited %d: %s", code, stderr.String())
	}
	counts, err := os.ReadFile(filepath.Join(dir, "s.exogenous_counts.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"\nebv-miR-BART7-3p\tebv\t3\n", "\ncel-miR-39-3p\tcel\t2\n", "ath-miR166a-3p"} {
		if !strings.Contains(string(counts), want) {
			t.Errorf("exogenous_counts.tsv lacks %q:\n%s", want, counts)
		}
	}
	sum := readSummary(t, filepath.Join(dir, "s.summary.tsv"))
	for k, v := range map[string]string{"reads_mirna": "50", "reads_exogenous_mirna": "9", "clade_virus": "3", "clade_nematode": "2",
		"clade_plant": "4", "human_viral_mirnas": "ebv-miR-BART7-3p:3"} {
		if sum[k] != v {
			t.Errorf("%s = %q, want %q", k, sum[k], v)
		}
	}
	checkAccounting(t, sum)
	if code := runMain([]string{"quant", "-fastq", fq, "-protocol", "truseq", "-out", dir, "-sample", "off", "-exogenous=false"}, &stdout, &stderr); code != 0 {
		t.Fatalf("quant -exogenous=false exited %d: %s", code, stderr.String())
	}
	off := readSummary(t, filepath.Join(dir, "off.summary.tsv"))
	if off["reads_unmapped"] != "9" || off["clade_human"] != "" {
		t.Errorf("-exogenous=false: reads_unmapped %q, clade_human %q", off["reads_unmapped"], off["clade_human"])
	}
	if _, err := os.Stat(filepath.Join(dir, "off.exogenous_counts.tsv")); err == nil {
		t.Error("-exogenous=false wrote exogenous_counts.tsv")
	}
	checkAccounting(t, off)
}

func readSummary(t *testing.T, path string) map[string]string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]string{}
	for _, l := range strings.Split(strings.TrimSpace(string(b)), "\n")[1:] {
		k, v, _ := strings.Cut(l, "\t")
		m[k] = v
	}
	return m
}

func checkAccounting(t *testing.T, sum map[string]string) {
	t.Helper()
	var total, in int
	for k, v := range sum {
		n := 0
		for _, c := range v {
			n = n*10 + int(c-'0')
		}
		if k == "input_reads" {
			in = n
		} else if strings.HasPrefix(k, "reads_") {
			total += n
		}
	}
	if total != in {
		t.Errorf("reads_* sum to %d, input_reads %d", total, in)
	}
}

// TestQuantReferenceFlags: -mirbase 22 uses the embedded release 22
// (its mirGFF3 names it), -reference mirgenedb reads MirGeneDB files and
// writes the map to miRBase 22, and bad values fail before any work.
func TestQuantReferenceFlags(t *testing.T) {
	dir := t.TempDir()
	fq := filepath.Join(dir, "s.fastq.gz")
	writeFastq(t, fq, map[string]int{"TAGCTTATCAGACTGATGTTGA": 5, "TAGCTTATCAGACTGATGTTGACT": 4})
	var stdout, stderr bytes.Buffer
	if code := runMain([]string{"quant", "-fastq", fq, "-protocol", "truseq", "-out", dir, "-sample", "v22", "-mirbase", "22"}, &stdout, &stderr); code != 0 {
		t.Fatalf("quant -mirbase 22 exited %d: %s", code, stderr.String())
	}
	gff, err := os.ReadFile(filepath.Join(dir, "v22.isomirs.gff3"))
	if err != nil || !strings.Contains(string(gff), "source-ontology: miRBase22") {
		t.Errorf("-mirbase 22 GFF header: %v", err)
	}
	mat := filepath.Join(dir, "mgdb_mature.fa")
	hp := filepath.Join(dir, "mgdb_hairpin.fa")
	// MirGeneDB 2.1 human miR-21 (mature and a hairpin holding it)
	os.WriteFile(mat, []byte(">Hsa-Mir-21_5p\nUAGCUUAUCAGACUGAUGUUGACU\n"), 0o644)
	os.WriteFile(hp, []byte(">Hsa-Mir-21_pri\nGGGCCCAAAUUUUAGCUUAUCAGACUGAUGUUGACUCCCAAAGGGUUUAAACCCGGGUUUAAACCCGGG\n"), 0o644)
	if code := runMain([]string{"quant", "-fastq", fq, "-protocol", "truseq", "-out", dir, "-sample", "mg", "-reference", "mirgenedb", "-mature", mat, "-hairpin", hp}, &stdout, &stderr); code != 0 {
		t.Fatalf("quant -reference mirgenedb exited %d: %s", code, stderr.String())
	}
	m, err := os.ReadFile(filepath.Join(dir, "mg.reference_map.tsv"))
	if err != nil || !strings.Contains(string(m), "Hsa-Mir-21_5p\thsa-miR-21-5p\tcontains\t0\n") {
		t.Errorf("reference_map.tsv: %v\n%s", err, m)
	}
	counts, _ := os.ReadFile(filepath.Join(dir, "mg.mirna_counts.tsv"))
	if !strings.Contains(string(counts), "Hsa-Mir-21_5p\t9\n") {
		t.Errorf("MirGeneDB counts:\n%s", counts)
	}
	for _, args := range [][]string{{"-mirbase", "20"}, {"-reference", "mirgenedb"}, {"-reference", "rfam"}} {
		a := append([]string{"quant", "-fastq", fq, "-out", dir, "-sample", "bad"}, args...)
		if code := runMain(a, &stdout, &stderr); code == 0 {
			t.Errorf("%v: exit 0", args)
		}
	}
}
