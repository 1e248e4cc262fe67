package provider

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"

	p "github.com/pulumi/pulumi-go-provider"
	"github.com/pulumi/pulumi/pkg/v3/codegen/schema"
)

// MarshalSchema renders a schema the way schema.json is committed: two-space indentation,
// no HTML escaping and a trailing newline, so the generator and the schema test agree
// byte for byte and the file diffs line by line.
func MarshalSchema(spec schema.PackageSpec) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(spec); err != nil {
		return nil, fmt.Errorf("marshal schema: %w", err)
	}
	return buf.Bytes(), nil
}

// withSchemaFixes wraps the inferred provider's GetSchema with the corrections in
// fixSchema.
func withSchemaFixes(prov p.Provider) p.Provider {
	inner := prov.GetSchema
	prov.GetSchema = func(ctx context.Context, req p.GetSchemaRequest) (p.GetSchemaResponse, error) {
		resp, err := inner(ctx, req)
		if err != nil {
			return resp, err
		}
		var spec schema.PackageSpec
		if err := json.Unmarshal([]byte(resp.Schema), &spec); err != nil {
			return resp, fmt.Errorf("read inferred schema: %w", err)
		}
		fixSchema(&spec)
		fixed, err := json.Marshal(spec)
		if err != nil {
			return resp, fmt.Errorf("write schema: %w", err)
		}
		resp.Schema = string(fixed)
		return resp, nil
	}
	return prov
}

// fixSchema lets SDK users pass outputs as elements of signingKeys and as tag values.
// The Go fields are Inputs and accept them, but inference marks the elements of a
// top-level Input collection plain, which would make `signingKeys: [secret.data["tls.crt"]]`
// a type error in TypeScript and Python.
func fixSchema(spec *schema.PackageSpec) {
	component, ok := spec.Resources[EksaIrsaToken]
	if !ok {
		return
	}
	for name, elem := range map[string]func(*schema.TypeSpec) *schema.TypeSpec{
		"signingKeys": func(t *schema.TypeSpec) *schema.TypeSpec { return t.Items },
		"tags":        func(t *schema.TypeSpec) *schema.TypeSpec { return t.AdditionalProperties },
	} {
		prop, ok := component.InputProperties[name]
		if !ok {
			continue
		}
		if e := elem(&prop.TypeSpec); e != nil {
			e.Plain = false
		}
		component.InputProperties[name] = prop
	}
	spec.Resources[EksaIrsaToken] = component
}
