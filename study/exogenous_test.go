package study_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/exomir/exomir/quant"
	"github.com/exomir/exomir/report"
	"github.com/exomir/exomir/study"
)

// Inserts of the exosome study (miRBase 21 human, miRBase 22 others).
const (
	mir21     = "TAGCTTATCAGACTGATGTTGA" // hsa-miR-21-5p
	mir376a   = "ATCATAGAGGAAAATCCACGT"  // hsa-miR-376a-3p
	mir376aG6 = "ATCATGGAGGAAAATCCACGT"  // the same, A-to-I (G) at position 6
	ebv       = "CATCATAGTCCAGTGTCCAGGG" // ebv-miR-BART7-3p
	cel39     = "TCACCGGGTGTAAATCAGCTTG" // cel-miR-39-3p
	ath166    = "TCGGACCAGGCTTCATTCCCC"  // ath-miR166a-3p
	truseq3   = "TGGAATTCTCGGGTGCCAAGG"  // TruSeq 3' adapter
)

// exoStudy writes four samples with exogenous reads and an A-to-I site
// (miR-376a-3p position 6: 0% in c1, 50% in t1, 10% in t2, covering 40
// in c2) and returns the samplesheet.
func exoStudy(t *testing.T, dir string) string {
	t.Helper()
	samples := []struct {
		name, cond string
		reads      map[string]int
	}{
		{"c1", "control", map[string]int{mir21: 200, mir376a: 100, ebv: 3}},
		{"t1", "tumor", map[string]int{mir21: 180, mir376a: 50, mir376aG6: 50, cel39: 2, ath166: 4}},
		{"t2", "tumor", map[string]int{mir21: 150, mir376a: 54, mir376aG6: 6}},
		{"c2", "control", map[string]int{mir21: 220, mir376a: 20, mir376aG6: 20, ebv: 1}},
	}
	sheet := "sample\tcondition\tfastq\n"
	for _, s := range samples {
		var b strings.Builder
		keys := make([]string, 0, len(s.reads))
		for k := range s.reads {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		n := 0
		for _, ins := range keys {
			for k := 0; k < s.reads[ins]; k++ {
				n++
				r := (ins + truseq3 + "AAAAAAAAAAAAAAAAAAAA")[:45]
				b.WriteString("@r" + strconv.Itoa(n) + "\n" + r + "\n+\n" + strings.Repeat("I", len(r)) + "\n")
			}
		}
		if err := os.WriteFile(filepath.Join(dir, s.name+".fastq"), []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		sheet += s.name + "\t" + s.cond + "\t" + s.name + ".fastq\n"
	}
	path := filepath.Join(dir, "sheet.tsv")
	if err := os.WriteFile(path, []byte(sheet), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestExosomeOutputsSameInEveryMode: exogenous_counts.tsv, editing.tsv
// and methods.md (and every other output) are the same bytes in memory
// and with a work folder, fresh and resumed, with 1 and 2 threads;
// editing.tsv has a row for every sample covering a site significant in
// one of them; methods.md holds no path of the machine; the report of the
// study in memory is the one report.Load draws from the written folder.
func TestExosomeOutputsSameInEveryMode(t *testing.T) {
	dir := t.TempDir()
	sh, err := study.ReadSheet(context.Background(), exoStudy(t, dir))
	if err != nil {
		t.Fatal(err)
	}
	// edgeR: DESeq2 cannot fit a dispersion trend on the two miRNAs here.
	cfg := study.Config{Protocol: "truseq", Method: study.MethodEdgeR}
	run := func(threads int, work, out string) (*study.Result, map[string]string) {
		t.Helper()
		c := cfg
		c.Threads, c.WorkDir = threads, work
		res, err := study.Run(context.Background(), sh, c)
		if err != nil {
			t.Fatal(err)
		}
		if err := res.Write(context.Background(), out); err != nil {
			t.Fatal(err)
		}
		return res, readDir(t, out)
	}
	memDir := filepath.Join(dir, "mem")
	mem, memFiles := run(1, "", memDir)
	workDir := filepath.Join(dir, "work")
	spilled, work := run(2, workDir, workDir)
	for _, s := range spilled.Samples {
		// Memory stays flat: no dense exogenous vector per sample.
		if s.Quant.Exogenous != nil {
			t.Errorf("%s: exogenous counts kept dense with a work folder", s.Quant.Name)
		}
	}
	sameOutputs(t, "work folder vs in memory", readDir(t, memDir), work)
	resumed, again := run(1, workDir, workDir)
	for _, s := range resumed.Samples {
		if !s.Reused {
			t.Errorf("%s not reused", s.Quant.Name)
		}
	}
	sameOutputs(t, "resumed vs in memory", readDir(t, memDir), again)
	// The settings of the port are in the study key and the manifest.
	for _, other := range []study.Config{{Protocol: "truseq", Method: study.MethodEdgeR, NoExogenous: true}, {Protocol: "truseq", Method: study.MethodEdgeR, Mirbase: "22"}} {
		if ok, err := study.UpToDate(context.Background(), workDir, sh, other); ok || err != nil {
			t.Errorf("up to date with %+v: %v %v", other, ok, err)
		}
	}
	if ok, err := study.UpToDate(context.Background(), workDir, sh, cfg); !ok || err != nil {
		t.Errorf("not up to date with the same settings: %v %v", ok, err)
	}
	b, err := os.ReadFile(filepath.Join(workDir, "manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	man := string(b)
	for _, w := range []string{`"mirbase": "21"`, `"exogenous": true`, `"reference": "mirbase"`, `"path": "embedded:` + quant.ExoEmbeddedFile + `"`} {
		if !strings.Contains(man, w) {
			t.Errorf("manifest.json lacks %s", w)
		}
	}

	wantEdit := "mirna\tposition\tsample\tedited\tcovering\tlevel\tpadj\n"
	ed := memFiles["editing.tsv"]
	if !strings.HasPrefix(ed, wantEdit) {
		t.Fatalf("editing.tsv header: %.80q", ed)
	}
	rows := map[string]string{}
	for _, l := range strings.Split(strings.TrimSpace(ed), "\n")[1:] {
		f := strings.Split(l, "\t")
		if f[0] != "hsa-miR-376a-3p" || f[1] != "6" {
			t.Errorf("unexpected editing row %q", l)
			continue
		}
		rows[f[2]] = f[3] + "/" + f[4] + " " + f[5]
	}
	want := map[string]string{"c1": "0/100 0.0000", "t1": "50/100 0.5000", "t2": "6/60 0.1000"}
	if !reflect.DeepEqual(rows, want) {
		t.Errorf("editing rows %v, want %v (c2 covers 40 < 50: no row)", rows, want)
	}

	ex := memFiles["exogenous_counts.tsv"]
	for _, w := range []string{"mirna\tspecies\tc1\tt1\tt2\tc2\n", "\nebv-miR-BART7-3p\tebv\t3\t0\t0\t1\n", "\ncel-miR-39-3p\tcel\t0\t2\t0\t0\n"} {
		if !strings.Contains(ex, w) {
			t.Errorf("exogenous_counts.tsv lacks %q:\n%s", w, ex)
		}
	}

	methods := memFiles["methods.md"]
	for _, f := range []string{"hsa_mature_v21.fa.gz", "hsa_hairpin_v21.fa.gz", quant.ExoEmbeddedFile, quant.CladesFile} {
		sum, err := quant.EmbeddedSHA256(f)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(methods, "`embedded:"+f+"`") || !strings.Contains(methods, sum) {
			t.Errorf("methods.md lacks %s with SHA-256 %s", f, sum)
		}
	}
	for _, class := range quant.AnnotationClasses {
		sum, err := quant.AnnotationSHA256(class)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(methods, "`embedded:"+quant.AnnotationFile(class)+"`") || !strings.Contains(methods, sum) {
			t.Errorf("methods.md lacks the %s class file with SHA-256 %s", class, sum)
		}
	}
	if !strings.Contains(methods, "small-RNA classes "+strings.Join(quant.AnnotationClasses, ", ")+", in this order") {
		t.Errorf("methods.md does not state the class order %v", quant.AnnotationClasses)
	}
	sum := memFiles["summary.tsv"]
	for _, row := range []string{"\nreads_exogenous_mirna\t", "\nclade_human\t", "\nclade_virus\t", "\nqc_transcriptome_reads\t", "\nqc_pass\t", "\nhuman_viral_mirnas\t",
		"\nclass_YRNA\t", "\nclass_vaultRNA\t", "\nclass_SRP_RNA\t"} {
		if !strings.Contains(sum, row) {
			t.Errorf("summary.tsv lacks row %q", strings.TrimSpace(row))
		}
	}
	for _, bad := range []string{dir, "seconds", " s)"} {
		if strings.Contains(methods, bad) {
			t.Errorf("methods.md holds %q", bad)
		}
	}
	for _, w := range []string{"`exomir run -samplesheet sheet.tsv -protocol=truseq -method=edger`", "| c1 | truseq |", "| -mirbase | 21 |", "| -exogenous | true |", "Benjamini-Hochberg"} {
		if !strings.Contains(methods, w) {
			t.Errorf("methods.md lacks %q", w)
		}
	}

	// The report in memory and from the folder.
	loaded, err := report.Load(memDir)
	if err != nil {
		t.Fatal(err)
	}
	inMem, err := mem.Report(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := mem.Report(cancelled); !errors.Is(err, context.Canceled) {
		t.Errorf("Report with a cancelled context: %v, want context.Canceled", err)
	}
	if !reflect.DeepEqual(inMem.Exogenous, loaded.Exogenous) || len(inMem.Exogenous) == 0 {
		t.Errorf("report exogenous: in memory %v, loaded %v", inMem.Exogenous, loaded.Exogenous)
	}
	if !reflect.DeepEqual(inMem.Editing, loaded.Editing) || len(inMem.Editing) != 3 {
		t.Errorf("report editing: in memory %v, loaded %v", inMem.Editing, loaded.Editing)
	}
	for i := range inMem.Samples {
		a, b := inMem.Samples[i], loaded.Samples[i]
		// The report's RNA-class composition names every built-in class.
		var names []string
		for _, c := range b.Classes {
			names = append(names, c.Name)
		}
		if got, want := strings.Join(names, ","), "miRNA,hairpin only,"+strings.Join(quant.AnnotationClasses, ",")+",unmapped"; got != want {
			t.Errorf("%s: report classes %s, want %s", b.Name, got, want)
		}
		if !reflect.DeepEqual(a.Clades, b.Clades) || !reflect.DeepEqual(a.QCFlags, b.QCFlags) || len(a.Clades) == 0 || len(a.QCFlags) == 0 {
			t.Errorf("%s: clades %v / %v, QC %v / %v", a.Name, a.Clades, b.Clades, a.QCFlags, b.QCFlags)
		}
	}
	// Four differences that are not the exosome sections' and are
	// inherent to reading files back: the title (Load cannot know the
	// sheet's name; "exomir report -title" sets it), the samples' and the
	// study's warning messages (summary.tsv keeps the codes only; Load
	// shows each code's meaning), the size factors (Load recomputes DESeq2's median
	// of ratios from mirna_counts.tsv; the run shows edgeR's here) and the
	// ROC (roc.tsv holds 10 significant digits). With those taken from
	// the run, the two reports are the same bytes.
	if reflect.DeepEqual(inMem.ROC, loaded.ROC) {
		t.Log("ROC now equal: drop it from the aligned fields")
	}
	loaded.Title, loaded.SizeFactors, loaded.ROC = inMem.Title, inMem.SizeFactors, inMem.ROC
	if len(inMem.StudyWarnings) != len(loaded.StudyWarnings) {
		t.Errorf("study warnings: %d in memory, %d loaded", len(inMem.StudyWarnings), len(loaded.StudyWarnings))
	}
	for i := range min(len(inMem.StudyWarnings), len(loaded.StudyWarnings)) {
		if inMem.StudyWarnings[i].Code != loaded.StudyWarnings[i].Code {
			t.Errorf("study warning %d: %s in memory, %s loaded", i, inMem.StudyWarnings[i].Code, loaded.StudyWarnings[i].Code)
		}
	}
	loaded.StudyWarnings = inMem.StudyWarnings
	for i := range loaded.Samples {
		loaded.Samples[i].Warnings = inMem.Samples[i].Warnings
	}
	var h1, h2 bytes.Buffer
	if err := report.WriteHTML(&h1, inMem); err != nil {
		t.Fatal(err)
	}
	if err := report.WriteHTML(&h2, loaded); err != nil {
		t.Fatal(err)
	}
	if h1.String() != h2.String() {
		t.Errorf("report.html in memory (%d bytes) differs from the one of report.Load (%d bytes)", h1.Len(), h2.Len())
		diffData(t, inMem, loaded)
	}
}

// diffData names the fields where two report data differ.
func diffData(t *testing.T, a, b *report.Data) {
	t.Helper()
	va, vb := reflect.ValueOf(*a), reflect.ValueOf(*b)
	for i := 0; i < va.NumField(); i++ {
		if !reflect.DeepEqual(va.Field(i).Interface(), vb.Field(i).Interface()) {
			t.Logf("field %s differs", va.Type().Field(i).Name)
		}
	}
	for i := range a.Samples {
		if i >= len(b.Samples) {
			break
		}
		sa, sb := reflect.ValueOf(a.Samples[i]), reflect.ValueOf(b.Samples[i])
		for k := 0; k < sa.NumField(); k++ {
			if !reflect.DeepEqual(sa.Field(k).Interface(), sb.Field(k).Interface()) {
				t.Logf("sample %d field %s differs: %v vs %v", i, sa.Type().Field(k).Name, sa.Field(k).Interface(), sb.Field(k).Interface())
			}
		}
	}
}
