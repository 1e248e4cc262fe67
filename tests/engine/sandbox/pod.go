package sandbox

import (
	"encoding/json"
	"fmt"
	"net/http"
	"testing"

	corev1 "k8s.io/api/core/v1"

	"github.com/eksa-irsa/pulumi-eksa-irsa/internal/iameval"
	"github.com/eksa-irsa/pulumi-eksa-irsa/internal/kubetest"
)

// PodFor is the pod a workload would submit: one container, the service account named.
func PodFor(serviceAccount string) map[string]any {
	return map[string]any{
		"apiVersion": "v1", "kind": "Pod",
		"metadata": map[string]any{"generateName": serviceAccount + "-"},
		"spec": map[string]any{
			"serviceAccountName": serviceAccount,
			"containers": []any{map[string]any{
				"name": "app", "image": "public.ecr.aws/aws-cli/aws-cli:2.27.0", "command": []any{"aws", "sts", "get-caller-identity"},
			}},
		},
	}
}

// CreatePod submits PodFor(serviceAccount) in namespace and returns the pod the API
// server stored, after admission.
func CreatePod(t testing.TB, s *kubetest.APIServer, namespace, serviceAccount string) *corev1.Pod {
	t.Helper()
	code, body := s.Do(t, kubetest.Admin, http.MethodPost, "/api/v1/namespaces/"+namespace+"/pods", PodFor(serviceAccount))
	if code != http.StatusCreated {
		t.Fatalf("create a pod of %s/%s: %d %s", namespace, serviceAccount, code, body)
	}
	var created corev1.Pod
	if err := json.Unmarshal(body, &created); err != nil {
		t.Fatal(err)
	}
	var stored corev1.Pod
	GetInto(t, s, "/api/v1/namespaces/"+namespace+"/pods/"+created.Name, &stored)
	return &stored
}

// TokenVolume is the projected volume of the webhook's token, nil when there is none.
func TokenVolume(pod *corev1.Pod) *corev1.Volume {
	for i := range pod.Spec.Volumes {
		if pod.Spec.Volumes[i].Name == "aws-iam-token" {
			return &pod.Spec.Volumes[i]
		}
	}
	return nil
}

// TrustVerdicts is, for each role's trust policy (role name to policy JSON), whether IAM's
// rules let a web identity token of subject and audience, from the OIDC provider
// providerARN of the issuer at hostPath, assume the role: what STS decides once it has
// verified the token's signature against the issuer's keys.
func TrustVerdicts(trust map[string]string, providerARN, hostPath, subject, audience string) (map[string]bool, error) {
	admits := map[string]bool{}
	for name, policy := range trust {
		allowed, err := iameval.AllowsAssumeRole([]byte(policy), iameval.WebIdentity(providerARN, hostPath, subject, audience))
		if err != nil {
			return nil, fmt.Errorf("role %s's trust policy: %w", name, err)
		}
		admits[name] = allowed
	}
	return admits, nil
}
