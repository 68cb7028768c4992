//go:build !unix

package align

import "time"

// cpuTime is not measured here; benchmarks then skip the CPU metric.
func cpuTime() time.Duration { return 0 }
