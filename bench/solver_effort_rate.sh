#!/bin/sh
# Work units per CPU second of the solver's search, from 100 to 1000 tasks
# (bench/RESULTS.md, "Scaling to 1000 customers").  For each instance the
# search-only rate is (1e8 - 2e7) / (CPU at 1e8 - CPU at 2e7): the marginal
# cost of a unit, construction and set-up excluded.  Each BIN is a
# solver_solomon binary; give two (an old and a new build) to compare them
# run by run, interleaved, on the same machine load.  REPS repeats (default 2).
# usage: solver_effort_rate.sh [-r REPS] BIN [BIN...]
set -eu
REPS=2
if [ "${1:-}" = "-r" ]; then REPS=$2; shift 2; fi
[ $# -ge 1 ] || { echo "usage: $0 [-r REPS] BIN [BIN...]" >&2; exit 2; }
D=${CV_SHARED_DIR:-../shared}/datasets/vrp
cpu() { "$1" --dir "$D/$2" --only "$3" --effort "$4" | grep -iE "^$3" | awk '{print $8}'; }
i=0
while [ $i -lt "$REPS" ]; do
    i=$((i + 1))
    for a in "solomon R101" "solomon RC101" "homberger/200 r1_2_1." "homberger/400 r1_4_1." \
             "homberger/1000 r1_10_1." "homberger/1000 rc1_10_1."; do
        set -- $a "$@"
        dir=$1 name=$2
        shift 2
        for bin in "$@"; do
            lo=$(cpu "$bin" "$dir" "$name" 20000000)
            hi=$(cpu "$bin" "$dir" "$name" 100000000)
            echo "$bin $name $lo $hi" | awk '{printf "%s %-9s cpu@2e7 %5.2f cpu@1e8 %5.2f search Mu/cpu-s %.1f\n", $1, $2, $3, $4, 80 / ($4 - $3)}'
        done
    done
done
