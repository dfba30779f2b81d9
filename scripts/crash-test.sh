#!/usr/bin/env bash
# Crash safety of the progress store, with figures:
#   scripts/crash-test.sh [kills] [full-disk trials] [read-only trials]   (1000 100 100 by default)
# 1. Starts a process that saves progress over and over, kills it with SIGKILL at a random
#    moment, and loads what is left: it must be the save before or after the one that was
#    running, with no "unreadable" notice.
# 2. On a 1 MiB tmpfs filled to the last page, a save must fail with "the disk is full" and leave
#    the old file byte for byte. 3. The same on a read-only mount ("read-only").
# Parts 2 and 3 mount tmpfs, so they need root; without it they are reported as not run.
set -euo pipefail
cd "$(dirname "$0")/.."
kills="${1:-1000}"; fulls="${2:-100}"; readonlys="${3:-100}"
cargo build -q --release -p wizard --example progress_crash
bin=target/release/examples/progress_crash
work=$(mktemp -d)
trap 'umount "$work/mnt" 2>/dev/null || true; rm -rf "$work"' EXIT

ok=0; wrong=0; unreadable=0; mid_save=0; saves=0
for ((i = 0; i < kills; i++)); do
  rm -rf "$work/data" && mkdir -p "$work/data"
  "$bin" save "$work/data" > "$work/log" 2>/dev/null &
  pid=$!
  # A random moment in the first 40 ms: before the first save, mid-write, mid-rename, between saves.
  sleep "0.$(printf '%03d' $((RANDOM % 40)))"
  kill -9 "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  # Killed while a save was running: the log's last word is "saving".
  if tail -n 1 "$work/log" | grep -q '^saving'; then mid_save=$((mid_save + 1)); fi
  saves=$((saves + $(grep -c '^saved' "$work/log" || true)))
  if out=$("$bin" check "$work/data" "$work/log"); then ok=$((ok + 1))
  else
    case "$out" in UNREADABLE*) unreadable=$((unreadable + 1)) ;; *) wrong=$((wrong + 1)) ;; esac
    echo "trial $i: $out"
  fi
done
echo "SIGKILL during saves: $ok/$kills loads were the save before or after the one running; $wrong wrong, $unreadable unreadable"
echo "  ($mid_save of the $kills kills landed while a save was running; $saves saves completed in all)"
failed=$((wrong + unreadable))

run_mounted() { # name trials expect-kind mount-options
  local name=$1 trials=$2 kind=$3 pass=0
  mkdir -p "$work/mnt"
  if ! mount -t tmpfs -o size=1m tmpfs "$work/mnt" 2>/dev/null; then
    echo "$name: not run (mounting a tmpfs needs root)"
    return
  fi
  umount "$work/mnt"
  for ((i = 0; i < trials; i++)); do
    mount -t tmpfs -o size=1m tmpfs "$work/mnt"
    "$bin" prepare "$work/mnt" >/dev/null
    sum_before=$(sha256sum "$work/mnt/progress.json" | cut -d' ' -f1)
    [ "$kind" = readonly ] && mount -o remount,ro "$work/mnt"
    if out=$("$bin" "$kind" "$work/mnt"); then
      sum_after=$(sha256sum "$work/mnt/progress.json" | cut -d' ' -f1)
      if [ "$sum_before" = "$sum_after" ]; then pass=$((pass + 1)); else echo "$name trial $i: file changed"; fi
    else
      echo "$name trial $i: $out"
    fi
    umount "$work/mnt"
  done
  echo "$name: $pass/$trials saves failed with a clear message and left the old file byte-identical (last: ${out#ok: })"
  failed=$((failed + trials - pass))
}
run_mounted "1 MiB tmpfs, full" "$fulls" full
run_mounted "read-only tmpfs" "$readonlys" readonly
[ "$failed" -eq 0 ]
