package main

import (
	"math"
	"runtime/debug"
	"testing"
)

// TestSoftMemoryLimit: quant and collapse run under softHeapLimit; nested
// users share it, the last one restores the previous limit, and a
// GOMEMLIMIT set by the user is left alone.
func TestSoftMemoryLimit(t *testing.T) {
	t.Setenv("GOMEMLIMIT", "")
	before := debug.SetMemoryLimit(-1)
	end1 := softMemoryLimit()
	if got := debug.SetMemoryLimit(-1); got != softHeapLimit {
		t.Fatalf("limit %d, want %d", got, softHeapLimit)
	}
	end2 := softMemoryLimit()
	end1()
	if got := debug.SetMemoryLimit(-1); got != softHeapLimit {
		t.Fatalf("after the first of two ended: limit %d, want %d", got, softHeapLimit)
	}
	end2()
	if got := debug.SetMemoryLimit(-1); got != before {
		t.Fatalf("after both ended: limit %d, want %d", got, before)
	}

	t.Setenv("GOMEMLIMIT", "1GiB")
	prev := debug.SetMemoryLimit(math.MaxInt64 - 1)
	defer debug.SetMemoryLimit(prev)
	end := softMemoryLimit()
	if got := debug.SetMemoryLimit(-1); got != math.MaxInt64-1 {
		t.Fatalf("with GOMEMLIMIT: limit changed to %d", got)
	}
	end()
}

func TestRaisedLimit(t *testing.T) {
	for _, c := range []struct {
		live        uint64
		limit, want int64
	}{
		{0, softHeapLimit, softHeapLimit},
		{100 << 20, softHeapLimit, softHeapLimit},
		{128 << 20, softHeapLimit, softHeapLimit},
		{129 << 20, softHeapLimit, 258 << 20},
		{1 << 30, 600 << 20, 2 << 30},
		{300 << 20, 1 << 30, 1 << 30}, // never lowered
		{math.MaxUint64, softHeapLimit, math.MaxInt64},
	} {
		if got := raisedLimit(c.live, c.limit, 100); got != c.want {
			t.Errorf("raisedLimit(%d, %d, 100) = %d, want %d", c.live, c.limit, got, c.want)
		}
	}
	// run's: 1.5 times the live heap beyond runHeapLimit.
	for _, c := range []struct {
		live        uint64
		limit, want int64
	}{
		{100 << 20, runHeapLimit, runHeapLimit},
		{128 << 20, runHeapLimit, runHeapLimit},
		{130 << 20, runHeapLimit, 195 << 20},
		{1<<30 + 1, runHeapLimit, 3<<29 + 1},
		{math.MaxUint64, runHeapLimit, math.MaxInt64},
	} {
		if got := raisedLimit(c.live, c.limit, 50); got != c.want {
			t.Errorf("raisedLimit(%d, %d, 50) = %d, want %d", c.live, c.limit, got, c.want)
		}
	}
}

// TestRunMemoryLimit: run's limit is set while it runs and restored
// after, unless the user set GOMEMLIMIT.
func TestRunMemoryLimit(t *testing.T) {
	t.Setenv("GOMEMLIMIT", "")
	before := debug.SetMemoryLimit(-1)
	end := softMemoryLimitOf(runHeapLimit, 50)
	if got := debug.SetMemoryLimit(-1); got != runHeapLimit {
		t.Fatalf("limit %d, want %d", got, runHeapLimit)
	}
	end()
	if got := debug.SetMemoryLimit(-1); got != before {
		t.Fatalf("after run: limit %d, want %d", got, before)
	}
}
