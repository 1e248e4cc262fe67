package provider

import (
	"errors"
	"fmt"
)

// problems collects every problem found in a component's inputs, each an error naming
// its field and the fix, so that a preview reports them all at once rather than one per
// run.
type problems []error

// add records err unless it is nil, so a validator's result can be passed as it is.
func (p *problems) add(err error) {
	if err != nil {
		*p = append(*p, err)
	}
}

// addf records a problem described in place.
func (p *problems) addf(format string, a ...any) {
	*p = append(*p, fmt.Errorf(format, a...))
}

// addAll records the problems another check found.
func (p *problems) addAll(more []error) {
	*p = append(*p, more...)
}

// err is nil without problems, otherwise one error listing them all under the kind and
// name of the component they belong to.
func (p problems) err(kind, name string) error {
	if len(p) == 0 {
		return nil
	}
	return fmt.Errorf("invalid %s %q inputs:\n%w", kind, name, errors.Join(p...))
}

// valueKind names what a resolved input holds in the terms of a Pulumi program (a
// string, a number, a list, a map), for errors about an input of the wrong kind; Go's
// own type names ([]interface {}, map[string]interface {}) would mean nothing to the
// author of a TypeScript, Python or YAML program.
func valueKind(v any) string {
	switch v := v.(type) {
	case nil:
		return "nothing (null)"
	case string:
		return "a string"
	case bool:
		return "true or false"
	case int, int32, int64, float32, float64:
		return "a number"
	case []string:
		return "a list of strings"
	case []any:
		for _, e := range v {
			if _, ok := e.(string); !ok {
				return "a list with " + valueKind(e) + " in it"
			}
		}
		return "a list of strings"
	case map[string]any, map[string]string:
		return "a map"
	}
	return "a value of another kind"
}
