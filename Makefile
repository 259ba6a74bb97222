# `make` sets up .venv and builds the booklet; `make test` runs the tests.
# Each install step leaves a stamp, so a second `make` installs nothing.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
RUNTIME := $(VENV)/.runtime-installed
TESTDEPS := $(VENV)/.test-installed
SYSTEM := $(VENV)/.system-checked

.PHONY: all build check watch new schemas test release bench clean

all: build

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# WeasyPrint subsets fonts faster with HarfBuzz; without it, it falls back to fontTools
# (slower, and deprecated). Installed from Debian when we may; otherwise the fallback is used.
$(SYSTEM): | $(BIN)/python
	@if ! ldconfig -p | grep -q libharfbuzz-subset.so.0; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "installing libharfbuzz-subset0 (Debian) for font subsetting"; \
	    (apt-get install -y -qq libharfbuzz-subset0 >/dev/null 2>&1 || \
	     (apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq libharfbuzz-subset0 >/dev/null 2>&1)) || \
	    echo "note: could not install libharfbuzz-subset0; fonts will be subset with fontTools"; \
	  else echo "note: libharfbuzz-subset0 missing; fonts will be subset with fontTools"; fi; \
	fi
	touch $@

$(RUNTIME): requirements.lock pyproject.toml $(SYSTEM) | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $@

$(TESTDEPS): requirements-test.lock $(RUNTIME)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-test.lock
	touch $@

# `make BRAND=brands/NAME.yaml` builds an organisation's copies into build/brands/NAME/.
build: $(RUNTIME)
	$(BIN)/booklet build $(if $(BRAND),--brand $(BRAND))

release: $(RUNTIME)
	$(BIN)/booklet release

# A benchmark, not a test: prints the figures and rewrites docs/performance.md. pandoc comes from
# PyPI (pypandoc-binary) for the comparison; without it that line is skipped.
bench: $(RUNTIME)
	-$(BIN)/python -m pip install --quiet --disable-pip-version-check pypandoc-binary==1.17
	$(BIN)/python bench/run.py

check: $(RUNTIME)
	$(BIN)/booklet check

# Rebuilds what each saved change affects; Ctrl-C stops it. `make watch CHAPTER=id` previews one chapter.
watch: $(RUNTIME)
	$(BIN)/booklet watch $(if $(CHAPTER),--chapter $(CHAPTER))

# `make new TITLE="Wound care at home" AUDIENCE=patient` starts a draft chapter.
new: $(RUNTIME)
	@test -n "$(TITLE)" -a -n "$(AUDIENCE)" || { echo 'usage: make new TITLE="Chapter title" AUDIENCE=patient|clinician|both' >&2; exit 2; }
	$(BIN)/booklet new "$(TITLE)" --audience "$(AUDIENCE)"

schemas: $(RUNTIME)
	$(BIN)/booklet schemas

test: $(TESTDEPS)
	$(BIN)/python -m pytest

clean:
	rm -rf build
