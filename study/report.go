package study

import (
	"context"

	"github.com/exomir/exomir/report"
)

// Report returns what the study's report.html shows, for report.WriteHTML
// and the report package's MultiQC writers: a program can draw the report
// of a Result without writing the study first. It reads the samples'
// editing data from the work folder, so it fails when that folder is
// unreadable or ctx is done.
func (r *Result) Report(ctx context.Context) (*report.Data, error) { return r.reportData(ctx) }
