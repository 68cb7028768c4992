package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/exomir/exomir/diffexp"
	"github.com/exomir/exomir/internal/resultset"
	"github.com/exomir/exomir/quant"
)

// assembleExogenous writes dir/exogenous_counts.tsv from the per-sample
// qdir/NAME.exogenous_counts.tsv (samples of dir/coldata.tsv), as exomir
// run writes it: the miRNAs seen in some sample, in the order of the
// embedded all-species miRBase. Nothing is written when a sample has no
// such file (the search was off, or BAM input), as run does.
// editing.tsv is not assembled: a site significant in one sample has a
// row for every sample covering it, and the per-sample files hold only
// each sample's significant sites.
func assembleExogenous(dir, qdir string) error {
	cdPath := filepath.Join(dir, "coldata.tsv")
	b, err := os.ReadFile(cdPath)
	if err != nil {
		return err
	}
	cd, err := diffexp.ReadColData(bytes.NewReader(b), cdPath)
	if err != nil {
		return err
	}
	x, err := quant.EmbeddedExogenous()
	if err != nil {
		return err
	}
	type row struct {
		species string
		counts  []string
	}
	rows := map[int]*row{}
	for j, name := range cd.Samples {
		p := filepath.Join(qdir, name+".exogenous_counts.tsv")
		data, err := os.ReadFile(p)
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		if err != nil {
			return err
		}
		lines := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
		if lines[0] != "mirna\tspecies\t"+name {
			return fmt.Errorf("%s:1: want the header mirna<TAB>species<TAB>%s", p, name)
		}
		for k, l := range lines[1:] {
			f := strings.Split(l, "\t")
			if len(f) != 3 {
				return fmt.Errorf("%s:%d: want 3 columns", p, k+2)
			}
			i := x.ExoFeatureIndex(f[0])
			if i < 0 {
				return fmt.Errorf("%s:%d: %q is not a miRNA of the embedded all-species miRBase", p, k+2, f[0])
			}
			r := rows[i]
			if r == nil {
				r = &row{species: f[1], counts: make([]string, len(cd.Samples))}
				for s := range r.counts {
					r.counts[s] = "0"
				}
				rows[i] = r
			}
			r.counts[j] = f[2]
		}
	}
	order := make([]int, 0, len(rows))
	for i := range rows {
		order = append(order, i)
	}
	sort.Ints(order)
	set, err := resultset.Begin(dir, "exogenous")
	if err != nil {
		return err
	}
	defer set.Abort()
	err = set.WriteFile("exogenous_counts.tsv", func(bw *bufio.Writer) error {
		bw.WriteString("mirna\tspecies\t" + strings.Join(cd.Samples, "\t") + "\n")
		for _, i := range order {
			bw.WriteString(x.Features[i].Name + "\t" + rows[i].species + "\t" + strings.Join(rows[i].counts, "\t") + "\n")
		}
		return nil
	})
	if err != nil {
		return err
	}
	return set.Commit()
}
