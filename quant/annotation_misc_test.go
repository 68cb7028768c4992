package quant

import (
	"bytes"
	"strings"
	"testing"

	"github.com/exomir/exomir/seq"
)

// TestMiscClassesHandBuilt places hand-built reads of the Y RNA, vault RNA
// and 7SL records of the embedded annotation (exact, with one and two
// substitutions, with an N and with an untemplated 3' A) and checks the
// class rows, the per-feature rows and the accounting.
func TestMiscClassesHandBuilt(t *testing.T) {
	r := annotatedHsa(t)
	frag := func(name string, at, n int) string {
		s := otherSeq(t, r, name).Seq
		if at < 0 {
			at = len(s) + at
		}
		return string(s[at : at+n])
	}
	withN := func(s string, at int) string { return s[:at] + "N" + s[at+1:] }
	s := quantifyInserts(t, r,
		// YRNA: RNY4 5' fragment (the most abundant Y RNA fragment of
		// plasma), RNY1 3' fragment with its U tract and an untemplated A,
		// RNY3 with two substitutions.
		seq.Insert{Seq: frag("RNY4", 0, 31), Reads: 7, Molecules: 7},
		seq.Insert{Seq: frag("RNY1", -26, 26) + "A", Reads: 2, Molecules: 2},
		seq.Insert{Seq: sub2(frag("RNY3", 30, 28), 5, 19), Reads: 1, Molecules: 1},
		// vaultRNA: VTRNA1-1 central loop, VTRNA2-1 3' fragment with an N,
		// VTRNA1-3 middle with one substitution.
		seq.Insert{Seq: frag("VTRNA1-1", 30, 24), Reads: 4, Molecules: 4},
		seq.Insert{Seq: withN(frag("VTRNA2-1", -26, 23), 10), Reads: 3, Molecules: 3},
		seq.Insert{Seq: sub2(frag("VTRNA1-3", 25, 24), 12), Reads: 1, Molecules: 1},
		// SRP_RNA: 7SL S-domain fragment (RN7SL1-3 alike) and RN7SL1 5'
		// end with two substitutions.
		seq.Insert{Seq: frag("RN7SL1", 130, 25), Reads: 5, Molecules: 5},
		seq.Insert{Seq: sub2(frag("RN7SL1", 0, 30), 8, 22), Reads: 2, Molecules: 2},
		// miR-21-5p and a read from nowhere.
		seq.Insert{Seq: "TAGCTTATCAGACTGATGTTGA", Reads: 6, Molecules: 6},
		seq.Insert{Seq: "ACGTTTTTTTTTTTTTTTGGGCCCAAA", Reads: 2, Molecules: 2})
	for _, tc := range []struct {
		row  string
		want int64
	}{{"class_YRNA", 10}, {"class_vaultRNA", 8}, {"class_SRP_RNA", 7}, {"reads_other_rna", 25}, {"reads_mirna", 6},
		{"reads_unmapped", 2}, {"class_tRNA", 0}, {"class_rRNA", 0}, {"class_snRNA", 0}, {"class_snoRNA", 0}} {
		if got := statInt(t, s, tc.row); got != tc.want {
			t.Errorf("%s %d, want %d", tc.row, got, tc.want)
		}
	}
	var b bytes.Buffer
	if err := WriteSmallRNACounts(&b, []*Sample{s}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"RNY4\tYRNA\t7", "RNY1\tYRNA\t2", "RNY3\tYRNA\t1", "VTRNA1-1\tvaultRNA\t4", "VTRNA2-1\tvaultRNA\t3", "VTRNA1-3\tvaultRNA\t1", "RN7SL1\tSRP_RNA\t"} {
		if !strings.Contains(b.String(), "\n"+want) {
			t.Errorf("smallrna_counts.tsv lacks %q:\n%s", want, grepClass(b.String(), "vaultRNA"))
		}
	}
}

// TestAnnotationClassOrder: the new classes come after the four first, in
// the stated order, and every record of them is in the reference.
func TestAnnotationClassOrder(t *testing.T) {
	want := []string{"tRNA", "rRNA", "snRNA", "snoRNA", "YRNA", "vaultRNA", "SRP_RNA"}
	if strings.Join(AnnotationClasses, ",") != strings.Join(want, ",") {
		t.Fatalf("AnnotationClasses %v, want %v", AnnotationClasses, want)
	}
	r := annotatedHsa(t)
	if strings.Join(r.Classes, ",") != strings.Join(want, ",") {
		t.Errorf("reference classes %v, want %v", r.Classes, want)
	}
	for class, names := range map[string][]string{
		"YRNA":     {"RNY1", "RNY3", "RNY4"},
		"vaultRNA": {"VTRNA1-1", "VTRNA1-2", "VTRNA1-3", "VTRNA2-1"},
		"SRP_RNA":  {"RN7SL1", "RN7SL2", "RN7SL3"},
	} {
		recs, err := AnnotationRecords(class)
		if err != nil {
			t.Fatal(err)
		}
		if len(recs) != len(names) {
			t.Errorf("%s: %d records, want %d", class, len(recs), len(names))
		}
		for i, n := range names {
			if i < len(recs) && recs[i].Name != n {
				t.Errorf("%s record %d: %s, want %s", class, i+1, recs[i].Name, n)
			}
		}
		if sum, err := AnnotationSHA256(class); err != nil || len(sum) != 64 {
			t.Errorf("%s: SHA-256 %q, %v", class, sum, err)
		}
	}
}

// TestMiRNAWinsOverYRNA: a read on a hairpin that also lies in a real Y
// RNA is miRNA (as miR-1975, a Y RNA fragment, was in miRBase before
// release 21); the rest of the Y RNA stays YRNA. Likewise a real 7SL read
// that the embedded hsa-mir-1303 hairpin holds goes to the hairpin.
func TestMiRNAWinsOverYRNA(t *testing.T) {
	y, err := AnnotationRecords("YRNA")
	if err != nil {
		t.Fatal(err)
	}
	rny1 := string(y[0].Seq)
	mature := []seq.FastaRecord{{Name: "hsa-miR-toyY-5p", Seq: []byte(rny1[:22])}}
	hairpin := []seq.FastaRecord{{Name: "hsa-mir-toyY", Seq: []byte(rny1[:40] + "TTTGAAGCCACAGATGGGTCGTTAGCA")}}
	r, err := NewReference(mature, hairpin, RefOptions{Species: "hsa"})
	if err != nil {
		t.Fatal(err)
	}
	if err := r.AddAnnotation("hsa"); err != nil {
		t.Fatal(err)
	}
	s := quantifyInserts(t, r,
		seq.Insert{Seq: rny1[:22], Reads: 5, Molecules: 5},
		seq.Insert{Seq: sub2(rny1[:22], 9), Reads: 2, Molecules: 2},
		seq.Insert{Seq: rny1[50:76], Reads: 3, Molecules: 3})
	if got := statInt(t, s, "reads_mirna"); got != 7 {
		t.Errorf("reads_mirna %d, want 7", got)
	}
	if got := statInt(t, s, "class_YRNA"); got != 3 {
		t.Errorf("class_YRNA %d, want 3", got)
	}

	r = annotatedHsa(t)
	sl := string(otherSeq(t, r, "RN7SL1").Seq)
	onMir := sl[271:291] // 20 nt shared with hsa-mir-1303 (miRBase 21)
	if !bytes.Contains(hairpinSeq(t, r, "hsa-mir-1303"), []byte(onMir)) {
		t.Fatalf("%s not in hsa-mir-1303", onMir)
	}
	s = quantifyInserts(t, r, seq.Insert{Seq: onMir, Reads: 4, Molecules: 4}, seq.Insert{Seq: sl[130:155], Reads: 1, Molecules: 1})
	if got := statInt(t, s, "reads_mirna") + statInt(t, s, "reads_hairpin_only"); got != 4 {
		t.Errorf("reads on hairpins %d, want 4", got)
	}
	if got := statInt(t, s, "class_SRP_RNA"); got != 1 {
		t.Errorf("class_SRP_RNA %d, want 1", got)
	}
}

func hairpinSeq(t *testing.T, r *Reference, name string) []byte {
	t.Helper()
	for _, h := range r.Hairpins {
		if h.Name == name {
			return h.Seq
		}
	}
	t.Fatalf("no hairpin %s", name)
	return nil
}

// TestNoHairpinInYRNAOrVault backs the statement in SOURCES.md and the
// README: no hairpin of the embedded miRBase 21 or 22 shares 18 nt with
// the embedded Y RNA or vault RNA records (hsa-mir-1975, from Y RNA, and
// hsa-mir-886, which is vtRNA2-1, left miRBase before release 21), so
// their reads are never miRNA unless the user's hairpins hold them.
func TestNoHairpinInYRNAOrVault(t *testing.T) {
	kmers := map[string]string{}
	for _, class := range []string{"YRNA", "vaultRNA"} {
		recs, err := AnnotationRecords(class)
		if err != nil {
			t.Fatal(err)
		}
		for _, rec := range recs {
			for i := 0; i+18 <= len(rec.Seq); i++ {
				kmers[string(rec.Seq[i:i+18])] = rec.Name
			}
		}
	}
	for _, rel := range []string{"21", "22"} {
		r, err := EmbeddedRelease("hsa", rel)
		if err != nil {
			t.Fatal(err)
		}
		for _, h := range r.Hairpins {
			for i := 0; i+18 <= len(h.Seq); i++ {
				if n, ok := kmers[string(h.Seq[i:i+18])]; ok {
					t.Errorf("miRBase %s %s shares %s with %s", rel, h.Name, h.Seq[i:i+18], n)
					break
				}
			}
		}
	}
}

func grepClass(tsv, class string) string {
	var out []string
	for _, l := range strings.Split(tsv, "\n") {
		if strings.Contains(l, "\t"+class+"\t") {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// TestYRNATakesTwoMismatchHairpinReads: the RNY3 5' end is two mismatches
// from hsa-miR-3135b. Without the annotation the 2-mismatch pass puts the
// read on that miRNA; with it the read is YRNA (exact) — the stated order:
// hairpins with <= 1 mismatch, then classes, then hairpins with 2.
func TestYRNATakesTwoMismatchHairpinReads(t *testing.T) {
	r := annotatedHsa(t)
	read := string(otherSeq(t, r, "RNY3").Seq[:22])
	s := quantifyInserts(t, r, seq.Insert{Seq: read, Reads: 5, Molecules: 5})
	if got := statInt(t, s, "class_YRNA"); got != 5 {
		t.Errorf("with the annotation: class_YRNA %d, want 5", got)
	}
	bare, err := Embedded("hsa")
	if err != nil {
		t.Fatal(err)
	}
	s = quantifyInserts(t, bare, seq.Insert{Seq: read, Reads: 5, Molecules: 5})
	if got := s.Mature[bare.FeatureIndex("hsa-miR-3135b")]; got != 5 {
		t.Errorf("without the annotation: hsa-miR-3135b %d, want 5", got)
	}
}

// TestMethodsClassOrder: WriteMethods states the class order once per
// class (a user file adding to a built-in class keeps its place) and
// lists every class file with its checksum.
func TestMethodsClassOrder(t *testing.T) {
	m := &Methods{Tool: "exomir", Version: "test", Command: "exomir run"}
	m.References = []RefFile{{Role: "miRBase mature, hsa", Name: "embedded:hsa_mature_v21.fa.gz", Version: "miRBase 21", SHA256: "aa"}}
	for _, c := range AnnotationClasses {
		sum, err := AnnotationSHA256(c)
		if err != nil {
			t.Fatal(err)
		}
		m.References = append(m.References, RefFile{Role: "small-RNA class " + c, Name: "embedded:" + AnnotationFile(c), Version: "built-in", SHA256: sum, Class: c})
	}
	m.References = append(m.References, RefFile{Role: "other class YRNA", Name: "rny5.fa", Version: "user file", SHA256: "bb", Class: "YRNA"},
		RefFile{Role: "other class piRNA", Name: "pirna.fa", Version: "user file", SHA256: "cc", Class: "piRNA"})
	var b bytes.Buffer
	if err := WriteMethods(&b, m); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	if want := "small-RNA classes tRNA, rRNA, snRNA, snoRNA, YRNA, vaultRNA, SRP_RNA, piRNA, in this order"; !strings.Contains(out, want) {
		t.Errorf("methods.md lacks %q:\n%s", want, out)
	}
	if want := "aligned exhaustively to miRBase 21 (miRBase mature, hsa). "; !strings.Contains(out, want) {
		t.Errorf("methods.md lacks %q", want)
	}
	for _, want := range []string{"`rny5.fa` | user file | `bb`", "`pirna.fa` | user file | `cc`", "`embedded:annotation/vaultRNA.fa.gz`"} {
		if !strings.Contains(out, want) {
			t.Errorf("methods.md table lacks %q", want)
		}
	}
}
