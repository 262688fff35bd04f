#!/usr/bin/env bash
# wine-conformance.sh — the Wine leg: ABI checks and the bitssim conformance
# suite against Wine's BITS.
#
# On Debian (12 "bookworm" tested): installs wine64 and gcc-mingw-w64-x86-64
# when missing (wine64 alone needs no i386 architecture), makes a throw-away
# Wine prefix in the background while it cross-compiles, once each, the two
# test binaries (harness/winbits, then conformance in the background while
# the first runs; -tags realbits) and builds the ABI check DLL with
# mingw-w64 (harness/winbits/testdata/abi/bitsabi.c); installs the shim
# that Go 1.22+ binaries need on Wine 8.0 (scripts/wine/processprng.c); then
#   1. runs the harness/winbits tests under Wine, the ABI checks included
#      (BITSSIM_ABI_DLL): the exact bytes of every BITS_JOB_PROPERTY_VALUE,
#      and C calling the Go callback objects through their vtables; the leg
#      fails if an ABI check did not run; then internal/com's tests (the
#      COM plumbing winbits and the COM server share);
#   2. runs TestWinBITS under Wine. The Go test enforces the divergence list
#      harness/winbits/testdata/wine-divergences.txt (a listed rule that
#      passes fails the run, as does an unlisted rule that fails), so this
#      script's verdict is the test's exit code.
#
# Usage: scripts/wine-conformance.sh
# Environment:
#   BITSSIM_REPORT_DIR  where the report goes (default ./wine-report):
#                       report.txt/.json/.xml/.md, observed-divergences.txt,
#                       traces/<RULE>.json, test logs
#   BITSSIM_RULES       comma-separated rule IDs or families to run (default all)
#   BITSSIM_OBSERVE=1   observation mode: unlisted divergences do not fail
#   WINE_TIMEOUT        seconds the suite may run (default 900)
#   GO                  the go command (default go)
# Exit status: 0 when the suite matches the divergence list; the test's
# status otherwise (124 on timeout); 1 when the harness/winbits tests fail;
# 2 on a set-up error.
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
wine_prefix_start

# --- build, once: each test binary and the ABI DLL ------------------------------
# The harness/winbits binary first; the conformance binary then builds in
# the background (mostly from the same, now cached, packages) while the
# harness/winbits tests, which mostly wait on Wine, run.
gobuild() { # gobuild <package> <output>
    (cd "$repo" && GOOS=windows GOARCH=amd64 CGO_ENABLED=0 "$go" test -c -tags realbits \
        -ldflags='-s -w' -o "$2" "$1")
}
log "cross-compiling harness/winbits (GOOS=windows GOARCH=amd64 -tags realbits)"
gobuild ./harness/winbits/ "$work/winbits.test.exe"
gobuild ./internal/com/ "$work/com.test.exe"
log "building the ABI check DLL (harness/winbits/testdata/abi/bitsabi.c)"
x86_64-w64-mingw32-gcc -shared -O2 -Wall -Werror -Wno-cast-function-type -o "$work/bitsabi.dll" \
    "$repo/harness/winbits/testdata/abi/bitsabi.c" -lole32 -luuid
log "cross-compiling conformance, in the background"
gobuild ./conformance/ "$work/conformance.test.exe" >"$work/build.log" 2>&1 &
build_pid=$!
bg_pids+=("$build_pid")
wine_prefix_wait

mkdir -p "$report_dir"
report_dir=$(cd "$report_dir" && pwd)
rm -rf "$report_dir"/report.* "$report_dir"/observed-divergences.txt "$report_dir"/traces \
    "$report_dir"/timing-dependent.txt "$report_dir"/variants.txt
win() { printf 'Z:%s' "${1//\//\\}"; }   # Wine maps / to drive Z:
noproxy=(env -u http_proxy -u https_proxy -u HTTP_PROXY -u HTTPS_PROXY)

# --- 1. harness/winbits, ABI checks included ------------------------------------
# The COM client, the ABI checks, cross-process callbacks, the class server
# and the recorded command line on their own: quick, and clearer when they
# break.
# TestReplayRecordings is left to go test ./... (it needs no Windows), so
# that a run of this leg can record new evidence after the list changed.
log "running the harness/winbits tests (ABI checks included) under Wine"
if ! (cd "$repo/harness/winbits" && "${noproxy[@]}" BITSSIM_ABI_DLL="$(win "$work/bitsabi.dll")" \
    timeout 300 "$wine" "$work/winbits.test.exe" -test.v -test.skip '^TestReplayRecordings$' \
    >"$work/winbits.log" 2>&1); then
    grep -vE '^=== (RUN|PAUSE|CONT)' "$work/winbits.log" | tail -n 60 >&2
    cp "$work/winbits.log" "$report_dir/winbits.log"
    log "FAILED: the harness/winbits tests failed under Wine"
    exit 1
fi
cp "$work/winbits.log" "$report_dir/winbits.log"
for t in TestABIPropertyBytes TestABICallbackObject TestABICallbackObjectLevels; do
    grep -q "^--- PASS: $t " "$work/winbits.log" || { log "FAILED: the ABI check $t did not run"; exit 1; }
done
log "harness/winbits: $(grep -c '^--- PASS' "$work/winbits.log") tests passed, the ABI checks among them"
# internal/com, the COM plumbing winbits and the COM server share: its
# objects made in Go called through their vtables, strings, GUIDs.
if ! timeout 120 "$wine" "$work/com.test.exe" -test.v >"$work/com.log" 2>&1; then
    tr -d '\r' <"$work/com.log" | tail -n 40 >&2
    log "FAILED: the internal/com tests failed under Wine"
    exit 1
fi
log "internal/com: $(grep -c '^--- PASS' "$work/com.log") tests passed"

# --- 2. the conformance suite ------------------------------------------------------
if ! wait "$build_pid"; then
    cat "$work/build.log" >&2
    die "cross-compiling conformance failed"
fi
log "running TestWinBITS under Wine (timeout ${wine_timeout}s); report in $report_dir"
(
    cd "$repo/conformance"   # the test reads ../harness/winbits/testdata/wine-divergences.txt
    exec "${noproxy[@]}" BITSSIM_REPORT_DIR="$(win "$report_dir")" BITSSIM_RULES="${BITSSIM_RULES:-}" \
        BITSSIM_OBSERVE="${BITSSIM_OBSERVE:-}" \
        timeout "$wine_timeout" "$wine" "$work/conformance.test.exe" \
        -test.v -test.run '^TestWinBITS$' -test.timeout "$((wine_timeout - 30))s"
) >"$work/test.log" 2>&1 &
test_pid=$!
bg_pids+=("$test_pid")
tail -n +1 -f --pid="$test_pid" "$work/test.log" | grep -E --line-buffered '^(bitssim:|--- FAIL|FAIL|PASS|ok|panic)|: [A-Z]+(-[A-Z0-9]+)+: ' &
# Under Wine 8 the process sometimes stays after the test has printed its
# verdict (its main thread gone, other threads blocked in process exit):
# the verdict line is the result then, and Wine is stopped after 30 s.
verdict=""
while kill -0 "$test_pid" 2>/dev/null; do
    verdict=$(tail -n 1 "$work/test.log" | tr -d '\r')
    case "$verdict" in
    PASS|FAIL)
        for _ in $(seq 30); do kill -0 "$test_pid" 2>/dev/null || break; sleep 1; done
        if kill -0 "$test_pid" 2>/dev/null; then
            log "the test binary printed $verdict but did not exit: stopping Wine"
            timeout 30 "$wineserver" -k >/dev/null 2>&1 || true
        fi
        break ;;
    esac
    sleep 2
done
set +e
wait "$test_pid"
status=$?
set -e
verdict=$(tail -n 1 "$work/test.log" | tr -d '\r')
if [ "$status" -ne 0 ] && [ "$status" -ne 124 ]; then
    case "$verdict" in
    PASS) status=0 ;;
    FAIL) status=1 ;;
    esac
fi

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
