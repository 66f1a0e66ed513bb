/* The covering MIPs (cv/lp_cover.h) against exhaustive search: random small
 * instances (up to 12 candidate sets, 30 items, random weights), every
 * subset of the sets enumerated here to find the true optimum of maximal
 * covering (for each k) and of set cover; the solver's answer must reach it,
 * be proven optimal, and its selection must be what it claims (re-counted
 * here).  Also: greedy is beaten on an instance built to fool it; malformed
 * instances are refused with the field named. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "cv/lp_cover.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct inst {
    uint32_t nitems, nsets;
    uint32_t first[16];
    uint32_t items[16 * 40];
    double weight[40];
} inst;

static void make(cv_rng *rng, inst *I)
{
    I->nitems = 5 + cv_rng_below(rng, 26);
    I->nsets = 1 + cv_rng_below(rng, 12);
    I->first[0] = 0;
    uint32_t q = 0;
    for (uint32_t j = 0; j < I->nsets; j++) {
        uint32_t pct = 5 + cv_rng_below(rng, 30);
        for (uint32_t i = 0; i < I->nitems; i++)
            if (cv_rng_below(rng, 100) < pct) I->items[q++] = i;
        I->first[j + 1] = q;
    }
    for (uint32_t i = 0; i < I->nitems; i++) I->weight[i] = 1 + cv_rng_below(rng, 5);
}

/* weight covered and item count of a subset mask */
static double mask_value(const inst *I, uint32_t mask, uint32_t *ncov, bool weighted)
{
    uint8_t cov[40] = {0};
    for (uint32_t j = 0; j < I->nsets; j++)
        if (mask >> j & 1)
            for (uint32_t q = I->first[j]; q < I->first[j + 1]; q++) cov[I->items[q]] = 1;
    double w = 0;
    *ncov = 0;
    for (uint32_t i = 0; i < I->nitems; i++)
        if (cov[i]) w += weighted ? I->weight[i] : 1, (*ncov)++;
    return w;
}

static uint32_t sel_mask(const cv_lp_cover_result *r)
{
    uint32_t m = 0;
    for (uint32_t k = 0; k < r->nchosen; k++) {
        if (k) assert_true(r->chosen[k] > r->chosen[k - 1]);
        m |= 1u << r->chosen[k];
    }
    return m;
}

static void test_against_exhaustive(void **state)
{
    (void)state;
    cv_rng rng;
    cv_rng_seed(&rng, 42);
    int rounds = getenv("CV_TEST_QUICK") ? 40 : 150;
    for (int round = 0; round < rounds; round++) {
        inst I;
        make(&rng, &I);
        bool weighted = round % 2;
        cv_lp_cover_sets s = {I.nitems, I.nsets, I.first, I.items, weighted ? I.weight : NULL};
        /* exhaustive: best value per subset size, fewest sets covering all coverable */
        double best_k[17] = {0};
        uint32_t all_cov = 0, fewest = UINT32_MAX;
        mask_value(&I, (1u << I.nsets) - 1, &all_cov, weighted);
        for (uint32_t mask = 0; mask < (1u << I.nsets); mask++) {
            uint32_t nc, size = (uint32_t)__builtin_popcount(mask);
            double w = mask_value(&I, mask, &nc, weighted);
            for (uint32_t k = size; k <= I.nsets; k++)
                if (w > best_k[k]) best_k[k] = w;
            if (nc == all_cov && size < fewest) fewest = size;
        }
        cv_lp_cover_config cfg;
        cv_lp_cover_config_init(&cfg);
        cv_diag d;
        cv_diag_clear(&d);
        for (uint32_t k = 0; k <= I.nsets; k += 1 + (k > 3)) {
            cv_lp_cover_result r;
            assert_int_equal(cv_lp_max_cover(&s, k, &cfg, &r, &d), CV_OK);
            assert_true(r.nchosen <= k);
            uint32_t nc;
            double w = mask_value(&I, sel_mask(&r), &nc, weighted);
            assert_true(fabs(w - r.covered_weight) < 1e-9);
            assert_int_equal(nc, r.ncovered);
            if (fabs(w - best_k[k]) > 1e-9)
                fail_msg("round %d k %u: covered %g, optimum %g", round, k, w, best_k[k]);
            assert_true(r.optimal);
            cv_lp_cover_result_fini(&r);
        }
        cv_lp_cover_result r;
        assert_int_equal(cv_lp_set_cover(&s, &cfg, &r, &d), CV_OK);
        uint32_t nc;
        mask_value(&I, sel_mask(&r), &nc, weighted);
        assert_int_equal(nc, all_cov);
        assert_int_equal(r.nuncoverable, I.nitems - all_cov);
        if (r.nchosen != fewest)
            fail_msg("round %d: %u sets, optimum %u", round, r.nchosen, fewest);
        assert_true(r.optimal);
        cv_lp_cover_result_fini(&r);
    }
}

/* Greedy takes the big middle set first and then needs 3; the optimum is 2. */
static void test_beats_greedy(void **state)
{
    (void)state;
    /* items 0..11; A = 0..5, B = 6..11, C = {2,3,4,7,8,9,10} (7 items) plus
     * small sets that greedy then needs */
    uint32_t first[] = {0, 6, 12, 19};
    uint32_t items[] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 2, 3, 4, 7, 8, 9, 10};
    cv_lp_cover_sets s = {12, 3, first, items, NULL};
    cv_lp_cover_result r;
    cv_diag d;
    cv_diag_clear(&d);
    assert_int_equal(cv_lp_set_cover(&s, NULL, &r, &d), CV_OK);
    assert_int_equal(r.nchosen, 2);
    assert_int_equal(r.chosen[0], 0);
    assert_int_equal(r.chosen[1], 1);
    assert_false(r.greedy);
    cv_lp_cover_result_fini(&r);
    assert_int_equal(cv_lp_max_cover(&s, 1, NULL, &r, &d), CV_OK);
    assert_int_equal(r.ncovered, 7);
    cv_lp_cover_result_fini(&r);
}

static void test_bad_instances(void **state)
{
    (void)state;
    uint32_t first[] = {0, 2};
    uint32_t items[] = {0, 5};
    cv_lp_cover_sets s = {3, 1, first, items, NULL};
    cv_lp_cover_result r;
    cv_diag d;
    cv_diag_clear(&d);
    assert_int_equal(cv_lp_max_cover(&s, 1, NULL, &r, &d), CV_EINVAL);
    assert_non_null(strstr(d.msg, "set 0: item 5 >= nitems 3"));
    items[1] = 1;
    double w[] = {1, -2, 1};
    s.weight = w;
    cv_diag_clear(&d);
    assert_int_equal(cv_lp_max_cover(&s, 1, NULL, &r, &d), CV_EINVAL);
    assert_non_null(strstr(d.msg, "weight[1]"));
    /* empty instances are fine */
    cv_lp_cover_sets e = {4, 0, first, items, NULL};
    assert_int_equal(cv_lp_set_cover(&e, NULL, &r, &d), CV_OK);
    assert_int_equal(r.nchosen, 0);
    assert_int_equal(r.nuncoverable, 4);
    cv_lp_cover_result_fini(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_against_exhaustive),
        cmocka_unit_test(test_beats_greedy),
        cmocka_unit_test(test_bad_instances),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
