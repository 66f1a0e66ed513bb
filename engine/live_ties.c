/* The live day timed as a whole (engine/live_int.h, cv__live_day): visits
 * tied across routes by the care extensions (docs/care-extensions.md) --
 * a visit with several workers, relations with gaps, a hot meal's ride time
 * -- make one route wait for another, so no route can be timed alone.
 *
 * The timing is the least solution of the difference constraints "start(b)
 * >= start(a) + w" over the routes' own schedules (label correction from
 * below, as the solver times linked routes): time every route with the
 * current lower bounds, raise the bound of each visit that starts too early
 * for a partner, and again until nothing moves.  Visits that already
 * happened (or are committed) sit at their known times and only bound their
 * partners.  Then every tie is checked once more against the final times; a
 * broken tie, a bound past a window, or no convergence marks the routes
 * involved infeasible with the reason.  This module computes; the plan
 * checker verifies the result on the remaining day. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "live_int.h"

#define NO_TIME ((int64_t)-1)
#define LO_NONE (-CV_TIME_MAX)

cv_status cv__live_build_tied(cv_live *L)
{
    const cv_problem *p = L->p;
    free(L->tied);
    L->tied = NULL;
    if (!p->nrelations) return CV_OK;
    L->tied = cv_calloc(p->ntasks ? p->ntasks : 1, sizeof *L->tied);
    if (!L->tied) return CV_ENOMEM;
    for (uint32_t i = 0; i < p->nrelations; i++) {
        L->tied[p->relations[i].first] = 1;
        L->tied[p->relations[i].second] = 1;
    }
    return CV_OK;
}

void cv__live_bounds_fini(cv__live_bounds *b)
{
    free(b->lo);
    free(b->hi);
    b->lo = b->hi = NULL;
}

static cv_status bounds_init(cv__live_bounds *b, uint32_t nt)
{
    b->lo = cv_calloc(nt ? nt : 1, sizeof *b->lo);
    b->hi = cv_calloc(nt ? nt : 1, sizeof *b->hi);
    if (!b->lo || !b->hi) {
        cv__live_bounds_fini(b);
        return CV_ENOMEM;
    }
    for (uint32_t t = 0; t < nt; t++) b->lo[t] = LO_NONE, b->hi[t] = CV_TIME_MAX;
    return CV_OK;
}

void cv__live_day_fini(cv__live_day *d)
{
    if (d->seq)
        for (uint32_t v = 0; v < d->nv; v++) free(d->seq[v]);
    if (d->eta)
        for (uint32_t v = 0; v < d->nv; v++) free(d->eta[v]);
    free(d->seq);
    free(d->eta);
    free(d->n);
    free(d->av);
    free(d->sched);
    free(d->known);
    free(d->start);
    free(d->done);
    free(d->veh);
    cv__live_bounds_fini(&d->bd);
    memset(d, 0, sizeof *d);
}

cv_status cv__live_day_of(const cv_live *L, cv__live_day *d)
{
    const cv_problem *p = L->p;
    const uint32_t nv = p->nvehicles, nt = p->ntasks;
    memset(d, 0, sizeof *d);
    d->nv = nv;
    d->nt = nt;
    d->av = cv_calloc(nv ? nv : 1, sizeof *d->av);
    d->seq = cv_calloc(nv ? nv : 1, sizeof *d->seq);
    d->eta = cv_calloc(nv ? nv : 1, sizeof *d->eta);
    d->n = cv_calloc(nv ? nv : 1, sizeof *d->n);
    d->sched = cv_calloc(nv ? nv : 1, sizeof *d->sched);
    d->known = cv_calloc(nt ? nt : 1, sizeof *d->known);
    d->start = cv_calloc(nt ? nt : 1, sizeof *d->start);
    d->done = cv_calloc(nt ? nt : 1, sizeof *d->done);
    d->veh = cv_calloc(nt ? nt : 1, sizeof *d->veh);
    if (!d->av || !d->seq || !d->eta || !d->n || !d->sched || !d->known || !d->start || !d->done ||
        !d->veh || bounds_init(&d->bd, nt) != CV_OK)
        goto fail;
    for (uint32_t t = 0; t < nt; t++) d->start[t] = d->done[t] = NO_TIME, d->veh[t] = CV_NONE;
    for (uint32_t v = 0; v < nv; v++) {
        const cv__live_route *r = &L->routes[v];
        cv__live_avail_of(L, v, &d->av[v]);
        d->n[v] = r->n - r->nfrozen;
        /* Room for one more step: callers try insertions in place. */
        d->seq[v] = cv_calloc(d->n[v] + 2, sizeof **d->seq);
        d->eta[v] = cv_calloc(d->n[v] + 2, sizeof **d->eta);
        if (!d->seq[v] || !d->eta[v]) goto fail;
        memcpy(d->seq[v], r->step + r->nfrozen, d->n[v] * sizeof **d->seq);
        for (uint32_t k = 0; k < r->nfrozen; k++) {
            uint32_t x = r->step[k];
            if (CV__LIVE_IS_BREAK(x)) continue;
            d->known[x] = 1;
            d->start[x] = r->start[k];
            /* A visit under way ends at the earliest when the vehicle is free. */
            d->done[x] = k + 1 == r->nfrozen && r->in_progress ? d->av[v].time : r->end[k];
            d->veh[x] = v;
        }
    }
    cv__live_day_time(L, d);
    return CV_OK;
fail:
    cv__live_day_fini(d);
    return CV_ENOMEM;
}

/* Raises lo[x] to `need`; true when it moved. */
static bool raise(cv__live_bounds *b, uint32_t x, int64_t need)
{
    if (need <= b->lo[x]) return false;
    b->lo[x] = need;
    return true;
}

static void mark(cv__live_day *d, uint32_t v, const char *why)
{
    if (v == CV_NONE || v >= d->nv) return;
    if (d->sched[v].feasible) snprintf(d->sched[v].why, sizeof d->sched[v].why, "%s", why);
    d->sched[v].feasible = false;
}

void cv__live_day_time(const cv_live *L, cv__live_day *d)
{
    const cv_problem *p = L->p;
    const uint32_t nv = d->nv, nt = d->nt;
    cv__live_bounds *b = &d->bd;
    for (uint32_t t = 0; t < nt; t++) {
        b->lo[t] = LO_NONE, b->hi[t] = CV_TIME_MAX;
        if (!d->known[t]) d->start[t] = d->done[t] = NO_TIME, d->veh[t] = CV_NONE;
    }
    for (uint32_t v = 0; v < nv; v++)
        for (uint32_t k = 0; k < d->n[v]; k++)
            if (!CV__LIVE_IS_BREAK(d->seq[v][k])) d->veh[d->seq[v][k]] = v;
    /* Known partners bound the others once and for all. */
    for (uint32_t i = 0; i < p->nrelations; i++) {
        const cv_relation *r = &p->relations[i];
        uint32_t a = r->first, c = r->second;
        if (d->known[a] && !d->known[c]) {
            raise(b, c, d->start[a] + r->min_gap);
            if (r->max_gap < CV_TIME_MAX && d->start[a] + r->max_gap < b->hi[c])
                b->hi[c] = d->start[a] + r->max_gap;
        } else if (d->known[c] && !d->known[a]) {
            if (r->max_gap < CV_TIME_MAX) raise(b, a, d->start[c] - r->max_gap);
            if (d->start[c] - r->min_gap < b->hi[a]) b->hi[a] = d->start[c] - r->min_gap;
        }
    }
    for (uint32_t t = 0; t < nt; t++) {
        const cv_task *k = &p->tasks[t];
        if (k->kind != CV_TASK_PICKUP || k->max_ride_time <= 0 || !d->known[t]) continue;
        if (!d->known[k->sibling] && d->done[t] + k->max_ride_time < b->hi[k->sibling])
            b->hi[k->sibling] = d->done[t] + k->max_ride_time;
    }
    /* Label correction.  Each round either raises a bound or stops; a bound
     * that keeps rising runs into a window or the shift end and the route
     * turns infeasible, so a round limit only guards against cycles of
     * waits. */
    bool ties = p->nrelations > 0;
    for (uint32_t t = 0; t < nt && !ties; t++)
        ties = p->tasks[t].kind == CV_TASK_PICKUP && p->tasks[t].max_ride_time > 0;
    uint32_t rounds = 0;
    const uint32_t max_rounds = 4 * (p->nrelations + 4);
    for (;;) {
        for (uint32_t v = 0; v < nv; v++) {
            cv__live_schedule(p, v, &d->av[v], d->seq[v], d->n[v], true, b, d->eta[v],
                              &d->sched[v]);
            for (uint32_t k = 0; k < d->n[v]; k++) {
                uint32_t x = d->seq[v][k];
                if (CV__LIVE_IS_BREAK(x)) continue;
                d->start[x] = d->eta[v][k].start;
                d->done[x] = d->eta[v][k].end;
            }
        }
        if (!ties) break;
        bool moved = false;
        for (uint32_t i = 0; i < p->nrelations; i++) {
            const cv_relation *r = &p->relations[i];
            uint32_t a = r->first, c = r->second;
            if (d->start[a] == NO_TIME || d->start[c] == NO_TIME) continue;
            if (!d->known[c]) moved |= raise(b, c, d->start[a] + r->min_gap);
            if (!d->known[a] && r->max_gap < CV_TIME_MAX)
                moved |= raise(b, a, d->start[c] - r->max_gap);
        }
        for (uint32_t t = 0; t < nt; t++) {
            const cv_task *k = &p->tasks[t];
            if (k->kind != CV_TASK_PICKUP || k->max_ride_time <= 0 || d->known[t]) continue;
            uint32_t s = k->sibling;
            if (d->start[t] == NO_TIME || d->start[s] == NO_TIME) continue;
            int64_t over = d->start[s] - d->done[t] - k->max_ride_time;
            /* The meal waits at the canteen: the pickup begins later. */
            if (over > 0) moved |= raise(b, t, d->start[t] + over);
        }
        if (!moved) break;
        if (++rounds > max_rounds) {
            for (uint32_t i = 0; i < p->nrelations; i++) {
                mark(d, d->veh[p->relations[i].first], "tied visits wait for each other");
                mark(d, d->veh[p->relations[i].second], "tied visits wait for each other");
            }
            break;
        }
    }
    /* Every tie, checked on the final times. */
    char why[200];
    for (uint32_t i = 0; i < p->nrelations; i++) {
        const cv_relation *r = &p->relations[i];
        uint32_t a = r->first, c = r->second;
        const cv_task *x = &p->tasks[a], *y = &p->tasks[c];
        bool ta = d->start[a] != NO_TIME, tc = d->start[c] != NO_TIME;
        why[0] = 0;
        if (ta != tc) {
            /* One of the two happens, the other does not: only a skipped
             * visit frees its partner (the client was not at home). */
            uint32_t off = ta ? c : a;
            if (L->status[off] != CV__LIVE_SKIPPED)
                snprintf(why, sizeof why, "job %llu is planned but its tied job %llu is not",
                         (unsigned long long)p->tasks[ta ? a : c].id,
                         (unsigned long long)p->tasks[off].id);
        } else if (ta) {
            int64_t gap = d->start[c] - d->start[a];
            if (gap < r->min_gap || gap > r->max_gap)
                snprintf(why, sizeof why,
                         "jobs %llu and %llu start %lld apart, outside [%lld, %lld] (%s)",
                         (unsigned long long)x->id, (unsigned long long)y->id, (long long)gap,
                         (long long)r->min_gap, (long long)r->max_gap,
                         r->kind == CV_REL_TOGETHER ? "together" : "precedence");
            else if (r->distinct && d->veh[a] == d->veh[c])
                snprintf(why, sizeof why, "jobs %llu and %llu need distinct workers",
                         (unsigned long long)x->id, (unsigned long long)y->id);
        }
        if (why[0] && !(d->known[a] && d->known[c])) {
            mark(d, d->known[a] ? CV_NONE : d->veh[a], why);
            mark(d, d->known[c] ? CV_NONE : d->veh[c], why);
        }
    }
    /* A meal picked up on a route is delivered on it. */
    for (uint32_t t = 0; t < nt; t++) {
        const cv_task *k = &p->tasks[t];
        if (k->kind != CV_TASK_PICKUP || d->known[t] || d->start[t] == NO_TIME) continue;
        if (d->start[k->sibling] == NO_TIME) {
            snprintf(why, sizeof why, "shipment %llu: picked up but its delivery is not planned",
                     (unsigned long long)k->id);
            mark(d, d->veh[t], why);
        }
    }
    d->feasible = true;
    d->why[0] = 0;
    for (uint32_t v = 0; v < nv; v++)
        if (!d->sched[v].feasible) {
            if (d->feasible)
                snprintf(d->why, sizeof d->why, "vehicle %llu: %s",
                         (unsigned long long)p->vehicles[v].id, d->sched[v].why);
            d->feasible = false;
        }
}

cv_status cv__live_trial_bounds(const cv_problem *p, const cv__live_day *d, cv__live_bounds *out)
{
    cv_status st = bounds_init(out, d->nt);
    if (st != CV_OK) return st;
    memcpy(out->lo, d->bd.lo, d->nt * sizeof *out->lo);
    memcpy(out->hi, d->bd.hi, d->nt * sizeof *out->hi);
    for (uint32_t i = 0; i < p->nrelations; i++) {
        const cv_relation *r = &p->relations[i];
        uint32_t a = r->first, c = r->second;
        if (d->start[a] == NO_TIME || d->start[c] == NO_TIME) continue;
        if (!d->known[c]) {
            raise(out, c, d->start[a] + r->min_gap);
            if (r->max_gap < CV_TIME_MAX && d->start[a] + r->max_gap < out->hi[c])
                out->hi[c] = d->start[a] + r->max_gap;
        }
        if (!d->known[a]) {
            if (r->max_gap < CV_TIME_MAX) raise(out, a, d->start[c] - r->max_gap);
            if (d->start[c] - r->min_gap < out->hi[a]) out->hi[a] = d->start[c] - r->min_gap;
        }
    }
    return CV_OK;
}
