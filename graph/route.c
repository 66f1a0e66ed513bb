/* Routes through several points: one CH query per leg, shortcuts unpacked
 * into original arcs, coordinates of the arcs' OSM nodes between the two
 * snapped positions; per-leg duration and distance.  Output as Google
 * encoded polyline (precision 5, lat before lon as the format wants) or as a
 * GeoJSON Feature with a LineString and the legs in its properties. */
#include "graph_int.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool push_coord(cv_graph_route *r, uint32_t *cap, double lon, double lat)
{
    if (r->ncoords && r->coords[2 * (r->ncoords - 1)] == lon &&
        r->coords[2 * (r->ncoords - 1) + 1] == lat)
        return true;
    if (r->ncoords == *cap) {
        uint32_t nc = *cap ? 2 * *cap : 64;
        double *nd = realloc(r->coords, (size_t)nc * 2 * sizeof *nd);
        if (!nd) return false;
        r->coords = nd, *cap = nc;
    }
    r->coords[2 * r->ncoords] = lon, r->coords[2 * r->ncoords + 1] = lat;
    r->ncoords++;
    return true;
}

void cv_graph_route_fini(cv_graph_route *r)
{
    if (!r) return;
    free(r->legs), free(r->coords);
    memset(r, 0, sizeof *r);
}

cv_status cv_graph_route_compute(const cv_graph *g, int p, const double *lonlat, uint32_t n,
                                 cv_graph_route *out, cv_diag *diag)
{
    if (!g || p < 0 || p >= g->nprof) return cv_diag_set(diag, "profile %d: not in this graph", p);
    if (n < 2) return cv_diag_set(diag, "points: a route needs at least 2 points, got %u", n);
    const cv__prof *pr = &g->prof[p];
    cv__phantom *ph = NULL;
    cv_status st = cv__graph_snap_all(g, p, lonlat, n, "points", &ph, diag);
    if (st) return st;
    cv_graph_route r;
    memset(&r, 0, sizeof r);
    uint32_t cap = 0;
    cv__heap *fw = cv__graph_heap_borrow(pr->pool, pr->h.n),
             *bw = cv__graph_heap_borrow(pr->pool, pr->h.n);
    st = CV_ENOMEM;
    r.legs = cv_calloc(n - 1, sizeof *r.legs);
    if (!r.legs || !fw || !bw) goto done;
    r.nlegs = n - 1;
    uint64_t tot_ds = 0, tot_dm = 0;
    for (uint32_t i = 0; i + 1 < n; i++) {
        cv__path path = {NULL, 0};
        cv__w w = cv__graph_ch_query(pr, fw, bw, &ph[i], &ph[i + 1], &path);
        if (w == CV__WINF) {
            free(path.nodes);
            st = cv_diag_set(diag, "points[%u] -> points[%u]: no %s route", i, i + 1, pr->h.name);
            goto done;
        }
        r.legs[i].first_coord = r.ncoords ? r.ncoords - 1 : 0;
        r.legs[i].duration_s = cv__graph_w_seconds(w);
        r.legs[i].distance_m = cv__graph_w_metres(w);
        tot_ds += CV__W_DS(w), tot_dm += CV__W_DM(w);
        bool ok = push_coord(&r, &cap, ph[i].lon, ph[i].lat);
        for (uint32_t k = 0; ok && k < path.n; k++) {
            uint32_t o = pr->orig[path.nodes[k]];
            ok = push_coord(&r, &cap, cv__graph_lon(g, o), cv__graph_lat(g, o));
        }
        ok = ok && push_coord(&r, &cap, ph[i + 1].lon, ph[i + 1].lat);
        free(path.nodes);
        if (!ok) goto done;
    }
    if (r.ncoords == 1) { /* all points at one place: a LineString still needs two positions */
        double *nd = realloc(r.coords, 4 * sizeof *nd);
        if (!nd) goto done;
        r.coords = nd;
        r.coords[2] = r.coords[0], r.coords[3] = r.coords[1];
        r.ncoords = 2;
    }
    r.duration_s = (uint32_t)((tot_ds + 5) / 10);
    r.distance_m = (uint32_t)((tot_dm + 5) / 10);
    *out = r;
    memset(&r, 0, sizeof r);
    st = CV_OK;
done:
    cv__graph_heap_return(pr->pool, fw);
    cv__graph_heap_return(pr->pool, bw);
    cv_graph_route_fini(&r);
    free(ph);
    return st;
}

/* Appends one value of Google's polyline algorithm; returns chars written. */
static size_t encode_num(char *out, long long v)
{
    unsigned long long u = v < 0 ? ~((unsigned long long)v << 1) : (unsigned long long)v << 1;
    size_t k = 0;
    while (u >= 0x20) {
        out[k++] = (char)((0x20 | (u & 0x1f)) + 63);
        u >>= 5;
    }
    out[k++] = (char)(u + 63);
    return k;
}

cv_status cv_graph_route_polyline_encode(const cv_graph_route *r, char **out)
{
    /* a delta of at most 360e5 needs at most 6 characters; 13 is safe for any int64 */
    size_t cap;
    if (!cv_mul_size((size_t)r->ncoords + 1, 2 * 13, &cap)) return CV_ETOOBIG;
    char *b = malloc(cap + 1);
    if (!b) return CV_ENOMEM;
    size_t n = 0;
    long long plat = 0, plon = 0;
    for (uint32_t i = 0; i < r->ncoords; i++) {
        long long lat = llround(r->coords[2 * i + 1] * 1e5), lon = llround(r->coords[2 * i] * 1e5);
        n += encode_num(b + n, lat - plat);
        n += encode_num(b + n, lon - plon);
        plat = lat, plon = lon;
    }
    b[n] = 0;
    *out = b;
    return CV_OK;
}

cv_status cv_graph_route_geojson(const cv_graph_route *r, char **out)
{
    cv_sbuf b = {0};
    cv_sbuf_printf(&b,
                   "{\"type\":\"Feature\",\"geometry\":{\"type\":\"LineString\",\"coordinates\":[");
    for (uint32_t i = 0; i < r->ncoords; i++)
        cv_sbuf_printf(&b, "%s[%.7f,%.7f]", i ? "," : "", r->coords[2 * i], r->coords[2 * i + 1]);
    cv_sbuf_printf(&b, "]},\"properties\":{\"duration_s\":%u,\"distance_m\":%u,\"legs\":[",
                   r->duration_s, r->distance_m);
    for (uint32_t i = 0; i < r->nlegs; i++)
        cv_sbuf_printf(&b, "%s{\"duration_s\":%u,\"distance_m\":%u}", i ? "," : "",
                       r->legs[i].duration_s, r->legs[i].distance_m);
    cv_sbuf_printf(&b, "],\"attribution\":\"\\u00a9 OpenStreetMap contributors, ODbL 1.0\"}}");
    return cv_sbuf_finish(&b, out);
}

cv_status cv_graph_route_polyline(const cv_graph *g, int profile, const double *lonlat, uint32_t n,
                                  char **polyline, uint32_t *duration_s, uint32_t *distance_m,
                                  cv_diag *diag)
{
    cv_graph_route r;
    cv_status st = cv_graph_route_compute(g, profile, lonlat, n, &r, diag);
    if (st) return st;
    char *pl = NULL;
    st = cv_graph_route_polyline_encode(&r, &pl);
    if (st == CV_OK) {
        *polyline = pl;
        if (duration_s) *duration_s = r.duration_s;
        if (distance_m) *distance_m = r.distance_m;
    }
    cv_graph_route_fini(&r);
    return st;
}
