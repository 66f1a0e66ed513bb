# Sourced by the shell tests of the carevan command (test_cli.sh,
# test_coverage_cli.sh, test_caravan_stops.sh): a scratch directory $T
# removed on exit, pass/fail counters, and
#   expect CODE "stderr substring" -- command...
# which runs the command (stdout in $T/out, stderr in $T/err) and counts a
# failure when the exit code differs or stderr lacks the substring.
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fails=0
pass=0
ok() { pass=$((pass + 1)); }
bad() { echo "FAIL: $*"; fails=$((fails + 1)); }
expect() {
    code=$1; want=$2; shift 3
    "$@" >"$T/out" 2>"$T/err"
    got=$?
    if [ "$got" -ne "$code" ]; then
        bad "$* exited $got, expected $code: $(head -c 400 "$T/err")"
    elif [ -n "$want" ] && ! grep -qF -- "$want" "$T/err"; then
        bad "$*: stderr lacks \"$want\": $(head -c 400 "$T/err")"
    else
        ok
    fi
}
