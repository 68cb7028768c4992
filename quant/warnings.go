package quant

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/exomir/exomir/seq"
)

// WarningCode names one QC check. Codes are stable: scripts may match
// them in the summary's warnings row.
type WarningCode string

// Per-sample checks (CheckSample), study-level checks (CheckStudy), and
// the differential-expression warnings a caller of package diffexp raises
// on quant's counts (WarnDEPoscounts, WarnDESkipped).
const (
	// WarnNoReads: the input holds no reads.
	WarnNoReads WarningCode = "no_reads"
	// WarnAdapterMissing: the layout has a 3' adapter but it was found in
	// fewer than MinAdapterShare of the reads.
	WarnAdapterMissing WarningCode = "adapter_missing"
	// WarnMiRNALow: miRNA reads are fewer than MinMiRNAShare of the reads
	// that passed trimming and filters.
	WarnMiRNALow WarningCode = "mirna_low"
	// WarnLengthMode: the most common insert length of the passed reads is
	// outside ModeMinLen–ModeMaxLen (mature miRNAs are 18–26 nt).
	WarnLengthMode WarningCode = "length_mode"
	// WarnAdapterDimers: more than MaxClassShare of the reads are adapter
	// dimers (no insert).
	WarnAdapterDimers WarningCode = "adapter_dimers"
	// WarnTooShort: more than MaxClassShare of the reads have an insert
	// shorter than the minimum length.
	WarnTooShort WarningCode = "too_short"
	// WarnDetectionUncertain: with protocol auto, the adapter detection's
	// confidence is below MinDetectionConfidence.
	WarnDetectionUncertain WarningCode = "detection_uncertain"
	// WarnKitMixed: the samples of one study were read with different kit
	// layouts.
	WarnKitMixed WarningCode = "kit_mixed"
	// WarnConfounded: the kit, or a covariate column (batch, …), separates
	// the samples exactly as the condition does, so their effects cannot be
	// told apart.
	WarnConfounded WarningCode = "confounded"
	// WarnDuplicateInput: two samples of one study read the same file
	// (same path, or the same file through a link): a copy-paste slip in
	// the samplesheet that would count one library twice.
	WarnDuplicateInput WarningCode = "duplicate_input"
	// WarnConditionSimilar: two condition levels differ only in case,
	// punctuation or one inserted letter (tumor/tumour): a typo?
	WarnConditionSimilar WarningCode = "condition_similar"
	// WarnBAMTruncated: a BAM input lacks the BGZF end-of-file marker.
	WarnBAMTruncated WarningCode = "bam_truncated"
	// WarnDEPoscounts: every miRNA has a zero count in some sample, so the
	// DESeq2 ratio size factors were replaced by poscounts.
	WarnDEPoscounts WarningCode = "de_poscounts"
	// WarnDESkipped: differential expression was not run; the message
	// says why.
	WarnDESkipped WarningCode = "de_skipped"
	// WarnDEIsomirsSkipped: the isomiR-level DE (de_isomirs.tsv) failed
	// while the miRNA-level DE ran; the message says why.
	WarnDEIsomirsSkipped WarningCode = "de_isomirs_skipped"
)

// Thresholds of the checks.
const (
	MinAdapterShare        = 0.5
	MinMiRNAShare          = 0.05
	ModeMinLen, ModeMaxLen = 18, 26
	MaxClassShare          = 0.5
	MinDetectionConfidence = 0.5
)

// Warning is one QC finding. Sample is "" for a study-level warning.
type Warning struct {
	Sample  string
	Code    WarningCode
	Message string // the measured value and its likely cause
}

// String formats w as "SAMPLE: CODE: message" ("study" for a
// study-level warning); the CLI prefixes "warning: ".
func (w Warning) String() string {
	who := w.Sample
	if who == "" {
		who = "study"
	}
	return who + ": " + string(w.Code) + ": " + w.Message
}

// WarningCodes joins the codes of ws with ";" in order, without repeats,
// or returns "none": the value of the summary's warnings row.
func WarningCodes(ws []Warning) string {
	var codes []string
	for _, w := range ws {
		c := string(w.Code)
		if !containsStr(codes, c) {
			codes = append(codes, c)
		}
	}
	if len(codes) == 0 {
		return "none"
	}
	return strings.Join(codes, ";")
}

// SetWarnings records ws as the sample's warnings row (replacing an
// earlier one), so that WriteSummary writes it.
func (s *Sample) SetWarnings(ws []Warning) {
	v := WarningCodes(ws)
	for i := range s.Stats {
		if s.Stats[i].Name == "warnings" {
			s.Stats[i].Value = v
			return
		}
	}
	s.Stats = append(s.Stats, Stat{Name: "warnings", Value: v})
}

// CheckSample runs the per-sample checks. sum is seq's summary of the
// reads (nil for alignment input: only the miRNA share is checked); s is
// the quantified sample (nil when only reads were collapsed: the miRNA
// share is not checked). name labels the warnings (s.Name when "").
func CheckSample(name string, sum *seq.Summary, s *Sample) []Warning {
	if name == "" && s != nil {
		name = s.Name
	}
	var ws []Warning
	add := func(code WarningCode, format string, a ...any) {
		ws = append(ws, Warning{Sample: name, Code: code, Message: fmt.Sprintf(format, a...)})
	}
	hint := func() string { return kitHint(sum) }
	if sum != nil {
		if sum.InputReads == 0 {
			add(WarnNoReads, "the input holds no reads")
			return ws
		}
		in := float64(sum.InputReads)
		if hasAdapter(sum) {
			found := 1 - float64(sum.Count(seq.CatNoAdapter))/in
			if found < MinAdapterShare {
				add(WarnAdapterMissing, "adapter %s found in %s of reads (protocol %s): wrong kit or adapter? %s",
					sum.Adapter, pct(found), sum.Protocol, kitHint(sum))
				// The other findings follow from this one: say so once.
				hint = func() string { return "the adapter is missing (see adapter_missing)" }
			}
		}
		if f := float64(sum.Count(seq.CatAdapterDimer)) / in; f > MaxClassShare {
			add(WarnAdapterDimers, "%s of reads are adapter dimers (no insert): too little input RNA, or a failed size selection", pct(f))
		}
		if f := float64(sum.Count(seq.CatTooShort)) / in; f > MaxClassShare {
			add(WarnTooShort, "%s of reads have an insert shorter than the minimum length: degraded RNA, or random bases not clipped? %s", pct(f), hint())
		}
		if mode, n := lengthMode(sum.LengthsInsert); n > 0 && (mode < ModeMinLen || mode > ModeMaxLen) {
			add(WarnLengthMode, "most common insert length %d nt (mature miRNAs are %d-%d): wrong kit or layout (random bases, UMI)? %s",
				mode, ModeMinLen, ModeMaxLen, hint())
		}
		if d := sum.Detection; d != nil && sum.AdapterConfidence < MinDetectionConfidence {
			add(WarnDetectionUncertain, "adapter detection is unsure (confidence %.2f, kit %s%s): %s; give -protocol or -adapter",
				sum.AdapterConfidence, d.Kit, alternatives(d), detectionWhy(d))
		}
	}
	if s != nil {
		if v, _ := s.Stat("bam_eof_marker"); v == "missing" {
			add(WarnBAMTruncated, "the BAM file lacks the BGZF end-of-file marker: it may have been cut short (an interrupted copy or aligner); every record read was valid")
		}
		if w, ok := mirnaCheck(name, hint(), sum, s); ok {
			ws = append(ws, w)
		}
		ws = append(ws, exogenousCheck(name, s)...)
	}
	return ws
}

// mirnaCheck compares miRNA reads with the reads that passed trimming
// and filters (reads_mirna + hairpin only + other RNA + unmapped).
func mirnaCheck(name, hint string, sum *seq.Summary, s *Sample) (Warning, bool) {
	num := func(k string) int64 {
		v, _ := s.Stat(k)
		n, _ := strconv.ParseInt(v, 10, 64)
		return n
	}
	mirna, hp, other, unmapped := num("reads_mirna"), num("reads_hairpin_only"), num("reads_other_rna"), num("reads_unmapped")
	passed := mirna + hp + other + unmapped + num("reads_exogenous_mirna")
	if passed == 0 {
		if sum != nil && sum.InputReads == 0 {
			return Warning{}, false // reported as no_reads
		}
		return Warning{Sample: name, Code: WarnMiRNALow, Message: "no read passed trimming and filters: wrong kit or layout? " + hint}, true
	}
	f := float64(mirna) / float64(passed)
	if f >= MinMiRNAShare {
		return Warning{}, false
	}
	cause := "wrong kit, layout or species? " + hint
	if other > unmapped && other > hp {
		cause = "most passed reads are other small RNAs (degraded RNA, or a biofluid poor in miRNA)"
	}
	return Warning{Sample: name, Code: WarnMiRNALow, Message: fmt.Sprintf(
		"miRNA %s of passed reads (hairpin only %s, other RNA %s, unmapped %s): %s",
		pct(f), pct(float64(hp)/float64(passed)), pct(float64(other)/float64(passed)), pct(float64(unmapped)/float64(passed)), cause)}, true
}

// StudySample is what the study-level checks know of one sample.
type StudySample struct {
	Name, Condition string
	// Protocol is the kit layout used (seq.Summary.Protocol); "" for
	// alignment input, which is left out of the kit checks.
	Protocol string
}

// Covariate is a samplesheet column other than condition (batch, …),
// Values parallel to the samples.
type Covariate struct {
	Name   string
	Values []string
}

// CheckStudy runs the study-level checks: kits differing between samples,
// the kit or a covariate confounded with the condition, and condition
// levels that look like typos of each other.
func CheckStudy(samples []StudySample, covariates []Covariate) []Warning {
	var ws []Warning
	add := func(code WarningCode, format string, a ...any) {
		ws = append(ws, Warning{Code: code, Message: fmt.Sprintf(format, a...)})
	}
	conds := make([]string, len(samples))
	kits := make([]string, len(samples))
	var withKit []int
	for i, s := range samples {
		conds[i], kits[i] = s.Condition, s.Protocol
		if s.Protocol != "" {
			withKit = append(withKit, i)
		}
	}
	if groups := groupBy(kits, withKit); len(groups) > 1 {
		add(WarnKitMixed, "samples were read with different kit layouts: %s; give the same -protocol if they share a kit", describeGroups(groups, samples))
		if confounded(kits, conds, withKit) {
			add(WarnConfounded, "the kit separates the samples as the condition does (%s): kit and condition effects cannot be told apart", describeGroups(groups, samples))
		}
	}
	all := make([]int, len(samples))
	for i := range all {
		all[i] = i
	}
	for _, c := range covariates {
		if len(c.Values) != len(samples) {
			continue
		}
		if confounded(c.Values, conds, all) {
			add(WarnConfounded, "column %s separates the samples as the condition does (%s): its effect and the condition's cannot be told apart",
				c.Name, describeGroups(groupBy(c.Values, all), samples))
		}
	}
	levels := distinct(conds)
	for i, a := range levels {
		for _, b := range levels[i+1:] {
			if similarLevels(a, b) {
				add(WarnConditionSimilar, "conditions %q and %q look alike: a typo in the samplesheet?", a, b)
			}
		}
	}
	return ws
}

// StudyInput is one sample's input file, for CheckInputs.
type StudyInput struct {
	Name, Path string
}

// CheckInputs warns (WarnDuplicateInput, study level) about samples that
// read the same file: the same cleaned path, or paths that os.SameFile
// says are one file (hard or symbolic links). It only stats the files, so
// it runs before any reading. Each repeat is reported once, against the
// first sample that read the file.
func CheckInputs(inputs []StudyInput) []Warning {
	var ws []Warning
	infos := make([]os.FileInfo, len(inputs))
	for i, in := range inputs {
		if fi, err := os.Stat(in.Path); err == nil {
			infos[i] = fi
		}
	}
	for j := range inputs {
		for i := 0; i < j; i++ {
			same := filepath.Clean(inputs[i].Path) == filepath.Clean(inputs[j].Path) ||
				(infos[i] != nil && infos[j] != nil && os.SameFile(infos[i], infos[j]))
			if same {
				ws = append(ws, Warning{Code: WarnDuplicateInput, Message: fmt.Sprintf(
					"samples %s and %s read the same file %s: a samplesheet slip? the library would be counted twice",
					inputs[i].Name, inputs[j].Name, inputs[j].Path)})
				break
			}
		}
	}
	return ws
}

// confounded reports whether the groups of by (over the samples idx) are
// at least two, not one per sample, and each within a single condition,
// while the condition has at least two levels among them.
func confounded(by, conds []string, idx []int) bool {
	groups := groupBy(by, idx)
	if len(groups) < 2 || len(groups) == len(idx) {
		return false
	}
	var cs []string
	for _, g := range groups {
		c := conds[g.members[0]]
		for _, m := range g.members[1:] {
			if conds[m] != c {
				return false
			}
		}
		if !containsStr(cs, c) {
			cs = append(cs, c)
		}
	}
	return len(cs) > 1
}

type group struct {
	value   string
	members []int
}

// groupBy groups idx by values[i], in order of first appearance.
func groupBy(values []string, idx []int) []group {
	var gs []group
	for _, i := range idx {
		k := -1
		for j := range gs {
			if gs[j].value == values[i] {
				k = j
			}
		}
		if k < 0 {
			gs = append(gs, group{value: values[i]})
			k = len(gs) - 1
		}
		gs[k].members = append(gs[k].members, i)
	}
	return gs
}

func describeGroups(gs []group, samples []StudySample) string {
	parts := make([]string, len(gs))
	for i, g := range gs {
		names := make([]string, 0, 4)
		for k, m := range g.members {
			if k == 3 {
				names = append(names, fmt.Sprintf("and %d more", len(g.members)-3))
				break
			}
			names = append(names, samples[m].Name)
		}
		parts[i] = g.value + " (" + strings.Join(names, ", ") + ")"
	}
	return strings.Join(parts, "; ")
}

// similarLevels: equal once case and - _ . and spaces are dropped, or one
// is the other with one letter inserted (tumor/tumour), for names of 4+
// letters.
func similarLevels(a, b string) bool {
	na, nb := normLevel(a), normLevel(b)
	if na == nb {
		return true
	}
	if len(na) > len(nb) {
		na, nb = nb, na
	}
	if len(na) < 4 || len(nb) != len(na)+1 {
		return false
	}
	for i := 0; i < len(nb); i++ {
		if nb[:i]+nb[i+1:] == na {
			c := nb[i]
			return c >= 'a' && c <= 'z'
		}
	}
	return false
}

func normLevel(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		switch r {
		case '-', '_', '.', ' ':
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

func distinct(xs []string) []string {
	var out []string
	for _, x := range xs {
		if !containsStr(out, x) {
			out = append(out, x)
		}
	}
	sort.Strings(out)
	return out
}

func containsStr(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

// hasAdapter: the layout trims a 3' adapter (or a poly-A tail).
func hasAdapter(sum *seq.Summary) bool {
	return sum.Adapter != "" && sum.Adapter != "none"
}

// lengthMode returns the most common length (the shortest on ties) and
// the number of reads in the histogram.
func lengthMode(h []int64) (mode int, n int64) {
	var best int64
	for l, v := range h {
		n += v
		if v > best {
			mode, best = l, v
		}
	}
	return mode, n
}

func pct(f float64) string {
	switch {
	case f > 0 && f < 0.001:
		return strconv.FormatFloat(100*f, 'g', 2, 64) + "%"
	default:
		return strconv.FormatFloat(100*f, 'f', 1, 64) + "%"
	}
}

func alternatives(d *seq.Detection) string {
	if len(d.Alternatives) == 0 {
		return ""
	}
	return ", or " + strings.Join(d.Alternatives, ", ")
}

func detectionWhy(d *seq.Detection) string {
	if d.Note != "" {
		return d.Note
	}
	return d.Method
}

// kitHint names the likely remedy: what detection saw when it ran, else
// what a user-chosen protocol is commonly confused with.
func kitHint(sum *seq.Summary) string {
	if sum == nil {
		return "check the reference (-species, -mature/-hairpin) and the aligner's settings"
	}
	if d := sum.Detection; d != nil {
		s := fmt.Sprintf("the reads look like kit %s%s (detection confidence %.2f", d.Kit, alternatives(d), d.Confidence)
		if d.Adapter != "" {
			s += fmt.Sprintf(", adapter %s in %s of reads", d.Adapter, pct(d.Support))
		}
		s += ")"
		if d.Note != "" {
			s += ": " + d.Note
		}
		return s + "; check -protocol, -adapter, -min-len"
	}
	if hasAdapter(sum) && float64(sum.Count(seq.CatNoAdapter)) >= (1-MinAdapterShare)*float64(sum.InputReads) {
		// The adapter itself is missing: another kit's adapter, not a
		// different clip of this one.
		return fmt.Sprintf("protocol %s was given but most reads lack its adapter: try -protocol auto to detect the kit from the reads, or give -adapter", sum.Protocol)
	}
	switch sum.Protocol {
	case "truseq":
		return "protocol truseq was given: NEXTflex shares its adapter but has 4 random nt at each end (try -protocol nextflex), or try -protocol auto"
	case "nextflex":
		return "protocol nextflex was given: TruSeq shares its adapter without random bases (try -protocol truseq), or try -protocol auto"
	case "none":
		return "protocol none was given (reads already trimmed): if they still carry an adapter, try -protocol auto"
	}
	return fmt.Sprintf("protocol %s was given (adapter %s, %s): try -protocol auto to detect the kit from the reads", sum.Protocol, orNone(sum.Adapter), sum.AdapterSource)
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}
