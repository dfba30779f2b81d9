#!/usr/bin/env bash
# Runs the QA engineers' WebdriverIO example (tests/node/qa-example.mjs, see docs/qa.md) against
# the debug build, or against BA_APP_BINARY. It needs a display, tauri-driver and WebKitWebDriver:
#   scripts/headless.sh scripts/wdio-example.sh
# (scripts/test.sh runs it so, after the e2e suite, which builds the debug binary.)
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
app=${BA_APP_BINARY:-${CARGO_TARGET_DIR:-target}/debug/billing-assistant}
if [ ! -x "$app" ]; then
  echo "$app is missing: run \`cargo build -p billing-assistant\` first, or set BA_APP_BINARY" >&2
  exit 1
fi
if [ ! -d tests/node/node_modules/webdriverio ]; then
  echo "webdriverio is missing: run \`npm ci --prefix tests/node --no-audit --no-fund\` first" >&2
  exit 1
fi
# An absolute path: tauri-driver resolves it, not this shell.
BA_APP_BINARY=$(realpath "$app") exec node tests/node/qa-example.mjs
