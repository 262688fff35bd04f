#!/usr/bin/env bash
# wine-conformance.sh — run the bitssim conformance suite against Wine's BITS.
#
# On Debian (12 "bookworm" tested): installs wine64 and gcc-mingw-w64-x86-64
# when missing (wine64 alone needs no i386 architecture), makes a throw-away
# Wine prefix, installs the ProcessPrng shim that Go 1.22+ binaries need on
# Wine 8.0 (scripts/wine/processprng.c), cross-compiles the conformance test
# binary with -tags realbits and runs TestWinBITS under Wine. The Go test
# enforces the divergence list harness/winbits/testdata/wine-divergences.txt
# (a listed rule that passes fails the run, as does an unlisted rule that
# fails), so this script's verdict is the test's exit code.
#
# Usage: scripts/wine-conformance.sh
# Environment:
#   BITSSIM_REPORT_DIR  where report.txt, report.json and
#                       observed-divergences.txt go (default ./wine-report)
#   BITSSIM_RULES       comma-separated rule IDs or families to run (default all)
#   WINE_TIMEOUT        seconds the test binary may run (default 900)
#   GO                  the go command (default go)
# Exit status: 0 when the suite matches the divergence list; the test's
# status otherwise (124 on timeout); 2 on a set-up error.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
report_dir="${BITSSIM_REPORT_DIR:-$repo/wine-report}"
wine_timeout="${WINE_TIMEOUT:-900}"
go="${GO:-go}"
start=$(date +%s)

log() { printf '[wine-conformance %3ds] %s\n' "$(($(date +%s) - start))" "$*"; }
die() { log "ERROR: $*"; exit 2; }

# --- Wine, a throw-away prefix and the ProcessPrng shim (scripts/wine/setup.sh) ---
# shellcheck source=wine/setup.sh
. "$repo/scripts/wine/setup.sh"

# --- test binaries -------------------------------------------------------------
log "cross-compiling the test binaries (GOOS=windows GOARCH=amd64 -tags realbits)"
(cd "$repo" && GOOS=windows GOARCH=amd64 CGO_ENABLED=0 "$go" test -c -tags realbits \
    -o "$work/conformance.test.exe" ./conformance/)
(cd "$repo" && GOOS=windows GOARCH=amd64 CGO_ENABLED=0 "$go" test -c -tags realbits \
    -o "$work/winbits.test.exe" ./harness/winbits/)

# The COM client, cross-process callbacks, the class server and the
# recorded command line on their own: quick, and clearer when they break.
log "running the harness/winbits tests under Wine"
if ! (cd "$repo/harness/winbits" && env -u http_proxy -u https_proxy -u HTTP_PROXY -u HTTPS_PROXY \
    timeout 300 "$wine" "$work/winbits.test.exe" -test.v >"$work/winbits.log" 2>&1); then
    grep -vE '^=== (RUN|PAUSE|CONT)' "$work/winbits.log" | tail -n 40 >&2
    mkdir -p "$report_dir" && cp "$work/winbits.log" "$report_dir/winbits.log"
    log "FAILED: the harness/winbits tests failed under Wine"
    exit 1
fi
log "harness/winbits: $(grep -c '^--- PASS' "$work/winbits.log") tests passed"

# --- run --------------------------------------------------------------------------
mkdir -p "$report_dir"
report_dir=$(cd "$report_dir" && pwd)
rm -f "$report_dir"/report.txt "$report_dir"/report.json "$report_dir"/observed-divergences.txt
win_report="Z:${report_dir//\//\\}"   # Wine maps / to drive Z:
log "running TestWinBITS under Wine (timeout ${wine_timeout}s); report in $report_dir"
set +e
(
    cd "$repo/conformance"   # the test reads ../harness/winbits/testdata/wine-divergences.txt
    env -u http_proxy -u https_proxy -u HTTP_PROXY -u HTTPS_PROXY \
        BITSSIM_REPORT_DIR="$win_report" BITSSIM_RULES="${BITSSIM_RULES:-}" \
        timeout "$wine_timeout" "$wine" "$work/conformance.test.exe" \
        -test.v -test.run '^TestWinBITS$' -test.timeout "$((wine_timeout - 30))s"
) 2>&1 | tee "$work/test.log" | grep -E --line-buffered '^(bitssim:|--- FAIL|FAIL|PASS|ok|panic)|: [A-Z]+(-[A-Z0-9]+)+: '
status=${PIPESTATUS[0]}
set -e

if [ -f "$report_dir/report.txt" ]; then
    log "summary: $(tail -n 1 "$report_dir/report.txt")"
else
    log "no report was written; the last lines of the test output:"
    tail -n 40 "$work/test.log" >&2
fi
cp "$work/test.log" "$report_dir/test.log"
case "$status" in
0)   log "OK: Wine's BITS matches the recorded divergence list ($(($(date +%s) - start)) s)" ;;
124) log "FAILED: the test binary timed out after ${wine_timeout}s" ;;
*)   log "FAILED (exit $status): see $report_dir/report.txt; observed-divergences.txt lists what Wine broke" ;;
esac
exit "$status"
