/* Roads for the HTML map: the graph's segments inside the plan's box, for
 * every profile the vehicles use, each segment once (a street open to cars
 * and e-bikes is in both profiles), chained back into the ways they came
 * from, and thinned by road class when a large area would make the page
 * heavy.  Workload: one call per map; a city centre is about 10^4 segments,
 * a county a few 10^5. */
#include "export_map_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#ifdef CV_GRAPH_AVAILABLE
#include "cv/graph.h"
#endif

void cv__map_roads_init(cv__map_roads *r)
{
    memset(r, 0, sizeof *r);
}

void cv__map_roads_fini(cv__map_roads *r)
{
    free(r->line_class), free(r->line_first), free(r->pts);
    memset(r, 0, sizeof *r);
}

static const char *class_name(int c)
{
#ifdef CV_GRAPH_AVAILABLE
    return cv_graph_road_class_name((cv_graph_road_class)c);
#else
    (void)c;
    return "unknown";
#endif
}

/* Drawing order, minor first (so main roads lie on top); thinning leaves
 * classes out from the front of this list.  Values are cv_graph_road_class:
 * 0 unknown, 1 motorway, 2 primary, 3 secondary, 4 tertiary, 5 local,
 * 6 service, 7 path. */
static const int draw_order[CV__MAP_NCLASS] = {7, 6, 0, 5, 4, 3, 2, 1};
#define CV__MAP_KEEP_FROM 6 /* draw_order[6..]: primary and motorway always stay */

void cv__map_roads_write(const cv__map_roads *r, cv_sbuf *b, double lon0, double lat0, double kx,
                         double ky)
{
    cv_sbuf_printf(b, "{\"classes\":[");
    bool firstc = true;
    for (int oi = 0; oi < CV__MAP_NCLASS; oi++) {
        int c = draw_order[oi];
        if (r->dropped[c] || !r->segments[c]) continue;
        cv_sbuf_printf(b, "%s{\"cls\":\"%s\",\"lines\":[", firstc ? "" : ",", class_name(c));
        firstc = false;
        bool firstl = true;
        for (uint32_t l = 0; l < r->nlines; l++) {
            if (r->line_class[l] != c) continue;
            cv_sbuf_printf(b, "%s[", firstl ? "" : ",");
            firstl = false;
            long px = 0, py = 0;
            for (uint32_t i = r->line_first[l]; i < r->line_first[l + 1]; i++) {
                long x = lround((r->pts[2 * i] - lon0) * kx),
                     y = lround((lat0 - r->pts[2 * i + 1]) * ky);
                if (i == r->line_first[l])
                    cv_sbuf_printf(b, "%ld,%ld", x, y);
                else
                    cv_sbuf_printf(b, ",%ld,%ld", x - px, y - py);
                px = x, py = y;
            }
            cv_sbuf_printf(b, "]");
        }
        cv_sbuf_printf(b, "]}");
    }
    cv_sbuf_printf(b, "],\"omitted\":[");
    bool firsto = true;
    for (int oi = 0; oi < CV__MAP_NCLASS; oi++) {
        int c = draw_order[oi];
        if (!r->omitted[c]) continue;
        cv_sbuf_printf(b, "%s{\"cls\":\"%s\",\"segments\":%u}", firsto ? "" : ",", class_name(c),
                       r->omitted[c]);
        firsto = false;
    }
    cv_sbuf_printf(b, "]}");
}

#ifdef CV_GRAPH_AVAILABLE

/* Open-addressing set of undirected segments (node pairs). */
typedef struct seg_set {
    uint64_t *keys; /* 0 = empty; key = (min+1) << 32 | (max+1) */
    size_t cap, n;
} seg_set;

static bool seg_set_insert(seg_set *s, uint32_t a, uint32_t b, bool *added)
{
    if (2 * (s->n + 1) > s->cap) {
        size_t ncap = s->cap ? 2 * s->cap : 4096;
        uint64_t *nk = cv_calloc(ncap, sizeof *nk);
        if (!nk) return false;
        for (size_t i = 0; i < s->cap; i++) {
            if (!s->keys[i]) continue;
            size_t h = (size_t)(s->keys[i] * 0x9E3779B97F4A7C15ull >> 20) & (ncap - 1);
            while (nk[h]) h = (h + 1) & (ncap - 1);
            nk[h] = s->keys[i];
        }
        free(s->keys);
        s->keys = nk, s->cap = ncap;
    }
    uint32_t lo = a < b ? a : b, hi = a < b ? b : a;
    uint64_t key = ((uint64_t)lo + 1) << 32 | ((uint64_t)hi + 1);
    size_t h = (size_t)(key * 0x9E3779B97F4A7C15ull >> 20) & (s->cap - 1);
    while (s->keys[h]) {
        if (s->keys[h] == key) {
            *added = false;
            return true;
        }
        h = (h + 1) & (s->cap - 1);
    }
    s->keys[h] = key;
    s->n++;
    *added = true;
    return true;
}

typedef struct collect_ctx {
    cv__map_roads *r;
    seg_set set;
    uint32_t last_b; /* end node of the open line, CV_NONE when none */
    int last_class;
    bool failed;
} collect_ctx;

static bool push_point(cv__map_roads *r, double lon, double lat)
{
    if (r->npts == r->cap_pts &&
        !cv_array_grow((void **)&r->pts, &r->cap_pts, r->npts + 1, 2 * sizeof *r->pts))
        return false;
    r->pts[2 * r->npts] = lon, r->pts[2 * r->npts + 1] = lat;
    r->npts++;
    return true;
}

static bool start_line(cv__map_roads *r, int cls)
{
    if (r->nlines + 1 >= r->cap_lines) {
        uint32_t cap = r->cap_lines;
        if (!cv_array_grow((void **)&r->line_class, &cap, r->nlines + 2, sizeof *r->line_class))
            return false;
        cap = r->cap_lines;
        if (!cv_array_grow((void **)&r->line_first, &cap, r->nlines + 2, sizeof *r->line_first))
            return false;
        r->cap_lines = cap;
    }
    r->line_class[r->nlines] = (uint8_t)cls;
    r->line_first[r->nlines] = r->npts;
    r->nlines++;
    r->line_first[r->nlines] = r->npts;
    return true;
}

static int on_edge(void *vctx, const cv_graph_edge *e)
{
    collect_ctx *c = vctx;
    cv__map_roads *r = c->r;
    bool added;
    if (!seg_set_insert(&c->set, e->node_a, e->node_b, &added)) goto oom;
    if (!added) { /* already drawn for another profile: the chain breaks here */
        c->last_b = CV_NONE;
        return 0;
    }
    int cls = (unsigned)e->road_class < CV__MAP_NCLASS ? (int)e->road_class : 0;
    if (c->last_b != e->node_a || c->last_class != cls) {
        if (!start_line(r, cls) || !push_point(r, e->lon_a, e->lat_a)) goto oom;
    }
    if (!push_point(r, e->lon_b, e->lat_b)) goto oom;
    r->line_first[r->nlines] = r->npts;
    r->segments[cls]++;
    c->last_b = e->node_b, c->last_class = cls;
    return 0;
oom:
    c->failed = true;
    return 1;
}

cv_status cv__map_roads_collect(cv__map_roads *r, const struct cv_graph *g, const cv_plan *plan,
                                const cv_problem *p, double min_lon, double min_lat, double max_lon,
                                double max_lat, uint32_t max_points)
{
    (void)plan;
    /* the graph profiles of the problem's vehicles (all of them when none matches) */
    bool use[16] = {false}, any = false;
    int nprof = cv_graph_profile_count(g);
    if (nprof > 16) nprof = 16;
    for (uint32_t v = 0; v < p->nvehicles; v++) {
        const char *name = p->profiles[p->vehicles[v].profile].name;
        int k = name ? cv_graph_profile_find(g, name) : -1;
        if (k >= 0 && k < nprof) use[k] = any = true;
    }
    collect_ctx c = {r, {NULL, 0, 0}, CV_NONE, -1, false};
    cv_status st = CV_OK;
    for (int k = 0; k < nprof && st == CV_OK; k++) {
        if (any && !use[k]) continue;
        c.last_b = CV_NONE;
        st = cv_graph_edges_in_bbox(g, k, min_lon, min_lat, max_lon, max_lat, on_edge, &c);
    }
    free(c.set.keys);
    if (c.failed) return CV_ENOMEM;
    if (st != CV_OK) return st;
    /* thinning: points per class, then leave out minor classes until it fits */
    uint64_t pts[CV__MAP_NCLASS] = {0}, total = 0;
    for (uint32_t l = 0; l < r->nlines; l++) {
        uint32_t n = r->line_first[l + 1] - r->line_first[l];
        pts[r->line_class[l]] += n;
        total += n;
    }
    for (int oi = 0; oi < CV__MAP_KEEP_FROM && total > max_points; oi++) {
        int cls = draw_order[oi];
        if (!r->segments[cls]) continue;
        r->dropped[cls] = true;
        r->omitted[cls] = r->segments[cls];
        total -= pts[cls];
    }
    return CV_OK;
}

#endif
