/* 2-opt* local search: exchange the tails of two routes.
 *
 * Cutting route A after position i and route B after position j gives
 * A' = A[..i] + B[j+1..] and B' = B[..j] + A[i+1..].  Each new route is a
 * prefix of one old route joined to a suffix of another, so with the cached
 * data of route.c (earliest departure of the prefix, latest arrival of the
 * suffix, cumulative travel, loads with prefix/suffix maxima) plus per-task
 * prefix sums of job deliveries and a count of shipments left open, the move
 * is checked in O(dimensions): the segment concatenation of Vidal et al.
 * (2013) for two segments.  The suffix data of B is only valid for the
 * vehicle of A when both vehicles are identical (same class: same end, shift,
 * matrices, costs, limits and skills), so the move is restricted to such
 * pairs; vehicles with breaks are left to ruin-and-recreate.  Tails holding
 * half of a shipment are never cut (open count 0 at the cut).
 *
 * Granular: for a task u and each of its nearest tasks v in another route,
 * the two moves that create the arc u -> v or v -> u are tried.  First
 * improvement, repeated until no move improves.  Work per pass:
 * O(tasks x neighbours) checks.
 */
#include "solver_int.h"

#include <assert.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LS_NEIGH 20u

cv_status cv__ls_init(cv__ls *ls, const cv__ctx *c)
{
    memset(ls, 0, sizeof *ls);
    ls->pos = cv_calloc(c->nt + 1, sizeof *ls->pos);
    ls->open = cv_calloc(c->nt + 1, sizeof *ls->open);
    ls->jd = cv_calloc((size_t)(c->nt + 1) * (c->nd ? c->nd : 1), sizeof *ls->jd);
    ls->seq = cv_calloc(c->nt + 2, sizeof *ls->seq);
    if (!ls->pos || !ls->open || !ls->jd || !ls->seq) {
        cv__ls_fini(ls);
        return CV_ENOMEM;
    }
    return CV_OK;
}

void cv__ls_fini(cv__ls *ls)
{
    free(ls->pos);
    free(ls->open);
    free(ls->jd);
    free(ls->seq);
    memset(ls, 0, sizeof *ls);
}

/* Positions (1-based), open shipments after each task, job-delivery prefix sums. */
static void index_route(const cv__ctx *c, cv__ls *ls, const cv__route *r)
{
    const cv_problem *p = c->p;
    const uint32_t nd = c->nd;
    uint32_t open = 0;
    int64_t acc[CV_MAX_AMOUNT_DIMS] = {0};
    for (uint32_t k = 0; k < r->n; k++) {
        uint32_t t = r->t[k];
        const cv_task *tk = &p->tasks[t];
        ls->pos[t] = k + 1;
        if (tk->kind == CV_TASK_PICKUP)
            open++;
        else if (tk->kind == CV_TASK_DELIVERY)
            open--;
        else {
            const int64_t *del = cv_task_delivery(p, tk);
            for (uint32_t d = 0; d < nd; d++) acc[d] += del[d];
        }
        ls->open[t] = open;
        memcpy(ls->jd + (size_t)t * nd, acc, nd * sizeof *acc);
    }
}

/* Job deliveries of route r up to position i (0 = none). */
static inline const int64_t *jd_at(const cv__ctx *c, const cv__ls *ls, const cv__route *r,
                                   uint32_t i)
{
    return i == 0 ? c->zero : ls->jd + (size_t)r->t[i - 1] * c->nd;
}

static inline uint32_t open_at(const cv__ls *ls, const cv__route *r, uint32_t i)
{
    return i == 0 ? 0 : ls->open[r->t[i - 1]];
}

/* Latest arrival at position j of route r coming from location prev (as in route.c). */
static inline int64_t latest_arrival(const cv_problem *p, const cv__route *r, uint32_t j,
                                     uint32_t prev)
{
    if (j == r->n + 1) return r->ldep[j];
    const cv_task *t = &p->tasks[r->t[j - 1]];
    int64_t su = (prev == CV_NONE || prev != t->loc) ? t->setup : 0;
    return cv__tw_latest(cv_task_tws(p, t), t->tw_count, r->ldep[j] - su - t->service);
}

/* Is A[..i] + B[j+1..] feasible for A's vehicle? */
static bool join_ok(const cv__ctx *c, const cv__ls *ls, const cv__route *A, uint32_t i,
                    const cv__route *B, uint32_t j)
{
    const cv_problem *p = c->p;
    const cv_vehicle *vh = &p->vehicles[A->v];
    const cv__veh *w = &c->veh[A->v];
    const uint32_t la = A->loc[i], lb = B->loc[j + 1];
    if ((uint64_t)i + (B->n - j) > vh->max_tasks) return false;
    if (A->dep[i] < 0) return false;
    if (A->dep[i] + cv__dur(w, la, lb) > latest_arrival(p, B, j + 1, la)) return false;
    if (A->cdur[i] + cv__dur(w, la, lb) + (B->dur - B->cdur[j + 1]) > vh->max_travel_time)
        return false;
    if (A->cdist[i] + cv__dist(w, la, lb) + (B->dist - B->cdist[j + 1]) > vh->max_distance)
        return false;
    const uint32_t nd = c->nd;
    if (nd) {
        const int64_t *cap = cv_vehicle_capacity(p, vh);
        const int64_t *jdA = jd_at(c, ls, A, i), *jdBj = jd_at(c, ls, B, j),
                      *jdBn = jd_at(c, ls, B, B->n);
        for (uint32_t d = 0; d < nd; d++) {
            int64_t l0 = jdA[d] + jdBn[d] - jdBj[d]; /* new start load */
            int64_t l0a = A->load[d];                /* old start load of A */
            if (A->pmax[(size_t)i * nd + d] - l0a + l0 > cap[d]) return false;
            if (B->smax[(size_t)(j + 1) * nd + d] + l0 + A->load[(size_t)i * nd + d] - l0a -
                    B->load[(size_t)j * nd + d] >
                cap[d])
                return false;
        }
    }
    return true;
}

/* Applies the exchange. */
static cv_status apply(const cv__ctx *c, cv__sol *s, cv__ls *ls, uint32_t ra, uint32_t i,
                       uint32_t rb, uint32_t j)
{
    cv__route *A = &s->r[ra], *B = &s->r[rb];
    uint32_t na = A->n, nb = B->n;
    uint32_t *tmp = ls->seq;
    /* tails: A[i..na-1] (0-based), B[j..nb-1] */
    uint32_t ta = na - i, tb = nb - j;
    memcpy(tmp, A->t + i, ta * sizeof *tmp);
    uint32_t *sa = cv_calloc((size_t)i + tb + 1, sizeof *sa);
    uint32_t *sb = cv_calloc((size_t)j + ta + 1, sizeof *sb);
    if (!sa || !sb) {
        free(sa);
        free(sb);
        return CV_ENOMEM;
    }
    memcpy(sa, A->t, i * sizeof *sa);
    memcpy(sa + i, B->t + j, tb * sizeof *sa);
    memcpy(sb, B->t, j * sizeof *sb);
    memcpy(sb + j, tmp, ta * sizeof *sb);
    cv_status st = cv__route_set(c, s, ra, sa, i + tb);
    if (st == CV_OK) st = cv__route_set(c, s, rb, sb, j + ta);
    free(sa);
    free(sb);
    if (st == CV_OK) {
        /* The second set cleared the task map of B's old tail, now in A. */
        for (uint32_t k = 0; k < s->r[ra].n; k++) s->route_of[s->r[ra].t[k]] = ra;
        cv__sol_recount(c, s);
        index_route(c, ls, &s->r[ra]);
        index_route(c, ls, &s->r[rb]);
    }
    return st;
}

cv_status cv__ls_two_opt_star(const cv__ctx *c, cv__sol *s, cv__ls *ls, const uint32_t *routes,
                              uint32_t nroutes, uint8_t *touched, uint32_t *tlist,
                              uint32_t *ntouched, uint64_t *effort)
{
    const cv_problem *p = c->p;
    for (uint32_t r = 0; r < s->nv; r++) index_route(c, ls, &s->r[r]);
    const uint32_t K = c->nneigh < LS_NEIGH ? c->nneigh : LS_NEIGH;
    bool improved = true;
    uint32_t rounds = 0;
    while (improved && rounds++ < 8) {
        improved = false;
        for (uint32_t x = 0; x < nroutes; x++) {
            uint32_t ra = routes[x];
            if (c->veh[s->r[ra].v].has_breaks) continue;
            for (uint32_t k = 0; k < s->r[ra].n; k++) {
                const uint32_t u = s->r[ra].t[k];
                for (uint32_t q = 0; q < K; q++) {
                    const uint32_t v = c->neigh[(size_t)u * c->nneigh + q];
                    const uint32_t rb = s->route_of[v];
                    if (rb == CV_NONE || rb == ra || c->vclass[ra] != c->vclass[rb]) continue;
                    const cv__route *A = &s->r[ra], *B = &s->r[rb];
                    const cv__veh *w = &c->veh[A->v];
                    const uint32_t pu = ls->pos[u], pv = ls->pos[v];
                    /* Two cuts: arc u -> v (i = pu, j = pv - 1) and v -> u (i = pu - 1, j = pv). */
                    for (int side = 0; side < 2; side++) {
                        uint32_t i = side ? pu - 1 : pu, j = side ? pv : pv - 1;
                        (*effort)++;
                        if (open_at(ls, A, i) || open_at(ls, B, j)) continue;
                        double delta = cv__cost(w, A->loc[i], B->loc[j + 1]) +
                                       cv__cost(w, B->loc[j], A->loc[i + 1]) -
                                       cv__cost(w, A->loc[i], A->loc[i + 1]) -
                                       cv__cost(w, B->loc[j], B->loc[j + 1]);
                        /* A route left empty costs nothing, not even its start-end arc. */
                        if (i == 0 && j == B->n)
                            delta -= w->fixed + cv__cost(w, A->loc[0], B->loc[j + 1]);
                        if (j == 0 && i == A->n)
                            delta -= w->fixed + cv__cost(w, B->loc[0], A->loc[i + 1]);
                        if (!(delta < -1e-9)) continue;
                        if (!join_ok(c, ls, A, i, B, j) || !join_ok(c, ls, B, j, A, i)) continue;
#ifdef CV_DEBUG_CHECKS
                        double before = s->cost;
#endif
                        cv_status st = apply(c, s, ls, ra, i, rb, j);
                        if (st != CV_OK) return st;
#ifdef CV_DEBUG_CHECKS
                        {
                            cv__eval ea, eb;
                            bool oka = cv__route_eval(c, ra, s->r[ra].t, s->r[ra].n, &ea, NULL,
                                                      NULL, NULL);
                            bool okb = cv__route_eval(c, rb, s->r[rb].t, s->r[rb].n, &eb, NULL,
                                                      NULL, NULL);
                            if (!oka || !okb ||
                                fabs(s->cost - before - delta) > 1e-6 * (1 + fabs(before))) {
                                fprintf(stderr,
                                        "cv_solver: CV_DEBUG_CHECKS: 2-opt* routes %u/%u: "
                                        "feasible %d/%d, cost change %.3f predicted %.3f\n",
                                        ra, rb, oka, okb, s->cost - before, delta);
                                abort();
                            }
                        }
#endif
                        if (touched) {
                            if (!touched[ra]) touched[ra] = 1, tlist[(*ntouched)++] = ra;
                            if (!touched[rb]) touched[rb] = 1, tlist[(*ntouched)++] = rb;
                        }
                        improved = true;
                        break;
                    }
                    if (ls->pos[u] != k + 1 || s->route_of[u] != ra) break; /* u moved on */
                }
                if (k >= s->r[ra].n) break;
            }
        }
    }
    (void)p;
    return CV_OK;
}
