# scripts/wine/setup.sh — sourced by the Wine scripts: installs wine64 and
# gcc-mingw-w64-x86-64 when missing, makes a throw-away Wine prefix under
# $work (removed, with its wineserver stopped, when the script exits), and
# installs the ProcessPrng shim Go 1.22+ binaries need on Wine 8.0.
# Expects: $repo (the repository), $go, and the functions log and die.
# Sets: $wine, $wineserver, $work, WINEPREFIX, WINEDEBUG, WINEDLLOVERRIDES.

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
cleanup() {
    status=$?
    log "stopping wineserver and removing $work"
    WINEPREFIX="$WINEPREFIX" timeout 30 "$wineserver" -k >/dev/null 2>&1 || true
    WINEPREFIX="$WINEPREFIX" timeout 30 "$wineserver" -w >/dev/null 2>&1 || true
    rm -rf "$work"
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

log "creating Wine prefix $WINEPREFIX (wineboot -i)"
mkdir -p "$WINEPREFIX"
if ! timeout 300 "$wine" wineboot -i >"$work/wineboot.log" 2>&1; then
    cat "$work/wineboot.log" >&2
    die "wineboot failed"
fi
timeout 120 "$wineserver" -w || true   # let wineboot's processes finish
system32="$WINEPREFIX/drive_c/windows/system32"
[ -d "$system32" ] || die "no $system32 after wineboot"

# --- ProcessPrng shim --------------------------------------------------------
# Wine 8.0 has no bcryptprimitives.dll at all (no builtin imports it), so
# adding one replaces nothing; Go's runtime imports ProcessPrng from it.
if [ -e "$system32/bcryptprimitives.dll" ]; then
    log "this Wine already has bcryptprimitives.dll; not installing the shim"
else
    log "building the ProcessPrng shim (scripts/wine/processprng.c)"
    x86_64-w64-mingw32-gcc -shared -O2 -o "$work/bcryptprimitives.dll" \
        "$repo/scripts/wine/processprng.c" "$repo/scripts/wine/processprng.def" -ladvapi32
    cp "$work/bcryptprimitives.dll" "$system32/bcryptprimitives.dll"
fi

