package awsstandin

import (
	"fmt"
	"strings"

	"github.com/eksa-irsa/pulumi-eksa-irsa/tests/engine/internal/standin"
)

// FaultsEnv names the faults to inject: a comma-separated list of
// <Method>:<type token>:<Code>, such as "Create:aws:iam/role:Role:Throttling", each making
// every such call (Create, Update, Delete or Read; never a preview) fail as AWS refuses it.
const FaultsEnv = "EKSA_IRSA_STANDIN_FAULTS"

// faultCodes are the refusals the stand-in can inject: HTTP status, message, and whether
// the AWS SDK retries it (the provider then gives up after its 25 attempts).
var faultCodes = map[string]struct {
	status  int
	message string
	retried bool
}{
	"Throttling":          {400, "Rate exceeded", true},
	"ExpiredToken":        {403, "The security token included in the request is expired", false},
	"EntityAlreadyExists": {409, "", false},
}

// fault is one injected refusal.
type fault struct {
	method, token, code string
}

// parseFaults reads a FaultsEnv value.
func parseFaults(spec string) ([]fault, error) {
	var out []fault
	for _, entry := range strings.Split(spec, ",") {
		entry = strings.TrimSpace(entry)
		if entry == "" {
			continue
		}
		first, last := strings.Index(entry, ":"), strings.LastIndex(entry, ":")
		if first < 0 || first == last {
			return nil, fmt.Errorf("%s: %q is not <Method>:<type token>:<Code>", FaultsEnv, entry)
		}
		f := fault{method: entry[:first], token: entry[first+1 : last], code: entry[last+1:]}
		switch f.method {
		case "Create", "Update", "Delete", "Read":
		default:
			return nil, fmt.Errorf("%s: %q: method %q is not Create, Update, Delete or Read", FaultsEnv, entry, f.method)
		}
		if _, ok := faultCodes[f.code]; !ok {
			return nil, fmt.Errorf("%s: %q: code %q is not one of Throttling, ExpiredToken, EntityAlreadyExists",
				FaultsEnv, entry, f.code)
		}
		if _, ok := replaces[f.token]; !ok {
			return nil, fmt.Errorf("%s: %q: %q is not a resource type the stand-in simulates", FaultsEnv, entry, f.token)
		}
		out = append(out, f)
	}
	return out, nil
}

// injector answers Fault for the faults of spec; a spec it cannot read fails every call
// with the reason, so a test cannot mistake a typo for a fault that never fires.
func injector(spec string) func(method string, r *standin.Request) error {
	if strings.TrimSpace(spec) == "" {
		return nil
	}
	faults, err := parseFaults(spec)
	return func(method string, r *standin.Request) error {
		if err != nil {
			return err
		}
		for _, f := range faults {
			if f.method == method && f.token == string(r.URN.Type()) {
				return awsError(method, r, f.code)
			}
		}
		return nil
	}
}

// awsError is a refusal as pulumi-aws prints it: the provider's action, then the AWS
// SDK's "operation error" with the HTTP status and request id, then the API's code and
// message.
func awsError(method string, r *standin.Request, code string) error {
	c := faultCodes[code]
	action, operation := describe(method, r)
	message := c.message
	if code == "EntityAlreadyExists" {
		message = entityAlreadyExists(r)
	}
	attempts := ""
	if c.retried {
		attempts = "exceeded maximum number of attempts, 25, "
	}
	requestID := standin.UUID(standin.Digest(string(r.URN), method, code))
	return fmt.Errorf("%s: operation error %s, %shttps response error StatusCode: %d, RequestID: %s, api error %s: %s",
		action, operation, attempts, c.status, requestID, code, message)
}

// entityAlreadyExists is IAM's message for a name or URL another resource holds.
func entityAlreadyExists(r *standin.Request) string {
	switch string(r.URN.Type()) {
	case oidcProviderToken:
		return fmt.Sprintf("Provider with url %s already exists.", standin.StringOr(r.Inputs, "url", ""))
	case roleToken:
		return fmt.Sprintf("Role with name %s already exists.", standin.StringOr(r.Inputs, "name", r.ID))
	}
	return "The request was rejected because it attempted to create a resource that already exists."
}

// describe is the provider's wording of a call (its error prefix) and the AWS SDK's
// "<service>: <API>" of the request it makes.
func describe(method string, r *standin.Request) (action, operation string) {
	name := r.ID
	if name == "" {
		name = standin.StringOr(r.Inputs, "name", standin.StringOr(r.Inputs, "bucket", r.URN.Name()))
	}
	verbs := map[string]string{"Create": "creating", "Update": "updating", "Delete": "deleting", "Read": "reading"}
	switch string(r.URN.Type()) {
	case roleToken:
		action := fmt.Sprintf("%s IAM Role (%s)", verbs[method], name)
		if method == "Update" {
			action += " assume role policy" // the one update the component makes
		}
		return action, "IAM: " + map[string]string{
			"Create": "CreateRole", "Update": "UpdateAssumeRolePolicy", "Delete": "DeleteRole", "Read": "GetRole"}[method]
	case oidcProviderToken:
		action := fmt.Sprintf("%s IAM OIDC Provider (%s)", verbs[method], r.ID)
		if method == "Create" {
			action = "creating IAM OIDC Provider"
		}
		return action, "IAM: " + map[string]string{"Create": "CreateOpenIDConnectProvider",
			"Update": "UpdateOpenIDConnectProviderThumbprint", "Delete": "DeleteOpenIDConnectProvider",
			"Read": "GetOpenIDConnectProvider"}[method]
	case attachmentToken:
		return fmt.Sprintf("%s IAM Role (%s) policy attachment (%s)", verbs[method], standin.StringOr(r.Inputs, "role", ""),
				standin.StringOr(r.Inputs, "policyArn", "")), "IAM: " + map[string]string{"Create": "AttachRolePolicy",
				"Update": "AttachRolePolicy", "Delete": "DetachRolePolicy", "Read": "ListAttachedRolePolicies"}[method]
	case bucketObjectToken:
		key, bucket := standin.StringOr(r.Inputs, "key", r.ID), bucketOf(r.Inputs)
		if method == "Create" || method == "Update" {
			return fmt.Sprintf("uploading S3 Object (%s) to Bucket (%s)", key, bucket), "S3: PutObject"
		}
		return fmt.Sprintf("%s S3 Bucket (%s) Object (%s)", verbs[method], bucket, key), "S3: " + map[string]string{
			"Delete": "DeleteObject", "Read": "HeadObject"}[method]
	}
	typeName := r.URN.Type().Name().String()
	return fmt.Sprintf("%s %s (%s)", verbs[method], typeName, name), serviceOf(r.URN.Type().Module().String()) + ": " + method + typeName
}

// serviceOf is the AWS SDK's service name of a pulumi-aws module such as "aws:s3/bucketV2".
func serviceOf(module string) string {
	mod := module[strings.Index(module, ":")+1:]
	if i := strings.Index(mod, "/"); i >= 0 {
		mod = mod[:i]
	}
	switch mod {
	case "s3", "iam":
		return strings.ToUpper(mod)
	case "cloudfront":
		return "CloudFront"
	case "route53":
		return "Route 53"
	}
	return mod
}
