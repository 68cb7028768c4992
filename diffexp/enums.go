package diffexp

import (
	"errors"
	"fmt"
	"strings"
)

// ErrOption is returned by the Parse functions for a name that is none of
// the type's values.
var ErrOption = errors.New("diffexp: invalid option")

// FitType is a dispersion trend.
type FitType string

// Dispersion trends ("" means FitParametric).
const (
	FitParametric FitType = "parametric" // α = a0 + a1/μ (DESeq2's default)
	FitLocal      FitType = "local"      // local regression of log α on log μ
	FitMean       FitType = "mean"       // one value: the trimmed mean of the gene-wise estimates
	// FitLocfit is edgeR's locally weighted trend of EdgeR and EdgeRQL (a
	// Results value only; not an option of the DESeq2 paths).
	FitLocfit FitType = "locfit"
)

// Method is the pipeline that produced Results.
type Method string

// DE methods.
const (
	MethodDESeq2  Method = "deseq2"   // DESeq
	MethodEdgeR   Method = "edger"    // EdgeR: edgeR's exact test
	MethodEdgeRQL Method = "edger-ql" // EdgeRQL: edgeR's quasi-likelihood F-test
)

// Direction is the side of a feature's ROC: which group is higher.
type Direction string

// ROC directions.
const (
	DirectionUp   Direction = "up"   // higher in the positive group
	DirectionDown Direction = "down" // lower in the positive group
)

func (t Test) String() string           { return string(t) }
func (t SizeFactorType) String() string { return string(t) }
func (f FitType) String() string        { return string(f) }
func (m Method) String() string         { return string(m) }
func (d Direction) String() string      { return string(d) }

// ParseTest returns the test named s (case does not matter; "" is the
// method's default test).
func ParseTest(s string) (Test, error) {
	return parseEnum(s, "test", TestWald, TestLRT, TestQLF, TestExact)
}

// ParseSizeFactorType returns the size factor type named s (case does not
// matter; "" is SizeFactorsRatio's default).
func ParseSizeFactorType(s string) (SizeFactorType, error) {
	return parseEnum(s, "size factor type", SizeFactorsRatio, SizeFactorsPoscounts)
}

// ParseFitType returns the dispersion trend named s for VST and RLog
// (case does not matter; "" means the default, FitParametric).
func ParseFitType(s string) (FitType, error) {
	return parseEnum(s, "fit type", FitParametric, FitLocal, FitMean)
}

// ParseMethod returns the DE method named s (case does not matter; "deseq"
// is MethodDESeq2).
func ParseMethod(s string) (Method, error) {
	if strings.EqualFold(s, "deseq") {
		return MethodDESeq2, nil
	}
	return parseEnum(s, "method", MethodDESeq2, MethodEdgeR, MethodEdgeRQL)
}

// parseEnum returns the value among valid equal to s but for case, ""
// for "", and otherwise an ErrOption error naming the valid values.
func parseEnum[T ~string](s, what string, valid ...T) (T, error) {
	if s == "" {
		return "", nil
	}
	names := make([]string, len(valid))
	for k, v := range valid {
		if strings.EqualFold(s, string(v)) {
			return v, nil
		}
		names[k] = string(v)
	}
	return "", fmt.Errorf("%w: unknown %s %q (valid: %s)", ErrOption, what, s, strings.Join(names, ", "))
}
