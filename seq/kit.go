package seq

import (
	"errors"
	"fmt"
	"strings"
)

// ErrUnknownKit is returned (wrapped) by KitByName for a name that is not a
// known library-prep preset.
var ErrUnknownKit = errors.New("seq: unknown library-prep kit")

// ErrBadAdapter is returned (wrapped) by NewTrimmer for an adapter with
// letters other than A, C, G, T, U or N.
var ErrBadAdapter = errors.New("seq: invalid adapter sequence")

// Kit is a library-prep layout preset.
type Kit struct {
	Name    string // "truseq","nextflex","qiaseq","v1","v1.5","cats","neb","encode","none"
	Adapter string // 3' adapter (DNA letters); "" for none; poly-A for cats handled by PolyA
	Clip5   int    // bases removed from the insert's 5' end after trimming (nextflex 4 random, cats 3, encode 6-nt barcode)
	Clip3   int    // random bases removed from the insert's 3' end (nextflex 4)
	UMILen  int    // bases right after the adapter forming the UMI (qiaseq 12)
	PolyA   bool   // cats: trim a poly-A tail instead of an adapter
}

// Adapter sequences of the presets. Sources: GUIDE §3 (the kit table), and
// the shared data's other/compsra_adapter_kits.tsv (TruSeq, v1, v1.5,
// NEXTflex v3 RA3 sequences) and nfcore_smrnaseq_known_adapters.fa (QIAseq,
// Illumina, NEXTflex). The NEB/universal adapter is the Illumina TruSeq
// index-read adapter prefix (GUIDE §3). The ENCODE adapter is
// three_prime_adapter.fasta of ENCODE-DCC/mirna-seq-pipeline (adapters/,
// commit d2d3e600; GUIDE §3, ../shared/data/other/encode_adapters), whose
// five_prime_adapter_set*.fasta list the 6-nt 5' barcodes (^CAGTCG, ...).
const (
	AdapterTruSeq    = "TGGAATTCTCGGGTGCCAAGG"
	AdapterQIAseq    = "AACTGTAGGCACCATCAAT"
	AdapterV15       = "ATCTCGTATGCCGTCTTCTGCTTG"
	AdapterV1        = "TCGTATGCCGTCTTCTGCTTG"
	AdapterUniversal = "AGATCGGAAGAGCACACGTCT"
	AdapterENCODE    = "ACGGGCTAATATTTATCGGTGGAG"
	// polyATail is the stand-in adapter used for poly-A kits: nf-core/smrnaseq
	// trims CATS reads with the 3' adapter AAAAAAAA (conf/protocol_cats).
	polyATail = "AAAAAAAA"
)

// kits lists the presets in the order KitNames reports them.
var kits = []Kit{
	{Name: "truseq", Adapter: AdapterTruSeq},
	// NEXTflex v3: 4 random nt at each end of the insert (GUIDE §3;
	// nf-core/smrnaseq protocol_nextflex: clip_r1 4, three_prime_clip_r1 4).
	{Name: "nextflex", Adapter: AdapterTruSeq, Clip5: 4, Clip3: 4},
	// QIAseq miRNA: insert, adapter, 12-nt UMI, then the universal adapter.
	{Name: "qiaseq", Adapter: AdapterQIAseq, UMILen: 12},
	{Name: "v1", Adapter: AdapterV1},
	{Name: "v1.5", Adapter: AdapterV15},
	// CATS: poly-A tail, 3 nt of the template-switch oligo at the 5' end
	// (GUIDE §3; nf-core/smrnaseq protocol_cats: clip_r1 3).
	{Name: "cats", PolyA: true, Clip5: 3},
	{Name: "neb", Adapter: AdapterUniversal},
	// ENCODE small RNA (HepG2 and other ENCODE miRNA-seq libraries): a
	// 6-nt barcode before the insert, clipped like random bases (the
	// ENCODE pipeline removes it with cutadapt's anchored 5' adapters).
	{Name: "encode", Adapter: AdapterENCODE, Clip5: 6},
	{Name: "none"},
}

// KitNames returns the names of the presets, in a fixed order.
func KitNames() []string {
	names := make([]string, len(kits))
	for i, k := range kits {
		names[i] = k.Name
	}
	return names
}

// KitByName returns the preset with the given name (case-insensitive). An
// unknown name gives an error wrapping ErrUnknownKit that lists the valid
// names.
func KitByName(name string) (Kit, error) {
	n := strings.ToLower(strings.TrimSpace(name))
	for _, k := range kits {
		if k.Name == n {
			return k, nil
		}
	}
	return Kit{}, fmt.Errorf("%w %q (valid: %s)", ErrUnknownKit, name, strings.Join(KitNames(), ", "))
}

// normalizeAdapter upper-cases an adapter, turns U into T and checks that
// only A, C, G, T and N remain.
func normalizeAdapter(s string) (string, error) {
	b := []byte(strings.TrimSpace(s))
	for i, c := range b {
		switch c {
		case 'a', 'c', 'g', 't', 'n':
			c -= 'a' - 'A'
		case 'u', 'U':
			c = 'T'
		}
		switch c {
		case 'A', 'C', 'G', 'T', 'N':
		default:
			return "", fmt.Errorf("%w: %q has %q at position %d", ErrBadAdapter, s, c, i+1)
		}
		b[i] = c
	}
	return string(b), nil
}
