package quant

import (
	"context"
	"fmt"
	"runtime"
	"sync"

	"golang.org/x/sync/errgroup"

	"github.com/exomir/exomir/align"
	"github.com/exomir/exomir/seq"
)

// AlignOptions are the aligner settings Quantify uses: align's defaults
// (k = 1 mismatch, up to 3 untemplated A/T 3' bases, sense strand,
// templated part >= 15 nt).
func AlignOptions() align.Options { return align.DefaultOptions() }

// indexed is the alignment index of a reference, built once on first use.
type indexed struct {
	once sync.Once
	ix   *align.Index
	err  error
}

// Index returns the alignment index over the reference's hairpins followed
// by its other-class sequences (target i < len(Hairpins) is hairpin i,
// target len(Hairpins)+j is Others[j]). It is built on first use with
// AlignOptions and cached; add other classes before the first call.
func (r *Reference) Index() (*align.Index, error) {
	r.idx.once.Do(func() {
		refs := make([]align.Ref, 0, len(r.Hairpins)+len(r.Others))
		for _, h := range r.Hairpins {
			refs = append(refs, align.Ref{Name: h.Name, Seq: h.Seq})
		}
		for _, o := range r.Others {
			refs = append(refs, align.Ref{Name: o.Name, Seq: o.Seq})
		}
		r.idx.ix, r.idx.err = align.NewIndex(refs, AlignOptions())
		if r.idx.err != nil {
			r.idx.err = fmt.Errorf("quant: index: %w", r.idx.err)
		}
	})
	return r.idx.ix, r.idx.err
}

// chunk is the number of inserts a worker aligns per task.
const chunk = 2048

// Quantify aligns the inserts on the reference, assigns them and counts
// them into a sample named name. base holds the upstream summary rows
// (see StatsFromSeq and Builder.Finish). The result does not depend on
// o.Threads.
func Quantify(ctx context.Context, ref *Reference, name string, inserts []seq.Insert, base []Stat, o Options) (*Sample, error) {
	ix, err := ref.Index()
	if err != nil {
		return nil, err
	}
	asg := NewAssigner(ref, -1, -1)
	threads := o.Threads
	if threads <= 0 {
		threads = runtime.GOMAXPROCS(0)
	}
	results := make([]Assignment, len(inserts))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(threads)
	nH := len(ref.Hairpins)
	for lo := 0; lo < len(inserts); lo += chunk {
		lo, hi := lo, min(lo+chunk, len(inserts))
		if gctx.Err() != nil {
			break
		}
		g.Go(func() error {
			if err := gctx.Err(); err != nil {
				return err
			}
			var hits []align.Hit
			var hp []Hit
			var classes []int
			var read []byte
			for i := lo; i < hi; i++ {
				read = append(read[:0], inserts[i].Seq...)
				hits = ix.Align(read, hits[:0])
				hp, classes = hp[:0], classes[:0]
				for _, h := range hits {
					if h.Reverse {
						continue
					}
					if int(h.Ref) < nH {
						hp = append(hp, Hit{Hairpin: h.Ref, Pos: h.Pos, Len: h.Len, Tail: h.Tail})
					} else {
						classes = append(classes, ref.Others[int(h.Ref)-nH].Class)
					}
				}
				results[i] = asg.Assign(read, hp, classes)
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if o.UMIs != nil && len(o.UMIs) != len(inserts) {
		return nil, fmt.Errorf("%w: %d UMI sets for %d inserts", ErrBadOption, len(o.UMIs), len(inserts))
	}
	b := NewBuilder(ref, o)
	for i, in := range inserts {
		if o.UMIs != nil {
			b.AddUMIs(in.Seq, in.Reads, o.UMIs[i], results[i])
			continue
		}
		b.Add(in.Seq, in.Reads, in.Molecules, results[i])
	}
	return b.Finish(name, base), nil
}
