package align

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/exomir/exomir/internal/testenv"
	"github.com/exomir/exomir/seq"
)

// bowtieIndex writes refs to dir/hp.fa and builds their bowtie index
// dir/hp with the bowtie-build at build.
func bowtieIndex(tb testing.TB, build, dir string, refs []Ref) {
	tb.Helper()
	var fa bytes.Buffer
	for _, r := range refs {
		fmt.Fprintf(&fa, ">%s\n%s\n", r.Name, r.Seq)
	}
	writeFile(tb, filepath.Join(dir, "hp.fa"), fa.Bytes())
	if out, err := exec.Command(build, "-q", filepath.Join(dir, "hp.fa"), filepath.Join(dir, "hp")).CombinedOutput(); err != nil {
		tb.Fatalf("bowtie-build: %v\n%s", err, out)
	}
}

// TestAgainstBowtie compares Align (tails off) with bowtie 1 run as
// "bowtie -f -v k -a --best --strata" on the human hairpins: the same
// best-stratum model (substitutions only, all hits of the best mismatch
// count). It runs wherever bowtie is installed and fails under CI=true when
// it is not.
func TestAgainstBowtie(t *testing.T) {
	bowtie := testenv.Tool(t, "bowtie")
	build := testenv.Tool(t, "bowtie-build")
	refs := loadHairpins(t)
	dir := t.TempDir()
	bowtieIndex(t, build, dir, refs)
	// Reads: the benchmark mix plus windows with up to 4 substitutions or Ns.
	reads := benchReads(refs, 3000)
	r := rand.New(rand.NewPCG(3, 3))
	for len(reads) < 6000 {
		s := refs[r.IntN(len(refs))].Seq
		l := 16 + r.IntN(15)
		if l > len(s) {
			continue
		}
		p := r.IntN(len(s) - l + 1)
		read := slices.Clone(s[p : p+l])
		for range r.IntN(5) {
			read[r.IntN(l)] = "ACGTN"[r.IntN(5)]
		}
		reads = append(reads, read)
	}
	var fa bytes.Buffer
	for i, rd := range reads {
		fmt.Fprintf(&fa, ">%d\n%s\n", i, rd)
	}
	writeFile(t, filepath.Join(dir, "reads.fa"), fa.Bytes())
	names := map[string]int32{}
	for i, r := range refs {
		names[r.Name] = int32(i)
	}
	for _, tc := range []struct {
		k    int
		both bool
	}{{0, false}, {1, false}, {2, false}, {3, false}, {1, true}} {
		t.Run(fmt.Sprintf("k%d-both=%v", tc.k, tc.both), func(t *testing.T) {
			o := Options{MaxMismatches: tc.k, MinLength: 15, BothStrands: tc.both}
			ix, err := NewIndex(refs, o)
			if err != nil {
				t.Fatal(err)
			}
			args := []string{"-p", "1", "-f", "-v", strconv.Itoa(tc.k), "-a", "--best", "--strata", "-x", filepath.Join(dir, "hp"), filepath.Join(dir, "reads.fa")}
			if !tc.both {
				args = append(args, "--norc")
			}
			out, err := exec.Command(bowtie, args...).Output()
			if err != nil {
				t.Fatalf("bowtie: %v", err)
			}
			want := make([][]Hit, len(reads))
			sc := bufio.NewScanner(bytes.NewReader(out))
			for sc.Scan() {
				// read, strand, reference, offset, sequence, qualities, count, mismatches
				f := strings.Split(sc.Text(), "\t")
				if len(f) < 8 {
					t.Fatalf("bowtie line %q", sc.Text())
				}
				ri, _ := strconv.Atoi(f[0])
				pos, _ := strconv.Atoi(f[3])
				h := Hit{Ref: names[f[2]], Pos: int32(pos), Len: int32(len(reads[ri])), Reverse: f[1] == "-"}
				if f[7] != "" {
					for _, m := range strings.Split(f[7], ",") {
						p, _ := strconv.Atoi(m[:strings.IndexByte(m, ':')])
						h.MM[h.Mismatches] = int8(p)
						h.Mismatches++
					}
					slices.Sort(h.MM[:h.Mismatches])
				}
				want[ri] = append(want[ri], h)
			}
			total := 0
			for i, rd := range reads {
				slices.SortFunc(want[i], compareHits)
				got := ix.Align(rd, nil)
				if len(got) == 0 {
					got = nil
				}
				if !slices.Equal(got, want[i]) {
					t.Fatalf("read %s:\n ours   %v\n bowtie %v", rd, got, want[i])
				}
				total += len(got)
			}
			t.Logf("%d reads, %d hits, identical", len(reads), total)
		})
	}
}

func writeFile(t testing.TB, path string, b []byte) {
	t.Helper()
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// BenchmarkBowtieRatio times, in the same run, bowtie 1 ("-p 1 -f -v 1 -a
// --best --strata --norc", the same hits as tails-off Align, checked by
// TestAgainstBowtie) and this package on the same 200,000 distinct reads
// of the BenchmarkAlign mix over the human hairpins. Both sides parse the
// FASTA reads, build or load the index and format one text line per hit;
// bowtie's time is its process CPU time, ours the CPU time of this process
// (one goroutine). Metric: bowtie-cpu/ours-cpu (higher is better for us).
func BenchmarkBowtieRatio(b *testing.B) {
	bowtie, err1 := exec.LookPath("bowtie")
	build, err2 := exec.LookPath("bowtie-build")
	if err1 != nil || err2 != nil {
		b.Skip("bowtie not installed")
	}
	refs := loadHairpins(b)
	dir := b.TempDir()
	bowtieIndex(b, build, dir, refs)
	var fa bytes.Buffer
	for i, rd := range benchReads(refs, 200000) {
		fmt.Fprintf(&fa, ">%d\n%s\n", i, rd)
	}
	readsFa := filepath.Join(dir, "reads.fa")
	if err := os.WriteFile(readsFa, fa.Bytes(), 0o644); err != nil {
		b.Fatal(err)
	}
	var bowtieCPU, ourCPU time.Duration
	for b.Loop() {
		cmd := exec.Command(bowtie, "-p", "1", "-f", "-v", "1", "-a", "--best", "--strata", "--norc", "-x", filepath.Join(dir, "hp"), readsFa)
		cmd.Stdout = io.Discard
		if err := cmd.Run(); err != nil {
			b.Fatal(err)
		}
		bowtieCPU += cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()

		cpu0 := cpuTime()
		if err := alignFastaFiles(filepath.Join(dir, "hp.fa"), readsFa, io.Discard); err != nil {
			b.Fatal(err)
		}
		ourCPU += cpuTime() - cpu0
	}
	if ourCPU > 0 {
		b.ReportMetric(bowtieCPU.Seconds()/ourCPU.Seconds(), "bowtie-cpu/ours-cpu")
		b.ReportMetric(ourCPU.Seconds()/float64(b.N), "ours-cpu-s/op")
		b.ReportMetric(bowtieCPU.Seconds()/float64(b.N), "bowtie-cpu-s/op")
	}
}

// alignFastaFiles is the work BenchmarkBowtieRatio times for us: read the
// references and reads, index, align with k=1 and no tails, write a line
// per hit.
func alignFastaFiles(refFile, readFile string, w io.Writer) error {
	rf, err := os.Open(refFile)
	if err != nil {
		return err
	}
	defer rf.Close()
	recs, err := seq.ReadAllFasta(rf, refFile)
	if err != nil {
		return err
	}
	refs := make([]Ref, len(recs))
	for i, r := range recs {
		refs[i] = Ref{Name: r.Name, Seq: r.Seq}
	}
	ix, err := NewIndex(refs, Options{MaxMismatches: 1, MinLength: 15})
	if err != nil {
		return err
	}
	f, err := os.Open(readFile)
	if err != nil {
		return err
	}
	defer f.Close()
	fr := seq.NewFastaReader(f, readFile)
	bw := bufio.NewWriter(w)
	var hits []Hit
	var line []byte
	for {
		rec, err := fr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		hits = ix.Align(rec.Seq, hits[:0])
		for _, h := range hits {
			line = append(line[:0], rec.Name...)
			line = append(line, '\t')
			line = append(line, refs[h.Ref].Name...)
			line = append(line, '\t')
			line = strconv.AppendInt(line, int64(h.Pos), 10)
			line = append(line, '\t')
			line = strconv.AppendInt(line, int64(h.Mismatches), 10)
			line = append(line, '\n')
			bw.Write(line)
		}
	}
	return bw.Flush()
}
