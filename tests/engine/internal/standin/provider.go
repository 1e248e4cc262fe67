package standin

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/plugin"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/protobuf/types/known/emptypb"
	"google.golang.org/protobuf/types/known/structpb"
)

// Failure is a Check failure: the property at fault and why, as `pulumi preview` prints
// it.
type Failure struct {
	Property, Reason string
}

// Request is what a kind's Create, Update, Delete or Read sees.
type Request struct {
	URN resource.URN
	// ID is the physical id; empty in Create.
	ID string
	// Inputs are the checked inputs (the new ones in Update), secrets still wrapped.
	Inputs resource.PropertyMap
	// OldInputs and OldOutputs are the state of an existing resource.
	OldInputs, OldOutputs resource.PropertyMap
	// Config is the provider configuration Configure received.
	Config resource.PropertyMap
	// Now is the provider's clock.
	Now time.Time
}

// CheckRequest is what a kind's Check sees.
type CheckRequest struct {
	URN resource.URN
	// Olds are the previous checked inputs, nil for a new resource or a replacement.
	Olds resource.PropertyMap
	// News are the inputs the program gave, with any autonamed name already filled.
	News resource.PropertyMap
}

// AutoName describes a name the real provider fills in when the program gives none:
// from the resource's name plus "-" and 7 hex characters in Check, or, when the program
// gives Prefix instead, from the prefix plus 26 characters at creation.
type AutoName struct {
	// Property is the name input, such as "name" or "bucket".
	Property string
	// Prefix is the input that asks for a prefixed name, such as "namePrefix"; empty if
	// the type has none.
	Prefix string
	// MaxLen is the longest name the service accepts.
	MaxLen int
	// Lower lowercases the generated name, as S3 requires.
	Lower bool
}

// Kind is how one resource type behaves. Every field but Create may be nil.
type Kind struct {
	// Replaces lists the inputs whose change replaces the resource in the real provider.
	Replaces []string
	// Computed lists the outputs the provider computes; a preview of a creation returns
	// them unknown.
	Computed []string
	// AutoName, when set, fills the resource's name as the real provider does.
	AutoName *AutoName
	// Check validates inputs and fills defaults.
	Check func(r CheckRequest) (resource.PropertyMap, []Failure)
	// ForceReplace returns inputs or outputs whose state forces a replacement although
	// no input changed (a certificate inside its renewal window).
	ForceReplace func(r *Request) []string
	// Create makes the resource and returns its id and computed outputs.
	Create func(r *Request) (string, resource.PropertyMap, error)
	// Update changes the resource in place and returns computed outputs that change.
	Update func(r *Request) (resource.PropertyMap, error)
	// Delete removes the resource.
	Delete func(r *Request) error
	// Read adjusts a resource's outputs when the engine refreshes it.
	Read func(r *Request) resource.PropertyMap
	// Observe reads the resource back from where the stand-in keeps it, as the real
	// provider reads it from AWS on refresh: Gone when it no longer exists (the engine
	// then drops it from the state), else inputs and outputs to overlay on the state's.
	Observe func(r *Request) (Observed, error)
}

// Observed is what Kind.Observe found.
type Observed struct {
	// Gone reports the resource deleted outside the program.
	Gone bool
	// Inputs and Outputs overlay the state's, for values changed outside the program.
	Inputs, Outputs resource.PropertyMap
}

// Function is an invoke: arguments in, result out.
type Function func(args, config resource.PropertyMap) (resource.PropertyMap, error)

// Options define one stand-in plugin.
type Options struct {
	// Name and Version are the package the plugin stands in for.
	Name, Version string
	// Schema is the package schema GetSchema returns.
	Schema []byte
	// Kinds maps each resource type token to its behaviour.
	Kinds map[string]*Kind
	// Functions maps each function token to its implementation.
	Functions map[string]Function
	// CheckConfig validates the provider configuration; nil accepts anything.
	CheckConfig func(news resource.PropertyMap) (resource.PropertyMap, []Failure)
	// ConfigReplaces lists configuration keys whose change replaces the provider, and
	// with it every resource it manages.
	ConfigReplaces []string
	// LogPath is the call log; empty logs nothing.
	LogPath string
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Fault, when set, is asked before every Create, Update, Delete and Read that is not
	// a preview, with the method's name; an error it returns is the call's answer and
	// nothing is changed, as when the cloud refuses a request.
	Fault func(method string, r *Request) error
}

// Provider is a resource provider answering from a table of kinds. It keeps nothing but
// its configuration: the engine's state holds every resource.
type Provider struct {
	pulumirpc.UnimplementedResourceProviderServer

	opts Options
	log  *Recorder

	mu     sync.Mutex
	config resource.PropertyMap
}

var _ pulumirpc.ResourceProviderServer = (*Provider)(nil)

// New returns the provider that opts define.
func New(opts Options) *Provider {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &Provider{opts: opts, log: NewRecorder(opts.Name, opts.LogPath), config: resource.PropertyMap{}}
}

// unmarshal decodes engine properties, keeping unknowns and secrets.
func unmarshal(s *structpb.Struct) (resource.PropertyMap, error) {
	if s == nil {
		return resource.PropertyMap{}, nil
	}
	return plugin.UnmarshalProperties(s, plugin.MarshalOptions{
		KeepUnknowns: true, KeepSecrets: true, KeepResources: true, KeepOutputValues: true,
	})
}

// marshal encodes properties for the engine, keeping unknowns and secrets.
func marshal(m resource.PropertyMap) (*structpb.Struct, error) {
	return plugin.MarshalProperties(m, plugin.MarshalOptions{KeepUnknowns: true, KeepSecrets: true})
}

// kind finds the behaviour of a URN's type; an unknown type is an error naming it, so a
// test notices a resource the stand-in does not simulate.
func (p *Provider) kind(urn string) (*Kind, resource.URN, error) {
	u, err := resource.ParseURN(urn)
	if err != nil {
		return nil, "", fmt.Errorf("stand-in %s provider: %w", p.opts.Name, err)
	}
	k, ok := p.opts.Kinds[string(u.Type())]
	if !ok {
		return nil, u, fmt.Errorf("stand-in %s provider does not simulate resource type %q", p.opts.Name, u.Type())
	}
	return k, u, nil
}

// currentConfig returns the configuration Configure received.
func (p *Provider) currentConfig() resource.PropertyMap {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.config
}

// failures converts Check failures for the engine, and into log text.
func failures(fs []Failure) ([]*pulumirpc.CheckFailure, []string) {
	out := make([]*pulumirpc.CheckFailure, 0, len(fs))
	text := make([]string, 0, len(fs))
	for _, f := range fs {
		out = append(out, &pulumirpc.CheckFailure{Property: f.Property, Reason: f.Reason})
		text = append(text, f.Property+": "+f.Reason)
	}
	return out, text
}

// GetPluginInfo reports the version of the real provider stood in for, so the engine
// takes this plugin for it.
func (p *Provider) GetPluginInfo(context.Context, *emptypb.Empty) (*pulumirpc.PluginInfo, error) {
	return &pulumirpc.PluginInfo{Version: p.opts.Version}, nil
}

// GetSchema returns the package schema, for the YAML language host's type checks.
func (p *Provider) GetSchema(context.Context, *pulumirpc.GetSchemaRequest) (*pulumirpc.GetSchemaResponse, error) {
	return &pulumirpc.GetSchemaResponse{Schema: string(p.opts.Schema)}, nil
}

// CheckConfig validates the provider configuration.
func (p *Provider) CheckConfig(_ context.Context, req *pulumirpc.CheckRequest) (*pulumirpc.CheckResponse, error) {
	news, err := unmarshal(req.GetNews())
	if err != nil {
		return nil, err
	}
	var fs []Failure
	if p.opts.CheckConfig != nil {
		news, fs = p.opts.CheckConfig(news)
	}
	rpcFailures, text := failures(fs)
	inputs, err := marshal(news)
	p.log.Record(Call{Method: "CheckConfig", URN: req.GetUrn(), Inputs: news, Failures: text, Err: err})
	if err != nil {
		return nil, err
	}
	return &pulumirpc.CheckResponse{Inputs: inputs, Failures: rpcFailures}, nil
}

// DiffConfig compares configurations; the engine's "version" key is not configuration.
func (p *Provider) DiffConfig(_ context.Context, req *pulumirpc.DiffRequest) (*pulumirpc.DiffResponse, error) {
	olds, err := unmarshal(req.GetOldInputs())
	if err != nil {
		return nil, err
	}
	if req.GetOldInputs() == nil {
		if olds, err = unmarshal(req.GetOlds()); err != nil {
			return nil, err
		}
	}
	news, err := unmarshal(req.GetNews())
	if err != nil {
		return nil, err
	}
	delete(olds, "version")
	delete(news, "version")
	// A setting absent from the old state (written before it was recorded) is taken as
	// unchanged by replacement, as pulumi-aws does for region.
	var replaces []string
	for _, k := range p.opts.ConfigReplaces {
		if Has(olds, k) {
			replaces = append(replaces, k)
		}
	}
	resp := Diff(olds, news, replaces, nil)
	p.log.Record(Call{Method: "DiffConfig", URN: req.GetUrn(), Inputs: news, Olds: olds,
		Changes: resp.GetDiffs(), Replaces: resp.GetReplaces()})
	return resp, nil
}

// Configure remembers the configuration and tells the engine that this provider takes
// secrets and answers previews of Create and Update.
func (p *Provider) Configure(_ context.Context, req *pulumirpc.ConfigureRequest) (*pulumirpc.ConfigureResponse, error) {
	cfg, err := unmarshal(req.GetArgs())
	if err != nil {
		return nil, err
	}
	if req.GetArgs() == nil {
		for k, v := range req.GetVariables() {
			key := k[strings.LastIndex(k, ":")+1:]
			cfg[resource.PropertyKey(key)] = resource.NewProperty(v)
		}
	}
	p.mu.Lock()
	p.config = cfg
	p.mu.Unlock()
	p.log.Record(Call{Method: "Configure", Inputs: cfg})
	return &pulumirpc.ConfigureResponse{AcceptSecrets: true, SupportsPreview: true}, nil
}

// Invoke runs a function; an unknown one is an error naming it.
func (p *Provider) Invoke(_ context.Context, req *pulumirpc.InvokeRequest) (*pulumirpc.InvokeResponse, error) {
	fn, ok := p.opts.Functions[req.GetTok()]
	if !ok {
		err := fmt.Errorf("stand-in %s provider does not simulate function %q", p.opts.Name, req.GetTok())
		p.log.Record(Call{Method: "Invoke", Type: req.GetTok(), Err: err})
		return nil, err
	}
	args, err := unmarshal(req.GetArgs())
	if err != nil {
		return nil, err
	}
	result, err := fn(args, p.currentConfig())
	p.log.Record(Call{Method: "Invoke", Type: req.GetTok(), Inputs: args, Outputs: result, Err: err})
	if err != nil {
		return nil, err
	}
	ret, err := marshal(result)
	if err != nil {
		return nil, err
	}
	return &pulumirpc.InvokeResponse{Return: ret}, nil
}

// Check validates a resource's inputs and fills the defaults the real provider fills.
func (p *Provider) Check(_ context.Context, req *pulumirpc.CheckRequest) (*pulumirpc.CheckResponse, error) {
	k, urn, err := p.kind(req.GetUrn())
	if err != nil {
		p.log.Record(Call{Method: "Check", URN: req.GetUrn(), Err: err})
		return nil, err
	}
	olds, err := unmarshal(req.GetOlds())
	if err != nil {
		return nil, err
	}
	if req.GetOlds() == nil {
		olds = nil
	}
	news, err := unmarshal(req.GetNews())
	if err != nil {
		return nil, err
	}
	news = Copy(news)
	if k.AutoName != nil {
		autoName(k.AutoName, urn, olds, news)
	}
	var fs []Failure
	if k.Check != nil {
		news, fs = k.Check(CheckRequest{URN: urn, Olds: olds, News: news})
	}
	rpcFailures, text := failures(fs)
	inputs, err := marshal(news)
	p.log.Record(Call{Method: "Check", URN: req.GetUrn(), Type: string(urn.Type()), Inputs: news, Olds: olds,
		Failures: text, Err: err})
	if err != nil {
		return nil, err
	}
	return &pulumirpc.CheckResponse{Inputs: inputs, Failures: rpcFailures}, nil
}

// defaultsKey is where the bridge-based providers list the inputs they filled in.
const defaultsKey = "__defaults"

// autoName fills a.Property when the program gave neither it nor a prefix: the name it
// had before if the provider filled it then (so an update keeps its name), else the
// resource's name, "-" and 7 hex characters. The hash covers the other inputs, so a
// replacement, which needs some input to change, gets a new name.
func autoName(a *AutoName, urn resource.URN, olds, news resource.PropertyMap) {
	if Has(news, a.Property) || (a.Prefix != "" && Has(news, a.Prefix)) {
		return
	}
	var name string
	if old, ok := String(olds, a.Property); ok && slices.Contains(Strings(olds, defaultsKey), a.Property) {
		name = old
	} else {
		base := urn.Name()
		if a.MaxLen > 8 && len(base) > a.MaxLen-8 {
			base = base[:a.MaxLen-8]
		}
		name = base + "-" + Hex(Digest(string(urn), Canonical(news, a.Property)), 7)
	}
	if a.Lower {
		name = strings.ToLower(name)
	}
	Set(news, a.Property, name)
	Set(news, defaultsKey, []string{a.Property})
}

// Diff compares old and new inputs with the kind's replace semantics. A replacement
// deletes first when the program named the resource itself, as the bridge-based
// providers do, since the new one cannot take the name while the old one holds it.
func (p *Provider) Diff(_ context.Context, req *pulumirpc.DiffRequest) (*pulumirpc.DiffResponse, error) {
	k, urn, err := p.kind(req.GetUrn())
	if err != nil {
		p.log.Record(Call{Method: "Diff", URN: req.GetUrn(), Err: err})
		return nil, err
	}
	oldOutputs, err := unmarshal(req.GetOlds())
	if err != nil {
		return nil, err
	}
	oldInputs := oldOutputs
	if req.GetOldInputs() != nil {
		if oldInputs, err = unmarshal(req.GetOldInputs()); err != nil {
			return nil, err
		}
	}
	news, err := unmarshal(req.GetNews())
	if err != nil {
		return nil, err
	}
	for _, key := range req.GetIgnoreChanges() {
		if v, ok := oldInputs[resource.PropertyKey(key)]; ok {
			news[resource.PropertyKey(key)] = v
		}
	}
	var forced []string
	if k.ForceReplace != nil {
		forced = k.ForceReplace(&Request{URN: urn, ID: req.GetId(), Inputs: news, OldInputs: oldInputs,
			OldOutputs: oldOutputs, Config: p.currentConfig(), Now: p.opts.Now()})
	}
	resp := Diff(oldInputs, news, k.Replaces, forced)
	if a := k.AutoName; a != nil && len(resp.GetReplaces()) > 0 && Has(news, a.Property) &&
		!slices.Contains(Strings(news, defaultsKey), a.Property) {
		resp.DeleteBeforeReplace = true
	}
	p.log.Record(Call{Method: "Diff", URN: req.GetUrn(), Type: string(urn.Type()), ID: req.GetId(),
		Inputs: news, Olds: oldInputs, Changes: resp.GetDiffs(), Replaces: resp.GetReplaces()})
	return resp, nil
}

// prefixedName fills a.Property from a.Prefix at creation, as the real provider does
// when the program gives only a prefix.
func prefixedName(a *AutoName, urn resource.URN, inputs resource.PropertyMap) resource.PropertyMap {
	if a == nil || a.Prefix == "" || Has(inputs, a.Property) {
		return nil
	}
	prefix, ok := String(inputs, a.Prefix)
	if !ok {
		return nil
	}
	name := prefix + UniqueSuffix(Digest(string(urn), Canonical(inputs)))
	if a.Lower {
		name = strings.ToLower(name)
	}
	out := resource.PropertyMap{}
	Set(out, a.Property, name)
	return out
}

// withoutInternal returns m without engine metadata such as "__defaults", which belongs
// to inputs only.
func withoutInternal(m resource.PropertyMap) resource.PropertyMap {
	out := Copy(m)
	for k := range out {
		if internalKey(k) {
			delete(out, k)
		}
	}
	return out
}

// merge overlays each map in turn onto a copy of base.
func merge(base resource.PropertyMap, overlays ...resource.PropertyMap) resource.PropertyMap {
	out := Copy(base)
	for _, o := range overlays {
		for k, v := range o {
			out[k] = v
		}
	}
	return out
}

// Create makes the resource; a preview returns the inputs with every computed output
// unknown.
func (p *Provider) Create(_ context.Context, req *pulumirpc.CreateRequest) (*pulumirpc.CreateResponse, error) {
	k, urn, err := p.kind(req.GetUrn())
	if err != nil {
		p.log.Record(Call{Method: "Create", URN: req.GetUrn(), Preview: req.GetPreview(), Err: err})
		return nil, err
	}
	inputs, err := unmarshal(req.GetProperties())
	if err != nil {
		return nil, err
	}
	var id string
	var outputs resource.PropertyMap
	if req.GetPreview() {
		outputs = withoutInternal(inputs)
		computed := k.Computed
		if a := k.AutoName; a != nil && !Has(inputs, a.Property) {
			computed = append(slices.Clone(computed), a.Property)
		}
		for _, c := range computed {
			if !Has(inputs, c) {
				outputs[resource.PropertyKey(c)] = resource.MakeComputed(resource.NewProperty(""))
			}
		}
	} else {
		named := merge(inputs, prefixedName(k.AutoName, urn, inputs))
		r := &Request{URN: urn, Inputs: named, Config: p.currentConfig(), Now: p.opts.Now()}
		var computed resource.PropertyMap
		if err = p.fault("Create", r); err == nil {
			id, computed, err = k.Create(r)
		}
		outputs = merge(withoutInternal(named), computed)
	}
	p.log.Record(Call{Method: "Create", URN: req.GetUrn(), Type: string(urn.Type()), ID: id,
		Preview: req.GetPreview(), Inputs: inputs, Outputs: outputs, Err: err})
	if err != nil {
		return nil, err
	}
	props, err := marshal(outputs)
	if err != nil {
		return nil, err
	}
	return &pulumirpc.CreateResponse{Id: id, Properties: props}, nil
}

// Read returns the state as the kind observes it where it keeps the resource (the state
// as it is for kinds kept nowhere else), adjusted by the kind; a resource observed gone
// comes back without an id, so the engine drops it from the state.
func (p *Provider) Read(_ context.Context, req *pulumirpc.ReadRequest) (*pulumirpc.ReadResponse, error) {
	k, urn, err := p.kind(req.GetUrn())
	if err != nil {
		p.log.Record(Call{Method: "Read", URN: req.GetUrn(), Err: err})
		return nil, err
	}
	outputs, err := unmarshal(req.GetProperties())
	if err != nil {
		return nil, err
	}
	inputs, err := unmarshal(req.GetInputs())
	if err != nil {
		return nil, err
	}
	r := &Request{URN: urn, ID: req.GetId(), Inputs: inputs, OldInputs: inputs, OldOutputs: outputs,
		Config: p.currentConfig(), Now: p.opts.Now()}
	id := req.GetId()
	var seen Observed
	if err = p.fault("Read", r); err == nil && k.Observe != nil && id != "" {
		seen, err = k.Observe(r)
	}
	if err != nil {
		p.log.Record(Call{Method: "Read", URN: req.GetUrn(), Type: string(urn.Type()), ID: id, Inputs: inputs, Err: err})
		return nil, err
	}
	if seen.Gone {
		// As the bridge answers for a resource AWS no longer has: no id, no properties.
		p.log.Record(Call{Method: "Read", URN: req.GetUrn(), Type: string(urn.Type()), ID: id, Inputs: inputs})
		return &pulumirpc.ReadResponse{}, nil
	}
	inputs, outputs = merge(inputs, seen.Inputs), merge(outputs, seen.Outputs)
	if k.Read != nil {
		outputs = merge(outputs, k.Read(&Request{URN: urn, ID: id, Inputs: inputs, OldInputs: inputs,
			OldOutputs: outputs, Config: p.currentConfig(), Now: p.opts.Now()}))
	}
	p.log.Record(Call{Method: "Read", URN: req.GetUrn(), Type: string(urn.Type()), ID: id,
		Inputs: inputs, Outputs: outputs})
	props, err := marshal(outputs)
	if err != nil {
		return nil, err
	}
	ins, err := marshal(inputs)
	if err != nil {
		return nil, err
	}
	return &pulumirpc.ReadResponse{Id: id, Properties: props, Inputs: ins}, nil
}

// Update changes the resource in place: the old computed outputs stay unless the kind
// recomputes them; a preview changes nothing.
func (p *Provider) Update(_ context.Context, req *pulumirpc.UpdateRequest) (*pulumirpc.UpdateResponse, error) {
	k, urn, err := p.kind(req.GetUrn())
	if err != nil {
		p.log.Record(Call{Method: "Update", URN: req.GetUrn(), Preview: req.GetPreview(), Err: err})
		return nil, err
	}
	oldOutputs, err := unmarshal(req.GetOlds())
	if err != nil {
		return nil, err
	}
	oldInputs, err := unmarshal(req.GetOldInputs())
	if err != nil {
		return nil, err
	}
	news, err := unmarshal(req.GetNews())
	if err != nil {
		return nil, err
	}
	outputs := Copy(oldOutputs)
	for key := range oldInputs {
		delete(outputs, key)
	}
	outputs = merge(outputs, withoutInternal(news))
	if !req.GetPreview() {
		r := &Request{URN: urn, ID: req.GetId(), Inputs: outputs, OldInputs: oldInputs,
			OldOutputs: oldOutputs, Config: p.currentConfig(), Now: p.opts.Now()}
		if err = p.fault("Update", r); err == nil && k.Update != nil {
			var computed resource.PropertyMap
			computed, err = k.Update(r)
			outputs = merge(outputs, computed)
		}
	}
	p.log.Record(Call{Method: "Update", URN: req.GetUrn(), Type: string(urn.Type()), ID: req.GetId(),
		Preview: req.GetPreview(), Inputs: news, Olds: oldInputs, Outputs: outputs, Err: err})
	if err != nil {
		return nil, err
	}
	props, err := marshal(outputs)
	if err != nil {
		return nil, err
	}
	return &pulumirpc.UpdateResponse{Properties: props}, nil
}

// Delete removes the resource.
func (p *Provider) Delete(_ context.Context, req *pulumirpc.DeleteRequest) (*emptypb.Empty, error) {
	k, urn, err := p.kind(req.GetUrn())
	if err != nil {
		p.log.Record(Call{Method: "Delete", URN: req.GetUrn(), Err: err})
		return nil, err
	}
	outputs, err := unmarshal(req.GetProperties())
	if err != nil {
		return nil, err
	}
	inputs, err := unmarshal(req.GetOldInputs())
	if err != nil {
		return nil, err
	}
	r := &Request{URN: urn, ID: req.GetId(), Inputs: outputs, OldInputs: inputs, OldOutputs: outputs,
		Config: p.currentConfig(), Now: p.opts.Now()}
	if err = p.fault("Delete", r); err == nil && k.Delete != nil {
		err = k.Delete(r)
	}
	p.log.Record(Call{Method: "Delete", URN: req.GetUrn(), Type: string(urn.Type()), ID: req.GetId(),
		Olds: outputs, Err: err})
	if err != nil {
		return nil, err
	}
	return &emptypb.Empty{}, nil
}

// fault is the error the Fault option injects into a call, if any.
func (p *Provider) fault(method string, r *Request) error {
	if p.opts.Fault == nil {
		return nil
	}
	return p.opts.Fault(method, r)
}

// Cancel has nothing to stop: every call finishes at once.
func (p *Provider) Cancel(context.Context, *emptypb.Empty) (*emptypb.Empty, error) {
	return &emptypb.Empty{}, nil
}

// Types lists the resource types the provider simulates, sorted.
func (p *Provider) Types() []string {
	out := make([]string, 0, len(p.opts.Kinds))
	for t := range p.opts.Kinds {
		out = append(out, t)
	}
	sort.Strings(out)
	return out
}

// ErrUnsupported marks an input the stand-in deliberately does not simulate.
var ErrUnsupported = errors.New("not simulated by the stand-in")
