#!/usr/bin/env bash
# Compiles the shim's CUDA code (MDSL_WITH_CUDA: cuda_graph.cpp and the rest) on a machine without a GPU or a CUDA
# libtorch: against the local libtorch's headers (Debian's 1.13 ships ATen/cuda and c10/cuda) and CUDA's headers
# from Debian's non-free nvidia-cuda-dev (downloaded once, ~780 MB, unpacked into the cache; nothing is installed).
# It catches what a device call would otherwise be spent on: typos and API misuse in code only a CUDA build sees.
# Object files only: linking needs libtorch_cuda, which only the device machine has.
set -euo pipefail
cd "$(dirname "$0")/../.."
cache="${XDG_CACHE_HOME:-$HOME/.cache}/modeldsl/cuda-headers"
if [ ! -f "$cache/usr/include/cuda_runtime_api.h" ]; then
  lists="$cache/apt-lists" parts="$cache/apt-sources"
  mkdir -p "$lists/partial" "$parts"
  printf 'Types: deb\nURIs: http://deb.debian.org/debian\nSuites: bookworm\nComponents: non-free\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
    > "$parts/non-free.sources"
  apt=(-o Dir::State::Lists="$lists" -o Dir::Etc::sourceparts="$parts" -o Dir::Etc::sourcelist=/dev/null)
  apt-get "${apt[@]}" update -qq
  (cd "$cache" && apt-get "${apt[@]}" download nvidia-cuda-dev)
  dpkg-deb --fsys-tarfile "$cache"/nvidia-cuda-dev_*.deb | tar x -C "$cache" --wildcards './usr/include/*'
  rm -f "$cache"/nvidia-cuda-dev_*.deb
fi
# A CPU build of libtorch leaves out this one generated header of c10/cuda; it only marks c10_cuda as a shared library.
mkdir -p "$cache/stub/c10/cuda/impl"
printf '#pragma once\n#define C10_CUDA_BUILD_SHARED_LIBS\n' > "$cache/stub/c10/cuda/impl/cuda_cmake_macros.h"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
for standard in c++17 c++20; do
  pids=()
  for source in src/Runtime/Native/*.cpp; do
    g++ -std="$standard" -c -O2 -fPIC -Wall -Werror -Wno-deprecated-declarations -DMDSL_WITH_CUDA -D_GLIBCXX_USE_CXX11_ABI=1 \
      -I"$cache/stub" -I/usr/include/torch/csrc/api/include -isystem "$cache/usr/include" \
      "$source" -o "$out/$(basename "$source").o" &
    pids+=($!)
  done
  failed=0
  for pid in "${pids[@]}"; do wait "$pid" || failed=1; done
  [ "$failed" = 0 ] || { echo "compile-check: the CUDA build of the shim fails as $standard (above)" >&2; exit 1; }
  echo "compile-check: every shim source builds with MDSL_WITH_CUDA as $standard"
done
nm -C "$out/cuda_graph.cpp.o" | grep 'U at::cuda::CUDAGraph::capture_begin' > /dev/null ||
  { echo "compile-check: cuda_graph.cpp compiled without its CUDA code" >&2; exit 1; }
