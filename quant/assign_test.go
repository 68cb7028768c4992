package quant

import (
	"context"
	"testing"

	"github.com/exomir/exomir/seq"
)

// locusOf returns the locus of feature name on hairpin hp.
func locusOf(t *testing.T, r *Reference, name, hp string) (Locus, []byte) {
	t.Helper()
	fi, hi := r.FeatureIndex(name), r.HairpinIndex(hp)
	if fi < 0 || hi < 0 {
		t.Fatalf("%s or %s missing", name, hp)
	}
	for _, l := range r.Features[fi].Loci {
		if l.Hairpin == hi {
			return l, r.Hairpins[hi].Seq
		}
	}
	t.Fatalf("%s not on %s", name, hp)
	return Locus{}, nil
}

// mutate returns s with the base at 0-based i replaced by a different one.
func mutate(s string, i int) string {
	b := []byte(s)
	b[i] = map[byte]byte{'A': 'C', 'C': 'G', 'G': 'T', 'T': 'A'}[b[i]]
	return string(b)
}

// otherTail returns a tail base from A/T that differs from the hairpin base
// following end (so the tail is untemplated).
func otherTail(hp []byte, end int) string {
	if end < len(hp) && hp[end] == 'A' {
		return "T"
	}
	return "A"
}

// TestAssignRealHairpins builds reads by hand from real miRBase 21 human
// hairpins and checks the feature, kind and mirGFF3 variant that the full
// path (align + Assign) gives them.
func TestAssignRealHairpins(t *testing.T) {
	r := embeddedHsa(t)
	l21, hp21 := locusOf(t, r, "hsa-miR-21-5p", "hsa-mir-21")
	s, e := l21.Start, l21.End
	m21 := string(hp21[s:e])
	l19, _ := locusOf(t, r, "hsa-miR-19b-3p", "hsa-mir-19b-1")
	hp19 := r.Hairpins[l19.Hairpin].Seq
	m19 := string(hp19[l19.Start:l19.End])
	f519 := r.Features[r.FeatureIndex("hsa-miR-519a-5p")]

	type want struct {
		kind     Kind
		feature  string // "" for none
		variant  string
		hairpins int // distinct hairpins
	}
	cases := []struct {
		name string
		read string
		want want
	}{
		{"exact 21-5p", m21, want{Mirna, "hsa-miR-21-5p", "NA", 1}},
		{"5p -1 (one upstream)", string(hp21[s-1 : e]), want{Mirna, "hsa-miR-21-5p", "iso_5p:-1", 1}},
		{"5p +2 (starts 2 later)", string(hp21[s+2 : e]), want{Mirna, "hsa-miR-21-5p", "iso_5p:+2", 1}},
		{"3p +2", string(hp21[s : e+2]), want{Mirna, "hsa-miR-21-5p", "iso_3p:+2", 1}},
		{"3p -3", string(hp21[s : e-3]), want{Mirna, "hsa-miR-21-5p", "iso_3p:-3", 1}},
		{"5p -1 and 3p +1", string(hp21[s-1 : e+1]), want{Mirna, "hsa-miR-21-5p", "iso_5p:-1,iso_3p:+1", 1}},
		{"add3p 1", m21 + otherTail(hp21, e), want{Mirna, "hsa-miR-21-5p", "iso_add3p:1", 1}},
		{"3p -2 then add3p 1", m21[:len(m21)-2] + otherTail(hp21, e-2), want{Mirna, "hsa-miR-21-5p", "iso_3p:-2,iso_add3p:1", 1}},
		{"snv seed (pos 4)", mutate(m21, 3), want{Mirna, "hsa-miR-21-5p", "iso_snv_seed", 1}},
		{"snv central offset (pos 8)", mutate(m21, 7), want{Mirna, "hsa-miR-21-5p", "iso_snv_central_offset", 1}},
		{"snv central (pos 10)", mutate(m21, 9), want{Mirna, "hsa-miR-21-5p", "iso_snv_central", 1}},
		{"snv central supp (pos 15)", mutate(m21, 14), want{Mirna, "hsa-miR-21-5p", "iso_snv_central_supp", 1}},
		{"snv elsewhere (pos 20)", mutate(m21, 19), want{Mirna, "hsa-miR-21-5p", "iso_snv", 1}},
		{"mature on two hairpins", m19, want{Mirna, "hsa-miR-19b-3p", "NA", 2}},
		{"identical matures", string(f519.Seq), want{Mirna, f519.Name, "NA", len(f519.Loci)}},
		{"loop of mir-21 (hairpin only)", string(hp21[e+3 : e+23]), want{HairpinOnly, "", "", 1}},
		{"random (unmapped)", "ACGTTGCAACGTTGCAACGTTG", want{Unmapped, "", "", 0}},
	}
	ins := make([]seq.Insert, len(cases))
	for i, c := range cases {
		ins[i] = seq.Insert{Seq: c.read, Reads: int64(i + 1), Molecules: int64(i + 1)}
	}
	// Check the windows of the loop case: it must not fall near the 3p arm.
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ix, err := r.Index()
			if err != nil {
				t.Fatal(err)
			}
			hits := ix.Align([]byte(c.read), nil)
			var hp []Hit
			for _, h := range hits {
				if !h.Reverse && int(h.Ref) < len(r.Hairpins) {
					hp = append(hp, Hit{Hairpin: h.Ref, Pos: h.Pos, Len: h.Len, Tail: h.Tail})
				}
			}
			a := NewAssigner(r, AssignerOptions{}).Assign([]byte(c.read), hp, nil)
			if a.Kind != c.want.kind {
				t.Fatalf("kind = %d, want %d (hits %+v)", a.Kind, c.want.kind, hits)
			}
			if got := len(a.HairpinSet()); got != c.want.hairpins {
				t.Errorf("hairpins = %d, want %d", got, c.want.hairpins)
			}
			if c.want.kind != Mirna {
				return
			}
			fs := a.Features()
			if len(fs) != 1 || r.Features[fs[0]].Name != c.want.feature {
				var names []string
				for _, f := range fs {
					names = append(names, r.Features[f].Name)
				}
				t.Fatalf("features = %v, want %s", names, c.want.feature)
			}
			for _, p := range a.Placements {
				if got := p.Variant.String(); got != c.want.variant {
					t.Errorf("variant on %s = %s, want %s", r.Hairpins[p.Hairpin].Name, got, c.want.variant)
				}
			}
		})
	}
	// The same inserts through Quantify: counts land where the cases say.
	smp, err := Quantify(context.Background(), r, "s", ins, nil, Options{})
	if err != nil {
		t.Fatal(err)
	}
	wantCount := map[string]int64{}
	for i, c := range cases {
		if c.want.kind == Mirna {
			wantCount[c.want.feature] += int64(i + 1)
		}
	}
	for fi, f := range r.Features {
		if smp.Mature[fi] != wantCount[f.Name] {
			t.Errorf("count %s = %d, want %d", f.Name, smp.Mature[fi], wantCount[f.Name])
		}
	}
}

func TestAssignOtherClasses(t *testing.T) {
	r := embeddedHsa(t)
	_, hp21 := locusOf(t, r, "hsa-miR-21-5p", "hsa-mir-21")
	trna := "GCATTGGTGGTTCAGTGGTAGAATTCTCGCCTGCCACGCGGGAGGCCCGGGTTCGATTCCCGGCCAATGCACCA"
	rrna := "TACCTGGTTGATCCTGCCAGTAGCATATGCTTGTCTCAAAGATTAAGCCATGCATGTCTAAGTACGCACGGCCG"
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(r.AddOther("tRNA", []seq.FastaRecord{{Name: "tRNA-Gly", Seq: []byte(trna)}}))
	// An rRNA set that also contains the tRNA and the mir-21 hairpin: a tie
	// between classes goes to the first class, a tie with a hairpin to miRNA.
	// A third class holds mir-21 with one substitution inside miR-21-5p: a
	// read exact on it but one mismatch from the hairpin is still miRNA.
	l21, _ := locusOf(t, r, "hsa-miR-21-5p", "hsa-mir-21")
	mut := []byte(mutate(string(hp21), l21.Start+10))
	must(r.AddOther("rRNA", []seq.FastaRecord{{Name: "18S", Seq: []byte(rrna)}, {Name: "copy", Seq: []byte(trna)}, {Name: "mir21copy", Seq: hp21}}))
	must(r.AddOther("Y_RNA", []seq.FastaRecord{{Name: "mir21mut", Seq: mut}}))
	ins := []seq.Insert{
		{Seq: trna[10:32], Reads: 7},
		{Seq: rrna[5:30], Reads: 5},
		{Seq: string(hp21[l21.Start:l21.End]), Reads: 8},
		{Seq: string(mut[l21.Start:l21.End]), Reads: 3},
		{Seq: "ACGTTGCAACGTTGCAACGTTG", Reads: 2},
	}
	base := []Stat{{"input_reads", "40"}, {"reads_too_short", "15"}, {"reads_passed", "25"}}
	smp, err := Quantify(context.Background(), r, "s", ins, base, Options{Threads: 3})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ stat, want string }{
		{"class_tRNA", "7"}, {"class_rRNA", "5"}, {"class_Y_RNA", "0"}, {"reads_other_rna", "12"},
		{"reads_mirna", "11"}, {"reads_unmapped", "2"}, {"reads_hairpin_only", "0"},
	} {
		if got, _ := smp.Stat(c.stat); got != c.want {
			t.Errorf("%s = %q, want %s", c.stat, got, c.want)
		}
	}
	checkAccounting(t, smp)
}

// TestInsertAlignerPasses: a read two substitutions away from miR-21-5p is
// placed on mir-21 by the third pass, unless an other-class sequence
// matches it with at most one mismatch (second pass).
func TestInsertAlignerPasses(t *testing.T) {
	for _, withOther := range []bool{false, true} {
		r := embeddedHsa(t)
		l, hp := locusOf(t, r, "hsa-miR-21-5p", "hsa-mir-21")
		read := mutate(mutate(string(hp[l.Start:l.End]), 4), 15)
		if withOther {
			if err := r.AddOther("tRNA", []seq.FastaRecord{{Name: "t", Seq: []byte("GGCC" + read + "GGCC")}}); err != nil {
				t.Fatal(err)
			}
		}
		al, err := r.NewInsertAligner()
		if err != nil {
			t.Fatal(err)
		}
		hits, classes := al.Align([]byte(read))
		a := NewAssigner(r, AssignerOptions{}).Assign([]byte(read), hits, classes)
		switch {
		case withOther && a.Kind != OtherRNA:
			t.Errorf("with an exact other-class match: kind %d, want OtherRNA", a.Kind)
		case !withOther && (a.Kind != Mirna || r.Features[a.Placements[0].Feature].Name != "hsa-miR-21-5p"):
			t.Errorf("kind %d placements %+v, want hsa-miR-21-5p", a.Kind, a.Placements)
		case !withOther && a.Placements[0].Variant.String() != "iso_snv_seed,iso_snv_central_supp":
			t.Errorf("variant %s", a.Placements[0].Variant)
		}
	}
}

// TestAssignerOptionsWindows checks that the zero AssignerOptions gives the
// default windows and that an explicit 0 window means exact ends.
func TestAssignerOptionsWindows(t *testing.T) {
	r := embeddedHsa(t)
	l21, hp21 := locusOf(t, r, "hsa-miR-21-5p", "hsa-mir-21")
	read := hp21[l21.Start+2 : l21.End]
	hits := []Hit{{Hairpin: int32(l21.Hairpin), Pos: int32(l21.Start + 2), Len: int32(len(read))}}
	if a := NewAssigner(r, AssignerOptions{}).Assign(read, hits, nil); a.Kind != Mirna {
		t.Fatalf("default windows: kind = %d, want Mirna", a.Kind)
	}
	zero := 0
	if a := NewAssigner(r, AssignerOptions{Window5: &zero}).Assign(read, hits, nil); a.Kind != HairpinOnly {
		t.Fatalf("Window5 = 0: kind = %d, want HairpinOnly", a.Kind)
	}
}
