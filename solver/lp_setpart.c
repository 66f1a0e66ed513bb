/* cv_lp_setpart: set partitioning over a pool of routes (cv/lp.h (12)-(15)),
 * the recombination step of the local search.  GLPK's branch-and-cut on the
 * pool, warm-started by handing the caller's incumbent to GLPK as a
 * heuristic solution (glp_ios_heur_sol at the first GLP_IHEUR callback), and
 * limited by a node count (deterministic: the same pool gives the same
 * answer on any machine) and a wall-clock safety limit.  The unassigned columns y_j make every pool
 * feasible; the result is the best of GLPK's solution, the incumbent and the empty selection, so a
 * limit never makes it worse than what came in. */
#include "lp_int.h"

#include <glpk.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

void cv_lp_setpart_config_init(cv_lp_setpart_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->time_limit_s = 10.0;
}

void cv_lp_setpart_result_fini(cv_lp_setpart_result *r)
{
    if (!r) return;
    free(r->routes);
    memset(r, 0, sizeof *r);
}

/* Checks the pool's shape; the message names the offending route or task. */
static cv_status validate(const cv_lp_pool *pl, const cv_lp_setpart_config *cfg, cv_diag *diag)
{
    if (pl->nroutes && (!pl->route_first || !pl->route_tasks || !pl->route_cost || !pl->route_type))
        return cv_diag_set(diag, "pool: route arrays missing");
    if (pl->ntasks && !pl->unassigned_penalty)
        return cv_diag_set(diag, "pool: unassigned_penalty missing");
    if (pl->ntypes && !pl->type_count) return cv_diag_set(diag, "pool: type_count missing");
    if (pl->nroutes > (uint32_t)INT32_MAX / 2 || pl->ntasks > (uint32_t)INT32_MAX / 2 ||
        pl->ntypes > (uint32_t)INT32_MAX / 2)
        return cv_diag_set(diag, "pool: too large for GLPK");
    for (uint32_t j = 0; j < pl->ntasks; j++)
        if (!(pl->unassigned_penalty[j] >= 0) || !isfinite(pl->unassigned_penalty[j]))
            return cv_diag_set(diag, "pool: unassigned_penalty[%u] = %g is not a finite value >= 0",
                               j, pl->unassigned_penalty[j]);
    if (pl->nroutes && pl->route_first[0] != 0)
        return cv_diag_set(diag, "pool: route_first[0] = %u, expected 0", pl->route_first[0]);
    uint32_t *stamp = cv_calloc(pl->ntasks + 1, sizeof *stamp);
    if (!stamp) return CV_ENOMEM;
    cv_status st = CV_OK;
    for (uint32_t r = 0; r < pl->nroutes && !st; r++) {
        if (pl->route_first[r + 1] < pl->route_first[r]) {
            st = cv_diag_set(diag, "pool: route %u: route_first decreases", r);
            break;
        }
        if (!isfinite(pl->route_cost[r])) {
            st = cv_diag_set(diag, "pool: route %u: cost %g is not finite", r, pl->route_cost[r]);
            break;
        }
        if (pl->route_type[r] >= pl->ntypes) {
            st = cv_diag_set(diag, "pool: route %u: type %u >= ntypes %u", r, pl->route_type[r],
                             pl->ntypes);
            break;
        }
        for (uint32_t k = pl->route_first[r]; k < pl->route_first[r + 1]; k++) {
            uint32_t j = pl->route_tasks[k];
            if (j >= pl->ntasks) {
                st = cv_diag_set(diag, "pool: route %u: task %u >= ntasks %u", r, j, pl->ntasks);
                break;
            }
            if (stamp[j] == r + 1) {
                st = cv_diag_set(diag, "pool: route %u: task %u appears twice", r, j);
                break;
            }
            stamp[j] = r + 1;
        }
    }
    if (!st && cfg->nincumbent) {
        /* The incumbent: distinct routes, disjoint, within the type counts. */
        uint32_t *used = cv_calloc(pl->ntypes + 1, sizeof *used);
        memset(stamp, 0, (pl->ntasks + 1) * sizeof *stamp);
        if (!used) st = CV_ENOMEM;
        for (uint32_t k = 0; k < cfg->nincumbent && !st; k++) {
            uint32_t r = cfg->incumbent[k];
            if (r >= pl->nroutes) {
                st = cv_diag_set(diag, "incumbent[%u]: route %u >= nroutes %u", k, r, pl->nroutes);
                break;
            }
            if (++used[pl->route_type[r]] > pl->type_count[pl->route_type[r]]) {
                st = cv_diag_set(diag, "incumbent[%u]: more routes of type %u than its count %u", k,
                                 pl->route_type[r], pl->type_count[pl->route_type[r]]);
                break;
            }
            for (uint32_t q = pl->route_first[r]; q < pl->route_first[r + 1]; q++) {
                uint32_t j = pl->route_tasks[q];
                if (stamp[j]) {
                    st = cv_diag_set(diag, "incumbent[%u]: task %u is also in another route", k, j);
                    break;
                }
                stamp[j] = 1;
            }
        }
        free(used);
    }
    free(stamp);
    return st;
}

typedef struct sp {
    const cv_lp_pool *pl;
    const cv_lp_setpart_config *cfg;
    double *xinc; /* 1-based incumbent vector, or NULL */
    bool heur_given;
    uint8_t *chosen; /* nroutes: GLPK's selection */
    bool have_mip, optimal;
    double lp_bound;
} sp;

static void on_tree(glp_tree *T, void *info)
{
    sp *s = info;
    if (glp_ios_reason(T) == GLP_IHEUR && s->xinc && !s->heur_given) {
        s->heur_given = true;
        glp_ios_heur_sol(T, s->xinc);
    }
    if (s->cfg->max_nodes && glp_ios_reason(T) == GLP_ISELECT) {
        int active, current, total;
        glp_ios_tree_size(T, &active, &current, &total);
        if ((uint32_t)total >= s->cfg->max_nodes) glp_ios_terminate(T);
    }
}

static cv_status run_mip(void *ctx)
{
    sp *s = ctx;
    const cv_lp_pool *pl = s->pl;
    const int nr = (int)pl->nroutes, nt = (int)pl->ntasks, ny = (int)pl->ntypes;
    int *ind = cv_calloc((size_t)nt + 2, sizeof *ind);
    double *val = cv_calloc((size_t)nt + 2, sizeof *val);
    if (!ind || !val) {
        free(ind);
        free(val);
        return CV_ENOMEM;
    }
    glp_prob *lp = glp_create_prob();
    glp_set_obj_dir(lp, GLP_MIN);
    if (nt + ny) glp_add_rows(lp, nt + ny);
    for (int j = 1; j <= nt; j++) glp_set_row_bnds(lp, j, GLP_FX, 1.0, 1.0);
    for (int t = 1; t <= ny; t++)
        glp_set_row_bnds(lp, nt + t, GLP_UP, 0.0, (double)pl->type_count[t - 1]);
    if (nr + nt) glp_add_cols(lp, nr + nt);
    for (int r = 1; r <= nr; r++) {
        int len = 0;
        for (uint32_t k = pl->route_first[r - 1]; k < pl->route_first[r]; k++) {
            ind[++len] = (int)pl->route_tasks[k] + 1;
            val[len] = 1.0;
        }
        ind[++len] = nt + (int)pl->route_type[r - 1] + 1;
        val[len] = 1.0;
        glp_set_mat_col(lp, r, len, ind, val);
        glp_set_col_kind(lp, r, GLP_BV);
        glp_set_obj_coef(lp, r, pl->route_cost[r - 1]);
    }
    for (int j = 1; j <= nt; j++) {
        ind[1] = j;
        val[1] = 1.0;
        glp_set_mat_col(lp, nr + j, 1, ind, val);
        glp_set_col_kind(lp, nr + j, GLP_BV);
        glp_set_obj_coef(lp, nr + j, pl->unassigned_penalty[j - 1]);
    }
    free(ind);
    free(val);

    const double t0 = cv_clock_now(), lim = s->cfg->time_limit_s;
    glp_smcp sm;
    glp_init_smcp(&sm);
    sm.msg_lev = GLP_MSG_OFF;
    if (lim > 0) sm.tm_lim = lim > 2e6 ? 2000000000 : (int)(lim * 1000) + 1;
    s->lp_bound = -INFINITY;
    if (nr + nt == 0 || glp_simplex(lp, &sm) != 0 || glp_get_status(lp) != GLP_OPT) {
        glp_delete_prob(lp);
        return CV_OK; /* no MIP solution: the caller falls back to the incumbent */
    }
    s->lp_bound = glp_get_obj_val(lp);
    glp_iocp io;
    glp_init_iocp(&io);
    io.msg_lev = GLP_MSG_OFF;
    io.presolve = GLP_OFF; /* the heuristic solution is given in the original columns */
    io.cb_func = on_tree;
    io.cb_info = s;
    if (lim > 0) {
        double left = lim - (cv_clock_now() - t0);
        io.tm_lim = left <= 0.001 ? 1 : left > 2e6 ? 2000000000 : (int)(left * 1000) + 1;
    }
    int ret = glp_intopt(lp, &io);
    int ms = glp_mip_status(lp);
    if ((ret == 0 || ret == GLP_ETMLIM || ret == GLP_EMIPGAP || ret == GLP_ESTOP) &&
        (ms == GLP_OPT || ms == GLP_FEAS)) {
        s->have_mip = true;
        s->optimal = ms == GLP_OPT;
        for (int r = 1; r <= nr; r++) s->chosen[r - 1] = glp_mip_col_val(lp, r) > 0.5;
        if (s->optimal) s->lp_bound = glp_mip_obj_val(lp);
    }
    glp_delete_prob(lp);
    return CV_OK;
}

/* Objective (12) of a selection given as flags. */
static double selection_value(const cv_lp_pool *pl, const uint8_t *sel, uint32_t *nunassigned)
{
    uint8_t *cov = cv_calloc(pl->ntasks + 1, 1);
    double v = 0;
    uint32_t nu = 0;
    for (uint32_t r = 0; r < pl->nroutes; r++)
        if (sel[r]) {
            v += pl->route_cost[r];
            for (uint32_t k = pl->route_first[r]; k < pl->route_first[r + 1]; k++)
                if (cov) cov[pl->route_tasks[k]] = 1;
        }
    for (uint32_t j = 0; j < pl->ntasks; j++)
        if (!cov || !cov[j]) {
            v += pl->unassigned_penalty[j];
            nu++;
        }
    free(cov);
    *nunassigned = nu;
    return v;
}

/* A GLPK answer is used only if it really is a partition within the type
 * counts (GLPK's tolerances could in principle round a row off). */
static bool selection_valid(const cv_lp_pool *pl, const uint8_t *sel)
{
    uint32_t *cov = cv_calloc(pl->ntasks + 1, sizeof *cov), *used = cv_calloc(pl->ntypes + 1, 4);
    bool ok = cov && used;
    for (uint32_t r = 0; ok && r < pl->nroutes; r++)
        if (sel[r]) {
            ok &= ++used[pl->route_type[r]] <= pl->type_count[pl->route_type[r]];
            for (uint32_t k = pl->route_first[r]; k < pl->route_first[r + 1]; k++)
                ok &= ++cov[pl->route_tasks[k]] == 1;
        }
    free(cov);
    free(used);
    return ok;
}

cv_status cv_lp_setpart(const cv_lp_pool *pool, const cv_lp_setpart_config *cfg_in,
                        cv_lp_setpart_result *out, cv_diag *diag)
{
    cv_lp_setpart_config cfg;
    if (cfg_in)
        cfg = *cfg_in;
    else
        cv_lp_setpart_config_init(&cfg);
    if (cfg.nincumbent && !cfg.incumbent) return cv_diag_set(diag, "incumbent: array missing");
    cv_status st = validate(pool, &cfg, diag);
    if (st) return st;
    sp s = {pool, &cfg, NULL, false, NULL, false, false, -INFINITY};
    uint8_t *inc = cv_calloc(pool->nroutes + 1, 1);
    s.chosen = cv_calloc(pool->nroutes + 1, 1);
    if (cfg.nincumbent)
        s.xinc = cv_calloc((size_t)pool->nroutes + pool->ntasks + 1, sizeof *s.xinc);
    if (!inc || !s.chosen || (cfg.nincumbent && !s.xinc)) {
        st = CV_ENOMEM;
        goto done;
    }
    for (uint32_t k = 0; k < cfg.nincumbent; k++) inc[cfg.incumbent[k]] = 1;
    if (s.xinc) {
        /* x for the incumbent: its routes, and y_j = 1 for the tasks it leaves out. */
        for (uint32_t j = 0; j < pool->ntasks; j++) s.xinc[pool->nroutes + j + 1] = 1.0;
        for (uint32_t r = 0; r < pool->nroutes; r++)
            if (inc[r]) {
                s.xinc[r + 1] = 1.0;
                for (uint32_t k = pool->route_first[r]; k < pool->route_first[r + 1]; k++)
                    s.xinc[pool->nroutes + pool->route_tasks[k] + 1] = 0.0;
            }
    }
    if ((st = cv__lp_glpk_run(run_mip, &s))) goto done;

    /* The best of GLPK's answer and the incumbent (the empty selection when none). */
    uint32_t nu_inc, nu_mip = 0;
    double v_inc = selection_value(pool, inc, &nu_inc), v_mip = INFINITY;
    if (s.have_mip && selection_valid(pool, s.chosen))
        v_mip = selection_value(pool, s.chosen, &nu_mip);
    const uint8_t *win = v_mip < v_inc ? s.chosen : inc;
    cv_lp_setpart_result r;
    memset(&r, 0, sizeof r);
    r.objective = v_mip < v_inc ? v_mip : v_inc;
    r.nunassigned = v_mip < v_inc ? nu_mip : nu_inc;
    r.optimal = s.optimal && v_mip <= v_inc;
    r.lp_bound = s.lp_bound;
    for (uint32_t q = 0; q < pool->nroutes; q++) r.nroutes += win[q];
    r.routes = cv_calloc(r.nroutes + 1, sizeof *r.routes);
    if (!r.routes) {
        st = CV_ENOMEM;
        goto done;
    }
    r.nroutes = 0;
    for (uint32_t q = 0; q < pool->nroutes; q++)
        if (win[q]) r.routes[r.nroutes++] = q;
    *out = r;
done:
    free(inc);
    free(s.chosen);
    free(s.xinc);
    return st;
}
