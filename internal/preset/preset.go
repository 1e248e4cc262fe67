// Package preset renders the IAM policies of the add-ons EKS Anywhere clusters run
// (cert-manager, external-dns, external-secrets, velero, the ADOT collector writing to
// Amazon Managed Service for Prometheus, the CloudWatch agent, Fluent Bit, X-Ray, image
// pulls from ECR, Mountpoint for S3), each limited to the resources the user names.
//
// A platform team picks a preset instead of writing the add-on's policy by hand, and
// reviewers see the scope (hosted zones, buckets, secret prefixes) in the program. The
// action lists follow the add-ons' own documentation and the presets of
// terraform-aws-modules' iam-role-for-service-accounts (modules/iam-role-for-service-accounts/
// policies.tf), with each difference stated in the preset's notes. Rules:
//
//   - A preset never grants an action on "*" when the action can be limited to the
//     resources of its scope; the few actions IAM only authorizes on "*" (listing hosted
//     zones, ECR's authorization token, X-Ray's trace upload) are listed with the reason.
//   - A required scope left out is an error naming the input, never a silent "*".
//   - Documents are deterministic (jsondoc: fixed key order, indented), so a preview
//     diff shows exactly what changed.
package preset

import (
	"fmt"
	"strings"

	"github.com/eksa-irsa/pulumi-eksa-irsa/internal/jsondoc"
)

// policyVersion is the IAM policy language version of every document.
const policyVersion = "2012-10-17"

// Presets are the presets a role asks for; nil means not asked for. Each field's wire
// name is its preset's Key.
type Presets struct {
	CertManager     *HostedZones
	ExternalDNS     *HostedZones
	ExternalSecrets *ExternalSecrets
	Velero          *Buckets
	AMP             *AMP
	CloudWatch      *CloudWatch
	FluentBit       *LogGroups
	XRay            *XRay
	ECRPull         *Repositories
	MountpointS3    *Buckets
}

// HostedZones scopes a DNS add-on to Route 53 hosted zones.
type HostedZones struct{ HostedZoneARNs []string }

// ExternalSecrets scopes external-secrets to Secrets Manager secrets and SSM parameters
// by ARN prefix, and the KMS keys that encrypt them. Find adds the listing actions its
// `find` selectors need, which IAM only authorizes on "*".
type ExternalSecrets struct {
	SecretARNPrefixes    []string
	ParameterARNPrefixes []string
	KMSKeyARNs           []string
	Find                 bool
}

// Buckets scopes an add-on to S3 buckets (and their objects).
type Buckets struct{ BucketARNs []string }

// AMP scopes the ADOT collector (or Prometheus) to Amazon Managed Service for Prometheus
// workspaces; Query adds the read actions of a query front end such as Grafana.
type AMP struct {
	WorkspaceARNs []string
	Query         bool
}

// CloudWatch scopes the CloudWatch agent to log groups by ARN prefix and, when it
// publishes metrics, to metric namespaces.
type CloudWatch struct {
	LogGroupARNPrefixes []string
	MetricNamespaces    []string
}

// LogGroups scopes a log shipper to CloudWatch log groups by ARN prefix.
type LogGroups struct{ LogGroupARNPrefixes []string }

// XRay takes no scope: X-Ray's write and sampling actions have no resource-level
// permissions.
type XRay struct{}

// Repositories scopes image pulls to ECR repositories.
type Repositories struct{ RepositoryARNs []string }

// Policy is one rendered preset: the inline policy a role gets for it.
type Policy struct {
	Key      string // the preset's wire name, e.g. "certManager"
	Name     string // the inline policy's IAM name, e.g. "preset-cert-manager"
	Document []byte
}

// Definition describes one preset for documentation: its wire name, the add-on, the
// sources of its action list and what it deliberately does differently.
type Definition struct {
	Key     string
	AddOn   string
	Scopes  string // the scope inputs, as docs/policy-presets.md lists them
	Sources []string
	Notes   []string
}

// PolicyName is the IAM name of the inline policy of the preset key: "preset-" and the
// key in kebab case, which a user's own inline policies must not take.
func PolicyName(key string) string {
	var b strings.Builder
	b.WriteString("preset-")
	for i, r := range key {
		if r >= 'A' && r <= 'Z' {
			if i > 0 {
				b.WriteByte('-')
			}
			r += 'a' - 'A'
		}
		b.WriteRune(r)
	}
	return b.String()
}

// statement is one statement, fields in conventional IAM order. Action and Resource are
// always lists, so adding a second value changes one line in a diff.
type statement struct {
	Sid       string                         `json:"Sid"`
	Effect    string                         `json:"Effect"`
	Action    []string                       `json:"Action"`
	Resource  []string                       `json:"Resource"`
	Condition map[string]map[string][]string `json:"Condition,omitempty"`
}

type document struct {
	Version   string      `json:"Version"`
	Statement []statement `json:"Statement"`
}

func allow(sid string, actions, resources []string) statement {
	return statement{Sid: sid, Effect: "Allow", Action: actions, Resource: resources}
}

// anyResource is the resource of actions IAM authorizes only on "*".
var anyResource = []string{"*"}

// Render checks each asked-for preset's scopes and renders its policy, in the order of
// Definitions. field is the wire path of the presets input ("roles.<key>.presets" or
// "presets"); every problem is returned, each naming its input and the fix.
func Render(field string, p Presets) ([]Policy, []error) {
	var policies []Policy
	var errs []error
	for _, d := range registry {
		statements, problems := d.render(field+"."+d.Key, p)
		errs = append(errs, problems...)
		if statements == nil || len(problems) > 0 {
			continue
		}
		doc, err := jsondoc.Marshal(document{Version: policyVersion, Statement: statements})
		if err != nil {
			errs = append(errs, fmt.Errorf("%s.%s: %w", field, d.Key, err))
			continue
		}
		policies = append(policies, Policy{Key: d.Key, Name: PolicyName(d.Key), Document: doc})
	}
	return policies, errs
}

// Definitions are the presets in the order they are rendered and documented.
func Definitions() []Definition {
	out := make([]Definition, len(registry))
	for i, d := range registry {
		out[i] = d.Definition
	}
	return out
}

// definition is a preset with its renderer; render returns nil statements when the
// preset is not asked for.
type definition struct {
	Definition
	render func(field string, p Presets) ([]statement, []error)
}

// required is the error of a required scope left out.
func required(field, what, example string) error {
	return fmt.Errorf("%s: required; list the %s the add-on may use, e.g. [%q]", field, what, example)
}

// scoped parses a required list of scopes.
func scoped(field string, list []string, rule arnRule, what string) ([]scopeARN, []error) {
	if len(list) == 0 {
		return nil, []error{required(field, what, rule.example)}
	}
	return parseScopes(field, list, rule)
}
