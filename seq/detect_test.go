package seq

import (
	"bufio"
	"bytes"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/exomir/exomir/internal/gztest"
	"github.com/exomir/exomir/internal/testenv"
)

// readSeqs loads a gzip file of one sequence per line (testdata/detect).
func readSeqs(t testing.TB, path string) [][]byte {
	t.Helper()
	var out [][]byte
	sc := bufio.NewScanner(bytes.NewReader(gztest.ReadAll(t, path)))
	for sc.Scan() {
		out = append(out, []byte(sc.Text()))
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestDetectRealFiles runs detection on small real subsets (see
// testdata/SOURCES.md, section testdata/detect). Expected kits come from the
// files' documentation in ../shared/data/SOURCES.md.
func TestDetectRealFiles(t *testing.T) {
	tests := []struct {
		file    string
		kit     string
		adapter string
		alt     []string
	}{
		{"bcbio_truseq.seq.gz", "truseq", AdapterTruSeq, []string{"nextflex"}},
		{"mirtrace_sample1_truseq.seq.gz", "truseq", AdapterTruSeq, []string{"nextflex"}},
		{"mirtrace_sample2_truseq.seq.gz", "truseq", AdapterTruSeq, []string{"nextflex"}},
		{"mirtrace_sample3_v15.seq.gz", "v1.5", AdapterV15, nil},
		{"mirtrace_qiaseq.seq.gz", "qiaseq", AdapterQIAseq, nil},
		{"compsra01_nextflex.seq.gz", "nextflex", AdapterTruSeq, []string{"truseq"}},
		{"compsra07_nextflex.seq.gz", "nextflex", AdapterTruSeq, []string{"truseq"}},
		{"excerpt_v1.seq.gz", "v1", AdapterV1, nil},
		{"mirtrace_sample2_trimmed.seq.gz", "none", "", nil},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			d := DetectAdapter(readSeqs(t, filepath.Join("..", "testdata", "detect", tc.file)))
			t.Logf("%+v", d)
			if d.Kit != tc.kit || d.Adapter != tc.adapter || !slices.Equal(d.Alternatives, tc.alt) {
				t.Errorf("got kit %q adapter %q alt %v, want %q %q %v", d.Kit, d.Adapter, d.Alternatives, tc.kit, tc.adapter, tc.alt)
			}
			if d.Confidence < 0.5 || d.Confidence > 1 {
				t.Errorf("confidence %v outside [0.5,1]", d.Confidence)
			}
			if d.Method == "" || d.Note == "" {
				t.Errorf("method/note empty: %+v", d)
			}
			// No real library here has a 5' barcode: only NEXTflex's 4
			// random bases are clipped.
			if want := map[bool]int{true: 4}[tc.kit == "nextflex"]; d.Clip5 != want {
				t.Errorf("clip5 %d (%s), want %d", d.Clip5, d.Prefix, want)
			}
		})
	}
}

// TestDetectSynthetic builds reads from random inserts and an adapter
// (known or made up) and checks what detection reports.
func TestDetectSynthetic(t *testing.T) {
	const custom = "GTCCAGTTCAGGACTCTGATCGAT" // made up; not a kit adapter
	tests := []struct {
		name    string
		adapter string
		frac    float64 // share of reads with the adapter
		dimers  float64 // share of reads that are adapter dimers
		kit     string
		want    string
	}{
		{"unknown adapter", custom, 0.8, 0, "custom", custom},
		{"truseq at 30%", AdapterTruSeq, 0.3, 0, "truseq", AdapterTruSeq},
		{"neb universal", AdapterUniversal, 0.9, 0, "neb", AdapterUniversal},
		{"no adapter", "", 0, 0, "none", ""},
		{"truseq, 90% dimers", AdapterTruSeq, 1, 0.9, "truseq", AdapterTruSeq},
		{"v1.5, 60% dimers", AdapterV15, 1, 0.6, "v1.5", AdapterV15},
		{"cats poly-A", strings.Repeat("A", 30), 0.9, 0, "cats", ""},
		// 100-nt TruSeq reads run on through the index primer into the
		// P7 sequence, which holds the v1.5 adapter: the leftmost wins.
		{"truseq read-through to P7", AdapterTruSeq + "GAACTCCAGTCACATCACGATCTCGTATGCCGTCTTCTGCTTGAAAAAAAAAA", 0.9, 0.1, "truseq", AdapterTruSeq},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(42, 1))
			// A few abundant "miRNAs" plus random inserts, 50-nt reads.
			mirs := []string{miR21, "TGAGGTAGTAGGTTGTATAGTT", "TAGCAGCACGTAAATATTGGCG"}
			var reads [][]byte
			for i := 0; i < 3000; i++ {
				var ins string
				if rng.Float64() < tc.dimers {
					ins = ""
				} else if rng.IntN(2) == 0 {
					ins = mirs[rng.IntN(len(mirs))]
				} else {
					ins = randSeq(rng, 16+rng.IntN(20))
				}
				tail := randSeq(rng, 50)
				if rng.Float64() < tc.frac {
					tail = tc.adapter + tail
				}
				readLen := 50
				if len(tc.adapter) > 40 {
					readLen = 100
				}
				tail += randSeq(rng, readLen)
				reads = append(reads, []byte((ins + tail)[:readLen]))
			}
			d := DetectAdapter(reads)
			t.Logf("%+v", d)
			if d.Kit != tc.kit || d.Adapter != tc.want {
				t.Errorf("got %q %q, want %q %q", d.Kit, d.Adapter, tc.kit, tc.want)
			}
		})
	}
}

func TestDetectEmpty(t *testing.T) {
	for _, reads := range [][][]byte{nil, {{}}, {[]byte("ACGT")}, {[]byte(strings.Repeat("N", 50))}} {
		if d := DetectAdapter(reads); d.Kit != "none" || d.Adapter != "" {
			t.Errorf("%q: got %+v", reads, d)
		}
	}
}

// TestDetectSharedData runs detection on every full real file of the
// shared data set when it is present next to the repository (it is not part
// of a clone; the committed subsets above are the required check).
func TestDetectSharedData(t *testing.T) {
	dir := filepath.Join("..", "..", "shared", "data", "fastq")
	want := map[string]string{
		"bcbio_mirqca_SRR950876.fastq.gz":           "truseq",
		"mirtrace_sample1.fastq.gz":                 "truseq",
		"mirtrace_sample2.fastq.gz":                 "truseq",
		"mirtrace_sample3.fastq.gz":                 "v1.5",
		"mirtrace_QiaSeq_data.fastq.gz":             "qiaseq",
		"excerpt_testData_human_SRR026761.fastq.gz": "v1",
	}
	for i := 1; i <= 9; i++ {
		want[filepath.Join("compsra", "compsra_sample0"+string(rune('0'+i))+".fastq.gz")] = "nextflex"
	}
	testenv.Path(t, dir)
	for name, kit := range want {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(dir, name)
			rc, err := Open(path)
			if err != nil {
				t.Fatal(err)
			}
			defer rc.Close()
			fr := NewFastqReader(rc, path)
			var reads [][]byte
			var rec Record
			for len(reads) < 100000 && fr.Scan(&rec) {
				reads = append(reads, slices.Clone(rec.Seq))
			}
			if err := fr.Err(); err != nil {
				t.Fatal(err)
			}
			d := DetectAdapter(reads)
			if d.Kit != kit {
				t.Errorf("%s: got %+v, want kit %s", name, d, kit)
			}
			if want := map[bool]int{true: 4}[kit == "nextflex"]; d.Clip5 != want {
				t.Errorf("%s: clip5 %d (%s), want %d (no false 5' clip)", name, d.Clip5, d.Prefix, want)
			}
			t.Logf("%s", d.Note)
		})
	}
}

// BenchmarkDetectAdapter runs detection on 100,000 reads (the committed
// bcbio subset repeated); bytes = total read length.
func BenchmarkDetectAdapter(b *testing.B) {
	base := readSeqs(b, filepath.Join("..", "testdata", "detect", "bcbio_truseq.seq.gz"))
	var reads [][]byte
	var size int64
	for len(reads) < 100000 {
		for _, r := range base {
			reads = append(reads, r)
			size += int64(len(r))
		}
	}
	b.SetBytes(size)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		DetectAdapter(reads)
	}
}
