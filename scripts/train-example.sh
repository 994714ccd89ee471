#!/usr/bin/env bash
# Trains the reference MNIST LSTM end to end: installs what it needs, fetches MNIST, builds the example
# (the model file is compiled by the ModelDsl generator) and trains it. Extra arguments go to the example,
# e.g. --epochs 1 --limit 5000 --device auto --history history.json.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
exec dotnet run -c Release --project examples/MnistLstm -- "$@"
