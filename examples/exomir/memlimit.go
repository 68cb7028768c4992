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

// runHeapLimit is the Go memory limit of run, with the limit raised to
// 1.5 times the live heap (not 2) beyond it. run's live heap is ~100 MB
// (the references and two samples in flight) plus a few KB per sample of
// a cohort; with the default collector the heap then doubles it, by a
// random amount from run to run (1,000 samples: 244 and 284 MB resident
// in two runs, 100 samples 202 MB). Under this limit both peak at 203-206
// MB in two runs each, with no measurable CPU cost (bench/run_cohort.sh);
// on 6 x 2 M reads the collector works more: 205 MB instead of 230-256 MB
// for 5-13% more CPU (two runs each, loaded machine).
const runHeapLimit = 192 << 20

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
func softMemoryLimit() (end func()) { return softMemoryLimitOf(softHeapLimit, 100) }

// softMemoryLimitOf is softMemoryLimit with the limit and the growth
// beyond it (the limit is raised to the live heap plus grow percent)
// given. Commands running at once in one process share the first one's.
func softMemoryLimitOf(limit, grow int64) (end func()) {
	if os.Getenv("GOMEMLIMIT") != "" {
		return func() {}
	}
	m := &memLimit
	m.Lock()
	defer m.Unlock()
	m.users++
	if m.users == 1 {
		m.prev = debug.SetMemoryLimit(limit)
		m.stop, m.done = make(chan struct{}), make(chan struct{})
		go watchHeap(m.stop, m.done, limit, grow)
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

// watchHeap raises the memory limit to the live heap plus grow percent
// when that exceeds it, until stop is closed.
func watchHeap(stop, done chan struct{}, limit, grow int64) {
	defer close(done)
	s := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
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
		if l := raisedLimit(s[0].Value.Uint64(), limit, grow); l != limit {
			limit = l
			debug.SetMemoryLimit(limit)
		}
	}
}

// raisedLimit returns the memory limit for a live heap of live bytes
// under limit: the live heap plus grow percent when that is more.
func raisedLimit(live uint64, limit, grow int64) int64 {
	if live >= math.MaxInt64/(2+uint64(grow)/100) {
		return math.MaxInt64
	}
	g := uint64(grow)
	return max(limit, int64(live+live/100*g+live%100*g/100))
}
