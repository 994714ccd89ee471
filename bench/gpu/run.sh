#!/usr/bin/env bash
# The GPU figures in one device call (see bench/README.md): builds the native shim against the device's CUDA libtorch
# (PyTorch's wheel), then runs, on the same machine in the same command:
#   1. graph-check: 20 steps eager vs replayed as a CUDA graph from one seed, losses must agree to 1e-4;
#   2. steps/s of the reference model (relu LSTMs, batch 32): ours with graphs and the PyTorch peer;
#   3. 3 epochs of the MnistLstm example on the GPU and of the peer, with their val accuracy;
#   4. ours with graphs off;
#   5. graph-check for the tanh LSTM (cuDNN) and the CNN; then a summary: the rates and ratios, both val accuracies,
#      the graph checks.
# Needs .gpu/ from bench/gpu/prepare.sh. Writes under $OUT (at most 8 files come back): run.log (all of the output),
# the native build's log(s), the example's history JSON and report. Every stage has its own time limit and a failed one
# does not stop the next, so one call brings back whatever can be measured.
# DEVICE=cpu runs every stage but the graph checks on the CPU (a rehearsal of the script on a machine without a GPU).
set -uo pipefail
cd "$(dirname "$0")/../.."
out="${OUT:-/tmp/gpu-out}"
steps="${STEPS:-2000}" epochs="${EPOCHS:-3}" device="${DEVICE:-cuda}"
logs=/tmp/gpu-logs
rm -rf "$logs" && mkdir -p "$out" /tmp/mnist "$logs"
export DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1 MODELDSL_DATA=/tmp/mnist PYTHONUNBUFFERED=1
sha256sum --quiet -c .gpu/sources.sha256 ||
  { echo "run.sh: .gpu/ was prepared from other sources than these (above): run bench/gpu/prepare.sh again"; exit 1; }
for f in .gpu/data/*.gz; do gunzip -c "$f" > "/tmp/mnist/$(basename "$f" .gz)"; done
rm -rf /tmp/pub && tar xJf .gpu/pub.tar.xz -C /tmp
status=0
stage() { # stage SECONDS LOG COMMAND...: runs the command under a time limit, teeing its output to $logs/LOG
  local limit=$1 log=$2; shift 2
  timeout "$limit" "$@" 2>&1 | tee "$logs/$log"
  local rc=${PIPESTATUS[0]}
  [ "$rc" -eq 0 ] || { echo "!! $log: exit $rc$([ "$rc" -eq 124 ] && echo ", over its ${limit} s")"; status=1; }
}

main() {
  echo "== native shim against $(python3 -c 'import torch; print("torch", torch.__version__, "cuda", torch.version.cuda)')"
  native=/tmp/native/libmodeldsl_native.so
  { timeout 300 cmake -S src/Runtime/Native -B /tmp/native -DCMAKE_BUILD_TYPE=Release && timeout 300 cmake --build /tmp/native -j "$(nproc)"; } \
    > "$out/native-build.log" 2>&1 && built=1 || built=0
  if [ "$device" = cuda ] && ! grep -q 'modeldsl_native: .* with CUDA' "$out/native-build.log"; then built=0; fi
  if [ "$built" = 0 ]; then
    grep -E 'CMake Error|error:|modeldsl_native:' "$out/native-build.log" | head -20
    echo "== CMake gave no CUDA build (above; whole log in native-build.log): building with g++ from torch's own paths"
    native=/tmp/native-gxx/libmodeldsl_native.so
    python3 bench/gpu/build_native.py src/Runtime/Native /tmp/native-gxx > "$out/native-gxx.log" 2>&1 ||
      { grep -E -A3 'error' "$out/native-gxx.log" | head -40; return 1; }
  fi
  grep -h 'modeldsl_native:' "$out"/native*.log
  cp "$native" /tmp/pub/
  if ldd /tmp/pub/libmodeldsl_native.so | grep 'not found'; then return 1; fi
  [ "$device" = cuda ] && nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader
  bench=/tmp/pub/ModelDsl.Bench

  if [ "$device" = cuda ]; then
    echo "== 1. graph replay vs eager"
    stage 120 graph-check.log "$bench" graph-check --device cuda
  fi

  echo "== 2. steps/s, reference model, batch 32, $steps steps"
  stage 120 ours-graphs.log "$bench" seed-lstm --device "$device" --steps "$steps"
  stage 150 peer-steps.log python3 .gpu/pytorch_seed_model.py /tmp/mnist "$steps" relu "$device"

  echo "== 3. $epochs epochs"
  stage 200 example.log /tmp/pub/MnistLstm --device "$device" --epochs "$epochs" --history "$out/history.json" --save /tmp/mnist-lstm.ckpt
  stage 240 peer-epochs.log python3 .gpu/pytorch_seed_model.py /tmp/mnist "epochs:$epochs" relu "$device"

  echo "== 4. steps/s with graphs off (last: the figure the ratio needs least)"
  stage 150 ours-eager.log "$bench" seed-lstm --device "$device" --steps "$steps" --no-graphs
  if [ "$device" = cuda ]; then
    echo "== 5. graph replay vs eager for the other benchmark models (cuDNN's tanh LSTM, the CNN)"
    stage 90 graph-check-tanh.log "$bench" graph-check --device cuda --model tanh-lstm
    stage 90 graph-check-cnn.log "$bench" graph-check --device cuda --model cnn
  fi
  echo "== summary"
  python3 - "$logs" "$out/history.json" <<'PY'
import json, re, sys
logs, history = sys.argv[1], sys.argv[2]
def last(log, key):
    try:
        found = re.findall(rf"{key}=([0-9.eE+-]+|True|False)", open(f"{logs}/{log}").read())
    except OSError:
        return None
    return found[-1] if found else None
rate = {name: last(f"{name}.log", "steps_per_s") for name in ("ours-graphs", "ours-eager", "peer-steps")}
def ratio(a, b):
    return f"{float(rate[a]) / float(rate[b]):.2f}" if rate[a] and rate[b] else "n/a"
try:
    ours_accuracy = f"{json.load(open(history))['val_accuracy'][-1]:.4f}"
except (OSError, KeyError, IndexError, ValueError):
    ours_accuracy = None
print(f"gpu steps_per_s ours_graphs={rate['ours-graphs']} ours_eager={rate['ours-eager']} peer={rate['peer-steps']} "
      f"ratio={ratio('ours-graphs', 'peer-steps')} eager_ratio={ratio('ours-eager', 'peer-steps')}")
print(f"gpu val_accuracy ours={ours_accuracy} peer={last('peer-epochs.log', 'val_accuracy')}")
for name in ("", "-tanh", "-cnn"):
    log = f"graph-check{name}.log"
    print(f"gpu graph_check{name.replace('-', '_')} max_loss_diff={last(log, 'graph_check_max_loss_diff')} agree={last(log, 'agree')}")
PY
  return $status
}

main 2>&1 | tee "$out/run.log"
exit "${PIPESTATUS[0]}"
