#!/usr/bin/env bash
# Makes sure the servers the tests use run on loopback: Redis (6379),
# PostgreSQL (5432) and RabbitMQ (5672). Installs them from Debian when
# missing and starts whichever is not listening. Installs Prometheus too
# (the tests start their own server and run promtool; the package's own
# service is not started). Safe to run again.
set -euo pipefail

listening() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

wait_for() {  # name port seconds
  for _ in $(seq "$3"); do listening "$2" && return 0; sleep 1; done
  echo "ensure-services: $1 is not listening on 127.0.0.1:$2 after $3 s" >&2
  return 1
}

missing=()
command -v redis-server >/dev/null || missing+=(redis-server)
command -v pg_ctlcluster >/dev/null || missing+=(postgresql)
command -v rabbitmq-server >/dev/null || missing+=(rabbitmq-server)
command -v promtool >/dev/null || missing+=(prometheus)  # the metrics tests' real server and promtool
if ((${#missing[@]})); then
  echo "ensure-services: installing ${missing[*]} from Debian"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq "${missing[@]}" >/dev/null
fi

if ! listening 6379; then
  echo "ensure-services: starting Redis"
  mkdir -p /var/lib/redis /var/log/redis
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/chirp.log
  wait_for Redis 6379 20
fi

if ! listening 5432; then
  echo "ensure-services: starting PostgreSQL"
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | sort -V | tail -1)" main start
  wait_for PostgreSQL 5432 30
fi

if ! listening 5672; then
  echo "ensure-services: starting RabbitMQ"
  rabbitmq-server -detached
  wait_for RabbitMQ 5672 90
fi
echo "ensure-services: Redis, PostgreSQL and RabbitMQ listen on 127.0.0.1"
