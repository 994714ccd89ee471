#!/usr/bin/env bash
# The GPU figures in one device call (see README.md beside this file): builds the native shim against the device's
# CUDA libtorch (PyTorch's wheel), then runs, on the same machine in the same command:
#   1. graph-check: 20 steps eager vs replayed as a CUDA graph from one seed, losses must agree to 1e-4;
#   2. steps/s of the reference model (relu LSTMs, batch 32): ours with graphs, ours eager, the PyTorch peer; ratio;
#   3. 3 epochs of the MnistLstm example on the GPU and of the peer, with their val accuracy.
# Needs .gpu/ from bench/gpu/prepare.sh. Writes logs and the history JSON under $OUT.
set -uo pipefail
cd "$(dirname "$0")/../.."
out="${OUT:-/tmp/gpu-out}"
steps="${STEPS:-1000}"
mkdir -p "$out" /tmp/mnist
export DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1 MODELDSL_DATA=/tmp/mnist PYTHONUNBUFFERED=1
for f in .gpu/data/*.gz; do gunzip -c "$f" > "/tmp/mnist/$(basename "$f" .gz)"; done
tar xJf .gpu/pub.tar.xz -C /tmp
echo "== native shim against $(python3 -c 'import torch; print("torch", torch.__version__, "cuda", torch.version.cuda)')"
if ! { cmake -S src/Runtime/Native -B /tmp/native -DCMAKE_BUILD_TYPE=Release && cmake --build /tmp/native -j 16; } > "$out/native-build.log" 2>&1; then
  tail -40 "$out/native-build.log"; exit 1
fi
grep 'modeldsl_native:' "$out/native-build.log"
cp /tmp/native/libmodeldsl_native.so /tmp/pub/
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader
bench=/tmp/pub/ModelDsl.Bench
status=0

echo "== 1. graph replay vs eager"
$bench graph-check --device cuda | tee "$out/graph-check.log" || status=1

echo "== 2. steps/s, reference model, batch 32, $steps steps"
$bench seed-lstm --device cuda --steps "$steps" | tee "$out/ours-graphs.log" || status=1
$bench seed-lstm --device cuda --steps "$steps" --no-graphs | tee "$out/ours-eager.log" || status=1
python3 .gpu/pytorch_seed_model.py /tmp/mnist "$steps" relu cuda | tee "$out/peer-steps.log" || status=1
rate() { grep -o 'steps_per_s=[0-9.]*' "$1" | head -1 | cut -d= -f2; }
ours=$(rate "$out/ours-graphs.log"); eager=$(rate "$out/ours-eager.log"); peer=$(rate "$out/peer-steps.log")
python3 -c "print(f'gpu steps_per_s ours_graphs=$ours ours_eager=$eager peer=$peer ratio={$ours/$peer:.2f} eager_ratio={$eager/$peer:.2f}')" || status=1

echo "== 3. three epochs"
/tmp/pub/MnistLstm --device cuda --epochs 3 --history "$out/history-gpu.json" --save /tmp/mnist-lstm.ckpt | tee "$out/example-gpu.log" || status=1
python3 .gpu/pytorch_seed_model.py /tmp/mnist epochs:3 relu cuda | tee "$out/peer-epochs.log" || status=1
exit $status
