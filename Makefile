# Two commands on a fresh Debian/Ubuntu machine: `make run` and `make test` (see README.md).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
MANAGE := $(BIN)/python manage.py
HOST ?= 127.0.0.1:8000
VALIDATORS := tests/validators/target/classpath.txt

# What the app needs from the system: PostgreSQL (the tests' database, whose triggers guard the record),
# poppler (reading PDFs back in tests), the Arabic fonts the PDF
# embeds (emoji included), Chromium for the browser tests, gettext for `make messages`, time and wrk (HTTP load) for benchmarks/,
# NSS's certutil (a trust store for poppler's pdfsig in the signature tests), Maven (with its Java) for
# the reference validators the tests run (tests/validators), and what a cluster shares or stands behind:
# Redis (the cache) and HAProxy (the load balancer), for the tests and `make cluster`; procps (pgrep), with which .ci/production stops what it started.
SYSTEM_PACKAGES := postgresql poppler-utils fonts-noto-core fonts-hosny-amiri fonts-noto-color-emoji chromium gettext time libnss3-tools maven redis-server haproxy wrk procps

# `make run` serves a local development server; the tests and production read their own settings.
DEV_ENV := DEBUG=1

.PHONY: run test test-all cluster setup system-packages lint format messages clean lock

run: setup
	mkdir -p var
	$(DEV_ENV) $(MANAGE) migrate --noinput
	$(DEV_ENV) $(MANAGE) init_signing
	@# The demo PKI's responder (OCSP, CRL, timestamps) answers the signatures, the demo's included, and
	@# /verify/; the task queue's worker sends the messages (to files under var/mail/) and signs. Both
	@# stop with the server.
	$(DEV_ENV) $(MANAGE) serve_demo_pki & pki=$$!; trap 'kill $$pki $$worker 2>/dev/null' EXIT INT TERM; \
	$(DEV_ENV) $(MANAGE) serve_demo_pki --wait && $(DEV_ENV) $(MANAGE) load_demo && \
	{ $(DEV_ENV) $(MANAGE) db_worker --interval 2 & worker=$$!; } && \
	$(DEV_ENV) $(MANAGE) runserver $(HOST)

# The production layout on this machine, on loopback (README, «More than one server»): PostgreSQL,
# SeaweedFS's S3 gateway, Redis, the demo PKI, two gunicorn servers with a worker each, HAProxy in front;
# the demo's data loaded; its state under var/cluster/; the balancer on CLUSTER_PORT. Ctrl-C stops it.
CLUSTER_PORT ?= 8080

cluster: setup
	$(BIN)/python -m tests.cluster var/cluster --port $(CLUSTER_PORT)

# Two tiers. `make test`, after each change (about 100 s on two cores): the linters, the types (mypy), the
# migrations check and the rules of the record, on PostgreSQL (DATABASE_URL's, or a throwaway cluster of
# its own: .ci/with-postgresql), on every core (pytest-xdist, each test file on one worker, so that a
# module's shared fixtures are built once). `make test-all`, which .ci/run runs after it: what is slower to
# run, the browser flows (e2e), the Java validators, the servers the tests start and every benchmark's
# `--short` run (slow), then the cluster's tests (tests/test_cluster.py: eight processes of their own, and
# the cluster's benchmark) alone, printing their figures, then
# the search's tests on the embedded SQLite default, which must find the same things as on PostgreSQL.
SEARCH_TESTS := tests/meetings/test_search_normalize.py tests/decisions/test_search.py
# Python keeps the tests' compiled bytecode (pytest's assertion rewriting, the project's modules) in
# __pycache__ even where the environment says not to write it (PYTHONDONTWRITEBYTECODE): each worker
# would otherwise compile them again at every run, 3 s of its start.
PYTEST := env -u PYTHONDONTWRITEBYTECODE $(BIN)/pytest -n auto --dist loadfile

test: setup
	$(BIN)/ruff check --quiet .
	$(BIN)/ruff format --check --quiet .
	$(DEV_ENV) $(BIN)/mypy
	$(DEV_ENV) $(MANAGE) makemigrations --check --dry-run
	.ci/with-postgresql $(PYTEST) -m "not e2e and not slow and not cluster"

test-all: setup $(VALIDATORS)
	.ci/with-postgresql $(PYTEST) -m "(e2e or slow) and not cluster"
	$(BIN)/pytest -p no:cacheprovider -m cluster -rP --show-capture=stdout tests/test_cluster.py tests/test_benchmarks.py
	env -u DATABASE_URL $(BIN)/pytest -p no:cacheprovider $(SEARCH_TESTS)

setup: system-packages $(VENV)/.installed node_modules/.installed

# The reference validators (veraPDF) as a small Java program, its dependencies from Maven Central; the
# tests run it with the classpath this writes (tests/pdf.py).
$(VALIDATORS): tests/validators/pom.xml $(shell find tests/validators/src -name '*.java') | system-packages
	mvn --quiet --batch-mode --file tests/validators/pom.xml package

system-packages:
	@missing=$$(for p in $(SYSTEM_PACKAGES); do dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q '^install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then sudo=""; elif command -v sudo >/dev/null; then sudo=sudo; \
	  else echo "Please install these Debian packages first: $$missing"; exit 1; fi; \
	  echo "Installing system packages:" $$missing; \
	  $$sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq --no-install-recommends $$missing; \
	fi

# uv installs the pinned set of requirements-dev.lock (the application's requirements.lock and the test
# tools), every file checked against its hash, downloading in parallel: about 4 s on a fresh machine
# instead of about 20. It reads the machine's own certificate store, and compiles the bytecode as pip
# does (the tests start many interpreters, and some machines never write .pyc files). A production
# install takes requirements.lock only (README, «Production»).
UV_VERSION := 0.13.9
UV := $(BIN)/uv pip
UV_OPTIONS := --python $(BIN)/python --system-certs

$(VENV)/.installed: pyproject.toml requirements-dev.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)
	$(UV) install --quiet $(UV_OPTIONS) --compile-bytecode --require-hashes -r requirements-dev.lock
	$(UV) install --quiet $(UV_OPTIONS) --no-deps -e .
	touch $@

# After a change of pyproject.toml's dependencies: the two lock files again, keeping every pin that
# still fits (uv prefers the versions already in a lock file).
lock: $(VENV)/.installed
	$(UV) compile --quiet $(UV_OPTIONS) --python-version 3.11 --generate-hashes pyproject.toml -o requirements.lock
	$(UV) compile --quiet $(UV_OPTIONS) --python-version 3.11 --generate-hashes --extra dev pyproject.toml -o requirements-dev.lock

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: setup
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Refresh the Arabic and French catalogues after changing a translatable string.
messages: setup
	$(DEV_ENV) $(MANAGE) makemessages -l ar -l fr --ignore=node_modules --ignore=.venv
	$(DEV_ENV) $(MANAGE) compilemessages --ignore=node_modules --ignore=.venv

clean:
	rm -rf $(VENV) node_modules var
