// Command score compares per-miRNA counts with a truth table or with another
// tool's counts; the bench/*.sh scripts use it.
//
//	score l1 -truth T [-column S] -mature F counts.tsv
//	    L1 = Σ|count − truth| / Σ truth over features: names sharing a
//	    sequence in the mature FASTA, and names reported together by a tool
//	    (a row "a/b/c"), are merged into one feature first.
//	score spearman -mature F [-min 10] [-top 15] a.tsv b.tsv
//	    Spearman rank correlation over features with >= min reads in either
//	    file, and the features with the largest |log2 ratio|.
//
// A comma-separated list of count files is pooled (counts summed by name).
// Count files are TSV with a header line: first column the miRNA name(s),
// the count in the column named by -column (default: the second column).
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

	"github.com/exomir/exomir/internal/corr"
	"github.com/exomir/exomir/seq"
)

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "score:", err)
		os.Exit(1)
	}
}

func run(args []string, out io.Writer) error {
	if len(args) == 0 {
		return errors.New("usage: score l1|spearman [flags] files")
	}
	fs := flag.NewFlagSet("score "+args[0], flag.ContinueOnError)
	mature := fs.String("mature", "quant/mirbase/hsa_mature_v21.fa.gz", "miRBase mature FASTA, plain or gzip: names sharing a sequence form one feature (default: the copy embedded in package quant, relative to the repository root)")
	species := fs.String("species", "hsa", "species prefix kept from -mature")
	truth := fs.String("truth", "", "l1: truth matrix (mirna × samples)")
	column := fs.String("column", "", "l1: truth column (sample); default the first sample")
	countCol := fs.String("count-column", "", "column of the count files (default the second)")
	minReads := fs.Float64("min", 10, "spearman: features with at least this many reads in either file")
	top := fs.Int("top", 15, "spearman: disagreements to list")
	label := fs.String("label", "", "l1: label printed with the figure")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	g := newGroups()
	if *mature != "" {
		if err := g.addFasta(*mature, *species); err != nil {
			return err
		}
	}
	switch args[0] {
	case "l1":
		if fs.NArg() != 1 || *truth == "" {
			return errors.New("l1: need -truth and one counts file")
		}
		t, err := readCounts(*truth, *column)
		if err != nil {
			return err
		}
		c, err := readCounts(fs.Arg(0), *countCol)
		if err != nil {
			return err
		}
		res := l1(g, t, c)
		fmt.Fprintf(out, "%s\tL1=%.4f\t(%.2f%%)\tabs_err=%.0f\ttruth=%.0f\tcounted=%.0f\tfeatures=%d\n",
			*label, res.L1, 100*res.L1, res.AbsErr, res.Truth, res.Counted, res.Features)
		for _, w := range res.Worst(*top) {
			fmt.Fprintf(out, "  %-50s truth %8.0f  count %8.0f\n", w.Name, w.Truth, w.Count)
		}
	case "spearman":
		if fs.NArg() != 2 {
			return errors.New("spearman: need two counts files")
		}
		a, err := readCounts(fs.Arg(0), *countCol)
		if err != nil {
			return err
		}
		b, err := readCounts(fs.Arg(1), *countCol)
		if err != nil {
			return err
		}
		rho, n, dis := compare(g, a, b, *minReads)
		fmt.Fprintf(out, "spearman=%.4f\tfeatures=%d\t(min %g reads in either)\n", rho, n, *minReads)
		if len(dis) > *top {
			dis = dis[:*top]
		}
		for _, d := range dis {
			fmt.Fprintf(out, "  %-50s %8.0f %8.0f  log2ratio %+.2f\n", d.Name, d.A, d.B, d.LogRatio)
		}
	default:
		return fmt.Errorf("unknown mode %q", args[0])
	}
	return nil
}

// groups is a union-find over miRNA names.
type groups struct {
	parent map[string]string
}

func newGroups() *groups { return &groups{parent: map[string]string{}} }

func (g *groups) find(x string) string {
	p, ok := g.parent[x]
	if !ok {
		g.parent[x] = x
		return x
	}
	if p == x {
		return x
	}
	r := g.find(p)
	g.parent[x] = r
	return r
}

func (g *groups) union(a, b string) {
	ra, rb := g.find(a), g.find(b)
	if ra != rb {
		if rb < ra {
			ra, rb = rb, ra
		}
		g.parent[rb] = ra
	}
}

func (g *groups) addFasta(path, species string) error {
	recs, err := seq.ReadFastaFile(path)
	if err != nil {
		return err
	}
	first := map[string]string{}
	for _, r := range recs {
		if species != "" && !strings.HasPrefix(r.Name, species+"-") {
			continue
		}
		s := string(r.Seq)
		if n, ok := first[s]; ok {
			g.union(n, r.Name)
		} else {
			first[s] = r.Name
			g.find(r.Name)
		}
	}
	return nil
}

// counts maps a row name (possibly "a/b/c") to its count.
type counts map[string]float64

// readCounts reads a count file; a comma-separated list of files is read
// as one, summing the counts of equal row names (pooled samples).
func readCounts(path, column string) (counts, error) {
	if strings.Contains(path, ",") {
		all := counts{}
		for _, p := range strings.Split(path, ",") {
			c, err := readCounts(p, column)
			if err != nil {
				return nil, err
			}
			for k, v := range c {
				all[k] += v
			}
		}
		return all, nil
	}
	f, err := seq.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	col := 1
	c := counts{}
	line := 0
	for sc.Scan() {
		line++
		fields := strings.Split(strings.TrimRight(sc.Text(), "\r"), "\t")
		if line == 1 {
			if column != "" {
				col = -1
				for i, h := range fields {
					if h == column {
						col = i
					}
				}
				if col < 0 {
					return nil, fmt.Errorf("%s: no column %q in header %v", path, column, fields)
				}
			}
			continue
		}
		if len(fields) == 0 || fields[0] == "" || strings.HasPrefix(fields[0], "#") {
			continue
		}
		if col >= len(fields) {
			return nil, fmt.Errorf("%s:%d: %d fields, want column %d", path, line, len(fields), col+1)
		}
		v, err := strconv.ParseFloat(fields[col], 64)
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %w", path, line, err)
		}
		c[fields[0]] += v
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if line == 0 {
		return nil, fmt.Errorf("%s: empty", path)
	}
	return c, nil
}

// merge unions the names of every multi-name row into g.
func (g *groups) merge(c counts) {
	for row := range c {
		names := strings.Split(row, "/")
		for _, n := range names[1:] {
			g.union(names[0], n)
		}
		g.find(names[0])
	}
}

// byGroup sums c per group root.
func (g *groups) byGroup(c counts) map[string]float64 {
	s := map[string]float64{}
	for row, v := range c {
		s[g.find(strings.Split(row, "/")[0])] += v
	}
	return s
}

// label is the group's names joined with "/", sorted.
func (g *groups) labels() map[string]string {
	members := map[string][]string{}
	for n := range g.parent {
		r := g.find(n)
		members[r] = append(members[r], n)
	}
	l := map[string]string{}
	for r, m := range members {
		sort.Strings(m)
		l[r] = strings.Join(m, "/")
	}
	return l
}

type l1Result struct {
	L1, AbsErr, Truth, Counted float64
	Features                   int
	rows                       []featureErr
}

type featureErr struct {
	Name         string
	Truth, Count float64
}

// Worst returns the n features with the largest absolute error.
func (r l1Result) Worst(n int) []featureErr {
	if n > len(r.rows) {
		n = len(r.rows)
	}
	return r.rows[:n]
}

// l1 scores counts c against truth t after merging features.
func l1(g *groups, t, c counts) l1Result {
	g.merge(t)
	g.merge(c)
	tg, cg := g.byGroup(t), g.byGroup(c)
	keys := map[string]bool{}
	for k := range tg {
		keys[k] = true
	}
	for k := range cg {
		keys[k] = true
	}
	lab := g.labels()
	var r l1Result
	for k := range keys {
		d := math.Abs(cg[k] - tg[k])
		r.AbsErr += d
		r.Truth += tg[k]
		r.Counted += cg[k]
		r.Features++
		if d > 0 {
			r.rows = append(r.rows, featureErr{lab[k], tg[k], cg[k]})
		}
	}
	if r.Truth > 0 {
		r.L1 = r.AbsErr / r.Truth
	}
	sort.Slice(r.rows, func(i, j int) bool {
		di, dj := math.Abs(r.rows[i].Count-r.rows[i].Truth), math.Abs(r.rows[j].Count-r.rows[j].Truth)
		if di != dj {
			return di > dj
		}
		return r.rows[i].Name < r.rows[j].Name
	})
	return r
}

type disagreement struct {
	Name     string
	A, B     float64
	LogRatio float64
}

// compare returns Spearman's rho between a and b over merged features with
// at least min reads in either, the number of such features and the
// features ordered by |log2((a+1)/(b+1))|, largest first.
func compare(g *groups, a, b counts, min float64) (float64, int, []disagreement) {
	g.merge(a)
	g.merge(b)
	ag, bg := g.byGroup(a), g.byGroup(b)
	keys := map[string]bool{}
	for k := range ag {
		keys[k] = true
	}
	for k := range bg {
		keys[k] = true
	}
	lab := g.labels()
	var xs, ys []float64
	var dis []disagreement
	for k := range keys {
		x, y := ag[k], bg[k]
		if x < min && y < min {
			continue
		}
		xs = append(xs, x)
		ys = append(ys, y)
		dis = append(dis, disagreement{lab[k], x, y, math.Log2((x + 1) / (y + 1))})
	}
	sort.Slice(dis, func(i, j int) bool {
		if math.Abs(dis[i].LogRatio) != math.Abs(dis[j].LogRatio) {
			return math.Abs(dis[i].LogRatio) > math.Abs(dis[j].LogRatio)
		}
		return dis[i].Name < dis[j].Name
	})
	return spearman(xs, ys), len(xs), dis
}

// spearman is Pearson's correlation of the ranks (ties get average ranks).
func spearman(x, y []float64) float64 {
	return corr.Pearson(ranks(x), ranks(y))
}

func ranks(x []float64) []float64 {
	idx := make([]int, len(x))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return x[idx[a]] < x[idx[b]] })
	r := make([]float64, len(x))
	for i := 0; i < len(idx); {
		j := i
		for j+1 < len(idx) && x[idx[j+1]] == x[idx[i]] {
			j++
		}
		avg := float64(i+j)/2 + 1
		for k := i; k <= j; k++ {
			r[idx[k]] = avg
		}
		i = j + 1
	}
	return r
}
