#!/usr/bin/env bash
# wine-bench.sh — the same full job lifecycle on the simulator and on Wine's
# BITS (through harness/winbits), and the ratio of their rates.
#
# Usage: scripts/wine-bench.sh [SECONDS]   (default 10 seconds each)
# Installs wine64 and gcc-mingw-w64-x86-64 when missing (Debian), like
# scripts/wine-conformance.sh.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
secs="${1:-10}"
go="${GO:-go}"
start=$(date +%s)
log() { printf '[wine-bench %3ds] %s\n' "$(($(date +%s) - start))" "$*"; }
die() { log "ERROR: $*"; exit 2; }

# shellcheck source=wine/setup.sh
. "$repo/scripts/wine/setup.sh"
wine_prefix_start

log "cross-compiling harness/winbits (GOOS=windows -tags realbits)"
(cd "$repo" && GOOS=windows GOARCH=amd64 CGO_ENABLED=0 "$go" test -c -tags realbits \
    -o "$work/winbits.test.exe" ./harness/winbits/)
wine_prefix_wait
log "running lifecycles on Wine's BITS for ${secs}s"
out=$(cd "$work" && BITSSIM_BENCH_SECONDS="$secs" timeout $((secs * 3 + 120)) "$wine" "$work/winbits.test.exe" \
    -test.run '^TestWinLifecycleRate$' 2>&1) || { printf '%s\n' "$out" | tail -n 30 >&2; die "the Wine run failed"; }
rate=$(printf '%s\n' "$out" | sed -n 's/^lifecycles\/s: //p' | tr -d '\r' | tail -n 1)
[ -n "$rate" ] || { printf '%s\n' "$out" | tail -n 30 >&2; die "no rate in the Wine run's output"; }
log "Wine: $rate lifecycles/s; now the simulator for ${secs}s"
(cd "$repo" && "$go" run ./cmd/bitssim bench --time "${secs}s" --compare "$rate" --compare-label wine)
