# The two commands: `make run` serves the API, `make test` passes the suite. Both install what they need.
SHELL := /bin/bash
NODE_STAMP := node_modules/.v2crm-installed

.PHONY: install build run test typecheck jest lint bench clean

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
