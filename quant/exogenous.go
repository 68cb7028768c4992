package quant

import (
	"bufio"
	"bytes"
	_ "embed"
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/exomir/exomir/align"
	"github.com/exomir/exomir/seq"
)

// Clade is a miRTrace-style group of organisms for the exogenous miRNA
// summary.
type Clade uint8

// Clades, in the order of the summary's clade_<name> rows.
const (
	CladeHuman Clade = iota
	CladeOtherMammal
	CladePlant
	CladeNematode
	CladeInsect
	CladeVirus
	CladeOther
	numClades
)

var cladeNames = [numClades]string{"human", "other_mammal", "plant", "nematode", "insect", "virus", "other"}

func (c Clade) String() string {
	if c < numClades {
		return cladeNames[c]
	}
	return "Clade(" + strconv.Itoa(int(c)) + ")"
}

// Clades lists every clade in summary order.
func Clades() []Clade {
	out := make([]Clade, numClades)
	for i := range out {
		out[i] = Clade(i)
	}
	return out
}

// Organism is one miRBase organism (name prefix) of the embedded table
// mirbase/clades_v22.tsv.
type Organism struct {
	Prefix string // e.g. ebv
	Name   string // as miRBase's mature.fa headers give it (two words)
	Clade  Clade
	// HumanVirus marks viruses that infect humans (EBV, KSHV, HCMV, …):
	// their miRNAs in a human library are biology, not contamination.
	HumanVirus bool
}

//go:embed mirbase/clades_v22.tsv
var cladesTSV []byte

// CladesFile is the embedded organism → clade table.
const CladesFile = "clades_v22.tsv"

var organisms = sync.OnceValues(func() (map[string]Organism, error) {
	return readOrganisms(bytes.NewReader(cladesTSV), "embedded:clades_v22.tsv")
})

// Organisms returns the embedded organism table (miRBase v22 prefixes with
// their clade), keyed by prefix.
func Organisms() (map[string]Organism, error) { return organisms() }

func readOrganisms(r io.Reader, file string) (map[string]Organism, error) {
	byName := map[string]Clade{}
	for i, n := range cladeNames {
		byName[n] = Clade(i)
	}
	out := map[string]Organism{}
	sc := bufio.NewScanner(r)
	line := 0
	for sc.Scan() {
		line++
		t := sc.Text()
		if t == "" || t[0] == '#' {
			continue
		}
		f := strings.Split(t, "\t")
		if len(f) != 4 {
			return nil, &seq.ParseError{File: file, Line: int64(line), Err: fmt.Errorf("%w: %d fields, want 4", ErrBadTable, len(f))}
		}
		c, ok := byName[f[2]]
		if !ok {
			return nil, &seq.ParseError{File: file, Line: int64(line), Err: fmt.Errorf("%w: clade %q", ErrBadTable, f[2])}
		}
		out[f[0]] = Organism{Prefix: f[0], Name: f[1], Clade: c, HumanVirus: f[3] == "yes"}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("quant: %s: %w", file, err)
	}
	return out, nil
}

// ExoFeature is one non-host mature miRNA sequence with every name (of
// any species) it carries, joined with "/" as for host features.
type ExoFeature struct {
	Name    string
	Names   []string
	Species []string // distinct name prefixes in file order
	Seq     []byte
	Clade   Clade
	// HumanVirus: every species of the feature is a human virus.
	HumanVirus bool
	host       bool // also a host sequence: a decoy, never counted
}

// ExoReference is the all-species miRBase searched for the inserts a
// host reference leaves unassigned. Sequences that the host species also
// carries stay in the index as decoys: a read whose best match is a host
// miRNA (one missing from the host reference in use, e.g. a v22 miRNA
// with the v21 reference) is not called exogenous.
type ExoReference struct {
	// Host is the host species prefix (hsa).
	Host string
	// HostClade is the host's clade; the host's miRNA reads count there.
	HostClade Clade
	// Features are the sequences in file order of first occurrence,
	// decoys included.
	Features []ExoFeature
	// Source names the mature file ("embedded:allspecies_mature_v22.fa.gz").
	Source string
	ix     *align.Index
}

// Exogenous search settings: a read must match a mature over at least
// ExoMinLength templated bases with at most one substitution and up to
// three untemplated A/T 3' bases, its ends within DefaultWindow5 and
// DefaultWindow3 of the mature's (a read is inside the mature: the
// reference holds matures, not hairpins).
const ExoMinLength = 18

// NewExoReference builds the exogenous reference from miRBase mature
// records of all species (U already read as T). Records whose prefix is
// not in orgs are in clade other. It fails with ErrEmptyReference when no
// non-host sequence is left.
func NewExoReference(mature []seq.FastaRecord, host string, orgs map[string]Organism, source string) (*ExoReference, error) {
	x := &ExoReference{Host: host, HostClade: CladeOther, Source: source}
	if o, ok := orgs[host]; ok {
		x.HostClade = o.Clade
	}
	bySeq := map[string]int{}
	for i, rec := range mature {
		if rec.Name == "" {
			return nil, recordError(source, mature, i, fmt.Errorf("%w (mature)", ErrNoName))
		}
		if len(rec.Seq) == 0 {
			continue
		}
		if j := badRefLetter(rec.Seq); j >= 0 {
			return nil, recordError(source, mature, i, fmt.Errorf("%w: mature %s has %q at position %d", align.ErrBadBase, rec.Name, rec.Seq[j], j+1))
		}
		// Two statements: indexBySeq may grow x.Features.
		k := indexBySeq(bySeq, &x.Features, rec.Seq, func(s []byte) ExoFeature { return ExoFeature{Seq: s} })
		f := &x.Features[k]
		if containsString(f.Names, rec.Name) {
			continue
		}
		f.Names = append(f.Names, rec.Name)
		sp, _, _ := strings.Cut(rec.Name, "-")
		if sp == host {
			f.host = true
		}
		if !containsString(f.Species, sp) {
			f.Species = append(f.Species, sp)
		}
	}
	n := 0
	refs := make([]align.Ref, len(x.Features))
	for i := range x.Features {
		f := &x.Features[i]
		f.Name = strings.Join(f.Names, "/")
		f.Clade, f.HumanVirus = featureClade(f.Species, orgs)
		refs[i] = align.Ref{Name: f.Name, Seq: f.Seq}
		if !f.host {
			n++
		}
	}
	if n == 0 {
		return nil, fmt.Errorf("%s: %w: no mature sequence outside species %q", source, ErrEmptyReference, host)
	}
	o := align.Options{MaxMismatches: 1, MaxTail: 3, TailBases: "AT", MinLength: ExoMinLength}
	ix, err := align.NewIndex(refs, o)
	if err != nil {
		return nil, fmt.Errorf("quant: exogenous index: %w", err)
	}
	x.ix = ix
	return x, nil
}

// featureClade is the clade of a sequence carried by several species:
// other_mammal when any is a mammal (the closest to a human host), else
// the clade most of them are in (other on a tie). HumanVirus holds when
// all species are human viruses.
func featureClade(species []string, orgs map[string]Organism) (Clade, bool) {
	var n [numClades]int
	hv := len(species) > 0
	for _, sp := range species {
		o, ok := orgs[sp]
		c := CladeOther
		if ok {
			c = o.Clade
		}
		n[c]++
		hv = hv && ok && o.HumanVirus
	}
	if n[CladeOtherMammal] > 0 {
		return CladeOtherMammal, hv
	}
	best, tie := CladeOther, false
	for c := range n {
		switch {
		case n[c] > n[best]:
			best, tie = Clade(c), false
		case n[c] == n[best] && Clade(c) != best:
			tie = true
		}
	}
	if tie {
		best = CladeOther
	}
	return best, hv
}

func containsString(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

var embeddedExo = sync.OnceValues(func() (*ExoReference, error) {
	f, err := embedded.Open("mirbase/" + ExoEmbeddedFile)
	if err != nil {
		return nil, fmt.Errorf("quant: embedded %s: %w", ExoEmbeddedFile, err)
	}
	defer f.Close()
	recs, err := readFasta(f, "embedded:"+ExoEmbeddedFile)
	if err != nil {
		return nil, err
	}
	orgs, err := Organisms()
	if err != nil {
		return nil, err
	}
	return NewExoReference(recs, "hsa", orgs, "embedded:"+ExoEmbeddedFile)
})

// ExoEmbeddedFile is the embedded all-species miRBase v22 mature file.
const ExoEmbeddedFile = "allspecies_mature_v22.fa.gz"

// EmbeddedExogenous returns the exogenous reference built into the
// binary (miRBase v22 mature, all species, host hsa), built once.
func EmbeddedExogenous() (*ExoReference, error) { return embeddedExo() }

// exoCand is one candidate of an insert: a feature and the distance of
// the read's ends from the mature's (|Δ5|+|Δ3|).
type exoCand struct {
	f     int32
	delta int8
}

// match appends to dst the features of the read's best (mismatches,
// tail) stratum whose ends are within the windows, with their end
// distance; none when a host decoy is among those closest to the
// mature's ends.
func (x *ExoReference) match(read []byte, scratch []align.Hit, dst []exoCand) ([]align.Hit, []exoCand) {
	scratch = x.ix.Align(read, scratch[:0])
	dst = dst[:0]
	best, decoy := -1, false
	for _, h := range scratch {
		if h.Reverse {
			continue
		}
		f := &x.Features[h.Ref]
		d3 := len(f.Seq) - int(h.Pos+h.Len)
		if int(h.Pos) > DefaultWindow5 || d3 > DefaultWindow3 {
			continue
		}
		d := int(h.Pos) + d3
		switch {
		case best < 0 || d < best:
			best, decoy = d, f.host
		case d == best:
			decoy = decoy || f.host
		}
		if f.host {
			continue
		}
		k := -1
		for i := range dst {
			if dst[i].f == h.Ref {
				k = i
			}
		}
		switch {
		case k < 0:
			dst = append(dst, exoCand{h.Ref, int8(d)})
		case int8(d) < dst[k].delta:
			dst[k].delta = int8(d)
		}
	}
	if decoy {
		dst = dst[:0]
	}
	return scratch, dst
}

// ExoCounts are a sample's exogenous miRNA counts.
type ExoCounts struct {
	Ref *ExoReference
	// Counts are parallel to Ref.Features (reads, or molecules with UMIs);
	// decoys are always 0.
	Counts []int64
	// Reads are the inserts' reads on the exogenous miRNAs
	// (reads_exogenous_mirna).
	Reads int64
	// CladeReads are the miRNA reads per clade: the host's miRNA reads
	// (reads_mirna) in the host clade, the exogenous reads in theirs.
	CladeReads [numClades]int64
}

// applyExogenous counts the exogenous matches (the candidates of the
// inserts that have some, in insert order) into s: it sets s.Exogenous, moves their reads from
// reads_unmapped to a new reads_exogenous_mirna row right after it (all
// reads_* rows still sum to input_reads), and adds the clade_<name> rows
// and human_viral_mirnas.
func (s *Sample) applyExogenous(x *ExoReference, inserts []seq.Insert, hits []exoHit, o Options) {
	reads := newExoTally()
	var counts *exoTally
	if o.UMI {
		counts = newExoTally()
	}
	var total int64
	for _, eh := range hits {
		i, h := eh.i, eh.cands
		in := inserts[i]
		total += in.Reads
		reads.add(h, float64(in.Reads), nil)
		if counts != nil {
			if o.UMIs != nil {
				u := o.UMIs[i]
				if u == nil {
					u = []string{}
				}
				counts.add(h, 0, u)
			} else {
				counts.add(h, float64(in.Molecules), nil)
			}
		}
	}
	readFrac := reads.resolve(len(x.Features), o.Multi)
	ec := &ExoCounts{Ref: x, Reads: total}
	if counts != nil {
		ec.Counts = roundTotal(counts.resolve(len(x.Features), o.Multi))
	} else {
		ec.Counts = roundTotal(readFrac)
	}
	var cladeFrac [numClades]float64
	for f, v := range readFrac {
		cladeFrac[x.Features[f].Clade] += v
	}
	cr := roundTotal(cladeFrac[:])
	copy(ec.CladeReads[:], cr)
	mirna, _ := s.Stat("reads_mirna")
	hostReads, _ := strconv.ParseInt(mirna, 10, 64)
	ec.CladeReads[x.HostClade] += hostReads
	s.Exogenous = ec

	stats := make([]Stat, 0, len(s.Stats)+int(numClades)+2)
	for _, st := range s.Stats {
		if st.Name != "reads_unmapped" {
			stats = append(stats, st)
			continue
		}
		n, _ := strconv.ParseInt(st.Value, 10, 64)
		stats = append(stats, Stat{"reads_unmapped", itoa(n - total)}, Stat{"reads_exogenous_mirna", itoa(total)})
	}
	for c, n := range ec.CladeReads {
		stats = append(stats, Stat{"clade_" + cladeNames[c], itoa(n)})
	}
	stats = append(stats, Stat{"human_viral_mirnas", ec.HumanViral()})
	s.Stats = stats
}

// HumanViral lists the human-virus miRNAs with a count, as
// "name:count" joined with ";" in reference order ("none" when none).
func (e *ExoCounts) HumanViral() string {
	var b strings.Builder
	for f, n := range e.Counts {
		if n == 0 || !e.Ref.Features[f].HumanVirus {
			continue
		}
		if b.Len() > 0 {
			b.WriteByte(';')
		}
		b.WriteString(e.Ref.Features[f].Name)
		b.WriteByte(':')
		b.WriteString(itoa(n))
	}
	if b.Len() == 0 {
		return "none"
	}
	return b.String()
}

// WarnExogenous: a clade other than the host's holds more than
// MaxExogenousShare of the miRNA reads (host plus exogenous).
const WarnExogenous WarningCode = "exogenous_mirna"

// MaxExogenousShare is the share of miRNA reads above which a non-host
// clade is flagged (miRTrace's contamination check flags clades beyond the
// expected one).
const MaxExogenousShare = 0.01

// exogenousCheck flags non-host clades above MaxExogenousShare.
func exogenousCheck(name string, s *Sample) []Warning {
	e := s.Exogenous
	if e == nil {
		return nil
	}
	var all int64
	for _, n := range e.CladeReads {
		all += n
	}
	if all == 0 {
		return nil
	}
	var ws []Warning
	for c, n := range e.CladeReads {
		if Clade(c) == e.Ref.HostClade {
			continue
		}
		f := float64(n) / float64(all)
		if f <= MaxExogenousShare {
			continue
		}
		msg := fmt.Sprintf("%s of miRNA reads are %s miRNAs (%s): ", pct(f), cladeNames[c], e.top(Clade(c), 3))
		switch Clade(c) {
		case CladeVirus:
			msg += "viral miRNAs; human viruses: " + e.HumanViral()
		case CladePlant:
			msg += "dietary or environmental contamination, or a plant spike-in"
		case CladeNematode:
			msg += "a cel-miR spike-in not passed with -spikeins, or contamination"
		default:
			msg += "contamination or cross-sample carry-over?"
		}
		ws = append(ws, Warning{Sample: name, Code: WarnExogenous, Message: msg})
	}
	return ws
}

// top names the k most counted features of clade c.
func (e *ExoCounts) top(c Clade, k int) string {
	var idx []int
	for f, n := range e.Counts {
		if n > 0 && e.Ref.Features[f].Clade == c {
			idx = append(idx, f)
		}
	}
	sort.SliceStable(idx, func(a, b int) bool { return e.Counts[idx[a]] > e.Counts[idx[b]] })
	var names []string
	for _, f := range idx[:min(k, len(idx))] {
		names = append(names, e.Ref.Features[f].Name+" "+itoa(e.Counts[f]))
	}
	return strings.Join(names, ", ")
}

// WriteExogenousCounts writes the exogenous counts of samples (sharing one
// ExoReference) as "mirna species sample…": one row per non-host feature
// counted in at least one sample, in reference order; species are the
// features' name prefixes joined with "/". Samples without exogenous
// counts are an error.
func WriteExogenousCounts(w io.Writer, samples []*Sample) error {
	if len(samples) == 0 {
		return fmt.Errorf("%w: no samples", ErrBadOption)
	}
	var x *ExoReference
	for _, s := range samples {
		if s.Exogenous == nil {
			return fmt.Errorf("%w: sample %s has no exogenous counts", ErrBadOption, s.Name)
		}
		if x == nil {
			x = s.Exogenous.Ref
		} else if s.Exogenous.Ref != x {
			return fmt.Errorf("%w: samples use different exogenous references", ErrBadOption)
		}
	}
	bw := bufio.NewWriter(w)
	bw.WriteString("mirna\tspecies")
	for _, s := range samples {
		bw.WriteString("\t" + s.Name)
	}
	bw.WriteByte('\n')
	var buf []byte
	for f := range x.Features {
		seen := false
		for _, s := range samples {
			seen = seen || s.Exogenous.Counts[f] > 0
		}
		if !seen {
			continue
		}
		buf = append(buf[:0], x.Features[f].Name...)
		buf = append(buf, '\t')
		buf = append(buf, strings.Join(x.Features[f].Species, "/")...)
		for _, s := range samples {
			buf = strconv.AppendInt(append(buf, '\t'), s.Exogenous.Counts[f], 10)
		}
		buf = append(buf, '\n')
		bw.Write(buf)
	}
	return bw.Flush()
}

// ExoFeatureIndex returns the index of the feature named name (a full
// "/"-joined name or any one of its names), or -1.
func (x *ExoReference) ExoFeatureIndex(name string) int {
	for i, f := range x.Features {
		if f.Name == name || containsString(f.Names, name) {
			return i
		}
	}
	return -1
}

// exoSearch runs the exogenous search of one worker's unassigned inserts.
type exoSearch struct {
	x       *ExoReference
	scratch []align.Hit
	hits    []exoCand
}

// find returns the exogenous candidates of read (a fresh slice, nil when
// none), sorted by feature.
func (e *exoSearch) find(read []byte) []exoCand {
	e.scratch, e.hits = e.x.match(read, e.scratch, e.hits)
	if len(e.hits) == 0 {
		return nil
	}
	out := append([]exoCand(nil), e.hits...)
	sort.Slice(out, func(a, b int) bool { return out[a].f < out[b].f })
	return out
}

// extraOutputs are the per-sample outputs of the exogenous search and of
// the editing scan: NAME.exogenous_counts.tsv when s has exogenous counts,
// NAME.editing.tsv always (header only when no site is significant).
func extraOutputs(s *Sample) []OutputFile {
	var out []OutputFile
	if s.Exogenous != nil {
		out = append(out, OutputFile{s.Name + ".exogenous_counts.tsv", func(w io.Writer) error {
			return WriteExogenousCounts(w, []*Sample{s})
		}})
	}
	out = append(out, OutputFile{s.Name + ".editing.tsv", func(w io.Writer) error {
		sites, err := Editing([]*Sample{s}, nil)
		if err != nil {
			return err
		}
		return WriteEditing(w, []*Sample{s}, sites)
	}})
	return out
}

// ExoShapeFactor is the factor by which each base of distance between a
// read's ends and a candidate mature's ends divides the candidate's share
// of the read in the exogenous EM: a read that equals one mature and is a
// 1-nt-shorter isomiR of another goes to the first unless the second is
// more than ExoShapeFactor times as abundant. (In simulated and miRBase-era
// data a 1-nt 3' shift is about a quarter as common as the reference end.)
const ExoShapeFactor = 4.0

// exoGroup is a set of inserts with the same candidates and distances.
type exoGroup struct {
	cands []exoCand
	n     float64
	umis  map[string]struct{}
}

// exoTally groups the exogenous inserts by candidates; with UMI sets a
// group's molecules are its distinct UMIs.
type exoTally struct {
	groups map[string]*exoGroup
	order  []string
}

func newExoTally() *exoTally { return &exoTally{groups: map[string]*exoGroup{}} }

func (t *exoTally) add(cands []exoCand, n float64, umis []string) {
	var b strings.Builder
	for _, c := range cands {
		b.WriteString(strconv.Itoa(int(c.f)))
		b.WriteByte(':')
		b.WriteString(strconv.Itoa(int(c.delta)))
		b.WriteByte(',')
	}
	if len(cands) == 1 {
		b.Reset() // one candidate: its distance does not matter
		b.WriteString(strconv.Itoa(int(cands[0].f)))
	}
	key := b.String()
	g, ok := t.groups[key]
	if !ok {
		g = &exoGroup{cands: append([]exoCand(nil), cands...)}
		if len(cands) == 1 {
			g.cands[0].delta = 0
		}
		t.groups[key] = g
		t.order = append(t.order, key)
	}
	g.n += n
	if umis != nil {
		if g.umis == nil {
			g.umis = map[string]struct{}{}
		}
		for _, u := range umis {
			g.umis[u] = struct{}{}
		}
	}
}

// resolve returns the fractional counts per feature: unambiguous groups
// in full; ambiguous ones shared by EM with each candidate weighted by
// ExoShapeFactor^-distance (MultiEM), equally (MultiSplit), or not at all
// (MultiUnique).
func (t *exoTally) resolve(nf int, m Multi) []float64 {
	out := make([]float64, nf)
	var amb []*exoGroup
	for _, k := range t.order {
		g := t.groups[k]
		n := g.n + float64(len(g.umis))
		g.n, g.umis = n, nil
		if len(g.cands) == 1 {
			out[g.cands[0].f] += n
			continue
		}
		amb = append(amb, g)
	}
	if m == MultiUnique || len(amb) == 0 {
		return out
	}
	unique := append([]float64(nil), out...)
	for _, g := range amb {
		for _, c := range g.cands {
			out[c.f] += g.n / float64(len(g.cands))
		}
	}
	if m == MultiSplit {
		return out
	}
	// EM over the candidates of ambiguous groups only, in a compact index
	// (a library touches a few hundred of the 46,000 features).
	idx := map[int32]int{}
	var feats []int32
	cand := make([][]int, len(amb))
	w := make([][]float64, len(amb))
	for i, g := range amb {
		cand[i] = make([]int, len(g.cands))
		w[i] = make([]float64, len(g.cands))
		for k, c := range g.cands {
			j, ok := idx[c.f]
			if !ok {
				j = len(feats)
				idx[c.f] = j
				feats = append(feats, c.f)
			}
			cand[i][k] = j
			w[i][k] = math.Pow(ExoShapeFactor, -float64(c.delta))
		}
	}
	theta := make([]float64, len(feats))
	next := make([]float64, len(feats))
	for j, f := range feats {
		theta[j] = out[f]
	}
	for iter := 0; iter < emMaxIter; iter++ {
		for j, f := range feats {
			next[j] = unique[f]
		}
		for i, g := range amb {
			var sum float64
			for k, j := range cand[i] {
				sum += theta[j] * w[i][k]
			}
			for k, j := range cand[i] {
				if sum > 0 {
					next[j] += g.n * theta[j] * w[i][k] / sum
				} else {
					next[j] += g.n / float64(len(cand[i]))
				}
			}
		}
		var delta float64
		for j := range next {
			delta = math.Max(delta, math.Abs(next[j]-theta[j]))
		}
		theta, next = next, theta
		if delta < emTolerance {
			break
		}
	}
	for j, f := range feats {
		out[f] = theta[j]
	}
	return out
}
