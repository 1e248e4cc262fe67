//go:build apiserver

package webhook_test

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"helm.sh/helm/v3/pkg/action"
	"helm.sh/helm/v3/pkg/chart"
	"helm.sh/helm/v3/pkg/chart/loader"
	"helm.sh/helm/v3/pkg/chartutil"
	"helm.sh/helm/v3/pkg/repo"
	"sigs.k8s.io/yaml"

	"github.com/eksa-irsa/pulumi-eksa-irsa/internal/webhook"
)

// chartEnv carries the chart archive's path into the namespace.
const chartEnv = "EKSA_IRSA_WEBHOOK_CHART"

// chartArchive is the file name of the chart version the component installs by default.
var chartArchive = webhook.DefaultChart + "-" + webhook.DefaultChartVersion + ".tgz"

// locateChart returns the chart archive: the copy kept for offline tests beside the
// checkout (../shared/charts seen from the repository root, so the suite runs without
// internet access), or, when that copy is absent (a clone elsewhere), the archive the
// chart repository lists for the pinned version, downloaded into a temporary file.
func locateChart() (string, error) {
	offline, err := filepath.Abs(filepath.Join("..", "..", "..", "shared", "charts", chartArchive))
	if err != nil {
		return "", err
	}
	if _, err := os.Stat(offline); err == nil {
		return offline, nil
	}
	p, err := downloadChart()
	if err != nil {
		return "", fmt.Errorf("the offline chart %s is absent and the download from %s failed: %w", offline, webhook.DefaultRepository, err)
	}
	return p, nil
}

// downloadChart reads the repository's index.yaml as Helm does and fetches the archive it
// lists for the pinned version.
func downloadChart() (string, error) {
	client := &http.Client{Timeout: time.Minute}
	get := func(url string) ([]byte, error) {
		resp, err := client.Get(url) //nolint:gosec,noctx // the chart repository's URLs
		if err != nil {
			return nil, err
		}
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return nil, fmt.Errorf("GET %s: %s", url, resp.Status)
		}
		return io.ReadAll(resp.Body)
	}
	body, err := get(webhook.DefaultRepository + "/index.yaml")
	if err != nil {
		return "", err
	}
	var index repo.IndexFile
	if err := yaml.Unmarshal(body, &index); err != nil {
		return "", fmt.Errorf("index.yaml: %w", err)
	}
	version, err := index.Get(webhook.DefaultChart, webhook.DefaultChartVersion)
	if err != nil {
		return "", err
	}
	if len(version.URLs) == 0 {
		return "", errors.New("index.yaml lists no URL for the chart")
	}
	url := version.URLs[0]
	if !strings.Contains(url, "://") {
		url = webhook.DefaultRepository + "/" + url
	}
	archive, err := get(url)
	if err != nil {
		return "", err
	}
	f, err := os.CreateTemp("", "eksa-irsa-chart-*.tgz")
	if err != nil {
		return "", err
	}
	defer f.Close()
	_, err = f.Write(archive)
	return f.Name(), err
}

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
