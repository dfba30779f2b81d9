#!/usr/bin/env bash
# Makes every icon the bundler asks for from the one source image, icons/source.png (1024×1024,
# transparent corners), with the pinned Tauri CLI, and keeps the desktop ones: the PNGs the Linux
# packages install (32, 64, 128, 256 and 512 px), the macOS .icns and the Windows .ico. Run it
# after changing the source; the results are committed so that a plain `cargo build` has them.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x tests/node/node_modules/.bin/tauri ] || npm ci --prefix tests/node --no-audit --no-fund --loglevel=error
tauri=tests/node/node_modules/.bin/tauri
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
"$tauri" icon icons/source.png -o "$out/all" >/dev/null 2>&1
"$tauri" icon icons/source.png -o "$out/extra" --png 256 >/dev/null 2>&1
for f in 32x32.png 64x64.png 128x128.png icon.png icon.icns icon.ico; do cp "$out/all/$f" icons/; done
cp "$out/extra/256x256.png" icons/
echo "icons/: $(ls icons | tr '\n' ' ')"
