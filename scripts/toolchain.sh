#!/usr/bin/env bash
# Puts the toolchain in place on a fresh Debian machine that has only Node (20 or 24)
# and npm: Node 24 (isolated-vm 7 needs it) and pnpm 12.4.2. Idempotent and quiet when
# everything is already there.
set -euo pipefail

NODE_MAJOR=24
PNPM_VERSION=12.4.2
export PATH="/usr/local/bin:$PATH"

node_major() { node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }

sudo_if_needed() {
  if [[ $(id -u) -eq 0 ]]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
    echo "toolchain: need root to run: $*" >&2
    exit 1
  fi
}

if (( $(node_major) < NODE_MAJOR )); then
  echo "toolchain: node $(node --version 2>/dev/null || echo none) is older than ${NODE_MAJOR}; installing node@${NODE_MAJOR} into /usr/local"
  # A plain `npm i -g node@24` fails with EEXIST on /usr/bin/node; /usr/local/bin comes first on PATH.
  sudo_if_needed npm i -g --prefix /usr/local "node@${NODE_MAJOR}"
  hash -r
  if (( $(node_major) < NODE_MAJOR )); then
    echo "toolchain: node is still $(node --version); put /usr/local/bin first on PATH" >&2
    exit 1
  fi
fi

if [[ "$(pnpm --version 2>/dev/null || true)" != "$PNPM_VERSION" ]]; then
  echo "toolchain: installing pnpm@${PNPM_VERSION} into /usr/local"
  # --prefix: with node from /usr/local, npm's default global prefix would be node's own folder.
  sudo_if_needed npm i -g --prefix /usr/local "pnpm@${PNPM_VERSION}"
  hash -r
fi

echo "toolchain: node $(node --version), pnpm $(pnpm --version)"
