package sandbox

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"testing"
)

// Harness is what the sandbox's parts are given in place of a *testing.T where no test
// runs (the demo): they take a testing.TB so that the tests can hand them theirs, and use
// only the methods Harness implements. Fatal stops the run (Run returns its message as an
// error), and Close runs the cleanups in reverse order, as a test's end does, and removes
// every temporary directory.
type Harness struct {
	testing.TB // nil: it only makes Harness a testing.TB; every method used is below

	name   string
	root   string    // every temporary directory is under it
	log    io.Writer // Log and Error go here
	ctx    context.Context
	cancel context.CancelFunc

	mu       sync.Mutex
	cleanups []func()
	dirs     int
	failed   bool
}

// harnessFailure is the panic of Fatal, which Run recovers.
type harnessFailure struct{ message string }

// NewHarness makes a harness whose temporary directories go under root (made here) and
// whose log lines go to log.
func NewHarness(name, root string, log io.Writer) (*Harness, error) {
	if err := os.MkdirAll(root, 0o700); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	return &Harness{name: name, root: root, log: log, ctx: ctx, cancel: cancel}, nil
}

// Run calls f and returns the message of the Fatal that stopped it, if one did.
func (h *Harness) Run(f func()) (err error) {
	defer func() {
		if r := recover(); r != nil {
			failure, ok := r.(harnessFailure)
			if !ok {
				panic(r)
			}
			err = errors.New(failure.message)
		}
	}()
	f()
	return nil
}

// Close runs the cleanups, last registered first, then removes the root directory.
func (h *Harness) Close() error {
	h.cancel()
	for {
		h.mu.Lock()
		if len(h.cleanups) == 0 {
			h.mu.Unlock()
			break
		}
		f := h.cleanups[len(h.cleanups)-1]
		h.cleanups = h.cleanups[:len(h.cleanups)-1]
		h.mu.Unlock()
		if err := h.Run(f); err != nil {
			fmt.Fprintln(h.log, "cleanup:", err)
		}
	}
	return os.RemoveAll(h.root)
}

// Helper does nothing: there is no test output to attribute lines in.
func (h *Harness) Helper() {}

// Name names the run; the API server keeps its objects under a prefix made from it.
func (h *Harness) Name() string { return h.name }

// Context is cancelled when Close begins.
func (h *Harness) Context() context.Context { return h.ctx }

// Cleanup registers f to run at Close.
func (h *Harness) Cleanup(f func()) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.cleanups = append(h.cleanups, f)
}

// TempDir makes a new directory under the root.
func (h *Harness) TempDir() string {
	h.mu.Lock()
	h.dirs++
	dir := filepath.Join(h.root, fmt.Sprintf("%03d", h.dirs))
	h.mu.Unlock()
	if err := os.MkdirAll(dir, 0o700); err != nil {
		h.Fatal(err)
	}
	return dir
}

// Fatal stops the run with the message.
func (h *Harness) Fatal(args ...any) {
	h.mu.Lock()
	h.failed = true
	h.mu.Unlock()
	panic(harnessFailure{fmt.Sprint(args...)})
}

// Fatalf stops the run with the formatted message.
func (h *Harness) Fatalf(format string, args ...any) { h.Fatal(fmt.Sprintf(format, args...)) }

// FailNow stops the run.
func (h *Harness) FailNow() { h.Fatal("failed") }

// Error logs the message and marks the run failed.
func (h *Harness) Error(args ...any) {
	h.mu.Lock()
	h.failed = true
	h.mu.Unlock()
	h.Log(args...)
}

// Errorf logs the formatted message and marks the run failed.
func (h *Harness) Errorf(format string, args ...any) { h.Error(fmt.Sprintf(format, args...)) }

// Failed reports whether Fatal or Error was called.
func (h *Harness) Failed() bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.failed
}

// Log writes a line to the log.
func (h *Harness) Log(args ...any) { fmt.Fprintln(h.log, args...) }

// Logf writes a formatted line to the log.
func (h *Harness) Logf(format string, args ...any) { fmt.Fprintf(h.log, format+"\n", args...) }
