/* Internals of the LP relaxations (solver/lp_*.c), shared across those files
 * only.  The relaxed VRPTW model (lp_model.c), the ng-route labelling that
 * prices it (lp_pricing.c) and the GLPK guard (lp_glpk.c).  Equations are
 * numbered as in cv/lp.h. */
#ifndef CV_LP_INT_H
#define CV_LP_INT_H

#include "cv/lp.h"

/* Amount dimensions kept by the pricing's capacity check (4); further
 * dimensions are dropped, which is a relaxation. */
#define CV__LP_MAX_RES 4

/* The relaxed model of cv/lp.h (1)-(4).  Customers 0..n-1; the start depot
 * and end depot are handled by the c0/t0 and ce/te arrays. */
typedef struct cv__lp_model {
    uint32_t n;     /* customers |C| */
    uint32_t *task; /* n: the task of each customer */
    uint32_t fleet; /* K */
    uint32_t nres;  /* capacity resources kept, <= CV__LP_MAX_RES */
    int64_t cap[CV__LP_MAX_RES];
    int64_t *dem;   /* n * nres: consumption of each customer */
    int64_t *a, *b; /* n: window hull (3) */
    int64_t depot_a, depot_b;
    double *c;            /* n * n arc costs (1); c[i*n+i] unused */
    int64_t *t;           /* n * n arc times (2), service of i included */
    double *c0, *ce;      /* n: start -> i, i -> end costs */
    int64_t *t0, *te;     /* n: start -> i travel (+ setup), service of i + travel i -> end */
    double route_fixed;   /* charged once per route: min fixed (- 1/2 when rounding) */
    bool integral;        /* every route cost is an integer in the problem */
    char relaxation[256]; /* what was relaxed, for cv_lp_bound_result */
} cv__lp_model;

cv_status cv__lp_model_build(cv__lp_model *m, const cv_problem *p, cv_diag *diag);
void cv__lp_model_fini(cv__lp_model *m);

/* A route of the model: customers in visiting order (repeats allowed in an
 * ng-route), its cost c_r and, in the pricing output, its reduced cost. */
typedef struct cv__lp_col {
    uint32_t *seq;
    uint32_t len;
    double cost;
    double rc;
} cv__lp_col;

/* How the labelling runs.  ng: memory size used (1..ng_size of the pricer;
 * smaller is a coarser relaxation); loads: keep capacity; heuristic: dominate
 * on (cost, time) only, a fast search for columns that proves nothing. */
typedef struct cv__lp_price_mode {
    uint32_t ng;
    bool loads;
    bool heuristic;
    bool fleet;        /* objective (11): route cost 1, arcs 0 */
    bool cpu;          /* the deadline is in this thread's CPU time (cv__lp_clock) */
    bool bidir;        /* exact labelling: bidirectional, joined at the middle of the horizon */
    uint32_t heur_cap; /* heuristic: labels kept per customer (0: 2) */
} cv__lp_price_mode;

/* Seconds on the wall clock (cv_clock_now), or of this thread's CPU time
 * when cpu (cv_lp_bound_config.cpu_time). */
double cv__lp_clock(bool cpu);

/* ---- Limited-memory subset-row cuts on three customers (lp_cuts.c) ----
 * Cut c: customers tri[c] (ascending), memory mem[c*n + j] (1: j in M_c, T
 * included), row sum_r alpha_cr x_r <= 1 of the master, dual beta_c <= 0. */
#define CV__LP_MAX_CUTS 256
typedef struct cv__lp_cuts {
    uint32_t n, count, max;
    uint32_t (*tri)[3];
    uint8_t *mem;
} cv__lp_cuts;

cv_status cv__lp_cuts_init(cv__lp_cuts *k, uint32_t n, uint32_t max_cuts);
void cv__lp_cuts_fini(cv__lp_cuts *k);
/* alpha of route seq for cut c (the recurrence of lp_cuts.c). */
uint32_t cv__lp_cut_coef(const cv__lp_cuts *k, uint32_t c, const uint32_t *seq, uint32_t len);
/* Separates the cuts most violated by x (x[r] for route cols[r]) by at
 * least min_viol, at most max_new; new cuts are appended to k and existing
 * ones violated for lack of memory get a wider one.  The indices of the
 * cuts added or changed go to changed (room for max_new), their number to
 * *nchanged: the caller recomputes those rows. */
cv_status cv__lp_cuts_separate(cv__lp_cuts *k, const cv__lp_col *cols, const double *x,
                               uint32_t ncols, uint32_t max_new, double min_viol, uint32_t *changed,
                               uint32_t *nchanged);

typedef struct cv__lp_pricer cv__lp_pricer;

cv_status cv__lp_pricer_create(cv__lp_pricer **out, const cv__lp_model *m, uint32_t ng_size);
void cv__lp_pricer_destroy(cv__lp_pricer *pr);

/* Prices duals pi (n) and, when cuts is not NULL, beta (cuts->count, each
 * <= 0) of the subset-row cuts against threshold sigma: returns in cols up to
 * max_cols columns with c_r - pi a_r < sigma - eps (most negative first;
 * caller frees each seq and the array).  *complete is true when every label
 * was extended, and then min(0, *min_m) is min(0, m(pi)) of (9) for the
 * mode's relaxation (a lower bound on it for the ng_size relaxation and for
 * elementary routes); *min_m itself is exact only when negative, because
 * the exact labelling drops every label whose completion bound (q-routes
 * over time buckets, no capacity) shows it can neither be negative nor
 * enter the full list of best columns.  Stops incomplete when *effort reaches effort_cap (0: none),
 * the clock passes deadline (<= 0: none) or max_labels labels exist. */
cv_status cv__lp_price(cv__lp_pricer *pr, const double *pi, const cv__lp_cuts *cuts,
                       const double *beta, double sigma, cv__lp_price_mode mode, uint32_t max_cols,
                       uint64_t *effort, uint64_t effort_cap, double deadline, size_t max_labels,
                       cv__lp_col **cols, uint32_t *ncols, double *min_m, bool *complete);

/* Cost c_r of a sequence in the model (or 1 in fleet mode); false when the
 * sequence is not time- or capacity-feasible in the model. */
bool cv__lp_route_eval(const cv__lp_model *m, const uint32_t *seq, uint32_t len, double *cost);

/* ---- GLPK guard (lp_glpk.c) ----
 * Runs fn(ctx) with GLPK's terminal output off, its error hook set so that a
 * GLPK error longjmps back here, and (if GLPK lacks TLS) the global GLPK
 * mutex held.  After a GLPK error every GLPK object of this thread has been
 * freed (glp_free_env) and CV_EINTERNAL is returned: fn deletes its own GLPK
 * objects before it returns, and no GLPK object outlives the call. */
cv_status cv__lp_glpk_run(cv_status (*fn)(void *ctx), void *ctx);
/* True when GLPK was built thread-safe (glp_config("TLS") != NULL). */
bool cv__lp_glpk_thread_safe(void);
/* Makes GLPK fail on purpose inside the guard (an out-of-range row number);
 * the tests use it to check that the failure comes back as CV_EINTERNAL and
 * that GLPK works again afterwards. */
cv_status cv__lp_glpk_provoke_error(void);

#endif
