# Task runner: CI runs `make test` (see .ci/run); the README documents every target.
VENV   := .venv
PY     := $(VENV)/bin/python
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
INDEX  ?= indexes/default
CORPUS ?= corpus

.PHONY: setup run index status test lint format bench-choice clean

setup: $(STAMP)  ## create .venv and install the project with its test extras (quick when done)

$(STAMP): pyproject.toml
	@test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check -e '.[test]'
	@touch $(STAMP)

run: index status  ## set up if needed and index the sample corpus (the chat comes with issue 3)

index: setup  ## sync $(CORPUS) into $(INDEX)
	$(BIN)/policy-assistant index $(CORPUS) --index $(INDEX)

status: setup
	$(BIN)/policy-assistant status --index $(INDEX)

lint: setup  ## ruff lint + format check + layer contract
	$(BIN)/ruff check assistant tests benchmarks scripts
	$(BIN)/ruff format --check assistant tests benchmarks scripts
	$(BIN)/lint-imports

format: setup
	$(BIN)/ruff format assistant tests benchmarks scripts
	$(BIN)/ruff check --fix assistant tests benchmarks scripts

test: lint  ## lint, then the whole test suite
	$(BIN)/pytest -q

bench-choice: setup  ## embedding model and BM25 analyzer comparison on eval/dev_questions.jsonl
	$(PY) benchmarks/retrieval_choice.py

clean:
	rm -rf $(INDEX) indexes/bench-cache
