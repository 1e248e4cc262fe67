// Command rusage-wrapper stands in a plugin's place on PATH so the engine benchmark can
// tell how much CPU that one plugin used in a `pulumi` run. Copied under a plugin's name
// (pulumi-resource-eksa-irsa, pulumi-language-yaml, ...), it runs the real binary of the
// same name from $EKSA_IRSA_BENCH_REAL_DIR with its own arguments, standard streams and
// environment, waits for it, and appends one JSON line with the child's rusage to
// $EKSA_IRSA_BENCH_RUSAGE_LOG. The engine finds plugins on PATH without a version check,
// so this is the least intrusive way to meter one process of the tree the CLI starts.
//
// The engine stops a plugin with SIGINT to its process group, which reaches the real
// plugin directly; the wrapper only catches the signal so that it lives to wait for the
// child and write the record. Other termination signals are passed on to the child.
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"
)

// Environment variables the benchmark sets in the stack's environment.
const (
	realDirEnv = "EKSA_IRSA_BENCH_REAL_DIR"
	logEnv     = "EKSA_IRSA_BENCH_RUSAGE_LOG"
)

// record is one line of the log: what one run of one plugin cost.
type record struct {
	Name   string        `json:"name"`
	User   time.Duration `json:"user"`
	System time.Duration `json:"system"`
	Wall   time.Duration `json:"wall"`
	MaxRSS int64         `json:"maxRSSKiB"`
}

func main() {
	os.Exit(run())
}

func run() int {
	name := filepath.Base(os.Args[0])
	dir, logPath := os.Getenv(realDirEnv), os.Getenv(logEnv)
	if dir == "" || logPath == "" {
		fmt.Fprintf(os.Stderr, "rusage-wrapper: %s and %s must be set\n", realDirEnv, logEnv)
		return 2
	}
	target := filepath.Join(dir, name)
	if self, err := os.Executable(); err == nil && sameFile(self, target) {
		fmt.Fprintf(os.Stderr, "rusage-wrapper: %s would run itself\n", target)
		return 2
	}

	signals := make(chan os.Signal, 4)
	signal.Notify(signals, syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP)
	cmd := exec.Command(target, os.Args[1:]...) //nolint:gosec // the plugin this copy stands for
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	start := time.Now()
	if err := cmd.Start(); err != nil {
		fmt.Fprintf(os.Stderr, "rusage-wrapper: %v\n", err)
		return 2
	}
	go func() {
		for sig := range signals {
			if sig != syscall.SIGINT { // SIGINT already reached the child through its group
				_ = cmd.Process.Signal(sig)
			}
		}
	}()
	err := cmd.Wait()
	wall := time.Since(start)

	rec := record{Name: name, Wall: wall}
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		rec.User = time.Duration(ru.Utime.Nano())
		rec.System = time.Duration(ru.Stime.Nano())
		rec.MaxRSS = ru.Maxrss
	}
	if line, jerr := json.Marshal(rec); jerr == nil {
		if f, ferr := os.OpenFile(logPath, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600); ferr == nil { //nolint:gosec // the benchmark's log
			_, _ = f.Write(append(line, '\n'))
			_ = f.Close()
		}
	}
	if err != nil {
		if status, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); ok && status.Signaled() {
			return 128 + int(status.Signal())
		}
		return cmd.ProcessState.ExitCode()
	}
	return 0
}

// sameFile is whether two paths name the same file, so a misconfigured real folder does
// not make the wrapper exec itself forever.
func sameFile(a, b string) bool {
	sa, errA := os.Stat(a)
	sb, errB := os.Stat(b)
	return errA == nil && errB == nil && os.SameFile(sa, sb)
}
