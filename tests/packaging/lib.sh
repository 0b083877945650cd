# Shared by the packaging checks (sourced): fail/ok lines and the .deb under test.
# Each check prints "ok: ..." lines and exits 1 at its first "FAIL: ..." line.
set -euo pipefail

fail() {
    echo "FAIL: $*" >&2
    exit 1
}

ok() {
    echo "ok: $*"
}

# The one pgshift_*.deb in the build directory $1.
find_deb() {
    local debs=("$1"/pgshift_*_amd64.deb)
    [ -f "${debs[0]}" ] || fail "no pgshift_*_amd64.deb in $1 (cpack --preset package first)"
    [ ${#debs[@]} -eq 1 ] || fail "several .deb files in $1: ${debs[*]}"
    echo "${debs[0]}"
}

# A value of a unit file's key (the last one set), e.g. unit_value FILE RuntimeDirectoryMode.
unit_value() {
    sed -n "s/^$2=//p" "$1" | tail -n 1
}

# need_root WHY "$@": go on as root; as another user, run this check again through
# password-less sudo (as setup-deps installs packages), else fail saying why root is needed.
need_root() {
    local why=$1
    shift
    [ "$(id -u)" -eq 0 ] && return 0
    if command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
        exec sudo -n "$0" "$@"
    fi
    fail "needs root ($why): run scripts/test as root, or as a user with password-less sudo"
}
