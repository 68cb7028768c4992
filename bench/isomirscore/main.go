// Command isomirscore checks exomir's isomiR outputs; bench/isomir_accuracy.sh
// uses it.
//
//	isomirscore reconcile -matrix mirna_counts.tsv -name COLUMN TABLE
//	    Sums TABLE's sample columns per value of column COLUMN (mirna for
//	    isomir_counts.tsv, miRNA for mirtop counts' table) and compares
//	    them with the count matrix: prints the number of (miRNA, sample)
//	    cells that differ and the largest difference; exit 1 if any.
//	isomirscore l1 -truth truth_isomir_reads.tsv [-min 50] isomir_counts.tsv
//	    Per-isomiR L1 = Σ|count − truth| / Σ truth over the (isomiR,
//	    sample) cells whose truth is at least min, an isomiR being a
//	    (mature feature, read) pair: the truth's feature column against
//	    isomir_counts.tsv's mirna column.
package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"sort"
	"strconv"
	"strings"
)

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "isomirscore:", err)
		os.Exit(1)
	}
}

// table is a TSV file: header and rows.
type table struct {
	file   string
	header []string
	rows   [][]string
}

func readTable(path string) (*table, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	t := &table{file: path}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<26)
	for sc.Scan() {
		if strings.HasPrefix(sc.Text(), "#") {
			continue
		}
		c := strings.Split(sc.Text(), "\t")
		if t.header == nil {
			t.header = c
			continue
		}
		if len(c) != len(t.header) {
			return nil, fmt.Errorf("%s: %d columns, header has %d", path, len(c), len(t.header))
		}
		t.rows = append(t.rows, c)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if t.header == nil {
		return nil, fmt.Errorf("%s: empty", path)
	}
	return t, nil
}

func (t *table) col(name string) (int, error) {
	for i, h := range t.header {
		if h == name {
			return i, nil
		}
	}
	return -1, fmt.Errorf("%s: no column %q", t.file, name)
}

// values reads the named columns of row r as numbers.
func (t *table) values(r []string, cols []int) ([]float64, error) {
	out := make([]float64, len(cols))
	for k, c := range cols {
		v, err := strconv.ParseFloat(r[c], 64)
		if err != nil {
			return nil, fmt.Errorf("%s: %q in column %s", t.file, r[c], t.header[c])
		}
		out[k] = v
	}
	return out, nil
}

func run(args []string, out io.Writer) error {
	if len(args) == 0 {
		return errors.New("usage: isomirscore reconcile|l1 [flags] file")
	}
	fs := flag.NewFlagSet("isomirscore "+args[0], flag.ContinueOnError)
	matrix := fs.String("matrix", "", "reconcile: mirna_counts.tsv")
	name := fs.String("name", "mirna", "reconcile: column of TABLE holding the miRNA")
	truth := fs.String("truth", "", "l1: truth_isomir_reads.tsv (or _molecules)")
	min := fs.Float64("min", 50, "l1: cells with at least this truth")
	label := fs.String("label", "", "label printed with the figure")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return errors.New("need one table")
	}
	tab, err := readTable(fs.Arg(0))
	if err != nil {
		return err
	}
	switch args[0] {
	case "reconcile":
		m, err := readTable(*matrix)
		if err != nil {
			return err
		}
		samples := m.header[1:]
		tcols := make([]int, len(samples))
		for k, s := range samples {
			if tcols[k], err = tab.col(s); err != nil {
				return err
			}
		}
		nc, err := tab.col(*name)
		if err != nil {
			return err
		}
		sums := map[string][]float64{}
		for _, r := range tab.rows {
			v, err := tab.values(r, tcols)
			if err != nil {
				return err
			}
			s := sums[r[nc]]
			if s == nil {
				s = make([]float64, len(samples))
				sums[r[nc]] = s
			}
			for k := range v {
				s[k] += v[k]
			}
		}
		mcols := make([]int, len(samples))
		for k := range mcols {
			mcols[k] = k + 1
		}
		cells, bad := 0, 0
		var maxd, total, summed float64
		seen := map[string]bool{}
		for _, r := range m.rows {
			v, err := m.values(r, mcols)
			if err != nil {
				return err
			}
			seen[r[0]] = true
			s := sums[r[0]]
			for k := range v {
				var got float64
				if s != nil {
					got = s[k]
				}
				cells++
				total += v[k]
				summed += got
				if d := math.Abs(got - v[k]); d > 0 {
					bad++
					maxd = math.Max(maxd, d)
				}
			}
		}
		extra := 0
		for n := range sums {
			if !seen[n] {
				extra++
			}
		}
		fmt.Fprintf(out, "%s\tcells=%d\tdiffering=%d\tmax_abs_diff=%.0f\tmatrix_total=%.0f\ttable_total=%.0f\tmirnas_not_in_matrix=%d\n",
			*label, cells, bad, maxd, total, summed, extra)
		if bad > 0 || extra > 0 {
			return fmt.Errorf("%s does not reconcile with %s", tab.file, m.file)
		}
		return nil
	case "l1":
		tr, err := readTable(*truth)
		if err != nil {
			return err
		}
		samples := tr.header[3:]
		tcols := make([]int, len(samples))
		ccols := make([]int, len(samples))
		for k, s := range samples {
			tcols[k] = k + 3
			if ccols[k], err = tab.col(s); err != nil {
				return err
			}
		}
		rc, err1 := tab.col("read")
		mc, err2 := tab.col("mirna")
		if err := errors.Join(err1, err2); err != nil {
			return err
		}
		est := map[string][]float64{}
		for _, r := range tab.rows {
			v, err := tab.values(r, ccols)
			if err != nil {
				return err
			}
			est[r[mc]+"\t"+r[rc]] = v
		}
		type cell struct {
			key          string
			truth, count float64
		}
		var cells []cell
		var sumT, sumE float64
		for _, r := range tr.rows {
			v, err := tr.values(r, tcols)
			if err != nil {
				return err
			}
			key := r[1] + "\t" + r[2]
			e := est[key]
			for k := range v {
				if v[k] < *min {
					continue
				}
				var c float64
				if e != nil {
					c = e[k]
				}
				cells = append(cells, cell{key + "\t" + samples[k], v[k], c})
				sumT += v[k]
				sumE += math.Abs(c - v[k])
			}
		}
		if sumT == 0 {
			return fmt.Errorf("no isomiR with truth >= %g", *min)
		}
		isos := map[string]bool{}
		for _, c := range cells {
			isos[c.key[:strings.LastIndexByte(c.key, '\t')]] = true
		}
		fmt.Fprintf(out, "%s\tL1=%.4f\t(%.2f%%)\tabs_err=%.0f\ttruth=%.0f\tcells=%d\tisomirs=%d\n",
			*label, sumE/sumT, 100*sumE/sumT, sumE, sumT, len(cells), len(isos))
		sort.Slice(cells, func(a, b int) bool {
			return math.Abs(cells[a].count-cells[a].truth) > math.Abs(cells[b].count-cells[b].truth)
		})
		for _, c := range cells[:min2(5, len(cells))] {
			fmt.Fprintf(out, "  %-70s truth %7.0f  count %7.0f\n", strings.ReplaceAll(c.key, "\t", " "), c.truth, c.count)
		}
		return nil
	}
	return fmt.Errorf("unknown command %q (reconcile, l1)", args[0])
}

func min2(a, b int) int {
	if a < b {
		return a
	}
	return b
}
