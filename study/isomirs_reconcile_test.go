package study_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/exomir/exomir/internal/testenv"
	"github.com/exomir/exomir/internal/tsvtest"

	"github.com/exomir/exomir/study"
)

// TestIsomirsReconcile: on the demo study (run with a work folder, so
// from the spilled samples), isomir_counts.tsv summed
// per miRNA is mirna_counts.tsv exactly, de_isomirs.tsv flags 5' shifts,
// and Debian's mirtop (stats, counts, validate) reads isomirs.gff3: its
// counts table summed per miRNA is mirna_counts.tsv and its stats equal
// the isomir_* rows of summary.tsv. The mirtop part is skipped when
// mirtop is absent, except under CI=true.
func TestIsomirsReconcile(t *testing.T) {
	out := t.TempDir()
	sh, err := study.ReadSheet(context.Background(), filepath.Join(demoDir, "samplesheet.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	res, err := study.Run(context.Background(), sh, study.Config{Threads: 2, WorkDir: out})
	if err != nil {
		t.Fatal(err)
	}
	if err := res.Write(context.Background(), out); err != nil {
		t.Fatal(err)
	}
	matrix := tsvtest.ReadTable(t, filepath.Join(out, "mirna_counts.tsv"))
	samples := matrix[0][1:]
	iso := tsvtest.ReadTable(t, filepath.Join(out, "isomir_counts.tsv"))
	if got, want := strings.Join(iso[0], " "), "uid read mirna variant "+strings.Join(samples, " "); got != want {
		t.Fatalf("isomir_counts.tsv header %q, want %q", got, want)
	}
	tsvtest.CheckSumsEqualMatrix(t, "isomir_counts.tsv", tsvtest.SumByMirna(t, iso, "mirna", samples), matrix)

	de := tsvtest.ReadTable(t, filepath.Join(out, "de_isomirs.tsv"))
	if got := strings.Join(de[0], " "); got != "level feature mirna variant seed_shift baseMean log2FoldChange lfcSE stat pvalue padj" {
		t.Fatalf("de_isomirs.tsv header %q", got)
	}
	levels := map[string]int{}
	for _, r := range de[1:] {
		levels[r[0]]++
		if shifted := strings.Contains(r[3], "iso_5p"); (r[4] == "yes") != shifted {
			t.Errorf("de_isomirs.tsv: seed_shift %s for variant %s", r[4], r[3])
		}
	}
	if levels["isomir"] == 0 || levels["type"] == 0 {
		t.Errorf("de_isomirs.tsv levels %v: want isomir and type rows", levels)
	}

	t.Run("mirtop", func(t *testing.T) {
		mirtop := testenv.Tool(t, "mirtop")
		gff := filepath.Join(out, "isomirs.gff3")
		dir := t.TempDir()
		// One output folder each: they run at once and each writes log/.
		for _, d := range []string{"counts", "stats", "validate"} {
			if err := os.Mkdir(filepath.Join(dir, d), 0o755); err != nil {
				t.Fatal(err)
			}
		}
		cmds := [][]string{
			{"counts", "--gff", gff, "--out", filepath.Join(dir, "counts")},
			{"stats", "-o", filepath.Join(dir, "stats"), gff},
			{"validate", "-o", filepath.Join(dir, "validate"), gff},
		}
		errs := make([]error, len(cmds))
		outs := make([][]byte, len(cmds))
		var wg sync.WaitGroup
		for i, args := range cmds { // mirtop is slow: all three at once
			wg.Add(1)
			go func() {
				defer wg.Done()
				cmd := exec.Command(mirtop, args...)
				cmd.Dir = dir
				outs[i], errs[i] = cmd.CombinedOutput()
			}()
		}
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Fatalf("mirtop %s: %v\n%s", cmds[i][0], err, outs[i])
			}
		}
		// mirtop counts: UID Read miRNA Variant iso_5p iso_3p iso_add3p
		// iso_snp, then one column per sample; one row per GFF line.
		counts := tsvtest.ReadTable(t, filepath.Join(dir, "counts", "isomirs.tsv"))
		tsvtest.CheckSumsEqualMatrix(t, "mirtop counts", tsvtest.SumByMirna(t, counts, "miRNA", samples), matrix)

		// mirtop stats: "category_sum" per sample; its _add_missing adds a
		// spurious 0 row after the real one, so the first row counts.
		b, err := os.ReadFile(filepath.Join(dir, "stats", "mirtop_stats.txt"))
		if err != nil {
			t.Fatal(err)
		}
		mt := map[string]string{}
		for _, l := range strings.Split(string(b), "\n") {
			c := strings.Split(l, ",")
			if len(c) == 4 && strings.HasSuffix(c[1], "_sum") {
				k := strings.TrimSuffix(c[1], "_sum") + " " + c[2]
				if _, ok := mt[k]; !ok {
					mt[k] = strings.TrimSuffix(c[3], ".0")
				}
			}
		}
		summary := tsvtest.ReadTable(t, filepath.Join(out, "summary.tsv"))
		mirtopName := map[string]string{
			"isomir_canonical": "ref_miRNA", "isomir_variant": "isomiR", "isomir_5p_shift": "iso_5p",
			"isomir_3p_shift": "iso_3p", "isomir_add3p": "iso_add3p", "isomir_snv_seed": "iso_snv_seed",
			"isomir_snv_central_offset": "iso_snv_central_offset", "isomir_snv_central": "iso_snv_central",
			"isomir_snv_central_supp": "iso_snv_central_supp", "isomir_snv_other": "iso_snv",
		}
		compared := 0
		for _, r := range summary[1:] {
			cat, ok := mirtopName[r[0]]
			if !ok {
				continue
			}
			for k, s := range summary[0][1:] {
				want := mt[cat+" "+s]
				if want == "" {
					want = "0" // mirtop omits empty categories
				}
				if r[k+1] != want {
					t.Errorf("%s %s: summary.tsv %s, mirtop stats %s_sum %s", r[0], s, r[k+1], cat, want)
				}
				compared++
			}
		}
		if compared != len(mirtopName)*len(samples) {
			t.Errorf("compared %d values, want %d", compared, len(mirtopName)*len(samples))
		}

		// mirtop 0.4.25's "validate" command never calls its validator
		// (it dispatches on "validator"), so exit 0 proves little: run the
		// validator's own check on the file. Its UID check decodes
		// MINTplates license plates, which exomir's UIDs are not (by
		// design: see quant.WriteIsomirGFF), so that one check is
		// disabled; every other check must pass.
		py := "/usr/bin/python3"
		if sb, err := os.ReadFile(mirtop); err == nil && strings.HasPrefix(string(sb), "#!") {
			py = strings.Fields(strings.TrimPrefix(strings.SplitN(string(sb), "\n", 2)[0], "#!"))[0]
		}
		script := "import sys\nfrom mirtop.gff import validator\nvalidator.read_id = lambda uid: True\nprint(validator._check_file(sys.argv[1]))\n"
		cmd := exec.Command(py, "-c", script, gff)
		cmd.Dir = dir
		vb, err := cmd.Output()
		if err != nil {
			t.Fatalf("mirtop validator: %v", err)
		}
		if got := strings.TrimSpace(string(vb)); got != "0" {
			t.Errorf("mirtop validator: %s errors", got)
		}
	})
}
