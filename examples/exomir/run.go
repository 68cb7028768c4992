package main

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"time"

	"github.com/exomir/exomir/internal/atomicfile"
	"github.com/exomir/exomir/study"
)

func init() {
	register(command{
		name:    "run",
		summary: "the whole study from a samplesheet: counts, isomiRs, DE, biomarkers, report",
		run:     runRun,
	})
}

// runConfig is the parsed command line of "exomir run".
type runConfig struct {
	quantConfig
	sheet, design, contrast, test, method string
	sfType                                string // -sf-type (quant_smallrna.go)
	quiet, strict, resume, force          bool
}

func runRun(args []string, stdout, stderr io.Writer) error {
	var c runConfig
	fs := newFlagSet("run", "-samplesheet sheet.tsv -out DIR [flags]", stderr)
	fs.StringVar(&c.sheet, "samplesheet", "", "sample<TAB>condition<TAB>fastq[<TAB>covariates…]; paths relative to the sheet; .bam/.sam accepted")
	fs.StringVar(&c.out, "out", "", "output directory (created if missing); each sample's results are kept in DIR/samples/")
	addReadFlags(fs, &c.quantConfig)
	fs.StringVar(&c.design, "design", "~ condition", "DE design formula; covariates are samplesheet columns: \"~ batch + condition\"")
	fs.StringVar(&c.contrast, "contrast", "", "variable,numerator,denominator, e.g. condition,tumor,control (default: condition, tumor vs control when both exist, else the last level vs the first in sorted order, as exomir de)")
	fs.StringVar(&c.test, "test", "wald", "DE test: wald or lrt (reduced model ~ 1)")
	fs.StringVar(&c.method, "method", "deseq2", "DE method: deseq2 or edger")
	addRunSizeFactorFlag(fs, &c)
	fs.IntVar(&c.threads, "threads", 0, "CPUs to use (0 = all); samples run in parallel, outputs do not depend on it")
	fs.BoolVar(&c.quiet, "quiet", false, "no progress on stderr (warnings are still printed)")
	fs.BoolVar(&c.strict, "strict", false, "QC and DE warnings are an error: exit non-zero, write no output")
	fs.BoolVar(&c.resume, "resume", true, "reuse DIR/samples/ for samples whose input (size, mtime, checksum) and settings are unchanged, and skip the run when nothing changed (DIR/manifest.json)")
	fs.BoolVar(&c.force, "force", false, "recompute every sample and the study even when nothing changed")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if c.sheet == "" || c.out == "" {
		fmt.Fprintln(stderr, "exomir run: -samplesheet and -out are required")
		fs.Usage()
		return errUsage
	}
	ctx, stop := interruptContext()
	defer stop()
	return runStudy(ctx, &c, stdout, stderr)
}

// studyConfig turns the flags of run into study's Config.
func (c *runConfig) studyConfig() (study.Config, error) {
	sc, err := c.quantConfig.studyConfig()
	if err != nil {
		return sc, err
	}
	sc.Design, sc.Test, sc.Method = c.design, study.Test(c.test), study.Method(c.method)
	sc.SizeFactors = study.SizeFactorSource(c.sfType)
	if c.contrast != "" {
		parts := strings.Split(c.contrast, ",")
		for i := range parts {
			parts[i] = strings.TrimSpace(parts[i])
		}
		if len(parts) != 3 || parts[0] == "" || parts[1] == "" || parts[2] == "" {
			return sc, fmt.Errorf("-contrast %q: want variable,numerator,denominator", c.contrast)
		}
		sc.Contrast = parts
	}
	sc.Threads, sc.Strict = c.threads, c.strict
	sc.WorkDir, sc.Force = c.out, c.force || !c.resume
	return sc, nil
}

func runStudy(ctx context.Context, c *runConfig, stdout, stderr io.Writer) error {
	start := time.Now()
	sh, err := study.ReadSheet(ctx, c.sheet)
	if err != nil {
		return err
	}
	sc, err := c.studyConfig()
	if err != nil {
		return err
	}
	if err := study.Check(sh, sc); err != nil {
		return err
	}
	// Found now rather than after every sample is computed.
	if err := atomicfile.CheckDir(c.out); err != nil {
		return err
	}
	if !sc.Force {
		ok, err := study.UpToDate(ctx, c.out, sh, sc)
		if err != nil {
			return err
		}
		if ok {
			fmt.Fprintf(stdout, "exomir run: %s is up to date (%d samples; inputs and settings unchanged, -force recomputes)\n", c.out, len(sh.Rows))
			return nil
		}
	}
	// The study's peak is set by the collector's headroom, not by what
	// it holds: a soft limit keeps it flat in the number of samples.
	defer softMemoryLimitOf(runHeapLimit, 50)()
	prog := newProgress(stderr, sh, c.quiet)
	defer prog.stop()
	sc.Progress = prog
	res, err := study.Run(ctx, sh, sc)
	prog.stop()
	if err != nil {
		return readLenHint(err)
	}
	if err := res.Write(ctx, c.out); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "exomir run: %s in %.1f s\n", res.Summary(), time.Since(start).Seconds())
	for _, n := range res.Notes {
		fmt.Fprintln(stdout, n)
	}
	fmt.Fprintln(stdout, "report: "+filepath.Join(c.out, "report.html"))
	return nil
}
