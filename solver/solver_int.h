/* Internals shared by the files of solver/ (prefix cv__).
 *
 * Data: a read-only context (cv__ctx: per-vehicle travel views, skills table,
 * neighbour lists) built once per run, and a mutable solution (cv__sol) of one
 * route per vehicle.  A route is only its sequence of tasks; breaks are placed
 * by the full evaluation (route_eval.c) at the earliest feasible points, which
 * is exact for feasibility because being earlier never hurts later steps.
 *
 * Each route caches, per position k in 0..n+1 (0 = start, 1..n = tasks,
 * n+1 = end), the earliest departure, the latest departure that keeps the
 * suffix feasible, cumulative travel and loads with prefix/suffix maxima:
 * enough to check an insertion in O(1) (plus the task's windows and the
 * amount dimensions).  Routes of vehicles with breaks use the full evaluation.
 */
#ifndef CV_SOLVER_INT_H
#define CV_SOLVER_INT_H

#include "cv/solver.h"

/* Travel view of one vehicle: matrices with its speed factor applied. */
typedef struct cv__veh {
    const uint32_t *dur;   /* n x n, speed factor applied */
    const uint32_t *dist;  /* n x n or NULL (all zero) */
    const uint32_t *costs; /* n x n or NULL: cost from ph and pk */
    double ph, pk;         /* cost per unit of duration, per unit of distance */
    double fixed;
    uint32_t n;
    bool has_breaks;
} cv__veh;

typedef struct cv__ctx {
    const cv_problem *p;
    uint32_t nt, nv, nd;
    cv__veh *veh;
    uint32_t **owned; /* speed-scaled matrices we allocated */
    uint32_t nowned;
    uint8_t *can;    /* nt x nv: vehicle has the task's skills */
    uint32_t *neigh; /* nt x nneigh: other tasks by increasing distance */
    uint32_t nneigh;
    int64_t *zero;      /* nd zeros */
    int64_t *start_dep; /* per vehicle: departure time from start (tw.start) */
    uint32_t *vclass;   /* per vehicle: the first vehicle identical to it (empty
                           routes of one class are interchangeable) */
} cv__ctx;

static inline int64_t cv__dur(const cv__veh *v, uint32_t a, uint32_t b)
{
    if (a == CV_NONE || b == CV_NONE) return 0;
    return v->dur[(size_t)a * v->n + b];
}
static inline int64_t cv__dist(const cv__veh *v, uint32_t a, uint32_t b)
{
    if (a == CV_NONE || b == CV_NONE || !v->dist) return 0;
    return v->dist[(size_t)a * v->n + b];
}
/* Search cost of an arc, in the plan's cost unit (not rounded). */
static inline double cv__cost(const cv__veh *v, uint32_t a, uint32_t b)
{
    if (a == CV_NONE || b == CV_NONE) return 0;
    size_t i = (size_t)a * v->n + b;
    if (v->costs) return v->costs[i];
    double c = v->ph * v->dur[i];
    if (v->dist && v->pk != 0) c += v->pk * v->dist[i];
    return c;
}

cv_status cv__ctx_init(cv__ctx *c, const cv_problem *p);
void cv__ctx_fini(cv__ctx *c);

/* Earliest begin time >= arrival inside one of the windows, or -1 if none. */
static inline int64_t cv__tw_begin(const cv_tw *w, uint32_t nw, int64_t arrival)
{
    for (uint32_t i = 0; i < nw; i++)
        if (w[i].end >= arrival) return arrival > w[i].start ? arrival : w[i].start;
    return -1;
}
/* Latest begin time <= limit inside one of the windows, or CV__TIME_NONE. */
#define CV__TIME_NONE INT64_MIN
static inline int64_t cv__tw_latest(const cv_tw *w, uint32_t nw, int64_t limit)
{
    for (uint32_t i = nw; i-- > 0;)
        if (w[i].start <= limit) return limit < w[i].end ? limit : w[i].end;
    return CV__TIME_NONE;
}

/* ---- Full evaluation of one route (route_eval.c): the reference. ---- */

typedef struct cv__eval {
    bool feasible;
    cv_reason fail;    /* first kind of violation found when infeasible */
    int64_t dur, dist; /* travel totals */
    double cost;       /* search cost incl. fixed when n > 0 */
} cv__eval;

/* One scheduled step, as the plan shows it. */
typedef struct cv__sched_step {
    cv_step_type type;
    uint32_t index;
    uint32_t loc;
    int64_t arrival, waiting, setup, service, duration, distance;
} cv__sched_step;

/* Evaluates vehicle v serving tasks seq[0..n-1] in that order.  When sched is
 * not NULL (room for n + breaks + 2 steps) it also writes the schedule and
 * sets *nsched; loads (room for that many x nd) gets the load after each step. */
bool cv__route_eval(const cv__ctx *c, uint32_t v, const uint32_t *seq, uint32_t n, cv__eval *out,
                    cv__sched_step *sched, uint32_t *nsched, int64_t *loads);

/* Exact route cost of the plan (fixed + rounded travel cost). */
int64_t cv__route_cost_exact(const cv__ctx *c, uint32_t v, const uint32_t *seq, uint32_t n,
                             int64_t dur, int64_t dist);

/* ---- Routes with caches (route.c) ---- */

typedef struct cv__route {
    uint32_t v;
    uint32_t n, cap;
    uint32_t *t;           /* tasks, n */
    uint32_t *loc;         /* n + 2 locations (CV_NONE at open ends) */
    int64_t *dep;          /* n + 2 earliest departures */
    int64_t *ldep;         /* n + 2 latest departures keeping the suffix feasible */
    int64_t *cdur, *cdist; /* n + 2 cumulative travel upon arrival */
    int64_t *load;         /* (n + 2) x nd, load after the position */
    int64_t *pmax, *smax;  /* (n + 2) x nd, max load over 0..k / k..n+1 */
    double cost;           /* search cost incl. fixed when n > 0 */
    int64_t dur, dist;
} cv__route;

typedef struct cv__sol {
    uint32_t nv, nt;
    cv__route *r;
    uint32_t *route_of; /* per task: route index or CV_NONE */
    double cost;
    uint64_t unassigned_prio; /* total priority of unassigned tasks */
    uint32_t nunassigned;
} cv__sol;

cv_status cv__sol_init(cv__sol *s, const cv__ctx *c);
void cv__sol_fini(cv__sol *s);
cv_status cv__sol_copy(cv__sol *dst, const cv__sol *src, uint32_t nd);
cv_status cv__route_copy(cv__route *dst, const cv__route *src, uint32_t nd);
/* Recomputes the caches of route r; returns false if the route is infeasible. */
bool cv__route_update(const cv__ctx *c, cv__route *r);
/* Inserts task u at position pos (0..n: before the current pos-th task) and,
 * if u2 != CV_NONE, u2 at pos2 counted in the new sequence (pos2 > pos). */
cv_status cv__route_insert(const cv__ctx *c, cv__sol *s, uint32_t ri, uint32_t u, uint32_t pos,
                           uint32_t u2, uint32_t pos2);
/* Removes the tasks flagged in `mark` (by task index) from route ri; returns
 * whether the route is still feasible (it may not be without the triangle
 * inequality). */
bool cv__route_remove_marked(const cv__ctx *c, cv__sol *s, uint32_t ri, const uint8_t *mark);
void cv__sol_recount(const cv__ctx *c, cv__sol *s);
/* Replaces route ri by seq (which the caller knows to be feasible). */
cv_status cv__route_set(const cv__ctx *c, cv__sol *s, uint32_t ri, const uint32_t *seq, uint32_t n);

/* Best insertion of task u (a job, or a shipment pickup with its delivery)
 * into route ri costing less than `bound` (INFINITY: any).  Returns false
 * when there is none; else the delta search cost and positions (pos2 as for
 * cv__route_insert).  blink in [0,1): probability of skipping a position
 * (SISR); rng used only when blink > 0.  *effort grows by the positions
 * examined. */
typedef struct cv__ins {
    double delta;
    uint32_t pos, pos2;
} cv__ins;
bool cv__route_best_insert(const cv__ctx *c, const cv__route *r, uint32_t u, double blink,
                           cv_rng *rng, double bound, cv__ins *best, uint64_t *effort);

/* ---- Local search (ls_*.c) ---- */

typedef struct cv__ls {
    uint32_t *pos;  /* per task: 1-based position in its route */
    uint32_t *open; /* per task: shipments picked up and not yet delivered after it */
    int64_t *jd;    /* per task x nd: job deliveries of its route up to it */
    uint32_t *seq;  /* scratch */
} cv__ls;

cv_status cv__ls_init(cv__ls *ls, const cv__ctx *c);
void cv__ls_fini(cv__ls *ls);
/* 2-opt* from the tasks of the given routes; routes it changes are added to
 * touched/tlist (when touched is not NULL). */
cv_status cv__ls_two_opt_star(const cv__ctx *c, cv__sol *s, cv__ls *ls, const uint32_t *routes,
                              uint32_t nroutes, uint8_t *touched, uint32_t *tlist,
                              uint32_t *ntouched, uint64_t *effort);

/* ---- Construction and search ---- */

/* Regret-2 insertion of every unassigned task (priority first). */
cv_status cv__construct_regret(const cv__ctx *c, cv__sol *s, uint64_t *effort);
/* Loads the vehicles' input steps as a warm start where feasible. */
cv_status cv__warm_start(const cv__ctx *c, cv__sol *s);

typedef struct cv__search_params {
    uint64_t max_effort;
    double deadline; /* cv_clock_now() value; <= 0 none */
    double t_start;
    uint64_t seed;
    int progress;      /* print progress lines */
    bool local_search; /* 2-opt* after each recreate */
    void (*on_progress)(void *ud, const cv_solver_progress *progress);
    void *progress_ud;
    const atomic_int *cancel;
} cv__search_params;

typedef struct cv__search_stats {
    uint64_t effort, iterations;
} cv__search_stats;

/* SISR ruin-and-recreate from s (improved in place: s ends as the best found). */
cv_status cv__sisr_run(const cv__ctx *c, cv__sol *s, const cv__search_params *sp,
                       cv__search_stats *st);

/* True when a is better than b in the lexicographic objective. */
static inline bool cv__sol_better(const cv__sol *a, const cv__sol *b)
{
    if (a->unassigned_prio != b->unassigned_prio) return a->unassigned_prio < b->unassigned_prio;
    if (a->nunassigned != b->nunassigned) return a->nunassigned < b->nunassigned;
    return a->cost < b->cost - 1e-9;
}

/* ---- Output ---- */
cv_reason cv__unassigned_reason(const cv__ctx *c, uint32_t task);
cv_status cv__plan_build(const cv__ctx *c, const cv__sol *s, cv_plan **out);

#endif
