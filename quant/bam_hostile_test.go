package quant

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"runtime"
	"strings"
	"testing"

	"github.com/exomir/exomir/internal/gztest"
)

// TestBAMDeclaredLengthsDoNotAllocate: a few bytes declaring a 255 MiB
// header text, or a 60 MiB record, fail as truncated without allocating
// what they declare (once ~270 MB before the error).
func TestBAMDeclaredLengthsDoNotAllocate(t *testing.T) {
	ref, _ := bamToyRef(t)
	le := binary.LittleEndian
	hugeText := le.AppendUint32([]byte("BAM\x01"), 255<<20)
	hugeText = append(hugeText, "@HD\tVN:1.6"...)
	hugeRecord := le.AppendUint32([]byte("BAM\x01"), 0)
	hugeRecord = le.AppendUint32(hugeRecord, 0) // no references
	hugeRecord = le.AppendUint32(hugeRecord, 60<<20)
	hugeRecord = append(hugeRecord, make([]byte, 40)...)
	for _, tc := range []struct {
		name string
		data []byte
	}{{"header text", gztest.BGZF(hugeText)}, {"record", gztest.BGZF(hugeRecord)}} {
		t.Run(tc.name, func(t *testing.T) {
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			_, _, err := ReadHairpinAlignments(context.Background(), bytes.NewReader(tc.data), "tiny.bam", ref, BAMOptions{})
			runtime.ReadMemStats(&after)
			if !errors.Is(err, ErrAlignmentRecord) {
				t.Fatalf("err = %v, want ErrAlignmentRecord", err)
			}
			if got := after.TotalAlloc - before.TotalAlloc; got > 16<<20 {
				t.Errorf("%d-byte input allocated %d MB", len(tc.data), got>>20)
			}
		})
	}
}

// bamFile builds a BGZF-compressed BAM with the given references (name,
// length) and one record per (refID, pos) with a 4-base read "ACGT".
func bamFile(refs []struct {
	name string
	ln   int32
}, recs [][2]int32) []byte {
	le := binary.LittleEndian
	b := le.AppendUint32([]byte("BAM\x01"), 0)
	b = le.AppendUint32(b, uint32(len(refs)))
	for _, r := range refs {
		b = le.AppendUint32(b, uint32(len(r.name)+1))
		b = append(b, r.name...)
		b = append(b, 0)
		b = le.AppendUint32(b, uint32(r.ln))
	}
	for _, r := range recs {
		var rec []byte
		rec = le.AppendUint32(rec, uint32(r[0]))
		rec = le.AppendUint32(rec, uint32(r[1]))
		rec = append(rec, 2, 255)              // l_read_name ("r\0"), mapq
		rec = le.AppendUint16(rec, 0)          // bin
		rec = le.AppendUint16(rec, 1)          // one CIGAR op
		rec = le.AppendUint16(rec, 0)          // flag: mapped
		rec = le.AppendUint32(rec, 4)          // l_seq
		rec = le.AppendUint32(rec, 0xffffffff) // next refID
		rec = le.AppendUint32(rec, 0xffffffff) // next pos
		rec = le.AppendUint32(rec, 0)          // tlen
		rec = append(rec, 'r', 0)              // name
		rec = le.AppendUint32(rec, 4<<4|0)     // 4M
		rec = append(rec, 0x12, 0x48)          // ACGT
		rec = append(rec, 30, 30, 30, 30)      // qualities
		b = le.AppendUint32(b, uint32(len(rec)))
		b = append(b, rec...)
	}
	return gztest.BGZF(b)
}

// TestBAMBinaryFieldChecks: negative positions and reference lengths, and
// positions past a reference's end, are errors naming the record.
func TestBAMBinaryFieldChecks(t *testing.T) {
	ref, _ := bamToyRef(t)
	type sq = struct {
		name string
		ln   int32
	}
	toy := []sq{{"toy-mir-1", 73}, {"toy-mir-2", 73}}
	if _, _, err := ReadHairpinAlignments(context.Background(), bytes.NewReader(bamFile(toy, [][2]int32{{0, 10}})), "ok.bam", ref, BAMOptions{}); err != nil {
		t.Fatalf("valid BAM: %v", err)
	}
	for _, tc := range []struct {
		name    string
		data    []byte
		mention string
	}{
		{"negative position", bamFile(toy, [][2]int32{{0, 10}, {0, -5}}), "record 2: quant: bad BAM/SAM record: negative position"},
		{"mapped without position", bamFile(toy, [][2]int32{{0, -1}}), "without a position"},
		{"past the end", bamFile(toy, [][2]int32{{1, 73}}), "position 74 past the end of toy-mir-2"},
		{"negative reference length", bamFile([]sq{{"toy-mir-1", -73}}, nil), "negative length -73"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := ReadHairpinAlignments(context.Background(), bytes.NewReader(tc.data), "bad.bam", ref, BAMOptions{})
			if !errors.Is(err, ErrAlignmentRecord) || !strings.Contains(err.Error(), tc.mention) {
				t.Fatalf("err = %v, want ErrAlignmentRecord mentioning %q", err, tc.mention)
			}
		})
	}
}

// TestBAMWithoutEOFMarker: a BAM cut exactly at a block boundary has only
// valid records; the missing BGZF EOF marker is reported in the stats,
// the summary row and as a warning, and a complete file has none.
func TestBAMWithoutEOFMarker(t *testing.T) {
	ref, s := bamToyRef(t)
	sam := bamToyHeader + "r_x3\t0\ttoy-mir-1\t11\t255\t23M\t*\t0\t0\t" + s + "AA\t*\n"
	ins, _, err := ReadHairpinAlignments(context.Background(), strings.NewReader(sam), "a.sam", ref, BAMOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := WriteBAM(&buf, ref, ins, BAMWriteOptions{}); err != nil {
		t.Fatal(err)
	}
	full := buf.Bytes()
	if !bytes.HasSuffix(full, bgzfEOF) {
		t.Fatal("the writer did not end the BAM with the EOF marker")
	}
	for _, tc := range []struct {
		name    string
		data    []byte
		missing bool
	}{
		{"complete", full, false},
		{"no EOF block", full[:len(full)-len(bgzfEOF)], true},
		{"SAM", []byte(sam), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, st, err := ReadHairpinAlignments(context.Background(), bytes.NewReader(tc.data), "x.bam", ref, BAMOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if st.MissingEOF != tc.missing || st.Reads != 3 {
				t.Fatalf("MissingEOF %v (want %v), reads %d", st.MissingEOF, tc.missing, st.Reads)
			}
			smp, err := QuantifyHairpinBAM(context.Background(), bytes.NewReader(tc.data), "x.bam", "s1", ref, BAMOptions{})
			if err != nil {
				t.Fatal(err)
			}
			warned := strings.Contains(WarningCodes(CheckSample("", nil, smp)), string(WarnBAMTruncated))
			if row, _ := smp.Stat("bam_eof_marker"); warned != tc.missing || (row == "missing") != tc.missing {
				t.Errorf("row %q, warned %v, want missing %v", row, warned, tc.missing)
			}
		})
	}
}
