package simulate

import (
	"bufio"
	"fmt"
	"strconv"
)

// ExoMiRNA is a non-host miRNA whose reads make up Mix.Exogenous: a viral,
// plant, nematode, … mature sequence.
type ExoMiRNA struct {
	Name   string  // as the counting reference names it (e.g. "ebv-miR-BART7-3p")
	Seq    []byte  // DNA letters
	Weight float64 // relative share among the exogenous molecules (> 0)
}

// EditSite is an A-to-I editing site: Level of the molecules of Mature
// carry G instead of the A at Position (1-based in the mature).
type EditSite struct {
	Mature   string // a name of Reference.Matures
	Position int
	Level    float64
}

// EditTruth is what one sample's reads show at an editing site: reads
// whose insert covers the site, and among them those edited.
type EditTruth struct {
	Covering, Edited int64
}

// Truth file names of the additions (written only when configured).
const (
	TruthExogenousFile = "truth_exogenous_reads.tsv"
	TruthEditingFile   = "truth_editing.tsv"
)

// extraState is a generator's exogenous and editing state.
type extraState struct {
	exo      alias
	exoIdx   int           // drawn exogenous miRNA of the current molecule, -1 if none
	byMature map[int][]int // mature index -> Config.Editing indexes
	matures  []int         // Config.Editing index -> mature index
	cover    []int         // sites the current molecule covers
	edited   []bool        // parallel to cover
}

func (c *Config) checkExtras() error {
	if c.Mix.Exogenous < 0 {
		return fmt.Errorf("%w: Mix.Exogenous %g", ErrConfig, c.Mix.Exogenous)
	}
	if c.Mix.Exogenous > 0 && len(c.Exogenous) == 0 {
		return fmt.Errorf("%w: Mix.Exogenous %g without Exogenous miRNAs", ErrConfig, c.Mix.Exogenous)
	}
	for _, e := range c.Exogenous {
		if e.Weight <= 0 || len(e.Seq) < 18 {
			return fmt.Errorf("%w: exogenous miRNA %s: weight %g, %d nt (want > 0 and >= 18)", ErrConfig, e.Name, e.Weight, len(e.Seq))
		}
	}
	for _, s := range c.Editing {
		if s.Level < 0 || s.Level > 1 || s.Position < 1 {
			return fmt.Errorf("%w: editing site %s:%d level %g", ErrConfig, s.Mature, s.Position, s.Level)
		}
	}
	return nil
}

// checkEditing resolves the editing sites on the reference: each must
// name a mature with an A at its position.
func (st *Study) checkEditing() ([]int, error) {
	out := make([]int, len(st.Cfg.Editing))
	for k, s := range st.Cfg.Editing {
		out[k] = -1
		for i, m := range st.Ref.Matures {
			if m.Name == s.Mature {
				out[k] = i
				break
			}
		}
		if out[k] < 0 {
			return nil, fmt.Errorf("%w: editing site: no mature %s", ErrConfig, s.Mature)
		}
		m := st.Ref.Matures[out[k]]
		if s.Position > len(m.Seq) || m.Seq[s.Position-1] != 'A' {
			return nil, fmt.Errorf("%w: editing site %s:%d is not an A", ErrConfig, s.Mature, s.Position)
		}
	}
	return out, nil
}

func (g *generator) initExtras() {
	cfg := &g.st.Cfg
	x := &g.extras
	x.exoIdx = -1
	if len(cfg.Exogenous) > 0 {
		w := make([]float64, len(cfg.Exogenous))
		for i, e := range cfg.Exogenous {
			w[i] = e.Weight
		}
		x.exo = newAlias(w)
		g.truth.ExoReads = make([]int64, len(cfg.Exogenous))
	}
	if len(cfg.Editing) > 0 {
		mats, _ := g.st.checkEditing() // checked by New
		x.matures = mats
		x.byMature = map[int][]int{}
		for k, m := range mats {
			x.byMature[m] = append(x.byMature[m], k)
		}
		g.truth.Editing = make([]EditTruth, len(cfg.Editing))
	}
}

// edit applies the editing sites of mature mat (at pos on the hairpin) to
// the insert ins, which starts at start on the hairpin. It draws random
// numbers only for matures with sites, so studies without sites are
// unchanged.
func (g *generator) edit(mat, pos, start int, ins []byte) {
	x := &g.extras
	x.cover, x.edited = x.cover[:0], x.edited[:0]
	for _, k := range x.byMature[mat] {
		s := g.st.Cfg.Editing[k]
		i := pos + s.Position - 1 - start
		if i < 0 || i >= len(ins) {
			continue
		}
		e := g.rng.Float64() < s.Level
		if e {
			ins[i] = 'G'
		}
		x.cover = append(x.cover, k)
		x.edited = append(x.edited, e)
	}
}

// exoInsert draws an exogenous molecule: the mature with the 3' end
// trimmed by one base in 12% of molecules and an untemplated A/T added to
// 15%.
func (g *generator) exoInsert() []byte {
	r := g.rng
	x := &g.extras
	x.exoIdx = x.exo.draw(r)
	e := &g.st.Cfg.Exogenous[x.exoIdx]
	end := len(e.Seq)
	if r.Float64() < 0.12 {
		end--
	}
	ins := append(g.mol[:0], e.Seq[:end]...)
	if r.Float64() < 0.15 {
		b := byte('A')
		if r.Float64() < 0.4 {
			b = 'T'
		}
		ins = append(ins, b)
	}
	if !g.st.Cfg.PlainNames {
		g.origin = append(g.origin, ':')
		g.origin = append(g.origin, e.Name...)
	}
	return ins
}

// countExtras adds the current molecule's reads to the exogenous and
// editing truth, then clears the molecule's state.
func (g *generator) countExtras(reads int64) {
	x := &g.extras
	if x.exoIdx >= 0 {
		g.truth.ExoReads[x.exoIdx] += reads
		x.exoIdx = -1
	}
	for j, k := range x.cover {
		g.truth.Editing[k].Covering += reads
		if x.edited[j] {
			g.truth.Editing[k].Edited += reads
		}
	}
	x.cover, x.edited = x.cover[:0], x.edited[:0]
}

// writeExtraTruth writes truth_exogenous_reads.tsv ("mirna sample…") and
// truth_editing.tsv ("mirna position sample edited covering level") when
// the study has exogenous miRNAs or editing sites.
func (st *Study) writeExtraTruth(dir string, truths []*Truth, write func(string, func(*bufio.Writer)) error) error {
	cfg := &st.Cfg
	if len(cfg.Exogenous) > 0 {
		err := write(TruthExogenousFile, func(w *bufio.Writer) {
			w.WriteString("mirna")
			for _, s := range st.Samples {
				w.WriteString("\t" + s.Name)
			}
			w.WriteByte('\n')
			for i, e := range cfg.Exogenous {
				w.WriteString(e.Name)
				for _, t := range truths {
					w.WriteString("\t" + strconv.FormatInt(t.ExoReads[i], 10))
				}
				w.WriteByte('\n')
			}
		})
		if err != nil {
			return err
		}
	}
	if len(cfg.Editing) > 0 {
		return write(TruthEditingFile, func(w *bufio.Writer) {
			w.WriteString("mirna\tposition\tsample\tedited\tcovering\tlevel\tconfigured\n")
			for k, s := range cfg.Editing {
				for i, t := range truths {
					e := t.Editing[k]
					lvl := 0.0
					if e.Covering > 0 {
						lvl = float64(e.Edited) / float64(e.Covering)
					}
					fmt.Fprintf(w, "%s\t%d\t%s\t%d\t%d\t%.4f\t%g\n", s.Mature, s.Position, st.Samples[i].Name, e.Edited, e.Covering, lvl, s.Level)
				}
			}
		})
	}
	return nil
}

// EditedMinShare is the smallest share of the miRNA molecules that
// New gives a mature with an editing site, so that its sites are covered.
const EditedMinShare = 0.005

// expressEdited raises the base abundance of matures with editing sites
// to EditedMinShare of the total (not DE, so that every sample covers
// them alike).
func (st *Study) expressEdited() {
	mats, _ := st.checkEditing()
	var total float64
	for _, b := range st.Base {
		total += b
	}
	for _, m := range mats {
		if st.Base[m] < EditedMinShare*total {
			st.Base[m] = EditedMinShare * total
		}
		st.LFC[m], st.DE[m] = 0, false
	}
}
