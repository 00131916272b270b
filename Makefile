# The two set-up commands of the README are `make dev` and `make test`; the rest are parts.
SHELL := /bin/bash
export PATH := /usr/local/bin:$(PATH)
NODE := node --no-node-snapshot

.PHONY: toolchain system-packages install examples compose-check typecheck lint test test-unit test-integration dev cluster-up cluster-down bench bench-quick bench-runtime bench-sandbox bench-warm bench-io bench-fn bench-node bench-async bench-compare migrate-up migrate-down

toolchain:
	@scripts/toolchain.sh

system-packages:
	@scripts/system-packages.sh

install: toolchain
	pnpm install --frozen-lockfile

## The examples and the compatibility corpus (compat/) are plain npm projects, as a user's
## would be: their node_modules are zipped by deploy.
examples:
	npm ci --prefix examples/slugify --no-audit --no-fund --loglevel=error
	npm ci --prefix examples/hono-app --no-audit --no-fund --loglevel=error
	npm ci --prefix compat --no-audit --no-fund --loglevel=error

typecheck:
	pnpm typecheck

lint:
	pnpm lint

## make test: toolchain, dependencies, typecheck, lint, then every test (unit + integration).
test: install examples system-packages typecheck lint compose-check
	pnpm test

## docker-compose.yml as Docker would read it (Debian's docker-compose; no engine needed).
compose-check: system-packages
	MINI_LAMBDA_API_KEY=compose-check-key-0123456789 docker-compose -f docker-compose.yml config --quiet

## make test-unit needs Node alone: a test that runs PostgreSQL, nginx, Prometheus or
## docker-compose (Debian packages; make test-integration installs them) is *.integration.test.ts.
test-unit: install
	pnpm test:unit

test-integration: install examples system-packages
	pnpm test:integration

## make dev: one instance on the embedded default (PGlite + files under DATA_DIR, default
## ./.mini-lambda) on 127.0.0.1:$${PORT:-8080}; prints the API key and how to deploy and invoke.
dev: install examples
	@echo "make dev: starting mini-lambda (embedded PGlite takes a few seconds)..."
	@MINI_LAMBDA_DEV=1 HOST=$${HOST:-127.0.0.1} exec $(NODE) packages/server/src/main.ts

## The production topology on 127.0.0.1 (real PostgreSQL, s3rver, 3 instances, nginx,
## Prometheus): CLUSTER_PORT (8080), CLUSTER_PROM_PORT (9090), MINI_LAMBDA_API_KEY.
cluster-up: install system-packages
	$(NODE) infra/cluster/main.ts up

cluster-down:
	$(NODE) infra/cluster/main.ts down

## make bench (= ./benchmark.sh): the default scenarios of bench/run.ts, under 5 minutes;
## results and SUMMARY.md in bench/results/. bench-quick: about a second of load each.
bench: install system-packages
	$(NODE) --expose-gc bench/run.ts

bench-quick: install system-packages
	$(NODE) --expose-gc bench/run.ts --quick

bench-runtime: install
	$(NODE) --expose-gc bench/runtime/run.ts

## Warm invoke of one instance vs a bare Hono route and workerd, interleaved (~1 min).
bench-warm: install
	$(NODE) bench/run.ts warm

## A function awaiting a 50 ms loopback upstream at 64 connections vs workerd; ideal 1,280 req/s (~1.5 min).
bench-io: install
	$(NODE) bench/run.ts io

## A fetch-style hello on GET /fn/hello vs the same module in workerd (~1 min).
bench-fn: install
	$(NODE) bench/run.ts fn

## createHash + Buffer warm vs plain Node and workerd nodejs_compat; jsonwebtoken cold (~1.5 min).
bench-node: install examples
	$(NODE) bench/run.ts node

## Async invocations on real PostgreSQL: enqueue 202/s vs a plain INSERT, enqueue latency,
## idle accept → start delay, on one instance and through nginx (~2 min).
bench-async: install system-packages
	$(NODE) bench/async/run.ts

## Before → after: warm, cold, runtime, density in BEFORE (default /tmp/before) and this tree, alternately (~15 min).
bench-compare: install
	$(NODE) --expose-gc bench/compare/run.ts $(if $(BEFORE),--before=$(BEFORE))

## Warm invoke throughput over HTTP: isolates in the server vs in sandbox processes (~2 min).
bench-sandbox: install
	$(NODE) bench/sandbox/run.ts

## make migrate-up / migrate-down: against DATABASE_URL; harmless when already applied.
migrate-up: install
	node packages/store/src/migrate-cli.ts up

migrate-down: install
	node packages/store/src/migrate-cli.ts down
