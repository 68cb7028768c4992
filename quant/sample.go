package quant

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
)

// Multi is the rule for reads whose best placements name several features
// (or, for hairpin counts, several hairpins).
type Multi uint8

// Multi-mapping rules.
const (
	// MultiEM shares each ambiguous read among its candidates in proportion
	// to their abundances, estimated by expectation–maximisation starting
	// from the unambiguous counts (the default).
	MultiEM Multi = iota
	// MultiUnique counts unambiguous reads only.
	MultiUnique
	// MultiSplit shares each ambiguous read equally among its candidates.
	MultiSplit
)

// ParseMulti parses "em", "unique" or "split".
func ParseMulti(s string) (Multi, error) {
	switch s {
	case "em", "":
		return MultiEM, nil
	case "unique":
		return MultiUnique, nil
	case "split":
		return MultiSplit, nil
	}
	return 0, fmt.Errorf("%w: -multi %q: want em, unique or split", ErrBadOption, s)
}

func (m Multi) String() string {
	switch m {
	case MultiEM:
		return "em"
	case MultiUnique:
		return "unique"
	case MultiSplit:
		return "split"
	}
	return "Multi(" + strconv.Itoa(int(m)) + ")"
}

// Options control counting. The zero value is the default: EM, read
// counts, GOMAXPROCS workers.
type Options struct {
	Multi Multi
	// UMI makes counts molecules (Insert.Molecules) instead of reads.
	UMI bool
	// Threads is the number of alignment workers; 0 means GOMAXPROCS.
	Threads int
	// SinglePass aligns with at most 1 mismatch only (see
	// InsertAligner.SinglePass).
	SinglePass bool
	// IsomirSkew is the count ratio under which a read one base away from
	// a more abundant read of the same mature is taken for a sequencing
	// error of it in the isomiR counts (see Isomir.Expr); 0 means
	// DefaultIsomirSkew (1/50), a negative value keeps every read as is.
	// Mature and hairpin counts do not depend on it.
	IsomirSkew float64
	// UMIs, when not nil, holds for each insert given to Quantify its
	// distinct UMIs after error merging (parallel to the inserts). With
	// UMI set, molecules are then counted as distinct UMIs per feature
	// (see Builder.AddUMIs) instead of summed per insert.
	UMIs [][]string
	// Exogenous, when not nil, is searched for the inserts left unmapped
	// (see ExoReference): Quantify then sets Sample.Exogenous and the
	// reads_exogenous_mirna and clade_<name> summary rows.
	Exogenous *ExoReference
}

// EM stopping rule: iterate until no feature's estimate moves by more
// than emTolerance reads, at most emMaxIter times.
const (
	emTolerance = 1e-6
	emMaxIter   = 10000
)

// Isomir is one insert placed on one mature of one hairpin: a line of the
// mirGFF3 output.
type Isomir struct {
	Seq     string
	Feature int32
	Hairpin int32
	Start   int32 // 0-based templated start on the hairpin
	End     int32 // exclusive templated end
	Variant Variant
	Count   int64 // reads (molecules with UMIs) of the insert, in full
	Hits    int   // number of (feature, hairpin) placements of the insert
	// Expr is the insert's integer count on this mature after the
	// multi-mapping rule and rounding (see WriteIsomirCounts) on the
	// primary placement, 0 on the others; plus the counts of the reads
	// taken for its sequencing errors (Options.IsomirSkew), whose own Expr
	// is then 0. Summed over a sample's placements of one mature it equals
	// Sample.Mature of that mature.
	Expr int64
	// Tail and Primary come last so that they share one word (96 bytes a
	// placement instead of 104; a sample holds hundreds of thousands).
	Tail int8
	// Primary marks the insert's first placement on its mature in GFF
	// order (lowest hairpin, then start): the location that carries the
	// insert's count on that mature.
	Primary bool
}

// Stat is one row of the summary table. Rows named reads_* partition the
// input reads: they sum to input_reads.
type Stat struct {
	Name  string
	Value string
}

// Sample holds the counts of one sample.
type Sample struct {
	Name string
	Ref  *Reference
	// Mature and Hairpin are integer counts parallel to Ref.Features and
	// Ref.Hairpins (reads, or molecules with UMIs).
	Mature  []int64
	Hairpin []int64
	// MatureFrac and HairpinFrac are the fractional counts before rounding.
	MatureFrac  []float64
	HairpinFrac []float64
	// Class holds the reads of each other-RNA class (Ref.Classes).
	Class []int64
	// Isomirs are the mature placements, in insert order (GFF order after
	// SortIsomirs).
	Isomirs []Isomir
	// Stats is the summary table.
	Stats []Stat
	// SmallRNA holds the per-feature counts of the other classes, tRNA
	// fragment types and spike-ins (FASTQ input; nil from BAM input).
	SmallRNA *SmallRNACounts
	// Exogenous holds the non-host miRNA counts (nil without the search).
	Exogenous *ExoCounts
}

// Stat returns the value of the named summary row and whether it exists.
func (s *Sample) Stat(name string) (string, bool) {
	for _, st := range s.Stats {
		if st.Name == name {
			return st.Value, true
		}
	}
	return "", false
}

type ambiguous struct {
	cands []int32
	n     float64
	umis  map[string]struct{}
}

// tally holds the counts of one level (features or hairpins): unambiguous
// counts per candidate and ambiguous groups keyed by their candidate set.
// With UMI sets, a group's (or candidate's) molecules are its distinct
// UMIs, so that the reads of one molecule spread over several inserts
// (sequencing errors, isomiR calls) count once.
type tally struct {
	unique    []float64
	uniqueUMI []map[string]struct{}
	amb       map[string]*ambiguous
	order     []string
}

func newTally(n int) *tally {
	return &tally{unique: make([]float64, n), amb: map[string]*ambiguous{}}
}

// add records n reads (or the molecules of umis) on cands and returns
// the ambiguous group they joined (nil for one candidate) and the count
// the insert adds: n, or with UMIs the ones its candidates had not yet
// seen, so that the inserts' credits sum to the tally's counts.
func (t *tally) add(cands []int32, n float64, umis []string) (*ambiguous, float64) {
	switch len(cands) {
	case 0:
	case 1:
		c := cands[0]
		if umis == nil {
			t.unique[c] += n
			return nil, n
		}
		if t.uniqueUMI == nil {
			t.uniqueUMI = make([]map[string]struct{}, len(t.unique))
		}
		if t.uniqueUMI[c] == nil {
			t.uniqueUMI[c] = map[string]struct{}{}
		}
		before := len(t.uniqueUMI[c])
		for _, u := range umis {
			t.uniqueUMI[c][u] = struct{}{}
		}
		return nil, float64(len(t.uniqueUMI[c]) - before)
	default:
		var sb strings.Builder
		for _, c := range cands {
			sb.WriteString(strconv.Itoa(int(c)))
			sb.WriteByte(',')
		}
		key := sb.String()
		g, ok := t.amb[key]
		if !ok {
			g = &ambiguous{cands: append([]int32(nil), cands...)}
			t.amb[key] = g
			t.order = append(t.order, key)
		}
		if umis == nil {
			g.n += n
			return g, n
		}
		if g.umis == nil {
			g.umis = map[string]struct{}{}
		}
		before := len(g.umis)
		for _, u := range umis {
			g.umis[u] = struct{}{}
		}
		return g, float64(len(g.umis) - before)
	}
	return nil, 0
}

// resolve turns UMI sets into counts and applies the multi-mapping rule;
// it also returns the weights the ambiguous groups were shared by (see
// resolve).
func (t *tally) resolve(m Multi) ([]float64, []float64) {
	unique := append([]float64(nil), t.unique...)
	for c, set := range t.uniqueUMI {
		unique[c] += float64(len(set))
	}
	for _, g := range t.amb {
		g.n += float64(len(g.umis))
		g.umis = nil
	}
	return resolve(unique, t.amb, t.order, m)
}

// Builder accumulates assigned inserts into a Sample. Add inserts in a
// fixed order (e.g. the collapser's) for reproducible output. A Builder is
// not safe for concurrent use.
type Builder struct {
	ref *Reference
	o   Options

	mature, hairpin *tally

	isomirs    []Isomir   // the placements being added, after those of isoParts
	isoParts   [][]Isomir // full blocks of placements, joined by Finish
	isoDone    int        // placements in isoParts
	credits    []credit
	scratch    []int32
	kindReads  [5]int64
	classReads []int64
	ann        annBuilder
	multiReads int64 // reads among several features
}

// NewBuilder returns an empty builder.
func NewBuilder(ref *Reference, o Options) *Builder {
	return &Builder{
		ref: ref, o: o,
		mature:     newTally(len(ref.Features)),
		hairpin:    newTally(len(ref.Hairpins)),
		classReads: make([]int64, len(ref.Classes)),
	}
}

// Add records an insert with its reads and molecules (molecules count
// when Options.UMI is set; otherwise they are ignored).
func (b *Builder) Add(insert string, reads, molecules int64, a Assignment) {
	b.add(insert, reads, molecules, nil, a)
}

// AddUMIs records an insert with its reads and its distinct UMIs (after
// error merging). With Options.UMI, the molecules of a feature (or of an
// ambiguous group) are then its distinct UMIs over all its inserts, not
// the sum of the inserts' molecule counts, which a sequencing error in
// one copy of a molecule would inflate.
func (b *Builder) AddUMIs(insert string, reads int64, umis []string, a Assignment) {
	if umis == nil {
		umis = []string{}
	}
	b.add(insert, reads, int64(len(umis)), umis, a)
}

func (b *Builder) add(insert string, reads, molecules int64, umis []string, a Assignment) {
	b.kindReads[a.Kind] += reads
	n := reads
	if b.o.UMI {
		n = molecules
	} else {
		umis = nil
	}
	switch a.Kind {
	case OtherRNA:
		if a.Class >= 0 && a.Class < len(b.classReads) {
			b.classReads[a.Class] += reads
		}
		b.addOther(reads, a)
		return
	case Spikein:
		b.addSpike(reads, a)
		return
	case Unmapped:
		return
	}
	b.scratch = appendDistinct(b.scratch, a.Placements, func(p Placement) int32 { return p.Hairpin })
	b.hairpin.add(b.scratch, float64(n), umis)
	if a.Kind != Mirna {
		return
	}
	b.scratch = appendDistinct(b.scratch, a.Placements, func(p Placement) int32 { return p.Feature })
	fs := b.scratch
	if len(fs) > 1 {
		b.multiReads += reads
	}
	g, got := b.mature.add(fs, float64(n), umis)
	cr := credit{first: b.isoDone + len(b.isomirs), n: got, group: g, feature: -1}
	if g == nil && len(fs) == 1 {
		cr.feature = fs[0]
	}
	b.credits = append(b.credits, cr)
	if len(b.isomirs)+len(a.Placements) > cap(b.isomirs) {
		b.newBlock(max(1024, b.isoDone/2, len(a.Placements)))
	}
	for _, p := range a.Placements {
		b.isomirs = append(b.isomirs, Isomir{
			Seq: insert, Feature: p.Feature, Hairpin: p.Hairpin, Start: p.Start, End: p.End,
			Tail: p.Tail, Variant: p.Variant, Count: n, Hits: len(a.Placements),
		})
	}
}

// newBlock starts a block of placements with room for n: the placements
// are kept in blocks, never regrown (growing a slice of this size copies
// it several times over, and holds two copies meanwhile), and joined once
// by Finish.
func (b *Builder) newBlock(n int) {
	if len(b.isomirs) > 0 {
		b.isoParts = append(b.isoParts, b.isomirs)
		b.isoDone += len(b.isomirs)
	}
	b.isomirs = make([]Isomir, 0, n)
}

// reserve makes room for the placements of the miRNA assignments of as
// (Quantify adds a chunk of inserts at a time): a block of their exact
// number when the current one is full.
func (b *Builder) reserve(as []Assignment) {
	n := 0
	for i := range as {
		if as[i].Kind == Mirna {
			n += len(as[i].Placements)
		}
	}
	if len(b.isomirs)+n > cap(b.isomirs) {
		b.newBlock(n)
	}
}

// Finish resolves the multi-mapping reads and returns the sample. base
// holds the upstream summary rows (seq's categories and metrics); its
// reads_passed row, if any, is replaced by reads_mirna, reads_hairpin_only,
// reads_other_rna and reads_unmapped, which partition it. Without such a
// row, input_reads (when absent) and the four rows are appended. Further
// rows: class_<name> (reads per other class, a breakdown of
// reads_other_rna), mirna_multi_reads (reads placed on several features),
// mirna_uncounted_reads (with MultiUnique, those left out), multi,
// count_unit, mirna_counted and the isomir_* rows (IsomirStats.Rows).
func (b *Builder) Finish(name string, base []Stat) *Sample {
	if len(b.isoParts) > 0 {
		all := make([]Isomir, 0, b.isoDone+len(b.isomirs))
		for i, p := range b.isoParts {
			all = append(all, p...)
			b.isoParts[i] = nil
		}
		b.isomirs = append(all, b.isomirs...)
		b.isoParts, b.isoDone = nil, 0
	}
	s := &Sample{Name: name, Ref: b.ref, Class: b.classReads, Isomirs: b.isomirs}
	var weights []float64
	s.MatureFrac, weights = b.mature.resolve(b.o.Multi)
	s.HairpinFrac, _ = b.hairpin.resolve(b.o.Multi)
	s.Mature = roundTotal(s.MatureFrac)
	s.Hairpin = roundTotal(s.HairpinFrac)
	b.isomirCounts(s, weights)
	skew := b.o.IsomirSkew
	if skew == 0 {
		skew = DefaultIsomirSkew
	}
	folded := foldErrors(s.Isomirs, skew)

	split := []Stat{
		{"reads_mirna", itoa(b.kindReads[Mirna])},
		{"reads_hairpin_only", itoa(b.kindReads[HairpinOnly])},
		{"reads_other_rna", itoa(b.kindReads[OtherRNA])},
		{"reads_unmapped", itoa(b.kindReads[Unmapped])},
	}
	if len(b.ref.Spikeins) > 0 {
		split = append(split[:3], Stat{"reads_spikein", itoa(b.kindReads[Spikein])}, split[3])
	}
	replaced := false
	for _, st := range base {
		if st.Name == "reads_passed" {
			s.Stats = append(s.Stats, split...)
			replaced = true
			continue
		}
		s.Stats = append(s.Stats, st)
	}
	if !replaced {
		if _, ok := s.Stat("input_reads"); !ok {
			var total int64
			for _, r := range b.kindReads {
				total += r
			}
			s.Stats = append(s.Stats, Stat{"input_reads", itoa(total)})
		}
		s.Stats = append(s.Stats, split...)
	}
	for i, c := range b.ref.Classes {
		s.Stats = append(s.Stats, Stat{"class_" + c, itoa(b.classReads[i])})
	}
	s.Stats = append(s.Stats, b.finishAnnotation(s)...)
	s.Stats = append(s.Stats, Stat{"mirna_multi_reads", itoa(b.multiReads)})
	if b.o.Multi == MultiUnique {
		s.Stats = append(s.Stats, Stat{"mirna_uncounted_reads", itoa(b.multiReads)})
	}
	unit := "reads"
	if b.o.UMI {
		unit = "molecules"
	}
	var total int64
	for _, c := range s.Mature {
		total += c
	}
	s.Stats = append(s.Stats,
		Stat{"multi", b.o.Multi.String()},
		Stat{"count_unit", unit},
		Stat{"mirna_counted", itoa(total)},
	)
	s.Stats = append(s.Stats, ComputeIsomirStats(s).Rows()...)
	s.Stats = append(s.Stats, Stat{"isomir_error_reads", itoa(folded)})
	return s
}

// resolve returns fractional totals: unique counts plus the shares of the
// ambiguous groups under the rule m, and the weights w of those shares: a
// group g gives candidate c the share n_g · w_c / Σ_{h∈g} w_h (groupShare).
// With MultiUnique the weights are nil (groups count nothing); with
// MultiSplit they are all 1.
func resolve(unique []float64, amb map[string]*ambiguous, order []string, m Multi) ([]float64, []float64) {
	out := append([]float64(nil), unique...)
	if m == MultiUnique || len(order) == 0 {
		return out, nil
	}
	groups := make([]*ambiguous, len(order))
	for i, k := range order {
		groups[i] = amb[k]
	}
	// The equal split is MultiSplit's answer and EM's starting point: every
	// candidate starts positive, so a feature supported only by ambiguous
	// groups (e.g. reads shared by 2 of 3 hairpins) is not fixed at zero.
	ones := make([]float64, len(unique))
	for i := range ones {
		ones[i] = 1
	}
	for _, g := range groups {
		for _, c := range g.cands {
			out[c] += groupShare(g, ones, c)
		}
	}
	if m == MultiSplit {
		return out, ones
	}
	// Only candidates of ambiguous groups change: iterate over them alone.
	var active []int32
	seen := make([]bool, len(unique))
	for _, g := range groups {
		for _, c := range g.cands {
			if !seen[c] {
				seen[c] = true
				active = append(active, c)
			}
		}
	}
	// EM step: dst = F(src) on the active candidates.
	step := func(dst, src []float64) {
		for _, c := range active {
			dst[c] = unique[c]
		}
		for _, g := range groups {
			for _, c := range g.cands {
				dst[c] += groupShare(g, src, c)
			}
		}
	}
	// Log-likelihood up to a constant: the multinomial of the reads over
	// groups and unique candidates, with probabilities θ / Σθ.
	var fixed float64 // Σθ over candidates that never change
	for c, u := range unique {
		if !seen[c] {
			fixed += u
		}
	}
	loglik := func(th []float64) float64 {
		var ll, tot, n float64
		for _, c := range active {
			if th[c] < 0 {
				return math.Inf(-1)
			}
			tot += th[c]
			if unique[c] > 0 {
				ll += unique[c] * math.Log(th[c])
				n += unique[c]
			}
		}
		for _, g := range groups {
			var sum float64
			for _, c := range g.cands {
				sum += th[c]
			}
			ll += g.n * math.Log(sum)
			n += g.n
		}
		return ll - n*math.Log(tot+fixed)
	}
	// SQUAREM (Varadhan & Roland 2008, Scand. J. Stat. 35:335): two EM
	// steps, a squared extrapolation along them, and one stabilising EM
	// step; the plain two-step point is used when the extrapolation lowers
	// the likelihood. It reaches EM's fixed point in far fewer iterations
	// when shares drift slowly towards zero.
	theta := out
	t1 := append([]float64(nil), out...)
	t2 := append([]float64(nil), out...)
	tx := append([]float64(nil), out...)
	for iter := 0; iter < emMaxIter; iter++ {
		step(t1, theta)
		step(t2, t1)
		var rr, vv float64
		for _, c := range active {
			r := t1[c] - theta[c]
			v := t2[c] - 2*t1[c] + theta[c]
			rr += r * r
			vv += v * v
		}
		next := t2
		if vv > 0 {
			alpha := -math.Sqrt(rr / vv)
			if alpha > -1 {
				alpha = -1
			}
			for _, c := range active {
				r := t1[c] - theta[c]
				v := t2[c] - 2*t1[c] + theta[c]
				tx[c] = math.Max(0, theta[c]-2*alpha*r+alpha*alpha*v)
			}
			if loglik(tx) >= loglik(t2) {
				next = tx
			}
		}
		step(t1, next) // stabilising step
		var delta float64
		for _, c := range active {
			delta = math.Max(delta, math.Abs(t1[c]-theta[c]))
		}
		theta, t1 = t1, theta
		if delta < emTolerance {
			break
		}
	}
	// The totals are one last EM step from the converged θ, so that they
	// are exactly the shares by θ that the isomiR counts use.
	step(t1, theta)
	return t1, theta
}

// groupShare is the share of group g's count that goes to its candidate
// c under weights w (an equal split when the weights of g sum to 0).
func groupShare(g *ambiguous, w []float64, c int32) float64 {
	return share(g.n, g.cands, w, c)
}

// share is the part of n reads on candidates cands that goes to c under
// weights w; the isomiR counts share each insert of a group the same way.
func share(n float64, cands []int32, w []float64, c int32) float64 {
	var sum float64
	for _, h := range cands {
		sum += w[h]
	}
	if sum <= 0 {
		return n / float64(len(cands))
	}
	return n * w[c] / sum
}

// roundTotal rounds fractional counts to integers whose sum is the rounded
// sum of the fractions (largest-remainder rounding; ties go to the lower
// index), so totals stay consistent with the reads assigned.
func roundTotal(x []float64) []int64 {
	out := make([]int64, len(x))
	var sum float64
	var floorSum int64
	type rem struct {
		i int
		r float64
	}
	var rems []rem
	for i, v := range x {
		sum += v
		f := math.Floor(v + 1e-9)
		out[i] = int64(f)
		floorSum += out[i]
		if r := v - f; r > 1e-9 {
			rems = append(rems, rem{i, r})
		}
	}
	need := int64(math.Round(sum)) - floorSum
	sort.SliceStable(rems, func(a, b int) bool { return rems[a].r > rems[b].r })
	for k := 0; k < len(rems) && need > 0; k++ {
		out[rems[k].i]++
		need--
	}
	return out
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// SortIsomirs puts the sample's placements in the order WriteIsomirGFF
// lists them (hairpin, start, end, sequence, mature). WriteIsomirGFF sorts
// unsorted samples itself; sorting each sample where it is made (in
// parallel) shortens the final write of a many-sample GFF.
func (s *Sample) SortIsomirs() {
	order := isomirOrder(s.Isomirs)
	sorted := make([]Isomir, len(order))
	for i, j := range order {
		sorted[i] = s.Isomirs[j]
	}
	s.Isomirs = sorted
}
