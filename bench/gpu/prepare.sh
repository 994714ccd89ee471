#!/usr/bin/env bash
# Packs what bench/gpu/run.sh needs on the device machine (no .NET, no registries there) into .gpu/ (git-ignored
# through .git/info/exclude, carried by the device call): a self-contained publish of the benchmark and the MnistLstm
# example (xz, ~26 MB), MNIST (gzip, ~11 MB) and the PyTorch peer. The native shim is built there, against CUDA libtorch.
set -euo pipefail
cd "$(dirname "$0")/../.."
grep -qx '/.gpu/' .git/info/exclude 2>/dev/null || { mkdir -p .git/info; echo '/.gpu/' >> .git/info/exclude; }
rm -rf .gpu && mkdir -p .gpu/data
dotnet publish bench/Bench -c Release -r linux-x64 --self-contained -o .gpu/pub -v:q -nologo
dotnet publish examples/MnistLstm -c Release -r linux-x64 --self-contained -o .gpu/pub -v:q -nologo
rm -f .gpu/pub/libmodeldsl_native.so .gpu/pub/*.pdb
tar cJf .gpu/pub.tar.xz -C .gpu pub && rm -rf .gpu/pub
data="${MODELDSL_DATA:-$HOME/.cache/modeldsl/mnist}"
for f in "$data"/*-ubyte; do gzip -c "$f" > ".gpu/data/$(basename "$f").gz"; done
cp ../shared/peers/pytorch_seed_model.py .gpu/
# run.sh builds the shim from the tree it travels with: it checks that these are the sources the publish came from.
git ls-files -z src examples bench/Bench | xargs -0 sha256sum > .gpu/sources.sha256
du -sh .gpu
