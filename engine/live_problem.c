/* Problems derived from a live day (engine/live*.c):
 *   - the day's problem with the urgent jobs added during the day (inserted
 *     after the original jobs, so that jobs still come before shipments);
 *   - the remaining day: every vehicle starts where and when it becomes
 *     free, with what is left of its capacity, tasks and travel budgets and
 *     its pending breaks; tasks are the visits still to do; visits whose goods
 *     are on board stay with their vehicle (a skill only that vehicle has).
 * Each is a deep copy: arrays are flat pools, new entries are appended. */
#define _POSIX_C_SOURCE 200809L
#include <stdlib.h>
#include <string.h>

#include "live_int.h"

static void *dup_array(const void *a, size_t n, size_t size, size_t extra, bool *fail)
{
    size_t total = n + extra;
    if (total == 0) return NULL;
    void *d = cv_calloc(total, size);
    if (!d) {
        *fail = true;
        return NULL;
    }
    if (n) memcpy(d, a, n * size);
    return d;
}

/* Deep copy with room for `extra_*` more entries in the pools.  Descriptions
 * are dropped (derived problems are for the solver and the checker). */
static cv_status clone(const cv_problem *p, uint32_t extra_tasks, uint32_t extra_pool,
                       cv_problem **out)
{
    cv_problem *q = calloc(1, sizeof *q);
    if (!q) return CV_ENOMEM;
    *q = *p;
    q->tasks = NULL, q->vehicles = NULL, q->profiles = NULL, q->locs = NULL, q->tws = NULL;
    q->breaks = NULL, q->skills = NULL, q->amounts = NULL, q->input_steps = NULL;
    q->relations = NULL, q->vehicle_refs = NULL, q->strings = NULL;
    q->nprofiles = 0, q->nstrings = 0, q->nrelations = 0, q->nvehicle_refs = 0;
    /* Multi-day data is not copied: live days are single days (refused in
     * cv__live_new).  Every pointer of cv_problem must be reset here or
     * copied below: a shared one would be freed twice. */
    q->shifts = NULL, q->nshifts = 0, q->day_patterns = NULL, q->npatterns = 0;
    q->horizon_days = 0;
    bool fail = false;
    q->tasks = dup_array(p->tasks, p->ntasks, sizeof *p->tasks, extra_tasks, &fail);
    q->vehicles = dup_array(p->vehicles, p->nvehicles, sizeof *p->vehicles, 0, &fail);
    q->locs = dup_array(p->locs, p->nlocs, sizeof *p->locs, 0, &fail);
    q->tws = dup_array(p->tws, p->ntws, sizeof *p->tws, extra_pool, &fail);
    q->breaks = dup_array(p->breaks, p->nbreaks, sizeof *p->breaks, extra_pool, &fail);
    q->skills = dup_array(p->skills, p->nskills, sizeof *p->skills, extra_pool, &fail);
    q->amounts = dup_array(p->amounts, p->namounts, sizeof *p->amounts,
                           (size_t)extra_pool * (2 * p->ndims + 1), &fail);
    q->input_steps =
        dup_array(p->input_steps, p->ninput_steps, sizeof *p->input_steps, extra_pool, &fail);
    /* Care extensions: relations (task indices) and vehicle lists (vehicle
     * indices, which every derived problem keeps). */
    q->relations = dup_array(p->relations, p->nrelations, sizeof *p->relations, extra_pool, &fail);
    q->nrelations = p->nrelations;
    q->vehicle_refs =
        dup_array(p->vehicle_refs, p->nvehicle_refs, sizeof *p->vehicle_refs, extra_pool, &fail);
    q->nvehicle_refs = p->nvehicle_refs;
    q->profiles = cv_calloc(p->nprofiles ? p->nprofiles : 1, sizeof *q->profiles);
    q->strings = cv_calloc(p->nprofiles ? p->nprofiles : 1, sizeof *q->strings);
    if (fail || !q->profiles || !q->strings) goto fail;
    for (uint32_t i = 0; i < p->ntasks; i++) q->tasks[i].description = NULL;
    for (uint32_t i = 0; i < p->nvehicles; i++) q->vehicles[i].description = NULL;
    for (uint32_t i = 0; i < p->nbreaks; i++) q->breaks[i].description = NULL;
    for (uint32_t i = 0; i < p->nprofiles; i++) {
        const cv_profile *a = &p->profiles[i];
        cv_profile *b = &q->profiles[q->nprofiles++];
        size_t nn = (size_t)a->n * a->n;
        b->n = a->n;
        if (a->name) {
            q->strings[q->nstrings] = strdup(a->name);
            if (!q->strings[q->nstrings]) goto fail;
            b->name = q->strings[q->nstrings++];
        }
        b->durations =
            a->durations ? dup_array(a->durations, nn, sizeof *a->durations, 0, &fail) : NULL;
        b->distances =
            a->distances ? dup_array(a->distances, nn, sizeof *a->distances, 0, &fail) : NULL;
        b->costs = a->costs ? dup_array(a->costs, nn, sizeof *a->costs, 0, &fail) : NULL;
        if (fail) goto fail;
    }
    *out = q;
    return CV_OK;
fail:
    cv_problem_destroy(q);
    return CV_ENOMEM;
}

cv_status cv__live_problem_with_extras(const cv_problem *base, const cv__live_extra *extra,
                                       uint32_t nextra, cv_problem **out)
{
    cv_problem *q;
    cv_status st = clone(base, nextra, nextra * (8 + 2 * CV_LIVE_MAX_VEHICLE_LIST) + 1, &q);
    if (st != CV_OK) return st;
    const uint32_t nj = base->njobs, nd = base->ndims;
    /* Shipments move up by nextra. */
    memmove(q->tasks + nj + nextra, q->tasks + nj, (size_t)(base->ntasks - nj) * sizeof *q->tasks);
    for (uint32_t t = nj + nextra; t < base->ntasks + nextra; t++) {
        cv_task *k = &q->tasks[t];
        if (k->sibling != CV_NONE) k->sibling += nextra;
        if (k->group_size > 1) k->group_first += nextra;
    }
    for (uint32_t i = 0; i < q->nrelations; i++) {
        cv_relation *r = &q->relations[i];
        if (r->first >= nj) r->first += nextra;
        if (r->second >= nj) r->second += nextra;
    }
    for (uint32_t i = 0; i < q->ninput_steps; i++) {
        cv_input_step *s = &q->input_steps[i];
        if (s->type != CV_STEP_BREAK && s->type != CV_STEP_START && s->type != CV_STEP_END &&
            s->index != CV_NONE && s->index >= nj)
            s->index += nextra;
    }
    for (uint32_t i = 0; i < nextra; i++) {
        const cv_live_urgent *r = &extra[i].req;
        cv_task *k = &q->tasks[nj + i];
        memset(k, 0, sizeof *k);
        k->id = r->id;
        k->kind = CV_TASK_JOB;
        k->loc = r->loc;
        k->sibling = CV_NONE;
        k->ship = CV_NONE;
        k->input_index = nj + i;
        k->setup = r->setup;
        k->service = r->service;
        k->priority = r->priority;
        k->tw_first = q->ntws;
        k->tw_count = 1;
        q->tws[q->ntws++] = (cv_tw){extra[i].tw_start, extra[i].tw_end};
        k->skill_first = q->nskills;
        k->skill_count = r->nskills;
        for (uint32_t s = 0; s < r->nskills; s++) q->skills[q->nskills++] = r->skills[s];
        k->amount_off = q->namounts;
        for (uint32_t d = 0; d < 2 * nd; d++) q->amounts[q->namounts++] = 0;
        /* Vehicle lists: ids were checked when the request came in. */
        k->allowed_first = q->nvehicle_refs;
        for (uint32_t a = 0; a < r->nallowed; a++) {
            uint32_t v = cv__live_find_vehicle(q, r->allowed[a]);
            if (v != CV_NONE) q->vehicle_refs[q->nvehicle_refs++] = v, k->allowed_count++;
        }
        k->forbidden_first = q->nvehicle_refs;
        for (uint32_t a = 0; a < r->nforbidden; a++) {
            uint32_t v = cv__live_find_vehicle(q, r->forbidden[a]);
            if (v != CV_NONE) q->vehicle_refs[q->nvehicle_refs++] = v, k->forbidden_count++;
        }
    }
    q->ntasks += nextra;
    q->njobs += nextra;
    *out = q;
    return CV_OK;
}

void cv__live_sub_fini(cv__live_sub *s, uint32_t nvehicles)
{
    cv_problem_destroy(s->q);
    free(s->task_of);
    free(s->sub_of);
    if (s->break_of)
        for (uint32_t v = 0; v < nvehicles; v++) free(s->break_of[v]);
    free(s->break_of);
    free(s->avail);
    if (s->commit)
        for (uint32_t v = 0; v < nvehicles; v++) free(s->commit[v]);
    free(s->commit);
    free(s->ncommit);
    memset(s, 0, sizeof *s);
}

static bool has_amount(const int64_t *a, uint32_t nd)
{
    for (uint32_t d = 0; d < nd; d++)
        if (a[d]) return true;
    return false;
}

/* Length of the committed part of v's remaining route: up to its last
 * accepted urgent visit (an extra job). */
uint32_t cv__live_commit_len(const cv_live *L, uint32_t v)
{
    const cv__live_route *r = &L->routes[v];
    const uint32_t first = L->base->njobs, last = first + L->nextra;
    uint32_t len = 0;
    for (uint32_t k = r->nfrozen; k < r->n; k++)
        if (!CV__LIVE_IS_BREAK(r->step[k]) && r->step[k] >= first && r->step[k] < last)
            len = k - r->nfrozen + 1;
    return len;
}

/* Start bounds [lo, hi] folded into a task's windows: each window [s, e]
 * with lateness ml allows starts in [s, e + ml]; what remains of it within
 * [lo, hi] keeps its soft end where it can.  A window wholly past lo keeps
 * its lateness from lo (cheaper than the truth by a constant; the route's
 * times are the same).  No window left: [0, 0], which no start can meet. */
static void fold_bounds(cv_problem *q, cv_task *o, int64_t lo, int64_t hi)
{
    const cv_tw *tws = q->tws + o->tw_first;
    const int64_t ml = o->max_lateness > 0 ? o->max_lateness : 0;
    uint32_t first = q->ntws, n = 0;
    int64_t late = -1;
    for (uint32_t i = 0; i < o->tw_count; i++) {
        int64_t a = tws[i].start > lo ? tws[i].start : lo;
        int64_t soft_end = tws[i].end + ml < hi ? tws[i].end + ml : hi;
        if (a > soft_end) continue;
        int64_t e = tws[i].end < hi ? tws[i].end : hi;
        if (e < a) e = a;
        q->tws[q->ntws++] = (cv_tw){a, e};
        n++;
        /* One lateness for the task: the smallest window's slack keeps every
         * window within what it allowed. */
        int64_t l = soft_end - e;
        if (late < 0 || l < late) late = l;
    }
    if (n == 0) {
        q->tws[q->ntws++] = (cv_tw){0, 0};
        n = 1;
        late = 0;
    }
    o->tw_first = first;
    o->tw_count = n;
    if (o->max_lateness > 0) o->max_lateness = late;
    if (o->max_lateness <= 0) o->max_lateness = 0, o->lateness_per_hour = 0;
}

/* The care rules of the remaining day q: relations and visits with several
 * workers between visits still to do are kept (renumbered); a tie to a visit
 * done or committed becomes bounds on its partner's windows (and, for
 * distinct workers, that worker forbidden); a meal picked up bounds its
 * delivery by the ride time.  Ties to a skipped visit are gone with it. */
static cv_status care_rules(const cv_live *L, const cv__live_day *d, cv__live_sub *s)
{
    const cv_problem *p = L->p;
    cv_problem *q = s->q;
    const uint32_t nq = q->ntasks;
    int64_t *lo = cv_calloc(nq ? nq : 1, sizeof *lo), *hi = cv_calloc(nq ? nq : 1, sizeof *hi);
    uint32_t *forbid = cv_calloc(nq ? nq : 1, sizeof *forbid);
    if (!lo || !hi || !forbid) {
        free(lo), free(hi), free(forbid);
        return CV_ENOMEM;
    }
    for (uint32_t j = 0; j < nq; j++)
        lo[j] = -CV_TIME_MAX, hi[j] = CV_TIME_MAX, forbid[j] = CV_NONE;
    uint32_t nrel = 0;
    for (uint32_t i = 0; i < p->nrelations; i++) {
        const cv_relation *r = &p->relations[i];
        uint32_t a = s->sub_of[r->first], c = s->sub_of[r->second];
        if (a != CV_NONE && c != CV_NONE) {
            const cv_task *x = &p->tasks[r->first], *y = &p->tasks[r->second];
            /* Copies of one visit: regenerated below from the groups. */
            if (x->group_size > 1 && x->group_first == y->group_first) continue;
            q->relations[nrel] = *r;
            q->relations[nrel].first = a;
            q->relations[nrel++].second = c;
        } else if (a != CV_NONE && d->known[r->second]) {
            int64_t t = d->start[r->second];
            if (r->max_gap < CV_TIME_MAX && t - r->max_gap > lo[a]) lo[a] = t - r->max_gap;
            if (t - r->min_gap < hi[a]) hi[a] = t - r->min_gap;
            if (r->distinct) forbid[a] = d->veh[r->second];
        } else if (c != CV_NONE && d->known[r->first]) {
            int64_t t = d->start[r->first];
            if (t + r->min_gap > lo[c]) lo[c] = t + r->min_gap;
            if (r->max_gap < CV_TIME_MAX && t + r->max_gap < hi[c]) hi[c] = t + r->max_gap;
            if (r->distinct) forbid[c] = d->veh[r->first];
        }
    }
    /* Groups: the copies still to do are consecutive in q (they were in p). */
    for (uint32_t j = 0; j < nq;) {
        const cv_task *k = &p->tasks[s->task_of[j]];
        uint32_t m = 1;
        if (k->group_size > 1)
            while (j + m < nq && p->tasks[s->task_of[j + m]].group_size > 1 &&
                   p->tasks[s->task_of[j + m]].group_first == k->group_first)
                m++;
        for (uint32_t c = 0; c < m; c++) {
            q->tasks[j + c].group_first = j;
            q->tasks[j + c].group_size = m;
            if (c > 0)
                q->relations[nrel++] = (cv_relation){
                    .kind = CV_REL_TOGETHER, .first = j, .second = j + c, .distinct = true};
        }
        j += m;
    }
    q->nrelations = nrel;
    /* Hot meals on board: the ride time bounds the delivery. */
    for (uint32_t j = 0; j < nq; j++) {
        const cv_task *k = &p->tasks[s->task_of[j]];
        if (k->kind != CV_TASK_DELIVERY) continue;
        const cv_task *pu = &p->tasks[k->sibling];
        if (pu->max_ride_time > 0 && d->known[k->sibling] &&
            d->done[k->sibling] + pu->max_ride_time < hi[j])
            hi[j] = d->done[k->sibling] + pu->max_ride_time;
    }
    size_t need = q->nvehicle_refs;
    for (uint32_t j = 0; j < nq; j++)
        if (forbid[j] != CV_NONE) need += q->tasks[j].forbidden_count + 1;
    if (need > q->nvehicle_refs) {
        uint32_t *refs = cv_realloc_array(q->vehicle_refs, need, sizeof *refs);
        if (!refs) {
            free(lo), free(hi), free(forbid);
            return CV_ENOMEM;
        }
        q->vehicle_refs = refs;
    }
    for (uint32_t j = 0; j < nq; j++) {
        cv_task *o = &q->tasks[j];
        if (lo[j] > -CV_TIME_MAX || hi[j] < CV_TIME_MAX) fold_bounds(q, o, lo[j], hi[j]);
        if (forbid[j] != CV_NONE) {
            uint32_t first = q->nvehicle_refs;
            for (uint32_t i = 0; i < o->forbidden_count; i++)
                q->vehicle_refs[q->nvehicle_refs++] = q->vehicle_refs[o->forbidden_first + i];
            q->vehicle_refs[q->nvehicle_refs++] = forbid[j];
            o->forbidden_first = first;
            o->forbidden_count++;
        }
    }
    free(lo), free(hi), free(forbid);
    return CV_OK;
}

cv_status cv__live_sub_build(const cv_live *L, uint32_t pin_vehicle, uint32_t pin_task, bool commit,
                             bool warm, cv__live_sub *out, cv_diag *diag)
{
    const cv_problem *p = L->p;
    const uint32_t nt = p->ntasks, nv = p->nvehicles, nd = p->ndims;
    cv__live_sub s = {0};
    cv_status st = CV_ENOMEM;
    cv__live_day day = {0};
    cv__live_bounds tb = {0};
    /* Pool growth: each task may get a skill list (skills + 1), each vehicle
     * its capacity, skills, breaks and input steps. */
    uint32_t maxroute = 0;
    for (uint32_t v = 0; v < nv; v++)
        if (L->routes[v].n > maxroute) maxroute = L->routes[v].n;
    size_t pool = (size_t)p->nskills * 2 + nt + (size_t)nv * (maxroute + p->nbreaks + 4) + 16 +
                  p->ntws + 2 * (size_t)p->nrelations + p->nvehicle_refs;
    if (pool > UINT32_MAX / 4) return cv_diag_set(diag, "live day too large"), CV_ETOOBIG;
    s.task_of = cv_calloc(nt ? nt : 1, sizeof *s.task_of);
    s.sub_of = cv_calloc(nt ? nt : 1, sizeof *s.sub_of);
    s.break_of = cv_calloc(nv ? nv : 1, sizeof *s.break_of);
    s.avail = cv_calloc(nv ? nv : 1, sizeof *s.avail);
    s.commit = cv_calloc(nv ? nv : 1, sizeof *s.commit);
    s.ncommit = cv_calloc(nv ? nv : 1, sizeof *s.ncommit);
    if (!s.task_of || !s.sub_of || !s.break_of || !s.avail || !s.commit || !s.ncommit) goto fail;
    s.pin_ok = true;
    /* The day as timed now: committed steps keep these times, and tied
     * visits already done or committed bound their partners. */
    if ((st = cv__live_day_of(L, &day)) != CV_OK) goto fail;
    if ((st = cv__live_trial_bounds(p, &day, &tb)) != CV_OK) {
        cv__live_day_fini(&day);
        goto fail;
    }
    st = CV_ENOMEM;
    if ((st = clone(p, 0, (uint32_t)pool, &s.q)) != CV_OK) goto fail;
    st = CV_ENOMEM;
    cv_problem *q = s.q;

    uint32_t max_skill = 0;
    for (uint32_t i = 0; i < p->nskills; i++)
        if (p->skills[i] > max_skill) max_skill = p->skills[i];
    if (max_skill >= UINT32_MAX - nv - 1) {
        st = cv_diag_set(diag, "skills: values up to %u leave no room to pin visits to vehicles",
                         max_skill);
        goto fail;
    }
    const uint32_t pin_base = max_skill + 1;

    for (uint32_t t = 0; t < nt; t++) s.sub_of[t] = CV_NONE;
    for (uint32_t v = 0; v < nv; v++) {
        cv__live_avail *a = &s.avail[v];
        cv__live_avail_of(L, v, a);
        const cv__live_route *r = &L->routes[v];
        uint32_t nc = commit ? cv__live_commit_len(L, v) : 0, pin = v == pin_vehicle;
        uint32_t tr = commit ? cv__live_transit(L, v) : 0;
        if (nc < tr) nc = tr;
        if (nc + pin == 0) continue;
        /* The sub-vehicle starts after its committed steps: the step under
         * way, the pinned urgent visit, up to the last accepted urgent one. */
        s.commit[v] = cv_calloc(nc + pin, sizeof **s.commit);
        cv__live_eta *eta = cv_calloc(nc + pin, sizeof *eta);
        if (!s.commit[v] || !eta) {
            free(eta);
            goto fail;
        }
        memcpy(s.commit[v], r->step + r->nfrozen, tr * sizeof **s.commit);
        if (pin) s.commit[v][tr] = pin_task;
        memcpy(s.commit[v] + tr + pin, r->step + r->nfrozen + tr, (nc - tr) * sizeof **s.commit);
        s.ncommit[v] = nc + pin;
        cv__live_sched sc;
        cv__live_schedule(p, v, a, s.commit[v], nc + pin, true, &tb, eta, &sc);
        if (pin && !sc.feasible) s.pin_ok = false;
        int64_t unpaid = 0;
        for (uint32_t k = 0; k < nc + pin; k++) {
            uint32_t x = s.commit[v][k];
            if (CV__LIVE_IS_BREAK(x)) {
                if (p->breaks[p->vehicles[v].break_first + (x & ~CV__LIVE_BREAK)].unpaid)
                    unpaid += eta[k].end - eta[k].start;
                continue;
            }
            /* Committed: known to the rest of the day like a visit done. */
            day.known[x] = 1;
            day.start[x] = eta[k].start;
            day.done[x] = eta[k].end;
            day.veh[x] = v;
        }
        /* The worker is on the road from here on: working time counts. */
        a->work_used = (a->begun ? a->work_used + eta[nc + pin - 1].end - a->time
                                 : eta[nc + pin - 1].end - sc.depart) -
                       unpaid;
        a->begun = true;
        for (uint32_t k = 0; k < nc + pin; k++) {
            uint32_t x = s.commit[v][k];
            if (CV__LIVE_IS_BREAK(x)) continue;
            const cv_task *t = &p->tasks[x];
            a->loc = a->setup_from = t->loc;
            a->ntasks_done++;
            if (t->kind == CV_TASK_JOB)
                for (uint32_t d = 0; d < p->ndims; d++) a->onboard[d] += cv_task_pickup(p, t)[d];
        }
        a->time = eta[nc + pin - 1].end;
        a->travel_used += eta[nc + pin - 1].duration;
        a->dist_used += eta[nc + pin - 1].distance;
        free(eta);
    }

    /* Which tasks, and which stay pinned to a vehicle. */
    uint32_t *pin = cv_calloc(nt ? nt : 1, sizeof *pin);
    if (!pin) goto fail;
    uint32_t nq = 0;
    const uint32_t passes = 2; /* jobs (and deliveries turned jobs), then shipments */
    for (uint32_t pass = 0; pass < passes; pass++) {
        for (uint32_t t = 0; t < nt; t++) {
            const cv_task *k = &p->tasks[t];
            if (t == pin_task) continue;
            if (L->status[t] != CV__LIVE_PLANNED && L->status[t] != CV__LIVE_UNASSIGNED) continue;
            /* Committed steps are not re-planned. */
            if (day.known[t]) continue;
            bool as_job = false;
            if (k->kind == CV_TASK_DELIVERY) {
                uint8_t ps = L->status[k->sibling];
                /* Picked up (or the pickup is committed): on board. */
                as_job = ps == CV__LIVE_DONE || ps == CV__LIVE_STARTED || day.known[k->sibling];
                if (!as_job && ps != CV__LIVE_PLANNED && ps != CV__LIVE_UNASSIGNED) continue;
            }
            if (k->kind == CV_TASK_PICKUP) {
                uint8_t ds = L->status[k->sibling];
                if (ds != CV__LIVE_PLANNED && ds != CV__LIVE_UNASSIGNED) continue;
            }
            bool jobish = k->kind == CV_TASK_JOB || as_job;
            if (jobish != (pass == 0)) continue;
            uint32_t j = nq++;
            cv_task *o = &q->tasks[j];
            *o = *k;
            o->description = NULL;
            pin[j] = CV_NONE;
            if (as_job) {
                o->kind = CV_TASK_JOB;
                o->sibling = CV_NONE;
                o->ship = CV_NONE;
                pin[j] = day.veh[k->sibling];
            } else if (k->kind == CV_TASK_JOB && L->vehicle[t] != CV_NONE &&
                       has_amount(cv_task_delivery(p, k), nd)) {
                /* Its goods were loaded on this vehicle at the start of the day. */
                const cv__live_route *r = &L->routes[L->vehicle[t]];
                if (r->nfrozen > 0 || r->has_pos) pin[j] = L->vehicle[t];
            }
            s.task_of[j] = t;
            s.sub_of[t] = j;
        }
    }
    q->ntasks = nq;
    q->njobs = 0;
    q->nshipments = 0;
    uint32_t nship = 0;
    for (uint32_t j = 0; j < nq; j++) {
        cv_task *o = &q->tasks[j];
        if (o->kind == CV_TASK_JOB) {
            q->njobs++;
            o->input_index = j;
            continue;
        }
        o->sibling = s.sub_of[p->tasks[s.task_of[j]].sibling];
        if (o->kind == CV_TASK_PICKUP)
            o->ship = nship++;
        else
            o->ship = q->tasks[o->sibling].ship;
        o->input_index = o->ship;
    }
    q->nshipments = nship;
    if ((st = care_rules(L, &day, &s)) != CV_OK) {
        free(pin);
        goto fail;
    }
    st = CV_ENOMEM;
    for (uint32_t j = 0; j < nq; j++) {
        if (pin[j] == CV_NONE) continue;
        cv_task *o = &q->tasks[j];
        uint32_t first = q->nskills;
        for (uint32_t i = 0; i < o->skill_count; i++)
            q->skills[q->nskills++] = p->skills[o->skill_first + i];
        q->skills[q->nskills++] = pin_base + pin[j];
        o->skill_first = first;
        o->skill_count++;
    }
    free(pin);

    /* Vehicles: start, shift, budgets, capacity, breaks, warm start. */
    q->ninput_steps = 0;
    for (uint32_t v = 0; v < nv; v++) {
        const cv_vehicle *a = &p->vehicles[v];
        cv_vehicle *o = &q->vehicles[v];
        const cv__live_avail *av = &s.avail[v];
        const cv__live_route *r = &L->routes[v];
        o->start_loc = av->loc;
        o->tw.start = av->time;
        if (o->tw.start > o->tw.end) {
            o->tw.start = o->tw.end;
            o->max_tasks = 0;
        } else if (a->max_tasks != UINT32_MAX) {
            o->max_tasks = a->max_tasks > av->ntasks_done ? a->max_tasks - av->ntasks_done : 0;
        }
        if (a->max_travel_time < CV_TIME_MAX)
            o->max_travel_time =
                a->max_travel_time > av->travel_used ? a->max_travel_time - av->travel_used : 0;
        if (a->max_distance < CV_TIME_MAX)
            o->max_distance = a->max_distance > av->dist_used ? a->max_distance - av->dist_used : 0;
        /* Working time already worked (docs/care-extensions.md): what is left
         * of the limit, overtime from the same point of the day (0 would
         * mean no limit: at least 1 s). */
        if (av->begun) {
            if (a->max_working_time > 0)
                o->max_working_time = a->max_working_time > av->work_used + 1
                                          ? a->max_working_time - av->work_used
                                          : 1;
            o->overtime_after = a->overtime_after - av->work_used;
        }
        /* Goods picked up by jobs stay on board all day. */
        o->capacity_off = q->namounts;
        for (uint32_t d = 0; d < nd; d++) {
            int64_t c = cv_vehicle_capacity(p, a)[d] - av->onboard[d];
            q->amounts[q->namounts++] = c > 0 ? c : 0;
        }
        uint32_t sf = q->nskills;
        for (uint32_t i = 0; i < a->skill_count; i++)
            q->skills[q->nskills++] = p->skills[a->skill_first + i];
        q->skills[q->nskills++] = pin_base + v;
        o->skill_first = sf;
        o->skill_count = a->skill_count + 1;
        /* Pending breaks: those in the remaining route. */
        const uint32_t from = r->nfrozen + (s.ncommit[v] - (v == pin_vehicle ? 1u : 0u));
        uint32_t nb = 0;
        for (uint32_t k = from; k < r->n; k++)
            if (CV__LIVE_IS_BREAK(r->step[k])) nb++;
        s.break_of[v] = cv_calloc(nb ? nb : 1, sizeof **s.break_of);
        if (!s.break_of[v]) goto fail;
        o->break_first = q->nbreaks;
        o->break_count = nb;
        nb = 0;
        for (uint32_t k = from; k < r->n; k++) {
            if (!CV__LIVE_IS_BREAK(r->step[k])) continue;
            uint32_t bi = r->step[k] & ~CV__LIVE_BREAK;
            q->breaks[q->nbreaks] = p->breaks[a->break_first + bi];
            q->breaks[q->nbreaks++].description = NULL;
            s.break_of[v][nb++] = bi;
        }
        o->step_first = q->ninput_steps;
        o->step_count = 0;
        if (!warm) continue;
        nb = 0;
        for (uint32_t k = from; k < r->n; k++) {
            uint32_t x = r->step[k];
            cv_input_step in = {.service_at = -1, .service_after = -1, .service_before = -1};
            if (CV__LIVE_IS_BREAK(x)) {
                in.type = CV_STEP_BREAK;
                in.index = nb++;
            } else {
                if (s.sub_of[x] == CV_NONE) continue;
                in.index = s.sub_of[x];
                const cv_task *k2 = &q->tasks[in.index];
                in.type = k2->kind == CV_TASK_JOB      ? CV_STEP_JOB
                          : k2->kind == CV_TASK_PICKUP ? CV_STEP_PICKUP
                                                       : CV_STEP_DELIVERY;
            }
            q->input_steps[q->ninput_steps++] = in;
            o->step_count++;
        }
    }
    cv__live_day_fini(&day);
    cv__live_bounds_fini(&tb);
    *out = s;
    return CV_OK;
fail:
    cv__live_day_fini(&day);
    cv__live_bounds_fini(&tb);
    cv__live_sub_fini(&s, nv);
    return st;
}
