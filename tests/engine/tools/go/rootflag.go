package main

import (
	"os"
	"slices"
	"strings"
)

// init drops the -root=<dir> argument before the host parses its flags. The YAML language
// host the suite runs (pulumi-yaml v1.25.0, the newest the module proxy serves here) is
// built on Pulumi's sdk v3.206.0, whose plugin host starts a language host with
// -root=<project root>, to build and run a plugin from source (PulumiPlugin.yaml, runtime:
// go) when it loads the plugin's schema; the Go host of the later tag this module builds
// no longer defines that flag and exits with its usage, so the YAML program could not use
// such a plugin. The CLI of this suite no longer passes it, and this host takes the
// project's root from each request instead, so nothing is lost.
func init() {
	os.Args = slices.DeleteFunc(os.Args, func(arg string) bool { return strings.HasPrefix(arg, "-root=") })
}
