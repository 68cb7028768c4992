package simulate

import (
	"bufio"
	"cmp"
	"path/filepath"
	"slices"
	"strconv"

	"github.com/exomir/exomir/internal/atomicfile"
)

// Files of the isomiR truth, written by WriteStudy.
const (
	TruthIsomirReadsFile     = "truth_isomir_reads.tsv"
	TruthIsomirMoleculesFile = "truth_isomir_molecules.tsv"
)

// IsomirTruth is one simulated isomiR of a sample: a mature and the
// insert sequence of its molecules (shifts, 3' additions and SNV
// included; sequencing errors and UMIs not), with its reads and
// molecules.
type IsomirTruth struct {
	Mature    int // index in Ref.Matures
	Seq       string
	Reads     int64
	Molecules int64
}

// isomirTally counts a sample's isomiRs: per insert sequence, its
// matures (almost always one).
type isomirTally map[string][]IsomirTruth

// add records reads of a molecule (molecule: a new one) of mature mat with
// insert ins.
func (t *isomirTally) add(mat int, ins []byte, reads int64, molecule bool) {
	if *t == nil {
		*t = isomirTally{}
	}
	list := (*t)[string(ins)] // no allocation for the lookup
	k := slices.IndexFunc(list, func(x IsomirTruth) bool { return x.Mature == mat })
	if k < 0 {
		s := string(ins)
		list = append(list, IsomirTruth{Mature: mat, Seq: s})
		k = len(list) - 1
		(*t)[s] = list
	}
	list[k].Reads += reads
	if molecule {
		list[k].Molecules++
	}
}

// Isomirs returns the sample's isomiRs sorted by mature (reference order)
// and sequence.
func (t *Truth) Isomirs() []IsomirTruth {
	var out []IsomirTruth
	for _, l := range t.isomirs {
		out = append(out, l...)
	}
	slices.SortFunc(out, func(a, b IsomirTruth) int {
		if c := cmp.Compare(a.Mature, b.Mature); c != 0 {
			return c
		}
		return cmp.Compare(a.Seq, b.Seq)
	})
	return out
}

// writeIsomirTruth writes truth_isomir_reads.tsv and
// truth_isomir_molecules.tsv: "mirna feature read" then one column per
// sample, one row per (mature, insert) seen in any sample, sorted by
// mature (reference order) and read.
func (st *Study) writeIsomirTruth(dir string, truths []*Truth) error {
	type key struct {
		mat int
		seq string
	}
	rows := map[key][]IsomirTruth{}
	var keys []key
	for si, t := range truths {
		for _, iso := range t.Isomirs() {
			k := key{iso.Mature, iso.Seq}
			if rows[k] == nil {
				rows[k] = make([]IsomirTruth, len(truths))
				keys = append(keys, k)
			}
			rows[k][si] = iso
		}
	}
	slices.SortFunc(keys, func(a, b key) int {
		if c := cmp.Compare(a.mat, b.mat); c != 0 {
			return c
		}
		return cmp.Compare(a.seq, b.seq)
	})
	for _, f := range []struct {
		name string
		get  func(IsomirTruth) int64
	}{{TruthIsomirReadsFile, func(x IsomirTruth) int64 { return x.Reads }},
		{TruthIsomirMoleculesFile, func(x IsomirTruth) int64 { return x.Molecules }}} {
		err := atomicfile.WriteFile(filepath.Join(dir, f.name), func(w *bufio.Writer) error {
			w.WriteString("mirna\tfeature\tread")
			for _, s := range st.Samples {
				w.WriteByte('\t')
				w.WriteString(s.Name)
			}
			w.WriteByte('\n')
			var b []byte
			for _, k := range keys {
				m := &st.Ref.Matures[k.mat]
				b = append(b[:0], m.Name...)
				b = append(b, '\t')
				b = append(b, m.Feature...)
				b = append(b, '\t')
				b = append(b, k.seq...)
				for _, x := range rows[k] {
					b = append(b, '\t')
					b = strconv.AppendInt(b, f.get(x), 10)
				}
				b = append(b, '\n')
				w.Write(b)
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}
