# Two commands on a fresh machine: `make run` (chat on http://127.0.0.1:7860) and `make test`.
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1

.PHONY: install run test test-fast index lint clean bench-peer

install: $(STAMP)

$(STAMP): pyproject.toml scripts/install.sh scripts/llama_cmake_args.sh
	bash scripts/install.sh
	touch $(STAMP)

# The built-in model CHATBOT_MODEL names (default or small) is assembled first if it is missing.
run: install
	$(BIN)/chatbot fetch-model >/dev/null
	$(BIN)/chatbot serve

# Lint first (line length, complexity, bugs): seconds, and a failure says exactly where.
test: lint
	$(BIN)/python -m pytest

test-fast: install
	$(BIN)/python -m pytest -m "not slow"

index: install
	$(BIN)/chatbot index

lint: install
	$(BIN)/ruff check chatbot tests benchmarks
	$(BIN)/ruff format --check chatbot tests benchmarks

clean:
	rm -rf $(VENV) .venv-peer .pytest_cache tests/artifacts

# LlamaIndex side by side with this chatbot (benchmarks/peer.py), in its own venv.
PEER_PACKAGES := "llama-index-core>=0.14,<0.15" "llama-index-llms-llama-cpp>=0.7,<0.8" "llama-index-embeddings-huggingface>=0.8,<0.9" "torch==2.13.0"
bench-peer:
	VENV=.venv-peer bash scripts/install.sh
	.venv-peer/bin/python -m pip install --quiet --disable-pip-version-check $(PEER_PACKAGES)
	.venv-peer/bin/python -m benchmarks.peer
