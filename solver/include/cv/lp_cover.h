/* carevan covering models (solver/lp_cover.c, GLPK): where to put service
 * points and caravan stops, given which clients each candidate covers.
 *
 * Items i = 0..m-1 (clients, households), candidate sets j = 0..n-1 (sites,
 * stops); S_j is the set of items candidate j covers (e.g. within 15
 * minutes' walk), N_i = { j : i in S_j } the candidates covering item i.
 *
 * ---- Maximal covering location (Church & ReVelle 1974), cv_lp_max_cover ----
 *   (1)  max  sum_i w_i y_i
 *   (2)  s.t. y_i <= sum_{j in N_i} x_j      for every item with N_i non-empty
 *   (3)       sum_j x_j <= k
 *   (4)       x_j in {0, 1},  0 <= y_i <= 1   (y is integral at any optimum of x)
 * Items with N_i empty cannot be covered and are left out of the model.
 *
 * ---- Set cover (fewest caravan stops), cv_lp_set_cover ----
 *   (5)  min  sum_j x_j
 *   (6)  s.t. sum_{j in N_i} x_j >= 1        for every item with N_i non-empty
 *   (7)       x_j in {0, 1}
 * Items with N_i empty are counted in nuncoverable and left out.
 *
 * Both run GLPK's branch-and-cut (after the LP relaxation, terminal silent, errors as
 * CV_EINTERNAL through the one GLPK guard in lp_glpk.c) under a time limit,
 * started from the greedy solution (most newly covered items first); when
 * the limit stops GLPK the best solution found is returned with optimal =
 * false, never something worse than greedy. */
#ifndef CV_LP_COVER_H
#define CV_LP_COVER_H

#include "cv/core.h"

typedef struct cv_lp_cover_sets {
    uint32_t nitems, nsets;
    const uint32_t *first; /* [nsets + 1] offsets into items */
    const uint32_t *items; /* S_j = items[first[j] .. first[j+1]-1], each < nitems */
    const double *weight;  /* [nitems] w_i >= 0 for (1); NULL: all 1 */
} cv_lp_cover_sets;

typedef struct cv_lp_cover_config {
    double time_limit_s; /* GLPK time limit; <= 0: none (default 10) */
} cv_lp_cover_config;

void cv_lp_cover_config_init(cv_lp_cover_config *cfg);

typedef struct cv_lp_cover_result {
    uint32_t *chosen; /* chosen set indices, ascending; malloc'ed (cv_lp_cover_result_fini) */
    uint32_t nchosen;
    uint32_t ncovered;     /* items covered by the chosen sets */
    double covered_weight; /* sum of w_i over them */
    uint32_t nuncoverable; /* items in no set */
    bool optimal;          /* GLPK proved the selection optimal */
    bool greedy;           /* GLPK found nothing better than the greedy start */
} cv_lp_cover_result;

/* (1)-(4): at most k sets covering the most weight.  CV_EINVAL with diag on a
 * malformed instance (an item index out of range, a negative weight). */
cv_status cv_lp_max_cover(const cv_lp_cover_sets *s, uint32_t k, const cv_lp_cover_config *cfg,
                          cv_lp_cover_result *out, cv_diag *diag);
/* (5)-(7): the fewest sets covering every coverable item. */
cv_status cv_lp_set_cover(const cv_lp_cover_sets *s, const cv_lp_cover_config *cfg,
                          cv_lp_cover_result *out, cv_diag *diag);
void cv_lp_cover_result_fini(cv_lp_cover_result *r);

#endif
