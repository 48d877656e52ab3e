# Two entry points (see README): `make run` and `make test`. Each bootstraps .venv when it is missing or
# older than pyproject.toml / constraints.txt, so a fresh clone needs only Python 3.11, make and PyPI.
PY ?= python3
VENV := .venv
STAMP := $(VENV)/.installed

NODE_STAMP := node_modules/.package-lock.json

.PHONY: run test lint build clean

$(STAMP): pyproject.toml constraints.txt
	test -x $(VENV)/bin/python || $(PY) -m venv $(VENV)
	$(VENV)/bin/python -m pip install --quiet --upgrade pip
	$(VENV)/bin/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	touch $(STAMP)

# Map geometry (world-atlas) comes from npm, pinned by package-lock.json; never pasted into the repo.
$(NODE_STAMP): package.json package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund

# MIRROR=../shared/data also loads every publisher file found in that folder (silkscope update --mirror).
MIRROR ?=

run: $(STAMP) $(NODE_STAMP)
	$(VENV)/bin/silkscope build
	$(if $(MIRROR),$(VENV)/bin/silkscope update --mirror $(MIRROR))
	$(VENV)/bin/silkscope compare --country C5 --partners JPN,CHN,KOR,RUS,USA --indicator all --since 2000
	$(VENV)/bin/silkscope serve

test: $(STAMP) $(NODE_STAMP)
	$(VENV)/bin/ruff check src tests
	$(VENV)/bin/python -m pytest -n auto  # pytest-xdist: one worker per core

lint: $(STAMP)
	$(VENV)/bin/ruff check src tests
	$(VENV)/bin/ruff format --check src tests

clean:
	rm -rf $(VENV) build *.egg-info
