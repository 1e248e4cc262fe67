// Command kube-controller-manager is the real controller manager, from the same
// k8s.io/kubernetes module as the API server beside it. The engine tests run its
// garbage-collector and namespace controllers (without them every foreground delete by the
// kubernetes provider waits on a finalizer nobody removes) and its deployment and
// replica-set controllers (so a Helm release's Deployment becomes ready honestly).
package main

import (
	"os"

	"k8s.io/component-base/cli"
	"k8s.io/kubernetes/cmd/kube-controller-manager/app"
)

func main() {
	os.Exit(cli.Run(app.NewControllerManagerCommand()))
}
