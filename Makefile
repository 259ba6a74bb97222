# `make` sets up .venv and builds the booklet; `make test` runs the checkers and the tests.
# Each install step leaves a stamp, so a second `make` installs nothing. `make` takes everything
# from PyPI into .venv, and the translated copies' typefaces from the npm registry into
# fonts/node_modules (npm comes from Debian when missing and make runs as root); it installs
# nothing else on the system. `make test` also needs the web and EPUB
# checkers: Debian's chromium and a Java runtime (installed with apt-get when missing and make
# runs as root) and npm packages pinned in checkers/, installed into checkers/node_modules.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
RUNTIME := $(VENV)/.runtime-installed
TESTDEPS := $(VENV)/.test-installed
CHECKERS := checkers/node_modules/.installed
# The typefaces of the translated copies, from the npm registry (fonts/package-lock.json).
FONTS := fonts/node_modules/.installed
# Test processes: one per core by default (`make test TEST_JOBS=1` runs them in one process).
TEST_JOBS ?= auto
# What authors type on the command line (`make new TITLE=...`) reaches the recipes only through
# the environment, word for word: never pasted into a shell line, where a backquote would run
# a command and `$5` would vanish.
override export TITLE := $(value TITLE)
override export AUDIENCE := $(value AUDIENCE)
override export BRAND := $(value BRAND)
override export CHAPTER := $(value CHAPTER)

.PHONY: all build check watch new init schemas test lint release bench clean

all: build

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# The package is installed in place (editable), built with the setuptools pinned in requirements.lock.
$(RUNTIME): requirements.lock pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	@touch $@

$(TESTDEPS): requirements-test.lock $(RUNTIME)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-test.lock
	@touch $@

$(FONTS): fonts/package.json fonts/package-lock.json fonts/install.sh
	@fonts/install.sh
	@touch $@

$(CHECKERS): checkers/package.json checkers/package-lock.json checkers/install.sh
	@checkers/install.sh
	@touch $@

# `make BRAND=brands/NAME.yaml` builds an organisation's copies into build/brands/NAME/.
build: $(RUNTIME) $(FONTS)
	$(BIN)/booklet build $(if $(BRAND),--brand "$$BRAND")

release: $(RUNTIME) $(FONTS)
	$(BIN)/booklet release

# A benchmark, not a test: prints the figures and rewrites docs/performance.md. pandoc comes from
# PyPI (pypandoc-binary) for the comparison; without it that line is skipped.
bench: $(TESTDEPS) $(FONTS)
	-$(BIN)/python -m pip install --quiet --disable-pip-version-check pypandoc-binary==1.17
	$(BIN)/python bench/run.py

check: $(RUNTIME) $(FONTS)
	$(BIN)/booklet check

# Rebuilds what each saved change affects; Ctrl-C stops it. `make watch CHAPTER=id` previews one chapter.
watch: $(RUNTIME) $(FONTS)
	$(BIN)/booklet watch $(if $(CHAPTER),--chapter "$$CHAPTER")

# `make new TITLE="Wound care at home" AUDIENCE=patient` starts a draft chapter.
new: $(RUNTIME)
	@test -n "$$TITLE" -a -n "$$AUDIENCE" || { echo 'usage: make new TITLE="Chapter title" AUDIENCE=patient|clinician|both' >&2; exit 2; }
	$(BIN)/booklet new "$$TITLE" --audience "$$AUDIENCE"

schemas: $(RUNTIME)
	$(BIN)/booklet schemas

# The tests, one process per core; pyflakes and mypy run among them (tests/test_static.py).
# `make lint` runs the two checkers alone.
test: $(TESTDEPS) $(CHECKERS) $(FONTS)
	$(BIN)/python -m pytest -n $(TEST_JOBS)

lint: $(TESTDEPS)
	$(BIN)/python -m pyflakes booklet tests bench
	$(BIN)/python -m mypy

clean:
	rm -rf build
