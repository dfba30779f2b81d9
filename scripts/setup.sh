#!/usr/bin/env bash
# Installs what Billing Assistant needs on Debian 12, given Rust (rustup) and Node.
#   scripts/setup.sh run    packages to build and run the app
#   scripts/setup.sh test   also what the tests need: Xvfb, WebKitWebDriver, tauri-driver, D-Bus, gnome-keyring,
#                           cargo-deny
set -euo pipefail
what=${1:-run}

build_pkgs=(build-essential pkg-config libwebkit2gtk-4.1-dev libssl-dev libdbus-1-dev)
run_pkgs=(xvfb xauth dbus-x11 gnome-keyring libsecret-tools)
test_pkgs=(webkit2gtk-driver imagemagick keyutils procps curl chromium chromium-driver debootstrap rpm desktop-file-utils)

pkgs=("${build_pkgs[@]}" "${run_pkgs[@]}")
[ "$what" = test ] && pkgs+=("${test_pkgs[@]}")

missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  echo "==> installing: ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if [ "$what" = test ]; then
  for c in rustfmt clippy; do
    rustup component list --installed 2>/dev/null | grep -q "^$c" || rustup component add "$c"
  done
  # Pinned: the e2e harness speaks to this version's command line.
  if ! tauri-driver --help >/dev/null 2>&1; then
    echo "==> installing tauri-driver"
    cargo install tauri-driver --locked --version 2.1.0
  fi
  if ! cargo deny --version >/dev/null 2>&1; then
    echo "==> installing cargo-deny"
    cargo install cargo-deny --locked --version 0.20.2
  fi
fi
