/* Tests of cv_solver_run on the care extensions (docs/care-extensions.md):
 * one small problem per rule, each forcing the property the rule asks
 * (a forbidden worker never gets the client, two carers start together, a
 * precedence gap holds, lateness is paid and capped, ...), plus random
 * problems mixing every rule and determinism.  Every plan is judged by the
 * independent checker (cv_check_json): no violation, no mismatch of any
 * stated figure (costs with lateness, overtime, preferences, fairness). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "solver_test_util.h"

static int use_local_search; /* set by the test of vehicle lists with 2-opt* */

/* Solves, writes, checks; returns the plan (caller destroys), the JSON text
 * when json_out is not NULL. */
static cv_plan *solve_checked(const cv_problem *p, uint64_t effort, uint64_t seed, char **json_out)
{
    cv_solver_config cfg;
    cv_solver_config_init(&cfg);
    cfg.max_effort = effort;
    cfg.seed = seed;
    cfg.local_search = use_local_search;
    return solve_checked_cfg(p, &cfg, json_out);
}

static int64_t begin_of(const cv_plan *plan, uint32_t t)
{
    const cv_plan_step *s = step_of(plan, t, NULL);
    assert_non_null(s);
    return s->arrival + s->waiting;
}

/* A line of 5 locations 0..4, 10 apart. */
#define LINE5                                                                                      \
    "\"matrices\":{\"car\":{\"durations\":[[0,10,20,30,40],[10,0,10,20,30],[20,10,0,10,20],"       \
    "[30,20,10,0,10],[40,30,20,10,0]]}}"

static void test_vehicle_lists(void **state)
{
    (void)state;
    cv_problem *p = parse(
        "{\"vehicles\":[{\"id\":1,\"start_index\":0,\"end_index\":0},{\"id\":2,\"start_index\":0,"
        "\"end_index\":0},{\"id\":3,\"start_index\":4,\"end_index\":4,\"skills\":[7]}],"
        "\"jobs\":[{\"id\":10,\"location_index\":1,\"forbidden_vehicles\":[1,2]},"
        "{\"id\":11,\"location_index\":3,\"allowed_vehicles\":[2]},"
        "{\"id\":12,\"location_index\":3,\"allowed_vehicles\":[1,2],\"skills\":[7]}]," LINE5 "}");
    cv_plan *plan = solve_checked(p, 20000, 1, NULL);
    assert_int_equal(vehicle_of(plan, 0), 2); /* the far worker: the others are forbidden */
    assert_int_equal(vehicle_of(plan, 1), 1); /* only worker 2 is allowed */
    assert_int_equal(plan->nunassigned, 1);   /* skills only on a worker not allowed */
    assert_int_equal(reason_of(plan, 2), CV_REASON_VEHICLES);
    cv_plan_destroy(plan);
    cv_problem_destroy(p);
}

/* Vehicle lists alone keep the fast insertion checks and the 2-opt* local
 * search (the lists live in the skills table): many jobs, each forbidden or
 * allowed some of the workers, planned with the local search on. */
static void test_vehicle_lists_local_search(void **state)
{
    (void)state;
    char buf[8192];
    size_t n = (size_t)snprintf(buf, sizeof buf,
                                "{\"vehicles\":[{\"id\":1,\"start_index\":0,\"end_index\":0},"
                                "{\"id\":2,\"start_index\":4,\"end_index\":4},{\"id\":3,"
                                "\"start_index\":2,\"end_index\":2}],\"jobs\":[");
    for (int j = 0; j < 24; j++)
        n += (size_t)snprintf(buf + n, sizeof buf - n,
                              "%s{\"id\":%d,\"location_index\":%d,\"service\":5,\"%s\":[%d]}",
                              j ? "," : "", j + 1, j % 5,
                              j % 2 ? "forbidden_vehicles" : "allowed_vehicles", 1 + (j * 7) % 3);
    snprintf(buf + n, sizeof buf - n, "]," LINE5 "}");
    cv_problem *p = parse(buf);
    use_local_search = 1;
    cv_plan *plan = solve_checked(p, 200000, 3, NULL);
    use_local_search = 0;
    assert_int_equal(plan->nunassigned, 0);
    for (uint32_t t = 0; t < p->ntasks; t++) {
        int v = vehicle_of(plan, t), listed = 1 + ((int)t * 7) % 3 - 1;
        if (t % 2)
            assert_int_not_equal(v, listed);
        else
            assert_int_equal(v, listed);
    }
    cv_plan_destroy(plan);
    cv_problem_destroy(p);
}

static void test_preferred_vehicles(void **state)
{
    (void)state;
    /* Worker 2 lives at the far end: 60 of travel instead of 20.  A
     * preference worth 1000 pays for it, one worth 10 does not. */
    const char *fmt =
        "{\"vehicles\":[{\"id\":1,\"start_index\":0,\"end_index\":0},{\"id\":2,"
        "\"start_index\":4,\"end_index\":4}],\"jobs\":[{\"id\":10,"
        "\"location_index\":1,\"preferred_vehicles\":[2],\"preference_cost\":%d}]," LINE5 "}";
    char buf[1024];
    snprintf(buf, sizeof buf, fmt, 1000);
    cv_problem *p = parse(buf);
    cv_plan *plan = solve_checked(p, 20000, 1, NULL);
    assert_int_equal(vehicle_of(plan, 0), 1);
    assert_int_equal(plan->cost, 60);
    cv_plan_destroy(plan);
    cv_problem_destroy(p);
    snprintf(buf, sizeof buf, fmt, 10);
    p = parse(buf);
    plan = solve_checked(p, 20000, 1, NULL);
    assert_int_equal(vehicle_of(plan, 0), 0);
    assert_int_equal(plan->cost, 20 + 10);
    cv_plan_destroy(plan);
    cv_problem_destroy(p);
}

static void test_soft_windows(void **state)
{
    (void)state;
    /* Job 10 (40 away) ends its window at 10: 30 late, within its max 100,
     * at one unit per second.  Job 11 may be 10 late, but the earliest
     * arrival is 25 late: it cannot be planned.  Job 12 has a hard window. */
    cv_problem *p = parse(
        "{\"vehicles\":[{\"id\":1,\"start_index\":0,\"end_index\":0,\"time_window\":[0,1000]}],"
        "\"jobs\":[{\"id\":10,\"location_index\":4,\"time_windows\":[[0,10]],"
        "\"lateness\":{\"max\":100,\"per_hour\":3600}},{\"id\":11,\"location_index\":3,"
        "\"time_windows\":[[0,5]],\"lateness\":{\"max\":10,\"per_hour\":3600}},"
        "{\"id\":12,\"location_index\":2,\"time_windows\":[[0,5]]}]," LINE5 "}");
    cv_plan *plan = solve_checked(p, 20000, 1, NULL);
    assert_int_equal(begin_of(plan, 0), 40);
    assert_int_equal(plan->cost, 80 + 30); /* travel + lateness */
    assert_int_equal(plan->nunassigned, 2);
    assert_int_equal(reason_of(plan, 1), CV_REASON_TIME_WINDOW);
    assert_int_equal(reason_of(plan, 2), CV_REASON_TIME_WINDOW);
    cv_plan_destroy(plan);
    cv_problem_destroy(p);
}

static void test_working_time(void **state)
{
    (void)state;
    /* Worker 1 may work 50: enough for location 1 (20), not location 4 (80).
     * Worker 2 starts when its first visit needs it (window opens at 500),
     * takes an unpaid break that does not count, and pays overtime past 60. */
    cv_problem *p =
        parse("{\"vehicles\":[{\"id\":1,\"start_index\":0,\"end_index\":0,\"max_working_time\":50},"
              "{\"id\":2,\"start_index\":0,\"end_index\":0,\"max_working_time\":100,"
              "\"overtime\":{\"after\":60,\"per_hour\":7200},\"breaks\":[{\"id\":1,\"service\":300,"
              "\"time_windows\":[[500,2000]],\"paid\":false}]}],"
              "\"jobs\":[{\"id\":10,\"location_index\":1,\"time_windows\":[[0,100]]},{\"id\":11,"
              "\"location_index\":4,\"time_windows\":[[500,600]]}]," LINE5 "}");
    cv_plan *plan = solve_checked(p, 20000, 1, NULL);
    assert_int_equal(vehicle_of(plan, 0), 0);
    assert_int_equal(vehicle_of(plan, 1), 1);
    uint32_t r = 0;
    assert_non_null(step_of(plan, 1, &r));
    const cv_plan_step *first = &plan->steps[plan->routes[r].step_first];
    const cv_plan_step *last =
        &plan->steps[plan->routes[r].step_first + plan->routes[r].step_count - 1];
    assert_true(first->arrival > 0); /* the flexible start */
    int64_t work = last->arrival - first->arrival - 300;
    assert_true(work <= 100);
    /* 80 of travel + 2 x (work - 60) of overtime, on top of worker 1's 20. */
    assert_int_equal(plan->cost, 20 + 80 + 2 * (work - 60));
    cv_plan_destroy(plan);
    cv_problem_destroy(p);
}

static void test_max_ride_time(void **state)
{
    (void)state;
    /* A hot meal from the canteen (0) to a home (4) whose window opens at
     * 200: leaving at once would ride 200; the meal must wait at the canteen.
     * Another visit on the way (2) would lengthen the ride past 50. */
    cv_problem *p =
        parse("{\"vehicles\":[{\"id\":1,\"start_index\":0,\"end_index\":0,\"capacity\":[1]}],"
              "\"jobs\":[{\"id\":20,\"location_index\":2,\"service\":100}],"
              "\"shipments\":[{\"pickup\":{\"id\":1,\"location_index\":0},\"delivery\":{\"id\":1,"
              "\"location_index\":4,\"time_windows\":[[200,300]]},\"amount\":[1],"
              "\"max_ride_time\":50}]," LINE5 "}");
    cv_plan *plan = solve_checked(p, 20000, 1, NULL);
    assert_int_equal(plan->nunassigned, 0);
    const cv_plan_step *pu = step_of(plan, 1, NULL), *de = step_of(plan, 2, NULL);
    assert_non_null(pu);
    assert_non_null(de);
    assert_true(de->arrival + de->waiting - (pu->arrival + pu->waiting + pu->service) <= 50);
    cv_plan_destroy(plan);
    cv_problem_destroy(p);
}

static void test_fairness(void **state)
{
    (void)state;
    /* Each worker has a client of their own at location 1; four more visits
     * of 100 there may go to either.  Fairness shares them out evenly. */
    cv_problem *p = parse(
        "{\"fairness\":{\"per_hour\":36000},\"vehicles\":[{\"id\":1,\"start_index\":0,"
        "\"end_index\":0},{\"id\":2,\"start_index\":0,\"end_index\":0}],\"jobs\":[{\"id\":1,"
        "\"location_index\":1,\"allowed_vehicles\":[1]},{\"id\":2,\"location_index\":1,"
        "\"allowed_vehicles\":[2]},{\"id\":3,\"location_index\":1,\"service\":100},{\"id\":4,"
        "\"location_index\":1,\"service\":100},{\"id\":5,\"location_index\":1,\"service\":100},"
        "{\"id\":6,\"location_index\":1,\"service\":100}]," LINE5 "}");
    char *json = NULL;
    cv_plan *plan = solve_checked(p, 50000, 1, &json);
    assert_int_equal(plan->nroutes, 2);
    assert_int_equal(plan->working_time_spread, 0);
    assert_int_equal(plan->cost, 40);
    assert_non_null(strstr(json, "\"working_time_spread\":0"));
    free(json);
    cv_plan_destroy(plan);
    cv_problem_destroy(p);
}

static void test_two_workers(void **state)
{
    (void)state;
    /* A bath for two at location 3: three workers from different places;
     * the two chosen start together (the nearer one waits). */
    cv_problem *p = parse(
        "{\"vehicles\":[{\"id\":1,\"start_index\":0,\"end_index\":0},{\"id\":2,\"start_index\":4,"
        "\"end_index\":4},{\"id\":3,\"start_index\":2,\"end_index\":2,\"skills\":[1]}],"
        "\"jobs\":[{\"id\":7,\"location_index\":3,\"service\":50,\"workers\":2,"
        "\"skills\":[1]},{\"id\":8,\"location_index\":3,\"workers\":2,\"service\":20}]," LINE5 "}");
    /* Job 7 needs skill 1: only worker 3 has it, so it cannot be planned. */
    cv_plan *plan = solve_checked(p, 20000, 1, NULL);
    assert_int_equal(plan->nunassigned, 1); /* listed once */
    assert_int_equal(plan->unassigned[0].task, 0);
    int v0 = vehicle_of(plan, 2), v1 = vehicle_of(plan, 3);
    assert_true(v0 >= 0 && v1 >= 0 && v0 != v1);
    assert_int_equal(begin_of(plan, 2), begin_of(plan, 3));
    cv_plan_destroy(plan);
    cv_problem_destroy(p);
}

static void test_relations(void **state)
{
    (void)state;
    /* Together: a nurse (skill 1, at 0) and a carer (skill 2, at 4, free from
     * 100) at one home (2).  Precedence: visit 31 at 1 then 32 at 3 between
     * 200 and 300 later, by different workers. */
    cv_problem *p = parse(
        "{\"vehicles\":[{\"id\":1,\"start_index\":0,\"end_index\":0,\"skills\":[1]},"
        "{\"id\":2,\"start_index\":4,\"end_index\":4,\"skills\":[2],\"time_window\":[100,5000]}],"
        "\"jobs\":[{\"id\":40,\"location_index\":2,\"skills\":[1],\"service\":30},{\"id\":41,"
        "\"location_index\":2,\"skills\":[2],\"service\":60},{\"id\":31,\"location_index\":1},"
        "{\"id\":32,\"location_index\":3}],\"relations\":[{\"type\":\"together\",\"first\":40,"
        "\"second\":41},{\"type\":\"precedence\",\"first\":31,\"second\":32,\"min_gap\":200,"
        "\"max_gap\":300,\"distinct_workers\":true}]," LINE5 "}");
    cv_plan *plan = solve_checked(p, 30000, 1, NULL);
    assert_int_equal(plan->nunassigned, 0);
    assert_int_equal(begin_of(plan, 0), begin_of(plan, 1));
    assert_true(begin_of(plan, 0) >= 110);
    int64_t gap = begin_of(plan, 3) - begin_of(plan, 2);
    assert_true(gap >= 200 && gap <= 300);
    assert_int_not_equal(vehicle_of(plan, 2), vehicle_of(plan, 3));
    cv_plan_destroy(plan);
    cv_problem_destroy(p);
}

static void test_reasons(void **state)
{
    (void)state;
    /* One worker with both skills: each visit of the pair fits alone, the
     * pair (distinct workers) does not; the same for a visit for two.  A
     * visit too far for the working time; a meal that cannot be hot. */
    cv_problem *p =
        parse("{\"vehicles\":[{\"id\":1,\"start_index\":0,\"end_index\":0,\"skills\":[1,2],"
              "\"max_working_time\":70,\"capacity\":[1]}],"
              "\"jobs\":[{\"id\":40,\"location_index\":1,\"skills\":[1]},{\"id\":41,"
              "\"location_index\":1,\"skills\":[2]},{\"id\":42,\"location_index\":2,\"workers\":2},"
              "{\"id\":43,\"location_index\":4}],\"shipments\":[{\"pickup\":{\"id\":1,"
              "\"location_index\":0,\"time_windows\":[[0,0]]},\"delivery\":{\"id\":1,"
              "\"location_index\":2,\"time_windows\":[[50,60]]},\"amount\":[1],"
              "\"max_ride_time\":25}],\"relations\":[{\"type\":\"together\",\"first\":40,"
              "\"second\":41}]," LINE5 "}");
    cv_plan *plan = solve_checked(p, 20000, 1, NULL);
    assert_int_equal(plan->nroutes, 0);
    assert_int_equal(reason_of(plan, 0), CV_REASON_RELATIONS);
    assert_int_equal(reason_of(plan, 1), CV_REASON_RELATIONS);
    assert_int_equal(reason_of(plan, 2), CV_REASON_RELATIONS);
    assert_int_equal(reason_of(plan, 3), CV_REASON_NONE); /* the visit for two: listed once */
    assert_int_equal(reason_of(plan, 4), CV_REASON_MAX_WORKING_TIME);
    assert_int_equal(reason_of(plan, 5), CV_REASON_MAX_RIDE_TIME);
    cv_plan_destroy(plan);
    cv_problem_destroy(p);
}

/* ---- Random problems mixing every rule ---- */

static uint64_t rng_state;
static uint32_t rnd(uint32_t n)
{
    rng_state = rng_state * 6364136223846793005ull + 1442695040888963407ull;
    return (uint32_t)((rng_state >> 33) % n);
}

/* Appends to buf at *len. */
static void add(char *buf, size_t *len, size_t cap, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf + *len, cap - *len, fmt, ap);
    va_end(ap);
    assert_true(n >= 0 && (size_t)n < cap - *len);
    *len += (size_t)n;
}

static char *random_problem(uint64_t seed)
{
    rng_state = seed;
    const size_t cap = 1 << 16;
    char *b = malloc(cap);
    size_t n = 0;
    const uint32_t L = 8, NV = 4, NJ = 14;
    add(b, &n, cap, "{");
    if (rnd(2)) add(b, &n, cap, "\"fairness\":{\"per_hour\":%u},", 600 * (1 + rnd(10)));
    add(b, &n, cap, "\"matrices\":{\"car\":{\"durations\":[");
    for (uint32_t i = 0; i < L; i++) {
        add(b, &n, cap, "%s[", i ? "," : "");
        for (uint32_t j = 0; j < L; j++)
            add(b, &n, cap, "%s%u", j ? "," : "", i == j ? 0 : 5 + rnd(60));
        add(b, &n, cap, "]");
    }
    add(b, &n, cap, "]}},\"vehicles\":[");
    for (uint32_t v = 0; v < NV; v++) {
        add(b, &n, cap, "%s{\"id\":%u,\"start_index\":%u,\"end_index\":%u,\"skills\":[%u]",
            v ? "," : "", v + 1, rnd(L), rnd(L), 1 + rnd(2));
        add(b, &n, cap, ",\"time_window\":[%u,%u],\"capacity\":[%u]", rnd(100), 700 + rnd(500),
            2 + rnd(3));
        if (rnd(3) == 0) add(b, &n, cap, ",\"max_working_time\":%u", 300 + rnd(400));
        if (rnd(3) == 0)
            add(b, &n, cap, ",\"overtime\":{\"after\":%u,\"per_hour\":%u}", 200 + rnd(200),
                1800 * (1 + rnd(3)));
        if (rnd(3) == 0)
            add(b, &n, cap,
                ",\"breaks\":[{\"id\":1,\"service\":%u,\"time_windows\":[[200,%u]],\"paid\":%s}]",
                20 + rnd(40), 400 + rnd(300), rnd(2) ? "true" : "false");
        add(b, &n, cap, "}");
    }
    add(b, &n, cap, "],\"jobs\":[");
    for (uint32_t j = 0; j < NJ; j++) {
        uint32_t s = rnd(500);
        add(b, &n, cap,
            "%s{\"id\":%u,\"location_index\":%u,\"service\":%u,\"delivery\":[%u],"
            "\"time_windows\":[[%u,%u]],\"skills\":[%u]",
            j ? "," : "", j + 1, rnd(L), 5 + rnd(40), rnd(2), s, s + 50 + rnd(300), 1 + rnd(2));
        if (rnd(3) == 0)
            add(b, &n, cap, ",\"lateness\":{\"max\":%u,\"per_hour\":%u}", rnd(300), 3600 * rnd(3));
        if (rnd(5) == 0) add(b, &n, cap, ",\"workers\":2");
        if (rnd(5) == 0)
            add(b, &n, cap, ",\"forbidden_vehicles\":[%u]", 1 + rnd(NV));
        else if (rnd(6) == 0)
            add(b, &n, cap, ",\"allowed_vehicles\":[%u,%u]", 1 + rnd(NV), 1 + rnd(NV));
        if (rnd(4) == 0)
            add(b, &n, cap, ",\"preferred_vehicles\":[%u],\"preference_cost\":%u", 1 + rnd(NV),
                rnd(200));
        if (rnd(4) == 0) add(b, &n, cap, ",\"priority\":%u", rnd(100));
        add(b, &n, cap, "}");
    }
    add(b, &n, cap, "],\"shipments\":[");
    for (uint32_t s = 0; s < 2; s++) {
        uint32_t t = rnd(400);
        add(b, &n, cap,
            "%s{\"pickup\":{\"id\":%u,\"location_index\":%u,\"service\":5},\"delivery\":{\"id\":%u,"
            "\"location_index\":%u,\"service\":5,\"time_windows\":[[%u,%u]]},\"amount\":[1]",
            s ? "," : "", s + 1, rnd(L), s + 1, rnd(L), t, t + 100 + rnd(200));
        if (rnd(2)) add(b, &n, cap, ",\"max_ride_time\":%u", 60 + rnd(100));
        add(b, &n, cap, "}");
    }
    add(b, &n, cap, "],\"relations\":[");
    uint32_t nr = rnd(4);
    for (uint32_t r = 0; r < nr; r++) {
        uint32_t a = 1 + rnd(NJ), c = 1 + rnd(NJ);
        if (a == c) c = a % NJ + 1;
        if (rnd(2))
            add(b, &n, cap, "%s{\"type\":\"together\",\"first\":%u,\"second\":%u}", r ? "," : "", a,
                c);
        else
            add(b, &n, cap,
                "%s{\"type\":\"precedence\",\"first\":%u,\"second\":%u,\"min_gap\":%d,"
                "\"max_gap\":%u,\"distinct_workers\":%s}",
                r ? "," : "", a, c, (int)rnd(100) - 30, 100 + rnd(300), rnd(2) ? "true" : "false");
    }
    add(b, &n, cap, "]}");
    return b;
}

static void test_random_care_problems(void **state)
{
    (void)state;
    uint32_t rounds = getenv("CV_TEST_QUICK") ? 12 : 40;
    if (getenv("CV_CARE_ROUNDS")) rounds = (uint32_t)atoi(getenv("CV_CARE_ROUNDS")); /* stress */
    uint32_t assigned = 0, total = 0;
    for (uint32_t i = 0; i < rounds; i++) {
        char *json = random_problem(1000 + i);
        if (getenv("CV_TEST_DUMP")) {
            FILE *f = fopen(getenv("CV_TEST_DUMP"), "w");
            if (f) {
                fputs(json, f);
                fclose(f);
            }
        }
        cv_problem *p = parse(json);
        cv_plan *plan = solve_checked(p, 60000, i, NULL);
        total += p->ntasks;
        for (uint32_t r = 0; r < plan->nroutes; r++) assigned += plan->routes[r].step_count - 2;
        cv_plan_destroy(plan);
        cv_problem_destroy(p);
        free(json);
    }
    /* The problems are tight but not empty: a solver planning nothing fails. */
    assert_true(assigned > total / 4);
}

static void test_care_determinism(void **state)
{
    (void)state;
    char *json = random_problem(77);
    cv_problem *p = parse(json);
    char *a = NULL, *b = NULL;
    cv_plan *pa = solve_checked(p, 60000, 5, &a);
    cv_plan *pb = solve_checked(p, 60000, 5, &b);
    /* Equal but for the computing times. */
    char *ca = strstr(a, "\"computing_times\""), *cb = strstr(b, "\"computing_times\"");
    assert_non_null(ca);
    assert_non_null(cb);
    assert_int_equal(ca - a, cb - b);
    assert_memory_equal(a, b, (size_t)(ca - a));
    assert_int_equal(pa->cost, pb->cost);
    free(a);
    free(b);
    cv_plan_destroy(pa);
    cv_plan_destroy(pb);
    cv_problem_destroy(p);
    free(json);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_vehicle_lists),
        cmocka_unit_test(test_vehicle_lists_local_search),
        cmocka_unit_test(test_preferred_vehicles),
        cmocka_unit_test(test_soft_windows),
        cmocka_unit_test(test_working_time),
        cmocka_unit_test(test_max_ride_time),
        cmocka_unit_test(test_fairness),
        cmocka_unit_test(test_two_workers),
        cmocka_unit_test(test_relations),
        cmocka_unit_test(test_reasons),
        cmocka_unit_test(test_random_care_problems),
        cmocka_unit_test(test_care_determinism),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
