# Two commands on a fresh machine: `make run` (chat on http://127.0.0.1:7860) and `make test`.
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1

.PHONY: install run test test-fast index lint clean

install: $(STAMP)

$(STAMP): pyproject.toml scripts/install.sh scripts/llama_cmake_args.sh
	bash scripts/install.sh
	touch $(STAMP)

run: install
	$(BIN)/chatbot serve

test: install
	$(BIN)/python -m pytest

test-fast: install
	$(BIN)/python -m pytest -m "not slow"

index: install
	$(BIN)/chatbot index

lint: install
	$(BIN)/ruff check chatbot tests

clean:
	rm -rf $(VENV) .pytest_cache tests/artifacts
