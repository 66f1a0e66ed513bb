/* core: status table, diag first-message-wins, RNG determinism, checked sizes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "cv/core.h"
#include "cv/plan.h"

static void test_status_table(void **state)
{
    (void)state;
    assert_string_equal(cv_status_name(CV_EINVAL), "CV_EINVAL");
    assert_string_equal(cv_status_message(CV_ENOMEM), "out of memory");
    assert_string_equal(cv_status_message((cv_status)-999), "unknown status");
}

static void test_diag_first_wins(void **state)
{
    (void)state;
    cv_diag d;
    cv_diag_clear(&d);
    assert_int_equal(cv_diag_set(&d, "jobs[%d].id: %s", 3, "duplicate"), CV_EINVAL);
    cv_diag_set(&d, "second");
    assert_string_equal(d.msg, "jobs[3].id: duplicate");
    assert_int_equal(cv_diag_set(NULL, "dropped"), CV_EINVAL);
}

static void test_rng_deterministic(void **state)
{
    (void)state;
    cv_rng a, b;
    cv_rng_seed(&a, 42);
    cv_rng_seed(&b, 42);
    for (int i = 0; i < 1000; i++) {
        uint32_t x = cv_rng_below(&a, 17);
        assert_int_equal(x, cv_rng_below(&b, 17));
        assert_true(x < 17);
        double u = cv_rng_unit(&a);
        cv_rng_unit(&b);
        assert_true(u >= 0 && u < 1);
    }
}

static void test_checked_alloc(void **state)
{
    (void)state;
    assert_null(cv_calloc(SIZE_MAX / 2, 4));
    void *p = cv_calloc(0, 8);
    assert_non_null(p);
    free(p);
}

static void test_plan_builder(void **state)
{
    (void)state;
    cv_plan_builder b;
    assert_int_equal(cv_plan_builder_init(&b, 2), CV_OK);
    assert_int_equal(cv_plan_builder_step(&b, &(cv_plan_step){0}, NULL), CV_EINTERNAL);
    assert_int_equal(cv_plan_builder_route(&b, 0), CV_OK);
    for (int i = 0; i < 100; i++) {
        int64_t load[2] = {i, -i};
        cv_plan_step s = {.type = CV_STEP_JOB, .index = (uint32_t)i};
        assert_int_equal(cv_plan_builder_step(&b, &s, load), CV_OK);
    }
    assert_int_equal(cv_plan_builder_unassigned(&b, 7, CV_REASON_SKILLS), CV_OK);
    cv_plan *p = cv_plan_builder_finish(&b);
    cv_plan_builder_fini(&b);
    assert_int_equal(p->nsteps, 100);
    assert_int_equal(p->routes[0].step_count, 100);
    assert_int_equal(p->loads[p->steps[99].load_off + 1], -99);
    assert_string_equal(cv_reason_key(p->unassigned[0].reason), "skills");
    cv_plan_destroy(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_status_table),      cmocka_unit_test(test_diag_first_wins),
        cmocka_unit_test(test_rng_deterministic), cmocka_unit_test(test_checked_alloc),
        cmocka_unit_test(test_plan_builder),
    };
    return cmocka_run_group_tests_name("core", tests, NULL, NULL);
}
