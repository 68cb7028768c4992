package quant

import (
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"

	"github.com/biogo/hts/bam"
	"github.com/biogo/hts/sam"

	"github.com/exomir/exomir/seq"
)

// ErrBAMWrite reports an insert or hit that cannot be written as BAM.
var ErrBAMWrite = errors.New("quant: cannot write BAM")

// BAMWriteOptions describe the BAM written by WriteBAM. The zero value
// means the defaults.
type BAMWriteOptions struct {
	// Program and Version fill the @PG line (ID and PN = Program, default
	// "exomir"); CommandLine is its CL field, if not empty.
	Program, Version, CommandLine string
	// Molecules names reads "seq_<i>_x<molecules>" instead of
	// "seq_<i>_x<reads>" (UMI data: reading the BAM back then counts
	// molecules).
	Molecules bool
	// Threads is the number of BGZF compressors; 0 means 1. The output is
	// the same for any value.
	Threads int
	// Level is the deflate level, as in compress/gzip (1 fastest … 9
	// smallest, -1 zlib's default 6); 0 means 1: the file is an
	// intermediate, and level 1 writes it about 3× faster than level 6.
	Level int
}

// bamOutRec is one record to write: insert i, its hit h (h < 0: unmapped).
type bamOutRec struct {
	hairpin int32
	pos     int32
	insert  int32
	hit     int32
}

// WriteBAM writes the alignments of inserts on the hairpins of ref as a
// coordinate-sorted BAM: header "@HD VN:1.6 SO:coordinate", one @SQ per
// hairpin (in reference order, LN = hairpin length), one @PG.
//
// Insert i (0-based) is named "seq_<i+1>_x<reads>" (the collapsed-read
// convention, also read back by ReadHairpinAlignments as the read's
// weight). Each hit becomes a forward-strand record: CIGAR "<Len>M" plus
// "<Tail>S" for untemplated 3' bases, the full insert as SEQ, no
// qualities, tags NH (hits of the insert), HI (1-based hit number), NM
// (mismatches in the templated part) and MD. The first hit of an insert
// is primary, the others secondary (flag 256); MAPQ is 255 for inserts
// with one hit and 0 otherwise. Inserts without hits are written as
// unmapped records at the end, so the file accounts for every read.
// Records are sorted by (hairpin, position, insert, hit).
func WriteBAM(w io.Writer, ref *Reference, inserts []AlignedInsert, o BAMWriteOptions) error {
	opt := o
	if opt.Program == "" {
		opt.Program = "exomir"
	}
	if opt.Threads <= 0 {
		opt.Threads = 1
	}
	refs := make([]*sam.Reference, len(ref.Hairpins))
	for i, h := range ref.Hairpins {
		r, err := sam.NewReference(h.Name, "", "", len(h.Seq), nil, nil)
		if err != nil {
			return fmt.Errorf("%w: hairpin %s: %v", ErrBAMWrite, h.Name, err)
		}
		refs[i] = r
	}
	hdr, err := sam.NewHeader(nil, refs)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrBAMWrite, err)
	}
	hdr.Version = "1.6"
	hdr.SortOrder = sam.Coordinate
	if err := hdr.AddProgram(sam.NewProgram(opt.Program, opt.Program, opt.CommandLine, "", opt.Version)); err != nil {
		return fmt.Errorf("%w: %v", ErrBAMWrite, err)
	}

	var recs []bamOutRec
	for i := range inserts {
		in := &inserts[i]
		if len(in.Hits) == 0 {
			recs = append(recs, bamOutRec{hairpin: -1, pos: -1, insert: int32(i), hit: -1})
			continue
		}
		for j, h := range in.Hits {
			if h.Hairpin < 0 || int(h.Hairpin) >= len(ref.Hairpins) || h.Pos < 0 || h.Len <= 0 || h.Tail < 0 ||
				int(h.Pos)+int(h.Len) > len(ref.Hairpins[h.Hairpin].Seq) || int(h.Len)+int(h.Tail) != len(in.Seq) {
				return fmt.Errorf("%w: insert %d (%s): hit %+v does not fit its hairpin", ErrBAMWrite, i+1, in.Seq, h)
			}
			recs = append(recs, bamOutRec{hairpin: h.Hairpin, pos: h.Pos, insert: int32(i), hit: int32(j)})
		}
	}
	sort.Slice(recs, func(a, b int) bool {
		x, y := recs[a], recs[b]
		// Unmapped (hairpin -1) last.
		if (x.hairpin < 0) != (y.hairpin < 0) {
			return y.hairpin < 0
		}
		if x.hairpin != y.hairpin {
			return x.hairpin < y.hairpin
		}
		if x.pos != y.pos {
			return x.pos < y.pos
		}
		if x.insert != y.insert {
			return x.insert < y.insert
		}
		return x.hit < y.hit
	})

	if opt.Level == 0 {
		opt.Level = gzip.BestSpeed
	}
	bw, err := bam.NewWriterLevel(w, hdr, opt.Level, opt.Threads)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrBAMWrite, err)
	}
	var name []byte
	var md []byte
	for _, r := range recs {
		in := &inserts[r.insert]
		n := in.Reads
		if opt.Molecules {
			n = in.Molecules
		}
		name = append(name[:0], "seq_"...)
		name = strconv.AppendInt(name, int64(r.insert)+1, 10)
		name = append(name, "_x"...)
		name = strconv.AppendInt(name, n, 10)
		rec := &sam.Record{
			Name:    string(name),
			Pos:     -1,
			MatePos: -1,
			Seq:     sam.NewSeq(in.Seq),
		}
		if r.hit < 0 {
			rec.Flags = sam.Unmapped
		} else {
			h := in.Hits[r.hit]
			hp := ref.Hairpins[h.Hairpin].Seq
			rec.Ref = refs[h.Hairpin]
			rec.Pos = int(h.Pos)
			rec.MapQ = 255
			if len(in.Hits) > 1 {
				rec.MapQ = 0
			}
			if r.hit > 0 {
				rec.Flags = sam.Secondary
			}
			rec.Cigar = sam.Cigar{sam.NewCigarOp(sam.CigarMatch, int(h.Len))}
			if h.Tail > 0 {
				rec.Cigar = append(rec.Cigar, sam.NewCigarOp(sam.CigarSoftClipped, int(h.Tail)))
			}
			var nm int
			md, nm = mdTag(md[:0], in.Seq[:h.Len], hp[h.Pos:int(h.Pos)+int(h.Len)])
			// Tags in hts's in-memory layout: tag, type, value.
			aux := make([]byte, 0, 3*7+3+len(md))
			aux = appendIntAux(aux, "NH", len(in.Hits))
			aux = appendIntAux(aux, "HI", int(r.hit)+1)
			aux = appendIntAux(aux, "NM", nm)
			n := len(aux)
			aux = append(append(aux, "MDZ"...), md...)
			rec.AuxFields = sam.AuxFields{sam.Aux(aux[:9]), sam.Aux(aux[9:18]), sam.Aux(aux[18:n]), sam.Aux(aux[n:])}
		}
		if err := bw.Write(rec); err != nil {
			bw.Close()
			return fmt.Errorf("%w: %s: %v", ErrBAMWrite, rec.Name, err)
		}
	}
	if err := bw.Close(); err != nil {
		return fmt.Errorf("%w: %v", ErrBAMWrite, err)
	}
	return nil
}

// mdTag appends the SAM MD tag of an ungapped alignment of read on ref
// (equal lengths) to dst and returns it with the number of mismatches.
// Read letters other than A, C, G, T count as mismatches.
func mdTag(dst, read, ref []byte) ([]byte, int) {
	run, nm := 0, 0
	for i := range read {
		c := read[i]
		if c == ref[i] && (c == 'A' || c == 'C' || c == 'G' || c == 'T') {
			run++
			continue
		}
		dst = strconv.AppendInt(dst, int64(run), 10)
		dst = append(dst, ref[i])
		run = 0
		nm++
	}
	dst = strconv.AppendInt(dst, int64(run), 10)
	return dst, nm
}

// AlignInserts aligns inserts on ref exactly as Quantify does (an
// InsertAligner per worker: hairpins with 1 mismatch, then other classes,
// then hairpins with 2 mismatches) and returns them with their hairpin
// hits and the classes of their other-class hits, in input order: the
// input of WriteBAM for "exomir quant -bam-out". threads <= 0 means
// GOMAXPROCS; the result does not depend on it.
func AlignInserts(ctx context.Context, ref *Reference, inserts []seq.Insert, threads int) ([]AlignedInsert, error) {
	if _, err := ref.NewInsertAligner(); err != nil {
		return nil, err
	}
	out := make([]AlignedInsert, len(inserts))
	err := alignBlocks(ctx, ref, len(inserts), threads, func(al *InsertAligner, lo, hi int) {
		for i := lo; i < hi; i++ {
			read := []byte(inserts[i].Seq)
			hits, classes := al.Align(read)
			a := AlignedInsert{Seq: read, Reads: inserts[i].Reads, Molecules: inserts[i].Molecules}
			if len(hits) > 0 {
				a.Hits = append([]Hit(nil), hits...)
			}
			if len(classes) > 0 {
				a.Others = append([]int(nil), classes...)
			}
			out[i] = a
		}
	})
	if err != nil {
		return nil, err
	}
	return out, ctx.Err()
}

// appendIntAux appends an integer tag as type 'i' (int32, little endian),
// 7 bytes.
func appendIntAux(dst []byte, tag string, v int) []byte {
	u := uint32(int32(v))
	return append(dst, tag[0], tag[1], 'i', byte(u), byte(u>>8), byte(u>>16), byte(u>>24))
}
