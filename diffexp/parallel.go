package diffexp

import (
	"context"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
)

// cancelled returns ctx's error wrapped for a caller of this package, or
// nil while ctx is live.
func cancelled(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("diffexp: %w", err)
	}
	return nil
}

// forRows calls fn(w, lo, hi) on consecutive blocks [lo, hi) of at most
// block rows covering [0, n), on up to workers goroutines (0 = GOMAXPROCS)
// that each take the next block when done; w < workers names the
// goroutine, so fn can keep per-worker scratch. Every row is in exactly
// one block, so results written per row do not depend on scheduling.
// ctx is checked before each block (a block is many row fits, so the check
// costs nothing measurable); once it is cancelled no block starts and the
// wrapped ctx.Err() is returned, the rows' results then being incomplete.
func forRows(ctx context.Context, n, workers, block int, fn func(w, lo, hi int)) error {
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	block = max(block, 1)
	workers = min(workers, (n+block-1)/block)
	if workers <= 1 {
		for lo := 0; lo < n; lo += block {
			if ctx.Err() != nil {
				break
			}
			fn(0, lo, min(lo+block, n))
		}
		return cancelled(ctx)
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for ctx.Err() == nil {
				lo := int(next.Add(int64(block))) - block
				if lo >= n {
					return
				}
				fn(w, lo, min(lo+block, n))
			}
		}(w)
	}
	wg.Wait()
	return cancelled(ctx)
}

// parallelRows calls f on about four blocks of rows per worker (0 =
// GOMAXPROCS): for loops that allocate their scratch per block. It returns
// the wrapped ctx.Err() when ctx was cancelled (see forRows).
func parallelRows(ctx context.Context, n, workers int, f func(lo, hi int)) error {
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	return forRows(ctx, n, workers, (n+4*workers-1)/(4*workers), func(_, lo, hi int) { f(lo, hi) })
}
