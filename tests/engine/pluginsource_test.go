//go:build engine

package engine_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/eksa-irsa/pulumi-eksa-irsa/tests/engine/sandbox"
)

// pluginSourceDir is the folder of the repository whose PulumiPlugin.yaml (runtime: go)
// lets Pulumi build the plugin from source.
const pluginSourceDir = "provider/cmd/pulumi-resource-eksa-irsa"

// TestEnginePluginFromSource runs a YAML program that names the plugin by its source, as
// docs/installation-configuration.md offers: `packages` in Pulumi.yaml points at the
// folder holding PulumiPlugin.yaml in a copy of the repository (what `pulumi package add`
// of a git reference clones), so the engine has the Go language host build the plugin
// there and run it. The plugin on PATH fails if started, so nothing else can serve it.
// `up` publishes the issuer, the program then previews with no changes and destroys,
// and the copy's go.mod and go.sum are left as they were.
func TestEnginePluginFromSource(t *testing.T) {
	root, err := sandbox.RepositoryRoot()
	if err != nil {
		t.Fatal(err)
	}
	src := filepath.Join(t.TempDir(), "pulumi-eksa-irsa")
	copyCheckout(t, root, src)
	refusing := t.TempDir()
	if err := os.WriteFile(filepath.Join(refusing, "pulumi-resource-eksa-irsa"), //nolint:gosec // a script the engine must not run
		[]byte("#!/bin/sh\necho 'the eksa-irsa plugin on PATH ran; the program names its source' >&2\nexit 1\n"), 0o755); err != nil {
		t.Fatal(err)
	}

	e := startEndpoints(t)
	prog := strings.Replace(program{}.yaml(), "runtime: yaml\n",
		"runtime: yaml\npackages:\n  eksa-irsa: "+filepath.Join(src, pluginSourceDir)+"\n", 1)
	s := newStack(t, e, prog, nil, refusing)
	// The modules come from the module cache (the namespace has no network); -trimpath
	// makes the compile of the copy's packages the one `make build` made.
	s.SetEnv("GOPROXY", "off")
	s.SetEnv("GOFLAGS", "-trimpath")

	noWarnings(t, "up", s.Up())
	publishedIssuer(t, s)
	if n := s.Export().ByType()["eksa-irsa:index:EksaIrsa"]; n != 1 {
		t.Errorf("the state holds %d EksaIrsa, want 1", n)
	}
	noWarnings(t, "preview", s.Must("preview", "--expect-no-changes"))
	noWarnings(t, "destroy", s.Must("destroy", "--yes", "--skip-preview"))
	if left := s.Export().Deployment.Resources; len(left) > 0 {
		t.Errorf("state after destroy holds %d resources", len(left))
	}
	for _, f := range []string{"go.mod", "go.sum"} {
		want, err := os.ReadFile(filepath.Join(root, f)) //nolint:gosec // the repository's module
		if err != nil {
			t.Fatal(err)
		}
		if got, err := os.ReadFile(filepath.Join(src, f)); err != nil || string(got) != string(want) { //nolint:gosec // the copy's
			t.Errorf("running the plugin from source changed the copy's %s (%v)", f, err)
		}
	}
}

// copyCheckout copies the files of the checkout at root that git tracks or would track
// (new files included, ignored ones such as bin/ and build/ left out), as they are in the
// working tree, to dst: a clone of what is being tested.
func copyCheckout(t *testing.T, root, dst string) {
	t.Helper()
	out, err := exec.Command("git", "-C", root, "ls-files", "-z", "--cached", "--others", "--exclude-standard").Output()
	if err != nil {
		t.Fatalf("git ls-files: %v", err)
	}
	for _, name := range strings.Split(strings.TrimRight(string(out), "\x00"), "\x00") {
		content, err := os.ReadFile(filepath.Join(root, name)) //nolint:gosec // the checkout's own files
		if os.IsNotExist(err) {
			continue // deleted in the working tree
		}
		if err != nil {
			t.Fatal(err)
		}
		info, err := os.Stat(filepath.Join(root, name))
		if err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(dst, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, content, info.Mode().Perm()); err != nil {
			t.Fatal(err)
		}
	}
}
