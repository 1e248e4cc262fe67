//go:build engine

package engine_test

import (
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/eksa-irsa/pulumi-eksa-irsa/tests/engine/sandbox"
)

// TestEngineLockRefusesASecondUpdate starts two `pulumi up` of the same stack at once, as
// two CI jobs or two engineers do: the second is refused by the engine's lock with the
// engine's own message and changes nothing, and the first completes. The first is held
// still (SIGSTOP of the CLI, which owns the lock) from the moment its first resource step
// began until the second has ended, so it is still running however fast either is; then
// it is let go. Afterwards the stack converges: a preview shows no change, the state holds
// each resource once, and the aws stand-in created each resource once.
func TestEngineLockRefusesASecondUpdate(t *testing.T) {
	e := startEndpoints(t)
	s := newStack(t, e, program{}.yaml(), nil)

	log := filepath.Join(t.TempDir(), "events.jsonl")
	first := s.Command("up", "--yes", "--skip-preview", "--event-log", log)
	var firstOut strings.Builder
	first.Stdout, first.Stderr = &firstOut, &firstOut
	if err := first.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- first.Wait() }()
	held := false
	release := func() {
		if held {
			_ = syscall.Kill(first.Process.Pid, syscall.SIGCONT)
			held = false
		}
	}
	t.Cleanup(release)

	// Hold the first update once it is updating: the lock is taken before any step.
	deadline := time.After(5 * time.Minute)
	for len(sandbox.ResourceSteps(t, log)) == 0 {
		select {
		case err := <-exited:
			t.Fatalf("the first pulumi up ended (%v) before any resource step began:\n%s", err, firstOut.String())
		case <-deadline:
			t.Fatal("the first pulumi up began no resource step within 5 minutes")
		case <-time.After(20 * time.Millisecond):
		}
	}
	// The file backend's bucket writes each state file's ".attrs" sidecar in place (create,
	// then encode): a CLI stopped between the two leaves it empty, and any other CLI then
	// fails to read the state ("failed to load checkpoint: EOF") before it reaches the
	// lock. A real second run meets that window only by chance; a stopped first run would
	// hold it open, so the first is let go and stopped again until no sidecar is half
	// written.
	for {
		if err := syscall.Kill(first.Process.Pid, syscall.SIGSTOP); err != nil {
			t.Fatal(err)
		}
		held = true
		if !sidecarHalfWritten(t, filepath.Join(s.Dir, ".state")) {
			break
		}
		release()
		time.Sleep(5 * time.Millisecond)
	}

	second, err := s.Run("up", "--yes", "--skip-preview")
	if err == nil {
		t.Fatalf("the second pulumi up succeeded while the first held the stack:\n%s", second)
	}
	golden(t, "lock-second-update.golden", normalizeLockRefusal(s, second))

	release()
	if err := <-exited; err != nil {
		t.Fatalf("the first pulumi up failed after the second was refused: %v\n%s", err, firstOut.String())
	}

	s.Must("preview", "--expect-no-changes")
	state := s.Export()
	seen := map[string]int{}
	for _, r := range state.Deployment.Resources {
		seen[r.URN]++
	}
	for urn, n := range seen {
		if n > 1 {
			t.Errorf("the state holds %s %d times", urn, n)
		}
	}
	if n := len(state.Deployment.PendingOperations); n > 0 {
		t.Errorf("%d operations are still pending", n)
	}
	counts := state.ByType()
	for _, typ := range []string{"aws:s3/bucketV2:BucketV2", oidcProviderType, roleType, "eksa-irsa:index:IssuerCheck"} {
		if counts[typ] != 1 {
			t.Errorf("the state holds %d %s, want 1", counts[typ], typ)
		}
	}
	created := map[string]int{}
	for _, call := range s.AWSCalls() {
		if call["method"] == "Create" && call["preview"] != true {
			urn, _ := call["urn"].(string)
			created[urn]++
		}
	}
	if len(created) == 0 {
		t.Error("the aws stand-in logged no creation")
	}
	for urn, n := range created {
		if n > 1 {
			t.Errorf("the aws stand-in created %s %d times", urn, n)
		}
	}
}

// sidecarHalfWritten says whether an ".attrs" file under dir does not hold a whole JSON
// document: one a stopped CLI was writing.
func sidecarHalfWritten(t *testing.T, dir string) bool {
	t.Helper()
	half := false
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".attrs") {
			return err
		}
		content, err := os.ReadFile(path) //nolint:gosec // the stack's own state folder
		half = half || (err == nil && !json.Valid(content))
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return half
}

var (
	lockFile  = regexp.MustCompile(`file://\S+\.json(\?[^:\s]*)?`)
	lockOwner = regexp.MustCompile(`created by \S+ \(pid \d+\) at \S+`)
)

// normalizeLockRefusal is the refusal's output without what differs between runs: the
// lock file's path (the temporary project and a random id), the user, host, pid and
// time that created it, and the plugins' PATH warnings.
func normalizeLockRefusal(s *stack, out string) string {
	out = strings.ReplaceAll(out, s.Dir, "<project>")
	out = lockFile.ReplaceAllString(out, "<lock file>")
	out = lockOwner.ReplaceAllString(out, "created by <user>@<host> (pid <pid>) at <time>")
	out = ansi.ReplaceAllString(out, "")
	var lines []string
	for line := range strings.SplitSeq(out, "\n") {
		trimmed := strings.TrimSpace(line)
		// The suite's plugins come from PATH, which the CLI warns about; users' do not.
		if trimmed == "" || strings.HasPrefix(trimmed, "warning: using pulumi-resource-") {
			continue
		}
		lines = append(lines, strings.TrimRight(line, " \t"))
	}
	return strings.Join(lines, "\n") + "\n"
}
