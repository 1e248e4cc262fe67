package provider

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"

	p "github.com/pulumi/pulumi-go-provider"
	"github.com/pulumi/pulumi/pkg/v3/codegen/schema"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
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
		if err := fixSchema(&spec); err != nil {
			return resp, err
		}
		fixed, err := json.Marshal(spec)
		if err != nil {
			return resp, fmt.Errorf("write schema: %w", err)
		}
		resp.Schema = string(fixed)
		return resp, nil
	}
	return prov
}

// fixSchema makes the schema say exactly which inputs may be outputs, as the Go args do.
//
// Inference marks the elements of a top-level Input collection plain, which would make
// `signingKeys: [secret.data["tls.crt"]]` a type error in TypeScript and Python although
// the Go field accepts it; and it leaves the nested types' plain fields (role names,
// service accounts, flags) looking like Inputs, so an SDK would accept an output there
// that Construct cannot read, failing at run time instead of at compile time. So every
// property is re-derived from its Go field: plain where the field is a plain value,
// Input where it is an Input.
func fixSchema(spec *schema.PackageSpec) error {
	markPackable(spec)
	for token, args := range componentArgs {
		component, ok := spec.Resources[token]
		if !ok {
			return fmt.Errorf("schema has no component %s to mark plain inputs of", token)
		}
		markPlainness(spec, component.InputProperties, args)
		spec.Resources[token] = component
	}
	return nil
}

// componentArgs maps each component's token to its Go args type, whose fields decide
// which of the component's inputs are plain.
var componentArgs = map[string]reflect.Type{
	EksaIrsaToken:           reflect.TypeFor[EksaIrsaArgs](),
	IssuerBucketToken:       reflect.TypeFor[IssuerBucketArgs](),
	ServiceAccountRoleToken: reflect.TypeFor[ServiceAccountRoleArgs](),
}

var inputType = reflect.TypeFor[pulumi.Input]()

// markPlainness sets Plain on each property of props from the Go field of the same wire
// name in goType, and descends into the package's object types the fields use.
func markPlainness(spec *schema.PackageSpec, props map[string]schema.PropertySpec, goType reflect.Type) {
	for _, field := range reflect.VisibleFields(goType) {
		name, _, _ := strings.Cut(field.Tag.Get("pulumi"), ",")
		prop, ok := props[name]
		if name == "" || !ok {
			continue
		}
		setPlainness(spec, &prop.TypeSpec, field.Type)
		props[name] = prop
	}
}

func setPlainness(spec *schema.PackageSpec, ts *schema.TypeSpec, t reflect.Type) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Implements(inputType) {
		ts.Plain = false
		if ts.Items != nil {
			ts.Items.Plain = false
		}
		if ts.AdditionalProperties != nil {
			ts.AdditionalProperties.Plain = false
		}
		return
	}
	ts.Plain = true
	switch t.Kind() {
	case reflect.Slice:
		if ts.Items != nil {
			setPlainness(spec, ts.Items, t.Elem())
		}
	case reflect.Map:
		if ts.AdditionalProperties != nil {
			setPlainness(spec, ts.AdditionalProperties, t.Elem())
		}
	case reflect.Struct:
		token := strings.TrimPrefix(ts.Ref, "#/types/")
		if object, ok := spec.Types[token]; ok {
			markPlainness(spec, object.Properties, t)
			spec.Types[token] = object
		}
	}
}

// markPackable declares the package packable, Pulumi's convention for SDKs that are
// published on their own: the generators then take every SDK's version from the schema and
// write the Go SDK's own go.mod, so that a Go program depends on the SDK module alone and
// not on the provider's module with its AWS and Kubernetes dependencies.
func markPackable(spec *schema.PackageSpec) {
	if spec.Meta == nil {
		spec.Meta = &schema.MetadataSpec{}
	}
	spec.Meta.SupportPack = true
}
