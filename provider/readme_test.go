package provider_test

import (
	"encoding/json"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/pkg/v3/codegen/schema"

	"github.com/eksa-irsa/pulumi-eksa-irsa/provider"
)

// What the "at preview" column of docs/reference.md may say, and what each means for the
// schema property: plain itself, and plain elements (for lists and maps).
var previewMarks = map[string]struct{ plain, plainElements bool }{
	"known":                            {true, true},
	"takes outputs":                    {false, false},
	"names known, values take outputs": {true, false},
}

// TestReadmeSaysWhichInputsMustBeKnownAtPreview keeps the inputs tables of the reference
// page (docs/reference.md, which the README links) true to the schema: a user reading
// "known" must find a plain type in every SDK, and "takes outputs" an input that accepts
// another resource's output.
func TestReadmeSaysWhichInputsMustBeKnownAtPreview(t *testing.T) {
	reference, err := os.ReadFile(filepath.Join("..", "docs", "reference.md"))
	if err != nil {
		t.Fatal(err)
	}
	text := string(reference)
	start := strings.Index(text, "\n## Inputs\n")
	end := strings.Index(text, "\n## Outputs\n")
	if start < 0 || end < start {
		t.Fatal("docs/reference.md has no Inputs section before Outputs")
	}
	var spec schema.PackageSpec
	raw, err := os.ReadFile(filepath.Join("..", "schema.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(raw, &spec); err != nil {
		t.Fatal(err)
	}
	component := spec.Resources[provider.EksaIrsaToken].InputProperties
	role := spec.Types["eksa-irsa:index:Role"].Properties

	// The inputs table has the mark in its third column, the role table in its second.
	tables := map[string]struct {
		props  map[string]schema.PropertySpec
		column int
	}{
		"| input | type | at preview |": {component, 3},
		"| field | at preview |":        {role, 2},
	}
	seen := map[string]bool{}
	var current *struct {
		props  map[string]schema.PropertySpec
		column int
	}
	for _, line := range strings.Split(text[start:end], "\n") {
		for header, table := range tables {
			if strings.HasPrefix(line, header) {
				current = &table
			}
		}
		cells := strings.Split(line, " | ")
		if current == nil || !strings.HasPrefix(line, "| `") || len(cells) <= current.column {
			if !strings.HasPrefix(line, "|") {
				current = nil
			}
			continue
		}
		name := strings.Trim(cells[0], "| `")
		markText := cells[current.column-1]
		mark, ok := previewMarks[markText]
		if !ok {
			t.Errorf("%s: %q is not one of the marks %v", name, markText, slices.Collect(maps.Keys(previewMarks)))
			continue
		}
		prop, ok := lookup(spec, current.props, name)
		if !ok {
			t.Errorf("docs/reference.md lists %q, which the schema does not have", name)
			continue
		}
		if prop.Plain != mark.plain {
			t.Errorf("docs/reference.md says %q is %q, but the schema has plain=%v", name, markText, prop.Plain)
		}
		if elem := elementOf(prop); elem != nil && elem.Ref == "" && elem.Plain != mark.plainElements {
			t.Errorf("docs/reference.md says %q is %q, but its elements have plain=%v", name, markText, elem.Plain)
		}
		head, _, _ := strings.Cut(name, ".")
		seen[head] = true
	}
	for _, props := range []map[string]schema.PropertySpec{component, role} {
		for name := range props {
			if !seen[name] {
				t.Errorf("the inputs tables of docs/reference.md do not mark %q", name)
			}
		}
	}
}

// lookup finds a dotted input name ("issuer.domain.name") below props.
func lookup(spec schema.PackageSpec, props map[string]schema.PropertySpec, name string) (schema.PropertySpec, bool) {
	head, rest, nested := strings.Cut(name, ".")
	prop, ok := props[head]
	if !ok || !nested {
		return prop, ok
	}
	object, ok := spec.Types[strings.TrimPrefix(prop.Ref, "#/types/")]
	if !ok {
		return schema.PropertySpec{}, false
	}
	return lookup(spec, object.Properties, rest)
}

func elementOf(prop schema.PropertySpec) *schema.TypeSpec {
	if prop.Items != nil {
		return prop.Items
	}
	return prop.AdditionalProperties
}

// TestReadmeListsThePresets keeps the presets table of docs/policy-presets.md equal to
// the one internal/preset's tests derive from the presets themselves (scopes, action
// counts).
func TestReadmeListsThePresets(t *testing.T) {
	readme, err := os.ReadFile(filepath.Join("..", "docs", "policy-presets.md"))
	if err != nil {
		t.Fatal(err)
	}
	table, err := os.ReadFile(filepath.Join("..", "internal", "preset", "testdata", "presets.md"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(readme), string(table)) {
		t.Errorf("docs/policy-presets.md lacks the presets table of internal/preset/testdata/presets.md:\n%s", table)
	}
}
