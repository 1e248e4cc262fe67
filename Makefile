# The whole set-up is `make` (plugin, schema, SDKs) then `make test`.

VERSION     := $(shell cat VERSION)
PLUGIN      := pulumi-resource-eksa-irsa
GO_LDFLAGS  := -X github.com/eksa-irsa/pulumi-eksa-irsa/provider.Version=$(VERSION)
SDKGEN      := go run ./provider/cmd/sdkgen -version $(VERSION)

NODE_TESTS  := tests/nodejs
PY_VENV     := tests/python/.venv
PYTHON      ?= python3
FUZZTIME    ?= 60s
BENCH_RUNS  ?= 20
BENCH_COUNT ?= 5

.PHONY: all build generate fuzz bench test test-go test-apiserver kube-apiserver test-nodejs test-python test-sdk-replay clean-recordings check-generated

all: build generate

# The provider plugin, version-stamped, where Pulumi.yaml's local plugin path expects it.
build:
	go build -trimpath -ldflags "$(GO_LDFLAGS)" -o bin/$(PLUGIN) ./provider/cmd/$(PLUGIN)

# schema.json and sdk/{go,nodejs,python}, written by the one generator; never edit them.
generate:
	$(SDKGEN) -out .

# Go, then each SDK under its language's mocks (each records what it sends for the shared
# program of tests/sdk), then the replay of those recordings through the provider.
test: clean-recordings test-go test-apiserver test-nodejs test-python test-sdk-replay check-generated

clean-recordings:
	rm -rf tests/sdk/recorded

test-go:
	@unformatted=$$(gofmt -l provider internal bench tests examples); if [ -n "$$unformatted" ]; then echo "gofmt needed: $$unformatted"; exit 1; fi
	go vet ./...
	go build ./...
	go test -count=1 ./...
	go test -run='^$$' -fuzz='^FuzzParse$$' -fuzztime=3s ./internal/signingkey
	go test -run='^$$' -fuzz='^FuzzValidateURL$$' -fuzztime=3s ./internal/issuer

# A real kube-apiserver, built from k8s.io/kubernetes in its own module (tests/kubeapiserver)
# so that neither it nor its replace directives enter the product's go.mod. The first build
# takes minutes; after that the build cache makes it take seconds.
KUBE_VERSION = $(shell cd tests/kubeapiserver && go list -m -f '{{.Version}}' k8s.io/kubernetes)
kube-apiserver:
	cd tests/kubeapiserver && go build -trimpath -o ../../bin/kube-apiserver \
		-ldflags "-X k8s.io/component-base/version.gitVersion=$(KUBE_VERSION)" .

# The tests tagged apiserver run that kube-apiserver, with etcd (tests/kubeapiserver/ensure-etcd
# installs Debian's etcd-server when no etcd is on PATH), on loopback ports of their own.
test-apiserver: kube-apiserver
	tests/kubeapiserver/ensure-etcd
	go vet -tags apiserver ./provider/
	EKSA_IRSA_KUBE_APISERVER=$(CURDIR)/bin/kube-apiserver go test -count=1 -tags apiserver -run '^TestAPIServer' ./provider/

# TypeScript: the generated SDK built with its own tsconfig, examples/nodejs type-checked,
# both run under @pulumi/pulumi's mocks; installs only what the committed lockfile pins.
test-nodejs:
	cd $(NODE_TESTS) && npm ci --no-audit --no-fund && npm run build && npm test

$(PY_VENV)/.installed: tests/python/requirements.txt
	$(PYTHON) -m venv $(PY_VENV)
	$(PY_VENV)/bin/pip install -q -r tests/python/requirements.txt
	touch $@

# Python: the generated SDK installed into a virtualenv (from a copy: setuptools builds
# in the source tree, which must stay exactly what the generator wrote), the program and examples/python
# run under pulumi's mocks.
test-python: $(PY_VENV)/.installed
	rm -rf tests/python/build && mkdir -p tests/python/build && cp -r sdk/python tests/python/build/sdk
	$(PY_VENV)/bin/pip install -q --force-reinstall --no-deps ./tests/python/build/sdk
	cd tests/python && .venv/bin/python -m pytest -q

test-sdk-replay:
	EKSA_IRSA_REQUIRE_RECORDINGS=1 go test -count=1 -run 'TestSDKRecordings' ./provider/

# Fails when the committed schema.json or sdk/ differ from what the generator writes now.
check-generated:
	@tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
	mkdir -p "$$tmp/sdk" && $(SDKGEN) -out "$$tmp" && \
	diff -ru schema.json "$$tmp/schema.json" && diff -ru sdk "$$tmp/sdk" && \
	echo "schema.json and sdk/ match the generator"

# Longer fuzzing of key parsing and issuer URL validation (go test -fuzz takes one target
# per run); a failing input is written to testdata/fuzz/<FuzzName>/ and from then on run
# by go test.
fuzz:
	go test -run='^$$' -fuzz='^FuzzParse$$' -fuzztime=$(FUZZTIME) ./internal/signingkey
	go test -run='^$$' -fuzz='^FuzzValidateURL$$' -fuzztime=$(FUZZTIME) ./internal/issuer

# Benchmarks, not part of `make test` (they measure and assert nothing): the plugin's
# binary size, start-up and memory next to the bench/baseline fixture, then the Construct
# and computeJwks benchmarks of provider/bench_test.go, as one markdown table. README.md's
# "Benchmarks" section holds the latest output. BENCH_RUNS start-ups per plugin and
# BENCH_COUNT runs per Go benchmark; the table shows medians.
bench:
	@go run ./bench/cmd/benchtable -runs $(BENCH_RUNS) -count $(BENCH_COUNT)
