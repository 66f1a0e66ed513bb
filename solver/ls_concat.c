/* Evaluation of a route made of three parts: a prefix of one cached route,
 * a few explicit tasks, a suffix of a cached route (Vidal et al. 2013,
 * segment concatenation, specialised to the caches of route.c).
 *
 * Every local-search move of ls_*.c is written as one or two such
 * candidates.  The prefix brings its earliest departure, cumulative travel
 * and cost, job deliveries and load maximum; the explicit tasks are re-timed
 * one by one; the suffix is feasible iff the arrival at its first position
 * is no later than its latest arrival and its load maximum, shifted by the
 * new load before it, fits.  Loads: a job's delivery is on board from the
 * start, so the new start load is the job deliveries of all three parts and
 * every cached load of the prefix moves by (new start load - old start
 * load), every cached load of the suffix by (new load before it - old load
 * before it).  Work: O(m + nd) per candidate.  CV_DEBUG_CHECKS builds compare
 * every 7th answer with the full evaluation of route_eval.c.
 */
#include "solver_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

static inline uint32_t tloc(const cv_problem *p, uint32_t t)
{
    return p->tasks[t].loc;
}

double cv__cat_cost(const cv__ctx *c, const cv__cat *k)
{
    const cv_problem *p = c->p;
    const cv__veh *w = &c->veh[k->v];
    const cv__route *P = k->P, *S = k->S;
    if (k->i + k->m + (S->n + 1 - k->j) == 0) return 0;
    double cost = P->ccost[k->i];
    uint32_t prev = P->loc[k->i];
    for (uint32_t x = 0; x < k->m; x++) {
        uint32_t l = tloc(p, k->mid[x]);
        cost += cv__cost(w, prev, l);
        prev = l;
    }
    cost += cv__cost(w, prev, S->loc[k->j]) + (S->ccost[S->n + 1] - S->ccost[k->j]);
    return cost + w->fixed;
}

uint32_t cv__cat_write(const cv__cat *k, uint32_t *seq)
{
    uint32_t n = 0;
    for (uint32_t x = 0; x < k->i; x++) seq[n++] = k->P->t[x];
    for (uint32_t x = 0; x < k->m; x++) seq[n++] = k->mid[x];
    for (uint32_t x = k->j; x <= k->S->n; x++) seq[n++] = k->S->t[x - 1];
    return n;
}

static bool feasible(const cv__ctx *c, const cv__cat *k)
{
    const cv_problem *p = c->p;
    const cv_vehicle *vh = &p->vehicles[k->v];
    const cv__veh *w = &c->veh[k->v];
    const cv__route *P = k->P, *S = k->S;
    const uint32_t i = k->i, j = k->j, nd = c->nd;
    if ((uint64_t)i + k->m + (S->n + 1 - j) > vh->max_tasks) return false;
    /* Time and travel. */
    int64_t T = P->dep[i];
    if (T < 0) return false;
    /* The distance matrix is read only under a distance limit: at 1000
     * locations each matrix is 4 MB, and a second one doubles the cache
     * misses that dominate the local search's time. */
    const bool lim_dist = vh->max_distance < CV_TIME_MAX;
    int64_t dur = P->cdur[i], dist = P->cdist[i];
    uint32_t prev = P->loc[i];
    for (uint32_t x = 0; x < k->m; x++) {
        const cv_task *t = &p->tasks[k->mid[x]];
        int64_t tr = cv__dur(w, prev, t->loc);
        int64_t b = cv__tw_begin(cv_task_tws(p, t), t->tw_count, T + tr);
        if (b < 0) return false;
        T = b + ((prev == CV_NONE || prev != t->loc) ? t->setup : 0) + t->service;
        dur += tr;
        if (lim_dist) dist += cv__dist(w, prev, t->loc);
        prev = t->loc;
    }
    const uint32_t lj = S->loc[j];
    if (T + cv__dur(w, prev, lj) > cv__route_latest_arrival(p, S, j, prev)) return false;
    dur += cv__dur(w, prev, lj) + (S->dur - S->cdur[j]);
    if (dur > vh->max_travel_time) return false;
    if (lim_dist && dist + cv__dist(w, prev, lj) + (S->dist - S->cdist[j]) > vh->max_distance)
        return false;
    if (!nd) return true;
    /* Loads. */
    const int64_t *cap = cv_vehicle_capacity(p, vh);
    int64_t start[CV_MAX_AMOUNT_DIMS];
    const int64_t *jp = P->jdel + (size_t)i * nd, *js = S->jdel + (size_t)(S->n + 1) * nd,
                  *jb = S->jdel + (size_t)(j - 1) * nd;
    for (uint32_t d = 0; d < nd; d++) start[d] = jp[d] + js[d] - jb[d];
    for (uint32_t x = 0; x < k->m; x++) {
        const cv_task *t = &p->tasks[k->mid[x]];
        if (t->kind != CV_TASK_JOB) continue;
        const int64_t *del = cv_task_delivery(p, t);
        for (uint32_t d = 0; d < nd; d++) start[d] += del[d];
    }
    int64_t L[CV_MAX_AMOUNT_DIMS];
    for (uint32_t d = 0; d < nd; d++) {
        int64_t shift = start[d] - P->load[d];
        if (P->pmax[(size_t)i * nd + d] + shift > cap[d]) return false;
        L[d] = P->load[(size_t)i * nd + d] + shift;
    }
    for (uint32_t x = 0; x < k->m; x++) {
        const cv_task *t = &p->tasks[k->mid[x]];
        const int64_t *del = cv_task_delivery(p, t), *pick = cv_task_pickup(p, t);
        for (uint32_t d = 0; d < nd; d++) {
            L[d] += pick[d] - del[d];
            if (L[d] > cap[d]) return false;
        }
    }
    for (uint32_t d = 0; d < nd; d++)
        if (S->smax[(size_t)j * nd + d] - S->load[(size_t)(j - 1) * nd + d] + L[d] > cap[d])
            return false;
    return true;
}

#ifdef CV_DEBUG_CHECKS
static _Thread_local uint64_t debug_calls;
#endif

bool cv__cat_feasible(const cv__ctx *c, const cv__cat *k, uint32_t *seq)
{
    bool ok = feasible(c, k);
#ifdef CV_DEBUG_CHECKS
    if (++debug_calls % 7 == 0) {
        uint32_t n = cv__cat_write(k, seq);
        cv__eval e;
        bool full = cv__route_eval(c, k->v, seq, n, &e, NULL, NULL, NULL);
        double cost = cv__cat_cost(c, k);
        if (full != ok || (ok && fabs(cost - e.cost) > 1e-6 * (1 + fabs(e.cost)))) {
            fprintf(stderr,
                    "cv_solver: CV_DEBUG_CHECKS: concatenation for vehicle %u (%u + %u + %u "
                    "tasks): feasible %d cost %.3f, full evaluation: %d %.3f\n",
                    k->v, k->i, k->m, k->S->n + 1 - k->j, ok, cost, full, e.cost);
            abort();
        }
    }
#else
    (void)seq;
#endif
    return ok;
}
