package main

import (
	"math"
	"os"
	"runtime/debug"
	"runtime/metrics"
	"sync"
	"time"
)

// softHeapLimit is the Go memory limit quant and collapse run under while
// their live heap is small: the collector then runs a little more often
// at the heap's peak (GFF writing) instead of letting the heap double,
// which keeps a 2M-read, 30%-distinct library under 300 MB resident.
const softHeapLimit = 256 << 20

// memLimit counts the commands running under softMemoryLimit (several in
// tests, which call commands in one process): the first sets the limit,
// the last restores the previous one.
var memLimit struct {
	sync.Mutex
	users int
	prev  int64
	stop  chan struct{}
	done  chan struct{}
}

// softMemoryLimit sets softHeapLimit unless the user set GOMEMLIMIT, and
// watches the live heap: once it passes half the limit, the limit is
// raised to twice the live heap (Go's default GOGC=100 growth), so that a
// large library never makes the collector run back to back. The returned
// function ends it.
func softMemoryLimit() (end func()) {
	if os.Getenv("GOMEMLIMIT") != "" {
		return func() {}
	}
	m := &memLimit
	m.Lock()
	defer m.Unlock()
	m.users++
	if m.users == 1 {
		m.prev = debug.SetMemoryLimit(softHeapLimit)
		m.stop, m.done = make(chan struct{}), make(chan struct{})
		go watchHeap(m.stop, m.done)
	}
	return func() {
		m.Lock()
		defer m.Unlock()
		m.users--
		if m.users == 0 {
			close(m.stop)
			<-m.done
			debug.SetMemoryLimit(m.prev)
		}
	}
}

// watchHeap raises the memory limit to twice the live heap when that
// exceeds it, until stop is closed.
func watchHeap(stop, done chan struct{}) {
	defer close(done)
	s := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	limit := int64(softHeapLimit)
	for {
		select {
		case <-stop:
			return
		case <-tick.C:
		}
		metrics.Read(s)
		if s[0].Value.Kind() != metrics.KindUint64 {
			continue
		}
		if l := raisedLimit(s[0].Value.Uint64(), limit); l != limit {
			limit = l
			debug.SetMemoryLimit(limit)
		}
	}
}

// raisedLimit returns the memory limit for a live heap of live bytes
// under limit: twice the live heap when that is more.
func raisedLimit(live uint64, limit int64) int64 {
	if live >= math.MaxInt64/2 {
		return math.MaxInt64
	}
	return max(limit, 2*int64(live))
}
