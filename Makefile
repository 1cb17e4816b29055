# The two set-up commands: `make run` and `make test`. DATABASE_URL switches both to PostgreSQL.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cksum requirements.txt | cut -d' ' -f1)

PORT ?= 8000

# Developer defaults, for `make run` only; production sets its own environment. SITE_URL makes the
# links in emails (sent to the console here) open the development server.
DEV_ENV := DEBUG=$${DEBUG:-1} SECRET_KEY=$${SECRET_KEY:-dev-only-insecure-key} ALLOWED_HOSTS=$${ALLOWED_HOSTS:-127.0.0.1,localhost} SITE_URL=$${SITE_URL:-http://127.0.0.1:$(PORT)}

.PHONY: run serve test test-e2e lint format import publish-scheduled clean messages

$(STAMP): requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

run: $(STAMP)
	$(DEV_ENV) $(PY) manage.py migrate --noinput
	$(DEV_ENV) $(PY) manage.py load_demo
	$(DEV_ENV) $(PY) manage.py rebuild_search_index
	@echo ""
	@echo "  Public site:  http://127.0.0.1:$(PORT)/ency/"
	@echo "  Admin:        http://127.0.0.1:$(PORT)/admin/  (demo logins above)"
	@echo ""
	$(DEV_ENV) $(PY) manage.py runserver 127.0.0.1:$(PORT)

test: $(STAMP)
	$(PY) -m pytest

# Production-like serving: gunicorn, whitenoise static files, DEBUG off. Set SECRET_KEY,
# ALLOWED_HOSTS, DATABASE_URL (and REDIS_URL for several servers) in the environment.
WORKERS ?= 2
serve: $(STAMP)
	$(PY) manage.py collectstatic --noinput -v0
	$(PY) manage.py migrate --noinput -v0
	SECURE_SSL_REDIRECT=$${SECURE_SSL_REDIRECT:-0} $(VENV)/bin/gunicorn config.wsgi:application --workers $(WORKERS) --bind 127.0.0.1:$(PORT) --access-logfile - --max-requests 100000 --max-requests-jitter 10000 --no-control-socket

# make import PATHS="../shared/seeds/000_c36e51b9a16c5085.txt" [ARGS=--dry-run]
import: $(STAMP)
	$(DEV_ENV) $(PY) manage.py migrate --noinput -v0
	$(DEV_ENV) $(PY) manage.py import_articles $(ARGS) $(PATHS)

publish-scheduled: $(STAMP)
	$(DEV_ENV) $(PY) manage.py migrate --noinput -v0
	$(DEV_ENV) $(PY) manage.py publish_scheduled

# Browser tests: Playwright drives Debian's Chromium (installed here if missing; no browser download);
# the Nu HTML checker (vnu.jar from npm) runs with Debian's Java, installed here if missing.
test-e2e: $(STAMP)
	command -v chromium >/dev/null || (apt-get update -q && apt-get install -y -q chromium)
	command -v java >/dev/null || (apt-get update -q && apt-get install -y -q default-jre-headless)
	test -f node_modules/axe-core/axe.min.js -a -f node_modules/vnu-jar/build/dist/vnu.jar || npm ci --no-audit --no-fund --silent
	$(PY) -m pytest tests_e2e -p no:cacheprovider -s

# The Spanish interface catalogue, locale/es/LC_MESSAGES/django.po, compiled to django.mo with polib
# (pure Python: no GNU gettext). The .mo is kept in the repository, so `make run` needs no step;
# run this after editing the .po (a test fails while the .mo does not match it).
messages: $(STAMP)
	$(PY) manage.py compile_catalogues

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(STAMP)
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

clean:
	rm -rf $(VENV) db.sqlite3 .pytest_cache var

# make bench [BENCH_ARTICLES=10000] [ARGS="--db postgresql --keep"]: benchmarks on SQLite and
# PostgreSQL (127.0.0.1:5432), written to BENCHMARKS.md. The load runs on PostgreSQL use a
# private redis-server on 127.0.0.1:6390 (BENCH_REDIS_PORT). Installs wrk and redis-server (apt) and the profilers.
.PHONY: bench
bench: $(STAMP)
	command -v wrk >/dev/null || (apt-get update -q && apt-get install -y -q wrk)
	command -v redis-server >/dev/null || (apt-get update -q && apt-get install -y -q redis-server)
	$(PY) -m pip install --quiet --disable-pip-version-check -r bench/requirements.txt
	$(PY) -m bench.run $(if $(BENCH_ARTICLES),--articles $(BENCH_ARTICLES)) $(ARGS)

# make soak [ARGS="--phases steady,restart,idle-drop,multiworker --keep"]: 60 s soaks of `make serve` (gunicorn,
# 2 workers, 127.0.0.1:8051) on PostgreSQL database soak_encyclopedia (127.0.0.1:5432, dropped at the
# end) and Redis db 5: 50 readers while an update is approved every second; `restart` restarts
# PostgreSQL (pg_ctlcluster, needs root) at 30 s; `idle-drop` drops idle workers' connections;
# `multiworker` (its own SQLite file, no REDIS_URL: needs neither; alone, ARGS="--phases multiworker")
# times how long a withdrawal, a restore, a publication (its page and a search for it) and a site-data change take to show on both
# workers (target 1 s); `redis-outage` and `smtp-outage` (SQLite, a redis-server and a mail server of their
# own) stop Redis and refuse mail under load. Bounded, loopback only. Writes RELIABILITY.md. SOAK_PORT,
# SOAK_PG_DB, SOAK_REDIS_URL and SOAK_WORKDIR move its port, database, Redis db and work directory (a
# second soak on the machine).
.PHONY: soak
soak: $(STAMP)
	command -v redis-server >/dev/null || (apt-get update -q && apt-get install -y -q redis-server)
	$(PY) -m soak $(ARGS)
