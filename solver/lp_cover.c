/* cv_lp_max_cover and cv_lp_set_cover (cv/lp_cover.h (1)-(7)): the covering
 * MIPs behind service-point siting and caravan stops.  Each builds the model
 * in GLPK once, hands it the greedy solution at the first heuristic callback
 * and lets branch-and-cut run to optimality or the time limit.  The answer is
 * re-evaluated here from the sets (not read from GLPK's objective) and is the
 * better of GLPK's and the greedy one. */
#include "cv/lp_cover.h"
#include "lp_int.h"

#include <glpk.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

void cv_lp_cover_config_init(cv_lp_cover_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->time_limit_s = 10.0;
}

void cv_lp_cover_result_fini(cv_lp_cover_result *r)
{
    if (!r) return;
    free(r->chosen);
    memset(r, 0, sizeof *r);
}

static cv_status validate(const cv_lp_cover_sets *s, cv_diag *diag)
{
    if (s->nsets && (!s->first || (s->first[s->nsets] && !s->items)))
        return cv_diag_set(diag, "cover: set arrays missing");
    if (s->nitems > (uint32_t)INT32_MAX / 2 || s->nsets > (uint32_t)INT32_MAX / 2)
        return cv_diag_set(diag, "cover: too large for GLPK");
    if (s->nsets && s->first[0] != 0)
        return cv_diag_set(diag, "cover: first[0] = %u, expected 0", s->first[0]);
    for (uint32_t j = 0; j < s->nsets; j++) {
        if (s->first[j + 1] < s->first[j])
            return cv_diag_set(diag, "cover: set %u: first decreases", j);
        for (uint32_t k = s->first[j]; k < s->first[j + 1]; k++)
            if (s->items[k] >= s->nitems)
                return cv_diag_set(diag, "cover: set %u: item %u >= nitems %u", j, s->items[k],
                                   s->nitems);
    }
    if (s->weight)
        for (uint32_t i = 0; i < s->nitems; i++)
            if (!(s->weight[i] >= 0) || !isfinite(s->weight[i]))
                return cv_diag_set(diag, "cover: weight[%u] = %g is not a finite value >= 0", i,
                                   s->weight[i]);
    return CV_OK;
}

static double wt(const cv_lp_cover_sets *s, uint32_t i)
{
    return s->weight ? s->weight[i] : 1.0;
}

typedef struct cover {
    const cv_lp_cover_sets *s;
    bool max_cover; /* (1)-(4), else (5)-(7) */
    uint32_t k;
    double time_limit_s;
    uint32_t *row_of; /* [nitems] GLPK row of item i (1-based), 0 if N_i is empty */
    uint32_t nrows;   /* coverable items */
    uint8_t *greedy;  /* [nsets] greedy selection */
    uint8_t *mip;     /* [nsets] GLPK's selection */
    double *xstart;   /* 1-based start vector for glp_ios_heur_sol */
    bool heur_given, have_mip, optimal;
} cover;

/* Greedy: repeatedly the set adding the most uncovered weight (count for set
 * cover), lowest index on ties; stops after k sets (max cover) or when
 * nothing more can be covered. */
static cv_status greedy(cover *c)
{
    const cv_lp_cover_sets *s = c->s;
    uint8_t *cov = cv_calloc(s->nitems + 1, 1);
    if (!cov) return CV_ENOMEM;
    for (uint32_t round = 0; !c->max_cover || round < c->k; round++) {
        double best = 0;
        uint32_t bj = UINT32_MAX;
        for (uint32_t j = 0; j < s->nsets; j++) {
            if (c->greedy[j]) continue;
            double gain = 0;
            for (uint32_t q = s->first[j]; q < s->first[j + 1]; q++)
                if (!cov[s->items[q]]) gain += c->max_cover ? wt(s, s->items[q]) : 1.0;
            if (gain > best) best = gain, bj = j;
        }
        if (bj == UINT32_MAX) break;
        c->greedy[bj] = 1;
        for (uint32_t q = s->first[bj]; q < s->first[bj + 1]; q++) cov[s->items[q]] = 1;
    }
    free(cov);
    return CV_OK;
}

static void on_tree(glp_tree *T, void *info)
{
    cover *c = info;
    if (glp_ios_reason(T) == GLP_IHEUR && !c->heur_given) {
        c->heur_given = true;
        glp_ios_heur_sol(T, c->xstart);
    }
}

static cv_status run_mip(void *ctx)
{
    cover *c = ctx;
    const cv_lp_cover_sets *s = c->s;
    const int n = (int)s->nsets, m = (int)c->nrows;
    const int ncols = n + (c->max_cover ? m : 0);
    /* item -> its sets (CSR), to write one row per item */
    uint32_t *ifirst = cv_calloc(s->nitems + 2, sizeof *ifirst);
    uint32_t total = s->nsets ? s->first[s->nsets] : 0;
    int *ind = cv_calloc((size_t)n + 2, sizeof *ind);
    double *val = cv_calloc((size_t)n + 2, sizeof *val);
    uint32_t *isets = cv_calloc((size_t)total + 1, sizeof *isets);
    cv_status st = CV_ENOMEM;
    if (!ifirst || !ind || !val || !isets) goto done;
    for (uint32_t q = 0; q < total; q++) ifirst[s->items[q] + 2]++;
    for (uint32_t i = 0; i < s->nitems; i++) ifirst[i + 2] += ifirst[i + 1];
    for (uint32_t j = 0; j < s->nsets; j++)
        for (uint32_t q = s->first[j]; q < s->first[j + 1]; q++)
            isets[ifirst[s->items[q] + 1]++] = j;
    glp_prob *lp = glp_create_prob();
    glp_set_obj_dir(lp, c->max_cover ? GLP_MAX : GLP_MIN);
    glp_add_rows(lp, m + (c->max_cover ? 1 : 0));
    glp_add_cols(lp, ncols);
    for (int j = 1; j <= n; j++) {
        glp_set_col_kind(lp, j, GLP_BV);
        glp_set_obj_coef(lp, j, c->max_cover ? 0.0 : 1.0);
    }
    for (uint32_t i = 0; i < s->nitems; i++) {
        int row = (int)c->row_of[i];
        if (!row) continue;
        int len = 0;
        double sign = c->max_cover ? -1.0 : 1.0;
        /* a set may list an item twice: one coefficient per set */
        for (uint32_t q = ifirst[i]; q < ifirst[i + 1]; q++)
            if (!len || ind[len] != (int)isets[q] + 1)
                ind[++len] = (int)isets[q] + 1, val[len] = sign;
        if (c->max_cover) {
            int y = n + row;
            glp_set_col_bnds(lp, y, GLP_DB, 0.0, 1.0);
            glp_set_obj_coef(lp, y, wt(s, i));
            ind[++len] = y, val[len] = 1.0;
            glp_set_row_bnds(lp, row, GLP_UP, 0.0, 0.0); /* (2) */
        } else {
            glp_set_row_bnds(lp, row, GLP_LO, 1.0, 0.0); /* (6) */
        }
        glp_set_mat_row(lp, row, len, ind, val);
    }
    if (c->max_cover) { /* (3) */
        for (int j = 1; j <= n; j++) ind[j] = j, val[j] = 1.0;
        glp_set_row_bnds(lp, m + 1, GLP_UP, 0.0, (double)c->k);
        glp_set_mat_row(lp, m + 1, n, ind, val);
    }
    /* the LP relaxation first (not GLPK's MIP presolver: it renumbers the
     * columns, and the greedy start is given in ours) */
    glp_smcp sm;
    glp_init_smcp(&sm);
    sm.msg_lev = GLP_MSG_OFF;
    if (glp_simplex(lp, &sm) != 0 || glp_get_status(lp) != GLP_OPT) {
        glp_delete_prob(lp);
        st = CV_OK; /* no proof: greedy stands */
        goto done;
    }
    glp_iocp io;
    glp_init_iocp(&io);
    io.msg_lev = GLP_MSG_OFF;
    io.cb_func = on_tree;
    io.cb_info = c;
    if (c->time_limit_s > 0)
        io.tm_lim = c->time_limit_s > 2e6 ? INT32_MAX : (int)(c->time_limit_s * 1000);
    int ret = glp_intopt(lp, &io);
    int ms = glp_mip_status(lp);
    if ((ret == 0 || ret == GLP_ETMLIM) && (ms == GLP_OPT || ms == GLP_FEAS)) {
        c->have_mip = true;
        c->optimal = ret == 0 && ms == GLP_OPT;
        for (int j = 1; j <= n; j++) c->mip[j - 1] = glp_mip_col_val(lp, j) > 0.5;
    }
    glp_delete_prob(lp);
    st = CV_OK;
done:
    free(ifirst);
    free(ind);
    free(val);
    free(isets);
    return st;
}

/* Evaluates a selection from the sets themselves. */
static void evaluate(const cv_lp_cover_sets *s, const uint8_t *sel, uint8_t *cov, uint32_t *nsel,
                     uint32_t *ncov, double *w)
{
    memset(cov, 0, s->nitems + 1);
    *nsel = 0, *ncov = 0, *w = 0;
    for (uint32_t j = 0; j < s->nsets; j++) {
        if (!sel[j]) continue;
        (*nsel)++;
        for (uint32_t q = s->first[j]; q < s->first[j + 1]; q++) cov[s->items[q]] = 1;
    }
    for (uint32_t i = 0; i < s->nitems; i++)
        if (cov[i]) (*ncov)++, *w += wt(s, i);
}

static cv_status solve(const cv_lp_cover_sets *s, bool max_cover, uint32_t k,
                       const cv_lp_cover_config *cfg, cv_lp_cover_result *out, cv_diag *diag)
{
    cv_status st = validate(s, diag);
    if (st) return st;
    cover c;
    memset(&c, 0, sizeof c);
    c.s = s, c.max_cover = max_cover, c.k = k;
    c.time_limit_s = cfg ? cfg->time_limit_s : 10.0;
    c.row_of = cv_calloc(s->nitems + 1, sizeof *c.row_of);
    c.greedy = cv_calloc(s->nsets + 1, 1);
    c.mip = cv_calloc(s->nsets + 1, 1);
    uint8_t *cov = cv_calloc(s->nitems + 1, 1);
    uint32_t *chosen = NULL;
    st = CV_ENOMEM;
    if (!c.row_of || !c.greedy || !c.mip || !cov) goto done;
    for (uint32_t j = 0; j < s->nsets; j++)
        for (uint32_t q = s->first[j]; q < s->first[j + 1]; q++) c.row_of[s->items[q]] = 1;
    uint32_t nuncov = 0;
    for (uint32_t i = 0; i < s->nitems; i++) c.row_of[i] = c.row_of[i] ? ++c.nrows : (nuncov++, 0);
    if ((st = greedy(&c)) != CV_OK) goto done;
    bool trivial = s->nsets == 0 || c.nrows == 0 || (max_cover && k == 0);
    if (!trivial) {
        /* the greedy start for GLPK: x from greedy, y_i = 1 where covered */
        uint32_t nsel, ncov;
        double w;
        evaluate(s, c.greedy, cov, &nsel, &ncov, &w);
        c.xstart = cv_calloc((size_t)s->nsets + c.nrows + 1, sizeof *c.xstart);
        if (!c.xstart) goto done;
        for (uint32_t j = 0; j < s->nsets; j++) c.xstart[j + 1] = c.greedy[j];
        if (max_cover)
            for (uint32_t i = 0; i < s->nitems; i++)
                if (c.row_of[i]) c.xstart[s->nsets + c.row_of[i]] = cov[i];
        if ((st = cv__lp_glpk_run(run_mip, &c)) != CV_OK) goto done;
    }
    /* the better of GLPK's selection and greedy's */
    uint32_t gs, gc, ms = 0, mc = 0;
    double gw, mw = 0;
    evaluate(s, c.greedy, cov, &gs, &gc, &gw);
    bool use_mip = false;
    if (c.have_mip) {
        evaluate(s, c.mip, cov, &ms, &mc, &mw);
        if (max_cover)
            use_mip = ms <= k && (mw > gw || (mw == gw && ms < gs));
        else
            use_mip = mc == c.nrows && ms < gs;
    }
    const uint8_t *sel = use_mip ? c.mip : c.greedy;
    uint32_t nsel, ncov;
    double w;
    evaluate(s, sel, cov, &nsel, &ncov, &w);
    chosen = cv_calloc(nsel + 1, sizeof *chosen);
    if (!chosen) {
        st = CV_ENOMEM;
        goto done;
    }
    memset(out, 0, sizeof *out);
    for (uint32_t j = 0; j < s->nsets; j++)
        if (sel[j]) chosen[out->nchosen++] = j;
    out->chosen = chosen;
    chosen = NULL;
    out->ncovered = ncov;
    out->covered_weight = w;
    out->nuncoverable = nuncov;
    /* an empty model is trivially optimal; else GLPK's proof, which also
     * covers greedy when greedy was as good */
    out->optimal = trivial || (c.optimal && (use_mip || (max_cover ? gw >= mw : gs <= ms)));
    out->greedy = !use_mip;
    st = CV_OK;
done:
    free(c.row_of);
    free(c.greedy);
    free(c.mip);
    free(c.xstart);
    free(cov);
    free(chosen);
    return st;
}

cv_status cv_lp_max_cover(const cv_lp_cover_sets *s, uint32_t k, const cv_lp_cover_config *cfg,
                          cv_lp_cover_result *out, cv_diag *diag)
{
    return solve(s, true, k, cfg, out, diag);
}

cv_status cv_lp_set_cover(const cv_lp_cover_sets *s, const cv_lp_cover_config *cfg,
                          cv_lp_cover_result *out, cv_diag *diag)
{
    return solve(s, false, 0, cfg, out, diag);
}
