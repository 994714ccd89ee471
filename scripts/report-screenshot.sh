#!/usr/bin/env bash
# Renders a training report page in headless Chromium to a PNG as tall as the page, e.g.
#   scripts/report-screenshot.sh /tmp/history.report.html docs/report.png
# A first load reads the page's height from what its script left in #report-status; a second one, in a window that
# tall, takes the screenshot. Each load runs in a fresh profile, off the network.
set -euo pipefail
if [ $# -ne 2 ]; then
  echo "usage: $0 REPORT.html OUT.png (WIDTH=pixels, default 1280)" >&2
  exit 2
fi
page=$1 out=$2 width=${WIDTH:-1280}
[ -f "$page" ] || { echo "report-screenshot: no such file: $page" >&2; exit 1; }
command -v chromium >/dev/null || { echo "report-screenshot: chromium not found; install it with \`sudo apt-get install chromium\` (or run scripts/bootstrap.sh)" >&2; exit 1; }

url="file://$(realpath "$page")"
profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT

load() { # load HEIGHT EXTRA-FLAGS...: loads the page in a fresh profile and prints its DOM
  local height=$1
  shift
  rm -rf "${profile:?}"/*
  chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking \
    --disable-component-update --disable-sync --hide-scrollbars --force-device-scale-factor=1 \
    --user-data-dir="$profile" --window-size="$width,$height" --dump-dom "$@" "$url" 2>/dev/null
}

status=$(load 1000 | grep -o '<output id="report-status"[^>]*>[^<]*</output>' || true)
case "$status" in
  *'data-state="ok"'*) ;;
  *) echo "report-screenshot: the page's script did not finish: ${status:-no #report-status in the DOM}" >&2; exit 1 ;;
esac
height=$(grep -oE '(&quot;|")pageHeight(&quot;|"):[0-9]+' <<<"$status" | grep -oE '[0-9]+$')
mkdir -p "$(dirname "$out")"
load "$height" --screenshot="$(realpath -m "$out")" >/dev/null
echo "report-screenshot: $out (${width}x${height})"
