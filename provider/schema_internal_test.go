package provider

import (
	"reflect"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/pkg/v3/codegen/schema"
)

// TestPlainnessRefusesTypesUsedInOutputs: a type that a resource also outputs cannot have
// plain properties, because an output is always an Output; marking it plain for an
// input would make every SDK's output type wrong too. fixSchema must fail instead.
func TestPlainnessRefusesTypesUsedInOutputs(t *testing.T) {
	type inner struct {
		Name string `pulumi:"name"`
	}
	type args struct {
		Shared inner `pulumi:"shared"`
	}
	newSpec := func(outputUsesType bool) *schema.PackageSpec {
		ref := schema.TypeSpec{Ref: "#/types/p:index:Shared"}
		res := schema.ResourceSpec{InputProperties: map[string]schema.PropertySpec{"shared": {TypeSpec: ref}}}
		if outputUsesType {
			res.Properties = map[string]schema.PropertySpec{"shared": {TypeSpec: ref}}
		}
		return &schema.PackageSpec{
			Types: map[string]schema.ComplexTypeSpec{"p:index:Shared": {ObjectTypeSpec: schema.ObjectTypeSpec{
				Type: "object", Properties: map[string]schema.PropertySpec{"name": {TypeSpec: schema.TypeSpec{Type: "string"}}},
			}}},
			Resources: map[string]schema.ResourceSpec{"p:index:C": res},
		}
	}

	spec := newSpec(false)
	if err := markPlainness(spec, typesInOutputs(spec), spec.Resources["p:index:C"].InputProperties, reflect.TypeFor[args]()); err != nil {
		t.Fatalf("an input-only type: %v", err)
	}
	if !spec.Types["p:index:Shared"].Properties["name"].Plain {
		t.Errorf("the plain field of an input-only type is not marked plain")
	}

	spec = newSpec(true)
	err := markPlainness(spec, typesInOutputs(spec), spec.Resources["p:index:C"].InputProperties, reflect.TypeFor[args]())
	if err == nil || !strings.Contains(err.Error(), "p:index:Shared is used in outputs") {
		t.Errorf("a type also used in outputs: %v, want an error naming it", err)
	}
}

// TestPlainnessFailsOnWhatItCannotMark: a Go field without its property, or a struct
// field whose object type the schema lacks, means the inferred schema is not what the
// fix expects; it fails rather than leave those properties unmarked.
func TestPlainnessFailsOnWhatItCannotMark(t *testing.T) {
	type inner struct {
		Name string `pulumi:"name"`
	}
	type args struct {
		Flag   bool  `pulumi:"flag"`
		Shared inner `pulumi:"shared"`
	}
	for _, tc := range []struct {
		name  string
		props map[string]schema.PropertySpec
		types map[string]schema.ComplexTypeSpec
		want  string
	}{
		{"property missing", map[string]schema.PropertySpec{"shared": {TypeSpec: schema.TypeSpec{Ref: "#/types/p:index:Shared"}}},
			nil, `the schema has no property "flag" for Go field args.Flag`},
		{"object type missing", map[string]schema.PropertySpec{
			"flag": {TypeSpec: schema.TypeSpec{Type: "boolean"}}, "shared": {TypeSpec: schema.TypeSpec{Ref: "#/types/p:index:Shared"}},
		}, nil, `shared: the schema has no object type to mark for Go type provider.inner (ref "#/types/p:index:Shared")`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			spec := &schema.PackageSpec{Types: tc.types}
			err := markPlainness(spec, typesInOutputs(spec), tc.props, reflect.TypeFor[args]())
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("markPlainness = %v, want an error containing %q", err, tc.want)
			}
		})
	}
}
