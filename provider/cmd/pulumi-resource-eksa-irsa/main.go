// Command pulumi-resource-eksa-irsa is the eksa-irsa provider plugin that the Pulumi
// engine starts; it only serves the provider.
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/eksa-irsa/pulumi-eksa-irsa/provider"
)

func main() {
	if err := provider.Provider().Run(context.Background(), provider.Name, provider.Version); err != nil {
		fmt.Fprintf(os.Stderr, "%s: %v\n", provider.Name, err)
		os.Exit(1)
	}
}
