package seq

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"sync"

	"github.com/biogo/hts/bgzf"
	"github.com/klauspost/compress/gzip"
)

// Compression is the container format of an input stream.
type Compression int

// Container formats recognised by Sniff.
const (
	Plain Compression = iota // uncompressed
	Gzip                     // gzip, possibly with several members
	BGZF                     // blocked gzip (BAM-style); also valid gzip
)

func (c Compression) String() string {
	switch c {
	case Gzip:
		return "gzip"
	case BGZF:
		return "bgzf"
	}
	return "plain"
}

// Sniff tells the compression of a stream from its first bytes (at least
// 18 are needed to recognise BGZF; fewer are treated as what they can be).
func Sniff(head []byte) Compression {
	if len(head) < 3 || head[0] != 0x1f || head[1] != 0x8b || head[2] != 8 {
		return Plain
	}
	// BGZF: FEXTRA set, XLEN 6, subfield 'B','C' with length 2 (SAM spec §4.1).
	if len(head) >= 16 && head[3]&4 != 0 && head[10] == 6 && head[11] == 0 &&
		head[12] == 'B' && head[13] == 'C' && head[14] == 2 && head[15] == 0 {
		return BGZF
	}
	return Gzip
}

// SniffBAM reports whether head, the first bytes of a stream (the whole
// first BGZF block, up to 64 KiB, to be sure), is BAM: gzip or BGZF whose
// decompressed data start with the magic "BAM\1" (SAM specification §4.2).
func SniffBAM(head []byte) bool {
	if Sniff(head) == Plain {
		return false
	}
	zr, err := gzip.NewReader(bytes.NewReader(head))
	if err != nil {
		return false
	}
	var magic [4]byte
	n, _ := io.ReadFull(zr, magic[:])
	return n == 4 && string(magic[:]) == "BAM\x01"
}

// Open opens path for reading, decompressing it when its magic bytes say
// gzip (multi-member streams are read to the end) or BGZF (inflated in
// parallel on GOMAXPROCS goroutines). "-" reads standard input. Gzip is
// inflated in its own goroutine, ahead of the caller.
func Open(path string) (io.ReadCloser, error) { return OpenThreads(path, 0) }

// OpenThreads is Open with a worker count for BGZF inflation; 0 means
// GOMAXPROCS.
func OpenThreads(path string, threads int) (io.ReadCloser, error) {
	var f *os.File
	if path == "-" {
		f = os.Stdin
	} else {
		var err error
		f, err = os.Open(path)
		if err != nil {
			return nil, fmt.Errorf("seq: %w", err)
		}
	}
	rc, err := NewDecompressor(f, threads)
	if err != nil {
		if f != os.Stdin {
			f.Close()
		}
		return nil, &ParseError{File: path, Line: 1, Err: err}
	}
	return &fileCloser{ReadCloser: rc, f: f}, nil
}

type fileCloser struct {
	io.ReadCloser
	f *os.File
}

// Len returns the unread bytes of a plain regular file, -1 otherwise.
func (c *fileCloser) Len() int {
	if l, ok := c.ReadCloser.(interface{ Len() int }); ok {
		return l.Len()
	}
	return -1
}

func (c *fileCloser) Close() error {
	err := c.ReadCloser.Close()
	if c.f != os.Stdin {
		if cerr := c.f.Close(); err == nil {
			err = cerr
		}
	}
	return err
}

// NewDecompressor sniffs r's compression and returns a reader of the
// decompressed bytes. A stream cut short before the first data gives an
// error wrapping ErrTruncated. Closing it stops background work but does not close
// r. threads is the BGZF worker count (0 = GOMAXPROCS).
func NewDecompressor(r io.Reader, threads int) (io.ReadCloser, error) {
	if threads <= 0 {
		threads = runtime.GOMAXPROCS(0)
	}
	br := bufio.NewReaderSize(r, 1<<16)
	head, err := br.Peek(18)
	if err != nil && err != io.EOF && !errors.Is(err, bufio.ErrBufferFull) {
		return nil, err
	}
	switch Sniff(head) {
	case BGZF:
		bg, err := bgzf.NewReader(br, threads)
		if err != nil {
			return nil, fmt.Errorf("%w: bgzf: %w", ErrTruncated, err)
		}
		return bg, nil
	case Gzip:
		gz, err := gzip.NewReader(br)
		if err != nil {
			if err == io.EOF || err == io.ErrUnexpectedEOF {
				err = fmt.Errorf("%w: gzip header cut short", ErrTruncated)
			}
			return nil, err
		}
		return newReadAhead(gz), nil
	}
	return &plainReader{Reader: br, src: r}, nil
}

// plainReader is an uncompressed stream; it knows how many bytes are left
// when its source is a regular file, so that a caller reading everything
// can allocate once.
type plainReader struct {
	*bufio.Reader
	src io.Reader
}

func (p *plainReader) Close() error { return nil }

// Len returns the number of unread bytes when the source is a regular
// file, else -1 (the semantics of bytes.Reader.Len, which
// size-aware readers look for).
func (p *plainReader) Len() int {
	f, ok := p.src.(*os.File)
	if !ok {
		return -1
	}
	fi, err := f.Stat()
	if err != nil || !fi.Mode().IsRegular() {
		return -1
	}
	pos, err := f.Seek(0, io.SeekCurrent)
	if err != nil {
		return -1
	}
	return int(fi.Size()-pos) + p.Buffered()
}

// readAhead runs a reader in its own goroutine, a few blocks ahead of the
// consumer, so that inflating and parsing overlap on two cores.
type readAhead struct {
	full   chan []byte
	free   chan []byte
	done   chan struct{}
	blk    []byte // block being consumed (full length)
	off    int    // consumed bytes of blk
	err    error
	once   sync.Once
	wg     sync.WaitGroup
	src    io.Reader
	srcErr error // written by the goroutine before closing full
}

const (
	readAheadBlock  = 256 << 10
	readAheadBlocks = 8
)

func newReadAhead(src io.Reader) *readAhead {
	ra := &readAhead{
		full: make(chan []byte, readAheadBlocks),
		free: make(chan []byte, readAheadBlocks),
		done: make(chan struct{}),
		src:  src,
	}
	for i := 0; i < readAheadBlocks; i++ {
		ra.free <- make([]byte, readAheadBlock)
	}
	ra.wg.Add(1)
	go ra.run()
	return ra
}

func (ra *readAhead) run() {
	defer ra.wg.Done()
	defer close(ra.full)
	for {
		var b []byte
		select {
		case b = <-ra.free:
		case <-ra.done:
			return
		}
		b = b[:cap(b)]
		n := 0
		var err error
		for n < len(b) && err == nil {
			var m int
			m, err = ra.src.Read(b[n:])
			n += m
		}
		if n > 0 {
			select {
			case ra.full <- b[:n]:
			case <-ra.done:
				return
			}
		}
		if err == io.EOF {
			return
		}
		if err != nil {
			ra.srcErr = err
			return
		}
	}
}

func (ra *readAhead) Read(p []byte) (int, error) {
	for ra.off == len(ra.blk) {
		if ra.err != nil {
			return 0, ra.err
		}
		if ra.blk != nil {
			ra.free <- ra.blk
			ra.blk, ra.off = nil, 0
		}
		b, ok := <-ra.full
		if !ok {
			ra.err = ra.srcErr
			if ra.err == nil {
				ra.err = io.EOF
			}
			return 0, ra.err
		}
		ra.blk, ra.off = b, 0
	}
	n := copy(p, ra.blk[ra.off:])
	ra.off += n
	return n, nil
}

// Close stops the background goroutine.
func (ra *readAhead) Close() error {
	ra.once.Do(func() {
		close(ra.done)
		ra.wg.Wait()
	})
	return nil
}
