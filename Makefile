# The two commands: `make run` serves the API, `make test` passes the suite. Both install what they need.
SHELL := /bin/bash
NODE_STAMP := node_modules/.v2crm-installed

.PHONY: install build run test typecheck jest lint bench clean faults

$(NODE_STAMP): package.json package-lock.json
	@command -v node >/dev/null || { echo "Node.js 20+ is required: https://nodejs.org"; exit 1; }
	@# npm ci rejects this lockfile under npm 11 with omit-lockfile-registry-resolved (platform-only optional
	@# packages have no entries); npm install keeps the locked versions.
	npm install --no-audit --no-fund
	@touch $@

install: $(NODE_STAMP)

build: install
	npx tsc -p tsconfig.build.json

## Serve on PORT (default 3000): embedded PostgreSQL under DATA_DIR (default ./data), or DATABASE_URL.
run: build
	node dist/src/main.js serve

## openapi.yaml against Redocly's recommended rules (redocly.yaml: strict, no telemetry).
lint: install
	REDOCLY_SUPPRESS_UPDATE_NOTICE=true npx redocly lint openapi.yaml

typecheck: install
	npx tsc -p tsconfig.json --noEmit

jest: install
	NODE_OPTIONS=--experimental-vm-modules npx jest

## The whole suite: type check, build (the CLI specs run dist/), then every spec
## (PGlite; a real server when TEST_DATABASE_URL is set).
test: build lint
	npx tsc -p tsconfig.json --noEmit
	NODE_OPTIONS=--experimental-vm-modules npx jest

## Benchmarks against the PostgreSQL in DATABASE_URL (default 127.0.0.1:5432); see bench/README.md.
## make bench BENCH_ARGS="--scale 0.1 --duration 5"
bench: build
	node bench/run.mjs $(BENCH_ARGS)

## The fault suite (not part of `make test`): real server processes killed with -9 under 8 writers
## (PGlite and PostgreSQL), a PostgreSQL cluster of its own stopped and restarted under load, SIGTERM
## under load, then the seeded fuzzer over openapi.yaml. Prints its figures (lines starting FAULTS/fuzz).
## make faults FUZZ_REQUESTS=100000 FUZZ_SEED=7
FUZZ_REQUESTS ?= 20000
FUZZ_SEED ?= 1
faults: build
	NODE_OPTIONS=--experimental-vm-modules npx jest -c faults/jest.config.js
	node faults/fuzz.mjs --requests $(FUZZ_REQUESTS) --seed $(FUZZ_SEED)

clean:
	rm -rf dist
