# One command for the tests: `make test`. It builds .venv by itself, then runs ruff, mypy --strict, pytest.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: test system-tools lint typecheck unit bench chaos newer-pythons catalogs lookalikes clean

test: system-tools lint typecheck unit

# The tests drive a real `nc`, irssi, WeeChat, redis-server and HAProxy; on a bare Debian CI
# machine (root) they are installed here (the tests that need one are skipped where it cannot be).
SYSTEM_TOOLS := nc:netcat-openbsd irssi:irssi weechat-headless:weechat-headless redis-server:redis-server \
	haproxy:haproxy openssl:openssl telnet:inetutils-telnet
system-tools:
	@missing=""; for pair in $(SYSTEM_TOOLS); do \
		command -v $${pair%%:*} >/dev/null 2>&1 || missing="$$missing $${pair#*:}"; done; \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
			echo "installing$$missing for the tests"; \
			DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null 2>&1 || \
			{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; }; \
		else echo "not found and cannot install:$$missing (their tests will be skipped)"; fi; fi

$(STAMP): pyproject.toml
	@$(PYTHON) -m venv $(VENV) 2>/dev/null || { \
		echo "venv unavailable; installing python3-venv"; \
		apt-get update -qq && apt-get install -y -qq python3-venv >/dev/null && $(PYTHON) -m venv $(VENV); }
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	@touch $(STAMP)

lint: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

# The server and the client run on Python 3.10 too: their code is checked against it as well.
typecheck: $(STAMP)
	$(PY) -m mypy
	$(PY) -m mypy --python-version 3.10 src servidor.py client.py

unit: $(STAMP)
	$(PY) -m pytest --durations=15

# Benchmarks compare papo with ncat --chat and ngircd: installed here when missing (root, apt).
bench: $(STAMP)
	@for tool in ncat ngircd; do command -v $$tool >/dev/null 2>&1 || { \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
			apt-get install -y -qq $$tool >/dev/null 2>&1 || \
			{ apt-get update -qq && apt-get install -y -qq $$tool >/dev/null; }; \
		else echo "$$tool not found: its figures will be skipped"; fi; }; done
	$(PY) bench/run.py $(BENCH_ARGS)

# Chat through failures (servers killed, Redis paused and emptied) while clients talk and
# resume, then check what each read: minutes long, never part of `make test`.
# CHAOS_ARGS="--mode workers --seconds 300" (modes: cluster, workers, store).
chaos: system-tools $(STAMP)
	$(PY) tools/chaos.py $(CHAOS_ARGS)

# All of `make test` again under Pythons newer than this machine's, from Debian unstable, in a
# tree of their own (root; minutes; never part of `make test`). PYTHONS="3.16" for others.
PYTHONS ?= 3.14 3.15
newer-pythons:
	tools/newer_pythons.sh $(PYTHONS)

catalogs: $(STAMP)
	$(PY) tools/catalogs.py

# The look-alike table for names, from Unicode's confusables.txt (a dev dependency carries it).
lookalikes: $(STAMP)
	$(PY) tools/lookalikes.py

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache
