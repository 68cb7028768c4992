package seq

import (
	"bytes"
	"os"
	"testing"

	"github.com/exomir/exomir/internal/gztest"
)

// TestSniffBAM: BAM is BGZF (or gzip) whose data start with "BAM\1";
// compressed SAM text, plain bytes "BAM\1" and garbage are not.
func TestSniffBAM(t *testing.T) {
	bam := append([]byte("BAM\x01"), make([]byte, 12)...)
	for _, tc := range []struct {
		name string
		head []byte
		want bool
	}{
		{"bgzf BAM", gztest.BGZF(bam), true},
		{"gzip BAM", gz(string(bam)), true},
		{"bgzf SAM", gztest.BGZF([]byte("@HD\tVN:1.6\n")), false},
		{"plain BAM magic", bam, false},
		{"empty", nil, false},
		{"gzip magic only", []byte{0x1f, 0x8b, 8}, false},
	} {
		if got := SniffBAM(tc.head); got != tc.want {
			t.Errorf("%s: SniffBAM = %v, want %v", tc.name, got, tc.want)
		}
	}
}

// TestOpenPlainLen: a plain file reports its unread size (what ReadCounts
// allocates from); compressed input and pipes report -1.
func TestOpenPlainLen(t *testing.T) {
	dir := t.TempDir()
	data := []byte(">a\nACGT\n>b\nGGCC\n")
	plain, comp := dir+"/p.fa", dir+"/c.fa.gz"
	if err := os.WriteFile(plain, data, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(comp, gz(string(data)), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		path string
		want int
	}{{plain, len(data)}, {comp, -1}} {
		rc, err := Open(tc.path)
		if err != nil {
			t.Fatal(err)
		}
		l, ok := rc.(interface{ Len() int })
		if !ok {
			t.Fatalf("%s: no Len method", tc.path)
		}
		if got := l.Len(); got != tc.want {
			t.Errorf("%s: Len %d, want %d", tc.path, got, tc.want)
		}
		var buf bytes.Buffer
		if _, err := buf.ReadFrom(rc); err != nil || !bytes.Equal(buf.Bytes(), data) {
			t.Errorf("%s: read %q, %v", tc.path, buf.Bytes(), err)
		}
		if l.Len() != min(tc.want, 0) {
			t.Errorf("%s: Len %d after reading all", tc.path, l.Len())
		}
		rc.Close()
	}
	recs, err := ReadFastaFile(comp)
	if err != nil || len(recs) != 2 || string(recs[1].Seq) != "GGCC" {
		t.Fatalf("ReadFastaFile: %v %v", recs, err)
	}
}
