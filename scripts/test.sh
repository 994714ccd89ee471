#!/usr/bin/env bash
# The whole test suite: installs what it needs, builds everything and runs
# every test project. Tests that need MNIST fetch it into $MODELDSL_DATA or ~/.cache/modeldsl/mnist.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh

log=$(mktemp)
trap 'rm -f "$log"' EXIT
set +e
dotnet test ModelDsl.sln -c Release 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e

# One closing line in the plain "N passed, N failed" form, summed over the test projects.
awk '/^(Passed|Failed)!/ {
       for (i = 1; i <= NF; i++) {
         if ($i == "Failed:") failed += $(i + 1); if ($i == "Passed:") passed += $(i + 1); if ($i == "Skipped:") skipped += $(i + 1)
       }
     }
     END { gsub(",", "", passed); printf "tests: %d passed, %d failed, %d skipped\n", passed, failed, skipped }' "$log"
exit "$status"
