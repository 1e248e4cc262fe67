#!/usr/bin/env python3
# Writes the schema a stand-in serves (internal/awsstandin/schema.json, internal/tlsstandin/schema.json)
# from the real providers' Go SDKs in the module cache: every property name, Go type, required
# input and secret output as the SDK declares them, nested types as Any.
#   python3 standin/gen-schema.py aws > internal/awsstandin/schema.json
#   python3 standin/gen-schema.py tls > internal/tlsstandin/schema.json
import json, re, os, sys
MC = os.popen('go env GOMODCACHE').read().strip()

def parse_struct(src, name):
    m = re.search(r'^type %s struct \{\n(.*?)^\}' % re.escape(name), src, re.S | re.M)
    if not m: raise SystemExit('no struct %s' % name)
    out = []
    for line in m.group(1).splitlines():
        mm = re.match(r'\s+([A-Za-z0-9_]+)\s+(\S+)\s+`pulumi:"([a-zA-Z0-9]+)"`', line)
        if mm: out.append((mm.group(3), mm.group(2)))
    return out

def plain_type(t):
    t = t.lstrip('*')
    if t == 'string': return {"type": "string"}
    if t == 'bool': return {"type": "boolean"}
    if t == 'int': return {"type": "integer"}
    if t == 'float64': return {"type": "number"}
    if t == '[]string': return {"type": "array", "items": {"type": "string"}}
    if t == 'map[string]string': return {"type": "object", "additionalProperties": {"type": "string"}}
    if t == 'pulumi.AssetOrArchive': return {"$ref": "pulumi.json#/Asset"}
    return {"$ref": "pulumi.json#/Any"}

def out_type(t):
    base = {'pulumi.StringOutput': 'string', 'pulumi.StringPtrOutput': 'string', 'pulumi.BoolOutput': 'boolean',
            'pulumi.BoolPtrOutput': 'boolean', 'pulumi.IntOutput': 'integer', 'pulumi.IntPtrOutput': 'integer',
            'pulumi.Float64Output': 'number', 'pulumi.Float64PtrOutput': 'number'}
    if t in base: return {"type": base[t]}
    if t == 'pulumi.StringArrayOutput': return {"type": "array", "items": {"type": "string"}}
    if t == 'pulumi.StringMapOutput': return {"type": "object", "additionalProperties": {"type": "string"}}
    if t == 'pulumi.AssetOrArchiveOutput': return {"$ref": "pulumi.json#/Asset"}
    return {"$ref": "pulumi.json#/Any"}

def provider_config(path):
    """The provider's configuration as its Go SDK's providerArgs declares it, so programs
    that configure a real provider (region, assumeRole, profile...) type-check."""
    return {n: plain_type(t) for n, t in parse_struct(open(path).read(), 'providerArgs')}

def resource(path, typ, token):
    src = open(path).read()
    lower = typ[0].lower() + typ[1:]
    ins = parse_struct(src, lower + 'Args')
    outs = parse_struct(src, typ)
    req = re.findall(r'if args\.([A-Za-z0-9]+) == nil \{\n\s+return nil, errors.New', src)
    req = [r[0].lower() + r[1:] for r in req]
    secrets = re.findall(r'AdditionalSecretOutputs\(\[\]string\{(.*?)\}', src, re.S)
    secret_names = set(re.findall(r'"([a-zA-Z0-9]+)"', secrets[0])) if secrets else set()
    inprops = {}
    for n, t in ins:
        s = plain_type(t)
        if n in secret_names: s["secret"] = True
        inprops[n] = s
    props = {}
    for n, t in outs:
        s = out_type(t)
        if n in secret_names: s["secret"] = True
        props[n] = s
    required_out = [n for n, t in outs if not t.endswith('PtrOutput') and n in props]
    r = {"inputProperties": inprops, "properties": props, "required": sorted(required_out)}
    req = [x for x in req if x in inprops]
    if req: r["requiredInputs"] = sorted(req)
    return token, r

def function(path, token, argsname, resname):
    src = open(path).read()
    ins = parse_struct(src, argsname)
    outs = parse_struct(src, resname)
    return token, {
        "inputs": {"type": "object", "properties": {n: plain_type(t) for n, t in ins}},
        "outputs": {"type": "object", "properties": {n: plain_type(t) for n, t in outs},
                    "required": sorted(n for n, t in outs if not t.startswith('*'))},
    }

which = sys.argv[1]
if which == 'aws':
    base = MC + '/github.com/pulumi/pulumi-aws/sdk/v6@v6.83.4/go/aws/'
    types = {
        'aws:s3/bucketV2:BucketV2': 's3/bucketV2.go',
        'aws:s3/bucketObjectv2:BucketObjectv2': 's3/bucketObjectv2.go',
        'aws:s3/bucketPolicy:BucketPolicy': 's3/bucketPolicy.go',
        'aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock': 's3/bucketPublicAccessBlock.go',
        'aws:s3/bucketOwnershipControls:BucketOwnershipControls': 's3/bucketOwnershipControls.go',
        'aws:iam/openIdConnectProvider:OpenIdConnectProvider': 'iam/openIdConnectProvider.go',
        'aws:iam/role:Role': 'iam/role.go',
        'aws:iam/rolePolicy:RolePolicy': 'iam/rolePolicy.go',
        'aws:iam/rolePolicyAttachment:RolePolicyAttachment': 'iam/rolePolicyAttachment.go',
        'aws:iam/policy:Policy': 'iam/policy.go',
        'aws:cloudfront/originAccessControl:OriginAccessControl': 'cloudfront/originAccessControl.go',
        'aws:cloudfront/cachePolicy:CachePolicy': 'cloudfront/cachePolicy.go',
        'aws:cloudfront/distribution:Distribution': 'cloudfront/distribution.go',
        'aws:route53/record:Record': 'route53/record.go',
    }
    funcs = [('aws:index/getRegion:getRegion', 'getRegion.go', 'GetRegionArgs', 'GetRegionResult'),
             ('aws:index/getPartition:getPartition', 'getPartition.go', 'GetPartitionArgs', 'GetPartitionResult'),
             ('aws:acm/getCertificate:getCertificate', 'acm/getCertificate.go', 'LookupCertificateArgs', 'LookupCertificateResult')]
    name, version = 'aws', '6.83.4'
    config = provider_config(base + 'provider.go')
elif which == 'tls':
    base = MC + '/github.com/pulumi/pulumi-tls/sdk/v5@v5.2.0/go/tls/'
    types = {
        'tls:index/privateKey:PrivateKey': 'privateKey.go',
        'tls:index/selfSignedCert:SelfSignedCert': 'selfSignedCert.go',
        'tls:index/certRequest:CertRequest': 'certRequest.go',
        'tls:index/locallySignedCert:LocallySignedCert': 'locallySignedCert.go',
    }
    funcs = []
    name, version = 'tls', '5.2.0'
    config = provider_config(base + 'provider.go')

resources = {}
for tok, f in sorted(types.items()):
    typ = tok.split(':')[2]
    t, r = resource(base + f, typ, tok)
    r["description"] = "Stand-in for %s: same properties as the real provider's Go SDK declares." % tok
    resources[t] = r
functions = {}
for tok, f, a, res in funcs:
    t, fn = function(base + f, tok, a, res)
    fn["description"] = "Stand-in for %s." % tok
    functions[t] = fn
schema = {
    "name": name, "version": version,
    "description": "Test stand-in for the %s provider: same package name, version, tokens and property names." % name,
    "config": {"variables": config},
    "provider": {"inputProperties": config, "properties": config},
    "resources": resources,
    "functions": functions,
    "language": {},
    "meta": {"moduleFormat": "(.*)(?:/[^/]*)"},
}
json.dump(schema, sys.stdout, indent=2, sort_keys=True)
print()
