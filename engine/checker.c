/* The independent plan checker: cv_check_json.
 *
 * Given a problem and a solution in VROOM's output shape, it recomputes from
 * the problem alone every arrival, wait, setup, service, load, cumulated
 * travel time and distance, route cost and total, and reports
 *   - violations: time windows, capacity, skills, shift, breaks (each of a
 *     used vehicle's breaks exactly once, max_load), max_tasks,
 *     max_travel_time, max_distance, shipment order and route, unknown /
 *     missing / duplicated tasks, unknown or reused vehicles, and the care
 *     extensions' rules (below);
 *   - mismatches: every stated field that disagrees with the recomputation.
 * It shares no code with solver/ nor with the JSON reader and writer of
 * engine/: it is the reference every solver test is judged against, so it
 * re-implements the rules of cv/problem.h from their written definition.
 *
 * The schedule is the one the solution states, validated step by step: the
 * plan's decisions are its waits (and where breaks fall), the checker derives
 * everything else.  A step's arrival must be the previous step's end plus the
 * travel between them; its service starts at arrival + waiting_time (never
 * before the vehicle can be there); it ends after setup (only when coming
 * from another location) and service.  Anchoring each step on the stated
 * values keeps one planted fault from cascading into a mismatch at every later
 * step.
 *
 * Breaks follow VROOM: a break has no location; it is taken somewhere on the
 * way between the surrounding steps, so part of that travel may happen before
 * it (VROOM's "remaining travel time").  The checker accepts any split (travel
 * into a break in [0, remaining]) and charges the rest to the next step; the
 * distance reported at a break is VROOM's pro rata temporis share, rounded.
 * A break taken at the previous location (travel 0 into it) is the split the
 * carevan writer uses.
 *
 * The report lists the violations first, then the mismatches, each in the
 * order found: messages[0 .. nviolations) are violations.
 *
 * Care extensions (docs/care-extensions.md), the rules as this checker
 * defines them (the solver follows these definitions):
 *   - A visit with n workers is n tasks with one id.  The solution names the
 *     id in n routes of n distinct vehicles, all with the same service start,
 *     or lists it once in unassigned.  Its k-th occurrence in the solution's
 *     order (routes, then steps) is copy k; copy 0, the first route that
 *     serves it, carries the visit's amounts and its priority; every copy is
 *     checked like a job (skills, windows, vehicle lists, preference cost).
 *     The report counts such a visit once in assigned / unassigned.
 *   - Relations (numbered as in the problem's "relations", those made by
 *     "workers" aside): both ends served or neither; start(second) -
 *     start(first) in [min_gap, max_gap] (together: 0); with distinct, no
 *     vehicle serves both (any copy of either).
 *   - Soft windows: a task with max_lateness may start up to that long after
 *     the end of the last window opened by its start; lateness = start - that
 *     end.  Before the first window's start, or later than allowed, is a
 *     violation.
 *   - allowed_vehicles / forbidden_vehicles: violations; a task served by a
 *     vehicle outside its preferred_vehicles adds its preference_cost.
 *   - Working time = arrival at the end - arrival at the start (the start
 *     step's arrival) - service of unpaid breaks; above max_working_time a
 *     violation; overtime = max(0, working - overtime_after).
 *   - max_ride_time: start(delivery) - (start(pickup) + setup + service).
 *   - Route cost = fixed (if it serves a task) + preference costs + travel
 *     cost, where the care costs per hour join the travel's numerator before
 *     its single rounding (halves away from zero):
 *       N = sum over tasks lateness_per_hour * lateness
 *           + overtime_per_hour * overtime
 *       without a costs matrix: round((per_hour * dur + per_km * dist * 3.6 + N) / 3600)
 *       with a costs matrix:    sum costs + round(N / 3600)
 *   - Summary cost = sum of route costs + round(fairness_per_hour * spread /
 *     3600), spread = longest - shortest working time of the routes serving
 *     at least one task (0 with none); the report's working_time_spread, and
 *     compared with the summary's "working_time_spread" when stated.
 *
 * Workload: O(steps + tasks log tasks + relations) time (a visit has at most
 * 8 workers), O(steps + tasks + vehicles) memory.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checker_int.h"

/* 128-bit products for the cost formula: per_hour * travel can exceed 2^63. */
__extension__ typedef __int128 i128;

typedef struct id_key {
    uint64_t id;
    uint32_t kind; /* cv_task_kind for tasks, 0 for vehicles */
    uint32_t index;
} id_key;

/* When a task is served, recorded by the schedule check for the whole-plan
 * rules (relations, visits with several workers, ride times). */
typedef struct task_time {
    bool timed;    /* false when not served, or in a route not checked further */
    int64_t start; /* service start: arrival + waiting */
    int64_t done;  /* end of setup and service */
} task_time;

typedef struct checker {
    const cv_problem *p;
    const cv__sol *sol;
    cv_check_report rep;
    uint32_t cap_messages;
    bool *is_mismatch; /* per message, to list violations first at the end */
    cv_status status;  /* CV_ENOMEM once an allocation failed */
    id_key *task_keys, *vehicle_keys;
    /* Where each task appears: count and first place in routes and in unassigned. */
    uint32_t *route_hits, *hit_route, *hit_step;
    uint32_t *unassigned_hits, *unassigned_first;
    uint32_t *vehicle_route; /* first route using each vehicle, CV_NONE */
    bool all_routes_checked; /* summary totals are only comparable when true */
    int64_t delivery[CV_MAX_AMOUNT_DIMS], pickup[CV_MAX_AMOUNT_DIMS];
    /* Care extensions. */
    uint32_t *step_task;  /* per solution step: its task (copies of a visit resolved), or CV_NONE */
    uint32_t *group_seen; /* per multi-worker visit (at group_first): its steps in all routes */
    task_time *times;     /* per task: when its checked route serves it */
    int64_t work_min, work_max; /* working time over the routes that serve tasks */
    uint32_t nworking;
} checker;

/* ---- Small arithmetic helpers (stated values are bounded by 2^53 but their
 * sums over many steps are not: saturate instead of overflowing). ---- */

static int64_t sat_add(int64_t a, int64_t b)
{
    int64_t r;
    if (__builtin_add_overflow(a, b, &r)) return b > 0 ? INT64_MAX : INT64_MIN;
    return r;
}

static int64_t max64(int64_t a, int64_t b)
{
    return a > b ? a : b;
}

/* round(num / den), halves away from zero; den > 0. */
static int64_t div_round(i128 num, i128 den)
{
    i128 q = num >= 0 ? (2 * num + den) / (2 * den) : -((-2 * num + den) / (2 * den));
    if (q > INT64_MAX) return INT64_MAX;
    if (q < INT64_MIN) return INT64_MIN;
    return (int64_t)q;
}

/* ---- Messages. ---- */

#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
static void
say(checker *c, bool mismatch, const char *fmt, ...)
{
    if (c->status != CV_OK) return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *m = n >= 0 ? malloc((size_t)n + 1) : NULL;
    if (!m) goto oom;
    va_start(ap, fmt);
    vsnprintf(m, (size_t)n + 1, fmt, ap);
    va_end(ap);
    if (c->rep.nmessages == c->cap_messages) {
        uint32_t cap = c->cap_messages ? 2 * c->cap_messages : 16;
        char **a = cv_realloc_array(c->rep.messages, cap, sizeof *a);
        if (a) c->rep.messages = a;
        bool *k = a ? cv_realloc_array(c->is_mismatch, cap, sizeof *k) : NULL;
        if (k) c->is_mismatch = k;
        if (!a || !k) {
            free(m);
            goto oom;
        }
        c->cap_messages = cap;
    }
    c->is_mismatch[c->rep.nmessages] = mismatch;
    c->rep.messages[c->rep.nmessages++] = m;
    if (mismatch)
        c->rep.nmismatches++;
    else
        c->rep.nviolations++;
    return;
oom:
    c->status = CV_ENOMEM;
}
#define VIOLATION(c, ...) say((c), false, __VA_ARGS__)
#define MISMATCH(c, ...) say((c), true, __VA_ARGS__)

/* "[3, 0]" into buf. */
static const char *fmt_amount(char *buf, size_t size, const int64_t *a, uint32_t n)
{
    size_t used = 0;
    buf[0] = '\0';
    used += (size_t)snprintf(buf, size, "[");
    for (uint32_t d = 0; d < n && used < size; d++)
        used += (size_t)snprintf(buf + used, size - used, "%s%lld", d ? ", " : "", (long long)a[d]);
    if (used < size) snprintf(buf + used, size - used, "]");
    return buf;
}

#define AMOUNT_BUF (CV_MAX_AMOUNT_DIMS * 24 + 8)

/* Mismatch when a stated field differs from the recomputed value. */
static void compare(checker *c, const char *place, const char *field, bool has, int64_t stated,
                    int64_t expected)
{
    if (has && stated != expected)
        MISMATCH(c, "%s: %s is %lld, recomputed %lld", place, field, (long long)stated,
                 (long long)expected);
}

static void compare_amount(checker *c, const char *place, const char *field, bool has, uint32_t off,
                           uint32_t len, const int64_t *expected)
{
    if (!has) return;
    const cv_problem *p = c->p;
    const int64_t *stated = c->sol->amounts + off;
    char a[AMOUNT_BUF], b[AMOUNT_BUF];
    if (len != p->ndims) {
        MISMATCH(c, "%s: %s %s has %u dimensions, the problem has %u", place, field,
                 fmt_amount(a, sizeof a, stated, len), len, p->ndims);
        return;
    }
    if (p->ndims && memcmp(stated, expected, p->ndims * sizeof *expected) != 0)
        MISMATCH(c, "%s: %s is %s, recomputed %s", place, field,
                 fmt_amount(a, sizeof a, stated, len), fmt_amount(b, sizeof b, expected, p->ndims));
}

/* ---- Lookups by user id. ---- */

static int cmp_key(const void *x, const void *y)
{
    const id_key *a = x, *b = y;
    if (a->kind != b->kind) return a->kind < b->kind ? -1 : 1;
    if (a->id != b->id) return a->id < b->id ? -1 : 1;
    return 0;
}

static uint32_t find_key(const id_key *keys, uint32_t n, uint32_t kind, int64_t id)
{
    if (id < 0) return CV_NONE;
    id_key k = {.id = (uint64_t)id, .kind = kind};
    const id_key *hit = bsearch(&k, keys, n, sizeof *keys, cmp_key);
    return hit ? hit->index : CV_NONE;
}

static cv_task_kind kind_of_step(cv_step_type t)
{
    return t == CV_STEP_PICKUP     ? CV_TASK_PICKUP
           : t == CV_STEP_DELIVERY ? CV_TASK_DELIVERY
                                   : CV_TASK_JOB;
}

static bool is_task_step(cv_step_type t)
{
    return t == CV_STEP_JOB || t == CV_STEP_PICKUP || t == CV_STEP_DELIVERY;
}

/* A visit needing n workers is n tasks with one id (group_first .. +n-1).
 * The solution names only the id, so its k-th occurrence in the solution's
 * order (routes in order, steps in order) is taken as copy k: the first
 * route that serves the visit has the first copy, which alone carries the
 * visit's amounts and priority.  Occurrences beyond n all fall on the last
 * copy (served too often: reported by check_coverage). */
static void map_steps(checker *c)
{
    const cv_problem *p = c->p;
    const cv__sol *sol = c->sol;
    for (uint32_t i = 0; i < sol->nsteps; i++) {
        const cv__sol_step *s = &sol->steps[i];
        c->step_task[i] = CV_NONE;
        if (!is_task_step(s->type)) continue;
        uint32_t t = find_key(c->task_keys, p->ntasks, kind_of_step(s->type), s->id);
        if (t != CV_NONE && p->tasks[t].group_size > 1) {
            uint32_t g = p->tasks[t].group_first, n = p->tasks[g].group_size;
            uint32_t occ = c->group_seen[g]++;
            t = g + (occ < n ? occ : n - 1);
        }
        c->step_task[i] = t;
    }
}

/* The tasks a task stands with: its visit's copies, or itself alone. */
static uint32_t copies_of(const cv_problem *p, uint32_t t, uint32_t *first)
{
    const cv_task *k = &p->tasks[t];
    *first = k->group_size > 1 ? k->group_first : t;
    return k->group_size > 1 ? k->group_size : 1;
}

/* ---- Travel, as defined in cv/problem.h. ---- */

static int64_t travel_dur(const cv_problem *p, const cv_vehicle *v, uint32_t a, uint32_t b)
{
    if (a == CV_NONE || b == CV_NONE) return 0;
    const cv_profile *pf = &p->profiles[v->profile];
    uint32_t d = pf->durations[(size_t)a * pf->n + b];
    if (v->speed_factor == 1.0) return d;
    /* Half away from zero; durations are non-negative. */
    return (int64_t)((double)d / v->speed_factor + 0.5);
}

static int64_t travel_dist(const cv_problem *p, const cv_vehicle *v, uint32_t a, uint32_t b)
{
    const cv_profile *pf = &p->profiles[v->profile];
    if (a == CV_NONE || b == CV_NONE || !pf->distances) return 0;
    return pf->distances[(size_t)a * pf->n + b];
}

static int64_t travel_cost(const cv_problem *p, const cv_vehicle *v, uint32_t a, uint32_t b)
{
    const cv_profile *pf = &p->profiles[v->profile];
    if (a == CV_NONE || b == CV_NONE || !pf->costs) return 0;
    return pf->costs[(size_t)a * pf->n + b];
}

/* ---- Time windows. ---- */

/* The wait a step needs when it states none: none while a window (or its
 * allowed lateness, late_max) still lets it start, else up to the next window. */
static int64_t wait_needed(const cv_tw *tws, uint32_t n, int64_t late_max, int64_t t)
{
    for (uint32_t i = 0; i < n; i++)
        if (t <= sat_add(tws[i].end, late_max)) return t < tws[i].start ? tws[i].start - t : 0;
    return 0;
}

static void check_tw(checker *c, const char *place, const char *what, const cv_tw *tws, uint32_t n,
                     int64_t t)
{
    if (n == 0) return;
    for (uint32_t i = 0; i < n; i++)
        if (tws[i].start <= t && t <= tws[i].end) return;
    if (t < tws[0].start)
        VIOLATION(c, "%s: %s starts at %lld, before the start %lld of its first time window", place,
                  what, (long long)t, (long long)tws[0].start);
    else if (t > tws[n - 1].end)
        VIOLATION(c, "%s: %s starts at %lld, after the end %lld of its last time window", place,
                  what, (long long)t, (long long)tws[n - 1].end);
    else
        for (uint32_t i = 0; i + 1 < n; i++)
            if (tws[i].end < t && t < tws[i + 1].start) {
                VIOLATION(c,
                          "%s: %s starts at %lld, between its time windows [%lld, %lld] and "
                          "[%lld, %lld]",
                          place, what, (long long)t, (long long)tws[i].start, (long long)tws[i].end,
                          (long long)tws[i + 1].start, (long long)tws[i + 1].end);
                return;
            }
}

/* Soft windows (care extension): a task with max_lateness may start up to
 * that long after the end of a window, never before a window's start.
 * Returns the lateness (0 inside a window) that the route cost charges;
 * a start no window allows is a violation (and charges nothing). */
static int64_t check_task_tw(checker *c, const char *place, const cv_task *t, int64_t start)
{
    const cv_tw *tws = c->p->tws + t->tw_first;
    uint32_t n = t->tw_count;
    if (t->max_lateness <= 0 || n == 0 || start < tws[0].start) {
        check_tw(c, place, "service", tws, n, start);
        return 0;
    }
    uint32_t i = n;
    while (i > 0 && tws[i - 1].start > start) i--;
    /* tws[i - 1] is the last window opened by `start`. */
    const cv_tw *w = &tws[i - 1];
    if (start <= w->end) return 0;
    int64_t late = start - w->end;
    if (late <= t->max_lateness) return late;
    VIOLATION(c,
              "%s: service starts at %lld, %lld after the end of its time window [%lld, %lld], "
              "more than its lateness max %lld",
              place, (long long)start, (long long)late, (long long)w->start, (long long)w->end,
              (long long)t->max_lateness);
    return 0;
}

/* ---- One route. ---- */

typedef struct route_ctx {
    checker *c;
    uint32_t ri;
    const cv__sol_route *rt;
    const cv__sol_step *steps;
    const cv_vehicle *v;
    uint32_t *index; /* per step: task index, or break index within the vehicle */
    uint32_t *loc;   /* per step: location, CV_NONE for breaks */
    uint32_t ntasks;
    uint32_t vi;       /* vehicle index */
    int64_t pref_cost; /* preference costs of tasks served by a non-preferred vehicle */
} route_ctx;

static void step_place(const route_ctx *r, uint32_t k, char *buf, size_t size)
{
    const cv__sol_step *s = &r->steps[k];
    if (s->type == CV_STEP_START || s->type == CV_STEP_END)
        snprintf(buf, size, "routes[%u].steps[%u] (%s)", r->ri, k, cv_step_type_name(s->type));
    else
        snprintf(buf, size, "routes[%u].steps[%u] (%s %lld)", r->ri, k, cv_step_type_name(s->type),
                 (long long)s->id);
}

/* Resolves ids to tasks and breaks; false when one is unknown (reported). */
static bool resolve_steps(route_ctx *r)
{
    checker *c = r->c;
    const cv_problem *p = c->p;
    const cv_vehicle *v = r->v;
    bool ok = true;
    for (uint32_t k = 1; k + 1 < r->rt->step_count; k++) {
        const cv__sol_step *s = &r->steps[k];
        char place[96];
        step_place(r, k, place, sizeof place);
        if (s->type == CV_STEP_BREAK) {
            r->index[k] = CV_NONE;
            for (uint32_t b = 0; b < v->break_count; b++)
                if (s->id >= 0 && p->breaks[v->break_first + b].id == (uint64_t)s->id) {
                    r->index[k] = b;
                    break;
                }
            if (r->index[k] == CV_NONE) {
                VIOLATION(c, "%s: vehicle %llu has no break %lld; route not checked further", place,
                          (unsigned long long)v->id, (long long)s->id);
                ok = false;
            }
            continue;
        }
        uint32_t t = c->step_task[r->rt->step_first + k];
        r->index[k] = t;
        if (t == CV_NONE) {
            VIOLATION(c, "%s: unknown %s %lld; route not checked further", place,
                      cv_step_type_name(s->type), (long long)s->id);
            ok = false;
        }
    }
    return ok;
}

/* Counts each task of the route for the coverage check (also for routes that
 * are not checked further, so their tasks are not reported missing). */
static void count_tasks(route_ctx *r)
{
    checker *c = r->c;
    for (uint32_t k = 1; k + 1 < r->rt->step_count; k++) {
        const cv__sol_step *s = &r->steps[k];
        if (!is_task_step(s->type)) continue;
        uint32_t t = c->step_task[r->rt->step_first + k];
        if (t == CV_NONE) continue;
        if (c->route_hits[t]++ == 0) {
            c->hit_route[t] = r->ri;
            c->hit_step[t] = k;
        }
    }
}

static bool vehicle_listed(const cv_problem *p, uint32_t first, uint32_t count, uint32_t vi)
{
    for (uint32_t i = 0; i < count; i++)
        if (p->vehicle_refs[first + i] == vi) return true;
    return false;
}

/* Continuity of care: allowed and forbidden vehicles are hard rules, a
 * vehicle other than the preferred ones costs preference_cost. */
static void check_vehicle_lists(route_ctx *r, uint32_t k, const cv_task *t)
{
    checker *c = r->c;
    const cv_problem *p = c->p;
    char place[96];
    if (t->allowed_count && !vehicle_listed(p, t->allowed_first, t->allowed_count, r->vi)) {
        step_place(r, k, place, sizeof place);
        VIOLATION(c, "%s: vehicle %llu is not one of its allowed_vehicles", place,
                  (unsigned long long)r->v->id);
    }
    if (t->forbidden_count && vehicle_listed(p, t->forbidden_first, t->forbidden_count, r->vi)) {
        step_place(r, k, place, sizeof place);
        VIOLATION(c, "%s: vehicle %llu is one of its forbidden_vehicles", place,
                  (unsigned long long)r->v->id);
    }
    if (t->preferred_count && !vehicle_listed(p, t->preferred_first, t->preferred_count, r->vi))
        r->pref_cost = sat_add(r->pref_cost, t->preference_cost);
}

/* Vehicle-level rules that need no schedule: skills, vehicle lists, breaks,
 * max_tasks. */
static void check_route_rules(route_ctx *r)
{
    checker *c = r->c;
    const cv_problem *p = c->p;
    const cv_vehicle *v = r->v;
    const uint32_t *have = p->skills + v->skill_first;
    uint32_t *taken = cv_calloc(v->break_count ? v->break_count : 1, sizeof *taken);
    if (!taken) {
        c->status = CV_ENOMEM;
        return;
    }
    for (uint32_t k = 1; k + 1 < r->rt->step_count; k++) {
        const cv__sol_step *s = &r->steps[k];
        if (s->type == CV_STEP_BREAK) {
            taken[r->index[k]]++;
            continue;
        }
        const cv_task *t = &p->tasks[r->index[k]];
        check_vehicle_lists(r, k, t);
        const uint32_t *need = p->skills + t->skill_first;
        /* Plain double loop: independent of the sorted-merge in core. */
        for (uint32_t i = 0; i < t->skill_count; i++) {
            bool found = false;
            for (uint32_t j = 0; j < v->skill_count && !found; j++) found = have[j] == need[i];
            if (!found) {
                char place[96];
                step_place(r, k, place, sizeof place);
                VIOLATION(c, "%s: needs skill %u, which vehicle %llu lacks", place, need[i],
                          (unsigned long long)v->id);
            }
        }
    }
    for (uint32_t b = 0; b < v->break_count; b++) {
        const cv_break *br = &p->breaks[v->break_first + b];
        if (taken[b] == 0 && r->ntasks > 0)
            VIOLATION(c, "routes[%u] (vehicle %llu): break %llu is missing", r->ri,
                      (unsigned long long)v->id, (unsigned long long)br->id);
        else if (taken[b] > 1)
            VIOLATION(c, "routes[%u] (vehicle %llu): break %llu is taken %u times", r->ri,
                      (unsigned long long)v->id, (unsigned long long)br->id, taken[b]);
    }
    free(taken);
    if (v->max_tasks != UINT32_MAX && r->ntasks > v->max_tasks)
        VIOLATION(c, "routes[%u] (vehicle %llu): %u tasks, more than its max_tasks %u", r->ri,
                  (unsigned long long)v->id, r->ntasks, v->max_tasks);
}

static bool coords_differ(const cv__sol_step *s, const cv_location *l)
{
    /* Coordinates are echoed from the input: anything beyond printing noise
     * is another place. */
    double dx = s->lon - l->lon, dy = s->lat - l->lat;
    return dx > 1e-6 || dx < -1e-6 || dy > 1e-6 || dy < -1e-6;
}

static const cv_location *coords_of(const cv_problem *p, uint32_t loc)
{
    return loc < p->nlocs && p->locs && p->locs[loc].has_coords ? &p->locs[loc] : NULL;
}

/* True when the step states no location, or states location `loc`. */
static bool location_is(const checker *c, const cv__sol_step *s, uint32_t loc)
{
    if (s->has_loc_index && s->loc_index != (int64_t)loc) return false;
    const cv_location *l = coords_of(c->p, loc);
    return !(s->has_coords && l && coords_differ(s, l));
}

/* Mismatches for a stated location_index / location other than `loc`. */
static void check_location_at(checker *c, const cv__sol_step *s, const char *place, uint32_t loc)
{
    if (loc == CV_NONE) return;
    if (s->has_loc_index && s->loc_index != (int64_t)loc)
        MISMATCH(c, "%s: location_index is %lld, recomputed %u", place, (long long)s->loc_index,
                 loc);
    const cv_location *l = coords_of(c->p, loc);
    if (s->has_coords && l && coords_differ(s, l))
        MISMATCH(c, "%s: location is [%.6f, %.6f], the problem has [%.6f, %.6f]", place, s->lon,
                 s->lat, l->lon, l->lat);
}

static void check_location(route_ctx *r, uint32_t k, const char *place)
{
    check_location_at(r->c, &r->steps[k], place, r->loc[k]);
}

/* VROOM gives breaks no location; carevan's writer names the place where the
 * break is taken.  That place is the leg's origin while nothing of the leg has
 * been driven, its destination once all of it has; in between the van is on
 * the road and no location fits. */
static void check_break_location(checker *c, const cv__sol_step *s, const char *place,
                                 uint32_t from, uint32_t to, bool at_from, bool at_to)
{
    if (!s->has_loc_index && !s->has_coords) return;
    if ((at_from && location_is(c, s, from)) || (at_to && location_is(c, s, to))) return;
    if (at_from)
        check_location_at(c, s, place, from);
    else if (at_to)
        check_location_at(c, s, place, to);
    else
        MISMATCH(c,
                 "%s: a location is stated, but the break is taken on the road from location %u "
                 "to %u",
                 place, from, to);
}

static void check_load(route_ctx *r, uint32_t k, const char *place, const int64_t *load)
{
    checker *c = r->c;
    const cv_problem *p = c->p;
    const cv__sol_step *s = &r->steps[k];
    compare_amount(c, place, "load", s->has_load, s->load_off, s->load_len, load);
    const int64_t *cap = cv_vehicle_capacity(p, r->v);
    for (uint32_t d = 0; d < p->ndims; d++)
        if (load[d] > cap[d]) {
            char a[AMOUNT_BUF], b[AMOUNT_BUF];
            VIOLATION(c, "%s: load %s exceeds the capacity %s of vehicle %llu", place,
                      fmt_amount(a, sizeof a, load, p->ndims),
                      fmt_amount(b, sizeof b, cap, p->ndims), (unsigned long long)r->v->id);
            return;
        }
}

/* Recomputes the schedule, loads, travel and totals of one resolved route. */
static void check_route_schedule(route_ctx *r)
{
    checker *c = r->c;
    const cv_problem *p = c->p;
    const cv_vehicle *v = r->v;
    const cv__sol_step *steps = r->steps;
    const uint32_t n = r->rt->step_count;
    const uint32_t nd = p->ndims;
    char place[96];

    /* Loads: single jobs' deliveries are on board from the start. */
    int64_t load[CV_MAX_AMOUNT_DIMS] = {0}, deliv[CV_MAX_AMOUNT_DIMS] = {0},
            pick[CV_MAX_AMOUNT_DIMS] = {0};
    for (uint32_t k = 1; k + 1 < n; k++) {
        if (!is_task_step(steps[k].type)) continue;
        const cv_task *t = &p->tasks[r->index[k]];
        for (uint32_t d = 0; d < nd; d++) {
            if (t->kind == CV_TASK_JOB) load[d] = sat_add(load[d], cv_task_delivery(p, t)[d]);
            deliv[d] = sat_add(deliv[d], cv_task_delivery(p, t)[d]);
            pick[d] = sat_add(pick[d], cv_task_pickup(p, t)[d]);
        }
    }

    int64_t setup_sum = 0, service_sum = 0, waiting_sum = 0, cost_sum = 0;
    int64_t priority_sum = 0, unpaid_sum = 0;
    /* Care costs per hour (lateness, overtime), in the x3600 scale of
     * per_hour * travel: they join the route cost before its one rounding. */
    i128 care_num = 0;
    int64_t cum_dur = 0, cum_dist = 0;
    /* The current leg: travel between two consecutive non-break steps, of
     * which breaks may take a share. */
    int64_t leg_dur = 0, leg_dist = 0, remaining = 0, leg_dist0 = 0, leg_dist_share = 0;
    uint32_t leg_from = CV_NONE, leg_to = CV_NONE;
    uint32_t setup_from = v->start_loc; /* CV_NONE: the first task always gets its setup */

    /* Start step. */
    const cv__sol_step *s0 = &steps[0];
    step_place(r, 0, place, sizeof place);
    int64_t arrival = s0->has_arrival ? s0->arrival : v->tw.start;
    int64_t wait = s0->has_waiting ? s0->waiting : 0;
    if (wait < 0) {
        MISMATCH(c, "%s: waiting_time %lld is negative", place, (long long)wait);
        wait = 0;
    }
    compare(c, place, "duration", s0->has_duration, s0->duration, 0);
    compare(c, place, "distance", s0->has_distance, s0->distance, 0);
    compare(c, place, "setup", s0->has_setup, s0->setup, 0);
    compare(c, place, "service", s0->has_service, s0->service, 0);
    check_location(r, 0, place);
    check_load(r, 0, place, load);
    if (arrival < v->tw.start)
        VIOLATION(c, "%s: the route starts at %lld, before the start %lld of vehicle %llu's shift",
                  place, (long long)arrival, (long long)v->tw.start, (unsigned long long)v->id);
    int64_t prev_end = sat_add(arrival, wait);
    waiting_sum += wait;
    int64_t end = prev_end;

    for (uint32_t k = 1; k < n; k++) {
        const cv__sol_step *s = &steps[k];
        step_place(r, k, place, sizeof place);
        if (steps[k - 1].type != CV_STEP_BREAK) {
            /* First step after a non-break step: open the leg to the next
             * non-break step. */
            uint32_t j = k;
            while (steps[j].type == CV_STEP_BREAK) j++;
            leg_from = r->loc[k - 1];
            leg_to = r->loc[j];
            leg_dur = travel_dur(p, v, leg_from, leg_to);
            leg_dist = travel_dist(p, v, leg_from, leg_to);
            cost_sum = sat_add(cost_sum, travel_cost(p, v, leg_from, leg_to));
            remaining = leg_dur;
            leg_dist0 = cum_dist;
            leg_dist_share = 0;
        }
        if (s->type == CV_STEP_BREAK) {
            const cv_break *b = &p->breaks[v->break_first + r->index[k]];
            int64_t lo = prev_end, hi = sat_add(prev_end, remaining);
            int64_t a = s->has_arrival ? s->arrival : lo, eff = a;
            if (a < lo) {
                MISMATCH(c, "%s: arrival is %lld, before the previous step ends at %lld", place,
                         (long long)a, (long long)lo);
                eff = lo;
            } else if (a > hi) {
                MISMATCH(c,
                         "%s: arrival is %lld, after %lld (previous step ends at %lld, %lld of "
                         "travel left)",
                         place, (long long)a, (long long)hi, (long long)lo, (long long)remaining);
                eff = hi;
            }
            int64_t part = eff - lo;
            remaining -= part;
            cum_dur = sat_add(cum_dur, part);
            /* VROOM's pro rata temporis distance of the travelled share. */
            if (leg_dur > 0) leg_dist_share += div_round((i128)part * leg_dist, leg_dur);
            cum_dist = leg_dist0 + leg_dist_share;
            compare(c, place, "duration", s->has_duration, s->duration, cum_dur);
            compare(c, place, "distance", s->has_distance, s->distance, cum_dist);
            check_break_location(c, s, place, leg_from, leg_to, remaining == leg_dur,
                                 remaining == 0);
            compare(c, place, "setup", s->has_setup, s->setup, 0);
            compare(c, place, "service", s->has_service, s->service, b->service);
            compare_amount(c, place, "load", s->has_load, s->load_off, s->load_len, load);
            int64_t w = s->has_waiting ? s->waiting
                                       : wait_needed(p->tws + b->tw_first, b->tw_count, 0, eff);
            if (w < 0) {
                MISMATCH(c, "%s: waiting_time %lld is negative", place, (long long)w);
                w = 0;
            }
            int64_t start = max64(sat_add(a, w), eff);
            check_tw(c, place, "break", p->tws + b->tw_first, b->tw_count, start);
            if (b->has_max_load) {
                const int64_t *ml = p->amounts + b->max_load_off;
                for (uint32_t d = 0; d < nd; d++)
                    if (load[d] > ml[d]) {
                        char x[AMOUNT_BUF], y[AMOUNT_BUF];
                        VIOLATION(c, "%s: load %s exceeds the break's max_load %s", place,
                                  fmt_amount(x, sizeof x, load, nd),
                                  fmt_amount(y, sizeof y, ml, nd));
                        break;
                    }
            }
            prev_end = sat_add(start, b->service);
            service_sum = sat_add(service_sum, b->service);
            if (b->unpaid) unpaid_sum = sat_add(unpaid_sum, b->service);
            waiting_sum = sat_add(waiting_sum, w);
            continue;
        }

        /* A task or the end: the rest of the leg's travel comes before it. */
        int64_t expected = sat_add(prev_end, remaining);
        cum_dur = sat_add(cum_dur, remaining);
        remaining = 0;
        cum_dist = sat_add(leg_dist0, leg_dist);
        int64_t a = s->has_arrival ? s->arrival : expected;
        if (a != expected)
            MISMATCH(c,
                     "%s: arrival is %lld, recomputed %lld (previous step ends at %lld, then "
                     "%lld of travel)",
                     place, (long long)a, (long long)expected, (long long)prev_end,
                     (long long)(expected - prev_end));
        compare(c, place, "duration", s->has_duration, s->duration, cum_dur);
        compare(c, place, "distance", s->has_distance, s->distance, cum_dist);
        check_location(r, k, place);

        if (s->type == CV_STEP_END) {
            compare(c, place, "setup", s->has_setup, s->setup, 0);
            compare(c, place, "service", s->has_service, s->service, 0);
            compare(c, place, "waiting_time", s->has_waiting, s->waiting, 0);
            check_load(r, k, place, load);
            end = max64(a, expected);
            if (end > v->tw.end)
                VIOLATION(c,
                          "%s: the route ends at %lld, after the end %lld of vehicle %llu's shift",
                          place, (long long)end, (long long)v->tw.end, (unsigned long long)v->id);
            break;
        }

        const cv_task *t = &p->tasks[r->index[k]];
        int64_t setup = t->loc != setup_from ? t->setup : 0;
        setup_from = t->loc;
        compare(c, place, "setup", s->has_setup, s->setup, setup);
        compare(c, place, "service", s->has_service, s->service, t->service);
        int64_t w = s->has_waiting ? s->waiting
                                   : wait_needed(cv_task_tws(p, t), t->tw_count, t->max_lateness,
                                                 max64(a, expected));
        if (w < 0) {
            MISMATCH(c, "%s: waiting_time %lld is negative", place, (long long)w);
            w = 0;
        }
        int64_t start = max64(sat_add(a, w), expected);
        int64_t late = check_task_tw(c, place, t, start);
        care_num += (i128)t->lateness_per_hour * late;
        for (uint32_t d = 0; d < nd; d++)
            load[d] = sat_add(load[d], cv_task_pickup(p, t)[d] - cv_task_delivery(p, t)[d]);
        check_load(r, k, place, load);
        prev_end = sat_add(start, sat_add(setup, t->service));
        c->times[r->index[k]] = (task_time){.timed = true, .start = start, .done = prev_end};
        setup_sum = sat_add(setup_sum, setup);
        service_sum = sat_add(service_sum, t->service);
        waiting_sum = sat_add(waiting_sum, w);
        /* A visit with several workers counts its priority once, like its amounts. */
        if (t->group_size <= 1 || r->index[k] == t->group_first) priority_sum += t->priority;
    }

    /* Working time (care extension): from the start to the arrival at the
     * end, everything but unpaid breaks. */
    int64_t working = sat_add(end, -sat_add(arrival, unpaid_sum));
    if (v->max_working_time > 0 && working > v->max_working_time)
        VIOLATION(
            c, "routes[%u] (vehicle %llu): working time %lld exceeds its max_working_time %lld",
            r->ri, (unsigned long long)v->id, (long long)working, (long long)v->max_working_time);
    if (v->overtime_per_hour > 0 && working > v->overtime_after)
        care_num += (i128)v->overtime_per_hour * (working - v->overtime_after);
    if (r->ntasks > 0) {
        c->work_min = c->nworking ? (working < c->work_min ? working : c->work_min) : working;
        c->work_max = c->nworking ? max64(working, c->work_max) : working;
        c->nworking++;
    }

    /* Route cost, as defined in cv/problem.h, plus the care costs (file top). */
    int64_t fixed = sat_add(r->ntasks > 0 ? v->fixed_cost : 0, r->pref_cost), cost;
    if (p->profiles[v->profile].costs)
        cost = sat_add(fixed, sat_add(cost_sum, div_round(care_num, 3600)));
    else
        cost = sat_add(fixed, div_round((i128)v->per_hour * cum_dur * 10 +
                                            (i128)v->per_km * cum_dist * 36 + care_num * 10,
                                        36000));

    if (cum_dur > v->max_travel_time)
        VIOLATION(c, "routes[%u] (vehicle %llu): travel time %lld exceeds its max_travel_time %lld",
                  r->ri, (unsigned long long)v->id, (long long)cum_dur,
                  (long long)v->max_travel_time);
    if (cum_dist > v->max_distance)
        VIOLATION(c, "routes[%u] (vehicle %llu): distance %lld exceeds its max_distance %lld",
                  r->ri, (unsigned long long)v->id, (long long)cum_dist,
                  (long long)v->max_distance);

    const cv__sol_totals *tt = &r->rt->totals;
    snprintf(place, sizeof place, "routes[%u] (vehicle %llu)", r->ri, (unsigned long long)v->id);
    compare(c, place, "cost", tt->has_cost, tt->cost, cost);
    compare(c, place, "setup", tt->has_setup, tt->setup, setup_sum);
    compare(c, place, "service", tt->has_service, tt->service, service_sum);
    compare(c, place, "duration", tt->has_duration, tt->duration, cum_dur);
    compare(c, place, "waiting_time", tt->has_waiting, tt->waiting, waiting_sum);
    compare(c, place, "distance", tt->has_distance, tt->distance, cum_dist);
    compare(c, place, "priority", tt->has_priority, tt->priority, priority_sum);
    compare_amount(c, place, "delivery", tt->has_delivery, tt->delivery_off, tt->delivery_len,
                   deliv);
    compare_amount(c, place, "pickup", tt->has_pickup, tt->pickup_off, tt->pickup_len, pick);

    cv_check_report *rep = &c->rep;
    rep->cost = sat_add(rep->cost, cost);
    rep->duration = sat_add(rep->duration, cum_dur);
    rep->distance = sat_add(rep->distance, cum_dist);
    rep->waiting = sat_add(rep->waiting, waiting_sum);
    rep->service = sat_add(rep->service, service_sum);
    rep->setup = sat_add(rep->setup, setup_sum);
    rep->priority += (uint32_t)priority_sum;
    for (uint32_t d = 0; d < nd; d++) {
        c->delivery[d] = sat_add(c->delivery[d], deliv[d]);
        c->pickup[d] = sat_add(c->pickup[d], pick[d]);
    }
}

static void check_route(checker *c, uint32_t ri)
{
    const cv_problem *p = c->p;
    route_ctx r = {.c = c, .ri = ri, .rt = &c->sol->routes[ri]};
    r.steps = c->sol->steps + r.rt->step_first;
    const uint32_t n = r.rt->step_count;
    count_tasks(&r);
    uint32_t vi = find_key(c->vehicle_keys, p->nvehicles, 0, r.rt->vehicle);
    if (vi == CV_NONE) {
        VIOLATION(c, "routes[%u]: unknown vehicle %lld; route not checked further", ri,
                  (long long)r.rt->vehicle);
        c->all_routes_checked = false;
        return;
    }
    r.v = &p->vehicles[vi];
    r.vi = vi;
    if (c->vehicle_route[vi] != CV_NONE)
        VIOLATION(c, "routes[%u]: vehicle %llu is already used by routes[%u]", ri,
                  (unsigned long long)r.v->id, c->vehicle_route[vi]);
    else
        c->vehicle_route[vi] = ri;

    r.index = cv_calloc(n, sizeof *r.index);
    r.loc = cv_calloc(n, sizeof *r.loc);
    if (!r.index || !r.loc) {
        c->status = CV_ENOMEM;
        goto done;
    }
    if (!resolve_steps(&r)) {
        c->all_routes_checked = false;
        goto done;
    }
    uint32_t first_loc = CV_NONE, last_loc = CV_NONE;
    for (uint32_t k = 1; k + 1 < n; k++) {
        r.loc[k] = CV_NONE;
        if (!is_task_step(r.steps[k].type)) continue;
        r.ntasks++;
        last_loc = r.loc[k] = p->tasks[r.index[k]].loc;
        if (first_loc == CV_NONE) first_loc = last_loc;
    }
    /* Without a start (end), the route begins (finishes) at its first (last)
     * task; an empty route of such a vehicle stays where its other end is. */
    const cv_vehicle *v = r.v;
    r.loc[0] = v->start_loc != CV_NONE ? v->start_loc
               : first_loc != CV_NONE  ? first_loc
                                       : v->end_loc;
    r.loc[n - 1] = v->end_loc != CV_NONE ? v->end_loc : last_loc != CV_NONE ? last_loc : r.loc[0];
    check_route_rules(&r);
    if (c->status == CV_OK) check_route_schedule(&r);
done:
    free(r.index);
    free(r.loc);
}

/* ---- Whole-plan rules. ---- */

static void check_unassigned_entries(checker *c)
{
    const cv__sol *sol = c->sol;
    for (uint32_t i = 0; i < sol->nunassigned; i++) {
        const cv__sol_unassigned *u = &sol->unassigned[i];
        uint32_t t = find_key(c->task_keys, c->p->ntasks, u->kind, u->id);
        if (t == CV_NONE) {
            VIOLATION(c, "unassigned[%u]: unknown %s %lld", i, cv_task_kind_name(u->kind),
                      (long long)u->id);
            continue;
        }
        /* A visit with several workers is listed once, for all its copies. */
        if (c->p->tasks[t].group_size > 1) t = c->p->tasks[t].group_first;
        if (c->unassigned_hits[t]++ == 0) c->unassigned_first[t] = i;
        /* The writer echoes the task's place: it must be the task's. */
        cv__sol_step as_step = {.has_loc_index = u->has_loc_index,
                                .loc_index = u->loc_index,
                                .has_coords = u->has_coords,
                                .lon = u->lon,
                                .lat = u->lat};
        char place[64];
        snprintf(place, sizeof place, "unassigned[%u] (%s %lld)", i, cv_task_kind_name(u->kind),
                 (long long)u->id);
        check_location_at(c, &as_step, place, c->p->tasks[t].loc);
    }
}

/* Every task is in exactly one route or in unassigned; a visit with n
 * workers is in n routes or (once) in unassigned. */
static void check_coverage(checker *c)
{
    const cv_problem *p = c->p;
    for (uint32_t t = 0; t < p->ntasks; t++) {
        const cv_task *tk = &p->tasks[t];
        const char *kind = cv_task_kind_name(tk->kind);
        unsigned long long id = (unsigned long long)tk->id;
        uint32_t hr = c->route_hits[t], hu = c->unassigned_hits[t];
        if (tk->group_size > 1) {
            if (t != tk->group_first) continue;
            hr = c->group_seen[t];
            if (hr > 0 && hr != tk->group_size) {
                VIOLATION(c,
                          "%s %llu needs %u workers but is served %u time%s (first at "
                          "routes[%u].steps[%u])",
                          kind, id, tk->group_size, hr, hr == 1 ? "" : "s", c->hit_route[t],
                          c->hit_step[t]);
                continue;
            }
            hr = hr > 0; /* all copies served: as one task served once */
        }
        if (hr == 0 && hu == 0)
            VIOLATION(c, "%s %llu is missing: neither in a route nor in unassigned", kind, id);
        else if (hr > 1)
            VIOLATION(c, "%s %llu is served %u times (first at routes[%u].steps[%u])", kind, id, hr,
                      c->hit_route[t], c->hit_step[t]);
        else if (hr == 1 && hu > 0)
            VIOLATION(c,
                      "%s %llu is both served at routes[%u].steps[%u] and listed in "
                      "unassigned[%u]",
                      kind, id, c->hit_route[t], c->hit_step[t], c->unassigned_first[t]);
        else if (hu > 1)
            VIOLATION(c, "%s %llu is listed %u times in unassigned", kind, id, hu);
    }
}

/* A shipment's pickup and delivery are both served, on one route, pickup first. */
static void check_shipments(checker *c)
{
    const cv_problem *p = c->p;
    for (uint32_t t = 0; t < p->ntasks; t++) {
        const cv_task *pu = &p->tasks[t];
        if (pu->kind != CV_TASK_PICKUP) continue;
        uint32_t d = pu->sibling;
        /* Tasks served twice are already reported; their order means nothing. */
        if (c->route_hits[t] > 1 || c->route_hits[d] > 1) continue;
        unsigned long long pid = (unsigned long long)pu->id,
                           did = (unsigned long long)p->tasks[d].id;
        bool hp = c->route_hits[t] == 1, hd = c->route_hits[d] == 1;
        if (hp && !hd)
            VIOLATION(c,
                      "shipment (pickup %llu, delivery %llu): pickup served at "
                      "routes[%u].steps[%u] but its delivery in no route",
                      pid, did, c->hit_route[t], c->hit_step[t]);
        else if (!hp && hd)
            VIOLATION(c,
                      "shipment (pickup %llu, delivery %llu): delivery served at "
                      "routes[%u].steps[%u] but its pickup in no route",
                      pid, did, c->hit_route[d], c->hit_step[d]);
        else if (hp && hd && c->hit_route[t] != c->hit_route[d])
            VIOLATION(c,
                      "shipment (pickup %llu, delivery %llu): pickup in routes[%u], delivery "
                      "in routes[%u]",
                      pid, did, c->hit_route[t], c->hit_route[d]);
        else if (hp && hd && c->hit_step[d] < c->hit_step[t])
            VIOLATION(c,
                      "shipment (pickup %llu, delivery %llu): routes[%u] delivers at "
                      "steps[%u] before the pickup at steps[%u]",
                      pid, did, c->hit_route[t], c->hit_step[d], c->hit_step[t]);
        else if (hp && hd && pu->max_ride_time > 0 && c->times[t].timed && c->times[d].timed) {
            /* Hot meals: from the end of the pickup's service to the delivery's start. */
            int64_t ride = c->times[d].start - c->times[t].done;
            if (ride > pu->max_ride_time)
                VIOLATION(c,
                          "shipment (pickup %llu, delivery %llu): ride time %lld, from the end "
                          "of the pickup at routes[%u].steps[%u] (%lld) to the delivery at "
                          "steps[%u] (%lld), exceeds its max_ride_time %lld",
                          pid, did, (long long)ride, c->hit_route[t], c->hit_step[t],
                          (long long)c->times[t].done, c->hit_step[d], (long long)c->times[d].start,
                          (long long)pu->max_ride_time);
        }
    }
}

/* Where task t is first served, for messages. */
static void served_at(const checker *c, uint32_t t, char *buf, size_t size)
{
    snprintf(buf, size, "routes[%u].steps[%u]", c->hit_route[t], c->hit_step[t]);
}

/* The stated vehicle of the route serving task t (served once). */
static int64_t served_by(const checker *c, uint32_t t)
{
    return c->sol->routes[c->hit_route[t]].vehicle;
}

/* A visit with n workers, served n times: n distinct vehicles, one start. */
static void check_groups(checker *c)
{
    const cv_problem *p = c->p;
    for (uint32_t g = 0; g < p->ntasks; g++) {
        const cv_task *tk = &p->tasks[g];
        if (tk->group_size <= 1 || tk->group_first != g || c->group_seen[g] != tk->group_size)
            continue;
        const char *kind = cv_task_kind_name(tk->kind);
        unsigned long long id = (unsigned long long)tk->id;
        char a[64], b[64];
        for (uint32_t j = g + 1; j < g + tk->group_size; j++) {
            for (uint32_t i = g; i < j; i++)
                if (served_by(c, i) == served_by(c, j)) {
                    served_at(c, i, a, sizeof a);
                    served_at(c, j, b, sizeof b);
                    VIOLATION(c,
                              "%s %llu: %s and %s are both vehicle %lld; its %u workers need "
                              "distinct vehicles",
                              kind, id, a, b, (long long)served_by(c, j), tk->group_size);
                    break;
                }
            if (c->times[g].timed && c->times[j].timed && c->times[j].start != c->times[g].start) {
                served_at(c, g, a, sizeof a);
                served_at(c, j, b, sizeof b);
                VIOLATION(c,
                          "%s %llu: service starts at %lld at %s but at %lld at %s; its workers "
                          "start together",
                          kind, id, (long long)c->times[g].start, a, (long long)c->times[j].start,
                          b);
            }
        }
    }
}

/* True when any copy of task t is served; *at is the first such copy. */
static bool planned(const checker *c, uint32_t t, uint32_t *at)
{
    uint32_t f, n = copies_of(c->p, t, &f);
    for (uint32_t i = f; i < f + n; i++)
        if (c->route_hits[i] > 0) {
            *at = i;
            return true;
        }
    return false;
}

/* Relations between visits (care extension).  Those that tie the copies of
 * one visit come from "workers" and are checked by check_groups; the others
 * are numbered as in the problem's "relations" array. */
static void check_relations(checker *c)
{
    const cv_problem *p = c->p;
    uint32_t ui = 0;
    for (uint32_t i = 0; i < p->nrelations; i++) {
        const cv_relation *rel = &p->relations[i];
        const cv_task *x = &p->tasks[rel->first], *y = &p->tasks[rel->second];
        if (x->group_size > 1 && x->group_first == y->group_first) continue;
        bool together = rel->kind == CV_REL_TOGETHER;
        char place[160];
        snprintf(place, sizeof place, "relations[%u] (%s: %s %llu %s %s %llu)", ui++,
                 together ? "together" : "precedence", cv_task_kind_name(x->kind),
                 (unsigned long long)x->id, together ? "and" : "then", cv_task_kind_name(y->kind),
                 (unsigned long long)y->id);
        uint32_t hx = CV_NONE, hy = CV_NONE;
        bool px = planned(c, rel->first, &hx), py = planned(c, rel->second, &hy);
        char a[64], b[64];
        if (px != py) {
            const cv_task *in = px ? x : y, *out = px ? y : x;
            served_at(c, px ? hx : hy, a, sizeof a);
            VIOLATION(c, "%s: %s %llu is served at %s but %s %llu is not; both or neither", place,
                      cv_task_kind_name(in->kind), (unsigned long long)in->id, a,
                      cv_task_kind_name(out->kind), (unsigned long long)out->id);
            continue;
        }
        if (!px) continue;
        const task_time *tx = &c->times[rel->first], *ty = &c->times[rel->second];
        if (tx->timed && ty->timed) {
            int64_t gap = ty->start - tx->start;
            served_at(c, rel->first, a, sizeof a);
            served_at(c, rel->second, b, sizeof b);
            if (together && gap != 0)
                VIOLATION(c,
                          "%s: service starts at %lld at %s but at %lld at %s; they start "
                          "together",
                          place, (long long)tx->start, a, (long long)ty->start, b);
            else if (gap < rel->min_gap || gap > rel->max_gap)
                VIOLATION(c,
                          "%s: %s %llu starts at %lld (%s), %lld after %s %llu at %lld (%s); %s "
                          "than its %s %lld",
                          place, cv_task_kind_name(y->kind), (unsigned long long)y->id,
                          (long long)ty->start, b, (long long)gap, cv_task_kind_name(x->kind),
                          (unsigned long long)x->id, (long long)tx->start, a,
                          gap < rel->min_gap ? "less" : "more",
                          gap < rel->min_gap ? "min_gap" : "max_gap",
                          (long long)(gap < rel->min_gap ? rel->min_gap : rel->max_gap));
        }
        if (!rel->distinct) continue;
        /* Distinct workers: no vehicle serves a copy of both. */
        uint32_t fx, fy, nx = copies_of(p, rel->first, &fx), ny = copies_of(p, rel->second, &fy);
        bool reported = false;
        for (uint32_t i = fx; i < fx + nx && !reported; i++)
            for (uint32_t j = fy; j < fy + ny && !reported; j++) {
                if (c->route_hits[i] != 1 || c->route_hits[j] != 1) continue;
                if (served_by(c, i) != served_by(c, j)) continue;
                served_at(c, i, a, sizeof a);
                served_at(c, j, b, sizeof b);
                VIOLATION(c, "%s: %s and %s are both vehicle %lld; they need distinct vehicles",
                          place, a, b, (long long)served_by(c, i));
                reported = true;
            }
    }
}

static void check_summary(checker *c)
{
    const cv__sol *sol = c->sol;
    cv_check_report *rep = &c->rep;
    if (!sol->has_summary || !c->all_routes_checked) return;
    const cv__sol_totals *s = &sol->summary;
    compare(c, "summary", "cost", s->has_cost, s->cost, rep->cost);
    compare(c, "summary", "routes", s->has_routes, s->routes, rep->routes);
    compare(c, "summary", "unassigned", s->has_unassigned, s->unassigned, rep->unassigned);
    compare(c, "summary", "setup", s->has_setup, s->setup, rep->setup);
    compare(c, "summary", "service", s->has_service, s->service, rep->service);
    compare(c, "summary", "duration", s->has_duration, s->duration, rep->duration);
    compare(c, "summary", "waiting_time", s->has_waiting, s->waiting, rep->waiting);
    compare(c, "summary", "priority", s->has_priority, s->priority, rep->priority);
    compare(c, "summary", "distance", s->has_distance, s->distance, rep->distance);
    compare(c, "summary", "working_time_spread", s->has_spread, s->spread,
            rep->working_time_spread);
    compare_amount(c, "summary", "delivery", s->has_delivery, s->delivery_off, s->delivery_len,
                   c->delivery);
    compare_amount(c, "summary", "pickup", s->has_pickup, s->pickup_off, s->pickup_len, c->pickup);
}

/* ---- Entry points. ---- */

static cv_status checker_init(checker *c, const cv_problem *p, const cv__sol *sol)
{
    memset(c, 0, sizeof *c);
    c->p = p;
    c->sol = sol;
    c->all_routes_checked = true;
    size_t nt = p->ntasks ? p->ntasks : 1, nv = p->nvehicles ? p->nvehicles : 1;
    c->task_keys = cv_calloc(nt, sizeof *c->task_keys);
    c->vehicle_keys = cv_calloc(nv, sizeof *c->vehicle_keys);
    c->route_hits = cv_calloc(nt, sizeof(uint32_t));
    c->hit_route = cv_calloc(nt, sizeof(uint32_t));
    c->hit_step = cv_calloc(nt, sizeof(uint32_t));
    c->unassigned_hits = cv_calloc(nt, sizeof(uint32_t));
    c->unassigned_first = cv_calloc(nt, sizeof(uint32_t));
    c->vehicle_route = cv_calloc(nv, sizeof(uint32_t));
    c->step_task = cv_calloc(sol->nsteps ? sol->nsteps : 1, sizeof(uint32_t));
    c->group_seen = cv_calloc(nt, sizeof(uint32_t));
    c->times = cv_calloc(nt, sizeof *c->times);
    if (!c->task_keys || !c->vehicle_keys || !c->route_hits || !c->hit_route || !c->hit_step ||
        !c->unassigned_hits || !c->unassigned_first || !c->vehicle_route || !c->step_task ||
        !c->group_seen || !c->times)
        return CV_ENOMEM;
    for (uint32_t t = 0; t < p->ntasks; t++)
        c->task_keys[t] = (id_key){.id = p->tasks[t].id, .kind = p->tasks[t].kind, .index = t};
    qsort(c->task_keys, p->ntasks, sizeof *c->task_keys, cmp_key);
    for (uint32_t v = 0; v < p->nvehicles; v++) {
        c->vehicle_keys[v] = (id_key){.id = p->vehicles[v].id, .index = v};
        c->vehicle_route[v] = CV_NONE;
    }
    qsort(c->vehicle_keys, p->nvehicles, sizeof *c->vehicle_keys, cmp_key);
    return CV_OK;
}

/* Violations first, then mismatches, each in the order found (routes, then
 * coverage, then summary): what is forbidden matters more than what is
 * misreported, and a reader can split the list at nviolations. */
static void order_messages(checker *c)
{
    uint32_t n = c->rep.nmessages, iv = 0, im = c->rep.nviolations;
    if (n == 0) return;
    char **sorted = cv_calloc(n, sizeof *sorted);
    if (!sorted) {
        c->status = CV_ENOMEM;
        return;
    }
    for (uint32_t i = 0; i < n; i++) sorted[c->is_mismatch[i] ? im++ : iv++] = c->rep.messages[i];
    free(c->rep.messages);
    c->rep.messages = sorted;
}

static void checker_fini(checker *c)
{
    free(c->is_mismatch);
    free(c->task_keys);
    free(c->vehicle_keys);
    free(c->route_hits);
    free(c->hit_route);
    free(c->hit_step);
    free(c->unassigned_hits);
    free(c->unassigned_first);
    free(c->vehicle_route);
    free(c->step_task);
    free(c->group_seen);
    free(c->times);
}

void cv_check_report_fini(cv_check_report *rep)
{
    if (!rep) return;
    for (uint32_t i = 0; i < rep->nmessages; i++) free(rep->messages[i]);
    free(rep->messages);
    memset(rep, 0, sizeof *rep);
}

cv_status cv_check_json(const cv_problem *p, const char *solution, size_t len, cv_check_report *rep,
                        cv_diag *diag)
{
    if (!cv_problem_has_matrices(p))
        return cv_diag_set(diag, "problem: no duration matrix (coordinates need a road graph "
                                 "before a plan can be checked)");
    if (cv_problem_is_periodic(p)) return cv__check_periodic(p, solution, len, rep, diag);
    cv__sol sol;
    cv_status st = cv__check_read(&sol, solution, len, diag);
    if (st != CV_OK) return st;
    checker c;
    st = checker_init(&c, p, &sol);
    if (st == CV_OK) {
        c.rep.routes = sol.nroutes;
        map_steps(&c);
        for (uint32_t ri = 0; ri < sol.nroutes && c.status == CV_OK; ri++) check_route(&c, ri);
        check_unassigned_entries(&c);
        check_coverage(&c);
        check_groups(&c);
        check_shipments(&c);
        check_relations(&c);
        /* Visits: the copies of a visit with several workers count once. */
        for (uint32_t t = 0; t < p->ntasks; t++) {
            uint32_t first, at;
            copies_of(p, t, &first);
            if (t != first) continue;
            if (planned(&c, t, &at))
                c.rep.assigned++;
            else
                c.rep.unassigned++;
        }
        /* Fairness: the spread of working time over the vehicles that work. */
        c.rep.working_time_spread = c.nworking ? c.work_max - c.work_min : 0;
        c.rep.cost = sat_add(
            c.rep.cost, div_round((i128)p->fairness_per_hour * c.rep.working_time_spread, 3600));
        check_summary(&c);
        if (c.status == CV_OK) order_messages(&c);
        st = c.status;
    }
    checker_fini(&c);
    cv__check_sol_fini(&sol);
    if (st != CV_OK) {
        cv_check_report_fini(&c.rep);
        return st;
    }
    *rep = c.rep;
    return CV_OK;
}
