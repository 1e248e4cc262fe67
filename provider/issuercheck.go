package provider

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"slices"
	"time"

	p "github.com/pulumi/pulumi-go-provider"
	"github.com/pulumi/pulumi-go-provider/infer"

	"github.com/eksa-irsa/pulumi-eksa-irsa/internal/issuer"
	"github.com/eksa-irsa/pulumi-eksa-irsa/internal/issuercheck"
)

// IssuerCheckToken is the IssuerCheck resource's type token, fixed because EksaIrsa
// registers it by name and users depend on it.
const IssuerCheckToken = "eksa-irsa:index:IssuerCheck"

// IssuerCheck is the eksa-irsa:index:IssuerCheck resource: creating or updating it waits
// until the issuer serves what was published, read anonymously over HTTPS as STS reads
// it, and fails naming the cause otherwise, so `pulumi up` does not succeed while STS
// could not verify the cluster's tokens. It never reads during a preview. All it does is
// in package issuercheck; this type only maps Pulumi's life cycle onto it.
type IssuerCheck struct{}

// IssuerCheckArgs are what the issuer must serve.
type IssuerCheckArgs struct {
	IssuerURL         string  `pulumi:"issuerUrl"`
	DiscoveryDocument string  `pulumi:"discoveryDocument"`
	Jwks              *string `pulumi:"jwks,optional"`
	Timeout           *int    `pulumi:"timeout,optional"`
	CaBundle          *string `pulumi:"caBundle,optional"`
}

// IssuerCheckState is the inputs, and what the last successful check found.
type IssuerCheckState struct {
	IssuerCheckArgs
	Kids      []string `pulumi:"kids"`
	CheckedAt string   `pulumi:"checkedAt"`
}

var (
	_ infer.CustomResource[IssuerCheckArgs, IssuerCheckState] = (*IssuerCheck)(nil)
	_ infer.CustomCheck[IssuerCheckArgs]                      = (*IssuerCheck)(nil)
	_ infer.CustomDiff[IssuerCheckArgs, IssuerCheckState]     = (*IssuerCheck)(nil)
	_ infer.CustomUpdate[IssuerCheckArgs, IssuerCheckState]   = (*IssuerCheck)(nil)
	_ infer.CustomRead[IssuerCheckArgs, IssuerCheckState]     = (*IssuerCheck)(nil)
)

// Annotate names and documents the resource.
func (c *IssuerCheck) Annotate(an infer.Annotator) {
	an.SetToken("index", "IssuerCheck")
	an.Describe(c, issuerCheckDoc)
}

// Annotate documents the inputs.
func (a *IssuerCheckArgs) Annotate(an infer.Annotator) {
	an.Describe(&a.IssuerURL, "The issuer URL, exactly as the cluster's `serviceAccountIssuer`.")
	an.Describe(&a.DiscoveryDocument, "The discovery document as published; its `jwks_uri` says where the JWKS is.")
	an.Describe(&a.Jwks, "The JWKS as published. Leave it out before the cluster has signing keys: only the discovery "+
		"document is checked then.")
	an.Describe(&a.Timeout, fmt.Sprintf("How long to retry, in seconds (1 to %d), before failing with the last cause.",
		issuercheck.MaxTimeoutSeconds))
	an.SetDefault(&a.Timeout, issuercheck.DefaultTimeoutSeconds)
	an.Describe(&a.CaBundle, "Extra certificate authorities to trust (PEM certificates), for an issuer behind a "+
		"private CA; STS itself trusts only public ones.")
}

// Annotate documents the outputs.
func (s *IssuerCheckState) Annotate(an infer.Annotator) {
	an.Describe(&s.Kids, "The `kid` of every key the issuer served, in order (`\"\"` for a key without one); empty "+
		"when no JWKS is checked.")
	an.Describe(&s.CheckedAt, "When the issuer was last found served as published (RFC 3339, UTC).")
}

// Check validates the inputs at preview, each problem on its field.
func (*IssuerCheck) Check(ctx context.Context, req infer.CheckRequest) (infer.CheckResponse[IssuerCheckArgs], error) {
	args, failures, err := infer.DefaultCheck[IssuerCheckArgs](ctx, req.NewInputs)
	if err != nil || len(failures) > 0 {
		return infer.CheckResponse[IssuerCheckArgs]{Inputs: args, Failures: failures}, err
	}
	known := func(key string) bool { return !req.NewInputs.Get(key).IsComputed() }
	fail := func(field, format string, a ...any) {
		failures = append(failures, p.CheckFailure{Property: field, Reason: fmt.Sprintf(format, a...)})
	}

	urlOK := true
	if known("issuerUrl") {
		if err := issuer.ValidateURLField("issuerUrl", args.IssuerURL); err != nil {
			fail("issuerUrl", "%v", err)
			urlOK = false
		}
	}
	if t := args.Timeout; t != nil {
		if err := issuercheck.ValidateTimeout(*t); err != nil {
			fail("timeout", "%v", err)
		}
	}
	if known("caBundle") && args.CaBundle != nil {
		if _, err := issuercheck.ParseCABundle(*args.CaBundle); err != nil {
			fail("caBundle", "%v", err)
		}
	}
	if urlOK && known("issuerUrl") && known("discoveryDocument") && known("jwks") {
		for _, problem := range issuercheck.Validate(expectedIssuer(args)) {
			fail(problem.Field, "%s", problem.Reason)
		}
	}
	return infer.CheckResponse[IssuerCheckArgs]{Inputs: args, Failures: failures}, nil
}

// Create waits until the issuer is served as published; in a preview it reads nothing.
func (*IssuerCheck) Create(ctx context.Context, req infer.CreateRequest[IssuerCheckArgs],
) (infer.CreateResponse[IssuerCheckState], error) {
	if req.DryRun {
		// Outputs left empty here are reported unknown until the update runs the check.
		return infer.CreateResponse[IssuerCheckState]{Output: IssuerCheckState{IssuerCheckArgs: req.Inputs, Kids: []string{}}}, nil
	}
	state, err := waitForIssuer(ctx, req.Inputs)
	if err != nil {
		return infer.CreateResponse[IssuerCheckState]{}, err
	}
	return infer.CreateResponse[IssuerCheckState]{ID: req.Inputs.IssuerURL, Output: state}, nil
}

// Update checks again whenever what is expected changed; in a preview it reads nothing.
func (*IssuerCheck) Update(ctx context.Context, req infer.UpdateRequest[IssuerCheckArgs, IssuerCheckState],
) (infer.UpdateResponse[IssuerCheckState], error) {
	if req.DryRun {
		return infer.UpdateResponse[IssuerCheckState]{Output: IssuerCheckState{
			IssuerCheckArgs: req.Inputs, Kids: req.State.Kids, CheckedAt: req.State.CheckedAt,
		}}, nil
	}
	state, err := waitForIssuer(ctx, req.Inputs)
	if err != nil {
		return infer.UpdateResponse[IssuerCheckState]{}, err
	}
	return infer.UpdateResponse[IssuerCheckState]{Output: state}, nil
}

// Diff re-checks on any change of what is expected, and replaces the check when the
// issuer URL changes, with a warning: the preview is the last moment to notice that
// the cluster's tokens will no longer match the issuer.
func (*IssuerCheck) Diff(ctx context.Context, req infer.DiffRequest[IssuerCheckArgs, IssuerCheckState],
) (infer.DiffResponse, error) {
	olds, news := req.State.IssuerCheckArgs, req.Inputs
	diff := map[string]p.PropertyDiff{}
	// Check refuses an empty issuerUrl, so an empty one here is a value not known
	// before the update, such as the name of a bucket being replaced.
	if news.IssuerURL != olds.IssuerURL {
		diff["issuerUrl"] = p.PropertyDiff{Kind: p.UpdateReplace, InputDiff: true}
		p.GetLogger(ctx).Warning(issuerURLChangeWarning(olds.IssuerURL, news.IssuerURL))
	}
	if news.DiscoveryDocument != olds.DiscoveryDocument {
		diff["discoveryDocument"] = p.PropertyDiff{Kind: p.Update, InputDiff: true}
	}
	optional := func(key string, before, after *string) {
		switch {
		case before == nil && after != nil:
			diff[key] = p.PropertyDiff{Kind: p.Add, InputDiff: true}
		case before != nil && after == nil:
			diff[key] = p.PropertyDiff{Kind: p.Delete, InputDiff: true}
		case before != nil && *before != *after:
			diff[key] = p.PropertyDiff{Kind: p.Update, InputDiff: true}
		}
	}
	optional("jwks", olds.Jwks, news.Jwks)
	optional("caBundle", olds.CaBundle, news.CaBundle)
	if valueOr(olds.Timeout, issuercheck.DefaultTimeoutSeconds) != valueOr(news.Timeout, issuercheck.DefaultTimeoutSeconds) {
		diff["timeout"] = p.PropertyDiff{Kind: p.Update, InputDiff: true}
	}
	return infer.DiffResponse{HasChanges: len(diff) > 0, DetailedDiff: diff}, nil
}

// issuerURLChangeWarning says what a new issuer URL does to clusters made with the old,
// and names the way to move them without their pods losing AWS access.
func issuerURLChangeWarning(before, after string) string {
	to := fmt.Sprintf("%q", after)
	if after == "" {
		to = "a URL known only during the update (something it is made of, such as the bucket, is replaced)"
	}
	return fmt.Sprintf("The issuer URL changes from %q to %s. Clusters running with %q keep signing their "+
		"service-account tokens for it until their spec's podIamConfig.serviceAccountIssuer changes, and their pods "+
		"hold such tokens for up to a day after that, so once the OIDC provider and the trust policies follow the new "+
		"URL, every IAM role of those clusters stops working for them. If this stack published the old issuer, this "+
		"update also replaces its OIDC provider and documents, so it stops verifying at once. To move a running "+
		"cluster, keep the old issuer published and its OIDC provider in place: in EksaIrsa give the new issuer a name "+
		"of its own (issuer.name) and set issuer.previous to the settings the old one had, so the component goes on "+
		"publishing it and every role trusts both (for an issuer published elsewhere, set issuer.previous to its "+
		"trust); then change the cluster spec and wait out the tokens: see %s. If the change is not intended, restore "+
		"the setting that changed (issuer.url, issuer.bucketName, issuer.keyPrefix, the hosting, or the AWS "+
		"provider's region).",
		before, to, before, changingTheIssuerURL)
}

// changingTheIssuerURL is the guide to moving a running cluster to another issuer.
const changingTheIssuerURL = "https://github.com/eksa-irsa/pulumi-eksa-irsa/blob/main/docs/changing-the-issuer.md"

// Read (`pulumi refresh`) reads the issuer once more. When it is no longer served as
// published, Read warns with the cause and records what is served in place of the
// expected documents, so the next preview shows the difference and the next update
// re-runs the check; a refresh itself never fails for the issuer's sake.
func (*IssuerCheck) Read(ctx context.Context, req infer.ReadRequest[IssuerCheckArgs, IssuerCheckState],
) (infer.ReadResponse[IssuerCheckArgs, IssuerCheckState], error) {
	if req.Inputs.IssuerURL == "" {
		return infer.ReadResponse[IssuerCheckArgs, IssuerCheckState]{}, fmt.Errorf(
			"an IssuerCheck has nothing to import: declare it in the program, and it checks the issuer when created")
	}
	env := issuerCheckEnvOf(ctx)
	client, err := env.client(req.Inputs.CaBundle)
	if err != nil {
		return infer.ReadResponse[IssuerCheckArgs, IssuerCheckState]{}, err
	}
	defer client.CloseIdleConnections()
	attemptCtx, cancel := context.WithTimeout(ctx, issuercheck.DefaultAttemptTimeout)
	defer cancel()

	inputs, state := req.Inputs, req.State
	served, err := issuercheck.Check(attemptCtx, client, expectedIssuer(inputs))
	var failure *issuercheck.Failure
	switch {
	case err == nil:
		state.Kids, state.CheckedAt = served.Kids, env.clock.Now().UTC().Format(time.RFC3339)
	case errors.As(err, &failure):
		p.GetLogger(ctx).Warningf("The issuer is no longer served as published: %v. The served documents are recorded "+
			"in place of the expected ones, so the next `pulumi up` shows the difference and checks again.", failure)
		inputs.DiscoveryDocument = served.Discovery
		if inputs.Jwks != nil {
			inputs.Jwks = &served.JWKS
		}
		state.Kids = served.Kids
		if state.Kids == nil {
			state.Kids = []string{}
		}
	default:
		return infer.ReadResponse[IssuerCheckArgs, IssuerCheckState]{}, err
	}
	state.IssuerCheckArgs = inputs
	return infer.ReadResponse[IssuerCheckArgs, IssuerCheckState]{ID: req.ID, Inputs: inputs, State: state}, nil
}

func expectedIssuer(args IssuerCheckArgs) issuercheck.Expected {
	return issuercheck.Expected{
		IssuerURL: args.IssuerURL,
		Discovery: args.DiscoveryDocument,
		JWKS:      valueOr(args.Jwks, ""),
	}
}

// waitForIssuer runs the check with retries, showing each failed attempt as status.
func waitForIssuer(ctx context.Context, args IssuerCheckArgs) (IssuerCheckState, error) {
	env := issuerCheckEnvOf(ctx)
	client, err := env.client(args.CaBundle)
	if err != nil {
		return IssuerCheckState{}, err
	}
	defer client.CloseIdleConnections()
	served, err := issuercheck.Wait(ctx, client, expectedIssuer(args), issuercheck.Retry{
		Timeout: time.Duration(valueOr(args.Timeout, issuercheck.DefaultTimeoutSeconds)) * time.Second,
		Clock:   env.clock,
		OnRetry: func(attempt int, f *issuercheck.Failure, pause time.Duration) {
			p.GetLogger(ctx).InfoStatusf("issuer not served as published yet (attempt %d, next in %s): %v", attempt, pause, f)
		},
	})
	if err != nil {
		return IssuerCheckState{}, withReachabilityHint(err)
	}
	return IssuerCheckState{
		IssuerCheckArgs: args,
		Kids:            served.Kids,
		CheckedAt:       env.clock.Now().UTC().Format(time.RFC3339),
	}, nil
}

// withReachabilityHint adds, when the issuer could not be reached at all, that the
// machine running Pulumi may be the one that cannot reach it.
func withReachabilityHint(err error) error {
	var failure *issuercheck.Failure
	if !errors.As(err, &failure) || failure.Last == nil {
		return err
	}
	unreachable := []issuercheck.Cause{issuercheck.DNSFailure, issuercheck.ConnectFailure, issuercheck.NoAnswer}
	if !slices.Contains(unreachable, failure.Last.Cause) {
		return err
	}
	return fmt.Errorf("%w. If the machine running Pulumi cannot reach the issuer while STS can (a private network, "+
		"an egress proxy), set issuer.verify to false on EksaIrsa, or drop this IssuerCheck", err)
}

// issuerCheckEnv is where IssuerCheck's requests go and which clock its retries run on:
// the network and the wall clock, unless the context the provider is served with
// carries another (tests reach loopback servers under real host names, and never
// sleep).
type issuerCheckEnv struct {
	dial  func(ctx context.Context, network, address string) (net.Conn, error)
	clock issuercheck.Clock
}

type issuerCheckEnvKey struct{}

func issuerCheckEnvOf(ctx context.Context) issuerCheckEnv {
	if env, ok := ctx.Value(issuerCheckEnvKey{}).(issuerCheckEnv); ok {
		return env
	}
	return issuerCheckEnv{clock: issuercheck.RealClock{}}
}

// client is an HTTPS client trusting the system's authorities and caBundle's.
func (env issuerCheckEnv) client(caBundle *string) (*http.Client, error) {
	roots, err := x509.SystemCertPool()
	if err != nil {
		roots = x509.NewCertPool()
	}
	if caBundle != nil {
		certs, err := issuercheck.ParseCABundle(*caBundle)
		if err != nil {
			return nil, fmt.Errorf("caBundle: %w", err)
		}
		for _, cert := range certs {
			roots.AddCert(cert)
		}
	}
	transport := http.DefaultTransport.(*http.Transport).Clone()
	transport.TLSClientConfig = &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12}
	if env.dial != nil {
		transport.DialContext, transport.Proxy = env.dial, nil
	}
	return &http.Client{Transport: transport}, nil
}
