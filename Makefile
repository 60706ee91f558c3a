# Task runner: CI runs `make test` (see .ci/run); the README documents every target.
VENV   := .venv
PY     := $(VENV)/bin/python
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
INDEX  ?= indexes/default
CORPUS ?= corpus
DEV    ?= ../shared/data/dev-sets
DEVWORK ?= indexes/dev-sets
DEVOUT ?= bench-results/dev-sets

.PHONY: setup run chat index status eval eval-dev eval-metadata eval-validity eval-compare test test-fast lint format bench bench-scale bench-choice bench-tune bench-answers bench-refusal bench-latency bench-load bench-api bench-ocr clean

setup: $(STAMP)  ## create .venv and install the project with its test extras (quick when done)

$(STAMP): pyproject.toml
	@test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check -e '.[test]'
	@# RapidOCR asks for opencv-python, which needs the desktop's libGL; the headless build of
	@# the same OpenCV (same cv2 module) runs on a bare server.
	$(PY) -m pip uninstall -q -y opencv-python
	$(PY) -m pip install -q --disable-pip-version-check --force-reinstall --no-deps opencv-python-headless
	@touch $(STAMP)

run: index  ## set up if needed, sync the sample corpus, then open the web UI on http://127.0.0.1:7860
	$(BIN)/policy-assistant serve --index $(INDEX)

chat: index  ## the terminal chat instead of the web UI
	$(BIN)/policy-assistant chat --index $(INDEX)

index: setup  ## sync $(CORPUS) into $(INDEX)
	$(BIN)/policy-assistant index $(CORPUS) --index $(INDEX)

status: setup
	$(BIN)/policy-assistant status --index $(INDEX)

lint: setup  ## ruff lint + format check + import contracts + mypy
	$(BIN)/ruff check assistant tests benchmarks scripts eval
	$(BIN)/ruff format --check assistant tests benchmarks scripts eval
	$(BIN)/lint-imports
	$(BIN)/mypy

format: setup
	$(BIN)/ruff format assistant tests benchmarks scripts eval
	$(BIN)/ruff check --fix assistant tests benchmarks scripts eval

test: lint  ## lint, then the whole test suite
	$(BIN)/pytest -q

test-fast: setup  ## the inner loop: no browser, no server, no child processes, no real-e5 builds
	$(BIN)/pytest -q -m "not browser and not server and not subprocess and not slow"

eval: index  ## the golden set: retrieval, answer and refusal metrics
	@mkdir -p bench-results
	$(BIN)/policy-assistant eval eval/golden.jsonl --index $(INDEX) --out bench-results/golden.jsonl --summary bench-results/golden-summary.json

eval-dev: index  ## the multi-set table: golden set + the four development sets of $(DEV)
	$(BIN)/policy-assistant eval eval/golden.jsonl --index $(INDEX) \
	  --set $(DEV)/ncp-policy-qa --set $(DEV)/doc2dial-gov-en \
	  --set $(DEV)/xquad-en2zh+$(DEV)/cmrc2018-trial --set $(DEV)/cmrc2018-trial \
	  --work $(DEVWORK) --out-dir $(DEVOUT)

eval-metadata: setup  ## per-field accuracy of the metadata rules on eval/metadata_labels.jsonl
	$(PY) -m eval.metadata_accuracy --dev-sets $(DEV)

eval-validity: setup  ## precision / recall of the validity rules and repeal resolution (labelled + held-out)
	$(PY) -m eval.validity_accuracy --dev-sets $(DEV)

eval-compare: index  ## comparison questions over the sample corpus, cell by cell
	$(PY) -m eval.comparison_accuracy --index $(INDEX)

bench: setup  ## the benchmark suite (about 21 min): ingest, incremental, latency, 50k chunks, naive LangChain, memory
	$(PY) -m benchmarks.bench --out bench-results

bench-scale: setup  ## the scale table (about an hour): sample corpus, 53k and 1M chunks, each on its own chroma run
	$(PY) -m benchmarks.scale --out bench-results

bench-tune: index  ## retrieval settings on every set (after make eval-dev): fusion, weights, BM25
	$(PY) -m benchmarks.tune_dev_retrieval --dev-sets $(DEV)

bench-answers: setup  ## train the answer and refusal models on the dev indexes (after make eval-dev)
	$(PY) -m benchmarks.train_answer_model --dev-sets $(DEV)

bench-refusal: setup  ## the refusal thresholds on the withheld runs of make eval-dev
	$(PY) -m benchmarks.calibrate_refusal

bench-latency: index  ## search and ask latency p50/p95
	$(PY) -m benchmarks.latency --index $(INDEX)

bench-load: setup  ## 20 concurrent chats against a UI already running on 127.0.0.1:7860 (make run)
	$(PY) -m benchmarks.load_ui --url http://127.0.0.1:7860/ --users 20 --questions 5

bench-api: index  ## 20 concurrent OpenAI-SDK clients x 5 questions against serve (its own server)
	$(PY) -m benchmarks.load_api --users 20 --questions 5

bench-ocr: setup  ## OCR error rate and speed on scans of real notices; born-digital PDF layout (about 2 min)
	$(PY) -m benchmarks.ocr_bench --pages 8

bench-choice: setup  ## embedding model and BM25 analyzer comparison on eval/dev_questions.jsonl
	$(PY) -m benchmarks.retrieval_choice

clean:
	rm -rf $(INDEX) indexes/bench-cache
