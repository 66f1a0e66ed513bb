/* engine: the VROOM JSON problem reader.  A table of bad inputs, each with the
 * exact message a user must see, and good inputs whose model is checked field
 * by field (including VROOM's own documented example). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <dirent.h>
#include <stdio.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>

#include "cv/engine.h"

#define M2 "\"matrices\":{\"car\":{\"durations\":[[0,5],[5,0]]}}"
#define V1 "\"vehicles\":[{\"id\":1,\"start_index\":0,\"end_index\":0}]"
#define J1 "\"jobs\":[{\"id\":1,\"location_index\":1}]"

typedef struct bad_case {
    const char *json;
    const char *message; /* exact, or a prefix when it ends with '*' */
} bad_case;

static const bad_case bad_cases[] = {
    /* syntax and top level */
    {"{", "JSON syntax error at line 1, column 1: *"},
    {"{\"jobs\": [1,]}", "JSON syntax error at line 1, column 13: *"},
    {"{\n\"jobs\": NaN}", "JSON syntax error at line 2, column 11: *"},
    {"{\"a\":1e999}", "JSON syntax error at line 1, column 10: *"},
    {"{\"jobs\":[],\"jobs\":[]}", "JSON syntax error at line 1, column 17: *"},
    {"[]", "problem: expected a JSON object, got an array"},
    {"{" J1 "," M2 "}", "vehicles: missing (at least one vehicle is needed)"},
    {"{" J1 "," M2 ",\"vehicles\":[]}", "vehicles: empty (at least one vehicle is needed)"},
    {"{" V1 "," M2 "}", "problem: no jobs and no shipments, nothing to plan"},
    {"{" V1 "," M2 ",\"jobs\":{}}", "jobs: expected an array, got an object"},
    {"{" V1 "," M2 "," J1 ",\"job\":[]}",
     "problem: unknown field \"job\" (did you mean \"jobs\"?)"},
    /* jobs */
    {"{" V1 "," M2 ",\"jobs\":[{\"location_index\":1}]}", "jobs[0]: missing id"},
    {"{" V1 "," M2 ",\"jobs\":[{\"id\":-1,\"location_index\":1}]}",
     "jobs[0].id: must not be negative, got -1"},
    {"{" V1 "," M2 ",\"jobs\":[{\"id\":\"a\",\"location_index\":1}]}",
     "jobs[0].id: expected a non-negative integer, got a string"},
    {"{" V1 "," M2 ",\"jobs\":[{\"id\":1.5,\"location_index\":1}]}",
     "jobs[0].id: expected a non-negative integer, got 1.5"},
    {"{" V1 "," M2 ",\"jobs\":[{\"id\":1,\"location_index\":1},{\"id\":1,\"location_index\":0}]}",
     "jobs[1].id: 1 is already the id of jobs[0]"},
    {"{" V1 "," M2 ",\"jobs\":[{\"id\":1}]}",
     "jobs[0]: location_index is required when matrices are given"},
    {"{" V1 "," M2 ",\"jobs\":[{\"id\":1,\"location_index\":2}]}",
     "jobs[0].location_index: 2 is out of range (the matrices are 2x2)"},
    {"{" V1 "," M2 ",\"jobs\":[{\"id\":1,\"location_index\":1,\"service\":-5}]}",
     "jobs[0].service: must not be negative, got -5"},
    {"{" V1 "," M2 ",\"jobs\":[{\"id\":1,\"location_index\":1,\"setup\":1e15}]}",
     "jobs[0].setup: 1000000000000000 is out of range (expected an integer in [0, 1099511627775])"},
    {"{" V1 "," M2 ",\"jobs\":[{\"id\":1,\"location_index\":1,\"time_windows\":[[900,600]]}]}",
     "jobs[0].time_windows[0]: start 900 > end 600"},
    {"{" V1 "," M2
     ",\"jobs\":[{\"id\":1,\"location_index\":1,\"time_windows\":[[0,600],[500,900]]}]}",
     "jobs[0].time_windows[1]: starts at 500, not after the end 600 of jobs[0].time_windows[0] "
     "(windows must be sorted and disjoint)"},
    {"{" V1 "," M2
     ",\"jobs\":[{\"id\":1,\"location_index\":1,\"time_windows\":[[700,800],[0,100]]}]}",
     "jobs[0].time_windows[1]: starts at 0, not after the end 800 of jobs[0].time_windows[0] "
     "(windows must be sorted and disjoint)"},
    {"{" V1 "," M2 ",\"jobs\":[{\"id\":1,\"location_index\":1,\"time_windows\":[]}]}",
     "jobs[0].time_windows: empty; omit the field for no time window"},
    {"{" V1 "," M2 ",\"jobs\":[{\"id\":1,\"location_index\":1,\"time_windows\":[[1,2,3]]}]}",
     "jobs[0].time_windows[0]: expected 2 values, got 3"},
    {"{" V1 "," M2 ",\"jobs\":[{\"id\":1,\"location_index\":1,\"time_window\":[1,2]}]}",
     "jobs[0]: unknown field \"time_window\" (did you mean \"time_windows\"?)"},
    {"{" V1 "," M2 ",\"jobs\":[{\"id\":1,\"location_index\":1,\"skills\":[\"bath\"]}]}",
     "jobs[0].skills[0]: expected an integer in [0, 4294967295], got a string"},
    {"{" V1 "," M2 ",\"jobs\":[{\"id\":1,\"location_index\":1,\"skills\":[1.5]}]}",
     "jobs[0].skills[0]: expected an integer in [0, 4294967295], got 1.5"},
    {"{" V1 "," M2 ",\"jobs\":[{\"id\":1,\"location_index\":1,\"priority\":101}]}",
     "jobs[0].priority: 101 is out of range (expected an integer in [0, 100])"},
    {"{" V1 "," M2 ",\"jobs\":[{\"id\":1,\"location_index\":1,\"delivery\":[1,2]},"
     "{\"id\":2,\"location_index\":1,\"pickup\":[1]}]}",
     "jobs[1].pickup: 1 value, but amounts in this problem have 2 dimensions (set by "
     "jobs[0].delivery)"},
    {"{" V1 "," M2 ",\"jobs\":[{\"id\":1,\"location_index\":1,\"delivery\":[-1]}]}",
     "jobs[0].delivery[0]: must not be negative, got -1"},
    {"{" V1 "," M2 ",\"jobs\":[{\"id\":1,\"location_index\":1,\"delivery\":[1]}]}",
     "vehicles[0]: missing capacity, but the problem's amounts have 1 dimension (set by "
     "jobs[0].delivery)"},
    {"{" V1 "," M2 ",\"jobs\":[{\"id\":1,\"location_index\":1,\"amount\":[1],\"delivery\":[1]}]}",
     "jobs[0]: both \"amount\" (deprecated) and \"delivery\" given"},
    {"{" V1 "," M2 ",\"jobs\":[{\"id\":1,\"location_index\":1,\"description\":7}]}",
     "jobs[0].description: expected a string, got an integer"},
    /* locations without matrices */
    {"{\"vehicles\":[{\"id\":1,\"start\":[2.35,48.85]}],\"jobs\":[{\"id\":1}]}",
     "jobs[0]: missing location"},
    {"{\"vehicles\":[{\"id\":1,\"start\":[2.35,48.85]}],\"jobs\":[{\"id\":1,\"location\":[200,1]}]"
     "}",
     "jobs[0].location[0]: 200 is out of range [-180, 180]"},
    {"{\"vehicles\":[{\"id\":1,\"start\":[2.35,48.85]}],\"jobs\":[{\"id\":1,\"location\":[2]}]}",
     "jobs[0].location: expected 2 values, got 1"},
    {"{\"vehicles\":[{\"id\":1,\"start\":[2.35,48.85]}],\"jobs\":[{\"id\":1,\"location_index\":0}]"
     "}",
     "jobs[0].location_index: location_index needs matrices, and the problem gives none"},
    /* shipments */
    {"{" V1 "," M2 ",\"shipments\":[{\"pickup\":{\"id\":1,\"location_index\":0}}]}",
     "shipments[0]: missing delivery"},
    {"{" V1 "," M2
     ",\"shipments\":[{\"pickup\":{\"id\":1,\"location_index\":0,\"amount\":[1]},\"delivery\":{"
     "\"id\":1,\"location_index\":1}}]}",
     "shipments[0].pickup: amounts of a shipment go in shipments[0].amount, not in its pickup"},
    {"{\"vehicles\":[{\"id\":1,\"start_index\":0,\"capacity\":[4,4]}]," M2
     ",\"shipments\":[{\"amount\":[1],\"pickup\":{\"id\":1,\"location_index\":0},\"delivery\":{"
     "\"id\":1,\"location_index\":1}}]}",
     "vehicles[0].capacity: 2 values, but amounts in this problem have 1 dimension (set by "
     "shipments[0].amount)"},
    {"{" V1 "," M2
     ",\"shipments\":[{\"pickup\":{\"id\":1,\"location_index\":0},\"delivery\":{\"id\":2,"
     "\"location_index\":1}},{\"pickup\":{\"id\":1,\"location_index\":0},\"delivery\":{\"id\":3,"
     "\"location_index\":1}}]}",
     "shipments[1].pickup.id: 1 is already the id of shipments[0].pickup"},
    /* vehicles */
    {"{" J1 "," M2 ",\"vehicles\":[{\"start_index\":0}]}", "vehicles[0]: missing id"},
    {"{" J1 "," M2 ",\"vehicles\":[{\"id\":1}]}", "vehicles[0]: needs a start or an end (or both)"},
    {"{" J1 "," M2 ",\"vehicles\":[{\"id\":1,\"start_index\":0},{\"id\":1,\"start_index\":0}]}",
     "vehicles[1].id: 1 is already the id of vehicles[0]"},
    {"{" J1 "," M2 ",\"vehicles\":[{\"id\":1,\"start_index\":0,\"time_window\":[10,5]}]}",
     "vehicles[0].time_window: start 10 > end 5"},
    {"{" J1 "," M2 ",\"vehicles\":[{\"id\":1,\"start_index\":0,\"profile\":\"bike\"}]}",
     "vehicles[0].profile: no matrices given for profile \"bike\""},
    {"{" J1 "," M2 ",\"vehicles\":[{\"id\":1,\"start_index\":0,\"speed_factor\":0}]}",
     "vehicles[0].speed_factor: must be > 0 (got 0)"},
    {"{" J1 "," M2 ",\"vehicles\":[{\"id\":1,\"start_index\":0,\"speed_factor\":7}]}",
     "vehicles[0].speed_factor: 7 is out of range [0, 5]"},
    {"{" J1 "," M2 ",\"vehicles\":[{\"id\":1,\"start_index\":0,\"costs\":{\"per_hour\":-1}}]}",
     "vehicles[0].costs.per_hour: must not be negative, got -1"},
    {"{" J1 "," M2 ",\"vehicles\":[{\"id\":1,\"start_index\":0,\"costs\":{\"fix\":1}}]}",
     "vehicles[0].costs: unknown field \"fix\" (did you mean \"fixed\"?)"},
    {"{" J1 "," M2 ",\"vehicles\":[{\"id\":1,\"start_index\":0,\"max_tasks\":-2}]}",
     "vehicles[0].max_tasks: must not be negative, got -2"},
    {"{" J1 "," M2 ",\"vehicles\":[{\"id\":1,\"start_index\":0,\"breaks\":[{\"id\":1,\"time_"
     "windows\":[[5,1]]}]}]}",
     "vehicles[0].breaks[0].time_windows[0]: start 5 > end 1"},
    {"{" J1 "," M2
     ",\"vehicles\":[{\"id\":1,\"start_index\":0,\"breaks\":[{\"id\":1},{\"id\":1}]}]}",
     "vehicles[0].breaks[1].id: 1 is already the id of vehicles[0].breaks[0]"},
    {"{" J1 "," M2
     ",\"vehicles\":[{\"id\":1,\"start_index\":0,\"steps\":[{\"type\":\"job\",\"id\":9}]}]}",
     "vehicles[0].steps[0].id: no job with id 9"},
    {"{" J1 "," M2
     ",\"vehicles\":[{\"id\":1,\"start_index\":0,\"steps\":[{\"type\":\"visit\",\"id\":1}]}]}",
     "vehicles[0].steps[0].type: \"visit\" is not one of start, job, pickup, delivery, break, end"},
    {"{" J1 "," M2 ",\"vehicles\":[{\"id\":1,\"start_index\":0,\"steps\":[{\"type\":\"job\",\"id\":"
     "1},{\"type\":\"start\"}]}]}",
     "vehicles[0].steps[1]: a start step must come first"},
    /* matrices */
    {"{" V1 "," J1 ",\"matrices\":{\"car\":{\"durations\":[[0,5],[5]]}}}",
     "matrices.car.durations[1]: not square: row has 1 value, expected 2"},
    {"{" V1 "," J1 ",\"matrices\":{\"car\":{\"durations\":[[0,5],[-5,0]]}}}",
     "matrices.car.durations[1][0]: must not be negative, got -5"},
    {"{" V1 "," J1 ",\"matrices\":{\"car\":{\"durations\":[[0,5],[5,0]],\"distances\":[[0]]}}}",
     "matrices.car.distances: 1x1, but other matrices are 2x2"},
    {"{" V1 "," J1 ",\"matrices\":{\"car\":{\"durations\":[[0,5],[5,4294967296]]}}}",
     "matrices.car.durations[1][1]: 4294967296 is out of range (expected an integer in [0, "
     "4294967295])"},
    {"{" V1 "," J1 ",\"matrices\":{\"car\":{\"distances\":[[0,5],[5,0]]}}}",
     "matrices.car: missing durations (travel times are required)"},
    {"{" V1 "," J1 ",\"matrices\":{\"car\":{\"durations\":[]}}}",
     "matrices.car.durations: empty matrix"},
    {"{" V1 "," J1 ",\"matrices\":{\"car\":{\"durations\":[[0,1],[1,0]]}},\"matrix\":[[0]]}",
     "matrix: give either \"matrices\" or the legacy \"matrix\", not both"},
    {"{" V1 "," J1 ",\"matrices\":{\"car\":{\"duration\":[[0]]}}}",
     "matrices.car: unknown field \"duration\" (did you mean \"durations\"?)"},
    /* care extensions */
    {"{" V1 "," M2 ",\"jobs\":[{\"id\":1,\"location_index\":1,\"workers\":9}]}",
     "jobs[0].workers: 9 is out of range (expected an integer in [1, 8])"},
    {"{" V1 "," M2 ",\"jobs\":[{\"id\":1,\"location_index\":1,\"lateness\":{\"per_hour\":60}}]}",
     "jobs[0].lateness: missing max (the longest lateness allowed)"},
    {"{" V1 "," M2
     ",\"jobs\":[{\"id\":1,\"location_index\":1,\"lateness\":{\"max\":60,\"cost\":1}}]}",
     "jobs[0].lateness: unknown field \"cost\""},
    {"{" V1 "," M2 ",\"jobs\":[{\"id\":1,\"location_index\":1,\"allowed_vehicles\":[2]}]}",
     "jobs[0].allowed_vehicles[0]: no vehicle with id 2"},
    {"{" V1 "," M2 ",\"jobs\":[{\"id\":1,\"location_index\":1,\"allowed_vehicles\":[]}]}",
     "jobs[0].allowed_vehicles: empty, so no vehicle may serve it"},
    {"{" V1 "," M2 ",\"jobs\":[{\"id\":1,\"location_index\":1,\"allowed_vehicles\":[1],"
     "\"forbidden_vehicles\":[1]}]}",
     "jobs[0]: vehicle 1 is both allowed and forbidden"},
    {"{" V1 "," M2 ",\"jobs\":[{\"id\":1,\"location_index\":1,\"preference_cost\":5}]}",
     "jobs[0].preference_cost: given without preferred_vehicles"},
    {"{" V1 "," M2 "," J1 ",\"relations\":[{\"type\":\"after\",\"first\":1,\"second\":1}]}",
     "relations[0].type: expected \"together\" or \"precedence\""},
    {"{" V1 "," M2 "," J1 ",\"relations\":[{\"type\":\"together\",\"first\":1,\"second\":5}]}",
     "relations[0].second: no job with id 5"},
    {"{" V1 "," M2 "," J1 ",\"relations\":[{\"type\":\"together\",\"first\":1,\"second\":1}]}",
     "relations[0]: first and second are the same job"},
    {"{" V1 "," M2 ",\"jobs\":[{\"id\":1,\"location_index\":1},{\"id\":2,\"location_index\":1}],"
     "\"relations\":[{\"type\":\"precedence\",\"first\":1,\"second\":2,\"min_gap\":600,"
     "\"max_gap\":300}]}",
     "relations[0]: min_gap 600 > max_gap 300"},
    {"{" V1 "," M2 ",\"jobs\":[{\"id\":1,\"location_index\":1},{\"id\":2,\"location_index\":1}],"
     "\"relations\":[{\"type\":\"together\",\"first\":1,\"second\":2,\"max_gap\":5}]}",
     "relations[0]: a \"together\" relation has no gaps (both start at once)"},
    {"{" J1 "," M2 ",\"vehicles\":[{\"id\":1,\"start_index\":0,\"overtime\":{\"after\":10}}]}",
     "vehicles[0].overtime: needs both after and per_hour"},
    {"{" J1 "," M2 ",\"vehicles\":[{\"id\":1,\"start_index\":0,\"max_working_time\":0}]}",
     "vehicles[0].max_working_time: 0 is out of range (expected an integer in [1, "
     "1099511627775])"},
    {"{" J1 "," M2 ",\"vehicles\":[{\"id\":1,\"start_index\":0,\"breaks\":[{\"id\":1,"
     "\"paid\":\"no\"}]}]}",
     "vehicles[0].breaks[0].paid: expected true or false, got a string"},
    {"{" V1 "," M2 ",\"shipments\":[{\"max_ride_time\":0,\"pickup\":{\"id\":1,"
     "\"location_index\":0},\"delivery\":{\"id\":1,\"location_index\":1}}]}",
     "shipments[0].max_ride_time: 0 is out of range (expected an integer in [1, 1099511627775])"},
    {"{" V1 "," M2 "," J1 ",\"fairness\":{\"per_hour\":-1}}",
     "fairness.per_hour: must not be negative, got -1"},
};

static void test_bad_inputs(void **state)
{
    (void)state;
    size_t n = sizeof bad_cases / sizeof bad_cases[0];
    assert_true(n >= 40);
    int failures = 0;
    for (size_t i = 0; i < n; i++) {
        cv_diag d;
        cv_diag_clear(&d);
        cv_problem *p = NULL;
        cv_status s = cv_problem_from_json(&p, bad_cases[i].json, strlen(bad_cases[i].json), &d);
        const char *want = bad_cases[i].message;
        size_t wl = strlen(want);
        bool prefix = wl && want[wl - 1] == '*';
        bool ok = s != CV_OK && p == NULL && d.set &&
                  (prefix ? strncmp(d.msg, want, wl - 1) == 0 : strcmp(d.msg, want) == 0);
        if (!ok) {
            printf("case %zu: %s\n  want: %s\n  got:  %s (status %s)\n", i, bad_cases[i].json, want,
                   d.set ? d.msg : "(no message)", cv_status_name(s));
            failures++;
        }
        if (s == CV_OK) cv_problem_destroy(p);
    }
    assert_int_equal(failures, 0);
}

/* VROOM's documented example problem (docs/API.md), unchanged. */
static const char *vroom_example =
    "{\"vehicles\":[{\"id\":1,\"start\":[2.35044,48.71764],\"end\":[2.35044,48.71764],"
    "\"capacity\":[4],\"skills\":[1,14],\"time_window\":[28800,43200],\"breaks\":[{\"id\":1,"
    "\"service\":300,\"time_windows\":[[32400,34200]]}]},{\"id\":2,\"start\":[2.35044,48.71764],"
    "\"end\":[2.35044,48.71764],\"capacity\":[4],\"skills\":[2,14],\"time_window\":[28800,43200],"
    "\"breaks\":[{\"id\":2,\"service\":300,\"time_windows\":[[34200,36000]]}]}],\"jobs\":[{\"id\":"
    "1,"
    "\"service\":300,\"delivery\":[1],\"location\":[1.98935,48.701],\"skills\":[1],\"time_"
    "windows\":[[32400,36000]]},{\"id\":2,\"service\":300,\"pickup\":[1],\"location\":[2.03655,"
    "48.61128],\"skills\":[1]},{\"id\":5,\"service\":300,\"delivery\":[1],\"location\":[2.28325,"
    "48.5958],\"skills\":[14]},{\"id\":6,\"service\":300,\"delivery\":[1],\"location\":[2.89357,"
    "48.90736],\"skills\":[14]}],\"shipments\":[{\"amount\":[1],\"skills\":[2],\"pickup\":{\"id\":"
    "4,"
    "\"service\":300,\"location\":[2.41808,49.22619]},\"delivery\":{\"id\":3,\"service\":300,"
    "\"location\":[2.39719,49.07611]}}]}";

static void test_vroom_example(void **state)
{
    (void)state;
    cv_diag d;
    cv_diag_clear(&d);
    cv_problem *p = NULL;
    assert_int_equal(cv_problem_from_json(&p, vroom_example, strlen(vroom_example), &d), CV_OK);
    assert_int_equal(p->njobs, 4);
    assert_int_equal(p->nshipments, 1);
    assert_int_equal(p->ntasks, 6);
    assert_int_equal(p->nvehicles, 2);
    assert_int_equal(p->ndims, 1);
    assert_true(p->uses_coords);
    assert_false(cv_problem_has_matrices(p));
    /* depot shared by both vehicles: 1 + 4 jobs + 2 shipment locations */
    assert_int_equal(p->nlocs, 7);
    assert_int_equal(p->vehicles[0].start_loc, p->vehicles[1].end_loc);
    const cv_task *pick = &p->tasks[4], *del = &p->tasks[5];
    assert_int_equal(pick->kind, CV_TASK_PICKUP);
    assert_int_equal(pick->id, 4);
    assert_int_equal(del->kind, CV_TASK_DELIVERY);
    assert_int_equal(del->sibling, 4);
    assert_int_equal(cv_task_pickup(p, pick)[0], 1);
    assert_int_equal(cv_task_delivery(p, del)[0], 1);
    assert_int_equal(cv_task_delivery(p, pick)[0], 0);
    assert_int_equal(p->tasks[0].tw_count, 1);
    assert_int_equal(cv_task_tws(p, &p->tasks[0])[0].end, 36000);
    assert_int_equal(cv_task_tws(p, &p->tasks[1])[0].end, CV_TIME_MAX);
    assert_true(cv_vehicle_has_skills(p, &p->vehicles[0], &p->tasks[0]));
    assert_false(cv_vehicle_has_skills(p, &p->vehicles[1], &p->tasks[0]));
    assert_true(cv_vehicle_has_skills(p, &p->vehicles[1], pick));
    assert_int_equal(p->vehicles[0].break_count, 1);
    assert_int_equal(p->breaks[p->vehicles[1].break_first].id, 2);
    assert_int_equal(p->vehicles[0].per_hour, 3600);
    assert_string_equal(p->profiles[p->vehicles[0].profile].name, "car");
    cv_problem_destroy(p);
}

static void test_matrices_and_roundtrip(void **state)
{
    (void)state;
    const char *js =
        "{\"vehicles\":[{\"id\":7,\"start_index\":0,\"profile\":\"van\",\"capacity\":[10,3],"
        "\"costs\":{\"fixed\":100,\"per_km\":2},\"max_tasks\":5,\"speed_factor\":1.5,"
        "\"steps\":[{\"type\":\"start\"},{\"type\":\"job\",\"id\":3,\"service_at\":60}]}],"
        "\"jobs\":[{\"id\":3,\"location_index\":2,\"setup\":5,\"service\":10,\"delivery\":[1,1],"
        "\"time_windows\":[[0,100],[200,300.0]],\"skills\":[4,2,4],\"priority\":9}],"
        "\"matrices\":{\"van\":{\"durations\":[[0,1,2],[1,0,3],[2,3,0]],"
        "\"distances\":[[0,10,20],[10,0,30],[20,30,0]]}}}";
    cv_diag d;
    cv_diag_clear(&d);
    cv_problem *p = NULL;
    assert_int_equal(cv_problem_from_json(&p, js, strlen(js), &d), CV_OK);
    assert_int_equal(p->nlocs, 3);
    assert_int_equal(p->profiles[0].n, 3);
    assert_int_equal(p->profiles[0].distances[5], 30);
    const cv_task *t = &p->tasks[0];
    assert_int_equal(t->tw_count, 2);
    assert_int_equal(cv_task_tws(p, t)[1].end, 300);
    assert_int_equal(t->skill_count, 2); /* duplicates folded, sorted */
    assert_int_equal(p->skills[t->skill_first], 2);
    const cv_vehicle *v = &p->vehicles[0];
    assert_int_equal(v->end_loc, CV_NONE);
    assert_int_equal(v->fixed_cost, 100);
    assert_int_equal(v->per_km, 2);
    assert_int_equal(v->per_hour, 3600);
    assert_int_equal(v->max_tasks, 5);
    assert_int_equal(v->step_count, 2);
    assert_int_equal(p->input_steps[v->step_first + 1].service_at, 60);
    assert_int_equal(cv_vehicle_capacity(p, v)[1], 3);

    /* write and read back: the same model */
    char *text = NULL;
    assert_int_equal(cv_problem_to_json(p, &text), CV_OK);
    cv_problem *q = NULL;
    assert_int_equal(cv_problem_from_json(&q, text, strlen(text), &d), CV_OK);
    assert_int_equal(q->ntasks, p->ntasks);
    assert_int_equal(q->tasks[0].setup, 5);
    assert_int_equal(cv_task_tws(q, &q->tasks[0])[0].end, 100);
    assert_int_equal(q->vehicles[0].fixed_cost, 100);
    assert_true(q->vehicles[0].speed_factor == 1.5);
    assert_memory_equal(q->profiles[0].durations, p->profiles[0].durations, 9 * sizeof(uint32_t));
    free(text);
    cv_problem_destroy(q);
    cv_problem_destroy(p);
}

static void test_legacy_matrix_and_stdin_limits(void **state)
{
    (void)state;
    const char *js = "{\"vehicles\":[{\"id\":1,\"start_index\":0}],\"jobs\":[{\"id\":1,"
                     "\"location_index\":1}],\"matrix\":[[0,4],[4,0]]}";
    cv_diag d;
    cv_diag_clear(&d);
    cv_problem *p = NULL;
    assert_int_equal(cv_problem_from_json(&p, js, strlen(js), &d), CV_OK);
    assert_string_equal(p->profiles[0].name, "car");
    cv_problem_destroy(p);
    cv_diag_clear(&d);
    assert_int_equal(cv_read_file("/nonexistent/x.json", 100, &(char *){NULL}, &(size_t){0}, &d),
                     CV_EIO);
    assert_non_null(strstr(d.msg, "/nonexistent/x.json: cannot open"));
}

static void test_converters(void **state)
{
    (void)state;
    const char *dir = getenv("CV_SHARED_DIR");
    char path[1024];
    snprintf(path, sizeof path, "%s/datasets/vrp/solomon/C101.txt", dir ? dir : "");
    FILE *f = fopen(path, "r");
    if (!f) {
        printf("note: %s not present, converter test on shared data skipped\n", path);
        return;
    }
    fclose(f);
    cv_diag d;
    cv_diag_clear(&d);
    cv_problem *p = NULL;
    assert_int_equal(cv_convert_solomon(&p, path, &d), CV_OK);
    assert_int_equal(p->njobs, 100);
    assert_int_equal(p->nvehicles, 25);
    assert_int_equal(cv_vehicle_capacity(p, &p->vehicles[0])[0], 200);
    /* C101: depot (40,50), customer 1 at (45,68): floor(10*sqrt(25+324)) = 186 */
    assert_int_equal(p->profiles[0].durations[1], 186);
    assert_int_equal(p->tasks[0].service, 900);
    assert_int_equal(cv_task_tws(p, &p->tasks[0])[0].start, 9120);
    assert_int_equal(p->vehicles[0].tw.end, 12360);
    cv_problem_destroy(p);

    snprintf(path, sizeof path, "%s/datasets/vrp/lilim/lc101.txt", dir);
    assert_int_equal(cv_convert_lilim(&p, path, &d), CV_OK);
    assert_true(p->nshipments > 40);
    assert_int_equal(p->ntasks, 2 * p->nshipments);
    for (uint32_t t = 0; t < p->ntasks; t += 2) {
        assert_int_equal(p->tasks[t].kind, CV_TASK_PICKUP);
        assert_int_equal(p->tasks[t].sibling, t + 1);
        assert_int_equal(cv_task_pickup(p, &p->tasks[t])[0],
                         cv_task_delivery(p, &p->tasks[t + 1])[0]);
    }
    cv_problem_destroy(p);

    /* A Solomon file is not a Li & Lim file: a clear error, no crash. */
    snprintf(path, sizeof path, "%s/datasets/vrp/solomon/C101.txt", dir);
    cv_diag_clear(&d);
    assert_int_not_equal(cv_convert_lilim(&p, path, &d), CV_OK);
    assert_true(d.set);
}

static void test_care_extensions(void **state)
{
    (void)state;
    const char *js =
        "{\"vehicles\":[{\"id\":1,\"start_index\":0,\"max_working_time\":28800,"
        "\"overtime\":{\"after\":25200,\"per_hour\":900},\"breaks\":[{\"id\":5,\"paid\":false,"
        "\"service\":1800}]},{\"id\":2,\"start_index\":0},{\"id\":3,\"start_index\":0}],"
        "\"jobs\":[{\"id\":10,\"location_index\":1,\"workers\":2,\"service\":2700,"
        "\"description\":\"bathing\",\"forbidden_vehicles\":[3]},"
        "{\"id\":11,\"location_index\":1,\"lateness\":{\"max\":900,\"per_hour\":3600},"
        "\"preferred_vehicles\":[2],\"preference_cost\":300},"
        "{\"id\":12,\"location_index\":1,\"allowed_vehicles\":[1,2]}],"
        "\"shipments\":[{\"max_ride_time\":900,\"pickup\":{\"id\":1,\"location_index\":0},"
        "\"delivery\":{\"id\":1,\"location_index\":1}}],"
        "\"relations\":[{\"type\":\"precedence\",\"first\":11,\"second\":12,\"min_gap\":600,"
        "\"max_gap\":7200,\"distinct_workers\":true}],\"fairness\":{\"per_hour\":60},"
        "\"matrices\":{\"car\":{\"durations\":[[0,300],[300,0]]}}}";
    cv_diag d;
    cv_diag_clear(&d);
    cv_problem *p = NULL;
    assert_int_equal(cv_problem_from_json(&p, js, strlen(js), &d), CV_OK);
    assert_true(cv_problem_uses_care_extensions(p));
    assert_int_equal(p->ntasks, 6); /* 2 for the two-carer bathing, 2 jobs, 2 shipment halves */
    assert_int_equal(p->tasks[0].id, 10);
    assert_int_equal(p->tasks[1].id, 10);
    assert_int_equal(p->tasks[1].group_first, 0);
    assert_int_equal(p->tasks[1].group_size, 2);
    assert_int_equal(p->tasks[1].forbidden_count, 1);
    assert_int_equal(p->vehicle_refs[p->tasks[1].forbidden_first], 2);
    assert_int_equal(p->tasks[2].max_lateness, 900);
    assert_int_equal(p->tasks[2].preference_cost, 300);
    assert_int_equal(p->tasks[3].allowed_count, 2);
    assert_int_equal(p->tasks[4].kind, CV_TASK_PICKUP);
    assert_int_equal(p->tasks[4].max_ride_time, 900);
    assert_int_equal(p->nrelations, 2);
    assert_int_equal(p->relations[0].kind, CV_REL_TOGETHER);
    assert_int_equal(p->relations[0].second, 1);
    assert_true(p->relations[0].distinct);
    assert_int_equal(p->relations[1].kind, CV_REL_PRECEDENCE);
    assert_int_equal(p->relations[1].first, 2);
    assert_int_equal(p->relations[1].min_gap, 600);
    assert_true(p->relations[1].distinct);
    assert_int_equal(p->vehicles[0].max_working_time, 28800);
    assert_int_equal(p->vehicles[0].overtime_per_hour, 900);
    assert_true(p->breaks[0].unpaid);
    assert_int_equal(p->fairness_per_hour, 60);

    char *text = NULL;
    assert_int_equal(cv_problem_to_json(p, &text), CV_OK);
    cv_problem *q = NULL;
    cv_status rs = cv_problem_from_json(&q, text, strlen(text), &d);
    if (rs) printf("%s\n%s\n", d.msg, text);
    assert_int_equal(rs, CV_OK);
    assert_int_equal(q->ntasks, 6);
    assert_int_equal(q->nrelations, 2);
    assert_int_equal(q->relations[1].max_gap, 7200);
    assert_int_equal(q->tasks[2].lateness_per_hour, 3600);
    assert_int_equal(q->tasks[4].max_ride_time, 900);
    assert_true(q->breaks[0].unpaid);
    free(text);
    cv_problem_destroy(q);
    cv_problem_destroy(p);
}

static void test_mankowska(void **state)
{
    (void)state;
    const char *dir = getenv("CV_SHARED_DIR");
    char path[1024];
    snprintf(path, sizeof path, "%s/datasets/vrp/hhc/mankowska", dir ? dir : "");
    DIR *dh = opendir(path);
    if (!dh) {
        printf("note: %s not present, Mankowska converter test skipped\n", path);
        return;
    }
    struct dirent *ent;
    int files = 0, precedences = 0;
    while ((ent = readdir(dh))) {
        if (!strstr(ent->d_name, "HCSRP_")) continue;
        char f[1400];
        snprintf(f, sizeof f, "%s/%s", path, ent->d_name);
        cv_diag d;
        cv_diag_clear(&d);
        cv_problem *p = NULL;
        cv_status st = cv_convert_mankowska(&p, f, &d);
        if (st) printf("%s: %s\n", f, d.msg);
        assert_int_equal(st, CV_OK);
        /* patients n from the name; every double service adds a job and a relation */
        unsigned n = (unsigned)atoi(strstr(ent->d_name, "HCSRP_") + 6);
        assert_int_equal(p->ntasks, n + p->nrelations);
        assert_true(p->nrelations > 0);
        for (uint32_t r = 0; r < p->nrelations; r++) {
            const cv_relation *rel = &p->relations[r];
            assert_int_equal(p->tasks[rel->first].loc, p->tasks[rel->second].loc);
            assert_true(rel->distinct);
            precedences += rel->kind == CV_REL_PRECEDENCE;
        }
        assert_true(p->tasks[0].max_lateness > 0);
        cv_problem_destroy(p);
        files++;
    }
    closedir(dh);
    assert_int_equal(files, 60);
    assert_true(precedences > 0);
    /* a truncated file: a clear error naming it */
    char bad[64] = "/tmp/cv_mk_XXXXXX";
    int fd = mkstemp(bad);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, "nbNodes\n12\nnbVehi\n3\nnbServi\n6\nr\n1 1", 35), 35);
    close(fd);
    cv_diag d;
    cv_diag_clear(&d);
    cv_problem *p = NULL;
    assert_int_equal(cv_convert_mankowska(&p, bad, &d), CV_EINVAL);
    assert_non_null(strstr(d.msg, "file ends inside r"));
    unlink(bad);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bad_inputs),
        cmocka_unit_test(test_vroom_example),
        cmocka_unit_test(test_matrices_and_roundtrip),
        cmocka_unit_test(test_legacy_matrix_and_stdin_limits),
        cmocka_unit_test(test_converters),
        cmocka_unit_test(test_care_extensions),
        cmocka_unit_test(test_mankowska),
    };
    return cmocka_run_group_tests_name("engine_problem_json", tests, NULL, NULL);
}
