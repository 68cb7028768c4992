package report

import (
	"bufio"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/exomir/exomir/internal/testenv"
)

// MultiQC reads our custom-content files: General Statistics shows the
// column titles (not raw keys), and the accounting plot names the
// categories. Needs Debian's multiqc; skipped without it outside CI.
func TestMultiQCReadsOurFiles(t *testing.T) {
	bin := testenv.Tool(t, "multiqc")
	d := testData()
	d.Samples[0].Accounting = append(d.Samples[0].Accounting, Category{"reads_adapter_dimer", 7})
	dir := t.TempDir()
	in := filepath.Join(dir, "in")
	if err := os.Mkdir(in, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, write := range map[string]func(*bufio.Writer) error{
		"exomir_accounting_mqc.tsv":    func(w *bufio.Writer) error { return WriteMultiQCAccounting(w, d.Samples) },
		"exomir_general_stats_mqc.tsv": func(w *bufio.Writer) error { return WriteMultiQCGeneralStats(w, d.Samples) },
		"exomir_lengths_mqc.json":      func(w *bufio.Writer) error { return WriteMultiQCLengths(w, d.Samples) },
	} {
		f, err := os.Create(filepath.Join(in, name))
		if err != nil {
			t.Fatal(err)
		}
		w := bufio.NewWriter(f)
		if err := write(w); err != nil {
			t.Fatal(err)
		}
		if err := w.Flush(); err != nil {
			t.Fatal(err)
		}
		f.Close()
	}
	out := filepath.Join(dir, "out")
	cmd := exec.Command(bin, "--flat", "--no-ansi", "-o", out, in)
	cmd.Env = append(os.Environ(), "HOME="+dir)
	if b, err := cmd.CombinedOutput(); err != nil || strings.Contains(string(b), "Could not parse") {
		t.Fatalf("multiqc: %v\n%s", err, b)
	}
	raw, err := os.ReadFile(filepath.Join(out, "multiqc_data", "multiqc_data.json"))
	if err != nil {
		t.Fatal(err)
	}
	var data struct {
		Headers []map[string]struct {
			Title, Format, Scale string
		} `json:"report_general_stats_headers"`
		Data []map[string]map[string]float64 `json:"report_general_stats_data"`
	}
	if err := json.Unmarshal(raw, &data); err != nil {
		t.Fatal(err)
	}
	titles := map[string]string{}
	for _, h := range data.Headers {
		for k, v := range h {
			titles[k] = v.Title
			if v.Format == "" || v.Scale == "" {
				t.Errorf("column %s lost its format or scale: %+v", k, v)
			}
		}
	}
	for _, c := range generalStatsColumns {
		if titles[c[0]] != c[1] {
			t.Errorf("General Statistics column %s titled %q, want %q", c[0], titles[c[0]], c[1])
		}
	}
	if len(data.Data) == 0 || data.Data[0]["s1"]["mirna_reads"] != float64(d.Samples[0].MiRNAReads) {
		t.Errorf("General Statistics values missing or wrong: %v", data.Data)
	}
	report, err := os.ReadFile(filepath.Join(out, "multiqc_report.html"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"exomir: read accounting", "adapter dimer", "too short", "exomir: insert lengths", "miRNA reads"} {
		if !strings.Contains(string(report), want) {
			t.Errorf("MultiQC report lacks %q", want)
		}
	}
}
