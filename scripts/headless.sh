#!/usr/bin/env bash
# Runs a command the way the tests and benchmarks need: on an Xvfb display, in a D-Bus session,
# with an unlocked gnome-keyring. The keyring daemon keeps its collection under XDG_DATA_HOME, so
# it gets a fresh one: a keyring left by an earlier run with another password would be locked.
# The apps under test get their own data folders from the e2e harness.
#   scripts/headless.sh <command> [args...]
set -euo pipefail
export XDG_RUNTIME_DIR=${XDG_RUNTIME_DIR:-$(mktemp -d)}
export XDG_DATA_HOME=$(mktemp -d)
exec xvfb-run -a -s "-screen 0 1280x800x24" dbus-run-session -- sh -c '
  echo -n billing-assistant | gnome-keyring-daemon --unlock --components=secrets >/dev/null
  exec "$@"
' headless "$@"
