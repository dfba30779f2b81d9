#!/bin/sh
# The loopback listener under a junk-socket flood: prints how fast 100 real callbacks get
# through while 500 junk sockets keep opening and closing (release build).
set -eu
cd "$(dirname "$0")/.."
ulimit -n 4096 2>/dev/null || true
cargo run --release -q -p signin --example listener_load
