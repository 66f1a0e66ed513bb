/* Internals shared by engine/live*.c (prefix cv__live).  See cv/live.h for
 * what a live day is; this header holds its state and the one schedule
 * function every part uses (ETAs, insertion checks, sub-plans). */
#ifndef CV_ENGINE_LIVE_INT_H
#define CV_ENGINE_LIVE_INT_H

#include "cv/live.h"

/* A route step: a task index, or a break (index within the vehicle) with
 * this bit set. */
#define CV__LIVE_BREAK 0x80000000u
#define CV__LIVE_IS_BREAK(s) (((s)&CV__LIVE_BREAK) != 0)

typedef enum cv__live_status {
    CV__LIVE_PLANNED = 0, /* in a remaining route */
    CV__LIVE_UNASSIGNED,  /* in no route, still wanted */
    CV__LIVE_STARTED,     /* in progress (frozen) */
    CV__LIVE_DONE,        /* frozen */
    CV__LIVE_SKIPPED,     /* will not happen today */
} cv__live_status;

typedef struct cv__live_route {
    uint32_t *step;  /* frozen prefix [0, nfrozen), then the remaining steps */
    int64_t *start;  /* frozen steps: actual service (or break) start */
    int64_t *end;    /* frozen steps: done time (started visit: expected end) */
    int64_t *arrive; /* frozen steps: arrival (= start for recorded visits) */
    uint32_t n, cap, nfrozen;
    bool in_progress; /* the last frozen step is a started visit */
    /* Last known position: a location and the time the vehicle is free there. */
    uint32_t pos_loc;
    int64_t pos_time;
    bool has_pos; /* false: at its start location at the start of its shift */
} cv__live_route;

/* An urgent visit added during the day (kept to rebuild the problem). */
typedef struct cv__live_extra {
    cv_live_urgent req;
    int64_t tw_start, tw_end;
} cv__live_extra;

struct cv_live {
    const cv_problem *base; /* the original problem (owned copy: base_own) */
    cv_problem *base_own;
    cv_problem *p; /* base + extra jobs (inserted after base's jobs) */
    cv__live_extra *extra;
    uint32_t nextra;
    int64_t now;
    cv__live_route *routes;       /* p->nvehicles */
    uint8_t *status;              /* per task of p: cv__live_status */
    uint32_t *vehicle;            /* per task: vehicle of its route, CV_NONE */
    uint32_t changes;             /* changed assignments so far (urgent re-plans, reoptimize) */
    uint8_t *tied;                /* per task: in a relation (care extension), or NULL */
    const struct cv_graph *graph; /* urgent visits by coordinates are routed on it; or NULL */
    uint32_t nlocs0;              /* locations of the problem; more are urgent points added */
};

/* Where and when vehicle v becomes free, and what it carries. */
typedef struct cv__live_avail {
    uint32_t loc;        /* CV_NONE: an open start not yet begun */
    int64_t time;        /* free from then on */
    uint32_t setup_from; /* a task here needs no setup */
    uint32_t ntasks_done;
    int64_t travel_used, dist_used;
    int64_t onboard[CV_MAX_AMOUNT_DIMS]; /* picked up and not yet delivered */
    /* Working time (care extension).  begun: the worker's day has started
     * (a visit, a break or a position reported), so the departure from
     * `loc` is not flexible and work_used (from the start of the day to
     * `time`, unpaid breaks taken excluded) counts; else the route leaves its
     * start as late as its first visit allows, as the solver plans it. */
    bool begun;
    int64_t work_used;
} cv__live_avail;

void cv__live_avail_of(const cv_live *L, uint32_t v, cv__live_avail *a);

/* 1 when v has been free since before the live clock and has a remaining
 * step: it set off for that step then (departures are as early as possible),
 * so that step is under way and no re-plan can divert it; else 0.  A
 * vehicle.position report at the current time makes it divertible again. */
uint32_t cv__live_transit(const cv_live *L, uint32_t v);
/* Remaining steps of v up to its last accepted urgent visit (kept in place). */
uint32_t cv__live_commit_len(const cv_live *L, uint32_t v);

/* One scheduled step (ETAs). */
typedef struct cv__live_eta {
    int64_t arrival, wait, start, end, setup, duration, distance;
    int64_t late;     /* > 0: starts this long after it may (windows, lateness, ties) */
    int64_t lateness; /* soft windows: start after the window's end, charged */
    int64_t load[CV_MAX_AMOUNT_DIMS];
} cv__live_eta;

typedef struct cv__live_sched {
    bool feasible;       /* windows, shift, capacity, breaks, max_* */
    int64_t cost;        /* cost of this remaining route (cv/problem.h) */
    int64_t end_arrival; /* arrival at the end */
    int64_t depart;      /* departure from the start (flexible start: as late as it can) */
    int64_t work;        /* working time of the whole day (care extension) */
    int64_t duration, distance;
    int64_t load0[CV_MAX_AMOUNT_DIMS];
    char why[160]; /* first infeasibility */
} cv__live_sched;

/* Bounds on the service start of tasks (per task of the problem; NULL: none):
 * what the visits tied to them (relations, other workers of the same visit,
 * a meal picked up) require.  A start is raised to lo and may not pass hi. */
typedef struct cv__live_bounds {
    int64_t *lo, *hi;
} cv__live_bounds;

/* Schedules seq[0..n) for vehicle v from a; eta (n entries) may be NULL.
 * Stops at the first infeasibility unless `full` (ETAs past it then show
 * lateness).  Care rules of one route are checked here (soft windows,
 * vehicle lists, preference costs, working time and overtime, ride times of
 * meals picked up on this route); ties to other tasks come in through bd. */
void cv__live_schedule(const cv_problem *p, uint32_t v, const cv__live_avail *a,
                       const uint32_t *seq, uint32_t n, bool full, const cv__live_bounds *bd,
                       cv__live_eta *eta, cv__live_sched *out);

/* ---- live_ties.c: the day timed as a whole ----
 * Visits tied across routes (several workers, relations with gaps) make one
 * route wait for another.  cv__live_day times every route of `seq` together:
 * the least start times that satisfy every route and every tie (label
 * correction: time the routes, raise the lower bound of each tied visit that
 * starts too early for its partner, again until nothing moves).  Tasks with
 * known[t] set have happened (or are committed) at known_start / known_done
 * on known_vehicle.  Afterwards every tie is checked; a broken one makes the
 * routes of its visits infeasible (sched[v].why names it). */
typedef struct cv__live_day {
    uint32_t nv, nt;
    cv__live_avail *av; /* per vehicle */
    uint32_t **seq, *n; /* per vehicle: remaining steps */
    cv__live_eta **eta; /* per vehicle, n[v] entries */
    cv__live_sched *sched;
    uint8_t *known;        /* per task: happened or committed (times given) */
    int64_t *start, *done; /* per task: known or timed start/done; -1 none */
    uint32_t *veh;         /* per task: its vehicle (known or timed), CV_NONE */
    cv__live_bounds bd;    /* final lower/upper bounds */
    bool feasible;
    char why[200];
} cv__live_day;

/* The live day's current state, timed (owns copies of the routes). */
cv_status cv__live_day_of(const cv_live *L, cv__live_day *d);
/* Times d->seq/d->n again (after a caller replaced some sequences). */
void cv__live_day_time(const cv_live *L, cv__live_day *d);
void cv__live_day_fini(cv__live_day *d);
/* Bounds for trying changes on a single route with every other visit kept
 * at its time in d: a tied visit must keep its partners' gaps as they are
 * timed now (a filter; the whole day is timed again before a change is
 * taken). */
cv_status cv__live_trial_bounds(const cv_problem *p, const cv__live_day *d, cv__live_bounds *out);
void cv__live_bounds_fini(cv__live_bounds *b);
/* Rebuilds L->tied after L->p changed. */
cv_status cv__live_build_tied(cv_live *L);
/* True when task t of L->p is tied to another task (relation or several
 * workers): repairs never shed it alone, the solver moves such units. */
static inline bool cv__live_tied(const cv_live *L, uint32_t t)
{
    return L->tied && L->tied[t];
}

int64_t cv__live_dur(const cv_problem *p, const cv_vehicle *v, uint32_t a, uint32_t b);

/* Route editing. */
cv_status cv__live_route_reserve(cv__live_route *r, uint32_t need);
void cv__live_route_remove(cv__live_route *r, uint32_t pos);
cv_status cv__live_route_insert(cv__live_route *r, uint32_t pos, uint32_t step);

uint32_t cv__live_find_vehicle(const cv_problem *p, uint64_t id);
uint32_t cv__live_find_task(const cv_problem *p, cv_task_kind kind, uint64_t id);

/* live.c: an empty day for p (copied) at time now; routes to be filled. */
cv_status cv__live_new(cv_live **out, const cv_problem *p, int64_t now, cv_diag *diag);
/* Reads routes[] (vehicle, steps of type/id) into L; with `frozen`, steps whose
 * status is done/started/taken form the frozen prefix (cv_live_to_json form). */
struct json_t;
cv_status cv__live_read_routes(cv_live *L, struct json_t *routes, const char *path, bool frozen,
                               cv_diag *diag);
uint32_t cv__live_find_break(const cv_problem *p, uint32_t v, uint64_t id);
/* live_urgent.c: adds an urgent job to L->p (task index in *task). */
cv_status cv__live_add_extra(cv_live *L, const cv_live_urgent *req, int64_t tw_start,
                             int64_t tw_end, uint32_t *task);

/* ---- live_graph.c: urgent points on the road graph ---- */
/* Snaps (lon, lat) to L->graph and adds it as a location of the day with
 * travel times to and from every location routed on the graph (*loc). */
cv_status cv__live_add_location(cv_live *L, double lon, double lat, uint32_t *loc, cv_diag *diag);
/* The added locations with their rows and columns (cv_live_to_json). */
struct json_t *cv__live_added_json(const cv_live *L);
/* Reads them back (cv_live_restore, before the urgent visits). */
cv_status cv__live_added_read(cv_live *L, const struct json_t *arr, cv_diag *diag);

/* ---- live_problem.c: problems derived from the live day ---- */
/* p with the extra jobs inserted after its jobs (shipments renumbered). */
cv_status cv__live_problem_with_extras(const cv_problem *base, const cv__live_extra *extra,
                                       uint32_t nextra, cv_problem **out);

/* The remaining day.  pinned_first (CV_NONE: none) = a vehicle whose first
 * step is the task `pin_task` (urgent) executed right away: its sub-vehicle
 * starts after it.  map: sub task -> task of L->p (caller frees).  When
 * warm is true, vehicles carry their remaining routes as input steps. */
typedef struct cv__live_sub {
    cv_problem *q;
    uint32_t *task_of;   /* q task -> L->p task */
    uint32_t *sub_of;    /* L->p task -> q task or CV_NONE */
    uint32_t **break_of; /* per vehicle: q break index within vehicle -> L's */
    cv__live_avail *avail;
    /* Committed steps (L's encoding) each sub-vehicle starts after: the
     * pinned urgent visit, then the vehicle's remaining route up to its last
     * accepted urgent visit (a promise a re-plan must not break). */
    uint32_t **commit;
    uint32_t *ncommit;
    bool pin_ok; /* the pinned vehicle's committed steps hold */
} cv__live_sub;

/* commit: keep accepted urgent visits (and what precedes them) in place;
 * false for the checker's view of the whole remaining day. */
cv_status cv__live_sub_build(const cv_live *L, uint32_t pin_vehicle, uint32_t pin_task, bool commit,
                             bool warm, cv__live_sub *out, cv_diag *diag);
void cv__live_sub_fini(cv__live_sub *s, uint32_t nvehicles);

/* The remaining routes of L as a plan for s->q (the checker's input). */
cv_status cv__live_sub_plan(const cv_live *L, const cv__live_sub *s, cv_plan **out);

#endif
