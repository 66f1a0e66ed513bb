/* The live day's state and events (cv/live.h): routes split into a frozen
 * prefix and the remaining steps, positions, visit.start / visit.done /
 * visit.skipped / vehicle.position, and the schedule that gives every
 * remaining step its ETA.
 *
 * The schedule follows the rules of cv/problem.h as the checker reads them:
 * travel rounded per vehicle speed, setup only when arriving from another
 * location, service starting at the first window open at arrival, breaks
 * taken at the previous stop, the route's cost from its travel.  It is this
 * module's own bookkeeping; tests and the simulator verify its output with
 * the independent checker (cv_live_subplan). */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json_read.h"
#include "live_int.h"

int64_t cv__live_dur(const cv_problem *p, const cv_vehicle *v, uint32_t a, uint32_t b)
{
    if (a == CV_NONE || b == CV_NONE) return 0;
    const cv_profile *pf = &p->profiles[v->profile];
    uint32_t d = pf->durations[(size_t)a * pf->n + b];
    if (v->speed_factor == 1.0) return d;
    return (int64_t)((double)d / v->speed_factor + 0.5);
}

static int64_t dist(const cv_problem *p, const cv_vehicle *v, uint32_t a, uint32_t b)
{
    const cv_profile *pf = &p->profiles[v->profile];
    if (a == CV_NONE || b == CV_NONE || !pf->distances) return 0;
    return pf->distances[(size_t)a * pf->n + b];
}

static int64_t cost_cell(const cv_problem *p, const cv_vehicle *v, uint32_t a, uint32_t b)
{
    const cv_profile *pf = &p->profiles[v->profile];
    if (a == CV_NONE || b == CV_NONE || !pf->costs) return 0;
    return pf->costs[(size_t)a * pf->n + b];
}

uint32_t cv__live_find_vehicle(const cv_problem *p, uint64_t id)
{
    for (uint32_t v = 0; v < p->nvehicles; v++)
        if (p->vehicles[v].id == id) return v;
    return CV_NONE;
}

uint32_t cv__live_find_task(const cv_problem *p, cv_task_kind kind, uint64_t id)
{
    for (uint32_t t = 0; t < p->ntasks; t++)
        if (p->tasks[t].kind == kind && p->tasks[t].id == id) return t;
    return CV_NONE;
}

/* ---- Routes ---- */

cv_status cv__live_route_reserve(cv__live_route *r, uint32_t need)
{
    if (need <= r->cap) return CV_OK;
    uint32_t cap = r->cap ? r->cap : 8;
    while (cap < need) cap *= 2;
    uint32_t *s = cv_realloc_array(r->step, cap, sizeof *s);
    if (!s) return CV_ENOMEM;
    r->step = s;
    int64_t *a = cv_realloc_array(r->start, cap, sizeof *a);
    if (!a) return CV_ENOMEM;
    r->start = a;
    int64_t *b = cv_realloc_array(r->end, cap, sizeof *b);
    if (!b) return CV_ENOMEM;
    r->end = b;
    int64_t *c = cv_realloc_array(r->arrive, cap, sizeof *c);
    if (!c) return CV_ENOMEM;
    r->arrive = c;
    r->cap = cap;
    return CV_OK;
}

void cv__live_route_remove(cv__live_route *r, uint32_t pos)
{
    size_t m = r->n - pos - 1;
    memmove(r->step + pos, r->step + pos + 1, m * sizeof *r->step);
    memmove(r->start + pos, r->start + pos + 1, m * sizeof *r->start);
    memmove(r->end + pos, r->end + pos + 1, m * sizeof *r->end);
    memmove(r->arrive + pos, r->arrive + pos + 1, m * sizeof *r->arrive);
    r->n--;
}

cv_status cv__live_route_insert(cv__live_route *r, uint32_t pos, uint32_t step)
{
    if (cv__live_route_reserve(r, r->n + 1) != CV_OK) return CV_ENOMEM;
    size_t m = r->n - pos;
    memmove(r->step + pos + 1, r->step + pos, m * sizeof *r->step);
    memmove(r->start + pos + 1, r->start + pos, m * sizeof *r->start);
    memmove(r->end + pos + 1, r->end + pos, m * sizeof *r->end);
    memmove(r->arrive + pos + 1, r->arrive + pos, m * sizeof *r->arrive);
    r->step[pos] = step;
    r->start[pos] = r->end[pos] = r->arrive[pos] = 0;
    r->n++;
    return CV_OK;
}

/* ---- Where each vehicle is ---- */

void cv__live_avail_of(const cv_live *L, uint32_t v, cv__live_avail *a)
{
    const cv_problem *p = L->p;
    const cv_vehicle *vh = &p->vehicles[v];
    const cv__live_route *r = &L->routes[v];
    memset(a, 0, sizeof *a);
    uint32_t loc = vh->start_loc;
    int64_t time = vh->tw.start;
    for (uint32_t k = 0; k < r->nfrozen; k++) {
        uint32_t x = r->step[k];
        time = r->end[k];
        if (CV__LIVE_IS_BREAK(x)) continue;
        const cv_task *t = &p->tasks[x];
        a->travel_used += cv__live_dur(p, vh, loc, t->loc);
        a->dist_used += dist(p, vh, loc, t->loc);
        loc = t->loc;
        a->ntasks_done++;
        if (t->kind == CV_TASK_JOB)
            for (uint32_t d = 0; d < p->ndims; d++) a->onboard[d] += cv_task_pickup(p, t)[d];
    }
    /* A reported position counts when it is newer than the last frozen step
     * (and the vehicle is not in the middle of a visit). */
    if (r->has_pos && !r->in_progress && (r->nfrozen == 0 || r->pos_time >= time)) {
        a->travel_used += cv__live_dur(p, vh, loc, r->pos_loc);
        a->dist_used += dist(p, vh, loc, r->pos_loc);
        loc = r->pos_loc;
        time = r->pos_time;
    }
    /* A visit running past its expected end is still running now.  A
     * vehicle with nothing left to do has been waiting since its last step:
     * work given to it now cannot start travelling in the past (it would
     * reach an urgent call before the call was made). */
    if ((r->in_progress || r->n == r->nfrozen) && time < L->now) time = L->now;
    if (time < vh->tw.start) time = vh->tw.start;
    a->loc = loc;
    a->time = time;
    a->setup_from = loc;
    /* Working time so far: the worker left the start the travel time before
     * the first thing reported (the flexible start, as planned), and unpaid
     * breaks taken do not count. */
    a->begun = r->nfrozen > 0 || r->has_pos;
    if (a->begun) {
        int64_t day0, unpaid = 0;
        if (r->nfrozen == 0)
            day0 = r->pos_time - cv__live_dur(p, vh, vh->start_loc, r->pos_loc);
        else if (CV__LIVE_IS_BREAK(r->step[0]))
            day0 = r->start[0];
        else
            day0 = r->arrive[0] - cv__live_dur(p, vh, vh->start_loc, p->tasks[r->step[0]].loc);
        if (day0 < vh->tw.start) day0 = vh->tw.start;
        for (uint32_t k = 0; k < r->nfrozen; k++)
            if (CV__LIVE_IS_BREAK(r->step[k]) &&
                p->breaks[vh->break_first + (r->step[k] & ~CV__LIVE_BREAK)].unpaid)
                unpaid += r->end[k] - r->start[k];
        a->work_used = time - day0 - unpaid;
        if (a->work_used < 0) a->work_used = 0;
    }
}

uint32_t cv__live_transit(const cv_live *L, uint32_t v)
{
    const cv__live_route *r = &L->routes[v];
    if (r->n == r->nfrozen) return 0;
    cv__live_avail a;
    cv__live_avail_of(L, v, &a);
    return a.time < L->now ? 1 : 0;
}

/* ---- The schedule ---- */

/* 128-bit products for the care cost numerator (per hour x seconds). */
__extension__ typedef __int128 i128;

static int64_t earliest_in(const cv_tw *tws, uint32_t n, int64_t t, bool *ok)
{
    for (uint32_t i = 0; i < n; i++)
        if (t <= tws[i].end) {
            *ok = true;
            return t < tws[i].start ? tws[i].start : t;
        }
    *ok = false;
    return t;
}

/* A task's start from time t: the first window still open at t, its end
 * stretched by the allowed lateness (soft windows), as the checker reads
 * them.  *late: how far past what is allowed (0 when it may start);
 * *lateness: the charged lateness, after the end of the last window opened
 * by the start. */
static int64_t task_start(const cv_problem *p, const cv_task *k, int64_t t, int64_t *late,
                          int64_t *lateness)
{
    const cv_tw *tws = cv_task_tws(p, k);
    const int64_t ml = k->max_lateness > 0 ? k->max_lateness : 0;
    *late = 0;
    *lateness = 0;
    for (uint32_t i = 0; i < k->tw_count; i++)
        if (t <= tws[i].end + ml) {
            int64_t s = t < tws[i].start ? tws[i].start : t;
            uint32_t j = i;
            while (j + 1 < k->tw_count && tws[j + 1].start <= s) j++;
            if (s > tws[j].end) *lateness = s - tws[j].end;
            return s;
        }
    if (k->tw_count) *late = t - (tws[k->tw_count - 1].end + ml);
    return t;
}

static bool listed(const cv_problem *p, uint32_t first, uint32_t n, uint32_t v)
{
    for (uint32_t i = 0; i < n; i++)
        if (p->vehicle_refs[first + i] == v) return true;
    return false;
}

#define WHY(...)                                                                                   \
    do {                                                                                           \
        if (out->feasible) snprintf(out->why, sizeof out->why, __VA_ARGS__);                       \
        out->feasible = false;                                                                     \
        if (!full) goto done;                                                                      \
    } while (0)

void cv__live_schedule(const cv_problem *p, uint32_t v, const cv__live_avail *a,
                       const uint32_t *seq, uint32_t n, bool full, const cv__live_bounds *bd,
                       cv__live_eta *eta, cv__live_sched *out)
{
    const cv_vehicle *vh = &p->vehicles[v];
    const uint32_t nd = p->ndims;
    const int64_t *cap = cv_vehicle_capacity(p, vh);
    memset(out, 0, sizeof *out);
    out->feasible = true;
    /* End times of this route's steps, for the ride times of meals picked up
     * on it (kept only when the route delivers such a meal). */
    int64_t *ends = NULL;
    int64_t load[CV_MAX_AMOUNT_DIMS];
    uint32_t ntasks = 0;
    for (uint32_t k = 0; k < n; k++) ntasks += !CV__LIVE_IS_BREAK(seq[k]);
    /* Without a visit there is nothing to plan (the vehicle just goes home):
     * never infeasible, the checker does not see such a route either. */
    if (ntasks == 0) full = true;
    ntasks = 0;
    for (uint32_t d = 0; d < nd; d++) load[d] = a->onboard[d];
    for (uint32_t k = 0; k < n; k++) {
        if (CV__LIVE_IS_BREAK(seq[k])) continue;
        const cv_task *t = &p->tasks[seq[k]];
        ntasks++;
        bool loaded_here = t->kind == CV_TASK_JOB;
        if (t->kind == CV_TASK_DELIVERY) {
            /* Its pickup is not in this sequence: the goods are on board. */
            loaded_here = true;
            for (uint32_t j = 0; j < n; j++)
                if (seq[j] == t->sibling) loaded_here = false;
        }
        if (loaded_here)
            for (uint32_t d = 0; d < nd; d++) load[d] += cv_task_delivery(p, t)[d];
    }
    memcpy(out->load0, load, sizeof load);
    for (uint32_t d = 0; d < nd; d++)
        if (load[d] > cap[d]) WHY("load %lld at the start exceeds capacity", (long long)load[d]);
    if (vh->max_tasks != UINT32_MAX && (uint64_t)a->ntasks_done + ntasks > vh->max_tasks)
        WHY("more than max_tasks %u", vh->max_tasks);

    uint32_t prev = a->loc, setup_from = a->setup_from;
    int64_t t_end = a->time, dur = 0, dst = 0, cost_cells = 0, pref = 0, unpaid = 0;
    int64_t shift = 0; /* flexible start: how much later the route leaves */
    i128 care_num = 0;
    for (uint32_t k = 0; k < n && !ends; k++)
        if (!CV__LIVE_IS_BREAK(seq[k]) && p->tasks[seq[k]].kind == CV_TASK_DELIVERY &&
            p->tasks[p->tasks[seq[k]].sibling].max_ride_time > 0) {
            ends = cv_calloc(n, sizeof *ends);
            if (!ends) {
                /* Out of memory: refuse the route rather than skip the rule. */
                out->feasible = false;
                snprintf(out->why, sizeof out->why, "out of memory timing ride times");
                return;
            }
        }
    for (uint32_t k = 0; k < n; k++) {
        uint32_t x = seq[k];
        cv__live_eta e = {0};
        if (CV__LIVE_IS_BREAK(x)) {
            const cv_break *b = &p->breaks[vh->break_first + (x & ~CV__LIVE_BREAK)];
            bool ok;
            e.arrival = t_end;
            e.start = earliest_in(p->tws + b->tw_first, b->tw_count, t_end, &ok);
            if (b->tw_count == 0) ok = true;
            if (!ok) {
                e.late = t_end - p->tws[b->tw_first + b->tw_count - 1].end;
                WHY("break %llu cannot start by the end of its windows", (unsigned long long)b->id);
            }
            if (b->has_max_load)
                for (uint32_t d = 0; d < nd; d++)
                    if (load[d] > p->amounts[b->max_load_off + d])
                        WHY("load above break %llu's max_load", (unsigned long long)b->id);
            e.wait = e.start - e.arrival;
            e.end = e.start + b->service;
            if (b->unpaid) unpaid += b->service;
            t_end = e.end;
        } else {
            const cv_task *t = &p->tasks[x];
            int64_t tr = cv__live_dur(p, vh, prev, t->loc);
            dur += tr;
            dst += dist(p, vh, prev, t->loc);
            cost_cells += cost_cell(p, vh, prev, t->loc);
            prev = t->loc;
            e.arrival = t_end + tr;
            int64_t from = e.arrival;
            if (bd && bd->lo && bd->lo[x] > from) from = bd->lo[x];
            e.start = task_start(p, t, from, &e.late, &e.lateness);
            if (e.late > 0)
                WHY("%s %llu would start %lld after its last window", cv_task_kind_name(t->kind),
                    (unsigned long long)t->id, (long long)e.late);
            if (bd && bd->hi && e.start > bd->hi[x]) {
                if (e.late <= 0) e.late = e.start - bd->hi[x];
                WHY("%s %llu would start at %lld, after %lld its tied visits allow",
                    cv_task_kind_name(t->kind), (unsigned long long)t->id, (long long)e.start,
                    (long long)bd->hi[x]);
            }
            if (!cv_vehicle_has_skills(p, vh, t))
                WHY("vehicle %llu lacks the skills of %s %llu", (unsigned long long)vh->id,
                    cv_task_kind_name(t->kind), (unsigned long long)t->id);
            if (t->allowed_count && !listed(p, t->allowed_first, t->allowed_count, v))
                WHY("vehicle %llu is not one of the allowed_vehicles of %s %llu",
                    (unsigned long long)vh->id, cv_task_kind_name(t->kind),
                    (unsigned long long)t->id);
            if (t->forbidden_count && listed(p, t->forbidden_first, t->forbidden_count, v))
                WHY("vehicle %llu is one of the forbidden_vehicles of %s %llu",
                    (unsigned long long)vh->id, cv_task_kind_name(t->kind),
                    (unsigned long long)t->id);
            if (t->preferred_count && !listed(p, t->preferred_first, t->preferred_count, v))
                pref += t->preference_cost;
            /* The flexible start: a worker whose day has not begun leaves
             * so as to arrive at the first visit when it can start. */
            if (!a->begun && ntasks && k == 0 && e.start > e.arrival) {
                shift = e.start - e.arrival;
                e.arrival = e.start;
            }
            e.wait = e.start - e.arrival;
            e.setup = t->loc != setup_from ? t->setup : 0;
            setup_from = t->loc;
            e.end = e.start + e.setup + t->service;
            t_end = e.end;
            care_num += (i128)t->lateness_per_hour * e.lateness;
            if (t->kind == CV_TASK_DELIVERY && p->tasks[t->sibling].max_ride_time > 0)
                for (uint32_t j = k; j-- > 0;)
                    if (seq[j] == t->sibling) {
                        int64_t ride = e.start - ends[j];
                        if (ride > p->tasks[t->sibling].max_ride_time) {
                            if (e.late <= 0) e.late = ride - p->tasks[t->sibling].max_ride_time;
                            WHY("delivery %llu: ride time %lld exceeds its max_ride_time %lld",
                                (unsigned long long)t->id, (long long)ride,
                                (long long)p->tasks[t->sibling].max_ride_time);
                        }
                    }
            for (uint32_t d = 0; d < nd; d++) {
                load[d] += cv_task_pickup(p, t)[d] - cv_task_delivery(p, t)[d];
                if (load[d] > cap[d]) WHY("load %lld exceeds capacity", (long long)load[d]);
            }
        }
        e.duration = dur;
        e.distance = dst;
        memcpy(e.load, load, sizeof load);
        if (eta) eta[k] = e;
        if (ends) ends[k] = e.end;
    }
    int64_t tr = cv__live_dur(p, vh, prev, vh->end_loc);
    dur += tr;
    dst += dist(p, vh, prev, vh->end_loc);
    cost_cells += cost_cell(p, vh, prev, vh->end_loc);
    out->end_arrival = t_end + tr;
    out->depart = a->time + shift;
    out->duration = dur;
    out->distance = dst;
    /* Working time (docs/care-extensions.md): from the departure to the
     * arrival at the end, unpaid breaks aside, plus what the day has used. */
    out->work = (a->begun ? a->work_used : 0) + out->end_arrival - out->depart - unpaid;
    if (out->end_arrival > vh->tw.end)
        WHY("back at %lld, after the end %lld of the shift", (long long)out->end_arrival,
            (long long)vh->tw.end);
    if (a->travel_used + dur > vh->max_travel_time) WHY("over max_travel_time");
    if (a->dist_used + dst > vh->max_distance) WHY("over max_distance");
    if (ntasks == 0) {
        out->cost = 0;
        out->feasible = true;
        out->why[0] = 0;
        goto done;
    }
    if (vh->max_working_time > 0 && out->work > vh->max_working_time)
        WHY("working time %lld exceeds max_working_time %lld", (long long)out->work,
            (long long)vh->max_working_time);
    if (vh->overtime_per_hour > 0 && out->work > vh->overtime_after)
        care_num += (i128)vh->overtime_per_hour * (out->work - vh->overtime_after);
    /* The route cost of cv/problem.h with the care numerator joining the
     * travel term before its one rounding (docs/care-extensions.md). */
    if (p->profiles[vh->profile].costs)
        out->cost = vh->fixed_cost + pref + cost_cells + (int64_t)((care_num * 10 + 18000) / 36000);
    else
        out->cost = vh->fixed_cost + pref +
                    (int64_t)(((i128)vh->per_hour * dur * 10 + (i128)vh->per_km * dst * 36 +
                               care_num * 10 + 18000) /
                              36000);
done:
    free(ends);
}
/* ---- Creation ---- */

static cv_status alloc_state(cv_live *L)
{
    const cv_problem *p = L->p;
    free(L->status);
    free(L->vehicle);
    L->status = cv_calloc(p->ntasks ? p->ntasks : 1, sizeof *L->status);
    L->vehicle = cv_calloc(p->ntasks ? p->ntasks : 1, sizeof *L->vehicle);
    if (!L->status || !L->vehicle) return CV_ENOMEM;
    for (uint32_t t = 0; t < p->ntasks; t++) {
        L->status[t] = CV__LIVE_UNASSIGNED;
        L->vehicle[t] = CV_NONE;
    }
    return CV_OK;
}

cv_status cv__live_new(cv_live **out, const cv_problem *p, int64_t now, cv_diag *diag)
{
    if (!cv_problem_has_matrices(p))
        return cv_diag_set(diag, "problem: travel times are missing (give matrices, or a road "
                                 "graph for coordinates)");
    if (cv_problem_is_periodic(p)) {
        cv_diag_set(diag,
                    "problem: has a horizon of %u days; a live day is one day (run the "
                    "plan of the day)",
                    p->horizon_days);
        return CV_EUNSUPPORTED;
    }
    cv_live *L = calloc(1, sizeof *L);
    if (!L) return CV_ENOMEM;
    cv_status st = cv__live_problem_with_extras(p, NULL, 0, &L->base_own);
    if (st != CV_OK) goto fail;
    L->base = L->base_own;
    L->nlocs0 = p->nlocs;
    if ((st = cv__live_problem_with_extras(L->base, NULL, 0, &L->p)) != CV_OK) goto fail;
    L->routes = cv_calloc(p->nvehicles ? p->nvehicles : 1, sizeof *L->routes);
    if (!L->routes || alloc_state(L) != CV_OK || cv__live_build_tied(L) != CV_OK) {
        st = CV_ENOMEM;
        goto fail;
    }
    /* Every route has storage: step lists are never NULL (memcpy of none). */
    for (uint32_t v = 0; v < p->nvehicles; v++)
        if (cv__live_route_reserve(&L->routes[v], 4) != CV_OK) {
            st = CV_ENOMEM;
            goto fail;
        }
    L->now = now;
    *out = L;
    return CV_OK;
fail:
    cv_live_destroy(L);
    return st;
}

void cv_live_destroy(cv_live *L)
{
    if (!L) return;
    if (L->routes)
        for (uint32_t v = 0; v < L->p->nvehicles; v++) {
            free(L->routes[v].step);
            free(L->routes[v].start);
            free(L->routes[v].end);
            free(L->routes[v].arrive);
        }
    free(L->routes);
    free(L->status);
    free(L->vehicle);
    free(L->extra);
    free(L->tied);
    cv_problem_destroy(L->p);
    cv_problem_destroy(L->base_own);
    free(L);
}

int64_t cv_live_now(const cv_live *L)
{
    return L->now;
}
const cv_problem *cv_live_problem(const cv_live *L)
{
    return L->p;
}

void cv_live_task_counts(const cv_live *L, uint32_t *done, uint32_t *skipped, uint32_t *rest)
{
    *done = *skipped = *rest = 0;
    for (uint32_t t = 0; t < L->p->ntasks; t++) {
        if (L->status[t] == CV__LIVE_DONE)
            ++*done;
        else if (L->status[t] == CV__LIVE_SKIPPED)
            ++*skipped;
        else
            ++*rest;
    }
}

static bool kind_of_name(const char *s, cv_step_type *ty, cv_task_kind *k)
{
    if (!strcmp(s, "job"))
        *ty = CV_STEP_JOB, *k = CV_TASK_JOB;
    else if (!strcmp(s, "pickup"))
        *ty = CV_STEP_PICKUP, *k = CV_TASK_PICKUP;
    else if (!strcmp(s, "delivery"))
        *ty = CV_STEP_DELIVERY, *k = CV_TASK_DELIVERY;
    else if (!strcmp(s, "break"))
        *ty = CV_STEP_BREAK;
    else if (!strcmp(s, "start"))
        *ty = CV_STEP_START;
    else if (!strcmp(s, "end"))
        *ty = CV_STEP_END;
    else
        return false;
    return true;
}

uint32_t cv__live_find_break(const cv_problem *p, uint32_t v, uint64_t id)
{
    const cv_vehicle *vh = &p->vehicles[v];
    for (uint32_t b = 0; b < vh->break_count; b++)
        if (p->breaks[vh->break_first + b].id == id) return b;
    return CV_NONE;
}

/* Reads routes[].steps[] (type, id) of a plan into L's remaining routes.
 * With `frozen`, a step's "status" done/started/taken puts it in the frozen
 * prefix with its "arrival", "start" and "end" (cv_live_to_json's form). */
cv_status cv__live_read_routes(cv_live *L, json_t *routes, const char *path, bool frozen,
                               cv_diag *diag)
{
    const cv_problem *p = L->p;
    char where[160];
    if (!json_is_array(routes)) return cv_diag_set(diag, "%s: an array is required", path);
    size_t i;
    json_t *r;
    json_array_foreach(routes, i, r)
    {
        json_t *vid = json_object_get(r, "vehicle");
        if (!vid) vid = json_object_get(r, "id");
        if (!json_is_integer(vid))
            return cv_diag_set(diag, "%s[%zu].vehicle: an integer vehicle id is required", path, i);
        uint32_t v = cv__live_find_vehicle(p, (uint64_t)json_integer_value(vid));
        if (v == CV_NONE)
            return cv_diag_set(diag, "%s[%zu].vehicle: no vehicle %lld in the problem", path, i,
                               (long long)json_integer_value(vid));
        cv__live_route *rt = &L->routes[v];
        if (rt->n)
            return cv_diag_set(diag, "%s[%zu].vehicle: vehicle %lld has two routes", path, i,
                               (long long)json_integer_value(vid));
        json_t *steps = json_object_get(r, "steps"), *s;
        if (!json_is_array(steps))
            return cv_diag_set(diag, "%s[%zu].steps: an array is required", path, i);
        size_t k;
        bool frozen_part = frozen;
        json_array_foreach(steps, k, s)
        {
            snprintf(where, sizeof where, "%s[%zu].steps[%zu]", path, i, k);
            const char *ty = json_string_value(json_object_get(s, "type"));
            cv_step_type st;
            cv_task_kind kind = CV_TASK_JOB;
            if (!ty || !kind_of_name(ty, &st, &kind))
                return cv_diag_set(diag,
                                   "%s.type: expected start, job, pickup, delivery, break "
                                   "or end",
                                   where);
            if (st == CV_STEP_START || st == CV_STEP_END) continue;
            json_t *idj = json_object_get(s, "id");
            if (!json_is_integer(idj))
                return cv_diag_set(diag, "%s.id: an integer id is required", where);
            uint64_t id = (uint64_t)json_integer_value(idj);
            uint32_t x;
            if (st == CV_STEP_BREAK) {
                uint32_t b = cv__live_find_break(p, v, id);
                if (b == CV_NONE)
                    return cv_diag_set(diag, "%s.id: vehicle %llu has no break %llu", where,
                                       (unsigned long long)p->vehicles[v].id,
                                       (unsigned long long)id);
                for (uint32_t j = 0; j < rt->n; j++)
                    if (rt->step[j] == (b | CV__LIVE_BREAK))
                        return cv_diag_set(diag, "%s.id: break %llu appears twice", where,
                                           (unsigned long long)id);
                x = b | CV__LIVE_BREAK;
            } else {
                x = cv__live_find_task(p, kind, id);
                if (x == CV_NONE)
                    return cv_diag_set(diag, "%s.id: no %s %llu in the problem", where, ty,
                                       (unsigned long long)id);
                /* A visit with several workers: the next copy nobody has. */
                for (uint32_t c = 1; c < p->tasks[x].group_size && L->vehicle[x] != CV_NONE; c++)
                    if (L->vehicle[p->tasks[x].group_first + c] == CV_NONE)
                        x = p->tasks[x].group_first + c;
                for (uint32_t j = 0; j < rt->n; j++)
                    if (rt->step[j] == x ||
                        (!CV__LIVE_IS_BREAK(rt->step[j]) && p->tasks[x].group_size > 1 &&
                         p->tasks[rt->step[j]].group_size > 1 &&
                         p->tasks[rt->step[j]].group_first == p->tasks[x].group_first))
                        return cv_diag_set(diag, "%s.id: %s %llu appears twice in this route",
                                           where, ty, (unsigned long long)id);
                if (L->vehicle[x] != CV_NONE)
                    return cv_diag_set(diag, "%s.id: %s %llu appears twice in the plan", where, ty,
                                       (unsigned long long)id);
            }
            const char *status = json_string_value(json_object_get(s, "status"));
            bool fz =
                frozen_part && status &&
                (!strcmp(status, "done") || !strcmp(status, "started") || !strcmp(status, "taken"));
            if (!fz) frozen_part = false;
            if (cv__live_route_insert(rt, rt->n, x) != CV_OK) return CV_ENOMEM;
            if (fz) {
                int64_t a = 0, b = 0, e = 0;
                if (cv__json_opt_int(s, where, "arrival", 0, CV_TIME_MAX, &a, diag) ||
                    cv__json_opt_int(s, where, "start", 0, CV_TIME_MAX, &b, diag) ||
                    cv__json_opt_int(s, where, "end", 0, CV_TIME_MAX, &e, diag))
                    return CV_EINVAL;
                rt->arrive[rt->n - 1] = a;
                rt->start[rt->n - 1] = b;
                rt->end[rt->n - 1] = e;
                rt->nfrozen++;
                if (!CV__LIVE_IS_BREAK(x)) {
                    bool started = !strcmp(status, "started");
                    L->status[x] = started ? CV__LIVE_STARTED : CV__LIVE_DONE;
                    rt->in_progress = started;
                }
            } else if (!CV__LIVE_IS_BREAK(x)) {
                L->status[x] = CV__LIVE_PLANNED;
            }
            if (!CV__LIVE_IS_BREAK(x)) L->vehicle[x] = v;
        }
    }
    /* Shipments: both halves on one vehicle, pickup first. */
    for (uint32_t t = 0; t < p->ntasks; t++) {
        const cv_task *k = &p->tasks[t];
        if (k->kind != CV_TASK_PICKUP || L->vehicle[t] == CV_NONE) continue;
        if (L->vehicle[k->sibling] != L->vehicle[t])
            return cv_diag_set(diag,
                               "%s: shipment %llu: pickup and delivery on different "
                               "vehicles",
                               path, (unsigned long long)k->id);
    }
    return CV_OK;
}

cv_status cv_live_create(cv_live **out, const cv_problem *p, const char *plan_json, size_t len,
                         int64_t now, cv_diag *diag)
{
    json_error_t je;
    json_t *plan = json_loadb(plan_json, len, 0, &je);
    if (!plan) return cv_diag_set(diag, "plan: not JSON: %s (line %d)", je.text, je.line);
    cv_live *L = NULL;
    cv_status st = cv__live_new(&L, p, now, diag);
    if (st == CV_OK)
        st = cv__live_read_routes(L, json_object_get(plan, "routes"), "plan.routes", false, diag);
    json_decref(plan);
    if (st != CV_OK) {
        cv_live_destroy(L);
        return st;
    }
    *out = L;
    return CV_OK;
}

/* ---- Events ---- */

static cv_status clock_to(cv_live *L, int64_t t, cv_diag *diag)
{
    if (t < L->now)
        return cv_diag_set(diag,
                           "time: %lld is before the live clock %lld (events come in time "
                           "order)",
                           (long long)t, (long long)L->now);
    L->now = t;
    return CV_OK;
}

static const char *status_name(uint8_t s)
{
    static const char *n[] = {"planned", "unassigned", "in progress", "done", "skipped"};
    return s < 5 ? n[s] : "?";
}

static uint32_t route_pos(const cv__live_route *r, uint32_t x)
{
    for (uint32_t k = 0; k < r->n; k++)
        if (r->step[k] == x) return k;
    return CV_NONE;
}

/* Drops pending breaks that can no longer be taken (all windows closed
 * before the vehicle is free): they were missed, and a plan keeping them
 * could never be feasible again. */
static void drop_missed_breaks(cv_live *L, uint32_t v)
{
    cv__live_route *r = &L->routes[v];
    cv__live_avail a;
    cv__live_avail_of(L, v, &a);
    const cv_vehicle *vh = &L->p->vehicles[v];
    for (uint32_t k = r->nfrozen; k < r->n;) {
        uint32_t x = r->step[k];
        if (CV__LIVE_IS_BREAK(x)) {
            const cv_break *b = &L->p->breaks[vh->break_first + (x & ~CV__LIVE_BREAK)];
            if (b->tw_count && L->p->tws[b->tw_first + b->tw_count - 1].end < a.time) {
                cv__live_route_remove(r, k);
                continue;
            }
        }
        k++;
    }
}

static cv_status visit_start(cv_live *L, uint32_t v, uint32_t t, int64_t time, cv_diag *diag)
{
    const cv_problem *p = L->p;
    const cv_task *k = &p->tasks[t];
    cv__live_route *r = &L->routes[v];
    if (L->status[t] != CV__LIVE_PLANNED && L->status[t] != CV__LIVE_UNASSIGNED)
        return cv_diag_set(diag, "%s: %s %llu is %s", cv_task_kind_name(k->kind),
                           cv_task_kind_name(k->kind), (unsigned long long)k->id,
                           status_name(L->status[t]));
    if (r->in_progress) {
        const cv_task *c = &p->tasks[r->step[r->nfrozen - 1]];
        return cv_diag_set(diag,
                           "vehicle: vehicle %llu is still at %s %llu (send visit.done "
                           "first)",
                           (unsigned long long)p->vehicles[v].id, cv_task_kind_name(c->kind),
                           (unsigned long long)c->id);
    }
    if (!cv_vehicle_has_skills(p, &p->vehicles[v], k))
        return cv_diag_set(diag, "vehicle: vehicle %llu lacks the skills %s %llu needs",
                           (unsigned long long)p->vehicles[v].id, cv_task_kind_name(k->kind),
                           (unsigned long long)k->id);
    bool in_list = false;
    for (uint32_t i = 0; i < k->allowed_count; i++)
        in_list |= p->vehicle_refs[k->allowed_first + i] == v;
    if (k->allowed_count && !in_list)
        return cv_diag_set(diag,
                           "vehicle: vehicle %llu is not one of the allowed_vehicles of %s %llu",
                           (unsigned long long)p->vehicles[v].id, cv_task_kind_name(k->kind),
                           (unsigned long long)k->id);
    for (uint32_t i = 0; i < k->forbidden_count; i++)
        if (p->vehicle_refs[k->forbidden_first + i] == v)
            return cv_diag_set(diag,
                               "vehicle: vehicle %llu is one of the forbidden_vehicles of %s %llu",
                               (unsigned long long)p->vehicles[v].id, cv_task_kind_name(k->kind),
                               (unsigned long long)k->id);
    if (k->kind == CV_TASK_DELIVERY &&
        (L->status[k->sibling] != CV__LIVE_DONE || L->vehicle[k->sibling] != v))
        return cv_diag_set(diag, "delivery: shipment %llu was not picked up by vehicle %llu",
                           (unsigned long long)k->id, (unsigned long long)p->vehicles[v].id);
    if (k->kind == CV_TASK_PICKUP && L->vehicle[t] != CV_NONE && L->vehicle[t] != v)
        return cv_diag_set(diag,
                           "pickup: shipment %llu is planned on vehicle %llu; a shipment "
                           "changes vehicle only by a re-plan",
                           (unsigned long long)k->id,
                           (unsigned long long)p->vehicles[L->vehicle[t]].id);
    /* Breaks planned before this visit that fitted before it count as taken. */
    uint32_t pos = L->vehicle[t] == v ? route_pos(r, t) : r->n;
    cv__live_day day;
    cv_status st = cv__live_day_of(L, &day);
    if (st != CV_OK) return st;
    const cv__live_eta *eta = day.eta[v];
    cv__live_avail a;
    uint32_t nf = r->nfrozen;
    for (uint32_t j = r->nfrozen; j < pos; j++) {
        const cv__live_eta *e = &eta[j - r->nfrozen];
        if (!CV__LIVE_IS_BREAK(r->step[j]) || e->end > time || e->late > 0) continue;
        /* Move it to the frozen prefix. */
        uint32_t x = r->step[j];
        cv__live_route_remove(r, j);
        cv__live_route_insert(r, nf, x); /* cannot fail: room exists */
        r->arrive[nf] = e->arrival;
        r->start[nf] = e->start;
        r->end[nf] = e->end;
        nf++;
    }
    cv__live_day_fini(&day);
    r->nfrozen = nf;
    cv__live_avail_of(L, v, &a);
    /* Off its old route (any vehicle), into this vehicle's frozen prefix. */
    if (L->vehicle[t] != CV_NONE) {
        cv__live_route *o = &L->routes[L->vehicle[t]];
        uint32_t at = route_pos(o, t);
        if (at != CV_NONE) cv__live_route_remove(o, at);
    }
    st = cv__live_route_insert(r, r->nfrozen, t);
    if (st != CV_OK) return st;
    int64_t setup = k->loc != a.setup_from ? k->setup : 0;
    r->arrive[r->nfrozen] = time;
    r->start[r->nfrozen] = time;
    r->end[r->nfrozen] = time + setup + k->service;
    r->nfrozen++;
    r->in_progress = true;
    L->status[t] = CV__LIVE_STARTED;
    L->vehicle[t] = v;
    return CV_OK;
}

static cv_status visit_done(cv_live *L, uint32_t v, uint32_t t, int64_t time, cv_diag *diag)
{
    const cv_problem *p = L->p;
    const cv_task *k = &p->tasks[t];
    cv__live_route *r = &L->routes[v];
    if (!r->in_progress || r->step[r->nfrozen - 1] != t)
        return cv_diag_set(diag,
                           "%s: %s %llu is not in progress on vehicle %llu (%s; send "
                           "visit.start first)",
                           cv_task_kind_name(k->kind), cv_task_kind_name(k->kind),
                           (unsigned long long)k->id, (unsigned long long)p->vehicles[v].id,
                           status_name(L->status[t]));
    r->end[r->nfrozen - 1] = time;
    r->in_progress = false;
    L->status[t] = CV__LIVE_DONE;
    return CV_OK;
}

static cv_status visit_skipped(cv_live *L, uint32_t v, uint32_t t, cv_diag *diag)
{
    const cv_problem *p = L->p;
    const cv_task *k = &p->tasks[t];
    if (L->status[t] != CV__LIVE_PLANNED && L->status[t] != CV__LIVE_UNASSIGNED)
        return cv_diag_set(diag, "%s: %s %llu is %s and cannot be skipped",
                           cv_task_kind_name(k->kind), cv_task_kind_name(k->kind),
                           (unsigned long long)k->id, status_name(L->status[t]));
    if (L->vehicle[t] != CV_NONE && L->vehicle[t] != v)
        return cv_diag_set(diag, "vehicle: %s %llu is planned on vehicle %llu, not %llu",
                           cv_task_kind_name(k->kind), (unsigned long long)k->id,
                           (unsigned long long)p->vehicles[L->vehicle[t]].id,
                           (unsigned long long)p->vehicles[v].id);
    uint32_t both[2] = {t, k->kind == CV_TASK_PICKUP ? k->sibling : CV_NONE};
    for (int i = 0; i < 2; i++) {
        uint32_t x = both[i];
        if (x == CV_NONE) continue;
        if (L->vehicle[x] != CV_NONE) {
            cv__live_route *r = &L->routes[L->vehicle[x]];
            uint32_t at = route_pos(r, x);
            if (at != CV_NONE && at >= r->nfrozen) cv__live_route_remove(r, at);
        }
        L->status[x] = CV__LIVE_SKIPPED;
        L->vehicle[x] = CV_NONE;
    }
    return CV_OK;
}

static uint32_t nearest_loc(const cv_problem *p, double lon, double lat)
{
    uint32_t best = CV_NONE;
    double bd = 0;
    for (uint32_t i = 0; i < p->nlocs; i++) {
        if (!p->locs[i].has_coords) continue;
        double dx = (p->locs[i].lon - lon) * 0.86, dy = p->locs[i].lat - lat;
        double d = dx * dx + dy * dy;
        if (best == CV_NONE || d < bd) best = i, bd = d;
    }
    return best;
}

/* A visit with several workers is one task per worker under one id: the
 * event is about the copy on this vehicle (else a copy nobody has yet, else
 * the first one still to do; for visit.done, the one under way here). */
static uint32_t group_copy(const cv_live *L, uint32_t t, uint32_t v, cv_live_event_kind kind)
{
    const cv_problem *p = L->p;
    const uint32_t g = p->tasks[t].group_first, n = p->tasks[g].group_size;
    const cv__live_route *r = &L->routes[v];
    if (kind == CV_LIVE_VISIT_DONE) {
        for (uint32_t c = 0; c < n; c++)
            if (r->in_progress && r->step[r->nfrozen - 1] == g + c) return g + c;
        return t;
    }
    uint32_t none = CV_NONE, other = CV_NONE;
    for (uint32_t c = 0; c < n; c++) {
        uint32_t x = g + c;
        uint8_t s = L->status[x];
        if (s != CV__LIVE_PLANNED && s != CV__LIVE_UNASSIGNED) continue;
        if (L->vehicle[x] == v) return x;
        if (L->vehicle[x] == CV_NONE && none == CV_NONE) none = x;
        if (other == CV_NONE) other = x;
    }
    return none != CV_NONE ? none : other != CV_NONE ? other : t;
}

cv_status cv_live_apply(cv_live *L, const cv_live_event *ev, cv_diag *diag)
{
    const cv_problem *p = L->p;
    uint32_t v = cv__live_find_vehicle(p, ev->vehicle);
    if (v == CV_NONE)
        return cv_diag_set(diag, "vehicle: no vehicle %llu", (unsigned long long)ev->vehicle);
    cv_status st;
    if ((st = clock_to(L, ev->time, diag)) != CV_OK) return st;
    uint32_t t = CV_NONE;
    if (ev->kind != CV_LIVE_POSITION) {
        t = cv__live_find_task(p, ev->task_kind, ev->task);
        if (t == CV_NONE)
            return cv_diag_set(diag, "%s: no %s %llu", cv_task_kind_name(ev->task_kind),
                               cv_task_kind_name(ev->task_kind), (unsigned long long)ev->task);
    }
    if (t != CV_NONE && p->tasks[t].group_size > 1) t = group_copy(L, t, v, ev->kind);
    switch (ev->kind) {
    case CV_LIVE_VISIT_START:
        st = visit_start(L, v, t, ev->time, diag);
        break;
    case CV_LIVE_VISIT_DONE:
        st = visit_done(L, v, t, ev->time, diag);
        break;
    case CV_LIVE_VISIT_SKIPPED:
        st = visit_skipped(L, v, t, diag);
        /* The client is not at home: every worker's copy of the visit goes. */
        for (uint32_t c = 0; st == CV_OK && p->tasks[t].group_size > 1 &&
                             c < p->tasks[p->tasks[t].group_first].group_size;
             c++) {
            uint32_t x = p->tasks[t].group_first + c;
            uint8_t s = L->status[x];
            if (s == CV__LIVE_PLANNED || s == CV__LIVE_UNASSIGNED)
                st = visit_skipped(L, L->vehicle[x] == CV_NONE ? v : L->vehicle[x], x, diag);
        }
        break;
    case CV_LIVE_POSITION: {
        uint32_t loc = ev->loc;
        if (loc == CV_NONE) {
            loc = nearest_loc(p, ev->lon, ev->lat);
            if (loc == CV_NONE)
                return cv_diag_set(diag, "location: the problem has no coordinates; give "
                                         "location_index");
        } else if (loc >= p->nlocs) {
            return cv_diag_set(diag, "location_index: %u is not a location (0..%u)", loc,
                               p->nlocs ? p->nlocs - 1 : 0);
        }
        cv__live_route *r = &L->routes[v];
        r->has_pos = true;
        r->pos_loc = loc;
        r->pos_time = ev->time;
        st = CV_OK;
        break;
    }
    default:
        return cv_diag_set(diag, "type: unknown event");
    }
    if (st == CV_OK)
        for (uint32_t w = 0; w < p->nvehicles; w++) drop_missed_breaks(L, w);
    return st;
}
