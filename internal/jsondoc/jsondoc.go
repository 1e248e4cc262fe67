// Package jsondoc renders the JSON documents this component publishes or hands to AWS
// (OIDC discovery document, JWKS, IAM trust and bucket policies) in one canonical form.
//
// One form matters because these documents end up in Pulumi state and in `pulumi preview`
// diffs: the same value must always give the same bytes (or a second preview would show a
// spurious change), and a changed value should show up as changed lines in a pull request
// rather than as one rewritten line.
package jsondoc

import (
	"bytes"
	"encoding/json"
)

// Indent is the indentation of every nesting level of Marshal's output. It is two spaces,
// as `jq` prints by default, so documents produced by the manual procedure of the EKS
// Anywhere guide and by this component compare byte for byte.
const Indent = "  "

// Marshal renders v as indented JSON (2 spaces), no HTML escaping, with a trailing
// newline, so the same value always gives the same bytes and PR diffs show changed lines.
//
// HTML escaping is off because these documents are never embedded in HTML, and encoding/json's
// default would turn characters such as '&' or '<' (legal in IAM condition values and
// URLs) into \u0026 escapes that readers of a diff would have to decode. Struct fields
// keep their declaration order and map keys are sorted, so callers choose a fixed key order
// by using structs. Embedded json.RawMessage values are re-indented to match.
func Marshal(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", Indent)
	if err := enc.Encode(v); err != nil { // Encode writes the trailing newline.
		return nil, err
	}
	return buf.Bytes(), nil
}
