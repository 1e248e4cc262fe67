// Command sdkgen writes schema.json and the Go, TypeScript and Python SDKs from the
// provider's own schema, in-process. The Pulumi CLI's `package gen-sdk` needs language
// hosts that cannot be installed everywhere this project builds, while the code
// generators it calls are plain Go libraries; calling them directly keeps generation one
// reproducible command with no plugin on PATH.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"

	"github.com/blang/semver"
	p "github.com/pulumi/pulumi-go-provider"
	gogen "github.com/pulumi/pulumi/pkg/v3/codegen/go"
	"github.com/pulumi/pulumi/pkg/v3/codegen/nodejs"
	"github.com/pulumi/pulumi/pkg/v3/codegen/python"
	"github.com/pulumi/pulumi/pkg/v3/codegen/schema"

	"github.com/eksa-irsa/pulumi-eksa-irsa/provider"
)

// sdkDirs is where each language's files go under sdk/; the Go generator emits paths
// relative to the package, which lives at the import path DESIGN.md fixes.
var sdkDirs = map[string]string{"go": "go/eksairsa", "nodejs": "nodejs", "python": "python"}

// tool is written into every generated file's "do not edit" header.
const tool = "eksa-irsa-sdkgen"

func main() {
	version := flag.String("version", "", "package version written into the schema and SDKs (required)")
	root := flag.String("out", ".", "repository root: schema.json and sdk/ are written here")
	flag.Parse()
	if *version == "" {
		fmt.Fprintln(os.Stderr, "sdkgen: -version is required (the Makefile passes the VERSION file)")
		os.Exit(2)
	}
	if err := run(*root, *version); err != nil {
		fmt.Fprintf(os.Stderr, "sdkgen: %v\n", err)
		os.Exit(1)
	}
}

func run(root, version string) error {
	spec, err := p.GetSchema(context.Background(), provider.Name, version, provider.Provider())
	if err != nil {
		return fmt.Errorf("get schema: %w", err)
	}
	schemaJSON, err := provider.MarshalSchema(spec)
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(root, "schema.json"), schemaJSON, 0o644); err != nil {
		return err
	}

	generators := map[string]func(*schema.Package) (map[string][]byte, error){
		"go": func(pkg *schema.Package) (map[string][]byte, error) {
			return gogen.GeneratePackage(tool, pkg, nil)
		},
		"nodejs": func(pkg *schema.Package) (map[string][]byte, error) {
			return nodejs.GeneratePackage(tool, pkg, nil, nil, false, noReferences{})
		},
		"python": func(pkg *schema.Package) (map[string][]byte, error) {
			files, err := python.GeneratePackage(tool, pkg, nil, noReferences{})
			if err != nil {
				return nil, err
			}
			// pyproject.toml names README.md beside it as the long description; without
			// it pip cannot build the package. The CLI copies one there, so do we.
			if readme, ok := files["pulumi_eksa_irsa/README.md"]; ok {
				files["README.md"] = readme
			}
			return files, nil
		},
	}
	langs := make([]string, 0, len(generators))
	for lang := range generators {
		langs = append(langs, lang)
	}
	sort.Strings(langs)
	for _, lang := range langs {
		// Each generator annotates the package it is given, so bind afresh per language.
		pkg, diags, err := schema.BindSpec(spec, schema.NewNullLoader(), schema.ValidationOptions{})
		if err != nil {
			return fmt.Errorf("bind schema: %w", err)
		}
		if diags.HasErrors() {
			return fmt.Errorf("bind schema: %s", diags.Error())
		}
		files, err := generators[lang](pkg)
		if err != nil {
			return fmt.Errorf("generate %s SDK: %w", lang, err)
		}
		if err := writeTree(filepath.Join(root, "sdk", filepath.FromSlash(sdkDirs[lang])), files); err != nil {
			return err
		}
	}
	return nil
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

// writeTree replaces dir with exactly the generated files, so a type or file the schema
// no longer has disappears from the SDK too.
func writeTree(dir string, files map[string][]byte) error {
	if err := os.RemoveAll(dir); err != nil {
		return err
	}
	for name, content := range files {
		path := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(path, content, 0o644); err != nil {
			return err
		}
	}
	return nil
}
