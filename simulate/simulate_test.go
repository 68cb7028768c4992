package simulate

import (
	"bytes"
	"context"
	"errors"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/exomir/exomir/seq"
)

// The human miRBase 21 files embedded by package quant, and a 120-record
// subset of the tDRmapper hg19 tRNA FASTA (testdata/SOURCES.md).
const (
	testMature  = "../quant/mirbase/hsa_mature_v21.fa.gz"
	testHairpin = "../quant/mirbase/hsa_hairpin_v21.fa.gz"
	testOther   = "../testdata/sim/trna_subset.fa"
)

func readFasta(t testing.TB, path string) []seq.FastaRecord {
	t.Helper()
	recs, err := seq.ReadFastaFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return recs
}

var (
	refOnce sync.Once
	refHsa  *Reference
	refErr  error
)

func hsaRef(t testing.TB) *Reference {
	t.Helper()
	refOnce.Do(func() {
		m, h, o := readFasta(t, testMature), readFasta(t, testHairpin), readFasta(t, testOther)
		refHsa, refErr = NewReference(m, h, "hsa")
		if refErr == nil {
			refHsa.AddOther(o, 1)
		}
	})
	if refErr != nil {
		t.Fatal(refErr)
	}
	return refHsa
}

// generateSample simulates sample i of cfg on ref and returns its FASTQ
// and truth.
func generateSample(t *testing.T, ref *Reference, cfg Config, i int) (*bytes.Buffer, *Truth) {
	t.Helper()
	st, err := New(ref, cfg)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	truth, err := st.Generate(i, &buf)
	if err != nil {
		t.Fatal(err)
	}
	return &buf, truth
}

func TestReferencePlacement(t *testing.T) {
	ref := hsaRef(t)
	byName := map[string]*Mature{}
	for i := range ref.Matures {
		byName[ref.Matures[i].Name] = &ref.Matures[i]
	}
	hpName := func(s Site) string { return ref.Hairpins[s.Hairpin].Name }
	// Placements known from miRBase 21 (GUIDE §2): miR-19b-3p on two
	// hairpins; miR-519a/b/c-5p share one sequence.
	cases := []struct {
		mature   string
		hairpins []string
		inFeat   string
	}{
		{"hsa-miR-21-5p", []string{"hsa-mir-21"}, ""},
		{"hsa-miR-19b-3p", []string{"hsa-mir-19b-1", "hsa-mir-19b-2"}, ""},
		{"hsa-miR-519a-5p", nil, "hsa-miR-519b-5p"},
	}
	for _, c := range cases {
		m := byName[c.mature]
		if m == nil {
			t.Fatalf("%s missing", c.mature)
		}
		for _, s := range m.Sites {
			h := ref.Hairpins[s.Hairpin].Seq
			if !bytes.Equal(h[s.Pos:s.Pos+len(m.Seq)], m.Seq) {
				t.Errorf("%s: site %s:%d does not hold the mature", c.mature, hpName(s), s.Pos)
			}
		}
		if c.hairpins != nil {
			var got []string
			for _, s := range m.Sites {
				got = append(got, hpName(s))
			}
			if strings.Join(got, ",") != strings.Join(c.hairpins, ",") {
				t.Errorf("%s on %v, want %v", c.mature, got, c.hairpins)
			}
		}
		if c.inFeat != "" && !strings.Contains("/"+m.Feature+"/", "/"+c.inFeat+"/") {
			t.Errorf("%s feature %q lacks %s", c.mature, m.Feature, c.inFeat)
		}
	}
	// Brute force: a sample of matures' sites are exactly their occurrences.
	for k := 0; k < len(ref.Matures); k += 13 {
		m := ref.Matures[k]
		n := 0
		for _, h := range ref.Hairpins {
			for i := 0; i+len(m.Seq) <= len(h.Seq); i++ {
				if bytes.Equal(h.Seq[i:i+len(m.Seq)], m.Seq) {
					n++
				}
			}
		}
		if n != len(m.Sites) {
			t.Fatalf("%s: %d sites, brute force finds %d", m.Name, len(m.Sites), n)
		}
	}
}

func bruteMatches(hp []Hairpin, f []byte, skip int) bool {
	m := len(f) - 3
	if m < 3*checkK {
		m = len(f)
	}
	for h, p := range hp {
		if h == skip {
			continue
		}
		for st := 0; st+m <= len(p.Seq); st++ {
			mm := 0
			for i := 0; i < m; i++ {
				if f[i] != p.Seq[st+i] {
					mm++
				}
			}
			if mm <= 2 {
				return true
			}
		}
	}
	return false
}

// TestCheckerVsBruteForce checks the k-mer filter against a brute-force
// scan on random sequences and on mutated hairpin pieces (which should
// often match).
func TestCheckerVsBruteForce(t *testing.T) {
	ref := hsaRef(t)
	r := rand.New(rand.NewPCG(7, 7))
	hits := 0
	for k := 0; k < 200; k++ {
		var f []byte
		if k%2 == 0 {
			f = randomSeq(nil, 18+r.IntN(12), r)
		} else {
			h := ref.Hairpins[r.IntN(len(ref.Hairpins))].Seq
			l := 18 + r.IntN(8)
			if l > len(h) {
				continue
			}
			st := r.IntN(len(h) - l + 1)
			f = append([]byte(nil), h[st:st+l]...)
			for e := r.IntN(4); e > 0; e-- {
				p := r.IntN(len(f))
				f[p] = otherBase(f[p], r)
			}
		}
		got, want := ref.checker.matches(f, -1), bruteMatches(ref.Hairpins, f, -1)
		if got != want {
			t.Fatalf("%s: checker %v, brute force %v", f, got, want)
		}
		if want {
			hits++
		}
	}
	if hits < 30 {
		t.Errorf("only %d matching cases: the test does not exercise hits", hits)
	}
	for k := 0; k < len(ref.Other); k += 10 {
		o := ref.Other[k]
		if bruteMatches(ref.Hairpins, o, -1) {
			t.Fatalf("other-RNA fragment %s matches a hairpin", o)
		}
	}
	if len(ref.Other) < 100 {
		t.Errorf("only %d other-RNA fragments from 120 tRNAs", len(ref.Other))
	}
}

type origin struct {
	cat, mature, hairpin string
	d5, d3               int
	add                  string
	snv                  bool
	mol                  string
}

func parseOrigin(t *testing.T, name string) origin {
	t.Helper()
	var o origin
	for _, f := range strings.Fields(name)[1:] {
		switch {
		case strings.HasPrefix(f, "o="):
			p := strings.Split(f[2:], ":")
			o.cat = p[0]
			if o.cat == "mirna" {
				if len(p) != 7 {
					t.Fatalf("bad origin %q", f)
				}
				o.mature, o.hairpin = p[1], p[2]
				o.d5, _ = strconv.Atoi(p[3])
				o.d3, _ = strconv.Atoi(p[4])
				if p[5] != "-" {
					o.add = p[5]
				}
				o.snv = p[6] != "-"
			}
		case strings.HasPrefix(f, "m="):
			o.mol = f[2:]
		}
	}
	if o.cat == "" {
		t.Fatalf("no origin in %q", name)
	}
	return o
}

// TestReadsMatchTruth writes small samples of every kit, parses them back
// and checks that the truth tables count exactly the reads whose headers
// name each origin, and that error-free miRNA reads hold the insert the
// header describes, followed by the kit's adapter.
func TestReadsMatchTruth(t *testing.T) {
	ref := hsaRef(t)
	byName := map[string]int{}
	for i, m := range ref.Matures {
		byName[m.Name] = i
	}
	hpByName := map[string]int{}
	for i, h := range ref.Hairpins {
		hpByName[h.Name] = i
	}
	for _, tc := range []struct {
		kit     Kit
		readLen int
		adapter string
		lead    int
		bc5     string // 5' barcode set with Config.Barcode5
		wantBC  string // barcode expected before the insert
	}{
		{TruSeq, 50, TruSeqAdapter, 0, "", ""},
		{NEXTflex, 50, TruSeqAdapter, nextflexRandom, "", ""},
		{QIAseq, 76, QIAseqAdapter, 0, "", ""},
		{TruSeq, 36, TruSeqAdapter, 0, "", ""},
		// sample 1 (control1) gets the second ENCODE barcode
		{Encode, 50, EncodeAdapter, 0, "", EncodeBarcodes[1]},
		{TruSeq, 50, TruSeqAdapter, 0, "GATTACA", "GATTACA"},
		{QIAseq, 76, QIAseqAdapter, 0, "ACGT", "ACGT"},
	} {
		t.Run(string(tc.kit)+strconv.Itoa(tc.readLen)+tc.bc5, func(t *testing.T) {
			cfg := DefaultConfig()
			cfg.Kit, cfg.Reads, cfg.Tumor, cfg.Control, cfg.ReadLen = tc.kit, 20000, 1, 1, tc.readLen
			cfg.Barcode5 = tc.bc5
			tc.lead += len(tc.wantBC)
			buf, truth := generateSample(t, ref, cfg, 1)
			fr := seq.NewFastqReader(buf, "sim")
			var rec seq.Record
			reads := make([]int64, len(ref.Matures))
			mols := map[string]int{}
			molCount := make([]int64, len(ref.Matures))
			cats := map[string]int64{}
			checked := 0
			for fr.Scan(&rec) {
				if len(rec.Seq) != tc.readLen || len(rec.Qual) != tc.readLen {
					t.Fatalf("read length %d/%d, want %d", len(rec.Seq), len(rec.Qual), tc.readLen)
				}
				o := parseOrigin(t, string(rec.Name))
				cats[o.cat]++
				if o.cat != "mirna" {
					continue
				}
				mi, ok := byName[o.mature]
				if !ok {
					t.Fatalf("unknown mature %q", o.mature)
				}
				reads[mi]++
				if o.mol != "" {
					if _, seen := mols[o.mol]; !seen {
						mols[o.mol] = mi
						molCount[mi]++
					} else if mols[o.mol] != mi {
						t.Fatalf("molecule %s from two matures", o.mol)
					}
				}
				// expected insert from the reference: one of the mature's
				// sites on that hairpin (hsa-mir-4487 holds miR-4487 twice)
				m := ref.Matures[mi]
				hs := ref.Hairpins[hpByName[o.hairpin]].Seq
				var wants [][]byte
				for _, s := range m.Sites {
					a, b := s.Pos+o.d5, s.Pos+len(m.Seq)+o.d3
					if s.Hairpin == hpByName[o.hairpin] && a >= 0 && b <= len(hs) {
						wants = append(wants, append(append([]byte(nil), hs[a:b]...), o.add...))
					}
				}
				if wants == nil {
					t.Fatalf("%s not on %s", o.mature, o.hairpin)
				}
				region := rec.Seq[tc.lead:]
				if o.snv || bytes.ContainsAny(rec.Qual[:min(len(rec.Qual), 2*tc.lead+len(wants[0])+len(tc.adapter))], "0#") {
					continue
				}
				if !bytes.HasPrefix(rec.Seq, []byte(tc.wantBC)) {
					t.Fatalf("read %s does not start with barcode %s", rec.Seq, tc.wantBC)
				}
				matches := func(want []byte) bool {
					exp := append(want, tc.adapter...)
					if tc.kit == NEXTflex {
						exp = append(append(want[:len(want):len(want)], "NNNN"...), tc.adapter...)
					}
					n := min(len(exp), len(region))
					for i := 0; i < n; i++ {
						if exp[i] != 'N' && exp[i] != region[i] {
							return false
						}
					}
					return true
				}
				if !slices.ContainsFunc(wants, matches) {
					t.Fatalf("read %s\n%s, want insert+adapter from one of\n%s", rec.Name, region, wants)
				}
				checked++
			}
			if err := fr.Err(); err != nil {
				t.Fatal(err)
			}
			if got := fr.Records(); got != int64(cfg.Reads) || truth.Comp.Reads != int64(cfg.Reads) {
				t.Fatalf("%d records, truth %d, want %d", got, truth.Comp.Reads, cfg.Reads)
			}
			if checked < cfg.Reads/2 {
				t.Errorf("only %d reads checked against their insert", checked)
			}
			var sum int64
			for i := range reads {
				if reads[i] != truth.MirnaReads[i] {
					t.Fatalf("%s: %d reads written, truth %d", ref.Matures[i].Name, reads[i], truth.MirnaReads[i])
				}
				sum += truth.MirnaReads[i]
				want := reads[i]
				if tc.kit == QIAseq {
					want = molCount[i]
				}
				if truth.MirnaMolecules[i] != want {
					t.Fatalf("%s: %d molecules written, truth %d", ref.Matures[i].Name, want, truth.MirnaMolecules[i])
				}
			}
			c := truth.Comp
			if sum != c.Mirna || cats["mirna"] != c.Mirna || cats["hairpin_only"] != c.HairpinOnly ||
				cats["other_rna"] != c.OtherRNA || cats["unmapped"] != c.Unmapped ||
				cats["adapter_dimer"] != c.AdapterDimer || cats["too_short"] != c.TooShort {
				t.Fatalf("composition %+v, headers say %v (sum of mature truth %d)", c, cats, sum)
			}
			if c.Mirna+c.HairpinOnly+c.OtherRNA+c.Unmapped+c.AdapterDimer+c.TooShort != c.Reads {
				t.Fatalf("categories do not sum to reads: %+v", c)
			}
			if tc.kit == QIAseq {
				if c.Molecules >= c.Reads/2 || c.MirnaMolecules != int64(len(mols)) {
					t.Errorf("qiaseq: %d molecules for %d reads (%d mirna molecules, %d seen)", c.Molecules, c.Reads, c.MirnaMolecules, len(mols))
				}
			}
		})
	}
}

// TestFoldChanges checks the DE fraction and that the simulated groups
// reproduce the true fold changes of abundant features.
func TestFoldChanges(t *testing.T) {
	ref := hsaRef(t)
	for _, frac := range []float64{0, 0.1, 0.3} {
		cfg := DefaultConfig()
		cfg.FoldFrac = frac
		st, err := New(ref, cfg)
		if err != nil {
			t.Fatal(err)
		}
		expr, de := map[string]bool{}, map[string]bool{}
		lfc := map[string]float64{}
		for i, m := range ref.Matures {
			if st.Base[i] > 0 {
				expr[m.Feature] = true
			}
			if st.DE[i] {
				de[m.Feature] = true
				if a := math.Abs(st.LFC[i]); a < cfg.MinLFC || a > cfg.MaxLFC {
					t.Errorf("%s: |lfc| %g outside range", m.Name, a)
				}
			} else if st.LFC[i] != 0 {
				t.Errorf("%s: not DE but lfc %g", m.Name, st.LFC[i])
			}
			if l, ok := lfc[m.Feature]; ok && l != st.LFC[i] {
				t.Errorf("feature %s: names differ in lfc", m.Feature)
			}
			lfc[m.Feature] = st.LFC[i]
			if st.Disp[i] < cfg.DispMin || st.Disp[i] > cfg.DispMax {
				t.Errorf("%s: dispersion %g", m.Name, st.Disp[i])
			}
		}
		if want := int(math.Round(frac * float64(len(expr)))); len(de) != want {
			t.Errorf("frac %g: %d DE features of %d expressed, want %d", frac, len(de), len(expr), want)
		}
	}
	// Group means over 6+6 samples recover the true log2FC of abundant
	// features within 4 standard deviations of the estimate (+0.1 for the
	// library-composition shift): the variance of the log of a group mean
	// of n gamma-Poisson draws with mean mu and dispersion a is about
	// (a + 1/mu)/n.
	const n = 6
	cfg := DefaultConfig()
	cfg.Tumor, cfg.Control, cfg.Reads, cfg.FoldFrac = n, n, 50000, 0.3
	st, err := New(ref, cfg)
	if err != nil {
		t.Fatal(err)
	}
	sum := [2][]float64{make([]float64, len(ref.Matures)), make([]float64, len(ref.Matures))}
	for i, s := range st.Samples {
		tr, err := st.Generate(i, io.Discard)
		if err != nil {
			t.Fatal(err)
		}
		g := 0
		if s.Condition == "control" {
			g = 1
		}
		for k, c := range tr.MirnaReads {
			sum[g][k] += float64(c) / float64(tr.Comp.Mirna)
		}
	}
	var total float64
	for _, b := range st.Base {
		total += b
	}
	tested, deTested := 0, 0
	for k, m := range ref.Matures {
		if st.Base[k]/total < 2e-3 || len(m.Sites) == 0 {
			continue
		}
		est := math.Log2(sum[0][k] / sum[1][k])
		mu := st.Base[k] / total * float64(cfg.Reads) * 0.8
		sd := math.Sqrt(2*(st.Disp[k]+1/mu)/n) / math.Ln2
		if math.Abs(est-st.LFC[k]) > 4*sd+0.1 {
			t.Errorf("%s: estimated log2FC %.2f, true %.2f", m.Name, est, st.LFC[k])
		}
		tested++
		if st.DE[k] {
			deTested++
		}
	}
	if tested < 40 || deTested < 3 {
		t.Errorf("only %d features (%d DE) abundant enough to test", tested, deTested)
	}
}

func TestDeterminism(t *testing.T) {
	ref := hsaRef(t)
	gen := func(seed uint64, kit Kit) []byte {
		cfg := DefaultConfig()
		cfg.Seed, cfg.Kit, cfg.Reads = seed, kit, 3000
		st, err := New(ref, cfg)
		if err != nil {
			t.Fatal(err)
		}
		var b bytes.Buffer
		if _, err := st.Generate(2, &b); err != nil {
			t.Fatal(err)
		}
		return b.Bytes()
	}
	for _, kit := range []Kit{TruSeq, QIAseq} {
		a, b, c := gen(5, kit), gen(5, kit), gen(6, kit)
		if !bytes.Equal(a, b) {
			t.Errorf("%s: same seed, different output", kit)
		}
		if bytes.Equal(a, c) {
			t.Errorf("%s: different seeds, same output", kit)
		}
	}
	// WriteStudy: identical files whatever the worker count.
	dirs := make([]string, 2)
	for k, workers := range []int{1, 3} {
		cfg := DefaultConfig()
		cfg.Reads, cfg.Workers, cfg.Tumor, cfg.Control = 2000, workers, 2, 2
		st, err := New(ref, cfg)
		if err != nil {
			t.Fatal(err)
		}
		dirs[k] = t.TempDir()
		if _, err := st.WriteStudy(context.Background(), dirs[k]); err != nil {
			t.Fatal(err)
		}
	}
	ents, err := os.ReadDir(dirs[0])
	if err != nil {
		t.Fatal(err)
	}
	if len(ents) != 4+9 {
		t.Errorf("%d files written, want 13", len(ents))
	}
	for _, e := range ents {
		a, err1 := os.ReadFile(filepath.Join(dirs[0], e.Name()))
		b, err2 := os.ReadFile(filepath.Join(dirs[1], e.Name()))
		if err1 != nil || err2 != nil || !bytes.Equal(a, b) {
			t.Errorf("%s differs between 1 and 3 workers (%v %v)", e.Name(), err1, err2)
		}
	}
	sheet, _ := os.ReadFile(filepath.Join(dirs[0], SamplesheetFile))
	if want := "sample\tcondition\tfastq\ntumor1\ttumor\ttumor1.fastq.gz\n"; !strings.HasPrefix(string(sheet), want) {
		t.Errorf("samplesheet starts %q", sheet)
	}
}

func TestErrors(t *testing.T) {
	m, h := readFasta(t, testMature), readFasta(t, testHairpin)
	if _, err := NewReference(m, h, "zzz"); !errors.Is(err, ErrNoMatures) {
		t.Errorf("unknown species: %v", err)
	}
	if _, err := NewReference(m[:5], nil, "hsa"); !errors.Is(err, ErrNoMatures) {
		t.Errorf("no hairpins: %v", err)
	}
	ref := hsaRef(t)
	for _, c := range []struct {
		name string
		mod  func(*Config)
		want error
	}{
		{"kit", func(c *Config) { c.Kit = "smarter" }, ErrKit},
		{"no samples", func(c *Config) { c.Tumor, c.Control = 0, 0 }, ErrConfig},
		{"frac", func(c *Config) { c.FoldFrac = 1.5 }, ErrConfig},
		{"mix", func(c *Config) { c.Mix.OtherRNA = 0.99 }, ErrConfig},
		{"disp", func(c *Config) { c.DispMin = 0 }, ErrConfig},
		{"len", func(c *Config) { c.ReadLen = 10 }, ErrConfig},
	} {
		cfg := DefaultConfig()
		c.mod(&cfg)
		if _, err := New(ref, cfg); !errors.Is(err, c.want) {
			t.Errorf("%s: got %v, want %v", c.name, err, c.want)
		}
	}
}

// TestAlias compares the alias sampler's frequencies with the weights.
func TestAlias(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for _, w := range [][]float64{{1}, {0, 3, 1}, {5, 0, 0, 1, 1, 1}, {0.001, 1000, 1}} {
		a := newAlias(w)
		const n = 200000
		got := make([]float64, len(w))
		for k := 0; k < n; k++ {
			got[a.draw(r)]++
		}
		var sum float64
		for _, x := range w {
			sum += x
		}
		for i := range w {
			p := w[i] / sum
			sd := math.Sqrt(p*(1-p)/n) + 1e-9
			if math.Abs(got[i]/n-p) > 5*sd {
				t.Errorf("weights %v: category %d frequency %g, want %g", w, i, got[i]/n, p)
			}
		}
	}
}

func BenchmarkGenerate(b *testing.B) {
	ref := hsaRef(b)
	for _, kit := range []Kit{TruSeq, QIAseq} {
		b.Run(string(kit), func(b *testing.B) {
			cfg := DefaultConfig()
			cfg.Kit, cfg.Reads = kit, 100000
			st, err := New(ref, cfg)
			if err != nil {
				b.Fatal(err)
			}
			var n countWriter
			if _, err := st.Generate(0, &n); err != nil {
				b.Fatal(err)
			}
			b.SetBytes(int64(n))
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if _, err := st.Generate(0, io.Discard); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

type countWriter int

func (c *countWriter) Write(p []byte) (int, error) { *c += countWriter(len(p)); return len(p), nil }

// TestErrorProfile checks the realistic error knobs on adapter dimers
// (reads of known sequence): per-base N rate, a steep 3' rise of the
// substitution rate, Phred qualities that follow it, and the 3' quality
// drop with errors that follow the dropped qualities. Tolerances are about
// four binomial standard deviations.
func TestErrorProfile(t *testing.T) {
	ref := hsaRef(t)
	cfg := DefaultConfig()
	cfg.Tumor, cfg.Control, cfg.Reads = 1, 0, 20000
	cfg.Mix = Mix{AdapterDimer: 0.999}
	cfg.ErrStart, cfg.ErrEnd, cfg.ErrShape = 0.001, 0.05, 6
	cfg.NRate, cfg.NBaseRate = 0, 0.01
	cfg.PhredQual, cfg.QualDrop = true, 0.3
	st, err := New(ref, cfg)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if _, err := st.Generate(0, &buf); err != nil {
		t.Fatal(err)
	}
	var again bytes.Buffer
	if _, err := st.Generate(0, &again); err != nil || !bytes.Equal(buf.Bytes(), again.Bytes()) {
		t.Fatalf("not determined by the seed (%v)", err)
	}
	const L = 50
	want := []byte(TruSeqAdapter + TruSeqFiller)[:L]
	var sub, tot [L]float64 // reads without a quality drop
	var ns, bases, dropReads, reads, dropLastSub float64
	fr := seq.NewFastqReader(&buf, "sim")
	var rec seq.Record
	for fr.Scan(&rec) {
		if !strings.Contains(string(rec.Name), "o=adapter_dimer") {
			continue
		}
		for p, c := range rec.Seq {
			bases++
			if c == 'N' {
				ns++
				if rec.Qual[p] != '!'+2 {
					t.Fatalf("N with quality %c", rec.Qual[p])
				}
			}
		}
		if rec.Seq[L-1] == 'N' {
			continue // its quality does not tell whether the read has a drop
		}
		reads++
		dropped := rec.Qual[L-1] == '!'+5
		if dropped {
			dropReads++
		}
		for p, c := range rec.Seq {
			if c == 'N' {
				continue
			}
			if dropped {
				if p == L-1 && c != want[p] {
					dropLastSub++
				}
				continue
			}
			tot[p]++
			if c != want[p] {
				sub[p]++
			}
			if q := rec.Qual[p] - '!'; q != phred(cfg.ErrStart+(cfg.ErrEnd-cfg.ErrStart)*math.Pow(float64(p)/(L-1), 6)) {
				t.Fatalf("position %d quality %d", p, q)
			}
		}
	}
	if err := fr.Err(); err != nil {
		t.Fatal(err)
	}
	if f := ns / bases; math.Abs(f-0.01) > 0.0005 {
		t.Errorf("N per base %.4f, want 0.01", f)
	}
	if f := dropReads / reads; math.Abs(f-0.3) > 0.015 {
		t.Errorf("reads with a 3' quality drop %.3f, want 0.3", f)
	}
	// The last base of a dropped read has Phred 5: error 0.32.
	if f := dropLastSub / dropReads; math.Abs(f-0.316) > 0.025 {
		t.Errorf("substitutions at the last base of dropped reads %.3f, want 0.316", f)
	}
	rate := func(from, to int) float64 {
		var s, n float64
		for p := from; p < to; p++ {
			s, n = s+sub[p], n+tot[p]
		}
		return s / n
	}
	// Mean of ErrStart + 0.049*(p/49)^6 over p in [0,30): 0.00111; at 49: 0.05.
	if r := rate(0, 30); r > 0.0016 {
		t.Errorf("substitution rate over the first 30 cycles %.4f, want about 0.0011", r)
	}
	if r := rate(L-1, L); math.Abs(r-0.05) > 0.01 {
		t.Errorf("substitution rate at the last cycle %.4f, want 0.05", r)
	}
}

// TestClassesTruth draws other_rna reads from two small classes and
// spike-ins and checks that the truth adds up: class reads sum to
// other_rna, tRF types to the tRNA reads, and spike-in reads are their
// share of the reads.
func TestClassesTruth(t *testing.T) {
	ref := testRefForClasses(t)
	trna := []seq.FastaRecord{
		// tDRmapper's Ala-AGC-1-1 (with CCA), anticodon 33-35.
		{Name: "Ala-AGC-1-1", Desc: "anticodon=33-35", Seq: []byte("GGGGGTATAGCTCAGTGGTAGAGCGCGTGCTTAGCATGCACGAGGTCCTGGGTTCGATCCCCAGTACCTCCACCA")},
	}
	other := []seq.FastaRecord{{Name: "x", Seq: []byte("ACGTTGCAGGCTTACGGATCCAGTTGACCATGGACTTGCAAGTCCGATAGGCTAACG")}}
	if err := ref.AddClass("tRNA", 0.6, trna); err != nil {
		t.Fatal(err)
	}
	if err := ref.AddClass("rRNA", 0.4, other); err != nil {
		t.Fatal(err)
	}
	if err := ref.AddSpikeins([]seq.FastaRecord{{Name: "sp1", Seq: []byte("CCTGGTGACACTGTAGTTACGC")}, {Name: "sp2", Seq: []byte("AGCGTACGATCCGTTAGCAGTC")}}, 1); err != nil {
		t.Fatal(err)
	}
	cfg := DefaultConfig()
	cfg.Tumor, cfg.Control, cfg.Reads = 1, 0, 20000
	cfg.Mix.OtherRNA = 0.3
	cfg.SpikeinShare = 0.05
	st, err := New(ref, cfg)
	if err != nil {
		t.Fatal(err)
	}
	tr, err := st.Generate(0, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	var cls, trf, spk int64
	for _, n := range tr.ClassReads {
		cls += n
	}
	for _, n := range tr.TRFReads {
		trf += n
	}
	for _, n := range tr.SpikeinReads {
		spk += n
	}
	if cls != tr.Comp.OtherRNA || trf != tr.ClassReads[0] {
		t.Errorf("classes %d, other_rna %d; tRF types %d, tRNA %d", cls, tr.Comp.OtherRNA, trf, tr.ClassReads[0])
	}
	if f := float64(spk) / float64(cfg.Reads); f < 0.04 || f > 0.06 {
		t.Errorf("spike-in share %.3f, want about 0.05", f)
	}
	// The mature tRNA gives no leader or trailer reads; every mature type
	// appears.
	for i, n := range tr.TRFReads {
		switch TRFTypeNames[i] {
		case "leader", "tRF-1":
			if n != 0 {
				t.Errorf("%s: %d reads without a pre-tRNA", TRFTypeNames[i], n)
			}
		default:
			if n == 0 {
				t.Errorf("no %s reads", TRFTypeNames[i])
			}
		}
	}
}

// testRefForClasses is a fresh human reference (hsaRef is shared).
func testRefForClasses(t *testing.T) *Reference {
	t.Helper()
	ref, err := NewReference(readFasta(t, testMature), readFasta(t, testHairpin), "hsa")
	if err != nil {
		t.Fatal(err)
	}
	return ref
}
