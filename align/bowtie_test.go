package align

import (
	"bufio"
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// TestAgainstBowtie compares Align (tails off) with bowtie 1 run as
// "bowtie -f -v k -a --best --strata" on the human hairpins: the same
// best-stratum model (substitutions only, all hits of the best mismatch
// count). It runs wherever bowtie is installed and fails under CI=true when
// it is not.
func TestAgainstBowtie(t *testing.T) {
	bowtie, err1 := exec.LookPath("bowtie")
	build, err2 := exec.LookPath("bowtie-build")
	if err1 != nil || err2 != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("bowtie and bowtie-build (Debian package bowtie) are required under CI")
		}
		t.Skip("bowtie not installed")
	}
	refs := loadHairpins(t)
	dir := t.TempDir()
	var fa bytes.Buffer
	for _, r := range refs {
		fmt.Fprintf(&fa, ">%s\n%s\n", r.Name, r.Seq)
	}
	writeFile(t, filepath.Join(dir, "hp.fa"), fa.Bytes())
	if out, err := exec.Command(build, "-q", filepath.Join(dir, "hp.fa"), filepath.Join(dir, "hp")).CombinedOutput(); err != nil {
		t.Fatalf("bowtie-build: %v\n%s", err, out)
	}
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
	fa.Reset()
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

func writeFile(t *testing.T, path string, b []byte) {
	t.Helper()
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}
