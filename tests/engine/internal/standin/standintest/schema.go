package standintest

import (
	"encoding/json"
	"slices"
	"sort"
	"testing"

	"github.com/pulumi/pulumi/pkg/v3/codegen/schema"
)

// BindSchema binds a schema as the YAML language host and the SDK generators do,
// failing the test on any error, and returns its resource and function tokens, sorted.
func BindSchema(t *testing.T, text string) (resources, functions []string) {
	t.Helper()
	var spec schema.PackageSpec
	if err := json.Unmarshal([]byte(text), &spec); err != nil {
		t.Fatalf("schema is not a package spec: %v", err)
	}
	pkg, diags, err := schema.BindSpec(spec, schema.NewNullLoader(), schema.ValidationOptions{})
	if err != nil {
		t.Fatalf("binding the schema: %v", err)
	}
	if diags.HasErrors() {
		t.Fatalf("binding the schema: %v", diags)
	}
	for _, r := range pkg.Resources {
		resources = append(resources, r.Token)
	}
	for _, f := range pkg.Functions {
		functions = append(functions, f.Token)
	}
	sort.Strings(resources)
	sort.Strings(functions)
	return slices.Clip(resources), slices.Clip(functions)
}
