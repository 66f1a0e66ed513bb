#!/bin/sh
# The HTML map as a person sees it: headless Chromium opens the file from
# disk (no server, no network), runs its script, and we check the rendered
# page: one route line per route, one marker per visit, one per unassigned
# visit, one legend entry per route, road lines drawn; and a screenshot that
# is really a picture (many colours, much of the page drawn), where a blank
# page is not.  Counts come from the plan JSON, not from the page's own data.
# Without Chromium (Debian package chromium, installed by
# scripts/install-deps.sh) the test is SKIPPED (exit 77), loudly.
# usage: test_map_browser.sh CAREVAN SOURCE_DIR PNG_STATS
set -u
BIN=$1
SRC=$2
PNG_STATS=$3
SKIP=77
CHROME=""
for c in chromium chromium-browser google-chrome; do
    if command -v "$c" >/dev/null 2>&1; then CHROME=$(command -v "$c"); break; fi
done
if [ -z "$CHROME" ]; then
    echo "SKIP: no Chromium found (install the Debian package chromium: sh scripts/install-deps.sh)" >&2
    echo "SKIP: the HTML map was NOT checked in a browser" >&2
    exit $SKIP
fi
if ! "$BIN" import --help >/dev/null 2>&1; then
    echo "SKIP: this carevan has no road graph module" >&2
    exit $SKIP
fi
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fails=0
bad() { echo "FAIL: $*"; fails=$((fails + 1)); }

# Chromium as the machine notes say it runs here: headless, no sandbox (root),
# no background network traffic, a fresh profile each time.
chrome() {
    mkdir -p "$T/profile$1"
    prof=$1
    shift
    timeout 60 "$CHROME" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
        --disable-background-networking --disable-component-update --disable-sync \
        --disable-extensions --user-data-dir="$T/profile$prof" --window-size=1280,800 "$@" \
        2>"$T/chrome.err"
}

# A day in Chengdu: three carers (two visits each at most), eight visits, one that needs a skill nobody
# has and one whose window closes before anyone works (both unassigned), and a
# client name that tries to inject markup.
cat >"$T/day.json" <<'JSON'
{"vehicles":[
 {"id":1,"description":"carer <b>Li</b> & \"Zhang\"","profile":"car","start":[104.0715,30.6735],"end":[104.0715,30.6735],"time_window":[28800,61200],"max_tasks":2},
 {"id":2,"description":"carer Chen","profile":"car","start":[104.0715,30.6735],"end":[104.0715,30.6735],"time_window":[28800,61200],"max_tasks":2},
 {"id":3,"description":"carer Wang","profile":"car","start":[104.0800,30.6650],"end":[104.0800,30.6650],"time_window":[28800,61200],"max_tasks":2}],
"jobs":[
 {"id":101,"description":"client </script><script>document.title='pwned'</script>","location":[104.0650,30.6800],"service":1800},
 {"id":102,"description":"client B","location":[104.0820,30.6700],"service":1200},
 {"id":103,"description":"client C","location":[104.0900,30.6600],"service":1200},
 {"id":104,"description":"client D","location":[104.0600,30.6620],"service":900},
 {"id":105,"description":"client E","location":[104.0750,30.6850],"service":900},
 {"id":106,"description":"client F","location":[104.0950,30.6750],"service":600},
 {"id":107,"description":"needs a nurse","location":[104.0700,30.6580],"service":600,"skills":[9]},
 {"id":108,"description":"too early","location":[104.0680,30.6700],"service":600,"time_windows":[[0,60]]}]}
JSON
"$BIN" import "$SRC/datasets/osm/chengdu-center.osm.pbf" -o "$T/c.cvg" -q >/dev/null 2>"$T/err" ||
    { cat "$T/err"; exit 1; }
"$BIN" solve "$T/day.json" --graph "$T/c.cvg" --effort 100000 -q -o "$T/plan.json" \
    --map "$T/map.html" 2>"$T/err" || { cat "$T/err"; exit 1; }
"$BIN" check "$T/day.json" "$T/plan.json" --graph "$T/c.cvg" -q >/dev/null ||
    bad "the plan behind the map is not valid"
size=$(wc -c <"$T/map.html")
echo "map: $size bytes"
[ "$size" -lt 2000000 ] || bad "map file too large: $size bytes"
grep -qi -e 'src="http' -e "href=\"http" -e '@import' "$T/map.html" && bad "the map loads something from the network"

# Expected counts, from the plan JSON
routes=$(sed -n 's/.*"summary":{[^}]*"routes":\([0-9]*\).*/\1/p' "$T/plan.json")
unassigned=$(sed -n 's/.*"summary":{[^}]*"unassigned":\([0-9]*\).*/\1/p' "$T/plan.json")
jobs=$(grep -o '"type":"job"' "$T/plan.json" | wc -l)
visits=$((jobs - unassigned))
[ "$routes" -ge 2 ] && [ "$unassigned" -eq 2 ] && [ "$visits" -eq 6 ] ||
    bad "unexpected plan: $routes routes, $visits visits, $unassigned unassigned"

check_dom() { # URL LABEL ROADS(yes|no)
    chrome dom --dump-dom "$1" >"$T/dom.html" ||
        { bad "$2: chromium --dump-dom failed: $(tail -3 "$T/chrome.err")"; return; }
    n() { grep -o "$1" "$T/dom.html" | wc -l; }
    grep -q 'data-ready="1"' "$T/dom.html" || bad "$2: the page script did not finish"
    [ "$(n '<path class="route')" -eq "$routes" ] || bad "$2: $(n '<path class="route') route lines, expected $routes"
    [ "$(n '<g class="stop[" ]')" -eq "$visits" ] || bad "$2: $(n '<g class="stop[" ]') stop markers, expected $visits"
    [ "$(n '<g class="unassigned"')" -eq "$unassigned" ] || bad "$2: $(n '<g class="unassigned"') unassigned markers, expected $unassigned"
    [ "$(n '<li class="legend-entry"')" -eq "$routes" ] || bad "$2: $(n '<li class="legend-entry"') legend entries, expected $routes"
    [ "$(n '<g class="depot"')" -eq 2 ] || bad "$2: $(n '<g class="depot"') depots, expected 2"
    road_lines=$(sed -n 's/.*<path class="road road-local"[^>]*data-lines="\([0-9]*\)".*/\1/p' "$T/dom.html")
    if [ "$3" = yes ]; then
        [ "$(n '<path class="road ')" -gt 0 ] && [ "${road_lines:-0}" -gt 0 ] || bad "$2: no road lines drawn"
    else
        [ "$(n '<path class="road ')" -eq 0 ] || bad "$2: roads drawn without a graph"
    fi
    # the hostile names are text, not markup
    grep -q "<title>carevan plan</title>" "$T/dom.html" || bad "$2: the page title was changed by a client name"
    grep -q '<b>Li</b>' "$T/dom.html" && bad "$2: a vehicle name became markup"
    grep -q '&lt;b&gt;Li&lt;/b&gt;' "$T/dom.html" || bad "$2: the vehicle name is not shown as text"
}
# (The link to a stop opens its popup, with the times as text; the one to
# routes switches the others off through the legend's own checkboxes.)
check_dom "file://$T/map.html#routes=1,3&stop=1.2" "solve --map" yes
n_off=$(grep -o '<g class="stop off"' "$T/dom.html" | wc -l)
n_route2=$(grep -o '<g class="stop[^"]*" data-route="1"' "$T/dom.html" | wc -l)
[ "$n_route2" -gt 0 ] && [ "$n_off" -eq "$n_route2" ] || bad "#routes=1,3: $n_off stops hidden, route 2 has $n_route2"
grep -q '<path class="route off"[^>]*data-route="1"' "$T/dom.html" || bad "#routes=1,3: route 2's line still shown"
grep -Eq '<div id="popup"( style="[^"]*")?><h3>' "$T/dom.html" || bad "#stop=1.2 opened no popup"
grep -q '<td>arrival</td><td>[0-9][0-9]:[0-9][0-9]</td>' "$T/dom.html" || bad "the popup shows no arrival time"
# The same plan drawn later from its files, without the road network and
# without its road geometry (as from a solver that has none): straight legs.
sed 's/"geometry":"[^"]*",//g' "$T/plan.json" >"$T/plan-nogeo.json"
grep -q '"geometry"' "$T/plan-nogeo.json" && bad "geometry not removed"
"$BIN" map "$T/plan-nogeo.json" "$T/day.json" -o "$T/map2.html" 2>"$T/err" || bad "carevan map failed: $(cat "$T/err")"
check_dom "file://$T/map2.html" "carevan map (no graph)" no
[ "$(grep -o '<path class="route straight"' "$T/dom.html" | wc -l)" -eq "$routes" ] ||
    bad "carevan map (no graph): routes not drawn as straight legs"

# Pinch zoom on a phone: synthetic touch pointers dispatched on the map (a
# script appended to a copy of the page) and the view transform read back.
# Two fingers 100 px apart around the centre spread to 200 px while their
# midpoint moves by (30, 10): the scale doubles and the map point under the
# midpoint stays under it; pinching 200 px to 50 px quarters the scale; one
# finger drags without zooming; a finger left after a pinch pans on.
cat >"$T/pinch.js" <<'JS'
<script>
(function () {
  var svg = document.getElementById('svg'), view = document.getElementById('view');
  var errs = [];
  function kt() {
    var m = /matrix\(([^ ]+) 0 0 [^ ]+ ([^ ]+) ([^ )]+)\)/.exec(view.getAttribute('transform'));
    return {k: +m[1], tx: +m[2], ty: +m[3]};
  }
  function ev(type, id, x, y) {
    svg.dispatchEvent(new PointerEvent(type, {pointerId: id, clientX: x, clientY: y,
      bubbles: true, cancelable: true, isPrimary: id === 1, pointerType: 'touch',
      button: type === 'pointermove' ? -1 : 0, buttons: type === 'pointerup' ? 0 : 1}));
  }
  function near(what, got, want) {
    if (!(Math.abs(got - want) <= 1e-6 * Math.max(1, Math.abs(want))))
      errs.push(what + ' ' + got + ' want ' + want);
  }
  var r = svg.getBoundingClientRect(), cx = r.left + r.width / 2, cy = r.top + r.height / 2;
  var v0 = kt();
  ev('pointerdown', 1, cx - 50, cy); ev('pointerdown', 2, cx + 50, cy);
  ev('pointermove', 1, cx - 70, cy + 10); ev('pointermove', 2, cx + 130, cy + 10);
  ev('pointerup', 1, cx - 70, cy + 10); ev('pointerup', 2, cx + 130, cy + 10);
  var v1 = kt();
  near('spread: scale', v1.k, 2 * v0.k);
  near('spread: tx', v1.tx, cx + 30 - r.left - (cx - r.left - v0.tx) * 2);
  near('spread: ty', v1.ty, cy + 10 - r.top - (cy - r.top - v0.ty) * 2);
  ev('pointerdown', 1, cx - 100, cy); ev('pointerdown', 2, cx + 100, cy);
  ev('pointermove', 1, cx - 25, cy); ev('pointermove', 2, cx + 25, cy);
  ev('pointerup', 2, cx + 25, cy); ev('pointerup', 1, cx - 25, cy);
  var v2 = kt();
  near('pinch: scale', v2.k, v1.k / 4);
  near('pinch: tx', v2.tx, cx - r.left - (cx - r.left - v1.tx) / 4);
  ev('pointerdown', 3, cx, cy); ev('pointermove', 3, cx + 40, cy - 20); ev('pointerup', 3, cx + 40, cy - 20);
  var v3 = kt();
  near('drag: scale', v3.k, v2.k);
  near('drag: tx', v3.tx, v2.tx + 40);
  near('drag: ty', v3.ty, v2.ty - 20);
  ev('pointerdown', 4, cx, cy); ev('pointerdown', 5, cx + 60, cy); ev('pointerup', 5, cx + 60, cy);
  ev('pointermove', 4, cx + 25, cy); ev('pointerup', 4, cx + 25, cy);
  var v4 = kt();
  near('after pinch: scale', v4.k, v3.k);
  near('after pinch: tx', v4.tx, v3.tx + 25);
  document.body.setAttribute('data-pinch', errs.length ? 'FAIL ' + errs.join('; ') : 'ok');
  document.body.setAttribute('data-pinch-scales', [v0.k, v1.k, v2.k, v3.k, v4.k].join(' '));
})();
</script>
JS
awk -v js="$T/pinch.js" '/<\/body>/ { while ((getline l < js) > 0) print l } { print }' "$T/map.html" \
    >"$T/pinch.html"
chrome dom --dump-dom "file://$T/pinch.html" >"$T/dom.html" ||
    bad "pinch: chromium --dump-dom failed: $(tail -3 "$T/chrome.err")"
pinch=$(sed -n 's/.*data-pinch="\([^"]*\)".*/\1/p' "$T/dom.html")
echo "pinch: ${pinch:-no result} (scales $(sed -n 's/.*data-pinch-scales="\([^"]*\)".*/\1/p' "$T/dom.html"))"
[ "$pinch" = ok ] || bad "pinch zoom: ${pinch:-the test script did not run}"

# The screenshot: a drawn page has many colours over much of its area.
chrome shot --screenshot="$T/map.png" "file://$T/map.html" >/dev/null ||
    bad "chromium --screenshot failed: $(tail -3 "$T/chrome.err")"
stats=$("$PNG_STATS" "$T/map.png") || bad "screenshot unreadable"
echo "screenshot: $stats"
colours=$(echo "$stats" | sed -n 's/.*colours=\([0-9]*\).*/\1/p')
covered=$(echo "$stats" | sed -n 's/.*covered=\([0-9.]*\).*/\1/p')
[ "${colours:-0}" -ge 200 ] || bad "screenshot has only ${colours:-0} colours"
awk "BEGIN{exit !(${covered:-0} >= 0.10)}" || bad "screenshot is mostly background (${covered:-0} drawn)"
# ...and the same measure on a blank page says so (the check can fail).
if [ -z "${CV_TEST_QUICK:-}" ]; then
    printf '<!DOCTYPE html><html><body></body></html>' >"$T/blank.html"
    chrome blank --screenshot="$T/blank.png" "file://$T/blank.html" >/dev/null &&
        blank=$("$PNG_STATS" "$T/blank.png") && echo "blank page: $blank" &&
        case "$blank" in *"colours=1 "*) ;; *) bad "a blank page did not read as blank: $blank" ;; esac
fi

[ "$fails" -eq 0 ] && echo "map browser test: ok"
[ "$fails" -eq 0 ]
