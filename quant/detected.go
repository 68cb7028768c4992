package quant

import "strconv"

// Detected tallies a sample's miRNA complexity for the summary rows
// mirnas_detected (miRNAs with at least 1 read) and mirnas_detected_10 (at
// least 10), so that run and `exomir report -in` count them alike.
type Detected struct{ AtLeast1, AtLeast10 int }

// Add counts one miRNA with the given reads.
func (d *Detected) Add(reads float64) {
	if reads >= 1 {
		d.AtLeast1++
	}
	if reads >= 10 {
		d.AtLeast10++
	}
}

// SetRows writes the two summary rows into values (metric → value).
func (d Detected) SetRows(values map[string]string) {
	values["mirnas_detected"] = strconv.Itoa(d.AtLeast1)
	values["mirnas_detected_10"] = strconv.Itoa(d.AtLeast10)
}
