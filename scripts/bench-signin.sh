#!/usr/bin/env bash
# Prints sign-in latency (callback at the listener -> "signed in" in the UI), p50 and p95 over
# N sign-ins (default 50), through the real app under Xvfb with a real Secret Service keyring.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
cargo build -p billing-assistant --locked
cargo build -p e2e --example signin_latency --locked
scripts/headless.sh target/debug/examples/signin_latency ${1:-50} \
  2> >(grep -vE 'dbus-daemon|SpiRegistry|GNOME_KEYRING|portal|pw.conf|Ignoring invalid' >&2)
