#!/bin/sh
# A/B of the set-partitioning recombination (solver option setpart) on a
# shared machine: for each instance, one run without and one with, back to
# back (order alternating), so that both see about the same load.  Prints
# the bench's per-instance lines tagged "off"/"on"; summarise with
# bench/setpart_ab_summary.awk.
# usage: bench/setpart_ab.sh SOLVER_SOLOMON DIR "BUDGET OFF" "BUDGET ON" INSTANCE...
# (budget options of solver_solomon, e.g. "--time 2" "--time 2", or a larger
# effort without set partitioning to match its CPU time)
set -u
BIN=$1 DIR=$2 BUDGET_OFF=$3 BUDGET_ON=$4
shift 4
k=0
for inst in "$@"; do
    if [ $((k % 2)) -eq 0 ]; then order="off on"; else order="on off"; fi
    for mode in $order; do
        flag="" budget=$BUDGET_OFF
        [ "$mode" = on ] && flag="--setpart" budget=$BUDGET_ON
        # shellcheck disable=SC2086
        "$BIN" --dir "$DIR" --only "$inst." $budget $flag 2>/dev/null |
            awk -v m="$mode" -v i="$inst" 'toupper($1) == toupper(i) { print m, $0 }'
    done
    k=$((k + 1))
done
