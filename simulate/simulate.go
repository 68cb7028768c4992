package simulate

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"

	"github.com/exomir/exomir/seq"
	"gonum.org/v1/gonum/stat/distuv"
)

// Kit is a library-preparation layout.
type Kit string

// Supported kits.
const (
	TruSeq   Kit = "truseq"
	NEXTflex Kit = "nextflex"
	QIAseq   Kit = "qiaseq"
	// Encode is the ENCODE small-RNA layout: a 6-nt 5' barcode (one per
	// sample, EncodeBarcodes[sample index mod 4]), the insert, the ENCODE
	// 3' adapter and filler.
	Encode Kit = "encode"
)

// EncodeBarcodes are the 6-nt 5' barcodes of ENCODE-DCC/mirna-seq-pipeline
// adapters/five_prime_adapter_set1.fasta (^CAGTCG, ...; commit d2d3e600).
var EncodeBarcodes = [4]string{"CAGTCG", "TGACTC", "GCTAGA", "ATCGAT"}

// Adapter sequences (GUIDE §3). The TruSeq filler is the rest of the
// Illumina RNA PCR primer index 1 (RPI1) as listed in Illumina's "Adapter
// Sequences" document (1000000002694): ...CCAAGG AACTCCAGTCAC [ATCACG]
// ATCTCGTATGCCGTCTTCTGCTTG.
const (
	TruSeqAdapter  = seq.AdapterTruSeq
	QIAseqAdapter  = seq.AdapterQIAseq
	QIAseqAdapter2 = seq.AdapterUniversal
	// EncodeAdapter is the first 24 nt of ENCODE-DCC/mirna-seq-pipeline
	// adapters/three_prime_adapter.fasta; encodeFiller is the rest of that
	// file's sequence (CATCACGATCTCGTAT) continued with the Illumina P7 end
	// as in TruSeqFiller.
	EncodeAdapter = seq.AdapterENCODE
	encodeFiller  = "CATCACGATCTCGTATGCCGTCTTCTGCTTG"
	// TruSeqFiller is what follows the TruSeq adapter in real reads (the
	// RPI1 primer above); QIAseq reads continue the same way after a G.
	TruSeqFiller    = "AACTCCAGTCACATCACGATCTCGTATGCCGTCTTCTGCTTG"
	qiaFiller       = "G" + TruSeqFiller
	nextflexRandom  = 4
	qiaseqUMILength = 12
)

// Mix gives the share of molecules of each category; the rest is mirna.
type Mix struct {
	HairpinOnly, OtherRNA, Unmapped, AdapterDimer, TooShort float64
	// Exogenous is the share of non-host miRNA molecules, drawn from
	// Config.Exogenous (see exogenous.go).
	Exogenous float64
}

// Config sets a study up. Start from DefaultConfig and change fields.
type Config struct {
	Kit            Kit
	Tumor, Control int     // samples per group
	Reads          int     // reads per sample
	ReadLen        int     // 0: 76 for QIAseq, 50 otherwise
	Seed           uint64  // everything is determined by it
	FoldFrac       float64 // fraction of expressed features that are DE
	MinLFC, MaxLFC float64 // range of |log2 fold change| of DE features
	DispMin        float64 // negative-binomial dispersion range
	DispMax        float64
	Mix            Mix
	ErrStart       float64 // substitution rate at the first cycle
	ErrEnd         float64 // substitution rate at the last cycle
	// ErrShape is the exponent of the error profile along the read:
	// rate(p) = ErrStart + (ErrEnd-ErrStart)*(p/(L-1))^ErrShape; 0 or 1 is
	// linear, larger values keep the rate near ErrStart and rise steeply
	// near the 3' end (Illumina-like).
	ErrShape  float64
	NRate     float64 // probability that a read has one N (at a uniform position)
	NBaseRate float64 // probability per base of an N call, on top of NRate
	// PhredQual writes each base's quality as the Phred score of its error
	// probability (so qualities fall where errors rise); false keeps the
	// fixed 38..30 ramp with quality 15 on substituted bases.
	PhredQual bool
	// QualDrop is the share of reads whose qualities fall at the 3' end:
	// from a uniform position in the read's second half the quality drops
	// linearly to Phred 5 at the last base, and the substitution
	// probability of those bases follows the quality (10^(-Q/10)).
	QualDrop float64
	// Barcode5, if set, is written before every insert (any kit; it
	// replaces the Encode kit's per-sample barcode). Inserts and truth are
	// unchanged.
	Barcode5   string
	SNVRate    float64 // probability that a miRNA molecule has one SNV
	UMIErrRate float64 // probability that a read's UMI has one error
	MeanCopies float64 // QIAseq: mean reads per molecule (>= 1)
	// SpikeinShare is the share of molecules drawn from Reference.Spikeins
	// (classes.go); 0 draws none.
	SpikeinShare float64
	PlainNames   bool // omit the origin comment from read headers
	Workers      int  // samples written in parallel; 0 = GOMAXPROCS
	GzipLevel    int  // 0 = default
	// Exogenous are the non-host miRNAs of Mix.Exogenous and Editing the
	// A-to-I sites (see exogenous.go); both empty by default, which leaves
	// the output unchanged.
	Exogenous []ExoMiRNA
	Editing   []EditSite
}

// DefaultConfig returns the settings the CLI starts from.
func DefaultConfig() Config {
	return Config{
		Kit: TruSeq, Tumor: 3, Control: 3, Reads: 2_000_000, Seed: 1,
		FoldFrac: 0.1, MinLFC: 1, MaxLFC: 3, DispMin: 0.05, DispMax: 0.2,
		Mix:      Mix{HairpinOnly: 0.01, OtherRNA: 0.10, Unmapped: 0.03, AdapterDimer: 0.03, TooShort: 0.03},
		ErrStart: 0.001, ErrEnd: 0.01, NRate: 0.005, SNVRate: 0.005,
		UMIErrRate: 0.005, MeanCopies: 3,
	}
}

// Sample names one sample of a study.
type Sample struct {
	Name      string
	Condition string // "tumor" or "control"
}

// Study is a simulated tumor-versus-control experiment.
type Study struct {
	Ref     *Reference
	Cfg     Config
	Samples []Sample
	// Per mature (index of Ref.Matures): base abundance weight (0 = not
	// expressed), true log2 fold change tumor/control, whether DE, and NB
	// dispersion. Names of one feature share LFC, DE and Disp.
	Base []float64
	LFC  []float64
	DE   []bool
	Disp []float64
}

// dominant miRNAs and their share of the miRNA reads (plasma/exosome-like).
var dominant = []struct {
	suffix string
	share  float64
}{
	{"miR-21-5p", 0.15}, {"let-7a-5p", 0.05}, {"let-7b-5p", 0.04}, {"let-7f-5p", 0.04},
	{"miR-16-5p", 0.03}, {"miR-92a-3p", 0.03}, {"miR-451a", 0.03}, {"miR-486-5p", 0.03},
	{"let-7g-5p", 0.02}, {"let-7i-5p", 0.02},
}

// New draws the study-level truth (abundances, fold changes, dispersions).
func New(ref *Reference, cfg Config) (*Study, error) {
	if err := cfg.check(); err != nil {
		return nil, err
	}
	if cfg.ReadLen == 0 {
		cfg.ReadLen = 50
		if cfg.Kit == QIAseq {
			cfg.ReadLen = 76
		}
	}
	st := &Study{Ref: ref, Cfg: cfg}
	if _, err := st.checkEditing(); err != nil {
		return nil, err
	}
	for i := 0; i < cfg.Tumor; i++ {
		st.Samples = append(st.Samples, Sample{fmt.Sprintf("tumor%d", i+1), "tumor"})
	}
	for i := 0; i < cfg.Control; i++ {
		st.Samples = append(st.Samples, Sample{fmt.Sprintf("control%d", i+1), "control"})
	}
	rng := rand.New(rand.NewPCG(cfg.Seed, 0))
	n := len(ref.Matures)
	st.Base = make([]float64, n)
	st.LFC = make([]float64, n)
	st.DE = make([]bool, n)
	st.Disp = make([]float64, n)
	isDominant := make([]bool, n)
	var rest float64
	for i, m := range ref.Matures {
		// draw for every mature so the stream does not depend on placement
		u := rng.Float64()
		z := rng.NormFloat64()
		if len(m.Sites) == 0 || u < 0.3 {
			continue
		}
		st.Base[i] = math.Exp(2.2 * z)
		rest += st.Base[i]
	}
	if rest == 0 { // tiny reference with nothing drawn: express every placed mature
		for i, m := range ref.Matures {
			if len(m.Sites) > 0 {
				st.Base[i] = 1
				rest++
			}
		}
	}
	var domShare float64
	for _, d := range dominant {
		for i, m := range ref.Matures {
			if len(m.Sites) > 0 && strings.HasSuffix(m.Name, "-"+d.suffix) && !isDominant[i] {
				isDominant[i] = true
				domShare += d.share
				rest -= st.Base[i]
				st.Base[i] = -d.share // fixed up below
				break
			}
		}
	}
	if rest <= 0 { // only dominant miRNAs expressed: shares relative to a unit mass
		rest = 1
	}
	for i := range st.Base {
		if isDominant[i] {
			st.Base[i] = -st.Base[i] * rest / (1 - domShare)
		}
	}
	// features: fold change and dispersion per distinct sequence
	type feat struct {
		members  []int
		expr     bool
		dominant bool
	}
	var feats []*feat
	byName := map[string]*feat{}
	for i, m := range ref.Matures {
		f := byName[m.Feature]
		if f == nil {
			f = &feat{}
			byName[m.Feature] = f
			feats = append(feats, f)
		}
		f.members = append(f.members, i)
		f.expr = f.expr || st.Base[i] > 0
		f.dominant = f.dominant || isDominant[i]
	}
	var cand []*feat
	for _, f := range feats {
		d := math.Exp(math.Log(cfg.DispMin) + rng.Float64()*(math.Log(cfg.DispMax)-math.Log(cfg.DispMin)))
		for _, i := range f.members {
			st.Disp[i] = d
		}
		if f.expr && !f.dominant {
			cand = append(cand, f)
		}
	}
	nExpr := 0
	for _, f := range feats {
		if f.expr {
			nExpr++
		}
	}
	nDE := int(math.Round(cfg.FoldFrac * float64(nExpr)))
	if nDE > len(cand) {
		nDE = len(cand)
	}
	rng.Shuffle(len(cand), func(a, b int) { cand[a], cand[b] = cand[b], cand[a] })
	for _, f := range cand[:nDE] {
		l := cfg.MinLFC + rng.Float64()*(cfg.MaxLFC-cfg.MinLFC)
		if rng.IntN(2) == 0 {
			l = -l
		}
		for _, i := range f.members {
			st.LFC[i] = l
			st.DE[i] = true
		}
	}
	st.expressEdited()
	return st, nil
}

func (c *Config) check() error {
	switch c.Kit {
	case TruSeq, NEXTflex, QIAseq, Encode:
	default:
		return fmt.Errorf("%w %q (want truseq, nextflex, qiaseq or encode)", ErrKit, c.Kit)
	}
	for _, b := range []byte(c.Barcode5) {
		if strings.IndexByte(bases, b) < 0 {
			return fmt.Errorf("%w: 5' barcode %q: only A, C, G, T", ErrConfig, c.Barcode5)
		}
	}
	mix := c.Mix.HairpinOnly + c.Mix.OtherRNA + c.Mix.Unmapped + c.Mix.AdapterDimer + c.Mix.TooShort + c.Mix.Exogenous
	if err := c.checkExtras(); err != nil {
		return err
	}
	bad := func(what string) error { return fmt.Errorf("%w: %s", ErrConfig, what) }
	switch {
	case c.Tumor < 0 || c.Control < 0 || c.Tumor+c.Control == 0:
		return bad("need at least one sample")
	case c.Reads < 0:
		return bad("negative read count")
	case c.ReadLen != 0 && c.ReadLen < 20:
		return bad("read length below 20")
	case c.FoldFrac < 0 || c.FoldFrac > 1:
		return bad("fold fraction outside [0,1]")
	case c.MinLFC < 0 || c.MaxLFC < c.MinLFC:
		return bad("log2 fold-change range")
	case c.DispMin <= 0 || c.DispMax < c.DispMin:
		return bad("dispersion range")
	case mix < 0 || mix >= 1 || c.Mix.HairpinOnly < 0 || c.Mix.OtherRNA < 0 || c.Mix.Unmapped < 0 || c.Mix.AdapterDimer < 0 || c.Mix.TooShort < 0:
		return bad("category mix must be >= 0 and sum below 1")
	case c.ErrStart < 0 || c.ErrEnd < 0 || c.ErrStart > 0.5 || c.ErrEnd > 0.5:
		return bad("error rates outside [0,0.5]")
	case c.ErrShape < 0 || math.IsNaN(c.ErrShape) || math.IsInf(c.ErrShape, 0):
		return bad("error shape must be a finite exponent >= 0")
	case len(c.Barcode5) > 20:
		return bad("5' barcode longer than 20 nt")
	case c.NBaseRate < 0 || c.NBaseRate > 1 || c.QualDrop < 0 || c.QualDrop > 1 || math.IsNaN(c.NBaseRate) || math.IsNaN(c.QualDrop):
		return bad("per-base N rate or quality-drop share outside [0,1]")
	case c.NRate < 0 || c.NRate > 1 || c.SNVRate < 0 || c.SNVRate > 1 || c.UMIErrRate < 0 || c.UMIErrRate > 1:
		return bad("probabilities outside [0,1]")
	case c.SpikeinShare < 0 || c.SpikeinShare+mix >= 1 || math.IsNaN(c.SpikeinShare):
		return bad("spike-in share must be >= 0 and, with the category mix, below 1")
	case c.Kit == QIAseq && c.MeanCopies < 1:
		return bad("mean copies below 1")
	}
	return nil
}

// Composition counts the reads of a sample per category.
type Composition struct {
	Reads, Mirna, HairpinOnly, OtherRNA, Unmapped, AdapterDimer, TooShort int64
	Exogenous                                                             int64
	Molecules, MirnaMolecules                                             int64
}

// Truth is what a sample really contains.
type Truth struct {
	Sample         string
	MirnaReads     []int64 // per mature (Ref.Matures order)
	MirnaMolecules []int64 // per mature; equal to MirnaReads without UMIs
	HairpinReads   []int64 // per hairpin: mirna and hairpin_only reads from it
	Comp           Composition
	// ClassReads (per Reference.Classes), TRFReads (per TRFTypeNames) and
	// SpikeinReads (per Reference.Spikeins) break other_rna reads and
	// spike-in reads down (classes.go).
	ClassReads, TRFReads, SpikeinReads []int64
	// ExoReads are the reads per Config.Exogenous entry; Editing the
	// covering and edited reads per Config.Editing site.
	ExoReads []int64
	Editing  []EditTruth

	isomirs isomirTally // per insert and mature; see Isomirs
}

const (
	catMirna = iota
	catHairpin
	catOther
	catUnmapped
	catDimer
	catShort
	catSpikein
	catExogenous
)

var catNames = [...]string{"mirna", "hairpin_only", "other_rna", "unmapped", "adapter_dimer", "too_short", "spikein", "exogenous"}

// generator holds the per-sample state.
type generator struct {
	st      *Study
	rng     *rand.Rand
	alias   alias
	cum     [6]float64
	errThr  []uint64
	nThr    uint64 // per-base N threshold (0: none)
	qual    []byte
	bc5     string // 5' barcode written before each insert
	umiFrom int    // first UMI position in the read (QIAseq), -1 otherwise
	truth   *Truth
	mol     []byte // current molecule's read (before errors)
	origin  []byte
	cls     classState
	extras  extraState
}

// Generate writes sample i's reads as plain FASTQ to w and returns its
// truth.
func (st *Study) Generate(i int, w io.Writer) (*Truth, error) {
	if i < 0 || i >= len(st.Samples) {
		return nil, fmt.Errorf("%w: sample %d of %d", ErrConfig, i, len(st.Samples))
	}
	cfg := &st.Cfg
	g := &generator{
		st:    st,
		rng:   rand.New(rand.NewPCG(cfg.Seed, uint64(i)+1)),
		truth: &Truth{Sample: st.Samples[i].Name, MirnaReads: make([]int64, len(st.Ref.Matures)), MirnaMolecules: make([]int64, len(st.Ref.Matures)), HairpinReads: make([]int64, len(st.Ref.Hairpins))},
	}
	// per-sample abundances: gamma with the group mean and CV^2 = dispersion
	sign := 1.0
	if st.Samples[i].Condition == "control" {
		sign = -1
	}
	w8 := make([]float64, len(st.Ref.Matures))
	for k := range w8 {
		if st.Base[k] <= 0 {
			continue
		}
		mu := st.Base[k] * math.Exp2(sign*st.LFC[k]/2)
		a := 1 / st.Disp[k]
		w8[k] = distuv.Gamma{Alpha: a, Beta: a / mu, Src: g.rng}.Rand()
	}
	g.alias = newAlias(w8)
	if len(g.alias.prob) == 0 {
		return nil, fmt.Errorf("%w: nothing expressed in sample %s", ErrNoMatures, st.Samples[i].Name)
	}
	m := cfg.Mix
	g.cum = [6]float64{m.HairpinOnly, m.OtherRNA, m.Unmapped, m.AdapterDimer, m.TooShort, m.Exogenous}
	for k := 1; k < len(g.cum); k++ {
		g.cum[k] += g.cum[k-1]
	}
	if len(st.Ref.Other) == 0 && len(st.Ref.Classes) == 0 { // no pool: those become unmapped
		g.cum[1] = g.cum[0]
	}
	L := cfg.ReadLen
	g.errThr = make([]uint64, L)
	g.qual = make([]byte, L)
	for p := 0; p < L; p++ {
		frac := float64(p) / float64(max(L-1, 1))
		shaped := frac
		if cfg.ErrShape != 0 && cfg.ErrShape != 1 {
			shaped = math.Pow(frac, cfg.ErrShape)
		}
		rate := cfg.ErrStart + (cfg.ErrEnd-cfg.ErrStart)*shaped
		g.errThr[p] = probThr(rate)
		g.qual[p] = byte('!' + 38 - int(math.Round(8*frac)))
		if cfg.PhredQual {
			g.qual[p] = '!' + phred(rate)
		}
	}
	g.initClasses()
	g.nThr = probThr(cfg.NBaseRate)
	g.initExtras()
	g.bc5 = cfg.Barcode5
	if g.bc5 == "" && cfg.Kit == Encode {
		g.bc5 = EncodeBarcodes[i%len(EncodeBarcodes)]
	}
	bw := bufio.NewWriterSize(w, 1<<16)
	var err error
	if cfg.Kit == QIAseq {
		err = g.runUMI(bw)
	} else {
		err = g.runPlain(bw)
	}
	if err == nil {
		err = bw.Flush()
	}
	if err != nil {
		return nil, err
	}
	return g.truth, nil
}

func (g *generator) category() int {
	// Spike-ins take their share first (an extra draw only when asked for,
	// so that studies without spike-ins keep their random stream).
	if g.st.Cfg.SpikeinShare > 0 && len(g.st.Ref.Spikeins) > 0 && g.rng.Float64() < g.st.Cfg.SpikeinShare {
		return catSpikein
	}
	u := g.rng.Float64()
	for k, c := range g.cum {
		if u < c {
			if k+1 >= catSpikein { // spike-ins are drawn above, not from the mix
				return k + 2
			}
			return k + 1
		}
	}
	return catMirna
}

// insert draws one molecule's insert and records its origin. It returns
// the category and the mature index (-1 unless mirna) and hairpin (-1 if
// none).
func (g *generator) insert(cat int) (ins []byte, mat, hp int) {
	r := g.rng
	ref := g.st.Ref
	ann := !g.st.Cfg.PlainNames
	g.origin = append(g.origin[:0], catNames[cat]...)
	mat, hp = -1, -1
	switch cat {
	case catMirna:
		mat = g.alias.draw(r)
		m := &ref.Matures[mat]
		s := m.Sites[r.IntN(len(m.Sites))]
		hp = s.Hairpin
		hs := ref.Hairpins[hp].Seq
		d5 := 0
		switch u := r.Float64(); {
		case u < 0.02:
			d5 = -1
		case u < 0.04:
			d5 = 1
		}
		d3 := 0
		switch u := r.Float64(); {
		case u < 0.12:
			d3 = -1
		case u < 0.24:
			d3 = 1
		case u < 0.30:
			d3 = -2
		case u < 0.35:
			d3 = 2
		}
		start, end := s.Pos+d5, s.Pos+len(m.Seq)+d3
		if start < 0 || start > len(hs) {
			d5, start = 0, s.Pos
		}
		if end > len(hs) || end < 0 {
			d3, end = 0, s.Pos+len(m.Seq)
		}
		if end-start < 16 {
			d5, d3, start, end = 0, 0, s.Pos, s.Pos+len(m.Seq)
		}
		ins = append(g.mol[:0], hs[start:end]...)
		g.edit(mat, s.Pos, start, ins)
		snv := -1
		if r.Float64() < g.st.Cfg.SNVRate {
			snv = r.IntN(len(ins))
			ins[snv] = otherBase(ins[snv], r)
		}
		nadd := 0
		switch u := r.Float64(); {
		case u < 0.15:
			nadd = 1
		case u < 0.20:
			nadd = 2
		}
		addFrom := len(ins)
		for k := 0; k < nadd; k++ {
			b := byte('A')
			if r.Float64() < 0.4 {
				b = 'T'
			}
			ins = append(ins, b)
		}
		if ann {
			g.origin = append(g.origin, ':')
			g.origin = append(g.origin, m.Name...)
			g.origin = append(g.origin, ':')
			g.origin = append(g.origin, ref.Hairpins[hp].Name...)
			g.origin = append(g.origin, ':')
			g.origin = appendShift(g.origin, d5)
			g.origin = append(g.origin, ':')
			g.origin = appendShift(g.origin, d3)
			g.origin = append(g.origin, ':')
			if nadd == 0 {
				g.origin = append(g.origin, '-')
			}
			g.origin = append(g.origin, ins[addFrom:]...)
			g.origin = append(g.origin, ':')
			if snv < 0 {
				g.origin = append(g.origin, '-')
			} else {
				g.origin = strconv.AppendInt(g.origin, int64(snv+1), 10)
			}
		}
	case catHairpin:
		for try := 0; try < 20; try++ {
			m := &ref.Matures[g.alias.draw(r)]
			h := m.Sites[r.IntN(len(m.Sites))].Hairpin
			if free := ref.Hairpins[h].Free; len(free) > 0 {
				f := free[r.IntN(len(free))]
				hp = h
				ins = append(g.mol[:0], ref.Hairpins[h].Seq[f.Start:f.Start+f.Len]...)
				if ann {
					g.origin = append(g.origin, ':')
					g.origin = append(g.origin, ref.Hairpins[h].Name...)
					g.origin = append(g.origin, ':')
					g.origin = strconv.AppendInt(g.origin, int64(f.Start+1), 10)
				}
				break
			}
		}
		if hp < 0 { // no free fragment found: make it unmapped
			return g.insert(catUnmapped)
		}
	case catOther:
		if len(ref.Classes) > 0 {
			var cl, trf int
			ins, cl, trf = g.classInsert()
			if cl < 0 { // no fragment clear of the hairpins found
				return g.insert(catUnmapped)
			}
			g.cls.lastClass, g.cls.lastTRF = cl, trf
			break
		}
		o := ref.Other[r.IntN(len(ref.Other))]
		ins = append(g.mol[:0], o...)
	case catSpikein:
		ins = g.spikeinInsert()
	case catUnmapped:
		ins = randomSeq(g.mol[:0], 18+r.IntN(13), r)
	case catDimer:
		ins = g.mol[:0]
	case catShort:
		ins = randomSeq(g.mol[:0], 1+r.IntN(15), r)
	case catExogenous:
		ins = g.exoInsert()
	}
	g.mol = ins
	return ins, mat, hp
}

func appendShift(b []byte, d int) []byte {
	if d > 0 {
		b = append(b, '+')
	}
	return strconv.AppendInt(b, int64(d), 10)
}

func (g *generator) count(cat, mat, hp int, reads int64, molecule bool) {
	t := g.truth
	t.Comp.Reads += reads
	if molecule {
		t.Comp.Molecules++
	}
	switch cat {
	case catMirna:
		t.isomirs.add(mat, g.mol, reads, molecule)
		t.Comp.Mirna += reads
		t.MirnaReads[mat] += reads
		if molecule {
			t.MirnaMolecules[mat]++
			t.Comp.MirnaMolecules++
		}
	case catHairpin:
		t.Comp.HairpinOnly += reads
	case catOther:
		t.Comp.OtherRNA += reads
		if len(g.st.Ref.Classes) > 0 {
			t.ClassReads[g.cls.lastClass] += reads
			if g.cls.lastTRF >= 0 {
				t.TRFReads[g.cls.lastTRF] += reads
			}
		}
	case catSpikein:
		t.SpikeinReads[g.cls.lastSpike] += reads
	case catUnmapped:
		t.Comp.Unmapped += reads
	case catDimer:
		t.Comp.AdapterDimer += reads
	case catShort:
		t.Comp.TooShort += reads
	case catExogenous:
		t.Comp.Exogenous += reads
	}
	g.countExtras(reads)
	if hp >= 0 {
		t.HairpinReads[hp] += reads
	}
}

// runPlain writes one read per molecule (TruSeq, NEXTflex).
func (g *generator) runPlain(w *bufio.Writer) error {
	cfg := &g.st.Cfg
	g.umiFrom = -1
	read := make([]byte, 0, cfg.ReadLen+64)
	var rec []byte
	for n := 0; n < cfg.Reads; n++ {
		cat := g.category()
		ins, mat, hp := g.insert(cat)
		g.count(cat, mat, hp, 1, true)
		read = append(read[:0], g.bc5...)
		if cfg.Kit == NEXTflex {
			read = randomSeq(read, nextflexRandom, g.rng)
			read = append(read, ins...)
			read = randomSeq(read, nextflexRandom, g.rng)
		} else {
			read = append(read, ins...)
		}
		if cfg.Kit == Encode {
			read = append(read, EncodeAdapter...)
			read = append(read, encodeFiller...)
		} else {
			read = append(read, TruSeqAdapter...)
			read = append(read, TruSeqFiller...)
		}
		read = padA(read, cfg.ReadLen)
		rec = g.record(rec[:0], read[:cfg.ReadLen], n, -1)
		if _, err := w.Write(rec); err != nil {
			return err
		}
	}
	return nil
}

// runUMI writes QIAseq reads: molecules with UMIs and PCR duplicates,
// shuffled within blocks so that copies are not adjacent.
func (g *generator) runUMI(w *bufio.Writer) error {
	cfg := &g.st.Cfg
	r := g.rng
	const block = 1 << 15
	var pending [][]byte
	var pool [][]byte
	written := 0
	flush := func() error {
		r.Shuffle(len(pending), func(a, b int) { pending[a], pending[b] = pending[b], pending[a] })
		for _, p := range pending {
			if _, err := w.Write(p); err != nil {
				return err
			}
			pool = append(pool, p[:0])
		}
		pending = pending[:0]
		return nil
	}
	p := 1 / cfg.MeanCopies
	read := make([]byte, 0, cfg.ReadLen+96)
	umi := make([]byte, qiaseqUMILength)
	var cp []byte // one copy of the read, before its own errors
	mol := 0
	for written < cfg.Reads {
		cat := g.category()
		ins, mat, hp := g.insert(cat)
		copies := 1
		for copies < cfg.Reads-written && r.Float64() >= p {
			copies++
		}
		g.count(cat, mat, hp, int64(copies), true)
		randomSeq(umi[:0], qiaseqUMILength, r)
		read = append(read[:0], g.bc5...)
		read = append(read, ins...)
		read = append(read, QIAseqAdapter...)
		g.umiFrom = len(read)
		read = append(read, umi...)
		read = append(read, QIAseqAdapter2...)
		read = append(read, qiaFiller...)
		read = padA(read, cfg.ReadLen)
		for c := 0; c < copies; c++ {
			var buf []byte
			if k := len(pool); k > 0 {
				buf, pool = pool[k-1], pool[:k-1]
			} else {
				buf = make([]byte, 0, 2*cfg.ReadLen+128)
			}
			cp = append(cp[:0], read[:cfg.ReadLen]...)
			if g.umiFrom < cfg.ReadLen && r.Float64() < cfg.UMIErrRate {
				end := min(g.umiFrom+qiaseqUMILength, cfg.ReadLen)
				q := g.umiFrom + r.IntN(end-g.umiFrom)
				cp[q] = otherBase(cp[q], r)
			}
			pending = append(pending, g.record(buf, cp, written, mol))
			written++
		}
		mol++
		if len(pending) >= block {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	return flush()
}

// record appends a FASTQ record of read (modified in place by errors).
func (g *generator) record(dst, read []byte, n, mol int) []byte {
	r := g.rng
	L := len(read)
	dst = append(dst, '@')
	dst = append(dst, g.truth.Sample...)
	dst = append(dst, '.')
	dst = strconv.AppendInt(dst, int64(n+1), 10)
	if !g.st.Cfg.PlainNames {
		dst = append(dst, " o="...)
		dst = append(dst, g.origin...)
		if mol >= 0 {
			dst = append(dst, " m="...)
			dst = strconv.AppendInt(dst, int64(mol+1), 10)
		}
	}
	dst = append(dst, '\n')
	seqAt := len(dst)
	dst = append(dst, read...)
	dst = append(dst, "\n+\n"...)
	qualAt := len(dst)
	dst = append(dst, g.qual[:L]...)
	dst = append(dst, '\n')
	s, q := dst[seqAt:seqAt+L], dst[qualAt:qualAt+L]
	cfg := &g.st.Cfg
	drop := L // first base of the 3' quality drop
	if cfg.QualDrop > 0 && r.Float64() < cfg.QualDrop {
		drop = L/2 + r.IntN(L-L/2)
	}
	for p := 0; p < L; p++ {
		if g.umiFrom >= 0 && p >= g.umiFrom && p < g.umiFrom+qiaseqUMILength {
			continue
		}
		thr := g.errThr[p]
		if p >= drop {
			// Linear fall from the profile's quality to Phred 5.
			q0 := float64(g.qual[drop] - '!')
			dq := byte(math.Round(q0 - (q0-5)*float64(p-drop+1)/float64(L-drop)))
			q[p] = '!' + dq
			thr = max(thr, probThr(math.Pow(10, -float64(dq)/10)))
		}
		if r.Uint64() < thr {
			s[p] = otherBase(s[p], r)
			if !cfg.PhredQual && p < drop {
				q[p] = '!' + 15
			}
		}
	}
	if g.nThr > 0 {
		for p := 0; p < L; p++ {
			if r.Uint64() < g.nThr {
				s[p] = 'N'
				q[p] = '!' + 2
			}
		}
	}
	if r.Float64() < cfg.NRate {
		p := r.IntN(L)
		s[p] = 'N'
		q[p] = '!' + 2
	}
	return dst
}

// probThr turns a probability into a threshold for rand.Uint64.
func probThr(p float64) uint64 {
	if p >= 1 {
		return math.MaxUint64
	}
	return uint64(p * (1 << 63) * 2)
}

// phred is the Phred quality of error probability e, within 2..41.
func phred(e float64) byte {
	if e <= 0 {
		return 41
	}
	return byte(min(41, max(2, math.Round(-10*math.Log10(e)))))
}

func padA(b []byte, n int) []byte {
	for len(b) < n {
		b = append(b, 'A')
	}
	return b
}

const bases = "ACGT"

func randomSeq(dst []byte, n int, r *rand.Rand) []byte {
	for k := 0; k < n; k++ {
		dst = append(dst, bases[r.IntN(4)])
	}
	return dst
}

func otherBase(b byte, r *rand.Rand) byte {
	for {
		c := bases[r.IntN(4)]
		if c != b {
			return c
		}
	}
}

// alias is Vose's alias table for O(1) draws from a discrete distribution.
type alias struct {
	prob  []float64
	alias []int
	idx   []int // category of each slot (only positive weights get slots)
}

func newAlias(w []float64) alias {
	var a alias
	var sum float64
	for i, x := range w {
		if x > 0 {
			a.idx = append(a.idx, i)
			sum += x
		}
	}
	n := len(a.idx)
	a.prob = make([]float64, n)
	a.alias = make([]int, n)
	var small, large []int
	for k, i := range a.idx {
		a.prob[k] = w[i] * float64(n) / sum
		if a.prob[k] < 1 {
			small = append(small, k)
		} else {
			large = append(large, k)
		}
	}
	for len(small) > 0 && len(large) > 0 {
		s, l := small[len(small)-1], large[len(large)-1]
		small = small[:len(small)-1]
		a.alias[s] = l
		a.prob[l] -= 1 - a.prob[s]
		if a.prob[l] < 1 {
			large = large[:len(large)-1]
			small = append(small, l)
		}
	}
	for _, k := range large {
		a.prob[k] = 1
	}
	for _, k := range small {
		a.prob[k] = 1
	}
	return a
}

func (a *alias) draw(r *rand.Rand) int {
	k := r.IntN(len(a.prob))
	if r.Float64() < a.prob[k] {
		return a.idx[k]
	}
	return a.idx[a.alias[k]]
}
