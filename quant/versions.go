package quant

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"

	"github.com/exomir/exomir/seq"
)

// Embedded miRBase releases: the human mature and hairpin files built into
// the binary for each (see mirbase/SOURCES.md).
var embeddedReleases = map[string][2]string{
	"21": {"hsa_mature_v21.fa.gz", "hsa_hairpin_v21.fa.gz"},
	"22": {"hsa_mature_v22.fa.gz", "hsa_hairpin_v22.fa.gz"},
}

// DefaultMirbase is the embedded miRBase release used when none is named.
const DefaultMirbase = "21"

// MirbaseReleases lists the embedded miRBase releases.
func MirbaseReleases() []string { return []string{"21", "22"} }

// EmbeddedFiles returns the names of an embedded release's mature and
// hairpin files ("" is DefaultMirbase).
func EmbeddedFiles(release string) (mature, hairpin string, err error) {
	if release == "" {
		release = DefaultMirbase
	}
	f, ok := embeddedReleases[release]
	if !ok {
		return "", "", fmt.Errorf("%w: miRBase release %q: embedded are %s", ErrBadOption, release, strings.Join(MirbaseReleases(), ", "))
	}
	return f[0], f[1], nil
}

// EmbeddedRelease returns the human reference of an embedded miRBase
// release ("21" or "22"; "" is DefaultMirbase). Release 22's hairpins
// come from a sequence-deduplicated all-species file: hairpins with one
// identical sequence (hsa-mir-1302-2 … -11, …) appear once, under one
// name, so 1,794 human hairpins carry all 2,656 matures.
func EmbeddedRelease(species, release string) (*Reference, error) {
	mf, hf, err := EmbeddedFiles(release)
	if err != nil {
		return nil, err
	}
	if species != "hsa" {
		return nil, fmt.Errorf("%w %q: the embedded references are human only; give -mature and -hairpin files for others", ErrUnknownSpecies, species)
	}
	m, err := readEmbeddedFasta(mf)
	if err != nil {
		return nil, err
	}
	h, err := readEmbeddedFasta(hf)
	if err != nil {
		return nil, err
	}
	return NewReference(m, h, RefOptions{Species: species, MatureFile: "embedded:" + mf, HairpinFile: "embedded:" + hf})
}

func readEmbeddedFasta(name string) ([]seq.FastaRecord, error) {
	f, err := embedded.Open("mirbase/" + name)
	if err != nil {
		return nil, fmt.Errorf("quant: embedded %s: %w", name, err)
	}
	defer f.Close()
	return readFasta(f, "embedded:"+name)
}

// EmbeddedSHA256 is the SHA-256 (hex) of an embedded reference file as
// stored in the binary (the gzip bytes), e.g. "hsa_mature_v22.fa.gz".
func EmbeddedSHA256(name string) (string, error) {
	b, err := fs.ReadFile(embedded, "mirbase/"+name)
	if name == CladesFile {
		b, err = cladesTSV, nil
	}
	if err != nil {
		return "", fmt.Errorf("quant: embedded %s: %w", name, err)
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:]), nil
}

// FileSHA256 is the SHA-256 (hex) of a file's bytes.
func FileSHA256(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", fmt.Errorf("quant: %w", err)
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", fmt.Errorf("quant: %s: %w", path, err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
