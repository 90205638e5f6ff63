# The README's two commands: `make report` and `make test`. Everything else is plumbing.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
REF_STAMP := data/processed/reference/.built

.PHONY: report test install reference clean-reports

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	$(BIN)/python -m ipykernel install --prefix $(VENV) --name python3 > /dev/null
	touch $(STAMP)

install: $(STAMP)

# Reference tables (postcodes, IMD, SIC, registers, geography): built once, skipped when present.
reference: $(STAMP)
	$(BIN)/cwb reference build

report: reference
	$(BIN)/cwb run --default-and-available --jobs 2

# The browser test reads the reports in Debian's Chromium; the script installs it when missing.
test: reference
	bash scripts/install-browser.sh
	$(BIN)/python -m pytest -q

clean-reports:
	rm -rf reports/*/ reports/index.html
