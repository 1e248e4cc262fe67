// Package standintest drives a stand-in provider through its gRPC methods in-process, the
// way the engine calls them, with property maps in and out, for the stand-ins' tests.
package standintest

import (
	"context"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/plugin"
	"github.com/pulumi/pulumi/sdk/v3/go/common/tokens"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/protobuf/types/known/emptypb"
	"google.golang.org/protobuf/types/known/structpb"
)

// Client calls one provider as the engine would.
type Client struct {
	t *testing.T
	p pulumirpc.ResourceProviderServer
}

// New wraps p, configured with config (the engine always configures first).
func New(t *testing.T, p pulumirpc.ResourceProviderServer, config resource.PropertyMap) *Client {
	t.Helper()
	c := &Client{t: t, p: p}
	if _, err := p.Configure(context.Background(), &pulumirpc.ConfigureRequest{Args: c.marshal(config),
		AcceptSecrets: true}); err != nil {
		t.Fatalf("Configure: %v", err)
	}
	return c
}

// URN names a resource of type typ in a fixed stack.
func URN(typ, name string) resource.URN {
	return resource.NewURN("dev", "engine", "", tokens.Type(typ), name)
}

// marshal encodes m as the engine sends it, secrets and unknowns included.
func (c *Client) marshal(m resource.PropertyMap) *structpb.Struct {
	c.t.Helper()
	if m == nil {
		return nil
	}
	s, err := plugin.MarshalProperties(m, plugin.MarshalOptions{KeepUnknowns: true, KeepSecrets: true})
	if err != nil {
		c.t.Fatalf("marshal: %v", err)
	}
	return s
}

// unmarshal decodes what the provider returned, secrets and unknowns kept.
func (c *Client) unmarshal(s *structpb.Struct) resource.PropertyMap {
	c.t.Helper()
	m, err := plugin.UnmarshalProperties(s, plugin.MarshalOptions{KeepUnknowns: true, KeepSecrets: true})
	if err != nil {
		c.t.Fatalf("unmarshal: %v", err)
	}
	return m
}

// Check returns the checked inputs and the failures' reasons by property.
func (c *Client) Check(urn resource.URN, olds, news resource.PropertyMap) (resource.PropertyMap, map[string]string) {
	c.t.Helper()
	resp, err := c.p.Check(context.Background(), &pulumirpc.CheckRequest{Urn: string(urn), Olds: c.marshal(olds),
		News: c.marshal(news)})
	if err != nil {
		c.t.Fatalf("Check %s: %v", urn, err)
	}
	failures := map[string]string{}
	for _, f := range resp.GetFailures() {
		failures[f.GetProperty()] = f.GetReason()
	}
	return c.unmarshal(resp.GetInputs()), failures
}

// MustCheck is Check failing the test on any failure.
func (c *Client) MustCheck(urn resource.URN, olds, news resource.PropertyMap) resource.PropertyMap {
	c.t.Helper()
	inputs, failures := c.Check(urn, olds, news)
	if len(failures) > 0 {
		c.t.Fatalf("Check %s failed: %v", urn, failures)
	}
	return inputs
}

// Create creates (or previews the creation of) a resource.
func (c *Client) Create(urn resource.URN, inputs resource.PropertyMap, preview bool) (string, resource.PropertyMap, error) {
	c.t.Helper()
	resp, err := c.p.Create(context.Background(), &pulumirpc.CreateRequest{Urn: string(urn),
		Properties: c.marshal(inputs), Preview: preview})
	if err != nil {
		return "", nil, err
	}
	return resp.GetId(), c.unmarshal(resp.GetProperties()), nil
}

// MustCreate checks then creates a resource, failing the test on any error.
func (c *Client) MustCreate(urn resource.URN, news resource.PropertyMap) (string, resource.PropertyMap, resource.PropertyMap) {
	c.t.Helper()
	inputs := c.MustCheck(urn, nil, news)
	id, outputs, err := c.Create(urn, inputs, false)
	if err != nil {
		c.t.Fatalf("Create %s: %v", urn, err)
	}
	return id, inputs, outputs
}

// Diff compares a resource's state with new inputs.
func (c *Client) Diff(urn resource.URN, id string, oldInputs, oldOutputs, news resource.PropertyMap) *pulumirpc.DiffResponse {
	c.t.Helper()
	resp, err := c.p.Diff(context.Background(), &pulumirpc.DiffRequest{Urn: string(urn), Id: id,
		Olds: c.marshal(oldOutputs), OldInputs: c.marshal(oldInputs), News: c.marshal(news)})
	if err != nil {
		c.t.Fatalf("Diff %s: %v", urn, err)
	}
	return resp
}

// Update updates (or previews the update of) a resource.
func (c *Client) Update(urn resource.URN, id string, oldInputs, oldOutputs, news resource.PropertyMap,
	preview bool,
) (resource.PropertyMap, error) {
	c.t.Helper()
	resp, err := c.p.Update(context.Background(), &pulumirpc.UpdateRequest{Urn: string(urn), Id: id,
		Olds: c.marshal(oldOutputs), OldInputs: c.marshal(oldInputs), News: c.marshal(news), Preview: preview})
	if err != nil {
		return nil, err
	}
	return c.unmarshal(resp.GetProperties()), nil
}

// Read refreshes a resource.
func (c *Client) Read(urn resource.URN, id string, inputs, outputs resource.PropertyMap) resource.PropertyMap {
	c.t.Helper()
	resp, err := c.p.Read(context.Background(), &pulumirpc.ReadRequest{Urn: string(urn), Id: id,
		Properties: c.marshal(outputs), Inputs: c.marshal(inputs)})
	if err != nil {
		c.t.Fatalf("Read %s: %v", urn, err)
	}
	return c.unmarshal(resp.GetProperties())
}

// ReadAll refreshes a resource and returns all the engine receives: the id (empty for a
// resource found gone), the inputs and the outputs.
func (c *Client) ReadAll(urn resource.URN, id string, inputs, outputs resource.PropertyMap,
) (string, resource.PropertyMap, resource.PropertyMap, error) {
	c.t.Helper()
	resp, err := c.p.Read(context.Background(), &pulumirpc.ReadRequest{Urn: string(urn), Id: id,
		Properties: c.marshal(outputs), Inputs: c.marshal(inputs)})
	if err != nil {
		return "", nil, nil, err
	}
	return resp.GetId(), c.unmarshal(resp.GetInputs()), c.unmarshal(resp.GetProperties()), nil
}

// Delete deletes a resource.
func (c *Client) Delete(urn resource.URN, id string, inputs, outputs resource.PropertyMap) error {
	c.t.Helper()
	_, err := c.p.Delete(context.Background(), &pulumirpc.DeleteRequest{Urn: string(urn), Id: id,
		Properties: c.marshal(outputs), OldInputs: c.marshal(inputs)})
	return err
}

// Invoke calls a function.
func (c *Client) Invoke(tok string, args resource.PropertyMap) (resource.PropertyMap, error) {
	c.t.Helper()
	resp, err := c.p.Invoke(context.Background(), &pulumirpc.InvokeRequest{Tok: tok, Args: c.marshal(args)})
	if err != nil {
		return nil, err
	}
	return c.unmarshal(resp.GetReturn()), nil
}

// PluginInfo returns the version the provider reports.
func (c *Client) PluginInfo() string {
	c.t.Helper()
	info, err := c.p.GetPluginInfo(context.Background(), &emptypb.Empty{})
	if err != nil {
		c.t.Fatalf("GetPluginInfo: %v", err)
	}
	return info.GetVersion()
}

// Schema returns the schema the provider serves.
func (c *Client) Schema() string {
	c.t.Helper()
	resp, err := c.p.GetSchema(context.Background(), &pulumirpc.GetSchemaRequest{})
	if err != nil {
		c.t.Fatalf("GetSchema: %v", err)
	}
	return resp.GetSchema()
}

// Props builds a property map from plain Go values; a value made with Secret or
// Unknown stays so.
func Props(kv map[string]any) resource.PropertyMap {
	m := resource.PropertyMap{}
	for k, v := range kv {
		if pv, ok := v.(resource.PropertyValue); ok {
			m[resource.PropertyKey(k)] = pv
			continue
		}
		m[resource.PropertyKey(k)] = resource.NewPropertyValue(v)
	}
	return m
}

// Secret marks a plain value secret, for Props.
func Secret(v any) resource.PropertyValue {
	return resource.MakeSecret(resource.NewPropertyValue(v))
}

// Unknown is a value not known yet, as in a preview, for Props.
func Unknown() resource.PropertyValue {
	return resource.MakeComputed(resource.NewProperty(""))
}
