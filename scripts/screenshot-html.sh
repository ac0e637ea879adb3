#!/usr/bin/env bash
# screenshot-html.sh [INPUT] [OUT.png]: renders the HTML report of an input (default: the
# bundled example) in headless Chromium (Debian's `chromium`) and writes a PNG, to look at
# what a reviewer sees. Run by hand, not in CI: `apt-get install chromium` first.
set -euo pipefail
cd "$(dirname "$0")/.."
input=${1:-testdata/examples/contoso-clinical.json}
png=${2:-report.png}
command -v chromium >/dev/null || { echo "chromium is not installed: apt-get install chromium" >&2; exit 2; }
cargo build -q -p ahds-guard-cli
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
# check exits 1 when it finds violations; the report is written either way.
target/debug/ahds-guard check "$input" --format "html=$scratch/report.html" || [ $? -eq 1 ]
chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size=1600,2200 \
  --screenshot="$scratch/shot.png" "file://$scratch/report.html" >/dev/null 2>&1
mv "$scratch/shot.png" "$png"
echo "$png"
