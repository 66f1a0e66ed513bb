/* Plans for people: GeoJSON for QGIS and web maps, GPX for phone navigation,
 * and a printable HTML route sheet per carer or van.
 *
 * Everything is written from the plan in memory (the numbers the solver
 * computed and the checker verified) and the problem (descriptions,
 * coordinates).  Road geometry comes from routes[].geometry, the encoded
 * polyline that `solve --graph` adds; without it a route is drawn as straight
 * legs between stops, and the GeoJSON says so in its properties. */
#include "cv/engine.h"
#include "export_int.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* HTML/XML text escaping for user strings (descriptions, names): shared
 * with the HTML map (export_int.h). */
void cv__export_html_text(cv_sbuf *b, const char *text)
{
    for (const char *c = text; *c && !b->failed; c++) {
        switch (*c) {
        case '<':
            cv_sbuf_printf(b, "&lt;");
            break;
        case '>':
            cv_sbuf_printf(b, "&gt;");
            break;
        case '&':
            cv_sbuf_printf(b, "&amp;");
            break;
        case '"':
            cv_sbuf_printf(b, "&quot;");
            break;
        case '\'':
            cv_sbuf_printf(b, "&#39;");
            break;
        default:
            cv_sbuf_printf(b, "%c", *c);
        }
    }
}

/* "08:05" for times of day (the usual case in care plans: seconds since
 * midnight); "d2 08:05" beyond the first day. */
void cv__export_clock_text(char *buf, size_t n, int64_t t)
{
    int64_t day = t / 86400, s = t % 86400;
    if (day == 0)
        snprintf(buf, n, "%02lld:%02lld", (long long)(s / 3600), (long long)(s % 3600 / 60));
    else
        snprintf(buf, n, "d%lld %02lld:%02lld", (long long)day + 1, (long long)(s / 3600),
                 (long long)(s % 3600 / 60));
}

/* ---- Google encoded polyline (precision 5) ---- */

cv_status cv_polyline_decode(const char *poly, double **lonlat, uint32_t *n)
{
    size_t len = strlen(poly), cap = len / 2 + 2, cnt = 0;
    double *pts = cv_calloc(2 * cap, sizeof *pts);
    if (!pts) return CV_ENOMEM;
    int64_t lat = 0, lon = 0;
    size_t i = 0;
    while (i < len) {
        int64_t vals[2];
        for (int k = 0; k < 2; k++) {
            uint64_t result = 0;
            int shift = 0, c;
            do {
                if (i >= len || shift > 60) {
                    free(pts);
                    return CV_EFORMAT;
                }
                c = poly[i++] - 63;
                if (c < 0 || c > 63) {
                    free(pts);
                    return CV_EFORMAT;
                }
                result |= (uint64_t)(c & 0x1f) << shift;
                shift += 5;
            } while (c >= 0x20);
            vals[k] = (result & 1) ? ~(int64_t)(result >> 1) : (int64_t)(result >> 1);
        }
        lat += vals[0];
        lon += vals[1];
        if (cnt == cap) {
            free(pts);
            return CV_EFORMAT;
        }
        pts[2 * cnt] = (double)lon / 1e5;
        pts[2 * cnt + 1] = (double)lat / 1e5;
        cnt++;
    }
    *lonlat = pts;
    *n = (uint32_t)cnt;
    return CV_OK;
}

/* ---- shared helpers ---- */

static const char *step_name(const cv_problem *p, const cv_vehicle *v, const cv_plan_step *s,
                             char *buf, size_t n)
{
    switch (s->type) {
    case CV_STEP_START:
        return "start";
    case CV_STEP_END:
        return "end";
    case CV_STEP_BREAK: {
        const cv_break *b = &p->breaks[v->break_first + s->index];
        if (b->description) return b->description;
        snprintf(buf, n, "break %llu", (unsigned long long)b->id);
        return buf;
    }
    default: {
        const cv_task *t = &p->tasks[s->index];
        if (t->description) return t->description;
        snprintf(buf, n, "%s %llu", cv_task_kind_name(t->kind), (unsigned long long)t->id);
        return buf;
    }
    }
}

static bool has_coords(const cv_problem *p, uint32_t loc)
{
    return loc != CV_NONE && loc < p->nlocs && p->locs[loc].has_coords;
}

static const char *vehicle_name(const cv_vehicle *v, char *buf, size_t n)
{
    if (v->description) return v->description;
    snprintf(buf, n, "vehicle %llu", (unsigned long long)v->id);
    return buf;
}

/* ---- GeoJSON ---- */

static void json_str(cv_sbuf *b, const char *s)
{
    json_t *j = json_string(s);
    char *text = j ? json_dumps(j, JSON_ENCODE_ANY) : NULL;
    json_decref(j);
    if (!text) {
        b->failed = true;
        return;
    }
    cv_sbuf_printf(b, "%s", text);
    free(text);
}

cv_status cv_export_geojson(const cv_plan *plan, const cv_problem *p, char **out)
{
    cv_sbuf b = {0};
    char nbuf[64], tbuf[32];
    bool first = true;
    cv_sbuf_printf(&b, "{\"type\":\"FeatureCollection\",\"features\":[");
    for (uint32_t r = 0; r < plan->nroutes; r++) {
        const cv_plan_route *route = &plan->routes[r];
        const cv_vehicle *v = &p->vehicles[route->vehicle];
        /* the route line */
        double *pts = NULL;
        uint32_t npts = 0;
        bool on_roads = route->geometry &&
                        cv_polyline_decode(route->geometry, &pts, &npts) == CV_OK && npts >= 2;
        if (!on_roads) {
            free(pts);
            pts = cv_calloc(2 * (size_t)route->step_count, sizeof *pts);
            if (!pts) {
                free(b.s);
                return CV_ENOMEM;
            }
            npts = 0;
            for (uint32_t k = 0; k < route->step_count; k++) {
                uint32_t loc = plan->steps[route->step_first + k].loc;
                if (!has_coords(p, loc)) continue;
                pts[2 * npts] = p->locs[loc].lon;
                pts[2 * npts + 1] = p->locs[loc].lat;
                npts++;
            }
        }
        if (npts >= 2) {
            cv_sbuf_printf(&b,
                           "%s{\"type\":\"Feature\",\"geometry\":{\"type\":\"LineString\","
                           "\"coordinates\":[",
                           first ? "" : ",");
            first = false;
            for (uint32_t i = 0; i < npts; i++)
                cv_sbuf_printf(&b, "%s[%.6f,%.6f]", i ? "," : "", pts[2 * i], pts[2 * i + 1]);
            cv_sbuf_printf(&b, "]},\"properties\":{\"kind\":\"route\",\"vehicle\":%llu,\"name\":",
                           (unsigned long long)v->id);
            json_str(&b, vehicle_name(v, nbuf, sizeof nbuf));
            cv_sbuf_printf(&b,
                           ",\"stops\":%u,\"duration\":%lld,\"distance\":%lld,\"cost\":%lld,"
                           "\"on_roads\":%s}}",
                           route->step_count, (long long)route->duration,
                           (long long)route->distance, (long long)route->cost,
                           on_roads ? "true" : "false");
        }
        free(pts);
        /* the stops */
        for (uint32_t k = 0; k < route->step_count; k++) {
            const cv_plan_step *s = &plan->steps[route->step_first + k];
            if (!has_coords(p, s->loc)) continue;
            cv_sbuf_printf(&b,
                           "%s{\"type\":\"Feature\",\"geometry\":{\"type\":\"Point\","
                           "\"coordinates\":[%.6f,%.6f]},\"properties\":{\"kind\":\"stop\","
                           "\"vehicle\":%llu,\"order\":%u,\"type\":\"%s\",\"name\":",
                           first ? "" : ",", p->locs[s->loc].lon, p->locs[s->loc].lat,
                           (unsigned long long)v->id, k, cv_step_type_name(s->type));
            first = false;
            json_str(&b, step_name(p, v, s, nbuf, sizeof nbuf));
            cv__export_clock_text(tbuf, sizeof tbuf, s->arrival + s->waiting);
            cv_sbuf_printf(
                &b, ",\"arrival\":%lld,\"start\":%lld,\"start_text\":\"%s\",\"service\":%lld}}",
                (long long)s->arrival, (long long)(s->arrival + s->waiting), tbuf,
                (long long)s->service);
        }
    }
    for (uint32_t i = 0; i < plan->nunassigned; i++) {
        const cv_task *t = &p->tasks[plan->unassigned[i].task];
        if (!has_coords(p, t->loc)) continue;
        cv_sbuf_printf(&b,
                       "%s{\"type\":\"Feature\",\"geometry\":{\"type\":\"Point\",\"coordinates\":"
                       "[%.6f,%.6f]},\"properties\":{\"kind\":\"unassigned\",\"id\":%llu,"
                       "\"reason\":\"%s\",\"name\":",
                       first ? "" : ",", p->locs[t->loc].lon, p->locs[t->loc].lat,
                       (unsigned long long)t->id, cv_reason_key(plan->unassigned[i].reason));
        first = false;
        char buf[64];
        snprintf(buf, sizeof buf, "%s %llu", cv_task_kind_name(t->kind), (unsigned long long)t->id);
        json_str(&b, t->description ? t->description : buf);
        cv_sbuf_printf(&b, "}}");
    }
    cv_sbuf_printf(&b, "]}\n");
    return cv_sbuf_finish(&b, out);
}

/* ---- GPX ---- */

cv_status cv_export_gpx(const cv_plan *plan, const cv_problem *p, uint32_t route_index, char **out)
{
    if (route_index >= plan->nroutes) return CV_EINVAL;
    const cv_plan_route *route = &plan->routes[route_index];
    const cv_vehicle *v = &p->vehicles[route->vehicle];
    cv_sbuf b = {0};
    char nbuf[64], tbuf[32];
    cv_sbuf_printf(&b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                       "<gpx version=\"1.1\" creator=\"carevan\" "
                       "xmlns=\"http://www.topografix.com/GPX/1/1\">\n"
                       "<metadata><name>");
    cv__export_html_text(&b, vehicle_name(v, nbuf, sizeof nbuf));
    cv_sbuf_printf(&b, "</name><copyright author=\"OpenStreetMap contributors\"><license>"
                       "https://opendatacommons.org/licenses/odbl/1-0/</license></copyright>"
                       "</metadata>\n");
    for (uint32_t k = 0; k < route->step_count; k++) {
        const cv_plan_step *s = &plan->steps[route->step_first + k];
        if (!has_coords(p, s->loc) || s->type == CV_STEP_BREAK) continue;
        cv__export_clock_text(tbuf, sizeof tbuf, s->arrival + s->waiting);
        cv_sbuf_printf(&b, "<wpt lat=\"%.6f\" lon=\"%.6f\"><name>%u. ", p->locs[s->loc].lat,
                       p->locs[s->loc].lon, k);
        cv__export_html_text(&b, step_name(p, v, s, nbuf, sizeof nbuf));
        cv_sbuf_printf(&b, "</name><desc>start %s, service %lld min</desc></wpt>\n", tbuf,
                       (long long)(s->service / 60));
    }
    double *pts = NULL;
    uint32_t npts = 0;
    if (route->geometry && cv_polyline_decode(route->geometry, &pts, &npts) == CV_OK && npts >= 2) {
        cv_sbuf_printf(&b, "<trk><name>");
        cv__export_html_text(&b, vehicle_name(v, nbuf, sizeof nbuf));
        cv_sbuf_printf(&b, "</name><trkseg>\n");
        for (uint32_t i = 0; i < npts; i++)
            cv_sbuf_printf(&b, "<trkpt lat=\"%.6f\" lon=\"%.6f\"/>\n", pts[2 * i + 1], pts[2 * i]);
        cv_sbuf_printf(&b, "</trkseg></trk>\n");
    }
    free(pts);
    cv_sbuf_printf(&b, "</gpx>\n");
    return cv_sbuf_finish(&b, out);
}

/* ---- printable HTML route sheet ---- */

cv_status cv_export_sheet_html(const cv_plan *plan, const cv_problem *p, uint32_t route_index,
                               char **out)
{
    if (route_index >= plan->nroutes) return CV_EINVAL;
    const cv_plan_route *route = &plan->routes[route_index];
    const cv_vehicle *v = &p->vehicles[route->vehicle];
    cv_sbuf b = {0};
    char nbuf[64], t1[32], t2[32], t3[32];
    cv_sbuf_printf(&b, "<!DOCTYPE html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\">"
                       "<title>");
    cv__export_html_text(&b, vehicle_name(v, nbuf, sizeof nbuf));
    cv_sbuf_printf(&b, "</title><style>body{font-family:sans-serif;margin:2em}"
                       "table{border-collapse:collapse;width:100%%}"
                       "td,th{border:1px solid #999;padding:4px 8px;text-align:left}"
                       "th{background:#eee}tr.break td{color:#666;font-style:italic}"
                       "@media print{body{margin:0}}</style></head><body>\n<h1>");
    cv__export_html_text(&b, vehicle_name(v, nbuf, sizeof nbuf));
    const cv_plan_step *first = &plan->steps[route->step_first];
    const cv_plan_step *last = &plan->steps[route->step_first + route->step_count - 1];
    cv__export_clock_text(t1, sizeof t1, first->arrival);
    cv__export_clock_text(t2, sizeof t2,
                          last->arrival + last->waiting + last->setup + last->service);
    uint32_t visits = 0;
    for (uint32_t k = 0; k < route->step_count; k++) {
        cv_step_type ty = plan->steps[route->step_first + k].type;
        visits += ty == CV_STEP_JOB || ty == CV_STEP_PICKUP || ty == CV_STEP_DELIVERY;
    }
    cv_sbuf_printf(&b,
                   "</h1>\n<p>%s – %s · %u visit%s · travel %lld min · service %lld min · "
                   "waiting %lld min</p>\n<table><tr><th>#</th><th>arrive</th><th>start</th>"
                   "<th>end</th><th>what</th><th>service</th></tr>\n",
                   t1, t2, visits, visits == 1 ? "" : "s", (long long)(route->duration / 60),
                   (long long)(route->service / 60), (long long)(route->waiting / 60));
    for (uint32_t k = 0; k < route->step_count; k++) {
        const cv_plan_step *s = &plan->steps[route->step_first + k];
        int64_t start = s->arrival + s->waiting;
        cv__export_clock_text(t1, sizeof t1, s->arrival);
        cv__export_clock_text(t2, sizeof t2, start);
        cv__export_clock_text(t3, sizeof t3, start + s->setup + s->service);
        cv_sbuf_printf(&b, "<tr%s><td>%u</td><td>%s</td><td>%s</td><td>%s</td><td>",
                       s->type == CV_STEP_BREAK ? " class=\"break\"" : "", k, t1, t2, t3);
        cv__export_html_text(&b, step_name(p, v, s, nbuf, sizeof nbuf));
        cv_sbuf_printf(&b, "</td><td>%lld min</td></tr>\n", (long long)(s->service / 60));
    }
    cv_sbuf_printf(&b, "</table>\n<p><small>Planned by carevan. Map data © OpenStreetMap "
                       "contributors (ODbL).</small></p>\n</body></html>\n");
    return cv_sbuf_finish(&b, out);
}
