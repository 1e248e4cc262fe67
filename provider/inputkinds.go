package provider

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	p "github.com/pulumi/pulumi-go-provider"
	"github.com/pulumi/pulumi/sdk/v3/go/property"
)

// withInputKinds checks the kind of every input against the schema before
// pulumi-go-provider decodes it. The SDKs' types prevent most wrong kinds, but a YAML
// program or a hand-written call can send a string for a list or a list for a map, and
// the decoder's own errors then name the Go types of this package ("expected a
// map[string]provider.Role", "must be a '[]string'"), which mean nothing to the author of
// the program. Here the error names the input by its wire path and the kind in the
// program's terms: "roles: expected a map, got a string".
func withInputKinds(prov p.Provider) p.Provider {
	kinds := &inputKinds{schema: prov.GetSchema}
	construct, invoke, check := prov.Construct, prov.Invoke, prov.Check
	if construct != nil {
		prov.Construct = func(ctx context.Context, req p.ConstructRequest) (p.ConstructResponse, error) {
			found, err := kinds.check(ctx, string(req.Urn.Type()), req.Inputs)
			if err != nil {
				return p.ConstructResponse{}, err
			}
			if err := found.err(tokenName(string(req.Urn.Type())), req.Urn.Name()); err != nil {
				return p.ConstructResponse{}, err
			}
			return construct(ctx, req)
		}
	}
	if invoke != nil {
		prov.Invoke = func(ctx context.Context, req p.InvokeRequest) (p.InvokeResponse, error) {
			found, err := kinds.check(ctx, string(req.Token), req.Args)
			if err != nil {
				return p.InvokeResponse{}, err
			}
			if len(found) > 0 {
				return p.InvokeResponse{}, fmt.Errorf("invalid arguments of %s:\n%w", tokenName(string(req.Token)), errors.Join(found...))
			}
			return invoke(ctx, req)
		}
	}
	if check != nil {
		prov.Check = func(ctx context.Context, req p.CheckRequest) (p.CheckResponse, error) {
			found, err := kinds.check(ctx, string(req.Urn.Type()), req.Inputs)
			if err != nil || len(found) > 0 {
				return p.CheckResponse{Inputs: req.Inputs, Failures: found.failures()}, err
			}
			return check(ctx, req)
		}
	}
	return prov
}

// tokenName is the last part of a type token, the name the SDKs give the resource or
// function ("eksa-irsa:index:EksaIrsa" → "EksaIrsa").
func tokenName(token string) string {
	return token[strings.LastIndex(token, ":")+1:]
}

// inputKinds holds the parts of the schema that say what kind each input is, read once
// from the provider's own schema.
type inputKinds struct {
	schema func(context.Context, p.GetSchemaRequest) (p.GetSchemaResponse, error)
	once   sync.Once
	spec   kindSchema
	err    error
}

// kindSchema is the part of a Pulumi package schema this check reads.
type kindSchema struct {
	Types     map[string]kindObject `json:"types"`
	Resources map[string]struct {
		InputProperties map[string]kindProperty `json:"inputProperties"`
	} `json:"resources"`
	Functions map[string]struct {
		Inputs *kindObject `json:"inputs"`
	} `json:"functions"`
}

type kindObject struct {
	Type       string                  `json:"type"`
	Properties map[string]kindProperty `json:"properties"`
	Enum       []struct {
		Value any `json:"value"`
	} `json:"enum"`
}

type kindProperty struct {
	Type                 string        `json:"type"`
	Ref                  string        `json:"$ref"`
	Items                *kindProperty `json:"items"`
	AdditionalProperties *kindProperty `json:"additionalProperties"`
}

func (k *inputKinds) load(ctx context.Context) error {
	k.once.Do(func() {
		resp, err := k.schema(ctx, p.GetSchemaRequest{})
		if err != nil {
			k.err = err
			return
		}
		k.err = json.Unmarshal([]byte(resp.Schema), &k.spec)
	})
	return k.err
}

// properties are the input properties of a resource or function token.
func (k *inputKinds) properties(ctx context.Context, token string) (map[string]kindProperty, error) {
	if err := k.load(ctx); err != nil {
		return nil, err
	}
	if r, ok := k.spec.Resources[token]; ok {
		return r.InputProperties, nil
	}
	if f, ok := k.spec.Functions[token]; ok && f.Inputs != nil {
		return f.Inputs.Properties, nil
	}
	return nil, nil
}

// check returns every input of in whose kind differs from what the schema gives the
// resource or function token, each as a problem naming its wire path.
func (k *inputKinds) check(ctx context.Context, token string, in property.Map) (problems, error) {
	props, err := k.properties(ctx, token)
	if err != nil || props == nil {
		return nil, err
	}
	var found problems
	k.object(props, "", in, &found)
	return found, nil
}

// failures are the problems as a custom resource's Check reports them: per property.
func (ps problems) failures() []p.CheckFailure {
	var out []p.CheckFailure
	for _, e := range ps {
		prop, reason, _ := strings.Cut(e.Error(), ": ")
		out = append(out, p.CheckFailure{Property: prop, Reason: reason})
	}
	return out
}

func (k *inputKinds) object(props map[string]kindProperty, path string, in property.Map, found *problems) {
	names := make([]string, 0, in.Len())
	for name := range in.All {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		prop, ok := props[name]
		if !ok {
			continue // unknown inputs are the framework's to report
		}
		k.value(prop, join(path, name), in.Get(name), found)
	}
}

func join(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

func (k *inputKinds) value(prop kindProperty, path string, v property.Value, found *problems) {
	if v.IsNull() || v.IsComputed() {
		return
	}
	if prop.Ref != "" {
		t, ok := k.spec.Types[strings.TrimPrefix(prop.Ref, "#/types/")]
		if !ok {
			return
		}
		if len(t.Enum) > 0 {
			if t.Type == "string" && !v.IsString() {
				found.addf("%s: expected one of %s, got %s", path, enumValues(t), kindOf(v))
			}
			return
		}
		if !v.IsMap() {
			found.addf("%s: expected an object, got %s", path, kindOf(v))
			return
		}
		k.object(t.Properties, path, v.AsMap(), found)
		return
	}
	switch prop.Type {
	case "string":
		if !v.IsString() {
			found.addf("%s: expected a string, got %s", path, kindOf(v))
		}
	case "integer", "number":
		if !v.IsNumber() {
			found.addf("%s: expected a number, got %s", path, kindOf(v))
		}
	case "boolean":
		if !v.IsBool() {
			found.addf("%s: expected true or false, got %s", path, kindOf(v))
		}
	case "array":
		if !v.IsArray() {
			found.addf("%s: expected a list, got %s", path, kindOf(v))
			return
		}
		if prop.Items != nil {
			for i, e := range v.AsArray().All {
				k.value(*prop.Items, fmt.Sprintf("%s[%d]", path, i), e, found)
			}
		}
	case "object":
		if !v.IsMap() {
			found.addf("%s: expected a map, got %s", path, kindOf(v))
			return
		}
		if prop.AdditionalProperties != nil {
			m := v.AsMap()
			keys := make([]string, 0, m.Len())
			for key := range m.All {
				keys = append(keys, key)
			}
			slices.Sort(keys)
			for _, key := range keys {
				k.value(*prop.AdditionalProperties, join(path, key), m.Get(key), found)
			}
		}
	}
}

func enumValues(t kindObject) string {
	var vs []string
	for _, e := range t.Enum {
		vs = append(vs, fmt.Sprintf("%q", e.Value))
	}
	return strings.Join(vs, ", ")
}

// kindOf names what a wire value holds as a program's author would: a string, a number,
// true or false, a list, a map.
func kindOf(v property.Value) string {
	switch {
	case v.IsString():
		return "a string"
	case v.IsNumber():
		return "a number"
	case v.IsBool():
		return "true or false"
	case v.IsArray():
		return "a list"
	case v.IsMap():
		return "a map"
	case v.IsAsset(), v.IsArchive():
		return "an asset or archive"
	case v.IsResourceReference():
		return "a resource"
	}
	return "another kind of value"
}
