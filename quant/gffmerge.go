package quant

import (
	"bufio"
	"container/heap"
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/exomir/exomir/seq"
)

// gffLine is the current line of one merge input.
type gffLine struct {
	hairpin, feature int
	start, end       int
	read             string
	pre, post        string   // attributes before Expression and after Hits
	cols             string   // columns 1–8 joined by tabs
	expr             []string // one per sample of the input
	hits             int
}

// gffInput is one input of MergeIsomirGFF.
type gffInput struct {
	sc      *bufio.Scanner
	file    string
	line    int
	samples []string
	col     int // first output column of its samples
	cur     gffLine
	done    bool
}

func (in *gffInput) errorf(format string, a ...any) error {
	return &seq.ParseError{File: in.file, Line: int64(in.line), Err: fmt.Errorf("%w: %s", ErrBadGFF, fmt.Sprintf(format, a...))}
}

// next reads the next data line (headers must come first).
func (in *gffInput) next(ref *Reference) error {
	for in.sc.Scan() {
		if err := in.sc.Err(); err != nil {
			// A read failed: the last line is cut short, not malformed.
			return fmt.Errorf("quant: %s: %w", in.file, err)
		}
		in.line++
		text := in.sc.Text()
		if text == "" {
			continue
		}
		if strings.HasPrefix(text, "#") {
			if c, ok := strings.CutPrefix(text, "## COLDATA:"); ok {
				if in.samples != nil {
					return in.errorf("second COLDATA line")
				}
				for _, s := range strings.Split(strings.TrimSpace(c), ",") {
					s = strings.TrimSpace(s)
					if s == "" {
						return in.errorf("empty sample name in COLDATA")
					}
					in.samples = append(in.samples, s)
				}
			}
			continue
		}
		if in.samples == nil {
			return in.errorf("data before the ## COLDATA header")
		}
		return in.parse(ref, text)
	}
	if err := in.sc.Err(); err != nil {
		return fmt.Errorf("quant: %s: %w", in.file, err)
	}
	if in.samples == nil {
		return in.errorf("no ## COLDATA header")
	}
	in.done = true
	return nil
}

func (in *gffInput) parse(ref *Reference, text string) error {
	cols := strings.Split(text, "\t")
	if len(cols) != 9 {
		return in.errorf("%d columns, want 9", len(cols))
	}
	l := gffLine{cols: strings.Join(cols[:8], "\t"), hairpin: -1, feature: -1}
	var err1, err2 error
	l.start, err1 = strconv.Atoi(cols[3])
	l.end, err2 = strconv.Atoi(cols[4])
	if err1 != nil || err2 != nil {
		return in.errorf("bad start/end %q %q", cols[3], cols[4])
	}
	attrs := strings.Split(cols[8], "; ")
	exprAt, hitsAt := -1, -1
	for i, a := range attrs {
		k, v, ok := strings.Cut(a, "=")
		if !ok {
			return in.errorf("attribute %q is not key=value", a)
		}
		switch k {
		case "Read":
			l.read = v
		case "Name":
			l.feature = ref.FeatureIndex(v)
		case "Parent":
			l.hairpin = ref.HairpinIndex(v)
		case "Expression":
			exprAt = i
			l.expr = strings.Split(v, ",")
		case "Hits":
			hitsAt = i
			l.hits, err1 = strconv.Atoi(strings.TrimSuffix(v, ";"))
		}
	}
	switch {
	case l.hairpin < 0 || l.feature < 0:
		return in.errorf("Name or Parent missing or not in the reference")
	case exprAt < 1 || hitsAt != len(attrs)-1 || exprAt > hitsAt || err1 != nil || l.hits < 0:
		return in.errorf("want Read, Name, Parent… then Expression=… and a final Hits=N (as WriteIsomirGFF writes)")
	case len(l.expr) != len(in.samples):
		return in.errorf("%d expression values for %d samples", len(l.expr), len(in.samples))
	}
	for _, e := range l.expr {
		if n, err := strconv.ParseInt(e, 10, 64); err != nil || n < 0 || n > MaxReadCount {
			return in.errorf("expression value %q is not a count", e)
		}
	}
	l.pre = strings.Join(attrs[:exprAt], "; ")
	l.post = strings.Join(attrs[exprAt+1:hitsAt], "; ")
	if c := compareGFF(&in.cur, &l); !in.first() && c >= 0 {
		return in.errorf("lines not in WriteIsomirGFF order")
	}
	in.cur = l
	return nil
}

func (in *gffInput) first() bool { return in.cur.cols == "" }

// compareGFF orders lines as WriteIsomirGFF sorts them.
func compareGFF(a, b *gffLine) int {
	switch {
	case a.hairpin != b.hairpin:
		return a.hairpin - b.hairpin
	case a.start != b.start:
		return a.start - b.start
	case a.end != b.end:
		return a.end - b.end
	case a.read != b.read:
		return strings.Compare(a.read, b.read)
	}
	return a.feature - b.feature
}

type gffHeap []*gffInput

func (h gffHeap) Len() int { return len(h) }
func (h gffHeap) Less(i, j int) bool {
	if c := compareGFF(&h[i].cur, &h[j].cur); c != 0 {
		return c < 0
	}
	return h[i].col < h[j].col
}
func (h gffHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *gffHeap) Push(x any)   { *h = append(*h, x.(*gffInput)) }
func (h *gffHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// MergeIsomirGFF merges mirGFF3 files written by WriteIsomirGFF on ref
// (one or more samples each) into one file whose COLDATA lists all their
// samples in input order, streaming: it holds one line per input, so
// hundreds of samples merge in little memory. A line missing from an input
// has expression 0 for its samples; Hits is the largest over the inputs.
// files name the inputs in errors (ErrBadGFF with file and line). Lines
// must carry Name and Parent of ref before Expression, one count per
// sample; sample names must be non-empty and distinct over all inputs.
func MergeIsomirGFF(ctx context.Context, w io.Writer, ref *Reference, inputs []io.Reader, files []string, o GFFOptions) error {
	if len(inputs) == 0 || len(files) != len(inputs) {
		return fmt.Errorf("%w: %d inputs, %d names", ErrBadOption, len(inputs), len(files))
	}
	if o.Database == "" {
		o.Database = "miRBase21"
	}
	if o.Tools == "" {
		o.Tools = "exomir"
	}
	ins := make([]*gffInput, len(inputs))
	var samples []string
	sampleFile := map[string]int{} // sample → its input
	h := make(gffHeap, 0, len(inputs))
	for i, r := range inputs {
		if err := ctx.Err(); err != nil {
			return err
		}
		sc := bufio.NewScanner(r)
		// A small first buffer (it grows for longer lines): a merge of
		// 1,000 samples holds 1,000 of them.
		sc.Buffer(make([]byte, 4<<10), 16<<20)
		in := &gffInput{sc: sc, file: files[i]}
		if err := in.next(ref); err != nil {
			return err
		}
		in.col = len(samples)
		for _, s := range in.samples {
			if j, dup := sampleFile[s]; dup {
				return fmt.Errorf("%w: sample %s is in the COLDATA of %s and %s", ErrBadGFF, s, files[j], files[i])
			}
			sampleFile[s] = i
			samples = append(samples, s)
		}
		ins[i] = in
		if !in.done {
			h = append(h, in)
		}
	}
	heap.Init(&h)
	bw := bufio.NewWriter(w)
	writeMirGFFHeader(bw, o, samples)
	expr := make([]string, len(samples))
	var group []*gffInput
	for n := 0; h.Len() > 0; n++ {
		if n%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		group = append(group[:0], heap.Pop(&h).(*gffInput))
		for h.Len() > 0 && compareGFF(&h[0].cur, &group[0].cur) == 0 {
			group = append(group, heap.Pop(&h).(*gffInput))
		}
		for i := range expr {
			expr[i] = "0"
		}
		hits := 0
		for _, in := range group {
			copy(expr[in.col:], in.cur.expr)
			hits = max(hits, in.cur.hits)
		}
		l := &group[0].cur
		bw.WriteString(l.cols)
		bw.WriteByte('\t')
		bw.WriteString(l.pre)
		bw.WriteString("; Expression=")
		for i, e := range expr {
			if i > 0 {
				bw.WriteByte(',')
			}
			bw.WriteString(e)
		}
		if l.post != "" {
			bw.WriteString("; ")
			bw.WriteString(l.post)
		}
		bw.WriteString("; Hits=")
		bw.WriteString(strconv.Itoa(hits))
		bw.WriteByte('\n')
		for _, in := range group {
			if err := in.next(ref); err != nil {
				return err
			}
			if !in.done {
				heap.Push(&h, in)
			}
		}
	}
	return bw.Flush()
}
