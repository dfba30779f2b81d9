#!/usr/bin/env bash
# Prints sign-in latency (callback at the listener -> "signed in" in the UI), p50 and p95 over
# N sign-ins (default 50), through the real app under Xvfb with a real Secret Service keyring.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
cargo build -p billing-assistant --locked
cargo build -p e2e --example signin_latency --locked
export XDG_RUNTIME_DIR=${XDG_RUNTIME_DIR:-$(mktemp -d)}
# A fresh keyring collection, unlocked with a known password (see scripts/test.sh).
export XDG_DATA_HOME=$(mktemp -d)
xvfb-run -a -s "-screen 0 1280x800x24" dbus-run-session -- sh -c "
  echo -n bench | gnome-keyring-daemon --unlock --components=secrets >/dev/null
  exec target/debug/examples/signin_latency ${1:-50}
" 2> >(grep -vE 'dbus-daemon|SpiRegistry|GNOME_KEYRING|portal|pw.conf|Ignoring invalid' >&2)
