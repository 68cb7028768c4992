package study

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/exomir/exomir/quant"
	"github.com/exomir/exomir/report"
)

// RefKind is the kind of reference files given as Config.Mature and
// Hairpin.
type RefKind string

// Reference kinds.
const (
	RefMirbase   RefKind = "mirbase"   // miRBase files (or the embedded release)
	RefMirGeneDB RefKind = "mirgenedb" // MirGeneDB files (names Hsa-Mir-21_5p)
)

// referenceDefaults fills and checks Mirbase and Reference.
func (c *Config) referenceDefaults() error {
	if c.Mirbase == "" {
		c.Mirbase = quant.DefaultMirbase
	}
	if _, _, err := quant.EmbeddedFiles(c.Mirbase); err != nil {
		return fmt.Errorf("%w: mirbase %q: want %s", ErrConfig, c.Mirbase, strings.Join(quant.MirbaseReleases(), " or "))
	}
	if c.Reference == "" {
		c.Reference = RefMirbase
	}
	c.Reference = RefKind(strings.ToLower(string(c.Reference)))
	switch c.Reference {
	case RefMirbase:
	case RefMirGeneDB:
		if c.Mature == "" {
			return fmt.Errorf("%w: reference mirgenedb needs MirGeneDB mature and hairpin files (e.g. mirgenedb.org/fasta/hsa?mat=1 and the hsa pri-30-30 hairpins)", ErrConfig)
		}
	default:
		return fmt.Errorf("%w: reference %q: want mirbase or mirgenedb", ErrConfig, c.Reference)
	}
	return nil
}

// refSpecies is the name prefix of the reference's records: MirGeneDB
// capitalises it (Hsa-Mir-21_5p).
func (c *Config) refSpecies() string {
	if c.Reference == RefMirGeneDB && c.Species != "" {
		return strings.ToUpper(c.Species[:1]) + c.Species[1:]
	}
	return c.Species
}

// exoOn tells whether reads are searched for exogenous miRNAs: a human
// reference and NoExogenous unset (BAM inputs are never searched).
func (c *Config) exoOn() bool {
	return !c.NoExogenous && strings.EqualFold(c.Species, "hsa")
}

// WriteReferenceMap writes reference_map.tsv: each feature of ref (e.g.
// MirGeneDB's) mapped by sequence to the embedded miRBase 22.
func WriteReferenceMap(w io.Writer, ref *quant.Reference) error {
	mb, err := quant.EmbeddedRelease("hsa", "22")
	if err != nil {
		return err
	}
	return quant.WriteReferenceMap(w, ref, mb, quant.MapReferences(ref, mb))
}

// GFFOptions are the mirGFF3 options of c: the header names the
// reference (an error for an invalid c).
func (c Config) GFFOptions() (quant.GFFOptions, error) {
	c, err := c.withDefaults()
	return c.gffOptions(), err
}

// gffOptions names the reference in the mirGFF3 header.
func (c *Config) gffOptions() quant.GFFOptions {
	switch {
	case c.Reference == RefMirGeneDB:
		return quant.GFFOptions{Database: "MirGeneDB"}
	case c.Mature == "":
		return quant.GFFOptions{Database: "miRBase" + c.Mirbase}
	}
	return quant.GFFOptions{}
}

// hostReference loads the miRNA reference of c (with defaults).
func (c *Config) hostReference(ctx context.Context) (*quant.Reference, error) {
	if c.Mature != "" {
		return quant.LoadReference(ctx, c.Mature, c.Hairpin, quant.RefOptions{Species: c.refSpecies(), SkipUnplaced: c.SkipUnplaced})
	}
	return quant.EmbeddedRelease(c.Species, c.Mirbase)
}

// embeddedReferences are the embedded files c uses, with their SHA-256.
func (c *Config) embeddedReferences() ([]quant.RefFile, error) {
	var files [][3]string // role, file, version
	if c.Mature == "" {
		mf, hf, err := quant.EmbeddedFiles(c.Mirbase)
		if err != nil {
			return nil, err
		}
		v := "miRBase " + c.Mirbase
		files = append(files, [3]string{"miRBase mature, " + c.Species, mf, v}, [3]string{"miRBase hairpin, " + c.Species, hf, v})
	}
	if c.exoOn() {
		files = append(files, [3]string{"exogenous miRNAs (all species)", quant.ExoEmbeddedFile, "miRBase 22"},
			[3]string{"organism clades", quant.CladesFile, "miRBase 22 organisms"})
	}
	var out []quant.RefFile
	for _, f := range files {
		r, err := quant.EmbeddedRefFile(f[0], f[1], f[2])
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}

// sampleExtras are what a sample keeps of the exogenous search and of
// A-to-I editing: compact, so that they stay in memory or in the sample's
// spilled JSON instead of its isomiRs.
type sampleExtras struct {
	exoOn   bool              // the sample was searched
	exo     sparse            // counts parallel to the exogenous reference's features
	editing []quant.EditTally // its tested A sites (nil once spilled)
	// With a work folder: the significant sites stay in memory and the
	// others are read back from editFile when the study is written, so
	// memory does not grow with samples × tested sites.
	editSig  []quant.EditTally
	editFile string
}

// spillEditing keeps only the significant sites in memory; the sample's
// file at path holds them all.
func (s *Sample) spillEditing(path string) {
	s.editSig = nil
	for _, t := range s.editing {
		if t.Significant {
			s.editSig = append(s.editSig, t)
		}
	}
	s.editing, s.editFile = nil, path
}

// siteKey is a site: feature and 1-based position.
type siteKey struct{ f, p int }

// editTallies returns the sample's tallies at the sites of sig.
func (s *Sample) editTallies(sig map[siteKey]bool) ([]quant.EditTally, error) {
	all := s.editing
	if s.editFile != "" {
		b, err := os.ReadFile(s.editFile)
		if err != nil {
			return nil, err
		}
		var rec spilledSample
		if err := json.Unmarshal(b, &rec); err != nil {
			return nil, fmt.Errorf("%s: %w", s.editFile, err)
		}
		all = rec.Editing
	}
	var out []quant.EditTally
	for _, t := range all {
		if sig[siteKey{t.Feature, t.Position}] {
			out = append(out, t)
		}
	}
	return out, nil
}

// setExtras keeps the exogenous counts and editing tallies of q (which
// still holds its isomiRs).
func (s *Sample) setExtras(q *quant.Sample) {
	if q.Exogenous != nil {
		s.exoOn, s.exo = true, toSparse(q.Exogenous.Counts)
	}
	s.editing = quant.EditingTallies(q, nil)
}

// spilledExtras are sampleExtras in the sample's JSON.
type spilledExtras struct {
	ExoOn   bool              `json:"exogenous_on,omitempty"`
	ExoN    int               `json:"exogenous_features,omitempty"`
	Exo     []int64           `json:"exogenous,omitempty"` // index, count pairs
	Editing []quant.EditTally `json:"editing,omitempty"`
}

func (s *Sample) spillExtras() spilledExtras {
	out := spilledExtras{ExoOn: s.exoOn, ExoN: s.exo.n, Editing: s.editing}
	s.exo.each(func(i int, v int64) { out.Exo = append(out.Exo, int64(i), v) })
	return out
}

// loadExtras restores the extras; false when they do not fit ref (a
// stale file).
func (s *Sample) loadExtras(e spilledExtras, ref *quant.Reference) bool {
	for _, t := range e.Editing {
		if t.Feature < 0 || t.Feature >= len(ref.Features) || t.Covering <= 0 {
			return false
		}
	}
	s.editing = e.Editing
	if !e.ExoOn {
		return len(e.Exo) == 0
	}
	x, err := quant.EmbeddedExogenous()
	if err != nil || e.ExoN != len(x.Features) || len(e.Exo)%2 != 0 {
		return false
	}
	dense := make([]int64, e.ExoN)
	for k := 0; k < len(e.Exo); k += 2 {
		i := e.Exo[k]
		if i < 0 || i >= int64(e.ExoN) || e.Exo[k+1] <= 0 {
			return false
		}
		dense[i] = e.Exo[k+1]
	}
	s.exoOn, s.exo = true, toSparse(dense)
	return true
}

// extraOutputs are the study outputs of the exosome additions:
// exogenous_counts.tsv when every sample was searched, reference_map.tsv
// with MirGeneDB, methods.md and editing.tsv.
func (r *Result) extraOutputs() []Output {
	var out []Output
	if r.exoAll() {
		out = append(out, Output{"exogenous_counts.tsv", checked(r.writeExogenous)})
	}
	if r.Config.Reference == RefMirGeneDB {
		out = append(out, Output{"reference_map.tsv", checked(func(w io.Writer) error { return WriteReferenceMap(w, r.Ref) })})
	}
	out = append(out, Output{"methods.md", checked(r.writeMethods)}, Output{"editing.tsv", r.writeEditing})
	return out
}

// exoAll tells whether every sample was searched for exogenous miRNAs.
func (r *Result) exoAll() bool {
	for _, s := range r.Samples {
		if !s.exoOn {
			return false
		}
	}
	return len(r.Samples) > 0
}

// exoRows are the rows of exogenous_counts.tsv: the features with a read
// in some sample, in reference order.
func (r *Result) exoRows() (*quant.ExoReference, []int, error) {
	x, err := quant.EmbeddedExogenous()
	if err != nil {
		return nil, nil, err
	}
	seen := make([]bool, len(x.Features))
	for _, s := range r.Samples {
		s.exo.each(func(i int, _ int64) { seen[i] = true })
	}
	var rows []int
	for f, ok := range seen {
		if ok {
			rows = append(rows, f)
		}
	}
	return x, rows, nil
}

// writeExogenous writes exogenous_counts.tsv ("mirna species sample…"),
// as quant.WriteExogenousCounts does for samples in memory.
func (r *Result) writeExogenous(w io.Writer) error {
	x, rows, err := r.exoRows()
	if err != nil {
		return err
	}
	bw := bufio.NewWriter(w)
	bw.WriteString("mirna\tspecies")
	cur := make([]cursor, len(r.Samples))
	for j, s := range r.Samples {
		bw.WriteString("\t" + s.Quant.Name)
		cur[j] = newCursor(s.exo)
	}
	bw.WriteByte('\n')
	var buf []byte
	for _, f := range rows {
		buf = append(append(buf[:0], x.Features[f].Name...), '\t')
		buf = append(buf, strings.Join(x.Features[f].Species, "/")...)
		for j := range cur {
			buf = strconv.AppendInt(append(buf, '\t'), cur[j].at(f), 10)
		}
		bw.Write(append(buf, '\n'))
	}
	return bw.Flush()
}

// editingSites are the rows of editing.tsv: the sites significant in
// some sample, then every sample's tallies there (read back from the
// work folder one sample at a time, checking ctx between them).
func (r *Result) editingSites(ctx context.Context) ([]quant.EditSite, error) {
	sig := map[siteKey]bool{}
	for _, s := range r.Samples {
		for _, t := range s.editing {
			if t.Significant {
				sig[siteKey{t.Feature, t.Position}] = true
			}
		}
		for _, t := range s.editSig {
			sig[siteKey{t.Feature, t.Position}] = true
		}
	}
	tallies := make([][]quant.EditTally, len(r.Samples))
	for i, s := range r.Samples {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		var err error
		if tallies[i], err = s.editTallies(sig); err != nil {
			return nil, err
		}
	}
	return quant.CombineEditing(tallies), nil
}

func (r *Result) writeEditing(ctx context.Context, w io.Writer) error {
	qs := make([]*quant.Sample, len(r.Samples))
	for i, s := range r.Samples {
		qs[i] = s.Quant
	}
	sites, err := r.editingSites(ctx)
	if err != nil {
		return err
	}
	return quant.WriteEditing(ctxWriter{ctx, w}, qs, sites)
}

// writeMethods writes methods.md: software, references with SHA-256,
// the samples' layouts, settings and fixed thresholds. It holds no time
// and no path but the base names of the given files: the same study
// gives the same bytes wherever it is run.
func (r *Result) writeMethods(w io.Writer) error {
	c := &r.Config
	m := &quant.Methods{Tool: "exomir", Version: Version(), Exogenous: c.exoOn()}
	refs, err := c.embeddedReferences()
	if err != nil {
		return err
	}
	if c.builtinAnnotation() {
		for _, class := range quant.AnnotationClasses {
			sum, err := quant.AnnotationSHA256(class)
			if err != nil {
				return err
			}
			refs = append(refs, quant.RefFile{Role: "small-RNA class " + class, Name: "embedded:" + quant.AnnotationFile(class),
				Version: "exomir built-in annotation", SHA256: sum, Embedded: true, Class: class})
		}
	}
	kind := "miRBase"
	if c.Reference == RefMirGeneDB {
		kind = "MirGeneDB"
	}
	user := [][3]string{{kind + " mature", c.Mature}, {kind + " hairpin", c.Hairpin}, {"miRBase GFF3", c.GFF}}
	for _, o := range c.Others {
		user = append(user, [3]string{"other class " + o.Name, o.Path, o.Name})
	}
	for _, u := range user {
		if u[1] == "" {
			continue
		}
		f, err := quant.UserRefFile(u[0], u[1], "user file")
		if err != nil {
			return err
		}
		f.Name, f.Class = filepath.Base(u[1]), u[2]
		refs = append(refs, f)
	}
	m.References = refs
	for _, s := range r.Samples {
		m.Samples = append(m.Samples, quant.SampleKit{Sample: s.Quant.Name, Protocol: orNA(s.Protocol), Adapter: orNA(s.Adapter)})
	}
	params := methodsParams(c)
	cmd := []string{"exomir run -samplesheet " + filepath.Base(r.Sheet.File)}
	for _, p := range params {
		if p[2] != "" {
			cmd = append(cmd, p[0]+"="+p[1])
		}
	}
	m.Command = strings.Join(cmd, " ")
	for _, p := range params {
		m.Params = append(m.Params, [2]string{p[0], p[1]})
	}
	m.Params = append(m.Params, quant.DefaultParams()...)
	contrast := "default"
	if c.Contrast != nil {
		contrast = strings.Join(c.Contrast, ",")
	}
	m.DE = fmt.Sprintf("Differential expression (when run) used exomir's implementation of the %s method on the miRNA count matrix (test %s, design `%s`, contrast %s), with Benjamini-Hochberg adjusted p-values", c.Method, c.Test, c.Design, contrast)
	return quant.WriteMethods(w, m)
}

// methodsParams are the settings of c as exomir run's flags: name,
// value, and "set" when it differs from the default (for the command
// line).
func methodsParams(c *Config) [][3]string {
	var d Config
	d, _ = d.withDefaults()
	var out [][3]string
	add := func(name, v, def string) {
		set := ""
		if v != def {
			set = "set"
		}
		out = append(out, [3]string{name, v, set})
	}
	clip := func(p *int) string {
		if p == nil {
			return "-1"
		}
		return strconv.Itoa(*p)
	}
	add("-protocol", c.Protocol, d.Protocol)
	add("-adapter", c.Adapter, "")
	add("-umi", strconv.FormatBool(c.UMI), "false")
	add("-min-len", strconv.Itoa(c.MinLen), "0")
	add("-max-len", strconv.Itoa(c.MaxLen), "0")
	add("-max-n", strconv.Itoa(*c.MaxN), strconv.Itoa(*d.MaxN))
	add("-clip5", clip(c.Clip5), "-1")
	add("-clip3", clip(c.Clip3), "-1")
	add("-max-read-len", strconv.Itoa(c.MaxReadLen), strconv.Itoa(d.MaxReadLen))
	add("-species", c.Species, d.Species)
	add("-mirbase", c.Mirbase, d.Mirbase)
	add("-reference", string(c.Reference), string(d.Reference))
	add("-exogenous", strconv.FormatBool(!c.NoExogenous), "true")
	add("-skip-unplaced", strconv.FormatBool(c.SkipUnplaced), "false")
	add("-multi", c.Multi.String(), d.Multi.String())
	add("-mismatches", strconv.Itoa(c.Mismatches), strconv.Itoa(d.Mismatches))
	add("-design", c.Design, d.Design)
	add("-contrast", strings.Join(c.Contrast, ","), "")
	add("-test", string(c.Test), string(d.Test))
	add("-method", string(c.Method), string(d.Method))
	return out
}

func orNA(s string) string {
	if s == "" {
		return "NA"
	}
	return s
}

// extraReport fills the report's exogenous and editing sections with the
// values exogenous_counts.tsv and editing.tsv hold (level and padj
// rounded as written), so that the report of a study in memory is the
// one "exomir report -in" draws from its folder.
func (r *Result) extraReport(ctx context.Context, d *report.Data) error {
	// exoRows fails only when the embedded file does not load, and then
	// no sample was searched.
	if x, rows, err := r.exoRows(); err == nil && r.exoAll() {
		cur := make([]cursor, len(r.Samples))
		for j, s := range r.Samples {
			cur[j] = newCursor(s.exo)
		}
		for _, f := range rows {
			e := report.Exogenous{MiRNA: x.Features[f].Name, Species: strings.Join(x.Features[f].Species, "/"), Counts: make([]float64, len(cur))}
			for j := range cur {
				e.Counts[j] = float64(cur[j].at(f))
			}
			d.Exogenous = append(d.Exogenous, e)
		}
	}
	sites, err := r.editingSites(ctx)
	if err != nil {
		return err
	}
	for _, e := range sites {
		level, _ := strconv.ParseFloat(strconv.FormatFloat(e.Level, 'f', 4, 64), 64)
		padj, _ := strconv.ParseFloat(strconv.FormatFloat(e.PAdj, 'g', 4, 64), 64)
		d.Editing = append(d.Editing, report.EditingSite{MiRNA: r.Ref.Features[e.Feature].Name, Position: e.Position,
			Sample: r.Samples[e.Sample].Quant.Name, Edited: e.Edited, Covering: e.Covering, Level: level, PAdj: padj})
	}
	return nil
}
