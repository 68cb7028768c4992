package diffexp

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// forRows calls fn(w, lo, hi) on consecutive blocks [lo, hi) of at most
// block rows covering [0, n), on up to workers goroutines (0 = GOMAXPROCS)
// that each take the next block when done; w < workers names the
// goroutine, so fn can keep per-worker scratch. Every row is in exactly
// one block, so results written per row do not depend on scheduling.
func forRows(n, workers, block int, fn func(w, lo, hi int)) {
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	block = max(block, 1)
	workers = min(workers, (n+block-1)/block)
	if workers <= 1 {
		if n > 0 {
			fn(0, 0, n)
		}
		return
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for {
				lo := int(next.Add(int64(block))) - block
				if lo >= n {
					return
				}
				fn(w, lo, min(lo+block, n))
			}
		}(w)
	}
	wg.Wait()
}

// parallelRows calls f on about four blocks of rows per worker (0 =
// GOMAXPROCS): for loops that allocate their scratch per block.
func parallelRows(n, workers int, f func(lo, hi int)) {
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	forRows(n, workers, (n+4*workers-1)/(4*workers), func(_, lo, hi int) { f(lo, hi) })
}
