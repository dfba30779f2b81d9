#!/usr/bin/env bash
# Sets up a fresh Debian 12 machine (with Rust and Node) and runs every test: formatting, clippy
# with warnings as errors, unit, integration and IPC tests, then the WebDriver e2e suite against
# the real app. Tests run under Xvfb, in a D-Bus session with an unlocked gnome-keyring, so the
# keyring tests use the real Secret Service.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
scripts/setup.sh test
echo "==> npm packages for tests (oauth2-mock-server)"
npm ci --prefix tests/node --no-audit --no-fund --loglevel=error

echo "==> UI type check (tsc --checkJs over ui/js)"
tests/node/node_modules/.bin/tsc -p ui/jsconfig.json
echo "==> cargo fmt"
cargo fmt --all --check
echo "==> cargo clippy"
cargo clippy --workspace --all-targets --locked -- -D warnings
echo "==> build"
cargo build -p billing-assistant --locked
cargo build --workspace --tests --locked

# The keyring daemon keeps its collection under XDG_DATA_HOME: a fresh one per run, so a keyring
# left by an earlier run with another password can't be locked against us. The apps under test
# get their own data folders from the harness.
export XDG_RUNTIME_DIR=${XDG_RUNTIME_DIR:-$(mktemp -d)}
export XDG_DATA_HOME=$(mktemp -d)
xvfb-run -a -s "-screen 0 1280x800x24" dbus-run-session -- sh -c '
  set -e
  echo -n billing-assistant-tests | gnome-keyring-daemon --unlock --components=secrets >/dev/null
  echo "==> unit, integration and IPC tests"
  cargo test --locked
  echo "==> e2e (tauri-driver + WebKitWebDriver), one app at a time"
  cargo test -p e2e --locked -- --test-threads=1
'
