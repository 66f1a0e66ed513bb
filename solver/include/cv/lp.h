/* carevan LP relaxations (solver/lp_*.c, the only files that include glpk.h).
 *
 * Two services built on GLPK:
 *   cv_lp_bound    a certified lower bound on the cost of a plan (column
 *                  generation on the set-partitioning relaxation) and a
 *                  minimum-fleet bound;
 *   cv_lp_setpart  set partitioning over a pool of routes (a MIP), the
 *                  recombination step of the local search.
 *
 * ---- The relaxed model priced by cv_lp_bound ----
 * The problem is first relaxed to one VRPTW over the customers C (the tasks
 * that at least one vehicle can serve alone), a start depot 0 and an end
 * depot e, with every vehicle feature that the pricing does not model
 * relaxed away; each relaxation only enlarges the set of feasible routes or
 * lowers their cost, so a bound for the relaxed model is a bound for the
 * problem (the result names what was relaxed):
 *   (1)  c_ij = min over vehicles v of cost_v(i, j)      arc cost; c_0j from the
 *        vehicle's start, c_ie to its end (0 for an open route); per_hour and
 *        per_km give cost_v = (per_hour*dur + 3.6*per_km*dist)/3600, and when
 *        that is not integral the route's final rounding may lower a route by
 *        at most 1/2, so every route is charged min fixed - 1/2;
 *   (2)  t_ij = s_i + min over v of dur_v(i, j) + (loc_i != loc_j ? setup_j : 0)
 *        (the setup of the first task counted only when every start is elsewhere);
 *   (3)  [a_i, b_i] = hull of task i's windows; depot [min shift start, max shift end];
 *   (4)  capacity: per amount dimension d, sum of job deliveries <= Q_d and sum of
 *        job pickups <= Q_d, with Q_d the largest capacity; shipments' amounts,
 *        pickup-before-delivery, skills, breaks, max_tasks, max_travel_time,
 *        max_distance are dropped; fleet size K = min(#vehicles, |C|).
 * A route r is an ng-route (Baldacci, Mingozzi & Roberti 2011) of this
 * model: a walk 0 -> i_1 -> ... -> i_k -> e, time- and capacity-feasible,
 * that may revisit customer j only after leaving j's ng-neighbourhood N_j
 * (the ng_size nearest customers of j, j included).  a_jr counts the visits.
 *
 * ---- The master LP (GLPK simplex over the generated columns R' of R) ----
 *   (5)  z = min sum_{r in R} c_r x_r
 *   (6)       sum_r a_jr x_r = 1          for every customer j      (duals pi_j)
 *   (6')      the master solves the covering relaxation, sum_r a_jr x_r >= 1
 *             (duals pi_j >= 0): every plan still satisfies it, so its value
 *             bounds as well, and its duals are far less degenerate on wide
 *             windows; the bounds below hold for any pi, whatever the rows.
 *   (7)       sum_r x_r <= K                                          (dual sigma <= 0)
 *   (8)       x_r >= 0
 * ---- Pricing: the elementary shortest path with resources, ng-relaxed ----
 *   (9)  m(pi) = min_{r in R} ( c_r - sum_j a_jr pi_j )      by labelling, with
 *        labels (node, cost, time, loads, ng-memory) and dominance
 *        L1 <= L2 iff cost, time, every load <= and memory(L1) subset of memory(L2).
 * ---- The anytime Lagrangian bound ----
 *  (10)  LB(pi) = sum_j pi_j + K * min(0, m(pi))   <= z_LP(R) <= optimum
 *        valid for any pi once m(pi) is computed exactly (or bounded from
 *        below): (pi, min(0, m(pi))) is feasible for the dual of (5)-(8).
 *        At convergence m(pi) >= sigma and LB = z_LP.  When costs are
 *        integral, ceil(LB - 1e-6) is reported.
 * (10a) A smaller valid K from an upper bound UB (a plan's cost): with a_j the
 *        cheapest arc into j from a customer (c_0j when none), a plan of k
 *        routes costs at least
 *          LB_k = k*fixed + sum_j a_j + (k smallest of c_0j - a_j) + (k smallest of c_je)
 *        (each customer has one incoming arc; k of them come from the depot and
 *        k routes end at it).  Every plan of k routes with LB_k > UB costs more
 *        than the optimum, so K' = max{k <= K : LB_k <= UB} routes suffice for
 *        an optimal plan, and (7), (10) hold with K'.  Relaxed costs are at most
 *        real ones, so a real plan serving every task (all in C) gives UB.
 * (10b) Sharper, the assignment relaxation (each customer one predecessor and
 *        one successor, k of them the depot), an LP over the time-feasible arcs:
 *          K'' = floor( max k  s.t.  sum_i x_ij + y_j = 1,  sum_j x_ij + z_i = 1,
 *                       sum_j y_j = sum_i z_i = k <= K,  x, y, z >= 0,
 *                       sum c_ij x_ij + sum c_0j y_j + sum c_ie z_i + fixed*k <= UB )
 *        (every plan of k routes is such a point, at its cost); K = min(K', K'').
 * (10c) Without K (Farley-like): every route costs at least
 *        c_min = fixed + min_j c_0j + min_j c_je > 0, so by concavity
 *        m(theta pi) >= theta m(pi) + (1 - theta) c_min, and theta = c_min / (c_min - m)
 *        makes (theta pi, 0) dual feasible for (5), (6), (8):
 *          LB(pi) = sum_j pi_j * c_min / (c_min - m(pi))     when m(pi) < 0
 *        (the fleet row (7) dropped, a relaxation).  The larger of (10), (10c).
 * (10d) Limited-memory subset-row cuts (Jepsen, Petersen, Spoorendonk & Pisinger
 *        2008; limited memory: Pecin, Pessoa, Poggi & Uchoa 2017), in the cost LP only.
 *        Cut q: three customers T_q, a memory M_q (T_q in M_q), and the row
 *          sum_r alpha_qr x_r <= 1                                    (dual beta_q <= 0)
 *        alpha_qr counted along r: a state s, reset to 0 at a customer outside M_q,
 *        raised by one at a customer of T_q, and at 2 reset with alpha_qr += 1
 *        (= floor(|r n T_q| / 2) when M_q holds every customer).  Valid for every
 *        plan: each customer is served once, so at most one route sees two of T_q,
 *        and alpha is never above that count.  Separated by enumeration of the
 *        triples on the master's solution when it converges (violation >= 0.05, 16
 *        per round, at most max_cuts); M_q is the smallest memory that keeps the
 *        full coefficient of the routes of that solution.  The pricing carries the
 *        states in its labels and pays -beta_q at each increment; a label dominates
 *        only when its cost plus the -beta_q of the cuts where it is one visit from
 *        paying and the other label is not stays below the other's.
 * (10') The anytime bound with cuts: for any pi, any beta <= 0 and
 *        m(pi, beta) = min_r (c_r - sum_j a_jr pi_j - sum_q alpha_qr beta_q),
 *          LB = sum_j pi_j + sum_q beta_q + K * min(0, m(pi, beta))
 *        bounds every x feasible for (6)-(8) and the cut rows, since
 *          sum_r c_r x_r = sum_r (c_r - a_r pi - alpha_r beta) x_r + sum_j pi_j
 *                          + sum_q beta_q (sum_r alpha_qr x_r)
 *                       >= K * min(0, m) + sum_j pi_j + sum_q beta_q
 *        (sum_r x_r <= K; beta_q <= 0 and each cut row <= 1).  It is the master's
 *        value only at convergence; at any earlier stop it is this Lagrangian value
 *        at the last exactly priced duals (smoothed duals are convex combinations,
 *        so beta stays <= 0; GLPK's duals are clamped to <= 0).  (10c) scales
 *        (pi, beta) alike: theta * (sum pi + sum beta).
 * ---- Minimum fleet ----
 *  (11)  same columns with c_r = 1:  F = min sum_r x_r  s.t. (6), (8);
 *        valid bound max(LB(pi) with K = |C|, Farley: sum_j pi_j / (1 - m(pi))
 *        when m < 0, and per capacity resource ceil(sum of demands / Q_d)),
 *        rounded up.
 * ---- Column generation (lp_bound.c) ----
 * Each round solves the master (GLPK's primal simplex in iteration slices; a
 * slice that does not lower the objective switches the ratio test, two
 * restart from an advanced basis: the degenerate master stalled otherwise),
 * tries a heuristic labelling (2, then 8, then 32 labels per customer,
 * dominance on cost and time only; a level that stalls for 50 rounds is left)
 * at smoothed duals, and when no level finds a column prices exactly with Wentges smoothing around
 * the duals of the best bound so far; the smoothing factor adapts each round (Pessoa, Sadykov,
 * Uchoa & Vanderbeck 2018): less when the subgradient of (10') at the priced point still climbs
 * towards the master's duals, more when not. The exact labelling is bidirectional (Righini & Salani
 * 2006): forward labels up to the middle of the depot's horizon, backward labels (latest service
 * start, prefix bounds mirroring the completion bounds) after it, joined over every arc when the
 * memories are disjoint, the loads fit and the time does (the cut states add one payment per cut
 * whose both halves are one visit in); every elementary route is found, split after its last
 * customer served by the middle.  In the last 30 % of the budget every round prices
 * exactly, so that a bound gets proven.  When the exact labelling exceeds its
 * label memory it is coarsened (ng halved, then capacity dropped), and so
 * when, before any bound is proven, one labelling exceeds 15 % of the budget
 * (ng quartered): still a relaxation, named in the result.  The exact
 * labelling prunes by completion bounds (lp_pricing.c; the cuts only add
 * penalties >= 0, so bounds without them stay bounds); every completed
 * labelling gives the larger of (10') and (10c).  When the master converges,
 * subset-row cuts (10d) are separated and the generation goes on.
 *
 * What the bound bounds: the cost of any plan that serves every task of C
 * (the tasks some vehicle can serve alone, breaks aside).  A plan that
 * leaves a task of C unassigned is outside its scope: compare
 * result.customers with the plan's assigned count before printing a gap.
 *
 * ---- Set partitioning over a pool (cv_lp_setpart) ----
 *  (12)  min sum_r c_r x_r + sum_j u_j y_j
 *  (13)       sum_r a_jr x_r + y_j = 1     every task j (y_j: j left unassigned)
 *  (14)       sum_{r of type t} x_r <= n_t  every vehicle type t
 *  (15)       x, y binary
 *
 * Threads: GLPK keeps its state per thread only when built with TLS; when
 * glp_config("TLS") says it is not, every GLPK use in carevan is serialised
 * behind one mutex.  GLPK's terminal output is off; a GLPK error (which would
 * abort the process) is turned into CV_EINTERNAL.
 */
#ifndef CV_LP_H
#define CV_LP_H

#include "cv/problem.h"

/* ---- Lower bound ---- */

typedef struct cv_lp_bound_config {
    double time_limit_s;     /* wall-clock safety stop for the whole call; <= 0: none */
    bool cpu_time;           /* time_limit_s (and result.seconds) count the calling thread's CPU
                                time, not wall time: for benchmarks on a shared machine */
    uint64_t max_effort;     /* deterministic budget in label extensions; 0: unlimited */
    uint32_t ng_size;        /* ng-neighbourhood size, 1..32 (default 8) */
    uint32_t max_iterations; /* column generation rounds per LP; 0: unlimited */
    bool min_vehicles;       /* also compute the minimum-fleet bound (11) */
    double smoothing;        /* Wentges dual smoothing factor in [0, 1) (default 0.8; 0: none) */
    double upper_bound;      /* cost of a known plan serving every task (e.g. the solver's), or
                                0: lowers the fleet K of (7) and (10) by (10a); used only when
                                every task is a customer of C */
    uint32_t max_cuts;       /* subset-row cuts (10d) of the cost LP, at most 256 (default 256;
                                0: none) */
    bool bidirectional;      /* exact labelling forward and backward, joined at the middle of
                                the horizon (default true) */
    bool auto_smoothing;     /* smoothing starts at `smoothing` and adapts each round by the
                                subgradient's direction (default true) */
} cv_lp_bound_config;

void cv_lp_bound_config_init(cv_lp_bound_config *cfg);

typedef struct cv_lp_bound_result {
    double lower_bound;    /* in the problem's cost units; 0 when nothing better is proven */
    char relaxation[320];  /* the relaxation actually used, for people */
    bool converged;        /* the LP (5)-(8), with its cuts (10d), was solved to optimality:
                              bound = z_LP; no separation found a violated cut */
    uint32_t iterations;   /* column generation rounds (cost LP) */
    uint32_t columns;      /* columns in the final master (cost LP) */
    uint32_t cuts;         /* subset-row cuts in the final master (10d) */
    uint32_t cut_rounds;   /* separations that added or widened cuts */
    uint32_t customers;    /* |C| */
    uint32_t fleet;        /* K (K' of (10a) when an upper bound lowered it) */
    uint64_t effort;       /* label extensions spent */
    double seconds;        /* wall, or CPU with cfg.cpu_time */
    uint32_t min_vehicles; /* minimum-fleet bound (11); 0 when not computed */
    bool min_vehicles_converged;
} cv_lp_bound_result;

/* p is read-only with its matrices filled.  cfg may be NULL (defaults).  On
 * CV_OK *out holds a valid lower bound, even when a limit stopped the column
 * generation early (then converged is false).  CV_EINTERNAL when GLPK fails. */
cv_status cv_lp_bound(const cv_problem *p, const cv_lp_bound_config *cfg, cv_lp_bound_result *out,
                      cv_diag *diag);

/* ---- Set partitioning over a route pool ---- */

/* A pool of routes handed in by the caller (borrowed for the call).
 * Route r serves the tasks route_tasks[route_first[r] .. route_first[r+1]-1]
 * (each task at most once, indices < ntasks), costs route_cost[r] and uses
 * one vehicle of type route_type[r] (< ntypes); at most type_count[t]
 * routes of type t are chosen.  A caller with one route per vehicle passes
 * the vehicle index as its type and type_count all 1; a homogeneous fleet is
 * one type with count K. */
typedef struct cv_lp_pool {
    uint32_t ntasks, nroutes, ntypes;
    const uint32_t *route_first; /* nroutes + 1 offsets into route_tasks */
    const uint32_t *route_tasks;
    const double *route_cost;
    const uint32_t *route_type;
    const uint32_t *type_count;
    const double *unassigned_penalty; /* ntasks, each >= 0 (the price of leaving it out) */
} cv_lp_pool;

typedef struct cv_lp_setpart_config {
    double time_limit_s;       /* wall-clock limit of the whole call; <= 0: none */
    uint32_t max_nodes;        /* branch-and-bound nodes, the deterministic limit; 0: none */
    const uint32_t *incumbent; /* route indices of a feasible selection to start from, or NULL */
    uint32_t nincumbent;
} cv_lp_setpart_config;

void cv_lp_setpart_config_init(cv_lp_setpart_config *cfg);

typedef struct cv_lp_setpart_result {
    uint32_t *routes; /* chosen route indices, ascending; malloc'ed, caller frees */
    uint32_t nroutes;
    uint32_t nunassigned; /* tasks covered by no chosen route */
    double objective;     /* (12) of the selection */
    double lp_bound;      /* GLPK's best bound on (12)-(15) (-inf when unknown) */
    bool optimal;         /* proven optimal within GLPK's tolerances */
} cv_lp_setpart_result;

/* Always feasible thanks to the unassigned columns.  The incumbent, when
 * given, must be a valid selection (disjoint routes, type counts respected);
 * the result is never worse than it.  CV_EINVAL with a diag for a malformed
 * pool, CV_EINTERNAL when GLPK fails. */
cv_status cv_lp_setpart(const cv_lp_pool *pool, const cv_lp_setpart_config *cfg,
                        cv_lp_setpart_result *out, cv_diag *diag);
void cv_lp_setpart_result_fini(cv_lp_setpart_result *r);

#endif
