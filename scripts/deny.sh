#!/bin/sh
# Dependency checks with cargo-deny (configured in deny.toml): licences, sources and duplicate
# versions always; advisories when the RustSec advisory database can be had, either fetched from
# github.com/rustsec/advisory-db or copied from a local git copy named by BA_ADVISORY_DB. Where
# neither can be had this says so, and the other checks still decide.
set -eu
cd "$(dirname "$0")/.."
command -v cargo-deny >/dev/null || cargo install cargo-deny --locked --version 0.20.2
cargo deny check licenses bans sources
dups=$(cargo deny check bans 2>&1 | grep -c '^warning\[duplicate\]' || true)
echo "duplicate versions: $dups crates appear in more than one version (listed above; not fatal, see deny.toml)"

db=$(mktemp -d)
config=$(mktemp --suffix=.toml)
trap 'rm -rf "$db" "$config"' EXIT
sed "s|^\[advisories\]|[advisories]\ndb-path = \"$db\"|" deny.toml > "$config"
# cargo-deny keeps the default database (github.com/rustsec/advisory-db) under this name.
copy="$db/advisory-db-3157b0e258782691"
if [ -n "${BA_ADVISORY_DB:-}" ] && git clone -q "$BA_ADVISORY_DB" "$copy"; then
  source="the local copy at $BA_ADVISORY_DB (last change $(git -C "$copy" log -1 --format=%cs))"
elif timeout 120 cargo deny --config "$config" fetch db >/dev/null 2>&1; then
  source="github.com/rustsec/advisory-db, fetched now"
else
  echo "advisories: NOT checked: github.com/rustsec/advisory-db can't be fetched from this machine, and BA_ADVISORY_DB names no local copy"
  exit 0
fi
cargo deny --offline --config "$config" check advisories
echo "advisories: checked against $source"
