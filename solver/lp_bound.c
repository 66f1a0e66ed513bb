/* cv_lp_bound: column generation on the set-partitioning LP of the relaxed
 * model (cv/lp.h (5)-(11)).  The restricted master is a GLPK LP solved by the
 * primal simplex (warm-started: added columns keep the basis primal
 * feasible); its row duals drive the ng-route labelling of lp_pricing.c.
 *
 * Each round first tries the heuristic labelling (cheap, proves nothing);
 * when it finds no column, the exact labelling runs and its m(pi) gives the
 * Lagrangian bound (10), valid whatever the duals, so a limit hit at any
 * moment leaves the best bound proven so far.  When the exact labelling runs
 * out of label memory, it is coarsened for the rest of the call (ng memory
 * halved, then capacity dropped): a coarser relaxation still bounds. */
#include "lp_int.h"

#include <assert.h>
#include <glpk.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_LABELS ((size_t)1 << 20) /* beyond this the labelling is coarsened */
#define NOW(g) cv__lp_clock((g)->cpu)

/* Labels per customer of the heuristic labelling, by level: a round tries
 * its level and, when that finds no column, the next ones before the exact
 * labelling; a level that stalls is left for good. */
#define HEUR_LEVELS 3
static const uint32_t heur_caps[HEUR_LEVELS] = {2, 8, 32};

void cv_lp_bound_config_init(cv_lp_bound_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->time_limit_s = 10.0;
    cfg->max_effort = 0;
    cfg->ng_size = 8;
    cfg->max_iterations = 0;
    cfg->min_vehicles = true;
    cfg->smoothing = 0.8;
    cfg->max_cuts = 256;
    cfg->bidirectional = true;
    cfg->auto_smoothing = true;
}

/* Column generation state for one LP: (5)-(8), or (11) when fleet. */
typedef struct cg {
    const cv__lp_model *m;
    cv__lp_pricer *pr;
    bool fleet;
    bool cpu; /* deadlines in this thread's CPU time */
    double deadline;
    double late;          /* past this clock time the heuristic stops (<= 0: never) */
    uint64_t late_effort; /* same, in effort (0: never) */
    /* Until a bound is proven, one exact labelling may use at most this
     * (0: no cap); past it the relaxation is coarsened, as when out of
     * label memory: a coarser bound proven beats none. */
    double call_s;
    uint64_t call_effort;
    uint64_t *effort, effort_cap;
    uint32_t max_iterations;
    double alpha;        /* dual smoothing factor, 0 = none */
    bool auto_alpha;     /* adapt alpha each round (Pessoa et al. 2018) */
    double cmin;         /* a lower bound on every route's cost (10c), <= 0: unknown */
    bool heuristic;      /* try the heuristic labelling before the exact one */
    uint32_t heur_level; /* first level of heur_caps tried each round */
    cv__lp_price_mode exact;
    /* Subset-row cuts of the cost LP (NULL for the fleet LP, or none). */
    cv__lp_cuts *cuts;
    /* Columns generated (also seeds for the next LP). */
    cv__lp_col *cols;
    uint32_t ncols, capcols;
    uint32_t nseed; /* cols[0..nseed) were given, not generated */
    /* Results. */
    double lb;
    bool converged, coarsened;
    uint32_t iterations, master_cols, cut_rounds;
    cv_status st;
} cg;

static bool time_up(const cg *g)
{
    return (g->deadline > 0 && NOW(g) > g->deadline) ||
           (g->effort_cap && *g->effort >= g->effort_cap);
}

/* Did the per-call cap (not the overall budget) stop the labelling? */
static bool pr_capped(const cg *g, double call_deadline, uint64_t call_cap)
{
    return (call_deadline > 0 && call_deadline != g->deadline && NOW(g) > call_deadline) ||
           (call_cap && call_cap != g->effort_cap && *g->effort >= call_cap);
}

/* glp_simplex under the call's clock, in slices.  GLPK's own limit is wall
 * time; with a CPU budget every slice gets one wall second and is resumed
 * from its basis while CPU time is left, so that a slow master cannot
 * overrun the budget on a loaded machine.  Every slice is also capped in
 * simplex iterations: the set-covering master is highly degenerate, and
 * GLPK's primal simplex was seen stalling on it for a whole budget at one
 * objective value (RC204: 8255.84 for 18 s).  A slice that ends without
 * lowering the objective switches the ratio test (Harris <-> textbook), and
 * two in a row restart from GLPK's advanced basis; the artificial columns
 * keep every basis feasible.  Whatever basis GLPK ends in, its duals only
 * choose where the labelling prices: every bound is (10') of a priced
 * point, valid for any duals. */
static int master_simplex(const cg *g, glp_prob *lp, glp_smcp *parm)
{
    const int rows = glp_get_num_rows(lp);
    parm->it_lim = 20 * rows + 1000;
    double last = INFINITY;
    int stalls = 0, resets = 0, ret;
    for (;;) {
        if (g->cpu && g->deadline > 0) parm->tm_lim = 1000;
        ret = glp_simplex(lp, parm);
        if ((ret != GLP_EITLIM && (ret != GLP_ETMLIM || !g->cpu)) || time_up(g)) break;
        const double obj = glp_get_obj_val(lp);
        if (obj < last - 1e-9 * (1.0 + fabs(last))) {
            stalls = 0;
        } else if (++stalls >= 2) {
            /* Without a clock (an effort budget only), give up after ten
             * resets: the caller keeps the bound proven so far. */
            if (++resets > 10) break;
            cv_log(2, "lp: master simplex stalled at %.4f: basis reset\n", obj);
            glp_adv_basis(lp, 0);
            parm->meth = GLP_PRIMAL;
            stalls = 0;
        } else {
            parm->r_test = parm->r_test == GLP_RT_HAR ? GLP_RT_STD : GLP_RT_HAR;
        }
        last = obj;
    }
    parm->it_lim = INT_MAX;
    /* An iteration cap that ended the loop is the budget's. */
    return ret == GLP_EITLIM ? GLP_ETMLIM : ret;
}

static cv_status keep_col(cg *g, const cv__lp_col *c)
{
    if (g->ncols == g->capcols) {
        uint32_t cap = g->capcols ? g->capcols * 2 : 256;
        cv__lp_col *a = cv_realloc_array(g->cols, cap, sizeof *a);
        if (!a) return CV_ENOMEM;
        g->cols = a;
        g->capcols = cap;
    }
    g->cols[g->ncols++] = *c;
    return CV_OK;
}

/* The restricted master and, per GLPK column j (1-based), a copy of its
 * route: cut rows are (re)computed from the routes. */
typedef struct master {
    glp_prob *lp;
    uint32_t n;
    int cut_row0; /* GLPK row of cut 0 */
    const cv__lp_cuts *cuts;
    cv__lp_col *col; /* col[j].seq, .len, .cost of column j */
    uint32_t cap;
    int *ind; /* room for n + 2 + CV__LP_MAX_CUTS entries */
    double *val;
} master;

/* Adds one column to the master; a_jr = visits of j, alpha_cr by lp_cuts.c. */
static cv_status add_master_col(master *ms, const cv__lp_col *c, double cost)
{
    int *ind = ms->ind;
    double *val = ms->val;
    int len = 0;
    for (uint32_t k = 0; k < c->len; k++) {
        int row = (int)c->seq[k] + 1, q = 0;
        while (q < len && ind[q + 1] != row) q++;
        if (q < len) {
            val[q + 1] += 1.0;
        } else {
            ind[len + 1] = row;
            val[len + 1] = 1.0;
            len++;
        }
    }
    for (uint32_t q = 0; ms->cuts && q < ms->cuts->count; q++) {
        const uint32_t a = cv__lp_cut_coef(ms->cuts, q, c->seq, c->len);
        if (a == 0) continue;
        ind[len + 1] = ms->cut_row0 + (int)q;
        val[len + 1] = (double)a;
        len++;
    }
    const int j = glp_add_cols(ms->lp, 1);
    if ((uint32_t)j >= ms->cap) {
        uint32_t cap = ms->cap ? 2 * ms->cap : 1024;
        while (cap <= (uint32_t)j) cap *= 2;
        cv__lp_col *a = cv_realloc_array(ms->col, cap, sizeof *a);
        if (!a) return CV_ENOMEM;
        memset(a + ms->cap, 0, (cap - ms->cap) * sizeof *a);
        ms->col = a;
        ms->cap = cap;
    }
    uint32_t *seq = cv_calloc(c->len, sizeof *seq);
    if (!seq) return CV_ENOMEM;
    memcpy(seq, c->seq, c->len * sizeof *seq);
    ms->col[j] = (cv__lp_col){seq, c->len, cost, 0};
    glp_set_col_bnds(ms->lp, j, GLP_LO, 0.0, 0.0);
    glp_set_obj_coef(ms->lp, j, cost);
    glp_set_mat_col(ms->lp, j, len, ind, val);
    return CV_OK;
}

/* Row of cut q from every column's route (after the cut was added or its
 * memory widened). */
static cv_status set_cut_row(master *ms, uint32_t q)
{
    const int ncols = glp_get_num_cols(ms->lp);
    int *ind = cv_calloc((size_t)ncols + 1, sizeof *ind);
    double *val = cv_calloc((size_t)ncols + 1, sizeof *val);
    if (!ind || !val) {
        free(ind);
        free(val);
        return CV_ENOMEM;
    }
    int len = 0;
    for (int j = 1; j <= ncols; j++) {
        const uint32_t a = cv__lp_cut_coef(ms->cuts, q, ms->col[j].seq, ms->col[j].len);
        if (a == 0) continue;
        len++;
        ind[len] = j;
        val[len] = (double)a;
    }
    glp_set_mat_row(ms->lp, ms->cut_row0 + (int)q, len, ind, val);
    free(ind);
    free(val);
    return CV_OK;
}

/* Reduced cost of route c (cost `cost`) at duals y (pi, then beta of each
 * cut) and fleet dual sigma. */
static double route_rc(const master *ms, const cv__lp_col *c, double cost, const double *y,
                       double sigma)
{
    double rc = cost - sigma;
    for (uint32_t q = 0; q < c->len; q++) rc -= y[c->seq[q]];
    for (uint32_t q = 0; ms->cuts && q < ms->cuts->count; q++) {
        const double beta = y[ms->n + q];
        if (beta != 0.0) rc -= beta * (double)cv__lp_cut_coef(ms->cuts, q, c->seq, c->len);
    }
    return rc;
}

/* Keeps the master small (GLPK's pricing scans every column): above `limit`
 * columns, deletes the nonbasic generated columns with the largest reduced
 * costs, down to half the limit.  Deleting nonbasic columns keeps the basis;
 * GLPK renumbers the columns left in order, and so does ms->col. */
static void purge_columns(master *ms, uint32_t limit)
{
    glp_prob *lp = ms->lp;
    const uint32_t n = ms->n;
    const int ncols = glp_get_num_cols(lp);
    if ((uint32_t)ncols <= limit) return;
    typedef struct cand {
        double d;
        int j;
    } cand;
    cand *c = cv_calloc((size_t)ncols + 1, sizeof *c);
    int *num = cv_calloc((size_t)ncols + 1, sizeof *num);
    uint8_t *gone = cv_calloc((size_t)ncols + 1, 1);
    if (!c || !num || !gone) {
        free(c);
        free(num);
        free(gone);
        return;
    }
    int nc = 0;
    for (int j = (int)n + 1; j <= ncols; j++)
        if (glp_get_col_stat(lp, j) != GLP_BS) c[nc++] = (cand){glp_get_col_dual(lp, j), j};
    /* Largest reduced cost first; ties by index, for determinism. */
    for (int gap = nc / 2; gap > 0; gap /= 2)
        for (int i = gap; i < nc; i++)
            for (int k = i; k >= gap && (c[k - gap].d < c[k].d ||
                                         (c[k - gap].d == c[k].d && c[k - gap].j > c[k].j));
                 k -= gap) {
                cand t = c[k];
                c[k] = c[k - gap];
                c[k - gap] = t;
            }
    int del = ncols - (int)(limit / 2);
    if (del > nc) del = nc;
    for (int k = 0; k < del; k++) {
        num[k + 1] = c[k].j;
        gone[c[k].j] = 1;
    }
    if (del > 0) glp_del_cols(lp, del, num);
    int to = 1;
    for (int j = 1; j <= ncols; j++) {
        if (gone[j]) {
            free(ms->col[j].seq);
            continue;
        }
        ms->col[to++] = ms->col[j];
    }
    for (; to <= ncols; to++) ms->col[to] = (cv__lp_col){0};
    free(c);
    free(num);
    free(gone);
}

/* After the master converged: separates subset-row cuts on its solution and
 * adds (or widens) their rows.  Returns the number of rows changed. */
static uint32_t separate_cuts(cg *g, master *ms, cv_status *st)
{
    cv__lp_cuts *k = g->cuts;
    const int ncols = glp_get_num_cols(ms->lp);
    double *x = cv_calloc((size_t)ncols + 1, sizeof *x);
    uint32_t changed[32], nchanged = 0;
    if (!x) {
        *st = CV_ENOMEM;
        return 0;
    }
    for (int j = 1; j <= ncols; j++) x[j] = glp_get_col_prim(ms->lp, j);
    const uint32_t before = k->count;
    /* 16 per round, violated by 0.05 at least: measured on RC1 (see
     * bench/RESULTS.md). */
    *st =
        cv__lp_cuts_separate(k, ms->col + 1, x + 1, (uint32_t)ncols, 16, 0.05, changed, &nchanged);
    free(x);
    if (*st) return 0;
    if (k->count > before) {
        const int r = glp_add_rows(ms->lp, (int)(k->count - before));
        for (uint32_t q = before; q < k->count; q++)
            glp_set_row_bnds(ms->lp, r + (int)(q - before), GLP_UP, 0.0, 1.0);
    }
    for (uint32_t q = 0; q < nchanged && !*st; q++) *st = set_cut_row(ms, changed[q]);
    return nchanged;
}

static cv_status run_cg(void *ctx)
{
    cg *g = ctx;
    const cv__lp_model *m = g->m;
    const uint32_t n = m->n;
    const double K = g->fleet ? (double)n : (double)m->fleet;
    /* Dual vectors: pi_j (j < n), then beta_q of cut q at n + q. */
    const size_t ny = (size_t)n + CV__LP_MAX_CUTS + 1;
    double *pi = cv_calloc(ny, sizeof *pi);
    master ms = {0};
    ms.n = n;
    ms.cuts = g->cuts;
    ms.cut_row0 = (int)n + 2;
    ms.ind = cv_calloc((size_t)n + CV__LP_MAX_CUTS + 4, sizeof *ms.ind);
    ms.val = cv_calloc((size_t)n + CV__LP_MAX_CUTS + 4, sizeof *ms.val);
    double *center = cv_calloc(ny, sizeof *center), *sep = cv_calloc(ny, sizeof *sep);
    double *hsep = cv_calloc(ny, sizeof *hsep);
    if (!pi || !ms.ind || !ms.val || !center || !sep || !hsep) {
        free(pi);
        free(ms.ind);
        free(ms.val);
        free(center);
        free(sep);
        free(hsep);
        return CV_ENOMEM;
    }
    cv_status st = CV_OK;
    glp_prob *lp = glp_create_prob();
    ms.lp = lp;
    glp_set_obj_dir(lp, GLP_MIN);
    /* Rows: customers, the fleet row (7), the cut rows (added as found).
     * The customer rows are covering rows, sum_r a_jr x_r >= 1 (6'): a
     * relaxation of (6), since every plan serves each customer exactly once,
     * so its optimum is still a bound; and the bound is in any case (10') at
     * duals priced by the labelling, valid for any duals.  What changes is
     * the master's duals, now >= 0: the set-partitioning master of the wide
     * windows was far more degenerate (C204 at 20 CPU s: 60.6 % -> 42.8 %,
     * R208 33.2 % -> 18.3 %; bench/RESULTS.md). */
    glp_add_rows(lp, (int)n + 1);
    for (uint32_t j = 0; j < n; j++) glp_set_row_bnds(lp, (int)j + 1, GLP_LO, 1.0, 0.0);
    glp_set_row_bnds(lp, (int)n + 1, g->fleet ? GLP_FR : GLP_UP, 0.0, (double)m->fleet);
    if (g->cuts) g->cuts->count = 0;

    /* Artificial columns keep the master feasible from the start; their cost
     * only needs to exceed any sensible route's.  The bound (10) holds for
     * any duals, so they never affect validity. */
    double big = 1.0;
    for (uint32_t j = 0; j < n; j++) {
        double c = m->c0[j] + m->ce[j] + fabs(m->route_fixed);
        if (c > big) big = c;
    }
    /* Above every single-customer route (each customer of C has one), so the
     * artificial columns leave every optimal master; small, so that the
     * first duals do not blow the labelling up. */
    big = g->fleet ? 2.0 : 2.0 * big + 1.0;
    for (uint32_t j = 0; j < n && !st; j++) {
        cv__lp_col art = {(uint32_t[]){j}, 1, big, 0};
        st = add_master_col(&ms, &art, big);
    }
    /* Seeds: single-customer routes, then the given columns. */
    for (uint32_t j = 0; j < n && !st; j++) {
        uint32_t s[1] = {j};
        double c;
        if (cv__lp_route_eval(m, s, 1, &c)) {
            cv__lp_col one = {s, 1, g->fleet ? 1.0 : c, 0};
            st = add_master_col(&ms, &one, one.cost);
        }
    }
    for (uint32_t k = 0; k < g->ncols && !st; k++)
        st = add_master_col(&ms, &g->cols[k], g->fleet ? 1.0 : g->cols[k].cost);

    glp_smcp parm;
    glp_init_smcp(&parm);
    parm.msg_lev = GLP_MSG_OFF;
    parm.meth = GLP_PRIMAL;
    parm.presolve = GLP_OFF;
    const uint32_t max_cols = n < 50 ? 50 : n;
    /* GLPK's pricing scans every column: a small master (5n + 500 measured
     * against 10n + 500 and 20n + 2000 on C2) gives many more rounds. */
    const uint32_t purge_limit = 5 * n + 500;
    /* Wentges smoothing: price at a mix of the duals that gave the best bound
     * (the centre) and the master's, which damps the oscillation of the
     * duals; a mispricing (no column negative for the master) moves the mix
     * towards the master's duals until it is priced itself. */
    double alpha = g->alpha;
    bool have_center = false, have_hsep = false;
    double z_mark = 0.0;
    double center_sigma = 0.0;
    const double hbeta = 0.5; /* measured on R2/RC2: 0.5 beat 0 and 0.8 */
    g->lb = 0.0;
    while (!st) {
        if (n == 0) {
            g->converged = true;
            break;
        }
        if (time_up(g) || (g->max_iterations && g->iterations >= g->max_iterations)) break;
        /* Late in the budget, price exactly every round: a bound proven late
         * beats a better master that proves nothing. */
        if ((g->late > 0 && NOW(g) > g->late) || (g->late_effort && *g->effort >= g->late_effort))
            g->heuristic = false;
        if (g->deadline > 0 && !g->cpu) {
            double left = g->deadline - NOW(g);
            parm.tm_lim = left > 2e6 ? 2000000000 : (int)(left * 1000.0) + 1;
        }
        int ret = master_simplex(g, lp, &parm);
        /* After cut rows were added or widened the warm basis can be
         * singular, or the dual simplex can give up (GLP_EFAIL): start again
         * from GLPK's advanced (triangular) basis, then from the standard
         * one, with the primal simplex; the artificial columns keep the
         * master feasible whatever the basis. */
        for (int retry = 0;
             retry < 2 && ret != GLP_ETMLIM && (ret != 0 || glp_get_status(lp) != GLP_OPT);
             retry++) {
            cv_log(2, "lp: master simplex returned %d (status %d): basis reset\n", ret,
                   glp_get_status(lp));
            if (retry == 0)
                glp_adv_basis(lp, 0);
            else
                glp_std_basis(lp);
            parm.meth = GLP_PRIMAL;
            ret = master_simplex(g, lp, &parm);
        }
        parm.meth = GLP_PRIMAL;
        if (ret == GLP_ETMLIM) break;
        if (ret != 0 || glp_get_status(lp) != GLP_OPT) {
            cv_log(1, "lp: master simplex failed (ret %d, status %d)\n", ret, glp_get_status(lp));
            /* With cuts in the master, numerical trouble ends the column
             * generation, not the call: every bound proven so far is (10'). */
            if (!g->cuts || g->cuts->count == 0) st = CV_EINTERNAL;
            break;
        }
        const uint32_t ncuts = g->cuts ? g->cuts->count : 0;
        const size_t nd = (size_t)n + ncuts; /* duals in use */
        double sigma = 0.0;
        const double z = glp_get_obj_val(lp);
        for (uint32_t j = 0; j < n; j++) pi[j] = glp_get_row_dual(lp, (int)j + 1);
        /* A <= row of a minimisation has a dual <= 0; clamp GLPK's rounding
         * noise, as the bound (10') needs beta <= 0. */
        for (uint32_t q = 0; q < ncuts; q++)
            pi[n + q] = fmin(0.0, glp_get_row_dual(lp, ms.cut_row0 + (int)q));
        if (!g->fleet) sigma = fmin(0.0, glp_get_row_dual(lp, (int)n + 1));
        g->iterations++;
        purge_columns(&ms, purge_limit);
        /* A stalled heuristic (the master gained under 0.1 % in 50 rounds)
         * moves to its next level, and from the last to the exact labelling. */
        if (g->heuristic && g->iterations % 50 == 0) {
            if (z_mark > 0 && z_mark - z < 1e-3 * fabs(z_mark)) {
                if (g->heur_level + 1 < HEUR_LEVELS)
                    g->heur_level++;
                else
                    g->heuristic = false;
            }
            z_mark = z;
        }

        bool added = false, done = false;
        if (g->heuristic) {
            /* The cheap labelling first, at smoothed duals (an average of the
             * previous heuristic point and the master's), then at the master's
             * own when that misprices; only columns negative for the master
             * enter it. */
            for (uint32_t lev = g->heur_level; lev < HEUR_LEVELS && !added && !st; lev++)
                for (int pass = 0; pass < 2 && !added && !st; pass++) {
                    const double b = pass == 0 && have_hsep ? hbeta : 0.0;
                    for (size_t j = 0; j < nd; j++) hsep[j] = b * hsep[j] + (1 - b) * pi[j];
                    have_hsep = true;
                    cv__lp_col *cols = NULL;
                    uint32_t ncols = 0;
                    double mm;
                    bool complete;
                    cv__lp_price_mode heur = {g->exact.ng, true,  true,          g->fleet,
                                              g->cpu,      false, heur_caps[lev]};
                    st = cv__lp_price(g->pr, hsep, g->cuts, hsep + n, sigma, heur, max_cols,
                                      g->effort, g->effort_cap, g->deadline, MAX_LABELS, &cols,
                                      &ncols, &mm, &complete);
                    uint32_t nadd = 0;
                    for (uint32_t c = 0; c < ncols; c++) {
                        const double cost = g->fleet ? 1.0 : cols[c].cost;
                        if (!st &&
                            route_rc(&ms, &cols[c], cost, pi, sigma) < -1e-7 * (1.0 + fabs(z))) {
                            nadd++;
                            st = add_master_col(&ms, &cols[c], cost);
                            if (!st && !g->fleet && !(st = keep_col(g, &cols[c]))) continue;
                        }
                        free(cols[c].seq);
                    }
                    free(cols);
                    added = nadd > 0;
                    cv_log(2, "lp: it %u z %.2f heuristic L%u b %.2f cols %u/%u t %.2f\n",
                           g->iterations, z, lev, b, nadd, ncols, NOW(g));
                    if (b == 0.0) break;
                }
        }
        for (uint32_t k = 0; !added && !done && !st; k++) {
            const double a = have_center ? fmax(0.0, 1.0 - (double)(k + 1) * (1.0 - alpha)) : 0.0;
            /* The dual objective of the point: sum pi_j + sum beta_q (rhs 1). */
            double sum_sep = 0.0;
            for (size_t j = 0; j < nd; j++) sum_sep += sep[j] = a * center[j] + (1 - a) * pi[j];
            const double sigma_sep = a * center_sigma + (1 - a) * sigma;
            cv__lp_col *cols = NULL;
            uint32_t ncols = 0;
            double mm;
            bool complete;
            double call_deadline = g->deadline;
            uint64_t call_cap = g->effort_cap;
            if (!have_center && g->call_s > 0) {
                const double d = NOW(g) + g->call_s;
                if (call_deadline <= 0 || d < call_deadline) call_deadline = d;
            }
            if (!have_center && g->call_effort) {
                const uint64_t e = *g->effort + g->call_effort;
                if (!call_cap || e < call_cap) call_cap = e;
            }
            st =
                cv__lp_price(g->pr, sep, g->cuts, sep + n, sigma_sep, g->exact, max_cols, g->effort,
                             call_cap, call_deadline, MAX_LABELS, &cols, &ncols, &mm, &complete);
            if (st) break;
            if (g->auto_alpha && k == 0 && a > 0 && complete && ncols > 0) {
                /* Automatic smoothing (Pessoa, Sadykov, Uchoa & Vanderbeck
                 * 2018): g, a subgradient of the Lagrangian function (10') at
                 * the separation point (1 - K a_jr of its best route r), tells
                 * whether moving from the centre towards the master's duals
                 * still climbs: if so (g . (pi - centre) > 0) smooth less,
                 * else more.  Only the step changes; every bound stays (10'). */
                const cv__lp_col *r = &cols[0];
                double dot = 0.0;
                for (size_t j = 0; j < nd; j++) dot += pi[j] - center[j];
                for (uint32_t q = 0; q < r->len; q++)
                    dot -= K * (pi[r->seq[q]] - center[r->seq[q]]);
                for (uint32_t q = 0; q < ncuts; q++) {
                    const double d = pi[n + q] - center[n + q];
                    if (d != 0.0)
                        dot -= K * d * (double)cv__lp_cut_coef(g->cuts, q, r->seq, r->len);
                }
                alpha = dot > 0 ? fmax(0.0, alpha - 0.1) : fmin(0.95, alpha + 0.1 * (1.0 - alpha));
            }
            cv_log(
                2,
                "lp: it %u z %.2f a %.2f ng %u cuts %u complete %d m %.3f cols %u lb %.2f t %.2f\n",
                g->iterations, z, a, g->exact.ng, ncuts, complete, mm, ncols, g->lb, NOW(g));
            if (complete) {
                /* (10'), the Lagrangian bound with cuts, valid for any pi and
                 * any beta <= 0 (see cv/lp.h); for the fleet LP also Farley's. */
                double lb = sum_sep + K * fmin(0.0, mm);
                if (g->fleet && mm < 0 && sum_sep > 0) lb = fmax(lb, sum_sep / (1.0 - mm));
                /* (10c): the duals scaled down until no route prices out. */
                if (!g->fleet && mm < 0 && g->cmin > 0 && sum_sep > 0)
                    lb = fmax(lb, sum_sep * g->cmin / (g->cmin - mm));
                if (lb > g->lb || !have_center) {
                    if (lb > g->lb) g->lb = lb;
                    memcpy(center, sep, nd * sizeof *center);
                    center_sigma = sigma_sep;
                    have_center = true;
                }
            } else if (time_up(g)) {
                done = true;
            } else {
                /* Out of label memory (ng halved) or over the per-call cap
                 * before any bound (ng quartered): coarsen the relaxation. */
                const bool capped = pr_capped(g, call_deadline, call_cap);
                g->coarsened = true;
                if (capped && g->exact.ng == 1 && !g->exact.loads) {
                    /* Nothing coarser left: labellings run uncapped. */
                    g->call_s = 0;
                    g->call_effort = 0;
                } else if (g->exact.ng > 1)
                    g->exact.ng =
                        g->exact.ng / (capped ? 4 : 2) ? g->exact.ng / (capped ? 4 : 2) : 1;
                else if (g->exact.loads)
                    g->exact.loads = false;
                else
                    done = true;
                cv_log(1, "lp: %s; pricing relaxed to ng %u%s\n",
                       capped ? "labelling over its per-call budget" : "label memory exhausted",
                       g->exact.ng, g->exact.loads ? "" : " without capacity");
            }
            /* Keep the columns that are negative for the master's duals. */
            for (uint32_t c = 0; c < ncols; c++) {
                const double cost = g->fleet ? 1.0 : cols[c].cost;
                /* The labelling and the master count cut coefficients alike. */
                assert(fabs(route_rc(&ms, &cols[c], cost, sep, sigma_sep) - cols[c].rc) <=
                       1e-6 * (1.0 + fabs(cost)));
                if (!st && route_rc(&ms, &cols[c], cost, pi, sigma) < -1e-7 * (1.0 + fabs(z))) {
                    added = true;
                    st = add_master_col(&ms, &cols[c], cost);
                    /* The cost LP keeps its routes (seeds of the fleet LP). */
                    if (!st && !g->fleet && !(st = keep_col(g, &cols[c]))) continue;
                }
                free(cols[c].seq);
            }
            free(cols);
            if (!added && a == 0.0 && complete) {
                /* The master (with its cuts) is optimal for the relaxation:
                 * separate subset-row cuts on its solution, or stop. */
                g->converged = true;
                done = true;
                if (g->cuts && g->cuts->count < g->cuts->max && !time_up(g) && !st) {
                    const uint32_t nch = separate_cuts(g, &ms, &st);
                    cv_log(2, "lp: z %.2f: %u cuts added or widened, %u in all\n", z, nch,
                           g->cuts->count);
                    if (nch > 0 && !st) {
                        g->converged = false;
                        done = false;
                        added = true; /* re-solve the master */
                        g->cut_rounds++;
                        parm.meth = GLP_DUALP; /* the basis stays dual feasible */
                        z_mark = 0.0;
                    }
                }
            }
        }
        if (done) break;
    }
    free(center);
    free(sep);
    free(hsep);
    if (cv_log_level >= 2) {
        uint32_t cyc = 0;
        for (uint32_t k = 0; k < g->ncols; k++) {
            bool rep = false;
            for (uint32_t a = 0; a < g->cols[k].len && !rep; a++)
                for (uint32_t b = a + 1; b < g->cols[k].len && !rep; b++)
                    rep = g->cols[k].seq[a] == g->cols[k].seq[b];
            cyc += rep;
        }
        cv_log(2, "lp: %u of %u kept columns revisit a customer\n", cyc, g->ncols);
    }
    const int total = glp_get_num_cols(lp);
    g->master_cols = (uint32_t)total - n;
    for (int j = 1; j <= total && (uint32_t)j < ms.cap; j++) free(ms.col[j].seq);
    free(ms.col);
    glp_delete_prob(lp);
    free(pi);
    free(ms.ind);
    free(ms.val);
    return st;
}

static int cmp_double(const void *x, const void *y)
{
    double a = *(const double *)x, b = *(const double *)y;
    return a < b ? -1 : a > b;
}

/* K' of (10a): the most routes a plan costing at most ub can have. */
static uint32_t fleet_from_upper_bound(const cv__lp_model *m, double ub)
{
    const uint32_t n = m->n;
    double *diff = cv_calloc(n + 1, sizeof *diff), *end = cv_calloc(n + 1, sizeof *end);
    if (!diff || !end) {
        free(diff);
        free(end);
        return m->fleet;
    }
    double base = 0.0;
    for (uint32_t j = 0; j < n; j++) {
        /* Cheapest arc into j from a customer that some route can use. */
        double a = INFINITY;
        for (uint32_t i = 0; i < n; i++) {
            if (i == j) continue;
            int64_t tj = m->a[i] + m->t[(size_t)i * n + j];
            if (tj < m->a[j]) tj = m->a[j];
            if (tj > m->b[j]) continue;
            if (m->c[(size_t)i * n + j] < a) a = m->c[(size_t)i * n + j];
        }
        if (!isfinite(a)) a = m->c0[j]; /* j always starts its route */
        base += a;
        diff[j] = m->c0[j] - a;
        end[j] = m->ce[j];
    }
    qsort(diff, n, sizeof *diff, cmp_double);
    qsort(end, n, sizeof *end, cmp_double);
    /* Rounding slack: LB_k must exceed ub clearly before k is ruled out. */
    const double slack = 1e-6 * (1.0 + fabs(ub));
    uint32_t kmax = 0;
    double lb = base;
    for (uint32_t k = 1; k <= m->fleet; k++) {
        lb += m->route_fixed + diff[k - 1] + end[k - 1];
        if (lb <= ub + slack) kmax = k;
    }
    free(diff);
    free(end);
    return kmax ? kmax : 1;
}

/* K' of (10b): the largest k for which the assignment relaxation admits k
 * routes at cost <= ub (an LP over arcs; see cv/lp.h).  *k is left alone
 * when the LP is not solved to optimality. */
typedef struct ap_fleet {
    const cv__lp_model *m;
    double ub, time_limit_s;
    uint32_t k;
} ap_fleet;

static cv_status run_ap_fleet(void *ctx)
{
    ap_fleet *a = ctx;
    const cv__lp_model *m = a->m;
    const int n = (int)m->n;
    /* Arcs i -> j that a route can use (time windows). */
    size_t narcs = 0;
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++) {
            if (i == j) continue;
            int64_t tj = m->a[i] + m->t[(size_t)i * n + j];
            narcs += (tj < m->a[j] ? m->a[j] : tj) <= m->b[j];
        }
    const size_t nnz = 3 * narcs + 6 * (size_t)n + 3;
    if (narcs > (size_t)INT32_MAX / 4) return CV_OK;
    int *ia = cv_calloc(nnz + 1, sizeof *ia), *ja = cv_calloc(nnz + 1, sizeof *ja);
    double *ar = cv_calloc(nnz + 1, sizeof *ar);
    if (!ia || !ja || !ar) {
        free(ia);
        free(ja);
        free(ar);
        return CV_ENOMEM;
    }
    glp_prob *lp = glp_create_prob();
    glp_set_obj_dir(lp, GLP_MAX);
    const int r_dep = 2 * n + 1, r_end = 2 * n + 2, r_cost = 2 * n + 3;
    glp_add_rows(lp, 2 * n + 3);
    for (int r = 1; r <= 2 * n; r++) glp_set_row_bnds(lp, r, GLP_FX, 1.0, 1.0);
    glp_set_row_bnds(lp, r_dep, GLP_FX, 0.0, 0.0);
    glp_set_row_bnds(lp, r_end, GLP_FX, 0.0, 0.0);
    /* A little slack on ub: a larger K' is always safe. */
    glp_set_row_bnds(lp, r_cost, GLP_UP, 0.0, a->ub + 1e-6 * (1.0 + fabs(a->ub)));
    glp_add_cols(lp, 1 + 2 * n + (int)narcs);
    size_t q = 0;
#define PUT(row, col, val) (q++, ia[q] = (row), ja[q] = (col), ar[q] = (val))
    /* k: routes; y_j: depot -> j; z_i: i -> end; x_ij. */
    glp_set_col_bnds(lp, 1, GLP_DB, 0.0, (double)m->fleet);
    glp_set_obj_coef(lp, 1, 1.0);
    PUT(r_dep, 1, -1.0);
    PUT(r_end, 1, -1.0);
    PUT(r_cost, 1, m->route_fixed);
    for (int j = 0; j < n; j++) {
        const int y = 2 + j, z = 2 + n + j;
        glp_set_col_bnds(lp, y, GLP_LO, 0.0, 0.0);
        glp_set_col_bnds(lp, z, GLP_LO, 0.0, 0.0);
        PUT(j + 1, y, 1.0);
        PUT(r_dep, y, 1.0);
        PUT(r_cost, y, m->c0[j]);
        PUT(n + j + 1, z, 1.0);
        PUT(r_end, z, 1.0);
        PUT(r_cost, z, m->ce[j]);
    }
    int col = 2 + 2 * n;
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++) {
            if (i == j) continue;
            int64_t tj = m->a[i] + m->t[(size_t)i * n + j];
            if ((tj < m->a[j] ? m->a[j] : tj) > m->b[j]) continue;
            glp_set_col_bnds(lp, col, GLP_LO, 0.0, 0.0);
            PUT(j + 1, col, 1.0);
            PUT(n + i + 1, col, 1.0);
            PUT(r_cost, col, m->c[(size_t)i * n + j]);
            col++;
        }
#undef PUT
    glp_load_matrix(lp, (int)q, ia, ja, ar);
    free(ia);
    free(ja);
    free(ar);
    glp_smcp sm;
    glp_init_smcp(&sm);
    sm.msg_lev = GLP_MSG_OFF;
    sm.presolve = GLP_ON;
    if (a->time_limit_s > 0) sm.tm_lim = (int)(a->time_limit_s * 1000) + 1;
    if (glp_simplex(lp, &sm) == 0 && glp_get_status(lp) == GLP_OPT) {
        double k = floor(glp_get_obj_val(lp) + 1e-6);
        if (k < a->k) a->k = k < 1 ? 1 : (uint32_t)k;
    }
    glp_delete_prob(lp);
    return CV_OK;
}

static void free_cols(cg *g)
{
    for (uint32_t k = 0; k < g->ncols; k++) free(g->cols[k].seq);
    free(g->cols);
    g->cols = NULL;
    g->ncols = g->capcols = 0;
}

cv_status cv_lp_bound(const cv_problem *p, const cv_lp_bound_config *cfg_in,
                      cv_lp_bound_result *out, cv_diag *diag)
{
    cv_lp_bound_config cfg;
    if (cfg_in)
        cfg = *cfg_in;
    else
        cv_lp_bound_config_init(&cfg);
    if (cfg.ng_size < 1 || cfg.ng_size > 32)
        return cv_diag_set(diag, "lower bound: ng_size %u is outside 1..32", cfg.ng_size);
    if (!(cfg.smoothing >= 0 && cfg.smoothing < 1))
        return cv_diag_set(diag, "lower bound: smoothing %g is outside [0, 1)", cfg.smoothing);
    if (cfg.max_cuts > CV__LP_MAX_CUTS)
        return cv_diag_set(diag, "lower bound: max_cuts %u is above %u", cfg.max_cuts,
                           CV__LP_MAX_CUTS);
    if (!(cfg.upper_bound >= 0) || !isfinite(cfg.upper_bound))
        return cv_diag_set(diag, "lower bound: upper_bound %g is not a finite value >= 0",
                           cfg.upper_bound);
    const bool cpu = cfg.cpu_time;
    const double t0 = cv__lp_clock(cpu);
    cv__lp_model m;
    cv_status st = cv__lp_model_build(&m, p, diag);
    if (st) return st;
    if (cfg.upper_bound > 0 && m.n == p->ntasks && m.n > 0) {
        uint32_t k = fleet_from_upper_bound(&m, cfg.upper_bound);
        ap_fleet af = {&m, cfg.upper_bound, cfg.time_limit_s > 0 ? 0.1 * cfg.time_limit_s : 0, k};
        if ((st = cv__lp_glpk_run(run_ap_fleet, &af))) {
            cv__lp_model_fini(&m);
            return st;
        }
        cv_log(1, "lp: upper bound %.1f: at most %u (10a), %u (10b) of %u routes\n",
               cfg.upper_bound, k, af.k, m.fleet);
        if (af.k < m.fleet) m.fleet = af.k;
    }
    cv__lp_pricer *pr = NULL;
    if ((st = cv__lp_pricer_create(&pr, &m, cfg.ng_size))) {
        cv__lp_model_fini(&m);
        return st;
    }
    cv__lp_cuts cuts;
    if ((st = cv__lp_cuts_init(&cuts, m.n, cfg.max_cuts))) {
        cv__lp_pricer_destroy(pr);
        cv__lp_model_fini(&m);
        return st;
    }
    uint64_t effort = 0;
    /* The fleet LP gets the last quarter of the time and of the effort. */
    const double total = cfg.time_limit_s > 0 ? cfg.time_limit_s : 0;
    cg g = {0};
    g.m = &m;
    g.pr = pr;
    g.effort = &effort;
    g.max_iterations = cfg.max_iterations;
    g.exact = (cv__lp_price_mode){cfg.ng_size, true, false, false, cpu, cfg.bidirectional, 0};
    g.cpu = cpu;
    g.alpha = cfg.smoothing;
    g.auto_alpha = cfg.auto_smoothing;
    g.cuts = cfg.max_cuts ? &cuts : NULL;
    /* Every route costs at least fixed + the cheapest first and last arcs
     * (arc costs are >= 0). */
    double c0min = INFINITY, cemin = INFINITY;
    for (uint32_t j = 0; j < m.n; j++) {
        c0min = fmin(c0min, m.c0[j]);
        cemin = fmin(cemin, m.ce[j]);
    }
    g.cmin = m.n ? m.route_fixed + c0min + cemin : 0;
    g.heuristic = true;
    g.deadline = total > 0 ? t0 + (cfg.min_vehicles ? 0.75 : 1.0) * total : 0;
    g.effort_cap =
        cfg.max_effort ? (cfg.min_vehicles ? cfg.max_effort / 4 * 3 : cfg.max_effort) : 0;
    if (g.deadline > 0) g.late = t0 + 0.7 * (g.deadline - t0);
    g.late_effort = g.effort_cap / 10 * 7;
    g.call_s = g.deadline > 0 ? 0.15 * (g.deadline - t0) : 0;
    g.call_effort = g.effort_cap / 100 * 15;
    st = cv__lp_glpk_run(run_cg, &g);

    cv_lp_bound_result r;
    memset(&r, 0, sizeof r);
    if (!st && cfg.min_vehicles) {
        cg f = {0};
        f.m = &m;
        f.pr = pr;
        f.fleet = true;
        f.effort = &effort;
        f.max_iterations = cfg.max_iterations;
        f.exact = (cv__lp_price_mode){cfg.ng_size, true, false, true, cpu, cfg.bidirectional, 0};
        f.cpu = cpu;
        f.alpha = cfg.smoothing;
        f.auto_alpha = cfg.auto_smoothing;
        f.heuristic = true;
        f.deadline = total > 0 ? t0 + total : 0;
        f.effort_cap = cfg.max_effort;
        if (f.deadline > 0) f.late = NOW(&f) + 0.7 * (f.deadline - NOW(&f));
        if (f.effort_cap)
            f.late_effort = effort + (f.effort_cap > effort ? (f.effort_cap - effort) / 10 * 7 : 0);
        f.cols = g.cols; /* the cost LP's routes seed the fleet LP */
        f.ncols = g.ncols;
        f.capcols = g.capcols;
        st = cv__lp_glpk_run(run_cg, &f);
        g.cols = f.cols;
        g.ncols = f.ncols;
        g.capcols = f.capcols;
        if (!st) {
            r.min_vehicles = (uint32_t)ceil(f.lb - 1e-6);
            /* Also the bin-packing bound of each capacity resource: valid at
             * any stage, and often the better one before the LP converges. */
            for (uint32_t q = 0; q < m.nres; q++) {
                double total = 0;
                for (uint32_t j = 0; j < m.n; j++)
                    total += (double)m.dem[(size_t)j * CV__LP_MAX_RES + q];
                if (m.cap[q] > 0) {
                    double need = ceil(total / (double)m.cap[q] - 1e-9);
                    if (need > r.min_vehicles) r.min_vehicles = (uint32_t)need;
                }
            }
            if (m.n > 0 && r.min_vehicles < 1) r.min_vehicles = 1;
            r.min_vehicles_converged = f.converged;
        }
    }
    if (!st) {
        r.lower_bound = m.integral ? ceil(g.lb - 1e-6) : g.lb;
        /* Plan costs are never negative (cv/problem.h). */
        if (!(r.lower_bound > 0)) r.lower_bound = 0.0;
        r.converged = g.converged;
        r.iterations = g.iterations;
        r.columns = g.master_cols;
        r.cuts = cuts.count;
        r.cut_rounds = g.cut_rounds;
        r.customers = m.n;
        r.fleet = m.fleet;
        r.effort = effort;
        r.seconds = cv__lp_clock(cpu) - t0;
        snprintf(r.relaxation, sizeof r.relaxation, "%.230s; ng size %u%s%s", m.relaxation,
                 g.exact.ng, g.exact.loads ? "" : ", capacity dropped (label memory)",
                 cuts.count ? "; with subset-row cuts" : "");
    }
    free_cols(&g);
    cv__lp_cuts_fini(&cuts);
    cv__lp_pricer_destroy(pr);
    if (!st) {
        cv_log(1, "lp: bound %.1f (%s)\n", r.lower_bound, r.relaxation);
        *out = r;
    }
    cv__lp_model_fini(&m);
    return st;
}
