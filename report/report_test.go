package report

import (
	"bytes"
	"math"
	"math/rand/v2"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/exomir/exomir/diffexp"
)

// testData builds a small two-group study with three DE miRNAs.
func testData() *Data {
	rng := rand.New(rand.NewPCG(1, 2))
	d := &Data{Title: "test study", Contrast: "tumor vs control", Alpha: 0.1}
	for i := 0; i < 6; i++ {
		cond := "control"
		if i >= 3 {
			cond = "tumor"
		}
		lengths := make([]int64, 41)
		for l := 16; l <= 40; l++ {
			lengths[l] = int64(1000 * math.Exp(-float64((l-22)*(l-22))/4))
		}
		var passed int64
		for _, v := range lengths {
			passed += v
		}
		d.Samples = append(d.Samples, Sample{
			Name: "s" + string(rune('1'+i)), Condition: cond, InputReads: passed + 500,
			Accounting:    []Category{{"reads_passed", passed}, {"reads_too_short", 300}, {"reads_no_adapter", 200}},
			Classes:       []Category{{"miRNA", passed * 8 / 10}, {"tRNA", passed - passed*8/10}},
			InsertLengths: lengths, MiRNAReads: passed * 8 / 10, Adapter: "TGGAATTCTCGGGTGCCAAGG",
		})
	}
	for f := 0; f < 40; f++ {
		name := "hsa-miR-" + string(rune('a'+f%26)) + string(rune('0'+f/26))
		d.Features = append(d.Features, name)
		row := make([]float64, 6)
		for s := range row {
			mu := 100.0
			if f < 3 && s >= 3 {
				mu = 800
			}
			row[s] = math.Round(mu * (0.8 + 0.4*rng.Float64()))
		}
		d.Counts = append(d.Counts, row)
		p := 0.5
		if f < 3 {
			p = 1e-6
		}
		d.DE = append(d.DE, DERow{Feature: name, BaseMean: 100, Log2FC: rng.NormFloat64(), PValue: p, PAdj: math.Min(1, p*40)})
		d.ROC = append(d.ROC, ROCRow{Feature: name, AUC: 0.5 + 0.5*float64(3-min(f, 3))/3, Direction: diffexp.DirectionUp})
	}
	d.DE[5].PValue, d.DE[5].PAdj = math.NaN(), math.NaN()
	return d
}

func TestWriteHTMLHasEveryFigure(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteHTML(&buf, testData()); err != nil {
		t.Fatal(err)
	}
	html := buf.String()
	for _, id := range []string{"lengths", "accounting", "classes", "pca", "volcano", "ma", "heatmap", "roc"} {
		i := strings.Index(html, `<figure id="`+id+`"`)
		if i < 0 {
			t.Errorf("figure %s missing", id)
			continue
		}
		end := strings.Index(html[i:], "</figure>")
		if !strings.Contains(html[i:i+end], "<svg") {
			t.Errorf("figure %s has no SVG: %.200s", id, html[i:i+end])
		}
	}
	if !strings.Contains(html, "hsa-miR-a0") || !strings.Contains(html, `class="warn"`) {
		t.Error("tables missing the top DE miRNA or the QC flag")
	}
}

func TestWriteHTMLDeterministic(t *testing.T) {
	var a, b bytes.Buffer
	if err := WriteHTML(&a, testData()); err != nil {
		t.Fatal(err)
	}
	if err := WriteHTML(&b, testData()); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Error("two renders of the same data differ")
	}
}

func TestPCASeparatesGroups(t *testing.T) {
	d := testData()
	pc1, _, v1, _, err := pca(d, 500)
	if err != nil {
		t.Fatal(err)
	}
	// The three DE miRNAs move the tumor samples together along PC1.
	for c := 0; c < 3; c++ {
		for t2 := 3; t2 < 6; t2++ {
			if (pc1[c] < 0) == (pc1[t2] < 0) {
				t.Fatalf("PC1 does not separate groups: %v", pc1)
			}
		}
	}
	if v1 < 0.5 {
		t.Errorf("PC1 explains %.2f of variance, want > 0.5", v1)
	}
}

func TestROCCurve(t *testing.T) {
	// Perfect separation: the curve reaches sensitivity 1 at FPR 0.
	pts := rocCurve([]float64{1, 2, 3, 4}, []bool{false, false, true, true})
	want := [][2]float64{{0, 0}, {0, 0.5}, {0, 1}, {0.5, 1}, {1, 1}}
	if len(pts) != len(want) {
		t.Fatalf("got %v", pts)
	}
	for i, w := range want {
		if pts[i].X != w[0] || pts[i].Y != w[1] {
			t.Fatalf("point %d = %v, want %v", i, pts[i], w)
		}
	}
}

func TestMultiQCFiles(t *testing.T) {
	d := testData()
	var acc, gen, lens bytes.Buffer
	if err := WriteMultiQCAccounting(&acc, d.Samples); err != nil {
		t.Fatal(err)
	}
	if err := WriteMultiQCGeneralStats(&gen, d.Samples); err != nil {
		t.Fatal(err)
	}
	if err := WriteMultiQCLengths(&lens, d.Samples); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(acc.String()), "\n")
	if got := lines[len(lines)-1]; !strings.HasPrefix(got, "s6\t") {
		t.Errorf("last accounting row %q", got)
	}
	if !strings.Contains(acc.String(), "# plot_type: 'bargraph'") || !strings.Contains(lens.String(), `"plot_type": "linegraph"`) {
		t.Error("MultiQC headers missing")
	}
	if !strings.Contains(gen.String(), "s1\t") {
		t.Error("general stats row missing")
	}
}

// Warnings: a notice at the top listing each one, the sample's codes in
// its QC row; none of it on a clean study.
func TestWriteHTMLWarnings(t *testing.T) {
	var buf bytes.Buffer
	d := testData()
	if err := WriteHTML(&buf, d); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(buf.String(), `class="notice"`) {
		t.Error("notice on a study without warnings")
	}
	d = testData()
	d.Samples[1].Warnings = []Warning{{"mirna_low", "miRNA 0.3% of passed reads: <wrong kit>?"}, {"length_mode", "mode 31 nt"}}
	d.StudyWarnings = []Warning{{"de_poscounts", "poscounts size factors used"}}
	buf.Reset()
	if err := WriteHTML(&buf, d); err != nil {
		t.Fatal(err)
	}
	html := buf.String()
	notice := strings.Index(html, `<div class="notice" id="warnings">`)
	qc := strings.Index(html, `<h2 id="qc">`)
	if notice < 0 || notice > qc {
		t.Fatalf("notice missing or below the QC table (at %d, QC at %d)", notice, qc)
	}
	for _, want := range []string{
		"3 warning(s)",
		"<b>study</b>: <code>de_poscounts</code>: poscounts size factors used",
		"<b>s2</b>: <code>mirna_low</code>: miRNA 0.3% of passed reads: &lt;wrong kit&gt;?",
		`<td class="warnings"><span title="miRNA 0.3% of passed reads: &lt;wrong kit&gt;?">mirna_low</span>; <span title="mode 31 nt">length_mode</span></td>`,
		`<td class="warnings">none</td>`,
	} {
		if !strings.Contains(html, want) {
			t.Errorf("report lacks %q", want)
		}
	}
}

// Every point of the PCA, volcano and MA plots carries a <title> naming
// it, and the page embeds the figures' font once.
func TestPointTooltips(t *testing.T) {
	d := testData()
	var buf bytes.Buffer
	if err := WriteHTML(&buf, d); err != nil {
		t.Fatal(err)
	}
	html := buf.String()
	fig := func(id string) string {
		i := strings.Index(html, `<figure id="`+id+`"`)
		return html[i : i+strings.Index(html[i:], "</figure>")]
	}
	tested, withMean := 0, 0
	names := map[string]bool{}
	for _, s := range d.Samples {
		names[s.Name] = true
	}
	for _, r := range d.DE {
		names[r.Feature] = true
		if !math.IsNaN(r.PValue) {
			tested++
		}
		if !math.IsNaN(r.Log2FC) && r.BaseMean > 0 {
			withMean++
		}
	}
	circle := regexp.MustCompile(`<circle [^>]*><title>([^<]*)</title></circle>`)
	for id, want := range map[string]int{"pca": len(d.Samples), "volcano": tested, "ma": withMean} {
		f := fig(id)
		all := strings.Count(f, "<circle ")
		ms := circle.FindAllStringSubmatch(f, -1)
		if all != want || len(ms) != want {
			t.Errorf("%s: %d circles, %d with a title; want %d", id, all, len(ms), want)
		}
		for _, m := range ms {
			name := strings.SplitN(m[1], "\n", 2)[0]
			if id == "pca" {
				name = strings.SplitN(name, " (", 2)[0]
			}
			if !names[name] {
				t.Errorf("%s: tooltip %q names no sample or miRNA", id, m[1])
			}
		}
	}
	if n := strings.Count(html, "@font-face"); n != 1 || !strings.Contains(html, `font-family:"Liberation Serif"`) || !strings.Contains(html, "data:font/ttf;base64,") {
		t.Errorf("page has %d @font-face rules, want one embedding Liberation Serif", n)
	}
	if strings.Contains(html, "font-family:Liberation Sans") {
		t.Error("a figure uses a font the page does not embed")
	}
}

// Average linkage on 1 - Pearson r puts vectors with the same shape
// together, and the order is a permutation.
func TestAverageLinkageOrder(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	base := [][]float64{{1, 2, 3, 4, 5, 6}, {6, 5, 4, 3, 2, 1}, {1, 6, 1, 6, 1, 6}}
	var vs [][]float64
	var group []int
	for i := 0; i < 15; i++ {
		g := rng.IntN(3)
		v := make([]float64, 6)
		for j := range v {
			v[j] = base[g][j]*(1+rng.Float64()) + 0.1*rng.NormFloat64()
		}
		vs = append(vs, v)
		group = append(group, g)
	}
	order := averageLinkageOrder(vs)
	seen := map[int]bool{}
	for _, i := range order {
		seen[i] = true
	}
	if len(order) != len(vs) || len(seen) != len(vs) {
		t.Fatalf("order %v is not a permutation of %d", order, len(vs))
	}
	// Each group is contiguous: the group changes at most twice.
	changes := 0
	for k := 1; k < len(order); k++ {
		if group[order[k]] != group[order[k-1]] {
			changes++
		}
	}
	if changes > 2 {
		t.Errorf("groups split by the clustering: order %v groups %v", order, group)
	}
}

// Category colours are fixed by name and from the Okabe–Ito set; unknown
// names get the same colour every time.
func TestCategoryColours(t *testing.T) {
	if categoryColour("reads_mirna") != rgb(0x0072B2) || categoryColour("unmapped") != rgb(0x999999) {
		t.Error("fixed colours changed")
	}
	if categoryColour("class_vault_RNA") != categoryColour("class_vault_RNA") {
		t.Error("unknown class colour not deterministic")
	}
	var a, b bytes.Buffer
	d := testData()
	if err := WriteHTML(&a, d); err != nil {
		t.Fatal(err)
	}
	// Reversing the samples' category order keeps each category's colour.
	for i := range d.Samples {
		slices.Reverse(d.Samples[i].Accounting)
	}
	if err := WriteHTML(&b, d); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(a.String(), "#d55e00") && !strings.Contains(a.String(), "rgb(213,94,0)") {
		t.Log("vermilion not used by this data")
	}
	fillOf := func(html, name string) string {
		i := strings.Index(html, `<figure id="accounting"`)
		f := html[i : i+strings.Index(html[i:], "</figure>")]
		j := strings.Index(f, ">"+name+"</text>")
		if j < 0 {
			return ""
		}
		// The legend thumbnail is drawn just before its text.
		k := strings.LastIndex(f[:j], "fill:")
		return f[k : k+12]
	}
	for _, name := range []string{"passed", "too short", "no adapter found"} {
		if fa, fb := fillOf(a.String(), name), fillOf(b.String(), name); fa == "" || fa != fb {
			t.Errorf("%s coloured %q then %q", name, fa, fb)
		}
	}
}

// Small and degenerate studies still give a page: figures that cannot be
// drawn say why instead of failing the report.
func TestWriteHTMLDegenerate(t *testing.T) {
	one := testData()
	one.Samples, one.DE, one.ROC = one.Samples[:1], nil, nil
	for f := range one.Counts {
		one.Counts[f] = one.Counts[f][:1]
	}
	flat := testData()
	for f := range flat.Counts {
		for s := range flat.Counts[f] {
			flat.Counts[f][s] = 0
		}
	}
	for name, d := range map[string]*Data{"one sample": one, "all zero": flat} {
		var buf bytes.Buffer
		if err := WriteHTML(&buf, d); err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if !strings.Contains(buf.String(), `<figure id="lengths"`) {
			t.Errorf("%s: no length figure", name)
		}
	}
}
