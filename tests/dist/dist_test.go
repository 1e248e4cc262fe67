//go:build dist

// Package dist checks what `make dist` wrote to dist/: the plugin archives Pulumi
// downloads (named as the CLI asks for them, one binary for the right platform in each,
// stamped with the release version) and the SDK packages. It is built only with the dist
// tag, by `make dist`, after the cross builds that `make test` leaves out.
package dist

import (
	"archive/tar"
	"archive/zip"
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"debug/buildinfo"
	"debug/elf"
	"debug/macho"
	"debug/pe"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/protobuf/types/known/emptypb"
)

const plugin = "pulumi-resource-eksa-irsa"

// platforms are those Pulumi publishes its CLI for, which users run programs on.
var platforms = []struct{ goos, goarch string }{
	{"linux", "amd64"}, {"linux", "arm64"},
	{"darwin", "amd64"}, {"darwin", "arm64"},
	{"windows", "amd64"}, {"windows", "arm64"},
}

func distDir(t *testing.T) (dir, version string) {
	t.Helper()
	dir, version = os.Getenv("EKSA_IRSA_DIST"), os.Getenv("EKSA_IRSA_VERSION")
	if dir == "" || version == "" {
		t.Fatal("EKSA_IRSA_DIST and EKSA_IRSA_VERSION must name dist/ and the version (make dist sets them)")
	}
	return dir, version
}

// readTarGz returns the regular files of a .tar.gz by name, with their modes.
func readTarGz(t *testing.T, path string) (map[string][]byte, map[string]int64) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	files, modes := map[string][]byte{}, map[string]int64{}
	tr := tar.NewReader(gz)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return files, modes
		}
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		if h.Typeflag != tar.TypeReg {
			continue
		}
		b, err := io.ReadAll(tr)
		if err != nil {
			t.Fatal(err)
		}
		files[h.Name], modes[h.Name] = b, h.Mode
	}
}

func archiveName(version, goos, goarch string) string {
	return fmt.Sprintf("%s-v%s-%s-%s.tar.gz", plugin, version, goos, goarch)
}

func TestPluginArchives(t *testing.T) {
	dir, version := distDir(t)

	var want []string
	for _, p := range platforms {
		want = append(want, archiveName(version, p.goos, p.goarch))
	}
	got, err := filepath.Glob(filepath.Join(dir, plugin+"-*.tar.gz"))
	if err != nil {
		t.Fatal(err)
	}
	for i := range got {
		got[i] = filepath.Base(got[i])
	}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Fatalf("plugin archives in dist/:\n%v\nwant:\n%v", got, want)
	}

	for _, p := range platforms {
		t.Run(p.goos+"-"+p.goarch, func(t *testing.T) {
			files, modes := readTarGz(t, filepath.Join(dir, archiveName(version, p.goos, p.goarch)))
			binary := plugin
			if p.goos == "windows" {
				binary += ".exe"
			}
			var names []string
			for name := range files {
				names = append(names, name)
			}
			slices.Sort(names)
			if wantNames := []string{"LICENSE", "README.md", binary}; !slices.Equal(names, wantNames) {
				t.Fatalf("archive holds %v, want %v at its top", names, wantNames)
			}
			if modes[binary]&0o111 == 0 {
				t.Errorf("%s is not executable (mode %o)", binary, modes[binary])
			}
			if !bytes.Contains(files["LICENSE"], []byte("Apache License")) {
				t.Errorf("LICENSE is not the Apache license")
			}
			checkExecutable(t, files[binary], p.goos, p.goarch)
			checkBuildInfo(t, files[binary], p.goos, p.goarch)
			if p.goos == runtime.GOOS && p.goarch == runtime.GOARCH {
				checkPluginVersion(t, files[binary], version)
			}
		})
	}
}

// checkExecutable reads the binary's header: the format and machine of its platform.
func checkExecutable(t *testing.T, b []byte, goos, goarch string) {
	t.Helper()
	r := bytes.NewReader(b)
	switch goos {
	case "linux":
		f, err := elf.NewFile(r)
		if err != nil {
			t.Fatalf("not an ELF binary: %v", err)
		}
		want := map[string]elf.Machine{"amd64": elf.EM_X86_64, "arm64": elf.EM_AARCH64}[goarch]
		if f.Machine != want {
			t.Errorf("ELF machine %v, want %v", f.Machine, want)
		}
	case "darwin":
		f, err := macho.NewFile(r)
		if err != nil {
			t.Fatalf("not a Mach-O binary: %v", err)
		}
		want := map[string]macho.Cpu{"amd64": macho.CpuAmd64, "arm64": macho.CpuArm64}[goarch]
		if f.Cpu != want {
			t.Errorf("Mach-O CPU %v, want %v", f.Cpu, want)
		}
	case "windows":
		f, err := pe.NewFile(r)
		if err != nil {
			t.Fatalf("not a PE binary: %v", err)
		}
		want := map[string]uint16{"amd64": pe.IMAGE_FILE_MACHINE_AMD64, "arm64": pe.IMAGE_FILE_MACHINE_ARM64}[goarch]
		if f.Machine != want {
			t.Errorf("PE machine %#x, want %#x", f.Machine, want)
		}
	}
}

// checkBuildInfo reads what the Go toolchain recorded in the binary: its main package and
// platform, and a static, path-free build. (With -trimpath the toolchain records no
// ldflags, so the version stamp is checked by asking the native binary, below; one
// goreleaser build entry stamps every platform alike.)
func checkBuildInfo(t *testing.T, b []byte, goos, goarch string) {
	t.Helper()
	info, err := buildinfo.Read(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("no Go build info: %v", err)
	}
	if info.Path != "github.com/eksa-irsa/pulumi-eksa-irsa/provider/cmd/"+plugin {
		t.Errorf("built from %q", info.Path)
	}
	settings := map[string]string{}
	for _, s := range info.Settings {
		settings[s.Key] = s.Value
	}
	for key, want := range map[string]string{"GOOS": goos, "GOARCH": goarch, "CGO_ENABLED": "0", "-trimpath": "true"} {
		if settings[key] != want {
			t.Errorf("build setting %s = %q, want %q", key, settings[key], want)
		}
	}
}

// checkPluginVersion runs the binary of this machine's platform as the Pulumi engine does
// and asks it for its version.
func checkPluginVersion(t *testing.T, b []byte, version string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), plugin)
	if err := os.WriteFile(path, b, 0o755); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, path)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		t.Fatalf("the plugin printed no port: %v", err)
	}
	port, err := strconv.Atoi(strings.TrimSpace(line))
	if err != nil {
		t.Fatalf("the plugin's first line %q is not a port", line)
	}
	conn, err := grpc.NewClient(fmt.Sprintf("127.0.0.1:%d", port), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	info, err := pulumirpc.NewResourceProviderClient(conn).GetPluginInfo(ctx, &emptypb.Empty{})
	if err != nil {
		t.Fatalf("GetPluginInfo: %v", err)
	}
	if info.Version != version {
		t.Errorf("the plugin reports version %q, want %q", info.Version, version)
	}
}

// TestPluginChecksums checks the checksum file a release publishes beside the archives.
func TestPluginChecksums(t *testing.T) {
	dir, version := distDir(t)
	text, err := os.ReadFile(filepath.Join(dir, fmt.Sprintf("%s-v%s-checksums.txt", plugin, version)))
	if err != nil {
		t.Fatal(err)
	}
	sums := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(text)), "\n") {
		sum, name, ok := strings.Cut(line, "  ")
		if !ok {
			t.Fatalf("checksum line %q", line)
		}
		sums[name] = sum
	}
	for _, p := range platforms {
		name := archiveName(version, p.goos, p.goarch)
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		digest := sha256.Sum256(b)
		if got := hex.EncodeToString(digest[:]); sums[name] != got {
			t.Errorf("%s: checksum file says %q, archive is %q", name, sums[name], got)
		}
	}
}

func zipNames(t *testing.T, path string) []string {
	t.Helper()
	r, err := zip.OpenReader(path)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var names []string
	for _, f := range r.File {
		names = append(names, f.Name)
	}
	return names
}

func requireAll(t *testing.T, artifact string, have []string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !slices.Contains(have, w) {
			t.Errorf("%s lacks %s", artifact, w)
		}
	}
}

func tarGzNames(t *testing.T, path string) []string {
	t.Helper()
	files, _ := readTarGz(t, path)
	var names []string
	for name := range files {
		names = append(names, name)
	}
	return names
}

// TestSDKPackages checks the SDK packages are in dist/ under the names the release
// workflow publishes, each with its LICENSE and README (the suites of make test install
// and run them).
func TestSDKPackages(t *testing.T) {
	dir, version := distDir(t)
	at := func(name string) string { return filepath.Join(dir, name) }

	requireAll(t, "npm tarball", tarGzNames(t, at("eksa-irsa-pulumi-eksa-irsa-"+version+".tgz")),
		"package/package.json", "package/index.js", "package/index.d.ts", "package/README.md", "package/LICENSE")

	requireAll(t, "wheel", zipNames(t, at("pulumi_eksa_irsa-"+version+"-py3-none-any.whl")),
		"pulumi_eksa_irsa/__init__.py", "pulumi_eksa_irsa/pulumi-plugin.json",
		"pulumi_eksa_irsa-"+version+".dist-info/licenses/LICENSE")
	sdist := "pulumi_eksa_irsa-" + version + "/"
	requireAll(t, "sdist", tarGzNames(t, at("pulumi_eksa_irsa-"+version+".tar.gz")),
		sdist+"pyproject.toml", sdist+"README.md", sdist+"LICENSE", sdist+"pulumi_eksa_irsa/pulumi-plugin.json")

	requireAll(t, "jar", zipNames(t, at("eksa-irsa-"+version+".jar")),
		"META-INF/LICENSE", "META-INF/README.md", "com/eksairsa/eksa-irsa/plugin.json",
		"io/github/eksairsa/eksairsa/EksaIrsa.class")
	requireAll(t, "sources jar", zipNames(t, at("eksa-irsa-"+version+"-sources.jar")),
		"io/github/eksairsa/eksairsa/EksaIrsa.java")
	requireAll(t, "javadoc jar", zipNames(t, at("eksa-irsa-"+version+"-javadoc.jar")), "index.html")
	pom, err := os.ReadFile(at("eksa-irsa-" + version + ".pom"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"<groupId>io.github.eksa-irsa</groupId>", "<artifactId>eksa-irsa</artifactId>", "<version>" + version + "</version>"} {
		if !bytes.Contains(pom, []byte(want)) {
			t.Errorf("pom lacks %s", want)
		}
	}
}
