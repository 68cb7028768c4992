package study

import (
	"strings"
	"sync"

	"github.com/exomir/exomir/quant"
)

// statNames interns the names of the summary rows: every sample of a
// cohort has the same hundred or so, many of them built at run time.
var statNames sync.Map // string → string

// compactStats returns stats in the least memory a cohort's sample can
// keep them in: an exact-size slice, interned names and every value in
// one shared string (one allocation instead of a hundred small ones).
func compactStats(stats []quant.Stat) []quant.Stat {
	if len(stats) == 0 {
		return stats
	}
	n := 0
	for _, st := range stats {
		n += len(st.Value)
	}
	var b strings.Builder
	b.Grow(n)
	for _, st := range stats {
		b.WriteString(st.Value)
	}
	all := b.String()
	out := make([]quant.Stat, len(stats))
	off := 0
	for i, st := range stats {
		name, ok := statNames.Load(st.Name)
		if !ok {
			name, _ = statNames.LoadOrStore(st.Name, strings.Clone(st.Name))
		}
		out[i] = quant.Stat{Name: name.(string), Value: all[off : off+len(st.Value)]}
		off += len(st.Value)
	}
	return out
}
