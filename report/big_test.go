package report

import (
	"fmt"
	"math"
	"math/rand/v2"
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
		d.ROC = append(d.ROC, ROCRow{Feature: name, AUC: 0.5 + 0.5*rng.Float64(), Direction: "up"})
	}
	return d
}
