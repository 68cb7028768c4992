// Command mkreads writes a deterministic synthetic small-RNA FASTQ for the
// collapse speed benchmark: 50-nt TruSeq reads whose inserts are human
// miRBase 21 matures drawn with a Zipf-like abundance, with isomiR length
// variation, other RNA fragments, adapter dimers and rare sequencing
// errors, followed by the TruSeq 3' adapter and what real reads show after
// it.
//
// Usage:
//
//	go run ./bench/mkreads -n 2000000 > reads.fq   (from the repository root)
package main

import (
	"bufio"
	"flag"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"sort"

	"github.com/exomir/exomir/seq"
	"github.com/exomir/exomir/simulate"
)

// After the 3' adapter, real TruSeq small-RNA reads continue into the RNA
// PCR primer: AACTCCAGTCAC, the index (ATCACG in
// the miRTrace tutorial's sample1.fastq.gz, a real TruSeq file) and the P7 end.
const (
	adapter = seq.AdapterTruSeq // GUIDE §3, Illumina TruSeq small RNA 3' adapter
	primer  = simulate.TruSeqFiller
)

func main() {
	n := flag.Int("n", 2000000, "number of reads")
	length := flag.Int("len", 50, "read length")
	mature := flag.String("mature", "quant/mirbase/hsa_mature_v21.fa.gz", "miRBase mature FASTA, plain or gzip (default: the copy embedded in package quant, relative to the repository root)")
	tail := flag.String("tail", "primer", "what follows the adapter: primer (as in real reads) or random")
	seed := flag.Uint64("seed", 1, "random seed")
	flag.Parse()
	if err := run(*n, *length, *mature, *tail, *seed); err != nil {
		fmt.Fprintln(os.Stderr, "mkreads:", err)
		os.Exit(1)
	}
}

func run(n, length int, maturePath, tail string, seed uint64) error {
	recs, err := seq.ReadFastaFile(maturePath)
	if err != nil {
		return err
	}
	sort.Slice(recs, func(i, j int) bool { return recs[i].Name < recs[j].Name })
	rng := rand.New(rand.NewPCG(seed, 0x5eed))
	rng.Shuffle(len(recs), func(i, j int) { recs[i], recs[j] = recs[j], recs[i] })
	mirs := make([]string, len(recs))
	for i, r := range recs {
		mirs[i] = string(r.Seq)
	}
	mirCum := zipfCum(len(mirs), 1.3)
	// A pool of other RNA fragments (rRNA/tRNA/YRNA-like), also skewed.
	others := make([]string, 20000)
	for i := range others {
		others[i] = randBases(rng, 18+rng.IntN(30))
	}
	otherCum := zipfCum(len(others), 1.0)

	w := bufio.NewWriterSize(os.Stdout, 1<<20)
	read := make([]byte, 0, 256)
	qual := make([]byte, length)
	for i := 0; i < n; i++ {
		var ins string
		switch u := rng.Float64(); {
		case u < 0.80:
			ins = isomiR(rng, mirs[pick(rng, mirCum)])
		case u < 0.93:
			ins = others[pick(rng, otherCum)]
		case u < 0.97:
			ins = "" // adapter dimer
		default:
			ins = randBases(rng, 5+rng.IntN(10))
		}
		read = append(read[:0], ins...)
		read = append(read, adapter...)
		if tail == "random" {
			for len(read) < length {
				read = append(read, "ACGT"[rng.IntN(4)])
			}
		} else {
			read = append(read, primer...)
		}
		for len(read) < length {
			read = append(read, "ACGT"[rng.IntN(4)])
		}
		read = read[:length]
		for j := range read {
			if rng.IntN(1000) == 0 {
				read[j] = "ACGT"[rng.IntN(4)]
			}
			if rng.IntN(5000) == 0 {
				read[j] = 'N'
			}
		}
		// NextSeq-like qualities: a lower first five, mostly E, some dips.
		for j := range qual {
			switch q := rng.IntN(100); {
			case read[j] == 'N':
				qual[j] = '#'
			case j < 5:
				qual[j] = 'A'
			case q < 90:
				qual[j] = 'E'
			case q < 97:
				qual[j] = 'A'
			default:
				qual[j] = '/'
			}
		}
		fmt.Fprintf(w, "@NS500688:98:HMNCWBGXX:%d:%d:%d:%d 1:N:0:ATCACG\n", 1+rng.IntN(4), 11101+rng.IntN(12000), 1000+rng.IntN(25000), 1000+rng.IntN(20000))
		w.Write(read)
		w.WriteString("\n+\n")
		w.Write(qual)
		w.WriteByte('\n')
	}
	return w.Flush()
}

// isomiR varies a mature's ends as sequencing of real isomiRs shows.
func isomiR(rng *rand.Rand, m string) string {
	if rng.IntN(10) == 0 && len(m) > 18 {
		m = m[1:] // 5' shift
	}
	switch u := rng.IntN(10); {
	case u < 2 && len(m) > 18:
		m = m[:len(m)-1-rng.IntN(2)] // 3' trimmed
	case u < 3:
		m += string("AT"[rng.IntN(2)]) // non-templated addition
	}
	return m
}

func randBases(rng *rand.Rand, n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = "ACGT"[rng.IntN(4)]
	}
	return string(b)
}

// zipfCum returns cumulative weights 1/rank^s.
func zipfCum(n int, s float64) []float64 {
	c := make([]float64, n)
	sum := 0.0
	for i := range c {
		sum += 1 / math.Pow(float64(i+1), s)
		c[i] = sum
	}
	return c
}

func pick(rng *rand.Rand, cum []float64) int {
	return sort.SearchFloat64s(cum, rng.Float64()*cum[len(cum)-1])
}
