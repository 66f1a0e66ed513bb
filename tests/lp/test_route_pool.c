/* The route pool and its set-partitioning recombination (solver/route_pool.c).
 *
 * On a 12-customer Solomon-format instance written here: routes are stored
 * once by content, the pool stays within its bound, and a recombination
 * over the routes of a poor plan (one route per customer) and of a good one
 * finds the optimum of an exact cover by dynamic programming over the same
 * routes (a reference sharing nothing with route_pool.c), as a plan the
 * independent checker accepts.  Then the solver with setpart on, on Solomon
 * instances (skipped without the shared data): checked plans, MIPs solved,
 * same result twice for the same seed and effort. */
#define _POSIX_C_SOURCE 200809L
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "cv/engine.h"
#include "cv/solver.h"
/* assert_sol_checked, quick (tests/solver's shared helpers) */
#include "../solver/solver_int_test_util.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Twelve customers around a depot, windows wide enough for long routes. */
static const char *tiny_text =
    "TINY12\n\nVEHICLE\nNUMBER     CAPACITY\n  12         60\n\nCUSTOMER\n"
    "CUST NO.   XCOORD.   YCOORD.    DEMAND   READY TIME   DUE DATE   SERVICE TIME\n\n"
    "    0   50  50   0    0  1000   0\n"
    "    1   60  50  10    0   800  10\n"
    "    2   65  55  10    0   800  10\n"
    "    3   70  50  10    0   800  10\n"
    "    4   40  50  10    0   800  10\n"
    "    5   35  45  10    0   800  10\n"
    "    6   30  50  10    0   800  10\n"
    "    7   50  60  10    0   800  10\n"
    "    8   55  65  10    0   800  10\n"
    "    9   50  70  10    0   800  10\n"
    "   10   50  40  10    0   800  10\n"
    "   11   45  35  10    0   800  10\n"
    "   12   50  30  10    0   800  10\n";

static cv_problem *tiny_problem(void)
{
    char path[] = "/tmp/cv_route_pool_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    assert_non_null(f);
    fputs(tiny_text, f);
    fclose(f);
    cv_problem *p = NULL;
    cv_diag d;
    cv_diag_clear(&d);
    cv_status s = cv_convert_solomon(&p, path, &d);
    unlink(path);
    if (s) fprintf(stderr, "%s\n", d.msg);
    assert_int_equal(s, CV_OK);
    return p;
}

/* A route as the reference sees it: task mask and search cost. */
typedef struct ref_route {
    uint32_t mask;
    double cost;
} ref_route;

/* Exact cover of all nt tasks by at most one route per vehicle (the fleet
 * is larger than nt here, so the count never binds), by DP over subsets. */
static double dp_optimum(const ref_route *r, uint32_t nr, uint32_t nt)
{
    const uint32_t full = (1u << nt) - 1;
    double *best = malloc(((size_t)full + 1) * sizeof *best);
    for (uint32_t m = 0; m <= full; m++) best[m] = INFINITY;
    best[0] = 0;
    for (uint32_t m = 0; m < full; m++) {
        if (!isfinite(best[m])) continue;
        uint32_t low = 0;
        while ((m >> low) & 1u) low++;
        for (uint32_t k = 0; k < nr; k++)
            if (((r[k].mask >> low) & 1u) && !(r[k].mask & m) &&
                best[m] + r[k].cost < best[m | r[k].mask])
                best[m | r[k].mask] = best[m] + r[k].cost;
    }
    double out = best[full];
    free(best);
    return out;
}

static void test_pool_recombine(void **state)
{
    (void)state;
    cv_problem *p = tiny_problem();
    cv__ctx c;
    assert_int_equal(cv__ctx_init(&c, p), CV_OK);
    const uint32_t nt = c.nt;
    assert_int_equal(nt, 12);

    /* Good plan: regret insertion.  Poor plan: one route per customer. */
    cv__sol good, poor;
    assert_int_equal(cv__sol_init(&good, &c), CV_OK);
    assert_int_equal(cv__sol_init(&poor, &c), CV_OK);
    uint64_t effort = 0;
    assert_int_equal(cv__construct_regret(&c, &good, &effort), CV_OK);
    assert_int_equal(good.nunassigned, 0);
    for (uint32_t t = 0; t < nt; t++) assert_int_equal(cv__route_set(&c, &poor, t, &t, 1), CV_OK);
    assert_int_equal(poor.nunassigned, 0);
    assert_true(good.cost < poor.cost);

    cv__pool *pool = NULL;
    assert_int_equal(cv__pool_create(&pool, &c, 1000, 100), CV_OK);
    assert_int_equal(cv__pool_add(pool, &good, NULL, good.nv), CV_OK);
    const uint64_t after_good = cv__pool_stats_get(pool)->added;
    /* Stored once by content: adding the same plan again adds nothing. */
    assert_int_equal(cv__pool_add(pool, &good, NULL, good.nv), CV_OK);
    assert_int_equal(cv__pool_stats_get(pool)->added, after_good);
    assert_int_equal(cv__pool_add(pool, &poor, NULL, poor.nv), CV_OK);
    assert_int_equal(cv__pool_stats_get(pool)->added, after_good + nt);

    /* The reference over the same routes. */
    ref_route ref[64];
    uint32_t nref = 0;
    for (uint32_t k = 0; k < 2; k++) {
        const cv__sol *s = k ? &poor : &good;
        for (uint32_t v = 0; v < s->nv; v++) {
            if (!s->r[v].n) continue;
            uint32_t mask = 0;
            for (uint32_t q = 0; q < s->r[v].n; q++) mask |= 1u << s->r[v].t[q];
            ref[nref++] = (ref_route){mask, s->r[v].cost};
        }
    }
    const double opt = dp_optimum(ref, nref, nt);

    /* From the poor plan, the MIP finds the optimum over the pool. */
    cv__sol best;
    memset(&best, 0, sizeof best); /* cv__sol_copy allocates into an empty solution */
    assert_int_equal(cv__sol_copy(&best, &poor, c.nd), CV_OK);
    bool improved = false;
    assert_int_equal(cv__pool_recombine(pool, &best, 0, &improved), CV_OK);
    assert_true(improved);
    assert_true(fabs(best.cost - opt) < 1e-6);
    assert_int_equal(best.nunassigned, 0);
    assert_sol_checked(&c, &best);
    /* Again: nothing better left. */
    assert_int_equal(cv__pool_recombine(pool, &best, 0, &improved), CV_OK);
    assert_false(improved);
    assert_int_equal(cv__pool_stats_get(pool)->calls, 2);
    cv__pool_destroy(pool);

    /* Bounded memory: 66 distinct two-customer routes into a pool of 16. */
    assert_int_equal(cv__pool_create(&pool, &c, 16, 10), CV_OK);
    cv__sol pairs;
    assert_int_equal(cv__sol_init(&pairs, &c), CV_OK);
    for (uint32_t a = 0; a < nt; a++)
        for (uint32_t b = a + 1; b < nt; b++) {
            uint32_t seq[2] = {a, b}, r = 0;
            assert_int_equal(cv__route_set(&c, &pairs, r, seq, 2), CV_OK);
            assert_int_equal(cv__pool_add(pool, &pairs, &r, 1), CV_OK);
            assert_true(cv__pool_stats_get(pool)->routes <= 16);
        }
    assert_int_equal(cv__pool_stats_get(pool)->added, nt * (nt - 1) / 2);
    assert_true(cv__pool_stats_get(pool)->evictions > 0);
    /* The newest route is still there: adding it again adds nothing. */
    uint32_t r0 = 0;
    assert_int_equal(cv__pool_add(pool, &pairs, &r0, 1), CV_OK);
    assert_int_equal(cv__pool_stats_get(pool)->added, nt * (nt - 1) / 2);
    /* A recombination on the small pool still returns a checked plan. */
    assert_int_equal(cv__sol_copy(&best, &good, c.nd), CV_OK);
    assert_int_equal(cv__pool_recombine(pool, &best, 0, &improved), CV_OK);
    assert_true(best.cost <= good.cost + 1e-9);
    assert_sol_checked(&c, &best);
    cv__pool_destroy(pool);

    cv__sol_fini(&pairs);
    cv__sol_fini(&best);
    cv__sol_fini(&good);
    cv__sol_fini(&poor);
    cv__ctx_fini(&c);
    cv_problem_destroy(p);
}

/* Route-linking extensions switch the recombination off. */
static void test_pool_applies(void **state)
{
    (void)state;
    cv_problem *p = tiny_problem();
    assert_true(cv__pool_applies(p));
    p->tasks[3].group_size = 2;
    assert_false(cv__pool_applies(p));
    p->tasks[3].group_size = 1;
    p->fairness_per_hour = 1;
    assert_false(cv__pool_applies(p));
    p->fairness_per_hour = 0;
    /* The solver skips it for any care extension, and still plans. */
    p->tasks[0].max_lateness = 600;
    p->tasks[0].lateness_per_hour = 3600;
    assert_true(cv_problem_uses_care_extensions(p));
    cv_solver_config cfg;
    cv_solver_config_init(&cfg);
    cfg.max_effort = 200000;
    cfg.setpart = 1;
    cv_plan *plan = NULL;
    cv_diag d;
    cv_diag_clear(&d);
    assert_int_equal(cv_solver_run_stats(p, &cfg, &plan, &d), CV_OK);
    assert_int_equal(cfg.stat_setpart_calls, 0);
    assert_int_equal(plan->nunassigned, 0);
    cv_plan_destroy(plan);
    cv_problem_destroy(p);
}

static cv_plan *solve(const cv_problem *p, uint64_t effort, cv_solver_config *cfg)
{
    cv_solver_config_init(cfg);
    cfg->max_effort = effort;
    cfg->setpart = 1;
    cv_plan *plan = NULL;
    cv_diag d;
    cv_diag_clear(&d);
    assert_int_equal(cv_solver_run_stats(p, cfg, &plan, &d), CV_OK);
    return plan;
}

static void test_solver_setpart(void **state)
{
    (void)state;
    const char *shared = getenv("CV_SHARED_DIR");
    const char *names[] = {"RC103", "R101", "C201", "RC208"};
    const uint32_t n = quick() ? 2 : 4;
    uint32_t ran = 0;
    for (uint32_t i = 0; i < n; i++) {
        char path[4200];
        snprintf(path, sizeof path, "%s/datasets/vrp/solomon/%s.txt", shared ? shared : "",
                 names[i]);
        if (!shared || access(path, R_OK) != 0) {
            printf("note: %s not found, skipping\n", path);
            continue;
        }
        cv_problem *p = NULL;
        cv_diag d;
        cv_diag_clear(&d);
        assert_int_equal(cv_convert_solomon(&p, path, &d), CV_OK);
        const uint64_t effort = quick() ? 300000 : 2000000;
        cv_solver_config cfg;
        cv_plan *plan = solve(p, effort, &cfg);
        assert_int_equal(cfg.stat_setpart_calls, 5);
        char *text = NULL;
        assert_int_equal(cv_plan_to_json(plan, p, &text), CV_OK);
        assert_plan_checked(p, plan, text);
        assert_int_equal(plan->nunassigned, 0);
        printf("%s: cost %lld, %llu of %llu MIPs improved\n", names[i], (long long)plan->cost,
               (unsigned long long)cfg.stat_setpart_improved,
               (unsigned long long)cfg.stat_setpart_calls);
        /* Deterministic: node-limited MIPs, effort-limited search. */
        cv_solver_config cfg2;
        cv_plan *again = solve(p, effort, &cfg2);
        assert_int_equal(again->cost, plan->cost);
        assert_int_equal(cfg2.stat_setpart_improved, cfg.stat_setpart_improved);
        free(text);
        cv_plan_destroy(plan);
        cv_plan_destroy(again);
        cv_problem_destroy(p);
        ran++;
    }
    if (!ran) skip();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pool_recombine),
        cmocka_unit_test(test_pool_applies),
        cmocka_unit_test(test_solver_setpart),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
