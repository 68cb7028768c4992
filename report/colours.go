package report

import (
	"hash/fnv"
	"image/color"
)

// Okabe & Ito (2008) colour-blind-safe colours, by name.
var (
	oiBlack     = rgb(0x000000)
	oiOrange    = rgb(0xE69F00)
	oiSkyBlue   = rgb(0x56B4E9)
	oiGreen     = rgb(0x009E73)
	oiYellow    = rgb(0xF0E442)
	oiBlue      = rgb(0x0072B2)
	oiVermilion = rgb(0xD55E00)
	oiPurple    = rgb(0xCC79A7)
	oiGrey      = rgb(0x999999)
)

func rgb(v uint32) color.RGBA {
	return color.RGBA{uint8(v >> 16), uint8(v >> 8), uint8(v), 255}
}

// categoryColours fixes the colour of each read category and RNA class so
// the same name has the same colour in every report (docs/report.md lists
// them). Reads that reach an annotation are blues and greens; reads lost
// before alignment are warm colours; unmapped reads are grey.
var categoryColours = map[string]color.RGBA{
	// Read accounting (seq.Cat* and the quant reads_* rows).
	"reads_mirna":         oiBlue,
	"reads_passed":        oiBlue,
	"reads_hairpin_only":  oiSkyBlue,
	"reads_other_rna":     oiGreen,
	"reads_unmapped":      oiGrey,
	"reads_adapter_dimer": oiVermilion,
	"reads_too_short":     oiOrange,
	"reads_too_long":      oiYellow,
	"reads_no_adapter":    oiPurple,
	"reads_too_many_n":    oiBlack,
	"reads_no_umi":        rgb(0xE6BCD3), // light reddish purple
	"reads_low_quality":   rgb(0x5F5F5F), // dark grey
	"reads_spikein":       rgb(0x004F3A), // dark bluish green: read, but not sample RNA
	// RNA classes.
	"miRNA":        oiBlue,
	"hairpin only": oiSkyBlue,
	"tRNA":         oiGreen,
	"rRNA":         oiOrange,
	"snoRNA":       oiPurple,
	"snRNA":        oiYellow,
	"Y_RNA":        oiVermilion,
	"YRNA":         oiVermilion,
	"vaultRNA":     rgb(0x9E4A79), // dark reddish purple
	"SRP_RNA":      rgb(0x80B9D8), // light blue
	"piRNA":        oiBlack,
	"other RNA":    rgb(0x80CEB9), // light bluish green
	"unmapped":     oiGrey,
}

// extraColours are for names absent from categoryColours: tints of the
// Okabe–Ito colours, distinct from the fixed ones.
var extraColours = []color.RGBA{
	rgb(0xF2CF80), rgb(0xAAD9F4), rgb(0x80B9D8), rgb(0xEAAE80),
	rgb(0xF7F1A0), rgb(0x7F7F7F), rgb(0xC2C2C2), rgb(0x9E4A79),
}

// categoryColour returns the fixed colour of a category or class; other
// names get a colour from a hash of the name, so it too is the same in
// every report.
func categoryColour(name string) color.RGBA {
	if c, ok := categoryColours[name]; ok {
		return c
	}
	h := fnv.New32a()
	h.Write([]byte(name))
	return extraColours[h.Sum32()%uint32(len(extraColours))]
}

// distinctColours gives each name its categoryColour unless an earlier
// name of the same figure has it; then the first colour of the fixed and
// extra palettes that the figure does not use yet, so hashed names never
// share a colour within one figure.
func distinctColours(names []string) map[string]color.RGBA {
	out := make(map[string]color.RGBA, len(names))
	used := map[color.RGBA]bool{}
	all := append([]color.RGBA{oiBlue, oiOrange, oiGreen, oiPurple, oiSkyBlue, oiVermilion, oiYellow, oiGrey, oiBlack}, extraColours...)
	for _, n := range names {
		c := categoryColour(n)
		if used[c] {
			for _, a := range all {
				if !used[a] {
					c = a
					break
				}
			}
		}
		used[c] = true
		out[n] = c
	}
	return out
}
