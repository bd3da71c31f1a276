# Every target sets itself up from nothing: a fresh clone needs only Python 3.10+ and make.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: venv demo test lint typecheck unit bench soak mutation proto clean

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

# The whole suite, lint and type checks: what CI runs.
test: $(STAMP) lint typecheck unit

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

clean:
	rm -rf $(VENV) dist build mutants .pytest_cache .mypy_cache .ruff_cache
