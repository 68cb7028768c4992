package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/exomir/exomir/internal/atomicfile"
	"github.com/exomir/exomir/quant"
)

func init() {
	register(command{
		name:    "merge",
		summary: "join per-sample count files into one count matrix (streaming)",
		run:     runMerge,
	})
}

// mergeOutputPath resolves -out: a directory (existing, or written with a
// trailing slash) receives mirna_counts.tsv (hairpin_counts.tsv,
// smallrna_counts.tsv, trf_counts.tsv or spikein_counts.tsv when every
// input is a file of that kind); anything else is the output file.
func mergeOutputPath(out string, inputs []string) (string, error) {
	isDir := strings.HasSuffix(out, "/") || strings.HasSuffix(out, string(filepath.Separator))
	if fi, err := os.Stat(out); err == nil && fi.IsDir() {
		isDir = true
	}
	if !isDir {
		return out, nil
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return "", err
	}
	name := "mirna_counts.tsv"
	hairpin := len(inputs) > 0
	for _, in := range inputs {
		if !strings.HasSuffix(strings.TrimSuffix(in, ".gz"), ".hairpin_counts.tsv") {
			hairpin = false
		}
	}
	if hairpin {
		name = "hairpin_counts.tsv"
	}
	if n, _ := smallRNAMergeKind(inputs); n != "" {
		name = n
	}
	return filepath.Join(out, name), nil
}

func runMerge(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("merge", "-out DIR|FILE|- FILE...", stderr)
	out := fs.String("out", "", "output: a directory (existing or ending in /) gets mirna_counts.tsv (hairpin_, smallrna_, trf_ or spikein_counts.tsv when all inputs are of that kind), another path is the matrix file, - is stdout")
	tmp := fs.String("tmp", "", "directory for temporary files (default: system temp dir)")
	maxOpen := fs.Int("max-open", 0, "input files open at once; more are merged in groups (0 = 400)")
	// The flag package stops at the first positional argument: take flags
	// first, then the files.
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return errUsage
	}
	inputs := fs.Args()
	if *out == "" || len(inputs) == 0 {
		fmt.Fprintln(stderr, "exomir merge: need -out and at least one count file")
		fs.Usage()
		return errUsage
	}
	opt := quant.MergeOptions{TempDir: *tmp, MaxOpen: *maxOpen}
	if *out == "-" {
		bw := bufio.NewWriterSize(stdout, 1<<16)
		if _, err := mergeCounts(bw, inputs, opt); err != nil {
			return err
		}
		return bw.Flush()
	}
	path, err := mergeOutputPath(*out, inputs)
	if err != nil {
		return err
	}
	ctx, stop := interruptContext()
	defer stop()
	var st quant.MergeStats
	var merr error // an input's error, reported without the output's name
	err = atomicfile.WriteFile(path, func(w *bufio.Writer) error {
		if st, merr = mergeCounts(w, inputs, opt); merr != nil {
			return merr
		}
		return ctx.Err() // interrupted: no file
	})
	if merr != nil {
		return merr
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(stderr, "exomir merge: %d samples x %d features -> %s", st.Samples, st.Features, path)
	if st.Reordered > 0 {
		fmt.Fprintf(stderr, " (%d files reordered to the first file's feature order)", st.Reordered)
	}
	fmt.Fprintln(stderr)
	return nil
}
