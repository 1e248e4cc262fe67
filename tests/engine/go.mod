module github.com/eksa-irsa/pulumi-eksa-irsa/tests/engine

go 1.26.6

// The engine suite imports the product's internal test harnesses (the real kube-apiserver,
// the test CA) from the checkout it tests, never a published copy.
replace github.com/eksa-irsa/pulumi-eksa-irsa => ../..

require (
	github.com/eksa-irsa/pulumi-eksa-irsa v0.0.0
	gopkg.in/yaml.v3 v3.0.1
)

require github.com/go-jose/go-jose/v4 v4.1.9 // indirect
