//go:build engine

package engine_test

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"testing"

	"github.com/eksa-irsa/pulumi-eksa-irsa/tests/engine/sandbox"
)

// upgradeFrom is the commit of main whose plugin made the stacks that
// TestEngineUpgrade upgrades: the last one before the engine suite existed, while no
// release has been tagged (VERSION is still the first). Once a release is tagged, name its
// last commit here.
const upgradeFrom = "5f33db8a997e235de1de67320f0026f8fafdfdb3"

// upgradePluginEnv carries the earlier plugin's folder into the namespace.
const upgradePluginEnv = "EKSA_IRSA_ENGINE_UPGRADE_PLUGIN"

// buildUpgradePlugin builds the plugin of upgradeFrom from the repository's history into
// bin/.upgrade/<commit>/, once, before the suite enters its namespace (the build may need
// the module proxy), and returns that folder. `make test` runs the suite as two processes
// at once, so the build holds a lock: the second waits for the first's plugin rather than
// extracting the sources into the same folder.
func buildUpgradePlugin() (string, error) {
	root, err := sandbox.RepositoryRoot()
	if err != nil {
		return "", err
	}
	upgrades := filepath.Join(root, "bin", ".upgrade")
	if err := os.MkdirAll(upgrades, 0o755); err != nil { //nolint:gosec // bin/ is world-readable
		return "", err
	}
	lock, err := os.OpenFile(filepath.Join(upgrades, "lock"), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return "", err
	}
	defer lock.Close()
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX); err != nil { //nolint:gosec // a file descriptor fits an int
		return "", fmt.Errorf("lock bin/.upgrade: %w", err)
	}
	dir := filepath.Join(upgrades, upgradeFrom)
	plugin := filepath.Join(dir, "pulumi-resource-eksa-irsa")
	if _, err := os.Stat(plugin); err == nil {
		return dir, nil
	}
	src := filepath.Join(upgrades, upgradeFrom+".src")
	if err := os.RemoveAll(src); err != nil {
		return "", err
	}
	if err := os.MkdirAll(src, 0o700); err != nil {
		return "", err
	}
	archive := exec.Command("sh", "-c", `git -C "$1" archive "$2" | tar -x -C "$3"`, "sh", root, upgradeFrom, src) //nolint:gosec // fixed commands
	if out, err := archive.CombinedOutput(); err != nil {
		return "", fmt.Errorf("extract %s from the repository's history (a shallow clone lacks it): %w: %s", upgradeFrom, err, out)
	}
	build := exec.Command("go", "build", "-trimpath", "-o", plugin, "./provider/cmd/pulumi-resource-eksa-irsa") //nolint:gosec // fixed command
	build.Dir = src
	if out, err := build.CombinedOutput(); err != nil {
		return "", fmt.Errorf("build the plugin of %s: %w: %s", upgradeFrom, err, out)
	}
	return dir, os.RemoveAll(src)
}

// TestEngineUpgrade: a stack made through both phases by the plugin of upgradeFrom, then
// previewed and updated with this checkout's plugin, changes exactly what CHANGELOG.md's
// unreleased section says an upgrade changes in existing stacks, in the preview and in
// the update, and nothing else: no replacement or deletion unless the CHANGELOG lists one.
func TestEngineUpgrade(t *testing.T) {
	oldPlugin := os.Getenv(upgradePluginEnv)
	if oldPlugin == "" {
		t.Fatalf("%s is unset: TestMain builds the earlier plugin before the tests run", upgradePluginEnv)
	}
	e := startEndpoints(t)
	prog := program{chart: sandbox.ChartPath(t)}
	s := newStack(t, e, prog.yaml(), nil, oldPlugin)
	s.Up()
	issuer, _ := s.Outputs()["issuerUrl"].(string)
	c := startCluster(t, clusterName, issuer)
	c.PlayKubelet(t, webhookNamespace)
	prog.phase2 = true
	s.WriteProgram(prog.yaml())
	s.Config("kubeconfig", c.API.Kubeconfig("admin"), true)
	s.Up()
	before := s.Export()

	// The same stack, now with this checkout's plugin first on PATH.
	s.Env = slices.DeleteFunc(s.Env, func(kv string) bool { return strings.HasPrefix(kv, "PATH=") })
	root, _ := sandbox.RepositoryRoot()
	s.Env = append(s.Env, "PATH="+filepath.Join(root, "bin")+string(os.PathListSeparator)+os.Getenv("PATH"))

	changes := previewChanges(t, s)
	want := changelogUpgradeChanges(t)
	slices.Sort(changes)
	if !slices.Equal(changes, want) {
		t.Errorf("upgrading from %s, preview shows:\n  %s\nCHANGELOG.md says an upgrade changes:\n  %s",
			upgradeFrom[:12], strings.Join(changes, "\n  "), strings.Join(want, "\n  "))
	}
	// The update itself takes the steps the preview showed, and when the CHANGELOG lists
	// only creates and updates, it replaces and deletes nothing. Provider instances are
	// left out: the engine drops default providers no resource uses any more (the
	// previous plugin's `pulumi` one), which changes nothing in the cloud.
	var done []string
	for _, step := range s.UpSteps() {
		if change := describeStep(step.Op, step.URN); !strings.Contains(change, " pulumi:providers:") {
			done = append(done, change)
		}
	}
	slices.Sort(done)
	if !slices.Equal(done, want) {
		t.Errorf("upgrading from %s, the update took:\n  %s\nCHANGELOG.md says an upgrade changes:\n  %s",
			upgradeFrom[:12], strings.Join(done, "\n  "), strings.Join(want, "\n  "))
	}
	destructive := slices.ContainsFunc(want, func(change string) bool {
		op, _, _ := strings.Cut(change, " ")
		return op != "create" && op != "update"
	})
	if r := sandbox.Replaced(before, s.Export()); len(r) > 0 && !destructive {
		t.Errorf("the upgrade replaced or deleted:\n%s", strings.Join(r, "\n"))
	}
	s.Must("preview", "--expect-no-changes")
}

// previewChanges are the steps a preview would take other than "same", each as
// "<op> <type> <name>".
func previewChanges(t *testing.T, s *stack) []string {
	t.Helper()
	out, err := s.Command("preview", "--json").Output()
	if err != nil {
		t.Fatalf("pulumi preview --json: %v\n%s", err, out)
	}
	var preview struct {
		Steps []struct {
			Op  string `json:"op"`
			URN string `json:"urn"`
		} `json:"steps"`
	}
	if err := json.Unmarshal(out, &preview); err != nil {
		t.Fatalf("pulumi preview --json: %v\n%s", err, out)
	}
	var changes []string
	for _, step := range preview.Steps {
		if step.Op == "same" {
			continue
		}
		changes = append(changes, describeStep(step.Op, step.URN))
	}
	return changes
}

// describeStep names a step as "<op> <type> <name>", the type without its parents'.
func describeStep(op, urn string) string {
	parts := strings.Split(urn, "::")
	typ := parts[len(parts)-2]
	if i := strings.LastIndex(typ, "$"); i >= 0 {
		typ = typ[i+1:]
	}
	return fmt.Sprintf("%s %s %s", op, typ, parts[len(parts)-1])
}

var changelogLine = regexp.MustCompile("^- `(\\S+) (\\S+) (\\S+)`")

// changelogUpgradeChanges are the lines of CHANGELOG.md's unreleased section under "What
// an upgrade changes in existing stacks", each "- `<op> <type> <name>`: why".
func changelogUpgradeChanges(t *testing.T) []string {
	t.Helper()
	root, _ := sandbox.RepositoryRoot()
	text, err := os.ReadFile(filepath.Join(root, "CHANGELOG.md")) //nolint:gosec // the repository's changelog
	if err != nil {
		t.Fatal(err)
	}
	_, unreleased, ok := strings.Cut(string(text), "## Unreleased")
	if !ok {
		t.Fatal("CHANGELOG.md has no \"## Unreleased\" section")
	}
	unreleased, _, _ = strings.Cut(unreleased, "\n## ")
	_, section, ok := strings.Cut(unreleased, "### What an upgrade changes in existing stacks")
	if !ok {
		t.Fatal("CHANGELOG.md's unreleased section has no \"### What an upgrade changes in existing stacks\"")
	}
	section, _, _ = strings.Cut(section, "\n### ")
	changes := []string{}
	for line := range strings.SplitSeq(section, "\n") {
		if m := changelogLine.FindStringSubmatch(line); m != nil {
			changes = append(changes, m[1]+" "+m[2]+" "+m[3])
		}
	}
	slices.Sort(changes)
	return changes
}
