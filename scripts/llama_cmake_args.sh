#!/usr/bin/env bash
# Prints CMAKE_ARGS for building llama.cpp for this CPU, with the AMX kernels always off.
# Each instruction set is switched on only when the CPU reports it, so the build also runs on CPUs
# without AVX-512 (a -march=native build would enable AMX where the CPU advertises it).
# The multimodal library (mtmd, clip) is never loaded by the chatbot, so it is not built.
set -euo pipefail
if [ "$(uname -m)" != "x86_64" ]; then
  echo "-DLLAVA_BUILD=OFF -DGGML_NATIVE=ON"
  exit 0
fi
flags=" $(grep -m1 '^flags' /proc/cpuinfo | cut -d: -f2) "
has() { case "$flags" in *" $1 "*) echo ON ;; *) echo OFF ;; esac; }
args=(
  -DLLAVA_BUILD=OFF
  -DGGML_NATIVE=OFF
  -DGGML_AVX="$(has avx)"
  -DGGML_AVX2="$(has avx2)"
  -DGGML_BMI2="$(has bmi2)"
  -DGGML_FMA="$(has fma)"
  -DGGML_F16C="$(has f16c)"
  -DGGML_AVX_VNNI="$(has avx_vnni)"
  -DGGML_AVX512="$(has avx512f)"
  -DGGML_AVX512_VBMI="$(has avx512vbmi)"
  -DGGML_AVX512_VNNI="$(has avx512_vnni)"
  -DGGML_AVX512_BF16="$(has avx512_bf16)"
  -DGGML_AMX_TILE=OFF
  -DGGML_AMX_INT8=OFF
  -DGGML_AMX_BF16=OFF
)
echo "${args[*]}"
