# ks: the two commands of the README are `make demo` and `make test`.
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: help setup demo test quick coverage lint typecheck unit jdk bench fuzz stress hostile clean docs dist standalone dist-test

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/'

$(STAMP): pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

setup: $(STAMP) jdk ## create .venv, install ks with its test extra, and a JDK when keytool is missing

jdk: ## install a headless JDK and openssl with apt-get when they are missing
	@bash scripts/ensure-tools.sh

demo: setup ## set up and run the main job on a built-in example
	$(PY) -m demo.apm_demo

lint: $(STAMP) ## ruff check and format check
	$(VENV)/bin/ruff check keystore_tool tests bench demo
	$(VENV)/bin/ruff format --check keystore_tool tests bench demo

typecheck: $(STAMP) ## mypy --strict on the package
	$(VENV)/bin/mypy

# Independent test files run in parallel (one worker per CPU); a file's tests share a worker,
# so its session fixtures (keytool-made stores, compiled Java probes) are built once.
PYTEST_PARALLEL ?= -n auto --dist loadfile

unit: setup ## pytest only
	$(PY) -m pytest -q $(PYTEST_PARALLEL)

# A test that needs a JDK or openssl is interop (tests/conftest.py marks those that reach one
# through a fixture); KS_TESTS_WITHOUT_TOOLS keeps optional tool-made seeds (fuzz) out as well.
# KS_TESTS_FORKSERVER forks each ks run from a process that imported ks once (tests/ks_zygote.py):
# still one process per run, without ~1,500 Python start-ups; `make test` starts each itself.
# No JVM fixtures to share here, so tests are spread one by one (worksteal), not by file, over
# one worker more than there are CPUs: many of these tests wait (on a lock, a server, a child).
QUICK_WORKERS ?= $(shell echo $$(( $$(nproc) + 1 )))
quick: $(STAMP) ## the developers' lane: lint, types and every test that needs no JVM or openssl
	$(VENV)/bin/ruff check keystore_tool tests bench demo
	$(VENV)/bin/mypy
	KS_TESTS_WITHOUT_TOOLS=1 KS_TESTS_FORKSERVER=1 $(PY) -m pytest -q -n $(QUICK_WORKERS) --dist worksteal -m "not interop and not slow"

test: setup lint typecheck ## set up and run everything: lint, types, tests (interop included)
	$(PY) -m pytest -q $(PYTEST_PARALLEL)

# The use cases, javahome and net as the tests call them in-process ([tool.coverage] in
# pyproject.toml); every test that needs no JVM or openssl, in one process (no xdist).
COVERAGE_FOCUS := keystore_tool/ops/*,keystore_tool/javahome.py,keystore_tool/net.py

coverage: $(STAMP) ## in-process branch coverage of the library: ops/, javahome and net, then the package's total
	$(PY) -m coverage erase
	$(PY) -m coverage run --branch -m pytest -q -p no:cacheprovider -m "not interop"
	$(PY) -m coverage report --include='$(COVERAGE_FOCUS)'
	@$(PY) -m coverage report --format=total | sed 's/^/keystore_tool total: /; s/$$/ %/'

bench: setup ## ks against keytool, side by side, with ratios (bench/out/results.md; --quick: make bench BENCH_ARGS=--quick)
	$(PY) bench/run.py $(BENCH_ARGS)

fuzz: setup ## the long fuzz run: 10,000 random mutations per format and input reader
	FUZZ_EXAMPLES=10000 FUZZ_RANDOM=1 FUZZ_REPORT=fuzz-report.txt $(PY) -m pytest -q -p no:cacheprovider tests/fuzz
	@cat fuzz-report.txt

stress: setup ## the full stress run: 32 writers x 10 imports with 8 readers (3 trials), 30 SIGKILLs at 20,000 entries, disk full; 20 kills at each write step
	STRESS_FULL=1 $(PY) -m pytest -q -s tests/stress tests/flows/test_safety.py

hostile: setup ## issue 10's hostile inputs (20,000 bags named alike, a 5M-iteration MAC, a million empty PEM blocks…): time and peak RSS of ks on each
	$(PY) -m tests.safety.hostile

docs: $(STAMP) ## regenerate docs/CLI.md and man/*.1 from the app (a test fails when they are stale)
	$(PY) scripts/gen_docs.py

dist: $(STAMP) ## build the wheel and sdist into dist/ (pip install dist/keystore_tool-*.whl)
	rm -rf dist
	$(PY) -m build --outdir dist .

standalone: $(STAMP) ## a build that needs no Python on the target: dist/ks-VERSION-linux-ARCH.tar.gz (PyInstaller)
	$(PY) -m pip install --quiet '.[standalone]'
	$(PY) scripts/build_standalone.py --out dist

dist-test: $(STAMP) ## the install tests: pip install in fresh venvs, wheel + sdist, the standalone build vs keytool
	$(PY) -m pip install --quiet '.[standalone]'
	$(PY) -m pytest -q -p no:cacheprovider tests/test_install.py

clean: ## remove the virtual environment and caches
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .coverage .coverage.*
