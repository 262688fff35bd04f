# scripts/wine/qmgr-tests/build.sh — sourced by scripts/wine-com-server.sh:
# builds qmgr_test.exe, Wine 8.0's own BITS conformance tests
# (dlls/qmgr/tests: enum_files.c, enum_jobs.c, file.c, job.c, qmgr.c),
# with mingw, against Wine's wine/test.h and libwine-dev's wine/debug.h.
#
# The test sources are not in this repository: they come from Debian's
# source package of the Wine that runs them (wine 8.0~repack-4, Wine 8.0
# with Debian's packaging; its dlls/qmgr/tests and include/wine/test.h
# are Wine 8.0's, LGPL 2.1 or later, headers intact), fetched with
# `apt-get source` through a private deb-src list (the system's apt
# configuration is untouched), cached under $BITSSIM_CACHE (default
# ~/.cache/bitssim), and checked against SHA256SUMS beside this file, so
# that the reviewed failure list (comserver/testdata/qmgr-failures.txt),
# which names failures by file and line, always speaks of the same code.
#
# Expects: $repo, $work, log, die. Sets: $qmgr_exe.
qmgr_tests_build() {
    local here="$repo/scripts/wine/qmgr-tests"
    local version="${WINE_SOURCE_VERSION:-8.0~repack-4}"
    local cache="${BITSSIM_CACHE:-$HOME/.cache/bitssim}/wine-qmgr-tests/$version"
    if ! (cd "$cache" 2>/dev/null && sha256sum --quiet -c "$here/SHA256SUMS" >/dev/null 2>&1); then
        log "fetching Wine's qmgr tests from Debian's source package wine=$version (apt-get source)"
        if ! command -v xz >/dev/null; then
            DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends xz-utils >/dev/null ||
                die "no xz to unpack Wine's source: apt-get install xz-utils"
        fi
        local apt="$work/apt"
        mkdir -p "$apt/lists/partial" "$apt/src"
        # The system's own Debian entries, as deb-src (same mirrors, suites
        # and keys).
        mkdir -p "$apt/sources.list.d"
        local f
        for f in /etc/apt/sources.list.d/*.sources; do
            if [ -f "$f" ]; then sed -E 's/^Types:.*/Types: deb-src/' "$f" >"$apt/sources.list.d/$(basename "$f")"; fi
        done
        for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
            if [ -f "$f" ]; then sed -nE 's/^[[:space:]]*deb[[:space:]]/deb-src /p' "$f" >"$apt/sources.list.d/$(basename "$f").list"; fi
        done
        : >"$apt/sources.list"
        local aptopts=(-o "Dir::Etc::SourceList=$apt/sources.list" -o "Dir::Etc::SourceParts=$apt/sources.list.d" -o "Dir::State::Lists=$apt/lists" -o "Dir::Cache=$apt/cache")
        apt-get "${aptopts[@]}" update -qq >"$work/apt.log" 2>&1 || { cat "$work/apt.log" >&2; die "apt-get update (deb-src) failed"; }
        (cd "$apt/src" && apt-get "${aptopts[@]}" source --download-only "wine=$version") >>"$work/apt.log" 2>&1 || {
            cat "$work/apt.log" >&2; die "apt-get source wine=$version failed"; }
        local orig
        orig=$(ls "$apt/src"/wine_*.orig.tar.* 2>/dev/null | head -n 1)
        [ -n "$orig" ] || die "no wine orig tarball in $apt/src"
        tar -xf "$orig" -C "$apt/src" --wildcards '*/dlls/qmgr/tests/*' '*/include/wine/test.h' || die "extracting $orig failed"
        rm -rf "$cache"
        mkdir -p "$cache/wine"
        cp "$apt/src"/wine-*/dlls/qmgr/tests/*.c "$apt/src"/wine-*/dlls/qmgr/tests/Makefile.in "$cache/"
        cp "$apt/src"/wine-*/include/wine/test.h "$cache/wine/"
        rm -rf "$apt"
        (cd "$cache" && sha256sum --quiet -c "$here/SHA256SUMS") ||
            die "Wine's qmgr tests from wine=$version differ from scripts/wine/qmgr-tests/SHA256SUMS: review them and the failure list"
    fi
    [ -f /usr/include/wine/wine/debug.h ] || die "no wine/debug.h: apt-get install libwine-dev"
    qmgr_exe="$work/qmgr_test.exe"
    # -w: the tests are Wine's, built as Wine builds them; warnings in them
    # are not ours to fix. winetest_support.c supplies __wine_dbg_strdup,
    # which Wine's ntdll exports and mingw's import library lacks.
    x86_64-w64-mingw32-gcc -O1 -w -I"$cache" -I/usr/include/wine -o "$qmgr_exe" \
        "$here/testlist.c" "$here/winetest_support.c" \
        "$cache/enum_files.c" "$cache/enum_jobs.c" "$cache/file.c" "$cache/job.c" "$cache/qmgr.c" \
        -lole32 -luuid -lshlwapi -luser32 >"$work/qmgr-build.log" 2>&1 || {
        cat "$work/qmgr-build.log" >&2; die "building Wine's qmgr tests failed"; }
}
