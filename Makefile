# Every target sets itself up from nothing: a fresh clone needs only Python 3.10+ and make.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: venv demo test lint typecheck unit browser editor-test vsix bench soak mutation proto clean

venv: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

# Check the example, build it into one binary, and run the binary.
demo: $(STAMP)
	$(BIN)/oic check examples/hello/pipeline.oi
	$(BIN)/oic build examples/hello/pipeline.oi -o dist
	rm -rf dist/logs-hello
	cd dist && ./hello --logs-dir logs-hello
	@echo "the greeting, from the task's log:"
	@cat dist/logs-hello/logs/tasks/greet-*.log
	@echo "state: dist/logs-hello/logs/state.yaml"

# The whole suite, lint and type checks, the editor extension's tests: what CI runs.
test: $(STAMP) browser lint typecheck editor-test unit

# The headless browser tests/report opens report.html in: Debian's chromium and its chromedriver,
# installed from the distribution when chromium is not on PATH (as root, or through sudo without a
# password), never downloaded by the tests. Nothing to do when it is there; when it cannot be
# installed, the rest of the suite still runs and the browser test fails, saying so.
browser:
	@if ! command -v chromium >/dev/null 2>&1; then \
	  as_root=""; if [ "$$(id -u)" -ne 0 ]; then as_root="sudo -n"; fi; \
	  echo "installing chromium and chromium-driver (tests/report)"; \
	  { $$as_root apt-get update -qq && \
	    $$as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
	      chromium chromium-driver >/dev/null; \
	  } || echo "make browser: could not install chromium; tests/report/test_browser.py will fail" >&2; \
	fi

unit: $(STAMP)
	$(BIN)/python -m pytest -n 2 --dist loadgroup -q

lint: $(STAMP)
	$(BIN)/ruff check oic runtime tests bench
	$(BIN)/ruff format --check oic runtime tests bench

typecheck: $(STAMP)
	$(BIN)/mypy

bench: $(STAMP)
	$(BIN)/python bench/run_all.py

# Generated programs, checked and run against typed local services (tests/soundness): N of them
# from seed SEED; counterexamples are kept under build/soundness.
N ?= 10000
SEED ?= 0
soak: $(STAMP)
	$(BIN)/python -m tests.soundness.soak -n $(N) --seed $(SEED) --out build/soundness

# Mutation testing of the modules that carry the soundness promises (docs/testing.md); never part of
# `make test`. Fails when fewer than 90% of the mutants that change behaviour are killed.
# MUTANTS=PATTERN narrows it to some mutants (mutmut's names, with *) while working on them.
MUTATION_STAMP := $(VENV)/.mutation-installed

$(MUTATION_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[dev,mutation]'
	touch $(MUTATION_STAMP)

mutation: $(MUTATION_STAMP)
	rm -rf mutants && mkdir mutants
	PYTEST_TIMEOUT=90 PYTHONPATH=$(CURDIR)/mutants:$(CURDIR)/tests/mutation/child $(BIN)/python -m tests.mutation.run $(MUTANTS)

# Regenerate the committed gRPC stubs from runtime/proto/service.proto.
proto: $(STAMP)
	$(BIN)/python -m runtime.proto.regenerate

# The VS Code extension (editors/vscode, docs/editors.md) needs Node.js 20+ and npm. Its packages are
# installed by `npm ci` from the committed lock file, again only when the lock file changes.
VSCODE := editors/vscode
NODE_STAMP := $(VSCODE)/node_modules/.installed
VSCODE_VERSION = $(shell $(PYTHON) -c "import json; print(json.load(open('$(VSCODE)/package.json'))['version'])")
VSIX = $(VSCODE)/oi-$(VSCODE_VERSION).vsix
# Programs oic accepts, which the grammar must read whole: every token scoped, nothing invalid, no
# string, bracket or declaration left open at the end of the file.
GRAMMAR_SAMPLES := examples tests/syntax/documented tests/codegen/pipelines tests/soundness/counterexamples \
	tests/diagnostics/cases/sema tests/diagnostics/cases/stdlib tests/diagnostics/cases/suppressions \
	tests/diagnostics/cases/validation

$(NODE_STAMP): $(VSCODE)/package.json $(VSCODE)/package-lock.json
	@command -v npm >/dev/null || { echo "the editor extension needs Node.js 20+ and npm (docs/editors.md)" >&2; exit 1; }
	cd $(VSCODE) && npm ci --no-audit --no-fund
	touch $(NODE_STAMP)

$(VSCODE)/out/extension.js: $(NODE_STAMP) $(VSCODE)/tsconfig.json $(wildcard $(VSCODE)/src/*.ts)
	cd $(VSCODE) && node_modules/.bin/tsc -p ./
	touch $@

# The grammar's assertion files, the grammar over programs oic accepts (and tests of that check), the
# client's lookup of the server, and the files a .vsix would hold (`make vsix` builds one).
editor-test: $(NODE_STAMP) $(VSCODE)/out/extension.js
	cd $(VSCODE) && node_modules/.bin/vscode-tmgrammar-test --compact "tests/*.oi"
	cd $(VSCODE) && node scripts/check-grammar.js $(addprefix $(CURDIR)/,$(GRAMMAR_SAMPLES))
	cd $(VSCODE) && node --test --test-reporter=spec tests/client/server.test.js tests/grammar/check-grammar.test.js
	cd $(VSCODE) && node_modules/.bin/vsce ls | $(PYTHON) scripts/check-vsix.py -

# editors/vscode/oi-<version>.vsix, for `code --install-extension`.
vsix: $(NODE_STAMP)
	cd $(VSCODE) && node_modules/.bin/vsce package --allow-missing-repository -o oi-$(VSCODE_VERSION).vsix
	$(PYTHON) $(VSCODE)/scripts/check-vsix.py $(VSIX)

clean:
	rm -rf $(VENV) dist build mutants .pytest_cache .mypy_cache .ruff_cache
	rm -rf $(VSCODE)/node_modules $(VSCODE)/out $(VSCODE)/*.vsix
