package main

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/exomir/exomir/internal/gztest"
	"github.com/exomir/exomir/internal/tsvtest"
)

// Tiny valid inputs the bad ones are made from. The hairpins and matures
// are miRBase 21's hsa-mir-21 / hsa-let-7a-1 (hsa-miR-21-5p, hsa-let-7a-5p).
const (
	bHairpin21 = "TGTCGGGTAGCTTATCAGACTGATGTTGACTGTTGAATCTCATGGCAACACCAGTCGATGGGCTGTCTGACA"
	bHairpin7a = "TGGGATGAGGTAGTAGGTTGTATAGTTTTAGGGTCACACCCACCACTGGGAGATAACTATACAATCTACTGTCTTTCCTA"
	bMir21     = "TAGCTTATCAGACTGATGTTGA"
	bLet7a     = "TGAGGTAGTAGGTTGTATAGTT"
	bAdapter   = "TGGAATTCTCGGGTGCCAAGG"
)

var (
	bMatureFa  = ">hsa-miR-21-5p MIMAT0000076\n" + bMir21 + "\n>hsa-let-7a-5p MIMAT0000062\n" + bLet7a + "\n"
	bHairpinFa = ">hsa-mir-21 MI0000077\n" + bHairpin21 + "\n>hsa-let-7a-1 MI0000060\n" + bHairpin7a + "\n"
	bSAMHeader = fmt.Sprintf("@HD\tVN:1.6\tSO:unsorted\n@SQ\tSN:hsa-mir-21\tLN:%d\n@SQ\tSN:hsa-let-7a-1\tLN:%d\n", len(bHairpin21), len(bHairpin7a))
	// a read of miR-21-5p at position 8 of its hairpin
	bSAMRead = "seq_1_x5\t0\thsa-mir-21\t8\t255\t22M\t*\t0\t0\t" + bMir21 + "\t*\n"
	bGFF     = "##gff-version 3\n" +
		"chr1\t.\tmiRNA_primary_transcript\t101\t172\t.\t+\t.\tID=MI0000077;Alias=MI0000077;Name=hsa-mir-21\n" +
		"chr1\t.\tmiRNA\t108\t129\t.\t+\t.\tID=MIMAT0000076;Alias=MIMAT0000076;Name=hsa-miR-21-5p;Derives_from=MI0000077\n"
	bGenomeSAM = "@HD\tVN:1.6\tSO:unsorted\n@SQ\tSN:chr1\tLN:1000\nseq_1_x5\t0\tchr1\t108\t255\t22M\t*\t0\t0\t" + bMir21 + "\t*\n"
)

// bRead is one FASTQ record of insert+TruSeq adapter.
func bRead(name, insert string) string {
	s := insert + bAdapter
	return "@" + name + "\n" + s + "\n+\n" + strings.Repeat("I", len(s)) + "\n"
}

// bReads is a valid FASTQ of n reads (miR-21 and let-7a alternating).
func bReads(n int) string {
	var b strings.Builder
	for i := 0; i < n; i++ {
		ins := bMir21
		if i%2 == 1 {
			ins = bLet7a
		}
		b.WriteString(bRead(fmt.Sprintf("r%d", i+1), ins))
	}
	return b.String()
}

func bGzip(s string) string {
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	w.Write([]byte(s))
	w.Close()
	return b.String()
}

func bBGZF(s string) string { return string(gztest.BGZF([]byte(s))) }

// bGarbage is deterministic binary junk.
func bGarbage(n int) string {
	b := make([]byte, n)
	x := uint32(12345)
	for i := range b {
		x = x*1664525 + 1013904223
		b[i] = byte(x >> 24)
	}
	return string(b)
}

// badCase is one bad input. files are written into the case's folder;
// in args, {d} is that folder and {out} the output folder. want are
// substrings of stderr (file and line or record); warn marks a case that
// succeeds with a "warning:" line.
type badCase struct {
	cmd   string // command group, for the count by command
	name  string
	files map[string]string
	args  []string
	want  []string
	warn  bool
	// notWant are substrings stderr must not hold; wantOut maps an output
	// file (warning cases) to a substring it must hold.
	notWant []string
	wantOut map[string]string
}

// quant flags with the tiny reference and the kit given, so that each case
// is fast and does not depend on detection.
var bQuantRef = []string{"-mature", "{d}/mature.fa", "-hairpin", "{d}/hairpin.fa"}

func bFiles(kv ...string) map[string]string {
	m := map[string]string{"mature.fa": bMatureFa, "hairpin.fa": bHairpinFa}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return m
}

func bCollapse(name, content string, want ...string) badCase {
	return badCase{cmd: "collapse", name: name, files: bFiles("bad.fq", content),
		args: []string{"collapse", "-in", "{d}/bad.fq", "-out", "{out}/s1", "-protocol", "truseq"}, want: want}
}

func bQuantFastq(name, content string, want ...string) badCase {
	return badCase{cmd: "quant fastq", name: name, files: bFiles("bad.fq", content),
		args: append([]string{"quant", "-fastq", "{d}/bad.fq", "-sample", "s1", "-out", "{out}", "-protocol", "truseq"}, bQuantRef...), want: want}
}

func bQuantSAM(name, content string, want ...string) badCase {
	return badCase{cmd: "quant bam", name: name, files: bFiles("bad.sam", content),
		args: append([]string{"quant", "-bam", "{d}/bad.sam", "-sample", "s1", "-out", "{out}"}, bQuantRef...), want: want}
}

func bQuantBAM(name, content string, want ...string) badCase {
	return badCase{cmd: "quant bam", name: name, files: bFiles("bad.bam", content),
		args: append([]string{"quant", "-bam", "{d}/bad.bam", "-sample", "s1", "-out", "{out}"}, bQuantRef...), want: want}
}

func bGenome(name, gff, sam string, want ...string) badCase {
	return badCase{cmd: "quant genome", name: name, files: bFiles("bad.gff3", gff, "genome.sam", sam),
		args: append([]string{"quant", "-bam", "{d}/genome.sam", "-gff", "{d}/bad.gff3", "-sample", "s1", "-out", "{out}"}, bQuantRef...), want: want}
}

func bRef(name string, files map[string]string, extra []string, want ...string) badCase {
	m := bFiles("reads.fq", bReads(4))
	maps.Copy(m, files)
	args := append([]string{"quant", "-fastq", "{d}/reads.fq", "-sample", "s1", "-out", "{out}", "-protocol", "truseq"}, bQuantRef...)
	return badCase{cmd: "reference", name: name, files: m, args: append(args, extra...), want: want}
}

const bMergeGood = "mirna\tcount\nm1\t1\nm2\t2\n"

func bMerge(name, content string, want ...string) badCase {
	return badCase{cmd: "merge", name: name, files: map[string]string{"A.mirna_counts.tsv": bMergeGood, "bad.mirna_counts.tsv": content},
		args: []string{"merge", "-out", "{out}/counts.tsv", "{d}/A.mirna_counts.tsv", "{d}/bad.mirna_counts.tsv"}, want: want}
}

var (
	bCounts  = "mirna\ta\tb\tc\td\nm1\t10\t12\t9\t30\nm2\t20\t27\t19\t31\nm3\t30\t39\t28\t33\nm4\t5\t3\t7\t40\n"
	bColdata = "sample\tcondition\na\ttumor\nb\ttumor\nc\tcontrol\nd\tcontrol\n"
)

func bDE(name, counts, coldata string, want ...string) badCase {
	return badCase{cmd: "de", name: name, files: map[string]string{"counts.tsv": counts, "coldata.tsv": coldata},
		args: []string{"de", "-counts", "{d}/counts.tsv", "-coldata", "{d}/coldata.tsv", "-out", "{out}/de.tsv"}, want: want}
}

// bRun is a study of four samples; files override or add inputs.
func bRun(name, sheet string, files map[string]string, want ...string) badCase {
	m := bFiles("a.fq", bReads(6), "b.fq", bReads(8), "c.fq", bReads(10), "d.fq", bReads(12), "sheet.tsv", sheet)
	maps.Copy(m, files)
	return badCase{cmd: "run", name: name, files: m,
		args: append([]string{"run", "-samplesheet", "{d}/sheet.tsv", "-out", "{out}", "-protocol", "truseq", "-quiet"}, bQuantRef...), want: want}
}

const bSheetHead = "sample\tcondition\tfastq\n"

var bSheet = bSheetHead + "a\ttumor\ta.fq\nb\ttumor\tb.fq\nc\tcontrol\tc.fq\nd\tcontrol\td.fq\n"

func badInputCases() []badCase {
	good := bReads(2) // records 1-2, lines 1-8
	long := strings.Repeat("A", 1001)
	gzReads := bGzip(bReads(3000))
	bgReads := bBGZF(bReads(3000))
	fastqFaults := []struct {
		name, content string
		want          []string
	}{
		{"truncated after header", good + "@r3\n", []string{"bad.fq:9", "record 3", "truncated"}},
		{"truncated in quality", strings.TrimSuffix(good, "I\n"), []string{"bad.fq:8", "record 2", "truncated"}},
		{"sequence and quality lengths differ", good + "@r3\nACGT\n+\nIII\n@r4\nA\n+\nI\n", []string{"bad.fq:12", "record 3", "lengths differ"}},
		{"missing plus line", good + "@r3\nACGT\nIIII\n@r4\n", []string{"bad.fq:11", "record 3", "'+'"}},
		{"header without @", good + "r3\nACGT\n+\nIIII\n", []string{"bad.fq:9", "record 3", "want '@'"}},
		{"binary garbage", bGarbage(300), []string{"bad.fq:1", "record 1"}},
		{"empty file", "", []string{"bad.fq", "no records"}},
		{"only blank lines", "\n\n\n", []string{"bad.fq:3", "no records"}},
		{"letter X in sequence", good + "@r3\nACXT\n+\nIIII\n", []string{"bad.fq:10", "record 3", "'X' at column 3"}},
		{"digit in sequence", good + "@r3\nAC1T\n+\nIIII\n", []string{"bad.fq:10", "record 3", "'1' at column 3"}},
		{"NUL in sequence", good + "@r3\nAC\x00T\n+\nIIII\n", []string{"bad.fq:10", "record 3", "column 3"}},
		{"space in quality", good + "@r3\nACGT\n+\nII I\n", []string{"bad.fq:12", "record 3", "quality", "column 3"}},
		{"DEL in quality", good + "@r3\nACGT\n+\nIII\x7f\n", []string{"bad.fq:12", "record 3", "quality", "column 4"}},
		{"byte 0xff in quality", "@r1\nACGT\n+\n\xffIII\n", []string{"bad.fq:4", "record 1", "quality"}},
		{"read over 1000 nt", good + "@r3\n" + long + "\n+\n" + long + "\n", []string{"bad.fq:10", "record 3", "longer than 1000"}},
		{"read over 1000 nt without newline", "@r1\n" + long, []string{"bad.fq:2", "record 1", "longer than 1000"}},
		{"header over 64 KiB", "@" + strings.Repeat("n", 70000) + "\nACGT\n+\nIIII\n", []string{"bad.fq:1", "longer than 65536"}},
		{"FASTA instead of FASTQ", ">r1\n" + bMir21 + "\n", []string{"bad.fq:1", "record 1", "FASTA, not FASTQ"}},
		{"collapsed FASTA instead of FASTQ", ">seq_1_x20\n" + bMir21 + "\n>seq_2_x3\n" + bLet7a + "\n", []string{"bad.fq:1", "FASTA, not FASTQ", "BAM/SAM"}},
		{"gzip cut in half", gzReads[:len(gzReads)/2], []string{"bad.fq:", "record", "truncated"}},
		{"gzip without trailer", gzReads[:len(gzReads)-4], []string{"bad.fq:", "truncated"}},
		{"gzip header cut short", gzReads[:6], []string{"bad.fq:1", "gzip header"}},
		{"bgzf cut in half", bgReads[:len(bgReads)/2], []string{"bad.fq:", "truncated"}},
		{"gzip of garbage", bGzip(bGarbage(500)), []string{"bad.fq:1", "record 1"}},
		{"quality line longer than sequence", good + "@r3\nACGT\n+\nIIIII\n", []string{"bad.fq:12", "record 3", "4 bases, 5 qualities"}},
	}
	var cases []badCase
	for _, f := range fastqFaults {
		cases = append(cases, bCollapse(f.name, f.content, f.want...))
	}
	// quant -fastq shares the reader: a selection of the same faults.
	for _, i := range []int{0, 2, 4, 7, 8, 11, 14, 17, 19, 23} {
		f := fastqFaults[i]
		cases = append(cases, bQuantFastq(f.name, f.content, f.want...))
	}
	cases = append(cases,
		badCase{cmd: "collapse", name: "input file missing", files: bFiles(),
			args: []string{"collapse", "-in", "{d}/nope.fq", "-out", "{out}/s1"}, want: []string{"nope.fq", "no such file"}},
		badCase{cmd: "collapse", name: "-max-read-len 40 on 43-nt reads", files: bFiles("bad.fq", bReads(3)),
			args: []string{"collapse", "-in", "{d}/bad.fq", "-out", "{out}/s1", "-max-read-len", "40"}, want: []string{"bad.fq:2", "record 1", "longer than 40", "-max-read-len"}},
		badCase{cmd: "quant fastq", name: "-max-read-len 30 on 43-nt reads", files: bFiles("bad.fq", bReads(3)),
			args: append([]string{"quant", "-fastq", "{d}/bad.fq", "-sample", "s1", "-out", "{out}", "-max-read-len", "30"}, bQuantRef...), want: []string{"bad.fq:2", "record 1", "longer than 30"}},
		badCase{cmd: "quant fastq", name: "input is a directory", files: bFiles("dir/x", ""),
			args: append([]string{"quant", "-fastq", "{d}/dir", "-sample", "s1", "-out", "{out}"}, bQuantRef...), want: []string{"dir"}},
	)

	// Reference files (-mature, -hairpin, -other).
	cases = append(cases,
		bRef("mature: bad letter", map[string]string{"mature.fa": ">hsa-miR-21-5p\nTAGCTTATCAG\n>hsa-let-7a-5p\nTGAGG7AGTAGGTTGTATAGTT\n"}, nil, "mature.fa:4", "record 2", "'7' at column 6"),
		bRef("mature: no header", map[string]string{"mature.fa": bMir21 + "\n"}, nil, "mature.fa:1", "want '>'"),
		bRef("mature: FASTQ given", map[string]string{"mature.fa": bRead("r1", bMir21)}, nil, "mature.fa:1", "want '>'"),
		bRef("mature: empty file", map[string]string{"mature.fa": ""}, nil, "mature.fa", "no records"),
		bRef("mature: binary garbage", map[string]string{"mature.fa": bGarbage(200)}, nil, "mature.fa:1"),
		bRef("mature: gzip cut short", map[string]string{"mature.fa": bGzip(bMatureFa)[:30]}, nil, "mature.fa", "truncated"),
		bRef("mature: one name, two sequences", map[string]string{"mature.fa": bMatureFa + ">hsa-miR-21-5p x\n" + bLet7a + "\n"}, nil, "mature.fa:5", "record 3", "record 1 on line 1"),
		bRef("mature: on no hairpin", map[string]string{"mature.fa": bMatureFa + ">hsa-miR-999\nACGTACGTACGTACGTACGTAC\n"}, nil, "mature.fa:5", "record 3", "hsa-miR-999", "-skip-unplaced"),
		bRef("hairpin: name twice", map[string]string{"hairpin.fa": bHairpinFa + ">hsa-mir-21 again\n" + bHairpin21 + "\n"}, nil, "hairpin.fa:5", "record 3", "record 1 on line 1"),
		bRef("hairpin: bad letter", map[string]string{"hairpin.fa": ">hsa-mir-21\nTGTCGGG\nTAG!CTT\n"}, nil, "hairpin.fa:3", "record 1", "'!' at column 4"),
		bRef("hairpin: empty file", map[string]string{"hairpin.fa": ""}, nil, "hairpin.fa", "no records"),
		bRef("reference: species absent", map[string]string{"mature.fa": strings.ReplaceAll(bMatureFa, "hsa-", "mmu-"), "hairpin.fa": strings.ReplaceAll(bHairpinFa, "hsa-", "mmu-")}, nil, "mature.fa", "hairpin.fa", "unknown species", "mmu"),
		bRef("-other: bad letter", map[string]string{"trna.fa": ">tRNA-Gly\nGCATTGG=TGGTTCAGTGG\n"}, []string{"-other", "tRNA={d}/trna.fa"}, "trna.fa:2", "record 1", "'=' at column 8"),
		bRef("-other: headers only", map[string]string{"trna.fa": ">tRNA-Gly\n>tRNA-Glu\n"}, []string{"-other", "tRNA={d}/trna.fa"}, "trna.fa", "no sequences"),
		bRef("-other: FASTQ given", map[string]string{"trna.fq": bRead("r1", bMir21)}, []string{"-other", "tRNA={d}/trna.fq"}, "trna.fq:1", "want '>'"),
		bRef("-other: missing file", nil, []string{"-other", "tRNA={d}/nope.fa"}, "nope.fa", "no such file"),
	)

	// Alignments on hairpins (SAM and BAM).
	cases = append(cases,
		bQuantSAM("bad CIGAR", bSAMHeader+bSAMRead+"seq_2_x1\t0\thsa-mir-21\t8\t255\t22Q\t*\t0\t0\t"+bMir21+"\t*\n", "bad.sam", "record 2", "CIGAR"),
		bQuantSAM("CIGAR length differs from SEQ", bSAMHeader+"seq_1_x1\t0\thsa-mir-21\t8\t255\t20M\t*\t0\t0\t"+bMir21+"\t*\n", "bad.sam", "record 1"),
		bQuantSAM("reference not in @SQ", bSAMHeader+"seq_1_x1\t0\thsa-mir-99\t8\t255\t22M\t*\t0\t0\t"+bMir21+"\t*\n", "bad.sam", "hsa-mir-99", "absent"),
		bQuantSAM("reference absent from the miRNA reference", "@SQ\tSN:hsa-mir-155\tLN:65\nseq_1_x1\t0\thsa-mir-155\t8\t255\t22M\t*\t0\t0\t"+bMir21+"\t*\n", "bad.sam", "hsa-mir-155"),
		bQuantSAM("SEQ with a digit", bSAMHeader+"seq_1_x1\t0\thsa-mir-21\t8\t255\t22M\t*\t0\t0\tTAGCTTATCAG1CTGATGTTGA\t*\n", "bad.sam", "record 1", "SEQ"),
		bQuantSAM("QUAL length differs from SEQ", bSAMHeader+"seq_1_x1\t0\thsa-mir-21\t8\t255\t22M\t*\t0\t0\t"+bMir21+"\tIIII\n", "bad.sam", "record 1", "QUAL"),
		bQuantSAM("negative position", bSAMHeader+"seq_1_x1\t0\thsa-mir-21\t-5\t255\t22M\t*\t0\t0\t"+bMir21+"\t*\n", "bad.sam", "record 1"),
		bQuantSAM("position past the reference end", bSAMHeader+"seq_1_x1\t0\thsa-mir-21\t80\t255\t22M\t*\t0\t0\t"+bMir21+"\t*\n", "bad.sam", "record 1", "end"),
		bQuantSAM("count above 2^53", bSAMHeader+"seq_1_x9007199254740993\t0\thsa-mir-21\t8\t255\t22M\t*\t0\t0\t"+bMir21+"\t*\n", "bad.sam", "record 1", "2^53"),
		bQuantSAM("counts adding up above 2^53", bSAMHeader+"seq_1_x9007199254740000\t0\thsa-mir-21\t8\t255\t22M\t*\t0\t0\t"+bMir21+"\t*\nseq_2_x9007199254740000\t0\thsa-mir-21\t8\t255\t22M\t*\t0\t0\t"+bMir21+"\t*\n", "bad.sam", "2^53"),
		bQuantSAM("too few columns", bSAMHeader+"seq_1_x1\t0\thsa-mir-21\t8\n", "bad.sam", "record 1"),
		bQuantSAM("POS not a number", bSAMHeader+"seq_1_x1\t0\thsa-mir-21\tabc\t255\t22M\t*\t0\t0\t"+bMir21+"\t*\n", "bad.sam", "record 1"),
		bQuantSAM("FLAG not a number", bSAMHeader+"seq_1_x1\tzero\thsa-mir-21\t8\t255\t22M\t*\t0\t0\t"+bMir21+"\t*\n", "bad.sam", "record 1"),
		bQuantSAM("@SQ with a negative length", "@SQ\tSN:hsa-mir-21\tLN:-5\n"+bSAMRead, "bad.sam", "header", "-5"),
		bQuantSAM("@SQ without SN", "@SQ\tLN:72\n"+bSAMRead, "bad.sam", "header", "without SN"),
		bQuantSAM("@SQ listed twice", bSAMHeader+fmt.Sprintf("@SQ\tSN:hsa-mir-21\tLN:%d\n", len(bHairpin21))+bSAMRead, "bad.sam", "header", "twice"),
		bQuantSAM("@SQ length differs from the reference", "@SQ\tSN:hsa-mir-21\tLN:99\n"+bSAMRead, "bad.sam", "hsa-mir-21"),
		bQuantSAM("read name repeated after another read", bSAMHeader+bSAMRead+"seq_2_x1\t0\thsa-let-7a-1\t5\t255\t22M\t*\t0\t0\t"+bLet7a+"\t*\n"+bSAMRead, "bad.sam", "record 3", "record 1"),
		bQuantSAM("empty file", "", "bad.sam", "empty"),
		bQuantSAM("binary garbage", "\x01"+bGarbage(400), "bad.sam", "not a BAM or SAM"),
		bQuantBAM("BAM cut in half", bBGZF("BAM\x01" + bGarbage(2000))[:500], "bad.bam", "header"),
		bQuantBAM("BAM declaring 255 MiB of header text", bBGZF("BAM\x01\x00\x00\xf0\x0f"), "bad.bam", "header"),
		bQuantBAM("uncompressed BAM", "BAM\x01\x00\x00\x00\x00\x00\x00\x00\x00", "bad.bam", "uncompressed BAM"),
	)

	// Alignments on the genome with a miRBase GFF3.
	gffHead := "##gff-version 3\n"
	cases = append(cases,
		bGenome("feature over 10 kb", gffHead+"chr1\t.\tmiRNA_primary_transcript\t1\t2000000000\t.\t+\t.\tID=MI0000077;Name=hsa-mir-21\n", bGenomeSAM, "bad.gff3:2"),
		bGenome("8 columns", gffHead+"chr1\t.\tmiRNA_primary_transcript\t101\t172\t.\t+\tID=MI0000077;Name=hsa-mir-21\n", bGenomeSAM, "bad.gff3:2"),
		bGenome("start after end", gffHead+"chr1\t.\tmiRNA_primary_transcript\t172\t101\t.\t+\t.\tID=MI0000077;Name=hsa-mir-21\n", bGenomeSAM, "bad.gff3:2"),
		bGenome("start not a number", gffHead+"chr1\t.\tmiRNA_primary_transcript\tx\t172\t.\t+\t.\tID=MI0000077;Name=hsa-mir-21\n", bGenomeSAM, "bad.gff3:2"),
		bGenome("bad strand", gffHead+"chr1\t.\tmiRNA_primary_transcript\t101\t172\t.\t*\t.\tID=MI0000077;Name=hsa-mir-21\n", bGenomeSAM, "bad.gff3:2"),
		bGenome("miRNA of an unknown transcript", bGFF+"chr1\t.\tmiRNA\t140\t161\t.\t+\t.\tID=MIMAT9;Name=hsa-miR-x;Derives_from=MI9\n", bGenomeSAM, "bad.gff3:4", "MI9"),
		bGenome("no primary transcripts", gffHead+"# nothing\n", bGenomeSAM, "bad.gff3", "no miRNA_primary_transcript"),
		bGenome("empty file", "", bGenomeSAM, "bad.gff3"),
		bGenome("miRNA outside its transcript", gffHead+"chr1\t.\tmiRNA_primary_transcript\t101\t172\t.\t+\t.\tID=MI0000077;Name=hsa-mir-21\nchr1\t.\tmiRNA\t300\t321\t.\t+\t.\tID=MIMAT0000076;Name=hsa-miR-21-5p;Derives_from=MI0000077\n", bGenomeSAM, "bad.gff3:3", "outside"),
		bGenome("alignments on no GFF chromosome", bGFF, strings.ReplaceAll(bGenomeSAM, "chr1", "chrZ"), "genome.sam", "chrZ"),
		bGenome("SAM record with a bad CIGAR", bGFF, bGenomeSAM+"seq_2_x1\t0\tchr1\t108\t255\t2Z\t*\t0\t0\t"+bMir21+"\t*\n", "genome.sam", "record 2"),
	)

	// merge.
	cases = append(cases,
		bMerge("count not an integer", "mirna\tcount\nm1\t1\nm2\tx2\n", "bad.mirna_counts.tsv:3", "x2"),
		bMerge("count above 2^53", "mirna\tcount\nm1\t9007199254740993\nm2\t2\n", "bad.mirna_counts.tsv:2", "2^53"),
		bMerge("negative count", "mirna\tcount\nm1\t-1\nm2\t2\n", "bad.mirna_counts.tsv:2", "-1"),
		bMerge("decimal count", "mirna\tcount\nm1\t1.5\nm2\t2\n", "bad.mirna_counts.tsv:2", "1.5"),
		bMerge("feature twice", "mirna\tcount\nm1\t1\nm1\t2\nm2\t2\n", "bad.mirna_counts.tsv:3", "m1"),
		bMerge("ragged row", "mirna\tcount\nm1\t1\t7\nm2\t2\n", "bad.mirna_counts.tsv:2", "columns"),
		bMerge("other features", "mirna\tcount\nm1\t1\nm3\t2\n", "A.mirna_counts.tsv:3", "m2", "not in", "bad.mirna_counts.tsv"),
		bMerge("empty file", "", "bad.mirna_counts.tsv", "no feature rows"),
		bMerge("header only", "mirna\tcount\n", "bad.mirna_counts.tsv", "no feature rows"),
		bMerge("binary garbage", bGarbage(300), "bad.mirna_counts.tsv"),
		badCase{cmd: "merge", name: "same sample twice", files: map[string]string{"a/A.mirna_counts.tsv": bMergeGood, "b/A.mirna_counts.tsv": bMergeGood},
			args: []string{"merge", "-out", "{out}/counts.tsv", "{d}/a/A.mirna_counts.tsv", "{d}/b/A.mirna_counts.tsv"}, want: []string{"a/A.mirna_counts.tsv", "b/A.mirna_counts.tsv", "duplicate sample"}},
		badCase{cmd: "merge", name: "input file missing", files: map[string]string{"A.mirna_counts.tsv": bMergeGood},
			args: []string{"merge", "-out", "{out}/counts.tsv", "{d}/A.mirna_counts.tsv", "{d}/nope.mirna_counts.tsv"}, want: []string{"nope.mirna_counts.tsv", "no such file"}},
	)

	// de.
	cases = append(cases,
		bDE("count not an integer", strings.Replace(bCounts, "\t27\t", "\t2.7\t", 1), bColdata, "counts.tsv:3", "2.7"),
		bDE("count above 2^53", strings.Replace(bCounts, "\t27\t", "\t99999999999999999999\t", 1), bColdata, "counts.tsv:3", "2^53"),
		bDE("negative count", strings.Replace(bCounts, "\t27\t", "\t-27\t", 1), bColdata, "counts.tsv:3", "-27"),
		bDE("ragged row", strings.Replace(bCounts, "\t27\t19\t31\n", "\t27\t19\n", 1), bColdata, "counts.tsv:3", "fields"),
		bDE("feature twice", bCounts+"m2\t1\t2\t3\t4\n", bColdata, "counts.tsv:6", "m2"),
		bDE("sample named twice in the header", strings.Replace(bCounts, "\tb\t", "\ta\t", 1), bColdata, "counts.tsv:1", "\"a\""),
		bDE("empty counts", "", bColdata, "counts.tsv", "empty"),
		bDE("counts binary garbage", bGarbage(300), bColdata, "counts.tsv:"),
		bDE("coldata without header", bCounts, "a\ttumor\nb\ttumor\nc\tcontrol\nd\tcontrol\n", "coldata.tsv", "header"),
		bDE("coldata sample twice", bCounts, bColdata+"a\tcontrol\n", "coldata.tsv:6", "\"a\""),
		bDE("coldata ragged", bCounts, "sample\tcondition\na\ttumor\nb\ttumor\textra\nc\tcontrol\nd\tcontrol\n", "coldata.tsv:3", "fields"),
		bDE("coldata lacks a sample", bCounts, "sample\tcondition\na\ttumor\nb\ttumor\nc\tcontrol\n", "coldata.tsv", "d"),
		bDE("coldata empty", bCounts, "", "coldata.tsv"),
	)

	// run (samplesheet, then the samples' inputs).
	cases = append(cases,
		bRun("header names a column twice", "sample\tcondition\tfastq\tcondition\na\ttumor\ta.fq\tx\n", nil, "sheet.tsv:1", "twice"),
		bRun("header lacks fastq", "sample\tcondition\na\ttumor\n", nil, "sheet.tsv:1", "fastq"),
		bRun("ragged row", bSheetHead+"a\ttumor\ta.fq\nb\ttumor\n", nil, "sheet.tsv:3", "columns"),
		bRun("sample twice", bSheet+"a\tcontrol\tb.fq\n", nil, "sheet.tsv:6", "duplicate sample", "line 2"),
		bRun("missing FASTQ", bSheet+"e\tcontrol\te.fq\n", nil, "sheet.tsv:6", "e.fq"),
		bRun("no condition", bSheetHead+"a\t\ta.fq\nb\ttumor\tb.fq\n", nil, "sheet.tsv:2", "no condition"),
		bRun("bad sample name", bSheetHead+"a/b\ttumor\ta.fq\nb\ttumor\tb.fq\n", nil, "sheet.tsv:2"),
		bRun("empty samplesheet", "", nil, "sheet.tsv", "empty"),
		bRun("a sample's FASTQ is truncated", bSheet, map[string]string{"c.fq": bReads(3) + "@r4\nACGT\n"}, "c.fq:14", "record 4", "sample c"),
		bRun("a sample's FASTQ has a bad quality", bSheet, map[string]string{"d.fq": bReads(2) + "@r3\nACGT\n+\nII\tI\n"}, "d.fq:12", "record 3", "quality"),
		bRun("a sample's FASTQ is FASTA", bSheet, map[string]string{"b.fq": ">seq_1_x3\n" + bMir21 + "\n"}, "b.fq:1", "FASTA, not FASTQ"),
		bRun("a sample's SAM is bad", bSheetHead+"a\ttumor\ta.fq\nb\ttumor\tb.sam\nc\tcontrol\tc.fq\nd\tcontrol\td.fq\n", map[string]string{"b.sam": bSAMHeader + "seq_1_x1\t0\thsa-mir-21\t8\t255\t22M\t*\t0\t0\t" + bMir21 + "\tII\n"}, "b.sam", "record 1"),
		bRun("one FASTQ for two samples, -strict", bSheetHead+"a\ttumor\ta.fq\nb\ttumor\tb.fq\nc\tcontrol\ta.fq\nd\tcontrol\td.fq\n",
			// c's file is never read: the warning stops the run before any work
			map[string]string{"d.fq": "not a fastq\n"}, "warning: study: duplicate_input", "samples a and c", "-strict"),
	)
	strict := &cases[len(cases)-1]
	strict.args = append(strict.args, "-strict")
	strict.notWant = []string{"d.fq"} // no sample was read
	// One condition: DE is skipped (a warning too), so tiny reads suffice.
	warn := bRun("one FASTQ for two samples", bSheetHead+"a\ttumor\ta.fq\nb\ttumor\tb.fq\nc\ttumor\ta.fq\nd\ttumor\td.fq\n", nil,
		"warning: study: duplicate_input", "samples a and c", "a.fq")
	warn.warn = true
	warn.wantOut = map[string]string{"summary.tsv": "duplicate_input"}
	cases = append(cases, warn)
	return cases
}

// TestBadInputs runs every command on bad inputs in-process: each must
// exit non-zero (or 0 with a warning where the case is one), with a
// message naming the file and the line or record, without panicking, and
// leave the output folder exactly as it was (a previous result and a
// marker kept byte for byte; an empty folder stays empty).
func TestBadInputs(t *testing.T) {
	cases := badInputCases()
	byCmd := map[string]int{}
	seen := map[string]bool{}
	for _, c := range cases {
		byCmd[c.cmd]++
		if seen[c.cmd+"/"+c.name] {
			t.Fatalf("case %s/%s listed twice", c.cmd, c.name)
		}
		seen[c.cmd+"/"+c.name] = true
	}
	if len(cases) < 80 {
		t.Errorf("%d cases, want at least 80", len(cases))
	}
	cmds := slices.Sorted(maps.Keys(byCmd))
	var summary []string
	for _, c := range cmds {
		summary = append(summary, fmt.Sprintf("%s %d", c, byCmd[c]))
	}
	t.Logf("%d bad-input cases: %s", len(cases), strings.Join(summary, ", "))

	for _, c := range cases {
		t.Run(strings.ReplaceAll(c.cmd+"/"+c.name, " ", "_"), func(t *testing.T) {
			for _, prefilled := range []bool{true, false} {
				if c.warn && !prefilled {
					continue // a warning publishes outputs: once is enough
				}
				d := t.TempDir()
				for name, content := range c.files {
					p := filepath.Join(d, name)
					if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
						t.Fatal(err)
					}
					if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
						t.Fatal(err)
					}
				}
				out := filepath.Join(d, "out")
				if err := os.MkdirAll(out, 0o755); err != nil {
					t.Fatal(err)
				}
				if prefilled {
					copyState(t, map[string]string{
						"keep.txt":       "a file of the user's\n",
						"s1.summary.tsv": "metric\tvalue\ninput_reads\t7\n",
						"counts.tsv":     "mirna\told\nm1\t1\n",
						"de.tsv":         "previous results\n",
					}, out)
				}
				before := tsvtest.ReadFolder(t, out)
				args := make([]string, len(c.args))
				for i, a := range c.args {
					a = strings.ReplaceAll(a, "{d}", d)
					args[i] = strings.ReplaceAll(a, "{out}", out)
				}
				code, stderr := runNoPanic(t, args)
				msg := stderr
				if c.warn {
					if code != 0 || !strings.Contains(msg, "warning: ") {
						t.Fatalf("exit %d, want 0 with a warning; stderr:\n%s", code, msg)
					}
				} else {
					if code == 0 {
						t.Fatalf("exit 0 on bad input; stderr:\n%s", msg)
					}
					if code == 2 {
						t.Errorf("exit 2 (usage) on bad input; stderr:\n%s", msg)
					}
					after := tsvtest.ReadFolder(t, out)
					if !maps.Equal(before, after) {
						t.Errorf("output folder changed:\nbefore %v\nafter  %v", keysOf(before), keysOf(after))
					}
				}
				for _, w := range c.want {
					if !strings.Contains(msg, w) {
						t.Errorf("message lacks %q:\n%s", w, msg)
					}
				}
				for _, w := range c.notWant {
					if strings.Contains(msg, w) {
						t.Errorf("message holds %q:\n%s", w, msg)
					}
				}
				for name, w := range c.wantOut {
					b, err := os.ReadFile(filepath.Join(out, name))
					if err != nil || !strings.Contains(string(b), w) {
						t.Errorf("%s lacks %q (%v)", name, w, err)
					}
				}
			}
		})
	}
}

// runNoPanic runs the CLI in-process; a panic fails the test.
func runNoPanic(t *testing.T, args []string) (code int, stderr string) {
	t.Helper()
	var so, se bytes.Buffer
	defer func() {
		if p := recover(); p != nil {
			t.Fatalf("panic: %v\nargs %v", p, args)
		}
	}()
	code = runMain(args, &so, &se)
	return code, se.String()
}

func keysOf(m map[string]string) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}
