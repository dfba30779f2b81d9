#!/usr/bin/env bash
# Prints what a live check costs (check requested -> its answer drawn), p50 and p95 over
# N checks (default 50), through the real app in live mode against the simulator, under Xvfb.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
cargo build -p billing-assistant --locked
cargo build -p e2e --example check_timing --locked
scripts/headless.sh target/debug/examples/check_timing ${1:-50} \
  2> >(grep -vE 'dbus-daemon|SpiRegistry|GNOME_KEYRING|portal|pw.conf|Ignoring invalid' >&2)
