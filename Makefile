# The whole set-up is `make` (plugin, schema, SDKs) then `make test`.

VERSION     := $(shell cat VERSION)
PLUGIN      := pulumi-resource-eksa-irsa
GO_LDFLAGS  := -X github.com/eksa-irsa/pulumi-eksa-irsa/provider.Version=$(VERSION)
SDKGEN      := go run ./provider/cmd/sdkgen -version $(VERSION)

.PHONY: all build generate test test-go check-generated

all: build generate

# The provider plugin, version-stamped, where Pulumi.yaml's local plugin path expects it.
build:
	go build -trimpath -ldflags "$(GO_LDFLAGS)" -o bin/$(PLUGIN) ./provider/cmd/$(PLUGIN)

# schema.json and sdk/{go,nodejs,python}, written by the one generator; never edit them.
generate:
	$(SDKGEN) -out .

test: test-go check-generated

test-go:
	@unformatted=$$(gofmt -l provider internal); if [ -n "$$unformatted" ]; then echo "gofmt needed: $$unformatted"; exit 1; fi
	go vet ./...
	go build ./...
	go test -count=1 ./...

# Fails when the committed schema.json or sdk/ differ from what the generator writes now.
check-generated:
	@tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
	mkdir -p "$$tmp/sdk" && $(SDKGEN) -out "$$tmp" && \
	diff -ru schema.json "$$tmp/schema.json" && diff -ru sdk "$$tmp/sdk" && \
	echo "schema.json and sdk/ match the generator"
