package provider_test

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	p "github.com/pulumi/pulumi-go-provider"
	"github.com/pulumi/pulumi/pkg/v3/codegen/schema"
	"gopkg.in/yaml.v3"

	"github.com/eksa-irsa/pulumi-eksa-irsa/provider"
)

// TestYAMLProgramMatchesSchema type-checks the root Pulumi.yaml against the provider's
// schema, since pulumi-language-yaml cannot run here: every EksaIrsa property and role
// field it sets exists, required ones are there, every output it reads exists, and the
// local plugin path is where `make` puts the binary.
func TestYAMLProgramMatchesSchema(t *testing.T) {
	text, err := os.ReadFile(filepath.Join("..", "Pulumi.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var program struct {
		Runtime string `yaml:"runtime"`
		Plugins struct {
			Providers []struct {
				Name string `yaml:"name"`
				Path string `yaml:"path"`
			} `yaml:"providers"`
		} `yaml:"plugins"`
		Resources map[string]struct {
			Type       string         `yaml:"type"`
			Properties map[string]any `yaml:"properties"`
			Get        any            `yaml:"get"`
		} `yaml:"resources"`
		Variables map[string]struct {
			Invoke *struct {
				Function  string         `yaml:"function"`
				Arguments map[string]any `yaml:"arguments"`
				Return    string         `yaml:"return"`
			} `yaml:"fn::invoke"`
		} `yaml:"variables"`
	}
	if err := yaml.Unmarshal(text, &program); err != nil {
		t.Fatal(err)
	}
	if program.Runtime != "yaml" {
		t.Errorf("runtime = %q", program.Runtime)
	}
	if len(program.Plugins.Providers) != 1 || program.Plugins.Providers[0].Name != provider.Name ||
		filepath.Clean(program.Plugins.Providers[0].Path) != "bin" {
		t.Errorf("plugins = %+v, want eksa-irsa from ./bin (where make builds it)", program.Plugins)
	}

	spec, err := p.GetSchema(t.Context(), provider.Name, "0.1.0", provider.Provider())
	if err != nil {
		t.Fatal(err)
	}
	component := spec.Resources[provider.EksaIrsaToken]
	var components []string
	for name, r := range program.Resources {
		if r.Type != provider.EksaIrsaToken {
			continue
		}
		components = append(components, name)
		checkObject(t, spec, "resources."+name, r.Properties, component.InputProperties, component.RequiredInputs)
	}
	if len(components) != 1 {
		t.Fatalf("Pulumi.yaml declares %d EksaIrsa resources, want 1", len(components))
	}

	// The signing key comes from getSigningKeys, with the arguments and result it has, and
	// never from a Secret read as a resource (that would store tls.key in the state).
	invoked := false
	for name, v := range program.Variables {
		if v.Invoke == nil || v.Invoke.Function != provider.GetSigningKeysToken {
			continue
		}
		invoked = true
		fn := spec.Functions[provider.GetSigningKeysToken]
		checkObject(t, spec, "variables."+name, v.Invoke.Arguments, fn.Inputs.Properties, fn.Inputs.Required)
		if _, ok := fn.ReturnType.ObjectTypeSpec.Properties[v.Invoke.Return]; !ok {
			t.Errorf("variables.%s returns %q, which getSigningKeys does not have", name, v.Invoke.Return)
		}
	}
	if !invoked {
		t.Errorf("Pulumi.yaml does not read the signing keys with %s", provider.GetSigningKeysToken)
	}
	for name, r := range program.Resources {
		if r.Type == "kubernetes:core/v1:Secret" && r.Get != nil {
			t.Errorf("resources.%s reads a Secret, which stores its tls.key in the state; use getSigningKeys", name)
		}
	}

	// Every ${<component>.<output>} the program reads is an output of the component.
	refs := regexp.MustCompile(`\$\{`+components[0]+`\.([A-Za-z]+)`).FindAllStringSubmatch(string(text), -1)
	if len(refs) == 0 {
		t.Fatal("the program reads no output of the component")
	}
	for _, ref := range refs {
		if _, ok := component.Properties[ref[1]]; !ok {
			t.Errorf("Pulumi.yaml reads output %q, which EksaIrsa does not have", ref[1])
		}
	}
}

// checkObject checks YAML properties against schema properties, descending into the
// package's object types.
func checkObject(t *testing.T, spec schema.PackageSpec, path string, props map[string]any,
	schemaProps map[string]schema.PropertySpec, required []string,
) {
	t.Helper()
	for _, name := range required {
		if _, ok := props[name]; !ok {
			t.Errorf("%s: required %q missing", path, name)
		}
	}
	for name, value := range props {
		prop, ok := schemaProps[name]
		if !ok {
			t.Errorf("%s.%s: not in the schema", path, name)
			continue
		}
		checkValue(t, spec, path+"."+name, value, prop.TypeSpec)
	}
}

func checkValue(t *testing.T, spec schema.PackageSpec, path string, value any, typ schema.TypeSpec) {
	t.Helper()
	if s, ok := value.(string); ok && strings.HasPrefix(s, "${") {
		return // an expression; its type is the engine's to check
	}
	if isBuiltin(value) {
		return // fn::readFile and the like; the engine checks what they give
	}
	switch {
	case strings.HasPrefix(typ.Ref, "#/types/") && spec.Types[strings.TrimPrefix(typ.Ref, "#/types/")].Enum != nil:
		enum := spec.Types[strings.TrimPrefix(typ.Ref, "#/types/")].Enum
		if !slices.ContainsFunc(enum, func(v schema.EnumValueSpec) bool { return v.Value == value }) {
			t.Errorf("%s: %v is not one of the enum's values", path, value)
		}
	case strings.HasPrefix(typ.Ref, "#/types/"):
		object, ok := value.(map[string]any)
		if !ok {
			t.Errorf("%s: want an object", path)
			return
		}
		ts := spec.Types[strings.TrimPrefix(typ.Ref, "#/types/")]
		checkObject(t, spec, path, object, ts.Properties, ts.Required)
	case typ.Type == "array":
		items, ok := value.([]any)
		if !ok {
			t.Errorf("%s: want a list", path)
			return
		}
		for _, item := range items {
			checkValue(t, spec, path+"[]", item, *typ.Items)
		}
	case typ.Type == "object" && typ.AdditionalProperties != nil:
		object, ok := value.(map[string]any)
		if !ok {
			t.Errorf("%s: want a map", path)
			return
		}
		for key, item := range object {
			checkValue(t, spec, path+"."+key, item, *typ.AdditionalProperties)
		}
	case typ.Type == "string":
		if _, ok := value.(string); !ok {
			t.Errorf("%s: want a string, got %T", path, value)
		}
	}
}

// isBuiltin reports whether a YAML value is a call of one of Pulumi YAML's built-in
// functions (fn::invoke, fn::readFile, ...).
func isBuiltin(value any) bool {
	return slices.ContainsFunc(keys(value), func(k string) bool { return strings.HasPrefix(k, "fn::") })
}

func keys(v any) []string {
	m, _ := v.(map[string]any)
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
