/* The solver on the published benchmark instances: every Solomon (VRPTW)
 * and Li & Lim (PDPTW) instance of ${CV_SHARED_DIR}/datasets/vrp is
 * converted, solved with a small effort budget and verified by the
 * independent checker (no violation, no mismatch).  Solomon plans must also
 * assign every customer.  Under CV_TEST_QUICK (sanitizer builds) every
 * fourth instance is run.  Skipped, with a note, when the data is absent. */
#define _POSIX_C_SOURCE 200809L
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cv/engine.h"
#include "cv/solver.h"

#ifndef CV_SHARED_DIR
#define CV_SHARED_DIR "../shared"
#endif

static bool quick(void)
{
    const char *q = getenv("CV_TEST_QUICK");
    return q && *q && strcmp(q, "0") != 0;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorted instance file names of dir ending in ext; NULL when dir is absent. */
static char **list_dir(const char *dir, const char *ext, uint32_t *n)
{
    DIR *d = opendir(dir);
    *n = 0;
    if (!d) return NULL;
    char **names = calloc(256, sizeof *names);
    struct dirent *e;
    while ((e = readdir(d)) && *n < 256) {
        size_t l = strlen(e->d_name), le = strlen(ext);
        if (l > le && strcmp(e->d_name + l - le, ext) == 0) names[(*n)++] = strdup(e->d_name);
    }
    closedir(d);
    qsort(names, *n, sizeof *names, cmp_str);
    return names;
}

static void run_set(const char *sub, const char *ext, bool lilim, bool all_assigned)
{
    char dir[1024];
    snprintf(dir, sizeof dir, "%s/datasets/vrp/%s", CV_SHARED_DIR, sub);
    uint32_t n;
    char **names = list_dir(dir, ext, &n);
    if (!names || n == 0) {
        printf("note: %s not found, skipping the %s instances\n", dir, sub);
        free(names);
        skip();
        return;
    }
    uint32_t solved = 0;
    for (uint32_t i = 0; i < n; i++) {
        if (quick() && i % 4 != 0) {
            free(names[i]);
            continue;
        }
        char path[2048];
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        cv_problem *p = NULL;
        cv_diag d;
        cv_diag_clear(&d);
        cv_status s = lilim ? cv_convert_lilim(&p, path, &d) : cv_convert_solomon(&p, path, &d);
        if (s != CV_OK) fprintf(stderr, "%s: %s\n", path, d.msg);
        assert_int_equal(s, CV_OK);
        cv_solver_config cfg;
        cv_solver_config_init(&cfg);
        cfg.max_effort = quick() ? 100000 : 400000;
        cv_plan *plan = NULL;
        assert_int_equal(cv_solver_run(p, &cfg, &plan, &d), CV_OK);
        char *text = NULL;
        assert_int_equal(cv_plan_to_json(plan, p, &text), CV_OK);
        cv_check_report rep;
        memset(&rep, 0, sizeof rep);
        assert_int_equal(cv_check_json(p, text, strlen(text), &rep, &d), CV_OK);
        for (uint32_t k = 0; k < rep.nmessages && k < 10; k++)
            fprintf(stderr, "%s: %s\n", names[i], rep.messages[k]);
        assert_int_equal(rep.nviolations, 0);
        assert_int_equal(rep.nmismatches, 0);
        if (all_assigned) assert_int_equal(plan->nunassigned, 0);
        printf("%s: routes %u cost %lld unassigned %u\n", names[i], plan->nroutes,
               (long long)plan->cost, plan->nunassigned);
        cv_check_report_fini(&rep);
        free(text);
        cv_plan_destroy(plan);
        cv_problem_destroy(p);
        free(names[i]);
        solved++;
    }
    free(names);
    assert_true(solved > 0);
}

static void test_solomon(void **state)
{
    (void)state;
    run_set("solomon", ".txt", false, true);
}

static void test_lilim(void **state)
{
    (void)state;
    run_set("lilim", ".txt", true, false);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_solomon),
        cmocka_unit_test(test_lilim),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
