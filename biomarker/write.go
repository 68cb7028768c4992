package biomarker

import (
	"bufio"
	"io"
	"math"
	"strconv"
)

// All writers use tab-separated text, a header line, and numbers in Go's
// shortest round-trip form (strconv 'g', -1), NA for NaN.

func appendNum(b []byte, v float64) []byte {
	if math.IsNaN(v) {
		return append(b, "NA"...)
	}
	return strconv.AppendFloat(b, v, 'g', -1, 64)
}

// tsv writes rows of fields; each row is built by fill into b.
func tsv(w io.Writer, header string, n int, fill func(b []byte, i int) []byte) error {
	bw := bufio.NewWriter(w)
	bw.WriteString(header)
	bw.WriteByte('\n')
	var b []byte
	for i := 0; i < n; i++ {
		b = fill(b[:0], i)
		b = append(b, '\n')
		if _, err := bw.Write(b); err != nil {
			return err
		}
	}
	return bw.Flush()
}

// WriteCoefficients writes a path's coefficients: column "term", then one
// column per λ headed "lambda=<value>"; rows "(Intercept)" then the
// features in order.
func WriteCoefficients(w io.Writer, p *Path, features []string) error {
	h := []byte("term")
	for _, l := range p.Lambda {
		h = append(h, "\tlambda="...)
		h = appendNum(h, l)
	}
	return tsv(w, string(h), len(features)+1, func(b []byte, i int) []byte {
		if i == 0 {
			b = append(b, "(Intercept)"...)
			for _, v := range p.Intercept {
				b = appendNum(append(b, '\t'), v)
			}
			return b
		}
		b = append(b, features[i-1]...)
		for k := range p.Lambda {
			b = appendNum(append(b, '\t'), p.Beta[k][i-1])
		}
		return b
	})
}

// WriteCVAUC writes "auc lower upper": the mean of all fold AUCs with its
// interval, then one row per repeat.
func (pn *Panel) WriteCVAUC(w io.Writer) error {
	return tsv(w, "auc\tlower\tupper", len(pn.RepeatAUC)+1, func(b []byte, i int) []byte {
		iv := Interval{pn.AUC, pn.Lower, pn.Upper}
		if i > 0 {
			iv = pn.RepeatAUC[i-1]
		}
		b = appendNum(b, iv.Est)
		b = appendNum(append(b, '\t'), iv.Lower)
		return appendNum(append(b, '\t'), iv.Upper)
	})
}

// WriteStability writes "mirna selection_frequency mean_coefficient".
func (pn *Panel) WriteStability(w io.Writer) error {
	return tsv(w, "mirna\tselection_frequency\tmean_coefficient", len(pn.Stability), func(b []byte, i int) []byte {
		s := pn.Stability[i]
		b = append(b, s.Mirna...)
		b = appendNum(append(b, '\t'), s.Frequency)
		return appendNum(append(b, '\t'), s.MeanCoef)
	})
}

// WriteROC writes "fpr tpr" of the pooled out-of-fold scores.
func (pn *Panel) WriteROC(w io.Writer) error {
	return tsv(w, "fpr\ttpr", len(pn.ROC), func(b []byte, i int) []byte {
		b = appendNum(b, pn.ROC[i].FPR)
		return appendNum(append(b, '\t'), pn.ROC[i].TPR)
	})
}

// WriteOOF writes "sample repeat score class" (class: the sample's true
// level).
func (pn *Panel) WriteOOF(w io.Writer) error {
	return tsv(w, "sample\trepeat\tscore\tclass", len(pn.OOF), func(b []byte, i int) []byte {
		s := pn.OOF[i]
		b = append(b, s.Sample...)
		b = strconv.AppendInt(append(b, '\t'), int64(s.Repeat), 10)
		b = appendNum(append(b, '\t'), s.Score)
		return append(append(b, '\t'), pn.level(s.Positive)...)
	})
}

func (pn *Panel) level(pos bool) string {
	if pos {
		return pn.Model.Positive
	}
	return pn.Model.Negative
}

// WriteScores writes "sample score class" (class: the predicted level,
// score ≥ the model's threshold for the positive one).
func (md *Model) WriteScores(w io.Writer, s []Score) error {
	return tsv(w, "sample\tscore\tclass", len(s), func(b []byte, i int) []byte {
		b = append(b, s[i].Sample...)
		b = appendNum(append(b, '\t'), s[i].Score)
		cls := md.Negative
		if s[i].Positive {
			cls = md.Positive
		}
		return append(append(b, '\t'), cls...)
	})
}
