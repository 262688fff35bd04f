#!/usr/bin/env bash
# wine-bench.sh — the same full job lifecycle on Wine's BITS (through
# harness/winbits) and on the simulator, and the ratio of their rates.
#
# The lifecycle, on both: create a job, AddFile, register a callback object,
# Resume, then wait until the object's JobTransferred — called on a thread
# (goroutine) of its own — has called Complete. On the simulator that is
# BenchmarkLifecycleAutomatic (the automatic clock); the manual clock's
# BenchmarkLifecycle, where the callback runs on the caller's goroutine, is
# printed beside it for reference.
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
log "Wine: $rate lifecycles/s; now the simulator for ${secs}s per clock"

# simrate BENCH CPUS: the lifecycles/s a benchmark of package sim reports
# with GOMAXPROCS=CPUS.
simrate() {
    local out r
    out=$(cd "$repo" && "$go" test ./sim/ -run '^$' -bench "^$1\$" -benchtime "${secs}s" -cpu "$2" 2>&1) ||
        { printf '%s\n' "$out" | tail -n 30 >&2; die "$1 failed"; }
    r=$(printf '%s\n' "$out" | awk '/^Benchmark/ { for (i = 2; i < NF; i++) if ($(i+1) == "lifecycles/s") print $i }' | tail -n 1)
    [ -n "$r" ] || { printf '%s\n' "$out" | tail -n 30 >&2; die "no rate in $1's output"; }
    printf '%s\n' "$r"
}
auto=$(simrate BenchmarkLifecycleAutomatic "$(nproc)") # the service's, the callback's and the client's goroutines, on every core as Wine's threads are
manual=$(simrate BenchmarkLifecycle 1)
awk -v w="$rate" -v a="$auto" -v m="$manual" 'BEGIN {
    printf "%-44s %14.1f lifecycles/s\n", "Wine BITS (callback on its own thread):", w
    printf "%-44s %14.0f lifecycles/s   %8.0fx Wine\n", "simulator, automatic clock (the same):", a, a / w
    printf "%-44s %14.0f lifecycles/s   %8.0fx Wine\n", "simulator, manual clock (synchronous, 1 core):", m, m / w
}'
