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
