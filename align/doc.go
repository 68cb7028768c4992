// Package align places short reads (collapsed small-RNA inserts) on a set of
// reference sequences, such as miRBase hairpins, tRNAs or other small RNAs.
//
// Package align knows sequences and reference names, not miRBase: the
// assignment of a hit to a mature miRNA belongs to package quant.
//
// # Search model
//
// A read of length n is placed at position Pos of a reference with a
// templated length Len and an untemplated 3' tail of length Tail = n - Len
// when
//
//	read[0:Len] matches ref[Pos:Pos+Len] with at most MaxMismatches substitutions,
//	0 <= Tail <= MaxTail and every letter of read[Len:] is in TailBases,
//	Len >= MinLength and the placement lies inside the reference (no overhang).
//
// An N (or any letter other than A, C, G, T) in the read counts as a
// mismatch; an N (or other ambiguity code) in the reference never matches.
// There are no insertions or deletions. With BothStrands the read is also
// compared with the reverse complement of every reference; Pos is then
// still the 0-based start on the forward strand of the templated part, the
// read's 5' end sits at Pos+Len-1, and the tail hangs off below Pos.
//
// The search is complete: every placement satisfying the rules above is a
// candidate, none is sampled. Candidates are ranked by the class
// (Mismatches, Tail), compared lexicographically (fewer mismatches first,
// then the shorter tail), and Align returns every candidate of the best
// class over all references and both strands, sorted by (Ref, Pos,
// Reverse). Within the best class a placement (Ref, Pos, Reverse) appears
// at most once, because Tail fixes Len.
//
// A consequence of the ranking is that a tail is reported only when it
// helps: if the first tail base equalled the next reference base, the same
// placement with that base templated would have the same number of
// mismatches and a shorter tail, hence a better class. So a tailed hit
// always has read[Len] != ref[Pos+Len] on its strand (or the reference ends
// at Pos+Len). Conversely a 3' A that mismatches the reference is reported
// as a one-base tail with no mismatch rather than as a full-length hit with
// one mismatch, which is how untemplated A/U additions of miRNAs look.
//
// # Method
//
// The index stores every position of every reference (and reverse
// complement when BothStrands is set) sorted by the k-mer that starts there
// (k between 8 and 11, chosen from the reference size; letters past the
// reference end or N count as A). Because the k-mers are sorted with the
// first base most significant, all positions whose sequence starts with a
// given string shorter than k form one contiguous range, so seeds shorter
// than k need no second index.
//
// A read is searched by the pigeonhole principle: the shortest templated
// part that any allowed tail can leave, read[0:n-t_max], is cut into
// MaxMismatches+1 segments; any hit with at most MaxMismatches mismatches
// matches one segment exactly. Each segment's range of positions gives
// candidate placements, which are verified base by base for every tail
// length at once. A placement is reported only through the first segment
// that matches it exactly, so it is reported once and no scratch memory is
// needed for de-duplication. See Baeza-Yates and Navarro, "Faster approximate string
// matching", Algorithmica 23 (1999), for the partition argument.
package align
