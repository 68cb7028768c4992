//go:build unix

package align

import (
	"syscall"
	"time"
)

// cpuTime returns the user+system CPU time of the process. Benchmarks
// report reads per CPU second next to reads per wall second because the
// build machines are shared: wall time counts the time other processes
// hold the core, CPU time does not.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
