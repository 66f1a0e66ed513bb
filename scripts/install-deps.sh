#!/bin/sh
# Installs the Debian packages carevan builds with, only those missing.
# Run as root on Debian 12 (the two README commands call it for you).
set -eu

PKGS="build-essential cmake pkg-config
libglpk-dev libosmium2-dev libprotozero-dev zlib1g-dev libbz2-dev libexpat1-dev
libuv1-dev libmsgpack-dev libjansson-dev libsqlite3-dev libcmocka-dev nodejs npm"

missing=""
for p in $PKGS; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing="$missing $p"
    fi
done
[ -z "$missing" ] && exit 0

echo "carevan: installing missing packages:$missing" >&2
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
        echo "carevan: need root to install:$missing" >&2
        exit 1
    fi
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
