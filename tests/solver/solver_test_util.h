/* Helpers shared by the solver tests (test_solver.c, test_solver_care.c,
 * test_ls_swap_star.c; with solver_int_test_util.h also tests/lp's
 * test_route_pool.c): quick mode, random points and their travel matrix for
 * generated problems, parse a problem, solve it and have the independent
 * checker judge the plan (cv_check_json on the JSON written by
 * cv_plan_to_json: no violation, no stated figure that disagrees with its
 * recomputation), and find where a task went.  Include after <cmocka.h>.  A
 * file may use only some of them, hence the unused attribute. */
#ifndef CV_TESTS_SOLVER_TEST_UTIL_H
#define CV_TESTS_SOLVER_TEST_UTIL_H

#define CV_TEST_HELPER static __attribute__((unused))

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cv/engine.h"
#include "cv/solver.h"

/* CV_TEST_QUICK set (and not "0"): the ASan run, which shrinks the work. */
CV_TEST_HELPER bool quick(void)
{
    const char *q = getenv("CV_TEST_QUICK");
    return q && *q && strcmp(q, "0") != 0;
}

/* nloc points drawn from r uniformly in a 100 x 100 square (x, then y, point
 * after point); *x and *y malloc'ed, the caller frees them. */
CV_TEST_HELPER void random_points(cv_rng *r, uint32_t nloc, double **x, double **y)
{
    *x = malloc(nloc * sizeof **x);
    *y = malloc(nloc * sizeof **y);
    assert_non_null(*x);
    assert_non_null(*y);
    for (uint32_t i = 0; i < nloc; i++) {
        (*x)[i] = cv_rng_unit(r) * 100;
        (*y)[i] = cv_rng_unit(r) * 100;
    }
}

/* Writes the rows [[d00, d01, ...], ...] of travel durations between the
 * points at s + n (cap bytes in all) and returns the new length: the
 * Euclidean distance, times asym from i to j when i > j, truncated -- not
 * quite symmetric, and no triangle inequality guaranteed. */
CV_TEST_HELPER size_t write_distance_rows(char *s, size_t n, size_t cap, const double *x,
                                          const double *y, uint32_t nloc, double asym)
{
    n += (size_t)snprintf(s + n, cap - n, "[");
    for (uint32_t i = 0; i < nloc; i++) {
        n += (size_t)snprintf(s + n, cap - n, "%s[", i ? "," : "");
        for (uint32_t j = 0; j < nloc; j++) {
            double dx = x[i] - x[j], dy = y[i] - y[j];
            uint32_t d = (uint32_t)(__builtin_sqrt(dx * dx + dy * dy) * (i < j ? 1.0 : asym));
            n += (size_t)snprintf(s + n, cap - n, "%s%u", j ? "," : "", d);
        }
        n += (size_t)snprintf(s + n, cap - n, "]");
    }
    n += (size_t)snprintf(s + n, cap - n, "]");
    assert_true(n < cap);
    return n;
}

CV_TEST_HELPER cv_problem *parse(const char *json)
{
    cv_problem *p = NULL;
    cv_diag d;
    cv_diag_clear(&d);
    cv_status s = cv_problem_from_json(&p, json, strlen(json), &d);
    if (s != CV_OK) fprintf(stderr, "parse: %s\n%s\n", d.msg, json);
    assert_int_equal(s, CV_OK);
    return p;
}

/* The independent checker on text (plan written by cv_plan_to_json): no
 * violation, no mismatch, and the plan's own unassigned count and cost. */
CV_TEST_HELPER void assert_plan_checked(const cv_problem *p, const cv_plan *plan, const char *text)
{
    cv_diag d;
    cv_diag_clear(&d);
    cv_check_report rep;
    memset(&rep, 0, sizeof rep);
    cv_status cs = cv_check_json(p, text, strlen(text), &rep, &d);
    if (cs != CV_OK) fprintf(stderr, "check: %s\n", d.msg);
    assert_int_equal(cs, CV_OK);
    for (uint32_t i = 0; i < rep.nmessages; i++) fprintf(stderr, "check: %s\n", rep.messages[i]);
    if (rep.nviolations || rep.nmismatches) fprintf(stderr, "%s\n", text);
    assert_int_equal(rep.nviolations, 0);
    assert_int_equal(rep.nmismatches, 0);
    assert_int_equal(rep.unassigned, plan->nunassigned);
    assert_int_equal(rep.cost, plan->cost);
    cv_check_report_fini(&rep);
}

/* Solves with cfg, writes, checks; returns the plan (caller destroys), and
 * the JSON text when json_out is not NULL (caller frees). */
CV_TEST_HELPER cv_plan *solve_checked_cfg(const cv_problem *p, const cv_solver_config *cfg,
                                          char **json_out)
{
    cv_plan *plan = NULL;
    cv_diag d;
    cv_diag_clear(&d);
    cv_status st = cv_solver_run(p, cfg, &plan, &d);
    if (st != CV_OK) fprintf(stderr, "solve: %s\n", d.msg);
    assert_int_equal(st, CV_OK);
    char *text = NULL;
    assert_int_equal(cv_plan_to_json(plan, p, &text), CV_OK);
    assert_plan_checked(p, plan, text);
    if (json_out)
        *json_out = text;
    else
        free(text);
    return plan;
}

/* The plan step serving task t (copy k of a visit: its k-th occurrence), its
 * route in *route when not NULL; NULL when t is not planned. */
CV_TEST_HELPER const cv_plan_step *step_of(const cv_plan *plan, uint32_t t, uint32_t *route)
{
    for (uint32_t r = 0; r < plan->nroutes; r++)
        for (uint32_t k = 0; k < plan->routes[r].step_count; k++) {
            const cv_plan_step *s = &plan->steps[plan->routes[r].step_first + k];
            if (s->type != CV_STEP_START && s->type != CV_STEP_END && s->type != CV_STEP_BREAK &&
                s->index == t) {
                if (route) *route = r;
                return s;
            }
        }
    return NULL;
}

/* Vehicle index serving task index t, or -1. */
CV_TEST_HELPER int vehicle_of(const cv_plan *plan, uint32_t t)
{
    uint32_t r = 0;
    return step_of(plan, t, &r) ? (int)plan->routes[r].vehicle : -1;
}

CV_TEST_HELPER cv_reason reason_of(const cv_plan *plan, uint32_t t)
{
    for (uint32_t i = 0; i < plan->nunassigned; i++)
        if (plan->unassigned[i].task == t) return plan->unassigned[i].reason;
    return CV_REASON_NONE;
}

#endif
