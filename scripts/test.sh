#!/usr/bin/env bash
# Sets up a fresh Debian 12 machine (with Rust and Node) and runs every test:
# formatting, clippy with warnings as errors, unit and IPC tests, then the WebDriver e2e suite
# against the real app under Xvfb, with a D-Bus session and an unlocked gnome-keyring.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
scripts/setup.sh test

echo "==> cargo fmt"
cargo fmt --all --check
echo "==> cargo clippy"
cargo clippy --workspace --all-targets --locked -- -D warnings
echo "==> unit and IPC tests"
cargo test --locked
echo "==> e2e (tauri-driver + WebKitWebDriver under Xvfb)"
cargo build -p billing-assistant --locked
cargo build -p e2e --tests --locked
export XDG_RUNTIME_DIR=${XDG_RUNTIME_DIR:-$(mktemp -d)}
xvfb-run -a -s "-screen 0 1280x800x24" dbus-run-session -- sh -c '
  echo -n e2e | gnome-keyring-daemon --unlock --components=secrets >/dev/null
  exec cargo test -p e2e --test flows --locked -- --test-threads=1
'
