package quant

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/exomir/exomir/seq"
)

// cancelOnRead cancels its context at the first Read, so a call passes its
// entry check and must notice the cancellation in its record loop.
type cancelOnRead struct {
	r      io.Reader
	cancel context.CancelFunc
}

func (c *cancelOnRead) Read(p []byte) (int, error) {
	c.cancel()
	return c.r.Read(p)
}

// TestContextCancelled: every call that reads a file or runs long returns
// context.Canceled, both when the context is cancelled before the call and
// when it is cancelled while records are being read.
func TestContextCancelled(t *testing.T) {
	done, cancel := context.WithCancel(context.Background())
	cancel()
	want := func(name string, err error) {
		t.Helper()
		if !errors.Is(err, context.Canceled) {
			t.Errorf("%s: err = %v, want context.Canceled", name, err)
		}
	}

	ref, s := bamToyRef(t)
	var sam strings.Builder
	sam.WriteString(bamToyHeader)
	for range 10000 {
		sam.WriteString("r_x3\t0\ttoy-mir-1\t11\t255\t23M\t*\t0\t0\t" + s + "AA\t*\n")
	}
	if _, _, err := ReadHairpinAlignments(context.Background(), strings.NewReader(sam.String()), "a.sam", ref, BAMOptions{}); err != nil {
		t.Fatalf("uncancelled: %v", err)
	}
	_, _, err := ReadHairpinAlignments(done, strings.NewReader(sam.String()), "a.sam", ref, BAMOptions{})
	want("ReadHairpinAlignments", err)
	_, err = QuantifyHairpinBAM(done, strings.NewReader(sam.String()), "a.sam", "a", ref, BAMOptions{})
	want("QuantifyHairpinBAM", err)
	ctx, cancelMid := context.WithCancel(context.Background())
	_, _, err = ReadHairpinAlignments(ctx, &cancelOnRead{strings.NewReader(sam.String()), cancelMid}, "a.sam", ref, BAMOptions{})
	want("ReadHairpinAlignments (cancelled while reading)", err)

	gff := "##gff-version 3\n" +
		"chr1\t.\tmiRNA_primary_transcript\t101\t180\t.\t+\t.\tID=MI1;Name=x-mir-1\n" +
		"chr1\t.\tmiRNA\t111\t132\t.\t+\t.\tID=MIMAT1;Alias=MIMAT1;Name=x-miR-1-5p;Derives_from=MI1\n"
	g := gffGenome(t, gff, "hand.gff3", nil)
	var gsam strings.Builder
	gsam.WriteString("@HD\tVN:1.6\tSO:unsorted\n@SQ\tSN:chr1\tLN:2000\n")
	for range 10000 {
		gsam.WriteString("a_x5\t0\tchr1\t111\t255\t22M\t*\t0\t0\t" + strings.Repeat("A", 22) + "\t*\n")
	}
	if _, _, err := ReadGenomeAlignments(context.Background(), strings.NewReader(gsam.String()), "g.sam", g, BAMOptions{}); err != nil {
		t.Fatalf("uncancelled genome: %v", err)
	}
	_, err = QuantifyGenomeBAM(done, strings.NewReader(gsam.String()), "g.sam", "g", g, BAMOptions{})
	want("QuantifyGenomeBAM", err)
	ctx, cancelMid = context.WithCancel(context.Background())
	_, _, err = ReadGenomeAlignments(ctx, &cancelOnRead{strings.NewReader(gsam.String()), cancelMid}, "g.sam", g, BAMOptions{})
	want("ReadGenomeAlignments (cancelled while reading)", err)

	_, err = LoadReference(done, "mature.fa", "hairpin.fa", RefOptions{})
	want("LoadReference", err)
	_, err = LoadMirbaseGFF3(done, "x.gff3")
	want("LoadMirbaseGFF3", err)

	r, samples := gffSamples(t)
	var b bytes.Buffer
	if err := WriteIsomirGFF(&b, samples[:1], GFFOptions{}); err != nil {
		t.Fatal(err)
	}
	err = MergeIsomirGFF(done, io.Discard, r, []io.Reader{&b}, []string{"s"}, GFFOptions{})
	want("MergeIsomirGFF", err)
}

// TestMergeIsomirGFFErrorShape: a bad merge input is a *seq.ParseError
// naming file and line and wrapping ErrBadGFF (docs/conventions.md).
func TestMergeIsomirGFFErrorShape(t *testing.T) {
	r, _ := gffSamples(t)
	in := "## mirGFF3. VERSION 1.2\n## COLDATA: s\nnot a gff line\n"
	err := MergeIsomirGFF(context.Background(), io.Discard, r, []io.Reader{strings.NewReader(in)}, []string{"in.gff3"}, GFFOptions{})
	var pe *seq.ParseError
	if !errors.As(err, &pe) || !errors.Is(err, ErrBadGFF) || pe.File != "in.gff3" || pe.Line != 3 {
		t.Fatalf("err = %v, want a *seq.ParseError at in.gff3:3 wrapping ErrBadGFF", err)
	}
	if !strings.HasPrefix(err.Error(), "in.gff3:3: ") {
		t.Errorf("message %q does not start with file:line", err)
	}
}
