package quant

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/exomir/exomir/align"
	"github.com/exomir/exomir/seq"
)

func embeddedHsa(t testing.TB) *Reference {
	t.Helper()
	r, err := Embedded("hsa")
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestEmbeddedReference(t *testing.T) {
	r := embeddedHsa(t)
	// miRBase 21 human: 1,881 hairpins, 2,588 mature records
	// (grep -c '>' on the shared FASTA files).
	if len(r.Hairpins) != 1881 {
		t.Errorf("hairpins = %d, want 1881", len(r.Hairpins))
	}
	names := 0
	for _, f := range r.Features {
		names += len(f.Names)
		if len(f.Loci) == 0 {
			t.Errorf("feature %s has no locus", f.Name)
		}
	}
	if names != 2588 {
		t.Errorf("mature names = %d, want 2588", names)
	}
	for _, tc := range []struct {
		name     string
		hairpins []string
	}{
		{"hsa-miR-19b-3p", []string{"hsa-mir-19b-1", "hsa-mir-19b-2"}},
		{"hsa-miR-21-5p", []string{"hsa-mir-21"}},
	} {
		fi := r.FeatureIndex(tc.name)
		if fi < 0 {
			t.Fatalf("%s not found", tc.name)
		}
		var got []string
		for _, l := range r.Features[fi].Loci {
			got = append(got, r.Hairpins[l.Hairpin].Name)
		}
		if strings.Join(got, ",") != strings.Join(tc.hairpins, ",") {
			t.Errorf("%s on %v, want %v", tc.name, got, tc.hairpins)
		}
	}
	// hsa-miR-519a-5p shares its sequence with 519b-5p, 519c-5p, 522-5p,
	// 523-5p and 518e-5p (miRBase 21 mature.fa): one feature.
	f := r.Features[r.FeatureIndex("hsa-miR-519a-5p")]
	if len(f.Names) < 2 || r.FeatureIndex("hsa-miR-522-5p") != r.FeatureIndex("hsa-miR-519a-5p") {
		t.Errorf("519a-5p feature = %q", f.Name)
	}
	t.Logf("%d features, 519a-5p feature %q on %d loci", len(r.Features), f.Name, len(f.Loci))
}

func TestReferenceErrors(t *testing.T) {
	hp := []seq.FastaRecord{{Name: "hsa-mir-x", Desc: "MI1", Seq: []byte("AAAACCCCGGGGTTTTACGTACGTAAAAGGG")}}
	mat := []seq.FastaRecord{{Name: "hsa-miR-x", Desc: "MIMAT1", Seq: []byte("CCCCGGGGTTTTACGT")}}
	bad := []seq.FastaRecord{{Name: "hsa-miR-y", Desc: "MIMAT2", Seq: []byte("GGGGGGGGGGGGGGGG")}}
	for _, tc := range []struct {
		name    string
		mat, hp []seq.FastaRecord
		o       RefOptions
		want    error
		mention string
	}{
		{"ok", mat, hp, RefOptions{Species: "hsa"}, nil, ""},
		{"unknown species", mat, hp, RefOptions{Species: "mmu"}, ErrUnknownSpecies, "hsa"},
		{"empty", nil, nil, RefOptions{}, ErrEmptyReference, ""},
		{"no hairpins", mat, nil, RefOptions{}, ErrEmptyReference, ""},
		{"unplaced", append(mat, bad...), hp, RefOptions{}, ErrUnplacedMature, "hsa-miR-y"},
		{"unplaced skipped", append(mat, bad...), hp, RefOptions{SkipUnplaced: true}, nil, ""},
		{"all unplaced skipped", bad, hp, RefOptions{SkipUnplaced: true}, ErrEmptyReference, ""},
		// One name, two sequences: an error naming both records (once
		// merged silently); the same record twice stays harmless.
		{"mature name twice", append(append([]seq.FastaRecord{}, mat...), seq.FastaRecord{Name: "hsa-miR-x", Desc: "MIMAT9", Seq: []byte("GGGGTTTTACGTACGT")}),
			hp, RefOptions{}, ErrDuplicateName, "hsa-miR-x is record 1 (CCCCGGGGTTTTACGT) and record 2 (GGGGTTTTACGTACGT)"},
		{"same record twice", append(append([]seq.FastaRecord{}, mat...), mat...), hp, RefOptions{}, nil, ""},
		{"hairpin name twice", mat, append(append([]seq.FastaRecord{}, hp...), hp...), RefOptions{}, ErrDuplicateName, "hsa-mir-x is record 1 and record 2"},
		{"nameless mature", append(append([]seq.FastaRecord{}, mat...), seq.FastaRecord{Seq: []byte("GGGGTTTTACGTACGT")}), hp, RefOptions{}, ErrNoName, "record 2"},
		{"nameless hairpin", mat, append([]seq.FastaRecord{{Seq: []byte("ACGT")}}, hp...), RefOptions{Species: "hsa"}, ErrNoName, "record 1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := NewReference(tc.mat, tc.hp, tc.o)
			if !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
			if err != nil && !strings.Contains(err.Error(), tc.mention) {
				t.Errorf("error %q does not mention %q", err, tc.mention)
			}
		})
	}
	if _, err := Embedded("xyz"); !errors.Is(err, ErrUnknownSpecies) {
		t.Errorf("Embedded(xyz) err = %v", err)
	}
}

func BenchmarkEmbedded(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		r, err := Embedded("hsa")
		if err != nil {
			b.Fatal(err)
		}
		if _, err := r.Index(); err != nil {
			b.Fatal(err)
		}
	}
}

// TestPlaceBruteForce checks the bucketed placement against a direct
// search on random hairpins (with N bases) and matures cut from them.
func TestPlaceBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	const letters = "ACGTACGTACGTACGTN"
	for trial := 0; trial < 30; trial++ {
		var hp, mat []seq.FastaRecord
		for i := 0; i < 20; i++ {
			b := make([]byte, 30+rng.IntN(60))
			for j := range b {
				b[j] = letters[rng.IntN(len(letters))]
			}
			if i%4 == 1 { // shared stretches give multi-hairpin matures
				copy(b[5:], hp[i-1].Seq[3:25])
			}
			hp = append(hp, seq.FastaRecord{Name: fmt.Sprintf("xx-mir-%d", i), Seq: b})
		}
		for i := 0; i < 30; i++ {
			h := hp[rng.IntN(len(hp))].Seq
			l := 8 + rng.IntN(16)
			p := rng.IntN(len(h) - l)
			mat = append(mat, seq.FastaRecord{Name: fmt.Sprintf("xx-miR-%d", i), Seq: append([]byte(nil), h[p:p+l]...)})
		}
		r, err := NewReference(mat, hp, RefOptions{})
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range r.Features {
			var want []Locus
			for hi, h := range r.Hairpins {
				for p := 0; p+len(f.Seq) <= len(h.Seq); p++ {
					if string(h.Seq[p:p+len(f.Seq)]) == string(f.Seq) {
						want = append(want, Locus{Feature: r.FeatureIndex(f.Name), Hairpin: hi, Start: p, End: p + len(f.Seq)})
					}
				}
			}
			if fmt.Sprint(want) != fmt.Sprint(f.Loci) {
				t.Fatalf("%s (%s): loci %v, want %v", f.Name, f.Seq, f.Loci, want)
			}
		}
	}
}

// TestReferenceLettersAsAligner checks, for every byte, that NewReference
// and AddOther accept a sequence containing it exactly when align.NewIndex
// does, and that a rejected one is named with its record (fuzz finding:
// AddOther kept "XA" and quantification failed later on an unnamed index).
func TestReferenceLettersAsAligner(t *testing.T) {
	for c := 0; c < 256; c++ {
		s := []byte("ACGTACGTAC" + string(rune(0)) + "GTACGTACGT")
		s[10] = byte(c)
		_, ixErr := align.NewIndex([]align.Ref{{Name: "x", Seq: s}}, AlignOptions())
		ok := ixErr == nil
		_, err := NewReference([]seq.FastaRecord{{Name: "m", Seq: []byte("ACGTACGT")}},
			[]seq.FastaRecord{{Name: "h0", Seq: []byte("ACGTACGTAAA")}, {Name: "h", Seq: s}}, RefOptions{})
		if (err == nil) != ok || (!ok && (!errors.Is(err, align.ErrBadBase) || !strings.Contains(err.Error(), "hairpin h (record 2)"))) {
			t.Errorf("hairpin with %q: NewReference %v, align %v", byte(c), err, ixErr)
		}
		ref, _ := bamToyRef(t)
		err = ref.AddOther("tRNA", []seq.FastaRecord{{Name: "t0", Seq: []byte("ACGT")}, {Name: "t", Seq: s}})
		if (err == nil) != ok || (!ok && (!errors.Is(err, align.ErrBadBase) || !strings.Contains(err.Error(), "t (record 2)"))) {
			t.Errorf("other with %q: AddOther %v, align %v", byte(c), err, ixErr)
		}
		if err == nil {
			if _, err := ref.NewInsertAligner(); err != nil {
				t.Errorf("other with %q: aligner %v", byte(c), err)
			}
		}
	}
	// A hairpin without sequence (fuzz finding: ">0" then ">") was kept
	// and failed the index at the first count.
	_, err := NewReference([]seq.FastaRecord{{Name: "m", Seq: []byte("ACGT")}},
		[]seq.FastaRecord{{Name: "h0", Seq: []byte("ACGTAA")}, {Name: "h", Seq: nil}}, RefOptions{})
	if !errors.Is(err, align.ErrEmptyRef) || !strings.Contains(err.Error(), "hairpin h (record 2)") {
		t.Errorf("empty hairpin: %v", err)
	}
}

// TestLoadReferenceErrorPositions: errors about a record of a reference
// file give the file, the record's header line and its number.
func TestLoadReferenceErrorPositions(t *testing.T) {
	dir := t.TempDir()
	hp := ">hsa-mir-a MI1\nCCCCGGGGTTTTACGTACGTAAAA\n\n>hsa-mir-b MI2\nGGGGTTTT\nACGTACGTCCCC\n"
	cases := []struct {
		name, mature, hairpin string
		want                  error
		file                  string
		line, record          int64
	}{
		{"mature name twice", ">hsa-miR-x\nCCCCGGGGTTTT\n>hsa-miR-y\nACGTACGTAAAA\n>hsa-miR-x\nGGGGTTTTACGT\n", hp, ErrDuplicateName, "mature.fa", 5, 3},
		{"hairpin name twice", ">hsa-miR-x\nCCCCGGGGTTTT\n", hp + ">hsa-mir-a MI3\nACGT\n", ErrDuplicateName, "hairpin.fa", 7, 3},
		{"unplaced mature", ">hsa-miR-x\nCCCCGGGGTTTT\n\n\n>hsa-miR-z\nAAAAAAAAAAAAAAAA\n", hp, ErrUnplacedMature, "mature.fa", 5, 2},
	}
	for _, c := range cases {
		m, h := filepath.Join(dir, "mature.fa"), filepath.Join(dir, "hairpin.fa")
		if err := os.WriteFile(m, []byte(c.mature), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(h, []byte(c.hairpin), 0o644); err != nil {
			t.Fatal(err)
		}
		_, err := LoadReference(context.Background(), m, h, RefOptions{Species: "hsa"})
		var pe *seq.ParseError
		if !errors.Is(err, c.want) || !errors.As(err, &pe) || filepath.Base(pe.File) != c.file || pe.Line != c.line || pe.Record != c.record {
			t.Errorf("%s: %v; want %v at %s:%d record %d", c.name, err, c.want, c.file, c.line, c.record)
		}
	}
}
