#!/usr/bin/env bash
# Prints demo timings: reset (N resets, default 20) and "Connect to Pinecone" -> confirmed in the app (M runs, default 5).
# Usage: scripts/bench-demo.sh [N] [M]
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
cargo build -p billing-assistant --locked
cargo build -p e2e --example demo_timing --locked
export XDG_RUNTIME_DIR=${XDG_RUNTIME_DIR:-$(mktemp -d)}
# A fresh keyring collection, unlocked with a known password (see scripts/test.sh).
export XDG_DATA_HOME=$(mktemp -d)
xvfb-run -a -s "-screen 0 1280x800x24" dbus-run-session -- sh -c "
  echo -n bench | gnome-keyring-daemon --unlock --components=secrets >/dev/null
  exec target/debug/examples/demo_timing ${1:-20} ${2:-5}
" 2> >(grep -vE 'dbus-daemon|SpiRegistry|GNOME_KEYRING|portal|pw.conf|Ignoring invalid' >&2)
