/* carevan solver: builds a plan for a cv_problem.
 *
 * The search is a ruin-and-recreate over routes of tasks (slack-induction
 * string removals, Christiaens & Vanden Berghe 2020) around a regret
 * insertion, with O(1) insertion checks from cached forward/backward route
 * data and a full route re-evaluation as the reference (checked against the
 * fast path in CV_DEBUG_CHECKS builds).  After every recreate a granular
 * local search (relocate, or-opt, swap, cross-exchange, 2-opt, 2-opt*,
 * shipment pairs; solver/ls_*.c) improves the plan around the reinserted
 * tasks.  Objective, lexicographic: maximise the total priority of assigned
 * tasks, then their number, then (objective "vehicles") minimise the number
 * of routes, then the total cost.  Deterministic for a fixed seed, effort and thread count when
 * the wall-clock limit is not what stops the search.
 */
#ifndef CV_SOLVER_H
#define CV_SOLVER_H

#include <stdatomic.h>

#include "cv/plan.h"
#include "cv/problem.h"

typedef enum cv_solver_algo {
    CV_SOLVER_SISR = 0,      /* regret construction, then SISR ruin-and-recreate (default) */
    CV_SOLVER_CONSTRUCT = 1, /* regret construction only (the first solver path) */
} cv_solver_algo;

/* Local-search operator families (cv_solver_config.local_search, a set of
 * these flags).  Every move is evaluated in O(1) or O(segment) from cached
 * route data and only between a task and its nearest tasks (granular). */
enum {
    CV_LS_TWO_OPT_STAR = 1u << 0, /* exchange the tails of two routes */
    CV_LS_RELOCATE = 1u << 1,     /* move 1..3 consecutive jobs, possibly reversed */
    CV_LS_SWAP = 1u << 2,         /* exchange one job of each of two routes */
    CV_LS_CROSS = 1u << 3,        /* exchange segments of up to 3 jobs between routes */
    CV_LS_TWO_OPT = 1u << 4,      /* reverse a segment of one route */
    CV_LS_OR_OPT = 1u << 5,       /* move 1..3 jobs inside their route */
    CV_LS_PAIR = 1u << 6,         /* move a shipment (pickup and delivery) to another route */
    CV_LS_SWAP_STAR = 1u << 7,    /* SWAP* (Vidal 2022): exchange one job of each of two
                                     neighbouring routes, each to its best place in the other */
    CV_LS_ALL = (1u << 8) - 1,
};

/* The default operator set and placement (bench/RESULTS.md, Solver: local search).
 * SWAP* is off by default: at the default effort it costs more search than it
 * gains (bench/RESULTS.md, Solver: SWAP*). */
#define CV_SOLVER_LS_DEFAULT ((unsigned)CV_LS_ALL & ~(unsigned)CV_LS_SWAP_STAR)
#define CV_SOLVER_LS_WHEN_DEFAULT 2 /* CV_LS_WHEN_AUTO */

/* Where the search applies its local search. */
typedef enum cv_solver_ls_when {
    CV_LS_WHEN_RECREATE = 0, /* after every recreate, on the routes it changed */
    CV_LS_WHEN_BEST = 1,     /* on every new best plan, all its routes */
    /* By measurement (bench/RESULTS.md, "Where the local search runs"): best
     * for the vehicles objective and for problems with shipments, where the
     * local search after every recreate pulls the annealing back into the
     * same local optimum (Li & Lim lrc205 stayed 22 % above its best known
     * distance at 4x the effort); recreate otherwise (Solomon, Homberger). */
    CV_LS_WHEN_AUTO = 2,
} cv_solver_ls_when;

/* What the search minimises after the assigned priority and task count. */
typedef enum cv_solver_objective {
    CV_OBJECTIVE_COST = 0,     /* total cost (default) */
    CV_OBJECTIVE_VEHICLES = 1, /* number of routes, then total cost (the hierarchical
                                  convention of the Gehring & Homberger and Li & Lim
                                  BKS); half the budget goes to removing routes */
} cv_solver_objective;

/* What a search reports while it runs (see on_progress). */
typedef struct cv_solver_progress {
    double elapsed_s;
    uint64_t iterations, effort; /* of the reporting search thread */
    double best_cost;            /* search cost of the best plan so far */
    uint32_t routes, unassigned; /* of the best plan so far */
} cv_solver_progress;

typedef struct cv_solver_config {
    double time_limit_s; /* wall-clock safety stop; <= 0: none */
    int time_limit_cpu;  /* 1: time_limit_s counts CPU seconds of each search thread
                            (CLOCK_THREAD_CPUTIME_ID, construction included) instead of
                            wall-clock seconds, so that a run on a loaded machine gets
                            the same search as one on an idle machine with that wall
                            limit (benchmarks); progress elapsed_s is then CPU time too */
    uint64_t max_effort; /* deterministic work-unit budget (about one unit per insertion
                            position examined); 0: default 2e7 + 2e5 x tasks (about 1 s
                            of one core at 100 tasks), 4e5 x tasks below 100 tasks; UINT64_MAX:
                            unlimited (then set time_limit_s) */
    uint64_t seed;
    unsigned threads; /* >= 1; each thread runs its own search, the best plan wins */
    int progress;     /* print a progress line to stderr on a terminal */
    cv_solver_algo algo;
    unsigned local_search; /* CV_LS_* operator families of the local search; 0: none.
                              Default: CV_SOLVER_LS_DEFAULT = all but SWAP*, placed by
                              CV_LS_WHEN_AUTO (chosen by measurement, bench/RESULTS.md) */
    int ls_when;           /* cv_solver_ls_when; default CV_SOLVER_LS_WHEN_DEFAULT */
    int objective;         /* cv_solver_objective; default CV_OBJECTIVE_COST */
    int setpart;           /* 1: keep a pool of the distinct routes the search accepts and,
                              five times per run (at each fifth of the budget, the last at the
                              end), solve a set-partitioning MIP over it with GLPK
                              (cv_lp_setpart, node-limited, so deterministic) whose better
                              selections replace the best plan; skipped for problems using
                              care extensions (docs/care-extensions.md).  Off by
                              default: it paid off with ~1.4 s of CPU per 100 tasks (Solomon
                              R/RC mean gap 0.74 -> 0.51 % at equal CPU) and lost with 0.15 to
                              0.4 s (bench/RESULTS.md). */
    /* Called from the first search thread about every 100 ms and at the end
     * of the search (never concurrently); NULL: none. */
    void (*on_progress)(void *ud, const cv_solver_progress *progress);
    void *progress_ud;
    /* When not NULL and set to nonzero by another thread, the search stops at
     * its next iteration and cv_solver_run returns CV_ECANCELED (no plan). */
    const atomic_int *cancel;
    /* Statistics written back by cv_solver_run_stats (cv_solver_run leaves cfg alone). */
    uint64_t stat_effort;           /* work units spent (all threads) */
    uint64_t stat_iterations;       /* ruin-and-recreate iterations (all threads) */
    uint64_t stat_setpart_calls;    /* set-partitioning MIPs solved (setpart, all threads) */
    uint64_t stat_setpart_improved; /* of them, those that improved a best plan */
} cv_solver_config;

void cv_solver_config_init(cv_solver_config *cfg);

/* Parses a comma-separated list of operator names ("relocate,swap,cross,2opt,
 * 2opt*,oropt,pair,swap*", or "all", "none", "default") into CV_LS_* flags;
 * returns false (and leaves *ops alone) on an unknown name. */
bool cv_solver_ls_parse(const char *list, unsigned *ops);

/* The care extensions (docs/care-extensions.md) are planned: vehicle lists,
 * preferences, soft windows, working time, overtime, ride times, fairness,
 * visits with several workers and relations (linked routes are timed
 * together, solver/care_sched.c).
 * p is read-only and has all duration matrices filled (cv_problem_has_matrices).
 * Returns a complete plan built with cv_plan_builder (every step's arrival,
 * waiting, setup, service, duration, distance and load, each route's cost,
 * cv_plan_sum called) and the unassigned tasks with a cv_reason (the first
 * constraint that excludes the task, found by checking the task alone on
 * every vehicle; CV_REASON_NO_ROOM if it is feasible alone).  Never an
 * infeasible plan.  cfg may be NULL (defaults). */
cv_status cv_solver_run(const cv_problem *p, const cv_solver_config *cfg, cv_plan **out,
                        cv_diag *diag);

/* Same, with statistics written back into *cfg. */
cv_status cv_solver_run_stats(const cv_problem *p, cv_solver_config *cfg, cv_plan **out,
                              cv_diag *diag);

#endif
