# Two commands for a fresh machine with Python 3.10+ and make: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test install lint messages bench clean prod-check

$(STAMP): requirements.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	@touch $(STAMP)

install: $(STAMP)

# The local demo: DEBUG on (plain http on 127.0.0.1), SQLite and a broker without a server unless the environment says otherwise.
run: export DEBUG ?= true
run: $(STAMP)
	$(BIN)/python manage.py migrate --no-input
	$(BIN)/python manage.py collectstatic --no-input --verbosity 0
	$(BIN)/python manage.py seed_demo --if-empty
	@echo ""
	@echo "  Open http://127.0.0.1:$${WEB_PORT:-8000}/  (demo password: crm-demo-2026; reps hz01..hz06, sh01..sh06;"
	@echo "  managers manager1, manager2; QC qc1; admin admin). Ctrl-C stops web, worker and beat."
	@echo ""
	$(BIN)/honcho start --procfile Procfile

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

test: $(STAMP) lint
	DEBUG=true $(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/python -m pytest

# Benchmarks on generated data in a throwaway database; use PostgreSQL (DATABASE_URL) for figures that mean something.
bench: $(STAMP)
	$(BIN)/python manage.py bench $(if $(ONLY),--only $(ONLY)) $(if $(SCALE),--scale $(SCALE))

# Rebuild the translation catalogues after changing strings (needs GNU gettext for makemessages only).
messages: $(STAMP)
	DEBUG=true $(BIN)/python manage.py makemessages --locale zh_Hans --no-obsolete --ignore .venv --ignore var --ignore "*/tests/*"
	$(BIN)/python -m devtools.catalogues

clean:
	rm -rf $(VENV) var

# The production recipe of deploy/ on this machine: nginx (TLS, HTTP/2) → two gunicorn nodes → PgBouncer →
# PostgreSQL, two workers and beat on Redis; a smoke run, the rush with a node killed, a worker killed mid-reclaim
# with a second beat, a restore drill; a one-screen report. Needs root, PostgreSQL, Redis, nginx and pgbouncer.
prod-check: $(STAMP)
	@command -v nginx >/dev/null && command -v pgbouncer >/dev/null || \
		(apt-get install -y -q nginx pgbouncer >/dev/null && systemctl disable --now nginx pgbouncer >/dev/null 2>&1; true)
	$(BIN)/python -m ops.prodcheck
