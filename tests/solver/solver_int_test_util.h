/* Helpers for the tests that reach into the solver's internals (solver_int.h:
 * test_ls_swap_star.c, tests/lp/test_route_pool.c), on top of
 * solver_test_util.h.  Include after <cmocka.h>, with solver/ on the include
 * path. */
#ifndef CV_TESTS_SOLVER_INT_TEST_UTIL_H
#define CV_TESTS_SOLVER_INT_TEST_UTIL_H

#include "solver_int.h"
#include "solver_test_util.h"

/* A search solution s of c, built into a plan, must pass the independent
 * checker (assert_plan_checked). */
CV_TEST_HELPER void assert_sol_checked(const cv__ctx *c, const cv__sol *s)
{
    cv_plan *plan = NULL;
    assert_int_equal(cv__plan_build(c, s, &plan), CV_OK);
    char *text = NULL;
    assert_int_equal(cv_plan_to_json(plan, c->p, &text), CV_OK);
    assert_plan_checked(c->p, plan, text);
    free(text);
    cv_plan_destroy(plan);
}

#endif
