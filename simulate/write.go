package simulate

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"

	"github.com/klauspost/compress/gzip"
	"golang.org/x/sync/errgroup"

	"github.com/exomir/exomir/internal/atomicfile"
)

// Files written by WriteStudy, relative to its directory.
const (
	SamplesheetFile     = "samplesheet.tsv"
	TruthReadsFile      = "truth_mirna_reads.tsv"
	TruthMoleculesFile  = "truth_mirna_molecules.tsv"
	TruthHairpinFile    = "truth_hairpin_reads.tsv"
	TruthFeaturesFile   = "truth_features.tsv"
	TruthFoldChangeFile = "truth_foldchange.tsv"
	TruthSummaryFile    = "truth_summary.tsv"
	// TruthClassesFile (rows class_<name>, trf_<type>, reads_spikein) and
	// TruthSpikeinFile (reads per spike-in) are written when the reference
	// has classes or spike-ins.
	TruthClassesFile = "truth_classes.tsv"
	TruthSpikeinFile = "truth_spikein.tsv"
)

// WriteStudy writes every sample as dir/NAME.fastq.gz, the samplesheet
// (sample, condition, fastq relative to dir) and the truth tables:
//
//	truth_mirna_reads.tsv      mirna × samples, reads of category mirna
//	truth_mirna_molecules.tsv  mirna × samples, molecules (= reads without UMIs)
//	truth_hairpin_reads.tsv    hairpin × samples, mirna + hairpin_only reads
//	truth_features.tsv         mirna, feature (names sharing the sequence,
//	                           joined by "/"), hairpins (comma-separated,
//	                           "-" if none), sequence
//	truth_foldchange.tsv       mirna, feature, log2FC (tumor/control), is_DE
//	                           (1/0), base_mean (share of miRNA reads in a
//	                           sample at the group midpoint), dispersion
//	truth_summary.tsv          category × samples: reads per category,
//	                           molecules
//	truth_isomir_reads.tsv     mirna, feature, read (the insert: shifts, 3'
//	                           additions, SNV; no sequencing errors) ×
//	                           samples, reads of that isomiR
//	truth_isomir_molecules.tsv the same in molecules
//
// Rows follow the reference order; every mature and hairpin is present.
// Samples are generated in parallel (Cfg.Workers) with output independent
// of the worker count. Every file is written atomically.
func (st *Study) WriteStudy(ctx context.Context, dir string) ([]*Truth, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	truths := make([]*Truth, len(st.Samples))
	eg, ctx := errgroup.WithContext(ctx)
	w := st.Cfg.Workers
	if w <= 0 {
		w = runtime.GOMAXPROCS(0)
	}
	eg.SetLimit(w)
	for i := range st.Samples {
		eg.Go(func() error {
			if err := ctx.Err(); err != nil {
				return err
			}
			t, err := st.writeSample(i, filepath.Join(dir, st.Samples[i].Name+".fastq.gz"))
			truths[i] = t
			return err
		})
	}
	if err := eg.Wait(); err != nil {
		return nil, err
	}
	if err := st.writeTruth(dir, truths); err != nil {
		return nil, err
	}
	return truths, nil
}

func (st *Study) writeSample(i int, path string) (*Truth, error) {
	f, err := atomicfile.Create(path)
	if err != nil {
		return nil, err
	}
	defer f.Abort()
	lvl := st.Cfg.GzipLevel
	if lvl == 0 {
		lvl = gzip.DefaultCompression
	}
	zw, err := gzip.NewWriterLevel(f, lvl)
	if err != nil {
		return nil, fmt.Errorf("%w: gzip level %d", ErrConfig, lvl)
	}
	t, err := st.Generate(i, zw)
	if err != nil {
		return nil, fmt.Errorf("simulate: writing %s: %w", path, err)
	}
	if err := zw.Close(); err != nil {
		return nil, fmt.Errorf("simulate: writing %s: %w", path, err)
	}
	if err := f.Commit(); err != nil {
		return nil, fmt.Errorf("simulate: writing %s: %w", path, err)
	}
	return t, nil
}

func (st *Study) writeTruth(dir string, truths []*Truth) error {
	ref := st.Ref
	write := func(name string, fill func(w *bufio.Writer)) error {
		return atomicfile.WriteFile(filepath.Join(dir, name), func(w *bufio.Writer) error {
			fill(w)
			return nil
		})
	}
	header := func(w *bufio.Writer, first string) {
		w.WriteString(first)
		for _, s := range st.Samples {
			w.WriteByte('\t')
			w.WriteString(s.Name)
		}
		w.WriteByte('\n')
	}
	matrix := func(name, first string, rows []string, get func(t *Truth, r int) int64) error {
		return write(name, func(w *bufio.Writer) {
			header(w, first)
			for r, row := range rows {
				w.WriteString(row)
				for _, t := range truths {
					w.WriteByte('\t')
					w.WriteString(strconv.FormatInt(get(t, r), 10))
				}
				w.WriteByte('\n')
			}
		})
	}
	mnames := make([]string, len(ref.Matures))
	for i, m := range ref.Matures {
		mnames[i] = m.Name
	}
	hnames := make([]string, len(ref.Hairpins))
	for i, h := range ref.Hairpins {
		hnames[i] = h.Name
	}
	err := write(SamplesheetFile, func(w *bufio.Writer) {
		w.WriteString("sample\tcondition\tfastq\n")
		for _, s := range st.Samples {
			fmt.Fprintf(w, "%s\t%s\t%s.fastq.gz\n", s.Name, s.Condition, s.Name)
		}
	})
	if err == nil {
		err = matrix(TruthReadsFile, "mirna", mnames, func(t *Truth, r int) int64 { return t.MirnaReads[r] })
	}
	if err == nil {
		err = matrix(TruthMoleculesFile, "mirna", mnames, func(t *Truth, r int) int64 { return t.MirnaMolecules[r] })
	}
	if err == nil {
		err = matrix(TruthHairpinFile, "hairpin", hnames, func(t *Truth, r int) int64 { return t.HairpinReads[r] })
	}
	if err == nil {
		err = write(TruthFeaturesFile, func(w *bufio.Writer) {
			w.WriteString("mirna\tfeature\thairpins\tsequence\n")
			for _, m := range ref.Matures {
				hp := ""
				for k, s := range m.Sites {
					if k > 0 {
						hp += ","
					}
					hp += ref.Hairpins[s.Hairpin].Name
				}
				if hp == "" {
					hp = "-"
				}
				fmt.Fprintf(w, "%s\t%s\t%s\t%s\n", m.Name, m.Feature, hp, m.Seq)
			}
		})
	}
	if err == nil {
		var total float64
		for _, b := range st.Base {
			total += b
		}
		err = write(TruthFoldChangeFile, func(w *bufio.Writer) {
			w.WriteString("mirna\tfeature\tlog2FC\tis_DE\tbase_mean\tdispersion\n")
			for i, m := range ref.Matures {
				de := 0
				if st.DE[i] {
					de = 1
				}
				bm := 0.0
				if total > 0 {
					bm = st.Base[i] / total
				}
				fmt.Fprintf(w, "%s\t%s\t%.4f\t%d\t%.6g\t%.4f\n", m.Name, m.Feature, st.LFC[i], de, bm, st.Disp[i])
			}
		})
	}
	if err == nil {
		cats := []string{"reads", "reads_mirna", "reads_hairpin_only", "reads_other_rna", "reads_unmapped", "reads_adapter_dimer", "reads_too_short", "molecules", "molecules_mirna"}
		err = matrix(TruthSummaryFile, "category", cats, func(t *Truth, r int) int64 {
			c := t.Comp
			return [...]int64{c.Reads, c.Mirna, c.HairpinOnly, c.OtherRNA, c.Unmapped, c.AdapterDimer, c.TooShort, c.Molecules, c.MirnaMolecules}[r]
		})
	}
	if err == nil {
		err = st.writeIsomirTruth(dir, truths)
	}
	if err == nil {
		err = st.writeClassTruth(write, truths)
	}
	if err == nil {
		err = st.writeExtraTruth(dir, truths, write)
	}
	return err
}
