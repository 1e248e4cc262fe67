// Package standin holds what the stand-in aws and tls plugins share: a gRPC resource
// provider that dispatches to a table of resource kinds, input diffs with the real
// providers' replace semantics, deterministic names, and the JSON-lines call log that
// tests read to see what the engine sent.
package standin

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"sort"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
)

// Plain returns v with every secret and known-output wrapper removed, at any depth, so
// values can be read and compared whatever the engine marked secret.
func Plain(v resource.PropertyValue) resource.PropertyValue {
	switch {
	case v.IsSecret():
		return Plain(v.SecretValue().Element)
	case v.IsOutput():
		o := v.OutputValue()
		if !o.Known {
			return resource.MakeComputed(resource.NewProperty(""))
		}
		return Plain(o.Element)
	case v.IsArray():
		arr := v.ArrayValue()
		out := make([]resource.PropertyValue, len(arr))
		for i, e := range arr {
			out[i] = Plain(e)
		}
		return resource.NewProperty(out)
	case v.IsObject():
		return resource.NewProperty(PlainMap(v.ObjectValue()))
	default:
		return v
	}
}

// PlainMap is Plain for every value of m.
func PlainMap(m resource.PropertyMap) resource.PropertyMap {
	out := make(resource.PropertyMap, len(m))
	for k, v := range m {
		out[k] = Plain(v)
	}
	return out
}

// Unknown reports whether m's value for key is, or contains, a value not known yet
// (a preview's unresolved output).
func Unknown(m resource.PropertyMap, key string) bool {
	v, ok := m[resource.PropertyKey(key)]
	return ok && v.ContainsUnknowns()
}

// Secret reports whether m's value for key is marked secret.
func Secret(m resource.PropertyMap, key string) bool {
	v, ok := m[resource.PropertyKey(key)]
	return ok && (v.IsSecret() || (v.IsOutput() && v.OutputValue().Secret))
}

// String returns m's string for key; ok is false when it is absent, null, unknown or not
// a string.
func String(m resource.PropertyMap, key string) (s string, ok bool) {
	v := Plain(m[resource.PropertyKey(key)])
	if !v.IsString() {
		return "", false
	}
	return v.StringValue(), true
}

// StringOr returns m's string for key, or def when there is none.
func StringOr(m resource.PropertyMap, key, def string) string {
	if s, ok := String(m, key); ok {
		return s
	}
	return def
}

// Strings returns m's list of strings for key, skipping elements that are not strings.
func Strings(m resource.PropertyMap, key string) []string {
	v := Plain(m[resource.PropertyKey(key)])
	if !v.IsArray() {
		return nil
	}
	var out []string
	for _, e := range v.ArrayValue() {
		if e.IsString() {
			out = append(out, e.StringValue())
		}
	}
	return out
}

// Bool returns m's boolean for key, or def when there is none.
func Bool(m resource.PropertyMap, key string, def bool) bool {
	v := Plain(m[resource.PropertyKey(key)])
	if !v.IsBool() {
		return def
	}
	return v.BoolValue()
}

// Int returns m's number for key as an integer; ok is false when there is none.
func Int(m resource.PropertyMap, key string) (n int64, ok bool) {
	v := Plain(m[resource.PropertyKey(key)])
	if !v.IsNumber() {
		return 0, false
	}
	return int64(v.NumberValue()), true
}

// Object returns m's object for key, without secret wrappers, or nil.
func Object(m resource.PropertyMap, key string) resource.PropertyMap {
	v := Plain(m[resource.PropertyKey(key)])
	if !v.IsObject() {
		return nil
	}
	return v.ObjectValue()
}

// Has reports whether m has a non-null value for key.
func Has(m resource.PropertyMap, key string) bool {
	v, ok := m[resource.PropertyKey(key)]
	return ok && !v.IsNull()
}

// Set stores a plain value (string, bool, number, []string, map[string]string...) under
// key.
func Set(m resource.PropertyMap, key string, v any) {
	m[resource.PropertyKey(key)] = resource.NewPropertyValue(v)
}

// SetSecret stores a plain value under key, marked secret.
func SetSecret(m resource.PropertyMap, key string, v any) {
	m[resource.PropertyKey(key)] = resource.MakeSecret(resource.NewPropertyValue(v))
}

// Copy returns a shallow copy of m, so callers can add outputs without touching inputs.
func Copy(m resource.PropertyMap) resource.PropertyMap {
	out := make(resource.PropertyMap, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// Canonical is a stable text of m's values, secrets unwrapped and unknowns spelled as a
// marker, used as hash input for names and ids; keys starting with "__" and the keys in
// skip are left out.
func Canonical(m resource.PropertyMap, skip ...string) string {
	omit := map[resource.PropertyKey]bool{}
	for _, k := range skip {
		omit[resource.PropertyKey(k)] = true
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		if !omit[k] && !internalKey(k) {
			keys = append(keys, string(k))
		}
	}
	sort.Strings(keys)
	obj := make(map[string]any, len(keys))
	for _, k := range keys {
		obj[k] = jsonValue(m[resource.PropertyKey(k)], false)
	}
	// A map of plain JSON values always marshals; the error cannot happen.
	b, _ := json.Marshal(obj)
	return string(b)
}

// internalKey reports whether k is engine or bridge metadata such as "__defaults".
func internalKey(k resource.PropertyKey) bool {
	return len(k) >= 2 && k[0] == '_' && k[1] == '_'
}

// jsonValue turns v into plain JSON. With redact, a secret becomes {"@secret":
// "sha256:<hex>"} (the hash of its canonical JSON, so tests can compare values without
// the log holding them); without, it is unwrapped. Unknowns become {"@unknown": true}.
func jsonValue(v resource.PropertyValue, redact bool) any {
	switch {
	case v.IsNull():
		return nil
	case v.IsBool():
		return v.BoolValue()
	case v.IsNumber():
		return v.NumberValue()
	case v.IsString():
		return v.StringValue()
	case v.IsArray():
		arr := v.ArrayValue()
		out := make([]any, len(arr))
		for i, e := range arr {
			out[i] = jsonValue(e, redact)
		}
		return out
	case v.IsObject():
		obj := v.ObjectValue()
		out := make(map[string]any, len(obj))
		for k, e := range obj {
			out[string(k)] = jsonValue(e, redact)
		}
		return out
	case v.IsComputed():
		return map[string]any{"@unknown": true}
	case v.IsOutput():
		o := v.OutputValue()
		if !o.Known {
			return map[string]any{"@unknown": true}
		}
		if o.Secret {
			return jsonValue(resource.MakeSecret(o.Element), redact)
		}
		return jsonValue(o.Element, redact)
	case v.IsSecret():
		inner := jsonValue(v.SecretValue().Element, false)
		if !redact {
			return inner
		}
		// Plain JSON values always marshal; the error cannot happen.
		b, _ := json.Marshal(inner)
		sum := sha256.Sum256(b)
		return map[string]any{"@secret": "sha256:" + hex.EncodeToString(sum[:])}
	case v.IsResourceReference():
		return map[string]any{"@resource": string(v.ResourceReferenceValue().URN)}
	case v.IsAsset():
		return map[string]any{"@asset": v.AssetValue().Hash}
	case v.IsArchive():
		return map[string]any{"@archive": v.ArchiveValue().Hash}
	default:
		return nil
	}
}

// LogJSON is m as plain JSON with secrets redacted to their hash, as the call log writes
// it.
func LogJSON(m resource.PropertyMap) map[string]any {
	if m == nil {
		return nil
	}
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[string(k)] = jsonValue(v, true)
	}
	return out
}
