/* Import: OSM file -> per-profile routing graphs -> contraction -> .cvg file.
 *
 * 1. One streaming read (osm/osm_reader.cpp) keeps every node's location, the
 *    ways some profile may use (tags evaluated here by profile.c) and the
 *    turn-restriction relations.
 * 2. Way refs are resolved to nodes; refs missing from the extract are
 *    skipped (segments touching them dropped) and counted.
 * 3. Per profile, in parallel threads: segments between consecutive way
 *    nodes, arcs by direction, turn restrictions, the largest strongly
 *    connected component, contraction, renumbering by rank, snapping grid.
 *
 * Turn restrictions (car, van) by splitting restricted via-nodes: for a via
 * node v and every incoming arc u->v that is the "from" of some no_* or only_*
 * restriction, v gets a copy c(u,v); the arc u->v leads to c(u,v), whose
 * outgoing arcs are v's minus the forbidden turns (no_*: the to-way's arc;
 * only_*: all but the to-way's arc).  All other arcs into v keep the
 * original v, which keeps all exits.  The state "which arc did I come in on"
 * is thus exact wherever a restriction depends on it and absent elsewhere,
 * so shortest paths in the split graph are exactly the shortest legal paths;
 * the hierarchy and every query then run on a plain node graph.  Restrictions
 * whose via is a way, or whose from/to way does not start or end at the via
 * node, are skipped and counted. */
#define _POSIX_C_SOURCE 200809L
#include "graph_int.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- growable arrays ---- */
#define VEC_PUSH(arr, n, cap, val)                                                                 \
    do {                                                                                           \
        if ((n) == (cap)) {                                                                        \
            size_t nc_ = (cap) ? 2 * (cap) : 1024;                                                 \
            void *np_ = realloc((arr), nc_ * sizeof *(arr));                                       \
            if (!np_) return CV_ENOMEM;                                                            \
            (arr) = np_;                                                                           \
            (cap) = nc_;                                                                           \
        }                                                                                          \
        (arr)[(n)++] = (val);                                                                      \
    } while (0)

typedef struct node_rec {
    int64_t id;
    int32_t lon, lat;
} node_rec;

typedef struct way_rec {
    int64_t id;
    uint64_t ref_off;
    uint32_t nrefs;
    uint8_t mask;       /* profiles that may use the way */
    uint8_t road_class; /* cv_graph_road_class of its highway tag */
    cv__way_rule rule[CV__NPROF];
} way_rec;

typedef struct barrier_rec {
    int64_t id;
    uint8_t mask; /* profiles the barrier stops */
} barrier_rec;

typedef struct restr_rec {
    int64_t from_way, via_node, to_way;
    uint8_t kind[CV__NPROF];
} restr_rec;

typedef struct reader {
    unsigned pmask;
    node_rec *nodes;
    size_t nnodes, capnodes;
    bool sorted;
    way_rec *ways;
    size_t nways, capways;
    int64_t *refs;
    size_t nrefs, caprefs;
    restr_rec *restr;
    size_t nrestr, caprestr;
    barrier_rec *barriers;
    size_t nbarriers, capbarriers;
    uint64_t osm_ways, via_way_restrictions;
    bool progress;
    double last_draw;
} reader;

static void draw_bar(const char *what, double f)
{
    int w = 30, k = (int)(f * w + 0.5);
    if (k > w) k = w;
    fprintf(stderr, "\r%-32s [%.*s%*s] %3d%%", what, k, "##############################", w - k, "",
            (int)(f * 100 + 0.5));
    fflush(stderr);
}

static void on_progress(void *ctx, double f, uint64_t nodes, uint64_t ways)
{
    reader *r = ctx;
    if (!r->progress) return;
    double now = cv_clock_now();
    if (now - r->last_draw < 0.1) return;
    r->last_draw = now;
    char label[64];
    snprintf(label, sizeof label, "reading %lluk nodes %lluk ways",
             (unsigned long long)nodes / 1000, (unsigned long long)ways / 1000);
    draw_bar(label, f);
}

static int on_node(void *ctx, int64_t id, int32_t lon, int32_t lat, const cv_osm_tag *tags,
                   size_t ntags)
{
    reader *r = ctx;
    if (r->nnodes && r->nodes[r->nnodes - 1].id >= id) r->sorted = false;
    node_rec nr = {id, lon, lat};
    VEC_PUSH(r->nodes, r->nnodes, r->capnodes, nr);
    if (ntags && cv__graph_tag(tags, ntags, "barrier")) {
        barrier_rec b = {id, 0};
        for (int p = 0; p < CV__NPROF; p++)
            if ((r->pmask >> p & 1) && cv__graph_profile_barrier(p, tags, ntags))
                b.mask |= (uint8_t)(1u << p);
        if (b.mask) VEC_PUSH(r->barriers, r->nbarriers, r->capbarriers, b);
    }
    return 0;
}

static int on_way(void *ctx, int64_t id, const int64_t *refs, size_t nrefs, const cv_osm_tag *tags,
                  size_t ntags)
{
    reader *r = ctx;
    r->osm_ways++;
    if (nrefs < 2 || nrefs > UINT32_MAX || !cv__graph_tag(tags, ntags, "highway")) return 0;
    way_rec w;
    memset(&w, 0, sizeof w);
    for (int p = 0; p < CV__NPROF; p++)
        if ((r->pmask >> p & 1) && cv__graph_profile_way(p, tags, ntags, &w.rule[p]))
            w.mask |= 1u << p;
    if (!w.mask) return 0;
    w.id = id;
    w.road_class = cv__graph_road_class(cv__graph_tag(tags, ntags, "highway"));
    w.ref_off = r->nrefs;
    w.nrefs = (uint32_t)nrefs;
    for (size_t i = 0; i < nrefs; i++) VEC_PUSH(r->refs, r->nrefs, r->caprefs, refs[i]);
    VEC_PUSH(r->ways, r->nways, r->capways, w);
    return 0;
}

static int on_relation(void *ctx, int64_t id, const cv_osm_member *m, size_t nm,
                       const cv_osm_tag *tags, size_t ntags)
{
    reader *r = ctx;
    (void)id;
    restr_rec rr;
    memset(&rr, 0, sizeof rr);
    bool any = false;
    for (int p = 0; p < CV__NPROF; p++)
        if (r->pmask >> p & 1) {
            rr.kind[p] = (uint8_t)cv__graph_profile_restriction(p, tags, ntags);
            any |= rr.kind[p] != 0;
        }
    if (!any) return 0;
    int nfrom = 0, nto = 0, nvia = 0;
    bool via_way = false;
    for (size_t i = 0; i < nm; i++) {
        if (!strcmp(m[i].role, "from") && m[i].type == 'w')
            rr.from_way = m[i].ref, nfrom++;
        else if (!strcmp(m[i].role, "to") && m[i].type == 'w')
            rr.to_way = m[i].ref, nto++;
        else if (!strcmp(m[i].role, "via")) {
            if (m[i].type == 'n')
                rr.via_node = m[i].ref, nvia++;
            else
                via_way = true;
        }
    }
    if (via_way || nfrom != 1 || nto != 1 || nvia != 1) {
        r->via_way_restrictions++; /* counted as skipped for every profile */
        return 0;
    }
    VEC_PUSH(r->restr, r->nrestr, r->caprestr, rr);
    return 0;
}

static void reader_fini(reader *r)
{
    free(r->nodes);
    free(r->ways);
    free(r->refs);
    free(r->restr);
    free(r->barriers);
}

static int cmp_node(const void *a, const void *b)
{
    int64_t x = ((const node_rec *)a)->id, y = ((const node_rec *)b)->id;
    return x < y ? -1 : x > y;
}

typedef struct way_key {
    int64_t id;
    uint32_t idx;
} way_key;

static int cmp_way_key(const void *a, const void *b)
{
    int64_t x = ((const way_key *)a)->id, y = ((const way_key *)b)->id;
    return x < y ? -1 : x > y;
}

static uint32_t find_node(const node_rec *nodes, size_t n, int64_t id)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (nodes[mid].id < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return (lo < n && nodes[lo].id == id) ? (uint32_t)lo : CV__NONE;
}

/* ---- shared, read-only input of the per-profile builds ---- */
typedef struct import_ctx {
    const reader *rd;
    uint32_t nglobal;
    const int32_t *coords;     /* [2*nglobal] */
    const uint32_t *ref_g;     /* [nrefs] global node of each ref, CV__NONE if missing */
    const uint32_t *way_by_id; /* way indices sorted by OSM id */
    const uint32_t *node_g;    /* [rd->nnodes] global id of each read node or CV__NONE */
    const uint8_t *gblock;     /* [nglobal] profiles stopped by a barrier at the node */
    bool progress;
    pthread_mutex_t *bar_lock;
} import_ctx;

static uint32_t find_way(const import_ctx *ic, int64_t id)
{
    size_t lo = 0, hi = ic->rd->nways;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (ic->rd->ways[ic->way_by_id[mid]].id < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return (lo < ic->rd->nways && ic->rd->ways[ic->way_by_id[lo]].id == id) ? ic->way_by_id[lo]
                                                                            : CV__NONE;
}

/* Neighbours of via at the ends of way w (via must be an end node). */
static int end_neighbours(const import_ctx *ic, const way_rec *w, uint32_t via, uint32_t nb[2])
{
    const uint32_t *g = ic->ref_g + w->ref_off;
    int k = 0;
    if (g[0] == via && g[1] != CV__NONE) nb[k++] = g[1];
    if (g[w->nrefs - 1] == via && g[w->nrefs - 2] != CV__NONE) nb[k++] = g[w->nrefs - 2];
    return k;
}

typedef struct turn {
    uint32_t via, from, to;
    uint8_t kind;
} turn;

static int cmp_turn(const void *a, const void *b)
{
    const turn *x = a, *y = b;
    if (x->via != y->via) return x->via < y->via ? -1 : 1;
    if (x->from != y->from) return x->from < y->from ? -1 : 1;
    if (x->to != y->to) return x->to < y->to ? -1 : 1;
    return (int)x->kind - (int)y->kind;
}

typedef struct seg_tmp {
    uint32_t a, b;
    cv__w w;
    bool fwd, bwd;
    uint8_t road_class;
} seg_tmp;

static int cmp_edge3_tail(const void *a, const void *b)
{
    const cv__edge3 *x = a, *y = b;
    if (x->tail != y->tail) return x->tail < y->tail ? -1 : 1;
    if (x->head != y->head) return x->head < y->head ? -1 : 1;
    return x->w < y->w ? -1 : x->w > y->w;
}

/* Iterative Tarjan; comp[v] = component id; returns the id of the largest
 * component among nodes that have at least one arc. */
static cv_status largest_scc(uint32_t n, const uint32_t *first, const cv__edge3 *arcs,
                             uint32_t **comp_out, uint32_t *best_out)
{
    uint32_t *index = malloc((size_t)n * sizeof *index), *low = malloc((size_t)n * sizeof *low);
    uint32_t *stack = malloc((size_t)n * sizeof *stack), *cs = malloc((size_t)n * sizeof *cs);
    uint32_t *it = malloc((size_t)n * sizeof *it), *comp = malloc((size_t)n * sizeof *comp);
    uint8_t *on = calloc(n ? n : 1, 1);
    uint32_t *size = NULL;
    size_t nsize = 0, capsize = 0;
    if (!index || !low || !stack || !cs || !it || !comp || !on) goto nomem;
    for (uint32_t v = 0; v < n; v++) index[v] = CV__NONE, comp[v] = CV__NONE;
    uint32_t counter = 0, sp = 0, best = CV__NONE, bestsize = 0;
    for (uint32_t root = 0; root < n; root++) {
        if (index[root] != CV__NONE || first[root] == first[root + 1]) continue;
        uint32_t csp = 0;
        cs[csp++] = root;
        index[root] = low[root] = counter++;
        it[root] = first[root];
        stack[sp++] = root;
        on[root] = 1;
        while (csp) {
            uint32_t v = cs[csp - 1];
            if (it[v] < first[v + 1]) {
                uint32_t w = arcs[it[v]++].head;
                if (index[w] == CV__NONE) {
                    index[w] = low[w] = counter++;
                    it[w] = first[w];
                    stack[sp++] = w;
                    on[w] = 1;
                    cs[csp++] = w;
                } else if (on[w] && index[w] < low[v]) {
                    low[v] = index[w];
                }
                continue;
            }
            csp--;
            if (csp && low[v] < low[cs[csp - 1]]) low[cs[csp - 1]] = low[v];
            if (low[v] == index[v]) {
                uint32_t id = (uint32_t)nsize, cnt = 0, w;
                do {
                    w = stack[--sp];
                    on[w] = 0;
                    comp[w] = id;
                    cnt++;
                } while (w != v);
                if (nsize == capsize) {
                    capsize = capsize ? 2 * capsize : 256;
                    uint32_t *ns = realloc(size, capsize * sizeof *ns);
                    if (!ns) goto nomem;
                    size = ns;
                }
                size[nsize++] = cnt;
                if (cnt > bestsize) bestsize = cnt, best = id;
            }
        }
    }
    free(index), free(low), free(stack), free(cs), free(it), free(on), free(size);
    *comp_out = comp;
    *best_out = best;
    return CV_OK;
nomem:
    free(index), free(low), free(stack), free(cs), free(it), free(comp), free(on), free(size);
    return CV_ENOMEM;
}

/* Owned allocation registered with the built profile (freed by cv__built_fini). */
static void *own(cv__built_prof *bp, size_t n, size_t size)
{
    if (bp->nmem >= (int)(sizeof bp->mem / sizeof bp->mem[0])) return NULL;
    void *p = cv_calloc(n ? n : 1, size);
    if (p) bp->mem[bp->nmem++] = p;
    return p;
}

typedef struct prof_job {
    const import_ctx *ic;
    int p;
    cv__built_prof *out;
    cv_status st;
    uint64_t restr_applied, restr_skipped, dropped, ways;
} prof_job;

static void ch_progress(void *ctx, const char *what, double f)
{
    prof_job *j = ctx;
    if (!j->ic->progress) return;
    pthread_mutex_lock(j->ic->bar_lock);
    char label[40];
    snprintf(label, sizeof label, "%s: %s", cv__graph_profile_name(j->p), what);
    draw_bar(label, f);
    pthread_mutex_unlock(j->ic->bar_lock);
}

/* Builds the grid over the segments that have a usable direction. */
static cv_status build_grid(const import_ctx *ic, cv__built_prof *bp, cv__prof_hdr *h,
                            const cv__seg *segs)
{
    double minlon = 1e9, minlat = 1e9, maxlon = -1e9, maxlat = -1e9;
    for (uint32_t i = 0; i < h->nseg; i++) {
        uint32_t e[2] = {segs[i].a, segs[i].b};
        for (int k = 0; k < 2; k++) {
            double lon = ic->coords[2 * (size_t)e[k]] * 1e-7,
                   lat = ic->coords[2 * (size_t)e[k] + 1] * 1e-7;
            minlon = fmin(minlon, lon), maxlon = fmax(maxlon, lon);
            minlat = fmin(minlat, lat), maxlat = fmax(maxlat, lat);
        }
    }
    if (h->nseg == 0) minlon = minlat = 0, maxlon = maxlat = 1e-3;
    double area = (maxlon - minlon + 1e-6) * (maxlat - minlat + 1e-6);
    /* Cells of about 100 m, the scale of a city block: extracts are mostly
     * empty land around dense streets, so an area-based size would crowd the
     * towns into few cells.  Larger only when that would exceed 4M cells. */
    double cell = sqrt(area / (h->nseg / 2.0 + 1));
    if (cell > 0.001) cell = 0.001;
    if (cell < 0.0005) cell = 0.0005; /* about 50 m */
    uint32_t nx, ny;
    for (;;) {
        nx = (uint32_t)((maxlon - minlon) / cell) + 1;
        ny = (uint32_t)((maxlat - minlat) / cell) + 1;
        if ((uint64_t)nx * ny <= (1u << 22)) break;
        cell *= 1.5;
    }
    h->grid_lon0 = minlon, h->grid_lat0 = minlat, h->grid_cell_deg = cell;
    h->grid_nx = nx, h->grid_ny = ny;
    size_t ncell = (size_t)nx * ny;
    uint32_t *first = own(bp, ncell + 1, sizeof *first);
    if (!first) return CV_ENOMEM;
    /* two passes: count, then fill */
    for (int pass = 0; pass < 2; pass++) {
        uint32_t *fill = NULL;
        if (pass == 1) {
            for (size_t c = 0; c < ncell; c++) first[c + 1] += first[c];
            h->ngrid = first[ncell];
            fill = malloc((ncell + 1) * sizeof *fill);
            uint32_t *cells = own(bp, h->ngrid, sizeof *cells);
            if (!fill || !cells) return free(fill), CV_ENOMEM;
            memcpy(fill, first, (ncell + 1) * sizeof *fill);
            bp->view.cell_segs = cells;
        }
        for (uint32_t i = 0; i < h->nseg; i++) {
            double lo1 = ic->coords[2 * (size_t)segs[i].a] * 1e-7,
                   la1 = ic->coords[2 * (size_t)segs[i].a + 1] * 1e-7;
            double lo2 = ic->coords[2 * (size_t)segs[i].b] * 1e-7,
                   la2 = ic->coords[2 * (size_t)segs[i].b + 1] * 1e-7;
            uint32_t x0 = (uint32_t)((fmin(lo1, lo2) - minlon) / cell),
                     x1 = (uint32_t)((fmax(lo1, lo2) - minlon) / cell);
            uint32_t y0 = (uint32_t)((fmin(la1, la2) - minlat) / cell),
                     y1 = (uint32_t)((fmax(la1, la2) - minlat) / cell);
            if (x1 >= nx) x1 = nx - 1;
            if (y1 >= ny) y1 = ny - 1;
            for (uint32_t y = y0; y <= y1; y++)
                for (uint32_t x = x0; x <= x1; x++) {
                    size_t c = (size_t)y * nx + x;
                    if (pass == 0)
                        first[c + 1]++;
                    else
                        ((uint32_t *)bp->view.cell_segs)[fill[c]++] = i;
                }
        }
        free(fill);
    }
    bp->view.cell_first = first;
    return CV_OK;
}

/* Is the turn from->via->to allowed for a copy c(from,via)?  turns[lo,hi) are
 * the restrictions of (via, from), sorted by `to`. */
static bool turn_allowed(const turn *t, size_t lo, size_t hi, uint32_t to)
{
    bool has_only = false, in_only = false;
    for (size_t i = lo; i < hi; i++) {
        if (t[i].kind == CV__RESTR_NO && t[i].to == to) return false;
        if (t[i].kind == CV__RESTR_ONLY) {
            has_only = true;
            if (t[i].to == to) in_only = true;
        }
    }
    return !has_only || in_only;
}

static bool has_arc(const uint32_t *first, const cv__edge3 *arcs, uint32_t a, uint32_t b)
{
    for (uint32_t i = first[a]; i < first[a + 1]; i++)
        if (arcs[i].head == b) return true;
    return false;
}

/* Sorts edges by key node into CSR (first[n+1], out[m]) of cv__arc or chedge. */
static cv_status csr_counts(uint32_t n, uint64_t m, const uint32_t *key, uint32_t *first)
{
    memset(first, 0, ((size_t)n + 1) * sizeof *first);
    for (uint64_t i = 0; i < m; i++) first[key[i] + 1]++;
    for (uint32_t v = 0; v < n; v++) first[v + 1] += first[v];
    return CV_OK;
}

static cv_status build_profile(prof_job *job)
{
    const import_ctx *ic = job->ic;
    const reader *rd = ic->rd;
    const int p = job->p;
    const uint32_t N = ic->nglobal;
    cv__built_prof *bp = job->out;
    cv__prof_hdr *h = &bp->view.h;
    snprintf(h->name, sizeof h->name, "%s", cv__graph_profile_name(p));
    cv_status st = CV_ENOMEM;

    seg_tmp *segs = NULL;
    size_t nsegs = 0, capsegs = 0;
    cv__edge3 *base = NULL, *arcs = NULL, *karcs = NULL;
    uint32_t *base_first = NULL, *copy_of = NULL, *comp = NULL, *newid = NULL, *arc_first = NULL;
    turn *turns = NULL;
    size_t nturns = 0, *pair_lo = NULL; /* pair_lo: first turn of each (via, from) pair */
    cv__ch_out ch;
    memset(&ch, 0, sizeof ch);

    /* 1. segments */
    for (size_t wi = 0; wi < rd->nways; wi++) {
        const way_rec *w = &rd->ways[wi];
        if (!(w->mask >> p & 1)) continue;
        job->ways++;
        const cv__way_rule *r = &w->rule[p];
        const uint32_t *g = ic->ref_g + w->ref_off;
        for (uint32_t k = 0; k + 1 < w->nrefs; k++) {
            uint32_t a = g[k], b = g[k + 1];
            if (a == CV__NONE || b == CV__NONE || a == b) continue;
            double m = cv__graph_haversine_m(
                ic->coords[2 * (size_t)a] * 1e-7, ic->coords[2 * (size_t)a + 1] * 1e-7,
                ic->coords[2 * (size_t)b] * 1e-7, ic->coords[2 * (size_t)b + 1] * 1e-7);
            double ds = round(m * 36.0 / r->speed_kmh);
            if (ds < 1) ds = 1;
            seg_tmp s = {a,      b,      CV__W((uint32_t)ds, (uint32_t)round(m * 10)),
                         r->fwd, r->bwd, w->road_class};
            if (nsegs == capsegs) {
                capsegs = capsegs ? 2 * capsegs : 4096;
                seg_tmp *ns = realloc(segs, capsegs * sizeof *ns);
                if (!ns) goto done;
                segs = ns;
            }
            segs[nsegs++] = s;
        }
    }
    /* 2. base arcs over global nodes, CSR by tail */
    size_t nbase = 0;
    base = malloc((2 * nsegs + 1) * sizeof *base);
    base_first = calloc((size_t)N + 2, sizeof *base_first);
    if (!base || !base_first) goto done;
    for (size_t i = 0; i < nsegs; i++) {
        if (segs[i].fwd) base[nbase++] = (cv__edge3){segs[i].a, segs[i].b, segs[i].w};
        if (segs[i].bwd) base[nbase++] = (cv__edge3){segs[i].b, segs[i].a, segs[i].w};
    }
    qsort(base, nbase, sizeof *base, cmp_edge3_tail);
    for (size_t i = 0; i < nbase; i++) base_first[base[i].tail + 1]++;
    for (uint32_t v = 0; v < N; v++) base_first[v + 1] += base_first[v];

    /* 3. turn restrictions -> turns sorted by (via, from, to) */
    if (cv__graph_profile_has_turn_restrictions(p)) {
        size_t capturns = 0;
        for (size_t i = 0; i < rd->nrestr; i++) {
            const restr_rec *rr = &rd->restr[i];
            if (!rr->kind[p]) continue;
            uint32_t fw = find_way(ic, rr->from_way), tw = find_way(ic, rr->to_way);
            uint32_t vi = find_node(rd->nodes, rd->nnodes, rr->via_node);
            uint32_t via = vi == CV__NONE ? CV__NONE : ic->node_g[vi];
            uint32_t fn[2], tn[2];
            int nf = 0, nt = 0;
            if (fw != CV__NONE && tw != CV__NONE && via != CV__NONE &&
                (rd->ways[fw].mask >> p & 1) && (rd->ways[tw].mask >> p & 1)) {
                nf = end_neighbours(ic, &rd->ways[fw], via, fn);
                nt = end_neighbours(ic, &rd->ways[tw], via, tn);
            }
            bool used = false;
            for (int a = 0; a < nf; a++)
                for (int b = 0; b < nt; b++) {
                    if (!has_arc(base_first, base, fn[a], via) ||
                        !has_arc(base_first, base, via, tn[b]))
                        continue;
                    if (nturns == capturns) {
                        capturns = capturns ? 2 * capturns : 256;
                        turn *nt2 = realloc(turns, capturns * sizeof *nt2);
                        if (!nt2) goto done;
                        turns = nt2;
                    }
                    turns[nturns++] = (turn){via, fn[a], tn[b], rr->kind[p]};
                    used = true;
                }
            if (used)
                job->restr_applied++;
            else
                job->restr_skipped++;
        }
        job->restr_skipped += rd->via_way_restrictions;
    }
    /* A barrier that stops this profile is a dead end: whoever arrives from u
     * may only turn back to u ("only U-turn" at the barrier node). */
    {
        size_t capturns = nturns;
        for (size_t i = 0; i < nbase; i++) {
            uint32_t v = base[i].head, u = base[i].tail;
            if (!(ic->gblock[v] >> p & 1)) continue;
            if (nturns == capturns) {
                capturns = capturns ? 2 * capturns : 256;
                turn *nt2 = realloc(turns, capturns * sizeof *nt2);
                if (!nt2) goto done;
                turns = nt2;
            }
            turns[nturns++] = (turn){v, u, u, CV__RESTR_ONLY};
        }
    }
    if (nturns) qsort(turns, nturns, sizeof *turns, cmp_turn);
    /* distinct (via, from) pairs -> copies N.. */
    size_t npairs = 0;
    for (size_t i = 0; i < nturns; i++)
        if (i == 0 || turns[i].via != turns[i - 1].via || turns[i].from != turns[i - 1].from)
            npairs++;
    pair_lo = malloc((npairs + 1) * sizeof *pair_lo);
    copy_of = malloc((npairs + 1) * sizeof *copy_of);
    if (!pair_lo || !copy_of) goto done;
    npairs = 0;
    for (size_t i = 0; i < nturns; i++)
        if (i == 0 || turns[i].via != turns[i - 1].via || turns[i].from != turns[i - 1].from) {
            pair_lo[npairs] = i;
            copy_of[npairs] = turns[i].via;
            npairs++;
        }
    pair_lo[npairs] = nturns;
    const uint32_t n0 = N + (uint32_t)npairs;

    /* head of arc x->y in the split graph */
#define PAIR_FIND(via_, from_, out_)                                                               \
    do {                                                                                           \
        size_t lo_ = 0, hi_ = npairs;                                                              \
        (out_) = CV__NONE;                                                                         \
        while (lo_ < hi_) {                                                                        \
            size_t m_ = (lo_ + hi_) / 2;                                                           \
            const turn *t_ = &turns[pair_lo[m_]];                                                  \
            if (t_->via < (via_) || (t_->via == (via_) && t_->from < (from_)))                     \
                lo_ = m_ + 1;                                                                      \
            else                                                                                   \
                hi_ = m_;                                                                          \
        }                                                                                          \
        if (lo_ < npairs && turns[pair_lo[lo_]].via == (via_) &&                                   \
            turns[pair_lo[lo_]].from == (from_))                                                   \
            (out_) = (uint32_t)lo_;                                                                \
    } while (0)

    /* 4. arcs of the split graph */
    size_t narcs = 0, caparcs = nbase + 16;
    arcs = malloc(caparcs * sizeof *arcs);
    if (!arcs) goto done;
    for (size_t i = 0; i < nbase; i++) {
        uint32_t x = base[i].tail, y = base[i].head, pi, head = y;
        PAIR_FIND(y, x, pi);
        if (pi != CV__NONE) head = N + (uint32_t)pi;
        /* default x keeps every exit; each copy c(z,x) keeps the allowed turns */
        size_t lo = 0, hi = npairs;
        while (lo < hi) {
            size_t m = (lo + hi) / 2;
            if (turns[pair_lo[m]].via < x)
                lo = m + 1;
            else
                hi = m;
        }
        /* candidate tails: x itself, then the copies lo.. of x */
        for (size_t c = lo; c <= npairs; c++) {
            uint32_t tail = x;
            if (c > lo) {
                size_t q = c - 1;
                if (q >= npairs || turns[pair_lo[q]].via != x) break;
                if (!turn_allowed(turns, pair_lo[q], pair_lo[q + 1], y)) continue;
                tail = N + (uint32_t)q;
            }
            if (narcs == caparcs) {
                caparcs *= 2;
                cv__edge3 *na = realloc(arcs, caparcs * sizeof *na);
                if (!na) goto done;
                arcs = na;
            }
            arcs[narcs++] = (cv__edge3){tail, head, base[i].w};
        }
    }
    qsort(arcs, narcs, sizeof *arcs, cmp_edge3_tail);
    arc_first = calloc((size_t)n0 + 2, sizeof *arc_first);
    if (!arc_first) goto done;
    for (size_t i = 0; i < narcs; i++) arc_first[arcs[i].tail + 1]++;
    for (uint32_t v = 0; v < n0; v++) arc_first[v + 1] += arc_first[v];

    /* 5. largest strongly connected component */
    uint32_t best;
    if ((st = largest_scc(n0, arc_first, arcs, &comp, &best)) != CV_OK) goto done;
    st = CV_ENOMEM;
    newid = malloc(((size_t)n0 + 1) * sizeof *newid);
    if (!newid) goto done;
    uint32_t n1 = 0;
    uint64_t had_arcs = 0;
    for (uint32_t v = 0; v < n0; v++) {
        if (arc_first[v] != arc_first[v + 1]) had_arcs++;
        newid[v] = (best != CV__NONE && comp[v] == best) ? n1++ : CV__NONE;
    }
    job->dropped = had_arcs - n1;
    size_t nk = 0;
    karcs = malloc((narcs + 1) * sizeof *karcs);
    if (!karcs) goto done;
    for (size_t i = 0; i < narcs; i++)
        if (newid[arcs[i].tail] != CV__NONE && newid[arcs[i].head] != CV__NONE)
            karcs[nk++] = (cv__edge3){newid[arcs[i].tail], newid[arcs[i].head], arcs[i].w};

    /* not needed any more: give the memory back before the contraction peaks */
    free(base), free(base_first), free(arcs), free(arc_first), free(comp);
    base = arcs = NULL, base_first = arc_first = comp = NULL;

    /* 6. contraction */
    if ((st = cv__graph_ch_contract(n1, karcs, nk, &ch, ch_progress, job)) != CV_OK) goto done;
    st = CV_ENOMEM;
    const uint32_t *rank = ch.rank;

    /* 7. final arrays, numbered by rank */
    h->n = n1;
    h->narcs = nk;
    uint32_t *orig = own(bp, n1, sizeof *orig);
    uint32_t *ff = own(bp, (size_t)n1 + 1, sizeof *ff), *bf = own(bp, (size_t)n1 + 1, sizeof *bf);
    cv__arc *fa = own(bp, nk, sizeof *fa), *ba = own(bp, nk, sizeof *ba);
    uint32_t *uf = own(bp, (size_t)n1 + 1, sizeof *uf), *df = own(bp, (size_t)n1 + 1, sizeof *df);
    cv__chedge *ua = own(bp, ch.nup, sizeof *ua), *da = own(bp, ch.ndn, sizeof *da);
    uint32_t *key = calloc(nk + ch.nup + ch.ndn + 1, sizeof *key);
    if (!orig || !ff || !bf || !fa || !ba || !uf || !df || !ua || !da || !key) {
        free(key);
        goto done;
    }
    for (uint32_t v = 0; v < n0; v++)
        if (newid[v] != CV__NONE) orig[rank[newid[v]]] = v < N ? v : copy_of[v - N];
    /* forward and backward CSR of the uncontracted graph */
    for (size_t i = 0; i < nk; i++) key[i] = rank[karcs[i].tail];
    csr_counts(n1, nk, key, ff);
    for (size_t i = 0; i < nk; i++) key[i] = rank[karcs[i].head];
    csr_counts(n1, nk, key, bf);
    {
        uint32_t *fpos = malloc(((size_t)n1 + 1) * sizeof *fpos),
                 *bpos = malloc(((size_t)n1 + 1) * sizeof *bpos);
        if (!fpos || !bpos) {
            free(fpos), free(bpos), free(key);
            goto done;
        }
        memcpy(fpos, ff, ((size_t)n1 + 1) * sizeof *fpos);
        memcpy(bpos, bf, ((size_t)n1 + 1) * sizeof *bpos);
        for (size_t i = 0; i < nk; i++) {
            uint32_t t = rank[karcs[i].tail], hd = rank[karcs[i].head];
            fa[fpos[t]++] = (cv__arc){hd, 0, karcs[i].w};
            ba[bpos[hd]++] = (cv__arc){t, 0, karcs[i].w};
        }
        /* CH edges */
        h->nup = ch.nup, h->ndn = ch.ndn;
        for (uint64_t i = 0; i < ch.nup; i++) key[i] = rank[ch.up[i].tail];
        csr_counts(n1, ch.nup, key, uf);
        for (uint64_t i = 0; i < ch.ndn; i++) key[i] = rank[ch.dn[i].head];
        csr_counts(n1, ch.ndn, key, df);
        memcpy(fpos, uf, ((size_t)n1 + 1) * sizeof *fpos);
        memcpy(bpos, df, ((size_t)n1 + 1) * sizeof *bpos);
        for (uint64_t i = 0; i < ch.nup; i++) {
            uint32_t t = rank[ch.up[i].tail];
            ua[fpos[t]++] =
                (cv__chedge){rank[ch.up[i].head],
                             ch.up_mid[i] == CV__NONE ? CV__NONE : rank[ch.up_mid[i]], ch.up[i].w};
        }
        for (uint64_t i = 0; i < ch.ndn; i++) {
            uint32_t hd = rank[ch.dn[i].head];
            da[bpos[hd]++] =
                (cv__chedge){rank[ch.dn[i].tail],
                             ch.dn_mid[i] == CV__NONE ? CV__NONE : rank[ch.dn_mid[i]], ch.dn[i].w};
        }
        free(fpos), free(bpos);
    }
    free(key);
    bp->view.orig = orig, bp->view.fwd_first = ff, bp->view.fwd = fa;
    bp->view.bwd_first = bf, bp->view.bwd = ba;
    bp->view.up_first = uf, bp->view.up = ua, bp->view.dn_first = df, bp->view.dn = da;

    /* copies: final nodes of each global node */
    uint32_t *cfirst = own(bp, (size_t)N + 1, sizeof *cfirst);
    uint32_t *cl = own(bp, n1, sizeof *cl);
    if (!cfirst || !cl) goto done;
    for (uint32_t f = 0; f < n1; f++) cfirst[orig[f] + 1]++;
    for (uint32_t v = 0; v < N; v++) cfirst[v + 1] += cfirst[v];
    {
        uint32_t *pos = malloc(((size_t)N + 1) * sizeof *pos);
        if (!pos) goto done;
        memcpy(pos, cfirst, ((size_t)N + 1) * sizeof *pos);
        for (uint32_t f = 0; f < n1; f++) cl[pos[orig[f]]++] = f;
        free(pos);
    }
    h->ncopies = n1;
    bp->view.copy_first = cfirst, bp->view.copies = cl;

    /* segments: a direction is usable when its head and at least one tail
     * are in the kept component (then the arc between them is kept too) */
    cv__seg *fs = own(bp, nsegs, sizeof *fs);
    uint8_t *fclass = own(bp, nsegs, sizeof *fclass);
    if (!fs || !fclass) goto done;
    uint32_t nfs = 0;
    for (size_t i = 0; i < nsegs; i++) {
        uint32_t hd[2] = {CV__NONE, CV__NONE};
        for (int dir = 0; dir < 2; dir++) {
            bool ok = dir == 0 ? segs[i].fwd : segs[i].bwd;
            uint32_t x = dir == 0 ? segs[i].a : segs[i].b, y = dir == 0 ? segs[i].b : segs[i].a;
            if (!ok) continue;
            uint32_t pi, head = y;
            PAIR_FIND(y, x, pi);
            if (pi != CV__NONE) head = N + (uint32_t)pi;
            if (newid[head] == CV__NONE) continue;
            uint32_t fh = rank[newid[head]];
            /* some final copy of x with an arc to fh of this weight */
            for (uint32_t c = cfirst[x]; c < cfirst[x + 1] && hd[dir] == CV__NONE; c++)
                for (uint32_t e = ff[cl[c]]; e < ff[cl[c] + 1]; e++)
                    if (fa[e].head == fh && fa[e].w == segs[i].w) {
                        hd[dir] = fh;
                        break;
                    }
        }
        if (hd[0] == CV__NONE && hd[1] == CV__NONE) continue;
        fclass[nfs] = segs[i].road_class;
        fs[nfs++] = (cv__seg){segs[i].a, segs[i].b, hd[0], hd[1], segs[i].w};
    }
    h->nseg = nfs;
    bp->view.segs = fs;
    bp->view.seg_class = fclass;
    if ((st = build_grid(ic, bp, h, fs)) != CV_OK) goto done;
    h->ways = job->ways;
    h->restrictions_applied = job->restr_applied;
    h->restrictions_skipped = job->restr_skipped;
    h->nodes_dropped_scc = job->dropped;
    st = CV_OK;
done:
#undef PAIR_FIND
    free(segs), free(base), free(base_first), free(arcs), free(karcs), free(turns), free(copy_of);
    free(comp), free(newid), free(arc_first), free(pair_lo);
    cv__graph_ch_out_fini(&ch);
    return st;
}

typedef struct work_queue {
    pthread_mutex_t lock;
    int next, n;
    int order[CV__NPROF];
    prof_job *jobs;
} work_queue;

static void *queue_worker(void *arg)
{
    work_queue *q = arg;
    for (;;) {
        pthread_mutex_lock(&q->lock);
        int k = q->next < q->n ? q->order[q->next++] : -1;
        pthread_mutex_unlock(&q->lock);
        if (k < 0) return NULL;
        q->jobs[k].st = build_profile(&q->jobs[k]);
    }
}

void cv__graph_built_fini(cv__built *b)
{
    if (!b) return;
    free(b->coords);
    for (int p = 0; p < b->nprof; p++)
        for (int i = 0; i < b->prof[p].nmem; i++) free(b->prof[p].mem[i]);
    memset(b, 0, sizeof *b);
}

static cv_status parse_profiles(const char *s, unsigned *mask, cv_diag *diag)
{
    *mask = 0;
    if (!s) {
        *mask = (1u << CV__NPROF) - 1;
        return CV_OK;
    }
    const char *q = s;
    while (*q) {
        const char *e = strchr(q, ',');
        size_t len = e ? (size_t)(e - q) : strlen(q);
        char name[32];
        if (len == 0 || len >= sizeof name)
            return cv_diag_set(diag, "--profiles: bad list \"%s\" (use car,van,ebike,walk)", s);
        memcpy(name, q, len);
        name[len] = 0;
        int p = cv__graph_profile_index(name);
        if (p < 0)
            return cv_diag_set(
                diag, "--profiles: unknown profile \"%s\" (known: car, van, ebike, walk)", name);
        *mask |= 1u << p;
        q += len + (e ? 1 : 0);
        if (e && !*q) return cv_diag_set(diag, "--profiles: bad list \"%s\"", s);
    }
    if (!*mask) return cv_diag_set(diag, "--profiles: empty list");
    return CV_OK;
}

cv_status cv_graph_import(const char *osm_path, const char *out_path, const char *profiles,
                          bool progress, cv_graph_import_stats *stats, cv_diag *diag)
{
    double t0 = cv_clock_now();
    reader rd;
    memset(&rd, 0, sizeof rd);
    rd.sorted = true;
    rd.progress = progress;
    cv_status st = parse_profiles(profiles, &rd.pmask, diag);
    if (st) return st;
    cv_osm_handler h = {&rd, on_node, on_way, on_relation, on_progress};
    st = cv_osm_read(osm_path, &h, diag);
    if (progress) fprintf(stderr, "\n");
    if (st) {
        if (st == CV_ENOMEM) cv_diag_set(diag, "%s: out of memory while reading", osm_path);
        reader_fini(&rd);
        return st;
    }
    cv__built b;
    memset(&b, 0, sizeof b);
    uint32_t *ref_g = NULL, *node_g = NULL, *way_by_id = NULL;
    uint8_t *gblock = NULL;
    st = CV_ENOMEM;
    if (!rd.sorted) qsort(rd.nodes, rd.nnodes, sizeof *rd.nodes, cmp_node);
    if (rd.nnodes >= UINT32_MAX - 1) {
        st = cv_diag_set(diag, "%s: too many nodes (%zu)", osm_path, rd.nnodes);
        st = CV_ETOOBIG;
        goto fail;
    }
    ref_g = malloc((rd.nrefs + 1) * sizeof *ref_g);
    node_g = malloc((rd.nnodes + 1) * sizeof *node_g);
    way_by_id = malloc((rd.nways + 1) * sizeof *way_by_id);
    if (!ref_g || !node_g || !way_by_id) goto fail;
    for (size_t i = 0; i < rd.nnodes; i++) node_g[i] = CV__NONE;
    for (size_t wi = 0; wi < rd.nways; wi++) {
        const way_rec *w = &rd.ways[wi];
        bool missing = false;
        for (uint32_t k = 0; k < w->nrefs; k++) {
            uint32_t ni = find_node(rd.nodes, rd.nnodes, rd.refs[w->ref_off + k]);
            ref_g[w->ref_off + k] = ni;
            if (ni == CV__NONE)
                b.missing_refs++, missing = true;
            else
                node_g[ni] = 0;
        }
        if (missing) b.ways_with_missing++;
    }
    uint32_t ng = 0;
    for (size_t i = 0; i < rd.nnodes; i++)
        if (node_g[i] != CV__NONE) node_g[i] = ng++;
    for (size_t i = 0; i < rd.nrefs; i++)
        if (ref_g[i] != CV__NONE) ref_g[i] = node_g[ref_g[i]];
    b.nnodes = ng;
    b.coords = malloc(((size_t)ng * 2 + 2) * sizeof *b.coords);
    if (!b.coords) goto fail;
    for (size_t i = 0; i < rd.nnodes; i++)
        if (node_g[i] != CV__NONE) {
            b.coords[2 * (size_t)node_g[i]] = rd.nodes[i].lon;
            b.coords[2 * (size_t)node_g[i] + 1] = rd.nodes[i].lat;
        }
    /* way index sorted by id */
    {
        way_key *wk = malloc((rd.nways + 1) * sizeof *wk);
        if (!wk) goto fail;
        for (size_t i = 0; i < rd.nways; i++) wk[i] = (way_key){rd.ways[i].id, (uint32_t)i};
        qsort(wk, rd.nways, sizeof *wk, cmp_way_key);
        for (size_t i = 0; i < rd.nways; i++) way_by_id[i] = wk[i].idx;
        free(wk);
    }
    if (ng == 0) {
        cv_diag_set(diag, "%s: no roads for the requested profiles", osm_path);
        st = CV_EINVAL;
        goto fail;
    }
    pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
    gblock = calloc((size_t)ng + 1, 1);
    if (!gblock) goto fail;
    for (size_t i = 0; i < rd.nbarriers; i++) {
        uint32_t ni = find_node(rd.nodes, rd.nnodes, rd.barriers[i].id);
        if (ni != CV__NONE && node_g[ni] != CV__NONE) gblock[node_g[ni]] = rd.barriers[i].mask;
    }
    import_ctx ic = {&rd, ng, b.coords, ref_g, way_by_id, node_g, gblock, progress, &lock};
    prof_job jobs[CV__NPROF];
    int np = 0;
    for (int p = 0; p < CV__NPROF; p++)
        if (rd.pmask >> p & 1) {
            memset(&jobs[np], 0, sizeof jobs[np]);
            jobs[np].ic = &ic, jobs[np].p = p, jobs[np].out = &b.prof[np];
            np++;
        }
    b.nprof = np;
    /* Two workers (the machine class has two cores) take profiles from a
     * queue, largest first (by segment count), so the walk graph, usually
     * the biggest, does not end up queued behind the others. */
    work_queue q = {PTHREAD_MUTEX_INITIALIZER, 0, np, {0}, jobs};
    {
        uint64_t size[CV__NPROF] = {0};
        for (size_t wi = 0; wi < rd.nways; wi++)
            for (int k = 0; k < np; k++)
                if (rd.ways[wi].mask >> jobs[k].p & 1) size[k] += rd.ways[wi].nrefs;
        for (int k = 0; k < np; k++) q.order[k] = k;
        for (int a = 1; a < np; a++)
            for (int k = a; k > 0 && size[q.order[k]] > size[q.order[k - 1]]; k--) {
                int t = q.order[k];
                q.order[k] = q.order[k - 1], q.order[k - 1] = t;
            }
    }
    pthread_t worker;
    bool started = np > 1 && pthread_create(&worker, NULL, queue_worker, &q) == 0;
    queue_worker(&q);
    if (started) pthread_join(worker, NULL);
    if (progress) fprintf(stderr, "\r%60s\r", "");
    for (int k = 0; k < np; k++)
        if (jobs[k].st) {
            st = jobs[k].st;
            cv_diag_set(diag, "%s: building the %s graph failed: %s", osm_path,
                        cv__graph_profile_name(jobs[k].p), cv_status_message(st));
            goto fail;
        }
    for (int k = 0; k < np; k++)
        if (b.prof[k].view.h.n == 0) {
            cv_diag_set(diag, "%s: no roads usable by the %s profile", osm_path,
                        cv__graph_profile_name(jobs[k].p));
            st = CV_EINVAL;
            goto fail;
        }
    {
        const char *base = strrchr(osm_path, '/');
        snprintf(b.source, sizeof b.source, "%s; (c) OpenStreetMap contributors, ODbL 1.0",
                 base ? base + 1 : osm_path);
    }
    if ((st = cv__graph_artifact_write(&b, out_path, diag)) != CV_OK) goto fail;
    if (stats) {
        memset(stats, 0, sizeof *stats);
        stats->osm_nodes = rd.nnodes;
        stats->osm_ways = rd.osm_ways;
        stats->road_ways = rd.nways;
        stats->missing_refs = b.missing_refs;
        stats->ways_with_missing = b.ways_with_missing;
        stats->nprofiles = (uint32_t)np;
        for (int k = 0; k < np; k++) {
            const cv__prof_hdr *ph = &b.prof[k].view.h;
            snprintf(stats->profile[k].name, sizeof stats->profile[k].name, "%s", ph->name);
            stats->profile[k].nodes = ph->n;
            stats->profile[k].segments = ph->nseg;
            stats->profile[k].arcs = ph->narcs;
            stats->profile[k].ch_edges = ph->nup + ph->ndn;
            stats->profile[k].restrictions_applied = ph->restrictions_applied;
            stats->profile[k].restrictions_skipped = ph->restrictions_skipped;
            stats->profile[k].nodes_dropped_scc = ph->nodes_dropped_scc;
        }
        stats->seconds = cv_clock_now() - t0;
    }
    st = CV_OK;
fail:
    free(ref_g), free(node_g), free(way_by_id), free(gblock);
    cv__graph_built_fini(&b);
    reader_fini(&rd);
    return st;
}
