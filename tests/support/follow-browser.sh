#!/bin/sh
# A scripted system browser for sign-in tests: records the URL, then, unless the mode file says
# "record", follows it the way a browser follows the identity provider back to the app's loopback
# listener, form_post answers included (follow-browser.mjs).
printf '%s\n' "$1" >> "${BA_BROWSER_LOG:?BA_BROWSER_LOG must name the log file}"
mode=follow
[ -n "${BA_BROWSER_MODE_FILE:-}" ] && [ -f "$BA_BROWSER_MODE_FILE" ] && mode=$(cat "$BA_BROWSER_MODE_FILE")
[ "$mode" = record ] && exit 0
exec node "$(dirname "$0")/follow-browser.mjs" "$1"
