# scripts/wine/setup.sh — sourced by the Wine scripts: installs wine64 and
# gcc-mingw-w64-x86-64 when missing, makes a throw-away Wine prefix under
# $work (removed, with its wineserver stopped, when the script exits), and
# installs the ProcessPrng shim Go 1.22+ binaries need on Wine 8.0.
# Expects: $repo (the repository), $go, and the functions log and die.
# Sets: $wine, $wineserver, $work, WINEPREFIX, WINEDEBUG, WINEDLLOVERRIDES.
# Defines: wine_prefix_start (wineboot in the background) and
# wine_prefix_wait (waits for it, installs the shim); call both, in order,
# before running anything under Wine.

# --- packages ---------------------------------------------------------------
find_wine() {
    wine=$(command -v wine || command -v wine64 || true)
    [ -z "$wine" ] && [ -x /usr/lib/wine/wine64 ] && wine=/usr/lib/wine/wine64
    wineserver=$(command -v wineserver || true)
    [ -z "$wineserver" ] && [ -x /usr/lib/wine/wineserver ] && wineserver=/usr/lib/wine/wineserver
    [ -n "$wine" ] && [ -n "$wineserver" ]
}
need=()
find_wine || need+=(wine64)
command -v x86_64-w64-mingw32-gcc >/dev/null || need+=(gcc-mingw-w64-x86-64)
if [ ${#need[@]} -gt 0 ]; then
    command -v apt-get >/dev/null || die "missing ${need[*]} and no apt-get to install them"
    sudo=""
    [ "$(id -u)" -ne 0 ] && sudo="sudo"
    log "installing ${need[*]} (apt-get)"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
    find_wine || die "wine64 installed but no wine binary found"
fi
command -v "$go" >/dev/null || die "no Go toolchain ($go)"
log "wine: $wine ($("$wine" --version 2>/dev/null || echo unknown version)); go: $("$go" version)"

# --- throw-away prefix ---------------------------------------------------------
work=$(mktemp -d /tmp/bitssim-wine.XXXXXX)
export WINEPREFIX="$work/prefix"
export WINEDEBUG=-all
export WINEDLLOVERRIDES="mscoree,mshtml="   # no Mono or Gecko installers
unset DISPLAY WAYLAND_DISPLAY
wineboot_pid=""
bg_pids=()   # background jobs of the caller, stopped on exit
cleanup() {
    status=$?
    if [ -n "$wineboot_pid" ]; then kill "$wineboot_pid" 2>/dev/null || true; fi
    for pid in ${bg_pids[@]+"${bg_pids[@]}"}; do kill "$pid" 2>/dev/null || true; done
    log "stopping wineserver and removing $work"
    WINEPREFIX="$WINEPREFIX" timeout 30 "$wineserver" -k >/dev/null 2>&1 || true
    WINEPREFIX="$WINEPREFIX" timeout 30 "$wineserver" -w >/dev/null 2>&1 || true
    rm -rf "$work"
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# wine_prefix_start runs wineboot in the background, so that the caller can
# cross-compile meanwhile; wine_prefix_wait waits for it and installs the
# ProcessPrng shim.
wine_prefix_start() {
    log "creating Wine prefix $WINEPREFIX (wineboot -i, in the background)"
    mkdir -p "$WINEPREFIX"
    ( timeout 300 "$wine" wineboot -i >"$work/wineboot.log" 2>&1 && timeout 120 "$wineserver" -w ) &
    wineboot_pid=$!
}

wine_prefix_wait() {
    local pid=$wineboot_pid
    wineboot_pid=""
    if ! wait "$pid"; then
        cat "$work/wineboot.log" >&2
        die "wineboot failed"
    fi
    system32="$WINEPREFIX/drive_c/windows/system32"
    [ -d "$system32" ] || die "no $system32 after wineboot"
    # Wine 8.0 has no bcryptprimitives.dll at all (no builtin imports it), so
    # adding one replaces nothing; Go's runtime imports ProcessPrng from it.
    if [ -e "$system32/bcryptprimitives.dll" ]; then
        log "this Wine already has bcryptprimitives.dll; not installing the shim"
    else
        log "installing the ProcessPrng shim (scripts/wine/processprng.c)"
        x86_64-w64-mingw32-gcc -shared -O2 -o "$work/bcryptprimitives.dll" \
            "$repo/scripts/wine/processprng.c" "$repo/scripts/wine/processprng.def" -ladvapi32
        cp "$work/bcryptprimitives.dll" "$system32/bcryptprimitives.dll"
    fi
    log "Wine prefix ready"
}
