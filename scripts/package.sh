#!/usr/bin/env bash
# Builds the Linux packages with the pinned Tauri CLI (tests/node, @tauri-apps/cli 2.x): the
# release binary, with a deployment's sign-in settings baked in when BA_DEPLOYMENT_CONFIG names a
# file (see docs/deploying.md), in a .deb and an .rpm. Copies them to dist/ under the names
# `apt install ./billing-assistant_*.deb` and `dnf install ./billing-assistant-*.rpm` expect.
# Usage: scripts/package.sh          (needs scripts/setup.sh run, and Node)
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
[ -x tests/node/node_modules/.bin/tauri ] || npm ci --prefix tests/node --no-audit --no-fund --loglevel=error
if [ -n "${BA_DEPLOYMENT_CONFIG:-}" ]; then
  BA_DEPLOYMENT_CONFIG=$(realpath "$BA_DEPLOYMENT_CONFIG")
  export BA_DEPLOYMENT_CONFIG
  echo "==> baking in the deployment settings from $BA_DEPLOYMENT_CONFIG"
fi
version=$(sed -n 's/^  "version": "\(.*\)",$/\1/p' tauri.conf.json)
# The CLI looks for tauri.conf.json beside the app's Cargo.toml: src-tauri/tauri.conf.json is a
# symlink to the root file.
TAURI_APP_PATH=src-tauri tests/node/node_modules/.bin/tauri build --ci --bundles deb,rpm -- --locked
rm -rf dist && mkdir -p dist
cp target/release/bundle/deb/*_"${version}"_amd64.deb "dist/billing-assistant_${version}_amd64.deb"
cp target/release/bundle/rpm/*-"${version}"-1.x86_64.rpm "dist/billing-assistant-${version}-1.x86_64.rpm"
ls -l dist/
