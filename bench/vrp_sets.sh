#!/bin/sh
# Full benchmark sets at the issue's per-instance limits, resumable.
#
# The Gehring & Homberger sets at their limits need 1 (200 customers, 60 s),
# 2 (400, 120 s) and 5 (1000, 300 s) CPU hours on one core: more than one
# working session on a shared 2-core machine.  So each finished instance is
# appended to a CSV (one row: instance, limit, result, commit, date) and a
# later run skips the instances already there: the set fills up across
# sessions, and every row says which code produced it.
#
#   sh bench/vrp_sets.sh BUILD SET [CSV]      run what is missing of SET
#   sh bench/vrp_sets.sh --summary CSV        per-class means of what is there
#
# SET: h200 | h400 | h1000 | x (CVRPLIB X at 60 s).  Limits are CPU seconds
# of the search thread (solver_solomon --cpu), so a run on a loaded machine
# stands for one on an idle machine; rows are seed 1, default options, and
# every plan is verified by the checker (the bench refuses to print a gap
# otherwise).  Stop it at any time: only finished instances are recorded.
set -eu

if [ "${1:-}" = "--summary" ]; then
    CSV=${2:?usage: vrp_sets.sh --summary CSV}
    printf "%-6s %-4s %4s %9s %9s %8s\n" set class n "mean gap" worst routes-bks
    awk -F, 'NR > 1 {
        set = $2; cls = $1; sub(/_[0-9]+_[0-9]+$/, "", cls); sub(/-.*/, "", cls)
        if (set == "x") cls = "X"
        key = set " " cls
        n[key]++; s[key] += $8; if (!(key in w) || $8 > w[key]) w[key] = $8
        if ($5 != "") { dv[key] += $4 - $5 }
        tn[set]++; ts[set] += $8
    }
    END {
        for (k in n) { split(k, a, " "); printf "%-6s %-4s %4d %8.2f%% %8.2f%% %+8d\n", a[1], a[2], n[k], s[k] / n[k], w[k], dv[k] }
        for (t in tn) printf "%-6s %-4s %4d %8.2f%%\n", t, "all", tn[t], ts[t] / tn[t]
    }' "$CSV" | sort
    exit 0
fi

BUILD=${1:?usage: vrp_sets.sh BUILD h200|h400|h1000|x [CSV]}
SET=${2:?usage: vrp_sets.sh BUILD h200|h400|h1000|x [CSV]}
CSV=${3:-bench/results/vrp_sets.csv}
SHARED=${CV_SHARED_DIR:-../shared}
V=$SHARED/datasets/vrp
BIN=$BUILD/bench/solver_solomon
case $SET in
h200) DIR=$V/homberger/200 LIM=60 BKS=$V/homberger/bks.csv KIND= EXT=.txt ;;
h400) DIR=$V/homberger/400 LIM=120 BKS=$V/homberger/bks.csv KIND= EXT=.txt ;;
h1000) DIR=$V/homberger/1000 LIM=300 BKS=$V/homberger/bks.csv KIND= EXT=.txt ;;
x) DIR=$V/cvrplib-x LIM=60 BKS=$V/cvrplib-x/bks.csv KIND=--cvrplib EXT=.vrp ;;
*)
    echo "vrp_sets.sh: unknown set '$SET' (h200, h400, h1000 or x)" >&2
    exit 2
    ;;
esac
# CV_SETS_CPU overrides the limit (smoke tests); rows record the limit used.
LIM=${CV_SETS_CPU:-$LIM}
[ -d "$DIR" ] || { echo "vrp_sets.sh: $DIR not found (set CV_SHARED_DIR)" >&2; exit 1; }
[ -x "$BIN" ] || { echo "vrp_sets.sh: $BIN not built (cmake --build $BUILD --target solver_solomon)" >&2; exit 1; }
mkdir -p "$(dirname "$CSV")"
[ -f "$CSV" ] || echo "instance,set,cpu_limit_s,routes,bks_routes,distance,bks,gap_pct,cpu_s,iterations,commit,date" >"$CSV"
COMMIT=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
if [ -n "$(git status --porcelain --untracked-files=no 2>/dev/null)" ]; then COMMIT="$COMMIT+dirty"; fi

for f in "$DIR"/*"$EXT"; do
    inst=$(basename "$f" "$EXT")
    if grep -q "^$inst,$SET,$LIM," "$CSV"; then continue; fi
    # The bench's row: inst veh dist bveh bks gap% wall cpu iters effort rate.
    row=$("$BIN" --dir "$DIR" $KIND --only "$inst$EXT" --bks "$BKS" --cpu "$LIM" |
        awk -v i="$inst" '$1 == i { print; exit }')
    case $row in
    "" | *"CHECK FAILED"* | *nan*)
        echo "vrp_sets.sh: $inst: no verified result with a BKS (${row:-no row}); not recorded" >&2
        continue
        ;;
    esac
    echo "$row" | awk -v set="$SET" -v lim="$LIM" -v c="$COMMIT" -v d="$(date -u +%Y-%m-%d)" \
        '{ b = $4 < 0 ? "" : $4; printf "%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s\n", $1, set, lim, $2, b, $3, $5, $6, $8, $9, c, d }' >>"$CSV"
    tail -n 1 "$CSV"
done
