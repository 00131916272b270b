# The two set-up commands of the README are `make dev` and `make test`; the rest are parts.
SHELL := /bin/bash
export PATH := /usr/local/bin:$(PATH)
NODE := node --no-node-snapshot

.PHONY: toolchain system-packages install typecheck lint test test-unit test-integration dev bench bench-runtime migrate-up migrate-down

toolchain:
	@scripts/toolchain.sh

system-packages:
	@scripts/system-packages.sh

install: toolchain
	pnpm install --frozen-lockfile

typecheck:
	pnpm typecheck

lint:
	pnpm lint

## make test: toolchain, dependencies, typecheck, lint, then every test (unit + integration).
test: install system-packages typecheck lint
	pnpm test

test-unit: install
	pnpm test:unit

test-integration: install system-packages
	pnpm test:integration

## make dev: one instance on the embedded default. The server arrives with issue 4.
dev: install
	@echo "make dev: the HTTP server is not built yet (issue 4). Today: make test, make bench-runtime." >&2
	@exit 2

bench: bench-runtime

bench-runtime: install
	$(NODE) --expose-gc bench/runtime/run.ts

## make migrate-up / migrate-down: against DATABASE_URL; harmless when already applied.
migrate-up: install
	node packages/store/src/migrate-cli.ts up

migrate-down: install
	node packages/store/src/migrate-cli.ts down
