package quant

import "errors"

// Sentinel errors of package quant; wrapped errors match them with errors.Is.
var (
	ErrEmptyReference = errors.New("quant: empty reference")
	ErrUnknownSpecies = errors.New("quant: unknown species")
	ErrUnplacedMature = errors.New("quant: mature sequence absent from every hairpin")
	ErrDuplicateName  = errors.New("quant: duplicate sequence name")
	ErrNoName         = errors.New("quant: sequence without a name (a bare '>' header)")
	ErrBadOption      = errors.New("quant: bad option")
	ErrUnknownHairpin = errors.New("quant: unknown hairpin")
	ErrSampleMismatch = errors.New("quant: samples use different references")
	ErrBadGFF         = errors.New("quant: bad mirGFF3 input")
	ErrBadTable       = errors.New("quant: bad table")
)
