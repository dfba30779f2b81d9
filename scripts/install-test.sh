#!/usr/bin/env bash
# Installs the .deb from scripts/package.sh into a fresh Debian 12 root and proves it works there:
#   1. debootstrap a minimal bookworm root (no WebKit, no GTK);
#   2. `apt-get install ./billing-assistant_*.deb` in it, which must pull WebKitGTK by itself;
#   3. check the installed files: the binary, the desktop entry, every icon size, the copyright,
#      the version, and the binary's own --version;
#   4. run the e2e flows suite against the installed binary, run inside that root (its libraries,
#      not this machine's), through this machine's tauri-driver, display and D-Bus session.
# The .rpm is checked by its contents and declared dependencies (rpm -qp); no RPM system is here.
# Usage: scripts/install-test.sh     (after scripts/package.sh; needs root, debootstrap and rpm)
set -euo pipefail
cd "$(dirname "$0")/.."
# debootstrap, chroot and mount need root.
[ "$(id -u)" -eq 0 ] || exec sudo -E "$0" "$@"
export PATH="$HOME/.cargo/bin:$PATH"
repo=$(pwd -P)
version=$(sed -n 's/^  "version": "\(.*\)",$/\1/p' tauri.conf.json)
deb=dist/billing-assistant_${version}_amd64.deb
rpm=dist/billing-assistant-${version}-1.x86_64.rpm
[ -f "$deb" ] && [ -f "$rpm" ] || { echo "no packages in dist/: run scripts/package.sh first" >&2; exit 1; }

fail() { echo "install test: $*" >&2; exit 1; }
root=$(mktemp -d /var/tmp/ba-fresh-root.XXXXXX)
chmod 755 "$root"  # a root folder, readable by apt's own user
mounts=()
cleanup() {
  for ((i=${#mounts[@]}-1; i>=0; i--)); do umount -R "${mounts[$i]}" 2>/dev/null || umount -l "${mounts[$i]}" || true; done
  # Never delete through a mount that is still there: it could be /tmp or this repository.
  if grep -q " $root" /proc/mounts; then
    echo "install test: $root still has mounts; left in place" >&2
  else
    rm -rf "$root"
  fi
}
trap cleanup EXIT

mirror=$(sed -n 's/^URIs: *//p' /etc/apt/sources.list.d/debian.sources 2>/dev/null | head -1)
mirror=${mirror:-http://deb.debian.org/debian}
echo "==> a fresh Debian 12 root ($root, from $mirror)"
debootstrap --variant=minbase bookworm "$root" "$mirror" >/dev/null
in_root() { chroot "$root" "$@"; }
mount -t proc proc "$root/proc"; mounts+=("$root/proc")
in_root dpkg-query -W libwebkit2gtk-4.1-0 >/dev/null 2>&1 && fail "the fresh root already has WebKitGTK"

echo "==> apt-get install ./$(basename "$deb") in it"
cp "$deb" "$root/var/tmp/"
in_root apt-get update -qq
DEBIAN_FRONTEND=noninteractive in_root apt-get install -y -qq --no-install-recommends "/var/tmp/$(basename "$deb")" >/dev/null
in_root dpkg-query -W -f='${Status}\n' libwebkit2gtk-4.1-0 | grep -q "install ok installed" || fail "WebKitGTK was not pulled in"

echo "==> the installed files"
files=$(in_root dpkg -L billing-assistant)
want=(/usr/bin/billing-assistant /usr/share/doc/billing-assistant/copyright)
for size in 32x32 64x64 128x128 256x256 512x512; do want+=("/usr/share/icons/hicolor/$size/apps/billing-assistant.png"); done
for f in "${want[@]}"; do grep -qx "$f" <<<"$files" || fail "$f is not in the package"; done
desktop=$(grep '^/usr/share/applications/.*\.desktop$' <<<"$files") || fail "no desktop entry"
for line in "Name=Billing Assistant" "Exec=billing-assistant" "Icon=billing-assistant" "Type=Application"; do
  grep -qx "$line" "$root$desktop" || fail "the desktop entry lacks $line"
done
command -v desktop-file-validate >/dev/null && desktop-file-validate "$root$desktop"
[ "$(in_root dpkg-query -W -f='${Version}' billing-assistant)" = "$version" ] || fail "package version is not $version"
if [ -n "${BA_EXPECT_CLIENT_ID:-}" ]; then
  grep -aqF "$BA_EXPECT_CLIENT_ID" "$root/usr/bin/billing-assistant" || fail "the deployment's client id isn't baked into the installed binary"
  echo "the deployment's settings are baked in (client id $BA_EXPECT_CLIENT_ID found in the binary)"
fi
about=$(in_root /usr/bin/billing-assistant --version)
[ "$about" = "Billing Assistant $version (release build)" ] || fail "--version printed: $about"
echo "installed: $(wc -l <<<"$files") paths; $about; WebKitGTK $(in_root dpkg-query -W -f='${Version}' libwebkit2gtk-4.1-0)"

echo "==> the .rpm's contents and dependencies"
command -v rpm >/dev/null || fail "rpm (the Debian package) is needed to read the .rpm: scripts/setup.sh test installs it"
rpm_files=$(rpm -qlp "$rpm" 2>/dev/null)
for f in /usr/bin/billing-assistant /usr/share/licenses/billing-assistant/LICENSE /usr/share/icons/hicolor/256x256/apps/billing-assistant.png; do
  grep -qx "$f" <<<"$rpm_files" || fail "$f is not in the rpm"
done
grep -q '\.desktop$' <<<"$rpm_files" || fail "no desktop entry in the rpm"
requires=$(rpm -qp --requires "$rpm" 2>/dev/null)
for r in 'libwebkit2gtk-4.1.so.0()(64bit)' 'libgtk-3.so.0()(64bit)' dbus-libs; do grep -qxF "$r" <<<"$requires" || fail "the rpm doesn't require $r"; done
[ "$(rpm -qp --qf '%{VERSION}' "$rpm" 2>/dev/null)" = "$version" ] || fail "rpm version is not $version"
echo "rpm: $(wc -l <<<"$rpm_files") paths, requires $(grep -v '^rpmlib' <<<"$requires" | tr '\n' ' ')"

echo "==> the e2e flows suite against the installed binary"
for m in sys dev tmp; do mkdir -p "$root/$m"; done
mount --rbind /sys "$root/sys"; mounts+=("$root/sys")
mount --rbind /dev "$root/dev"; mounts+=("$root/dev")
# /tmp carries the X socket and the tests' data folders; the repository carries the scripted
# browser the tests point BROWSER at. Both at the same paths as outside.
mount --bind /tmp "$root/tmp"; mounts+=("$root/tmp")
mkdir -p "$root$repo"; mount --bind "$repo" "$root$repo"; mounts+=("$root$repo")
wrapper=$(mktemp /tmp/installed-billing-assistant.XXXXXX)
shots=$(mktemp -d /tmp/installed-screenshots.XXXXXX)
printf '#!/bin/sh\nexec chroot %s /usr/bin/billing-assistant "$@"\n' "$root" > "$wrapper"
chmod +x "$wrapper"
BA_APP_BINARY=$wrapper BA_SCREENSHOT_DIR=$shots scripts/headless.sh cargo test -p e2e --test flows --locked -- --test-threads=1
rm -rf "$wrapper" "$shots"
echo "install test: passed"
