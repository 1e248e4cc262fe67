package preset

import "fmt"

// Sources of the action lists, named in each preset's documentation.
const (
	srcTerraform       = "terraform-aws-modules/terraform-aws-iam, modules/iam-role-for-service-accounts/policies.tf (v6)"
	srcCertManager     = "cert-manager, https://cert-manager.io/docs/configuration/acme/dns01/route53/"
	srcKops            = "kops, aws/cert-manager: Tighten IAM permissions for cert-manager, https://github.com/kubernetes/kops/pull/16412 (only _acme-challenge TXT records)"
	srcExternalDNS     = "external-dns, docs/tutorials/aws.md (IAM Policy)"
	srcExternalSecrets = "external-secrets, docs/provider/aws-secrets-manager.md and docs/provider/aws-parameter-store.md"
	srcVelero          = "velero-plugin-for-aws, README.md (Set permissions for Velero)"
	srcAMP             = "Amazon Managed Service for Prometheus User Guide, Set up IAM roles for service accounts (AmazonPrometheusRemoteWriteAccess)"
	srcCloudWatch      = "AWS managed policy CloudWatchAgentServerPolicy; CloudWatch User Guide, Create IAM roles and users for use with the CloudWatch agent"
	srcFluentBit       = "Fluent Bit, docs/pipeline/outputs/cloudwatch.md (Permissions)"
	srcXRay            = "AWS managed policy AWSXRayDaemonWriteAccess; X-Ray Developer Guide, Giving the daemon permission to send data to X-Ray"
	srcECR             = "Amazon ECR User Guide, Private repository policy examples; AWS managed policy AmazonEC2ContainerRegistryPullOnly"
	srcMountpoint      = "mountpoint-s3, doc/CONFIGURATION.md (IAM permissions)"
)

// registry lists every preset, in wire-name order of the table of docs/policy-presets.md.
var registry = []definition{
	{Definition{Key: "certManager", AddOn: "cert-manager (ACME DNS-01 with Route 53)", Scopes: "`hostedZoneArns`",
		Sources: []string{srcCertManager, srcKops, srcTerraform},
		Notes: []string{
			"route53:ChangeResourceRecordSets only for TXT records named _acme-challenge.*, the only records DNS-01 writes (kops' tightening of the cert-manager policy).",
			"route53:ListHostedZonesByName needs \"*\": IAM has no resource-level permission for it; cert-manager uses it to find the zone of a domain when the issuer names no hostedZoneID.",
		}}, renderCertManager},
	{Definition{Key: "externalDns", AddOn: "external-dns (Route 53)", Scopes: "`hostedZoneArns`",
		Sources: []string{srcExternalDNS, srcTerraform},
		Notes: []string{
			"route53:ListResourceRecordSets and the tag listings are limited to the zones, where the anchors grant them on \"*\": run external-dns with --zone-id-filter (or a domain filter) matching hostedZoneArns, so it reads only those zones.",
			"route53:ListTagsForResource and route53:ListTagsForResources: external-dns releases call one or the other to read zone tags.",
			"route53:ListHostedZones needs \"*\": IAM has no resource-level permission for it.",
		}}, renderExternalDNS},
	{Definition{Key: "externalSecrets", AddOn: "external-secrets (Secrets Manager, SSM Parameter Store)",
		Scopes:  "`secretArnPrefixes` and/or `parameterArnPrefixes`; `kmsKeyArns`, `find` optional",
		Sources: []string{srcExternalSecrets, srcTerraform},
		Notes: []string{
			"Each prefix is completed with \"*\" (secret ARNs end in a random suffix of 6 characters): the role reads the secrets and parameters whose ARN starts with it.",
			"No secretsmanager:ListSecrets, secretsmanager:BatchGetSecretValue or ssm:DescribeParameters unless find is true: they need \"*\" and reveal the names of every secret or parameter of the account; external-secrets needs them only for dataFrom.find.",
			"kms:Decrypt on kmsKeyArns, for secrets and SecureString parameters encrypted with a customer managed key.",
		}}, renderExternalSecrets},
	{Definition{Key: "velero", AddOn: "Velero (backups to S3)", Scopes: "`bucketArns`",
		Sources: []string{srcVelero, srcTerraform},
		Notes: []string{
			"No EC2 snapshot actions: EKS Anywhere nodes have no EBS volumes, so Velero backs volumes up with its file-system backup into the bucket.",
		}}, renderVelero},
	{Definition{Key: "amp", AddOn: "ADOT collector / Prometheus remote write to Amazon Managed Service for Prometheus",
		Scopes: "`workspaceArns`; `query` optional", Sources: []string{srcAMP, srcTerraform},
		Notes: []string{
			"aps:RemoteWrite only; query: true adds the read actions (aps:QueryMetrics, aps:GetSeries, aps:GetLabels, aps:GetMetricMetadata) the anchors grant always.",
		}}, renderAMP},
	{Definition{Key: "cloudwatch", AddOn: "CloudWatch agent (logs, and metrics with metricNamespaces)",
		Scopes: "`logGroupArnPrefixes`; `metricNamespaces` optional", Sources: []string{srcCloudWatch},
		Notes: []string{
			"Log actions on the log groups (and their streams) whose ARN starts with a prefix.",
			"logs:DescribeLogGroups needs \"*\": it lists log groups and IAM authorizes it on the account's log groups as a whole; the agent uses it to apply retention.",
			"cloudwatch:PutMetricData has no resource-level permission: it is granted on \"*\" only with metricNamespaces, and only for those namespaces (condition cloudwatch:namespace).",
			"No ec2:DescribeVolumes or ec2:DescribeTags (EKS Anywhere nodes are not EC2 instances) and no X-Ray actions (the xray preset).",
		}}, renderCloudWatch},
	{Definition{Key: "fluentBit", AddOn: "Fluent Bit (CloudWatch Logs output)", Scopes: "`logGroupArnPrefixes`",
		Sources: []string{srcFluentBit},
		Notes: []string{
			"logs:PutRetentionPolicy is for log_retention_days; log groups and streams outside the prefixes are refused.",
		}}, renderFluentBit},
	{Definition{Key: "xray", AddOn: "X-Ray daemon / ADOT traces", Scopes: "none",
		Sources: []string{srcXRay},
		Notes: []string{
			"Every action needs \"*\": X-Ray has no resource-level permissions for sending traces and reading sampling rules.",
		}}, renderXRay},
	{Definition{Key: "ecrPull", AddOn: "image pulls from private ECR repositories", Scopes: "`repositoryArns`",
		Sources: []string{srcECR},
		Notes: []string{
			"ecr:GetAuthorizationToken needs \"*\": the token is for the registry, not a repository; pulling is limited to repositoryArns (write repository/* for every repository of an account).",
		}}, renderECRPull},
	{Definition{Key: "mountpointS3", AddOn: "Mountpoint for Amazon S3 CSI driver", Scopes: "`bucketArns`",
		Sources: []string{srcMountpoint, srcTerraform},
		Notes: []string{
			"Objects of the buckets may be read, written and deleted, as a mounted file system needs; the anchors' fallback to every bucket (arn:aws:s3:::*) when none is given is an error here.",
		}}, renderMountpointS3},
}

func renderCertManager(field string, p Presets) ([]statement, []error) {
	if p.CertManager == nil {
		return nil, nil
	}
	zones, errs := scoped(field+".hostedZoneArns", p.CertManager.HostedZoneARNs, hostedZoneRule, "hosted zones")
	if len(errs) > 0 {
		return nil, errs
	}
	change := allow("CertManagerChangeChallengeRecords", []string{"route53:ChangeResourceRecordSets"}, texts(zones, ""))
	change.Condition = map[string]map[string][]string{
		"ForAllValues:StringEquals": {"route53:ChangeResourceRecordSetsRecordTypes": {"TXT"}},
		"ForAllValues:StringLike":   {"route53:ChangeResourceRecordSetsNormalizedRecordNames": {"_acme-challenge.*"}},
	}
	return []statement{
		allow("CertManagerGetChange", []string{"route53:GetChange"}, []string{"arn:" + zones[0].partition + ":route53:::change/*"}),
		change,
		allow("CertManagerListRecords", []string{"route53:ListResourceRecordSets"}, texts(zones, "")),
		allow("CertManagerFindZones", []string{"route53:ListHostedZonesByName"}, anyResource),
	}, nil
}

func renderExternalDNS(field string, p Presets) ([]statement, []error) {
	if p.ExternalDNS == nil {
		return nil, nil
	}
	zones, errs := scoped(field+".hostedZoneArns", p.ExternalDNS.HostedZoneARNs, hostedZoneRule, "hosted zones")
	if len(errs) > 0 {
		return nil, errs
	}
	return []statement{
		allow("ExternalDnsChangeRecords", []string{"route53:ChangeResourceRecordSets"}, texts(zones, "")),
		allow("ExternalDnsReadZones", []string{"route53:ListResourceRecordSets", "route53:ListTagsForResource", "route53:ListTagsForResources"}, texts(zones, "")),
		allow("ExternalDnsListZones", []string{"route53:ListHostedZones"}, anyResource),
	}, nil
}

func renderExternalSecrets(field string, p Presets) ([]statement, []error) {
	es := p.ExternalSecrets
	if es == nil {
		return nil, nil
	}
	if len(es.SecretARNPrefixes) == 0 && len(es.ParameterARNPrefixes) == 0 {
		return nil, []error{fmt.Errorf("%s.secretArnPrefixes: required unless parameterArnPrefixes is given; list the ARN prefixes of the secrets "+
			"(e.g. [%q]) or parameters (e.g. [%q]) external-secrets may read", field, secretPrefixRule.example, parameterPrefixRule.example)}
	}
	secrets, errs := parseScopes(field+".secretArnPrefixes", es.SecretARNPrefixes, secretPrefixRule)
	parameters, more := parseScopes(field+".parameterArnPrefixes", es.ParameterARNPrefixes, parameterPrefixRule)
	errs = append(errs, more...)
	keys, more := parseScopes(field+".kmsKeyArns", es.KMSKeyARNs, kmsKeyRule)
	errs = append(errs, more...)
	if len(errs) > 0 {
		return nil, errs
	}
	var out []statement
	if len(secrets) > 0 {
		out = append(out, allow("ExternalSecretsReadSecrets", []string{
			"secretsmanager:DescribeSecret", "secretsmanager:GetResourcePolicy",
			"secretsmanager:GetSecretValue", "secretsmanager:ListSecretVersionIds",
		}, texts(secrets, "*")))
		if es.Find {
			out = append(out, allow("ExternalSecretsFindSecrets", []string{"secretsmanager:BatchGetSecretValue", "secretsmanager:ListSecrets"}, anyResource))
		}
	}
	if len(parameters) > 0 {
		out = append(out, allow("ExternalSecretsReadParameters", []string{
			"ssm:GetParameter", "ssm:GetParameters", "ssm:GetParametersByPath",
		}, texts(parameters, "*")))
		if es.Find {
			out = append(out, allow("ExternalSecretsFindParameters", []string{"ssm:DescribeParameters"}, anyResource))
		}
	}
	if len(keys) > 0 {
		out = append(out, allow("ExternalSecretsDecrypt", []string{"kms:Decrypt"}, texts(keys, "")))
	}
	return out, nil
}

func renderVelero(field string, p Presets) ([]statement, []error) {
	if p.Velero == nil {
		return nil, nil
	}
	buckets, errs := scoped(field+".bucketArns", p.Velero.BucketARNs, bucketRule, "backup buckets")
	if len(errs) > 0 {
		return nil, errs
	}
	return []statement{
		allow("VeleroObjects", []string{
			"s3:AbortMultipartUpload", "s3:DeleteObject", "s3:GetObject",
			"s3:ListMultipartUploadParts", "s3:PutObject", "s3:PutObjectTagging",
		}, texts(buckets, "/*")),
		allow("VeleroListBucket", []string{"s3:ListBucket"}, texts(buckets, "")),
	}, nil
}

func renderAMP(field string, p Presets) ([]statement, []error) {
	if p.AMP == nil {
		return nil, nil
	}
	workspaces, errs := scoped(field+".workspaceArns", p.AMP.WorkspaceARNs, workspaceRule, "workspaces")
	if len(errs) > 0 {
		return nil, errs
	}
	out := []statement{allow("AmpRemoteWrite", []string{"aps:RemoteWrite"}, texts(workspaces, ""))}
	if p.AMP.Query {
		out = append(out, allow("AmpQuery", []string{"aps:GetLabels", "aps:GetMetricMetadata", "aps:GetSeries", "aps:QueryMetrics"}, texts(workspaces, "")))
	}
	return out, nil
}

// logActions are what a log shipper does to its log groups and streams.
var logActions = []string{"logs:CreateLogGroup", "logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents", "logs:PutRetentionPolicy"}

func renderCloudWatch(field string, p Presets) ([]statement, []error) {
	cw := p.CloudWatch
	if cw == nil {
		return nil, nil
	}
	groups, errs := scoped(field+".logGroupArnPrefixes", cw.LogGroupARNPrefixes, logGroupPrefixRule, "log groups by ARN prefix")
	seen := map[string]int{}
	for i, ns := range cw.MetricNamespaces {
		entry := fmt.Sprintf("%s.metricNamespaces[%d]", field, i)
		switch first, dup := seen[ns]; {
		case ns == "" || len(ns) > 255:
			errs = append(errs, fmt.Errorf("%s: %q is not a CloudWatch namespace; give 1 to 255 characters, e.g. \"CWAgent\"", entry, ns))
		case dup:
			errs = append(errs, fmt.Errorf("%s: %q repeats %s.metricNamespaces[%d]; remove one", entry, ns, field, first))
		case len(ns) >= 4 && ns[:4] == "AWS/":
			errs = append(errs, fmt.Errorf("%s: %q is reserved by AWS; the agent publishes into its own namespaces such as \"CWAgent\"", entry, ns))
		}
		seen[ns] = i
	}
	if len(errs) > 0 {
		return nil, errs
	}
	out := []statement{
		allow("CloudWatchAgentLogs", logActions, texts(groups, "*")),
		allow("CloudWatchAgentDescribeLogGroups", []string{"logs:DescribeLogGroups"}, anyResource),
	}
	if len(cw.MetricNamespaces) > 0 {
		metrics := allow("CloudWatchAgentMetrics", []string{"cloudwatch:PutMetricData"}, anyResource)
		metrics.Condition = map[string]map[string][]string{"StringEquals": {"cloudwatch:namespace": cw.MetricNamespaces}}
		out = append(out, metrics)
	}
	return out, nil
}

func renderFluentBit(field string, p Presets) ([]statement, []error) {
	if p.FluentBit == nil {
		return nil, nil
	}
	groups, errs := scoped(field+".logGroupArnPrefixes", p.FluentBit.LogGroupARNPrefixes, logGroupPrefixRule, "log groups by ARN prefix")
	if len(errs) > 0 {
		return nil, errs
	}
	return []statement{allow("FluentBitLogs", []string{
		"logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents", "logs:PutRetentionPolicy",
	}, texts(groups, "*"))}, nil
}

func renderXRay(_ string, p Presets) ([]statement, []error) {
	if p.XRay == nil {
		return nil, nil
	}
	return []statement{allow("XRayWrite", []string{
		"xray:GetSamplingRules", "xray:GetSamplingStatisticSummaries", "xray:GetSamplingTargets",
		"xray:PutTelemetryRecords", "xray:PutTraceSegments",
	}, anyResource)}, nil
}

func renderECRPull(field string, p Presets) ([]statement, []error) {
	if p.ECRPull == nil {
		return nil, nil
	}
	repos, errs := scoped(field+".repositoryArns", p.ECRPull.RepositoryARNs, repositoryRule, "repositories")
	if len(errs) > 0 {
		return nil, errs
	}
	return []statement{
		allow("EcrAuthorizationToken", []string{"ecr:GetAuthorizationToken"}, anyResource),
		allow("EcrPull", []string{"ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"}, texts(repos, "")),
	}, nil
}

func renderMountpointS3(field string, p Presets) ([]statement, []error) {
	if p.MountpointS3 == nil {
		return nil, nil
	}
	buckets, errs := scoped(field+".bucketArns", p.MountpointS3.BucketARNs, bucketRule, "buckets to mount")
	if len(errs) > 0 {
		return nil, errs
	}
	return []statement{
		allow("MountpointListBucket", []string{"s3:ListBucket"}, texts(buckets, "")),
		allow("MountpointObjects", []string{"s3:AbortMultipartUpload", "s3:DeleteObject", "s3:GetObject", "s3:PutObject"}, texts(buckets, "/*")),
	}, nil
}
