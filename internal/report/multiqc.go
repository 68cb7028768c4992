package report

import (
	"encoding/json"
	"fmt"
	"io"
	"strconv"
)

// MultiQC custom content: files named *_mqc.tsv / *_mqc.json are picked up
// by MultiQC's custom-content module; the header keys (id, section_name,
// plot_type, pconfig) follow MultiQC's documentation.

// WriteMultiQCAccounting writes the read accounting as a MultiQC bar graph.
func WriteMultiQCAccounting(w io.Writer, samples []Sample) error {
	var names []string
	for _, s := range samples {
		for _, c := range s.Accounting {
			if !contains(names, c.Name) {
				names = append(names, c.Name)
			}
		}
	}
	if _, err := fmt.Fprint(w, "# id: 'exomir_accounting'\n"+
		"# section_name: 'exomir read accounting'\n"+
		"# description: 'Every input read in exactly one category.'\n"+
		"# plot_type: 'bargraph'\n"+
		"# pconfig:\n#     id: 'exomir_accounting_plot'\n#     title: 'exomir: read accounting'\n#     ylab: 'reads'\n"+
		"Sample"); err != nil {
		return err
	}
	for _, n := range names {
		fmt.Fprint(w, "\t", n)
	}
	fmt.Fprintln(w)
	for _, s := range samples {
		fmt.Fprint(w, s.Name)
		for _, n := range names {
			var v int64
			for _, c := range s.Accounting {
				if c.Name == n {
					v = c.Reads
				}
			}
			fmt.Fprint(w, "\t", v)
		}
		if _, err := fmt.Fprintln(w); err != nil {
			return err
		}
	}
	return nil
}

// WriteMultiQCGeneralStats writes per-sample headline numbers for MultiQC's
// general statistics table.
func WriteMultiQCGeneralStats(w io.Writer, samples []Sample) error {
	if _, err := fmt.Fprint(w, "# id: 'exomir_general'\n# plot_type: 'generalstats'\n"+
		"Sample\tinput_reads\tmirna_reads\tpct_mirna\n"); err != nil {
		return err
	}
	for _, s := range samples {
		pct := 0.0
		if s.InputReads > 0 {
			pct = 100 * float64(s.MiRNAReads) / float64(s.InputReads)
		}
		if _, err := fmt.Fprintf(w, "%s\t%d\t%d\t%s\n", s.Name, s.InputReads, s.MiRNAReads, strconv.FormatFloat(pct, 'f', 2, 64)); err != nil {
			return err
		}
	}
	return nil
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
		"section_name": "exomir insert lengths",
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
