#!/usr/bin/env bash
# wine-com-server.sh — the COM server's proofs under Wine (issue 19).
#
# Builds, once: bitssim-comserver.exe (GOOS=windows), the proxy/stub DLL
# for IBackgroundCopyJob5 that Wine's qmgrprxy.dll lacks (widl from Wine's
# bits*.idl, with the property union marked up: scripts/wine/bits5ps.idl),
# the seed program (scripts/wine/seed.c) and the native bitssim command
# (for `bitssim ctl`). Then, in a throw-away Wine prefix
# (scripts/wine/setup.sh):
#   1. installs the proxy DLL (regsvr32) and takes over
#      CLSID_BackgroundCopyManager and the versioned manager classes
#      (bitssim-comserver -takeover -install), with the wineserver stopped
#      before and after;
#   2. starts the server (file store, loopback control plane) and checks
#      the takeover is in place (-check);
#   3. the seed proof: seed.exe, an unmodified C client, registers a
#      callback object in a second process, sets the notification CLSID
#      through IBackgroundCopyJob5 (marshalled by the widl-built proxy),
#      kills that process and resumes; the CLSID's instance must get
#      JobTransferred and complete the job. The trace, read through
#      `bitssim ctl trace`, must show the dead object's failure
#      (RPC_S_SERVER_UNAVAILABLE) followed by the CLSID's delivery;
#   4. the restart proof: seed.exe leaves a SUSPENDED job with a
#      notification CLSID; the server is stopped and started on the same
#      store; the job is still there, SUSPENDED, with its CLSID;
#   5. Wine's own qmgr tests (Wine 8.0's dlls/qmgr/tests, fetched from
#      Debian's wine source package and built by
#      scripts/wine/qmgr-tests/build.sh) against the reviewed list
#      comserver/testdata/qmgr-failures.txt (BITSSIM_QMGR_TESTS=0 skips
#      them);
#   6. the winbits conformance suite (harness/winbits: the takeover hands
#      it the server) with the server's manual clock, moved through the
#      control plane (BITSSIM_CTL), against the expected list
#      comserver/testdata/com-divergences.txt (BITSSIM_COM_SUITE=0 skips it);
#   7. with BITSSIM_COM_PID_REUSE=1 (the com-server workflow sets it),
#      internal/com's TestWatchOwnerKeepsIdentity: under Wine a process ID,
#      and with it the identity of the objects of the process, is reused,
#      and a stale proxy then answers E_NOINTERFACE, unless the holder of
#      the proxy keeps a watch of the process (what the server does); about
#      150 s of process starts.
#
# Usage: scripts/wine-com-server.sh
# Environment:
#   BITSSIM_REPORT_DIR  where the logs go (default ./wine-report/com-server)
#   CTL_PORT            the control plane's port (default 7391; the script
#                       refuses one that something already answers on)
#   BITSSIM_CACHE       where Wine's qmgr test sources are cached
#                       (default ~/.cache/bitssim)
#   GO                  the go command (default go)
#   BITSSIM_COM_SUITE   0 skips proof 4, the suite; BITSSIM_QMGR_TESTS=0
#                       skips proof 3, Wine's qmgr tests
#   BITSSIM_RULES       RULE,RULE: proof 4 runs these rules only (a listed
#                       rule that did not run is not counted as vanished)
#   WINE_TIMEOUT        proof 4's timeout in seconds (default 1800)
#   BITSSIM_COM_PID_REUSE  1 runs step 7 (about 150 s more)
# Exit status: 0 when every proof passed; 1 when a proof failed; 2 on a
# set-up error.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
report_dir="${BITSSIM_REPORT_DIR:-$repo/wine-report}/com-server"
go="${GO:-go}"
port="${CTL_PORT:-7391}"
start=$(date +%s)

log() { printf '[wine-com-server %3ds] %s\n' "$(($(date +%s) - start))" "$*"; }
die() { log "ERROR: $*"; exit 2; }

command -v x86_64-w64-mingw32-widl >/dev/null || need_widl=1
[ -f /usr/include/wine/wine/windows/bits3_0.idl ] || [ -f /usr/include/wine/windows/bits3_0.idl ] || need_widl=1
if [ -n "${need_widl:-}" ]; then
    command -v apt-get >/dev/null || die "missing x86_64-w64-mingw32-widl (mingw-w64-tools) and no apt-get"
    sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends mingw-w64-tools libwine-dev >/dev/null
fi

# shellcheck source=wine/setup.sh
. "$repo/scripts/wine/setup.sh"
wine_prefix_start

# --- build, once ----------------------------------------------------------------
idl_dir=""
for d in /usr/include/wine/wine/windows /usr/include/wine/windows; do
    [ -f "$d/bits3_0.idl" ] && idl_dir=$d && break
done
[ -n "$idl_dir" ] || die "no Wine IDL files (bits3_0.idl): apt-get install libwine-dev"

log "cross-compiling bitssim-comserver.exe (GOOS=windows GOARCH=amd64)"
(cd "$repo" && GOOS=windows GOARCH=amd64 CGO_ENABLED=0 "$go" build -ldflags='-s -w' \
    -o "$work/bitssim-comserver.exe" ./cmd/bitssim-comserver) || die "building bitssim-comserver failed"
log "building bitssim (native, for bitssim ctl)"
(cd "$repo" && "$go" build -o "$work/bitssim" ./cmd/bitssim) || die "building bitssim failed"

log "building the IBackgroundCopyJob5 proxy/stub DLL (widl, $idl_dir)"
ps="$work/ps"
mkdir -p "$ps"
cp "$repo/scripts/wine/bits5ps.idl" "$repo/scripts/wine/bits5ps.def" "$repo/scripts/wine/bits5ps_extra.h" "$repo/scripts/wine/bits5ps_iids.c" "$ps/"
(
    cd "$ps"
    widl=x86_64-w64-mingw32-widl
    $widl -I "$idl_dir" -m64 -Oif -p -o bits5ps_p.c bits5ps.idl
    # widl 7.0 (Debian's mingw-w64-tools) gives File3::GetTemporaryName's
    # [out] LPWSTR* the type of the LPWSTR (152) instead of the pointer to
    # it (148: FC_RP [allocated_on_stack] [pointer_deref], as it does for
    # BG_FILE_RANGE**); Wine 8.0's NDR engine then returns an empty name.
    # Point the parameter at its own type; fail if widl's output changed.
    sed -i '/(parameter pFilename)/,+3 s|NdrFcShort(0x98),\t/\* type offset = 152 \*/|NdrFcShort(0x94),\t/* type offset = 148 */|' bits5ps_p.c
    { grep -A3 '(parameter pFilename)' bits5ps_p.c | grep -q 'type offset = 148' &&
        grep -q '^/\* 148 (LPWSTR \*) \*/' bits5ps_p.c; } || { echo "widl's GetTemporaryName stub changed: see the fix above"; exit 1; }
    $widl -I "$idl_dir" -m64 -h -o bits5ps.h bits5ps.idl
    $widl -I "$idl_dir" -m64 -u -o bits5ps_i.c bits5ps.idl
    $widl --dlldata-only -o dlldata.c bits5ps
    x86_64-w64-mingw32-gcc -shared -O2 -DREGISTER_PROXY_DLL -DPROXY_DELEGATION -include bits5ps_extra.h -I. \
        -o bits5ps.dll bits5ps_p.c bits5ps_i.c dlldata.c bits5ps_iids.c bits5ps.def -lrpcrt4 -loleaut32 -lole32 -luuid
) >"$work/ps.log" 2>&1 || { cat "$work/ps.log" >&2; die "building the proxy/stub DLL failed"; }

if [ "${BITSSIM_COM_SUITE:-1}" = 1 ]; then
    log "cross-compiling conformance (-tags realbits), in the background"
    (cd "$repo" && GOOS=windows GOARCH=amd64 CGO_ENABLED=0 "$go" test -c -tags realbits -ldflags='-s -w' \
        -o "$work/conformance.test.exe" ./conformance/) >"$work/build.log" 2>&1 &
    build_pid=$!
    bg_pids+=("$build_pid")
fi

if [ "${BITSSIM_COM_PID_REUSE:-0}" = 1 ]; then
    log "cross-compiling internal/com's tests, in the background"
    (cd "$repo" && GOOS=windows GOARCH=amd64 CGO_ENABLED=0 "$go" test -c -ldflags='-s -w' \
        -o "$work/com.test.exe" ./internal/com/) >"$work/build-com.log" 2>&1 &
    com_build_pid=$!
    bg_pids+=("$com_build_pid")
fi

if [ "${BITSSIM_QMGR_TESTS:-1}" = 1 ]; then
    # shellcheck source=wine/qmgr-tests/build.sh
    . "$repo/scripts/wine/qmgr-tests/build.sh"
    qmgr_tests_build
    log "built Wine's qmgr tests (qmgr_test.exe)"
fi

log "building seed.exe (scripts/wine/seed.c)"
x86_64-w64-mingw32-gcc -municode -O2 -Wall -Werror -o "$work/seed.exe" "$repo/scripts/wine/seed.c" \
    -lole32 -loleaut32 -luuid -ladvapi32 || die "building seed.exe failed"

wine_prefix_wait
mkdir -p "$report_dir"
report_dir=$(cd "$report_dir" && pwd)
rm -f "$report_dir"/*.log "$report_dir"/*.txt
win() { printf 'Z:%s' "${1//\//\\}"; }
noproxy=(env -u http_proxy -u https_proxy -u HTTP_PROXY -u HTTPS_PROXY)
ctl() { "${noproxy[@]}" "$work/bitssim" ctl --addr "127.0.0.1:$port" "$@"; }

# --- 1. proxy DLL and takeover ---------------------------------------------------
timeout 60 "$wineserver" -w || true
cp "$ps/bits5ps.dll" "$system32/bits5ps.dll"
timeout 120 "$wine" regsvr32 /s bits5ps.dll >"$work/regsvr32.log" 2>&1 || {
    cat "$work/regsvr32.log" >&2; die "regsvr32 bits5ps.dll failed"; }
server_args=(-takeover -speed "${COM_SPEED:-3000}" -store "$(win "$work/state.bits")" -ctl "127.0.0.1:$port" -log "$(win "$report_dir/server.log")")
timeout 120 "$wine" "$work/bitssim-comserver.exe" -install "${server_args[@]}" >"$work/install.log" 2>&1 || {
    cat "$work/install.log" >&2; die "the takeover failed"; }
timeout 60 "$wineserver" -k >/dev/null 2>&1 || true
timeout 60 "$wineserver" -w >/dev/null 2>&1 || true
log "took over the BITS manager classes; Job5 proxy installed"

# --- 2. the server -----------------------------------------------------------------
server_pid=""
start_server() {
    # Another server (another run of this script on the machine) on the
    # port would answer our control requests: refuse to share it.
    if ctl status >/dev/null 2>&1; then
        die "something already answers on the control port 127.0.0.1:$port (another run?): set CTL_PORT"
    fi
    "${noproxy[@]}" "$wine" "$work/bitssim-comserver.exe" "${server_args[@]}" </dev/null >>"$report_dir/server.out" 2>&1 &
    server_pid=$!
    bg_pids+=("$server_pid")
    for _ in $(seq 120); do
        if ctl status >/dev/null 2>&1; then return 0; fi
        kill -0 "$server_pid" 2>/dev/null || { cat "$report_dir/server.log" >&2 || true; die "the server exited at start"; }
        sleep 0.5
    done
    die "the server's control plane did not answer in 60 s"
}
stop_server() {
    ctl stop >/dev/null 2>&1 || true
    for _ in $(seq 60); do kill -0 "$server_pid" 2>/dev/null || return 0; sleep 0.5; done
    log "the server did not stop: killing it"
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true   # gone before the next start looks at the control port
}
timeout 60 "$wine" "$work/bitssim-comserver.exe" -check "${server_args[@]}" >"$work/check.log" 2>&1 || {
    cat "$work/check.log" >&2; die "the takeover is not in place"; }
start_server
log "server up (control plane 127.0.0.1:$port)"

failed=0
# --- 3. the seed proof -------------------------------------------------------------
log "proof 1: the seed page's central case, from C (seed.exe)"
if (cd "$work" && "${noproxy[@]}" timeout 180 "$wine" "$work/seed.exe" "$(win "$work/marker.txt")") \
    >"$report_dir/seed.log" 2>&1; then
    cat "$report_dir/seed.log"
else
    cat "$report_dir/seed.log" >&2
    log "FAILED: seed.exe"
    failed=1
fi
ctl trace >"$report_dir/trace.txt" 2>&1 || true
cat "$report_dir/trace.txt"
if [ "$failed" = 0 ]; then
    # The dead object's attempt fails with RPC_S_SERVER_UNAVAILABLE, then
    # the CLSID's first instance gets JobTransferred (OBJ-DISCOVER-DEAD,
    # PREC-OBJECT-DEAD-CLSID).
    obj=$(grep -n 'JobTransferred' "$report_dir/trace.txt" | grep -m1 'RPC_S_SERVER_UNAVAILABLE' | cut -d: -f1 || true)
    cls=$(grep -n 'JobTransferred' "$report_dir/trace.txt" | grep -m1 '#1).*S_OK' | cut -d: -f1 || true)
    if [ -z "$obj" ] || [ -z "$cls" ] || [ "$obj" -ge "$cls" ]; then
        log "FAILED: the trace does not show the dead object's failure followed by the CLSID instance's delivery"
        failed=1
    else
        log "proof 1 passed: object failed (RPC_S_SERVER_UNAVAILABLE), then the CLSID instance was notified"
    fi
fi

# --- 4. the restart proof ----------------------------------------------------------
# A SUSPENDED job with a notification CLSID, then the server stopped and
# started on its file store: the job, its state and its CLSID are there
# (PERSIST-CLSID), as after a BITS service restart.
log "proof 2: stopping and starting the server is a service restart (file store)"
survivor=$("${noproxy[@]}" timeout 60 "$wine" "$work/seed.exe" survivor 2>>"$report_dir/seed.log" | tr -d '\r' || true)
stop_server
start_server
if [ -n "$survivor" ] && "${noproxy[@]}" timeout 60 "$wine" "$work/seed.exe" check-survivor "$survivor" >>"$report_dir/seed.log" 2>&1; then
    log "proof 2 passed: job $survivor kept its state and CLSID across the restart"
else
    tail -n 5 "$report_dir/seed.log" >&2
    log "FAILED: the restart proof (job '$survivor')"
    failed=1
fi
stop_server

# --- 5. Wine's own qmgr tests against the server -------------------------------
# Wine 8.0's dlls/qmgr/tests, written to pass on Windows, unmodified: the
# takeover hands them the server. WINETEST_PLATFORM=windows, since the BITS
# under test is the simulator, not Wine's (and no todo_wine may excuse a
# failure). Every "Test failed" and "Tests skipped" line, by file and line,
# must be in comserver/testdata/qmgr-failures.txt, and every entry there
# must still be seen: the list, each with its reason, is the proof's.
if [ "${BITSSIM_QMGR_TESTS:-1}" = 1 ]; then
    rm -f "$work/state.bits"
    start_server
    log "proof 3: Wine's own qmgr tests (dlls/qmgr/tests of Wine 8.0) against the server"
    qlist="$repo/comserver/testdata/qmgr-failures.txt"
    : >"$report_dir/qmgr.log"
    qmgr_ok=1
    for t in enum_files enum_jobs file job qmgr; do
        set +e
        (cd "$work" && "${noproxy[@]}" WINETEST_PLATFORM=windows WINETEST_COLOR=0 \
            timeout 300 "$wine" "$qmgr_exe" "$t") >"$report_dir/qmgr-$t.log" 2>&1
        status=$?
        set -e
        tr -d '\r' <"$report_dir/qmgr-$t.log" >>"$report_dir/qmgr.log"
        # The test's closing line: "<pid>:<test>:<...> N tests executed (...)".
        if ! grep -qE "^[0-9a-f]+:$t:.* tests executed" "$report_dir/qmgr-$t.log"; then
            log "FAILED: Wine's qmgr test '$t' did not finish (exit $status)"
            qmgr_ok=0
        fi
        log "qmgr $t: $(grep -m1 -E ' tests executed' "$report_dir/qmgr-$t.log" | tr -d '\r' | cut -d' ' -f2- || echo 'no summary')"
    done
    qseen=$({ grep -oE '^[a-z_]+\.c:[0-9]+: (Test failed|Tests skipped)' "$report_dir/qmgr.log" || true; } |
        sed -E 's/: Test failed$/ failed/; s/: Tests skipped$/ skipped/' | sort -u)
    qlisted=$({ grep -vE '^(#|[[:space:]]*$)' "$qlist" || true; } | cut -f1 | sort -u)
    qunexpected=$(comm -13 <(echo "$qlisted") <(echo "$qseen") | grep . || true)
    qvanished=$(comm -23 <(echo "$qlisted") <(echo "$qseen") | grep . || true)
    if [ -n "$qunexpected" ]; then
        log "FAILED: Wine's qmgr tests failed or skipped where comserver/testdata/qmgr-failures.txt does not say so:"
        while IFS= read -r e; do
            loc=${e%% *}
            echo "  $e: $(grep -m1 -F "$loc: " "$report_dir/qmgr.log" | cut -c1-300)" >&2
        done <<<"$qunexpected"
        qmgr_ok=0
    fi
    if [ -n "$qvanished" ]; then
        log "FAILED: listed qmgr failures that no longer happen (remove them): $(echo $qvanished)"
        qmgr_ok=0
    fi
    if [ "$qmgr_ok" = 1 ]; then
        log "proof 3 passed: Wine's qmgr tests match the list ($(echo "$qseen" | grep -c . || true) listed failures or skips)"
    else
        failed=1
    fi
    ctl trace >"$report_dir/qmgr-trace.txt" 2>&1 || true
    stop_server
fi

# --- 6. the winbits conformance suite against the server ----------------------
# Unmodified winbits (harness/winbits) connects to the newest manager
# class, which the takeover gives to the server; its helpers and class
# servers reach the server the same way. The suite's verdict against the
# expected list comserver/testdata/com-divergences.txt (each rule with the
# reason it cannot cross COM) is the proof's.
if [ "${BITSSIM_COM_SUITE:-1}" = 1 ]; then
    if ! wait "$build_pid"; then
        cat "$work/build.log" >&2
        die "cross-compiling conformance failed"
    fi
    rm -f "$work/state.bits"   # a fresh service: proof 2's job must not show in the suite's EnumJobs
    # The manual clock, moved by the suite through the control plane
    # (BITSSIM_CTL: winbits' Advance and Settle ask the server to do what
    # is due, deliveries, activations and command lines included), so that
    # no outcome depends on how fast Wine starts a process.
    server_args=(-takeover -manual -store "$(win "$work/state.bits")" -ctl "127.0.0.1:$port" -log "$(win "$report_dir/server.log")")
    start_server
    suite_timeout="${WINE_TIMEOUT:-1800}"
    log "proof 4: the winbits conformance suite against the server (timeout ${suite_timeout}s)"
    rm -rf "$report_dir/suite"
    mkdir -p "$report_dir/suite"
    list="$repo/comserver/testdata/com-divergences.txt"
    # Observation mode: the test reports every rule's outcome without
    # failing on divergences; the list is enforced here, so that a
    # "timing:" or "unanalysed:" entry may pass without failing the run.
    # run_suite DIR RULES: the suite, observing, reports into DIR
    # (RULES: RULE,RULE or empty for all), its log in DIR.log.
    run_suite() {
        (
            cd "$repo/conformance"
            exec "${noproxy[@]}" BITSSIM_REPORT_DIR="$(win "$1")" BITSSIM_RULES="$2" \
                BITSSIM_OBSERVE=1 BITSSIM_DIVERGENCES="$(win "$list")" \
                BITSSIM_BACKEND_NAME=comserver BITSSIM_LOCAL_FILES=0 BITSSIM_CTL="127.0.0.1:$port" \
                timeout "$suite_timeout" "$wine" "$work/conformance.test.exe" \
                -test.v -test.run '^TestWinBITS$' -test.timeout "$((suite_timeout - 30))s"
        ) >"$1.log" 2>&1
    }
    set +e
    run_suite "$report_dir/suite" "${BITSSIM_RULES:-}"
    suite_status=$?
    set -e
    observed="$report_dir/suite/observed-divergences.txt"
    if [ "$suite_status" -ne 0 ] || [ ! -f "$observed" ]; then
        grep -E '^(--- FAIL|FAIL|panic)' "$report_dir/suite.log" | tail -n 20 >&2 || true
        log "FAILED: the conformance suite did not complete (exit $suite_status; see $report_dir/suite.log)"
        failed=1
    else
        entries() { grep -vE '^(#|[[:space:]]*$)' "$1" | cut -f1 | sort -u; }
        listed=$(entries "$list")
        timing=$(grep -vE '^(#|[[:space:]]*$)' "$list" | awk -F'\t' '$2 ~ /^(timing|unanalysed):/ {print $1}' | sort -u)
        # Every rule that failed or diverged, from the test's progress lines
        # ("bitssim: RULE outcome duration").
        # A listed rule that the backend now keeps is reported "fail" too
        # ("... but the backend now keeps the rule"): it has not diverged.
        kept=$({ grep -E '^[A-Z0-9-]+ +fail .*the backend now keeps the rule' "$report_dir/suite/report.txt" || true; } | cut -d' ' -f1 | sort -u)
        seen=$(awk '$1 == "bitssim:" && ($3 == "fail" || $3 == "diverged") {print $2}' "$report_dir/suite.log" | tr -d '\r' | sort -u |
            comm -23 - <(echo "$kept"))
        if [ -n "${BITSSIM_RULES:-}" ]; then
            # A subset run: only the rules that ran can vanish.
            ran=$(grep -oE '^bitssim: [A-Z0-9-]+' "$report_dir/suite.log" | cut -d' ' -f2 | sort -u)
            listed=$(comm -12 <(echo "$listed") <(echo "$ran"))
        fi
        unexpected=$(comm -13 <(echo "$listed") <(echo "$seen") | grep . || true)
        # A scenario that could not be set up is not a verdict on the
        # server: an app whose helper did not start (seen in some runs
        # only; before the runner stopped at a failed start, it went on
        # and panicked on the missing app: FLAGS-FILTER, FLAGS-FINAL-STATE,
        # CMD-FINAL-STATE), or any panic of the test process. What failed
        # is printed, and those rules run once more: the run fails unless
        # each of them then runs and matches the list.
        panicked=$(for r in $unexpected; do grep -qE "^$r +fail +(panic:|[^ ]+\.bits:[0-9]+: start [^ ]+ as )" "$report_dir/suite/report.txt" && echo "$r"; done | grep . || true)
        if [ -n "$panicked" ] && [ "$panicked" = "$unexpected" ]; then
            log "WARNING: the scenarios of $(echo $panicked) could not be set up (an app did not start) or the test process panicked:"
            for r in $panicked; do grep -m1 "^$r " "$report_dir/suite/report.txt" | cut -c1-600 >&2; done
            grep -A40 -m3 'panic:' "$report_dir/suite.log" | head -n 120 >&2 || true
            log "running $(echo $panicked) once more"
            set +e
            mkdir -p "$report_dir/suite-rerun"
            run_suite "$report_dir/suite-rerun" "$(echo $panicked | tr ' ' ',')"
            rerun_status=$?
            set -e
            again=$(awk '$1 == "bitssim:" && ($3 == "fail" || $3 == "diverged") {print $2}' "$report_dir/suite-rerun.log" 2>/dev/null | tr -d '\r' | sort -u)
            reran=$(grep -oE '^bitssim: [A-Z0-9-]+' "$report_dir/suite-rerun.log" 2>/dev/null | cut -d' ' -f2 | sort -u)
            if [ "$rerun_status" -eq 0 ] && [ -z "$(comm -23 <(echo "$panicked" | tr ' ' '\n' | sort -u) <(echo "$reran") | grep . || true)" ] &&
                [ -z "$(comm -13 <(echo "$listed") <(echo "$again") | grep . || true)" ]; then
                log "the rerun matches the list: $(echo $panicked) kept the rules they test"
                seen=$(comm -23 <(echo "$seen") <(echo "$panicked") | cat - <(echo "$again") | grep . | sort -u || true)
                unexpected=""
            fi
        fi
        vanished=$(comm -23 <(echo "$listed") <(echo "$seen") | comm -23 - <(echo "$timing") | grep . || true)
        log "suite: $(tail -n 1 "$report_dir/suite/report.txt" 2>/dev/null)"
        if [ -n "$unexpected" ]; then
            log "FAILED: rules that broke through the COM server and are not in comserver/testdata/com-divergences.txt:"
            for r in $unexpected; do
                echo "  $r: $(grep -m1 "^$r " "$report_dir/suite/report.txt" 2>/dev/null | cut -c1-300)" >&2
            done
            failed=1
        fi
        if [ -n "$vanished" ]; then
            log "FAILED: listed rules that now pass (remove them from the list): $(echo $vanished)"
            failed=1
        fi
        if [ -z "$unexpected" ] && [ -z "$vanished" ]; then
            log "proof 4 passed: the suite matches the list ($(echo "$seen" | grep -c . || true) listed rules diverged)"
        fi
    fi
    ctl trace >"$report_dir/suite-trace.txt" 2>&1 || true
    ctl launches --json >"$report_dir/suite-launches.json" 2>&1 || true
    stop_server
fi

# --- 7. a process ID reused, and the watch that prevents it -----------------
if [ "${BITSSIM_COM_PID_REUSE:-0}" = 1 ]; then
    if ! wait "$com_build_pid"; then
        cat "$work/build-com.log" >&2
        die "cross-compiling internal/com's tests failed"
    fi
    log "internal/com: TestWatchOwnerKeepsIdentity (a process ID reused under Wine)"
    if (cd "$work" && BITSSIM_COM_PID_REUSE=1 timeout 600 "$wine" "$work/com.test.exe" -test.v \
        -test.run '^TestWatchOwnerKeepsIdentity$') >"$report_dir/pid-reuse.log" 2>&1 &&
        grep -q '^--- PASS: TestWatchOwnerKeepsIdentity' "$report_dir/pid-reuse.log"; then
        grep -E 'without watches|with watches' "$report_dir/pid-reuse.log" | tr -d '\r' | sed 's/^ *//'
        log "the identity test passed"
    else
        tail -n 30 "$report_dir/pid-reuse.log" >&2
        log "FAILED: internal/com's TestWatchOwnerKeepsIdentity"
        failed=1
    fi
fi

cp "$work"/*.log "$report_dir/" 2>/dev/null || true
if [ "$failed" = 0 ]; then
    log "OK: the COM server's proofs passed ($(($(date +%s) - start)) s)"
else
    log "FAILED: see $report_dir"
fi
exit "$failed"
