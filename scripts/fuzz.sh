#!/usr/bin/env bash
# Runs every fuzz target of fuzz/ for a fixed time each (not part of CI: it needs a nightly
# toolchain and cargo-fuzz). Crashes land in fuzz/artifacts/<target>/; each one found
# becomes a case in testdata/bad/ with its expected error.
#
#   scripts/fuzz.sh [SECONDS_PER_TARGET]    (default 300)
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-300}"
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz
rustup toolchain list | grep -q nightly || rustup toolchain install nightly --profile minimal

# Seeds: the fixtures of the matching reader.
seed() {
  local target="$1" dir="fuzz/corpus/$1"
  mkdir -p "$dir"
  case "$target" in
    native) cp testdata/examples/*.json "$dir"/ ;;
    terraform_plan) cp testdata/terraform/*.json testdata/equivalence/northwind-plan.json "$dir"/ ;;
    arm|arm_template) cp testdata/arm/*.json testdata/arm/shapes/*.json "$dir"/ ;;
    terraform_sources) for f in testdata/terraform/sources/*/main.tf testdata/equivalence/*/main.tf; do
        cp "$f" "$dir/$(echo "$f" | tr / _)"; done ;;
    policy) cp policies/rules/*/*.rego "$dir"/ ;;
  esac
}

status=0
for target in native terraform_plan arm arm_template terraform_sources policy; do
  seed "$target"
  echo "== $target ($seconds s)"
  cargo +nightly fuzz run -O "$target" "fuzz/corpus/$target" -- \
    -max_total_time="$seconds" -rss_limit_mb=4096 -timeout=30 || status=1
done
exit "$status"
