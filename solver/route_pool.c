/* A pool of distinct good routes met by the search, and the set-partitioning
 * recombination over it (cv_lp_setpart, cv/lp.h (12)-(15)).
 *
 * Data: every route is stored once by content (vehicle class + task
 * sequence), found through an open-addressing hash table; the sequences sit
 * in one arena.  Memory is bounded: when max_routes routes are stored, the
 * older half (by the stamp of their last sighting) is dropped and the arena
 * compacted, so the pool follows the search.
 *
 * Workload: the search adds the routes of each accepted solution that the
 * iteration changed (a few routes, each hashed once: O(route length)); a
 * recombination a few times per run solves a MIP with one column per stored
 * route, node-limited (deterministic), warm-started from the best solution,
 * whose routes are in the pool.  A better selection replaces the best
 * solution: each chosen route goes to an unused vehicle of its class
 * (identical vehicles, so the route stays feasible; checked anyway).
 *
 * Only valid when a plan's cost is the sum of independent route costs: the
 * caller leaves it off for problems whose constraints link routes. */
#include "solver_int.h"

#include "cv/lp.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct pool_route {
    uint64_t hash;
    uint64_t stamp; /* last time the search produced this route */
    uint32_t first; /* into tasks */
    uint32_t len;
    uint32_t cls; /* vehicle class: the first vehicle identical to the route's own */
    double cost;  /* search cost (cv__route.cost) */
} pool_route;

struct cv__pool {
    const cv__ctx *c;
    pool_route *r;
    uint32_t nr, max_routes;
    uint32_t *tasks;
    size_t ntasks, cap_tasks;
    uint32_t *slot; /* hash table: route index + 1, 0 = empty */
    uint32_t nslot; /* power of two, >= 2 * max_routes */
    uint64_t stamp;
    uint32_t max_nodes;
    cv__pool_stats stats;
};

static uint64_t route_hash(uint32_t cls, const uint32_t *t, uint32_t n)
{
    uint64_t h = 1469598103934665603ull ^ cls; /* FNV-1a over the words */
    for (uint32_t k = 0; k < n; k++) {
        h ^= t[k];
        h *= 1099511628211ull;
    }
    return h ^ (h >> 29);
}

cv_status cv__pool_create(cv__pool **out, const cv__ctx *c, uint32_t max_routes, uint32_t max_nodes)
{
    if (max_routes < 16) max_routes = 16;
    cv__pool *p = cv_calloc(1, sizeof *p);
    if (!p) return CV_ENOMEM;
    p->c = c;
    p->max_routes = max_routes;
    p->max_nodes = max_nodes;
    p->nslot = 1;
    while (p->nslot < 2 * max_routes) p->nslot *= 2;
    p->r = cv_calloc(max_routes, sizeof *p->r);
    p->slot = cv_calloc(p->nslot, sizeof *p->slot);
    if (!p->r || !p->slot) {
        cv__pool_destroy(p);
        return CV_ENOMEM;
    }
    *out = p;
    return CV_OK;
}

void cv__pool_destroy(cv__pool *p)
{
    if (!p) return;
    free(p->r);
    free(p->tasks);
    free(p->slot);
    free(p);
}

const cv__pool_stats *cv__pool_stats_get(cv__pool *p)
{
    p->stats.routes = p->nr;
    return &p->stats;
}

static void table_insert(cv__pool *p, uint32_t idx)
{
    uint32_t s = (uint32_t)p->r[idx].hash & (p->nslot - 1);
    while (p->slot[s]) s = (s + 1) & (p->nslot - 1);
    p->slot[s] = idx + 1;
}

static int cmp_u64(const void *x, const void *y)
{
    uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;
    return a < b ? -1 : a > b;
}

/* Keeps the newer half of the routes (by stamp; among equal stamps the
 * lower index), compacts the arena and rebuilds the table.  Rare: once per
 * max_routes / 2 new routes. */
static cv_status evict_older_half(cv__pool *p)
{
    uint64_t *st = cv_calloc(p->nr, sizeof *st);
    if (!st) return CV_ENOMEM;
    for (uint32_t i = 0; i < p->nr; i++) st[i] = p->r[i].stamp;
    qsort(st, p->nr, sizeof *st, cmp_u64);
    const uint32_t want = p->nr / 2;
    const uint64_t cut = st[p->nr - want]; /* the want newest have stamp >= cut */
    uint32_t above = 0;
    for (uint32_t i = 0; i < p->nr; i++) above += p->r[i].stamp > cut;
    uint32_t at_cut = want - above; /* routes stamped exactly cut that stay */
    free(st);
    uint32_t keep = 0;
    size_t at = 0;
    for (uint32_t i = 0; i < p->nr; i++) {
        if (p->r[i].stamp < cut) continue;
        if (p->r[i].stamp == cut) {
            if (!at_cut) continue;
            at_cut--;
        }
        pool_route e = p->r[i];
        memmove(p->tasks + at, p->tasks + e.first, e.len * sizeof *p->tasks);
        e.first = (uint32_t)at;
        at += e.len;
        p->r[keep++] = e;
    }
    p->nr = keep;
    p->ntasks = at;
    memset(p->slot, 0, p->nslot * sizeof *p->slot);
    for (uint32_t i = 0; i < p->nr; i++) table_insert(p, i);
    p->stats.evictions++;
    return CV_OK;
}

/* Adds (or refreshes) one route. */
static cv_status add_one(cv__pool *p, const cv__route *rt)
{
    const uint32_t cls = p->c->vclass[rt->v];
    const uint64_t h = route_hash(cls, rt->t, rt->n);
    for (uint32_t s = (uint32_t)h & (p->nslot - 1); p->slot[s]; s = (s + 1) & (p->nslot - 1)) {
        pool_route *e = &p->r[p->slot[s] - 1];
        if (e->hash == h && e->cls == cls && e->len == rt->n &&
            !memcmp(p->tasks + e->first, rt->t, rt->n * sizeof *rt->t)) {
            e->stamp = p->stamp;
            return CV_OK;
        }
    }
    if (p->nr == p->max_routes) {
        cv_status st = evict_older_half(p);
        if (st) return st;
    }
    if (p->ntasks + rt->n > p->cap_tasks) {
        size_t cap = p->cap_tasks ? p->cap_tasks : 4096;
        while (cap < p->ntasks + rt->n) cap *= 2;
        if (cap > UINT32_MAX) return CV_ENOMEM;
        uint32_t *t = cv_realloc_array(p->tasks, cap, sizeof *t);
        if (!t) return CV_ENOMEM;
        p->tasks = t;
        p->cap_tasks = cap;
    }
    pool_route *e = &p->r[p->nr];
    e->hash = h;
    e->stamp = p->stamp;
    e->first = (uint32_t)p->ntasks;
    e->len = rt->n;
    e->cls = cls;
    e->cost = rt->cost;
    memcpy(p->tasks + p->ntasks, rt->t, rt->n * sizeof *rt->t);
    p->ntasks += rt->n;
    table_insert(p, p->nr++);
    p->stats.added++;
    return CV_OK;
}

cv_status cv__pool_add(cv__pool *p, const cv__sol *s, const uint32_t *routes, uint32_t nroutes)
{
    p->stamp++;
    for (uint32_t i = 0; i < nroutes; i++) {
        const cv__route *rt = &s->r[routes ? routes[i] : i];
        if (rt->n == 0) continue;
        cv_status st = add_one(p, rt);
        if (st) return st;
    }
    return CV_OK;
}

/* Index of the stored route equal to rt, or UINT32_MAX. */
static uint32_t find(const cv__pool *p, const cv__route *rt)
{
    const uint32_t cls = p->c->vclass[rt->v];
    const uint64_t h = route_hash(cls, rt->t, rt->n);
    for (uint32_t s = (uint32_t)h & (p->nslot - 1); p->slot[s]; s = (s + 1) & (p->nslot - 1)) {
        const pool_route *e = &p->r[p->slot[s] - 1];
        if (e->hash == h && e->cls == cls && e->len == rt->n &&
            !memcmp(p->tasks + e->first, rt->t, rt->n * sizeof *rt->t))
            return p->slot[s] - 1;
    }
    return UINT32_MAX;
}

/* Builds in out (a copy of best's shape) the plan of the chosen routes;
 * false when a route does not fit (cannot happen: degrade by ignoring). */
static cv_status build_selection(cv__pool *p, const cv__sol *best, const uint32_t *chosen,
                                 uint32_t nchosen, cv__sol *out, bool *ok)
{
    const cv__ctx *c = p->c;
    *ok = false;
    cv_status st = cv__sol_copy(out, best, c->nd);
    if (st) return st;
    static const uint32_t none[1] = {0};
    for (uint32_t v = 0; v < out->nv; v++)
        if (out->r[v].n && (st = cv__route_set(c, out, v, none, 0))) return st;
    uint8_t *used = cv_calloc(c->nv + 1, 1);
    if (!used) return CV_ENOMEM;
    bool fits = true;
    for (uint32_t k = 0; k < nchosen && fits && !st; k++) {
        const pool_route *e = &p->r[chosen[k]];
        uint32_t v = 0;
        while (v < c->nv && (used[v] || c->vclass[v] != e->cls)) v++;
        if (v == c->nv) {
            fits = false;
            break;
        }
        used[v] = 1;
        cv__eval ev;
        if (!cv__route_eval(c, v, p->tasks + e->first, e->len, &ev, NULL, NULL, NULL) ||
            !ev.feasible) {
            fits = false;
            break;
        }
        st = cv__route_set(c, out, v, p->tasks + e->first, e->len);
    }
    free(used);
    *ok = fits;
    return st;
}

cv_status cv__pool_recombine(cv__pool *p, cv__sol *best, double time_limit_s, bool *improved)
{
    const cv__ctx *c = p->c;
    *improved = false;
    /* The best solution's routes are in the pool (the warm start). */
    cv_status st = cv__pool_add(p, best, NULL, best->nv);
    if (st) return st;
    const uint32_t nr = p->nr, nt = c->nt;
    uint32_t *first = cv_calloc((size_t)nr + 1, sizeof *first);
    double *cost = cv_calloc((size_t)nr + 1, sizeof *cost);
    uint32_t *type = cv_calloc((size_t)nr + 1, sizeof *type);
    uint32_t *type_of_class = cv_calloc((size_t)c->nv + 1, sizeof *type_of_class);
    uint32_t *count = cv_calloc((size_t)c->nv + 1, sizeof *count);
    double *pen = cv_calloc((size_t)nt + 1, sizeof *pen);
    uint32_t *inc = cv_calloc((size_t)c->nv + 1, sizeof *inc);
    cv__sol cand;
    memset(&cand, 0, sizeof cand);
    cv_lp_setpart_result res;
    memset(&res, 0, sizeof res);
    if (!first || !cost || !type || !type_of_class || !count || !pen || !inc) {
        st = CV_ENOMEM;
        goto done;
    }
    /* One type per vehicle class, numbered in vehicle order. */
    uint32_t ntypes = 0;
    for (uint32_t v = 0; v < c->nv; v++)
        if (c->vclass[v] == v) type_of_class[v] = ntypes++;
    for (uint32_t v = 0; v < c->nv; v++) count[type_of_class[c->vclass[v]]]++;
    for (uint32_t i = 0; i < nr; i++) {
        first[i] = p->r[i].first;
        cost[i] = p->r[i].cost;
        type[i] = type_of_class[p->r[i].cls];
    }
    first[nr] = (uint32_t)p->ntasks;
    /* Leaving a task out must cost more than any plan's whole travel: the
     * objective is lexicographic (assigned priority, assigned count, cost);
     * the final comparison (cv__sol_better) enforces it exactly. */
    const double big = fmax(1.0, best->cost) * 2.0 + 1.0;
    for (uint32_t j = 0; j < nt; j++) pen[j] = big * (1.0 + (double)c->p->tasks[j].priority);
    uint32_t ninc = 0;
    for (uint32_t v = 0; v < best->nv; v++)
        if (best->r[v].n) {
            uint32_t i = find(p, &best->r[v]);
            if (i == UINT32_MAX) goto done; /* cannot happen: just added */
            inc[ninc++] = i;
        }
    /* Routes are stored back to back: route_first is the arena offsets. */
    cv_lp_pool pl = {nt, nr, ntypes, first, p->tasks, cost, type, count, pen};
    cv_lp_setpart_config cfg;
    cv_lp_setpart_config_init(&cfg);
    cfg.time_limit_s = time_limit_s;
    cfg.max_nodes = p->max_nodes;
    cfg.incumbent = inc;
    cfg.nincumbent = ninc;
    cv_diag diag;
    memset(&diag, 0, sizeof diag);
    p->stats.calls++;
    const double t0 = cv_clock_now();
    st = cv_lp_setpart(&pl, &cfg, &res, &diag);
    p->stats.seconds += cv_clock_now() - t0;
    cv_log(2, "route pool: MIP over %u routes: %.1f -> %.1f (%s) in %.2f s\n", nr, best->cost,
           res.objective, res.optimal ? "optimal" : "node limit", cv_clock_now() - t0);
    if (st) {
        cv_log(1, "route pool: set partitioning failed (%s): %s", cv_status_name(st), diag.msg);
        st = st == CV_ENOMEM ? st : CV_OK; /* a GLPK failure only skips the recombination */
        goto done;
    }
    bool same = res.nroutes == ninc;
    for (uint32_t k = 0; same && k < ninc; k++) {
        bool in = false;
        for (uint32_t q = 0; q < res.nroutes && !in; q++) in = res.routes[q] == inc[k];
        same = in;
    }
    if (same) goto done;
    bool ok;
    if ((st = build_selection(p, best, res.routes, res.nroutes, &cand, &ok))) goto done;
    if (ok && cv__sol_better(&cand, best)) {
        p->stats.improvements++;
        p->stats.gain += best->cost - cand.cost;
        st = cv__sol_copy(best, &cand, c->nd);
        *improved = st == CV_OK;
    }
done:
    cv__sol_fini(&cand);
    cv_lp_setpart_result_fini(&res);
    free(first);
    free(cost);
    free(type);
    free(type_of_class);
    free(count);
    free(pen);
    free(inc);
    return st;
}

bool cv__pool_applies(const cv_problem *p)
{
    /* Relations and groups tie tasks of different routes, fairness sums over
     * routes non-linearly: a selection of independently good routes may
     * break them. */
    if (p->nrelations || p->fairness_per_hour) return false;
    for (uint32_t t = 0; t < p->ntasks; t++)
        if (p->tasks[t].group_size > 1) return false;
    return true;
}
