package provider

import (
	"bytes"
	"encoding/json"
	"fmt"

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
