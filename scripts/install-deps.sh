#!/bin/sh
# Installs the Debian packages carevan builds with, only those missing.
# Run as root on Debian 12 (the two README commands call it for you).
set -eu

PKGS="build-essential cmake pkg-config
libglpk-dev libosmium2-dev libprotozero-dev zlib1g-dev libbz2-dev libexpat1-dev
libuv1-dev libmsgpack-dev libjansson-dev libsqlite3-dev libcmocka-dev
chromium"
# chromium: the HTML map test opens the map in a headless browser.

missing=""
for p in $PKGS; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing="$missing $p"
    fi
done
# Node.js and npm only drive the third-party MessagePack-RPC client test (it
# skips without them); a machine may have them from elsewhere than Debian.
optional=""
command -v node >/dev/null 2>&1 || optional="$optional nodejs"
command -v npm >/dev/null 2>&1 || optional="$optional npm"
[ -z "$missing" ] && [ -z "$optional" ] && exit 0

echo "carevan: installing missing packages:$missing$optional" >&2
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
        [ -z "$missing" ] && exit 0 # only the optional Node.js is missing
        echo "carevan: need root to install:$missing" >&2
        exit 1
    fi
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
if [ -n "$missing" ]; then
    # shellcheck disable=SC2086
    $SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi
if [ -n "$optional" ]; then
    # shellcheck disable=SC2086
    $SUDO apt-get install -y -qq --no-install-recommends $optional >/dev/null ||
        echo "carevan: could not install$optional; the Node.js client test will be skipped" >&2
fi
