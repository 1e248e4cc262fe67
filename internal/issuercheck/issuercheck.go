// Package issuercheck reads a published OIDC issuer the way AWS STS reads it when it
// verifies a web-identity token: anonymously, over HTTPS, first
// <issuer>/.well-known/openid-configuration, then the JWKS at the document's jwks_uri. It
// compares what is served with what was published and, when they differ or cannot be
// read, says why in the hosting's own terms (S3 error codes, the names a certificate
// covers, a cache's headers) and what to change: a status code alone ("403") is what
// users otherwise get, much later, as STS's "InvalidIdentityToken: Couldn't retrieve
// verification key from your identity provider".
//
// Wait retries until a deadline, because S3 bucket policies and CloudFront take time to
// converge; its clock and backoff are injectable so tests never sleep.
package issuercheck

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"path"
	"strings"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/eksa-irsa/pulumi-eksa-irsa/internal/jsondoc"
)

// maxDocument bounds what is read of an answer: issuer documents are a few kilobytes,
// and a check must not be made to read without end.
const maxDocument = 1 << 20

// Served is what the issuer served in one check.
type Served struct {
	// Discovery is the discovery document as served; empty when it could not be read.
	Discovery string
	// JWKS is the key set as served; empty when it was not read (no keys expected, or
	// the discovery document failed first) and when it holds private key material.
	JWKS string
	// Kids are the kid of every key served, in the order served ("" for a key without
	// one); empty when no keys are expected.
	Kids []string
}

// Check reads the issuer once and compares it with want: the discovery document must
// name the issuer exactly, point jwks_uri where the JWKS is published and list the
// published algorithms; when keys are expected, every published key must be served (same
// kid, algorithm, use and public key) and every served key must parse and be public.
// The error is an *InputError (or several, joined) when want itself is wrong, and a
// *Failure otherwise.
//
// The client is used without cookies and without following redirects, and must add no
// credentials: STS reads anonymously.
func Check(ctx context.Context, client *http.Client, want Expected) (Served, error) {
	exp, problems := parseExpected(want)
	if len(problems) > 0 {
		errs := make([]error, len(problems))
		for i, p := range problems {
			errs[i] = p
		}
		return Served{}, errors.Join(errs...)
	}
	served, f := check(ctx, anonymous(client), exp)
	if f != nil {
		return served, f
	}
	return served, nil
}

// anonymous is client without cookies and without following redirects.
func anonymous(client *http.Client) *http.Client {
	c := *client
	c.Jar = nil
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &c
}

func check(ctx context.Context, client *http.Client, exp expectation) (Served, *Failure) {
	var served Served
	discovery, err := newDocument(exp.discoveryURL, "the discovery document", ".well-known/openid-configuration")
	if err != nil {
		return served, err
	}
	body, header, f := fetch(ctx, client, discovery)
	if f != nil {
		return served, f
	}
	served.Discovery = string(body)

	var doc discoveryFields
	if err := json.Unmarshal(body, &doc); err != nil {
		return served, failure(NotADocument, discovery.url.String(), "what is served is not an OIDC discovery document "+
			"(%v): something other than the published document answers at this URL, such as a CDN's or web server's "+
			"error page", jsondoc.Describe(err))
	}
	u := discovery.url.String()
	switch {
	case doc.Issuer != exp.issuer:
		return served, failure(WrongIssuer, u, "the discovery document served names issuer %q, not %q. STS compares the "+
			"token's iss, the OIDC provider's URL and this field byte for byte, so it would refuse every token. %s",
			doc.Issuer, exp.issuer, servedCopy(discovery, header))
	case doc.JWKSURI != exp.jwksURI:
		return served, failure(WrongJWKSURI, u, "the discovery document served has jwks_uri %q, not %q where the JWKS is "+
			"published, so STS would look for the keys elsewhere. %s", doc.JWKSURI, exp.jwksURI, servedCopy(discovery, header))
	}
	if missing := missingAlgorithms(doc.Algorithms, exp.algorithms); len(missing) > 0 {
		return served, failure(MissingAlgorithm, u, "the discovery document served lists signing algorithms %q, without "+
			"%q of the published keys. %s", doc.Algorithms, missing, servedCopy(discovery, header))
	}
	if !exp.checkKeys {
		served.Kids = []string{}
		return served, nil
	}

	jwks, err := newDocument(exp.jwksURI, "the JWKS", path.Base(exp.jwksURI))
	if err != nil {
		return served, err
	}
	body, header, f = fetch(ctx, client, jwks)
	if f != nil {
		return served, f
	}
	kids, f := compareKeys(jwks, header, body, exp.keys)
	served.Kids = kids
	if f == nil || f.Cause != PrivateKeyServed {
		// A key set holding private key material is not handed on, so that no caller
		// stores or shows it.
		served.JWKS = string(body)
	}
	return served, f
}

// compareKeys checks a served key set against the published keys and returns the served
// kids.
func compareKeys(doc document, header http.Header, body []byte, published []jose.JSONWebKey) ([]string, *Failure) {
	u := doc.url.String()
	keys, badKey, err := parseJWKS(body)
	kids := make([]string, 0, len(keys))
	for _, k := range keys {
		kids = append(kids, k.KeyID)
	}
	switch {
	case err != nil:
		return kids, failure(NotADocument, u, "what is served is not a JWKS (%s): something other than the published "+
			"key set answers at this URL, such as a CDN's or web server's error page", jsondoc.Describe(err))
	case badKey != nil:
		return kids, failure(UnparseableKey, u, "served key %d (kid %q) cannot be parsed (%v), and a verifier may refuse "+
			"the whole key set. %s", badKey.index, badKey.kid, badKey.err, servedCopy(doc, header))
	}
	for i, k := range keys {
		if !k.IsPublic() {
			return kids, failure(PrivateKeyServed, u, "served key %d (kid %q) is private or symmetric key material, "+
				"readable by anyone: remove it from the issuer now and rotate that key; a JWKS holds public keys only", i, k.KeyID)
		}
	}
	for _, want := range published {
		var sameKid bool
		found := false
		for _, k := range keys {
			if k.KeyID != want.KeyID {
				continue
			}
			sameKid = true
			if sameKey(k, want) {
				found = true
				break
			}
		}
		switch {
		case !sameKid:
			return kids, failure(MissingKey, u, "no served key has kid %q (served kids: %s), so STS would refuse every "+
				"token signed with it (InvalidIdentityToken: Couldn't retrieve verification key). %s",
				want.KeyID, quoteAll(kids), servedCopy(doc, header))
		case !found:
			return kids, failure(KeyMismatch, u, "the served key with kid %q is not the published one (other key "+
				"material, alg or use). %s", want.KeyID, servedCopy(doc, header))
		}
	}
	return kids, nil
}

func quoteAll(kids []string) string {
	if len(kids) == 0 {
		return "none"
	}
	quoted := make([]string, len(kids))
	for i, k := range kids {
		quoted[i] = fmt.Sprintf("%q", k)
	}
	return strings.Join(quoted, ", ")
}

func newDocument(rawURL, name, file string) (document, *Failure) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return document{}, failure(NotADocument, rawURL, "not a URL (%v)", err)
	}
	return document{url: u, name: name, file: file}, nil
}

// fetch GETs a document and returns its body, or explains why there is none.
func fetch(ctx context.Context, client *http.Client, doc document) ([]byte, http.Header, *Failure) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, doc.url.String(), nil)
	if err != nil {
		return nil, nil, failure(NotADocument, doc.url.String(), "cannot be requested (%v)", err)
	}
	req.Header.Set("Accept", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return nil, nil, transportFailure(doc, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxDocument+1))
	if err != nil {
		return nil, nil, transportFailure(doc, err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, nil, responseFailure(doc, resp, body)
	}
	if len(body) > maxDocument {
		return nil, nil, failure(NotADocument, doc.url.String(), "what is served is larger than %d bytes, far more than %s "+
			"can be; something else answers at this URL", maxDocument, doc.name)
	}
	return body, resp.Header, nil
}

// Clock is the time Wait runs on: real time in production, a clock that steps at once in
// tests.
type Clock interface {
	Now() time.Time
	// Sleep waits d or until ctx is done, whichever is first; it returns ctx's error
	// when ctx ended the wait.
	Sleep(ctx context.Context, d time.Duration) error
}

// RealClock is the wall clock.
type RealClock struct{}

// Now is time.Now.
func (RealClock) Now() time.Time { return time.Now() }

// Sleep waits d, or until ctx is done.
func (RealClock) Sleep(ctx context.Context, d time.Duration) error {
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// StepClock is a Clock whose Sleep returns at once after moving the clock on, for tests
// of code that waits; it records each pause. Not safe for concurrent use.
type StepClock struct {
	At     time.Time
	Sleeps []time.Duration
}

// Now is the clock's time.
func (c *StepClock) Now() time.Time { return c.At }

// Sleep moves the clock on by d, unless ctx is already done.
func (c *StepClock) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.Sleeps = append(c.Sleeps, d)
	c.At = c.At.Add(d)
	return nil
}

// Exponential is a backoff that doubles from first up to limit: the pause after the nth
// failed attempt (n from 1) is first·2ⁿ⁻¹, at most limit.
func Exponential(first, limit time.Duration) func(n int) time.Duration {
	return func(n int) time.Duration {
		d := first
		for i := 1; i < n && d < limit; i++ {
			d *= 2
		}
		return min(d, limit)
	}
}

// Default retry settings: pauses of 2, 4, 8, 16, then 30 seconds (CloudFront and S3
// converge in seconds to minutes, and a check need not wait long once they have), and
// 30 seconds for one attempt's requests.
const (
	DefaultFirstPause     = 2 * time.Second
	DefaultMaxPause       = 30 * time.Second
	DefaultAttemptTimeout = 30 * time.Second
)

// Limits of an IssuerCheck's timeout, in seconds: the default gives S3 and CloudFront
// the minutes they may take to converge; an hour is more than any of them needs.
const (
	DefaultTimeoutSeconds = 300
	MaxTimeoutSeconds     = 3600
)

// ValidateTimeout checks a timeout in seconds given to an IssuerCheck; the error is the
// reason alone, as the resource's check failures name their property apart.
func ValidateTimeout(seconds int) error {
	if seconds < 1 || seconds > MaxTimeoutSeconds {
		return fmt.Errorf("%d seconds is out of range; give 1 to %d, or leave it out for %d", seconds, MaxTimeoutSeconds, DefaultTimeoutSeconds)
	}
	return nil
}

// Retry says how long and how often Wait tries.
type Retry struct {
	// Timeout is how long Wait tries in all; an attempt always runs at the end.
	Timeout time.Duration
	// Backoff gives the pause after the nth failed attempt; nil: Exponential with the
	// defaults above. Pauses are cut short at the deadline.
	Backoff func(n int) time.Duration
	// AttemptTimeout bounds one attempt's requests; 0: DefaultAttemptTimeout.
	AttemptTimeout time.Duration
	// Clock is the time Wait runs on; nil: RealClock.
	Clock Clock
	// OnRetry, if set, hears of each failed attempt before the pause that follows it,
	// so a caller can show progress.
	OnRetry func(attempt int, f *Failure, pause time.Duration)
}

// Wait checks the issuer until it is served as published or retry.Timeout has passed,
// pausing between attempts. It fails at once when want itself is wrong (*InputError);
// otherwise its error is a *Failure of Cause Timeout (or Cancelled, when ctx ends) whose
// Last is the last attempt's failure, and whose message says what that was.
func Wait(ctx context.Context, client *http.Client, want Expected, retry Retry) (Served, error) {
	exp, problems := parseExpected(want)
	if len(problems) > 0 {
		return Check(ctx, client, want) // reports the problems
	}
	clock := retry.Clock
	if clock == nil {
		clock = RealClock{}
	}
	backoff := retry.Backoff
	if backoff == nil {
		backoff = Exponential(DefaultFirstPause, DefaultMaxPause)
	}
	attemptTimeout := retry.AttemptTimeout
	if attemptTimeout <= 0 {
		attemptTimeout = DefaultAttemptTimeout
	}
	client = anonymous(client)
	deadline := clock.Now().Add(retry.Timeout)

	for attempt := 1; ; attempt++ {
		attemptCtx, cancel := context.WithTimeout(ctx, attemptTimeout)
		served, last := check(attemptCtx, client, exp)
		cancel()
		if last == nil {
			return served, nil
		}
		if ctx.Err() != nil {
			return served, ended(Cancelled, exp.issuer, attempt, last, "the check was cancelled")
		}
		remaining := deadline.Sub(clock.Now())
		if remaining <= 0 {
			return served, ended(Timeout, exp.issuer, attempt, last,
				fmt.Sprintf("not served as published within %s", retry.Timeout))
		}
		pause := min(backoff(attempt), remaining)
		if retry.OnRetry != nil {
			retry.OnRetry(attempt, last, pause)
		}
		if err := clock.Sleep(ctx, pause); err != nil {
			return served, ended(Cancelled, exp.issuer, attempt, last, "the check was cancelled")
		}
	}
}

func ended(cause Cause, issuer string, attempts int, last *Failure, what string) *Failure {
	tries := "1 attempt"
	if attempts != 1 {
		tries = fmt.Sprintf("%d attempts", attempts)
	}
	return &Failure{
		Cause:   cause,
		URL:     last.URL,
		Last:    last,
		message: fmt.Sprintf("issuer %s: %s (%s). Last failure: %s", issuer, what, tries, last.Error()),
	}
}
