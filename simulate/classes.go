package simulate

import (
	"bufio"
	"bytes"
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"

	"github.com/exomir/exomir/internal/trnadesc"
	"github.com/exomir/exomir/seq"
)

// Class is a small-RNA class other_rna reads are drawn from (with
// Reference.AddClass): its share of the other_rna reads and its sequences.
type Class struct {
	Name   string
	Weight float64
	Seqs   []ClassSeq
}

// ClassSeq is one sequence of a class. For tRNAs, Anticodon is the 0-based
// first anticodon base of a mature tRNA (with its 3' CCA), and a pre-tRNA
// (Pre) has its mature body at [BodyStart, BodyEnd); -1 when unknown.
type ClassSeq struct {
	Name               string
	Seq                []byte
	Anticodon          int
	Pre                bool
	BodyStart, BodyEnd int
}

// Spikein is one spike-in oligo and its relative amount.
type Spikein struct {
	Name   string
	Seq    []byte
	Amount float64
}

// TRF types of the simulated tRNA fragments, named as quant names them.
var TRFTypeNames = []string{"5p-tRF", "5p-half", "i-tRF", "3p-tRF", "3p-CCA-tRF", "3p-half", "leader", "tRF-1"}

const (
	simTRF5 = iota
	simTRF5Half
	simTRFi
	simTRF3
	simTRF3CCA
	simTRF3Half
	simTRFLeader
	simTRF1
)

// trfMix is the share of each type among tRNA reads (EV-like: halves and
// 3' CCA fragments dominate).
var trfMix = [...]float64{0.20, 0.30, 0.10, 0.05, 0.25, 0.03, 0.02, 0.05}

// AddClass adds a class from FASTA records. tRNA records may carry
// "anticodon=a-b" (1-based, mature with CCA) or, named "pre-…",
// "body=i-j" (the mature body on the pre-tRNA) in their description, as
// quant's embedded annotation does; a class named "tRNA" then gets
// fragments of the tRF types, YRNA, vaultRNA and SRP_RNA the end-biased
// shapes of endShapes, other classes random fragments.
func (ref *Reference) AddClass(name string, weight float64, recs []seq.FastaRecord) error {
	if name == "" || !(weight > 0) || math.IsInf(weight, 0) {
		return fmt.Errorf("%w: class %q with weight %g", ErrConfig, name, weight)
	}
	c := Class{Name: name, Weight: weight}
	for _, r := range recs {
		if len(r.Seq) < 20 {
			continue
		}
		cs := ClassSeq{Name: r.Name, Seq: r.Seq, Pre: strings.HasPrefix(r.Name, "pre-")}
		cs.Anticodon, cs.BodyStart, cs.BodyEnd = trnadesc.Parse(r.Desc, len(r.Seq))
		c.Seqs = append(c.Seqs, cs)
	}
	if len(c.Seqs) == 0 {
		return fmt.Errorf("%w: class %s has no sequence of 20 nt or more", ErrConfig, name)
	}
	ref.Classes = append(ref.Classes, c)
	return nil
}

// AddSpikeins adds spike-in oligos with amounts spread log-uniformly over
// two orders of magnitude (drawn with seed), as a calibrator series is.
func (ref *Reference) AddSpikeins(recs []seq.FastaRecord, seed uint64) error {
	rng := rand.New(rand.NewPCG(seed, 0x5b1c))
	for _, r := range recs {
		if len(r.Seq) < 16 || bytes.IndexByte(r.Seq, 'N') >= 0 {
			return fmt.Errorf("%w: spike-in %s shorter than 16 nt or with N", ErrConfig, r.Name)
		}
		ref.Spikeins = append(ref.Spikeins, Spikein{Name: r.Name, Seq: r.Seq, Amount: math.Pow(10, 2*rng.Float64())})
	}
	return nil
}

// classState is the per-sample drawing state of the classes and spike-ins.
type classState struct {
	classCum, spikeCum []float64
	lastClass, lastTRF int
	lastSpike          int
}

func cumulative(w []float64) []float64 {
	c := make([]float64, len(w))
	s := 0.0
	for i, x := range w {
		s += x
		c[i] = s
	}
	for i := range c {
		c[i] /= s
	}
	return c
}

func pick(cum []float64, u float64) int {
	for i, c := range cum {
		if u < c {
			return i
		}
	}
	return len(cum) - 1
}

func (g *generator) initClasses() {
	ref := g.st.Ref
	if len(ref.Classes) > 0 {
		w := make([]float64, len(ref.Classes))
		for i, c := range ref.Classes {
			w[i] = c.Weight
		}
		g.cls.classCum = cumulative(w)
	}
	if len(ref.Spikeins) > 0 {
		w := make([]float64, len(ref.Spikeins))
		for i, s := range ref.Spikeins {
			w[i] = s.Amount
		}
		g.cls.spikeCum = cumulative(w)
	}
	g.truth.ClassReads = make([]int64, len(ref.Classes))
	g.truth.TRFReads = make([]int64, len(TRFTypeNames))
	g.truth.SpikeinReads = make([]int64, len(ref.Spikeins))
}

// spikeinInsert draws a spike-in read's insert (the oligo itself).
func (g *generator) spikeinInsert() []byte {
	i := pick(g.cls.spikeCum, g.rng.Float64())
	g.origin = append(g.origin, ':')
	g.origin = append(g.origin, g.st.Ref.Spikeins[i].Name...)
	g.cls.lastSpike = i
	return append(g.mol[:0], g.st.Ref.Spikeins[i].Seq...)
}

// classInsert draws an other_rna insert from the classes: a class by
// weight, a sequence of it uniformly, then a fragment of the class's
// shape, checked not to match a hairpin within two mismatches (up to 50
// tries; then a random sequence, counted as unmapped by the caller).
func (g *generator) classInsert() (ins []byte, class, trf int) {
	r := g.rng
	ref := g.st.Ref
	for try := 0; try < 50; try++ {
		ci := pick(g.cls.classCum, r.Float64())
		c := &ref.Classes[ci]
		s := &c.Seqs[r.IntN(len(c.Seqs))]
		if c.Name == "tRNA" {
			// Leader and trailer reads come from the pre-tRNAs at their
			// share of trfMix, the rest from the mature tRNAs.
			wantPre := r.Float64() < trfMix[simTRFLeader]+trfMix[simTRF1]
			for k := 0; k < 50 && s.Pre != wantPre; k++ {
				s = &c.Seqs[r.IntN(len(c.Seqs))]
			}
		}
		var start, end int
		trf = -1
		switch {
		case c.Name == "tRNA":
			start, end, trf = trfFragment(s, r)
		case endShapes[c.Name] != endShape{}:
			start, end, _ = shapedFragment(c.Name, s.Seq, r)
		default:
			l := 18 + r.IntN(18)
			if l > len(s.Seq) {
				l = len(s.Seq)
			}
			start = r.IntN(len(s.Seq) - l + 1)
			end = start + l
		}
		if start < 0 || end > len(s.Seq) || end-start < 18 || end-start > 40 {
			continue
		}
		f := s.Seq[start:end]
		if bytes.IndexByte(f, 'N') >= 0 || ref.checker.matches(f, -1) {
			continue
		}
		g.origin = append(g.origin, ':')
		g.origin = append(g.origin, c.Name...)
		g.origin = append(g.origin, ':')
		g.origin = append(g.origin, s.Name...)
		if trf >= 0 {
			g.origin = append(g.origin, ':')
			g.origin = append(g.origin, TRFTypeNames[trf]...)
		}
		return append(g.mol[:0], f...), ci, trf
	}
	return nil, -1, -1
}

// trfFragment draws a tRNA fragment of a type drawn from trfMix that the
// record can hold, with the positions quant's type rules give that type.
func trfFragment(s *ClassSeq, r *rand.Rand) (start, end, typ int) {
	n := len(s.Seq)
	if s.Pre {
		if s.BodyStart < 0 {
			return -1, -1, -1
		}
		if r.IntN(trfWeight(simTRF1)+trfWeight(simTRFLeader)) < trfWeight(simTRFLeader) {
			start = max(0, s.BodyStart-5-r.IntN(11))
			return start, start + 18 + r.IntN(7), simTRFLeader
		}
		start = s.BodyEnd + r.IntN(3)
		return start, min(n, start+16+r.IntN(10)), simTRF1
	}
	a := s.Anticodon
	if a < 0 {
		return -1, -1, -1
	}
	loop0, loop1 := a-2, a+5
	// Mature types, drawn by their weights among trfMix's mature ones.
	u := r.Float64() * (1 - trfMix[simTRFLeader] - trfMix[simTRF1])
	typ = simTRF3CCA
	for t := simTRF5; t <= simTRF3Half; t++ {
		if u < trfMix[t] {
			typ = t
			break
		}
		u -= trfMix[t]
	}
	switch typ {
	case simTRF5:
		end = 18 + r.IntN(max(1, loop0-18))
		if end > loop0 {
			typ = simTRF3CCA
			break
		}
		return 0, end, typ
	case simTRF5Half:
		end = loop0 + 1 + r.IntN(loop1-loop0)
		if end > 40 || end < 18 {
			typ = simTRF3CCA
			break
		}
		return 0, end, typ
	case simTRFi:
		l := 18 + r.IntN(8)
		start = 1 + r.IntN(max(1, n-4-l))
		if start+l > n-4 {
			typ = simTRF3CCA
			break
		}
		return start, start + l, typ
	case simTRF3:
		end = n - 3 + r.IntN(3)
		start = end - 18 - r.IntN(5)
		if start < loop1 {
			typ = simTRF3CCA
			break
		}
		return start, end, typ
	case simTRF3Half:
		start = loop0 + r.IntN(loop1-loop0)
		if n-start > 40 {
			start = n - 40
		}
		if start >= loop1 || start < loop0 {
			typ = simTRF3CCA
			break
		}
		return start, n, typ
	}
	start = n - 18 - r.IntN(7)
	if start < loop1 {
		start = loop1
	}
	return start, n, simTRF3CCA
}

func trfWeight(t int) int { return int(trfMix[t] * 1000) }

// countClass records a class read in the truth.
func (g *generator) countClass(class, trf int) {
	g.truth.ClassReads[class]++
	if trf >= 0 {
		g.truth.TRFReads[trf]++
	}
}

// writeClassTruth writes TruthClassesFile (rows class_<name>, trf_<type>
// and reads_spikein, as in quant's summary) and TruthSpikeinFile.
func (st *Study) writeClassTruth(write func(name string, fill func(w *bufio.Writer)) error, truths []*Truth) error {
	ref := st.Ref
	if len(ref.Classes) == 0 && len(ref.Spikeins) == 0 {
		return nil
	}
	header := func(w *bufio.Writer, first string) {
		w.WriteString(first)
		for _, s := range st.Samples {
			w.WriteString("\t" + s.Name)
		}
		w.WriteByte('\n')
	}
	row := func(w *bufio.Writer, name string, get func(t *Truth) int64) {
		w.WriteString(name)
		for _, t := range truths {
			w.WriteString("\t" + strconv.FormatInt(get(t), 10))
		}
		w.WriteByte('\n')
	}
	err := write(TruthClassesFile, func(w *bufio.Writer) {
		header(w, "category")
		for i, c := range ref.Classes {
			row(w, "class_"+c.Name, func(t *Truth) int64 { return t.ClassReads[i] })
		}
		for i, n := range TRFTypeNames {
			row(w, "trf_"+n, func(t *Truth) int64 { return t.TRFReads[i] })
		}
		row(w, "reads_spikein", func(t *Truth) int64 {
			var s int64
			for _, n := range t.SpikeinReads {
				s += n
			}
			return s
		})
	})
	if err != nil || len(ref.Spikeins) == 0 {
		return err
	}
	return write(TruthSpikeinFile, func(w *bufio.Writer) {
		header(w, "spikein")
		for i, s := range ref.Spikeins {
			row(w, s.Name, func(t *Truth) int64 { return t.SpikeinReads[i] })
		}
	})
}
