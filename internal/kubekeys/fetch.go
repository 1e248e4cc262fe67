package kubekeys

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/eksa-irsa/pulumi-eksa-irsa/internal/jsondoc"
)

// Timeout bounds one read, connection included, so that an unreachable cluster fails a
// preview with a message instead of hanging it.
const Timeout = 30 * time.Second

// maxBody bounds the response read into memory; Kubernetes caps a Secret at 1 MiB.
const maxBody = 4 << 20

// Fetch reads the keys req asks for. The kubeconfig is interpreted by client-go, so
// client certificates, bearer tokens, CA data, contexts and exec credential plugins work
// as they do for kubectl; the request itself is one GET with no typed client, which keeps
// Kubernetes' API types out of the plugin.
func Fetch(ctx context.Context, req Request) (Keys, error) {
	if err := req.Validate(); err != nil {
		return Keys{}, err
	}
	config, target, err := restConfig(req)
	if err != nil {
		return Keys{}, err
	}
	base, _, err := rest.DefaultServerUrlFor(config)
	if err != nil {
		return Keys{}, fmt.Errorf("kubeconfig: server %q of the context is not a usable URL: %w", config.Host, err)
	}
	client, err := rest.HTTPClientFor(config)
	if err != nil {
		return Keys{}, fmt.Errorf("kubeconfig: %w", err)
	}
	defer client.CloseIdleConnections()

	ctx, cancel := context.WithTimeout(ctx, Timeout)
	defer cancel()
	endpoint := base.JoinPath(target.Path())
	httpReq, err := http.NewRequestWithContext(ctx, http.MethodGet, endpoint.String(), nil)
	if err != nil {
		return Keys{}, err
	}
	httpReq.Header.Set("Accept", target.Accept())
	resp, err := client.Do(httpReq)
	if err != nil {
		var urlErr *url.Error
		if errors.As(err, &urlErr) {
			err = urlErr.Err // the URL is the server's plus a path the message already names
		}
		return Keys{}, target.UnreachableError(base.Host, err)
	}
	defer resp.Body.Close()

	body, err := readZeroing(resp.Body, resp.ContentLength, maxBody)
	defer clear(body)
	if err != nil {
		return Keys{}, target.UnreachableError(base.Host, err)
	}
	if resp.StatusCode != http.StatusOK {
		return Keys{}, target.StatusError(resp.StatusCode, body)
	}
	return target.Decode(body)
}

// restConfig turns the kubeconfig into client-go's connection settings, and names the
// server and user it picked for error messages. Errors never quote the kubeconfig, which
// holds credentials.
func restConfig(req Request) (*rest.Config, Target, error) {
	raw, err := clientcmd.Load(req.Kubeconfig)
	if err != nil {
		return nil, Target{}, kubeconfigProblem(req.Kubeconfig, err)
	}
	name := req.Context
	if name == "" {
		name = raw.CurrentContext
	}
	contexts := make([]string, 0, len(raw.Contexts))
	for n := range raw.Contexts {
		contexts = append(contexts, n)
	}
	slices.Sort(contexts)
	if name == "" {
		return nil, Target{}, fmt.Errorf("kubeconfig has no current-context; set context to one of %q", contexts)
	}
	kubeContext, ok := raw.Contexts[name]
	if !ok {
		return nil, Target{}, fmt.Errorf("context %q is not in the kubeconfig; it has %q", name, contexts)
	}
	if _, ok := raw.Clusters[kubeContext.Cluster]; !ok {
		return nil, Target{}, fmt.Errorf("kubeconfig context %q names cluster %q, which the kubeconfig's clusters do not define", name, kubeContext.Cluster)
	}
	if _, ok := raw.AuthInfos[kubeContext.AuthInfo]; !ok && kubeContext.AuthInfo != "" {
		return nil, Target{}, fmt.Errorf("kubeconfig context %q names user %q, which the kubeconfig's users do not define", name, kubeContext.AuthInfo)
	}
	config, err := clientcmd.NewNonInteractiveClientConfig(*raw, name, &clientcmd.ConfigOverrides{}, nil).ClientConfig()
	if err != nil {
		return nil, Target{}, fmt.Errorf("kubeconfig context %q: %s", name, redact(err.Error(), req.Kubeconfig))
	}
	config.Timeout = Timeout
	config.UserAgent = "pulumi-eksa-irsa getSigningKeys"
	return config, NewTarget(req, config.Host, kubeContext.AuthInfo), nil
}

// kubeconfigProblem says why client-go could not load a kubeconfig in a kubeconfig's own
// terms: client-go's messages name the Go types it decodes into ("cannot unmarshal
// string into Go value of type struct { APIVersion string … }"), which say nothing to
// someone who passed the wrong text. Like every error here it never quotes the text.
func kubeconfigProblem(kubeconfig []byte, err error) error {
	const want = "pass the text of a kubeconfig file (apiVersion: v1, kind: Config, with clusters, contexts and users), " +
		"such as the one eksctl anywhere writes for the cluster"
	var doc any
	if yerr := yaml.Unmarshal(kubeconfig, &doc); yerr != nil {
		return fmt.Errorf("kubeconfig is not YAML (%s); %s", redact(strings.TrimPrefix(yerr.Error(), "yaml: "), kubeconfig), want)
	}
	top, ok := doc.(map[string]any)
	if !ok {
		return fmt.Errorf("kubeconfig is %s, not a kubeconfig; %s", yamlKind(doc), want)
	}
	if kind, ok := top["kind"].(string); ok && kind != "Config" {
		return fmt.Errorf("kubeconfig has kind %q, not Config; %s", kind, want)
	}
	return fmt.Errorf("kubeconfig is not a valid kubeconfig: %s; %s", redact(jsondoc.Describe(err), kubeconfig), want)
}

// yamlKind names what a YAML document holds instead of a mapping.
func yamlKind(doc any) string {
	switch doc.(type) {
	case nil:
		return "empty"
	case string:
		return "a single string"
	case []any:
		return "a list"
	case bool:
		return "true or false"
	case int, int64, uint64, float64:
		return "a number"
	}
	return "not a mapping of keys to values"
}

// redact removes from msg every longer word of the kubeconfig, so that a parser error
// quoting a line cannot carry a token or key data into a log.
func redact(msg string, kubeconfig []byte) string {
	for _, word := range strings.FieldsFunc(string(kubeconfig), func(r rune) bool {
		return r == ' ' || r == '\t' || r == '\n' || r == '\r' || r == '"' || r == '\''
	}) {
		if len(word) >= 12 && strings.Contains(msg, word) {
			msg = strings.ReplaceAll(msg, word, "[redacted]")
		}
	}
	return msg
}

// readZeroing reads r to its end, at most limit bytes. Every buffer it outgrows is zeroed
// before it is dropped, and the caller zeroes the one returned, so no copy of the response
// (which may be a Secret holding a private key) outlives its parse in memory this package
// controls.
func readZeroing(r io.Reader, sizeHint int64, limit int) ([]byte, error) {
	size := 16 << 10
	if sizeHint > 0 && sizeHint < int64(limit) {
		size = int(sizeHint) + 1 // +1: reading EOF needs room
	}
	buf := make([]byte, 0, size)
	for {
		if len(buf) == cap(buf) {
			if len(buf) >= limit {
				return buf, fmt.Errorf("response larger than %d bytes", limit)
			}
			grown := make([]byte, len(buf), min(2*cap(buf), limit))
			copy(grown, buf)
			clear(buf)
			buf = grown
		}
		n, err := r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if errors.Is(err, io.EOF) {
			return buf, nil
		}
		if err != nil {
			return buf, err
		}
	}
}
