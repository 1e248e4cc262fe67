package provider

import _ "embed" // the long documentation of each resource

// The long documentation of each resource, with an example per language: the schema's
// description, which every SDK turns into doc comments and the registry shows as the
// resource's page. Kept as markdown so it reads and diffs as the documentation it is.
var (
	//go:embed docs/eksairsa.md
	eksaIrsaDoc string
	//go:embed docs/issuerbucket.md
	issuerBucketDoc string
	//go:embed docs/serviceaccountrole.md
	serviceAccountRoleDoc string
	//go:embed docs/issuercheck.md
	issuerCheckDoc string
	//go:embed docs/issueroidcprovider.md
	issuerOidcProviderDoc string
)
