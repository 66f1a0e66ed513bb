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

/* Travel view of one vehicle: matrices with its speed factor applied.
 * When perm is not NULL the matrices are copies with rows and columns
 * renumbered (entry (perm[a], perm[b]) is the arc a -> b; ctx.c): nearby
 * locations get nearby numbers, so the arcs the granular search reads
 * between neighbours share cache lines.  Read arcs only through cv__dur,
 * cv__dist, cv__cost and cv__arc. */
typedef struct cv__veh {
    const uint32_t *dur;   /* n x n, speed factor applied */
    const uint32_t *dist;  /* n x n or NULL (all zero) */
    const uint32_t *costs; /* n x n or NULL: cost from ph and pk */
    const uint32_t *perm;  /* per location: its row and column, or NULL (itself) */
    double ph, pk;         /* cost per unit of duration, per unit of distance */
    double fixed;
    uint32_t n;
    bool has_breaks;
} cv__veh;

typedef struct cv__ctx {
    const cv_problem *p;
    uint32_t nt, nv, nd;
    cv__veh *veh;
    uint32_t **owned; /* speed-scaled and renumbered matrices we allocated */
    uint32_t nowned;
    uint32_t *perm;  /* location renumbering of the matrices, or NULL */
    uint8_t *can;    /* nt x nv: vehicle has the task's skills */
    bool can_all;    /* every vehicle may serve every task: `can` need not be read
                        (at 1000 tasks it is 250 kB read at random by the local search) */
    uint32_t *neigh; /* nt x nneigh: other tasks by increasing distance */
    uint32_t nneigh;
    int64_t *zero;      /* nd zeros */
    int64_t *start_dep; /* per vehicle: departure time from start (tw.start) */
    uint32_t *vclass;   /* per vehicle: the first vehicle identical to it (empty
                           routes of one class are interchangeable) */
    /* Care extensions (care_ctx.c; docs/care-extensions.md).  care: the
     * problem uses one, and the search takes the care paths (care_*.c) with
     * the full evaluation instead of the O(1) caches.  allowed/forbidden
     * vehicles are folded into `can`.  Moves that change routes behind the
     * care paths' back (local search operators, route pools) must not run
     * when care is set: they would break the ties between routes (relations,
     * visits for several workers) and the schedule in cv__sol.begin. */
    bool care;
    bool has_ride; /* some shipment has a max_ride_time */
    /* Time edges between tasks, x[to] >= x[from] + w (relations, workers),
     * in CSR form both ways: out_* by `from`, in_* by `to`. */
    uint32_t *out_first, *in_first; /* nt + 1 */
    struct cv__edge *out_edge, *in_edge;
    /* Tasks that may not share a vehicle with each task (CSR). */
    uint32_t *dis_first, *dis_to;
    /* Units: tasks planned together or not at all (a relation's component);
     * a shipment's delivery belongs to its pickup's unit.  unit_task holds
     * the jobs and pickups of each unit. */
    uint32_t *unit_of, *unit_first, *unit_task;
    uint32_t nunits;
    uint32_t nlinked; /* tasks with time edges */
} cv__ctx;

typedef struct cv__edge {
    uint32_t task; /* the other end */
    int64_t w;
} cv__edge;

/* Whether vehicle v may serve task t (skills, allowed and forbidden vehicles). */
static inline bool cv__can(const cv__ctx *c, uint32_t t, uint32_t v)
{
    return c->can_all || c->can[(size_t)t * c->nv + v];
}

/* Preference cost of task t on vehicle v (0 when v is preferred or none is). */
static inline int64_t cv__pref_cost(const cv__ctx *c, uint32_t t, uint32_t v)
{
    const cv_problem *p = c->p;
    const cv_task *k = &p->tasks[t];
    if (!k->preferred_count) return 0;
    for (uint32_t i = 0; i < k->preferred_count; i++)
        if (p->vehicle_refs[k->preferred_first + i] == v) return 0;
    return k->preference_cost;
}

/* Index of the arc a -> b (locations, not CV_NONE) in v's matrices. */
static inline size_t cv__arc(const cv__veh *v, uint32_t a, uint32_t b)
{
    if (v->perm) {
        a = v->perm[a];
        b = v->perm[b];
    }
    return (size_t)a * v->n + b;
}
static inline int64_t cv__dur(const cv__veh *v, uint32_t a, uint32_t b)
{
    if (a == CV_NONE || b == CV_NONE) return 0;
    return v->dur[cv__arc(v, a, b)];
}
static inline int64_t cv__dist(const cv__veh *v, uint32_t a, uint32_t b)
{
    if (a == CV_NONE || b == CV_NONE || !v->dist) return 0;
    return v->dist[cv__arc(v, a, b)];
}
/* Search cost of an arc, in the plan's cost unit (not rounded). */
static inline double cv__cost(const cv__veh *v, uint32_t a, uint32_t b)
{
    if (a == CV_NONE || b == CV_NONE) return 0;
    size_t i = cv__arc(v, a, b);
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

/* Earliest begin >= arrival of task t: inside a window, or up to
 * max_lateness after a window's end (soft windows); -1 if none. */
static inline int64_t cv__task_begin(const cv_problem *p, const cv_task *t, int64_t arrival)
{
    const cv_tw *w = cv_task_tws(p, t);
    const int64_t late = t->max_lateness;
    for (uint32_t i = 0; i < t->tw_count; i++)
        if (w[i].end + late >= arrival) return arrival > w[i].start ? arrival : w[i].start;
    return -1;
}

/* ---- Full evaluation of one route (route_eval.c): the reference. ---- */

typedef struct cv__eval {
    bool feasible;
    cv_reason fail;    /* first kind of violation found when infeasible */
    int64_t dur, dist; /* travel totals */
    double cost;       /* search cost incl. fixed, preference and care costs when n > 0 */
    int64_t pref;      /* preference costs of the tasks on this vehicle */
    int64_t care_num;  /* lateness_per_hour x lateness + overtime_per_hour x overtime */
    int64_t start;     /* departure from the start (flexible shift start) */
    int64_t work;      /* working time: end arrival - start - unpaid breaks */
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
/* Same, each task at position i beginning no earlier than lb[i] (lb may be
 * NULL); begin (n, may be NULL) gets each task's service start. */
bool cv__route_eval_lb(const cv__ctx *c, uint32_t v, const uint32_t *seq, uint32_t n,
                       const int64_t *lb, cv__eval *out, cv__sched_step *sched, uint32_t *nsched,
                       int64_t *loads, int64_t *begin);

/* Exact route cost of the plan (fixed + preference + rounded travel and care
 * costs) from a feasible evaluation e of the route. */
int64_t cv__route_cost_exact(const cv__ctx *c, uint32_t v, const uint32_t *seq, uint32_t n,
                             const cv__eval *e);

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
    int64_t *jdel;         /* (n + 2) x nd, job deliveries of positions 1..k (the start
                              load is jdel[n + 1]) */
    double *ccost;         /* n + 2 cumulative search cost of the arcs upon arrival */
    uint32_t *nopen;       /* n + 2 shipments picked up and not yet delivered after k */
    double cost;           /* search cost incl. fixed when n > 0 */
    int64_t dur, dist;
    int64_t work; /* care: working time (fairness) */
} cv__route;

typedef struct cv__sol {
    uint32_t nv, nt;
    cv__route *r;
    uint32_t *route_of; /* per task: route index or CV_NONE */
    double cost;
    uint64_t unassigned_prio; /* total priority of unassigned tasks */
    uint32_t nunassigned;
    /* Care: each assigned task's service start in the earliest schedule of
     * the linked routes (care_sched.c); NULL without care extensions. */
    int64_t *begin;
} cv__sol;

/* Latest arrival at position j (1..n: a task, n + 1: the end) of route r
 * coming from location prev that keeps positions j..n+1 feasible. */
static inline int64_t cv__route_latest_arrival(const cv_problem *p, const cv__route *r, uint32_t j,
                                               uint32_t prev)
{
    if (j == r->n + 1) return r->ldep[j];
    const cv_task *t = &p->tasks[r->t[j - 1]];
    int64_t su = (prev == CV_NONE || prev != t->loc) ? t->setup : 0;
    return cv__tw_latest(cv_task_tws(p, t), t->tw_count, r->ldep[j] - su - t->service);
}

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
/* Same without recounting the solution's totals. */
cv_status cv__route_set_norecount(const cv__ctx *c, cv__sol *s, uint32_t ri, const uint32_t *seq,
                                  uint32_t n);
void cv__route_free(cv__route *r);

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

/* Replaces route ri by seq[0..n-1] (which the caller knows to be feasible)
 * without touching other routes' tasks in route_of: for moves that only
 * exchange tasks between routes.  Updates s->cost. */
cv_status cv__route_assign(const cv__ctx *c, cv__sol *s, uint32_t ri, const uint32_t *seq,
                           uint32_t n);

/* ---- Local search (ls_*.c) ---- */

/* A candidate route for vehicle v, as the concatenation of three parts
 * (ls_concat.c): positions 0..i of route P (its start and first i tasks),
 * the explicit tasks mid[0..m-1], and positions j..n+1 of route S (its
 * last tasks and end; 1 <= j <= S->n + 1).  P and S must be routes of v or of
 * vehicles of v's class (their caches hold v's times); v has no breaks.
 * Shipment order and skills are the caller's business.  Work: O(m + nd). */
typedef struct cv__cat {
    uint32_t v;
    const cv__route *P;
    uint32_t i;
    const uint32_t *mid;
    uint32_t m;
    const cv__route *S;
    uint32_t j;
} cv__cat;

/* Search cost of the candidate (incl. the fixed cost when it has tasks). */
double cv__cat_cost(const cv__ctx *c, const cv__cat *k);
/* Whether the candidate respects time windows, shift, loads, travel limits
 * and max_tasks.  CV_DEBUG_CHECKS builds compare a sample of answers (and
 * costs) with cv__route_eval; seq is scratch for that (room for the route). */
bool cv__cat_feasible(const cv__ctx *c, const cv__cat *k, uint32_t *seq);
/* Writes the candidate's task sequence to seq; returns its length. */
uint32_t cv__cat_write(const cv__cat *k, uint32_t *seq);

/* Operator families, switchable in cv_solver_config.local_search. */
/* (CV_LS_* flags are public: cv/solver.h.) */

typedef struct cv__swap_star cv__swap_star;

typedef struct cv__ls {
    const cv__ctx *c;
    cv__sol *s;
    uint32_t *pos;         /* per task: 1-based position in its route */
    uint32_t *seqa, *seqb; /* scratch sequences (nt + 2) */
    uint32_t *mida, *midb; /* scratch middles (nt + 2) */
    uint32_t *dbg;         /* scratch for the debug checks (nt + 2) */
    uint8_t *inq;          /* per task: in the queue */
    uint32_t *queue;       /* tasks still to examine (a ring of nt) */
    uint32_t qhead, qlen;
    uint8_t *touched; /* per route, the caller's (may be NULL) */
    uint32_t *tlist, *ntouched;
    unsigned ops; /* CV_LS_* families enabled */
    uint64_t effort;
    struct cv__swap_star *ss; /* SWAP* scratch and route stamps (ls_swap_star.c) */
} cv__ls;

cv_status cv__ls_init(cv__ls *ls, const cv__ctx *c);
void cv__ls_fini(cv__ls *ls);

/* Granular local search from the given tasks of s (unassigned ones are
 * skipped), with the operator families in `ops` (CV_LS_* flags), first
 * improvement, until no move improves or `max_effort` work units are spent.  Routes it changes
 * are added to touched/tlist (when touched is not NULL); *effort grows by
 * the work done. */
cv_status cv__ls_run(cv__ls *ls, cv__sol *s, unsigned ops, const uint32_t *routes, uint32_t nroutes,
                     uint8_t *touched, uint32_t *tlist, uint32_t *ntouched, uint64_t max_effort,
                     uint64_t *effort);

/* Commits a two-route move (ls_search.c): route ra becomes seqa[0..na-1] and,
 * when rb != CV_NONE, route rb becomes seqb[0..nb-1]; `delta` is the
 * predicted cost change (checked in CV_DEBUG_CHECKS builds). */
cv_status cv__ls_commit(cv__ls *ls, uint32_t ra, const uint32_t *seqa, uint32_t na, uint32_t rb,
                        const uint32_t *seqb, uint32_t nb, double delta);

/* The operators (one file each).  u is a task of route ra, v one of its
 * nearest tasks (in route rb, possibly ra).  Each tries its moves that bring
 * u next to v and applies the first that lowers the cost; returns 1 when it
 * applied one, 0 when none, or a negative cv_status. */
int cv__ls_relocate(cv__ls *ls, uint32_t u, uint32_t v); /* ls_relocate.c: 1..3 jobs, reversed */
int cv__ls_cross(cv__ls *ls, uint32_t u, uint32_t v);    /* ls_cross.c: swap, cross-exchange */
int cv__ls_two_opt(cv__ls *ls, uint32_t u, uint32_t v);  /* ls_two_opt.c: intra-route */
int cv__ls_two_opt_star(cv__ls *ls, uint32_t u, uint32_t v); /* ls_two_opt_star.c */
int cv__ls_pair(cv__ls *ls, uint32_t u, uint32_t v);         /* ls_pair.c: shipment pairs */

/* SWAP* (ls_swap_star.c): exchange a job u of route ra with a job v of
 * route rb, each going to its best candidate place in the other route.
 * gu: the gap of rb (0..n: after that position) where u goes, gv: the gap
 * of ra where v goes; CV_NONE: the other task's old place. */
typedef struct cv__swap_star_move {
    double delta; /* exact cost change (ls_concat.c) */
    uint32_t ra, rb, u, v, gu, gv;
} cv__swap_star_move;

cv_status cv__swap_star_init(cv__ls *ls);
void cv__swap_star_fini(cv__ls *ls);
/* Start of a local-search run: the routes of tasks[] count as changed. */
void cv__swap_star_reset(cv__ls *ls, const uint32_t *tasks, uint32_t ntasks);
/* Route r changed (every applied move calls it). */
void cv__swap_star_changed(cv__ls *ls, uint32_t r);
/* The best feasible move between routes ra and rb of ls->s with a cost
 * change below bound (INFINITY: the best one); false when there is none.
 * only_u / only_v (CV_NONE: any) restrict u and v (for the tests). */
bool cv__swap_star_best(cv__ls *ls, uint32_t ra, uint32_t rb, uint32_t only_u, uint32_t only_v,
                        double bound, cv__swap_star_move *m);
/* Applies a move cv__swap_star_best returned (routes unchanged since). */
cv_status cv__swap_star_apply(cv__ls *ls, const cv__swap_star_move *m);
/* One pass over the changed routes and their neighbouring routes: applies
 * the best improving move of the first route pair that has one and returns
 * 1 (*u, *v: the tasks moved), 0 when no pair has one, or a negative
 * cv_status. */
int cv__ls_swap_star(cv__ls *ls, uint32_t *u, uint32_t *v);

/* Minimum improvement a move must bring (search cost units): guards the
 * first-improvement loop against rounding. */
#define CV__LS_EPS 1e-6

/* ---- Route pool and set-partitioning recombination (route_pool.c) ---- */

typedef struct cv__pool cv__pool;

typedef struct cv__pool_stats {
    uint64_t added;        /* distinct routes stored over the run */
    uint32_t routes;       /* routes stored now (<= max_routes) */
    uint64_t evictions;    /* times the older half was dropped */
    uint64_t calls;        /* set-partitioning MIPs solved */
    uint64_t improvements; /* of them, how many improved the best solution */
    double gain;           /* total cost they removed */
    double seconds;        /* wall-clock time in the MIPs */
} cv__pool_stats;

/* At most max_routes routes (the older half dropped when full); each MIP
 * explores at most max_nodes branch-and-bound nodes (0: no limit). */
cv_status cv__pool_create(cv__pool **out, const cv__ctx *c, uint32_t max_routes,
                          uint32_t max_nodes);
void cv__pool_destroy(cv__pool *p);
/* Stores the non-empty routes s->r[routes[i]] (all nroutes routes of s when
 * routes is NULL), once each by content. */
cv_status cv__pool_add(cv__pool *p, const cv__sol *s, const uint32_t *routes, uint32_t nroutes);
/* Set partitioning over the pool, warm-started from best; replaces best and
 * sets *improved when the selection is better (cv__sol_better).
 * time_limit_s: wall-clock safety limit of the MIP (<= 0: none). */
cv_status cv__pool_recombine(cv__pool *p, cv__sol *best, double time_limit_s, bool *improved);
const cv__pool_stats *cv__pool_stats_get(cv__pool *p);
/* False when constraints link routes (relations, groups, fairness), where
 * recombining independent routes is not valid. */
bool cv__pool_applies(const cv_problem *p);

/* ---- Construction and search ---- */

/* Regret-2 insertion of every unassigned task (priority first). */
cv_status cv__construct_regret(const cv__ctx *c, cv__sol *s, uint64_t *effort);
/* Loads the vehicles' input steps as a warm start where feasible. */
cv_status cv__warm_start(const cv__ctx *c, cv__sol *s);

typedef struct cv__search_params {
    uint64_t max_effort;
    double deadline; /* cv__search_clock() value; <= 0 none */
    double t_start;
    /* CPU clock (cv_solver_config.time_limit_cpu): deadline and t_start count
     * the CPU time of the calling thread; a worker on a thread of its own
     * rebases them on its own clock with pre_cpu_s, the CPU the run spent
     * before the search. */
    bool cpu_clock;
    double pre_cpu_s;
    uint64_t seed;
    int progress;    /* print progress lines */
    unsigned ls_ops; /* CV_LS_* operator families; 0: no local search */
    int ls_when;     /* cv_solver_ls_when */
    int objective;   /* cv_solver_objective */
    cv__pool *pool;  /* set-partitioning recombination over this pool, or NULL */
    void (*on_progress)(void *ud, const cv_solver_progress *progress);
    void *progress_ud;
    const atomic_int *cancel;
} cv__search_params;

typedef struct cv__search_stats {
    uint64_t effort, iterations;
    uint64_t ls_effort; /* of effort, the local search's share */
} cv__search_stats;

/* Now on the search's clock: wall (cv_clock_now) or this thread's CPU time. */
double cv__search_clock(bool cpu);

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

/* Same with the vehicles-first objective when hier: fewer routes before cost. */
static inline bool cv__sol_better_obj(const cv__sol *a, const cv__sol *b, bool hier)
{
    if (hier && a->unassigned_prio == b->unassigned_prio && a->nunassigned == b->nunassigned) {
        uint32_t ra = 0, rb = 0;
        for (uint32_t r = 0; r < a->nv; r++) ra += a->r[r].n > 0;
        for (uint32_t r = 0; r < b->nv; r++) rb += b->r[r].n > 0;
        if (ra != rb) return ra < rb;
    }
    return cv__sol_better(a, b);
}

/* ---- Care extensions (care_ctx.c, care_sched.c) ---- */

cv_status cv__care_ctx_init(cv__ctx *c);
void cv__care_ctx_fini(cv__ctx *c);

/* Routes a care operation changed, for the caller's bookkeeping (may be NULL). */
typedef struct cv__care_touch {
    uint8_t *touched;
    uint32_t *tlist;
    uint32_t *ntouched;
} cv__care_touch;

/* Scratch of one search thread for the linked scheduling (care_sched.c). */
typedef struct cv__care_ws {
    const cv__ctx *c;
    int64_t *x; /* trial begins where xset */
    uint8_t *xset;
    uint32_t *xlist, nx;
    uint32_t *troute; /* route of tasks a trial adds */
    uint32_t *tlist, ntl;
    uint32_t **seq; /* per route: trial sequence where rmod */
    uint32_t *seqn;
    uint8_t *rmod, *rtouch, *rtouch2; /* rtouch2: timed at least once */
    uint32_t *rlist, nr;              /* routes timed by the trial */
    double *rcost;
    int64_t *rwork;
    uint32_t *queue, qh, qn;
    uint8_t *inq;
    int64_t *lb, *beg;
    uint32_t *buf;
    uint32_t fail_route;
    bool scratch;         /* timing from below: begins of the solution ignored */
    double bound, pdelta; /* a trial stops once its cost change reaches bound */
    /* Snapshot for trying several completions of a unit. */
    bool snap;
    cv__route *saved;
    uint8_t *rsaved;
    uint32_t *slist, ns;
    int64_t *sbegin;
    uint32_t *sroute_of;
    double scost;
    uint64_t sprio;
    uint32_t sun;
    uint8_t *mark;
    uint64_t *class_seen, stamp;
    struct cv__care_cand *choice, *keep_choice;
} cv__care_ws;

cv_status cv__care_ws_init(cv__care_ws *ws, const cv__ctx *c);
void cv__care_ws_fini(cv__care_ws *ws);
/* Fairness term of the objective: fairness_per_hour x (longest - shortest
 * working time of the routes that serve a task) / 3600. */
double cv__care_fairness(const cv__ctx *c, const cv__sol *s);
/* Drops partly planned units and recomputes the schedule from below; routes
 * whose timing fails lose their units until it succeeds. */
cv_status cv__care_repair(const cv__ctx *c, cv__care_ws *ws, cv__sol *s, cv__care_touch *tc,
                          uint64_t *effort);
/* Inserts the unit of task `head` at its best place (all its tasks or
 * none); *inserted tells which. */
cv_status cv__care_insert(const cv__ctx *c, cv__care_ws *ws, cv__sol *s, uint32_t head,
                          double blink, cv_rng *rng, cv__care_touch *tc, uint64_t *effort,
                          bool *inserted);
/* Inserts every unplanned unit, highest priority first. */
cv_status cv__care_construct(const cv__ctx *c, cv__care_ws *ws, cv__sol *s, uint64_t *effort);
#ifdef CV_DEBUG_CHECKS
void cv__care_debug_check(const cv__ctx *c, cv__care_ws *ws, const cv__sol *s);
#endif

/* ---- Output ---- */
cv_reason cv__unassigned_reason(const cv__ctx *c, uint32_t task);
cv_status cv__plan_build(const cv__ctx *c, const cv__sol *s, cv_plan **out);

#endif
