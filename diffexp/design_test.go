package diffexp

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

func colData(names []string, cols ...[]string) *ColData {
	cd := &ColData{Names: names, Columns: cols}
	for j := range cols[0] {
		cd.Samples = append(cd.Samples, "s"+string(rune('a'+j)))
	}
	return cd
}

func TestBuildDesign(t *testing.T) {
	cond := []string{"control", "control", "tumor", "tumor", "tumor", "control"}
	batch := []string{"A", "B", "A", "B", "C", "C"}
	age := []string{"30", "41", "52", "33", "60", "45"}
	cd := colData([]string{"condition", "batch", "age"}, cond, batch, age)
	tests := []struct {
		formula string
		names   []string
		row2    []float64 // model matrix row of sample 3 (tumor, A, 52)
		err     error
	}{
		{"~ condition", []string{"Intercept", "conditiontumor"}, []float64{1, 1}, nil},
		{"~condition", []string{"Intercept", "conditiontumor"}, []float64{1, 1}, nil},
		{"~ batch + condition", []string{"Intercept", "batchB", "batchC", "conditiontumor"}, []float64{1, 0, 0, 1}, nil},
		{"~ age + condition", []string{"Intercept", "age", "conditiontumor"}, []float64{1, 52, 1}, nil},
		{"~ 1", []string{"Intercept"}, []float64{1}, nil},
		{"condition", nil, nil, ErrDesign},
		{"~ condition:batch", nil, nil, ErrDesign},
		{"~ missing", nil, nil, ErrDesign},
		{"~ condition + condition", nil, nil, ErrDesign},
	}
	for _, tc := range tests {
		d, err := buildDesign(tc.formula, cd, "")
		if tc.err != nil {
			if !errors.Is(err, tc.err) {
				t.Errorf("%q: error %v, want %v", tc.formula, err, tc.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%q: %v", tc.formula, err)
			continue
		}
		if !reflect.DeepEqual(d.names, tc.names) {
			t.Errorf("%q: names %v, want %v", tc.formula, d.names, tc.names)
		}
		if got := d.x[2*d.p : 3*d.p]; !reflect.DeepEqual(got, tc.row2) {
			t.Errorf("%q: row 3 %v, want %v", tc.formula, got, tc.row2)
		}
	}
}

func TestDesignRankDeficient(t *testing.T) {
	// batch is identical to condition: confounded
	cond := []string{"control", "control", "tumor", "tumor"}
	batch := []string{"X", "X", "Y", "Y"}
	cd := colData([]string{"condition", "batch"}, cond, batch)
	_, err := buildDesign("~ batch + condition", cd, "")
	if !errors.Is(err, ErrRank) || !strings.Contains(err.Error(), "conditiontumor") {
		t.Fatalf("error %v, want ErrRank naming conditiontumor", err)
	}
	// a single level
	_, err = buildDesign("~ condition", colData([]string{"condition"}, []string{"a", "a", "a"}), "")
	if !errors.Is(err, ErrDesign) {
		t.Fatalf("single level: %v", err)
	}
}

func TestContrastVector(t *testing.T) {
	cond := []string{"a", "b", "c", "a", "b", "c"}
	d, err := buildDesign("~ condition", colData([]string{"condition"}, cond), "")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		c    []string
		want []float64
		err  error
	}{
		{nil, []float64{0, 0, 1}, nil},
		{[]string{"condition", "b", "a"}, []float64{0, 1, 0}, nil},
		{[]string{"condition", "a", "b"}, []float64{0, -1, 0}, nil},
		{[]string{"condition", "c", "b"}, []float64{0, -1, 1}, nil},
		{[]string{"condition", "d", "a"}, nil, ErrContrast},
		{[]string{"batch", "b", "a"}, nil, ErrContrast},
		{[]string{"condition", "a", "a"}, nil, ErrContrast},
		{[]string{"condition", "a"}, nil, ErrContrast},
	}
	for _, tc := range tests {
		v, err := d.contrastVector(tc.c)
		if tc.err != nil {
			if !errors.Is(err, tc.err) {
				t.Errorf("%v: error %v", tc.c, err)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(v, tc.want) {
			t.Errorf("%v: %v (%v), want %v", tc.c, v, err, tc.want)
		}
	}
}
