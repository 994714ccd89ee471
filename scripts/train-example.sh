#!/usr/bin/env bash
# Trains the reference MNIST LSTM end to end: installs what it needs, fetches MNIST, builds the example
# (the model file is compiled by the ModelDsl generator), trains it and exports it as ONNX; then
# examples/OnnxInference (ONNX Runtime alone, no libtorch) classifies the 10,000 test images with that file, so the
# run ends with both accuracies. Extra arguments go to the example, e.g. --epochs 1 --limit 5000 --device auto
# --history history.json --onnx FILE (default mnist-lstm.onnx).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh

# The example takes the last --onnx it is given, so the file classified afterwards is the last one here too.
onnx=mnist-lstm.onnx
args=("$@")
for ((i = 0; i + 1 < ${#args[@]}; i++)); do
  [ "${args[i]}" = "--onnx" ] && onnx="${args[i + 1]}"
done

dotnet run -c Release --project examples/MnistLstm -- --onnx "$onnx" "$@"
echo
echo "Classifying the MNIST test set with $onnx in ONNX Runtime (examples/OnnxInference, no libtorch):"
exec dotnet run -c Release --project examples/OnnxInference -- "$onnx"
