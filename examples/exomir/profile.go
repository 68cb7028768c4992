package main

import (
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/pprof"
)

// startProfiles writes a CPU profile to $EXOMIR_CPUPROFILE and, when the
// returned function runs, a heap (allocation) profile to
// $EXOMIR_MEMPROFILE: for measuring commands on real files without a test
// harness. Unset variables cost nothing.
func startProfiles(stderr io.Writer) (stop func()) {
	var cpu *os.File
	if p := os.Getenv("EXOMIR_CPUPROFILE"); p != "" {
		f, err := os.Create(p)
		if err == nil {
			err = pprof.StartCPUProfile(f)
		}
		if err != nil {
			fmt.Fprintf(stderr, "exomir: EXOMIR_CPUPROFILE: %v\n", err)
		} else {
			cpu = f
		}
	}
	return func() {
		if cpu != nil {
			pprof.StopCPUProfile()
			cpu.Close()
		}
		if p := os.Getenv("EXOMIR_MEMPROFILE"); p != "" {
			f, err := os.Create(p)
			if err == nil {
				runtime.GC()
				err = pprof.Lookup("allocs").WriteTo(f, 0)
				f.Close()
			}
			if err != nil {
				fmt.Fprintf(stderr, "exomir: EXOMIR_MEMPROFILE: %v\n", err)
			}
		}
	}
}
