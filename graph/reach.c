/* Time-bounded one-to-many search: travel time from one or several sources
 * (snapped points) to every node of a profile's graph within a limit, and
 * the travel time to any further snapped point from those labels.  The
 * service-circle questions ("which homes are within 15 minutes' walk of a
 * service point") are this search followed by point look-ups.
 *
 * Plain Dijkstra on the uncontracted graph (forward arcs: from the sources;
 * backward arcs with to_sources: towards them), seeded at every source's
 * entry nodes with their partial segment weights, stopped at the first label
 * beyond the limit: it settles only the nodes inside the circle, so its work
 * is proportional to the circle, not to the map.  Labels are the packed
 * (duration, distance) weights of graph_int.h, so a time read here equals
 * the one the matrix and route queries give for the same pair, bit for bit.
 * A point counts as reached when its time rounded to whole seconds (as every
 * public API reports it) is at most limit_s.
 *
 * Memory: one label and one source index per node of the profile (12 bytes a
 * node), kept while the reach object lives; the search heap is borrowed from
 * the graph's pool and returned. */
#include "graph_int.h"

#include <stdlib.h>
#include <string.h>

cv_status cv_graph_points_create(cv_graph_points **out, const cv_graph *g, int profile,
                                 const double *lonlat, uint32_t n, const char *what, cv_diag *diag)
{
    if (!g || profile < 0 || profile >= g->nprof)
        return cv_diag_set(diag, "profile %d: not in this graph", profile);
    cv_graph_points *p = calloc(1, sizeof *p);
    if (!p) return CV_ENOMEM;
    cv_status st = cv__graph_snap_all(g, profile, lonlat, n, what ? what : "points", &p->ph, diag);
    if (st) {
        free(p);
        return st;
    }
    p->g = g, p->profile = profile, p->n = n;
    *out = p;
    return CV_OK;
}

void cv_graph_points_destroy(cv_graph_points *p)
{
    if (!p) return;
    free(p->ph);
    free(p);
}

uint32_t cv_graph_points_count(const cv_graph_points *p)
{
    return p->n;
}

cv_status cv_graph_reach_create(cv_graph_reach **out, const cv_graph_points *sources,
                                uint32_t limit_s, bool to_sources)
{
    const cv_graph *g = sources->g;
    const cv__prof *pr = &g->prof[sources->profile];
    const uint32_t n = pr->h.n;
    cv_graph_reach *r = calloc(1, sizeof *r);
    if (!r) return CV_ENOMEM;
    r->src = sources;
    r->to_sources = to_sources;
    r->limit_s = limit_s;
    /* round(ds / 10) <= limit_s  <=>  ds <= 10 * limit_s + 4 */
    r->limit_ds = 10 * (uint64_t)limit_s + 4;
    r->dist = malloc((n ? n : 1) * sizeof *r->dist);
    r->from = malloc((n ? n : 1) * sizeof *r->from);
    cv__heap *h = cv__graph_heap_borrow(pr->pool, n);
    if (!r->dist || !r->from || !h) {
        cv__graph_heap_return(pr->pool, h);
        cv_graph_reach_destroy(r);
        return CV_ENOMEM;
    }
    for (uint32_t v = 0; v < n; v++) r->dist[v] = CV__WINF;
    const uint32_t *first = to_sources ? pr->bwd_first : pr->fwd_first;
    const cv__arc *arcs = to_sources ? pr->bwd : pr->fwd;
    cv__graph_heap_reset(h);
    for (uint32_t s = 0; s < sources->n; s++) {
        const cv__phantom *ph = &sources->ph[s];
        /* from a source the search enters at the segment's heads; towards a
         * target it starts from the nodes that drive onto its segment */
        int ne = to_sources ? ph->ntgt : ph->nsrc;
        const cv__entry *e = to_sources ? ph->tgt : ph->src;
        for (int k = 0; k < ne; k++)
            if (cv__graph_heap_push(h, e[k].node, e[k].w, CV__NONE)) r->from[e[k].node] = s;
    }
    const uint64_t limit_ds = r->limit_ds;
    uint64_t settled = 0;
    while (h->n) {
        uint32_t u = cv__graph_heap_pop(h);
        const cv__w du = h->key[u];
        if (CV__W_DS(du) > limit_ds) break;
        r->dist[u] = du;
        if (h->parent[u] != CV__NONE) r->from[u] = r->from[h->parent[u]];
        settled++;
        for (uint32_t e = first[u]; e < first[u + 1]; e++)
            cv__graph_heap_push(h, arcs[e].head, du + arcs[e].w, u);
    }
    r->nreached = (uint32_t)settled;
    cv__graph_heap_return(pr->pool, h);
    *out = r;
    return CV_OK;
}

void cv_graph_reach_destroy(cv_graph_reach *r)
{
    if (!r) return;
    free(r->dist);
    free(r->from);
    free(r);
}

uint32_t cv_graph_reach_count(const cv_graph_reach *r)
{
    return r->nreached;
}

/* Best label of one point; *src the source it comes from. */
static cv__w point_label(const cv_graph_reach *r, const cv__prof *pr, const cv__phantom *q,
                         uint32_t *src)
{
    cv__w best = CV__WINF;
    uint32_t bs = CV__NONE;
    int ne = r->to_sources ? q->nsrc : q->ntgt;
    const cv__entry *e = r->to_sources ? q->src : q->tgt;
    for (int k = 0; k < ne; k++) {
        cv__w d = r->dist[e[k].node];
        if (d == CV__WINF) continue;
        cv__w c = cv__graph_sat_add(d, e[k].w);
        if (c < best) best = c, bs = r->from[e[k].node];
    }
    /* a source on the same segment may reach the point directly along it */
    const cv_graph_points *S = r->src;
    for (uint32_t s = 0; s < S->n; s++) {
        if (S->ph[s].seg != q->seg) continue;
        cv__w c = r->to_sources ? cv__graph_same_segment(pr, q, &S->ph[s])
                                : cv__graph_same_segment(pr, &S->ph[s], q);
        if (c < best) best = c, bs = s;
    }
    *src = bs;
    return best;
}

cv_status cv_graph_reach_times(const cv_graph_reach *r, const cv_graph_points *pts,
                               uint32_t *time_s, uint32_t *source)
{
    if (pts->g != r->src->g || pts->profile != r->src->profile) return CV_EINVAL;
    const cv__prof *pr = &r->src->g->prof[r->src->profile];
    for (uint32_t i = 0; i < pts->n; i++) {
        uint32_t s;
        cv__w w = point_label(r, pr, &pts->ph[i], &s);
        bool in = w != CV__WINF && CV__W_DS(w) <= r->limit_ds;
        if (time_s) time_s[i] = in ? cv__graph_w_seconds(w) : UINT32_MAX;
        if (source) source[i] = in ? s : UINT32_MAX;
    }
    return CV_OK;
}
