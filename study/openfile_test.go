package study_test

import (
	"context"
	"errors"
	"testing"

	"github.com/exomir/exomir/study"
)

// A done context stops ReadSheet and QuantifyBAM before they open their
// file, with an error matching context.Canceled.
func TestOpenCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := study.ReadSheet(ctx, "../testdata/demo/samplesheet.tsv"); !errors.Is(err, context.Canceled) {
		t.Errorf("ReadSheet: %v, want context.Canceled", err)
	}
	if _, err := study.QuantifyBAM(ctx, nil, "s", "no-such.bam", study.Config{}, 1); !errors.Is(err, context.Canceled) {
		t.Errorf("QuantifyBAM: %v, want context.Canceled", err)
	}
}
