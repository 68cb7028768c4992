//go:build linux

package main

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/exomir/exomir/internal/gztest"
)

// peakRSS runs the CLI as a child process and returns its peak resident
// memory in bytes, and whether it exited 0.
func peakRSS(t *testing.T, args ...string) (int64, bool) {
	t.Helper()
	cmd := exomirCmd(args...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	if !ok {
		t.Fatal("no rusage")
	}
	return ru.Maxrss * 1024, err == nil
}

// TestSmallInputsUseLittleMemory: no input under 1 KB makes a command use
// more than 64 MB beyond what it uses on a valid one-record input
// (declared lengths are not trusted before the data is there).
func TestSmallInputsUseLittleMemory(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	gz := func(s string) []byte {
		var b bytes.Buffer
		w, _ := gzip.NewWriterLevel(&b, gzip.BestCompression)
		w.Write([]byte(s))
		w.Close()
		return b.Bytes()
	}
	le := binary.LittleEndian
	mir21 := "TAGCTTATCAGACTGATGTTGA"
	oneRead := write("one.fq", []byte("@r\n"+mir21+"TGGAATTCTCGGGTGCCAAGG\n+\n"+strings.Repeat("I", 43)+"\n"))
	oneSAM := write("one.sam", []byte("@HD\tVN:1.6\tSO:unsorted\nr\t4\t*\t0\t0\t*\t*\t0\t0\t"+mir21+"\t*\n"))
	longRead := write("long.fq.gz", gz("@r\n"+strings.Repeat("A", 400<<10)+"\n+\n"+strings.Repeat("I", 400<<10)+"\n"))
	hugeText := le.AppendUint32([]byte("BAM\x01"), 255<<20)
	hugeRec := le.AppendUint32(le.AppendUint32(le.AppendUint32([]byte("BAM\x01"), 0), 0), 60<<20)
	gff := write("huge.gff3", []byte("##gff-version 3\nchr1\t.\tmiRNA_primary_transcript\t1\t2000000000\t.\t+\t.\tID=MI1;Name=hsa-mir-21\n"))
	var cb strings.Builder
	cb.WriteString("mirna\ta\tb\tc\td\n")
	for i := 1; i <= 20; i++ {
		fmt.Fprintf(&cb, "m%d\t%d\t%d\t%d\t%d\n", i, 10*i, 12*i+3, 9*i+1, 30+i)
	}
	counts1 := write("counts1.tsv", []byte(cb.String()))
	coldata := write("coldata.tsv", []byte("sample\tcondition\na\ttumor\nb\ttumor\nc\tcontrol\nd\tcontrol\n"))
	wideCounts := write("wide.tsv", []byte("mirna\ta\tb\tc\td\nm1\t1\t2\t3\t99999999999999999999999999\n"))
	for _, p := range []string{longRead, write("t.bam", gztest.BGZF(hugeText)), write("r.bam", gztest.BGZF(hugeRec)), gff, wideCounts} {
		if st, _ := os.Stat(p); st.Size() >= 1024 {
			t.Fatalf("%s is %d bytes, not under 1 KB", p, st.Size())
		}
	}
	out := filepath.Join(dir, "out")
	for _, tc := range []struct {
		name           string
		baseline, args []string
	}{
		{"quant fastq, 400 kb read", []string{"quant", "-fastq", oneRead, "-out", out}, []string{"quant", "-fastq", longRead, "-out", out, "-sample", "x"}},
		{"collapse, 400 kb read", []string{"collapse", "-in", oneRead, "-out", out + "/c"}, []string{"collapse", "-in", longRead, "-out", out + "/d"}},
		{"quant bam, 255 MiB header text", []string{"quant", "-bam", oneSAM, "-out", out}, []string{"quant", "-bam", filepath.Join(dir, "t.bam"), "-out", out}},
		{"quant bam, 60 MiB record", []string{"quant", "-bam", oneSAM, "-out", out}, []string{"quant", "-bam", filepath.Join(dir, "r.bam"), "-out", out}},
		{"quant genome, 2 Gb feature", []string{"quant", "-bam", oneSAM, "-out", out}, []string{"quant", "-bam", oneSAM, "-gff", gff, "-out", out}},
		{"de, count above 2^53", []string{"de", "-counts", counts1, "-coldata", coldata, "-out", out + "/de.tsv"}, []string{"de", "-counts", wideCounts, "-coldata", coldata, "-out", out + "/de2.tsv"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			base, ok := peakRSS(t, tc.baseline...)
			if !ok {
				t.Fatalf("baseline %v failed", tc.baseline)
			}
			got, _ := peakRSS(t, tc.args...)
			t.Logf("peak RSS %d MB (valid one-record input: %d MB)", got>>20, base>>20)
			if got-base > 64<<20 {
				t.Errorf("peak RSS %d MB, %d MB above the valid one-record input's %d MB", got>>20, (got-base)>>20, base>>20)
			}
		})
	}
}
