package biomarker

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strings"

	"github.com/exomir/exomir/diffexp"
)

// ModelFormat names the model.json layout; readers refuse others.
const ModelFormat = "exomir-panel-model/1"

// Model is a locked signature: new samples are size-factored against the
// training geometric means, transformed with the training vst, and scored
// as the logistic probability of the positive class from the chosen
// features. Samples scoring ≥ Threshold are called Positive.
type Model struct {
	Column, Positive, Negative string
	Alpha, Lambda              float64
	Intercept                  float64
	// Features and Coefficients (vst scale; zeros kept) of the model.
	Features     []string
	Coefficients []float64
	Threshold    float64
	VST          *diffexp.VSTModel
	// Version is the exomir version that built the model (informative).
	Version string
}

// Score is one sample's prediction.
type Score struct {
	Sample   string
	Score    float64
	Positive bool
}

// Predict scores every sample of c. Every model feature with a nonzero
// coefficient must be present in c (ErrFeature otherwise); other missing
// training features only leave the size factors computed without them,
// and are returned in missing.
func (md *Model) Predict(c *diffexp.Counts) (scores []Score, missing []string, err error) {
	if err := md.check(); err != nil {
		return nil, nil, err
	}
	t, missing, err := md.VST.Apply(c)
	if err != nil {
		return nil, nil, err
	}
	row := make(map[string]int, len(t.Features))
	for i, f := range t.Features {
		row[f] = i
	}
	m := len(t.Samples)
	f := make([]float64, m)
	for j := range f {
		f[j] = md.Intercept
	}
	var absent []string
	for k, name := range md.Features {
		b := md.Coefficients[k]
		if b == 0 {
			continue
		}
		i := row[name]
		if math.IsNaN(t.Values[i*m]) {
			absent = append(absent, name)
			continue
		}
		for j := range f {
			f[j] += b * t.Values[i*m+j]
		}
	}
	if len(absent) > 0 {
		return nil, missing, fmt.Errorf("%w: the counts lack %d signature miRNA(s): %s", ErrFeature, len(absent), strings.Join(absent, ", "))
	}
	scores = make([]Score, m)
	for j := range scores {
		s := logistic(f[j])
		scores[j] = Score{Sample: t.Samples[j], Score: s, Positive: s >= md.Threshold}
	}
	return scores, missing, nil
}

func (md *Model) check() error {
	if md.VST == nil {
		return fmt.Errorf("%w: no vst", ErrModel)
	}
	if len(md.Features) != len(md.Coefficients) {
		return fmt.Errorf("%w: %d features, %d coefficients", ErrModel, len(md.Features), len(md.Coefficients))
	}
	known := make(map[string]bool, len(md.VST.Features))
	for _, f := range md.VST.Features {
		known[f] = true
	}
	for _, f := range md.Features {
		if !known[f] {
			return fmt.Errorf("%w: feature %q not among the vst's features", ErrModel, f)
		}
	}
	if math.IsNaN(md.Intercept) || math.IsInf(md.Intercept, 0) {
		return fmt.Errorf("%w: intercept %g", ErrModel, md.Intercept)
	}
	return md.VST.Check()
}

// modelJSON is model.json's layout (JSON has no −Inf: geometric means of
// features with a zero are null).
type modelJSON struct {
	Format       string    `json:"format"`
	Version      string    `json:"exomir_version"`
	Column       string    `json:"column"`
	Positive     string    `json:"positive"`
	Negative     string    `json:"negative"`
	Alpha        float64   `json:"alpha"`
	Lambda       float64   `json:"lambda"`
	Threshold    float64   `json:"threshold"`
	Intercept    float64   `json:"intercept"`
	Features     []string  `json:"features"`
	Coefficients []float64 `json:"coefficients"`
	VST          vstJSON   `json:"vst"`
}

type vstJSON struct {
	FitType     diffexp.FitType `json:"fit_type"`
	AsymptDisp  float64         `json:"asympt_disp,omitempty"`
	ExtraPois   float64         `json:"extra_pois,omitempty"`
	MeanDisp    float64         `json:"mean_disp,omitempty"`
	SplineX     []float64       `json:"spline_x,omitempty"`
	SplineY     []float64       `json:"spline_y,omitempty"`
	Eta         float64         `json:"eta,omitempty"`
	Xi          float64         `json:"xi,omitempty"`
	Features    []string        `json:"features"`
	LogGeoMeans []*float64      `json:"log_geo_means"`
}

// WriteJSON writes the model as indented JSON (float64 values round-trip
// exactly).
func (md *Model) WriteJSON(w io.Writer) error {
	if err := md.check(); err != nil {
		return err
	}
	v := md.VST
	j := modelJSON{Format: ModelFormat, Version: md.Version, Column: md.Column, Positive: md.Positive, Negative: md.Negative,
		Alpha: md.Alpha, Lambda: md.Lambda, Threshold: md.Threshold, Intercept: md.Intercept,
		Features: md.Features, Coefficients: md.Coefficients,
		VST: vstJSON{FitType: v.FitType, Features: v.Features, LogGeoMeans: make([]*float64, len(v.LogGeoMeans))}}
	switch v.FitType {
	case diffexp.FitParametric:
		j.VST.AsymptDisp, j.VST.ExtraPois = v.AsymptDisp, v.ExtraPois
	case diffexp.FitMean:
		j.VST.MeanDisp = v.MeanDisp
	default:
		j.VST.SplineX, j.VST.SplineY, j.VST.Eta, j.VST.Xi = v.SplineX, v.SplineY, v.Eta, v.Xi
	}
	for i, g := range v.LogGeoMeans {
		if !math.IsInf(g, 0) {
			g := g
			j.VST.LogGeoMeans[i] = &g
		}
	}
	b, err := json.MarshalIndent(j, "", "  ")
	if err != nil {
		return err
	}
	_, err = w.Write(append(b, '\n'))
	return err
}

// ReadModel reads a model written by WriteJSON; file names the input in
// errors.
func ReadModel(r io.Reader, file string) (*Model, error) {
	var j modelJSON
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&j); err != nil {
		if se, ok := err.(*json.SyntaxError); ok {
			return nil, fmt.Errorf("%s: byte %d: %w: %w", file, se.Offset, ErrModel, err)
		}
		return nil, fmt.Errorf("%s: %w: %w", file, ErrModel, err)
	}
	if j.Format != ModelFormat {
		return nil, fmt.Errorf("%s: %w: format %q, want %q", file, ErrModel, j.Format, ModelFormat)
	}
	v := &diffexp.VSTModel{Features: j.VST.Features, FitType: j.VST.FitType, AsymptDisp: j.VST.AsymptDisp, ExtraPois: j.VST.ExtraPois,
		MeanDisp: j.VST.MeanDisp, SplineX: j.VST.SplineX, SplineY: j.VST.SplineY, Eta: j.VST.Eta, Xi: j.VST.Xi,
		LogGeoMeans: make([]float64, len(j.VST.LogGeoMeans))}
	for i, g := range j.VST.LogGeoMeans {
		v.LogGeoMeans[i] = math.Inf(-1)
		if g != nil {
			v.LogGeoMeans[i] = *g
		}
	}
	md := &Model{Column: j.Column, Positive: j.Positive, Negative: j.Negative, Alpha: j.Alpha, Lambda: j.Lambda,
		Threshold: j.Threshold, Intercept: j.Intercept, Features: j.Features, Coefficients: j.Coefficients, VST: v, Version: j.Version}
	if err := md.check(); err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	return md, nil
}
