# binsite: the two commands a newcomer needs are `make demo` and `make test`.
# Every target installs what it needs itself (idempotent), so both work on a
# fresh machine.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# The demo's clock: example bulletins are dated up to late November 2026.
DEMO_NOW ?= 2026-11-28T12:00

.PHONY: help venv build-deps browser mailman-venv demo demo-stop test test-fast test-reversed site bench bench-quick bench-pair bench-web bench-import bench-login bench-avg golden clean

help:
	@echo "make demo      start a local Mailman + mail sink, sync lists, build and send the example BIN, start the web service"
	@echo "make demo-stop stop the local Mailman, sink and web service"
	@echo "make test      run the whole test suite (installs what it needs)"
	@echo "make test-reversed  the whole suite, each module's tests in reverse order (finds tests that need another first)"
	@echo "make site      build the example archive into _site/"
	@echo "make bench     benchmark binsite against Pelican and Hugo"
	@echo "make bench-pair BEFORE=rev  cold builds of 10,000 bulletins, BEFORE's code and this tree in turn"
	@echo "make bench-web load on the web service: 1,000 unsubscribes and 1,000 joins, 20 clients"
	@echo "make bench-import  1,000 members imported into a local Mailman"
	@echo "make bench-login   the desk's login request: 200 known and 200 unknown addresses, times compared"
	@echo "make bench-avg     binsite avg inzage/wissen for an address in 50 lists of 1,000 members"
	@echo "make golden    regenerate the golden test tree after an intended change"

venv: $(STAMP)

$(STAMP): pyproject.toml requirements/test.txt requirements/browser.txt package.json package-lock.json | build-deps
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip>=24"
	$(BIN)/python -m pip install --quiet -e ".[test]" -r requirements/test.txt -r requirements/browser.txt
	npm ci --no-audit --no-fund --silent
	touch $@

# Debian's Chromium for the browser tier (no browser downloads from elsewhere),
# without recommended packages (they would pull in systemd, avahi and CUPS).
# As root directly, otherwise through sudo.
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
# SpamAssassin scores every kind of mail in the Mailman tier (local rules only, no network);
# Postfix and OpenDKIM run the production rehearsal (tests/mailman/test_rehearsal.py) on loopback;
# PostgreSQL is the store the suite starts once (tests/postgres_fixtures.py).
APT_PACKAGES := chromium fonts-liberation default-jre-headless spamassassin postfix opendkim opendkim-tools postgresql
browser:
	command -v chromium >/dev/null && command -v java >/dev/null && command -v spamassassin >/dev/null && command -v opendkim-genkey >/dev/null && test -x /usr/lib/postfix/sbin/master && ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || { $(SUDO) apt-get update -q && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $(APT_PACKAGES); }

# PyICU (the privacy guard's Unicode confusables, UTS #39) builds against Debian's ICU.
BUILD_PACKAGES := libicu-dev pkg-config g++
build-deps:
	pkg-config --exists icu-i18n && command -v g++ >/dev/null || { $(SUDO) apt-get update -q && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $(BUILD_PACKAGES); }

site: venv
	$(BIN)/binsite check
	$(BIN)/binsite build

# Mailman Core in its own virtual environment (exact pins), for the demo and the tests.
MAILMAN_VENV := .binsite/mailman-venv
mailman-venv: $(MAILMAN_VENV)/.binsite-requirements.sha256
$(MAILMAN_VENV)/.binsite-requirements.sha256: requirements/mailman.txt | venv
	$(BIN)/python -c "from pathlib import Path; from binsite.devtools.local_mailman import ensure_venv; ensure_venv(Path('$(MAILMAN_VENV)'), Path('requirements/mailman.txt'))"

# Two pytest workers (pytest-xdist): every test that uses the session's Mailman
# runs in one of them (tests/conftest.py groups them), so a run starts one
# Mailman; the other tests are shared, and each worker that runs a browser
# test starts Chromium once.
TEST_WORKERS ?= 2
test: venv browser mailman-venv
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadgroup

# The main job on the embedded default: a local Mailman and mail sink, the
# example network's lists, a few invented residents, the archive, the mail.
# The env file (mode 0600: it holds the password) carries BINSITE_STATE_DIR,
# so the demo's ledger lives beside the local Mailman (.binsite/local/ledger/),
# never in state/, and `. .binsite/local.env && binsite send` uses it too.
# Under umask 077: the demo's mails (login and unsubscribe links), ledger and
# logs are the owner's only. The web service gets the same state folder and a
# bare git remote (.binsite/local/remote.git): publishing from the desk works.
PRIVATE = umask 077 &&
demo: venv mailman-venv
	$(PRIVATE) $(BIN)/binsite local-mailman start --env-file .binsite/local.env > /dev/null
	$(PRIVATE) . ./.binsite/local.env && $(BIN)/binsite lists sync
	$(PRIVATE) . ./.binsite/local.env && $(BIN)/python -m binsite.devtools.demo residents
	$(BIN)/binsite check --now $(DEMO_NOW)
	$(BIN)/binsite build --now $(DEMO_NOW)
	$(PRIVATE) . ./.binsite/local.env && $(BIN)/binsite send --now $(DEMO_NOW)
	$(PRIVATE) . ./.binsite/local.env && $(BIN)/python -m binsite.devtools.demo summary
	$(PRIVATE) $(BIN)/python -m binsite.devtools.local_web start
	$(PRIVATE) $(BIN)/python -m binsite.devtools.desk_demo
	$(PRIVATE) . ./.binsite/local.env && $(BIN)/python -m binsite.devtools.demo avg

demo-stop: venv
	$(BIN)/python -m binsite.devtools.local_web stop
	$(BIN)/binsite local-mailman stop

test-fast: venv
	$(BIN)/python -m pytest -n $(TEST_WORKERS) -m "not mailman and not browser"

# The whole suite with each module's tests in reverse order: finds a test that needs another to run first.
test-reversed: venv browser mailman-venv
	PYTHONPATH=tests/plugins $(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadgroup -p reverse_order

golden: venv
	$(BIN)/python tests/regen_golden.py

clean:
	rm -rf _site .binsite/cache test-artifacts

bench: venv
	$(BIN)/python benchmarks/run.py

bench-quick: venv
	$(BIN)/python benchmarks/run.py --quick

# Cold builds of the 10,000-bulletin corpus, the code of BEFORE (a git revision) and this tree in turn.
BEFORE ?= HEAD~1
bench-pair: venv
	$(BIN)/python benchmarks/pair.py --before $(BEFORE)

# The web service under load: 1,000 one-click unsubscribes and 1,000 joins from 20 clients.
bench-web: venv mailman-venv
	$(BIN)/python benchmarks/web_load.py
# 1,000 addresses imported into a members list of a private local Mailman (issue 19: under a minute).
bench-import: venv mailman-venv
	$(BIN)/python benchmarks/members_import.py

# The desk login request, known against unknown addresses (issue 32: the same time).
bench-login: venv
	$(BIN)/python benchmarks/login_timing.py
	$(BIN)/python benchmarks/login_timing.py --overlap
# binsite avg inzage and wissen for an address in 50 lists of 1,000 members (issue 27: inzage within 10 s).
bench-avg: venv mailman-venv
	$(BIN)/python benchmarks/avg_lookup.py
