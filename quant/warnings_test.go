package quant

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/exomir/exomir/seq"
)

// summary builds a seq.Summary of n reads: the named categories get their
// counts, reads_passed the rest, and the insert lengths of the passed
// reads all sit at mode.
func summary(n int64, cats map[string]int64, mode int) *seq.Summary {
	s := &seq.Summary{InputReads: n, Adapter: seq.AdapterTruSeq, AdapterSource: "preset", AdapterConfidence: 1, Protocol: "truseq"}
	rest := n
	for _, name := range seq.CategoryNames() {
		if name == seq.CatPassed {
			continue
		}
		s.Categories = append(s.Categories, seq.Category{Name: name, Reads: cats[name]})
		rest -= cats[name]
	}
	s.Categories = append(s.Categories, seq.Category{Name: seq.CatPassed, Reads: rest})
	s.LengthsInsert = make([]int64, mode+1)
	s.LengthsInsert[mode] = rest
	return s
}

// counted is a Sample whose passed reads split as given.
func counted(mirna, hp, other, unmapped int64) *Sample {
	return &Sample{Name: "s", Stats: []Stat{
		{"reads_mirna", itoa(mirna)}, {"reads_hairpin_only", itoa(hp)},
		{"reads_other_rna", itoa(other)}, {"reads_unmapped", itoa(unmapped)},
	}}
}

func codes(ws []Warning) string { return WarningCodes(ws) }

func TestCheckSample(t *testing.T) {
	det := &seq.Detection{Kit: "nextflex", Adapter: seq.AdapterTruSeq, Confidence: 0.9, Support: 0.95, Alternatives: []string{"truseq"}, Note: "read starts look random"}
	for _, tc := range []struct {
		name     string
		sum      *seq.Summary
		s        *Sample
		want     string   // codes
		contains []string // in the joined messages
	}{
		{"clean", summary(1000, map[string]int64{seq.CatNoAdapter: 100, seq.CatAdapterDimer: 100}, 22), counted(700, 10, 50, 40), "none", nil},
		{"no reads", summary(0, nil, 0), counted(0, 0, 0, 0), "no_reads", nil},
		// v1 reads given -protocol truseq: the adapter is in 0.3% of reads
		{"adapter missing", summary(1000, map[string]int64{seq.CatNoAdapter: 997}, 33), counted(0, 0, 0, 3), "adapter_missing;length_mode;mirna_low",
			[]string{"found in 0.3% of reads", "most reads lack its adapter: try -protocol auto", "0.0% of passed reads", "species? the adapter is missing (see adapter_missing)"}},
		// exactly half with the adapter is not "fewer than half"
		{"adapter half", summary(1000, map[string]int64{seq.CatNoAdapter: 500}, 22), counted(450, 0, 0, 50), "none", nil},
		{"mirna low", summary(1000, nil, 22), counted(30, 10, 0, 960), "mirna_low", []string{"miRNA 3.0% of passed reads", "protocol truseq was given", "-protocol nextflex"}},
		{"mirna low other RNA", summary(1000, nil, 22), counted(30, 10, 900, 60), "mirna_low", []string{"other small RNAs"}},
		{"mirna at threshold", summary(1000, nil, 22), counted(50, 0, 0, 950), "none", nil},
		{"length mode short", summary(1000, nil, 17), counted(900, 0, 0, 100), "length_mode", []string{"insert length 17 nt"}},
		{"length mode long", summary(1000, nil, 27), counted(900, 0, 0, 100), "length_mode", nil},
		{"length mode edges", summary(1000, nil, 26), counted(900, 0, 0, 100), "none", nil},
		{"dimers", summary(1000, map[string]int64{seq.CatAdapterDimer: 501}, 22), counted(400, 0, 0, 99), "adapter_dimers", []string{"50.1% of reads are adapter dimers"}},
		{"dimers half", summary(1000, map[string]int64{seq.CatAdapterDimer: 500}, 22), counted(400, 0, 0, 100), "none", nil},
		{"too short", summary(1000, map[string]int64{seq.CatTooShort: 600}, 22), counted(400, 0, 0, 0), "too_short", nil},
		{"alignment input", nil, counted(10, 0, 0, 990), "mirna_low", []string{"check the reference"}},
		{"collapse only", summary(1000, map[string]int64{seq.CatTooShort: 600}, 22), nil, "too_short", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ws := CheckSample("s1", tc.sum, tc.s)
			if got := codes(ws); got != tc.want {
				t.Fatalf("codes %q, want %q (%v)", got, tc.want, ws)
			}
			var msgs []string
			for _, w := range ws {
				if w.Sample != "s1" || w.Message == "" {
					t.Errorf("warning %+v: want sample s1 and a message", w)
				}
				msgs = append(msgs, w.String())
			}
			all := strings.Join(msgs, "\n")
			for _, c := range tc.contains {
				if !strings.Contains(all, c) {
					t.Errorf("messages lack %q:\n%s", c, all)
				}
			}
		})
	}
	// With detection, the hint says what the reads look like.
	sum := summary(1000, nil, 22)
	sum.Detection, sum.Protocol, sum.AdapterSource = det, "nextflex", "detected"
	ws := CheckSample("s1", sum, counted(1, 0, 0, 999))
	if codes(ws) != "mirna_low" || !strings.Contains(ws[0].Message, "the reads look like kit nextflex, or truseq") || !strings.Contains(ws[0].Message, "read starts look random") {
		t.Errorf("detected hint: %v", ws)
	}
	// Unsure detection.
	sum.AdapterConfidence, det.Confidence = 0.3, 0.3
	ws = CheckSample("s1", sum, counted(900, 0, 0, 100))
	if codes(ws) != "detection_uncertain" || !strings.Contains(ws[0].Message, "confidence 0.30") {
		t.Errorf("unsure detection: %v", ws)
	}
	// No adapter layout (reads already trimmed): no adapter check.
	sum = summary(1000, nil, 22)
	sum.Adapter, sum.Protocol = "none", "none"
	if ws := CheckSample("s1", sum, counted(900, 0, 0, 100)); len(ws) != 0 {
		t.Errorf("protocol none: %v", ws)
	}
}

func TestWarningCodesAndSetWarnings(t *testing.T) {
	if got := WarningCodes(nil); got != "none" {
		t.Errorf("no warnings: %q", got)
	}
	ws := []Warning{{Code: WarnKitMixed}, {Code: WarnConfounded}, {Code: WarnConfounded}}
	if got := WarningCodes(ws); got != "kit_mixed;confounded" {
		t.Errorf("codes %q", got)
	}
	if got := (Warning{Code: WarnDESkipped, Message: "m"}).String(); got != "study: de_skipped: m" {
		t.Errorf("study warning string %q", got)
	}
	s := counted(1, 0, 0, 0)
	s.SetWarnings(ws)
	s.SetWarnings(ws[:1])
	n := 0
	for _, st := range s.Stats {
		if st.Name == "warnings" {
			n++
		}
	}
	if v, _ := s.Stat("warnings"); v != "kit_mixed" || n != 1 {
		t.Errorf("warnings row %q (%d rows)", v, n)
	}
}

func TestCheckStudy(t *testing.T) {
	mk := func(conds, kits []string) []StudySample {
		out := make([]StudySample, len(conds))
		for i := range conds {
			out[i] = StudySample{Name: "s" + itoa(int64(i+1)), Condition: conds[i], Protocol: kits[i]}
		}
		return out
	}
	tc4 := []string{"tumor", "tumor", "control", "control"}
	for _, tc := range []struct {
		name  string
		conds []string
		kits  []string
		covs  []Covariate
		want  string
	}{
		{"clean", tc4, []string{"truseq", "truseq", "truseq", "truseq"}, []Covariate{{"batch", []string{"a", "b", "a", "b"}}}, "none"},
		{"mixed kits", tc4, []string{"truseq", "nextflex", "truseq", "truseq"}, nil, "kit_mixed"},
		{"kit confounded", tc4, []string{"nextflex", "nextflex", "truseq", "truseq"}, nil, "kit_mixed;confounded"},
		{"BAM samples left out", tc4, []string{"truseq", "", "truseq", ""}, nil, "none"},
		{"batch confounded", tc4, []string{"truseq", "truseq", "truseq", "truseq"}, []Covariate{{"batch", []string{"b1", "b1", "b2", "b2"}}}, "confounded"},
		// batches nested in conditions are confounded too
		{"batch nested", tc4, []string{"truseq", "truseq", "truseq", "truseq"}, []Covariate{{"batch", []string{"b1", "b2", "b3", "b3"}}}, "confounded"},
		// one value per sample (patient IDs) says nothing
		{"unique column", tc4, []string{"truseq", "truseq", "truseq", "truseq"}, []Covariate{{"patient", []string{"p1", "p2", "p3", "p4"}}}, "none"},
		{"one condition", []string{"a", "a", "a", "a"}, []string{"truseq", "truseq", "truseq", "truseq"}, []Covariate{{"batch", []string{"b1", "b1", "b2", "b2"}}}, "none"},
		{"typo", []string{"tumor", "tumour", "control", "control"}, []string{"truseq", "truseq", "truseq", "truseq"}, nil, "condition_similar"},
		{"case", []string{"Control", "tumor", "control", "tumor"}, []string{"truseq", "truseq", "truseq", "truseq"}, nil, "condition_similar"},
		{"not similar", []string{"day1", "day10", "group1", "group2"}, []string{"truseq", "truseq", "truseq", "truseq"}, nil, "none"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ws := CheckStudy(mk(tc.conds, tc.kits), tc.covs)
			if got := codes(ws); got != tc.want {
				t.Fatalf("codes %q, want %q: %v", got, tc.want, ws)
			}
			for _, w := range ws {
				if w.Sample != "" || !strings.HasPrefix(w.String(), "study: ") {
					t.Errorf("study warning %+v", w)
				}
			}
		})
	}
}

// quantFixture collapses a real FASTQ fixture with the given protocol and
// counts it on the embedded reference.
func quantFixture(t *testing.T, file, protocol string) (*seq.Summary, *Sample) {
	t.Helper()
	res, err := seq.CollapseFile(context.Background(), filepath.Join("..", "testdata", "fastq", file), seq.Options{Protocol: protocol})
	if err != nil {
		t.Fatal(err)
	}
	base, err := StatsFromSeq(&res.Summary)
	if err != nil {
		t.Fatal(err)
	}
	o := Options{UMI: res.Summary.UMI}
	if o.UMI {
		o.UMIs = res.UMIs
	}
	s, err := Quantify(context.Background(), embeddedHsa(t), file, res.Inserts, base, o)
	if err != nil {
		t.Fatal(err)
	}
	return &res.Summary, s
}

// The real fixtures with the kit detected: no warning, except where the
// library really is unusual (measured, see the comments).
func TestCheckSampleFixtures(t *testing.T) {
	if testing.Short() {
		t.Skip("quantifies seven fixtures")
	}
	for _, tc := range []struct{ file, want string }{
		{"mirtrace_sample1_truseq.fq.gz", "none"},
		{"mirtrace_sample2_trimmed.fq.gz", "none"},
		{"mirtrace_sample3_v15.fq.gz", "none"},
		{"compsra01_nextflex.fq.gz", "none"},
		{"excerpt_v1.fq.gz", "none"},
		// bcbio SRR950876: 17 of 1853 passed reads on miRNAs, insert mode
		// 31 nt: a library poor in miRNA, which the warnings should say.
		{"bcbio_truseq.fq.gz", "length_mode;mirna_low"},
		// miRTrace QIAseq: 1034 of 2000 reads have inserts under 16 nt.
		{"mirtrace_qiaseq.fq.gz", "too_short"},
	} {
		sum, s := quantFixture(t, tc.file, "auto")
		if got := codes(CheckSample("", sum, s)); got != tc.want {
			t.Errorf("%s: codes %q, want %q", tc.file, got, tc.want)
		}
	}
}

// A wrong kit gives near-zero miRNA counts: now loudly.
func TestCheckSampleWrongKit(t *testing.T) {
	for _, tc := range []struct {
		file, protocol, want string
		hint                 string
	}{
		// v1 adapter, TruSeq trimming: 3 of 1000 reads "have" the adapter
		{"excerpt_v1.fq.gz", "truseq", "adapter_missing;length_mode;mirna_low", "most reads lack its adapter: try -protocol auto"},
		// NEXTflex reads trimmed as TruSeq: the adapter is right, the 4+4
		// random bases are not clipped
		{"compsra01_nextflex.fq.gz", "truseq", "mirna_low", "try -protocol nextflex"},
		// TruSeq reads with the v1 adapter
		{"mirtrace_sample1_truseq.fq.gz", "v1", "adapter_missing;mirna_low", "most reads lack its adapter: try -protocol auto"},
	} {
		sum, s := quantFixture(t, tc.file, tc.protocol)
		ws := CheckSample("", sum, s)
		if got := codes(ws); got != tc.want {
			t.Errorf("%s -protocol %s: codes %q, want %q (%v)", tc.file, tc.protocol, got, tc.want, ws)
			continue
		}
		if !strings.Contains(ws[0].Message, tc.hint) {
			t.Errorf("%s -protocol %s: %q lacks %q", tc.file, tc.protocol, ws[0].Message, tc.hint)
		}
	}
}

func TestCheckInputs(t *testing.T) {
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a.fq"), filepath.Join(dir, "b.fq")
	for _, p := range []string{a, b} {
		if err := os.WriteFile(p, []byte("@r\nACGT\n+\nIIII\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	link := filepath.Join(dir, "link.fq")
	if err := os.Symlink(a, link); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name   string
		inputs []StudyInput
		want   int // duplicate_input warnings
	}{
		{"distinct", []StudyInput{{"s1", a}, {"s2", b}}, 0},
		{"same path", []StudyInput{{"s1", a}, {"s2", b}, {"s3", a}}, 1},
		{"same path spelled differently", []StudyInput{{"s1", a}, {"s2", filepath.Join(dir, ".", "a.fq")}}, 1},
		{"symlink", []StudyInput{{"s1", a}, {"s2", link}}, 1},
		{"three copies", []StudyInput{{"s1", a}, {"s2", a}, {"s3", a}}, 2},
		{"missing file twice", []StudyInput{{"s1", "nope.fq"}, {"s2", "nope.fq"}}, 1},
	}
	for _, c := range cases {
		ws := CheckInputs(c.inputs)
		if len(ws) != c.want {
			t.Errorf("%s: %d warnings %v, want %d", c.name, len(ws), ws, c.want)
		}
		for _, w := range ws {
			if w.Code != WarnDuplicateInput || w.Sample != "" || !strings.Contains(w.Message, "same file") {
				t.Errorf("%s: warning %+v", c.name, w)
			}
		}
	}
}
