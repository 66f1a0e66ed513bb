/* Tests of cv_solver_run on small problems, one per constraint of the model,
 * plus determinism and warm starts.  The judge of every plan is the
 * independent checker (cv_check_json on the JSON written by cv_plan_to_json):
 * no violation and no field that disagrees with its recomputation.  Each
 * test also asserts the property the constraint forces (which vehicle, which
 * order, which task is left out and why), so a solver that ignored the
 * constraint would fail even if the checker were lenient. */
#define _POSIX_C_SOURCE 200809L
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <time.h>

#include "solver_test_util.h"

/* Set by the local-search tests; -1: the configuration's default. */
static int use_local_search = -1, use_ls_when = -1, use_objective = -1;

/* Solves, writes, checks; returns the plan (caller destroys) and the JSON text. */
static cv_plan *solve_checked(const cv_problem *p, uint64_t effort, uint64_t seed, char **json_out)
{
    cv_solver_config cfg;
    cv_solver_config_init(&cfg);
    if (use_local_search >= 0) cfg.local_search = (unsigned)use_local_search;
    if (use_ls_when >= 0) cfg.ls_when = use_ls_when;
    if (use_objective >= 0) cfg.objective = use_objective;
    cfg.max_effort = effort;
    cfg.seed = seed;
    return solve_checked_cfg(p, &cfg, json_out);
}

static int step_pos(const cv_plan *plan, uint32_t r, cv_step_type type, uint32_t index)
{
    for (uint32_t k = 0; k < plan->routes[r].step_count; k++) {
        const cv_plan_step *s = &plan->steps[plan->routes[r].step_first + k];
        if (s->type == type && s->index == index) return (int)k;
    }
    return -1;
}

/* A line of 5 locations 0..4, 10 apart: durations |i-j| * 10. */
#define LINE5                                                                                      \
    "\"matrices\":{\"car\":{\"durations\":[[0,10,20,30,40],[10,0,10,20,30],[20,10,0,10,20],"       \
    "[30,20,10,0,10],[40,30,20,10,0]],\"distances\":[[0,100,200,300,400],[100,0,100,200,300],"     \
    "[200,100,0,100,200],[300,200,100,0,100],[400,300,200,100,0]]}}"

static void test_skills(void **state)
{
    (void)state;
    cv_problem *p = parse("{\"vehicles\":[{\"id\":1,\"start_index\":0,\"end_index\":0,"
                          "\"skills\":[1]},{\"id\":2,\"start_index\":0,\"end_index\":0,"
                          "\"skills\":[1,5]}],\"jobs\":[{\"id\":10,\"location_index\":2,"
                          "\"skills\":[5]},{\"id\":11,\"location_index\":3,\"skills\":[9]},"
                          "{\"id\":12,\"location_index\":1,\"skills\":[1]}]," LINE5 "}");
    cv_plan *plan = solve_checked(p, 20000, 1, NULL);
    assert_int_equal(vehicle_of(plan, 0), 1);
    assert_int_equal(plan->nunassigned, 1);
    assert_int_equal(reason_of(plan, 1), CV_REASON_SKILLS);
    assert_int_not_equal(vehicle_of(plan, 2), -1);
    cv_plan_destroy(plan);
    cv_problem_destroy(p);
}

static void test_multi_windows_and_setup(void **state)
{
    (void)state;
    /* Job 0 can only be served in its second window; job 1 shares its
     * location so its setup is not applied after job 0. Job 2 cannot be
     * reached in time at all. */
    cv_problem *p = parse(
        "{\"vehicles\":[{\"id\":1,\"start_index\":0,\"end_index\":0,\"time_window\":[0,1000]}],"
        "\"jobs\":[{\"id\":1,\"location_index\":4,\"setup\":7,\"service\":5,"
        "\"time_windows\":[[0,20],[100,110]]},{\"id\":2,\"location_index\":4,\"setup\":9,"
        "\"service\":3,\"time_windows\":[[100,200]]},{\"id\":3,\"location_index\":3,"
        "\"time_windows\":[[0,5]]}]," LINE5 "}");
    cv_plan *plan = solve_checked(p, 20000, 1, NULL);
    assert_int_equal(plan->nroutes, 1);
    assert_int_equal(reason_of(plan, 2), CV_REASON_TIME_WINDOW);
    int a = step_pos(plan, 0, CV_STEP_JOB, 0), b = step_pos(plan, 0, CV_STEP_JOB, 1);
    assert_true(a > 0 && b > 0);
    const cv_plan_step *s0 = &plan->steps[plan->routes[0].step_first + a];
    assert_true(s0->arrival + s0->waiting >= 100 && s0->arrival + s0->waiting <= 110);
    /* Exactly one of the two same-place jobs pays its setup. */
    const cv_plan_step *s1 = &plan->steps[plan->routes[0].step_first + b];
    assert_true((s0->setup == 0) != (s1->setup == 0));
    cv_plan_destroy(plan);
    cv_problem_destroy(p);
}

static void test_breaks_max_load(void **state)
{
    (void)state;
    /* The break must start in [25, 60]; during it the load must be 0, so it
     * can only come after the delivery of job 0 (load 5 from the start). */
    cv_problem *p =
        parse("{\"vehicles\":[{\"id\":1,\"start_index\":0,\"end_index\":0,\"capacity\":[10],"
              "\"time_window\":[0,500],\"breaks\":[{\"id\":7,\"time_windows\":[[25,60]],"
              "\"service\":30,\"max_load\":[0]}]}],"
              "\"jobs\":[{\"id\":1,\"location_index\":4,\"delivery\":[5],\"service\":10},"
              "{\"id\":2,\"location_index\":2,\"pickup\":[3],\"service\":10}]," LINE5 "}");
    cv_plan *plan = solve_checked(p, 20000, 1, NULL);
    assert_int_equal(plan->nunassigned, 0);
    assert_int_equal(plan->nroutes, 1);
    int br = step_pos(plan, 0, CV_STEP_BREAK, 0), j0 = step_pos(plan, 0, CV_STEP_JOB, 0),
        j1 = step_pos(plan, 0, CV_STEP_JOB, 1);
    assert_true(br > j0);
    assert_true(j1 > br); /* after the pickup the load would not be 0 either */
    cv_plan_destroy(plan);
    cv_problem_destroy(p);

    /* A break no window of which fits the shift: the job cannot be served. */
    p = parse("{\"vehicles\":[{\"id\":1,\"start_index\":0,\"time_window\":[0,100],"
              "\"breaks\":[{\"id\":7,\"time_windows\":[[90,100]],\"service\":50}]}],"
              "\"jobs\":[{\"id\":1,\"location_index\":1}]," LINE5 "}");
    plan = solve_checked(p, 20000, 1, NULL);
    assert_int_equal(plan->nunassigned, 1);
    assert_int_equal(reason_of(plan, 0), CV_REASON_BREAKS);
    cv_plan_destroy(plan);
    cv_problem_destroy(p);
}

static void test_shipments(void **state)
{
    (void)state;
    /* Capacity 4: two shipments of 3 cannot be on board together. */
    cv_problem *p =
        parse("{\"vehicles\":[{\"id\":1,\"start_index\":0,\"end_index\":0,\"capacity\":[4]},"
              "{\"id\":2,\"start_index\":0,\"end_index\":0,\"capacity\":[4],\"skills\":[3]}],"
              "\"shipments\":[{\"amount\":[3],\"pickup\":{\"id\":1,\"location_index\":1},"
              "\"delivery\":{\"id\":1,\"location_index\":4}},{\"amount\":[3],\"pickup\":{\"id\":2,"
              "\"location_index\":2},\"delivery\":{\"id\":2,\"location_index\":3}},"
              "{\"amount\":[1],\"skills\":[3],\"pickup\":{\"id\":3,\"location_index\":4},"
              "\"delivery\":{\"id\":3,\"location_index\":1}},{\"amount\":[5],\"pickup\":{\"id\":4,"
              "\"location_index\":1},\"delivery\":{\"id\":4,\"location_index\":2}}]," LINE5 "}");
    cv_plan *plan = solve_checked(p, 50000, 3, NULL);
    /* tasks: 0/1 ship 1, 2/3 ship 2, 4/5 ship 3, 6/7 ship 4 */
    assert_int_equal(plan->nunassigned, 2);
    assert_int_equal(reason_of(plan, 6), CV_REASON_CAPACITY);
    assert_int_equal(reason_of(plan, 7), CV_REASON_CAPACITY);
    for (uint32_t s = 0; s < 3; s++) {
        int v = vehicle_of(plan, 2 * s);
        assert_true(v >= 0);
        assert_int_equal(v, vehicle_of(plan, 2 * s + 1));
        uint32_t r = 0;
        while (plan->routes[r].vehicle != (uint32_t)v) r++;
        assert_true(step_pos(plan, r, CV_STEP_PICKUP, 2 * s) <
                    step_pos(plan, r, CV_STEP_DELIVERY, 2 * s + 1));
    }
    assert_int_equal(vehicle_of(plan, 4), 1);
    cv_plan_destroy(plan);
    cv_problem_destroy(p);
}

static void test_multi_capacity_and_max_tasks(void **state)
{
    (void)state;
    cv_problem *p =
        parse("{\"vehicles\":[{\"id\":1,\"start_index\":0,\"end_index\":0,\"capacity\":[10,2],"
              "\"max_tasks\":2}],\"jobs\":[{\"id\":1,\"location_index\":1,\"delivery\":[1,1]},"
              "{\"id\":2,\"location_index\":2,\"delivery\":[1,2]},{\"id\":3,\"location_index\":3,"
              "\"pickup\":[1,3]},{\"id\":4,\"location_index\":4,\"pickup\":[2,1]}]," LINE5 "}");
    cv_plan *plan = solve_checked(p, 20000, 1, NULL);
    assert_int_equal(reason_of(plan, 2), CV_REASON_CAPACITY);
    /* jobs 0 and 1 together need 3 in dimension 2: at most one of them, and
     * max_tasks 2 leaves one more task out. */
    assert_int_equal(plan->nunassigned, 2);
    assert_int_equal(plan->routes[0].step_count, 4);
    cv_plan_destroy(plan);
    cv_problem_destroy(p);

    p = parse("{\"vehicles\":[{\"id\":1,\"start_index\":0,\"max_tasks\":0}],"
              "\"jobs\":[{\"id\":1,\"location_index\":1}]," LINE5 "}");
    plan = solve_checked(p, 20000, 1, NULL);
    assert_int_equal(reason_of(plan, 0), CV_REASON_MAX_TASKS);
    cv_plan_destroy(plan);
    cv_problem_destroy(p);
}

static void test_travel_limits(void **state)
{
    (void)state;
    cv_problem *p =
        parse("{\"vehicles\":[{\"id\":1,\"start_index\":0,\"end_index\":0,\"max_travel_time\":60},"
              "{\"id\":2,\"start_index\":4,\"end_index\":4,\"max_distance\":250}],"
              "\"jobs\":[{\"id\":1,\"location_index\":2},{\"id\":2,\"location_index\":1},"
              "{\"id\":3,\"location_index\":3}]," LINE5 "}");
    cv_plan *plan = solve_checked(p, 20000, 1, NULL);
    assert_int_equal(plan->nunassigned, 0);
    for (uint32_t r = 0; r < plan->nroutes; r++) {
        if (plan->routes[r].vehicle == 0) assert_true(plan->routes[r].duration <= 60);
        if (plan->routes[r].vehicle == 1) assert_true(plan->routes[r].distance <= 250);
    }
    cv_plan_destroy(plan);
    cv_problem_destroy(p);

    p = parse("{\"vehicles\":[{\"id\":1,\"start_index\":0,\"end_index\":0,"
              "\"max_travel_time\":50}],\"jobs\":[{\"id\":1,\"location_index\":3}]," LINE5 "}");
    plan = solve_checked(p, 20000, 1, NULL);
    assert_int_equal(reason_of(plan, 0), CV_REASON_MAX_TRAVEL_TIME);
    cv_plan_destroy(plan);
    cv_problem_destroy(p);
    p = parse("{\"vehicles\":[{\"id\":1,\"start_index\":0,\"end_index\":0,"
              "\"max_distance\":500}],\"jobs\":[{\"id\":1,\"location_index\":3}]," LINE5 "}");
    plan = solve_checked(p, 20000, 1, NULL);
    assert_int_equal(reason_of(plan, 0), CV_REASON_MAX_DISTANCE);
    cv_plan_destroy(plan);
    cv_problem_destroy(p);
}

static void test_open_routes(void **state)
{
    (void)state;
    /* No end: the route stops at its last job; no start: it begins at its first. */
    cv_problem *p = parse("{\"vehicles\":[{\"id\":1,\"start_index\":0}],"
                          "\"jobs\":[{\"id\":1,\"location_index\":4},{\"id\":2,"
                          "\"location_index\":2}]," LINE5 "}");
    cv_plan *plan = solve_checked(p, 20000, 1, NULL);
    assert_int_equal(plan->cost, 40);
    assert_int_equal(step_pos(plan, 0, CV_STEP_JOB, 0), 2);
    cv_plan_destroy(plan);
    cv_problem_destroy(p);
    p = parse("{\"vehicles\":[{\"id\":1,\"end_index\":0}],"
              "\"jobs\":[{\"id\":1,\"location_index\":4},{\"id\":2,"
              "\"location_index\":3}]," LINE5 "}");
    plan = solve_checked(p, 20000, 1, NULL);
    assert_int_equal(plan->cost, 40);
    cv_plan_destroy(plan);
    cv_problem_destroy(p);
}

static void test_priorities(void **state)
{
    (void)state;
    /* Room for one job only: the high-priority far one wins over the near one. */
    cv_problem *p = parse("{\"vehicles\":[{\"id\":1,\"start_index\":0,\"end_index\":0,"
                          "\"capacity\":[1]}],\"jobs\":[{\"id\":1,\"location_index\":1,"
                          "\"delivery\":[1]},{\"id\":2,\"location_index\":4,\"delivery\":[1],"
                          "\"priority\":10}]," LINE5 "}");
    cv_plan *plan = solve_checked(p, 20000, 1, NULL);
    assert_int_equal(vehicle_of(plan, 1), 0);
    assert_int_equal(reason_of(plan, 0), CV_REASON_NO_ROOM);
    assert_int_equal(plan->priority, 10);
    cv_plan_destroy(plan);
    cv_problem_destroy(p);
}

static void test_fixed_costs_and_speed(void **state)
{
    (void)state;
    /* Vehicle 1 is fast (speed 2) but has a fixed cost of 1000; vehicle 2
     * is cheaper overall.  Cost of vehicle 2: travel 80 (out and back). */
    cv_problem *p =
        parse("{\"vehicles\":[{\"id\":1,\"start_index\":0,\"end_index\":0,\"speed_factor\":2,"
              "\"costs\":{\"fixed\":1000}},{\"id\":2,\"start_index\":0,\"end_index\":0}],"
              "\"jobs\":[{\"id\":1,\"location_index\":4}]," LINE5 "}");
    cv_plan *plan = solve_checked(p, 20000, 1, NULL);
    assert_int_equal(vehicle_of(plan, 0), 1);
    assert_int_equal(plan->cost, 80);
    cv_plan_destroy(plan);
    cv_problem_destroy(p);
    /* Without the fixed cost the fast vehicle is cheaper (travel 40), and
     * its per_km cost counts: 3 per km over 800 m = 2.4, round(40 + 2.4). */
    p = parse("{\"vehicles\":[{\"id\":1,\"start_index\":0,\"end_index\":0,\"speed_factor\":2,"
              "\"costs\":{\"per_km\":3}},{\"id\":2,\"start_index\":0,\"end_index\":0,"
              "\"costs\":{\"per_hour\":7200}}],\"jobs\":[{\"id\":1,\"location_index\":4}]," LINE5
              "}");
    plan = solve_checked(p, 20000, 1, NULL);
    assert_int_equal(vehicle_of(plan, 0), 0);
    assert_int_equal(plan->cost, 42);
    assert_int_equal(plan->duration, 40);
    cv_plan_destroy(plan);
    cv_problem_destroy(p);
}

static void test_two_profiles(void **state)
{
    (void)state;
    /* The bike profile is slow to location 3 but fast to 1; the search must
     * use each vehicle's own matrix. */
    cv_problem *p =
        parse("{\"vehicles\":[{\"id\":1,\"profile\":\"car\",\"start_index\":0,\"end_index\":0},"
              "{\"id\":2,\"profile\":\"bike\",\"start_index\":0,\"end_index\":0}],"
              "\"jobs\":[{\"id\":1,\"location_index\":1,\"time_windows\":[[0,5]]},"
              "{\"id\":2,\"location_index\":3,\"time_windows\":[[0,35]]}],"
              "\"matrices\":{\"car\":{\"durations\":[[0,10,20,30],[10,0,10,20],[20,10,0,10],"
              "[30,20,10,0]]},\"bike\":{\"durations\":[[0,5,50,50],[5,0,50,50],[50,50,0,50],"
              "[50,50,50,0]]}}}");
    cv_plan *plan = solve_checked(p, 20000, 1, NULL);
    assert_int_equal(plan->nunassigned, 0);
    assert_int_equal(vehicle_of(plan, 0), 1);
    assert_int_equal(vehicle_of(plan, 1), 0);
    cv_plan_destroy(plan);
    cv_problem_destroy(p);
}

static void test_costs_matrix_and_warm_start(void **state)
{
    (void)state;
    /* A costs matrix decides the route cost; the warm start (an order worse
     * than the best) must be improved by the search, never made infeasible. */
    cv_problem *p =
        parse("{\"vehicles\":[{\"id\":1,\"start_index\":0,\"end_index\":0,\"steps\":["
              "{\"type\":\"start\"},{\"type\":\"job\",\"id\":3},{\"type\":\"job\",\"id\":1},"
              "{\"type\":\"job\",\"id\":2},{\"type\":\"end\"}]}],"
              "\"jobs\":[{\"id\":1,\"location_index\":1},{\"id\":2,\"location_index\":2},"
              "{\"id\":3,\"location_index\":3}],"
              "\"matrices\":{\"car\":{\"durations\":[[0,10,20,30],[10,0,10,20],[20,10,0,10],"
              "[30,20,10,0]],\"costs\":[[0,1,2,3],[1,0,1,2],[2,1,0,1],[3,2,1,0]]}}}");
    cv_plan *plan = solve_checked(p, 20000, 1, NULL);
    assert_int_equal(plan->cost, 6);
    cv_plan_destroy(plan);
    /* Construction alone keeps a feasible warm start. */
    cv_solver_config cfg;
    cv_solver_config_init(&cfg);
    cfg.algo = CV_SOLVER_CONSTRUCT;
    assert_int_equal(cv_solver_run(p, &cfg, &plan, NULL), CV_OK);
    assert_int_equal(plan->nunassigned, 0);
    assert_int_equal(plan->steps[1].index, 2); /* job 3 first, as given */
    cv_plan_destroy(plan);
    cv_problem_destroy(p);
}

/* A random problem with windows, shipments, two dimensions, breaks, skills. */
static char *random_problem_ex(uint64_t seed, uint32_t njobs, uint32_t nship, uint32_t nveh,
                               bool identical)
{
    cv_rng r;
    cv_rng_seed(&r, seed);
    uint32_t nloc = 1 + njobs + 2 * nship;
    size_t cap = 4096 + (size_t)nloc * nloc * 12 + (size_t)(njobs + nship) * 256;
    char *s = malloc(cap);
    size_t n = 0;
    double *x, *y;
    random_points(&r, nloc, &x, &y);
    n += (size_t)snprintf(s + n, cap - n, "{\"vehicles\":[");
    for (uint32_t v = 0; v < nveh; v++) {
        if (identical) {
            /* Interchangeable vehicles: what the 2-opt* local search needs. */
            n += (size_t)snprintf(s + n, cap - n,
                                  "%s{\"id\":%u,\"start_index\":0,\"end_index\":0,"
                                  "\"capacity\":[40,30],\"skills\":[0,1],\"time_window\":[0,1100]}",
                                  v ? "," : "", v + 1);
            continue;
        }
        n += (size_t)snprintf(s + n, cap - n,
                              "%s{\"id\":%u,\"start_index\":0%s,\"capacity\":[%u,%u],"
                              "\"skills\":[%u],\"time_window\":[0,%u]%s}",
                              v ? "," : "", v + 1, v % 3 == 2 ? "" : ",\"end_index\":0",
                              30 + cv_rng_below(&r, 30), 20 + cv_rng_below(&r, 20), v % 2,
                              900 + cv_rng_below(&r, 300),
                              v % 2 ? ",\"breaks\":[{\"id\":1,\"time_windows\":[[200,400]],"
                                      "\"service\":30,\"max_load\":[25,25]}]"
                                    : "");
    }
    n += (size_t)snprintf(s + n, cap - n, "],\"jobs\":[");
    for (uint32_t j = 0; j < njobs; j++) {
        uint32_t a = cv_rng_below(&r, 800), w = 60 + cv_rng_below(&r, 200);
        n += (size_t)snprintf(
            s + n, cap - n,
            "%s{\"id\":%u,\"location_index\":%u,\"service\":%u,\"setup\":%u,\"delivery\":[%u,%u],"
            "\"pickup\":[%u,0],\"skills\":[%u],\"priority\":%u,\"time_windows\":[[%u,%u],[%u,%u]]}",
            j ? "," : "", j + 1, 1 + j, 5 + cv_rng_below(&r, 10), cv_rng_below(&r, 5),
            cv_rng_below(&r, 8), cv_rng_below(&r, 6), cv_rng_below(&r, 5), cv_rng_below(&r, 2),
            cv_rng_below(&r, 4) == 0 ? 5 : 0, a / 2, a / 2 + w / 3, a + w, a + 2 * w);
    }
    n += (size_t)snprintf(s + n, cap - n, "],\"shipments\":[");
    for (uint32_t k = 0; k < nship; k++) {
        uint32_t a = cv_rng_below(&r, 600);
        n += (size_t)snprintf(
            s + n, cap - n,
            "%s{\"amount\":[%u,%u],\"pickup\":{\"id\":%u,\"location_index\":%u,\"service\":5,"
            "\"time_windows\":[[%u,%u]]},\"delivery\":{\"id\":%u,\"location_index\":%u,"
            "\"service\":5,\"time_windows\":[[%u,%u]]}}",
            k ? "," : "", 1 + cv_rng_below(&r, 8), cv_rng_below(&r, 5), k + 1, 1 + njobs + 2 * k, a,
            a + 300, k + 1, 2 + njobs + 2 * k, a + 50, a + 500);
    }
    n += (size_t)snprintf(s + n, cap - n, "],\"matrices\":{\"car\":{\"durations\":");
    n = write_distance_rows(s, n, cap, x, y, nloc, 1.1);
    n += (size_t)snprintf(s + n, cap - n, "}}}");
    free(x);
    free(y);
    return s;
}

static char *random_problem(uint64_t seed, uint32_t njobs, uint32_t nship, uint32_t nveh)
{
    return random_problem_ex(seed, njobs, nship, nveh, false);
}

static void test_random_rich_problems(void **state)
{
    (void)state;
    uint32_t nprob = quick() ? 4 : 12;
    for (uint32_t i = 0; i < nprob; i++) {
        char *json = random_problem(100 + i, 25 + i * 3, 6 + i, 4 + i % 3);
        cv_problem *p = parse(json);
        cv_plan *plan = solve_checked(p, quick() ? 100000 : 400000, i, NULL);
        /* Every unassigned task has a real reason. */
        for (uint32_t k = 0; k < plan->nunassigned; k++)
            assert_int_not_equal(plan->unassigned[k].reason, CV_REASON_NONE);
        cv_plan_destroy(plan);
        cv_problem_destroy(p);
        free(json);
    }
}

/* The same problems with every local-search family switched on, applied
 * after each recreate and on new bests (every move's cost and feasibility
 * is also checked against the full evaluation in CV_DEBUG_CHECKS builds),
 * then one family at a time. */
static void test_random_rich_problems_local_search(void **state)
{
    static const int whens[] = {CV_LS_WHEN_RECREATE, CV_LS_WHEN_BEST};
    for (int w = 0; w < 2; w++) {
        use_local_search = CV_LS_ALL;
        use_ls_when = whens[w];
        test_random_rich_problems(state);
        /* Identical vehicles, jobs and shipments: tails with open shipments
         * must not be cut, shipments move as pairs. */
        for (uint32_t i = 0; i < (quick() ? 2u : 6u); i++) {
            char *json = random_problem_ex(300 + i, i % 2 ? 0 : 40, 20, 6, true);
            cv_problem *p = parse(json);
            cv_plan *plan = solve_checked(p, 200000, i, NULL);
            cv_plan_destroy(plan);
            cv_problem_destroy(p);
            free(json);
        }
    }
    use_ls_when = CV_LS_WHEN_RECREATE;
    for (unsigned f = 1; f < CV_LS_ALL; f <<= 1) {
        use_local_search = (int)f;
        char *json = random_problem_ex(400 + f, 50, 6, 5, f % 2 == 0);
        cv_problem *p = parse(json);
        cv_plan *plan = solve_checked(p, quick() ? 50000 : 200000, f, NULL);
        cv_plan_destroy(plan);
        cv_problem_destroy(p);
        free(json);
    }
    use_local_search = use_ls_when = -1;
}

/* Vehicles first: one route serving both jobs (cost 120) beats two routes
 * (cost 40); the cost objective keeps two.  The fleet phase must also give
 * fewer routes than the cost objective on a random problem. */
static void test_objective_vehicles(void **state)
{
    (void)state;
    cv_problem *p =
        parse("{\"vehicles\":[{\"id\":1,\"start_index\":0,\"end_index\":0},"
              "{\"id\":2,\"start_index\":0,\"end_index\":0}],"
              "\"jobs\":[{\"id\":1,\"location_index\":1},{\"id\":2,\"location_index\":2}],"
              "\"matrices\":{\"car\":{\"durations\":[[0,10,10],[10,0,100],[10,100,0]]}}}");
    cv_plan *plan = solve_checked(p, 20000, 1, NULL);
    assert_int_equal(plan->nroutes, 2);
    assert_int_equal(plan->cost, 40);
    cv_plan_destroy(plan);
    use_objective = CV_OBJECTIVE_VEHICLES;
    plan = solve_checked(p, 20000, 1, NULL);
    assert_int_equal(plan->nroutes, 1);
    assert_int_equal(plan->cost, 120);
    cv_plan_destroy(plan);
    cv_problem_destroy(p);
    /* A random problem with identical vans: never more routes than the cost objective. */
    char *json = random_problem_ex(77, 60, 6, 12, true);
    p = parse(json);
    use_objective = CV_OBJECTIVE_COST;
    cv_plan *a = solve_checked(p, 300000, 3, NULL);
    use_objective = CV_OBJECTIVE_VEHICLES;
    cv_plan *b = solve_checked(p, 300000, 3, NULL);
    assert_true(b->nunassigned <= a->nunassigned);
    if (b->nunassigned == a->nunassigned) assert_true(b->nroutes <= a->nroutes);
    cv_plan_destroy(a);
    cv_plan_destroy(b);
    cv_problem_destroy(p);
    free(json);
    use_objective = -1;
}

/* The routes of a plan as text (vehicle, then step types and tasks), to
 * compare two plans without their timing fields. */
static char *plan_routes_text(const cv_plan *plan)
{
    size_t cap = 64 + (size_t)plan->nroutes * 16, n = 0;
    for (uint32_t r = 0; r < plan->nroutes; r++) cap += (size_t)plan->routes[r].step_count * 16;
    char *s = malloc(cap);
    assert_non_null(s);
    s[0] = 0;
    for (uint32_t r = 0; r < plan->nroutes; r++) {
        n += (size_t)snprintf(s + n, cap - n, "v%u:", plan->routes[r].vehicle);
        for (uint32_t k = 0; k < plan->routes[r].step_count; k++) {
            const cv_plan_step *st = &plan->steps[plan->routes[r].step_first + k];
            n += (size_t)snprintf(s + n, cap - n, " %d/%u", (int)st->type, st->index);
        }
        n += (size_t)snprintf(s + n, cap - n, ";");
    }
    return s;
}

/* ls_when auto: best with shipments or the vehicles objective, recreate on
 * jobs alone.  Same seed and effort give the same plan, so auto must give
 * exactly the plan of the placement it stands for; each problem is one where
 * the two placements give different plans, so a wrong choice fails. */
static void test_ls_when_auto(void **state)
{
    (void)state;
    static const struct {
        uint32_t seed, njobs, nship;
        int objective, expect;
    } cases[] = {
        {501, 40, 0, CV_OBJECTIVE_COST, CV_LS_WHEN_RECREATE},
        {502, 10, 15, CV_OBJECTIVE_COST, CV_LS_WHEN_BEST},
        {503, 40, 0, CV_OBJECTIVE_VEHICLES, CV_LS_WHEN_BEST},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char *json = random_problem_ex(cases[i].seed, cases[i].njobs, cases[i].nship, 8, true);
        cv_problem *p = parse(json);
        use_objective = cases[i].objective;
        char *text[3];
        static const int whens[3] = {CV_LS_WHEN_AUTO, CV_LS_WHEN_RECREATE, CV_LS_WHEN_BEST};
        for (int w = 0; w < 3; w++) {
            use_ls_when = whens[w];
            cv_plan *plan = solve_checked(p, 150000, 1, NULL);
            text[w] = plan_routes_text(plan);
            cv_plan_destroy(plan);
        }
        assert_string_not_equal(text[1], text[2]);
        assert_string_equal(text[0], text[cases[i].expect == CV_LS_WHEN_RECREATE ? 1 : 2]);
        for (int w = 0; w < 3; w++) free(text[w]);
        cv_problem_destroy(p);
        free(json);
    }
    use_ls_when = use_objective = -1;
}

/* Operator lists: names, "all", "none"; unknown names are refused. */
static void test_local_search_options(void **state)
{
    (void)state;
    unsigned ops = 12345;
    assert_true(cv_solver_ls_parse("relocate,2opt*", &ops));
    assert_int_equal(ops, CV_LS_RELOCATE | CV_LS_TWO_OPT_STAR);
    assert_true(cv_solver_ls_parse("all", &ops));
    assert_int_equal(ops, CV_LS_ALL);
    assert_true(cv_solver_ls_parse("swap*,swap", &ops));
    assert_int_equal(ops, CV_LS_SWAP_STAR | CV_LS_SWAP);
    assert_true(cv_solver_ls_parse("default", &ops));
    assert_int_equal(ops, CV_LS_ALL & ~(unsigned)CV_LS_SWAP_STAR);
    assert_true(cv_solver_ls_parse("none", &ops));
    assert_int_equal(ops, 0);
    assert_false(cv_solver_ls_parse("relocate,bogus", &ops));
    assert_false(cv_solver_ls_parse("", &ops));
    assert_int_equal(ops, 0);
    cv_problem *p = parse("{\"vehicles\":[{\"id\":1,\"start_index\":0}],"
                          "\"jobs\":[{\"id\":1,\"location_index\":1}]," LINE5 "}");
    cv_solver_config cfg;
    cv_solver_config_init(&cfg);
    cfg.local_search = 1u << 20;
    cv_plan *plan = NULL;
    cv_diag d;
    cv_diag_clear(&d);
    assert_int_equal(cv_solver_run(p, &cfg, &plan, &d), CV_EINVAL);
    assert_non_null(strstr(d.msg, "local_search"));
    cv_solver_config_init(&cfg);
    cfg.ls_when = 7;
    cv_diag_clear(&d);
    assert_int_equal(cv_solver_run(p, &cfg, &plan, &d), CV_EINVAL);
    assert_non_null(strstr(d.msg, "ls_when"));
    assert_null(plan);
    cv_problem_destroy(p);
}

static void test_determinism(void **state)
{
    (void)state;
    char *json = random_problem(7, 40, 8, 5);
    cv_problem *p = parse(json);
    char *a = NULL, *b = NULL, *c = NULL;
    cv_plan *pa = solve_checked(p, 300000, 42, &a);
    cv_plan *pb = solve_checked(p, 300000, 42, &b);
    cv_plan *pc = solve_checked(p, 300000, 43, &c);
    /* Computing times differ between runs: compare from the unassigned list on. */
    char *ra = strstr(a, "\"unassigned\":["), *rb = strstr(b, "\"unassigned\":[");
    assert_non_null(ra);
    assert_non_null(rb);
    assert_string_equal(ra, rb);
    assert_int_equal(pa->cost, pb->cost);
    (void)pc;
    cv_plan_destroy(pa);
    cv_plan_destroy(pb);
    cv_plan_destroy(pc);
    free(a);
    free(b);
    free(c);
    cv_problem_destroy(p);
    free(json);
}

static void test_search_improves(void **state)
{
    (void)state;
    /* The search must beat construction alone on a random problem (same objective order). */
    char *json = random_problem(11, 60, 0, 6);
    cv_problem *p = parse(json);
    cv_solver_config cfg;
    cv_solver_config_init(&cfg);
    cfg.algo = CV_SOLVER_CONSTRUCT;
    cv_plan *c0 = NULL;
    assert_int_equal(cv_solver_run(p, &cfg, &c0, NULL), CV_OK);
    cv_plan *c1 = solve_checked(p, 1000000, 1, NULL);
    assert_true(c1->priority > c0->priority ||
                (c1->priority == c0->priority && c1->nunassigned < c0->nunassigned) ||
                (c1->priority == c0->priority && c1->nunassigned == c0->nunassigned &&
                 c1->cost < c0->cost));
    cv_plan_destroy(c0);
    cv_plan_destroy(c1);
    cv_problem_destroy(p);
    free(json);
}

static void test_bad_config(void **state)
{
    (void)state;
    cv_problem *p = parse("{\"vehicles\":[{\"id\":1,\"start_index\":0}],"
                          "\"jobs\":[{\"id\":1,\"location_index\":1}]," LINE5 "}");
    cv_solver_config cfg;
    cv_solver_config_init(&cfg);
    cfg.threads = 0;
    cv_plan *plan = NULL;
    cv_diag d;
    cv_diag_clear(&d);
    assert_int_equal(cv_solver_run(p, &cfg, &plan, &d), CV_EINVAL);
    assert_null(plan);
    assert_non_null(strstr(d.msg, "threads"));
    /* Several threads: still a checked plan, and deterministic. */
    cfg.threads = 2;
    cfg.max_effort = 10000;
    assert_int_equal(cv_solver_run(p, &cfg, &plan, &d), CV_OK);
    assert_int_equal(plan->nunassigned, 0);
    cv_plan_destroy(plan);
    cv_problem_destroy(p);
}

/* Progress reports come from the search; a cancel from another thread stops it. */
typedef struct progress_log {
    int calls;
    double last_cost, first_cost;
    atomic_int *cancel_after; /* set after this many reports when not NULL */
    int cancel_at;
} progress_log;

static void on_progress(void *ud, const cv_solver_progress *pr)
{
    progress_log *log = ud;
    if (log->calls == 0) log->first_cost = pr->best_cost;
    log->calls++;
    log->last_cost = pr->best_cost;
    assert_true(pr->elapsed_s >= 0);
    if (log->cancel_after && log->calls == log->cancel_at) atomic_store(log->cancel_after, 1);
}

static void test_progress_and_cancel(void **state)
{
    (void)state;
    char *json = random_problem(5, 60, 0, 6);
    cv_problem *p = parse(json);
    cv_solver_config cfg;
    cv_solver_config_init(&cfg);
    progress_log log = {0};
    cfg.on_progress = on_progress;
    cfg.progress_ud = &log;
    cfg.max_effort = 3000000;
    cv_plan *plan = NULL;
    assert_int_equal(cv_solver_run(p, &cfg, &plan, NULL), CV_OK);
    assert_true(log.calls >= 1);                  /* at least the final report */
    assert_true(log.last_cost <= log.first_cost); /* the best only improves */
    cv_plan_destroy(plan);

    /* Unbounded effort and no time limit: only the cancel can end this search. */
    atomic_int cancel;
    atomic_init(&cancel, 0);
    progress_log log2 = {.cancel_after = &cancel, .cancel_at = 3};
    cfg.progress_ud = &log2;
    cfg.cancel = &cancel;
    cfg.max_effort = UINT64_MAX;
    plan = NULL;
    assert_int_equal(cv_solver_run(p, &cfg, &plan, NULL), CV_ECANCELED);
    assert_null(plan);
    assert_true(log2.calls >= 3);
    cv_problem_destroy(p);
    free(json);
}

/* From 256 locations the search reads renumbered copies of the matrices
 * (solver/ctx.c); the checker reads the input's.  A plan built on a wrong
 * renumbering shows as travel mismatches or violations there. */
static void test_large_problem_renumbered(void **state)
{
    (void)state;
    char *json = random_problem_ex(21, 300, 10, 12, false);
    cv_problem *p = parse(json);
    assert_true(p->nlocs >= 256);
    cv_plan *plan = solve_checked(p, quick() ? 300000 : 1500000, 3, NULL);
    assert_true(plan->nroutes > 0);
    cv_plan_destroy(plan);
    cv_problem_destroy(p);
    free(json);
}

static double process_cpu(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Sleeps in the progress callback: wall time passes, CPU time does not. */
static void on_progress_sleep(void *ud, const cv_solver_progress *pr)
{
    progress_log *log = ud;
    log->calls++;
    log->last_cost = pr->elapsed_s;
    struct timespec nap = {0, 40 * 1000 * 1000};
    nanosleep(&nap, NULL);
}

/* time_limit_cpu: the limit counts the search thread's CPU time, so a
 * search that sleeps (as one on a loaded machine waits) still gets its
 * CPU seconds; with a wall-clock limit the sleeps would eat most of them. */
static void test_cpu_time_limit(void **state)
{
    (void)state;
    char *json = random_problem(5, 60, 0, 6);
    cv_problem *p = parse(json);
    cv_solver_config cfg;
    cv_solver_config_init(&cfg);
    progress_log log = {0};
    cfg.on_progress = on_progress_sleep;
    cfg.progress_ud = &log;
    cfg.max_effort = UINT64_MAX; /* only the limit can end the search */
    cfg.time_limit_s = 0.3;
    cfg.time_limit_cpu = 1;
    cv_plan *plan = NULL;
    double w0 = cv_clock_now(), c0 = process_cpu();
    assert_int_equal(cv_solver_run_stats(p, &cfg, &plan, NULL), CV_OK);
    double wall = cv_clock_now() - w0, cpu = process_cpu() - c0;
    assert_non_null(plan);
    /* About one nap per 100 ms: a wall-clock limit would leave <= 0.2 s CPU. */
    assert_true(log.calls >= 3);
    assert_true(cpu >= 0.27);
    assert_true(log.last_cost >= 0.3); /* elapsed_s is CPU time */
    assert_true(wall >= cpu + 0.04 * (log.calls - 1));
    assert_true(cfg.stat_iterations > 0);
    cv_plan_destroy(plan);
    /* Two threads: each stops on its own clock; still a checked plan. */
    cfg.on_progress = NULL;
    cfg.threads = 2;
    cfg.time_limit_s = 0.15;
    c0 = process_cpu();
    plan = solve_checked_cfg(p, &cfg, NULL);
    assert_true(process_cpu() - c0 >= 0.25); /* both threads searched */
    cv_plan_destroy(plan);
    cv_problem_destroy(p);
    free(json);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_skills),
        cmocka_unit_test(test_multi_windows_and_setup),
        cmocka_unit_test(test_breaks_max_load),
        cmocka_unit_test(test_shipments),
        cmocka_unit_test(test_multi_capacity_and_max_tasks),
        cmocka_unit_test(test_travel_limits),
        cmocka_unit_test(test_open_routes),
        cmocka_unit_test(test_priorities),
        cmocka_unit_test(test_fixed_costs_and_speed),
        cmocka_unit_test(test_two_profiles),
        cmocka_unit_test(test_costs_matrix_and_warm_start),
        cmocka_unit_test(test_random_rich_problems),
        cmocka_unit_test(test_random_rich_problems_local_search),
        cmocka_unit_test(test_local_search_options),
        cmocka_unit_test(test_objective_vehicles),
        cmocka_unit_test(test_ls_when_auto),
        cmocka_unit_test(test_determinism),
        cmocka_unit_test(test_search_improves),
        cmocka_unit_test(test_bad_config),
        cmocka_unit_test(test_progress_and_cancel),
        cmocka_unit_test(test_cpu_time_limit),
        cmocka_unit_test(test_large_problem_renumbered),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
