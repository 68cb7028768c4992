//go:build unix

package diffexp

import "syscall"

// processCPU returns the user+system CPU time of the process in seconds
// (benchmarks report it because wall time on a shared machine is noisy).
func processCPU() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return float64(ru.Utime.Sec+ru.Stime.Sec) + float64(ru.Utime.Usec+ru.Stime.Usec)/1e6
}
