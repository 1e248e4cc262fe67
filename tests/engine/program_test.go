//go:build engine

package engine_test

import (
	"encoding/json"
	"fmt"
	"strings"
)

// clusterName is the EKS Anywhere cluster of the suite's programs: its secret is
// eksa-system/prod-sa.
const clusterName = "prod"

// program describes the suite's YAML program, one EksaIrsa in the shape the README
// teaches, at either phase.
type program struct {
	// phase2 adds the workload cluster: the kubeconfig config value, the kubernetes
	// provider, getSigningKeys and the webhook.
	phase2 bool
	// serviceAccounts of the reporting role.
	serviceAccounts []string
	// chart is webhook.chart: the local chart archive.
	chart string
	// webhookReapply is webhook.reapply, left out when empty; it needs chart.
	webhookReapply string
	// extraRoles is YAML appended to the roles map (indented by the caller to eight
	// spaces), for roles beside reporting.
	extraRoles string
	// extraIrsa is YAML appended to the component's properties (indented by the caller
	// to six spaces).
	extraIrsa string
	// pinnedKeys, in phase 2, are the signingKeys given as they are instead of read from
	// the cluster by getSigningKeys, as a program that keeps working without the cluster.
	pinnedKeys []string
}

// yaml renders the program.
func (p program) yaml() string {
	var b strings.Builder
	b.WriteString(`name: engine-irsa
runtime: yaml
description: EksaIrsa under the real engine.
`)
	if p.phase2 {
		b.WriteString(`config:
  kubeconfig:
    type: string
    secret: true
`)
	}
	if p.phase2 && p.pinnedKeys == nil {
		b.WriteString(`variables:
  signingKeys:
    fn::invoke:
      function: eksa-irsa:index:getSigningKeys
      arguments:
        kubeconfig: ${kubeconfig}
        clusterName: ` + clusterName + `
      return: signingKeys
`)
	}
	b.WriteString(`resources:
  aws:
    type: pulumi:providers:aws
    properties:
      region: us-west-2
`)
	providers := "\n        - ${aws}"
	if p.phase2 {
		b.WriteString(`  workload:
    type: pulumi:providers:kubernetes
    properties:
      kubeconfig: ${kubeconfig}
`)
		providers += "\n        - ${workload}"
	}
	accounts := p.serviceAccounts
	if accounts == nil {
		accounts = []string{"apps/reporting"}
	}
	fmt.Fprintf(&b, `  irsa:
    type: eksa-irsa:index:EksaIrsa
    properties:
      clusterName: %s
`, clusterName)
	switch {
	case p.phase2 && p.pinnedKeys != nil:
		b.WriteString("      signingKeys:\n")
		for _, k := range p.pinnedKeys {
			quoted, _ := json.Marshal(k) // a JSON string is a YAML double-quoted scalar
			fmt.Fprintf(&b, "        - %s\n", quoted)
		}
	case p.phase2:
		b.WriteString("      signingKeys: ${signingKeys}\n")
	}
	b.WriteString(`      roles:
        reporting:
          serviceAccounts:
`)
	for _, a := range accounts {
		fmt.Fprintf(&b, "            - %s\n", a)
	}
	b.WriteString(`          policyArns:
            - arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess
`)
	b.WriteString(p.extraRoles)
	if p.chart != "" {
		fmt.Fprintf(&b, `      webhook:
        chart: %s
`, p.chart)
		if p.webhookReapply != "" {
			fmt.Fprintf(&b, "        reapply: %q\n", p.webhookReapply)
		}
	}
	b.WriteString(p.extraIrsa)
	fmt.Fprintf(&b, `    options:
      providers: %s
outputs:
  issuerUrl: ${irsa.issuerUrl}
  bucketName: ${irsa.bucketName}
  discoveryDocument: ${irsa.discoveryDocument}
  jwks: ${irsa.jwks}
  roleArns: ${irsa.roleArns}
  serviceAccountAnnotations: ${irsa.serviceAccountAnnotations}
  webhookNamespace: ${irsa.webhookNamespace}
`, providers)
	return b.String()
}
