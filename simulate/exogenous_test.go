package simulate

import (
	"bufio"
	"errors"
	"strings"
	"testing"
)

// TestExogenousAndEditingTruth: the exogenous truth counts exactly the
// reads whose headers name each exogenous miRNA, and the editing truth
// counts covering and edited molecules consistently with the level.
func TestExogenousAndEditingTruth(t *testing.T) {
	ref := hsaRef(t)
	cfg := DefaultConfig()
	cfg.Tumor, cfg.Control, cfg.Reads = 1, 0, 20_000
	cfg.Mix.Exogenous = 0.05
	cfg.Exogenous = []ExoMiRNA{
		{Name: "ebv-miR-BART7-3p", Seq: []byte("CATCATAGTCCAGTGTCCAGGG"), Weight: 2},
		{Name: "cel-miR-39-3p", Seq: []byte("TCACCGGGTGTAAATCAGCTTG"), Weight: 1},
	}
	cfg.Editing = []EditSite{{Mature: "hsa-miR-376a-3p", Position: 6, Level: 0.5}}
	buf, tr := generateSample(t, ref, cfg, 0)
	seen := map[string]int64{}
	sc := bufio.NewScanner(buf)
	for n := 0; sc.Scan(); n++ {
		if n%4 != 0 {
			continue
		}
		if i := strings.Index(sc.Text(), " o=exogenous:"); i >= 0 {
			seen[strings.Fields(sc.Text()[i+len(" o=exogenous:"):])[0]]++
		}
	}
	var sum int64
	for i, e := range cfg.Exogenous {
		if tr.ExoReads[i] != seen[e.Name] || tr.ExoReads[i] == 0 {
			t.Errorf("%s: truth %d, headers %d", e.Name, tr.ExoReads[i], seen[e.Name])
		}
		sum += tr.ExoReads[i]
	}
	if sum != tr.Comp.Exogenous {
		t.Errorf("exogenous truth sums to %d, composition %d", sum, tr.Comp.Exogenous)
	}
	// weight 2 vs 1: about twice as many EBV reads
	if r := float64(tr.ExoReads[0]) / float64(tr.ExoReads[1]); r < 1.6 || r > 2.5 {
		t.Errorf("EBV/cel ratio %.2f, want about 2", r)
	}
	e := tr.Editing[0]
	if e.Covering < 50 || e.Edited > e.Covering {
		t.Fatalf("editing truth %+v", e)
	}
	if lvl := float64(e.Edited) / float64(e.Covering); lvl < 0.35 || lvl > 0.65 {
		t.Errorf("edited share %.3f of %d, want about 0.5", lvl, e.Covering)
	}
	for _, bad := range []func(*Config){
		func(c *Config) { c.Exogenous = nil },
		func(c *Config) { c.Editing = []EditSite{{Mature: "hsa-miR-376a-3p", Position: 2, Level: 0.5}} }, // a T
		func(c *Config) { c.Editing = []EditSite{{Mature: "hsa-miR-none", Position: 1, Level: 0.5}} },
		func(c *Config) { c.Editing = []EditSite{{Mature: "hsa-miR-376a-3p", Position: 6, Level: 1.5}} },
	} {
		c := cfg
		bad(&c)
		if _, err := New(ref, c); !errors.Is(err, ErrConfig) {
			t.Errorf("bad config accepted: %v", err)
		}
	}
}
