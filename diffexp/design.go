package diffexp

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
)

// term is one variable of a design formula.
type term struct {
	name    string
	numeric bool
	levels  []string // factor levels, reference first
	values  []string
	nums    []float64
	cols    []int // design matrix columns of this term
}

// design is a parsed formula turned into a model matrix.
type design struct {
	terms []term
	names []string  // column names, R model.matrix style
	x     []float64 // row-major m × p
	m, p  int
}

// parseFormula returns the variable names of a formula "~ a + b"; "~ 1"
// gives none.
func parseFormula(f string) ([]string, error) {
	s := strings.TrimSpace(f)
	if s == "" {
		return nil, fmt.Errorf("%w: empty formula", ErrDesign)
	}
	if !strings.HasPrefix(s, "~") {
		return nil, fmt.Errorf("%w: formula %q must start with ~", ErrDesign, f)
	}
	s = strings.TrimSpace(s[1:])
	var vars []string
	seen := map[string]bool{}
	for _, t := range strings.Split(s, "+") {
		t = strings.TrimSpace(t)
		switch {
		case t == "1":
			continue
		case t == "" || t == "0" || strings.ContainsAny(t, ":*()-^ \t"):
			return nil, fmt.Errorf("%w: unsupported term %q in %q (only ~ a + b with an intercept)", ErrDesign, t, f)
		}
		if seen[t] {
			return nil, fmt.Errorf("%w: term %q repeated in %q", ErrDesign, t, f)
		}
		seen[t] = true
		vars = append(vars, t)
	}
	return vars, nil
}

// isNumericColumn reports whether every value parses as a number, in which
// case the variable is a continuous covariate (as R's read.delim would
// make it).
func isNumericColumn(v []string) ([]float64, bool) {
	out := make([]float64, len(v))
	for i, s := range v {
		f, err := strconv.ParseFloat(s, 64)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			return nil, false
		}
		out[i] = f
	}
	return out, true
}

// buildDesign builds the model matrix of formula f from cd (already aligned
// to the count matrix samples). forceFactor names variables always treated
// as factors (the contrast variable).
func buildDesign(f string, cd *ColData, forceFactor string) (*design, error) {
	vars, err := parseFormula(f)
	if err != nil {
		return nil, err
	}
	m := len(cd.Samples)
	d := &design{m: m, names: []string{"Intercept"}}
	for _, v := range vars {
		col := cd.Column(v)
		if col == nil {
			return nil, fmt.Errorf("%w: variable %q of %q is not a coldata column (have %s)", ErrDesign, v, f, strings.Join(cd.Names, ", "))
		}
		t := term{name: v, values: col}
		if nums, ok := isNumericColumn(col); ok && v != forceFactor {
			t.numeric = true
			t.nums = nums
			t.cols = []int{len(d.names)}
			d.names = append(d.names, v)
		} else {
			lv := map[string]bool{}
			for _, s := range col {
				if s == "" || s == "NA" {
					return nil, fmt.Errorf("%w: variable %q has a missing value", ErrDesign, v)
				}
				lv[s] = true
			}
			for s := range lv {
				t.levels = append(t.levels, s)
			}
			sort.Strings(t.levels)
			if len(t.levels) < 2 {
				return nil, fmt.Errorf("%w: variable %q has a single level %q", ErrDesign, v, t.levels[0])
			}
			for _, l := range t.levels[1:] {
				t.cols = append(t.cols, len(d.names))
				d.names = append(d.names, v+l)
			}
		}
		d.terms = append(d.terms, t)
	}
	d.p = len(d.names)
	d.x = make([]float64, m*d.p)
	for j := 0; j < m; j++ {
		d.x[j*d.p] = 1
	}
	for _, t := range d.terms {
		for j := 0; j < m; j++ {
			if t.numeric {
				d.x[j*d.p+t.cols[0]] = t.nums[j]
				continue
			}
			for k, l := range t.levels[1:] {
				if t.values[j] == l {
					d.x[j*d.p+t.cols[k]] = 1
				}
			}
		}
	}
	if d.p > m {
		return nil, fmt.Errorf("%w: %d coefficients but only %d samples", ErrRank, d.p, m)
	}
	if dep := d.dependentColumns(); len(dep) > 0 {
		return nil, fmt.Errorf("%w: %s (confounded with earlier terms of %q)", ErrRank, strings.Join(dep, ", "), f)
	}
	return d, nil
}

// dependentColumns returns the names of columns that are linear
// combinations of the columns before them (modified Gram–Schmidt).
func (d *design) dependentColumns() []string {
	m, p := d.m, d.p
	q := make([][]float64, 0, p)
	var dep []string
	for k := 0; k < p; k++ {
		v := make([]float64, m)
		norm0 := 0.0
		for j := 0; j < m; j++ {
			v[j] = d.x[j*p+k]
			norm0 += v[j] * v[j]
		}
		for _, u := range q {
			dot := 0.0
			for j := range v {
				dot += u[j] * v[j]
			}
			for j := range v {
				v[j] -= dot * u[j]
			}
		}
		norm := 0.0
		for j := range v {
			norm += v[j] * v[j]
		}
		if norm0 == 0 || norm <= 1e-10*norm0 {
			dep = append(dep, d.names[k])
			continue
		}
		s := 1 / math.Sqrt(norm)
		for j := range v {
			v[j] *= s
		}
		q = append(q, v)
	}
	return dep
}

// term returns the named term or nil.
func (d *design) term(name string) *term {
	for i := range d.terms {
		if d.terms[i].name == name {
			return &d.terms[i]
		}
	}
	return nil
}

// contrastVector turns a contrast {var, num, den} into a coefficient vector;
// nil selects the last coefficient of the last term (DESeq2's default
// results name).
func (d *design) contrastVector(c []string) ([]float64, error) {
	v := make([]float64, d.p)
	if len(c) == 0 {
		if len(d.terms) == 0 {
			return nil, fmt.Errorf("%w: design has no variables", ErrContrast)
		}
		t := d.terms[len(d.terms)-1]
		v[t.cols[len(t.cols)-1]] = 1
		return v, nil
	}
	if len(c) != 3 {
		return nil, fmt.Errorf("%w: want variable,numerator,denominator, got %q", ErrContrast, strings.Join(c, ","))
	}
	t := d.term(c[0])
	if t == nil {
		return nil, fmt.Errorf("%w: variable %q is not in the design", ErrContrast, c[0])
	}
	if t.numeric {
		return nil, fmt.Errorf("%w: variable %q is numeric", ErrContrast, c[0])
	}
	if c[1] == c[2] {
		return nil, fmt.Errorf("%w: numerator and denominator are both %q", ErrContrast, c[1])
	}
	for k, lv := range []string{c[1], c[2]} {
		idx := -1
		for i, l := range t.levels {
			if l == lv {
				idx = i
			}
		}
		if idx < 0 {
			return nil, fmt.Errorf("%w: level %q absent from %q (levels: %s)", ErrContrast, lv, c[0], strings.Join(t.levels, ", "))
		}
		if idx > 0 {
			if k == 0 {
				v[t.cols[idx-1]] = 1
			} else {
				v[t.cols[idx-1]] = -1
			}
		}
	}
	return v, nil
}
