#!/usr/bin/env bash
# The app against a bare Tauri v2 window (tests/bare-window: same Tauri from the same Cargo.lock,
# same release profile, same 1120x760 window and CSP, an empty page, the same "painted after two
# animation frames" report), run alternately N times each in one run under one Xvfb, each launch
# under its own D-Bus session with fresh data folders. Prints for both, and as app/bare:
#   - launch -> first paint (measured from outside: the process start to its report on stderr);
#   - RSS and PSS of the process plus its WebKit processes, 3 s after the paint;
#   - the stripped binary size;
# and the app's start-up timeline (BA_STARTUP_PROFILE=1), median ms from main per stage.
# Without a GPU render node the app turns off WebKit's DMA-BUF renderer for itself
# (assistant::webkit); the bare window runs WebKit's defaults, as an empty Tauri app would. A third
# column runs the bare window with the app's setting too, so both comparisons are in one run.
# Usage: scripts/bench.sh [runs]   (default 7)
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
runs=${1:-7}
cargo build --release --locked -p billing-assistant -p bare-window \
  --features billing-assistant/custom-protocol,bare-window/custom-protocol 2>&1 | tail -1
app_bin=$PWD/target/release/billing-assistant
bare_bin=$PWD/target/release/bare-window

tree_pids() {
  local pid=$1
  echo "$pid"
  for child in $(pgrep -P "$pid" || true); do tree_pids "$child"; done
}
sum_kb() { # $1 pid, $2 file, $3 field: summed over the process and its descendants
  local total=0 v
  for p in $(tree_pids "$1"); do
    v=$(awk -v f="$3:" '$1==f {print $2}' "/proc/$p/$2" 2>/dev/null || true)
    total=$((total + ${v:-0}))
  done
  echo "$total"
}
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
range() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {printf "%s-%s", a[1], a[NR]}'; }

display=:$((90 + RANDOM % 9))
Xvfb "$display" -screen 0 1280x800x24 >/dev/null 2>&1 &
xvfb=$!
trap 'kill $xvfb 2>/dev/null || true' EXIT
sleep 1

declare -A paint rss pss
declare -A stage_times
stages=()
# One launch of $2 ($1 names it): appends its figures to paint[$1], rss[$1], pss[$1].
launch() {
  local which=$1 bin=$2 extra=$3 tmp log start t0 line app session
  tmp=$(mktemp -d)
  log=$tmp/stderr
  start=$EPOCHREALTIME
  # Each line of stderr stamped as it arrives (bash's own clock, no process per line).
  DISPLAY=$display XDG_DATA_HOME=$tmp/data XDG_CACHE_HOME=$tmp/cache XDG_CONFIG_HOME=$tmp/config \
    BA_STARTUP_PROFILE=1 env $extra dbus-run-session -- "$bin" \
    2> >(while IFS= read -r line; do echo "$EPOCHREALTIME $line"; done > "$log") >/dev/null &
  session=$!
  until grep -q "first screen painted" "$log" 2>/dev/null; do
    sleep 0.05
    t0=$(awk -v s="$start" -v n="$EPOCHREALTIME" 'BEGIN {print int(n - s)}')
    if [ "$t0" -gt 30 ]; then echo "$which: no first paint in 30 s" >&2; cat "$log" >&2; exit 1; fi
  done
  paint[$which]+="$(awk -v s="$start" '/first screen painted/ {printf "%d", ($1 - s) * 1000; exit}' "$log") "
  sleep 3
  app=$(pgrep -n -f "^$bin\$" || true)
  [ -n "$app" ] || { echo "$which: the process is gone" >&2; cat "$log" >&2; exit 1; }
  rss[$which]+="$(( $(sum_kb "$app" status VmRSS) / 1024 )) "
  pss[$which]+="$(( $(sum_kb "$app" smaps_rollup Pss) / 1024 )) "
  if [ "$which" = app ]; then
    line=$(grep -o 'startup profile: .*' "$log" | head -1 | sed 's/^startup profile: //')
    local IFS=' '
    for kv in $line; do
      local name=${kv%=*} value=${kv##*=}
      [ -n "${stage_times[$name]+x}" ] || stages+=("$name")
      stage_times[$name]+="${value%.*} "
    done
  fi
  kill "$app" 2>/dev/null || true
  wait "$session" 2>/dev/null || true
  rm -rf "$tmp" 2>/dev/null || true  # a document-portal FUSE mount may linger inside
}

for i in $(seq "$runs"); do
  launch app "$app_bin" ""
  launch bare "$bare_bin" ""
  [ -d /dev/dri ] || launch same "$bare_bin" "WEBKIT_DISABLE_DMABUF_RENDERER=1"
done

ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a / b}'; }
app_size=$(stat -c %s "$app_bin")
bare_size=$(stat -c %s "$bare_bin")
echo "runs: $runs each, alternating (release builds, Xvfb 1280x800x24, $(nproc) cores, $(uname -r))"
same=${paint[same]:+yes}
printf '%-34s %20s %20s %9s' "" app bare app/bare
[ -n "$same" ] && printf ' %20s %14s' "bare, app's setting" "app/that"
echo
row() { # label, unit, key: medians and ranges of app, bare (and bare with the app's setting)
  local -n values=$3
  local a b c
  a=$(median ${values[app]}) b=$(median ${values[bare]})
  printf '%-34s %20s %20s %8sx' "$1" "$a $2 ($(range ${values[app]}))" "$b $2 ($(range ${values[bare]}))" "$(ratio "$a" "$b")"
  if [ -n "$same" ]; then
    c=$(median ${values[same]})
    printf ' %20s %13sx' "$c $2 ($(range ${values[same]}))" "$(ratio "$a" "$c")"
  fi
  echo
}
row "launch -> first paint, median" ms paint
row "RSS, process + WebKit, median" MiB rss
row "PSS, process + WebKit, median" MiB pss
printf '%-34s %20s %20s %8sx\n' "stripped binary" "$app_size B" "$bare_size B" "$(ratio "$app_size" "$bare_size")"
echo
echo "the app's start-up timeline, ms from main (median of $runs):"
for s in "${stages[@]}"; do printf '  %-28s %6s\n' "$s" "$(median ${stage_times[$s]})"; done
