package sandbox

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// StackName is the one stack of every program the suite runs.
const StackName = "engine"

// Stack is a Pulumi project in a temporary directory with a stack of its own, run by the
// real CLI of bin/ with a local file backend and a PULUMI_HOME of its own, so nothing of
// the machine's Pulumi set-up is used or changed.
type Stack struct {
	T   testing.TB // where failures go
	Dir string     // the project
	Env []string   // the environment every command runs with
}

// NewStack writes program as the project's Pulumi.yaml (plus files, relative paths to
// contents) and initialises the stack. Plugins come from pluginDirs first, then bin/:
// the engine uses a plugin found on PATH without asking for its version.
func NewStack(t testing.TB, e *Endpoints, program string, files map[string]string, pluginDirs ...string) *Stack {
	t.Helper()
	root, err := RepositoryRoot()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	files = withFile(files, "Pulumi.yaml", program)
	for name, content := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	path := strings.Join(append(pluginDirs, filepath.Join(root, "bin"), os.Getenv("PATH")), string(os.PathListSeparator))
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "PULUMI_") && !strings.HasPrefix(kv, "PATH=") {
			env = append(env, kv)
		}
	}
	env = append(env,
		"PATH="+path,
		"PULUMI_HOME="+filepath.Join(dir, ".pulumi-home"),
		"PULUMI_BACKEND_URL=file://"+filepath.Join(dir, ".state"),
		"PULUMI_CONFIG_PASSPHRASE=engine-suite",
		"PULUMI_SKIP_UPDATE_CHECK=true",
		"PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true",
		"PULUMI_AUTOMATION_API_SKIP_VERSION_CHECK=true",
		// Offers --event-log, the engine's event stream, which the suite reads to stop an
		// update at a chosen step.
		"PULUMI_DEBUG_COMMANDS=true",
		"SSL_CERT_FILE="+e.CAFile,
		"EKSA_IRSA_STANDIN_S3_DIR="+e.S3Dir,
		"EKSA_IRSA_STANDIN_IAM_DIR="+e.IAMDir,
		"EKSA_IRSA_STANDIN_LOG="+filepath.Join(dir, "aws-calls.jsonl"),
	)
	if err := os.MkdirAll(filepath.Join(dir, ".state"), 0o700); err != nil {
		t.Fatal(err)
	}
	s := &Stack{T: t, Dir: dir, Env: env}
	s.Must("stack", "init", StackName)
	return s
}

// NewExampleStack is a stack of a copy of examples/<example>'s files, its folders' (a Maven
// project's src/) included (its tests, which run under mocks, left out, and so are the
// deps or Maven's target/ a user's run may have left), with the dependencies
// `make engine-examples` installed for lang (build/engine-examples/<lang>/<dep> for each
// of deps, linked in by LinkExampleDependencies: nothing can be installed inside the
// namespace). A Java program's come from the local Maven repository only: Maven reads .mvn/maven.config of the project's folder,
// whose --offline keeps it from reaching for a remote repository.
func NewExampleStack(t testing.TB, e *Endpoints, example, lang string, deps ...string) *Stack {
	t.Helper()
	root, err := RepositoryRoot()
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(root, "examples", example)
	files := map[string]string{}
	err = filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if path != dir && (slices.Contains(deps, d.Name()) || d.Name() == "target") {
				return filepath.SkipDir
			}
			return nil
		}
		if strings.HasSuffix(d.Name(), "_test.go") {
			return nil
		}
		content, err := os.ReadFile(path) //nolint:gosec // the repository's example
		if err != nil {
			return err
		}
		name, err := filepath.Rel(dir, path)
		files[filepath.ToSlash(name)] = string(content)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if lang == "java" {
		if _, err := os.Stat(filepath.Join(root, "build", "engine-examples", "java", ".installed")); err != nil {
			t.Fatalf("java's dependencies are not installed (`make engine-examples` installs them): %v", err)
		}
		files[".mvn/maven.config"] = "--offline\n"
	}
	program := files["Pulumi.yaml"]
	delete(files, "Pulumi.yaml")

	s := NewStack(t, e, program, files)
	LinkExampleDependencies(t, s, lang, deps...)
	return s
}

// LinkExampleDependencies links into the stack's project the dependencies `make
// engine-examples` installed for lang (build/engine-examples/<lang>/<dep> for each of deps),
// since nothing can be installed inside the suite's namespace. A Go program's modules then
// come from the module cache only: GOPROXY=off makes a module missing there an error that
// names it rather than a failed connection.
func LinkExampleDependencies(t testing.TB, s *Stack, lang string, deps ...string) {
	t.Helper()
	root, err := RepositoryRoot()
	if err != nil {
		t.Fatal(err)
	}
	for _, dep := range deps {
		installed := filepath.Join(root, "build", "engine-examples", lang, dep)
		if _, err := os.Stat(installed); err != nil {
			t.Fatalf("%s's dependencies are not installed (`make engine-examples` installs them): %v", lang, err)
		}
		if err := os.Symlink(installed, filepath.Join(s.Dir, dep)); err != nil {
			t.Fatal(err)
		}
	}
	if lang == "go" {
		s.SetEnv("GOPROXY", "off")
	}
}

func withFile(files map[string]string, name, content string) map[string]string {
	out := map[string]string{name: content}
	for k, v := range files {
		out[k] = v
	}
	return out
}

// SetEnv sets (or, with an empty value, removes) a variable of the environment the next
// commands run with, and so the plugins they start.
func (s *Stack) SetEnv(key, value string) {
	env := slices.DeleteFunc(s.Env, func(kv string) bool { return strings.HasPrefix(kv, key+"=") })
	if value != "" {
		env = append(env, key+"="+value)
	}
	s.Env = env
}

// WriteProgram replaces the project's Pulumi.yaml, as a user edits the program between
// two runs.
func (s *Stack) WriteProgram(program string) {
	s.T.Helper()
	if err := os.WriteFile(filepath.Join(s.Dir, "Pulumi.yaml"), []byte(program), 0o600); err != nil {
		s.T.Fatal(err)
	}
}

// Command is `pulumi args...` in the project, not yet started.
func (s *Stack) Command(args ...string) *exec.Cmd {
	root, _ := RepositoryRoot()
	cmd := exec.Command(filepath.Join(root, "bin", "pulumi"), append([]string{"--non-interactive", "--color", "never"}, args...)...) //nolint:gosec // the CLI of bin/
	cmd.Dir = s.Dir
	cmd.Env = s.Env
	return cmd
}

// Run runs `pulumi args...` and returns its combined output.
func (s *Stack) Run(args ...string) (string, error) {
	s.T.Helper()
	out, err := s.Command(args...).CombinedOutput()
	return string(out), err
}

// Must runs `pulumi args...` and fails the test, with the output, when it fails.
func (s *Stack) Must(args ...string) string {
	s.T.Helper()
	out, err := s.Run(args...)
	if err != nil {
		s.T.Fatalf("pulumi %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out
}

// Refresh runs `pulumi refresh` one resource at a time, so that its output lists them
// in the same order every run, and returns that output.
func (s *Stack) Refresh() string {
	s.T.Helper()
	return s.Must("refresh", "--yes", "--skip-preview", "--diff", "--parallel", "1")
}

// Config sets a stack configuration value, as a secret when secret is true.
func (s *Stack) Config(key, value string, secret bool) {
	s.T.Helper()
	args := []string{"config", "set", key, "--"}
	if secret {
		args = []string{"config", "set", "--secret", key, "--"}
	}
	cmd := s.Command(append(args, value)...)
	if out, err := cmd.CombinedOutput(); err != nil {
		s.T.Fatalf("pulumi config set %s: %v\n%s", key, err, out)
	}
}

// Up runs `pulumi up` and returns its output.
func (s *Stack) Up(extra ...string) string {
	s.T.Helper()
	return s.Must(append([]string{"up", "--yes", "--skip-preview", "--diff"}, extra...)...)
}

// UpSteps runs `pulumi up` and returns the resource steps it took (see ResourceSteps):
// what the update did, rather than what a preview before it planned.
func (s *Stack) UpSteps(extra ...string) []ResourceStep {
	s.T.Helper()
	log := filepath.Join(s.T.TempDir(), "events.jsonl")
	s.Up(append([]string{"--event-log", log}, extra...)...)
	return ResourceSteps(s.T, log)
}

// ResourceStep is one resource step the engine began, as its event log records it.
type ResourceStep struct {
	Op    string   `json:"op"`
	URN   string   `json:"urn"`
	Diffs []string `json:"diffs"` // the inputs whose change the step is for
	Keys  []string `json:"keys"`  // the inputs that force a replacement
}

// ResourceSteps are the resource steps (creates, updates, deletes, replaces) that began,
// in the order of the engine's event log at path; same-steps and reads are left out. The
// log may be one the CLI is still writing.
func ResourceSteps(t testing.TB, path string) []ResourceStep {
	t.Helper()
	f, err := os.Open(path) //nolint:gosec // the test's own event log
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var steps []ResourceStep
	scanner := bufio.NewScanner(f)
	scanner.Buffer(make([]byte, 1<<20), 64<<20)
	for scanner.Scan() {
		var event struct {
			ResourcePreEvent *struct {
				Metadata ResourceStep `json:"metadata"`
			} `json:"resourcePreEvent"`
		}
		if json.Unmarshal(scanner.Bytes(), &event) != nil || event.ResourcePreEvent == nil {
			continue // a line the CLI is still writing
		}
		if step := event.ResourcePreEvent.Metadata; step.Op != "same" && !strings.HasPrefix(step.Op, "read") {
			steps = append(steps, step)
		}
	}
	return steps
}

// Resource is one resource of the stack's state.
type Resource struct {
	URN     string         `json:"urn"`
	Type    string         `json:"type"`
	ID      string         `json:"id"`
	Custom  bool           `json:"custom"`
	Parent  string         `json:"parent"`
	Inputs  map[string]any `json:"inputs"`
	Outputs map[string]any `json:"outputs"`
}

// Deployment is what `pulumi stack export` prints that the suite reads.
type Deployment struct {
	Deployment struct {
		Resources         []Resource `json:"resources"`
		PendingOperations []struct {
			Resource Resource `json:"resource"`
			Type     string   `json:"type"`
		} `json:"pending_operations"`
	} `json:"deployment"`
}

// Export is the stack's state.
func (s *Stack) Export() Deployment {
	s.T.Helper()
	out, err := s.Command("stack", "export", "--show-secrets").Output()
	if err != nil {
		s.T.Fatalf("pulumi stack export: %v", err)
	}
	var d Deployment
	if err := json.Unmarshal(out, &d); err != nil {
		s.T.Fatalf("pulumi stack export: %v\n%s", err, out)
	}
	return d
}

// Outputs are the stack's outputs.
func (s *Stack) Outputs() map[string]any {
	s.T.Helper()
	out, err := s.Command("stack", "output", "--json", "--show-secrets").Output()
	if err != nil {
		s.T.Fatalf("pulumi stack output: %v", err)
	}
	var m map[string]any
	if err := json.Unmarshal(out, &m); err != nil {
		s.T.Fatalf("pulumi stack output: %v\n%s", err, out)
	}
	return m
}

// AWSCalls are the calls the aws stand-in logged, in order, each as the JSON object it
// wrote.
func (s *Stack) AWSCalls() []map[string]any {
	s.T.Helper()
	f, err := os.Open(filepath.Join(s.Dir, "aws-calls.jsonl"))
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		s.T.Fatal(err)
	}
	defer f.Close()
	var calls []map[string]any
	scanner := bufio.NewScanner(f)
	scanner.Buffer(make([]byte, 1<<20), 16<<20)
	for scanner.Scan() {
		var call map[string]any
		if err := json.Unmarshal(scanner.Bytes(), &call); err != nil {
			s.T.Fatalf("aws stand-in log: %v: %s", err, scanner.Bytes())
		}
		calls = append(calls, call)
	}
	return calls
}

// ByType counts the state's resources per type.
func (d Deployment) ByType() map[string]int {
	counts := map[string]int{}
	for _, r := range d.Deployment.Resources {
		counts[r.Type]++
	}
	return counts
}

// IDs maps each resource's URN to its physical id, to tell a replacement from an update.
// Provider instances are left out: the engine makes and drops default providers as the
// plugins' calls need them, and replacing one replaces nothing in the cloud.
func (d Deployment) IDs() map[string]string {
	ids := map[string]string{}
	for _, r := range d.Deployment.Resources {
		if r.Custom && !strings.HasPrefix(r.Type, "pulumi:providers:") {
			ids[r.URN] = r.ID
		}
	}
	return ids
}

// Find returns the one resource of the type whose URN ends with ::name.
func (d Deployment) Find(t testing.TB, typ, name string) Resource {
	t.Helper()
	for _, r := range d.Deployment.Resources {
		if r.Type == typ && strings.HasSuffix(r.URN, "::"+name) {
			return r
		}
	}
	t.Fatalf("no %s named %s in the state", typ, name)
	return Resource{}
}

// Replaced lists the URNs whose physical id changed from before to after, and those
// that went away.
func Replaced(before, after Deployment) []string {
	var out []string
	now := after.IDs()
	for urn, id := range before.IDs() {
		if got, ok := now[urn]; !ok {
			out = append(out, "deleted "+urn)
		} else if got != id {
			out = append(out, fmt.Sprintf("Replaced %s (%s -> %s)", urn, id, got))
		}
	}
	return out
}

// StateFiles lists the file backend's files with their sizes, for failure messages.
func (s *Stack) StateFiles() string {
	var b strings.Builder
	_ = filepath.WalkDir(filepath.Join(s.Dir, ".state"), func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(s.Dir, path)
		fmt.Fprintf(&b, "  %8d %s\n", info.Size(), rel)
		return nil
	})
	return b.String()
}

// RemoveEmptySidecars deletes the file backend's empty metadata sidecars (*.attrs) and
// returns their paths relative to the project.
func (s *Stack) RemoveEmptySidecars() []string {
	var removed []string
	_ = filepath.WalkDir(filepath.Join(s.Dir, ".state"), func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".attrs") {
			return err
		}
		if info, err := d.Info(); err == nil && info.Size() == 0 && os.Remove(path) == nil {
			rel, _ := filepath.Rel(s.Dir, path)
			removed = append(removed, rel)
		}
		return nil
	})
	return removed
}
