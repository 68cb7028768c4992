package study

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/exomir/exomir/quant"
)

// Errors of the package; returned errors wrap them.
var (
	// ErrConfig is an invalid Config or samplesheet/design combination.
	ErrConfig = errors.New("study: invalid setting")
	// ErrStrict marks a run stopped by Config.Strict because of warnings.
	ErrStrict = errors.New("warnings with -strict")
)

// Progress is told of the progress of Run. Its methods are called from
// several goroutines at once.
type Progress interface {
	// Warnings reports warnings as they are found: those of the inputs
	// before any work, then those of the samples and the study, then
	// those of DE.
	Warnings(ws []quant.Warning)
	// SampleRead reports n more bytes read from sample i's input file.
	SampleRead(i int, n int64)
	// SampleDone reports that sample i is counted (or reused).
	SampleDone(i int, s *Sample)
}

// Result is a study: every sample's counts and summary, the study-level
// warnings, and DE with its ROC when the contrast could be tested.
type Result struct {
	Sheet  *Sheet
	Config Config // with the defaults filled in
	Ref    *quant.Reference
	// Samples are parallel to Sheet.Rows.
	Samples []*Sample
	// Warnings are the study-level warnings (inputs, kits, covariates, DE)
	// in the order they were found.
	Warnings []quant.Warning
	// DE is nil when DE was skipped (see the de_skipped warning).
	DE *DE
	// IsomirDE is nil without DE or when the isomiR-level DE failed (see
	// the de_isomirs_skipped warning).
	IsomirDE *IsomirDE
	// Notes are one-line remarks for the user (how DE was run or why not).
	Notes []string
	// Seconds is the wall time of Run.
	Seconds float64

	spill string    // folder of the samples' isomiR files ("" when in memory)
	man   *Manifest // with a work folder: written as manifest.json
}

// Run runs the study of sh with c: every sample is counted (samples in
// parallel), the study is checked, and DE is run on the count matrix in
// memory. Nothing is written; see Result.Write. With c.Strict, warnings
// are an error wrapping ErrStrict.
func Run(ctx context.Context, sh *Sheet, c Config) (res *Result, err error) {
	start := time.Now()
	if c, err = c.withDefaults(); err != nil {
		return nil, err
	}
	if err := checkDesign(&c, sh); err != nil {
		return nil, err
	}
	inputs := make([]quant.StudyInput, len(sh.Rows))
	for i, r := range sh.Rows {
		inputs[i] = quant.StudyInput{Name: r.Sample, Path: r.Path}
	}
	early := quant.CheckInputs(inputs)
	c.warn(early)
	if err := strictCheck(c.Strict, early); err != nil {
		return nil, err
	}
	ref, err := LoadReference(ctx, c)
	if err != nil {
		return nil, err
	}
	cpus := c.Threads
	if cpus <= 0 {
		cpus = runtime.NumCPU()
	}
	// Threads is the CPU budget: samples run in parallel, one worker per
	// CPU, so memory holds one sample's distinct inserts per worker.
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(cpus))
	workers := min(cpus, len(sh.Rows))
	perSample := max(1, cpus/workers)

	res = &Result{Sheet: sh, Config: c, Ref: ref, Samples: make([]*Sample, len(sh.Rows))}
	var sp *spiller
	if c.WorkDir != "" {
		if sp, err = newSpiller(&c, sh); err != nil {
			return nil, err
		}
		res.spill = sp.dir
		defer func() {
			if err != nil && !errors.Is(err, context.Canceled) {
				sp.discard()
			}
		}()
	}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(workers)
	for i, row := range sh.Rows {
		g.Go(func() error {
			s, err := doSample(gctx, &c, ref, sp, i, row, perSample)
			if err != nil {
				return fmt.Errorf("sample %s (%s): %w", row.Sample, row.Path, err)
			}
			res.Samples[i] = s
			if c.Progress != nil {
				c.Progress.SampleDone(i, s)
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	if sp != nil {
		if res.man, err = res.manifest(sp); err != nil {
			return nil, err
		}
	}
	var ws []quant.Warning
	for _, s := range res.Samples {
		ws = append(ws, s.Warnings...)
	}
	later := studyWarnings(sh, res.Samples)
	ws = append(ws, later...)
	c.warn(ws) // the early ones were reported before the work
	res.Warnings = append(early, later...)
	if err := strictCheck(c.Strict, ws); err != nil {
		return nil, err
	}
	de, note, deWarn, err := studyDE(ctx, &c, sh, res.Counts(), res.SpikeinCounts())
	if err != nil {
		return nil, err
	}
	if err := c.addWarnings(res, deWarn); err != nil {
		return nil, err
	}
	res.DE = de
	if note != "" {
		res.Notes = append(res.Notes, note)
	}
	ide, isoWarn, err := isomirDEOrWarn(ctx, &c, res, de)
	if err != nil {
		return nil, err
	}
	if err := c.addWarnings(res, isoWarn); err != nil {
		return nil, err
	}
	res.IsomirDE = ide
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	res.Seconds = time.Since(start).Seconds()
	return res, nil
}

// Check verifies c and that its design and contrast fit sh, without
// reading any input: Run does it first.
func Check(sh *Sheet, c Config) error {
	c, err := c.withDefaults()
	if err != nil {
		return err
	}
	return checkDesign(&c, sh)
}

// doSample computes sample i, or reads it back from the work folder
// when its input and the settings are unchanged.
func doSample(ctx context.Context, c *Config, ref *quant.Reference, sp *spiller, i int, row Row, threads int) (*Sample, error) {
	if sp == nil {
		t0 := time.Now()
		s, err := runSample(ctx, c, ref, i, row, threads)
		if err != nil {
			return nil, err
		}
		s.Seconds = time.Since(t0).Seconds()
		return s, nil
	}
	return sp.sample(ctx, c, ref, i, row, threads)
}

func (c *Config) warn(ws []quant.Warning) {
	if c.Progress != nil && len(ws) > 0 {
		c.Progress.Warnings(ws)
	}
}

// addWarnings reports ws, adds them to res and, with Strict, fails on
// any: what a late stage (DE, isomiR DE) does with its warnings.
func (c *Config) addWarnings(res *Result, ws []quant.Warning) error {
	c.warn(ws)
	res.Warnings = append(res.Warnings, ws...)
	return strictCheck(c.Strict, ws)
}

// strictCheck returns an error when strict is set and there are warnings.
func strictCheck(strict bool, ws []quant.Warning) error {
	if !strict || len(ws) == 0 {
		return nil
	}
	return fmt.Errorf("%w: %d warning(s) (%s); no outputs written", ErrStrict, len(ws), quant.WarningCodes(ws))
}

// studyWarnings runs the study-level checks: kits and covariates against
// the condition, look-alike condition levels.
func studyWarnings(sh *Sheet, samples []*Sample) []quant.Warning {
	ss := make([]quant.StudySample, len(samples))
	for i, s := range samples {
		ss[i] = quant.StudySample{Name: sh.Rows[i].Sample, Condition: sh.Rows[i].Condition, Protocol: s.Protocol}
	}
	covs := make([]quant.Covariate, len(sh.Extra))
	for k, name := range sh.Extra {
		covs[k].Name = name
		for _, row := range sh.Rows {
			covs[k].Values = append(covs[k].Values, row.Extra[k])
		}
	}
	return quant.CheckStudy(ss, covs)
}

// checkDesign verifies, before any reads are processed, that the design's
// variables and the contrast are samplesheet columns and levels.
func checkDesign(c *Config, sh *Sheet) error {
	f := strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(c.Design), "~"))
	for _, term := range strings.Split(f, "+") {
		term = strings.TrimSpace(term)
		if term == "" || term == "1" || term == "condition" {
			continue
		}
		if !containsString(sh.Extra, term) {
			return fmt.Errorf("%w: design %q: %q is not a column of %s (columns: condition %s)", ErrConfig, c.Design, term, sh.File, strings.Join(sh.Extra, " "))
		}
	}
	if c.Contrast == nil {
		return nil
	}
	parts := c.Contrast
	values := sh.column(parts[0])
	if values == nil {
		return fmt.Errorf("%w: contrast %q: %q is not a column of %s (columns: condition %s)", ErrConfig, strings.Join(parts, ","), parts[0], sh.File, strings.Join(sh.Extra, " "))
	}
	var levels []string
	for _, v := range values {
		if !containsString(levels, v) {
			levels = append(levels, v)
		}
	}
	for _, lvl := range parts[1:] {
		if !containsString(levels, lvl) {
			return fmt.Errorf("%w: contrast %q: %s %q is absent from %s (levels: %s)", ErrConfig, strings.Join(parts, ","), parts[0], lvl, sh.File, strings.Join(levels, ", "))
		}
	}
	return nil
}

// column returns the values of the condition or a covariate column, nil
// when there is no such column.
func (sh *Sheet) column(name string) []string {
	k := -1
	for i, e := range sh.Extra {
		if e == name {
			k = i
		}
	}
	if name != "condition" && k < 0 {
		return nil
	}
	values := make([]string, len(sh.Rows))
	for i, r := range sh.Rows {
		if name == "condition" {
			values[i] = r.Condition
		} else {
			values[i] = r.Extra[k]
		}
	}
	return values
}
