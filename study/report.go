package study

import "github.com/exomir/exomir/report"

// Report returns what the study's report.html shows, for report.WriteHTML
// and the report package's MultiQC writers: a program can draw the report
// of a Result without writing the study first.
func (r *Result) Report() *report.Data { return r.reportData() }
