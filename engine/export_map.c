/* The plan as one self-contained HTML map: this file gathers what the page
 * shows (projected to metres, formatted for people) into a JSON object;
 * export_map_page.c wraps it in the HTML, CSS and JavaScript that draw it.
 *
 * Data: every coordinate is projected once here (equirectangular around the
 * plan's middle latitude, whole metres, y downwards as on screen) and each
 * line is written as a start point and integer steps, which keeps a city's
 * roads to a few hundred kB.  Roads come from the graph, for every profile
 * the routed vehicles use, each segment once, chained along their ways.
 *
 * Safety: names and descriptions come from users.  They travel only inside
 * the JSON object, with <, > and & escaped as \u003c.. so that no text can
 * close the <script> element holding it, and the page puts them on screen
 * with textContent, never as markup. */
#include "cv/engine.h"
#include "export_int.h"
#include "export_map_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef CV_GRAPH_AVAILABLE
#include "cv/graph.h"
#endif

void cv_map_config_init(cv_map_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->margin_m = 400;
    cfg->max_road_points = 200000;
    cfg->title = "carevan plan";
}

/* ---- JSON text safe inside <script> ---- */

void cv__map_json_string(cv_sbuf *b, const char *s)
{
    cv_sbuf_printf(b, "\"");
    for (const unsigned char *c = (const unsigned char *)s; *c && !b->failed; c++) {
        if (*c == '"' || *c == '\\')
            cv_sbuf_printf(b, "\\%c", *c);
        else if (*c < 0x20 || *c == '<' || *c == '>' || *c == '&' || *c == 0x7f)
            cv_sbuf_printf(b, "\\u%04x", *c);
        else
            cv_sbuf_printf(b, "%c", *c);
    }
    cv_sbuf_printf(b, "\"");
}

/* ---- projection ---- */

typedef struct proj {
    double lon0, lat0; /* top-left corner (west, north) */
    double kx, ky;     /* metres per degree */
    double w, h;       /* extent in metres */
} proj;

static void project(const proj *pj, double lon, double lat, long *x, long *y)
{
    *x = lround((lon - pj->lon0) * pj->kx);
    *y = lround((pj->lat0 - lat) * pj->ky);
}

typedef struct bbox {
    double min_lon, min_lat, max_lon, max_lat;
    bool any;
} bbox;

static void bbox_add(bbox *bb, double lon, double lat)
{
    if (!isfinite(lon) || !isfinite(lat)) return;
    if (!bb->any) {
        bb->min_lon = bb->max_lon = lon, bb->min_lat = bb->max_lat = lat, bb->any = true;
        return;
    }
    bb->min_lon = fmin(bb->min_lon, lon), bb->max_lon = fmax(bb->max_lon, lon);
    bb->min_lat = fmin(bb->min_lat, lat), bb->max_lat = fmax(bb->max_lat, lat);
}

static bool loc_ok(const cv_problem *p, uint32_t loc)
{
    return loc != CV_NONE && loc < p->nlocs && p->locs[loc].has_coords;
}

/* A route's line: its road geometry when it has one, else straight legs. */
static cv_status route_points(const cv_plan *plan, const cv_problem *p, const cv_plan_route *r,
                              double **pts, uint32_t *n, bool *on_roads)
{
    *pts = NULL, *n = 0;
    *on_roads = r->geometry && cv_polyline_decode(r->geometry, pts, n) == CV_OK && *n >= 2;
    if (*on_roads) return CV_OK;
    free(*pts);
    *n = 0;
    *pts = cv_calloc(2 * (size_t)r->step_count + 2, sizeof **pts);
    if (!*pts) return CV_ENOMEM;
    for (uint32_t k = 0; k < r->step_count; k++) {
        uint32_t loc = plan->steps[r->step_first + k].loc;
        if (!loc_ok(p, loc)) continue;
        (*pts)[2 * *n] = p->locs[loc].lon, (*pts)[2 * *n + 1] = p->locs[loc].lat;
        (*n)++;
    }
    return CV_OK;
}

/* Writes a line as [x0,y0,dx1,dy1,...] (steps of zero length dropped). */
static void write_line(cv_sbuf *b, const proj *pj, const double *pts, uint32_t n)
{
    long px = 0, py = 0;
    bool first = true;
    cv_sbuf_printf(b, "[");
    for (uint32_t i = 0; i < n; i++) {
        long x, y;
        project(pj, pts[2 * i], pts[2 * i + 1], &x, &y);
        if (first)
            cv_sbuf_printf(b, "%ld,%ld", x, y);
        else if (x != px || y != py)
            cv_sbuf_printf(b, ",%ld,%ld", x - px, y - py);
        px = x, py = y, first = false;
    }
    cv_sbuf_printf(b, "]");
}

static const char *const palette[] = {"#1f77b4", "#d62728", "#2ca02c", "#9467bd",
                                      "#ff7f0e", "#17becf", "#8c564b", "#e377c2",
                                      "#393b79", "#bcbd22", "#637939", "#7f7f7f"};

static const char *vehicle_name(const cv_vehicle *v, char *buf, size_t n)
{
    if (v->description) return v->description;
    snprintf(buf, n, "vehicle %llu", (unsigned long long)v->id);
    return buf;
}

static const char *task_name(const cv_task *t, char *buf, size_t n)
{
    if (t->description) return t->description;
    snprintf(buf, n, "%s %llu", cv_task_kind_name(t->kind), (unsigned long long)t->id);
    return buf;
}

/* "1 h 05 min" / "12 min" */
static void minutes_text(char *buf, size_t n, int64_t s)
{
    int64_t m = (s + 30) / 60;
    if (m >= 60)
        snprintf(buf, n, "%lld h %02lld min", (long long)(m / 60), (long long)(m % 60));
    else
        snprintf(buf, n, "%lld min", (long long)m);
}

static void row(cv_sbuf *b, bool *first, const char *label, const char *value)
{
    cv_sbuf_printf(b, "%s[", *first ? "" : ",");
    cv__map_json_string(b, label);
    cv_sbuf_printf(b, ",");
    cv__map_json_string(b, value);
    cv_sbuf_printf(b, "]");
    *first = false;
}

/* The popup rows of a visit. */
static void stop_rows(cv_sbuf *b, const cv_problem *p, const cv_vehicle *v, const cv_plan_step *s,
                      const cv_plan_step *next_break)
{
    const cv_task *t = &p->tasks[s->index];
    char buf[160], t1[32], t2[32], nb[64];
    bool first = true;
    int64_t start = s->arrival + s->waiting;
    cv__export_clock_text(t1, sizeof t1, s->arrival);
    row(b, &first, "arrival", t1);
    if (s->waiting > 0) {
        cv__export_clock_text(t1, sizeof t1, start);
        minutes_text(t2, sizeof t2, s->waiting);
        snprintf(buf, sizeof buf, "%s (waits %s)", t1, t2);
        row(b, &first, "start", buf);
    }
    minutes_text(t1, sizeof t1, s->service);
    if (s->setup > 0) {
        minutes_text(t2, sizeof t2, s->setup);
        snprintf(buf, sizeof buf, "%s (+ %s setup)", t1, t2);
        row(b, &first, "service", buf);
    } else {
        row(b, &first, "service", t1);
    }
    cv__export_clock_text(t1, sizeof t1, start + s->setup + s->service);
    row(b, &first, "leaves", t1);
    minutes_text(t1, sizeof t1, s->duration);
    snprintf(buf, sizeof buf, "%s, %.1f km", t1, (double)s->distance / 1000.0);
    row(b, &first, "travel so far", buf);
    row(b, &first, "by", vehicle_name(v, nb, sizeof nb));
    snprintf(buf, sizeof buf, "%s %llu", cv_task_kind_name(t->kind), (unsigned long long)t->id);
    row(b, &first, "task", buf);
    if (t->tw_count && cv_task_tws(p, t)[0].end < CV_TIME_MAX) {
        cv_sbuf tw = {0};
        for (uint32_t i = 0; i < t->tw_count; i++) {
            const cv_tw *w = &cv_task_tws(p, t)[i];
            cv__export_clock_text(t1, sizeof t1, w->start);
            cv__export_clock_text(t2, sizeof t2, w->end);
            cv_sbuf_printf(&tw, "%s%s-%s", i ? ", " : "", t1, t2);
        }
        char *text = NULL;
        if (cv_sbuf_finish(&tw, &text) == CV_OK) {
            row(b, &first, "time windows", text);
            free(text);
        } else {
            b->failed = true;
        }
    }
    if (next_break) {
        const cv_break *br = &p->breaks[v->break_first + next_break->index];
        cv__export_clock_text(t1, sizeof t1, next_break->arrival + next_break->waiting);
        minutes_text(t2, sizeof t2, next_break->service);
        snprintf(buf, sizeof buf, "%s at %s, %s", br->description ? br->description : "break", t1,
                 t2);
        row(b, &first, "then", buf);
    }
}

/* ---- the data object ---- */

static cv_status write_data(cv_sbuf *b, const cv_plan *plan, const cv_problem *p,
                            const cv_map_config *cfg, const proj *pj, cv_diag *diag)
{
    char nb[64], t1[32], t2[32], buf[160];
    cv_sbuf_printf(b, "{\"title\":");
    cv__map_json_string(b, cfg->title ? cfg->title : "carevan plan");
    cv_sbuf_printf(b, ",\"w\":%ld,\"h\":%ld", lround(pj->w), lround(pj->h));
    /* summary line */
    uint32_t assigned = p->ntasks - plan->nunassigned;
    minutes_text(t1, sizeof t1, plan->duration);
    snprintf(buf, sizeof buf,
             "%u route%s, %u of %u visits planned, %u unassigned; travel %s, %.1f km",
             plan->nroutes, plan->nroutes == 1 ? "" : "s", assigned, p->ntasks, plan->nunassigned,
             t1, (double)plan->distance / 1000.0);
    cv_sbuf_printf(b, ",\"summary\":");
    cv__map_json_string(b, buf);

    /* routes and their stops */
    cv_sbuf_printf(b, ",\"routes\":[");
    for (uint32_t r = 0; r < plan->nroutes; r++) {
        const cv_plan_route *route = &plan->routes[r];
        const cv_vehicle *v = &p->vehicles[route->vehicle];
        if (route->step_count == 0) return cv_diag_set(diag, "routes[%u]: no steps", r);
        double *pts;
        uint32_t npts;
        bool on_roads;
        if (route_points(plan, p, route, &pts, &npts, &on_roads) != CV_OK) return CV_ENOMEM;
        uint32_t visits = 0;
        for (uint32_t k = 0; k < route->step_count; k++) {
            cv_step_type ty = plan->steps[route->step_first + k].type;
            visits += ty == CV_STEP_JOB || ty == CV_STEP_PICKUP || ty == CV_STEP_DELIVERY;
        }
        const cv_plan_step *s0 = &plan->steps[route->step_first];
        const cv_plan_step *sl = &plan->steps[route->step_first + route->step_count - 1];
        cv__export_clock_text(t1, sizeof t1, s0->arrival);
        cv__export_clock_text(t2, sizeof t2, sl->arrival + sl->waiting + sl->setup + sl->service);
        char tr[32];
        minutes_text(tr, sizeof tr, route->duration);
        snprintf(buf, sizeof buf, "%u visit%s, %s-%s, travel %s, %.1f km%s", visits,
                 visits == 1 ? "" : "s", t1, t2, tr, (double)route->distance / 1000.0,
                 on_roads ? "" : " (straight lines)");
        cv_sbuf_printf(b, "%s{\"name\":", r ? "," : "");
        cv__map_json_string(b, vehicle_name(v, nb, sizeof nb));
        cv_sbuf_printf(b, ",\"color\":\"%s\",\"on_roads\":%s,\"info\":",
                       palette[r % (sizeof palette / sizeof palette[0])],
                       on_roads ? "true" : "false");
        cv__map_json_string(b, buf);
        cv_sbuf_printf(b, ",\"line\":");
        write_line(b, pj, pts, npts);
        free(pts);
        cv_sbuf_printf(b, ",\"stops\":[");
        uint32_t n = 0;
        for (uint32_t k = 0; k < route->step_count; k++) {
            const cv_plan_step *s = &plan->steps[route->step_first + k];
            if (s->type != CV_STEP_JOB && s->type != CV_STEP_PICKUP && s->type != CV_STEP_DELIVERY)
                continue;
            if (!loc_ok(p, s->loc)) continue;
            /* a break right after the visit is told in its popup */
            const cv_plan_step *br = NULL;
            if (k + 1 < route->step_count && s[1].type == CV_STEP_BREAK) br = &s[1];
            long x, y;
            project(pj, p->locs[s->loc].lon, p->locs[s->loc].lat, &x, &y);
            cv_sbuf_printf(b, "%s{\"n\":%u,\"x\":%ld,\"y\":%ld,\"title\":", n ? "," : "", n + 1, x,
                           y);
            cv__map_json_string(b, task_name(&p->tasks[s->index], nb, sizeof nb));
            cv_sbuf_printf(b, ",\"rows\":[");
            stop_rows(b, p, v, s, br);
            cv_sbuf_printf(b, "]}");
            n++;
        }
        cv_sbuf_printf(b, "]}");
    }
    cv_sbuf_printf(b, "]");

    /* depots: each distinct start/end place once, with who starts or ends there */
    cv_sbuf_printf(b, ",\"depots\":[");
    uint32_t *seen = cv_calloc(2 * (size_t)plan->nroutes + 1, sizeof *seen);
    if (!seen) return CV_ENOMEM;
    uint32_t nseen = 0;
    for (uint32_t r = 0; r < plan->nroutes; r++) {
        const cv_vehicle *v = &p->vehicles[plan->routes[r].vehicle];
        uint32_t ends[2] = {v->start_loc, v->end_loc};
        for (int e = 0; e < 2; e++) {
            uint32_t loc = ends[e];
            if (!loc_ok(p, loc)) continue;
            bool dup = false;
            for (uint32_t i = 0; i < nseen && !dup; i++)
                dup = p->locs[seen[i]].lon == p->locs[loc].lon &&
                      p->locs[seen[i]].lat == p->locs[loc].lat;
            if (dup) continue;
            seen[nseen++] = loc;
        }
    }
    for (uint32_t i = 0; i < nseen; i++) {
        const cv_location *L = &p->locs[seen[i]];
        long x, y;
        project(pj, L->lon, L->lat, &x, &y);
        cv_sbuf_printf(b, "%s{\"x\":%ld,\"y\":%ld,\"title\":\"depot\",\"rows\":[", i ? "," : "", x,
                       y);
        bool first = true;
        for (uint32_t r = 0; r < plan->nroutes; r++) {
            const cv_vehicle *v = &p->vehicles[plan->routes[r].vehicle];
            bool starts = loc_ok(p, v->start_loc) && p->locs[v->start_loc].lon == L->lon &&
                          p->locs[v->start_loc].lat == L->lat;
            bool ends = loc_ok(p, v->end_loc) && p->locs[v->end_loc].lon == L->lon &&
                        p->locs[v->end_loc].lat == L->lat;
            if (!starts && !ends) continue;
            const cv_plan_route *route = &plan->routes[r];
            const cv_plan_step *sl = &plan->steps[route->step_first + route->step_count - 1];
            cv__export_clock_text(t1, sizeof t1, plan->steps[route->step_first].arrival);
            cv__export_clock_text(t2, sizeof t2, sl->arrival);
            snprintf(buf, sizeof buf, "%s%s%s%s%s", starts ? "leaves " : "", starts ? t1 : "",
                     starts && ends ? ", " : "", ends ? "back " : "", ends ? t2 : "");
            row(b, &first, vehicle_name(v, nb, sizeof nb), buf);
        }
        cv_sbuf_printf(b, "]}");
    }
    free(seen);
    cv_sbuf_printf(b, "]");

    /* unassigned visits with their reason */
    cv_sbuf_printf(b, ",\"unassigned\":[");
    bool firstu = true;
    uint32_t nowhere = 0;
    for (uint32_t i = 0; i < plan->nunassigned; i++) {
        const cv_task *t = &p->tasks[plan->unassigned[i].task];
        if (!loc_ok(p, t->loc)) {
            nowhere++;
            continue;
        }
        long x, y;
        project(pj, p->locs[t->loc].lon, p->locs[t->loc].lat, &x, &y);
        cv_sbuf_printf(b, "%s{\"x\":%ld,\"y\":%ld,\"reason\":\"%s\",\"title\":", firstu ? "" : ",",
                       x, y, cv_reason_key(plan->unassigned[i].reason));
        cv__map_json_string(b, task_name(t, nb, sizeof nb));
        cv_sbuf_printf(b, ",\"rows\":[");
        bool first = true;
        row(b, &first, "why", cv_reason_message(plan->unassigned[i].reason));
        snprintf(buf, sizeof buf, "%s %llu", cv_task_kind_name(t->kind), (unsigned long long)t->id);
        row(b, &first, "task", buf);
        minutes_text(t1, sizeof t1, t->service);
        row(b, &first, "service", t1);
        cv_sbuf_printf(b, "]}");
        firstu = false;
    }
    cv_sbuf_printf(b, "],\"unassigned_elsewhere\":%u", nowhere);
    return CV_OK;
}

/* The plan's extent: stops, depots, unassigned visits and route geometry. */
static cv_status plan_bbox(const cv_plan *plan, const cv_problem *p, bbox *bb)
{
    memset(bb, 0, sizeof *bb);
    for (uint32_t r = 0; r < plan->nroutes; r++) {
        const cv_plan_route *route = &plan->routes[r];
        const cv_vehicle *v = &p->vehicles[route->vehicle];
        if (loc_ok(p, v->start_loc))
            bbox_add(bb, p->locs[v->start_loc].lon, p->locs[v->start_loc].lat);
        if (loc_ok(p, v->end_loc)) bbox_add(bb, p->locs[v->end_loc].lon, p->locs[v->end_loc].lat);
        double *pts;
        uint32_t n;
        bool on_roads;
        if (route_points(plan, p, route, &pts, &n, &on_roads) != CV_OK) return CV_ENOMEM;
        for (uint32_t i = 0; i < n; i++) bbox_add(bb, pts[2 * i], pts[2 * i + 1]);
        free(pts);
    }
    for (uint32_t i = 0; i < plan->nunassigned; i++) {
        uint32_t loc = p->tasks[plan->unassigned[i].task].loc;
        if (loc_ok(p, loc)) bbox_add(bb, p->locs[loc].lon, p->locs[loc].lat);
    }
    return CV_OK;
}

cv_status cv_export_map_html(const cv_plan *plan, const cv_problem *p, const cv_map_config *cfg,
                             char **out, cv_diag *diag)
{
    cv_map_config defaults;
    if (!cfg) {
        cv_map_config_init(&defaults);
        cfg = &defaults;
    }
    if (!(cfg->margin_m >= 0) || cfg->margin_m > 1e6)
        return cv_diag_set(diag, "map margin %g m: expected 0 to 1000000", cfg->margin_m);
    bbox bb;
    if (plan_bbox(plan, p, &bb) != CV_OK) return CV_ENOMEM;
    if (!bb.any)
        return cv_diag_set(diag, "nothing to draw: the plan's places have no coordinates "
                                 "(\"location\": [lon, lat]); a map needs them");
    if (bb.min_lat < -85 || bb.max_lat > 85 || bb.min_lon < -180 || bb.max_lon > 180)
        return cv_diag_set(diag,
                           "coordinates beyond lon -180..180, lat -85..85 (lon %g..%g, lat "
                           "%g..%g): are longitude and latitude swapped?",
                           bb.min_lon, bb.max_lon, bb.min_lat, bb.max_lat);
    /* margin in degrees, at least ~100 m so a one-place plan still has an area */
    double latc = (bb.min_lat + bb.max_lat) / 2, m = fmax(cfg->margin_m, 100);
    proj pj;
    pj.ky = 110574.0;
    pj.kx = 111320.0 * cos(latc * 3.14159265358979323846 / 180);
    double mlon = m / pj.kx, mlat = m / pj.ky;
    bb.min_lon -= mlon, bb.max_lon += mlon, bb.min_lat -= mlat, bb.max_lat += mlat;
    pj.lon0 = bb.min_lon, pj.lat0 = bb.max_lat;
    pj.w = (bb.max_lon - bb.min_lon) * pj.kx, pj.h = (bb.max_lat - bb.min_lat) * pj.ky;

    cv_sbuf data = {0};
    cv_status st = write_data(&data, plan, p, cfg, &pj, diag);
    if (st == CV_OK) {
        cv__map_roads roads;
        cv__map_roads_init(&roads);
#ifdef CV_GRAPH_AVAILABLE
        if (cfg->graph)
            st = cv__map_roads_collect(&roads, cfg->graph, plan, p, bb.min_lon, bb.min_lat,
                                       bb.max_lon, bb.max_lat, cfg->max_road_points);
#endif
        if (st == CV_OK) {
            cv_sbuf_printf(&data, ",\"roads\":");
            cv__map_roads_write(&roads, &data, pj.lon0, pj.lat0, pj.kx, pj.ky);
        }
        cv__map_roads_fini(&roads);
        cv_sbuf_printf(&data, "}");
    }
    char *json = NULL;
    if (st != CV_OK) {
        free(data.s);
        return st;
    }
    if (cv_sbuf_finish(&data, &json) != CV_OK) return CV_ENOMEM;
    st = cv__map_page(cfg->title ? cfg->title : "carevan plan", json, out);
    free(json);
    return st;
}
