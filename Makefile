# The README's two commands: `make report` and `make test`. Everything else is plumbing.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
REF_STAMP := data/processed/reference/.built
# Every package pinned with its hashes (Python 3.11, Linux): the same versions next year give the same figures.
LOCK := requirements.lock

.PHONY: report test lint format install lock reference clean-reports

# The lock installs the dependencies; the package itself goes in editable on top, without touching them.
$(STAMP): pyproject.toml $(LOCK)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --require-hashes -r $(LOCK)
	$(BIN)/python -m pip install --quiet --no-deps -e .
	$(BIN)/python -m ipykernel install --prefix $(VENV) --name python3 > /dev/null
	touch $(STAMP)

install: $(STAMP)

# Re-pin after a change to pyproject's dependencies; existing pins are kept unless asked:
# `make lock LOCK_ARGS=--upgrade` (everything) or `LOCK_ARGS='--upgrade-package pandas'`.
LOCK_TOOLS := /tmp/cwbtools-pip-tools
lock:
	$(PYTHON) -c 'import sys; assert sys.version_info[:2] == (3, 11), "the lock is for Python 3.11"'
	test -x $(LOCK_TOOLS)/bin/pip-compile || $(PYTHON) -m venv $(LOCK_TOOLS)
	$(LOCK_TOOLS)/bin/python -m pip install --quiet pip-tools==7.6.2
	CUSTOM_COMPILE_COMMAND="make lock" $(LOCK_TOOLS)/bin/pip-compile --quiet --extra test --strip-extras \
		--generate-hashes --no-emit-index-url --no-emit-find-links $(LOCK_ARGS) -o $(LOCK) pyproject.toml

# Read-only checks, run by `make test`; `make format` applies what they ask for.
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Reference tables (postcodes, IMD, SIC, registers, geography): built once, skipped when present.
reference: $(STAMP)
	$(BIN)/cwb reference build
	@echo "Companies House BasicCompanyData is the single biggest improvement to where suppliers are: \`cwb reference download companies-house\`, then \`cwb reference build --companies FILE\` locates and sizes every registered company (without it only large employers' head offices place firms)."
	@echo "The CQC care directory places care homes and home-care agencies at their sites, not their operator's office: \`cwb reference download cqc --url URL\`, then \`cwb reference build\`."

report: reference
	$(BIN)/cwb run --default-and-available --jobs 2
	touch $(REPORT_STAMP)

# The tests read the built places (reports/, data/processed/<place>/), so `make test` builds them, again
# only when the code, notebooks, configs or reference tables changed since the last build.
REPORT_STAMP := reports/.built
REPORT_INPUTS := $(shell find src notebooks configs -type f -not -path '*/__pycache__/*' \
	-not -path '*/.ipynb_checkpoints/*' -not -name '*.pyc')
$(REF_STAMP): | reference
$(REPORT_STAMP): $(STAMP) $(REF_STAMP) $(REPORT_INPUTS)
	$(BIN)/cwb run --default-and-available --jobs 2
	touch $@

# The browser test reads the reports in Debian's Chromium; the script installs it when missing.
test: lint reference $(REPORT_STAMP)
	bash scripts/install-browser.sh
	$(BIN)/python -m pytest -q

clean-reports:
	rm -rf reports/*/ reports/index.html $(REPORT_STAMP)
