#!/usr/bin/env bash
# Measures the release build under Xvfb and prints:
#   - launch to first screen painted, from outside (process start to the UI's "painted" report)
#     and from inside (the app's own clock, from main to the second animation frame);
#   - total RSS and PSS of the app plus its WebKit processes, 3 s after first paint;
#   - the stripped binary size.
# Usage: scripts/measure.sh [runs]   (default 5)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
cargo build --release -p billing-assistant --features custom-protocol --locked 2>&1 | tail -1
bin=target/release/billing-assistant

# Sums a field of /proc/<pid>/status or smaps_rollup over a process and all its descendants.
tree_pids() {
  local pid=$1
  echo "$pid"
  for child in $(pgrep -P "$pid" || true); do tree_pids "$child"; done
}
sum_kb() { # $1 pid, $2 file, $3 field
  local total=0 v
  for p in $(tree_pids "$1"); do
    v=$(awk -v f="$3:" '$1==f {print $2}' "/proc/$p/$2" 2>/dev/null || true)
    total=$((total + ${v:-0}))
  done
  echo "$total"
}

xvfb_display=:$((90 + RANDOM % 9))
Xvfb "$xvfb_display" -screen 0 1280x800x24 >/dev/null 2>&1 &
xvfb=$!
trap 'kill $xvfb 2>/dev/null || true' EXIT
sleep 1

outside=() inside=() rss=() pss=()
for i in $(seq "$runs"); do
  tmp=$(mktemp -d)
  log=$tmp/stderr
  start=$(date +%s%N)
  DISPLAY=$xvfb_display XDG_DATA_HOME=$tmp/data XDG_CACHE_HOME=$tmp/cache XDG_CONFIG_HOME=$tmp/config \
    dbus-run-session -- "$bin" 2>"$log" >/dev/null &
  session=$!
  until grep -q "first screen painted" "$log" 2>/dev/null; do
    sleep 0.005
    if [ $(( ($(date +%s%N) - start) / 1000000 )) -gt 30000 ]; then echo "run $i: no first paint in 30 s" >&2; cat "$log" >&2; exit 1; fi
  done
  end=$(date +%s%N)
  outside+=($(( (end - start) / 1000000 )))
  inside+=($(sed -n 's/.*first screen painted \([0-9]*\) ms.*/\1/p' "$log" | head -1))
  sleep 3
  app=$(pgrep -n -f "^$bin" || pgrep -n billing-assist)
  rss+=($(( $(sum_kb "$app" status VmRSS) / 1024 )))
  pss+=($(( $(sum_kb "$app" smaps_rollup Pss) / 1024 )))
  kill "$app" 2>/dev/null || true
  wait "$session" 2>/dev/null || true
  rm -rf "$tmp" 2>/dev/null || true  # a document-portal FUSE mount may linger inside
done

stats() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {printf "median %d, min %d, max %d", a[int((NR+1)/2)], a[1], a[NR]}'; }
echo "runs: $runs (release build, Xvfb 1280x800)"
echo "launch to first screen painted, from outside: $(stats "${outside[@]}") ms"
echo "launch to first screen painted, app's own clock: $(stats "${inside[@]}") ms"
echo "memory, app + WebKit processes, RSS: $(stats "${rss[@]}") MiB"
echo "memory, app + WebKit processes, PSS: $(stats "${pss[@]}") MiB"
echo "binary size (stripped): $(stat -c %s "$bin") bytes ($(( $(stat -c %s "$bin") / 1024 )) KiB)"
