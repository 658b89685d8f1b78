#!/usr/bin/env bash
# Installs what the PostgreSQL failover suite (make chaos) needs from Debian:
# Patroni and etcd. Starts nothing: the tests start their own etcd and two
# Patroni-managed PostgreSQL servers on loopback, in temporary directories.
# Safe to run again.
set -euo pipefail
missing=()
command -v patroni >/dev/null || missing+=(patroni)
command -v etcd >/dev/null || missing+=(etcd-server)
if ((${#missing[@]})); then
  echo "ensure-patroni: installing ${missing[*]} from Debian"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq --no-install-recommends "${missing[@]}" python3-etcd >/dev/null
fi
# The Debian etcd package may start its own server on 2379; the tests use their own ports.
command -v patroni >/dev/null && command -v etcd >/dev/null
ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null
echo "ensure-patroni: patroni $(patroni --version 2>&1 | awk '{print $2}'), etcd $(etcd --version 2>&1 | head -1 | awk '{print $3}')"
