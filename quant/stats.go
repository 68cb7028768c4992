package quant

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/exomir/exomir/seq"
)

// StatsFromSeq turns seq's summary into summary rows, exactly as
// seq.WriteSummary writes them (header dropped), ready to be passed to
// Quantify or Builder.Finish as base.
func StatsFromSeq(s *seq.Summary) ([]Stat, error) {
	var buf bytes.Buffer
	if err := seq.WriteSummary(&buf, s); err != nil {
		return nil, fmt.Errorf("quant: %w", err)
	}
	var out []Stat
	for i, line := range strings.Split(strings.TrimRight(buf.String(), "\n"), "\n") {
		k, v, ok := strings.Cut(line, "\t")
		if !ok || (i == 0 && k == "metric") {
			continue
		}
		out = append(out, Stat{Name: k, Value: v})
	}
	return out, nil
}
