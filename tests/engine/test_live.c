/* The live day (engine/live*.c): events, ETAs, urgent insertion / re-plan /
 * refusal, reoptimize, persistence, the frozen-prefix check, and whole
 * simulated days in which every intermediate plan is verified by the
 * independent checker. */
#define _POSIX_C_SOURCE 200809L
#include <jansson.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "cv/engine.h"
#ifdef CV_GRAPH_AVAILABLE
#include "cv/graph.h"
#endif
#include "cv/live.h"
#include "cv/solver.h"
#include "live_day.h"

static bool quick(void)
{
    return getenv("CV_TEST_QUICK") != NULL;
}

static cv_problem *problem_from(const char *text)
{
    cv_problem *p = NULL;
    cv_diag d;
    cv_diag_clear(&d);
    cv_status st = cv_problem_from_json(&p, text, strlen(text), &d);
    if (st != CV_OK) fprintf(stderr, "problem: %s\n", d.msg);
    assert_int_equal(st, CV_OK);
    return p;
}

static char *solve_json(const cv_problem *p)
{
    cv_solver_config cfg;
    cv_solver_config_init(&cfg);
    cfg.seed = 1;
    cfg.max_effort = 1000000;
    cv_plan *plan = NULL;
    cv_diag d;
    cv_diag_clear(&d);
    assert_int_equal(cv_solver_run(p, &cfg, &plan, &d), CV_OK);
    char *text = NULL;
    assert_int_equal(cv_plan_to_json(plan, p, &text), CV_OK);
    cv_plan_destroy(plan);
    return text;
}

/* A live day of plan for p, its clock at 0. */
static cv_live *live_of(const cv_problem *p, const char *plan)
{
    cv_live *L = NULL;
    cv_diag d;
    cv_diag_clear(&d);
    cv_status st = cv_live_create(&L, p, plan, strlen(plan), 0, &d);
    if (st != CV_OK) fprintf(stderr, "create: %s\n", d.msg);
    assert_int_equal(st, CV_OK);
    return L;
}

/* The day restored from its state text: it must write the same state again. */
static cv_live *restored(const cv_problem *p, const char *state)
{
    cv_live *R = NULL;
    char *again = NULL;
    cv_diag d;
    cv_diag_clear(&d);
    cv_status st = cv_live_restore(&R, p, state, strlen(state), &d);
    if (st != CV_OK) fprintf(stderr, "restore: %s\n", d.msg);
    assert_int_equal(st, CV_OK);
    assert_int_equal(cv_live_to_json(R, &again), CV_OK);
    assert_string_equal(state, again);
    free(again);
    return R;
}

/* reoptimize at time with the default effort; the executed part of the day
 * (the frozen prefix) must not change. */
static void reoptimize_frozen(cv_live *L, int64_t time, cv_live_outcome *o)
{
    char *before = NULL, *after = NULL;
    cv_diag d;
    cv_diag_clear(&d);
    assert_int_equal(cv_live_to_json(L, &before), CV_OK);
    assert_int_equal(cv_live_reoptimize(L, time, 0, o, &d), CV_OK);
    assert_int_equal(cv_live_to_json(L, &after), CV_OK);
    assert_int_equal(cv_live_check_frozen(before, after, &d), 0);
    free(before);
    free(after);
}

/* A whole simulated day: no checker, frozen-prefix or event-log failure, no
 * accepted urgent visit dropped; then replayed from its events, the same
 * outcome and the same events.  *events (the first run's) is the caller's. */
static void simulate_and_replay(const cv_problem *p, const char *plan,
                                const cv_live_sim_config *cfg, cv_live_sim_report *r1,
                                json_t **events)
{
    cv_live_sim_report r2;
    json_t *again = NULL;
    cv_diag d;
    cv_diag_clear(&d);
    cv_status st = cv_live_simulate(p, plan, strlen(plan), NULL, cfg, r1, events, &d);
    if (st != CV_OK) fprintf(stderr, "simulate: %s\n", d.msg);
    assert_int_equal(st, CV_OK);
    if (r1->first_failure[0]) fprintf(stderr, "%s\n", r1->first_failure);
    assert_int_equal(r1->check_failures + r1->frozen_failures + r1->log_failures, 0);
    assert_int_equal(r1->dropped_after_accept, 0);
    assert_true(r1->checks > r1->events);
    st = cv_live_simulate(p, plan, strlen(plan), *events, cfg, &r2, &again, &d);
    assert_int_equal(st, CV_OK);
    assert_int_equal(r2.events, r1->events);
    assert_int_equal(r2.inserted, r1->inserted);
    assert_int_equal(r2.replanned, r1->replanned);
    assert_int_equal(r2.refused, r1->refused);
    assert_int_equal(r2.changed, r1->changed);
    assert_int_equal(r2.tasks_done, r1->tasks_done);
    assert_int_equal(r2.tasks_absent, r1->tasks_absent);
    assert_int_equal(r2.tasks_not_done, r1->tasks_not_done);
    assert_int_equal(r2.check_failures + r2.frozen_failures + r2.log_failures, 0);
    assert_true(json_equal(*events, again));
    json_decref(again);
}

/* The remaining day, verified by the checker. */
static void assert_remaining_valid(const cv_live *L)
{
    cv_problem *sub = NULL;
    char *plan = NULL;
    cv_diag d;
    cv_diag_clear(&d);
    assert_int_equal(cv_live_subplan(L, &sub, &plan, &d), CV_OK);
    cv_check_report rep;
    assert_int_equal(cv_check_json(sub, plan, strlen(plan), &rep, &d), CV_OK);
    if (rep.nmessages) fprintf(stderr, "checker: %s\n", rep.messages[0]);
    assert_int_equal(rep.nviolations + rep.nmismatches, 0);
    cv_check_report_fini(&rep);
    free(plan);
    cv_problem_destroy(sub);
}

static json_t *state_of(const cv_live *L)
{
    char *s = NULL;
    assert_int_equal(cv_live_to_json(L, &s), CV_OK);
    json_t *j = json_loads(s, 0, NULL);
    free(s);
    assert_non_null(j);
    return j;
}

/* The first planned step of vehicle id in the state. */
static json_t *first_planned(json_t *state, uint64_t vid)
{
    json_t *v, *s;
    size_t i, k;
    json_array_foreach(json_object_get(state, "vehicles"), i, v)
    {
        if ((uint64_t)json_integer_value(json_object_get(v, "id")) != vid) continue;
        json_array_foreach(
            json_object_get(v, "steps"), k,
            s) if (!strcmp(json_string_value(json_object_get(s, "status")), "planned") &&
                   strcmp(json_string_value(json_object_get(s, "type")), "break")) return s;
    }
    return NULL;
}

/* ---- A small hand-made day: two carers, four visits on a line. ---- */
static const char *line_day =
    "{\"vehicles\": ["
    " {\"id\": 1, \"start_index\": 0, \"end_index\": 0, \"skills\": [1], \"time_window\": [0, "
    "20000]},"
    " {\"id\": 2, \"start_index\": 0, \"end_index\": 0, \"skills\": [1, 2], \"time_window\": [0, "
    "20000]}],"
    " \"jobs\": ["
    " {\"id\": 10, \"location_index\": 1, \"service\": 600, \"skills\": [1]},"
    " {\"id\": 11, \"location_index\": 2, \"service\": 600, \"skills\": [1]},"
    " {\"id\": 12, \"location_index\": 3, \"service\": 600, \"skills\": [2]},"
    " {\"id\": 13, \"location_index\": 4, \"service\": 600, \"skills\": [1]}],"
    " \"matrices\": {\"car\": {\"durations\": ["
    "  [0, 300, 600, 900, 1200, 1500], [300, 0, 300, 600, 900, 1200],"
    "  [600, 300, 0, 300, 600, 900], [900, 600, 300, 0, 300, 600],"
    "  [1200, 900, 600, 300, 0, 300], [1500, 1200, 900, 600, 300, 0]]}}}";

static const char *line_plan =
    "{\"routes\": [{\"vehicle\": 1, \"steps\": [{\"type\": \"start\"}, {\"type\": \"job\", \"id\": "
    "10}, {\"type\": \"job\", \"id\": 11}, {\"type\": \"end\"}]},"
    " {\"vehicle\": 2, \"steps\": [{\"type\": \"start\"}, {\"type\": \"job\", \"id\": 12}, "
    "{\"type\": \"job\", \"id\": 13}, {\"type\": \"end\"}]}]}";

static cv_live *line_live(cv_problem **pp)
{
    *pp = problem_from(line_day);
    return live_of(*pp, line_plan);
}

/* The line day live, for the tests that start from it (cmocka set-up and
 * tear-down: the test gets it in *state). */
typedef struct line_fixture {
    cv_problem *p;
    cv_live *L;
} line_fixture;

static int line_setup(void **state)
{
    line_fixture *f = calloc(1, sizeof *f);
    if (!f) return -1;
    f->L = line_live(&f->p);
    *state = f;
    return 0;
}

static int line_teardown(void **state)
{
    line_fixture *f = *state;
    cv_live_destroy(f->L);
    cv_problem_destroy(f->p);
    free(f);
    return 0;
}

static cv_status ev(cv_live *L, cv_live_event_kind k, int64_t t, uint64_t v, uint64_t job,
                    cv_diag *d)
{
    cv_live_event e = {
        .kind = k, .time = t, .vehicle = v, .task_kind = CV_TASK_JOB, .task = job, .loc = CV_NONE};
    cv_diag_clear(d);
    return cv_live_apply(L, &e, d);
}

static void test_events_and_etas(void **state)
{
    line_fixture *f = *state;
    cv_live *L = f->L;
    cv_diag d;
    json_t *s = state_of(L);
    /* Planned: job 10 at 300 (travel from 0), 11 at 300+600+300 = 1200. */
    assert_int_equal(json_integer_value(json_object_get(first_planned(s, 1), "start")), 300);
    json_decref(s);
    assert_remaining_valid(L);
    /* Job 10 starts late, at 1000: job 11's ETA moves to 1000+600+300. */
    assert_int_equal(ev(L, CV_LIVE_VISIT_START, 1000, 1, 10, &d), CV_OK);
    s = state_of(L);
    json_t *n = first_planned(s, 1);
    assert_int_equal(json_integer_value(json_object_get(n, "id")), 11);
    assert_int_equal(json_integer_value(json_object_get(n, "start")), 1900);
    json_decref(s);
    assert_remaining_valid(L);
    /* It overruns: done at 2000, job 11 at 2300. */
    assert_int_equal(ev(L, CV_LIVE_VISIT_DONE, 2000, 1, 10, &d), CV_OK);
    s = state_of(L);
    assert_int_equal(json_integer_value(json_object_get(first_planned(s, 1), "start")), 2300);
    json_decref(s);
    /* A position report moves the vehicle: at location 3 at 2100, job 11 (loc 2) at 2400. */
    cv_live_event pe = {.kind = CV_LIVE_POSITION, .time = 2100, .vehicle = 1, .loc = 3};
    assert_int_equal(cv_live_apply(L, &pe, &d), CV_OK);
    s = state_of(L);
    assert_int_equal(json_integer_value(json_object_get(first_planned(s, 1), "start")), 2400);
    json_decref(s);
    assert_remaining_valid(L);
    /* Skipping a visit removes it from the route. */
    assert_int_equal(ev(L, CV_LIVE_VISIT_SKIPPED, 2100, 2, 13, &d), CV_OK);
    s = state_of(L);
    assert_int_equal(json_array_size(json_object_get(s, "skipped")), 1);
    json_decref(s);
    assert_remaining_valid(L);
}

static void expect_err(cv_status st, const cv_diag *d, const char *needle)
{
    assert_int_not_equal(st, CV_OK);
    if (!strstr(d->msg, needle)) fprintf(stderr, "message \"%s\" lacks \"%s\"\n", d->msg, needle);
    assert_non_null(strstr(d->msg, needle));
}

static void test_bad_events(void **state)
{
    line_fixture *f = *state;
    cv_live *L = f->L;
    const cv_problem *p = f->p;
    cv_diag d;
    expect_err(ev(L, CV_LIVE_VISIT_DONE, 100, 1, 10, &d), &d, "send visit.start first");
    expect_err(ev(L, CV_LIVE_VISIT_START, 100, 9, 10, &d), &d, "vehicle: no vehicle 9");
    expect_err(ev(L, CV_LIVE_VISIT_START, 100, 1, 99, &d), &d, "job: no job 99");
    expect_err(ev(L, CV_LIVE_VISIT_START, 100, 1, 12, &d), &d, "lacks the skills");
    assert_int_equal(ev(L, CV_LIVE_VISIT_START, 500, 1, 10, &d), CV_OK);
    expect_err(ev(L, CV_LIVE_VISIT_START, 400, 2, 12, &d), &d, "before the live clock 500");
    expect_err(ev(L, CV_LIVE_VISIT_START, 600, 1, 11, &d), &d, "still at job 10");
    expect_err(ev(L, CV_LIVE_VISIT_SKIPPED, 600, 1, 10, &d), &d, "cannot be skipped");
    expect_err(ev(L, CV_LIVE_VISIT_SKIPPED, 600, 1, 13, &d), &d, "planned on vehicle 2");
    cv_live_event pe = {.kind = CV_LIVE_POSITION, .time = 700, .vehicle = 1, .loc = 77};
    cv_diag_clear(&d);
    expect_err(cv_live_apply(L, &pe, &d), &d, "location_index: 77");
    /* From JSON: field paths. */
    const char *bad[][2] = {
        {"{\"type\": \"visit.begin\", \"time\": 1, \"vehicle\": 1, \"job\": 10}", "ev.type"},
        {"{\"type\": \"visit.start\", \"vehicle\": 1, \"job\": 10}", "ev.time: required"},
        {"{\"type\": \"visit.start\", \"time\": 1, \"vehicle\": 1}", "ev.job: required"},
        {"{\"type\": \"visit.start\", \"time\": -4, \"vehicle\": 1, \"job\": 1}", "ev.time"},
        {"{\"type\": \"visit.start\", \"time\": 1, \"vehicle\": 1, \"job\": 1, \"jb\": 2}",
         "\"jb\""},
        {"{\"type\": \"vehicle.position\", \"time\": 1, \"vehicle\": 1}", "ev.location_index"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        json_t *j = json_loads(bad[i][0], 0, NULL);
        cv_live_event e;
        cv_diag_clear(&d);
        expect_err(cv_live_event_from_json(j, "ev", &e, &d), &d, bad[i][1]);
        json_decref(j);
    }
    const char *badu[][2] = {
        {"{\"id\": 5, \"time\": 1, \"location_index\": 1}", "u.deadline: required"},
        {"{\"id\": 5, \"time\": 1, \"deadline\": 900}", "u.location_index: required"},
        {"{\"id\": 5, \"time\": 1, \"deadline\": 0, \"location_index\": 1}", "u.deadline"},
        {"{\"id\": 5, \"time\": 1, \"deadline\": 900, \"location_index\": 1, \"skills\": 2}",
         "u.skills"},
    };
    for (size_t i = 0; i < sizeof badu / sizeof badu[0]; i++) {
        json_t *j = json_loads(badu[i][0], 0, NULL);
        cv_live_urgent q;
        cv_diag_clear(&d);
        expect_err(cv_live_urgent_from_json(j, "u", p, &q, &d), &d, badu[i][1]);
        json_decref(j);
    }
    cv_live_urgent q = {.id = 10, .time = 800, .deadline_s = 900, .loc = 1, .priority = 100};
    cv_live_outcome o;
    cv_diag_clear(&d);
    expect_err(cv_live_insert_urgent(L, &q, &o, &d), &d, "id: job 10 already exists");
    q.id = 50, q.loc = 42;
    cv_diag_clear(&d);
    expect_err(cv_live_insert_urgent(L, &q, &o, &d), &d, "location_index: 42");
}

static void test_urgent_insert_and_refuse(void **state)
{
    line_fixture *f = *state;
    cv_live *L = f->L;
    cv_diag d;
    cv_diag_clear(&d);
    /* At 0, a visit at location 5 within 30 min: vehicle 2 can insert it
     * (1500 s away), nobody's other visit moves. */
    cv_live_urgent q = {
        .id = 50, .time = 0, .deadline_s = 1800, .loc = 5, .service = 600, .priority = 100};
    cv_live_outcome o;
    assert_int_equal(cv_live_insert_urgent(L, &q, &o, &d), CV_OK);
    assert_int_equal(o.method, CV_LIVE_INSERTED);
    assert_int_equal(o.changed, 0);
    assert_true(o.arrival <= o.deadline);
    assert_remaining_valid(L);
    /* An emergency with skill 2 at location 5 in 5 minutes: only vehicle 2
     * has it; from the depot that is 1500 s: refused, best 25 min by 2. */
    cv_live_urgent e = {.id = 51,
                        .time = 0,
                        .deadline_s = 300,
                        .loc = 5,
                        .service = 600,
                        .skills = {2},
                        .nskills = 1,
                        .priority = 100};
    assert_int_equal(cv_live_insert_urgent(L, &e, &o, &d), CV_OK);
    assert_int_equal(o.method, CV_LIVE_REFUSED);
    assert_int_equal(o.vehicle, 2);
    /* Vehicle 2 is at the depot at 0, the time of the call. */
    assert_int_equal(o.arrival, 1500);
    assert_non_null(strstr(o.message, "best is 25 min by vehicle 2"));
    assert_remaining_valid(L);
    json_t *s = state_of(L);
    assert_int_equal(json_array_size(json_object_get(s, "skipped")), 1);
    json_decref(s);
}

/* Both carers finish early and wait; a call much later cannot be reached
 * by a trip that began before the call (the idle carer leaves at the call). */
static void test_urgent_idle_vehicle_leaves_now(void **state)
{
    line_fixture *f = *state;
    cv_live *L = f->L;
    cv_diag d;
    assert_int_equal(ev(L, CV_LIVE_VISIT_START, 300, 1, 10, &d), CV_OK);
    assert_int_equal(ev(L, CV_LIVE_VISIT_START, 900, 2, 12, &d), CV_OK);
    assert_int_equal(ev(L, CV_LIVE_VISIT_DONE, 900, 1, 10, &d), CV_OK);
    assert_int_equal(ev(L, CV_LIVE_VISIT_START, 1200, 1, 11, &d), CV_OK);
    assert_int_equal(ev(L, CV_LIVE_VISIT_DONE, 1500, 2, 12, &d), CV_OK);
    assert_int_equal(ev(L, CV_LIVE_VISIT_DONE, 1800, 1, 11, &d), CV_OK);
    assert_int_equal(ev(L, CV_LIVE_VISIT_START, 1800, 2, 13, &d), CV_OK);
    assert_int_equal(ev(L, CV_LIVE_VISIT_DONE, 2400, 2, 13, &d), CV_OK);
    /* At 5000 a call at location 5: vehicle 2 waits at location 4, 300 s
     * away, so it is on site at 5300, not at 2700 (a trip begun before the
     * call, waiting on the doorstep). */
    cv_live_urgent q = {
        .id = 50, .time = 5000, .deadline_s = 1800, .loc = 5, .service = 600, .priority = 100};
    cv_live_outcome o;
    cv_diag_clear(&d);
    assert_int_equal(cv_live_insert_urgent(L, &q, &o, &d), CV_OK);
    assert_int_equal(o.method, CV_LIVE_INSERTED);
    assert_int_equal(o.vehicle, 2);
    assert_int_equal(o.arrival, 5300);
    assert_remaining_valid(L);
}

/* A day with no slack: one carer, back-to-back visits with fixed windows.
 * An emergency next door can only be reached by dropping a visit. */
static void test_urgent_replan(void **state)
{
    (void)state;
    const char *day =
        "{\"vehicles\": [{\"id\": 1, \"start_index\": 0, \"end_index\": 0, \"time_window\": [0, "
        "5000]}, {\"id\": 2, \"start_index\": 4, \"end_index\": 4, \"time_window\": [0, 5000]}],"
        " \"jobs\": ["
        " {\"id\": 10, \"location_index\": 1, \"service\": 1000, \"time_windows\": [[100, 100]]},"
        " {\"id\": 11, \"location_index\": 2, \"service\": 1000, \"time_windows\": [[1200, 1200]]},"
        " {\"id\": 12, \"location_index\": 3, \"service\": 1000, \"time_windows\": [[2300, "
        "2300]]}],"
        " \"matrices\": {\"car\": {\"durations\": ["
        "  [0, 100, 200, 300, 4000], [100, 0, 100, 200, 4000], [200, 100, 0, 100, 4000],"
        "  [300, 200, 100, 0, 4000], [4000, 4000, 4000, 4000, 0]]}}}";
    cv_problem *p = problem_from(day);
    char *plan = solve_json(p);
    cv_live *L = live_of(p, plan);
    cv_diag d;
    assert_int_equal(ev(L, CV_LIVE_VISIT_START, 100, 1, 10, &d), CV_OK);
    assert_int_equal(ev(L, CV_LIVE_VISIT_DONE, 1100, 1, 10, &d), CV_OK);
    /* At 1100, an emergency at location 2 (where job 11 is at 1200, for 1000 s):
     * insertion before 11 pushes 11 out of its window; vehicle 2 is 4000 s away.
     * Vehicle 1 goes there next (on site at 1200) and drops a visit. */
    cv_live_urgent q = {
        .id = 50, .time = 1100, .deadline_s = 900, .loc = 2, .service = 600, .priority = 100};
    cv_live_outcome o;
    assert_int_equal(cv_live_insert_urgent(L, &q, &o, &d), CV_OK);
    assert_int_equal(o.method, CV_LIVE_REPLANNED);
    assert_int_equal(o.vehicle, 1);
    assert_int_equal(o.arrival, 1200);
    assert_true(o.dropped >= 1);
    assert_int_equal(o.changed, o.dropped);
    assert_remaining_valid(L);
    json_t *s = state_of(L);
    assert_int_equal(json_integer_value(json_object_get(first_planned(s, 1), "id")), 50);
    assert_int_equal(json_integer_value(json_object_get(s, "changes")), o.changed);
    json_decref(s);
    cv_live_destroy(L);
    free(plan);
    cv_problem_destroy(p);
}

static void test_restore_and_frozen_check(void **state)
{
    line_fixture *f = *state;
    cv_live *L = f->L;
    const cv_problem *p = f->p;
    cv_diag d;
    assert_int_equal(ev(L, CV_LIVE_VISIT_START, 300, 1, 10, &d), CV_OK);
    assert_int_equal(ev(L, CV_LIVE_VISIT_DONE, 900, 1, 10, &d), CV_OK);
    assert_int_equal(ev(L, CV_LIVE_VISIT_START, 950, 2, 12, &d), CV_OK);
    cv_live_urgent q = {
        .id = 50, .time = 1000, .deadline_s = 1800, .loc = 5, .service = 600, .priority = 100};
    cv_live_outcome o;
    assert_int_equal(cv_live_insert_urgent(L, &q, &o, &d), CV_OK);
    char *a = NULL, *b = NULL;
    assert_int_equal(cv_live_to_json(L, &a), CV_OK);
    cv_live *R = restored(p, a);
    /* The restored day goes on: job 12 done, then the frozen check passes. */
    assert_int_equal(ev(R, CV_LIVE_VISIT_DONE, 1500, 2, 12, &d), CV_OK);
    assert_int_equal(cv_live_to_json(R, &b), CV_OK);
    cv_diag_clear(&d);
    assert_int_equal(cv_live_check_frozen(a, b, &d), 0);
    /* A planted fault: job 10's recorded start moved. */
    char *bad = strdup(b);
    char *at = strstr(bad, "\"start\":300");
    assert_non_null(at);
    memcpy(at, "\"start\":301", 11);
    cv_diag_clear(&d);
    assert_int_equal(cv_live_check_frozen(a, bad, &d), 1);
    assert_non_null(strstr(d.msg, "job 10"));
    /* Another: the frozen visit disappears from the route. */
    assert_int_equal(cv_live_check_frozen(b, a, &d) > 0, 1); /* 12 done -> started: changed */
    free(bad);
    uint64_t ids[4];
    assert_int_equal(cv_live_changed_vehicles(a, b, ids, 4), 1);
    assert_int_equal(ids[0], 2);
    free(a);
    free(b);
    cv_live_destroy(R);
}

/* Whole days: generated with urgent requests, then replayed from the events. */
static void test_simulated_day(void **state)
{
    (void)state;
    uint32_t nv = quick() ? 20 : 40, nveh = quick() ? 3 : 6;
    char *text = live_day_json(nv, nveh, 7);
    cv_problem *p = problem_from(text);
    free(text);
    char *plan = solve_json(p);
    cv_live_sim_config cfg = {.seed = 3,
                              .urgent = quick() ? 3 : 8,
                              .delay_max = 600,
                              .skip_percent = 5,
                              .log = getenv("CV_TEST_LOG") ? stderr : NULL};
    cv_live_sim_report r1;
    json_t *events = NULL;
    /* The same day replayed from its events gives the same outcome. */
    simulate_and_replay(p, plan, &cfg, &r1, &events);
    assert_int_equal(r1.urgent, cfg.urgent);
    assert_int_equal(r1.inserted + r1.replanned + r1.refused, r1.urgent);
    assert_true(r1.events >= nv / 2);
    json_decref(events);
    /* Without overruns, every accepted urgent visit starts by its deadline. */
    cfg.delay_max = 0;
    cfg.seed = 11;
    cv_diag d;
    cv_diag_clear(&d);
    assert_int_equal(cv_live_simulate(p, plan, strlen(plan), NULL, &cfg, &r1, NULL, &d), CV_OK);
    assert_int_equal(r1.check_failures + r1.frozen_failures + r1.log_failures, 0);
    assert_int_equal(r1.reached_late + r1.dropped_after_accept, 0);
    /* The day's end: every task is done, skipped or not done (refused
     * urgent calls aside). */
    assert_int_equal(r1.tasks_done + r1.tasks_absent + r1.tasks_not_done + r1.refused,
                     p->ntasks + r1.urgent);
    assert_true(r1.tasks_done > 0);
    /* Nobody away, no overrun, no call: exactly the planned tasks are done. */
    cfg.urgent = 0, cfg.skip_percent = 0;
    assert_int_equal(cv_live_simulate(p, plan, strlen(plan), NULL, &cfg, &r1, NULL, &d), CV_OK);
    json_t *pj = json_loads(plan, 0, NULL);
    assert_non_null(pj);
    size_t unassigned = json_array_size(json_object_get(pj, "unassigned"));
    json_decref(pj);
    assert_int_equal(r1.tasks_done, p->ntasks - unassigned);
    assert_int_equal(r1.tasks_absent, 0);
    assert_int_equal(r1.tasks_not_done, unassigned);
    free(plan);
    cv_problem_destroy(p);
}

/* ---- A small care day: every care extension, hand-planned. ----
 * Locations on a line, 300 s apart.  Job 20 needs two carers (vehicles 1
 * and 2 together); 21 before 22 by 30 min to 2 h (precedence with gaps); 23
 * has a soft window; 24 only lets vehicle 2 in; meal 1 rides at most 40 min
 * on vehicle 2 (so it waits at the canteen); vehicle 3 has a working-time
 * limit and an unpaid lunch. */
static const char *care_day =
    "{\"vehicles\": ["
    " {\"id\": 1, \"start_index\": 0, \"end_index\": 0, \"skills\": [1], \"capacity\": [2],"
    "  \"time_window\": [0, 30000]},"
    " {\"id\": 2, \"start_index\": 0, \"end_index\": 0, \"skills\": [1], \"capacity\": [2],"
    "  \"time_window\": [0, 30000]},"
    " {\"id\": 3, \"start_index\": 0, \"end_index\": 0, \"skills\": [1], \"capacity\": [2],"
    "  \"time_window\": [0, 30000], \"max_working_time\": 7200,"
    "  \"breaks\": [{\"id\": 1, \"service\": 1800, \"time_windows\": [[3000, 9000]],"
    "  \"paid\": false}]}],"
    " \"jobs\": ["
    " {\"id\": 20, \"location_index\": 2, \"service\": 600, \"skills\": [1], \"workers\": 2,"
    "  \"time_windows\": [[1500, 9000]]},"
    " {\"id\": 21, \"location_index\": 3, \"service\": 600, \"skills\": [1]},"
    " {\"id\": 22, \"location_index\": 4, \"service\": 600, \"skills\": [1]},"
    " {\"id\": 23, \"location_index\": 5, \"service\": 600, \"skills\": [1],"
    "  \"time_windows\": [[0, 3000]], \"lateness\": {\"max\": 900, \"per_hour\": 3600}},"
    " {\"id\": 24, \"location_index\": 1, \"service\": 300, \"skills\": [1],"
    "  \"allowed_vehicles\": [2]}],"
    " \"shipments\": [{\"pickup\": {\"id\": 1, \"location_index\": 1, \"service\": 120},"
    "  \"delivery\": {\"id\": 1, \"location_index\": 6, \"service\": 300}, \"amount\": [1],"
    "  \"max_ride_time\": 2400}],"
    " \"relations\": [{\"type\": \"precedence\", \"first\": 21, \"second\": 22,"
    "  \"min_gap\": 1800, \"max_gap\": 7200}],"
    " \"matrices\": {\"car\": {\"durations\": ["
    "  [0, 300, 600, 900, 1200, 1500, 1800], [300, 0, 300, 600, 900, 1200, 1500],"
    "  [600, 300, 0, 300, 600, 900, 1200], [900, 600, 300, 0, 300, 600, 900],"
    "  [1200, 900, 600, 300, 0, 300, 600], [1500, 1200, 900, 600, 300, 0, 300],"
    "  [1800, 1500, 1200, 900, 600, 300, 0]]}}}";

static const char *care_plan =
    "{\"routes\": ["
    " {\"vehicle\": 1, \"steps\": [{\"type\": \"job\", \"id\": 20}, {\"type\": \"job\", \"id\": "
    "21},"
    "  {\"type\": \"job\", \"id\": 23}]},"
    " {\"vehicle\": 2, \"steps\": [{\"type\": \"job\", \"id\": 24}, {\"type\": \"pickup\", \"id\": "
    "1},"
    "  {\"type\": \"job\", \"id\": 20}, {\"type\": \"delivery\", \"id\": 1}]},"
    " {\"vehicle\": 3, \"steps\": [{\"type\": \"job\", \"id\": 22}, {\"type\": \"break\", \"id\": "
    "1}]}]}";

/* The planned step (type, id) of vehicle vid in the state. */
static json_t *planned_step(json_t *state, uint64_t vid, const char *type, uint64_t id)
{
    json_t *v, *s;
    size_t i, k;
    json_array_foreach(json_object_get(state, "vehicles"), i, v)
    {
        if ((uint64_t)json_integer_value(json_object_get(v, "id")) != vid) continue;
        json_array_foreach(json_object_get(v, "steps"), k, s)
        {
            if (!strcmp(json_string_value(json_object_get(s, "type")), type) &&
                (uint64_t)json_integer_value(json_object_get(s, "id")) == id)
                return s;
        }
    }
    return NULL;
}

static int64_t start_of(const cv_live *L, uint64_t vid, const char *type, uint64_t id)
{
    json_t *s = state_of(L);
    json_t *st = planned_step(s, vid, type, id);
    assert_non_null(st);
    int64_t t = json_integer_value(json_object_get(st, "start"));
    json_decref(s);
    return t;
}

/* A planted fault: the remaining day's plan with one step moved (its
 * waiting_time, and its arrival with the rest of the route's, changed by
 * the deltas), which the checker must catch as a violation whose message
 * contains `needle`. */
static void assert_planted_caught(const cv_live *L, uint64_t vid, const char *type, uint64_t id,
                                  int64_t d_arrival, int64_t d_wait, const char *needle)
{
    cv_problem *sub = NULL;
    char *plan = NULL;
    cv_diag d;
    cv_diag_clear(&d);
    assert_int_equal(cv_live_subplan(L, &sub, &plan, &d), CV_OK);
    json_t *j = json_loads(plan, 0, NULL), *r, *s;
    size_t i, k;
    bool planted = false;
    json_array_foreach(json_object_get(j, "routes"), i, r)
    {
        if ((uint64_t)json_integer_value(json_object_get(r, "vehicle")) != vid) continue;
        json_array_foreach(json_object_get(r, "steps"), k, s)
        {
            if (planted) {
                /* The rest of the route moves with it. */
                json_object_set_new(
                    s, "arrival",
                    json_integer(json_integer_value(json_object_get(s, "arrival")) + d_arrival));
                continue;
            }
            if (strcmp(json_string_value(json_object_get(s, "type")), type) != 0) continue;
            if (strcmp(type, "end") != 0 && strcmp(type, "start") != 0 &&
                (uint64_t)json_integer_value(json_object_get(s, "id")) != id)
                continue;
            json_object_set_new(
                s, "arrival",
                json_integer(json_integer_value(json_object_get(s, "arrival")) + d_arrival));
            json_object_set_new(
                s, "waiting_time",
                json_integer(json_integer_value(json_object_get(s, "waiting_time")) + d_wait));
            planted = true;
        }
    }
    assert_true(planted);
    char *bad = json_dumps(j, JSON_COMPACT);
    json_decref(j);
    cv_check_report rep;
    assert_int_equal(cv_check_json(sub, bad, strlen(bad), &rep, &d), CV_OK);
    bool found = false;
    for (uint32_t m = 0; m < rep.nviolations; m++) found |= strstr(rep.messages[m], needle) != NULL;
    if (!found) {
        fprintf(stderr, "planted fault not caught as \"%s\"; %u violations:\n", needle,
                rep.nviolations);
        for (uint32_t m = 0; m < rep.nmessages; m++) fprintf(stderr, "  %s\n", rep.messages[m]);
    }
    assert_true(found);
    cv_check_report_fini(&rep);
    free(bad);
    free(plan);
    cv_problem_destroy(sub);
}

static cv_status evk(cv_live *L, cv_live_event_kind k, int64_t t, uint64_t v, cv_task_kind kind,
                     uint64_t id, cv_diag *d)
{
    cv_live_event e = {
        .kind = k, .time = t, .vehicle = v, .task_kind = kind, .task = id, .loc = CV_NONE};
    cv_diag_clear(d);
    return cv_live_apply(L, &e, d);
}

static void test_care_live(void **state)
{
    (void)state;
    cv_problem *p = problem_from(care_day);
    cv_live *L = live_of(p, care_plan);
    cv_diag d;
    assert_remaining_valid(L);
    /* The two carers of job 20 start together (vehicle 1 waits for the
     * window, vehicle 2 comes after its pickup); the meal waits at the
     * canteen so that its ride stays within 40 min: pickup ends at 900. */
    assert_int_equal(start_of(L, 1, "job", 20), 1500);
    assert_int_equal(start_of(L, 2, "job", 20), 1500);
    assert_int_equal(start_of(L, 2, "pickup", 1), 780);
    assert_int_equal(start_of(L, 2, "delivery", 1), 3300);
    /* 22 waits for 21 + 30 min; vehicle 3 leaves as late as it can. */
    assert_int_equal(start_of(L, 1, "job", 21), 2400);
    assert_int_equal(start_of(L, 3, "job", 22), 4200);
    /* The same care rules in the remaining day: planted faults are caught. */
    assert_planted_caught(L, 1, "job", 20, 0, 300, "together");
    assert_planted_caught(L, 3, "start", 0, -600, 0, "relations[0]");
    assert_planted_caught(L, 2, "delivery", 1, 0, 60, "max_ride_time");
    assert_planted_caught(L, 3, "end", 0, 5000, 0, "max_working_time");
    assert_planted_caught(L, 1, "job", 23, 0, 900, "lateness max");

    /* Only vehicle 2 may serve job 24. */
    cv_diag_clear(&d);
    expect_err(evk(L, CV_LIVE_VISIT_START, 300, 1, CV_TASK_JOB, 24, &d), &d,
               "vehicle 1 is not one of the allowed_vehicles of job 24");
    assert_int_equal(evk(L, CV_LIVE_VISIT_START, 300, 2, CV_TASK_JOB, 24, &d), CV_OK);
    assert_int_equal(evk(L, CV_LIVE_VISIT_DONE, 600, 2, CV_TASK_JOB, 24, &d), CV_OK);
    assert_int_equal(evk(L, CV_LIVE_VISIT_START, 780, 2, CV_TASK_PICKUP, 1, &d), CV_OK);
    assert_int_equal(evk(L, CV_LIVE_VISIT_DONE, 900, 2, CV_TASK_PICKUP, 1, &d), CV_OK);
    assert_remaining_valid(L);
    /* The meal is on board since 900: delivered by 3300, in the remaining
     * day as a bound on the delivery. */
    assert_planted_caught(L, 2, "job", 1, 0, 60, "after the end");
    /* Vehicle 1 starts the two-carer visit: vehicle 2's copy must start at
     * the same time, a window [1500, 1500] in the remaining day. */
    assert_int_equal(evk(L, CV_LIVE_VISIT_START, 1500, 1, CV_TASK_JOB, 20, &d), CV_OK);
    assert_int_equal(start_of(L, 2, "job", 20), 1500);
    assert_remaining_valid(L);
    assert_planted_caught(L, 2, "job", 20, 0, 120, "after the end 1500");
    assert_int_equal(evk(L, CV_LIVE_VISIT_START, 1500, 2, CV_TASK_JOB, 20, &d), CV_OK);
    assert_int_equal(evk(L, CV_LIVE_VISIT_DONE, 2100, 1, CV_TASK_JOB, 20, &d), CV_OK);
    assert_int_equal(evk(L, CV_LIVE_VISIT_DONE, 2100, 2, CV_TASK_JOB, 20, &d), CV_OK);
    /* Job 21 starts late: 22 moves to 30 min after it. */
    assert_int_equal(evk(L, CV_LIVE_VISIT_START, 2500, 1, CV_TASK_JOB, 21, &d), CV_OK);
    assert_int_equal(start_of(L, 3, "job", 22), 4300);
    assert_remaining_valid(L);
    assert_planted_caught(L, 3, "start", 0, -200, 0, "before the start 4300");
    assert_int_equal(evk(L, CV_LIVE_VISIT_DONE, 3100, 1, CV_TASK_JOB, 21, &d), CV_OK);
    /* Vehicle 3 starts: from now on its working time counts from its
     * departure (4300 - 1200); the remaining day gets what is left. */
    assert_int_equal(evk(L, CV_LIVE_VISIT_START, 4300, 3, CV_TASK_JOB, 22, &d), CV_OK);
    {
        cv_problem *sub = NULL;
        char *plan = NULL;
        assert_int_equal(cv_live_subplan(L, &sub, &plan, &d), CV_OK);
        assert_int_equal(sub->vehicles[2].max_working_time, 7200 - (4900 - 3100));
        free(plan);
        cv_problem_destroy(sub);
    }
    /* Urgent visits honour vehicle lists and working time: only vehicle 3
     * may go; 30 min of service fits its day, 2 h does not. */
    cv_live_urgent q = {.id = 60,
                        .time = 4400,
                        .deadline_s = 1800,
                        .loc = 4,
                        .service = 1800,
                        .priority = 100,
                        .nallowed = 1,
                        .allowed = {3}};
    cv_live_outcome o;
    cv_diag_clear(&d);
    assert_int_equal(cv_live_insert_urgent(L, &q, &o, &d), CV_OK);
    assert_int_not_equal(o.method, CV_LIVE_REFUSED);
    assert_int_equal(o.vehicle, 3);
    assert_remaining_valid(L);
    q.id = 61, q.service = 7200;
    assert_int_equal(cv_live_insert_urgent(L, &q, &o, &d), CV_OK);
    assert_int_equal(o.method, CV_LIVE_REFUSED);
    q.id = 62, q.service = 600, q.nallowed = 0, q.nforbidden = 2, q.forbidden[0] = 1,
    q.forbidden[1] = 3;
    assert_int_equal(cv_live_insert_urgent(L, &q, &o, &d), CV_OK);
    assert_int_not_equal(o.method, CV_LIVE_REFUSED);
    assert_int_equal(o.vehicle, 2);
    assert_remaining_valid(L);
    q.id = 63, q.nforbidden = 0, q.nallowed = 1, q.allowed[0] = 9;
    cv_diag_clear(&d);
    expect_err(cv_live_insert_urgent(L, &q, &o, &d), &d, "allowed_vehicles[0]: no vehicle 9");
    json_t *j = json_loads("{\"id\": 5, \"time\": 1, \"deadline\": 900, \"location_index\": 1, "
                           "\"forbidden_vehicles\": [1, 99]}",
                           0, NULL);
    cv_diag_clear(&d);
    expect_err(cv_live_urgent_from_json(j, "u", p, &q, &d), &d,
               "u.forbidden_vehicles[1]: no vehicle 99");
    json_decref(j);
    /* Re-planning keeps the executed part and the care rules. */
    reoptimize_frozen(L, 4500, &o);
    assert_remaining_valid(L);
    /* And survives a restart. */
    char *after = NULL;
    assert_int_equal(cv_live_to_json(L, &after), CV_OK);
    cv_live_destroy(restored(p, after));
    free(after);
    cv_live_destroy(L);
    cv_problem_destroy(p);
}

/* The safety margin: an urgent visit the plan reaches just before its
 * deadline is refused with the default margin (a third of the deadline) and
 * accepted without; an accepted one made late by an overrun is mended by
 * moving the visit ahead of it. */
static void test_urgent_margin(void **state)
{
    line_fixture *f = *state;
    assert_int_equal(cv_live_default_margin(900), 300);
    assert_int_equal(cv_live_default_margin(1800), 600);
    cv_live *L = f->L;
    cv_diag d;
    cv_diag_clear(&d);
    /* Location 5 is 1500 s from the depot: within 30 min, not within 20. */
    cv_live_urgent q = {.id = 50,
                        .time = 0,
                        .deadline_s = 1800,
                        .loc = 5,
                        .service = 600,
                        .priority = 100,
                        .margin_s = CV_LIVE_MARGIN_DEFAULT};
    cv_live_outcome o;
    assert_int_equal(cv_live_insert_urgent(L, &q, &o, &d), CV_OK);
    assert_int_equal(o.method, CV_LIVE_REFUSED);
    assert_int_equal(o.margin, 600);
    assert_non_null(strstr(o.message, "with the safety margin"));
    assert_non_null(strstr(o.message, "best is 25 min"));
    q.id = 51, q.margin_s = 0;
    assert_int_equal(cv_live_insert_urgent(L, &q, &o, &d), CV_OK);
    assert_int_not_equal(o.method, CV_LIVE_REFUSED);
    assert_true(o.arrival <= o.deadline);
    q.id = 52, q.margin_s = 1800;
    cv_diag_clear(&d);
    expect_err(cv_live_insert_urgent(L, &q, &o, &d), &d, "margin: 1800 s is not in 0..1799");
}

/* Late after acceptance: one carer plans 10 (loc 1), 11 (loc 2), 13 (loc 4);
 * the urgent visit at loc 3 goes between 11 and 13, on site at 1900 for a
 * deadline of 2000.  Job 10 overruns by 300 s: the urgent visit would start
 * at 2200.  reoptimize moves job 11 (ahead of it) behind it: on site at 1600. */
static void test_urgent_late_after_accept(void **state)
{
    (void)state;
    cv_problem *p =
        problem_from("{\"vehicles\": [{\"id\": 1, \"start_index\": 0, \"end_index\": 0}],"
                     " \"jobs\": [{\"id\": 10, \"location_index\": 1, \"service\": 600},"
                     " {\"id\": 11, \"location_index\": 2, \"service\": 600},"
                     " {\"id\": 13, \"location_index\": 4, \"service\": 600}],"
                     " \"matrices\": {\"car\": {\"durations\": [[0, 300, 600, 650, 700],"
                     " [300, 0, 300, 400, 450], [600, 300, 0, 100, 150], [650, 400, 100, 0, 100],"
                     " [700, 450, 150, 100, 0]]}}}");
    const char *plan1 =
        "{\"routes\": [{\"vehicle\": 1, \"steps\": [{\"type\": \"job\", \"id\": 10},"
        " {\"type\": \"job\", \"id\": 11}, {\"type\": \"job\", \"id\": 13}]}]}";
    cv_live *L = live_of(p, plan1);
    cv_live_outcome o;
    cv_diag d;
    cv_diag_clear(&d);
    cv_live_urgent u = {
        .id = 60, .time = 0, .deadline_s = 2000, .loc = 3, .service = 300, .priority = 100};
    assert_int_equal(cv_live_insert_urgent(L, &u, &o, &d), CV_OK);
    assert_int_equal(o.method, CV_LIVE_INSERTED);
    assert_int_equal(o.arrival, 1900);
    assert_int_equal(ev(L, CV_LIVE_VISIT_START, 300, 1, 10, &d), CV_OK);
    assert_int_equal(ev(L, CV_LIVE_VISIT_DONE, 1200, 1, 10, &d), CV_OK);
    assert_int_equal(start_of(L, 1, "job", 60), 2200);
    char *before = NULL;
    assert_int_equal(cv_live_to_json(L, &before), CV_OK);
    assert_non_null(strstr(before, "\"feasible\":false"));
    free(before);
    reoptimize_frozen(L, 1200, &o);
    assert_int_equal(start_of(L, 1, "job", 60), 1600);
    assert_true(start_of(L, 1, "job", 11) > 1600);
    assert_true(start_of(L, 1, "job", 13) > 1600);
    assert_remaining_valid(L);
    cv_live_destroy(L);
    cv_problem_destroy(p);
}

#ifdef CV_GRAPH_AVAILABLE
/* Urgent visits by coordinates on a road graph: a 7 x 7 grid of residential
 * streets 0.005 degrees apart (about 550 m), imported from OSM XML. */
static cv_graph *grid_graph(char *dir, size_t dirsz)
{
    snprintf(dir, dirsz, "/tmp/cv_live_grid_XXXXXX");
    assert_non_null(mkdtemp(dir));
    char osm[160], cvg[160];
    snprintf(osm, sizeof osm, "%s/grid.osm", dir);
    snprintf(cvg, sizeof cvg, "%s/grid.cvg", dir);
    FILE *f = fopen(osm, "w");
    assert_non_null(f);
    fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<osm version=\"0.6\">\n");
    for (int r = 0; r < 7; r++)
        for (int c = 0; c < 7; c++)
            fprintf(f, "  <node id=\"%d\" lat=\"%.3f\" lon=\"%.3f\"/>\n", 1 + r * 7 + c, r * 0.005,
                    c * 0.005);
    int way = 100;
    for (int r = 0; r < 7; r++) {
        fprintf(f, "  <way id=\"%d\">", way++);
        for (int c = 0; c < 7; c++) fprintf(f, "<nd ref=\"%d\"/>", 1 + r * 7 + c);
        fprintf(f, "<tag k=\"highway\" v=\"residential\"/></way>\n");
    }
    for (int c = 0; c < 7; c++) {
        fprintf(f, "  <way id=\"%d\">", way++);
        for (int r = 0; r < 7; r++) fprintf(f, "<nd ref=\"%d\"/>", 1 + r * 7 + c);
        fprintf(f, "<tag k=\"highway\" v=\"residential\"/></way>\n");
    }
    fprintf(f, "</osm>\n");
    fclose(f);
    cv_diag d;
    cv_diag_clear(&d);
    assert_int_equal(cv_graph_import(osm, cvg, "car", false, NULL, &d), CV_OK);
    cv_graph *g = NULL;
    assert_int_equal(cv_graph_load(&g, cvg, &d), CV_OK);
    unlink(osm);
    unlink(cvg);
    rmdir(dir);
    return g;
}

static void test_urgent_by_coordinates(void **state)
{
    (void)state;
    char dir[64];
    cv_graph *g = grid_graph(dir, sizeof dir);
    cv_problem *p = problem_from(
        "{\"vehicles\": [{\"id\": 1, \"profile\": \"car\", \"start\": [0, 0], \"end\": [0, 0],"
        " \"time_window\": [0, 20000]},"
        " {\"id\": 2, \"profile\": \"car\", \"start\": [0.03, 0.03], \"end\": [0.03, 0.03],"
        " \"time_window\": [0, 20000]}],"
        " \"jobs\": [{\"id\": 10, \"location\": [0.01, 0.0], \"service\": 600},"
        " {\"id\": 11, \"location\": [0.02, 0.01], \"service\": 600},"
        " {\"id\": 12, \"location\": [0.02, 0.03], \"service\": 600}]}");
    cv_diag d;
    cv_diag_clear(&d);
    assert_int_equal(cv_engine_fill_matrices(p, g, 1, &d), CV_OK);
    char *plan = solve_json(p);
    cv_live *L = live_of(p, plan);
    json_t *j =
        json_loads("{\"id\": 50, \"time\": 600, \"deadline\": 1800, \"location\": [0.0125, 0.0101],"
                   " \"service\": 300, \"margin\": 0}",
                   0, NULL);
    cv_live_urgent q;
    assert_int_equal(cv_live_urgent_from_json(j, "u", p, &q, &d), CV_OK);
    json_decref(j);
    assert_true(q.at_coords);
    assert_int_equal(q.loc, CV_NONE);
    /* Without a graph: a clear refusal of the request, not a guess. */
    cv_live_outcome o;
    cv_diag_clear(&d);
    expect_err(cv_live_insert_urgent(L, &q, &o, &d), &d, "no road graph to route to it");
    assert_int_equal(cv_live_set_graph(L, g, &d), CV_OK);
    /* Off the network (beyond the snap radius): the graph's reason. */
    cv_live_urgent far = q;
    far.id = 51, far.lon = 0.5, far.lat = 0.5;
    cv_diag_clear(&d);
    expect_err(cv_live_insert_urgent(L, &far, &o, &d), &d,
               "location: cannot be placed on the road");
    assert_int_equal(cv_live_insert_urgent(L, &q, &o, &d), CV_OK);
    assert_int_not_equal(o.method, CV_LIVE_REFUSED);
    assert_remaining_valid(L);
    /* The new location's travel times are the graph's, as `solve --graph`
     * would have them with the point among the locations. */
    const cv_problem *lp = cv_live_problem(L);
    const uint32_t n = lp->nlocs;
    assert_int_equal(n, p->nlocs + 1);
    double *pts = calloc(2 * (size_t)n, sizeof *pts);
    uint32_t *dur = calloc((size_t)n * n, sizeof *dur);
    assert_non_null(pts);
    assert_non_null(dur);
    for (uint32_t i = 0; i < n; i++) pts[2 * i] = lp->locs[i].lon, pts[2 * i + 1] = lp->locs[i].lat;
    assert_int_equal(cv_graph_matrix(g, 0, pts, n, dur, NULL, 1, &d), CV_OK);
    for (uint32_t i = 0; i < n; i++) {
        assert_int_equal(lp->profiles[0].durations[(size_t)(n - 1) * n + i],
                         dur[(size_t)(n - 1) * n + i]);
        assert_int_equal(lp->profiles[0].durations[(size_t)i * n + n - 1],
                         dur[(size_t)i * n + n - 1]);
    }
    assert_true(dur[(size_t)(n - 1) * n] > 0);
    free(pts);
    free(dur);
    /* A restart rebuilds the added location from the state, without the graph. */
    char *s1 = NULL;
    assert_int_equal(cv_live_to_json(L, &s1), CV_OK);
    assert_non_null(strstr(s1, "\"added_locations\""));
    cv_live *R = restored(p, s1);
    assert_remaining_valid(R);
    /* A damaged state names the field. */
    json_t *sj = json_loads(s1, 0, NULL);
    json_t *row = json_object_get(
        json_array_get(
            json_object_get(json_array_get(json_object_get(sj, "added_locations"), 0), "profiles"),
            0),
        "durations_to");
    assert_int_equal(json_array_set_new(row, 1, json_integer(-5)), 0);
    char *bad = json_dumps(sj, JSON_COMPACT);
    json_decref(sj);
    cv_live *B = NULL;
    cv_diag_clear(&d);
    expect_err(cv_live_restore(&B, p, bad, strlen(bad), &d), &d,
               "live.added_locations[0].profiles[0].durations_to[1]");
    free(bad);
    free(s1);
    cv_live_destroy(R);
    cv_live_destroy(L);
    free(plan);
    cv_problem_destroy(p);
    cv_graph_destroy(g);
}
#endif

/* Simulator event order: a visit's overrun is known when it starts, and its
 * end is ordered at its true time.  On the line day vehicle 1 finishes job
 * 10 (due at 900) late, and vehicle 2 starts job 12 at its ETA 900: an
 * overrun added after choosing vehicle 1's event (which wins the tie at 900
 * by its lower id) once moved the clock past 900 and made vehicle 2 late. */
static void test_sim_event_order(void **state)
{
    (void)state;
    cv_problem *p = problem_from(line_day);
    cv_live_sim_config cfg = {.seed = 1, .urgent = 0, .delay_max = 1200, .skip_percent = 0};
    cv_live_sim_report r;
    json_t *events = NULL;
    cv_diag d;
    cv_diag_clear(&d);
    assert_int_equal(cv_live_simulate(p, line_plan, strlen(line_plan), NULL, &cfg, &r, &events, &d),
                     CV_OK);
    assert_int_equal(r.check_failures + r.frozen_failures + r.log_failures, 0);
    int64_t done10 = -1, start12 = -1, last = 0;
    size_t i;
    json_t *e;
    json_array_foreach(events, i, e)
    {
        const char *ty = json_string_value(json_object_get(e, "type"));
        json_int_t job = json_integer_value(json_object_get(e, "job"));
        int64_t t = json_integer_value(json_object_get(e, "time"));
        assert_true(t >= last);
        last = t;
        if (!strcmp(ty, "visit.done") && job == 10) done10 = t;
        if (!strcmp(ty, "visit.start") && job == 12) start12 = t;
    }
    assert_true(done10 > 900);
    assert_int_equal(start12, 900);
    json_decref(events);
    cv_problem_destroy(p);
}

/* The shipped care scenario (docs/care-extensions.md: two carers at once,
 * soft windows, preferred carers, working time with overtime and unpaid
 * lunch, hot meals with a ride time, fairness) run live: every intermediate
 * plan passes the checker with the care rules, the frozen prefix holds,
 * and the day replays identically from its events. */
static void test_care_scenario_day(void **state)
{
    (void)state;
    FILE *f = fopen(CV_SOURCE_DIR "/datasets/scenarios/chengdu-city-day.json", "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    long len = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *text = malloc((size_t)len + 1);
    assert_non_null(text);
    assert_int_equal(fread(text, 1, (size_t)len, f), (size_t)len);
    text[len] = 0;
    fclose(f);
    cv_problem *p = problem_from(text);
    free(text);
    assert_true(cv_problem_uses_care_extensions(p));
    char *plan = solve_json(p);
    cv_live_sim_config cfg = {.seed = 2,
                              .urgent = quick() ? 2 : 5,
                              .delay_max = quick() ? 120 : 300,
                              .skip_percent = 3,
                              .log = getenv("CV_TEST_LOG") ? stderr : NULL};
    cv_live_sim_report r1;
    json_t *events = NULL;
    /* ... and replays identically from its events. */
    simulate_and_replay(p, plan, &cfg, &r1, &events);
    assert_true(r1.events > 100);
    /* Both carers of a two-carer visit report it: a visit.start for one job
     * id from two vehicles, at the same time. */
    size_t i, k;
    json_t *e, *f2;
    bool pair = false;
    json_array_foreach(events, i, e)
    {
        if (strcmp(json_string_value(json_object_get(e, "type")), "visit.start") != 0) continue;
        json_array_foreach(
            events, k,
            f2) if (k > i && json_equal(json_object_get(e, "job"), json_object_get(f2, "job")) &&
                    !strcmp(json_string_value(json_object_get(f2, "type")), "visit.start") &&
                    !json_equal(json_object_get(e, "vehicle"), json_object_get(f2, "vehicle")))
        {
            assert_true(json_equal(json_object_get(e, "time"), json_object_get(f2, "time")));
            pair = true;
        }
    }
    assert_true(pair);
    json_decref(events);
    free(plan);
    cv_problem_destroy(p);
}

/* Regression (solver/route.c): inserting into an empty route whose start
 * and end differ -- every live sub-vehicle that has left its depot -- once
 * took the start -> end leg off the insertion cost, which CV_DEBUG_CHECKS
 * builds stop on. */
static void test_solver_start_not_end(void **state)
{
    (void)state;
    cv_problem *p = problem_from(
        "{\"vehicles\": [{\"id\": 1, \"start_index\": 2, \"end_index\": 0}],"
        " \"jobs\": [{\"id\": 12, \"location_index\": 3, \"service\": 10}],"
        " \"matrices\": {\"car\": {\"durations\": [[0, 100, 200, 300], [100, 0, 100, 200],"
        " [200, 100, 0, 100], [300, 200, 100, 0]]}}}");
    char *plan = solve_json(p);
    cv_check_report rep;
    cv_diag d;
    cv_diag_clear(&d);
    assert_int_equal(cv_check_json(p, plan, strlen(plan), &rep, &d), CV_OK);
    assert_int_equal(rep.nviolations + rep.nmismatches, 0);
    assert_int_equal(rep.cost, 400);
    assert_int_equal(rep.assigned, 1);
    cv_check_report_fini(&rep);
    free(plan);
    cv_problem_destroy(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_solver_start_not_end),
        cmocka_unit_test_setup_teardown(test_events_and_etas, line_setup, line_teardown),
        cmocka_unit_test_setup_teardown(test_bad_events, line_setup, line_teardown),
        cmocka_unit_test_setup_teardown(test_urgent_insert_and_refuse, line_setup, line_teardown),
        cmocka_unit_test(test_urgent_replan),
        cmocka_unit_test_setup_teardown(test_restore_and_frozen_check, line_setup, line_teardown),
        cmocka_unit_test(test_simulated_day),
        cmocka_unit_test(test_sim_event_order),
        cmocka_unit_test(test_care_live),
        cmocka_unit_test_setup_teardown(test_urgent_margin, line_setup, line_teardown),
        cmocka_unit_test(test_urgent_late_after_accept),
        cmocka_unit_test_setup_teardown(test_urgent_idle_vehicle_leaves_now, line_setup,
                                        line_teardown),
#ifdef CV_GRAPH_AVAILABLE
        cmocka_unit_test(test_urgent_by_coordinates),
#endif
        cmocka_unit_test(test_care_scenario_day),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
