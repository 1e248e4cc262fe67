//go:build apiserver

package webhook_test

import (
	"os"
	"regexp"
	"testing"

	"helm.sh/helm/v3/pkg/action"
	"helm.sh/helm/v3/pkg/chart"
	"helm.sh/helm/v3/pkg/chart/loader"
	"helm.sh/helm/v3/pkg/chartutil"
	"sigs.k8s.io/yaml"
)

// chartEnv carries the chart archive's path into the namespace.
const chartEnv = "EKSA_IRSA_WEBHOOK_CHART"

// loadChart loads the archive TestMain located and checks that it is the chart and
// version the component's release asks for.
func loadChart(t *testing.T, name, version string) *chart.Chart {
	t.Helper()
	p := os.Getenv(chartEnv)
	if p == "" {
		t.Fatalf("%s is unset: TestMain sets it before the tests run", chartEnv)
	}
	c, err := loader.Load(p)
	if err != nil {
		t.Fatalf("load %s: %v", p, err)
	}
	if c.Name() != name || c.Metadata.Version != version {
		t.Fatalf("%s is chart %s %s, but the component's release asks for %s %s", p, c.Name(), c.Metadata.Version, name, version)
	}
	return c
}

// render renders the chart as Helm installs it into a cluster of the given version and
// API versions (what kube-apiserver's discovery reports), with the release's name,
// namespace and values; it returns the objects in Helm's install order.
func render(t *testing.T, c *chart.Chart, release, namespace string, values map[string]any, kubeVersion string, apiVersions []string) []map[string]any {
	t.Helper()
	kv, err := chartutil.ParseKubeVersion(kubeVersion)
	if err != nil {
		t.Fatal(err)
	}
	install := action.NewInstall(&action.Configuration{Log: func(string, ...any) {}})
	install.ClientOnly, install.DryRun, install.Replace = true, true, true
	install.ReleaseName, install.Namespace = release, namespace
	install.KubeVersion, install.APIVersions = kv, apiVersions
	rel, err := install.Run(c, values)
	if err != nil {
		t.Fatalf("helm install --dry-run of %s with the component's values: %v", c.Name(), err)
	}
	var objects []map[string]any
	for _, doc := range regexp.MustCompile(`(?m)^---\s*$`).Split(rel.Manifest, -1) {
		var obj map[string]any
		if err := yaml.Unmarshal([]byte(doc), &obj); err != nil {
			t.Fatalf("rendered manifest: %v\n%s", err, doc)
		}
		if len(obj) > 0 {
			objects = append(objects, obj)
		}
	}
	return objects
}
