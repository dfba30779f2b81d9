#!/bin/sh
# Fuzzes the loopback listener's request handling with proptest and prints the figures:
# scripts/fuzz-listener.sh [cases] (100,000 by default). cargo test runs 2,000 of the same.
set -eu
cd "$(dirname "$0")/.."
cases="${1:-100000}"
start=$(date +%s)
BA_FUZZ_CASES="$cases" cargo test --release -q -p signin --test listener_fuzz -- --nocapture 2>&1 | grep -E "generated requests|test result|panicked|minimal failing" || true
echo "took $(( $(date +%s) - start )) s (release build, including the build)"
