// Command kube-apiserver is the real Kubernetes API server, built from k8s.io/kubernetes in
// this module of its own so that k8s.io/kubernetes, and the replace directives it needs,
// never enter the product's go.mod. The tests built with the apiserver tag start it.
package main

import (
	"os"

	"k8s.io/component-base/cli"
	"k8s.io/kubernetes/cmd/kube-apiserver/app"
)

func main() {
	os.Exit(cli.Run(app.NewAPIServerCommand()))
}
