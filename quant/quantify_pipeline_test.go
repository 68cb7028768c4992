package quant

import (
	"context"
	"errors"
	"math/rand/v2"
	"reflect"
	"testing"

	"github.com/exomir/exomir/seq"
)

// quantifySerial is the plain form of Quantify: every insert aligned,
// assigned and added in order on one goroutine, then the exogenous
// search of the unmapped ones. Quantify must give the same sample.
func quantifySerial(t *testing.T, ref *Reference, inserts []seq.Insert, base []Stat, o Options) *Sample {
	t.Helper()
	al, err := ref.NewInsertAligner()
	if err != nil {
		t.Fatal(err)
	}
	al.SinglePass = o.SinglePass
	asg := NewAssigner(ref, AssignerOptions{})
	b := NewBuilder(ref, o)
	var exo []exoHit
	for i, in := range inserts {
		read := []byte(in.Seq)
		hp, classes := al.Align(read)
		a := asg.Assign(read, hp, classes)
		al.complete(&a)
		if o.Exogenous != nil && a.Kind == Unmapped {
			e := &exoSearch{x: o.Exogenous}
			if h := e.find(read); h != nil {
				exo = append(exo, exoHit{i, h})
			}
		}
		b.Add(in.Seq, in.Reads, in.Molecules, a)
	}
	s := b.Finish("s", base)
	if o.Exogenous != nil {
		s.applyExogenous(o.Exogenous, inserts, exo, o)
	}
	return s
}

// pipelineInserts are n inserts of several chunks: hairpin substrings
// with 0–3 substitutions (miRNA, hairpin-only, two-mismatch placements),
// other-class pieces, non-human miRBase matures (exogenous) and random
// sequences (unmapped).
func pipelineInserts(r *rand.Rand, ref *Reference, exo *ExoReference, n int) []seq.Insert {
	out := make([]seq.Insert, 0, n)
	seen := map[string]bool{}
	for len(out) < n {
		var s []byte
		switch r.IntN(5) {
		case 0:
			h := ref.Hairpins[r.IntN(len(ref.Hairpins))].Seq
			l := 18 + r.IntN(8)
			if len(h) < l {
				continue
			}
			st := r.IntN(len(h) - l + 1)
			s = append([]byte(nil), h[st:st+l]...)
		case 1: // a mature with shifted ends
			hp := &ref.Hairpins[r.IntN(len(ref.Hairpins))]
			if len(hp.Loci) == 0 {
				continue
			}
			l := hp.Loci[r.IntN(len(hp.Loci))]
			st, end := l.Start+r.IntN(5)-2, l.End+r.IntN(5)-2
			if st < 0 || end > len(hp.Seq) || end-st < 16 {
				continue
			}
			s = append([]byte(nil), hp.Seq[st:end]...)
		case 2:
			if len(ref.Others) == 0 {
				continue
			}
			o := ref.Others[r.IntN(len(ref.Others))].Seq
			l := 18 + r.IntN(10)
			if len(o) < l {
				continue
			}
			st := r.IntN(len(o) - l + 1)
			s = append([]byte(nil), o[st:st+l]...)
		case 3:
			s = append([]byte(nil), exo.Features[r.IntN(len(exo.Features))].Seq...)
		default:
			s = make([]byte, 18+r.IntN(10))
			for i := range s {
				s[i] = "ACGT"[r.IntN(4)]
			}
		}
		for e := r.IntN(4); e > 0; e-- {
			s[r.IntN(len(s))] = "ACGTN"[r.IntN(5)]
		}
		if r.IntN(4) == 0 {
			s = append(s, "AT"[r.IntN(2)])
		}
		if seen[string(s)] {
			continue
		}
		seen[string(s)] = true
		reads := int64(1 + r.IntN(3))
		if r.IntN(10) == 0 {
			reads = 1 + r.Int64N(5000)
		}
		out = append(out, seq.Insert{Seq: string(s), Reads: reads, Molecules: reads})
	}
	return out
}

// TestQuantifyPipeline: Quantify, which aligns chunks on workers while
// adding finished ones in order, gives exactly the serial sample for any
// thread count, with other classes and the exogenous search on; and it
// stops with the context's error.
func TestQuantifyPipeline(t *testing.T) {
	ref := embeddedHsa(t)
	if err := ref.AddOther("tRNA", []seq.FastaRecord{{Name: "t1", Seq: []byte("GCATTGGTGGTTCAGTGGTAGAATTCTCGCCTGCCACGCGGGAGGCCCGGGTTCGATTCCCGGCCAATGCACCA")}}); err != nil {
		t.Fatal(err)
	}
	exo, err := EmbeddedExogenous()
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(8, 2))
	inserts := pipelineInserts(r, ref, exo, 5*chunk+123)
	var total int64
	for _, in := range inserts {
		total += in.Reads
	}
	base := []Stat{{"input_reads", itoa(total)}, {"reads_passed", itoa(total)}}
	o := Options{Exogenous: exo}
	want := quantifySerial(t, ref, inserts, base, o)
	if want.Exogenous == nil || want.Exogenous.Reads == 0 {
		t.Fatal("test inserts hold no exogenous read")
	}
	for _, k := range []string{"reads_mirna", "reads_hairpin_only", "reads_other_rna", "reads_unmapped"} {
		if v, _ := want.Stat(k); v == "0" || v == "" {
			t.Fatalf("test inserts hold no %s", k)
		}
	}
	for _, threads := range []int{1, 2, 5} {
		o.Threads = threads
		got, err := Quantify(context.Background(), ref, "s", inserts, base, o)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range []struct {
			name string
			a, b any
		}{
			{"Stats", got.Stats, want.Stats}, {"Mature", got.Mature, want.Mature}, {"Hairpin", got.Hairpin, want.Hairpin},
			{"Class", got.Class, want.Class}, {"Isomirs", got.Isomirs, want.Isomirs}, {"SmallRNA", got.SmallRNA, want.SmallRNA},
			{"Exogenous", got.Exogenous, want.Exogenous},
		} {
			if !reflect.DeepEqual(f.a, f.b) {
				t.Errorf("threads %d: %s differ from the serial sample", threads, f.name)
			}
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Quantify(ctx, ref, "s", inserts, base, o); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: err = %v, want context.Canceled", err)
	}
}
