package report

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/exomir/exomir/diffexp"
)

// bigData builds a synthetic study of ns samples (two conditions) and nf
// miRNAs, 5% of them DE, with the QC rows exomir writes.
func bigData(ns, nf int) *Data {
	rng := rand.New(rand.NewPCG(7, uint64(ns)))
	d := &Data{Title: fmt.Sprintf("synthetic study of %d samples", ns), Contrast: "tumor vs control", Alpha: 0.1}
	cats := []string{"reads_no_adapter", "reads_adapter_dimer", "reads_too_short", "reads_too_long", "reads_too_many_n", "reads_mirna", "reads_hairpin_only", "reads_other_rna", "reads_unmapped"}
	for s := 0; s < ns; s++ {
		cond := "control"
		if s%2 == 1 {
			cond = "tumor"
		}
		lengths := make([]int64, 45)
		for l := 15; l < 45; l++ {
			lengths[l] = int64(20000 * math.Exp(-float64((l-22)*(l-22))/(3+rng.Float64())))
		}
		smp := Sample{Name: fmt.Sprintf("%s_patient%03d", cond, s+1), Condition: cond, InsertLengths: lengths, Adapter: "TGGAATTCTCGGGTGCCAAGG"}
		for _, c := range cats {
			n := int64(1000 + rng.IntN(5000))
			if c == "reads_mirna" {
				n = int64(80000 + rng.IntN(60000))
				smp.MiRNAReads = n
			}
			smp.Accounting = append(smp.Accounting, Category{c, n})
			smp.InputReads += n
		}
		smp.Classes = []Category{{"miRNA", smp.MiRNAReads}, {"hairpin only", 3000}, {"tRNA", 8000}, {"rRNA", 2000}, {"unmapped", 4000}}
		d.Samples = append(d.Samples, smp)
	}
	for f := 0; f < nf; f++ {
		name := fmt.Sprintf("hsa-miR-%d-%dp", 1000+f, 3+f%2)
		d.Features = append(d.Features, name)
		mu := math.Exp(2 + 6*rng.Float64())
		de := f%20 == 0
		lfc := 0.0
		if de {
			lfc = 2 * (rng.Float64() - 0.5) * 3
		}
		row := make([]float64, ns)
		for s := range row {
			m := mu
			if s%2 == 1 {
				m *= math.Exp2(lfc)
			}
			row[s] = math.Round(m * math.Exp(0.3*rng.NormFloat64()))
		}
		d.Counts = append(d.Counts, row)
		p := rng.Float64()
		if de {
			p = math.Pow(10, -2-8*rng.Float64())
		}
		d.DE = append(d.DE, DERow{Feature: name, BaseMean: mu, Log2FC: lfc + 0.2*rng.NormFloat64(), PValue: p, PAdj: math.Min(1, p*20)})
		auc := 0.5 + 0.5*rng.Float64()
		d.ROC = append(d.ROC, ROCRow{Feature: name, AUC: auc, Lower: auc - 0.2*rng.Float64(), Upper: min(1, auc+0.1), Direction: diffexp.DirectionUp})
	}
	addSections(d, rng)
	return d
}

// addSections gives d every optional section at a cohort's scale: RNA
// classes and tRF types, clades, isomiR fractions and QC flags per sample,
// 8 spike-ins, 200 exogenous miRNAs, 60 editing sites in every sample and
// a signature of 50 miRNAs.
func addSections(d *Data, rng *rand.Rand) {
	ns := len(d.Samples)
	for i := range d.Samples {
		s := &d.Samples[i]
		s.Classes = append(s.Classes, Category{"YRNA", int64(rng.IntN(3000))}, Category{"snoRNA", int64(rng.IntN(500))}, Category{"vaultRNA", int64(rng.IntN(100))})
		for _, t := range []string{"5p_tRF", "3p_tRF", "i_tRF", "5p_tRNA_half", "3p_tRNA_half"} {
			s.TRF = append(s.TRF, Category{t, int64(100 + rng.IntN(2000))})
		}
		for _, c := range []string{"virus", "bacteria", "plant"} {
			s.Clades = append(s.Clades, Category{c, int64(rng.IntN(50))})
		}
		for _, n := range []string{"canonical", "5p_shift", "3p_shift", "add3p_A", "add3p_C", "add3p_G", "add3p_U", "snv"} {
			s.IsomiR = append(s.IsomiR, Value{n, 0.3 * rng.Float64()})
		}
		s.QCFlags = []Flag{{"transcriptome_reads", "pass"}, {"complexity", "warn"}}
	}
	for k := 0; k < 8; k++ {
		sp := SpikeIn{Name: fmt.Sprintf("UniSp%d", k+1), Counts: make([]float64, ns)}
		for i := range sp.Counts {
			sp.Counts[i] = math.Round(math.Pow(10, 1+0.5*float64(k)) * (0.5 + rng.Float64()))
		}
		d.SpikeIns = append(d.SpikeIns, sp)
	}
	for k := 0; k < 200; k++ {
		e := Exogenous{MiRNA: fmt.Sprintf("ebv-miR-BART%d-5p", k+1), Species: "Epstein-Barr virus", Counts: make([]float64, ns)}
		for i := range e.Counts {
			e.Counts[i] = float64(rng.IntN(4))
		}
		d.Exogenous = append(d.Exogenous, e)
	}
	for k := 0; k < 60; k++ {
		for _, s := range d.Samples {
			cov := int64(50 + rng.IntN(300))
			ed := int64(rng.IntN(int(cov)))
			d.Editing = append(d.Editing, EditingSite{MiRNA: fmt.Sprintf("hsa-miR-%d-3p", 376+k), Position: 1 + k%20, Sample: s.Name,
				Edited: ed, Covering: cov, Level: float64(ed) / float64(cov), PAdj: math.Pow(10, -float64(k%9))})
		}
	}
	sig := &Signature{AUC: Interval{0.81, 0.74, 0.88}, Lambdas: []string{"lambda=0.1", "lambda=0.05"}}
	for k := 0; k <= 100; k++ {
		x := float64(k) / 100
		sig.ROC = append(sig.ROC, Point{x, math.Pow(x, 0.35)})
	}
	sig.Terms = append(sig.Terms, "(Intercept)")
	sig.Coefficients = append(sig.Coefficients, []float64{0.1, 0.2})
	for k := 0; k < 50; k++ {
		sig.Stability = append(sig.Stability, Stability{d.Features[k], rng.Float64(), rng.NormFloat64()})
		sig.Terms = append(sig.Terms, d.Features[k])
		sig.Coefficients = append(sig.Coefficients, []float64{rng.NormFloat64(), rng.NormFloat64()})
	}
	d.Signature = sig
}
