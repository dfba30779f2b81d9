#!/usr/bin/env bash
# Prints demo timings: reset (N resets, default 20) and "Connect to Pinecone" -> confirmed in the app (M runs, default 5).
# Usage: scripts/bench-demo.sh [N] [M]
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
cargo build -p billing-assistant --locked
cargo build -p e2e --example demo_timing --locked
scripts/headless.sh target/debug/examples/demo_timing ${1:-20} ${2:-5} \
  2> >(grep -vE 'dbus-daemon|SpiRegistry|GNOME_KEYRING|portal|pw.conf|Ignoring invalid' >&2)
