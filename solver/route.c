/* Routes with cached forward/backward data, and O(1) insertion checks.
 *
 * Per position k (0 start, 1..n tasks, n+1 end): earliest departure dep[k],
 * latest departure ldep[k] that keeps the rest of the route feasible,
 * cumulative travel, load after k and its prefix/suffix maxima per
 * dimension.  Inserting task u between k and k+1 is then feasible iff u can
 * begin in a window after dep[k] + travel, the arrival at k+1 is no later
 * than its latest arrival given its (possibly changed) setup, the travel
 * totals stay within the limits, and pmax[k] + delivery(u), smax[k+1] +
 * pickup(u) fit the capacity.  A shipment is inserted as a pair: for each
 * pickup position the delivery positions are scanned forward once,
 * re-timing the tasks in between (O(n^2) per route).  Vehicles with breaks go
 * through the full evaluation of route_eval.c instead.  Debug builds compare
 * the fast answer with a brute force over the full evaluation.
 */
#include "solver_int.h"

#include <assert.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool route_reserve(cv__route *r, uint32_t need, uint32_t nd)
{
    if (need <= r->cap && r->t) return true;
    uint32_t cap = r->cap ? r->cap : 8;
    while (cap < need) cap *= 2;
    size_t np = (size_t)cap + 2, nl = np * (nd ? nd : 1);
    uint32_t *t = cv_realloc_array(r->t, cap, sizeof *t);
    if (t) r->t = t;
    uint32_t *loc = cv_realloc_array(r->loc, np, sizeof *loc);
    if (loc) r->loc = loc;
    int64_t *a[4] = {r->dep, r->ldep, r->cdur, r->cdist};
    bool ok = t && loc;
    for (int i = 0; i < 4; i++) {
        int64_t *x = cv_realloc_array(a[i], np, sizeof *x);
        if (x)
            a[i] = x;
        else
            ok = false;
    }
    r->dep = a[0], r->ldep = a[1], r->cdur = a[2], r->cdist = a[3];
    double *cc = cv_realloc_array(r->ccost, np, sizeof *cc);
    if (cc)
        r->ccost = cc;
    else
        ok = false;
    uint32_t *op = cv_realloc_array(r->nopen, np, sizeof *op);
    if (op)
        r->nopen = op;
    else
        ok = false;
    int64_t *b[4] = {r->load, r->pmax, r->smax, r->jdel};
    for (int i = 0; i < 4; i++) {
        int64_t *x = cv_realloc_array(b[i], nl, sizeof *x);
        if (x)
            b[i] = x;
        else
            ok = false;
    }
    r->load = b[0], r->pmax = b[1], r->smax = b[2], r->jdel = b[3];
    if (ok) r->cap = cap;
    return ok;
}

void cv__route_free(cv__route *r)
{
    free(r->t);
    free(r->loc);
    free(r->dep);
    free(r->ldep);
    free(r->cdur);
    free(r->cdist);
    free(r->load);
    free(r->pmax);
    free(r->smax);
    free(r->jdel);
    free(r->ccost);
    free(r->nopen);
    memset(r, 0, sizeof *r);
}

cv_status cv__sol_init(cv__sol *s, const cv__ctx *c)
{
    memset(s, 0, sizeof *s);
    s->nv = c->nv;
    s->nt = c->nt;
    s->r = cv_calloc(c->nv + 1, sizeof *s->r);
    s->route_of = cv_calloc(c->nt + 1, sizeof *s->route_of);
    if (!s->r || !s->route_of) goto oom;
    if (c->care && !(s->begin = cv_calloc(c->nt + 1, sizeof *s->begin))) goto oom;
    for (uint32_t v = 0; v < c->nv; v++) {
        s->r[v].v = v;
        if (!route_reserve(&s->r[v], 8, c->nd)) goto oom;
        cv__route_update(c, &s->r[v]);
    }
    for (uint32_t t = 0; t < c->nt; t++) s->route_of[t] = CV_NONE;
    cv__sol_recount(c, s);
    return CV_OK;
oom:
    cv__sol_fini(s);
    return CV_ENOMEM;
}

void cv__sol_fini(cv__sol *s)
{
    if (s->r)
        for (uint32_t v = 0; v < s->nv; v++) cv__route_free(&s->r[v]);
    free(s->r);
    free(s->route_of);
    free(s->begin);
    memset(s, 0, sizeof *s);
}

cv_status cv__route_copy(cv__route *dst, const cv__route *src, uint32_t nd)
{
    if (!route_reserve(dst, src->n + 1, nd)) return CV_ENOMEM;
    size_t np = (size_t)src->n + 2, nl = np * nd;
    dst->v = src->v;
    dst->n = src->n;
    memcpy(dst->t, src->t, src->n * sizeof *dst->t);
    memcpy(dst->loc, src->loc, np * sizeof *dst->loc);
    memcpy(dst->dep, src->dep, np * sizeof *dst->dep);
    memcpy(dst->ldep, src->ldep, np * sizeof *dst->ldep);
    memcpy(dst->cdur, src->cdur, np * sizeof *dst->cdur);
    memcpy(dst->cdist, src->cdist, np * sizeof *dst->cdist);
    memcpy(dst->ccost, src->ccost, np * sizeof *dst->ccost);
    memcpy(dst->nopen, src->nopen, np * sizeof *dst->nopen);
    if (nd) {
        memcpy(dst->load, src->load, nl * sizeof *dst->load);
        memcpy(dst->pmax, src->pmax, nl * sizeof *dst->pmax);
        memcpy(dst->smax, src->smax, nl * sizeof *dst->smax);
        memcpy(dst->jdel, src->jdel, nl * sizeof *dst->jdel);
    }
    dst->cost = src->cost;
    dst->dur = src->dur;
    dst->dist = src->dist;
    dst->work = src->work;
    return CV_OK;
}

cv_status cv__sol_copy(cv__sol *dst, const cv__sol *src, uint32_t nd)
{
    if (!dst->r) {
        dst->r = cv_calloc(src->nv + 1, sizeof *dst->r);
        dst->route_of = cv_calloc(src->nt + 1, sizeof *dst->route_of);
        if (!dst->r || !dst->route_of) return CV_ENOMEM;
        dst->nv = src->nv;
        dst->nt = src->nt;
    }
    if (src->begin && !dst->begin && !(dst->begin = cv_calloc(src->nt + 1, sizeof *dst->begin)))
        return CV_ENOMEM;
    if (src->begin) memcpy(dst->begin, src->begin, src->nt * sizeof *dst->begin);
    for (uint32_t v = 0; v < src->nv; v++)
        if (cv__route_copy(&dst->r[v], &src->r[v], nd) != CV_OK) return CV_ENOMEM;
    memcpy(dst->route_of, src->route_of, src->nt * sizeof *dst->route_of);
    dst->cost = src->cost;
    dst->unassigned_prio = src->unassigned_prio;
    dst->nunassigned = src->nunassigned;
    return CV_OK;
}

cv_status cv__route_set_norecount(const cv__ctx *c, cv__sol *s, uint32_t ri, const uint32_t *seq,
                                  uint32_t n)
{
    cv__route *r = &s->r[ri];
    if (!route_reserve(r, n + 1, c->nd)) return CV_ENOMEM;
    for (uint32_t k = 0; k < r->n; k++) s->route_of[r->t[k]] = CV_NONE;
    memcpy(r->t, seq, n * sizeof *seq);
    r->n = n;
    for (uint32_t k = 0; k < n; k++) s->route_of[seq[k]] = ri;
    cv__route_update(c, r);
    return CV_OK;
}

cv_status cv__route_set(const cv__ctx *c, cv__sol *s, uint32_t ri, const uint32_t *seq, uint32_t n)
{
    cv_status st = cv__route_set_norecount(c, s, ri, seq, n);
    if (st == CV_OK) cv__sol_recount(c, s);
    return st;
}

cv_status cv__route_assign(const cv__ctx *c, cv__sol *s, uint32_t ri, const uint32_t *seq,
                           uint32_t n)
{
    cv__route *r = &s->r[ri];
    if (!route_reserve(r, n + 1, c->nd)) return CV_ENOMEM;
    memcpy(r->t, seq, n * sizeof *seq);
    r->n = n;
    for (uint32_t k = 0; k < n; k++) s->route_of[seq[k]] = ri;
    double old = r->cost;
    bool ok = cv__route_update(c, r);
    (void)ok;
    assert(ok);
    s->cost += r->cost - old;
    return CV_OK;
}

void cv__sol_recount(const cv__ctx *c, cv__sol *s)
{
    s->cost = c->care ? cv__care_fairness(c, s) : 0;
    for (uint32_t v = 0; v < s->nv; v++) s->cost += s->r[v].cost;
    s->unassigned_prio = 0;
    s->nunassigned = 0;
    for (uint32_t t = 0; t < s->nt; t++)
        if (s->route_of[t] == CV_NONE) {
            s->unassigned_prio += c->p->tasks[t].priority;
            s->nunassigned++;
        }
}

/* Departure from task t arriving at `arrival` from `prev`; -1 when no window fits. */
static inline int64_t depart(const cv_problem *p, const cv_task *t, uint32_t prev, int64_t arrival)
{
    int64_t b = cv__tw_begin(cv_task_tws(p, t), t->tw_count, arrival);
    if (b < 0) return -1;
    return b + ((prev == CV_NONE || prev != t->loc) ? t->setup : 0) + t->service;
}

bool cv__route_update(const cv__ctx *c, cv__route *r)
{
    const cv_problem *p = c->p;
    const cv_vehicle *vh = &p->vehicles[r->v];
    const cv__veh *w = &c->veh[r->v];
    const uint32_t n = r->n, nd = c->nd;
    bool ok = true;
    r->loc[0] = vh->start_loc;
    for (uint32_t k = 1; k <= n; k++) r->loc[k] = p->tasks[r->t[k - 1]].loc;
    r->loc[n + 1] = vh->end_loc;
    /* With an open start the first task is reached without travel; with an
     * open end the route ends where the last task is. */
    r->dep[0] = vh->tw.start;
    r->cdur[0] = r->cdist[0] = 0;
    r->ccost[0] = 0;
    r->nopen[0] = 0;
    double cost = 0;
    uint32_t prev = r->loc[0];
    for (uint32_t k = 1; k <= n + 1; k++) {
        uint32_t l = r->loc[k];
        r->cdur[k] = r->cdur[k - 1] + cv__dur(w, prev, l);
        r->cdist[k] = r->cdist[k - 1] + cv__dist(w, prev, l);
        cost += cv__cost(w, prev, l);
        r->ccost[k] = cost;
        if (k <= n) {
            cv_task_kind kind = p->tasks[r->t[k - 1]].kind;
            r->nopen[k] = r->nopen[k - 1] + (kind == CV_TASK_PICKUP) - (kind == CV_TASK_DELIVERY);
        } else {
            r->nopen[k] = r->nopen[k - 1];
        }
        int64_t arr = r->dep[k - 1] + cv__dur(w, prev, l);
        if (k <= n) {
            int64_t d = r->dep[k - 1] < 0 ? -1 : depart(p, &p->tasks[r->t[k - 1]], prev, arr);
            r->dep[k] = d;
            if (d < 0) ok = false;
        } else {
            r->dep[k] = r->dep[k - 1] < 0 ? -1 : arr;
            if (r->dep[k] < 0 || r->dep[k] > vh->tw.end) ok = false;
        }
        if (l != CV_NONE) prev = l;
        /* Keep the location chain right for open ends: position n + 1 has no
         * location, travel from the last task is 0. */
    }
    r->dur = r->cdur[n + 1];
    r->dist = r->cdist[n + 1];
    r->cost = n ? cost + w->fixed : 0;
    /* Backward latest departures. */
    r->ldep[n + 1] = vh->tw.end;
    for (uint32_t k = n + 1; k-- > 0;) {
        uint32_t from = r->loc[k];
        if (from == CV_NONE && k == 0) from = CV_NONE;
        int64_t la = cv__route_latest_arrival(p, r, k + 1, from);
        r->ldep[k] = la == CV__TIME_NONE ? CV__TIME_NONE / 2 : la - cv__dur(w, from, r->loc[k + 1]);
    }
    /* Loads. */
    if (nd) {
        int64_t *l0 = r->load;
        for (uint32_t d = 0; d < nd; d++) r->jdel[d] = 0;
        for (uint32_t k = 1; k <= n + 1; k++) {
            int64_t *jk = r->jdel + (size_t)k * nd, *jp = jk - nd;
            const cv_task *t = k <= n ? &p->tasks[r->t[k - 1]] : NULL;
            const int64_t *del = t && t->kind == CV_TASK_JOB ? cv_task_delivery(p, t) : c->zero;
            for (uint32_t d = 0; d < nd; d++) jk[d] = jp[d] + del[d];
        }
        for (uint32_t d = 0; d < nd; d++) l0[d] = r->jdel[(size_t)(n + 1) * nd + d];
        for (uint32_t k = 1; k <= n + 1; k++) {
            int64_t *lk = r->load + (size_t)k * nd, *lp = lk - nd;
            if (k <= n) {
                const cv_task *t = &p->tasks[r->t[k - 1]];
                const int64_t *del = cv_task_delivery(p, t), *pick = cv_task_pickup(p, t);
                for (uint32_t d = 0; d < nd; d++) lk[d] = lp[d] + pick[d] - del[d];
            } else {
                for (uint32_t d = 0; d < nd; d++) lk[d] = lp[d];
            }
        }
        const int64_t *cap = cv_vehicle_capacity(p, vh);
        for (uint32_t k = 0; k <= n + 1; k++)
            for (uint32_t d = 0; d < nd; d++) {
                int64_t v = r->load[(size_t)k * nd + d];
                int64_t pm = k ? r->pmax[(size_t)(k - 1) * nd + d] : v;
                r->pmax[(size_t)k * nd + d] = v > pm ? v : pm;
                if (v > cap[d]) ok = false;
            }
        for (uint32_t k = n + 2; k-- > 0;)
            for (uint32_t d = 0; d < nd; d++) {
                int64_t v = r->load[(size_t)k * nd + d];
                int64_t sm = k <= n ? r->smax[(size_t)(k + 1) * nd + d] : v;
                r->smax[(size_t)k * nd + d] = v > sm ? v : sm;
            }
    }
    if (r->dur > vh->max_travel_time || r->dist > vh->max_distance || n > vh->max_tasks) ok = false;
    r->work = 0;
    if ((w->has_breaks || c->care) && n) {
        /* Breaks, and the care rules, need the full evaluation; with care
         * extensions it also gives the cost (preferences, lateness,
         * overtime) and working time of the route alone, which care_sched.c
         * replaces when relations tie the route to others. */
        cv__eval e;
        ok = cv__route_eval(c, r->v, r->t, n, &e, NULL, NULL, NULL);
        if (c->care) {
            r->cost = e.cost;
            r->work = e.work;
        }
    }
    return ok;
}

cv_status cv__route_insert(const cv__ctx *c, cv__sol *s, uint32_t ri, uint32_t u, uint32_t pos,
                           uint32_t u2, uint32_t pos2)
{
    cv__route *r = &s->r[ri];
    uint32_t add = u2 == CV_NONE ? 1 : 2;
    if (!route_reserve(r, r->n + add + 1, c->nd)) return CV_ENOMEM;
    assert(pos <= r->n);
    memmove(r->t + pos + 1, r->t + pos, (r->n - pos) * sizeof *r->t);
    r->t[pos] = u;
    r->n++;
    if (u2 != CV_NONE) {
        assert(pos2 > pos && pos2 <= r->n);
        memmove(r->t + pos2 + 1, r->t + pos2, (r->n - pos2) * sizeof *r->t);
        r->t[pos2] = u2;
        r->n++;
    }
    double old = r->cost;
    bool ok = cv__route_update(c, r);
    (void)ok;
    assert(ok);
    s->cost += r->cost - old;
    s->route_of[u] = ri;
    s->nunassigned--;
    s->unassigned_prio -= c->p->tasks[u].priority;
    if (u2 != CV_NONE) {
        s->route_of[u2] = ri;
        s->nunassigned--;
        s->unassigned_prio -= c->p->tasks[u2].priority;
    }
    return CV_OK;
}

bool cv__route_remove_marked(const cv__ctx *c, cv__sol *s, uint32_t ri, const uint8_t *mark)
{
    cv__route *r = &s->r[ri];
    uint32_t m = 0;
    for (uint32_t k = 0; k < r->n; k++) {
        uint32_t t = r->t[k];
        if (mark[t]) {
            s->route_of[t] = CV_NONE;
            s->nunassigned++;
            s->unassigned_prio += c->p->tasks[t].priority;
        } else {
            r->t[m++] = t;
        }
    }
    if (m == r->n) return true;
    r->n = m;
    double old = r->cost;
    /* Removing tasks keeps a route feasible only when travel times obey the
     * triangle inequality; the caller empties a route that became infeasible. */
    bool ok = cv__route_update(c, r);
    s->cost += r->cost - old;
    return ok;
}

/* Blink test without floating point: skip with probability blink. */
static inline bool blinks(cv_rng *rng, uint64_t thr)
{
    return thr && cv_rng_next(rng) < thr;
}

/* ---- Insertion by the full evaluation (vehicles with breaks; debug reference). ---- */

static bool brute_insert(const cv__ctx *c, const cv__route *r, uint32_t u, uint64_t blink,
                         cv_rng *rng, double bound, cv__ins *best, uint64_t *effort)
{
    const cv_problem *p = c->p;
    const cv_task *t = &p->tasks[u];
    bool pair = t->kind == CV_TASK_PICKUP;
    uint32_t n = r->n, m = n + (pair ? 2 : 1);
    uint32_t *seq = cv_calloc(m, sizeof *seq);
    if (!seq) return false;
    bool found = false;
    cv__eval e;
    for (uint32_t i = 0; i <= n; i++) {
        uint32_t jlo = pair ? i + 1 : 0, jhi = pair ? n + 1 : 0;
        for (uint32_t j = jlo; j <= jhi; j++) {
            if (blinks(rng, blink)) continue;
            (*effort) += n + 1;
            /* new sequence: u at i, sibling at j (in the new numbering) */
            uint32_t a = 0, k = 0;
            for (uint32_t x = 0; x < m; x++) {
                if (x == i)
                    seq[x] = u;
                else if (pair && x == j)
                    seq[x] = t->sibling;
                else
                    seq[x] = r->t[k++];
                a++;
            }
            (void)a;
            if (!cv__route_eval(c, r->v, seq, m, &e, NULL, NULL, NULL)) continue;
            double delta = e.cost - r->cost;
            if (delta < bound - 1e-9) {
                found = true;
                bound = delta;
                best->delta = delta;
                best->pos = i;
                best->pos2 = pair ? j : CV_NONE;
            }
        }
    }
    free(seq);
    return found;
}

static bool fast_insert_job(const cv__ctx *c, const cv__route *r, uint32_t u, uint64_t blink,
                            cv_rng *rng, double bound, cv__ins *best, uint64_t *effort)
{
    const cv_problem *p = c->p;
    const cv_vehicle *vh = &p->vehicles[r->v];
    const cv__veh *w = &c->veh[r->v];
    const cv_task *t = &p->tasks[u];
    const uint32_t n = r->n, nd = c->nd, lu = t->loc;
    const int64_t *cap = cv_vehicle_capacity(p, vh);
    const int64_t *del = cv_task_delivery(p, t), *pick = cv_task_pickup(p, t);
    const cv_tw *tw = cv_task_tws(p, t);
    const uint32_t ntw = t->tw_count;
    const int64_t last_end = tw[ntw - 1].end;
    const int64_t maxdur = vh->max_travel_time, maxdist = vh->max_distance;
    /* An empty route costs nothing (route_update), yet the deltas below take
     * off its start -> end leg: put it back (it matters when start != end). */
    const double fixed = n ? 0 : w->fixed + cv__cost(w, r->loc[0], r->loc[1]);
    bool found = false;
    double lim = bound;
    for (uint32_t i = 0; i <= n; i++) {
        /* Departures never decrease along a route: past the last window, stop. */
        if (r->dep[i] > last_end) break;
        if (blinks(rng, blink)) continue;
        (*effort)++;
        const uint32_t pl = r->loc[i], nl = r->loc[i + 1];
        double delta = cv__cost(w, pl, lu) + cv__cost(w, lu, nl) - cv__cost(w, pl, nl) + fixed;
        if (!(delta < lim - 1e-9)) continue;
        int64_t arr = r->dep[i] + cv__dur(w, pl, lu);
        int64_t b = cv__tw_begin(tw, ntw, arr);
        if (b < 0) continue;
        int64_t dp = b + ((pl == CV_NONE || pl != lu) ? t->setup : 0) + t->service;
        int64_t an = dp + cv__dur(w, lu, nl);
        if (an > cv__route_latest_arrival(p, r, i + 1, lu)) continue;
        if (maxdur < CV_TIME_MAX &&
            r->dur - cv__dur(w, pl, nl) + cv__dur(w, pl, lu) + cv__dur(w, lu, nl) > maxdur)
            continue;
        if (maxdist < CV_TIME_MAX &&
            r->dist - cv__dist(w, pl, nl) + cv__dist(w, pl, lu) + cv__dist(w, lu, nl) > maxdist)
            continue;
        bool fits = true;
        for (uint32_t d = 0; d < nd && fits; d++) {
            if (r->pmax[(size_t)i * nd + d] + del[d] > cap[d] ||
                r->smax[(size_t)(i + 1) * nd + d] + pick[d] > cap[d] ||
                r->load[(size_t)i * nd + d] + pick[d] > cap[d])
                fits = false;
        }
        if (!fits) continue;
        found = true;
        lim = delta;
        best->delta = delta;
        best->pos = i;
        best->pos2 = CV_NONE;
    }
    return found;
}

static bool fast_insert_pair(const cv__ctx *c, const cv__route *r, uint32_t u, uint64_t blink,
                             cv_rng *rng, double bound, cv__ins *best, uint64_t *effort)
{
    const cv_problem *p = c->p;
    const cv_vehicle *vh = &p->vehicles[r->v];
    const cv__veh *w = &c->veh[r->v];
    const cv_task *tp = &p->tasks[u], *td = &p->tasks[tp->sibling];
    const uint32_t n = r->n, nd = c->nd, lp = tp->loc, ld = td->loc;
    const int64_t *cap = cv_vehicle_capacity(p, vh);
    const int64_t *amt = cv_task_pickup(p, tp);
    const int64_t maxdur = vh->max_travel_time, maxdist = vh->max_distance;
    /* An empty route costs nothing (route_update), yet the deltas below take
     * off its start -> end leg: put it back (it matters when start != end). */
    const double fixed = n ? 0 : w->fixed + cv__cost(w, r->loc[0], r->loc[1]);
    int64_t rm[CV_MAX_AMOUNT_DIMS];
    bool found = false;
    double lim = bound;
    const int64_t last_end = cv_task_tws(p, tp)[tp->tw_count - 1].end;
    for (uint32_t d = 0; d < nd; d++)
        if (amt[d] > cap[d]) return false;
    for (uint32_t i = 0; i <= n; i++) {
        if (r->dep[i] > last_end) break;
        const uint32_t li = r->loc[i], li1 = r->loc[i + 1];
        int64_t b = cv__tw_begin(cv_task_tws(p, tp), tp->tw_count, r->dep[i] + cv__dur(w, li, lp));
        if (b < 0) continue;
        int64_t T = b + ((li == CV_NONE || li != lp) ? tp->setup : 0) + tp->service;
        bool fits = true;
        for (uint32_t d = 0; d < nd; d++) {
            rm[d] = r->load[(size_t)i * nd + d] + amt[d];
            if (rm[d] > cap[d]) fits = false;
        }
        if (!fits) continue;
        /* Travel and cost change of the pickup alone (for j > i). */
        int64_t ddur_p = cv__dur(w, li, lp) + cv__dur(w, lp, li1) - cv__dur(w, li, li1);
        int64_t ddist_p = cv__dist(w, li, lp) + cv__dist(w, lp, li1) - cv__dist(w, li, li1);
        double dcost_p = cv__cost(w, li, lp) + cv__cost(w, lp, li1) - cv__cost(w, li, li1);
        uint32_t prevl = lp;
        for (uint32_t j = i; j <= n; j++) {
            if (j > i) {
                /* Re-time original task j, now after the pickup. */
                const cv_task *tj = &p->tasks[r->t[j - 1]];
                int64_t bj =
                    cv__tw_begin(cv_task_tws(p, tj), tj->tw_count, T + cv__dur(w, prevl, tj->loc));
                if (bj < 0) break;
                T = bj + ((prevl == CV_NONE || prevl != tj->loc) ? tj->setup : 0) + tj->service;
                prevl = tj->loc;
                for (uint32_t d = 0; d < nd; d++) {
                    int64_t l = r->load[(size_t)j * nd + d] + amt[d];
                    if (l > rm[d]) rm[d] = l;
                    if (rm[d] > cap[d]) fits = false;
                }
                if (!fits) break;
            }
            if (!blinks(rng, blink)) {
                (*effort)++;
                const uint32_t nl = r->loc[j + 1];
                int64_t bd =
                    cv__tw_begin(cv_task_tws(p, td), td->tw_count, T + cv__dur(w, prevl, ld));
                if (bd >= 0) {
                    int64_t dd =
                        bd + ((prevl == CV_NONE || prevl != ld) ? td->setup : 0) + td->service;
                    int64_t ddur, ddist;
                    double dcost;
                    if (j == i) {
                        ddur = cv__dur(w, li, lp) + cv__dur(w, lp, ld) + cv__dur(w, ld, li1) -
                               cv__dur(w, li, li1);
                        ddist = cv__dist(w, li, lp) + cv__dist(w, lp, ld) + cv__dist(w, ld, li1) -
                                cv__dist(w, li, li1);
                        dcost = cv__cost(w, li, lp) + cv__cost(w, lp, ld) + cv__cost(w, ld, li1) -
                                cv__cost(w, li, li1);
                    } else {
                        const uint32_t lj = r->loc[j];
                        ddur =
                            ddur_p + cv__dur(w, lj, ld) + cv__dur(w, ld, nl) - cv__dur(w, lj, nl);
                        ddist = ddist_p + cv__dist(w, lj, ld) + cv__dist(w, ld, nl) -
                                cv__dist(w, lj, nl);
                        dcost = dcost_p + cv__cost(w, lj, ld) + cv__cost(w, ld, nl) -
                                cv__cost(w, lj, nl);
                    }
                    dcost += fixed;
                    if (dd + cv__dur(w, ld, nl) <= cv__route_latest_arrival(p, r, j + 1, ld) &&
                        r->dur + ddur <= maxdur && r->dist + ddist <= maxdist &&
                        dcost < lim - 1e-9) {
                        found = true;
                        lim = dcost;
                        best->delta = dcost;
                        best->pos = i;
                        best->pos2 = j + 1;
                    }
                }
            }
            /* Leaving task j later than its latest departure rules out every later j. */
            if (j > i && T > r->ldep[j]) break;
        }
    }
    return found;
}

#ifdef CV_DEBUG_CHECKS
static _Thread_local uint64_t debug_calls;
#endif

bool cv__route_best_insert(const cv__ctx *c, const cv__route *r, uint32_t u, double blink_p,
                           cv_rng *rng, double bound, cv__ins *best, uint64_t *effort)
{
    const uint64_t blink = blink_p > 0 ? (uint64_t)(blink_p * 18446744073709551615.0) : 0;
    const cv_problem *p = c->p;
    const cv_task *t = &p->tasks[u];
    assert(t->kind != CV_TASK_DELIVERY);
    if (!cv__can(c, u, r->v)) return false;
    if (t->kind == CV_TASK_PICKUP && !cv__can(c, t->sibling, r->v)) return false;
    uint32_t add = t->kind == CV_TASK_PICKUP ? 2 : 1;
    if ((uint64_t)r->n + add > p->vehicles[r->v].max_tasks) return false;
    if (c->veh[r->v].has_breaks || c->care)
        return brute_insert(c, r, u, blink, rng, bound, best, effort);
    bool found = t->kind == CV_TASK_PICKUP
                     ? fast_insert_pair(c, r, u, blink, rng, bound, best, effort)
                     : fast_insert_job(c, r, u, blink, rng, bound, best, effort);
#ifdef CV_DEBUG_CHECKS
    /* Every 61st call: the fast answer (without blinks) must equal the best
     * insertion found by the full evaluation of every position. */
    if (++debug_calls % 61 == 0 && r->n < 60) {
        cv__ins f, g;
        uint64_t e = 0;
        bool ff = t->kind == CV_TASK_PICKUP ? fast_insert_pair(c, r, u, 0, NULL, INFINITY, &f, &e)
                                            : fast_insert_job(c, r, u, 0, NULL, INFINITY, &f, &e);
        bool gg = brute_insert(c, r, u, 0, NULL, INFINITY, &g, &e);
        if (ff != gg || (ff && fabs(f.delta - g.delta) > 1e-6 * (1 + fabs(g.delta)))) {
            fprintf(stderr,
                    "cv_solver: CV_DEBUG_CHECKS: fast insertion of task %u in vehicle %u: "
                    "%d %.3f, full evaluation: %d %.3f\n",
                    u, r->v, ff, ff ? f.delta : 0.0, gg, gg ? g.delta : 0.0);
            abort();
        }
    }
#endif
    return found;
}
