package quant

import "testing"

func TestDetectedRows(t *testing.T) {
	var d Detected
	for _, v := range []float64{0, 0.4, 1, 9.99, 10, 250} {
		d.Add(v)
	}
	rows := map[string]string{}
	d.SetRows(rows)
	if rows["mirnas_detected"] != "4" || rows["mirnas_detected_10"] != "2" {
		t.Errorf("rows %v: want 4 miRNAs with >= 1 read and 2 with >= 10", rows)
	}
}
