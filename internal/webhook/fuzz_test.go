package webhook

import (
	"strings"
	"testing"
	"time"

	"golang.org/x/mod/semver"
)

// FuzzLookupGracePeriodFlag feeds the grace-period rule arbitrary durations and image
// tags. What it passes on becomes a flag of the webhook's command line, so it must be a
// wait the API server outlasts, for an image that knows the flag; a zero wait must leave
// the flag out; and nothing may panic.
//
// Run it with `go test -run='^$' -fuzz='^FuzzLookupGracePeriodFlag$' ./internal/webhook`;
// plain `go test` runs the seeds.
func FuzzLookupGracePeriodFlag(f *testing.F) {
	for _, seed := range [][2]string{
		{"1s", ""}, {"500ms", "v0.6.17"}, {"0s", "v0.5.7"}, {"1s", "v0.5.7"}, {"9.999s", "v0.5.8"},
		{"10s", ""}, {"-1s", ""}, {"1", ""}, {"1h", "latest"}, {"1s", "sha256:abc"}, {"", ""},
	} {
		f.Add(seed[0], seed[1])
	}
	f.Fuzz(func(t *testing.T, value, tag string) {
		const field = "webhook.serviceAccountLookupGracePeriod"
		flag, err := LookupGracePeriodFlag(field, value, tag)
		if err != nil {
			if !strings.HasPrefix(err.Error(), field+": ") {
				t.Fatalf("error does not start with the field: %v", err)
			}
			return
		}
		d, parseErr := time.ParseDuration(value)
		switch {
		case parseErr != nil:
			t.Fatalf("accepted %q, which is no duration", value)
		case d < 0 || d >= 10*time.Second:
			t.Fatalf("accepted a wait of %s, outside [0, 10s)", d)
		case d == 0 && flag != "":
			t.Fatalf("a zero wait %q gives the flag %q; it must be left out", value, flag)
		case d > 0 && flag != value:
			t.Fatalf("flag = %q, want %q", flag, value)
		case d > 0 && semver.IsValid(tag) && semver.Compare(tag, "v0.5.8") < 0:
			t.Fatalf("passed the flag to image %s, which predates it", tag)
		}
	})
}
