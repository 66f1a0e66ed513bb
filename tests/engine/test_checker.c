/* Tests of the independent plan checker (engine/checker*.c).
 *
 * The reference here is arithmetic done by hand: every valid solution below
 * was scheduled on paper from its problem (the numbers are explained next to
 * each), never produced by carevan's solver or by the checker itself.  Each
 * planted fault then changes one thing, in the problem (making a consistent
 * plan infeasible: a violation) or in the solution (making a field disagree:
 * a mismatch), and the test asserts the exact number of violations and
 * mismatches and one message naming the place.  VROOM's own documented
 * example output (docs/API.md, with a problem built to match its numbers) must
 * be accepted unchanged.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cv/engine.h"

/* ---- Helpers. ---- */

#include "check_helpers.h"

/* Checks and asserts the counts, and that some message contains `expect`. */
static void expect_report(const char *problem, const char *solution, uint32_t nviol, uint32_t nmis,
                          const char *expect)
{
    check(problem, solution, nviol, nmis, expect, NULL);
}

/* ---- Problem P1: one vehicle with two breaks, jobs, a shipment. ----
 * Locations 0 (depot) .. 3.  Vehicle 1 works [0, 1000] from and to 0, capacity
 * 10, skill 1, break 7 ([40, 60], 5 s) and break 8 (any time, 0 s).  Vehicle
 * 2 stays unused.  Job 14 is left unassigned. */
#define P1_MATRICES                                                                                \
    "\"matrices\":{\"car\":{"                                                                      \
    "\"durations\":[[0,10,20,30],[10,0,15,25],[20,15,0,12],[30,25,12,0]],"                         \
    "\"distances\":[[0,100,200,300],[100,0,150,250],[200,150,0,120],[300,250,120,0]]}}"

static const char P1[] =
    "{\"vehicles\":["
    "{\"id\":1,\"start_index\":0,\"end_index\":0,\"capacity\":[10],\"skills\":[1],"
    "\"time_window\":[0,1000],"
    "\"breaks\":[{\"id\":7,\"time_windows\":[[40,60]],\"service\":5},"
    "{\"id\":8,\"time_windows\":[[0,1000]],\"service\":0}]},"
    "{\"id\":2,\"start_index\":0,\"capacity\":[5],\"max_tasks\":2}],"
    "\"jobs\":["
    "{\"id\":11,\"location_index\":1,\"setup\":2,\"service\":5,\"delivery\":[3],\"skills\":[1],"
    "\"time_windows\":[[0,100]]},"
    "{\"id\":12,\"location_index\":2,\"service\":10,\"pickup\":[2],\"time_windows\":[[50,80]]},"
    "{\"id\":13,\"location_index\":3,\"delivery\":[1],\"priority\":5},"
    "{\"id\":14,\"location_index\":2,\"service\":1}],"
    "\"shipments\":[{\"amount\":[4],"
    "\"pickup\":{\"id\":21,\"location_index\":1,\"setup\":1,\"service\":3},"
    "\"delivery\":{\"id\":21,\"location_index\":3,\"setup\":2,\"service\":4}}]," P1_MATRICES "}";

/* The valid plan, by hand.  Jobs 11 and 13 deliver 3 + 1: load 4 at start.
 *   job 11      0 -> 1: travel 10, arrive 10, setup 2 (new place), service 5 -> ends 17, load 1
 *   pickup 21   same place: setup 0, arrive 17, service 3 -> ends 20, load 5
 *   break 7     taken where the van is (travel 0): arrive 20, wait 20 to its window 40,
 *               5 s -> ends 45
 *   job 12      1 -> 2: travel 15, arrive 60 (window [50, 80]), service 10 -> 70, load 7
 *   job 13      2 -> 3: travel 12, arrive 82, service 0, load 6
 *   delivery 21 same place, setup 0, service 4 -> ends 86, load 2
 *   break 8     arrive 86, 0 s
 *   end         3 -> 0: travel 30, arrive 116.
 * Travel 10+15+12+30 = 67 = cost (per_hour 3600); distance 670; setup 2;
 * service 5+3+5+10+0+4+0 = 27; waiting 20; priority 5; delivered 3+1+4,
 * picked up 2+4.  The summary lists its keys in another order than the route
 * so that each planted change below has a unique anchor. */
#define S1_BREAK8                                                                                  \
    "{\"type\":\"break\",\"id\":8,\"arrival\":86,\"duration\":37,\"distance\":370,\"setup\":0,"    \
    "\"service\":0,\"waiting_time\":0,\"load\":[2]},"

static const char S1[] =
    "{\"code\":0,\"summary\":{\"pickup\":[6],\"delivery\":[8],\"distance\":670,\"priority\":5,"
    "\"waiting_time\":20,\"duration\":67,\"service\":27,\"setup\":2,\"unassigned\":1,\"routes\":1,"
    "\"cost\":67},"
    "\"unassigned\":[{\"id\":14,\"type\":\"job\"}],"
    "\"routes\":[{\"vehicle\":1,\"cost\":67,\"setup\":2,\"service\":27,\"duration\":67,"
    "\"waiting_time\":20,\"priority\":5,\"distance\":670,\"delivery\":[8],\"pickup\":[6],"
    "\"steps\":["
    "{\"type\":\"start\",\"location_index\":0,\"arrival\":0,\"duration\":0,\"distance\":0,"
    "\"load\":[4]},"
    "{\"type\":\"job\",\"id\":11,\"location_index\":1,\"arrival\":10,\"duration\":10,"
    "\"distance\":100,\"setup\":2,\"service\":5,\"waiting_time\":0,\"load\":[1]},"
    "{\"type\":\"pickup\",\"id\":21,\"location_index\":1,\"arrival\":17,\"duration\":10,"
    "\"distance\":100,\"setup\":0,\"service\":3,\"waiting_time\":0,\"load\":[5]},"
    "{\"type\":\"break\",\"id\":7,\"arrival\":20,\"duration\":10,\"distance\":100,\"setup\":0,"
    "\"service\":5,\"waiting_time\":20,\"load\":[5]},"
    "{\"type\":\"job\",\"id\":12,\"location_index\":2,\"arrival\":60,\"duration\":25,"
    "\"distance\":250,\"setup\":0,\"service\":10,\"waiting_time\":0,\"load\":[7]},"
    "{\"type\":\"job\",\"id\":13,\"location_index\":3,\"arrival\":82,\"duration\":37,"
    "\"distance\":370,\"setup\":0,\"service\":0,\"waiting_time\":0,\"load\":[6]},"
    "{\"type\":\"delivery\",\"id\":21,\"location_index\":3,\"arrival\":82,\"duration\":37,"
    "\"distance\":370,\"setup\":0,\"service\":4,\"waiting_time\":0,\"load\":[2]}," S1_BREAK8
    "{\"type\":\"end\",\"location_index\":0,\"arrival\":116,\"duration\":67,\"distance\":670,"
    "\"load\":[2]}]}]}";

/* The same route with break 7 taken on the road, VROOM style: 7 of the 15 s
 * from location 1 to 2 are driven before it (arrive 27, duration 17, distance
 * 100 + round(7 * 150 / 15) = 170), wait 13 to 40, 5 s of break, then the 8 s
 * left: job 12 at 53, ends 63; job 13 at 75; delivery ends 79; end at 109.
 * Waiting 13, everything else as in S1. */
static const char S1_SPLIT[] =
    "{\"code\":0,\"summary\":{\"cost\":67,\"waiting_time\":13,\"distance\":670},"
    "\"unassigned\":[{\"id\":14,\"type\":\"job\"}],"
    "\"routes\":[{\"vehicle\":1,\"cost\":67,\"setup\":2,\"service\":27,\"duration\":67,"
    "\"waiting_time\":13,\"priority\":5,\"distance\":670,\"steps\":["
    "{\"type\":\"start\",\"arrival\":0,\"duration\":0,\"distance\":0,\"load\":[4]},"
    "{\"type\":\"job\",\"id\":11,\"arrival\":10,\"duration\":10,\"distance\":100,\"setup\":2,"
    "\"service\":5,\"waiting_time\":0,\"load\":[1]},"
    "{\"type\":\"pickup\",\"id\":21,\"arrival\":17,\"duration\":10,\"distance\":100,"
    "\"waiting_time\":0,\"load\":[5]},"
    "{\"type\":\"break\",\"id\":7,\"arrival\":27,\"duration\":17,\"distance\":170,"
    "\"service\":5,\"waiting_time\":13,\"load\":[5]},"
    "{\"type\":\"job\",\"id\":12,\"arrival\":53,\"duration\":25,\"distance\":250,"
    "\"waiting_time\":0,\"load\":[7]},"
    "{\"type\":\"job\",\"id\":13,\"arrival\":75,\"duration\":37,\"distance\":370,"
    "\"waiting_time\":0,\"load\":[6]},"
    "{\"type\":\"delivery\",\"id\":21,\"arrival\":75,\"duration\":37,\"distance\":370,"
    "\"waiting_time\":0,\"load\":[2]},"
    "{\"type\":\"break\",\"id\":8,\"arrival\":79,\"duration\":37,\"distance\":370,"
    "\"waiting_time\":0,\"load\":[2]},"
    "{\"type\":\"end\",\"arrival\":109,\"duration\":67,\"distance\":670,\"load\":[2]}]}]}";

/* ---- Problem P2: shipments across vehicles, an open-start vehicle, no
 * distance matrix.  Vehicle 2 is vehicle 1 with a smaller capacity (so that
 * the two are not interchangeable).  Vehicle 3 has no start: its route begins at its first
 * task, which therefore always gets its setup. ---- */
static const char P2[] =
    "{\"vehicles\":[{\"id\":1,\"start_index\":0,\"end_index\":0,\"capacity\":[5]},"
    "{\"id\":2,\"start_index\":0,\"end_index\":0,\"capacity\":[2]},"
    "{\"id\":3,\"end_index\":0,\"capacity\":[5]}],"
    "\"jobs\":[{\"id\":5,\"location_index\":1,\"setup\":1}],"
    "\"shipments\":[{\"amount\":[3],\"pickup\":{\"id\":1,\"location_index\":1,\"service\":2},"
    "\"delivery\":{\"id\":1,\"location_index\":2,\"service\":2}}],"
    "\"matrices\":{\"car\":{\"durations\":[[0,5,7],[5,0,3],[7,3,0]]}}}";

/* Vehicle 3 starting at job 5's place: arrive 0, setup 1, end 1 + 5 = 6. */
#define P2_ROUTE_V3                                                                                \
    "{\"vehicle\":3,\"cost\":5,\"duration\":5,\"steps\":["                                         \
    "{\"type\":\"start\",\"location_index\":1,\"arrival\":0,\"duration\":0,\"load\":[0]},"         \
    "{\"type\":\"job\",\"id\":5,\"location_index\":1,\"arrival\":0,\"duration\":0,\"setup\":1,"    \
    "\"service\":0,\"waiting_time\":0,\"load\":[0]},"                                              \
    "{\"type\":\"end\",\"location_index\":0,\"arrival\":6,\"duration\":5,\"load\":[0]}]}"

/* Vehicle 1: pickup at 5 (ends 7), delivery at 7 + 3 = 10 (ends 12), home at 19. */
static const char S2[] =
    "{\"code\":0,\"unassigned\":[],\"routes\":["
    "{\"vehicle\":1,\"cost\":15,\"duration\":15,\"service\":4,\"steps\":["
    "{\"type\":\"start\",\"location_index\":0,\"arrival\":0,\"duration\":0,\"load\":[0]},"
    "{\"type\":\"pickup\",\"id\":1,\"arrival\":5,\"duration\":5,\"service\":2,\"waiting_time\":0,"
    "\"load\":[3]},"
    "{\"type\":\"delivery\",\"id\":1,\"arrival\":10,\"duration\":8,\"service\":2,"
    "\"waiting_time\":0,\"load\":[0]},"
    "{\"type\":\"end\",\"arrival\":19,\"duration\":15,\"load\":[0]}]}," P2_ROUTE_V3 "]}";

/* ---- Valid solutions. ---- */

static void test_valid_p1(void **state)
{
    (void)state;
    cv_problem *p = load_problem(P1);
    cv_check_report rep;
    cv_diag d;
    cv_diag_clear(&d);
    assert_int_equal(cv_check_json(p, S1, strlen(S1), &rep, &d), CV_OK);
    if (rep.nmessages) dump(&rep);
    assert_int_equal(rep.nviolations, 0);
    assert_int_equal(rep.nmismatches, 0);
    /* The recomputed totals are the hand-made ones. */
    assert_int_equal(rep.cost, 67);
    assert_int_equal(rep.duration, 67);
    assert_int_equal(rep.distance, 670);
    assert_int_equal(rep.waiting, 20);
    assert_int_equal(rep.service, 27);
    assert_int_equal(rep.setup, 2);
    assert_int_equal(rep.routes, 1);
    assert_int_equal(rep.assigned, 5);
    assert_int_equal(rep.unassigned, 1);
    assert_int_equal(rep.priority, 5);
    cv_check_report_fini(&rep);
    cv_problem_destroy(p);
}

static void test_valid_break_on_the_road(void **state)
{
    (void)state;
    expect_report(P1, S1_SPLIT, 0, 0, NULL);
}

static void test_valid_p2_open_start_no_distances(void **state)
{
    (void)state;
    expect_report(P2, S2, 0, 0, NULL);
}

static void test_valid_vroom_example(void **state)
{
    (void)state;
    char *prob = read_fixture("vroom_example_problem.json");
    char *sol = read_fixture("vroom_example_solution.json");
    expect_report(prob, sol, 0, 0, NULL);
    /* The break on the road: 2128 of job 6 -> pickup 4's 3847 s are driven
     * before it, so its distance is 62693 + round(2128 * 69013 / 3847). */
    char *bad = replace_once(sol, "\"distance\": 100868", "\"distance\": 100869");
    expect_report(prob, bad, 0, 1,
                  "routes[1].steps[2] (break 2): distance is 100869, recomputed 100868");
    free(bad);
    bad = replace_once(sol, "[2.28325, 48.5958], \"location_index\"",
                       "[2.28326, 48.5958], \"location_index\"");
    expect_report(prob, bad, 0, 1, "routes[0].steps[2] (job 5): location is [2.283260, 48.595800]");
    free(bad);
    /* Job 1 shifted by its whole window: a violation, and the vehicle comes home late. */
    bad = replace_once(prob, "[[32400, 36000]]", "[[32400, 35000]]");
    expect_report(bad, sol, 1, 0,
                  "routes[0].steps[4] (job 1): service starts at 35631, after the end 35000");
    free(bad);
    free(prob);
    free(sol);
}

/* Costs: fixed + per_hour and per_km, or fixed + the costs matrix; speed factor. */
static void test_costs(void **state)
{
    (void)state;
    /* Out 1800 s / 10 km, 60 s of service, back: travel 3600 s, 20 km.
     * 100 + 7200 * 3600 / 3600 + 500 * 20 = 17300. */
    static const char prob[] = "{\"vehicles\":[{\"id\":1,\"start_index\":0,\"end_index\":0,"
                               "\"costs\":{\"fixed\":100,\"per_hour\":7200,\"per_km\":500}},"
                               "{\"id\":2,\"start_index\":0,\"end_index\":0,\"speed_factor\":2}],"
                               "\"jobs\":[{\"id\":1,\"location_index\":1,\"service\":60},"
                               "{\"id\":2,\"location_index\":1,\"service\":60}],"
                               "\"matrices\":{\"car\":{\"durations\":[[0,1800],[1800,0]],"
                               "\"distances\":[[0,10000],[10000,0]]}}}";
    /* Vehicle 2 drives twice as fast: 900 s each way, cost 1800. */
    static const char sol[] =
        "{\"code\":0,\"summary\":{\"cost\":19100,\"duration\":5400,\"distance\":40000},"
        "\"unassigned\":[],\"routes\":["
        "{\"vehicle\":1,\"cost\":17300,\"steps\":[{\"type\":\"start\",\"arrival\":0},"
        "{\"type\":\"job\",\"id\":1,\"arrival\":1800,\"waiting_time\":0},"
        "{\"type\":\"end\",\"arrival\":3660,\"duration\":3600,\"distance\":20000}]},"
        "{\"vehicle\":2,\"cost\":1800,\"steps\":[{\"type\":\"start\",\"arrival\":0},"
        "{\"type\":\"job\",\"id\":2,\"arrival\":900,\"waiting_time\":0},"
        "{\"type\":\"end\",\"arrival\":1860,\"duration\":1800,\"distance\":20000}]}]}";
    expect_report(prob, sol, 0, 0, NULL);
    char *bad = replace_once(sol, "\"cost\":17300", "\"cost\":17299");
    expect_report(prob, bad, 0, 1, "routes[0] (vehicle 1): cost is 17299, recomputed 17300");
    free(bad);
    /* With a costs matrix, per_hour and per_km no longer apply: 100 + 7 + 9. */
    char *cprob = replace_once(prob, "\"distances\"", "\"costs\":[[0,7],[9,0]],\"distances\"");
    char *csol = replace_once(sol, "\"cost\":17300", "\"cost\":116");
    char *csol2 = replace_once(csol, "\"cost\":19100", "\"cost\":132");
    /* Vehicle 2: 7 + 9 as well, no fixed cost. */
    char *csol3 = replace_once(csol2, "\"cost\":1800", "\"cost\":16");
    expect_report(cprob, csol3, 0, 0, NULL);
    free(cprob);
    free(csol);
    free(csol2);
    free(csol3);
}

/* ---- Planted faults. ---- */

typedef struct fault {
    const char *name;
    const char *base_problem, *base_solution;
    bool in_problem; /* where the substitutions apply */
    const char *from, *to, *from2, *to2;
    uint32_t nviolations, nmismatches;
    const char *expect;
} fault;

#define PF(name, from, to, v, m, expect)                                                           \
    {                                                                                              \
        name, P1, S1, true, from, to, NULL, NULL, v, m, expect                                     \
    }
#define SF(name, from, to, v, m, expect)                                                           \
    {                                                                                              \
        name, P1, S1, false, from, to, NULL, NULL, v, m, expect                                    \
    }
#define SF2(name, from, to, from2, to2, v, m, expect)                                              \
    {                                                                                              \
        name, P1, S1, false, from, to, from2, to2, v, m, expect                                    \
    }
#define WHOLE(name, prob, sol, v, m, expect)                                                       \
    {                                                                                              \
        name, prob, sol, false, NULL, NULL, NULL, NULL, v, m, expect                               \
    }

static const fault faults[] = {
    /* Violations: the plan is consistent, the problem forbids it. */
    PF("tw_after_last", "[[50,80]]", "[[50,55]]", 1, 0,
       "routes[0].steps[4] (job 12): service starts at 60, after the end 55 of its last time "
       "window"),
    PF("tw_before_first", "[[0,100]]", "[[12,100]]", 1, 0,
       "routes[0].steps[1] (job 11): service starts at 10, before the start 12 of its first time "
       "window"),
    PF("tw_between_windows", "[[50,80]]", "[[50,55],[65,80]]", 1, 0,
       "routes[0].steps[4] (job 12): service starts at 60, between its time windows [50, 55] and "
       "[65, 80]"),
    PF("tw_break", "[[40,60]]", "[[41,60]]", 1, 0,
       "routes[0].steps[3] (break 7): break starts at 40, before the start 41 of its first time "
       "window"),
    PF("capacity", "\"capacity\":[10]", "\"capacity\":[6]", 1, 0,
       "routes[0].steps[4] (job 12): load [7] exceeds the capacity [6] of vehicle 1"),
    PF("capacity_at_start", "\"capacity\":[10]", "\"capacity\":[3]", 4, 0,
       "routes[0].steps[0] (start): load [4] exceeds the capacity [3] of vehicle 1"),
    PF("skills", "\"skills\":[1],\"time_window\":[", "\"skills\":[2],\"time_window\":[", 1, 0,
       "routes[0].steps[1] (job 11): needs skill 1, which vehicle 1 lacks"),
    PF("shift_start", "\"time_window\":[0,1000]", "\"time_window\":[5,1000]", 1, 0,
       "routes[0].steps[0] (start): the route starts at 0, before the start 5 of vehicle 1's "
       "shift"),
    PF("shift_end", "\"time_window\":[0,1000]", "\"time_window\":[0,100]", 1, 0,
       "routes[0].steps[8] (end): the route ends at 116, after the end 100 of vehicle 1's shift"),
    SF("break_missing", S1_BREAK8, "", 1, 0, "routes[0] (vehicle 1): break 8 is missing"),
    SF("break_twice", S1_BREAK8, S1_BREAK8 S1_BREAK8, 1, 0,
       "routes[0] (vehicle 1): break 8 is taken 2 times"),
    SF("break_unknown", "\"type\":\"break\",\"id\":8", "\"type\":\"break\",\"id\":9", 1, 0,
       "routes[0].steps[7] (break 9): vehicle 1 has no break 9; route not checked further"),
    PF("break_max_load", "\"service\":5}", "\"service\":5,\"max_load\":[4]}", 1, 0,
       "routes[0].steps[3] (break 7): load [5] exceeds the break's max_load [4]"),
    PF("max_tasks", "\"time_window\":[0,1000],", "\"time_window\":[0,1000],\"max_tasks\":4,", 1, 0,
       "routes[0] (vehicle 1): 5 tasks, more than its max_tasks 4"),
    PF("max_travel_time", "\"time_window\":[0,1000],",
       "\"time_window\":[0,1000],\"max_travel_time\":66,", 1, 0,
       "routes[0] (vehicle 1): travel time 67 exceeds its max_travel_time 66"),
    PF("max_distance", "\"time_window\":[0,1000],",
       "\"time_window\":[0,1000],\"max_distance\":669,", 1, 0,
       "routes[0] (vehicle 1): distance 670 exceeds its max_distance 669"),
    SF("unknown_vehicle", "\"vehicle\":1", "\"vehicle\":99", 1, 0,
       "routes[0]: unknown vehicle 99; route not checked further"),
    SF("unknown_job", "\"type\":\"job\",\"id\":13", "\"type\":\"job\",\"id\":99", 2, 0,
       "routes[0].steps[5] (job 99): unknown job 99; route not checked further"),
    SF("unknown_job_is_missing", "\"type\":\"job\",\"id\":13", "\"type\":\"job\",\"id\":99", 2, 0,
       "job 13 is missing: neither in a route nor in unassigned"),
    SF("missing_task", "\"unassigned\":[{\"id\":14,\"type\":\"job\"}]", "\"unassigned\":[]", 1, 0,
       "job 14 is missing: neither in a route nor in unassigned"),
    SF("served_and_unassigned", "[{\"id\":14,\"type\":\"job\"}]",
       "[{\"id\":14,\"type\":\"job\"},{\"id\":11,\"type\":\"job\"}]", 1, 0,
       "job 11 is both served at routes[0].steps[1] and listed in unassigned[1]"),
    SF("unassigned_twice", "[{\"id\":14,\"type\":\"job\"}]",
       "[{\"id\":14,\"type\":\"job\"},{\"id\":14,\"type\":\"job\"}]", 1, 0,
       "job 14 is listed 2 times in unassigned"),
    SF("unassigned_unknown", "[{\"id\":14,\"type\":\"job\"}]",
       "[{\"id\":14,\"type\":\"job\"},{\"id\":77,\"type\":\"job\"}]", 1, 0,
       "unassigned[1]: unknown job 77"),
    SF("unassigned_wrong_kind", "{\"id\":14,\"type\":\"job\"}", "{\"id\":14,\"type\":\"pickup\"}",
       2, 0, "unassigned[0]: unknown pickup 14"),
    WHOLE("served_twice", P2,
          "{\"unassigned\":[],\"routes\":[{\"vehicle\":1,\"steps\":[{\"type\":\"start\","
          "\"arrival\":0},"
          "{\"type\":\"pickup\",\"id\":1,\"arrival\":5},{\"type\":\"delivery\",\"id\":1,"
          "\"arrival\":10},"
          "{\"type\":\"end\",\"arrival\":19}]},"
          "{\"vehicle\":3,\"steps\":[{\"type\":\"start\",\"arrival\":0},"
          "{\"type\":\"job\",\"id\":5,\"arrival\":0,\"setup\":1},"
          "{\"type\":\"job\",\"id\":5,\"arrival\":1,\"setup\":0},{\"type\":\"end\",\"arrival\":6}]}"
          "]}",
          1, 0, "job 5 is served 2 times (first at routes[1].steps[1])"),
    WHOLE("vehicle_twice", P2,
          "{\"unassigned\":[],\"routes\":[{\"vehicle\":1,\"steps\":[{\"type\":\"start\","
          "\"arrival\":0},"
          "{\"type\":\"pickup\",\"id\":1,\"arrival\":5},{\"type\":\"delivery\",\"id\":1,"
          "\"arrival\":10},"
          "{\"type\":\"end\",\"arrival\":19}]},"
          "{\"vehicle\":1,\"cost\":10,\"steps\":[{\"type\":\"start\",\"arrival\":0},"
          "{\"type\":\"job\",\"id\":5,\"arrival\":5,\"setup\":1},{\"type\":\"end\",\"arrival\":11}]"
          "}]}",
          1, 0, "routes[1]: vehicle 1 is already used by routes[0]"),
    /* Delivery first: 0 -> 2 (7), service 2, 2 -> 1 (3): pickup at 12, home at 19. */
    WHOLE("shipment_delivered_before_pickup", P2,
          "{\"unassigned\":[],\"routes\":[{\"vehicle\":1,\"cost\":15,\"steps\":["
          "{\"type\":\"start\",\"arrival\":0,\"load\":[0]},"
          "{\"type\":\"delivery\",\"id\":1,\"arrival\":7,\"load\":[-3]},"
          "{\"type\":\"pickup\",\"id\":1,\"arrival\":12,\"load\":[0]},"
          "{\"type\":\"end\",\"arrival\":19,\"duration\":15}]}," P2_ROUTE_V3 "]}",
          1, 0,
          "shipment (pickup 1, delivery 1): routes[0] delivers at steps[1] before the pickup at "
          "steps[2]"),
    WHOLE("shipment_on_two_routes", P2,
          "{\"unassigned\":[],\"routes\":[{\"vehicle\":1,\"cost\":10,\"steps\":["
          "{\"type\":\"start\",\"arrival\":0},{\"type\":\"pickup\",\"id\":1,\"arrival\":5,\"load\":"
          "[3]},"
          "{\"type\":\"end\",\"arrival\":12,\"load\":[3]}]},"
          "{\"vehicle\":2,\"cost\":14,\"steps\":[{\"type\":\"start\",\"arrival\":0,\"load\":[0]},"
          "{\"type\":\"delivery\",\"id\":1,\"arrival\":7,\"load\":[-3]},"
          "{\"type\":\"end\",\"arrival\":16}]}," P2_ROUTE_V3 "]}",
          1, 0, "shipment (pickup 1, delivery 1): pickup in routes[0], delivery in routes[1]"),
    WHOLE(
        "shipment_half_assigned", P2,
        "{\"unassigned\":[{\"id\":1,\"type\":\"delivery\"}],\"routes\":[{\"vehicle\":1,\"steps\":["
        "{\"type\":\"start\",\"arrival\":0},{\"type\":\"pickup\",\"id\":1,\"arrival\":5},"
        "{\"type\":\"end\",\"arrival\":12}]}," P2_ROUTE_V3 "]}",
        1, 0,
        "shipment (pickup 1, delivery 1): pickup served at routes[0].steps[1] but its delivery "
        "in no route"),

    /* Mismatches: one stated field changed. */
    SF("arrival_too_early", "\"id\":12,\"location_index\":2,\"arrival\":60",
       "\"id\":12,\"location_index\":2,\"arrival\":59", 0, 1,
       "routes[0].steps[4] (job 12): arrival is 59, recomputed 60 (previous step ends at 45, then "
       "15 of travel)"),
    SF("arrival_at_end", "\"arrival\":116", "\"arrival\":117", 0, 1,
       "routes[0].steps[8] (end): arrival is 117, recomputed 116"),
    /* Waiting 3 s more at job 12 makes every later arrival impossible: job 13,
     * delivery 21, break 8 and the end, plus the route's and summary's waiting. */
    SF("waiting_longer_later_steps_late", "\"waiting_time\":0,\"load\":[7]",
       "\"waiting_time\":3,\"load\":[7]", 0, 6,
       "routes[0].steps[5] (job 13): arrival is 82, recomputed 85"),
    SF("waiting_negative", "\"service\":5,\"waiting_time\":0", "\"service\":5,\"waiting_time\":-1",
       0, 1, "routes[0].steps[1] (job 11): waiting_time -1 is negative"),
    SF("setup", "\"distance\":100,\"setup\":2", "\"distance\":100,\"setup\":0", 0, 1,
       "routes[0].steps[1] (job 11): setup is 0, recomputed 2"),
    SF("setup_at_same_place", "\"arrival\":17,\"duration\":10,\"distance\":100,\"setup\":0",
       "\"arrival\":17,\"duration\":10,\"distance\":100,\"setup\":1", 0, 1,
       "routes[0].steps[2] (pickup 21): setup is 1, recomputed 0"),
    SF("service", "\"service\":10", "\"service\":9", 0, 1,
       "routes[0].steps[4] (job 12): service is 9, recomputed 10"),
    SF("load", "\"load\":[7]", "\"load\":[6]", 0, 1,
       "routes[0].steps[4] (job 12): load is [6], recomputed [7]"),
    SF("load_dimensions", "\"distance\":0,\"load\":[4]", "\"distance\":0,\"load\":[4,0]", 0, 1,
       "routes[0].steps[0] (start): load [4, 0] has 2 dimensions, the problem has 1"),
    SF("step_duration", "\"id\":13,\"location_index\":3,\"arrival\":82,\"duration\":37",
       "\"id\":13,\"location_index\":3,\"arrival\":82,\"duration\":36", 0, 1,
       "routes[0].steps[5] (job 13): duration is 36, recomputed 37"),
    SF("step_distance",
       "\"id\":13,\"location_index\":3,\"arrival\":82,\"duration\":37,\"distance\":370",
       "\"id\":13,\"location_index\":3,\"arrival\":82,\"duration\":37,\"distance\":371", 0, 1,
       "routes[0].steps[5] (job 13): distance is 371, recomputed 370"),
    SF("location_index", "\"id\":12,\"location_index\":2", "\"id\":12,\"location_index\":3", 0, 1,
       "routes[0].steps[4] (job 12): location_index is 3, recomputed 2"),
    /* Break 7 stated after the whole 15 s of travel it could have absorbed:
     * its arrival, duration (25) and distance (250) disagree, job 12 is then
     * due at 45 with no travel left, and the waits no longer add up. */
    SF2("break_arrival_too_late", "\"id\":7,\"arrival\":20", "\"id\":7,\"arrival\":36",
        "\"waiting_time\":20,\"load\":[5]", "\"waiting_time\":4,\"load\":[5]", 0, 6,
        "routes[0].steps[3] (break 7): arrival is 36, after 35 (previous step ends at 20, 15 of "
        "travel left)"),
    SF2("break_arrival_too_early", "\"id\":7,\"arrival\":20", "\"id\":7,\"arrival\":19",
        "\"waiting_time\":20,\"load\":[5]", "\"waiting_time\":21,\"load\":[5]", 0, 3,
        "routes[0].steps[3] (break 7): arrival is 19, before the previous step ends at 20"),
    {"break_distance_on_the_road", P1, S1_SPLIT, false, "\"distance\":170", "\"distance\":171",
     NULL, NULL, 0, 1, "routes[0].steps[3] (break 7): distance is 171, recomputed 170"},
    /* carevan's writer names where a break is taken: the leg's origin while
     * nothing of the leg has been driven. */
    SF("break_location_where_taken", "\"type\":\"break\",\"id\":7,",
       "\"type\":\"break\",\"id\":7,\"location_index\":1,", 0, 0, NULL),
    SF("break_location_elsewhere", "\"type\":\"break\",\"id\":7,",
       "\"type\":\"break\",\"id\":7,\"location_index\":2,", 0, 1,
       "routes[0].steps[3] (break 7): location_index is 2, recomputed 1"),
    {"break_location_on_the_road", P1, S1_SPLIT, false, "\"type\":\"break\",\"id\":7,",
     "\"type\":\"break\",\"id\":7,\"location_index\":1,", NULL, NULL, 0, 1,
     "routes[0].steps[3] (break 7): a location is stated, but the break is taken on the road "
     "from location 1 to 2"},
    SF("unassigned_location", "{\"id\":14,\"type\":\"job\"}",
       "{\"id\":14,\"type\":\"job\",\"location_index\":2}", 0, 0, NULL),
    SF("unassigned_location_wrong", "{\"id\":14,\"type\":\"job\"}",
       "{\"id\":14,\"type\":\"job\",\"location_index\":3}", 0, 1,
       "unassigned[0] (job 14): location_index is 3, recomputed 2"),
    SF("route_cost", "\"vehicle\":1,\"cost\":67", "\"vehicle\":1,\"cost\":66", 0, 1,
       "routes[0] (vehicle 1): cost is 66, recomputed 67"),
    SF("route_setup", "\"cost\":67,\"setup\":2", "\"cost\":67,\"setup\":3", 0, 1,
       "routes[0] (vehicle 1): setup is 3, recomputed 2"),
    SF("route_service", "\"setup\":2,\"service\":27", "\"setup\":2,\"service\":28", 0, 1,
       "routes[0] (vehicle 1): service is 28, recomputed 27"),
    SF("route_duration", "\"duration\":67,\"waiting_time\":20",
       "\"duration\":68,\"waiting_time\":20", 0, 1,
       "routes[0] (vehicle 1): duration is 68, recomputed 67"),
    SF("route_waiting", "\"waiting_time\":20,\"priority\":5", "\"waiting_time\":21,\"priority\":5",
       0, 1, "routes[0] (vehicle 1): waiting_time is 21, recomputed 20"),
    SF("route_priority", "\"priority\":5,\"distance\":670", "\"priority\":4,\"distance\":670", 0, 1,
       "routes[0] (vehicle 1): priority is 4, recomputed 5"),
    SF("route_distance", "\"distance\":670,\"delivery\"", "\"distance\":671,\"delivery\"", 0, 1,
       "routes[0] (vehicle 1): distance is 671, recomputed 670"),
    SF("route_delivery", "\"delivery\":[8],\"pickup\"", "\"delivery\":[9],\"pickup\"", 0, 1,
       "routes[0] (vehicle 1): delivery is [9], recomputed [8]"),
    SF("route_pickup", "\"pickup\":[6],\"steps\"", "\"pickup\":[5],\"steps\"", 0, 1,
       "routes[0] (vehicle 1): pickup is [5], recomputed [6]"),
    SF("summary_cost", "\"routes\":1,\"cost\":67", "\"routes\":1,\"cost\":68", 0, 1,
       "summary: cost is 68, recomputed 67"),
    SF("summary_routes", "\"routes\":1,\"cost\":67", "\"routes\":2,\"cost\":67", 0, 1,
       "summary: routes is 2, recomputed 1"),
    SF("summary_unassigned", "\"unassigned\":1,", "\"unassigned\":0,", 0, 1,
       "summary: unassigned is 0, recomputed 1"),
    SF("summary_setup", "\"setup\":2,\"unassigned\"", "\"setup\":1,\"unassigned\"", 0, 1,
       "summary: setup is 1, recomputed 2"),
    SF("summary_service", "\"service\":27,\"setup\":2", "\"service\":26,\"setup\":2", 0, 1,
       "summary: service is 26, recomputed 27"),
    SF("summary_duration", "\"duration\":67,\"service\"", "\"duration\":60,\"service\"", 0, 1,
       "summary: duration is 60, recomputed 67"),
    SF("summary_waiting", "\"waiting_time\":20,\"duration\"", "\"waiting_time\":0,\"duration\"", 0,
       1, "summary: waiting_time is 0, recomputed 20"),
    SF("summary_priority", "\"priority\":5,\"waiting_time\"", "\"priority\":0,\"waiting_time\"", 0,
       1, "summary: priority is 0, recomputed 5"),
    SF("summary_distance", "\"distance\":670,\"priority\"", "\"distance\":0,\"priority\"", 0, 1,
       "summary: distance is 0, recomputed 670"),
    SF("summary_delivery", "\"delivery\":[8],\"distance\"", "\"delivery\":[7],\"distance\"", 0, 1,
       "summary: delivery is [7], recomputed [8]"),
    SF("summary_pickup", "{\"pickup\":[6]", "{\"pickup\":[7]", 0, 1,
       "summary: pickup is [7], recomputed [6]"),
    WHOLE("distance_without_distance_matrix", P2,
          "{\"unassigned\":[],\"routes\":[{\"vehicle\":1,\"steps\":[{\"type\":\"start\","
          "\"arrival\":0},"
          "{\"type\":\"pickup\",\"id\":1,\"arrival\":5},{\"type\":\"delivery\",\"id\":1,"
          "\"arrival\":10},"
          "{\"type\":\"end\",\"arrival\":19,\"distance\":5}]}," P2_ROUTE_V3 "]}",
          0, 1, "routes[0].steps[3] (end): distance is 5, recomputed 0"),
};

static void test_fault(void **state)
{
    const fault *f = *state;
    const char *prob = f->base_problem, *sol = f->base_solution;
    char *a = NULL, *b = NULL;
    if (f->from) {
        const char *base = f->in_problem ? prob : sol;
        a = replace_once(base, f->from, f->to);
        if (f->from2) {
            b = replace_once(a, f->from2, f->to2);
            free(a);
            a = b;
        }
        if (f->in_problem)
            prob = a;
        else
            sol = a;
    }
    expect_report(prob, sol, f->nviolations, f->nmismatches, f->expect);
    free(a);
}

/* ---- Unreadable solutions: CV_EINVAL with a precise diag. ---- */

typedef struct bad_input {
    const char *solution;
    const char *diag;
} bad_input;

static const bad_input bad_inputs[] = {
    {"{\"routes\": [", "solution: line 1, column 12: ']' expected near end of file"},
    {"[]", "solution: expected an object, got an array"},
    {"{\"code\":0}", "solution: missing \"routes\""},
    {"{\"routes\":{}}", "routes: expected an array, got an object"},
    {"{\"code\":2,\"error\":\"Invalid vehicle\",\"routes\":[]}",
     "code: 2, the solution is an error report: Invalid vehicle"},
    {"{\"routes\":[3]}", "routes[0]: expected an object, got an integer"},
    {"{\"routes\":[{\"steps\":[]}]}", "routes[0]: missing \"vehicle\""},
    {"{\"routes\":[{\"vehicle\":\"1\",\"steps\":[]}]}",
     "routes[0].vehicle: expected an integer, got a string"},
    {"{\"routes\":[{\"vehicle\":1.5,\"steps\":[]}]}",
     "routes[0].vehicle: expected an integer, got 1.5"},
    {"{\"routes\":[{\"vehicle\":1}]}", "routes[0]: missing \"steps\""},
    {"{\"routes\":[{\"vehicle\":1,\"steps\":{}}]}",
     "routes[0].steps: expected an array, got an object"},
    {"{\"routes\":[{\"vehicle\":1,\"steps\":[{\"type\":\"start\"}]}]}",
     "routes[0].steps: 1 steps; a route has at least a start and an end"},
    {"{\"routes\":[{\"vehicle\":1,\"steps\":[{\"type\":\"start\"},{\"id\":3},{\"type\":\"end\"}]}]"
     "}",
     "routes[0].steps[1]: missing \"type\""},
    {"{\"routes\":[{\"vehicle\":1,\"steps\":[{\"type\":\"start\"},{\"type\":7},{\"type\":\"end\"}]}"
     "]}",
     "routes[0].steps[1].type: expected a string, got an integer"},
    {"{\"routes\":[{\"vehicle\":1,\"steps\":[{\"type\":\"start\"},{\"type\":\"lunch\",\"id\":1},"
     "{\"type\":\"end\"}]}]}",
     "routes[0].steps[1].type: unknown step type \"lunch\" (expected start, job, pickup, delivery, "
     "break or end)"},
    {"{\"routes\":[{\"vehicle\":1,\"steps\":[{\"type\":\"start\"},{\"type\":\"job\"},"
     "{\"type\":\"end\"}]}]}",
     "routes[0].steps[1]: job step without \"id\""},
    {"{\"routes\":[{\"vehicle\":1,\"steps\":[{\"type\":\"start\"},{\"type\":\"break\",\"id\":null},"
     "{\"type\":\"end\"}]}]}",
     "routes[0].steps[1].id: expected an integer, got null"},
    {"{\"routes\":[{\"vehicle\":1,\"steps\":[{\"type\":\"start\",\"arrival\":\"8:00\"},"
     "{\"type\":\"end\"}]}]}",
     "routes[0].steps[0].arrival: expected an integer, got a string"},
    {"{\"routes\":[{\"vehicle\":1,\"steps\":[{\"type\":\"start\",\"arrival\":1e300},"
     "{\"type\":\"end\"}]}]}",
     "routes[0].steps[0].arrival: expected an integer, got 1e+300"},
    {"{\"routes\":[{\"vehicle\":1,\"steps\":[{\"type\":\"start\",\"arrival\":9007199254740993},"
     "{\"type\":\"end\"}]}]}",
     "routes[0].steps[0].arrival: 9007199254740993 is out of range (magnitude above 2^53)"},
    {"{\"routes\":[{\"vehicle\":1,\"steps\":[{\"type\":\"start\",\"load\":4},{\"type\":\"end\"}]}]"
     "}",
     "routes[0].steps[0].load: expected an array of integers, got an integer"},
    {"{\"routes\":[{\"vehicle\":1,\"steps\":[{\"type\":\"start\",\"load\":[1,\"a\"]},"
     "{\"type\":\"end\"}]}]}",
     "routes[0].steps[0].load[1]: expected an integer, got a string"},
    {"{\"routes\":[{\"vehicle\":1,\"steps\":[{\"type\":\"start\",\"location\":[1]},"
     "{\"type\":\"end\"}]}]}",
     "routes[0].steps[0].location: expected [lon, lat], two numbers"},
    {"{\"routes\":[{\"vehicle\":1,\"steps\":[{\"type\":\"job\",\"id\":11},{\"type\":\"end\"}]}]}",
     "routes[0].steps[0]: the first step must be the start, not a job"},
    {"{\"routes\":[{\"vehicle\":1,\"steps\":[{\"type\":\"start\"},{\"type\":\"job\",\"id\":11}]}]}",
     "routes[0].steps[1]: the last step must be the end, not a job"},
    {"{\"routes\":[{\"vehicle\":1,\"steps\":[{\"type\":\"start\"},{\"type\":\"start\"},"
     "{\"type\":\"end\"}]}]}",
     "routes[0].steps[1]: a start step in the middle of the route"},
    {"{\"routes\":[],\"unassigned\":{}}", "unassigned: expected an array, got an object"},
    {"{\"routes\":[],\"unassigned\":[{\"type\":\"job\"}]}", "unassigned[0]: missing \"id\""},
    {"{\"routes\":[],\"unassigned\":[{\"id\":1,\"type\":\"visit\"}]}",
     "unassigned[0].type: unknown type \"visit\" (expected job, pickup or delivery)"},
    {"{\"routes\":[],\"unassigned\":[{\"id\":1,\"location\":{}}]}",
     "unassigned[0].location: expected [lon, lat], two numbers"},
    {"{\"routes\":[],\"summary\":[]}", "summary: expected an object, got an array"},
    {"{\"routes\":[],\"summary\":{\"cost\":\"12\"}}",
     "summary.cost: expected an integer, got a string"},
    {"{\"routes\":[],\"summary\":{\"pickup\":[0.5]}}",
     "summary.pickup[0]: expected an integer, got 0.5"},
    {"{\"routes\":[],\"routes\":[]}",
     "solution: line 1, column 21: duplicate object key near '\"routes\"'"},
};

static void test_bad_inputs(void **state)
{
    (void)state;
    cv_problem *p = load_problem(P1);
    for (size_t i = 0; i < sizeof bad_inputs / sizeof bad_inputs[0]; i++) {
        const bad_input *b = &bad_inputs[i];
        cv_check_report rep;
        memset(&rep, 0xAB, sizeof rep); /* untouched on failure */
        cv_diag d;
        cv_diag_clear(&d);
        cv_status s = cv_check_json(p, b->solution, strlen(b->solution), &rep, &d);
        if (s != CV_EINVAL) fail_msg("bad input %zu accepted (status %d): %s", i, s, b->solution);
        if (strcmp(d.msg, b->diag) != 0)
            fail_msg("bad input %zu: diag\n  got      %s\n  expected %s", i, d.msg, b->diag);
        assert_int_equal(rep.nmessages, 0xABABABABu);
    }
    cv_problem_destroy(p);
}

/* Inputs refused before reading: too large, or a problem without travel times. */
static void test_refused_before_reading(void **state)
{
    (void)state;
    cv_problem *p = load_problem(P1);
    cv_check_report rep;
    cv_diag d;
    cv_diag_clear(&d);
    /* The size is judged before a byte is read. */
    assert_int_equal(cv_check_json(p, "{}", CV_MAX_INPUT_BYTES + 1, &rep, &d), CV_ETOOBIG);
    assert_non_null(strstr(d.msg, "more than the limit"));
    cv_problem_destroy(p);
    static const char coords[] = "{\"vehicles\":[{\"id\":1,\"start\":[104.07,30.67]}],"
                                 "\"jobs\":[{\"id\":1,\"location\":[104.08,30.68]}]}";
    p = load_problem(coords);
    cv_diag_clear(&d);
    assert_int_equal(cv_check_json(p, "{\"routes\":[]}", 13, &rep, &d), CV_EINVAL);
    assert_string_equal(d.msg, "problem: no duration matrix (coordinates need a road graph "
                               "before a plan can be checked)");
    cv_problem_destroy(p);
}

/* Integral reals are integers (a tool re-printing VROOM output may write 60.0). */
static void test_integral_reals_accepted(void **state)
{
    (void)state;
    char *sol = replace_once(S1, "\"arrival\":116", "\"arrival\":116.0");
    expect_report(P1, sol, 0, 0, NULL);
    free(sol);
}

/* Violations come first in the report, whatever the order they were found in. */
static void test_violations_listed_first(void **state)
{
    (void)state;
    char *prob = replace_once(P1, "\"capacity\":[10]", "\"capacity\":[6]");
    char *sol = replace_once(S1, "\"distance\":100,\"setup\":2", "\"distance\":100,\"setup\":0");
    cv_problem *p = load_problem(prob);
    cv_check_report rep;
    cv_diag d;
    cv_diag_clear(&d);
    assert_int_equal(cv_check_json(p, sol, strlen(sol), &rep, &d), CV_OK);
    assert_int_equal(rep.nviolations, 1);
    assert_int_equal(rep.nmismatches, 1);
    /* Found in route order: the setup at steps[1] before the load at steps[4]. */
    assert_non_null(strstr(rep.messages[0], "routes[0].steps[4] (job 12): load [7] exceeds"));
    assert_non_null(strstr(rep.messages[1], "routes[0].steps[1] (job 11): setup is 0"));
    cv_check_report_fini(&rep);
    cv_problem_destroy(p);
    free(prob);
    free(sol);
}

/* ---- Properties over many variants. ---- */

/* Checks one variant; returns true when the checker objects to it (a
 * violation, a mismatch, or an unreadable solution). */
static bool objects(const cv_problem *p, const char *sol, size_t len)
{
    cv_check_report rep;
    memset(&rep, 0, sizeof rep);
    cv_diag d;
    cv_diag_clear(&d);
    cv_status s = cv_check_json(p, sol, len, &rep, &d);
    if (s != CV_OK) {
        assert_int_equal(s, CV_EINVAL);
        assert_true(d.set && d.msg[0]);
        return true;
    }
    assert_int_equal(rep.nmessages, rep.nviolations + rep.nmismatches);
    bool any = rep.nmessages > 0;
    cv_check_report_fini(&rep);
    return any;
}

/* Every number of a valid solution is checked: changing any one of them by
 * +1 or -1 (an id, a time, a load, a total, a coordinate digit) must be
 * caught.  `skip` names a JSON key whose object holds numbers the checker
 * rightly ignores (computing_times). */
static void every_number_change_caught(const char *problem, const char *sol, const char *skip)
{
    cv_problem *p = load_problem(problem);
    assert_false(objects(p, sol, strlen(sol)));
    size_t len = strlen(sol), skip_from = len, skip_to = len;
    if (skip) {
        const char *k = strstr(sol, skip);
        assert_non_null(k);
        skip_from = (size_t)(k - sol);
        skip_to = (size_t)(strchr(k, '}') - sol);
    }
    char *buf = malloc(len + 4);
    assert_non_null(buf);
    unsigned variants = 0;
    for (size_t i = 0; i < len; i++) {
        if (sol[i] < '0' || sol[i] > '9' || (i > 0 && sol[i - 1] >= '0' && sol[i - 1] <= '9'))
            continue;
        if (i >= skip_from && i < skip_to) continue;
        size_t j = i;
        long long v = 0;
        while (j < len && sol[j] >= '0' && sol[j] <= '9') v = v * 10 + (sol[j++] - '0');
        bool neg = i > 0 && sol[i - 1] == '-';
        for (int delta = -1; delta <= 1; delta += 2) {
            long long nv = (neg ? -v : v) + delta;
            size_t start = neg ? i - 1 : i;
            char num[32];
            int nl = snprintf(num, sizeof num, "%lld", nv);
            /* Digits after a decimal point keep their width (48.0500 -> 48.0501). */
            if (i > 0 && sol[i - 1] == '.' && nv >= 0)
                nl = snprintf(num, sizeof num, "%0*lld", (int)(j - i), nv);
            if (i > 0 && sol[i - 1] == '.' && (nv < 0 || (size_t)nl != j - i)) continue;
            memcpy(buf, sol, start);
            memcpy(buf + start, num, (size_t)nl);
            memcpy(buf + start + nl, sol + j, len - j + 1);
            if (!objects(p, buf, strlen(buf)))
                fail_msg("changing the number at offset %zu by %+d went unnoticed: ...%.60s...", i,
                         delta, buf + (start > 30 ? start - 30 : 0));
            variants++;
        }
    }
    assert_true(variants > 50);
    free(buf);
    cv_problem_destroy(p);
}

static void test_every_number_change_caught_p1(void **state)
{
    (void)state;
    every_number_change_caught(P1, S1, NULL);
    every_number_change_caught(P1, S1_SPLIT, NULL);
}

static void test_every_number_change_caught_p2(void **state)
{
    (void)state;
    every_number_change_caught(P2, S2, NULL);
}

static void test_every_number_change_caught_vroom(void **state)
{
    (void)state;
    char *prob = read_fixture("vroom_example_problem.json");
    char *sol = read_fixture("vroom_example_solution.json");
    every_number_change_caught(prob, sol, "\"computing_times\"");
    free(prob);
    free(sol);
}

/* Damaged text never crashes the checker (run under ASan in CI): every
 * prefix, and every byte replaced by characters that break the structure. */
static void test_damaged_text_never_crashes(void **state)
{
    (void)state;
    cv_problem *p = load_problem(P1);
    size_t len = strlen(S1);
    char *buf = malloc(len + 1);
    assert_non_null(buf);
    for (size_t i = 0; i < len; i++) {
        assert_true(objects(p, S1, i)); /* every strict prefix is unreadable */
        static const char repl[] = "0-\"}]{[,x ";
        for (size_t r = 0; r < sizeof repl - 1; r++) {
            if (S1[i] == repl[r]) continue;
            memcpy(buf, S1, len + 1);
            buf[i] = repl[r];
            (void)objects(p, buf, len);
        }
    }
    free(buf);
    cv_problem_destroy(p);
}

int main(void)
{
    static const struct CMUnitTest fixed[] = {
        cmocka_unit_test(test_valid_p1),
        cmocka_unit_test(test_valid_break_on_the_road),
        cmocka_unit_test(test_valid_p2_open_start_no_distances),
        cmocka_unit_test(test_valid_vroom_example),
        cmocka_unit_test(test_costs),
        cmocka_unit_test(test_bad_inputs),
        cmocka_unit_test(test_integral_reals_accepted),
        cmocka_unit_test(test_violations_listed_first),
        cmocka_unit_test(test_refused_before_reading),
        cmocka_unit_test(test_every_number_change_caught_p1),
        cmocka_unit_test(test_every_number_change_caught_p2),
        cmocka_unit_test(test_every_number_change_caught_vroom),
        cmocka_unit_test(test_damaged_text_never_crashes),
    };
    enum { NFIXED = sizeof fixed / sizeof fixed[0], NFAULTS = sizeof faults / sizeof faults[0] };
    static struct CMUnitTest tests[NFIXED + NFAULTS];
    static char names[NFAULTS][80];
    memcpy(tests, fixed, sizeof fixed);
    for (size_t i = 0; i < NFAULTS; i++) {
        snprintf(names[i], sizeof names[i], "fault_%s", faults[i].name);
        tests[NFIXED + i] = (struct CMUnitTest){
            .name = names[i], .test_func = test_fault, .initial_state = (void *)&faults[i]};
    }
    return _cmocka_run_group_tests("engine_checker", tests, NFIXED + NFAULTS, NULL, NULL);
}
