#!/usr/bin/env bash
# Sets up a fresh Debian 12 machine (with Rust and Node) and runs every test: formatting, clippy
# with warnings as errors, cargo deny, unit, integration and IPC tests, the progress store's crash
# test, then the WebDriver e2e suite against the real app. Tests run under Xvfb, in a D-Bus session with an unlocked gnome-keyring, so the
# keyring tests use the real Secret Service.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
# One clean build per run: incremental caches would only take disk (they were a third of target/).
export CARGO_INCREMENTAL=0
scripts/setup.sh test
echo "==> npm packages for tests (oauth2-mock-server)"
npm ci --prefix tests/node --no-audit --no-fund --loglevel=error

echo "==> UI type check (tsc --checkJs over ui/js)"
tests/node/node_modules/.bin/tsc -p ui/jsconfig.json
echo "==> the release workflow against GitHub's workflow schema (it can't run here)"
tests/node/node_modules/.bin/action-validator .github/workflows/release.yml
echo "==> cargo fmt"
cargo fmt --all --check
echo "==> cargo clippy"
cargo clippy --workspace --all-targets --locked -- -D warnings
echo "==> dependencies: licences, sources, duplicate versions, advisories (cargo deny)"
scripts/deny.sh
echo "==> build"
cargo build -p billing-assistant --locked
cargo build --workspace --tests --locked

echo "==> unit, integration and IPC tests"
scripts/headless.sh cargo test --locked
echo "==> crash safety of the progress store (a shorter run than scripts/crash-test.sh's default)"
scripts/crash-test.sh 200 20 20
echo "==> e2e (tauri-driver + WebKitWebDriver, and Chromium for demo mode), one app at a time"
scripts/headless.sh cargo test -p e2e --locked -- --test-threads=1
echo "==> the QA engineers' WebdriverIO example (tests/node/qa-example.mjs) against the debug build"
scripts/headless.sh scripts/wdio-example.sh
echo "==> the .deb and .rpm (Tauri CLI, release build), installed into a fresh Debian 12 root, flows e2e there"
BA_DEPLOYMENT_CONFIG=tests/fixtures/deployment.toml scripts/package.sh
BA_EXPECT_CLIENT_ID=ba0ba0ba-0000-4000-8000-00000000ba0b scripts/install-test.sh
