package quant

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/exomir/exomir/internal/testenv"
	"github.com/exomir/exomir/seq"
)

// gffSamples quantifies two small samples of hand-made reads on the
// embedded reference.
func gffSamples(t *testing.T) (*Reference, []*Sample) {
	t.Helper()
	r := embeddedHsa(t)
	l21, hp21 := locusOf(t, r, "hsa-miR-21-5p", "hsa-mir-21")
	l19, _ := locusOf(t, r, "hsa-miR-19b-3p", "hsa-mir-19b-1")
	hp19 := r.Hairpins[l19.Hairpin].Seq
	m21 := string(hp21[l21.Start:l21.End])
	reads := [][]seq.Insert{
		{
			{Seq: m21, Reads: 100, Molecules: 100},
			{Seq: string(hp21[l21.Start-1 : l21.End+1]), Reads: 7, Molecules: 7},
			{Seq: m21 + otherTail(hp21, l21.End), Reads: 5, Molecules: 5},
			{Seq: mutate(m21, 3), Reads: 3, Molecules: 3},
			{Seq: string(hp19[l19.Start:l19.End]), Reads: 40, Molecules: 40},
		},
		{
			{Seq: m21, Reads: 50, Molecules: 50},
			{Seq: string(hp19[l19.Start:l19.End]), Reads: 9, Molecules: 9},
		},
	}
	var out []*Sample
	for i, ins := range reads {
		s, err := Quantify(context.Background(), r, "s"+strconv.Itoa(i+1), ins, nil, Options{})
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	return r, out
}

func TestWriteIsomirGFF(t *testing.T) {
	_, samples := gffSamples(t)
	var buf bytes.Buffer
	if err := WriteIsomirGFF(&buf, samples, GFFOptions{}); err != nil {
		t.Fatal(err)
	}
	text := buf.String()
	for _, want := range []string{
		"## mirGFF3. VERSION 1.2\n",
		"## COLDATA: s1,s2\n",
		"\tref_miRNA\t",
		"Name=hsa-miR-21-5p; Parent=hsa-mir-21; Variant=NA; Cigar=22M; Expression=100,50; Filter=Pass; Hits=1",
		"Variant=iso_5p:-1,iso_3p:+1;",
		"Variant=iso_add3p:1;",
		"Variant=iso_snv_seed;",
		"Name=hsa-miR-19b-3p; Parent=hsa-mir-19b-1;",
		"Name=hsa-miR-19b-3p; Parent=hsa-mir-19b-2;",
		"Expression=40,9; Filter=Pass; Hits=2",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("GFF lacks %q:\n%s", want, text)
		}
	}
	// Every data line has 9 columns, 1-based coordinates within the hairpin
	// and a Read whose length is end-start+1.
	for _, line := range strings.Split(strings.TrimSpace(text), "\n") {
		if strings.HasPrefix(line, "#") {
			continue
		}
		cols := strings.Split(line, "\t")
		if len(cols) != 9 {
			t.Fatalf("%d columns: %q", len(cols), line)
		}
		start, _ := strconv.Atoi(cols[3])
		end, _ := strconv.Atoi(cols[4])
		read := strings.TrimPrefix(strings.Split(cols[8], ";")[0], "Read=")
		if start < 1 || end-start+1 != len(read) {
			t.Errorf("coordinates %d-%d for %d-nt read: %q", start, end, len(read), line)
		}
	}
}

func TestUIDReversible(t *testing.T) {
	seen := map[string]string{}
	for _, s := range []string{"ACGT", "ACGTA", "ACGTAA", "TTTT", "TTTTA", "A", "AAAA", "ACGN"} {
		u := UID(s)
		if prev, dup := seen[u]; dup {
			t.Errorf("UID(%q) = UID(%q) = %s", s, prev, u)
		}
		seen[u] = s
	}
}

// TestMirtopReadsGFF runs the real mirtop (Debian package) on our GFF. It
// runs whenever mirtop is installed and fails under CI=true when it is not.
func TestMirtopReadsGFF(t *testing.T) {
	mirtop := testenv.Tool(t, "mirtop")
	_, samples := gffSamples(t)
	dir := t.TempDir()
	gff := filepath.Join(dir, "x.gff")
	f, err := os.Create(gff)
	if err != nil {
		t.Fatal(err)
	}
	if err := WriteIsomirGFF(f, samples, GFFOptions{}); err != nil {
		t.Fatal(err)
	}
	f.Close()
	out, err := exec.Command(mirtop, "stats", "-o", dir, gff).CombinedOutput()
	if err != nil {
		t.Fatalf("mirtop stats: %v\n%s", err, out)
	}
	stats, err := os.ReadFile(filepath.Join(dir, "mirtop_stats.txt"))
	if err != nil {
		t.Fatal(err)
	}
	// mirtop counts each (UID, Variant, Name) once, so hsa-miR-19b-3p on
	// its two hairpins counts once: s1 ref = 100 + 40, isomiRs 7 + 5 + 3;
	// s2 ref = 50 + 9.
	for _, want := range []string{"ref_miRNA_sum,s1,140.0", "isomiR_sum,s1,15.0", "ref_miRNA_sum,s2,59.0", "iso_snv_seed_sum,s1,3.0", "iso_add3p_sum,s1,5.0"} {
		if !strings.Contains(string(stats), want) {
			t.Errorf("mirtop stats lack %q:\n%s", want, stats)
		}
	}
}

// TestMergeIsomirGFF: merging per-sample files gives the same bytes as
// writing the samples together, and bad inputs are reported.
func TestMergeIsomirGFF(t *testing.T) {
	r, samples := gffSamples(t)
	var together bytes.Buffer
	if err := WriteIsomirGFF(&together, samples, GFFOptions{}); err != nil {
		t.Fatal(err)
	}
	var inputs []io.Reader
	var names []string
	for _, s := range samples {
		var b bytes.Buffer
		if err := WriteIsomirGFF(&b, []*Sample{s}, GFFOptions{}); err != nil {
			t.Fatal(err)
		}
		inputs = append(inputs, &b)
		names = append(names, s.Name)
	}
	var merged bytes.Buffer
	if err := MergeIsomirGFF(context.Background(), &merged, r, inputs, names, GFFOptions{}); err != nil {
		t.Fatal(err)
	}
	if merged.String() != together.String() {
		t.Errorf("merged:\n%s\nwant:\n%s", merged.String(), together.String())
	}
	// Bad inputs.
	good := strings.SplitAfter(together.String(), "\n")
	header, data := strings.Join(good[:5], ""), good[5:]
	var ref21 string // the hsa-miR-21-5p reference line
	for _, l := range data {
		if strings.Contains(l, "Parent=hsa-mir-21; Variant=NA;") {
			ref21 = l
		}
	}
	for _, c := range []struct {
		name, text, msg string
	}{
		{"no coldata", "## mirGFF3. VERSION 1.2\n" + data[0], "COLDATA"},
		{"unsorted", header + data[1] + data[0], "order"},
		{"unknown parent", header + strings.Replace(ref21, "Parent=hsa-mir-21", "Parent=hsa-mir-zzz", 1), "not in the reference"},
		{"columns", header + "a\tb\n", "columns"},
		{"expression count", header + strings.Replace(ref21, "Expression=100,50", "Expression=100", 1), "expression values"},
		// Fuzz findings (FuzzMergeIsomirGFF): each was merged into output
		// that would not merge again.
		{"empty sample name", strings.Replace(header, "## COLDATA: s1,s2", "## COLDATA: s1,", 1) + ref21, "empty sample name"},
		{"no Name or Parent", header + "\t\t\t11\t70\t\t\t\tExpression=1,2; Hits=0\n", "Name or Parent missing"},
		{"nothing before Expression", header + "hsa-mir-21\tmiRBase21\tref_miRNA\t8\t29\t.\t+\t.\tExpression=1,2; Name=hsa-miR-21-5p; Parent=hsa-mir-21; Hits=1\n", "want Read, Name, Parent"},
		{"expression not a count", header + strings.Replace(ref21, "Expression=100,50", "Expression=100,x", 1), "not a count"},
		{"negative expression", header + strings.Replace(ref21, "Expression=100,50", "Expression=-1,50", 1), "not a count"},
	} {
		err := MergeIsomirGFF(context.Background(), io.Discard, r, []io.Reader{strings.NewReader(c.text)}, []string{"in.gff"}, GFFOptions{})
		if !errors.Is(err, ErrBadGFF) || !strings.Contains(err.Error(), c.msg) || !strings.Contains(err.Error(), "in.gff:") {
			t.Errorf("%s: err = %v", c.name, err)
		}
	}
	// One sample name in two inputs: the merged columns would be ambiguous.
	err := MergeIsomirGFF(context.Background(), io.Discard, r, []io.Reader{strings.NewReader(together.String()), strings.NewReader(together.String())}, []string{"a.gff", "b.gff"}, GFFOptions{})
	if !errors.Is(err, ErrBadGFF) || !strings.Contains(err.Error(), "sample s1 is in the COLDATA of a.gff and b.gff") {
		t.Errorf("duplicate sample: err = %v", err)
	}
}
