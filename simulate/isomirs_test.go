package simulate

import (
	"bufio"
	"strings"
	"testing"
)

// TestIsomirTruth: a sample's isomiRs partition its miRNA truth (reads and
// molecules per mature), and every isomiR's sequence is the insert at the
// start of some read of it (TruSeq: the insert opens the read).
func TestIsomirTruth(t *testing.T) {
	ref := hsaRef(t)
	for _, kit := range []Kit{TruSeq, QIAseq} {
		cfg := DefaultConfig()
		cfg.Kit, cfg.Reads = kit, 4000
		fq, tr := generateSample(t, ref, cfg, 0)
		reads := make([]int64, len(ref.Matures))
		mols := make([]int64, len(ref.Matures))
		isos := tr.Isomirs()
		for i, iso := range isos {
			reads[iso.Mature] += iso.Reads
			mols[iso.Mature] += iso.Molecules
			if i > 0 && isos[i-1].Mature == iso.Mature && isos[i-1].Seq >= iso.Seq {
				t.Fatalf("%s: isomiRs not sorted", kit)
			}
		}
		for m := range reads {
			if reads[m] != tr.MirnaReads[m] || mols[m] != tr.MirnaMolecules[m] {
				t.Errorf("%s %s: isomiRs sum to %d reads %d molecules, truth %d %d", kit, ref.Matures[m].Name,
					reads[m], mols[m], tr.MirnaReads[m], tr.MirnaMolecules[m])
			}
		}
		if kit != TruSeq {
			continue
		}
		starts := map[string]bool{}
		sc := bufio.NewScanner(fq)
		for n := 0; sc.Scan(); n++ {
			if n%4 == 1 {
				starts[sc.Text()] = true
			}
		}
		seen := 0
		for _, iso := range isos {
			for r := range starts {
				if strings.HasPrefix(r, iso.Seq) {
					seen++
					break
				}
			}
		}
		if seen < len(isos)*9/10 { // a few have a sequencing error in every read
			t.Errorf("%d of %d isomiR sequences open a read", seen, len(isos))
		}
	}
}
