package quant

import (
	"bufio"
	"fmt"
	"io"
	"sort"
	"strings"
)

// Methods is what a methods section (EV-TRACK / MISEV reporting) needs to
// state about a run: software, references with checksums, parameters,
// kits, thresholds, normalisation and statistics. WriteMethods renders it
// as methods.md.
type Methods struct {
	Tool    string // "exomir"
	Version string // module version or VCS revision
	Command string // the command line
	// References are every reference file used, embedded or given.
	References []RefFile
	// Samples with the kit layout and adapter each was read with.
	Samples []SampleKit
	// Params are the counting parameters, in order (name, value).
	Params [][2]string
	// DE describes normalisation and statistics ("" when not run).
	DE string
	// Exogenous: unassigned reads were searched for exogenous miRNAs.
	Exogenous bool
}

// RefFile is one reference file and its checksum.
type RefFile struct {
	Role     string // e.g. "miRBase mature (host)"
	Name     string // file name or embedded:NAME
	Version  string // e.g. "miRBase 22"
	SHA256   string
	Embedded bool
	// Class is the small-RNA class the file holds (built-in or user), ""
	// for the miRNA references; WriteMethods names classes in their
	// assignment order, the order they are listed in.
	Class string
}

// SampleKit is the library layout one sample was read with.
type SampleKit struct {
	Sample, Protocol, Adapter string
}

// EmbeddedRefFile describes an embedded reference file with its
// checksum.
func EmbeddedRefFile(role, name, version string) (RefFile, error) {
	sum, err := EmbeddedSHA256(name)
	if err != nil {
		return RefFile{}, err
	}
	return RefFile{Role: role, Name: "embedded:" + name, Version: version, SHA256: sum, Embedded: true}, nil
}

// UserRefFile describes a reference file given by the user.
func UserRefFile(role, path, version string) (RefFile, error) {
	sum, err := FileSHA256(path)
	if err != nil {
		return RefFile{}, err
	}
	return RefFile{Role: role, Name: path, Version: version, SHA256: sum}, nil
}

// DefaultParams lists the fixed settings of counting, the exogenous
// search, editing and QC that a methods section states, after the
// caller's own (flags).
func DefaultParams() [][2]string {
	return [][2]string{
		{"alignment", fmt.Sprintf("exhaustive, sense strand; pass 1 on hairpins with <= 1 mismatch and <= 3 untemplated 3' A/T; pass 2 on other classes (same); pass 3 on hairpins with <= %d mismatches", SecondPassMismatches)},
		{"mature window", fmt.Sprintf("read 5' end within %d nt and 3' end within %d nt of the mature's", DefaultWindow5, DefaultWindow3)},
		{"exogenous search", fmt.Sprintf("unassigned inserts only, on miRBase 22 mature (all species): >= %d nt, <= 1 mismatch, <= 3 untemplated A/T, same windows; human sequences kept as decoys; ambiguous reads shared by EM", ExoMinLength)},
		{"exogenous flag", fmt.Sprintf("a non-human clade > %.0f%% of miRNA reads", 100*MaxExogenousShare)},
		{"A-to-I editing", fmt.Sprintf("one-sided binomial test of A>G reads against the sample's A>G background, Benjamini-Hochberg across sites, coverage >= %d, padj < %g and level >= %g", DefaultEditMinCoverage, DefaultEditAlpha, DefaultEditMinLevel)},
		{"QC (exRNA Atlas)", fmt.Sprintf(">= %d transcriptome reads; annotated fraction >= %.2f of passed reads", MinTranscriptomeReads, MinAnnotatedFraction)},
		{"QC (miRTrace)", fmt.Sprintf("inserts 20-25 nt >= %.2f; miRNA fraction >= %.2f; miRNAs detected >= %.2f of the reference", MinLength2025Fraction, MinMiRNAFraction, MinComplexity)},
	}
}

// WriteMethods writes m as Markdown: a paragraph ready for a methods
// section, then the tables it rests on.
func WriteMethods(w io.Writer, m *Methods) error {
	bw := bufio.NewWriter(w)
	p := func(format string, a ...any) { fmt.Fprintf(bw, format, a...) }
	p("# Methods\n\n")
	kits := map[string]bool{}
	for _, s := range m.Samples {
		kits[s.Protocol] = true
	}
	var kitList []string
	for k := range kits {
		kitList = append(kitList, k)
	}
	sort.Strings(kitList)
	var refs, classes []string
	for _, r := range m.References {
		if r.Class != "" {
			// A user file adding to a built-in class keeps its place.
			if !containsString(classes, r.Class) {
				classes = append(classes, r.Class)
			}
			continue
		}
		refs = append(refs, fmt.Sprintf("%s (%s)", r.Version, r.Role))
	}
	p("Small-RNA reads of %d samples were processed with %s %s (`%s`). ", len(m.Samples), m.Tool, m.Version, m.Command)
	p("Adapters were trimmed for the library layout%s %s; inserts were collapsed to distinct sequences and aligned exhaustively to %s. ",
		plural(len(kitList)), strings.Join(kitList, ", "), strings.Join(refs, "; "))
	if len(classes) > 0 {
		p("Inserts on no miRNA hairpin were aligned with the same mismatch policy to the small-RNA classes %s, in this order (miRNA first; a tie between classes goes to the earlier one). ", strings.Join(classes, ", "))
	}
	p("Reads on several miRNAs were shared by expectation-maximisation; every input read is accounted for in one category (summary.tsv). ")
	if m.Exogenous {
		p("Reads left unassigned were searched in all-species miRBase 22 for exogenous and viral miRNAs. ")
	}
	p("A-to-I editing was tested per site against each sample's A>G background, and libraries were checked against the exRNA Atlas and miRTrace criteria listed below. ")
	if m.DE != "" {
		p("%s", m.DE)
		if !strings.HasSuffix(m.DE, ".") {
			p(".")
		}
	}
	p("\n\n## Software\n\n| tool | version |\n|---|---|\n| %s | %s |\n\n", m.Tool, m.Version)
	p("## References\n\n| role | file | version | SHA-256 |\n|---|---|---|---|\n")
	for _, r := range m.References {
		p("| %s | `%s` | %s | `%s` |\n", r.Role, r.Name, r.Version, r.SHA256)
	}
	p("\n## Samples and library layouts\n\n| sample | layout | 3' adapter |\n|---|---|---|\n")
	for _, s := range m.Samples {
		p("| %s | %s | %s |\n", s.Sample, s.Protocol, s.Adapter)
	}
	p("\n## Parameters and thresholds\n\n| setting | value |\n|---|---|\n")
	for _, kv := range m.Params {
		p("| %s | %s |\n", kv[0], strings.ReplaceAll(kv[1], "|", "\\|"))
	}
	return bw.Flush()
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}
