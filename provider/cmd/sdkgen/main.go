// Command sdkgen writes schema.json and the Go, Java, TypeScript and Python SDKs from the
// provider's own schema. The Pulumi CLI's `package gen-sdk` needs language hosts that
// cannot be installed everywhere this project builds, while the code generators it calls
// are plain Go libraries; calling them directly keeps generation one reproducible command
// with no plugin on PATH. The Java generator runs as javagen, its own module (see there).
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path"
	"path/filepath"

	"github.com/blang/semver"
	p "github.com/pulumi/pulumi-go-provider"
	gogen "github.com/pulumi/pulumi/pkg/v3/codegen/go"
	"github.com/pulumi/pulumi/pkg/v3/codegen/nodejs"
	"github.com/pulumi/pulumi/pkg/v3/codegen/python"
	"github.com/pulumi/pulumi/pkg/v3/codegen/schema"

	"github.com/eksa-irsa/pulumi-eksa-irsa/internal/jsondoc"
	"github.com/eksa-irsa/pulumi-eksa-irsa/provider"
)

// tool is written into every generated file's "do not edit" header.
const tool = "eksa-irsa-sdkgen"

func main() {
	version := flag.String("version", "", "package version written into the schema and SDKs (required)")
	root := flag.String("out", ".", "repository root: schema.json and sdk/ are written here")
	javagenDir := flag.String("javagen", filepath.Join("provider", "cmd", "javagen"), "directory of the javagen module, which generates the Java SDK")
	flag.Parse()
	if *version == "" {
		fmt.Fprintln(os.Stderr, "sdkgen: -version is required (the Makefile passes the VERSION file)")
		os.Exit(2)
	}
	if err := run(*root, *version, *javagenDir); err != nil {
		fmt.Fprintf(os.Stderr, "sdkgen: %v\n", err)
		os.Exit(1)
	}
}

func run(root, version, javagenDir string) error {
	spec, err := p.GetSchema(context.Background(), provider.Name, version, provider.Provider())
	if err != nil {
		return fmt.Errorf("get schema: %w", err)
	}
	schemaJSON, err := jsondoc.Marshal(spec)
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(root, "schema.json"), schemaJSON, 0o644); err != nil {
		return err
	}

	// Each generator returns its files by path under sdk/, and owns exactly the paths it
	// lists, which are cleared first so that a file the schema no longer needs goes too.
	generators := []struct {
		lang     string
		owns     []string
		generate func(*schema.Package) (map[string][]byte, error)
	}{
		{"go", []string{"go", "go.mod"}, generateGo},
		{"java", []string{"java"}, func(*schema.Package) (map[string][]byte, error) {
			return generateJava(javagenDir, schemaJSON)
		}},
		{"nodejs", []string{"nodejs"}, generateNodejs},
		{"python", []string{"python"}, generatePython},
	}
	sdk := filepath.Join(root, "sdk")
	for _, g := range generators {
		// Each generator annotates the package it is given, so bind afresh per language.
		pkg, diags, err := schema.BindSpec(spec, schema.NewNullLoader(), schema.ValidationOptions{})
		if err != nil {
			return fmt.Errorf("bind schema: %w", err)
		}
		if diags.HasErrors() {
			return fmt.Errorf("bind schema: %s", diags.Error())
		}
		files, err := g.generate(pkg)
		if err != nil {
			return fmt.Errorf("generate %s SDK: %w", g.lang, err)
		}
		if err := addReadme(files, g.lang, pkg); err != nil {
			return err
		}
		if err := writeTree(sdk, g.owns, files); err != nil {
			return err
		}
	}
	return nil
}

// generateGo writes the Go SDK as its own module: go.mod at sdk/ (module
// github.com/eksa-irsa/pulumi-eksa-irsa/sdk, requiring only the Pulumi SDK) and the
// package under sdk/go/eksairsa, so the import path stays .../sdk/go/eksairsa.
func generateGo(pkg *schema.Package) (map[string][]byte, error) {
	files, err := gogen.GeneratePackage(tool, pkg, nil)
	if err != nil {
		return nil, err
	}
	out := map[string][]byte{}
	for name, content := range files {
		if name == "go.mod" {
			out[name] = content
			continue
		}
		out["go/"+name] = content
	}
	if _, ok := out["go.mod"]; !ok {
		return nil, fmt.Errorf("the Go generator wrote no go.mod: is the schema marked packable?")
	}
	return out, nil
}

func generateNodejs(pkg *schema.Package) (map[string][]byte, error) {
	return underDir("nodejs")(nodejs.GeneratePackage(tool, pkg, nil, nil, false, noReferences{}))
}

func generatePython(pkg *schema.Package) (map[string][]byte, error) {
	return underDir("python")(python.GeneratePackage(tool, pkg, nil, noReferences{}))
}

// generateJava runs javagen, a module of its own (see its doc comment for why), on the
// schema, and takes the files it prints.
func generateJava(javagenDir string, schemaJSON []byte) (map[string][]byte, error) {
	cmd := exec.Command("go", "run", ".")
	cmd.Dir = javagenDir
	cmd.Stdin = bytes.NewReader(schemaJSON)
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("run javagen in %s: %w", javagenDir, err)
	}
	var files map[string][]byte
	if err := json.Unmarshal(out, &files); err != nil {
		return nil, fmt.Errorf("read javagen's files: %w", err)
	}
	return underDir("java")(files, nil)
}

// underDir prefixes every generated path with dir.
func underDir(dir string) func(map[string][]byte, error) (map[string][]byte, error) {
	return func(files map[string][]byte, err error) (map[string][]byte, error) {
		if err != nil {
			return nil, err
		}
		out := make(map[string][]byte, len(files))
		for name, content := range files {
			out[path.Join(dir, name)] = content
		}
		return out, nil
	}
}

// noReferences is the loader for a schema that references no other package: the schema
// deliberately uses plain strings for ARNs and names (no aws or kubernetes types), so a
// generator asking to load another package is a bug worth failing on.
type noReferences struct{}

func (noReferences) LoadPackage(pkg string, _ *semver.Version) (*schema.Package, error) {
	return nil, fmt.Errorf("the eksa-irsa schema must not reference package %q", pkg)
}

func (noReferences) LoadPackageV2(_ context.Context, d *schema.PackageDescriptor) (*schema.Package, error) {
	return nil, fmt.Errorf("the eksa-irsa schema must not reference package %q", d.Name)
}

func (noReferences) LoadPackageReference(pkg string, _ *semver.Version) (schema.PackageReference, error) {
	return nil, fmt.Errorf("the eksa-irsa schema must not reference package %q", pkg)
}

func (noReferences) LoadPackageReferenceV2(_ context.Context, d *schema.PackageDescriptor) (schema.PackageReference, error) {
	return nil, fmt.Errorf("the eksa-irsa schema must not reference package %q", d.Name)
}

// writeTree clears the paths under sdk that a generator owns and writes exactly the
// generated files.
func writeTree(sdk string, owns []string, files map[string][]byte) error {
	for _, owned := range owns {
		if err := os.RemoveAll(filepath.Join(sdk, owned)); err != nil {
			return err
		}
	}
	for name, content := range files {
		path := filepath.Join(sdk, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(path, content, 0o644); err != nil {
			return err
		}
	}
	return nil
}
