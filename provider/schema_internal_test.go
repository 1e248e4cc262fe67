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
