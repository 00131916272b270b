#!/usr/bin/env bash
# Debian packages the tests need: PostgreSQL's server binaries (initdb, pg_ctl) for the
# integration tests. Installed only when missing.
set -euo pipefail

have_postgres() {
  command -v initdb >/dev/null 2>&1 && return 0
  compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null
}

if ! have_postgres; then
  echo "system-packages: installing Debian package postgresql"
  if [[ $(id -u) -eq 0 ]]; then SUDO=(); else SUDO=(sudo); fi
  "${SUDO[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${SUDO[@]}" apt-get install -y -qq postgresql >/dev/null
fi
echo "system-packages: postgresql $(ls /usr/lib/postgresql 2>/dev/null | sort -n | tail -1)"
