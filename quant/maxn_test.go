package quant

import (
	"context"
	"strings"
	"testing"

	"github.com/exomir/exomir/align"
	"github.com/exomir/exomir/seq"
)

// TestNInReadCountedOnItsMirna: miR-21-5p reads with an N at each position
// pass seq's default filter (one N), align with the N as a mismatch and are
// all counted on hsa-miR-21-5p; a read with two Ns is reads_too_many_n.
func TestNInReadCountedOnItsMirna(t *testing.T) {
	r := embeddedHsa(t)
	l, hp := locusOf(t, r, "hsa-miR-21-5p", "hsa-mir-21")
	mir := string(hp[l.Start:l.End])
	var b strings.Builder
	add := func(ins string) {
		s := ins + seq.AdapterTruSeq
		b.WriteString("@r\n" + s + "\n+\n" + strings.Repeat("I", len(s)) + "\n")
	}
	for p := range len(mir) {
		add(mir[:p] + "N" + mir[p+1:])
	}
	add(mir[:3] + "N" + mir[4:10] + "N" + mir[11:])
	ctx := context.Background()
	res, err := seq.Collapse(ctx, strings.NewReader(b.String()), "n.fq", seq.Options{Protocol: "truseq"})
	if err != nil {
		t.Fatal(err)
	}
	if got := res.Summary.Count(seq.CatTooManyN); got != 1 {
		t.Errorf("reads_too_many_n %d, want 1", got)
	}
	ix, err := align.NewIndex([]align.Ref{{Name: "hsa-mir-21", Seq: hp}}, align.DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	al, err := r.NewInsertAligner()
	if err != nil {
		t.Fatal(err)
	}
	for _, in := range res.Inserts {
		p := strings.IndexByte(in.Seq, 'N')
		found := false
		for _, h := range ix.Align([]byte(in.Seq), nil) {
			if h.Mismatches == 1 && int(h.MM[0]) == p && !h.Reverse && int(h.Pos) == l.Start {
				found = true
			}
		}
		if !found {
			t.Errorf("%s: no hit on hsa-mir-21 with the N (position %d) as its one mismatch", in.Seq, p)
		}
		hits, _ := al.Align([]byte(in.Seq))
		if len(hits) == 0 || r.Hairpins[hits[0].Hairpin].Name != "hsa-mir-21" || int(hits[0].Pos) != l.Start {
			t.Errorf("%s: insert aligner hits %+v", in.Seq, hits)
		}
	}
	base, err := StatsFromSeq(&res.Summary)
	if err != nil {
		t.Fatal(err)
	}
	s, err := Quantify(ctx, r, "n", res.Inserts, base, Options{})
	if err != nil {
		t.Fatal(err)
	}
	fi := r.FeatureIndex("hsa-miR-21-5p")
	if s.Mature[fi] != int64(len(mir)) {
		t.Errorf("hsa-miR-21-5p counted %d, want %d", s.Mature[fi], len(mir))
	}
	if v, _ := s.Stat("reads_mirna"); v != "22" {
		t.Errorf("reads_mirna %s, want 22", v)
	}
	for _, k := range []string{"clip5", "clip3", "layout_source"} {
		if _, ok := s.Stat(k); !ok {
			t.Errorf("summary row %s missing", k)
		}
	}
}
