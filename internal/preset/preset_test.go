package preset

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/eksa-irsa/pulumi-eksa-irsa/internal/golden"
	"github.com/eksa-irsa/pulumi-eksa-irsa/internal/iameval"
	"github.com/eksa-irsa/pulumi-eksa-irsa/internal/policy"
	"github.com/eksa-irsa/pulumi-eksa-irsa/internal/wanterr"
)

// Scopes of the examples: two of each kind where a list is taken, so the documents show
// how several scopes render.
const (
	zoneA        = "arn:aws:route53:::hostedzone/Z0AAAAAAAAAAAAAAAAAAA"
	zoneB        = "arn:aws:route53:::hostedzone/Z0BBBBBBBBBBBBBBBBBBB"
	zoneOther    = "arn:aws:route53:::hostedzone/Z0OTHEROTHEROTHEROTHE"
	bucket       = "arn:aws:s3:::prod-velero"
	bucketOther  = "arn:aws:s3:::prod-velero-old"
	secrets      = "arn:aws:secretsmanager:us-west-2:123456789012:secret:prod/"
	parameters   = "arn:aws:ssm:us-west-2:123456789012:parameter/prod/"
	kmsKey       = "arn:aws:kms:us-west-2:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
	workspace    = "arn:aws:aps:us-west-2:123456789012:workspace/ws-0123abcd-4567-89ef-0123-456789abcdef"
	logGroups    = "arn:aws:logs:us-west-2:123456789012:log-group:/eksa/prod/"
	repositories = "arn:aws:ecr:us-west-2:123456789012:repository/platform/*"
)

// every asks for every preset with every option on.
func every() Presets {
	return Presets{
		CertManager: &HostedZones{HostedZoneARNs: []string{zoneA, zoneB}},
		ExternalDNS: &HostedZones{HostedZoneARNs: []string{zoneA}},
		ExternalSecrets: &ExternalSecrets{SecretARNPrefixes: []string{secrets}, ParameterARNPrefixes: []string{parameters},
			KMSKeyARNs: []string{kmsKey}, Find: true},
		Velero:       &Buckets{BucketARNs: []string{bucket}},
		AMP:          &AMP{WorkspaceARNs: []string{workspace}, Query: true},
		CloudWatch:   &CloudWatch{LogGroupARNPrefixes: []string{logGroups}, MetricNamespaces: []string{"CWAgent", "ContainerInsights"}},
		FluentBit:    &LogGroups{LogGroupARNPrefixes: []string{logGroups}},
		XRay:         &XRay{},
		ECRPull:      &Repositories{RepositoryARNs: []string{repositories}},
		MountpointS3: &Buckets{BucketARNs: []string{bucket}},
	}
}

func mustRender(t *testing.T, p Presets) map[string][]byte {
	t.Helper()
	policies, errs := Render("presets", p)
	if len(errs) > 0 {
		t.Fatalf("render: %v", errs)
	}
	out := map[string][]byte{}
	for _, pol := range policies {
		out[pol.Key] = pol.Document
	}
	return out
}

// unscopedActions are the only actions a preset may grant on "*": IAM authorizes them
// on no narrower resource. A preset granting anything else on "*" fails
// TestNoStarWhereAScopeExists.
var unscopedActions = map[string]bool{
	"route53:ListHostedZonesByName": true, "route53:ListHostedZones": true,
	"secretsmanager:ListSecrets": true, "secretsmanager:BatchGetSecretValue": true, "ssm:DescribeParameters": true,
	"logs:DescribeLogGroups": true, "cloudwatch:PutMetricData": true,
	"xray:GetSamplingRules": true, "xray:GetSamplingStatisticSummaries": true, "xray:GetSamplingTargets": true,
	"xray:PutTelemetryRecords": true, "xray:PutTraceSegments": true,
	"ecr:GetAuthorizationToken": true,
}

type parsed struct {
	Statement []struct {
		Sid       string
		Action    []string
		Resource  []string
		Condition map[string]map[string][]string
	}
}

func parse(t *testing.T, doc []byte) parsed {
	t.Helper()
	var p parsed
	if err := json.Unmarshal(doc, &p); err != nil {
		t.Fatal(err)
	}
	return p
}

// actionsOf are the distinct actions of a document, sorted.
func actionsOf(t *testing.T, doc []byte) []string {
	var out []string
	for _, st := range parse(t, doc).Statement {
		for _, a := range st.Action {
			if !slices.Contains(out, a) {
				out = append(out, a)
			}
		}
	}
	slices.Sort(out)
	return out
}

func TestNoStarWhereAScopeExists(t *testing.T) {
	for key, doc := range mustRender(t, every()) {
		for _, st := range parse(t, doc).Statement {
			for _, r := range st.Resource {
				if strings.HasPrefix(r, "*") || strings.Contains(r, ":*:") {
					for _, a := range st.Action {
						if r != "*" || !unscopedActions[a] {
							t.Errorf("%s: %s granted on %q; only actions without resource-level permissions may be", key, a, r)
						}
					}
				}
			}
			// PutMetricData on "*" only with its namespace condition.
			if slices.Contains(st.Action, "cloudwatch:PutMetricData") && len(st.Condition["StringEquals"]["cloudwatch:namespace"]) == 0 {
				t.Errorf("%s: cloudwatch:PutMetricData without a namespace condition", key)
			}
		}
	}
}

// TestGoldens writes each preset's document, sources and notes to
// testdata/<key>.md for review, and the table of presets docs/policy-presets.md repeats to
// testdata/presets.md.
func TestGoldens(t *testing.T) {
	docs := mustRender(t, every())
	var table strings.Builder
	table.WriteString("| preset | add-on | scope inputs | actions |\n|---|---|---|---:|\n")
	for _, d := range Definitions() {
		doc, ok := docs[d.Key]
		if !ok {
			t.Fatalf("%s not rendered", d.Key)
		}
		actions := actionsOf(t, doc)
		var b strings.Builder
		fmt.Fprintf(&b, "# Preset `%s`: %s\n\nInline policy `%s`, %d actions, with the example scopes of preset_test.go and every option on.\n\nSources:\n\n",
			d.Key, d.AddOn, PolicyName(d.Key), len(actions))
		for _, s := range d.Sources {
			fmt.Fprintf(&b, "- %s\n", s)
		}
		b.WriteString("\nNotes:\n\n")
		for _, n := range d.Notes {
			fmt.Fprintf(&b, "- %s\n", n)
		}
		fmt.Fprintf(&b, "\n```json\n%s```\n", doc)
		golden.Check(t, d.Key+".md", []byte(b.String()))
		fmt.Fprintf(&table, "| `%s` | %s | %s | %d |\n", d.Key, d.AddOn, d.Scopes, len(actions))
	}
	golden.Check(t, "presets.md", []byte(table.String()))
}

func TestPolicyName(t *testing.T) {
	for key, want := range map[string]string{"certManager": "preset-cert-manager", "xray": "preset-xray", "mountpointS3": "preset-mountpoint-s3"} {
		if got := PolicyName(key); got != want {
			t.Errorf("PolicyName(%q) = %q, want %q", key, got, want)
		}
	}
}

// TestDocumentsCountInTheInlineLimit: all presets together fit IAM's 10,240 characters
// for a role's inline policies, leaving room for the user's own.
func TestDocumentsCountInTheInlineLimit(t *testing.T) {
	var docs []string
	for _, doc := range mustRender(t, every()) {
		docs = append(docs, string(doc))
	}
	if err := policy.CheckInlinePoliciesSize("presets", docs, true); err != nil {
		t.Fatal(err)
	}
}

func TestRenderIsDeterministic(t *testing.T) {
	a, b := mustRender(t, every()), mustRender(t, every())
	for key := range a {
		if string(a[key]) != string(b[key]) {
			t.Errorf("%s renders differently twice", key)
		}
	}
}

func TestNothingAskedRendersNothing(t *testing.T) {
	if policies, errs := Render("presets", Presets{}); len(policies) != 0 || len(errs) != 0 {
		t.Errorf("Render(no presets) = %v, %v", policies, errs)
	}
}

func TestScopeErrors(t *testing.T) {
	for _, tt := range []struct {
		name    string
		presets Presets
		field   string
		want    string
	}{
		{"cert-manager without zones", Presets{CertManager: &HostedZones{}}, "roles.r.presets.certManager.hostedZoneArns", "required; list the hosted zones"},
		{"external-dns without zones", Presets{ExternalDNS: &HostedZones{}}, "roles.r.presets.externalDns.hostedZoneArns", "required"},
		{"a zone ID instead of an ARN", Presets{ExternalDNS: &HostedZones{HostedZoneARNs: []string{"Z0AAAAAAAAAAAAAAAAAAA"}}},
			"roles.r.presets.externalDns.hostedZoneArns[0]", "not an ARN; give an ARN such as \"arn:aws:route53:::hostedzone/"},
		{"star for zones", Presets{CertManager: &HostedZones{HostedZoneARNs: []string{"*"}}}, "roles.r.presets.certManager.hostedZoneArns[0]", "grants every resource"},
		{"a bucket ARN for zones", Presets{CertManager: &HostedZones{HostedZoneARNs: []string{bucket}}}, "roles.r.presets.certManager.hostedZoneArns[0]", "not an ARN of route53"},
		{"a zone twice", Presets{CertManager: &HostedZones{HostedZoneARNs: []string{zoneA, zoneA}}}, "roles.r.presets.certManager.hostedZoneArns[1]", "remove one"},
		{"zones of two partitions", Presets{CertManager: &HostedZones{HostedZoneARNs: []string{zoneA, "arn:aws-cn:route53:::hostedzone/Z1"}}},
			"roles.r.presets.certManager.hostedZoneArns[1]", "partition"},
		{"external-secrets without scope", Presets{ExternalSecrets: &ExternalSecrets{KMSKeyARNs: []string{kmsKey}}},
			"roles.r.presets.externalSecrets.secretArnPrefixes", "required unless parameterArnPrefixes"},
		{"secret prefix with a wildcard", Presets{ExternalSecrets: &ExternalSecrets{SecretARNPrefixes: []string{secrets + "*"}}},
			"roles.r.presets.externalSecrets.secretArnPrefixes[0]", "kind of resource"},
		{"secret prefix naming every secret", Presets{ExternalSecrets: &ExternalSecrets{SecretARNPrefixes: []string{"arn:aws:secretsmanager:us-west-2:123456789012:secret:"}}},
			"roles.r.presets.externalSecrets.secretArnPrefixes[0]", "kind of resource"},
		{"secret prefix of another account's wildcard", Presets{ExternalSecrets: &ExternalSecrets{SecretARNPrefixes: []string{"arn:aws:secretsmanager:us-west-2:*:secret:prod/"}}},
			"roles.r.presets.externalSecrets.secretArnPrefixes[0]", "not an ARN"},
		{"parameter prefix without region", Presets{ExternalSecrets: &ExternalSecrets{ParameterARNPrefixes: []string{"arn:aws:ssm::123456789012:parameter/prod/"}}},
			"roles.r.presets.externalSecrets.parameterArnPrefixes[0]", "names no region"},
		{"KMS alias", Presets{ExternalSecrets: &ExternalSecrets{SecretARNPrefixes: []string{secrets}, KMSKeyARNs: []string{"arn:aws:kms:us-west-2:123456789012:alias/prod"}}},
			"roles.r.presets.externalSecrets.kmsKeyArns[0]", "kind of resource"},
		{"velero without buckets", Presets{Velero: &Buckets{}}, "roles.r.presets.velero.bucketArns", "required; list the backup buckets"},
		{"velero bucket with a prefix", Presets{Velero: &Buckets{BucketARNs: []string{bucket + "/backups"}}}, "roles.r.presets.velero.bucketArns[0]", "kind of resource"},
		{"bucket ARN with an account", Presets{Velero: &Buckets{BucketARNs: []string{"arn:aws:s3::123456789012:prod"}}}, "roles.r.presets.velero.bucketArns[0]", "names an account"},
		{"amp without workspaces", Presets{AMP: &AMP{Query: true}}, "roles.r.presets.amp.workspaceArns", "required"},
		{"cloudwatch without log groups", Presets{CloudWatch: &CloudWatch{MetricNamespaces: []string{"CWAgent"}}}, "roles.r.presets.cloudwatch.logGroupArnPrefixes", "required"},
		{"cloudwatch into an AWS namespace", Presets{CloudWatch: &CloudWatch{LogGroupARNPrefixes: []string{logGroups}, MetricNamespaces: []string{"AWS/EC2"}}},
			"roles.r.presets.cloudwatch.metricNamespaces[0]", "reserved by AWS"},
		{"log group prefix naming every group", Presets{FluentBit: &LogGroups{LogGroupARNPrefixes: []string{"arn:aws:logs:us-west-2:123456789012:log-group:"}}},
			"roles.r.presets.fluentBit.logGroupArnPrefixes[0]", "kind of resource"},
		{"log group names instead of ARNs", Presets{FluentBit: &LogGroups{LogGroupARNPrefixes: []string{"/eksa/prod/"}}},
			"roles.r.presets.fluentBit.logGroupArnPrefixes[0]", "arn:aws:logs:"},
		{"ecr without repositories", Presets{ECRPull: &Repositories{}}, "roles.r.presets.ecrPull.repositoryArns", "repository/"},
		{"mountpoint without buckets", Presets{MountpointS3: &Buckets{}}, "roles.r.presets.mountpointS3.bucketArns", "required"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			policies, errs := Render("roles.r.presets", tt.presets)
			if len(errs) != 1 {
				t.Fatalf("errors = %v, want one", errs)
			}
			if len(policies) != 0 {
				t.Errorf("a preset with a bad scope was rendered: %v", policies)
			}
			wanterr.Check(t, tt.field, errs[0], tt.want)
		})
	}
}

// TestEveryProblemAtOnce: problems of several presets are all reported, and the
// presets without problems still render.
func TestEveryProblemAtOnce(t *testing.T) {
	policies, errs := Render("presets", Presets{CertManager: &HostedZones{}, Velero: &Buckets{}, XRay: &XRay{}})
	if len(errs) != 2 || len(policies) != 1 || policies[0].Key != "xray" {
		t.Errorf("policies = %v, errs = %v", policies, errs)
	}
}

// request is one call an add-on makes, and whether its preset must allow it.
type request struct {
	name string
	iameval.ActionRequest
	allow bool
}

func call(action, resource string, allow bool) request {
	return request{name: action + " on " + resource, ActionRequest: iameval.ActionRequest{Action: action, Resource: resource}, allow: allow}
}

// TestSemantics evaluates each preset with IAM's semantics: the calls the add-on makes
// on the scoped resources are allowed; the same calls elsewhere, and calls the add-on
// does not need, are refused.
func TestSemantics(t *testing.T) {
	docs := mustRender(t, every())
	txt := func(name string) map[string][]string {
		return map[string][]string{
			"route53:ChangeResourceRecordSetsRecordTypes":           {"TXT"},
			"route53:ChangeResourceRecordSetsNormalizedRecordNames": {name},
		}
	}
	withContext := func(r request, ctx map[string][]string, name string) request {
		r.Context, r.name = ctx, r.name+" ("+name+")"
		return r
	}
	const secretARN = "arn:aws:secretsmanager:us-west-2:123456789012:secret:prod/db-AbCdEf"
	const streamARN = "arn:aws:logs:us-west-2:123456789012:log-group:/eksa/prod/apps:log-stream:pod-1"
	cases := map[string][]request{
		"certManager": {
			withContext(call("route53:ChangeResourceRecordSets", zoneA, true), txt("_acme-challenge.app.example.com"), "challenge TXT"),
			withContext(call("route53:ChangeResourceRecordSets", zoneB, true), txt("_acme-challenge.example.org"), "challenge TXT in the second zone"),
			withContext(call("route53:ChangeResourceRecordSets", zoneOther, false), txt("_acme-challenge.example.net"), "another zone"),
			withContext(call("route53:ChangeResourceRecordSets", zoneA, false), map[string][]string{
				"route53:ChangeResourceRecordSetsRecordTypes":           {"A"},
				"route53:ChangeResourceRecordSetsNormalizedRecordNames": {"_acme-challenge.app.example.com"},
			}, "an A record"),
			withContext(call("route53:ChangeResourceRecordSets", zoneA, false), txt("www.example.com"), "TXT outside _acme-challenge"),
			call("route53:GetChange", "arn:aws:route53:::change/C2682N5HXP0BZ4", true),
			call("route53:ListResourceRecordSets", zoneA, true),
			call("route53:ListResourceRecordSets", zoneOther, false),
			call("route53:ListHostedZonesByName", "*", true),
			call("route53:DeleteHostedZone", zoneA, false),
		},
		"externalDns": {
			call("route53:ChangeResourceRecordSets", zoneA, true),
			call("route53:ChangeResourceRecordSets", zoneB, false),
			call("route53:ListResourceRecordSets", zoneA, true),
			call("route53:ListTagsForResource", zoneA, true),
			call("route53:ListTagsForResources", zoneA, true),
			call("route53:ListTagsForResources", zoneB, false),
			call("route53:ListHostedZones", "*", true),
			call("route53:CreateHostedZone", "*", false),
		},
		"externalSecrets": {
			call("secretsmanager:GetSecretValue", secretARN, true),
			call("secretsmanager:DescribeSecret", secretARN, true),
			call("secretsmanager:GetSecretValue", "arn:aws:secretsmanager:us-west-2:123456789012:secret:staging/db-AbCdEf", false),
			call("secretsmanager:GetSecretValue", "arn:aws:secretsmanager:us-west-2:210987654321:secret:prod/db-AbCdEf", false),
			call("secretsmanager:PutSecretValue", secretARN, false),
			call("secretsmanager:DeleteSecret", secretARN, false),
			call("ssm:GetParametersByPath", "arn:aws:ssm:us-west-2:123456789012:parameter/prod/app", true),
			call("ssm:GetParameter", "arn:aws:ssm:us-west-2:123456789012:parameter/staging/app", false),
			call("ssm:PutParameter", "arn:aws:ssm:us-west-2:123456789012:parameter/prod/app", false),
			call("kms:Decrypt", kmsKey, true),
			call("kms:Decrypt", "arn:aws:kms:us-west-2:123456789012:key/ffffffff-12ab-34cd-56ef-1234567890ab", false),
			call("kms:Encrypt", kmsKey, false),
			call("secretsmanager:ListSecrets", "*", true), // find: true
		},
		"velero": {
			call("s3:PutObject", bucket+"/backups/nightly/velero-backup.json", true),
			call("s3:GetObject", bucket+"/restic/x", true),
			call("s3:DeleteObject", bucket+"/backups/old", true),
			call("s3:ListBucket", bucket, true),
			call("s3:PutObject", bucketOther+"/backups/x", false),
			call("s3:ListBucket", bucketOther, false),
			call("s3:DeleteBucket", bucket, false),
			call("s3:PutBucketPolicy", bucket, false),
			call("ec2:CreateSnapshot", "arn:aws:ec2:us-west-2:123456789012:snapshot/*", false),
		},
		"amp": {
			call("aps:RemoteWrite", workspace, true),
			call("aps:QueryMetrics", workspace, true), // query: true
			call("aps:RemoteWrite", "arn:aws:aps:us-west-2:123456789012:workspace/ws-other", false),
			call("aps:DeleteWorkspace", workspace, false),
		},
		"cloudwatch": {
			call("logs:PutLogEvents", streamARN, true),
			call("logs:CreateLogGroup", "arn:aws:logs:us-west-2:123456789012:log-group:/eksa/prod/apps", true),
			call("logs:PutLogEvents", "arn:aws:logs:us-west-2:123456789012:log-group:/eksa/staging/apps:log-stream:pod-1", false),
			call("logs:DeleteLogGroup", "arn:aws:logs:us-west-2:123456789012:log-group:/eksa/prod/apps", false),
			call("logs:DescribeLogGroups", "*", true),
			withContext(call("cloudwatch:PutMetricData", "*", true), map[string][]string{"cloudwatch:namespace": {"CWAgent"}}, "CWAgent"),
			withContext(call("cloudwatch:PutMetricData", "*", false), map[string][]string{"cloudwatch:namespace": {"Billing"}}, "another namespace"),
		},
		"fluentBit": {
			call("logs:PutLogEvents", streamARN, true),
			call("logs:CreateLogStream", streamARN, true),
			call("logs:PutLogEvents", "arn:aws:logs:us-west-2:123456789012:log-group:/aws/lambda/x:log-stream:y", false),
			call("logs:DescribeLogGroups", "*", false),
		},
		"xray": {
			call("xray:PutTraceSegments", "*", true),
			call("xray:GetSamplingRules", "*", true),
			call("xray:BatchGetTraces", "*", false),
		},
		"ecrPull": {
			call("ecr:GetAuthorizationToken", "*", true),
			call("ecr:BatchGetImage", "arn:aws:ecr:us-west-2:123456789012:repository/platform/ingress", true),
			call("ecr:GetDownloadUrlForLayer", "arn:aws:ecr:us-west-2:123456789012:repository/platform/ingress", true),
			call("ecr:BatchGetImage", "arn:aws:ecr:us-west-2:123456789012:repository/team-b/app", false),
			call("ecr:BatchGetImage", "arn:aws:ecr:eu-west-1:123456789012:repository/platform/ingress", false),
			call("ecr:PutImage", "arn:aws:ecr:us-west-2:123456789012:repository/platform/ingress", false),
		},
		"mountpointS3": {
			call("s3:ListBucket", bucket, true),
			call("s3:GetObject", bucket+"/data/file", true),
			call("s3:PutObject", bucket+"/data/file", true),
			call("s3:GetObject", bucketOther+"/data/file", false),
			call("s3:PutBucketAcl", bucket, false),
		},
	}
	for _, d := range Definitions() {
		if len(cases[d.Key]) == 0 {
			t.Errorf("%s: no IAM-semantics cases", d.Key)
		}
	}
	for key, requests := range cases {
		for _, r := range requests {
			t.Run(key+"/"+r.name, func(t *testing.T) {
				got, err := iameval.Allows(docs[key], r.ActionRequest)
				if err != nil {
					t.Fatal(err)
				}
				if got != r.allow {
					t.Errorf("allowed = %v, want %v\n%s", got, r.allow, docs[key])
				}
			})
		}
	}
}

// TestOptionsAddOnlyTheirActions: without find, query or metric namespaces, the
// actions those options stand for are refused.
func TestOptionsAddOnlyTheirActions(t *testing.T) {
	docs := mustRender(t, Presets{
		ExternalSecrets: &ExternalSecrets{SecretARNPrefixes: []string{secrets}, ParameterARNPrefixes: []string{parameters}},
		AMP:             &AMP{WorkspaceARNs: []string{workspace}},
		CloudWatch:      &CloudWatch{LogGroupARNPrefixes: []string{logGroups}},
	})
	for key, r := range map[string]iameval.ActionRequest{
		"externalSecrets": {Action: "secretsmanager:ListSecrets", Resource: "*"},
		"amp":             {Action: "aps:QueryMetrics", Resource: workspace},
		"cloudwatch":      {Action: "cloudwatch:PutMetricData", Resource: "*", Context: map[string][]string{"cloudwatch:namespace": {"CWAgent"}}},
	} {
		if ok, err := iameval.Allows(docs[key], r); err != nil || ok {
			t.Errorf("%s allows %s without its option (err %v)", key, r.Action, err)
		}
	}
	if ok, _ := iameval.Allows(docs["externalSecrets"], iameval.ActionRequest{Action: "ssm:DescribeParameters", Resource: "*"}); ok {
		t.Error("externalSecrets allows ssm:DescribeParameters without find")
	}
}
