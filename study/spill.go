package study

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/exomir/exomir/internal/atomicfile"
	"github.com/exomir/exomir/quant"
)

// Files of a sample in WorkDir/samples/: its isomiRs, then its counts and
// summary (written last: its presence marks a complete sample).
const (
	gffSuffix    = ".isomirs.gff3"
	rowsSuffix   = ".isomir_rows.tsv" // quant.WriteIsomirSpill
	sampleSuffix = ".sample.json"
	spillFormat  = 4 // version of the sample files' layout (2: isomiR rows and stats; 3: small-RNA counts; 4: exogenous and editing)
)

// Input identifies a sample's input file: a rerun reuses the sample when
// all of these and the settings are unchanged.
type Input struct {
	Path    string `json:"path"`
	Size    int64  `json:"size"`
	ModTime int64  `json:"mtime_ns"`
	SHA256  string `json:"sha256"`
}

// inputOf stats and checksums the file at path.
func inputOf(ctx context.Context, path string) (Input, error) {
	f, err := os.Open(path)
	if err != nil {
		return Input{}, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return Input{}, err
	}
	h := sha256.New()
	if _, err := io.Copy(h, &ctxReader{ctx, f}); err != nil {
		return Input{}, fmt.Errorf("checksum %s: %w", path, err)
	}
	return Input{Path: path, Size: st.Size(), ModTime: st.ModTime().UnixNano(), SHA256: hex.EncodeToString(h.Sum(nil))}, nil
}

// ctxReader stops a long read when ctx is cancelled.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c *ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

// spilledSample is the file WorkDir/samples/NAME.sample.json.
type spilledSample struct {
	Format   int             `json:"format"`
	Key      string          `json:"key"`
	Input    Input           `json:"input"`
	Seconds  float64         `json:"seconds"`
	Name     string          `json:"name"`
	Mature   []int64         `json:"mature"`
	Hairpin  []int64         `json:"hairpin"`
	Class    []int64         `json:"class"`
	Stats    []quant.Stat    `json:"stats"`
	Warnings []quant.Warning `json:"warnings"`
	Lengths  []int64         `json:"lengths"`
	Adapter  string          `json:"adapter"`
	Protocol string          `json:"protocol"`
	// Isomirs are the sample's isomiR statistics.
	Isomirs  quant.IsomirStats `json:"isomir_stats"`
	SmallRNA spilledSmall      `json:"smallrna"`
	spilledExtras
}

// spiller keeps each sample's results in WorkDir/samples/ and reuses
// them.
type spiller struct {
	dir    string
	params string // what, besides the input, a sample's results depend on
	inputs []Input

	mu      sync.Mutex
	made    bool     // dir was created by this run
	written []string // files this run wrote
}

// newSpiller prepares the keys; the folder is made when the first sample
// is kept.
func newSpiller(c *Config, sh *Sheet) (*spiller, error) {
	dir := filepath.Join(c.WorkDir, "samples")
	refs, err := referenceFiles(c)
	if err != nil {
		return nil, err
	}
	b, err := json.Marshal(struct {
		Version    string
		References []Reference
		Params     sampleParams
	}{Version(), refs, paramsOf(c)})
	if err != nil {
		return nil, err
	}
	return &spiller{dir: dir, params: string(b), inputs: make([]Input, len(sh.Rows))}, nil
}

// sampleParams are the settings a sample's results depend on.
type sampleParams struct {
	Protocol     string `json:"protocol"`
	Adapter      string `json:"adapter"`
	UMI          bool   `json:"umi"`
	MinLen       int    `json:"min_len"`
	MaxLen       int    `json:"max_len"`
	MaxN         int    `json:"max_n"`
	Clip5        *int   `json:"clip5"`
	Clip3        *int   `json:"clip3"`
	MaxReadLen   int    `json:"max_read_len"`
	Species      string `json:"species"`
	SkipUnplaced bool   `json:"skip_unplaced"`
	Multi        string `json:"multi"`
	Mismatches   int    `json:"mismatches"`
	Annotation   bool   `json:"builtin_annotation"`
	Mirbase      string `json:"mirbase"`
	Reference    string `json:"reference"`
	Exogenous    bool   `json:"exogenous"`
}

func paramsOf(c *Config) sampleParams {
	return sampleParams{Protocol: c.Protocol, Adapter: c.Adapter, UMI: c.UMI, MinLen: c.MinLen, MaxLen: c.MaxLen,
		MaxN: *c.MaxN, Clip5: c.Clip5, Clip3: c.Clip3, MaxReadLen: c.MaxReadLen, Species: c.Species,
		SkipUnplaced: c.SkipUnplaced, Multi: c.Multi.String(), Mismatches: c.Mismatches,
		Annotation: c.builtinAnnotation(),
		Mirbase:    c.Mirbase, Reference: string(c.Reference), Exogenous: c.exoOn()}
}

// key is the checksum of everything sample i's results depend on.
func (sp *spiller) key(name string, in Input) string {
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00%s\x00%d\x00%d\x00%s", sp.params, name, in.Size, in.ModTime, in.SHA256)
	return hex.EncodeToString(h.Sum(nil))
}

// sample returns sample i, reused from the work folder when its key
// matches, else computed and kept there.
func (sp *spiller) sample(ctx context.Context, c *Config, ref *quant.Reference, i int, row Row, threads int) (*Sample, error) {
	in, err := inputOf(ctx, row.Path)
	if err != nil {
		return nil, err
	}
	sp.inputs[i] = in
	key := sp.key(row.Sample, in)
	jsonPath := filepath.Join(sp.dir, row.Sample+sampleSuffix)
	if !c.Force {
		if s := sp.load(ref, jsonPath, key); s != nil {
			if c.Progress != nil {
				c.Progress.SampleRead(i, in.Size)
			}
			return s, nil
		}
	}
	t0 := time.Now()
	s, err := runSample(ctx, c, ref, i, row, threads)
	if err != nil {
		return nil, err
	}
	s.Seconds = time.Since(t0).Seconds()
	q := s.Quant
	if err := sp.mkdir(); err != nil {
		return nil, err
	}
	gffPath := filepath.Join(sp.dir, row.Sample+gffSuffix)
	rowsPath := filepath.Join(sp.dir, row.Sample+rowsSuffix)
	sp.wrote(gffPath, rowsPath, jsonPath)
	err = atomicfile.WriteFile(gffPath, func(w *bufio.Writer) error {
		return quant.WriteIsomirGFF(w, []*quant.Sample{q}, c.gffOptions())
	})
	if err != nil {
		return nil, err
	}
	err = atomicfile.WriteFile(rowsPath, func(w *bufio.Writer) error { return quant.WriteIsomirSpill(w, q) })
	if err != nil {
		return nil, err
	}
	rec := spilledSample{Format: spillFormat, Key: key, Input: in, Seconds: s.Seconds, Name: q.Name,
		Mature: q.Mature, Hairpin: q.Hairpin, Class: q.Class, Stats: q.Stats, Warnings: s.Warnings,
		Lengths: s.Lengths, Adapter: s.Adapter, Protocol: s.Protocol, Isomirs: s.IsomirStats, SmallRNA: s.small.spilled(),
		spilledExtras: s.spillExtras()}
	err = atomicfile.WriteFile(jsonPath, func(w *bufio.Writer) error {
		return json.NewEncoder(w).Encode(&rec)
	})
	if err != nil {
		return nil, err
	}
	// Only the small tables stay in memory.
	q.Isomirs, q.MatureFrac, q.HairpinFrac, q.Mature, q.Hairpin, q.SmallRNA = nil, nil, nil, nil, nil, nil
	q.Exogenous = nil // its dense counts (48,885 features); s keeps them sparse
	q.Stats = compactStats(q.Stats)
	s.spillEditing(jsonPath)
	return s, nil
}

func (sp *spiller) mkdir() error {
	sp.mu.Lock()
	defer sp.mu.Unlock()
	if _, err := os.Stat(sp.dir); err == nil {
		return nil
	}
	if err := os.MkdirAll(sp.dir, 0o755); err != nil {
		return err
	}
	sp.made = true
	return nil
}

func (sp *spiller) wrote(paths ...string) {
	sp.mu.Lock()
	defer sp.mu.Unlock()
	sp.written = append(sp.written, paths...)
}

// discard removes what this run kept, after a failure that was not an
// interruption: bad input leaves the output folder as it was, while an
// interrupted run keeps its finished samples for the next one.
func (sp *spiller) discard() {
	sp.mu.Lock()
	defer sp.mu.Unlock()
	for _, p := range sp.written {
		os.Remove(p)
	}
	if sp.made {
		os.Remove(sp.dir) // only when empty
	}
}

// load reads a kept sample back; nil when it is absent, incomplete or
// was made from another input or with other settings.
func (sp *spiller) load(ref *quant.Reference, path, key string) *Sample {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil
	}
	var rec spilledSample
	if json.Unmarshal(b, &rec) != nil || rec.Format != spillFormat || rec.Key != key ||
		len(rec.Mature) != len(ref.Features) || len(rec.Hairpin) != len(ref.Hairpins) || !rec.SmallRNA.fits(ref) {
		return nil
	}
	for _, suffix := range []string{gffSuffix, rowsSuffix} {
		if _, err := os.Stat(filepath.Join(sp.dir, rec.Name+suffix)); err != nil {
			return nil
		}
	}
	q := &quant.Sample{Name: rec.Name, Ref: ref, Class: rec.Class, Stats: compactStats(rec.Stats)}
	s := &Sample{Quant: q, Lengths: rec.Lengths, Adapter: rec.Adapter, Protocol: rec.Protocol,
		Warnings: rec.Warnings, Reused: true, Seconds: rec.Seconds, IsomirStats: rec.Isomirs,
		mature: toSparse(rec.Mature), hairpin: toSparse(rec.Hairpin), small: rec.SmallRNA.counts()}
	if !s.loadExtras(rec.spilledExtras, ref) {
		return nil
	}
	s.spillEditing(path)
	return s
}

// Reference is one reference of a study as the manifest records it.
type Reference struct {
	Name   string `json:"name"`
	Path   string `json:"path,omitempty"`
	SHA256 string `json:"sha256,omitempty"`
}

// referenceFiles lists the references of c with their checksums; the
// embedded miRBase is named by species (its content is fixed by the
// exomir version).
func referenceFiles(c *Config) ([]Reference, error) {
	var refs []Reference
	add := func(name, path string) error {
		if path == "" {
			return nil
		}
		in, err := inputOf(context.Background(), path)
		if err != nil {
			return err
		}
		refs = append(refs, Reference{Name: name, Path: path, SHA256: in.SHA256})
		return nil
	}
	emb, err := c.embeddedReferences()
	if err != nil {
		return nil, err
	}
	for _, e := range emb {
		refs = append(refs, Reference{Name: e.Role, Path: e.Name, SHA256: e.SHA256})
	}
	for _, f := range []struct{ name, path string }{{"mature", c.Mature}, {"hairpin", c.Hairpin}, {"gff", c.GFF}} {
		if err := add(f.name, f.path); err != nil {
			return nil, err
		}
	}
	if c.builtinAnnotation() {
		refs = append(refs, Reference{Name: "embedded small-RNA annotation " + strings.Join(quant.AnnotationClasses, ",")})
	}
	for _, o := range c.Others {
		if err := add("other "+o.Name, o.Path); err != nil {
			return nil, err
		}
	}
	if err := add("spikeins", c.Spikeins); err != nil {
		return nil, err
	}
	return refs, nil
}

// Version is exomir's version as the build records it: the module
// version, or the VCS revision (with "+dirty" for modified trees).
func Version() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "unknown"
	}
	v := bi.Main.Version
	var rev, dirty string
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			if b, _ := strconv.ParseBool(s.Value); b {
				dirty = "+dirty"
			}
		}
	}
	if rev != "" {
		v += " " + rev + dirty
	}
	return v
}

// Manifest is DIR/manifest.json: what a run was made from, to reproduce
// it and to tell whether a rerun has anything to do.
type Manifest struct {
	Exomir      string           `json:"exomir"`
	Go          string           `json:"go"`
	Samplesheet string           `json:"samplesheet"`
	References  []Reference      `json:"references"`
	Params      map[string]any   `json:"params"`
	Samples     []ManifestSample `json:"samples"`
	StudyKey    string           `json:"study_key"`
	Outputs     map[string]int64 `json:"outputs"` // name → size
	Seconds     float64          `json:"seconds"`
}

// ManifestSample is one sample of the manifest.
type ManifestSample struct {
	Name    string  `json:"name"`
	Input   Input   `json:"input"`
	Seconds float64 `json:"seconds"`
	Reused  bool    `json:"reused"`
}

// manifest builds the manifest of r (nil without a work folder).
func (r *Result) manifest(sp *spiller) (*Manifest, error) {
	c := &r.Config
	refs, err := referenceFiles(c)
	if err != nil {
		return nil, err
	}
	m := &Manifest{Exomir: Version(), Go: runtime.Version(), Samplesheet: r.Sheet.File, References: refs,
		Params: allParams(c)}
	// Recorded, not part of the study key: they do not change the outputs.
	m.Params["threads"], m.Params["force"] = c.Threads, c.Force
	for i, s := range r.Samples {
		m.Samples = append(m.Samples, ManifestSample{Name: s.Quant.Name, Input: sp.inputs[i], Seconds: s.Seconds, Reused: s.Reused})
	}
	m.StudyKey = studyKey(sp, r.Sheet, c)
	return m, nil
}

// allParams are every setting of c, as the manifest records them.
func allParams(c *Config) map[string]any {
	var p map[string]any
	b, _ := json.Marshal(paramsOf(c))
	json.Unmarshal(b, &p)
	others := []string{}
	for _, o := range c.Others {
		others = append(others, o.Name+"="+o.Path)
	}
	p["mature"], p["hairpin"], p["gff"], p["other"] = c.Mature, c.Hairpin, c.GFF, others
	p["design"], p["contrast"], p["test"], p["method"] = c.Design, c.Contrast, c.Test, c.Method
	p["strict"] = c.Strict
	p["annotation"], p["spikeins"], p["size_factors"] = c.Annotation, c.Spikeins, c.SizeFactors
	return p
}

// studyKey is the checksum of everything the study outputs depend on: the
// samples' keys, the sheet's samples, conditions and covariates, the
// settings.
func studyKey(sp *spiller, sh *Sheet, c *Config) string {
	h := sha256.New()
	b, _ := json.Marshal(allParams(c))
	fmt.Fprintf(h, "%s\x00%s\x00%s\x00%q\x00", sp.params, b, filepath.Base(sh.File), sh.Extra)
	for i, r := range sh.Rows {
		fmt.Fprintf(h, "%s\x00%s\x00%q\x00%s\x00", r.Sample, r.Condition, r.Extra, sp.key(r.Sample, sp.inputs[i]))
	}
	return hex.EncodeToString(h.Sum(nil))
}

// manifestName is the manifest's file in the output folder.
const manifestName = "manifest.json"

// UpToDate reports whether dir holds the outputs of a run of sh with c
// that Run would make again unchanged: its manifest.json has the same
// study key (inputs' size, modification time and checksum, references,
// settings, samplesheet) and every output it lists is in place with its
// size. "exomir run" then skips the run (unless -force).
func UpToDate(ctx context.Context, dir string, sh *Sheet, c Config) (bool, error) {
	c, err := c.withDefaults()
	if err != nil {
		return false, err
	}
	b, err := os.ReadFile(filepath.Join(dir, manifestName))
	if err != nil {
		return false, nil
	}
	var m Manifest
	if json.Unmarshal(b, &m) != nil || m.StudyKey == "" || len(m.Outputs) == 0 {
		return false, nil
	}
	for name, size := range m.Outputs {
		st, err := os.Stat(filepath.Join(dir, name))
		if err != nil || st.Size() != size {
			return false, nil
		}
	}
	c.WorkDir = dir
	sp, err := newSpiller(&c, sh)
	if err != nil {
		return false, err
	}
	for i, r := range sh.Rows {
		if sp.inputs[i], err = inputOf(ctx, r.Path); err != nil {
			return false, err
		}
	}
	return studyKey(sp, sh, &c) == m.StudyKey, nil
}
