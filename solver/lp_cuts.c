/* Limited-memory subset-row cuts on three customers for cv_lp_bound
 * (Jepsen, Petersen, Spoorendonk & Pisinger 2008; limited memory as in
 * Pecin, Pessoa, Poggi & Uchoa 2017).  No GLPK here: the coefficients of a
 * route, the separation on a fractional master solution, the memory sets.
 *
 * A cut (T, M), T = {i, j, k} a subset of its memory M, reads
 *      sum_r alpha_r x_r <= 1,
 * where alpha_r is counted along the route by a state s in {0, 1}: at a
 * customer v outside M, s = 0 (forgotten); at v in T, s += 1, and when s
 * reaches 2 it is reset to 0 and alpha_r grows by 1.  With M = all customers
 * alpha_r = floor(visits of T / 2), Jepsen et al.'s 1/2-SRC; a smaller M
 * only lowers alpha_r.  Validity: an integer solution visits each customer
 * once, so its routes visit T three times in all and at most one route can
 * see two of them: sum_r floor(|r n T| / 2) x_r <= 1, and a coefficient at
 * most that one keeps the inequality.  Non-elementary ng-routes never occur
 * in an integer solution, so any coefficient is valid for them; the pricing
 * (lp_pricing.c) counts exactly this recurrence, so master and pricing
 * agree on every route. */
#include "lp_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void cv__lp_cuts_fini(cv__lp_cuts *k)
{
    free(k->tri);
    free(k->mem);
    memset(k, 0, sizeof *k);
}

cv_status cv__lp_cuts_init(cv__lp_cuts *k, uint32_t n, uint32_t max_cuts)
{
    memset(k, 0, sizeof *k);
    if (max_cuts > CV__LP_MAX_CUTS) max_cuts = CV__LP_MAX_CUTS;
    k->n = n;
    k->max = max_cuts;
    if (max_cuts == 0) return CV_OK;
    k->tri = cv_calloc(max_cuts, sizeof *k->tri);
    k->mem = cv_calloc((size_t)max_cuts * (n ? n : 1), 1);
    if (!k->tri || !k->mem) {
        cv__lp_cuts_fini(k);
        return CV_ENOMEM;
    }
    return CV_OK;
}

uint32_t cv__lp_cut_coef(const cv__lp_cuts *k, uint32_t c, const uint32_t *seq, uint32_t len)
{
    const uint8_t *mem = k->mem + (size_t)c * k->n;
    const uint32_t *t = k->tri[c];
    uint32_t s = 0, coef = 0;
    for (uint32_t q = 0; q < len; q++) {
        const uint32_t v = seq[q];
        if (!mem[v]) {
            s = 0;
        } else if (v == t[0] || v == t[1] || v == t[2]) {
            if (++s == 2) {
                coef++;
                s = 0;
            }
        }
    }
    return coef;
}

/* Adds to the memory of T, for route seq, the customers between the visits
 * that the full-memory count pairs (first with second, third with fourth...),
 * so that the route keeps its full coefficient (Pecin et al.'s node memory). */
static void widen_memory(uint8_t *mem, const uint32_t t[3], const uint32_t *seq, uint32_t len)
{
    int64_t open = -1;
    for (uint32_t q = 0; q < len; q++) {
        const uint32_t v = seq[q];
        if (v != t[0] && v != t[1] && v != t[2]) continue;
        if (open < 0) {
            open = q;
        } else {
            for (uint32_t p = (uint32_t)open + 1; p < q; p++) mem[seq[p]] = 1;
            open = -1;
        }
    }
}

typedef struct viol {
    double v;
    uint32_t t[3];
} viol;

static int cmp_viol(const void *x, const void *y)
{
    const viol *a = x, *b = y;
    if (a->v != b->v) return a->v > b->v ? -1 : 1;
    return memcmp(a->t, b->t, sizeof a->t);
}

cv_status cv__lp_cuts_separate(cv__lp_cuts *k, const cv__lp_col *cols, const double *x,
                               uint32_t ncols, uint32_t max_new, double min_viol, uint32_t *changed,
                               uint32_t *nchanged)
{
    *nchanged = 0;
    const uint32_t n = k->n;
    if (k->max == 0 || n < 3 || max_new == 0) return CV_OK;
    /* Support of x, with each route's visit counts (capped at 3: enough
     * for floor(./2) over three customers to stay exact up to 1.5 each). */
    uint32_t *sup = cv_calloc(ncols + 1, sizeof *sup), ns = 0;
    double *w = cv_calloc((size_t)n * n, sizeof *w);
    uint8_t *cnt = NULL;
    viol *cand = NULL;
    size_t ncand = 0, capcand = 0;
    cv_status st = CV_OK;
    if (!sup || !w) goto nomem;
    for (uint32_t r = 0; r < ncols; r++)
        if (x[r] > 1e-6 && cols[r].len >= 2) sup[ns++] = r;
    cnt = cv_calloc((size_t)ns * n + 1, 1);
    if (!cnt) goto nomem;
    for (uint32_t s = 0; s < ns; s++) {
        const cv__lp_col *c = &cols[sup[s]];
        uint8_t *cr = cnt + (size_t)s * n;
        for (uint32_t q = 0; q < c->len; q++)
            if (cr[c->seq[q]] < 3) cr[c->seq[q]]++;
        /* Pair weights: x of the routes that visit both (a repeat counts as
         * a pair with itself). */
        for (uint32_t q = 0; q < c->len; q++) {
            const uint32_t i = c->seq[q];
            for (uint32_t p = q + 1; p < c->len; p++) {
                const uint32_t j = c->seq[p];
                w[(size_t)i * n + j] += x[sup[s]];
                if (i != j) w[(size_t)j * n + i] += x[sup[s]];
            }
        }
    }
    /* Every triple with two positive pair weights (a violated cut needs two
     * routes that each see two of its customers). */
    for (uint32_t i = 0; i < n; i++)
        for (uint32_t j = i + 1; j < n; j++) {
            const bool ij = w[(size_t)i * n + j] > 1e-9;
            for (uint32_t l = j + 1; l < n; l++) {
                const int pos = ij + (w[(size_t)i * n + l] > 1e-9) + (w[(size_t)j * n + l] > 1e-9);
                if (pos < 2) continue;
                double lhs = 0.0;
                for (uint32_t s = 0; s < ns; s++) {
                    const uint8_t *cr = cnt + (size_t)s * n;
                    const uint32_t v = (uint32_t)cr[i] + cr[j] + cr[l];
                    if (v >= 2) lhs += (double)(v / 2) * x[sup[s]];
                }
                if (lhs < 1.0 + min_viol) continue;
                if (ncand == capcand) {
                    size_t cap = capcand ? 2 * capcand : 256;
                    viol *a = cv_realloc_array(cand, cap, sizeof *a);
                    if (!a) goto nomem;
                    cand = a;
                    capcand = cap;
                }
                cand[ncand++] = (viol){lhs - 1.0, {i, j, l}};
            }
        }
    if (ncand) qsort(cand, ncand, sizeof *cand, cmp_viol);
    /* The most violated first; a triple already cut (violated only because
     * its memory is too small) gets its memory widened instead. */
    for (size_t q = 0; q < ncand && *nchanged < max_new; q++) {
        uint32_t c = 0;
        while (c < k->count && memcmp(k->tri[c], cand[q].t, sizeof cand[q].t)) c++;
        if (c == k->count) {
            if (k->count == k->max) continue;
            k->count++;
            memcpy(k->tri[c], cand[q].t, sizeof cand[q].t);
            uint8_t *mem = k->mem + (size_t)c * n;
            memset(mem, 0, n);
            for (int e = 0; e < 3; e++) mem[cand[q].t[e]] = 1;
        }
        uint8_t *mem = k->mem + (size_t)c * n;
        for (uint32_t s = 0; s < ns; s++) {
            const uint8_t *cr = cnt + (size_t)s * n;
            if ((uint32_t)cr[cand[q].t[0]] + cr[cand[q].t[1]] + cr[cand[q].t[2]] >= 2)
                widen_memory(mem, cand[q].t, cols[sup[s]].seq, cols[sup[s]].len);
        }
        changed[(*nchanged)++] = c;
    }
    goto done;
nomem:
    st = CV_ENOMEM;
done:
    free(sup);
    free(w);
    free(cnt);
    free(cand);
    return st;
}
