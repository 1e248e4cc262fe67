package sdkgo

import (
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"golang.org/x/mod/modfile"
	"golang.org/x/mod/semver"
)

const sdkModule = "github.com/eksa-irsa/pulumi-eksa-irsa/sdk"

func readModFile(t *testing.T, path string) *modfile.File {
	t.Helper()
	text, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	f, err := modfile.Parse(path, text, nil)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// A Go program that uses the SDK must get the Pulumi SDK and nothing of the provider's
// dependency set (AWS, Kubernetes, pulumi-go-provider), and keep its own go line.
func TestGoSDKModuleBringsOnlyThePulumiSDK(t *testing.T) {
	sdkDir, err := filepath.Abs(filepath.Join("..", "..", "sdk"))
	if err != nil {
		t.Fatal(err)
	}
	sdk := readModFile(t, filepath.Join(sdkDir, "go.mod"))
	root := readModFile(t, filepath.Join("..", "..", "go.mod"))
	if sdk.Module.Mod.Path != sdkModule {
		t.Fatalf("sdk/go.mod declares %q, want %q", sdk.Module.Mod.Path, sdkModule)
	}
	if semver.Compare("v"+sdk.Go.Version, "v"+root.Go.Version) >= 0 {
		t.Errorf("sdk/go.mod asks for go %s, not below the provider's %s", sdk.Go.Version, root.Go.Version)
	}

	// A consumer module, resolved the way `go get` of the SDK would resolve it.
	consumer := t.TempDir()
	gomod := "module example.com/consumer\n\ngo " + sdk.Go.Version + "\n\n" +
		"require " + sdkModule + " v0.0.0\n\n" +
		"replace " + sdkModule + " => " + sdkDir + "\n"
	if err := os.WriteFile(filepath.Join(consumer, "go.mod"), []byte(gomod), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("go", "list", "-m", "-f", "{{.Path}}", "all")
	cmd.Dir = consumer
	cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod", "GOWORK=off")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("go list -m all: %v\n%s", err, out)
	}
	got := strings.Fields(string(out))
	want := []string{"example.com/consumer", sdkModule, "github.com/pulumi/pulumi/sdk/v3"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("a program using the SDK requires %v, want only %v", got, want)
	}
}
