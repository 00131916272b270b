#!/usr/bin/env bash
# Debian packages the tests need, installed only when missing:
# - postgresql: initdb/pg_ctl for the integration tests' throwaway clusters;
# - docker-compose: `docker-compose config` checks docker-compose.yml (no Docker engine here);
# - nginx-light and prometheus: the loopback cluster (make cluster-up) runs the real ones.
set -euo pipefail

have_postgres() {
  command -v initdb >/dev/null 2>&1 && return 0
  compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null
}

missing=()
have_postgres || missing+=(postgresql)
command -v docker-compose >/dev/null 2>&1 || missing+=(docker-compose)
command -v nginx >/dev/null 2>&1 || [[ -x /usr/sbin/nginx ]] || missing+=(nginx-light)
command -v prometheus >/dev/null 2>&1 || missing+=(prometheus)

if ((${#missing[@]} > 0)); then
  echo "system-packages: installing Debian packages ${missing[*]}"
  if [[ $(id -u) -eq 0 ]]; then SUDO=(); else SUDO=(sudo); fi
  "${SUDO[@]}" apt-get update -qq
  # RUNLEVEL=1: invoke-rc.d leaves the packages' own services stopped; the cluster runs its own.
  DEBIAN_FRONTEND=noninteractive RUNLEVEL=1 "${SUDO[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
echo "system-packages: postgresql $(ls /usr/lib/postgresql 2>/dev/null | sort -n | tail -1), $(docker-compose version --short 2>/dev/null || echo 'no docker-compose'), $(/usr/sbin/nginx -v 2>&1 | cut -d/ -f2), prometheus $(prometheus --version 2>&1 | head -1 | awk '{print $3}')"
