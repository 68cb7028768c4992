// Command cutadapt compares exomir's adapter trimming with cutadapt's, read
// by read.
//
// Usage:
//
//	go run ./bench/cutadapt -in RAW.fastq.gz -cutadapt TRIMMED.fastq [-adapter SEQ] [-e 0.1] [-O 3] [-show 5]
//
// TRIMMED must be cutadapt's output for RAW with no length filter, so that
// both files hold the same reads in the same order. It prints one line
// "file reads same differ agreement%" and, with -show, a few differing reads
// (read, exomir insert, cutadapt insert) to stderr.
package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"syscall"
	"time"

	"github.com/exomir/exomir/seq"
)

func main() {
	if err := run(os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "cutadapt-compare:", err)
		os.Exit(1)
	}
}

func run(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("cutadapt-compare", flag.ContinueOnError)
	fs.SetOutput(stderr)
	in := fs.String("in", "", "raw FASTQ (any compression)")
	cut := fs.String("cutadapt", "", "cutadapt output for -in (no length filter)")
	adapter := fs.String("adapter", seq.AdapterTruSeq, "3' adapter")
	rate := fs.Float64("e", 0.1, "maximum error rate")
	overlap := fs.Int("O", 3, "minimum overlap")
	show := fs.Int("show", 0, "print up to this many differing reads to stderr")
	timing := fs.Bool("time", false, "also time Trim over the file's reads in memory (with and without indels)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *in == "" || *cut == "" {
		return errors.New("-in and -cutadapt are required")
	}
	tr, err := seq.NewTrimmer(seq.TrimOptions{Kit: seq.Kit{Name: "user", Adapter: *adapter}, MaxErrorRate: *rate, MinOverlap: *overlap})
	if err != nil {
		return err
	}
	ra, err := seq.Open(*in)
	if err != nil {
		return err
	}
	defer ra.Close()
	rb, err := seq.Open(*cut)
	if err != nil {
		return err
	}
	defer rb.Close()
	fa, fb := seq.NewFastqReader(ra, *in), seq.NewFastqReader(rb, *cut)
	var a, b seq.Record
	var n, same, shorter, longer int64
	var reads [][]byte
	shown := 0
	for fa.Scan(&a) {
		if !fb.Scan(&b) {
			if err := fb.Err(); err != nil {
				return err
			}
			return fmt.Errorf("%s has fewer reads than %s", *cut, *in)
		}
		if !bytes.Equal(bytes.Fields(a.Name)[0], bytes.Fields(b.Name)[0]) {
			return fmt.Errorf("read %d: names differ: %q vs %q", n+1, a.Name, b.Name)
		}
		n++
		if *timing {
			reads = append(reads, bytes.Clone(a.Seq))
		}
		r := tr.Trim(a.Seq, nil)
		if bytes.Equal(r.Insert, b.Seq) {
			same++
			continue
		}
		if len(r.Insert) < len(b.Seq) {
			shorter++
		} else {
			longer++
		}
		if shown < *show {
			shown++
			fmt.Fprintf(stderr, "read   %s\nexomir %s\ncutadpt %s\n\n", a.Seq, r.Insert, b.Seq)
		}
	}
	if err := fa.Err(); err != nil {
		return err
	}
	if fb.Scan(&b) {
		return fmt.Errorf("%s has more reads than %s", *cut, *in)
	}
	if n == 0 {
		return fmt.Errorf("%s: no reads", *in)
	}
	fmt.Fprintf(stdout, "%s\t%d\t%d\t%d\t%.3f%%\t(exomir shorter %d, longer %d)\n", *in, n, same, n-same, 100*float64(same)/float64(n), shorter, longer)
	if *timing {
		noIndel, err := seq.NewTrimmer(seq.TrimOptions{Kit: seq.Kit{Name: "user", Adapter: *adapter}, MaxErrorRate: *rate, MinOverlap: *overlap, NoIndels: true})
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "\tTrim CPU ns/read (median of 5): with indels %.1f, mismatches only %.1f\n", timeTrim(tr, reads), timeTrim(noIndel, reads))
	}
	return nil
}

// timeTrim returns the median over 5 rounds of the process CPU time per
// read of trimming all reads (each round repeats the file for >= 100 ms of
// CPU). CPU time rather than wall time, because the machine is shared.
func timeTrim(tr *seq.Trimmer, reads [][]byte) float64 {
	var per []float64
	for round := 0; round < 5; round++ {
		start := cpuTime()
		var k int
		for k = 0; k == 0 || cpuTime()-start < 100*time.Millisecond; k++ {
			for _, r := range reads {
				tr.Trim(r, nil)
			}
		}
		per = append(per, float64((cpuTime()-start).Nanoseconds())/float64(k*len(reads)))
	}
	sort.Float64s(per)
	return per[len(per)/2]
}

// cpuTime is the user+system CPU time of the process so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
