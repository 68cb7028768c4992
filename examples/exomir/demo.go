package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
)

func init() {
	register(command{
		name:    "demo",
		summary: "run the whole study on the bundled 3 tumor + 3 control simulated samples",
		run:     runDemo,
	})
}

// demoSheet is the bundled study, relative to the repository root.
const demoSheet = "testdata/demo/samplesheet.tsv"

func runDemo(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("demo", "[-out DIR] [-data SHEET]", stderr)
	out := fs.String("out", "exomir-demo", "output directory")
	data := fs.String("data", "", "samplesheet of the demo study (default: "+demoSheet+" in the exomir source tree)")
	threads := fs.Int("threads", 0, "CPUs to use (0 = all)")
	quiet := fs.Bool("quiet", false, "no progress on stderr")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	sheet := *data
	if sheet == "" {
		var err error
		if sheet, err = findDemoSheet(); err != nil {
			return err
		}
	}
	c := &runConfig{sheet: sheet, design: "~ condition", contrast: "condition,tumor,control", test: "wald", method: "deseq2", quiet: *quiet}
	c.out, c.threads = *out, *threads
	c.protocol, c.species, c.multi, c.mismatches = "auto", "hsa", "em", 2
	// Exosome RNA is not only miRNA: the built-in annotation (the default)
	// counts tRNA fragments, rRNA, snRNA and snoRNA as their own classes.
	c.annotation = "builtin"
	fmt.Fprintf(stdout, "exomir demo: %s (simulated tumor vs control, embedded human miRBase 21)\n", sheet)
	ctx, stop := interruptContext()
	defer stop()
	if err := runStudy(ctx, c, stdout, stderr); err != nil {
		return err
	}
	abs, err := filepath.Abs(filepath.Join(*out, "report.html"))
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "open the report: file://%s\n", abs)
	return nil
}

// findDemoSheet looks for the bundled samplesheet from the working
// directory upwards, then next to this source file (go run from elsewhere).
func findDemoSheet() (string, error) {
	dir, err := os.Getwd()
	if err == nil {
		for {
			p := filepath.Join(dir, demoSheet)
			if _, err := os.Stat(p); err == nil {
				return p, nil
			}
			parent := filepath.Dir(dir)
			if parent == dir {
				break
			}
			dir = parent
		}
	}
	if _, file, _, ok := runtime.Caller(0); ok {
		p := filepath.Join(filepath.Dir(file), "..", "..", demoSheet)
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
	}
	return "", errors.New("demo data not found: run from the exomir source tree or give -data testdata/demo/samplesheet.tsv")
}
