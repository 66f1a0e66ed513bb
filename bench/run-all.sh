#!/bin/sh
# make bench: runs every bench/<module>_*.sh script found, each recording how it
# was called.  Long: minutes to hours; never part of make test.
set -eu
BUILD=${1:-build}
for s in bench/*_bench.sh bench/*_solomon.sh bench/*_run.sh; do
    [ -f "$s" ] || continue
    echo "== $s"
    sh "$s" "$BUILD"
done
