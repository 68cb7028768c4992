package diffexp

import (
	"context"
	"path/filepath"
	"testing"
)

// Reference: testdata/de/{sim_batch,sim_combat}/combatseq_*.tsv, made with sva 3.46.0
// (edgeR 3.40.2) by testdata/de/make_combatseq_goldens.R.

func TestComBatSeqGolden(t *testing.T) {
	for _, tc := range []struct {
		set, file string
		group     bool
	}{
		{"sim_batch", "combatseq_group.tsv", true}, {"sim_batch", "combatseq_nogroup.tsv", false},
		{"sim_combat", "combatseq_group.tsv", true}, {"sim_combat", "combatseq_nogroup.tsv", false},
	} {
		t.Run(tc.set+"/"+tc.file, func(t *testing.T) {
			dir := "../testdata/de/" + tc.set
			c, cd := edgerLoad(t, dir)
			want, err := ReadCounts(edgerOpen(t, filepath.Join(dir, tc.file)), tc.file)
			if err != nil {
				t.Fatal(err)
			}
			var group []string
			if tc.group {
				group = cd.Column("condition")
			}
			got, err := ComBatSeq(context.Background(), c, cd.Column("batch"), group, 0)
			if err != nil {
				t.Fatal(err)
			}
			same, off1, changed := 0, 0, 0
			maxDiff := 0.0
			for k, w := range want.Values {
				g := got.Values[k]
				if g == w {
					same++
				} else if g-w == 1 || w-g == 1 {
					off1++
				}
				if w != c.Values[k] {
					changed++
				}
				if d := g - w; d > maxDiff {
					maxDiff = d
				} else if -d > maxDiff {
					maxDiff = -d
				}
			}
			frac := float64(same) / float64(len(want.Values))
			t.Logf("%s %s vs sva 3.46.0 ComBat_seq: %d of %d cells identical (%.4f%%), %d off by 1, max |Δ| %g; sva changed %d cells",
				tc.set, tc.file, same, len(want.Values), 100*frac, off1, maxDiff, changed)
			if frac < 0.999 {
				t.Errorf("identical cells %.5f < 0.999", frac)
			}
		})
	}
}
