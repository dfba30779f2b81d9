#!/bin/sh
# Stands in for the system browser in e2e tests: webbrowser runs `$BROWSER <url>`, and this
# appends the URL to the file named by BA_BROWSER_LOG so the test can check what was opened.
printf '%s\n' "$1" >> "${BA_BROWSER_LOG:?BA_BROWSER_LOG must name the log file}"
