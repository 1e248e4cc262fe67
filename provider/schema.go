package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"sync"

	p "github.com/pulumi/pulumi-go-provider"
	"github.com/pulumi/pulumi/pkg/v3/codegen/schema"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// withSchemaFixes wraps the inferred provider's GetSchema with the corrections in
// fixSchema. pulumi-go-provider builds the inferred schema once, on the first request,
// and caches it; the corrected schema is cached beside it, so that later requests (the
// engine and SDK generation may ask more than once) cost neither a decode nor an encode.
func withSchemaFixes(prov p.Provider) p.Provider {
	inner := prov.GetSchema
	var (
		mu              sync.Mutex
		inferred, fixed string // the last inferred schema and its corrected form
	)
	prov.GetSchema = func(ctx context.Context, req p.GetSchemaRequest) (p.GetSchemaResponse, error) {
		resp, err := inner(ctx, req)
		if err != nil {
			return resp, err
		}
		mu.Lock()
		defer mu.Unlock()
		if fixed != "" && resp.Schema == inferred {
			resp.Schema = fixed
			return resp, nil
		}
		corrected, err := fixedSchema(resp.Schema)
		if err != nil {
			return resp, err
		}
		inferred, fixed = resp.Schema, corrected
		resp.Schema = corrected
		return resp, nil
	}
	return prov
}

// fixedSchema is the inferred schema text with the corrections of fixSchema.
func fixedSchema(inferred string) (string, error) {
	var spec schema.PackageSpec
	if err := json.Unmarshal([]byte(inferred), &spec); err != nil {
		return "", fmt.Errorf("read inferred schema: %w", err)
	}
	if err := fixSchema(&spec); err != nil {
		return "", err
	}
	fixed, err := json.Marshal(spec)
	if err != nil {
		return "", fmt.Errorf("write schema: %w", err)
	}
	return string(fixed), nil
}

// fixSchema makes the schema say exactly which inputs may be outputs, as the Go args do.
// pulumi-go-provider's inference does not derive plainness from the Go types of a
// component's args; Pulumi's own component inference for other languages learnt to
// (https://github.com/pulumi/pulumi/issues/18482), with the rule that a type used in
// outputs is never plain (https://github.com/pulumi/pulumi/pull/19135), which this
// applies too.
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
	inOutputs := typesInOutputs(spec)
	for token, args := range componentArgs {
		component, ok := spec.Resources[token]
		if !ok {
			return fmt.Errorf("schema has no component %s to mark plain inputs of", token)
		}
		if err := markPlainness(spec, inOutputs, component.InputProperties, args); err != nil {
			return fmt.Errorf("%s: %w", token, err)
		}
		spec.Resources[token] = component
	}
	return nil
}

// typesInOutputs lists the object types reachable from any resource's or function's
// outputs. Their properties are never plain: an output is always an Output.
func typesInOutputs(spec *schema.PackageSpec) map[string]bool {
	reached := map[string]bool{}
	var visit func(ts *schema.TypeSpec)
	visit = func(ts *schema.TypeSpec) {
		if ts == nil {
			return
		}
		if token := strings.TrimPrefix(ts.Ref, "#/types/"); ts.Ref != "" && !reached[token] {
			reached[token] = true
			for _, prop := range spec.Types[token].Properties {
				visit(&prop.TypeSpec)
			}
		}
		visit(ts.Items)
		visit(ts.AdditionalProperties)
	}
	for _, res := range spec.Resources {
		for _, prop := range res.Properties {
			visit(&prop.TypeSpec)
		}
	}
	for _, fn := range spec.Functions {
		if fn.Outputs != nil {
			for _, prop := range fn.Outputs.Properties {
				visit(&prop.TypeSpec)
			}
		}
	}
	return reached
}

// componentArgs maps each component's token to its Go args type, whose fields decide
// which of the component's inputs are plain.
var componentArgs = map[string]reflect.Type{
	EksaIrsaToken:           reflect.TypeFor[EksaIrsaArgs](),
	IssuerBucketToken:       reflect.TypeFor[IssuerBucketArgs](),
	ServiceAccountRoleToken: reflect.TypeFor[ServiceAccountRoleArgs](),
	IssuerOidcProviderToken: reflect.TypeFor[IssuerOidcProviderArgs](),
}

var inputType = reflect.TypeFor[pulumi.Input]()

// markPlainness sets Plain on each property of props from the Go field of the same wire
// name in goType, and descends into the package's object types the fields use.
func markPlainness(spec *schema.PackageSpec, inOutputs map[string]bool, props map[string]schema.PropertySpec, goType reflect.Type) error {
	for _, field := range reflect.VisibleFields(goType) {
		name, _, _ := strings.Cut(field.Tag.Get("pulumi"), ",")
		if name == "" {
			continue
		}
		prop, ok := props[name]
		if !ok {
			return fmt.Errorf("the schema has no property %q for Go field %s.%s", name, goType.Name(), field.Name)
		}
		if err := setPlainness(spec, inOutputs, &prop.TypeSpec, field.Type); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		props[name] = prop
	}
	return nil
}

func setPlainness(spec *schema.PackageSpec, inOutputs map[string]bool, ts *schema.TypeSpec, t reflect.Type) error {
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
		return nil
	}
	ts.Plain = true
	switch t.Kind() {
	case reflect.Slice:
		if ts.Items != nil {
			return setPlainness(spec, inOutputs, ts.Items, t.Elem())
		}
	case reflect.Map:
		if ts.AdditionalProperties != nil {
			return setPlainness(spec, inOutputs, ts.AdditionalProperties, t.Elem())
		}
	case reflect.Struct:
		token, isObject := strings.CutPrefix(ts.Ref, "#/types/")
		object, ok := spec.Types[token]
		if !isObject || !ok {
			return fmt.Errorf("the schema has no object type to mark for Go type %s (ref %q)", t, ts.Ref)
		}
		if inOutputs[token] {
			// One type cannot be plain as an input and an Output as an output: give the
			// input its own Go type.
			return fmt.Errorf("type %s is used in outputs, so its properties cannot be plain in inputs; use a separate type for the input", token)
		}
		if err := markPlainness(spec, inOutputs, object.Properties, t); err != nil {
			return err
		}
		spec.Types[token] = object
	}
	return nil
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
