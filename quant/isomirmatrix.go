package quant

import (
	"encoding/binary"
	"fmt"
	"slices"
	"strings"
)

// IsomirMatrix is a count matrix of isomiR features (rows) × samples,
// with each row's miRNA, variant and whether it is 5' shifted (a new seed,
// hence other targets). Values are row-major, len(Features)·len(Samples).
type IsomirMatrix struct {
	// Level is "isomir" (one row per read × miRNA, Features are UIDs) or
	// "type" (one row per miRNA × variant type, Features are
	// "miRNA|type").
	Level     string
	Features  []string
	Mirna     []string
	Variant   []string
	SeedShift []bool
	Samples   []string
	Values    []int64
}

// VariantType is the kind of a variant without its values, as the
// isomiRs R package's isoDE aggregates: "ref" for the reference, else
// its terms joined by "," (e.g. "iso_5p,iso_add3p", "iso_snv_seed").
func VariantType(v Variant) string {
	if v.IsRef() {
		return "ref"
	}
	parts := strings.Split(v.String(), ",")
	for i, p := range parts {
		parts[i], _, _ = strings.Cut(p, ":")
	}
	return strings.Join(parts, ",")
}

// IsomirFilter says which rows of the isomiR matrices are kept: those
// with at least MinCount reads in at least MinSamples samples (DESeq2's
// vignette prefilter, with MinSamples the smallest group). Rows without
// any read are always dropped; the zero value keeps every other row.
type IsomirFilter struct {
	MinCount   int64
	MinSamples int
}

// keep reports whether a row with these counts passes f.
func (f IsomirFilter) keep(expr []int64) bool {
	var tot int64
	n := 0
	for _, e := range expr {
		tot += e
		if e >= f.MinCount {
			n++
		}
	}
	return tot > 0 && n >= f.MinSamples
}

// IsomirMatrices returns the two count matrices of isomiR-level
// differential analysis over samples: one row per (read, miRNA) passing
// f, in isomir_counts.tsv order, and one row per (miRNA, VariantType)
// over all reads (sorted by miRNA in reference order, then type) passing
// f. Both are made of the same counts as the count matrix: a miRNA's type
// rows (unfiltered) sum to its mature counts. The filter keeps the
// matrices small at cohort scale: memory grows with rows × samples.
func IsomirMatrices(samples []*Sample, f IsomirFilter) (isomirs, types *IsomirMatrix, err error) {
	if len(samples) == 0 {
		return nil, nil, fmt.Errorf("%w: no samples for isomiR matrices", ErrBadOption)
	}
	ref := samples[0].Ref
	names := make([]string, len(samples))
	for i, s := range samples {
		if s.Ref != ref {
			return nil, nil, fmt.Errorf("%w: %s and %s", ErrSampleMismatch, samples[0].Name, s.Name)
		}
		names[i] = s.Name
	}
	return IsomirMatricesOf(ref, names, SampleIsomirRows(samples), f)
}

// IsomirMatricesOf is IsomirMatrices on rows over the samples named
// names (see IsomirRows): it holds the returned matrices and one row of
// type counts per miRNA × variant type, never the reads of all samples.
func IsomirMatricesOf(ref *Reference, names []string, rows IsomirRows, f IsomirFilter) (isomirs, types *IsomirMatrix, err error) {
	isomirs = &IsomirMatrix{Level: "isomir", Samples: names}
	types = &IsomirMatrix{Level: "type", Samples: names}
	type key struct {
		feature int32
		typ     string
	}
	// A type row is summed sparsely until its total could pass f, and
	// only then densely: memory holds the dense rows of the types that may
	// be kept, not every type of every miRNA × samples. The sparse cells
	// are varint (sample, count) pairs, 2-4 bytes each: a cohort's rows
	// hold millions of them.
	type acc struct {
		dense []int64
		cells []byte
		total int64
	}
	addCells := func(row []int64, cells []byte) {
		for len(cells) > 0 {
			i, n := binary.Uvarint(cells)
			e, m := binary.Varint(cells[n:])
			row[i] += e
			cells = cells[n+m:]
		}
	}
	dense := f.MinCount * int64(f.MinSamples) // a kept row's least total
	agg := map[key]*acc{}
	err = rows(func(iso *Isomir, expr []int64) {
		k := key{iso.Feature, VariantType(iso.Variant)}
		a := agg[k]
		if a == nil {
			a = &acc{}
			agg[k] = a
		}
		for i, e := range expr {
			if e == 0 {
				continue
			}
			a.total += e
			if a.dense != nil {
				a.dense[i] += e
			} else {
				a.cells = binary.AppendVarint(binary.AppendUvarint(a.cells, uint64(i)), e)
			}
		}
		if a.dense == nil && a.total > 0 && a.total >= dense {
			a.dense = make([]int64, len(expr))
			addCells(a.dense, a.cells)
			a.cells = nil
		}
		if !f.keep(expr) {
			return
		}
		isomirs.Features = append(isomirs.Features, UID(iso.Seq)+"|"+ref.Features[iso.Feature].Name)
		isomirs.Mirna = append(isomirs.Mirna, ref.Features[iso.Feature].Name)
		isomirs.Variant = append(isomirs.Variant, iso.Variant.String())
		isomirs.SeedShift = append(isomirs.SeedShift, iso.Variant.Shift5 != 0)
		isomirs.Values = append(isomirs.Values, expr...)
	})
	if err != nil {
		return nil, nil, err
	}
	keys := make([]key, 0, len(agg))
	for k := range agg {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b key) int {
		if a.feature != b.feature {
			return int(a.feature) - int(b.feature)
		}
		return strings.Compare(a.typ, b.typ)
	})
	for _, k := range keys {
		a := agg[k]
		row := a.dense
		if row == nil { // under the least total: kept only by a zero filter
			row = make([]int64, len(names))
			addCells(row, a.cells)
		}
		if !f.keep(row) {
			continue
		}
		name := ref.Features[k.feature].Name
		types.Features = append(types.Features, name+"|"+k.typ)
		types.Mirna = append(types.Mirna, name)
		types.Variant = append(types.Variant, k.typ)
		types.SeedShift = append(types.SeedShift, strings.Contains(k.typ, "iso_5p"))
		types.Values = append(types.Values, row...)
	}
	return isomirs, types, nil
}
