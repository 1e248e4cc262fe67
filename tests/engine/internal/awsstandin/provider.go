// Package awsstandin simulates the slice of pulumi-aws v6.83.4 that the eksa-irsa
// component uses, for engine tests on machines where the real plugin cannot be built:
// the same package name, version, tokens and property names, the real provider's
// replace semantics and auto-naming, outputs in AWS's formats, S3 objects written to
// a local directory that a test server can serve, roles and OIDC providers kept in
// another that a test can change, and refusals injected at chosen calls.
package awsstandin

import (
	_ "embed"
	"fmt"
	"os"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"

	"github.com/eksa-irsa/pulumi-eksa-irsa/tests/engine/internal/standin"
)

// Identity of the real provider this plugin stands in for.
const (
	Name    = "aws"
	Version = "6.83.4"
	// AccountID is the account every ARN names.
	AccountID = "123456789012"
	// S3DirEnv names the directory that receives S3 objects as <bucket>/<key>.
	S3DirEnv = "EKSA_IRSA_STANDIN_S3_DIR"
	// IAMDirEnv names the directory that keeps the account's roles and OIDC providers
	// (RolesDir, OIDCProvidersDir).
	IAMDirEnv = "EKSA_IRSA_STANDIN_IAM_DIR"
)

// schema is the package schema: every resource and function token the stand-in
// simulates, with the property names and types of the real provider's Go SDK.
//
//go:embed schema.json
var schema []byte

// Schema returns the package schema GetSchema serves.
func Schema() []byte { return schema }

// Env is what the stand-in reads from its environment.
type Env struct {
	// S3Dir receives uploaded objects; empty keeps them nowhere.
	S3Dir string
	// IAMDir keeps roles and OIDC providers; empty keeps them nowhere.
	IAMDir string
	// Faults are the calls to refuse, as FaultsEnv describes; empty refuses none.
	Faults string
	// LogPath receives one JSON line per call; empty logs nothing.
	LogPath string
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// EnvFromOS reads EKSA_IRSA_STANDIN_S3_DIR, EKSA_IRSA_STANDIN_IAM_DIR,
// EKSA_IRSA_STANDIN_FAULTS and EKSA_IRSA_STANDIN_LOG.
func EnvFromOS() Env {
	return Env{S3Dir: os.Getenv(S3DirEnv), IAMDir: os.Getenv(IAMDirEnv), Faults: os.Getenv(FaultsEnv),
		LogPath: os.Getenv(standin.LogEnv)}
}

// New returns the stand-in aws provider.
func New(env Env) *standin.Provider {
	s3, iam := s3Store{dir: env.S3Dir}, iamStore{dir: env.IAMDir}
	return standin.New(standin.Options{
		Name:           Name,
		Version:        Version,
		Schema:         schema,
		Kinds:          kinds(s3, iam),
		Functions:      map[string]standin.Function{getRegionToken: getRegion, getPartitionToken: getPartition, getCertificateToken: getCertificate},
		CheckConfig:    checkConfig,
		ConfigReplaces: []string{"region"},
		LogPath:        env.LogPath,
		Now:            env.Now,
		Fault:          injector(env.Faults),
	})
}

// checkConfig requires a region, from the configuration or AWS_REGION /
// AWS_DEFAULT_REGION as the real provider reads them.
func checkConfig(news resource.PropertyMap) (resource.PropertyMap, []standin.Failure) {
	if _, ok := standin.String(news, "region"); ok || standin.Unknown(news, "region") {
		return news, nil
	}
	for _, env := range []string{"AWS_REGION", "AWS_DEFAULT_REGION"} {
		if r := os.Getenv(env); r != "" {
			out := standin.Copy(news)
			standin.Set(out, "region", r)
			return out, nil
		}
	}
	return news, []standin.Failure{{Property: "region", Reason: "Missing region information: set aws:region " +
		"(pulumi config set aws:region us-west-2) or AWS_REGION"}}
}

// region is the configured region.
func region(cfg resource.PropertyMap) string {
	return standin.StringOr(cfg, "region", "us-east-1")
}

// Function tokens.
const (
	getRegionToken    = "aws:index/getRegion:getRegion"
	getPartitionToken = "aws:index/getPartition:getPartition"
	// getCertificateToken looks up an ACM certificate by domain, as the documentation's
	// CloudFront programs find the certificate of their issuer's domain.
	getCertificateToken = "aws:acm/getCertificate:getCertificate"
)

// getRegion answers with the configured region (or the one asked for).
func getRegion(args, cfg resource.PropertyMap) (resource.PropertyMap, error) {
	name := standin.StringOr(args, "name", region(cfg))
	out := resource.PropertyMap{}
	standin.Set(out, "name", name)
	standin.Set(out, "id", name)
	standin.Set(out, "region", name)
	standin.Set(out, "description", "Stand-in region "+name)
	standin.Set(out, "endpoint", fmt.Sprintf("ec2.%s.amazonaws.com", name))
	return out, nil
}

// getCertificate answers that the account holds an issued certificate for the domain
// asked for, in the provider's region, with an ARN whose id, a UUID as ACM's are, is
// derived from the domain.
func getCertificate(args, cfg resource.PropertyMap) (resource.PropertyMap, error) {
	domain, ok := standin.String(args, "domain")
	if !ok || domain == "" {
		return nil, fmt.Errorf("stand-in getCertificate needs a domain")
	}
	d := standin.Digest(domain)
	arn := fmt.Sprintf("arn:aws:acm:%s:%s:certificate/%x-%x-%x-%x-%x", region(cfg), accountOf(cfg), d[0:4], d[4:6], d[6:8], d[8:10], d[10:16])
	out := resource.PropertyMap{}
	standin.Set(out, "arn", arn)
	standin.Set(out, "id", arn)
	standin.Set(out, "domain", domain)
	standin.Set(out, "status", "ISSUED")
	return out, nil
}

// getPartition answers for the commercial partition.
func getPartition(resource.PropertyMap, resource.PropertyMap) (resource.PropertyMap, error) {
	out := resource.PropertyMap{}
	standin.Set(out, "partition", "aws")
	standin.Set(out, "id", "aws")
	standin.Set(out, "dnsSuffix", "amazonaws.com")
	standin.Set(out, "reverseDnsPrefix", "com.amazonaws")
	return out, nil
}
