package diffexp

import (
	"bufio"
	"compress/gzip"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// Reference values in this file come from edgeR 3.40.2 (R 4.2.2, Debian
// bookworm): ../shared/data/counts/pd_amygdala_GSE97285/ (made by
// make_reference_de.R there) and testdata/de/ (made by
// testdata/de/make_goldens.sh with ../shared/peers/edger.R).

// edgerTolTMM is the target for TMM factors (relative difference).
const edgerTolTMM = 1e-6

// edgerOpen opens path, or path+".gz" through gzip.
func edgerOpen(t *testing.T, path string) io.Reader {
	t.Helper()
	if f, err := os.Open(path); err == nil {
		t.Cleanup(func() { f.Close() })
		return f
	}
	f, err := os.Open(path + ".gz")
	if err != nil {
		t.Fatalf("golden file: %v", err)
	}
	t.Cleanup(func() { f.Close() })
	z, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	return z
}

// edgerTable reads a TSV with a header into column name → values (as
// strings), keeping row order.
func edgerTable(t *testing.T, path string) (map[string][]string, []string) {
	t.Helper()
	sc := bufio.NewScanner(edgerOpen(t, path))
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	var hdr []string
	cols := map[string][]string{}
	for sc.Scan() {
		f := strings.Split(strings.TrimRight(sc.Text(), "\r"), "\t")
		if hdr == nil {
			hdr = f
			continue
		}
		for k, h := range hdr {
			cols[h] = append(cols[h], f[k])
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return cols, hdr
}

func edgerFloats(t *testing.T, s []string) []float64 {
	t.Helper()
	out := make([]float64, len(s))
	for i, v := range s {
		if v == "NA" {
			out[i] = math.NaN()
			continue
		}
		f, err := strconv.ParseFloat(v, 64)
		if err != nil {
			t.Fatal(err)
		}
		out[i] = f
	}
	return out
}

func edgerLoad(t *testing.T, dir string) (*Counts, *ColData) {
	t.Helper()
	c, err := ReadCounts(edgerOpen(t, filepath.Join(dir, "counts.tsv")), "counts.tsv")
	if err != nil {
		t.Fatal(err)
	}
	cd, err := ReadColData(edgerOpen(t, filepath.Join(dir, "coldata.tsv")), "coldata.tsv")
	if err != nil {
		t.Fatal(err)
	}
	cd, err = cd.Align(c.Samples)
	if err != nil {
		t.Fatal(err)
	}
	return c, cd
}

const amygdalaDir = "../../shared/data/counts/pd_amygdala_GSE97285"

// edgerGoldenSets lists the data sets with edgeR reference outputs: the
// directory, the normfactors and exact-test file names, and the contrast.
var edgerGoldenSets = []struct {
	name, dir, normf, exact string
	contrast                []string
}{
	{"pd_amygdala", amygdalaDir, "edger_tmm_normfactors.tsv", "edger_exacttest_results.tsv", []string{"condition", "ct", "cc"}},
	{"sim2600x20", "../testdata/de/sim2600x20", "edger.tsv.normfactors.tsv", "edger.tsv", []string{"condition", "tumor", "control"}},
	{"sim_outlier", "../testdata/de/sim_outlier", "edger.tsv.normfactors.tsv", "edger.tsv", []string{"condition", "tumor", "control"}},
	{"sim_sparse", "../testdata/de/sim_sparse", "edger.tsv.normfactors.tsv", "edger.tsv", []string{"condition", "tumor", "control"}},
}

func TestTMMGolden(t *testing.T) {
	for _, gs := range edgerGoldenSets {
		t.Run(gs.name, func(t *testing.T) {
			if gs.dir == amygdalaDir {
				if _, err := os.Stat(gs.dir); err != nil {
					t.Skipf("shared data not present: %v", err)
				}
			}
			c, _ := edgerLoad(t, gs.dir)
			tab, _ := edgerTable(t, filepath.Join(gs.dir, gs.normf))
			want := edgerFloats(t, tab["norm.factors"])
			got := TMM(c)
			worst := 0.0
			for j := range want {
				if tab["sample"][j] != c.Samples[j] {
					t.Fatalf("sample order %q vs %q", tab["sample"][j], c.Samples[j])
				}
				d := math.Abs(got[j]-want[j]) / want[j]
				worst = math.Max(worst, d)
			}
			t.Logf("%s: TMM max relative difference vs edgeR 3.40.2 = %.3g (target %g)", gs.name, worst, edgerTolTMM)
			if worst > edgerTolTMM {
				t.Errorf("TMM max rel diff %g > %g\n got %v\nwant %v", worst, edgerTolTMM, got, want)
			}
		})
	}
}
