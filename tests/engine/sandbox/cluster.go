package sandbox

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"testing"
	"time"

	"github.com/eksa-irsa/pulumi-eksa-irsa/internal/kubetest"
)

// The controllers the suite runs: without the garbage collector every foreground delete
// the kubernetes provider makes waits on a finalizer nobody removes, without the
// namespace controller a deleted namespace never goes, and without the deployment and
// replica-set controllers a Helm release's Deployment never gets pods.
var controllers = []string{
	"garbage-collector-controller", "namespace-controller", "serviceaccount-controller",
	"deployment-controller", "replicaset-controller",
}

// nodeName is the one Node the test's stand-in kubelet runs pods on.
const nodeName = "engine-node"

// Cluster is a real kube-apiserver and kube-controller-manager with EKS Anywhere's
// `<cluster>-sa` secret in eksa-system, and a stand-in kubelet for the namespaces a test
// names.
type Cluster struct {
	API        *kubetest.APIServer
	SigningKey *rsa.PrivateKey
}

// StartCluster starts a cluster whose service-account issuer is issuer, as EKS Anywhere
// starts one with podIamConfig.serviceAccountIssuer set, and stores the `<name>-sa`
// secret Cluster API writes.
func StartCluster(t testing.TB, name, issuer string) *Cluster {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	api := kubetest.StartAPIServer(t, kubetest.Options{Issuers: []string{issuer}, SigningKey: key})
	api.StartControllerManager(t, controllers...)
	c := &Cluster{API: api, SigningKey: key}
	c.StoreSigningKey(t, name, key)
	return c
}

// StoreSigningKey writes the `<name>-sa` secret of the cluster called name, whose
// service-account tokens key signs, into eksa-system, as Cluster API does on the
// management cluster of every cluster it creates.
func (c *Cluster) StoreSigningKey(t testing.TB, name string, key *rsa.PrivateKey) {
	t.Helper()
	c.API.EnsureNamespace(t, "eksa-system")
	c.API.Apply(t, "/api/v1/namespaces/eksa-system/secrets", map[string]any{
		"apiVersion": "v1", "kind": "Secret", "type": "kubernetes.io/tls",
		"metadata": map[string]any{"name": name + "-sa"},
		"data": map[string]any{
			"tls.crt": base64.StdEncoding.EncodeToString(kubetest.PublicPEM(t, key.Public())),
			"tls.key": base64.StdEncoding.EncodeToString(kubetest.PrivatePEM(t, key)),
		},
	})
}

// PublicKeyPEM is the `tls.crt` of the cluster's secret.
func (c *Cluster) PublicKeyPEM(t testing.TB) string {
	t.Helper()
	return string(kubetest.PublicPEM(t, c.SigningKey.Public()))
}

// PlayKubelet does for the pods of namespace what a kubelet would, until the test ends:
// binds each new pod to the suite's Node and reports it Running and Ready through the
// status subresource, so readiness waits (a Helm release's) end honestly, through the
// real deployment and replica-set controllers.
func (c *Cluster) PlayKubelet(t testing.TB, namespace string) {
	t.Helper()
	c.API.Apply(t, "/api/v1/nodes", map[string]any{
		"apiVersion": "v1", "kind": "Node", "metadata": map[string]any{"name": nodeName},
	})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	t.Cleanup(func() { cancel(); <-done })
	go func() {
		defer close(done)
		for ctx.Err() == nil {
			c.kubeletPass(ctx, namespace)
			select {
			case <-ctx.Done():
			case <-time.After(300 * time.Millisecond):
			}
		}
	}()
}

// kubeletPass binds and readies every pod of namespace once; errors wait for the next pass.
func (c *Cluster) kubeletPass(ctx context.Context, namespace string) {
	var pods struct {
		Items []map[string]any
	}
	if c.request(ctx, http.MethodGet, "/api/v1/namespaces/"+url.PathEscape(namespace)+"/pods", nil, &pods) != nil {
		return
	}
	for _, pod := range pods.Items {
		meta, _ := pod["metadata"].(map[string]any)
		spec, _ := pod["spec"].(map[string]any)
		status, _ := pod["status"].(map[string]any)
		name, _ := meta["name"].(string)
		if meta["deletionTimestamp"] != nil {
			// What a kubelet does once the containers stopped: remove the pod for good.
			_ = c.request(ctx, http.MethodDelete, "/api/v1/namespaces/"+namespace+"/pods/"+name,
				map[string]any{"gracePeriodSeconds": 0}, nil)
			continue
		}
		podPath := "/api/v1/namespaces/" + namespace + "/pods/" + name
		if spec["nodeName"] == nil || spec["nodeName"] == "" {
			_ = c.request(ctx, http.MethodPost, podPath+"/binding", map[string]any{
				"apiVersion": "v1", "kind": "Binding", "metadata": map[string]any{"name": name},
				"target": map[string]any{"apiVersion": "v1", "kind": "Node", "name": nodeName},
			}, nil)
			continue
		}
		if status["phase"] == "Running" {
			continue
		}
		pod["status"] = runningStatus(spec)
		_ = c.request(ctx, http.MethodPut, podPath+"/status", pod, nil)
	}
}

// runningStatus is the status a kubelet reports for a pod whose containers all started
// and passed their readiness probes.
func runningStatus(spec map[string]any) map[string]any {
	now := time.Now().UTC().Format(time.RFC3339)
	var containers []any
	specContainers, _ := spec["containers"].([]any)
	for _, c := range specContainers {
		container, _ := c.(map[string]any)
		containers = append(containers, map[string]any{
			"name": container["name"], "image": container["image"], "imageID": "", "ready": true,
			"started": true, "restartCount": 0,
			"state": map[string]any{"running": map[string]any{"startedAt": now}},
		})
	}
	condition := func(kind string) map[string]any {
		return map[string]any{"type": kind, "status": "True", "lastTransitionTime": now}
	}
	return map[string]any{
		"phase":             "Running",
		"hostIP":            "127.0.0.1",
		"podIP":             "10.244.0.10",
		"startTime":         now,
		"containerStatuses": containers,
		"conditions": []any{
			condition("PodScheduled"), condition("Initialized"), condition("ContainersReady"), condition("Ready"),
		},
	}
}

// request sends one request as the administrator, outside any test goroutine; into, when
// not nil, receives the JSON answer.
func (c *Cluster) request(ctx context.Context, method, path string, body, into any) error {
	code, out, err := c.API.Send(ctx, kubetest.Admin, method, path, "application/json", body)
	if err != nil {
		return err
	}
	if code >= 300 {
		return fmt.Errorf("%s %s: %d %s", method, path, code, out)
	}
	if into != nil {
		return json.Unmarshal(out, into)
	}
	return nil
}

// ObjectNames lists the names of the objects at a collection path (for example
// /api/v1/namespaces/x/secrets), as the administrator.
func (c *Cluster) ObjectNames(t testing.TB, path string) []string {
	t.Helper()
	var list struct {
		Items []struct {
			Metadata struct{ Name string }
		}
	}
	if err := c.request(t.Context(), http.MethodGet, path, nil, &list); err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, item := range list.Items {
		names = append(names, item.Metadata.Name)
	}
	slices.Sort(names)
	return names
}

// Exists is whether the object at path exists.
func (c *Cluster) Exists(t testing.TB, path string) bool {
	t.Helper()
	code, body := c.API.Do(t, kubetest.Admin, http.MethodGet, path, nil)
	switch code {
	case http.StatusOK:
		return true
	case http.StatusNotFound:
		return false
	}
	t.Fatalf("GET %s: %d %s", path, code, body)
	return false
}

// PendingHelmReleases are the names of the Secrets in which Helm records a release of
// namespace whose install or upgrade never finished (status pending-install,
// pending-upgrade or pending-rollback).
func (c *Cluster) PendingHelmReleases(t testing.TB, namespace string) []string {
	t.Helper()
	var names []string
	for _, status := range []string{"pending-install", "pending-upgrade", "pending-rollback"} {
		names = append(names, c.ObjectNames(t, "/api/v1/namespaces/"+namespace+"/secrets?labelSelector="+
			url.QueryEscape("owner=helm,status="+status))...)
	}
	return names
}
