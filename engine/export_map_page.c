/* The page of the HTML map: markup, style and the script that draws the
 * data object of export_map.c as SVG (roads, routes, markers), with pan and
 * zoom (wheel, buttons, one pointer drags, two pointers pinch: phones), popups
 * and a legend that toggles routes.  Everything inline: the
 * file opens from disk with no network.
 *
 * The script reads only the JSON in <script id="plan-data"> and puts user
 * text on screen with textContent.  Markers are kept at a fixed screen size
 * (their positions follow the view; lines use non-scaling strokes), so a
 * city and a county read the same.  Structure the browser test relies on:
 * one path.route per route, one g.stop per visit, one g.unassigned per
 * unassigned visit with coordinates, one li.legend-entry per route, one
 * path.road per drawn road class. */
#include "export_int.h"
#include "export_map_int.h"

#include <stdlib.h>
#include <string.h>

static const char *const page_css[] = {
    "html,body{margin:0;height:100%;font:14px/1.4 system-ui,sans-serif;color:#222}\n",
    "body{display:flex}\n",
    "#map{flex:1;position:relative;overflow:hidden;background:#f2efe9}\n",
    "#svg{width:100%;height:100%;display:block;cursor:grab;touch-action:none;user-select:none}\n",
    "#svg.dragging{cursor:grabbing}\n",
    "path.road,path.route{fill:none;vector-effect:non-scaling-stroke;stroke-linecap:round;stroke-"
    "linejoin:round}\n",
    ".road-motorway{stroke:#f3c2bc;stroke-width:4}\n",
    ".road-primary{stroke:#f7dcb8;stroke-width:3.4}\n",
    ".road-secondary{stroke:#f6eec4;stroke-width:2.8}\n",
    ".road-tertiary{stroke:#fff;stroke-width:2.4}\n",
    ".road-local{stroke:#fff;stroke-width:1.6}\n",
    ".road-unknown{stroke:#fff;stroke-width:1.4}\n",
    ".road-service{stroke:#fbfbfb;stroke-width:1}\n",
    ".road-path{stroke:#c9b79c;stroke-width:.8;stroke-dasharray:3 2}\n",
    "path.route{stroke-width:4.5;opacity:.85}\n",
    "path.route.straight{stroke-dasharray:9 6}\n",
    "g.stop,g.depot,g.unassigned{cursor:pointer}\n",
    "g.stop text,g.unassigned text{font:bold 11px "
    "sans-serif;fill:#fff;text-anchor:middle;dominant-baseline:central;pointer-events:none}\n",
    "g.unassigned text{fill:#c00}\n",
    ".off{display:none}\n",
    "#controls{position:absolute;top:10px;left:10px;display:flex;flex-direction:column;gap:4px}\n",
    "#controls button{width:32px;height:32px;font:bold 18px sans-serif;border:1px solid "
    "#888;border-radius:4px;background:#fff;cursor:pointer}\n",
    "#popup{position:absolute;max-width:320px;background:#fff;border:1px solid "
    "#888;border-radius:6px;box-shadow:0 2px 8px rgba(0,0,0,.3);padding:8px "
    "10px;pointer-events:auto}\n",
    "#popup h3{margin:0 0 4px;font-size:15px}\n",
    "#popup table{border-collapse:collapse}\n",
    "#popup td{padding:1px 6px 1px 0;vertical-align:top}\n",
    "#popup td:first-child{color:#666;white-space:nowrap}\n",
    "aside{width:320px;overflow:auto;padding:12px;border-left:1px solid "
    "#ccc;background:#fff;box-sizing:border-box}\n",
    "aside h1{font-size:18px;margin:0 0 6px}\n",
    "#legend,#unassigned-list{list-style:none;padding:0;margin:8px 0}\n",
    "#legend li{margin:6px 0}\n",
    "#legend label{display:flex;gap:6px;align-items:flex-start;cursor:pointer}\n",
    ".swatch{flex:none;width:22px;height:6px;margin-top:7px;border-radius:3px}\n",
    ".small{color:#666;font-size:12px}\n",
    "#unassigned-list li{margin:4px 0;cursor:pointer}\n",
    "#unassigned-list li::before{content:\"✖ \";color:#c00}\n",
    ".credit{color:#666;font-size:11px;margin-top:16px}\n",
    "@media print{aside{display:none}#controls{display:none}}\n",
    NULL,
};

static const char *const page_js[] = {
    "(function () {\n",
    "  'use strict';\n",
    "  var D = JSON.parse(document.getElementById('plan-data').textContent);\n",
    "  var NS = 'http://www.w3.org/2000/svg';\n",
    "  var svg = document.getElementById('svg');\n",
    "  var view = document.getElementById('view');\n",
    "  var marks = document.getElementById('marks');\n",
    "  var popup = document.getElementById('popup');\n",
    "  function el(tag, cls, attrs, parent) {\n",
    "    var e = document.createElementNS(NS, tag);\n",
    "    e.setAttribute('class', cls);\n",
    "    for (var k in attrs) e.setAttribute(k, attrs[k]);\n",
    "    parent.appendChild(e);\n",
    "    return e;\n",
    "  }\n",
    "  function h(tag, cls, text, parent) {\n",
    "    var e = document.createElement(tag);\n",
    "    if (cls) e.className = cls;\n",
    "    if (text !== null) e.textContent = text;\n",
    "    parent.appendChild(e);\n",
    "    return e;\n",
    "  }\n",
    "  function line(a) {\n",
    "    if (a.length < 2) return '';\n",
    "    return 'M' + a[0] + ' ' + a[1] + (a.length > 2 ? 'l' + a.slice(2).join(' ') : '');\n",
    "  }\n",
    "  /* view: screen = k * metres + (tx, ty) */\n",
    "  var k = 1, tx = 0, ty = 0, kmin = 1e-4, kmax = 50;\n",
    "  var placed = [];\n",
    "  function apply() {\n",
    "    view.setAttribute('transform', 'matrix(' + k + ' 0 0 ' + k + ' ' + tx + ' ' + ty + "
    "')');\n",
    "    for (var i = 0; i < placed.length; i++) {\n",
    "      var m = placed[i];\n",
    "      m.g.setAttribute('transform', 'translate(' + (m.x * k + tx).toFixed(1) + ' ' + (m.y * k "
    "+ ty).toFixed(1) + ')');\n",
    "    }\n",
    "    if (openAt) placePopup();\n",
    "  }\n",
    "  function size() {\n",
    "    var r = svg.getBoundingClientRect();\n",
    "    return {w: r.width || 800, h: r.height || 600, left: r.left, top: r.top};\n",
    "  }\n",
    "  function fit() {\n",
    "    var s = size();\n",
    "    k = Math.min(s.w / Math.max(D.w, 1), s.h / Math.max(D.h, 1)) * 0.96;\n",
    "    kmin = k / 8;\n",
    "    tx = (s.w - D.w * k) / 2;\n",
    "    ty = (s.h - D.h * k) / 2;\n",
    "    apply();\n",
    "  }\n",
    "  function zoomAt(px, py, f) {\n",
    "    var nk = Math.max(kmin, Math.min(kmax, k * f));\n",
    "    tx = px - (px - tx) * nk / k;\n",
    "    ty = py - (py - ty) * nk / k;\n",
    "    k = nk;\n",
    "    apply();\n",
    "  }\n",
    "  /* popups: user text goes in as textContent only */\n",
    "  var openAt = null;\n",
    "  function placePopup() {\n",
    "    var s = size();\n",
    "    var x = openAt.x * k + tx, y = openAt.y * k + ty;\n",
    "    popup.style.left = Math.max(4, Math.min(s.w - popup.offsetWidth - 4, x + 12)) + 'px';\n",
    "    popup.style.top = Math.max(4, Math.min(s.h - popup.offsetHeight - 4, y + 12)) + 'px';\n",
    "  }\n",
    "  function showPopup(item) {\n",
    "    popup.textContent = '';\n",
    "    h('h3', null, item.title, popup);\n",
    "    var t = h('table', null, null, popup);\n",
    "    item.rows.forEach(function (r) {\n",
    "      var tr = h('tr', null, null, t);\n",
    "      h('td', null, r[0], tr);\n",
    "      h('td', null, r[1], tr);\n",
    "    });\n",
    "    popup.hidden = false;\n",
    "    openAt = item;\n",
    "    placePopup();\n",
    "  }\n",
    "  function hidePopup() { popup.hidden = true; openAt = null; }\n",
    "  function marker(item, cls, route, draw) {\n",
    "    var g = el('g', cls, {}, marks);\n",
    "    if (route !== null) g.setAttribute('data-route', route);\n",
    "    draw(g);\n",
    "    var title = document.createElementNS(NS, 'title');\n",
    "    title.textContent = item.title;\n",
    "    g.appendChild(title);\n",
    "    g.addEventListener('click', function (e) { e.stopPropagation(); showPopup(item); });\n",
    "    placed.push({g: g, x: item.x, y: item.y});\n",
    "    return g;\n",
    "  }\n",
    "  /* roads, minor classes first */\n",
    "  var roads = document.getElementById('roads');\n",
    "  D.roads.classes.forEach(function (c) {\n",
    "    el('path', 'road road-' + c.cls, {d: c.lines.map(line).join(''), 'data-lines': "
    "c.lines.length}, roads);\n",
    "  });\n",
    "  /* routes and stops */\n",
    "  var routes = document.getElementById('routes');\n",
    "  D.routes.forEach(function (r, i) {\n",
    "    el('path', 'route' + (r.on_roads ? '' : ' straight'), {d: line(r.line), stroke: r.color, "
    "'data-route': i}, routes);\n",
    "  });\n",
    "  D.depots.forEach(function (d) {\n",
    "    marker(d, 'depot', null, function (g) {\n",
    "      el('rect', 'depot-mark', {x: -8, y: -8, width: 16, height: 16, rx: 2, fill: '#222', "
    "stroke: '#fff', 'stroke-width': 2}, g);\n",
    "    });\n",
    "  });\n",
    "  D.routes.forEach(function (r, i) {\n",
    "    r.stops.forEach(function (s) {\n",
    "      marker(s, 'stop', i, function (g) {\n",
    "        el('circle', 'stop-mark', {r: 10, fill: r.color, stroke: '#fff', 'stroke-width': 2}, "
    "g);\n",
    "        el('text', 'stop-number', {}, g).textContent = String(s.n);\n",
    "      });\n",
    "    });\n",
    "  });\n",
    "  D.unassigned.forEach(function (u) {\n",
    "    marker(u, 'unassigned', null, function (g) {\n",
    "      el('circle', 'unassigned-mark', {r: 10, fill: '#fff', stroke: '#c00', 'stroke-width': "
    "3}, g);\n",
    "      el('text', 'unassigned-sign', {}, g).textContent = '!';\n",
    "    });\n",
    "  });\n",
    "  /* side panel */\n",
    "  document.getElementById('summary').textContent = D.summary;\n",
    "  var legend = document.getElementById('legend'), boxes = [];\n",
    "  D.routes.forEach(function (r, i) {\n",
    "    var li = h('li', 'legend-entry', null, legend);\n",
    "    var label = h('label', null, null, li);\n",
    "    var box = h('input', null, null, label);\n",
    "    box.type = 'checkbox';\n",
    "    box.checked = true;\n",
    "    boxes.push(box);\n",
    "    var sw = h('span', 'swatch', null, label);\n",
    "    sw.style.background = r.color;\n",
    "    var txt = h('span', null, null, label);\n",
    "    h('b', null, r.name, txt);\n",
    "    h('br', null, null, txt);\n",
    "    h('span', 'small', r.info, txt);\n",
    "    box.addEventListener('change', function () {\n",
    "      var hide = !box.checked;\n",
    "      document.querySelectorAll('[data-route=\"' + i + '\"]').forEach(function (e) {\n",
    "        e.classList.toggle('off', hide);\n",
    "      });\n",
    "      hidePopup();\n",
    "    });\n",
    "  });\n",
    "  var ul = document.getElementById('unassigned-list');\n",
    "  document.getElementById('unassigned-head').hidden = D.unassigned.length === 0 && "
    "D.unassigned_elsewhere === 0;\n",
    "  D.unassigned.forEach(function (u) {\n",
    "    var li = h('li', 'unassigned-entry', u.title + ': ' + u.rows[0][1], ul);\n",
    "    li.addEventListener('click', function () {\n",
    "      var s = size();\n",
    "      tx = s.w / 2 - u.x * k;\n",
    "      ty = s.h / 2 - u.y * k;\n",
    "      apply();\n",
    "      showPopup(u);\n",
    "    });\n",
    "  });\n",
    "  if (D.unassigned_elsewhere > 0)\n",
    "    h('li', 'small', D.unassigned_elsewhere + ' more without coordinates', ul);\n",
    "  var note = document.getElementById('roads-note');\n",
    "  if (D.roads.omitted.length)\n",
    "    note.textContent = 'Left out to keep the page light: ' + D.roads.omitted.map(function (o) "
    "{\n",
    "      return o.cls + ' roads (' + o.segments + ' segments)';\n",
    "    }).join(', ') + '.';\n",
    "  else if (!D.roads.classes.length)\n",
    "    note.textContent = 'No road network (the map was made without a road graph).';\n",
    "  /* pan and zoom */\n",
    "  var drag = null;\n",
    "  svg.addEventListener('wheel', function (e) {\n",
    "    e.preventDefault();\n",
    "    var s = size();\n",
    "    zoomAt(e.clientX - s.left, e.clientY - s.top, Math.exp(-Math.max(-300, Math.min(300, "
    "e.deltaY)) * 0.002));\n",
    "  }, {passive: false});\n",
    "  /* pointers down (client x, y by pointerId): one drags, two pinch */\n",
    "  var pts = {}, pinch = null;\n",
    "  function capture(id) { try { svg.setPointerCapture(id); } catch (err) { /* gone */ } }\n",
    "  function startPinch() {\n",
    "    var ids = Object.keys(pts), a = pts[ids[0]], b = pts[ids[1]], s = size();\n",
    "    /* the point between the fingers stays under them while they spread */\n",
    "    pinch = {a: +ids[0], b: +ids[1], d: Math.max(1, Math.hypot(b.x - a.x, b.y - a.y)), k: "
    "k,\n",
    "             mx: (a.x + b.x) / 2 - s.left, my: (a.y + b.y) / 2 - s.top, tx: tx, ty: ty};\n",
    "    if (drag && drag.moved) svg.classList.remove('dragging');\n",
    "    drag = null;\n",
    "  }\n",
    "  function movePinch() {\n",
    "    var a = pts[pinch.a], b = pts[pinch.b], s = size();\n",
    "    var nk = Math.max(kmin, Math.min(kmax, pinch.k * Math.hypot(b.x - a.x, b.y - a.y) / "
    "pinch.d));\n",
    "    tx = (a.x + b.x) / 2 - s.left - (pinch.mx - pinch.tx) * nk / pinch.k;\n",
    "    ty = (a.y + b.y) / 2 - s.top - (pinch.my - pinch.ty) * nk / pinch.k;\n",
    "    k = nk;\n",
    "    apply();\n",
    "  }\n",
    "  svg.addEventListener('pointerdown', function (e) {\n",
    "    pts[e.pointerId] = {x: e.clientX, y: e.clientY};\n",
    "    var n = Object.keys(pts).length;\n",
    "    if (n === 2) { capture(e.pointerId); startPinch(); return; }\n",
    "    if (n > 2 || e.button !== 0) return;\n",
    "    drag = {x: e.clientX, y: e.clientY, tx: tx, ty: ty, moved: false, id: e.pointerId};\n",
    "  });\n",
    "  svg.addEventListener('pointermove', function (e) {\n",
    "    if (pts[e.pointerId]) pts[e.pointerId] = {x: e.clientX, y: e.clientY};\n",
    "    if (pinch) { if (pts[pinch.a] && pts[pinch.b]) movePinch(); return; }\n",
    "    if (!drag || e.pointerId !== drag.id) return;\n",
    "    var dx = e.clientX - drag.x, dy = e.clientY - drag.y;\n",
    "    if (!drag.moved && Math.abs(dx) + Math.abs(dy) > 3) {\n",
    "      drag.moved = true;\n",
    "      capture(drag.id);\n",
    "      svg.classList.add('dragging');\n",
    "    }\n",
    "    if (drag.moved) { tx = drag.tx + dx; ty = drag.ty + dy; apply(); }\n",
    "  });\n",
    "  function endDrag(e) {\n",
    "    delete pts[e.pointerId];\n",
    "    if (pinch) {\n",
    "      if (e.pointerId !== pinch.a && e.pointerId !== pinch.b) return;\n",
    "      pinch = null;\n",
    "      /* the finger left on the glass goes on panning from where it is */\n",
    "      var rest = Object.keys(pts);\n",
    "      if (rest.length === 1) {\n",
    "        var p = pts[rest[0]];\n",
    "        drag = {x: p.x, y: p.y, tx: tx, ty: ty, moved: true, id: +rest[0]};\n",
    "        svg.classList.add('dragging');\n",
    "      }\n",
    "      return;\n",
    "    }\n",
    "    if (drag && e.pointerId !== drag.id) return;\n",
    "    if (drag && drag.moved) svg.classList.remove('dragging');\n",
    "    drag = null;\n",
    "  }\n",
    "  svg.addEventListener('pointerup', endDrag);\n",
    "  svg.addEventListener('pointercancel', endDrag);\n",
    "  svg.addEventListener('click', function (e) { if (e.target === svg || "
    "e.target.closest('#view')) hidePopup(); });\n",
    "  document.getElementById('zoom-in').onclick = function () { var s = size(); zoomAt(s.w / 2, "
    "s.h / 2, 1.5); };\n",
    "  document.getElementById('zoom-out').onclick = function () { var s = size(); zoomAt(s.w / 2, "
    "s.h / 2, 1 / 1.5); };\n",
    "  document.getElementById('zoom-fit').onclick = fit;\n",
    "  document.addEventListener('keydown', function (e) { if (e.key === 'Escape') hidePopup(); "
    "});\n",
    "  window.addEventListener('resize', fit);\n",
    "  fit();\n",
    "  /* links: MAP.html#routes=1,3 shows only those routes (as if the others were\n",
    "   * switched off in the legend); #stop=R.N opens the popup of route R's stop N\n",
    "   * (1-based); both may be given, joined by & */\n",
    "  location.hash.slice(1).split('&').forEach(function (part) {\n",
    "    var kv = part.split('='), m;\n",
    "    if (kv[0] === 'routes' && kv.length === 2) {\n",
    "      var keep = kv[1].split(',').map(Number);\n",
    "      boxes.forEach(function (box, i) {\n",
    "        if (keep.indexOf(i + 1) >= 0) return;\n",
    "        box.checked = false;\n",
    "        box.dispatchEvent(new Event('change'));\n",
    "      });\n",
    "    } else if (kv[0] === 'stop' && (m = /^([0-9]+)[.]([0-9]+)$/.exec(kv[1] || ''))) {\n",
    "      var sel = 'g.stop[data-route=\"' + (m[1] - 1) + '\"]';\n",
    "      var st = document.querySelectorAll(sel)[m[2] - 1];\n",
    "      if (st) st.dispatchEvent(new MouseEvent('click', {bubbles: true}));\n",
    "    }\n",
    "  });\n",
    "  document.body.setAttribute('data-ready', '1');\n",
    "})();\n",
    NULL,
};

static void lines(cv_sbuf *b, const char *const *text)
{
    for (; *text; text++) cv_sbuf_printf(b, "%s", *text);
}

cv_status cv__map_page(const char *title, const char *json, char **out)
{
    cv_sbuf b = {0};
    cv_sbuf_printf(&b, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
                       "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\n"
                       "<title>");
    cv__export_html_text(&b, title);
    cv_sbuf_printf(&b, "</title>\n<style>\n");
    lines(&b, page_css);
    cv_sbuf_printf(&b, "</style>\n</head>\n<body>\n"
                       "<div id=\"map\"><svg id=\"svg\" xmlns=\"http://www.w3.org/2000/svg\">"
                       "<g id=\"view\"><g id=\"roads\"></g><g id=\"routes\"></g></g>"
                       "<g id=\"marks\"></g></svg>\n"
                       "<div id=\"controls\"><button id=\"zoom-in\" title=\"zoom in\">+</button>"
                       "<button id=\"zoom-out\" title=\"zoom out\">&minus;</button>"
                       "<button id=\"zoom-fit\" title=\"whole plan\">&#9635;</button></div>\n"
                       "<div id=\"popup\" hidden></div></div>\n<aside><h1>");
    cv__export_html_text(&b, title);
    cv_sbuf_printf(&b,
                   "</h1>\n<p id=\"summary\"></p>\n<ul id=\"legend\"></ul>\n"
                   "<h2 id=\"unassigned-head\" class=\"small\">Unassigned</h2>\n"
                   "<ul id=\"unassigned-list\"></ul>\n<p id=\"roads-note\" class=\"small\"></p>\n"
                   "<p class=\"credit\">Planned by carevan. Map data &copy; OpenStreetMap "
                   "contributors (ODbL).</p></aside>\n"
                   "<script type=\"application/json\" id=\"plan-data\">");
    cv_sbuf_printf(&b, "%s", json);
    cv_sbuf_printf(&b, "</script>\n<script>\n");
    lines(&b, page_js);
    cv_sbuf_printf(&b, "</script>\n</body></html>\n");
    return cv_sbuf_finish(&b, out);
}
