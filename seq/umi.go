package seq

// UMI layout (QIAseq miRNA, GUIDE §3 and the miRTrace manual, Case 5):
//
//	insert | AACTGTAGGCACCATCAAT | 12-nt UMI | AGATCGGAAGAGCACACGTCT...
//
// The UMI is read right after the 3' adapter, so the adapter must be found
// before the UMI can be. Trimming the universal adapter first (as some
// pipelines do) would cut the UMI away; exomir never does that. A read that
// ends inside the adapter or the UMI keeps a short UMI with
// UMIComplete false; the caller decides what to do with it (the collapser
// counts such reads but not as separate molecules).
//
// Molecule counting from (insert, UMI) pairs, with UMI-tools' directional
// merge of one-error neighbours, lives in collapse.go (MergeUMIs).

// umiAfter returns the UMI of a read whose adapter alignment ends before
// adapterEnd (so an insertion or deletion in the adapter does not shift the
// UMI): the kit's UMILen bases from there, clipped at the read end, and
// whether all of them are present.
func (t *Trimmer) umiAfter(seq []byte, adapterEnd int) (umi []byte, complete bool) {
	u0 := min(adapterEnd, len(seq))
	u1 := min(u0+t.umiLen, len(seq))
	return seq[u0:u1:u1], u1-u0 == t.umiLen
}
