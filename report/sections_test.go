package report

import (
	"bytes"
	"math"
	"strings"
	"testing"

	"github.com/exomir/exomir/diffexp"
)

// The ROC panel keeps only miRNAs significant at alpha, best lower
// confidence bound first, and says when none is significant and when the
// groups are small.
func TestROCSignificantOnly(t *testing.T) {
	d := testData() // 3 vs 3; miRNAs 0-2 have padj 4e-5, the rest 1
	d.ROC[0] = ROCRow{Feature: d.Features[0], AUC: 1, Lower: 0.6, Upper: 1, Direction: diffexp.DirectionUp}
	d.ROC[1] = ROCRow{Feature: d.Features[1], AUC: 0.9, Lower: 0.7, Upper: 1, Direction: diffexp.DirectionUp}
	d.ROC[2] = ROCRow{Feature: d.Features[2], AUC: 0.95, Lower: 0.5, Upper: 1, Direction: diffexp.DirectionDown}
	d.ROC[10] = ROCRow{Feature: d.Features[10], AUC: 1, Lower: 0.9, Upper: 1, Direction: diffexp.DirectionUp} // not significant
	rows, ok := rocCandidates(d)
	if !ok || len(rows) != 3 {
		t.Fatalf("candidates %v (DE %v)", rows, ok)
	}
	for i, want := range []int{1, 0, 2} {
		if rows[i].Feature != d.Features[want] {
			t.Errorf("rank %d: %s, want %s", i, rows[i].Feature, d.Features[want])
		}
	}
	var html bytes.Buffer
	if err := WriteHTML(&html, d); err != nil {
		t.Fatal(err)
	}
	page := html.String()
	if !strings.Contains(page, "Too few samples for these AUCs to mean much") || !strings.Contains(page, "Groups: 3 tumor and 3 other samples") {
		t.Error("no small-group notice for 3 vs 3")
	}
	if strings.Contains(page, d.Features[10]+" (up)") {
		t.Error("a non-significant miRNA is drawn in the ROC figure")
	}

	// None significant: no ROC figure, a plain sentence instead.
	for i := range d.DE {
		d.DE[i].PAdj = 0.5
	}
	html.Reset()
	if err := WriteHTML(&html, d); err != nil {
		t.Fatal(err)
	}
	page = html.String()
	if strings.Contains(page, `<figure id="roc"`) || strings.Contains(page, `<figure id="auc"`) {
		t.Error("ROC figures drawn with no significant miRNA")
	}
	if !strings.Contains(page, "No miRNA has an adjusted p-value below 0.1, so no ROC curve is drawn") {
		t.Error("no statement that nothing is significant")
	}
}

// With 10 or more samples a group, the small-group notice goes.
func TestROCLargeGroups(t *testing.T) {
	d := bigData(20, 60)
	note := rocNote(d, caseCondition(d))
	if strings.Contains(note, "Too few") || !strings.Contains(note, "10 tumor and 10 other") {
		t.Errorf("note for 10 vs 10: %q", note)
	}
}

// Common condition names have fixed colours; any other name keeps its
// colour whatever the other conditions of the study, unless taken; no two
// conditions of one study share a colour.
func TestConditionColours(t *testing.T) {
	mk := func(conds ...string) map[string]string {
		var ss []Sample
		for _, c := range conds {
			ss = append(ss, Sample{Condition: c})
		}
		out := map[string]string{}
		seen := map[string]string{}
		for c, col := range conditionColours(ss) {
			r, g, b, _ := col.RGBA()
			h := string([]byte{byte(r >> 8), byte(g >> 8), byte(b >> 8)})
			if o, dup := seen[h]; dup {
				t.Errorf("%v: %s and %s share a colour", conds, c, o)
			}
			seen[h] = c
			out[c] = h
		}
		return out
	}
	a := mk("tumor", "control")
	b := mk("control", "tumor", "relapse")
	if a["tumor"] != b["tumor"] || a["control"] != b["control"] {
		t.Error("tumor/control colours depend on order or other conditions")
	}
	if a["tumor"] != string([]byte{0xD5, 0x5E, 0x00}) || a["control"] != string([]byte{0x00, 0x72, 0xB2}) {
		t.Errorf("tumor %x, control %x; want vermilion and blue", a["tumor"], a["control"])
	}
	c := mk("relapse", "remission")
	e := mk("remission", "control", "relapse", "tumor")
	if c["relapse"] != e["relapse"] || c["remission"] != e["remission"] {
		t.Error("other names' colours change with the study")
	}
	mk("a", "b", "c", "d", "e", "f", "g", "h") // eight: all distinct
}

// The dendrogram of four points in two tight pairs joins each pair low
// and the pairs high, with three segments a merge.
func TestDendrogram(t *testing.T) {
	vs := [][]float64{{1, 2, 3, 4}, {10, 0, 10, 0}, {1, 2, 3, 4.2}, {9, 0, 10, 1}}
	order, merges := averageLinkage(vs)
	if len(merges) != 3 {
		t.Fatalf("%d merges", len(merges))
	}
	pairs := map[[2]int]bool{{0, 2}: true, {1, 3}: true}
	for _, m := range merges[:2] {
		if !pairs[[2]int{min(m.a, m.b), max(m.a, m.b)}] {
			t.Errorf("first merges %+v, want the pairs (0,2) and (1,3)", merges)
		}
	}
	if !(merges[2].height > merges[1].height && merges[1].height >= merges[0].height) {
		t.Errorf("heights not increasing: %+v", merges)
	}
	// Reference: UPGMA between the pairs is the mean of the four cross
	// distances.
	var want float64
	for _, i := range []int{0, 2} {
		for _, j := range []int{1, 3} {
			want += correlationDistance(vs[i], vs[j]) / 4
		}
	}
	if math.Abs(merges[2].height-want) > 1e-12 {
		t.Errorf("top height %g, want %g", merges[2].height, want)
	}
	segs, maxH := dendroSegments(order, merges)
	if len(segs) != 9 || maxH != merges[2].height {
		t.Errorf("%d segments, max height %g", len(segs), maxH)
	}
	// Leaves sit at their rank, pairs adjacent.
	rank := map[int]int{}
	for r, l := range order {
		rank[l] = r
	}
	if d := rank[0] - rank[2]; d != 1 && d != -1 {
		t.Errorf("order %v splits the pair (0,2)", order)
	}
}
