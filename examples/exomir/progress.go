package main

import (
	"fmt"
	"io"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/exomir/exomir/quant"
	"github.com/exomir/exomir/study"
)

// progress reports on stderr: live per-sample and overall lines when it is
// a terminal, one line per finished sample otherwise, nothing with -quiet.
type progress struct {
	w        io.Writer
	sh       *study.Sheet
	quiet    bool
	terminal bool
	start    time.Time
	size     []int64 // input bytes per sample
	read     []atomic.Int64
	mu       sync.Mutex
	finished int
	ticker   *time.Ticker
	quit     chan struct{}
	once     sync.Once
}

func newProgress(w io.Writer, sh *study.Sheet, quiet bool) *progress {
	p := &progress{w: w, sh: sh, quiet: quiet, start: time.Now(),
		size: make([]int64, len(sh.Rows)), read: make([]atomic.Int64, len(sh.Rows)), quit: make(chan struct{})}
	for i, r := range sh.Rows {
		if st, err := os.Stat(r.Path); err == nil {
			p.size[i] = st.Size()
		}
	}
	if f, ok := w.(*os.File); ok && !quiet {
		if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
			p.terminal = true
			p.ticker = time.NewTicker(500 * time.Millisecond)
			go p.loop()
		}
	}
	return p
}

// SampleRead counts bytes read of sample i (study.Progress).
func (p *progress) SampleRead(i int, n int64) { p.read[i].Add(n) }

// Warnings prints warnings as they are found (study.Progress); -quiet
// does not silence them.
func (p *progress) Warnings(ws []quant.Warning) {
	p.mu.Lock()
	defer p.mu.Unlock()
	printWarnings(p.w, ws)
}

func (p *progress) loop() {
	for {
		select {
		case <-p.quit:
			return
		case <-p.ticker.C:
			p.mu.Lock()
			p.draw()
			p.mu.Unlock()
		}
	}
}

// draw writes one status line: running samples with their share read and
// rate, then samples done and the estimated time left.
func (p *progress) draw() {
	var total, done int64
	line := ""
	el := time.Since(p.start).Seconds()
	for i := range p.size {
		r := p.read[i].Load()
		total += p.size[i]
		done += min(r, p.size[i])
		if r > 0 && r < p.size[i] {
			line += fmt.Sprintf("%s %2.0f%% ", p.sh.Rows[i].Sample, 100*float64(r)/float64(p.size[i]))
		}
	}
	eta := "?"
	if done > 0 && el > 1 {
		eta = fmt.Sprintf("%.0fs", el*float64(total-done)/float64(done))
	}
	rate := float64(done) / 1e6 / max(el, 1e-9)
	fmt.Fprintf(p.w, "\r\033[K%d/%d samples done, %.1f MB/s, ETA %s | %s", p.finished, len(p.size), rate, eta, line)
}

// SampleDone records a finished sample (study.Progress).
func (p *progress) SampleDone(i int, r *study.Sample) {
	if p.quiet {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.finished++
	input, _ := r.Quant.Stat("input_reads")
	mirna, _ := r.Quant.Stat("reads_mirna")
	if p.terminal {
		fmt.Fprint(p.w, "\r\033[K")
	}
	reused := ""
	if r.Reused {
		reused = ", reused"
	}
	fmt.Fprintf(p.w, "%s: %s reads, %s on miRNAs (%d/%d samples, %.1f s%s)\n", p.sh.Rows[i].Sample, input, mirna, p.finished, len(p.size), time.Since(p.start).Seconds(), reused)
}

func (p *progress) stop() {
	p.once.Do(func() {
		if p.ticker != nil {
			p.ticker.Stop()
			close(p.quit)
			p.mu.Lock()
			fmt.Fprint(p.w, "\r\033[K")
			p.mu.Unlock()
		}
	})
}
