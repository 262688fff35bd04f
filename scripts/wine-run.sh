#!/usr/bin/env bash
# wine-run.sh — runs scenario files on Wine's BITS: bitssim run --backend wine.
#
# Sets Wine up as the Wine leg does (scripts/wine/setup.sh: wine64, a
# throw-away prefix, the ProcessPrng shim Go needs on Wine 8.0), builds
# bitssim for Linux and for Windows, then runs the Linux one with
# --backend wine, which runs the Windows build under Wine (BITSSIM_WINE_EXE)
# with the same arguments: the scenarios drive Wine's BITS through winbits,
# and those that need what Wine cannot do are skipped, saying what they need.
#
# Usage: scripts/wine-run.sh [run flags] SCENARIO...
#   e.g. scripts/wine-run.sh examples/01-object-only.bits examples/09-flags.bits
# Environment: GO (default go).
# Exit status: bitssim run's (0 every check held or was skipped, 1 one
# failed, 2 a scenario could not run); 2 on a set-up error.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
go="${GO:-go}"
start=$(date +%s)
log() { printf '[wine-run %3ds] %s\n' "$(($(date +%s) - start))" "$*" >&2; }
die() { log "ERROR: $*"; exit 2; }
[ $# -gt 0 ] || die "name the scenario files to run"

# shellcheck source=wine/setup.sh
. "$repo/scripts/wine/setup.sh"
wine_prefix_start
log "building bitssim for Linux and for Windows (GOOS=windows GOARCH=amd64)"
(cd "$repo" && "$go" build -o "$work/bitssim" ./cmd/bitssim)
(cd "$repo" && GOOS=windows GOARCH=amd64 CGO_ENABLED=0 "$go" build -o "$work/bitssim.exe" ./cmd/bitssim)
wine_prefix_wait
log "bitssim run --backend wine $*"
set +e
BITSSIM_WINE_EXE="$work/bitssim.exe" WINE="$wine" "$work/bitssim" run --backend wine "$@"
status=$?
set -e
log "exit status $status"
exit "$status"
