package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
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
	ctx, stop := interruptContext()
	defer stop()
	sheet := *data
	if sheet == "" {
		var err error
		if sheet, err = findDemoSheet(); err != nil {
			// not in the source tree (an installed binary): the same
			// study from the seeded simulator
			in := filepath.Join(*out, "input")
			fmt.Fprintf(stdout, "exomir demo: %s not found; simulating the demo study into %s (seed %d, no tRNA reads)\n", demoSheet, in, demoSeed)
			if sheet, err = simulateDemo(ctx, in, *threads); err != nil {
				return err
			}
		}
	}
	// The demo is "exomir run" with its default flags, so that both stay
	// one code path.
	runArgs := []string{"-samplesheet", sheet, "-out", *out, "-contrast", "condition,tumor,control", "-threads", strconv.Itoa(*threads)}
	if *quiet {
		runArgs = append(runArgs, "-quiet")
	}
	// Exosome RNA is not only miRNA: the built-in annotation (run's
	// default) counts tRNA fragments, rRNA, snRNA, snoRNA, Y RNA, vault RNA
	// and 7SL RNA as classes.
	fmt.Fprintf(stdout, "exomir demo: %s (simulated tumor vs control, embedded human miRBase 21)\n", sheet)
	if err := runRun(runArgs, stdout, stderr); err != nil {
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
// directory upwards.
func findDemoSheet() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		p := filepath.Join(dir, demoSheet)
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("demo data not found")
		}
		dir = parent
	}
}
