//go:build engine

package engine_test

import (
	"maps"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/eksa-irsa/pulumi-eksa-irsa/tests/engine/sandbox"
)

// interruptSeed fixes the points at which TestEngineInterruptedUpdates kills `pulumi up`,
// so a failure can be run again exactly.
const interruptSeed = 20261204

// TestEngineInterruptedUpdates kills a phase-2 `pulumi up`, the CLI and every plugin it
// started, with SIGKILL at seeded points (after the n-th resource step began), as a
// cancelled CI job does; after `pulumi refresh --clear-pending-creates` and `pulumi up`
// (after `pulumi cancel`, which releases the killed run's lock) the stack converges: one of each resource, the issuer documents byte-equal to the
// component's outputs, and no object in the cluster that the state does not hold. Between
// points the program goes back to phase 1, which removes the webhook again.
func TestEngineInterruptedUpdates(t *testing.T) {
	p := upBothPhases(t)
	want := p.state.ByType()
	wantSecrets := p.cluster.ObjectNames(t, "/api/v1/namespaces/"+webhookNamespace+"/secrets")
	steps := countSteps(t, p)
	rng := rand.New(rand.NewPCG(interruptSeed, uint64(steps))) //nolint:gosec // reproducible points, not security
	points := rng.Perm(steps)[:min(5, steps)]
	slices.Sort(points)
	t.Logf("a phase-2 update has %d resource steps; killing after steps %v (seed %d)", steps, points, interruptSeed)

	for _, point := range points {
		backToPhase1(t, p)
		killed := upKilledAfter(t, p.stack, point+1)
		t.Logf("killed after step %d: %s", point+1, killed)
		// What a user does after a killed update: release the killed run's lock, then
		// forget creates that may not have happened and read what did.
		if out, err := p.stack.Run("cancel", "--yes"); err != nil {
			// The file backend writes a metadata sidecar (<file>.attrs) beside each state
			// file without a rename, so a kill can leave it empty, and every later command
			// fails "failed to load checkpoint: EOF". The README's recovery: delete the
			// empty sidecars (they hold only a content type).
			empty := p.stack.RemoveEmptySidecars()
			if !strings.Contains(out, "failed to load checkpoint: EOF") || len(empty) == 0 {
				t.Fatalf("pulumi cancel after a kill at step %d: %v\n%s\nstate files:\n%s", point+1, err, out, p.stack.StateFiles())
			}
			t.Logf("the kill left empty file-backend sidecars %v; removed them, as the README says", empty)
			p.stack.Must("cancel", "--yes")
		}
		p.stack.Must("refresh", "--clear-pending-creates", "--yes", "--skip-preview")
		if pending := p.cluster.PendingHelmReleases(t, webhookNamespace); len(pending) > 0 {
			// Killed inside the Helm install: Helm's record of the release says
			// pending-install and no Pulumi state owns it, so the next install would fail
			// "cannot re-use a name that is still in use". The README's recovery: delete
			// that record, then `pulumi up` installs the release again.
			t.Logf("killed inside the Helm install: deleting the pending release records %v, as the README says", pending)
			for _, name := range pending {
				p.cluster.API.Do(t, "admin", "DELETE", "/api/v1/namespaces/"+webhookNamespace+"/secrets/"+name, nil)
			}
		}
		p.stack.Up()

		state := p.stack.Export()
		if got := state.ByType(); !maps.Equal(got, want) {
			t.Errorf("after a kill at step %d and recovery the state holds %v, want %v", point+1, got, want)
		}
		if n := len(state.Deployment.PendingOperations); n > 0 {
			t.Errorf("after recovery %d operations are still pending", n)
		}
		out := p.stack.Outputs()
		bucket, _ := out["bucketName"].(string)
		for file, output := range map[string]string{".well-known/openid-configuration": "discoveryDocument", "keys.json": "jwks"} {
			served, err := os.ReadFile(filepath.Join(p.endpoints.S3Dir, bucket, file))
			if want, _ := out[output].(string); err != nil || string(served) != want {
				t.Errorf("after a kill at step %d, %s served %q (%v), want the %s output", point+1, file, served, err, output)
			}
		}
		if got := p.cluster.ObjectNames(t, "/api/v1/namespaces/"+webhookNamespace+"/secrets"); !slices.Equal(got, wantSecrets) {
			t.Errorf("after a kill at step %d the webhook namespace holds secrets %v, want %v", point+1, got, wantSecrets)
		}
		p.stack.Must("preview", "--expect-no-changes")
	}
}

// countSteps counts the resource steps of a phase-2 update from phase 1.
func countSteps(t *testing.T, p *phase2) int {
	t.Helper()
	backToPhase1(t, p)
	log := filepath.Join(t.TempDir(), "events.jsonl")
	p.stack.Must("up", "--yes", "--skip-preview", "--event-log", log)
	return len(stepEvents(t, log))
}

// backToPhase1 runs the phase-1 program, which removes the webhook and keys.json, and
// writes the phase-2 program back for the next update.
func backToPhase1(t *testing.T, p *phase2) {
	t.Helper()
	phase1 := p.program
	phase1.phase2 = false
	p.stack.WriteProgram(phase1.yaml())
	p.stack.Up()
	p.stack.WriteProgram(p.program.yaml())
}

// upKilledAfter starts `pulumi up` and kills it and every process it started with
// SIGKILL once the n-th resource step has begun, as a cancelled CI job's container goes;
// it returns that step's URN. The engine starts each plugin in a process group of its
// own, so killing the CLI's group alone would leave the plugins running.
func upKilledAfter(t *testing.T, s *stack, n int) string {
	t.Helper()
	log := filepath.Join(t.TempDir(), "events.jsonl")
	cmd := s.Command("up", "--yes", "--skip-preview", "--event-log", log)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	deadline := time.After(5 * time.Minute)
	for {
		select {
		case err := <-exited:
			t.Fatalf("pulumi up ended (%v) before step %d began", err, n)
		case <-deadline:
			killTree(cmd.Process.Pid)
			t.Fatalf("step %d did not begin within 5 minutes", n)
		case <-time.After(20 * time.Millisecond):
		}
		if steps := stepEvents(t, log); len(steps) >= n {
			killTree(cmd.Process.Pid)
			<-exited
			return steps[n-1]
		}
	}
}

// stepEvents are the URNs of the resource steps that began, in the order of the engine's
// event log (see resourceSteps).
func stepEvents(t *testing.T, path string) []string {
	t.Helper()
	var urns []string
	for _, step := range sandbox.ResourceSteps(t, path) {
		urns = append(urns, step.URN)
	}
	return urns
}

// killTree stops root and all its descendants with SIGSTOP, so none can start another
// process or act on its parent's death, then kills them all with SIGKILL.
func killTree(root int) {
	tree := []int{root}
	for i := 0; i < len(tree); i++ {
		_ = syscall.Kill(tree[i], syscall.SIGSTOP)
		tree = append(tree, childrenOf(tree[i])...)
	}
	for _, pid := range tree {
		_ = syscall.Kill(pid, syscall.SIGKILL)
	}
}

// childrenOf lists the processes whose parent is pid, from /proc.
func childrenOf(pid int) []int {
	entries, _ := os.ReadDir("/proc")
	var children []int
	for _, e := range entries {
		child, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		stat, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if err != nil {
			continue
		}
		// The fields after the command's closing parenthesis: state, then the parent.
		rest := string(stat[strings.LastIndexByte(string(stat), ')')+1:])
		fields := strings.Fields(rest)
		if len(fields) > 1 && fields[1] == strconv.Itoa(pid) {
			children = append(children, child)
		}
	}
	return children
}
