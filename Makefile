# The two commands of the README quick start. Each installs what it needs on first use.
PYTHON ?= python3
VENV := .venv
STAMP := $(VENV)/.installed

.PHONY: run demo-therapist test lint bench bench-smoke mutation

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(VENV)/bin/reed run

# The local demo as a therapist with three made-up patients (see README, "The local demo").
demo-therapist: $(STAMP)
	$(VENV)/bin/reed demo --as therapist

test: $(STAMP)
	$(VENV)/bin/pytest -q

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy bot db content emulator tests
	$(VENV)/bin/lint-imports --no-logo
	$(VENV)/bin/hadolint Dockerfile

# The full benchmarks on the database DATABASE_URL names (see README for the figures).
bench: $(STAMP)
	$(VENV)/bin/reed bench reminders
	$(VENV)/bin/reed bench checkins
	$(VENV)/bin/reed bench summaries

# Every benchmark at a tiny size, on SQLite and PostgreSQL, so that it cannot rot (CI runs it).
BENCH_SMOKE := reminders --patients 2000 --wave 1000 --limited-wave 60 --chatters 2 --json
BENCH_SMOKE_CHECKINS := checkins --patients 60 --in-flight 8 --rounds 1 --json
BENCH_SMOKE_SUMMARIES := summaries --therapists 20 --patients 5 --naive-sample 3 --renders 2 --json
bench-smoke: $(STAMP)
	rm -f .bench-smoke.db*
	LOG_LEVEL=WARNING DATABASE_URL=sqlite:///.bench-smoke.db $(VENV)/bin/reed bench $(BENCH_SMOKE)
	LOG_LEVEL=WARNING DATABASE_URL=sqlite:///.bench-smoke.db \
		$(VENV)/bin/reed bench $(BENCH_SMOKE_CHECKINS)
	LOG_LEVEL=WARNING DATABASE_URL=sqlite:///.bench-smoke.db \
		$(VENV)/bin/reed bench $(BENCH_SMOKE_SUMMARIES)
	rm -f .bench-smoke.db*
	LOG_LEVEL=WARNING DATABASE_URL=$${REED_TEST_POSTGRES_URL:-postgresql://postgres@127.0.0.1:5432/test} \
		$(VENV)/bin/reed bench $(BENCH_SMOKE)
	LOG_LEVEL=WARNING DATABASE_URL=$${REED_TEST_POSTGRES_URL:-postgresql://postgres@127.0.0.1:5432/test} \
		$(VENV)/bin/reed bench $(BENCH_SMOKE_CHECKINS)
	LOG_LEVEL=WARNING DATABASE_URL=$${REED_TEST_POSTGRES_URL:-postgresql://postgres@127.0.0.1:5432/test} \
		$(VENV)/bin/reed bench $(BENCH_SMOKE_SUMMARIES)

# Mutation testing of the rules modules ([tool.mutmut] in pyproject.toml); slow, not in CI.
mutation: $(STAMP)
	rm -rf mutants
	$(VENV)/bin/mutmut run
	$(VENV)/bin/mutmut results
