#!/usr/bin/env bash
# Sets up a fresh Debian 12 machine (with Rust and Node) and runs Billing Assistant, in demo mode
# unless BA_MODE=live is set.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh run
cargo build -p billing-assistant
if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
  echo "No display found (DISPLAY is not set): starting the app on an invisible Xvfb screen." >&2
  exec xvfb-run -a -s "-screen 0 1280x800x24" ./target/debug/billing-assistant
fi
exec ./target/debug/billing-assistant
