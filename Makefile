# The two commands: `make run` starts the mesh on its embedded defaults;
# `make test` installs what the tests need and runs every check.
.PHONY: run mesh test slow chaos setup services tools gen openapi lint unit bench

PY := .venv/bin/python

run: setup
	$(PY) -m services.mesh

# Mesh mode: one process per service (two Timeline, two Fanout) on PostgreSQL, Redis and RabbitMQ.
mesh: setup services
	$(PY) -m services.mesh.launch

test: setup services tools lint
	$(PY) -m pytest -q

# The slow fault suite: a Patroni primary (tests/chaos), a RabbitMQ node and a Redis master killed under load,
# each with a report of what clients saw; and the slowest process kills (a fanout worker mid-chunk, a Snowflake
# process, a Search replica mid-indexing). Installs Patroni and etcd from Debian (scripts/ensure-patroni.sh) and
# starts its own servers on loopback.
chaos: setup services
	bash scripts/ensure-patroni.sh
	$(PY) -m pytest -q -s -m chaos tests/chaos tests/integration/test_chaos_rabbitmq.py tests/integration/test_chaos_redis.py \
		tests/integration/test_process_faults.py tests/integration/test_snowflake_leases.py tests/integration/test_search_faults.py

# The slowest end-to-end runs, left out of `make test` to keep it short (pytest marker `slow`; README, "Slow tests").
slow: setup services tools
	$(PY) -m pytest -q -m slow

setup:
	@bash scripts/setup-python.sh

services:
	@bash scripts/ensure-services.sh

# The deployment tools the chart and Envoy tests use: helm, and Envoy's typed protos in .venv-envoy (see the script).
tools: setup
	@bash scripts/ensure-tools.sh

gen: setup
	bash scripts/gen-protos.sh
	$(PY) scripts/gen-deploy.py

# The REST gateway's OpenAPI document (docs/openapi.json), from the contracts' google.api.http rules.
openapi: setup
	$(PY) -m services.gateway.openapi

lint: setup
	bash scripts/check-gen.sh
	bash scripts/check-openapi.sh
	bash scripts/buf-check.sh



unit: setup
	$(PY) -m pytest -q tests/unit

# The standard benchmark (about twenty-two minutes here): writes bench/results/ (JSON, summary.md, PNG plots).
# BENCH_ARGS passes options, e.g. BENCH_ARGS="--graph-users 100000" for a larger power-law graph.
bench: setup services
	$(PY) -m bench.run $(BENCH_ARGS)
