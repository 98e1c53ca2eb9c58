# The two commands of the set-up contract: `make run` and `make test`.
# Both create .venv, install the pinned dependencies and the Debian libraries Qt needs.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test lint bench screenshots clean system-libs

$(STAMP): pyproject.toml constraints.txt scripts/ensure-system-libs.sh
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip>=24"
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[station,central,dev]'
	sh scripts/ensure-system-libs.sh $(BIN)/python
	touch $(STAMP)

system-libs: $(STAMP)

run: $(STAMP)
	$(BIN)/kiosk --demo

test: $(STAMP)
	sh scripts/ensure-test-tools.sh
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check kiosk central ektp_protocol tests bench scripts

# bench/export.py's baseline is the sqlite3 command-line shell.
bench: $(STAMP)
	command -v sqlite3 >/dev/null || (apt-get update -qq && apt-get install -y -qq sqlite3) \
		|| (sudo apt-get update -qq && sudo apt-get install -y -qq sqlite3)
	@for b in bench/*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

clean:
	rm -rf $(VENV) build *.egg-info

# PNGs of every station screen into docs/screenshots/ (needs Xvfb: apt-get install xvfb), and
# of every page of the centre (the status page, the console) as the browser tests drive them.
screenshots: $(STAMP)
	command -v xvfb-run >/dev/null || (apt-get install -y xvfb || sudo apt-get install -y xvfb)
	xvfb-run -a -s "-screen 0 1366x768x24" $(BIN)/python scripts/screenshots.py
	sh scripts/ensure-test-tools.sh
	EKTP_WEB_SCREENSHOTS=$(CURDIR)/docs/screenshots $(BIN)/python -m pytest -q tests/central/web
