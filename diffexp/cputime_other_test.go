//go:build !unix

package diffexp

func processCPU() float64 { return 0 }
