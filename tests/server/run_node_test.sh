#!/bin/sh
# Runs node_client.js with the npm package msgpack5rpc, installed on first
# use into the build dir.  Exit 77 (ctest: skipped) without node/npm or when
# the npm registry cannot be reached.
# usage: run_node_test.sh NODE_PREFIX CV_SERVE
set -u
prefix=$1
serve=$2
here=$(dirname "$0")
command -v node >/dev/null 2>&1 || { echo "skip: node not installed"; exit 77; }
if [ ! -d "$prefix/node_modules/msgpack5rpc" ]; then
    command -v npm >/dev/null 2>&1 || { echo "skip: npm not installed"; exit 77; }
    mkdir -p "$prefix"
    npm install --silent --no-audit --no-fund --prefix "$prefix" msgpack5rpc@1 >/dev/null 2>&1 ||
        { echo "skip: cannot install msgpack5rpc from npm"; exit 77; }
fi
exec node "$here/node_client.js" "$serve" "$prefix/node_modules"
