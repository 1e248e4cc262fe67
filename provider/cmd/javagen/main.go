// Command javagen writes the Java SDK of a Pulumi package schema, read on standard input,
// as a JSON object of path -> file content on standard output; sdkgen writes those files
// into sdk/java beside the other SDKs.
//
// It is a module of its own because pulumi-java's code generator (github.com/pulumi/pulumi-java/pkg
// v1.12.0, the release matching the com.pulumi:pulumi 1.12.0 runtime) does not compile
// against the pulumi/pkg version the provider needs: it implements interfaces that later
// pkg releases extended. Here it builds against the newest pkg release it compiles with,
// and the provider module keeps its own dependency set.
//
// The generator's own build files are Gradle's, and Gradle is not installed where this
// project builds, so javagen adds a Maven pom.xml instead, with what Maven Central needs
// for publishing. It also writes plugin.json where the Java language host looks for it,
// so a Java program gets the plugin from pluginDownloadURL like the other languages.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"text/template"

	"github.com/blang/semver"
	javagen "github.com/pulumi/pulumi-java/pkg/codegen/java"
	"github.com/pulumi/pulumi/pkg/v3/codegen/schema"
)

// Maven coordinates of the SDK. The artifact is named after the Pulumi package; the group
// is the GitHub organisation in the reverse-domain form Maven Central verifies.
const (
	groupID    = "io.github.eksa-irsa"
	artifactID = "eksa-irsa"
)

// tool is written into every generated file's "do not edit" header.
const tool = "eksa-irsa-sdkgen"

func main() {
	if err := run(os.Stdin, os.Stdout); err != nil {
		fmt.Fprintf(os.Stderr, "javagen: %v\n", err)
		os.Exit(1)
	}
}

func run(in io.Reader, out io.Writer) error {
	var spec schema.PackageSpec
	if err := json.NewDecoder(in).Decode(&spec); err != nil {
		return fmt.Errorf("read schema: %w", err)
	}
	pkg, diags, err := schema.BindSpec(spec, noReferences{}, schema.ValidationOptions{})
	if err != nil {
		return fmt.Errorf("bind schema: %w", err)
	}
	if diags.HasErrors() {
		return fmt.Errorf("bind schema: %s", diags.Error())
	}
	files, err := javagen.GeneratePackage(tool, pkg, nil, nil, false, false)
	if err != nil {
		return fmt.Errorf("generate Java SDK: %w", err)
	}
	info, ok := pkg.Language["java"].(*javagen.PackageInfo)
	if !ok {
		return fmt.Errorf("the generator left no Java package info")
	}
	pom, err := renderPom(pkg, info)
	if err != nil {
		return err
	}
	files["pom.xml"] = pom
	plugin, err := pluginJSON(pkg)
	if err != nil {
		return err
	}
	files[pluginJSONPath(pkg)] = plugin

	enc := json.NewEncoder(out)
	enc.SetIndent("", "  ")
	return enc.Encode(files)
}

// noReferences is the loader for a schema that references no other package (sdkgen
// refuses such a schema before javagen sees it).
type noReferences struct{}

func (noReferences) LoadPackage(pkg string, _ *semver.Version) (*schema.Package, error) {
	return nil, fmt.Errorf("the schema must not reference package %q", pkg)
}

func (noReferences) LoadPackageV2(_ context.Context, d *schema.PackageDescriptor) (*schema.Package, error) {
	return nil, fmt.Errorf("the schema must not reference package %q", d.Name)
}

// pluginJSONPath is where the Java language host finds a package's plugin: it scans the
// class path for com/<namespace>/<name>/plugin.json only, whatever the package's Java
// package is.
func pluginJSONPath(pkg *schema.Package) string {
	return "src/main/resources/com/" + strings.ReplaceAll(pkg.Name, "-", "") + "/" + pkg.Name + "/plugin.json"
}

// pluginJSON tells the language host which plugin, version and download server the
// package needs, as pulumi-plugin.json does for Go and Python and package.json for npm.
func pluginJSON(pkg *schema.Package) ([]byte, error) {
	if pkg.Version == nil {
		return nil, fmt.Errorf("the schema has no version")
	}
	b, err := json.MarshalIndent(map[string]any{
		"resource": true,
		"name":     pkg.Name,
		"version":  pkg.Version.String(),
		"server":   pkg.PluginDownloadURL,
	}, "", "  ")
	return append(b, '\n'), err
}

type dependency struct{ GroupID, ArtifactID, Version string }

func renderPom(pkg *schema.Package, info *javagen.PackageInfo) ([]byte, error) {
	if pkg.Version == nil {
		return nil, fmt.Errorf("the schema has no version")
	}
	var deps []dependency
	for coordinate, version := range info.Dependencies {
		group, artifact, ok := strings.Cut(coordinate, ":")
		if !ok {
			return nil, fmt.Errorf("dependency %q of the Java SDK is not group:artifact", coordinate)
		}
		deps = append(deps, dependency{group, artifact, version})
	}
	sort.Slice(deps, func(i, j int) bool {
		return deps[i].GroupID+":"+deps[i].ArtifactID < deps[j].GroupID+":"+deps[j].ArtifactID
	})
	var buf bytes.Buffer
	err := pomTemplate.Execute(&buf, map[string]any{
		"GroupID":      groupID,
		"ArtifactID":   artifactID,
		"Version":      pkg.Version.String(),
		"Name":         pkg.DisplayName,
		"Description":  pkg.Description,
		"URL":          pkg.Homepage,
		"Repository":   pkg.Repository,
		"Publisher":    pkg.Publisher,
		"License":      pkg.License,
		"Dependencies": deps,
	})
	return buf.Bytes(), err
}

var pomTemplate = template.Must(template.New("pom.xml").Funcs(template.FuncMap{"xml": xmlText}).Parse(pomXML))

// xmlText escapes s for an XML text node.
func xmlText(s string) (string, error) {
	var b strings.Builder
	err := xml.EscapeText(&b, []byte(s))
	return b.String(), err
}
