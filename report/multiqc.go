package report

import (
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// MultiQC custom content: files named *_mqc.tsv / *_mqc.json are picked up
// by MultiQC's custom-content module; the header keys (id, section_name,
// plot_type, pconfig) follow MultiQC's documentation.

// categoryLabels are the readable names of the read categories, shown by
// MultiQC instead of the reads_* keys.
var categoryLabels = map[string]string{
	"reads_no_adapter":    "no adapter found",
	"reads_adapter_dimer": "adapter dimer",
	"reads_no_umi":        "no UMI",
	"reads_too_short":     "too short",
	"reads_too_long":      "too long",
	"reads_too_many_n":    "too many N",
	"reads_low_quality":   "low quality",
	"reads_passed":        "passed",
	"reads_mirna":         "miRNA",
	"reads_hairpin_only":  "hairpin only",
	"reads_other_rna":     "other RNA",
	"reads_unmapped":      "unmapped",
	"reads_spikein":       "spike-in",
}

func categoryLabel(key string) string {
	if l, ok := categoryLabels[key]; ok {
		return l
	}
	return strings.ReplaceAll(strings.TrimPrefix(key, "reads_"), "_", " ")
}

// yq escapes s for a single-quoted YAML string.
func yq(s string) string { return strings.ReplaceAll(s, "'", "''") }

func hexColour(name string) string {
	c := categoryColour(name)
	return fmt.Sprintf("#%02x%02x%02x", c.R, c.G, c.B)
}

// WriteMultiQCAccounting writes the read accounting as a MultiQC bar graph,
// with readable category names and the report's fixed colours.
func WriteMultiQCAccounting(w io.Writer, samples []Sample) error {
	var names []string
	for _, s := range samples {
		for _, c := range s.Accounting {
			if !contains(names, c.Name) {
				names = append(names, c.Name)
			}
		}
	}
	var b strings.Builder
	b.WriteString("# id: 'exomir_accounting'\n" +
		"# section_name: 'exomir: read accounting'\n" +
		"# description: 'Every input read in exactly one category: lost in trimming and filters (no adapter, adapter dimer, too short, ...) or passed and assigned (miRNA, hairpin only, other RNA, unmapped).'\n" +
		"# plot_type: 'bargraph'\n" +
		"# pconfig:\n#     id: 'exomir_accounting_plot'\n#     title: 'exomir: read accounting'\n#     ylab: 'reads'\n" +
		"# categories:\n")
	for _, n := range names {
		fmt.Fprintf(&b, "#     %s:\n#         name: '%s'\n#         color: '%s'\n", n, yq(categoryLabel(n)), hexColour(n))
	}
	b.WriteString("Sample")
	for _, n := range names {
		b.WriteString("\t" + n)
	}
	b.WriteString("\n")
	for _, s := range samples {
		b.WriteString(s.Name)
		for _, n := range names {
			var v int64
			for _, c := range s.Accounting {
				if c.Name == n {
					v = c.Reads
				}
			}
			b.WriteString("\t" + strconv.FormatInt(v, 10))
		}
		b.WriteString("\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// generalStatsColumns are the General Statistics columns: key, title,
// description, number format, colour scale and suffix.
var generalStatsColumns = [][6]string{
	{"input_reads", "Input reads", "Reads in the sample's input file", "{:,.0f}", "Blues", ""},
	{"mirna_reads", "miRNA reads", "Reads counted on mature miRNAs (exceRpt asks for at least 100,000)", "{:,.0f}", "Greens", ""},
	{"pct_mirna", "% miRNA", "miRNA reads as a percentage of input reads", "{:,.1f}", "RdYlGn", "%"},
}

// WriteMultiQCGeneralStats writes per-sample headline numbers for MultiQC's
// General Statistics table, with column titles, descriptions, formats and
// colour scales. The column headers are given both as pconfig (read by
// MultiQC up to 1.1x) and as headers (the newer key).
func WriteMultiQCGeneralStats(w io.Writer, samples []Sample) error {
	var b strings.Builder
	b.WriteString("# id: 'exomir_general'\n# section_name: 'exomir'\n# plot_type: 'generalstats'\n# namespace: 'exomir'\n# pconfig:\n")
	col := func(indent string, c [6]string) {
		fmt.Fprintf(&b, "#%stitle: '%s'\n#%sdescription: '%s'\n#%sformat: '%s'\n#%sscale: '%s'\n#%smin: 0\n",
			indent, yq(c[1]), indent, yq(c[2]), indent, yq(c[3]), indent, yq(c[4]), indent)
		if c[5] != "" {
			fmt.Fprintf(&b, "#%ssuffix: '%s'\n#%smax: 100\n", indent, c[5], indent)
		}
	}
	for _, c := range generalStatsColumns {
		fmt.Fprintf(&b, "#     - %s:\n", c[0])
		col("           ", c)
	}
	b.WriteString("# headers:\n")
	for _, c := range generalStatsColumns {
		fmt.Fprintf(&b, "#     %s:\n", c[0])
		col("         ", c)
	}
	b.WriteString("Sample")
	for _, c := range generalStatsColumns {
		b.WriteString("\t" + c[0])
	}
	b.WriteString("\n")
	for _, s := range samples {
		pct := 0.0
		if s.InputReads > 0 {
			pct = 100 * float64(s.MiRNAReads) / float64(s.InputReads)
		}
		fmt.Fprintf(&b, "%s\t%d\t%d\t%s\n", s.Name, s.InputReads, s.MiRNAReads, strconv.FormatFloat(pct, 'f', 2, 64))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// WriteMultiQCLengths writes the insert-length distributions as a MultiQC
// line graph.
func WriteMultiQCLengths(w io.Writer, samples []Sample) error {
	type point = map[string]int64
	data := map[string]point{}
	for _, s := range samples {
		p := point{}
		for l, v := range s.InsertLengths {
			if v > 0 {
				p[strconv.Itoa(l)] = v
			}
		}
		data[s.Name] = p
	}
	doc := map[string]any{
		"id":           "exomir_lengths",
		"section_name": "exomir: insert lengths",
		"description":  "Insert length of passed reads; miRNAs peak at 22 nt.",
		"plot_type":    "linegraph",
		"pconfig": map[string]any{
			"id": "exomir_lengths_plot", "title": "exomir: insert length",
			"xlab": "length (nt)", "ylab": "reads",
		},
		"data": data,
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", " ")
	return enc.Encode(doc) // encoding/json sorts map keys: deterministic
}
