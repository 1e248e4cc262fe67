package provider

import (
	"context"
	"testing"

	"github.com/blang/semver"
	p "github.com/pulumi/pulumi-go-provider"
	"github.com/pulumi/pulumi-go-provider/integration"
)

// TestGetSchemaCorrectsOnce: a second GetSchema serves the same corrected schema as the
// first without decoding, correcting and encoding it again. A cache that served a stale
// or uncorrected text would fail the comparison; one that did not cache would allocate
// as much the second time as the first.
func TestGetSchemaCorrectsOnce(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	prov, err := integration.NewServer(ctx, Name, semver.MustParse("0.1.0"), integration.WithProvider(Provider()))
	if err != nil {
		t.Fatal(err)
	}
	first, err := prov.GetSchema(p.GetSchemaRequest{})
	if err != nil {
		t.Fatal(err)
	}
	want, err := fixedSchema(first.Schema)
	if err != nil {
		t.Fatal(err)
	}
	// Correcting the corrected schema changes nothing, so the first answer is corrected.
	if first.Schema != want {
		t.Fatal("the first GetSchema did not serve the corrected schema")
	}
	correcting := testing.AllocsPerRun(1, func() { _, _ = fixedSchema(first.Schema) })
	var second p.GetSchemaResponse
	again := testing.AllocsPerRun(1, func() { second, err = prov.GetSchema(p.GetSchemaRequest{}) })
	if err != nil {
		t.Fatal(err)
	}
	if second.Schema != first.Schema {
		t.Error("a second GetSchema served a different schema")
	}
	if again >= correcting/2 {
		t.Errorf("a second GetSchema made %.0f allocations, correcting the schema makes %.0f: it was corrected again", again, correcting)
	}
}
