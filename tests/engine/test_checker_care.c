/* Tests of the plan checker on the care extensions (docs/care-extensions.md;
 * the rules as engine/checker.c defines them in its file-top comment).
 *
 * As in test_checker.c, the reference is arithmetic done by hand: one small
 * problem per extension (visits with two workers, relations, soft windows and
 * vehicle lists, working time with overtime and fairness, ride time), a valid
 * plan scheduled on paper next to it, then planted faults that each change one
 * thing and assert the exact numbers of violations and mismatches and one
 * message naming the place.  Every valid plan also goes through the +-1
 * property: any one number changed must be caught.  test_checker.c, left
 * unchanged, shows that problems without extensions check as before.
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

#include "check_helpers.h"

static void expect_report(const char *problem, const char *solution, uint32_t nviol, uint32_t nmis,
                          const char *expect)
{
    check(problem, solution, nviol, nmis, expect, NULL);
}

/* ---- PW: a visit with two workers. ----
 * Locations 0 (depot), 1, 2.  Job 5 at 1 needs two workers with skill 1,
 * window [20, 100], 30 s, delivers 4, priority 3; job 6 at 2 delivers 1.  The
 * user's relations[0] (job 6 at most 45 after job 5) comes after the relation
 * "workers" makes, so its number in messages must still be 0.  Vehicle 3
 * costs twice as much per hour (vehicles are not interchangeable). */
static const char PW[] =
    "{\"vehicles\":["
    "{\"id\":1,\"start_index\":0,\"end_index\":0,\"capacity\":[10],\"skills\":[1]},"
    "{\"id\":2,\"start_index\":0,\"end_index\":0,\"capacity\":[10],\"skills\":[1]},"
    "{\"id\":3,\"start_index\":0,\"end_index\":0,\"capacity\":[10],\"skills\":[1],"
    "\"costs\":{\"per_hour\":7200}}],"
    "\"jobs\":["
    "{\"id\":5,\"location_index\":1,\"service\":30,\"skills\":[1],\"workers\":2,\"delivery\":[4],"
    "\"priority\":3,\"time_windows\":[[20,100]]},"
    "{\"id\":6,\"location_index\":2,\"service\":5,\"delivery\":[1]}],"
    "\"relations\":[{\"type\":\"precedence\",\"first\":5,\"second\":6,\"max_gap\":45}],"
    "\"matrices\":{\"car\":{\"durations\":[[0,10,20],[10,0,15],[20,15,0]]}}}";

/* By hand.  Both workers reach job 5 at 10, wait to 20, serve to 50.
 *   vehicle 1 (first route: the copy with the amounts): load 4 + 1 at start,
 *     job 5 -> 1, job 6 at 50 + 15 = 65 (gap 45), ends 70, home at 90.
 *     Travel 10 + 15 + 20 = 45.
 *   vehicle 2: load 0 throughout, home at 60, travel 20.
 * Summary: cost 65, priority 3 (the visit once), delivered 5, service 65. */
#define PW_R1                                                                                      \
    "{\"vehicle\":1,\"cost\":45,\"priority\":3,\"delivery\":[5],\"waiting_time\":10,"              \
    "\"service\":35,\"duration\":45,\"steps\":["                                                   \
    "{\"type\":\"start\",\"arrival\":0,\"duration\":0,\"load\":[5]},"                              \
    "{\"type\":\"job\",\"id\":5,\"arrival\":10,\"waiting_time\":10,\"service\":30,"                \
    "\"duration\":10,\"load\":[1]},"                                                               \
    "{\"type\":\"job\",\"id\":6,\"arrival\":65,\"waiting_time\":0,\"service\":5,\"duration\":25,"  \
    "\"load\":[0]},"                                                                               \
    "{\"type\":\"end\",\"arrival\":90,\"duration\":45,\"load\":[0]}]}"
#define PW_R2                                                                                      \
    "{\"vehicle\":2,\"cost\":20,\"priority\":0,\"delivery\":[0],\"waiting_time\":10,"              \
    "\"service\":30,\"duration\":20,\"steps\":["                                                   \
    "{\"type\":\"start\",\"arrival\":0,\"duration\":0,\"load\":[0]},"                              \
    "{\"type\":\"job\",\"id\":5,\"arrival\":10,\"waiting_time\":10,\"service\":30,"                \
    "\"duration\":10,\"load\":[0]},"                                                               \
    "{\"type\":\"end\",\"arrival\":60,\"duration\":20,\"load\":[0]}]}"
/* Vehicle 2 one second later: starts job 5 at 21, home at 61. */
#define PW_R2_LATE                                                                                 \
    "{\"vehicle\":2,\"cost\":20,\"steps\":["                                                       \
    "{\"type\":\"start\",\"arrival\":0,\"load\":[0]},"                                             \
    "{\"type\":\"job\",\"id\":5,\"arrival\":10,\"waiting_time\":11,\"load\":[0]},"                 \
    "{\"type\":\"end\",\"arrival\":61,\"load\":[0]}]}"
/* A third worker on vehicle 3: travel 20 at 7200 per hour. */
#define PW_R3                                                                                      \
    "{\"vehicle\":3,\"cost\":40,\"steps\":["                                                       \
    "{\"type\":\"start\",\"arrival\":0,\"load\":[0]},"                                             \
    "{\"type\":\"job\",\"id\":5,\"arrival\":10,\"waiting_time\":10,\"load\":[0]},"                 \
    "{\"type\":\"end\",\"arrival\":60,\"load\":[0]}]}"

static const char SW[] = "{\"code\":0,\"summary\":{\"cost\":65,\"routes\":2,\"unassigned\":0,"
                         "\"priority\":3,\"delivery\":[5],\"service\":65,\"waiting_time\":20},"
                         "\"unassigned\":[],\"routes\":[" PW_R1 "," PW_R2 "]}";

/* The same plan with vehicle 2's route listed first: vehicle 2 now serves
 * the first copy and carries the 4 units and the priority. */
static const char SW_SWAPPED[] =
    "{\"code\":0,\"summary\":{\"cost\":65,\"unassigned\":0,\"priority\":3,\"delivery\":[5]},"
    "\"unassigned\":[],\"routes\":["
    "{\"vehicle\":2,\"cost\":20,\"priority\":3,\"delivery\":[4],\"steps\":["
    "{\"type\":\"start\",\"arrival\":0,\"load\":[4]},"
    "{\"type\":\"job\",\"id\":5,\"arrival\":10,\"waiting_time\":10,\"load\":[0]},"
    "{\"type\":\"end\",\"arrival\":60,\"load\":[0]}]},"
    "{\"vehicle\":1,\"cost\":45,\"priority\":0,\"delivery\":[1],\"steps\":["
    "{\"type\":\"start\",\"arrival\":0,\"load\":[1]},"
    "{\"type\":\"job\",\"id\":5,\"arrival\":10,\"waiting_time\":10,\"load\":[1]},"
    "{\"type\":\"job\",\"id\":6,\"arrival\":65,\"waiting_time\":0,\"load\":[0]},"
    "{\"type\":\"end\",\"arrival\":90,\"load\":[0]}]}]}";

/* Nothing planned: the two-worker visit is listed once. */
static const char SW_NONE[] =
    "{\"code\":0,\"summary\":{\"cost\":0,\"unassigned\":2},"
    "\"unassigned\":[{\"id\":5,\"type\":\"job\"},{\"id\":6,\"type\":\"job\"}],\"routes\":[]}";

static void test_workers_valid(void **state)
{
    (void)state;
    cv_check_report rep;
    check(PW, SW, 0, 0, NULL, &rep);
    assert_int_equal(rep.cost, 65);
    assert_int_equal(rep.priority, 3);
    assert_int_equal(rep.assigned, 2); /* visits: job 5 once */
    assert_int_equal(rep.unassigned, 0);
    /* Working time 90 and 60: the spread is reported without fairness too. */
    assert_int_equal(rep.working_time_spread, 30);
    cv_check_report_fini(&rep);
    expect_report(PW, SW_SWAPPED, 0, 0, NULL);
    check(PW, SW_NONE, 0, 0, NULL, &rep);
    assert_int_equal(rep.assigned, 0);
    assert_int_equal(rep.unassigned, 2);
    assert_int_equal(rep.working_time_spread, 0);
    cv_check_report_fini(&rep);
}

/* The amounts go with the first route in the solution's order. */
static void test_workers_amounts_on_first_route(void **state)
{
    (void)state;
    /* Vehicle 2 too small for the 4 units: fine while it serves the second
     * copy, a violation once its route comes first. */
    char *small = replace_once(PW, "\"id\":2,\"start_index\":0,\"end_index\":0,\"capacity\":[10]",
                               "\"id\":2,\"start_index\":0,\"end_index\":0,\"capacity\":[3]");
    expect_report(small, SW, 0, 0, NULL);
    expect_report(small, SW_SWAPPED, 1, 0,
                  "routes[0].steps[0] (start): load [4] exceeds the capacity [3] of vehicle 2");
    free(small);
    /* The original loads stated in the swapped order disagree wherever the
     * visit's units and priority move: both start loads, both routes'
     * delivery and priority. */
    char *bad = replace_once(SW, PW_R1 "," PW_R2, PW_R2 "," PW_R1);
    expect_report(PW, bad, 0, 6, "routes[0].steps[0] (start): load is [0], recomputed [4]");
    free(bad);
}

static void test_workers_cost_with_costs_matrix(void **state)
{
    (void)state;
    /* With a costs matrix every copy's route pays its own travel: 3+5+7, 3+3. */
    char *prob =
        replace_once(PW, "\"durations\"", "\"costs\":[[0,3,9],[3,0,5],[7,5,0]],\"durations\"");
    char *s1 = replace_once(SW, "\"vehicle\":1,\"cost\":45", "\"vehicle\":1,\"cost\":15");
    char *s2 = replace_once(s1, "\"vehicle\":2,\"cost\":20", "\"vehicle\":2,\"cost\":6");
    char *s3 = replace_once(s2, "\"summary\":{\"cost\":65", "\"summary\":{\"cost\":21");
    expect_report(prob, s3, 0, 0, NULL);
    free(prob);
    free(s1);
    free(s2);
    free(s3);
}

/* ---- PR: relations. ----
 * Locations 0 .. 3.  Job 31 (at 1) then job 32 (at 2) 30 to 60 s later on
 * different vehicles; jobs 40 and 41 (both at 3) together. */
static const char PR[] =
    "{\"vehicles\":[{\"id\":1,\"start_index\":0,\"end_index\":0},"
    "{\"id\":2,\"start_index\":0,\"end_index\":0}],"
    "\"jobs\":[{\"id\":31,\"location_index\":1,\"service\":10},"
    "{\"id\":32,\"location_index\":2,\"service\":10},"
    "{\"id\":40,\"location_index\":3,\"service\":5},"
    "{\"id\":41,\"location_index\":3,\"service\":5}],"
    "\"relations\":[{\"type\":\"precedence\",\"first\":31,\"second\":32,\"min_gap\":30,"
    "\"max_gap\":60,\"distinct_workers\":true},"
    "{\"type\":\"together\",\"first\":40,\"second\":41}],"
    "\"matrices\":{\"car\":{\"durations\":[[0,10,20,30],[10,0,15,25],[20,15,0,12],[30,25,12,0]]"
    "}}}";

/* By hand.
 *   vehicle 1: job 31 at 10 (ends 20); job 40: arrive 20 + 25 = 45, wait 17
 *     to meet vehicle 2 at 62, ends 67; home at 97.  Travel 65.
 *   vehicle 2: job 32: arrive 20, wait 20 to 40 (31 + 30 = gap 30), ends 50;
 *     job 41: arrive 62, ends 67; home at 97.  Travel 62. */
static const char SR[] =
    "{\"code\":0,\"summary\":{\"cost\":127,\"duration\":127},\"unassigned\":[],\"routes\":["
    "{\"vehicle\":1,\"cost\":65,\"steps\":[{\"type\":\"start\",\"arrival\":0},"
    "{\"type\":\"job\",\"id\":31,\"arrival\":10,\"waiting_time\":0},"
    "{\"type\":\"job\",\"id\":40,\"arrival\":45,\"waiting_time\":17},"
    "{\"type\":\"end\",\"arrival\":97,\"duration\":65}]},"
    "{\"vehicle\":2,\"cost\":62,\"steps\":[{\"type\":\"start\",\"arrival\":0},"
    "{\"type\":\"job\",\"id\":32,\"arrival\":20,\"waiting_time\":20},"
    "{\"type\":\"job\",\"id\":41,\"arrival\":62,\"waiting_time\":0},"
    "{\"type\":\"end\",\"arrival\":97,\"duration\":62}]}]}";

/* Vehicle 1 serves both 31 and 32: 31 at 10, 32 at 35 + 5 wait = 40, job 40
 * at 62, home at 97 (travel 67); vehicle 2 serves 41 alone (arrive 30, wait
 * 32 to 62, home at 97, travel 60).  Valid but for distinct_workers. */
static const char SR_SAME[] =
    "{\"code\":0,\"summary\":{\"cost\":127},\"unassigned\":[],\"routes\":["
    "{\"vehicle\":1,\"cost\":67,\"steps\":[{\"type\":\"start\",\"arrival\":0},"
    "{\"type\":\"job\",\"id\":31,\"arrival\":10,\"waiting_time\":0},"
    "{\"type\":\"job\",\"id\":32,\"arrival\":35,\"waiting_time\":5},"
    "{\"type\":\"job\",\"id\":40,\"arrival\":62,\"waiting_time\":0},"
    "{\"type\":\"end\",\"arrival\":97}]},"
    "{\"vehicle\":2,\"cost\":60,\"steps\":[{\"type\":\"start\",\"arrival\":0},"
    "{\"type\":\"job\",\"id\":41,\"arrival\":30,\"waiting_time\":32},"
    "{\"type\":\"end\",\"arrival\":97}]}]}";

/* Job 32 unassigned, vehicle 2 serving 41 alone. */
static const char SR_HALF[] =
    "{\"code\":0,\"unassigned\":[{\"id\":32,\"type\":\"job\"}],\"routes\":["
    "{\"vehicle\":1,\"cost\":65,\"steps\":[{\"type\":\"start\",\"arrival\":0},"
    "{\"type\":\"job\",\"id\":31,\"arrival\":10,\"waiting_time\":0},"
    "{\"type\":\"job\",\"id\":40,\"arrival\":45,\"waiting_time\":17},"
    "{\"type\":\"end\",\"arrival\":97}]},"
    "{\"vehicle\":2,\"cost\":60,\"steps\":[{\"type\":\"start\",\"arrival\":0},"
    "{\"type\":\"job\",\"id\":41,\"arrival\":30,\"waiting_time\":32},"
    "{\"type\":\"end\",\"arrival\":97}]}]}";

/* 31 and 32 both unassigned; 40 and 41 together at 30. */
static const char SR_NEITHER[] =
    "{\"code\":0,\"summary\":{\"cost\":120,\"unassigned\":2},"
    "\"unassigned\":[{\"id\":31,\"type\":\"job\"},{\"id\":32,\"type\":\"job\"}],\"routes\":["
    "{\"vehicle\":1,\"cost\":60,\"steps\":[{\"type\":\"start\",\"arrival\":0},"
    "{\"type\":\"job\",\"id\":40,\"arrival\":30,\"waiting_time\":0},"
    "{\"type\":\"end\",\"arrival\":65}]},"
    "{\"vehicle\":2,\"cost\":60,\"steps\":[{\"type\":\"start\",\"arrival\":0},"
    "{\"type\":\"job\",\"id\":41,\"arrival\":30,\"waiting_time\":0},"
    "{\"type\":\"end\",\"arrival\":65}]}]}";

/* ---- PL: soft windows and vehicle lists. ----
 * Jobs 1 (at 1, window [0, 9]) and 2 (at 2, window [0, 24]) may each be 10 s
 * late at 1800 per hour.  Vehicle 2 costs 7200 per hour. */
static const char PL[] =
    "{\"vehicles\":[{\"id\":1,\"start_index\":0,\"end_index\":0},"
    "{\"id\":2,\"start_index\":0,\"end_index\":0,\"costs\":{\"per_hour\":7200}}],"
    "\"jobs\":[{\"id\":1,\"location_index\":1,\"time_windows\":[[0,9]],"
    "\"lateness\":{\"max\":10,\"per_hour\":1800}},"
    "{\"id\":2,\"location_index\":2,\"time_windows\":[[0,24]],"
    "\"lateness\":{\"max\":10,\"per_hour\":1800}}],"
    "\"matrices\":{\"car\":{\"durations\":[[0,10,20],[10,0,15],[20,15,0]]}}}";

/* Vehicle 1: job 1 at 10 (1 s late), job 2 at 25 (1 s late), home at 45.
 * Cost = round((3600 * 45 + 1800 * 1 + 1800 * 1) / 3600) = 46: the two half
 * units of lateness join the travel before the one rounding (rounding each
 * would give 47). */
static const char SL[] = "{\"code\":0,\"summary\":{\"cost\":46},\"unassigned\":[],\"routes\":["
                         "{\"vehicle\":1,\"cost\":46,\"steps\":[{\"type\":\"start\",\"arrival\":0},"
                         "{\"type\":\"job\",\"id\":1,\"arrival\":10,\"waiting_time\":0},"
                         "{\"type\":\"job\",\"id\":2,\"arrival\":25,\"waiting_time\":0},"
                         "{\"type\":\"end\",\"arrival\":45,\"duration\":45}]}]}";

static void test_lateness_valid(void **state)
{
    (void)state;
    cv_check_report rep;
    check(PL, SL, 0, 0, NULL, &rep);
    assert_int_equal(rep.cost, 46);
    cv_check_report_fini(&rep);
}

/* Without a stated wait, a soft window lets the task start late rather than
 * wait for its next window (a hard one would wait to 100). */
static void test_lateness_default_wait(void **state)
{
    (void)state;
    char *prob = replace_once(PL, "[[0,24]]", "[[0,24],[100,200]]");
    char *sol = replace_once(SL, "\"arrival\":25,\"waiting_time\":0", "\"arrival\":25");
    expect_report(prob, sol, 0, 0, NULL);
    /* Without lateness the same plan waits: the end arrives 75 s later. */
    char *hard = replace_once(prob, ",\"lateness\":{\"max\":10,\"per_hour\":1800}}]", "}]");
    expect_report(hard, sol, 0, 1, "routes[0].steps[3] (end): arrival is 45, recomputed 120");
    free(prob);
    free(sol);
    free(hard);
}

/* With a costs matrix: sum of costs + round(lateness numerator / 3600). */
static void test_lateness_with_costs_matrix(void **state)
{
    (void)state;
    char *prob =
        replace_once(PL, "\"durations\"", "\"costs\":[[0,7,9],[7,0,3],[9,3,0]],\"durations\"");
    /* 7 + 3 + 9 + round(3600 / 3600) = 20. */
    char *s1 = replace_once(SL, "\"vehicle\":1,\"cost\":46", "\"vehicle\":1,\"cost\":20");
    char *s2 = replace_once(s1, "{\"cost\":46}", "{\"cost\":20}");
    expect_report(prob, s2, 0, 0, NULL);
    /* One more second late at job 1 (window [0, 8]): 1800 * 3 / 3600 = 1.5 -> 2. */
    char *later = replace_once(prob, "[[0,9]]", "[[0,8]]");
    expect_report(later, s2, 0, 2, "routes[0] (vehicle 1): cost is 20, recomputed 21");
    free(prob);
    free(s1);
    free(s2);
    free(later);
}

/* ---- PT: working time, overtime, unpaid break, fairness. ----
 * Vehicle 1: at most 7200 s of work, overtime after 3600 at 1800 per hour,
 * an unpaid 600 s break.  Fairness 3600 per hour of spread. */
static const char PT[] =
    "{\"vehicles\":["
    "{\"id\":1,\"start_index\":0,\"end_index\":0,\"max_working_time\":7200,"
    "\"overtime\":{\"after\":3600,\"per_hour\":1800},"
    "\"breaks\":[{\"id\":1,\"service\":600,\"time_windows\":[[0,100000]],\"paid\":false}]},"
    "{\"id\":2,\"start_index\":0,\"end_index\":0}],"
    "\"jobs\":[{\"id\":1,\"location_index\":1,\"service\":1200},"
    "{\"id\":2,\"location_index\":2,\"service\":600}],"
    "\"fairness\":{\"per_hour\":3600},"
    "\"matrices\":{\"car\":{\"durations\":[[0,1800,3600],[1800,0,1800],[3600,1800,0]]}}}";

/* By hand.
 *   vehicle 1: job 1 at 1800, ends 3000; break at job 1's place 3000-3600;
 *     home at 5400.  Working 5400 - 0 - 600 (unpaid) = 4800, overtime 1200:
 *     cost (3600 * 3600 + 1800 * 1200) / 3600 = 4200.
 *   vehicle 2: job 2 at 3600, ends 4200, home at 7800: working 7800, cost 7200.
 * Spread 7800 - 4800 = 3000, fairness 3600 * 3000 / 3600 = 3000: summary
 * 4200 + 7200 + 3000 = 14400. */
static const char ST[] =
    "{\"code\":0,\"summary\":{\"cost\":14400,\"working_time_spread\":3000,\"duration\":10800},"
    "\"unassigned\":[],\"routes\":["
    "{\"vehicle\":1,\"cost\":4200,\"steps\":[{\"type\":\"start\",\"arrival\":0,\"duration\":0},"
    "{\"type\":\"job\",\"id\":1,\"arrival\":1800,\"waiting_time\":0,\"service\":1200,"
    "\"duration\":1800},"
    "{\"type\":\"break\",\"id\":1,\"arrival\":3000,\"waiting_time\":0,\"service\":600,"
    "\"duration\":1800},"
    "{\"type\":\"end\",\"arrival\":5400,\"duration\":3600}]},"
    "{\"vehicle\":2,\"cost\":7200,\"steps\":[{\"type\":\"start\",\"arrival\":0,\"duration\":0},"
    "{\"type\":\"job\",\"id\":2,\"arrival\":3600,\"waiting_time\":0,\"service\":600,"
    "\"duration\":3600},"
    "{\"type\":\"end\",\"arrival\":7800,\"duration\":7200}]}]}";

static void test_working_time_valid(void **state)
{
    (void)state;
    cv_check_report rep;
    check(PT, ST, 0, 0, NULL, &rep);
    assert_int_equal(rep.cost, 14400);
    assert_int_equal(rep.working_time_spread, 3000);
    cv_check_report_fini(&rep);
}

/* The shift starts when it needs to: vehicle 2 leaving 600 s later works as long. */
static void test_working_time_flexible_start(void **state)
{
    (void)state;
    char *a = replace_once(
        ST, "{\"vehicle\":2,\"cost\":7200,\"steps\":[{\"type\":\"start\",\"arrival\":0",
        "{\"vehicle\":2,\"cost\":7200,\"steps\":[{\"type\":\"start\",\"arrival\":600");
    char *b = replace_once(a, "\"id\":2,\"arrival\":3600", "\"id\":2,\"arrival\":4200");
    char *c = replace_once(b, "\"arrival\":7800", "\"arrival\":8400");
    expect_report(PT, c, 0, 0, NULL);
    /* Waiting counts as work: vehicle 2 waits 100 s at job 2, working 7900,
     * spread 3100. */
    char *d = replace_once(c, "\"id\":2,\"arrival\":4200,\"waiting_time\":0",
                           "\"id\":2,\"arrival\":4200,\"waiting_time\":100");
    char *e = replace_once(d, "\"arrival\":8400", "\"arrival\":8500");
    expect_report(PT, e, 0, 2, "summary: working_time_spread is 3000, recomputed 3100");
    free(a);
    free(b);
    free(c);
    free(d);
    free(e);
}

/* ---- PS: a hot meal. ----
 * Pickup at 1 (setup 30, service 60), delivery at 2 within 900 s of the end
 * of the pickup's service. */
static const char PS[] =
    "{\"vehicles\":[{\"id\":1,\"start_index\":0,\"end_index\":0,\"capacity\":[1]}],"
    "\"shipments\":[{\"amount\":[1],\"max_ride_time\":900,"
    "\"pickup\":{\"id\":1,\"location_index\":1,\"setup\":30,\"service\":60},"
    "\"delivery\":{\"id\":1,\"location_index\":2}}],"
    "\"matrices\":{\"car\":{\"durations\":[[0,600,1200],[600,0,900],[1200,900,0]]}}}";

/* Pickup: arrive 600, setup and service to 690; delivery at 690 + 900 =
 * 1590: a ride of exactly 900; home at 2790; travel 2700. */
static const char SS[] =
    "{\"code\":0,\"summary\":{\"cost\":2700},\"unassigned\":[],\"routes\":["
    "{\"vehicle\":1,\"cost\":2700,\"steps\":[{\"type\":\"start\",\"arrival\":0,\"load\":[0]},"
    "{\"type\":\"pickup\",\"id\":1,\"arrival\":600,\"waiting_time\":0,\"setup\":30,"
    "\"service\":60,\"load\":[1]},"
    "{\"type\":\"delivery\",\"id\":1,\"arrival\":1590,\"waiting_time\":0,\"load\":[0]},"
    "{\"type\":\"end\",\"arrival\":2790,\"duration\":2700}]}]}";

/* Waiting before the delivery counts as ride time. */
static void test_ride_time_waiting_counts(void **state)
{
    (void)state;
    char *prob = replace_once(PS, "\"location_index\":2}",
                              "\"location_index\":2,"
                              "\"time_windows\":[[1600,2000]]}");
    char *a = replace_once(SS, "\"arrival\":1590,\"waiting_time\":0",
                           "\"arrival\":1590,\"waiting_time\":10");
    char *b = replace_once(a, "\"arrival\":2790", "\"arrival\":2800");
    expect_report(prob, b, 1, 0,
                  "shipment (pickup 1, delivery 1): ride time 910, from the end of the pickup at "
                  "routes[0].steps[1] (690) to the delivery at steps[2] (1600), exceeds its "
                  "max_ride_time 900");
    free(prob);
    free(a);
    free(b);
}

/* ---- Planted faults. ---- */

typedef struct fault {
    const char *name;
    const char *problem, *solution;
    bool in_problem; /* where the substitution applies */
    const char *from, *to;
    uint32_t nviolations, nmismatches;
    const char *expect;
} fault;

#define PFAULT(name, prob, sol, from, to, v, m, expect)                                            \
    {                                                                                              \
        name, prob, sol, true, from, to, v, m, expect                                              \
    }
#define SFAULT(name, prob, sol, from, to, v, m, expect)                                            \
    {                                                                                              \
        name, prob, sol, false, from, to, v, m, expect                                             \
    }
#define WHOLE(name, prob, sol, v, m, expect)                                                       \
    {                                                                                              \
        name, prob, sol, false, NULL, NULL, v, m, expect                                           \
    }

static const fault faults[] = {
    /* Two workers. */
    WHOLE("workers_served_once", PW, "{\"unassigned\":[],\"routes\":[" PW_R1 "]}", 1, 0,
          "job 5 needs 2 workers but is served 1 time (first at routes[0].steps[1])"),
    WHOLE("workers_served_three_times", PW,
          "{\"unassigned\":[],\"routes\":[" PW_R1 "," PW_R2 "," PW_R3 "]}", 1, 0,
          "job 5 needs 2 workers but is served 3 times (first at routes[0].steps[1])"),
    SFAULT("workers_same_vehicle", PW, SW, "{\"vehicle\":2,", "{\"vehicle\":1,", 2, 0,
           "job 5: routes[0].steps[1] and routes[1].steps[1] are both vehicle 1; its 2 workers "
           "need distinct vehicles"),
    SFAULT("workers_same_vehicle_reused", PW, SW, "{\"vehicle\":2,", "{\"vehicle\":1,", 2, 0,
           "routes[1]: vehicle 1 is already used by routes[0]"),
    WHOLE("workers_start_apart", PW, "{\"unassigned\":[],\"routes\":[" PW_R1 "," PW_R2_LATE "]}", 1,
          0,
          "job 5: service starts at 20 at routes[0].steps[1] but at 21 at routes[1].steps[1]; its "
          "workers start together"),
    PFAULT("workers_copy_needs_skills", PW, SW,
           "\"id\":2,\"start_index\":0,\"end_index\":0,\"capacity\":[10],\"skills\":[1]",
           "\"id\":2,\"start_index\":0,\"end_index\":0,\"capacity\":[10],\"skills\":[2]", 1, 0,
           "routes[1].steps[1] (job 5): needs skill 1, which vehicle 2 lacks"),
    PFAULT("workers_copy_window", PW, SW, "[[20,100]]", "[[21,100]]", 2, 0,
           "routes[1].steps[1] (job 5): service starts at 20, before the start 21"),
    SFAULT("workers_served_and_unassigned", PW, SW, "\"unassigned\":[]",
           "\"unassigned\":[{\"id\":5,\"type\":\"job\"}]", 1, 0,
           "job 5 is both served at routes[0].steps[1] and listed in unassigned[0]"),
    SFAULT("workers_unassigned_twice", PW, SW_NONE, "[{\"id\":5,\"type\":\"job\"}",
           "[{\"id\":5,\"type\":\"job\"},{\"id\":5,\"type\":\"job\"}", 1, 0,
           "job 5 is listed 2 times in unassigned"),
    SFAULT("workers_missing", PW, SW_NONE, "{\"id\":5,\"type\":\"job\"},", "", 1, 0,
           "job 5 is missing: neither in a route nor in unassigned"),
    SFAULT("workers_priority_once", PW, SW, "\"priority\":3,\"delivery\":[5],\"service\"",
           "\"priority\":6,\"delivery\":[5],\"service\"", 0, 1,
           "summary: priority is 6, recomputed 3"),
    SFAULT("workers_summary_unassigned", PW, SW_NONE, "\"unassigned\":2", "\"unassigned\":3", 0, 1,
           "summary: unassigned is 3, recomputed 2"),
    /* The user's relation is relations[0], though "workers" made one before it. */
    PFAULT("workers_relation_numbered_as_input", PW, SW, "\"max_gap\":45", "\"max_gap\":44", 1, 0,
           "relations[0] (precedence: job 5 then job 6): job 6 starts at 65 (routes[0].steps[2]), "
           "45 after job 5 at 20 (routes[0].steps[1]); more than its max_gap 44"),
    WHOLE("workers_relation_half_planned", PW,
          "{\"unassigned\":[{\"id\":5,\"type\":\"job\"}],\"routes\":["
          "{\"vehicle\":1,\"cost\":40,\"steps\":[{\"type\":\"start\",\"arrival\":0,\"load\":[1]},"
          "{\"type\":\"job\",\"id\":6,\"arrival\":20,\"waiting_time\":0,\"load\":[0]},"
          "{\"type\":\"end\",\"arrival\":45,\"load\":[0]}]}]}",
          1, 0,
          "relations[0] (precedence: job 5 then job 6): job 6 is served at routes[0].steps[1] but "
          "job 5 is not; both or neither"),

    /* Relations. */
    PFAULT("relation_min_gap", PR, SR, "\"min_gap\":30", "\"min_gap\":31", 1, 0,
           "relations[0] (precedence: job 31 then job 32): job 32 starts at 40 "
           "(routes[1].steps[1]), 30 after job 31 at 10 (routes[0].steps[1]); less than its "
           "min_gap 31"),
    PFAULT("relation_max_gap", PR, SR, "\"min_gap\":30,\"max_gap\":60",
           "\"min_gap\":0,\"max_gap\":29", 1, 0,
           "relations[0] (precedence: job 31 then job 32): job 32 starts at 40 "
           "(routes[1].steps[1]), 30 after job 31 at 10 (routes[0].steps[1]); more than its "
           "max_gap 29"),
    PFAULT("relation_negative_gaps_allowed", PR, SR, "\"min_gap\":30,\"max_gap\":60",
           "\"min_gap\":-100,\"max_gap\":30", 0, 0, NULL),
    PFAULT("relation_second_first_too_early", PR, SR, "\"first\":31,\"second\":32",
           "\"first\":32,\"second\":31", 1, 0,
           "relations[0] (precedence: job 32 then job 31): job 31 starts at 10 "
           "(routes[0].steps[1]), -30 after job 32 at 40 (routes[1].steps[1]); less than its "
           "min_gap 30"),
    WHOLE("relation_distinct_workers", PR, SR_SAME, 1, 0,
          "relations[0] (precedence: job 31 then job 32): routes[0].steps[1] and "
          "routes[0].steps[2] are both vehicle 1; they need distinct vehicles"),
    {"relation_same_worker_allowed", PR, SR_SAME, true, ",\"distinct_workers\":true", "", 0, 0,
     NULL},
    SFAULT("relation_together_apart", PR, SR, "\"id\":40,\"arrival\":45,\"waiting_time\":17",
           "\"id\":40,\"arrival\":45,\"waiting_time\":18", 1, 1,
           "relations[1] (together: job 40 and job 41): service starts at 63 at "
           "routes[0].steps[2] but at 62 at routes[1].steps[2]; they start together"),
    WHOLE("relation_half_planned", PR, SR_HALF, 1, 0,
          "relations[0] (precedence: job 31 then job 32): job 31 is served at routes[0].steps[1] "
          "but job 32 is not; both or neither"),
    WHOLE("relation_neither_planned", PR, SR_NEITHER, 0, 0, NULL),

    /* Soft windows. */
    PFAULT("lateness_beyond_max", PL, SL, "[[0,24]]", "[[0,14]]", 1, 0,
           "routes[0].steps[2] (job 2): service starts at 25, 11 after the end of its time window "
           "[0, 14], more than its lateness max 10"),
    PFAULT("lateness_never_early", PL, SL, "[[0,9]]", "[[11,20]]", 1, 0,
           "routes[0].steps[1] (job 1): service starts at 10, before the start 11 of its first "
           "time window"),
    /* Late for the first window (5 s), before the second: 1800 + 9000 more. */
    PFAULT("lateness_between_windows", PL, SL, "[[0,24]]", "[[0,20],[30,40]]", 0, 2,
           "routes[0] (vehicle 1): cost is 46, recomputed 48"),
    PFAULT("lateness_absent_is_hard", PL, SL, ",\"lateness\":{\"max\":10,\"per_hour\":1800}}]",
           "}]", 1, 0,
           "routes[0].steps[2] (job 2): service starts at 25, after the end 24 of its last time "
           "window"),
    PFAULT("lateness_max_zero_is_hard", PL, SL, "\"lateness\":{\"max\":10,\"per_hour\":1800}}]",
           "\"lateness\":{\"max\":0,\"per_hour\":1800}}]", 1, 0,
           "routes[0].steps[2] (job 2): service starts at 25, after the end 24 of its last time "
           "window"),
    SFAULT("lateness_cost", PL, SL, "\"vehicle\":1,\"cost\":46", "\"vehicle\":1,\"cost\":47", 0, 1,
           "routes[0] (vehicle 1): cost is 47, recomputed 46"),

    /* Vehicle lists. */
    PFAULT("allowed_vehicles", PL, SL, "\"id\":1,\"location_index\":1,",
           "\"id\":1,\"location_index\":1,\"allowed_vehicles\":[2],", 1, 0,
           "routes[0].steps[1] (job 1): vehicle 1 is not one of its allowed_vehicles"),
    PFAULT("allowed_vehicles_kept", PL, SL, "\"id\":1,\"location_index\":1,",
           "\"id\":1,\"location_index\":1,\"allowed_vehicles\":[2,1],", 0, 0, NULL),
    PFAULT("forbidden_vehicles", PL, SL, "\"id\":2,\"location_index\":2,",
           "\"id\":2,\"location_index\":2,\"forbidden_vehicles\":[1],", 1, 0,
           "routes[0].steps[2] (job 2): vehicle 1 is one of its forbidden_vehicles"),
    PFAULT("forbidden_vehicles_other", PL, SL, "\"id\":2,\"location_index\":2,",
           "\"id\":2,\"location_index\":2,\"forbidden_vehicles\":[2],", 0, 0, NULL),
    PFAULT("preferred_vehicles_cost", PL, SL, "\"id\":1,\"location_index\":1,",
           "\"id\":1,\"location_index\":1,\"preferred_vehicles\":[2],\"preference_cost\":600,", 0,
           2, "routes[0] (vehicle 1): cost is 46, recomputed 646"),
    PFAULT("preferred_vehicles_met", PL, SL, "\"id\":1,\"location_index\":1,",
           "\"id\":1,\"location_index\":1,\"preferred_vehicles\":[1],\"preference_cost\":600,", 0,
           0, NULL),
    /* Each copy of a two-worker visit pays for itself: vehicle 2 is not preferred. */
    PFAULT("preferred_vehicles_per_copy", PW, SW, "\"workers\":2,",
           "\"workers\":2,\"preferred_vehicles\":[1],\"preference_cost\":7,", 0, 2,
           "routes[1] (vehicle 2): cost is 20, recomputed 27"),
    PFAULT("allowed_vehicles_per_copy", PW, SW, "\"workers\":2,",
           "\"workers\":2,\"allowed_vehicles\":[1,3],", 1, 0,
           "routes[1].steps[1] (job 5): vehicle 2 is not one of its allowed_vehicles"),

    /* Working time, overtime, fairness. */
    PFAULT("max_working_time", PT, ST, "\"max_working_time\":7200", "\"max_working_time\":4799", 1,
           0, "routes[0] (vehicle 1): working time 4800 exceeds its max_working_time 4799"),
    PFAULT("max_working_time_met", PT, ST, "\"max_working_time\":7200", "\"max_working_time\":4800",
           0, 0, NULL),
    /* A paid break is work: 5400, overtime 1800 -> 4500; spread 2400. */
    PFAULT("paid_break_is_work", PT, ST, ",\"paid\":false", ",\"paid\":true", 0, 3,
           "routes[0] (vehicle 1): cost is 4200, recomputed 4500"),
    PFAULT("paid_break_spread", PT, ST, ",\"paid\":false", "", 0, 3,
           "summary: working_time_spread is 3000, recomputed 2400"),
    PFAULT("overtime_cost", PT, ST, "\"after\":3600", "\"after\":4200", 0, 2,
           "routes[0] (vehicle 1): cost is 4200, recomputed 3900"),
    PFAULT("fairness_cost", PT, ST, "\"fairness\":{\"per_hour\":3600}",
           "\"fairness\":{\"per_hour\":7200}", 0, 1, "summary: cost is 14400, recomputed 17400"),
    SFAULT("fairness_spread_stated", PT, ST, "\"working_time_spread\":3000",
           "\"working_time_spread\":2999", 0, 1,
           "summary: working_time_spread is 2999, recomputed 3000"),

    /* Ride time. */
    PFAULT("max_ride_time", PS, SS, "\"max_ride_time\":900", "\"max_ride_time\":899", 1, 0,
           "shipment (pickup 1, delivery 1): ride time 900, from the end of the pickup at "
           "routes[0].steps[1] (690) to the delivery at steps[2] (1590), exceeds its "
           "max_ride_time 899"),
};

static void test_fault(void **state)
{
    const fault *f = *state;
    const char *prob = f->problem, *sol = f->solution;
    char *a = NULL;
    if (f->from) {
        a = replace_once(f->in_problem ? prob : sol, f->from, f->to);
        if (f->in_problem)
            prob = a;
        else
            sol = a;
    }
    expect_report(prob, sol, f->nviolations, f->nmismatches, f->expect);
    free(a);
}

/* ---- Every number of each valid plan is checked. ---- */

static bool objects(const cv_problem *p, const char *sol, size_t len)
{
    cv_check_report rep;
    memset(&rep, 0, sizeof rep);
    cv_diag d;
    cv_diag_clear(&d);
    cv_status s = cv_check_json(p, sol, len, &rep, &d);
    if (s != CV_OK) {
        assert_int_equal(s, CV_EINVAL);
        return true;
    }
    bool any = rep.nmessages > 0;
    cv_check_report_fini(&rep);
    return any;
}

/* Changing any one number by +1 or -1 (an id, a time, a load, a total) must
 * be caught. */
static void every_number_change_caught(const char *problem, const char *sol)
{
    cv_problem *p = load_problem(problem);
    assert_false(objects(p, sol, strlen(sol)));
    size_t len = strlen(sol);
    char *buf = malloc(len + 4);
    assert_non_null(buf);
    unsigned variants = 0;
    for (size_t i = 0; i < len; i++) {
        if (sol[i] < '0' || sol[i] > '9' || (i > 0 && sol[i - 1] >= '0' && sol[i - 1] <= '9'))
            continue;
        size_t j = i;
        long long v = 0;
        while (j < len && sol[j] >= '0' && sol[j] <= '9') v = v * 10 + (sol[j++] - '0');
        bool neg = i > 0 && sol[i - 1] == '-';
        for (int delta = -1; delta <= 1; delta += 2) {
            long long nv = (neg ? -v : v) + delta;
            size_t start = neg ? i - 1 : i;
            char num[32];
            int nl = snprintf(num, sizeof num, "%lld", nv);
            memcpy(buf, sol, start);
            memcpy(buf + start, num, (size_t)nl);
            memcpy(buf + start + nl, sol + j, len - j + 1);
            if (!objects(p, buf, strlen(buf)))
                fail_msg("changing the number at offset %zu by %+d went unnoticed: ...%.60s...", i,
                         delta, buf + (start > 30 ? start - 30 : 0));
            variants++;
        }
    }
    assert_true(variants > 20);
    free(buf);
    cv_problem_destroy(p);
}

static void test_every_number_change_caught(void **state)
{
    (void)state;
    every_number_change_caught(PW, SW);
    every_number_change_caught(PW, SW_SWAPPED);
    every_number_change_caught(PR, SR);
    every_number_change_caught(PL, SL);
    every_number_change_caught(PT, ST);
    every_number_change_caught(PS, SS);
}

/* ---- All extensions in one care day (fixtures/check/care_*.json). ----
 * Locations 0 (office), 1..2 homes, 3 canteen, 4 a home.  By hand:
 *   vehicle 1 (nurse) leaves at 600: bathing (job 10, first copy) 1200-3000;
 *     unpaid break where it is, waits to 3600, 3600-5400; check (job 20) at
 *     5700-6300; home at 7200.  Travel 1800; working 7200 - 600 - 1800 =
 *     4800, overtime 1200 at 1800/h: cost 1800 + 600 = 2400.
 *   vehicle 2 (carer) leaves at 600: bathing with the nurse 1200-3000; meal
 *     picked up 3600-3660, delivered at 4560 (ride 900, the most allowed);
 *     shopping (job 30) at 4560, 560 s late at 3600/h, not its preferred
 *     vehicle (+500); care (job 21) at 6300 after waiting 840 (600 after the
 *     check, on another vehicle); home at 8100.  Travel 3600: cost 3600 + 560
 *     + 500 = 4660; working 7500.
 *   Spread 7500 - 4800 = 2700 at 1200/h: 900.  Summary 2400 + 4660 + 900. */
static void test_care_day(void **state)
{
    (void)state;
    char *prob = read_fixture("care_problem.json");
    char *sol = read_fixture("care_solution.json");
    cv_check_report rep;
    check(prob, sol, 0, 0, NULL, &rep);
    assert_int_equal(rep.cost, 7960);
    assert_int_equal(rep.working_time_spread, 2700);
    assert_int_equal(rep.assigned, 6); /* jobs 10, 20, 21, 30 and the two halves of the meal */
    assert_int_equal(rep.unassigned, 0);
    cv_check_report_fini(&rep);
    char *bad = replace_once(prob, "\"max_ride_time\": 900", "\"max_ride_time\": 899");
    expect_report(bad, sol, 1, 0,
                  "ride time 900, from the end of the pickup at routes[1].steps[2]");
    free(bad);
    bad = replace_once(prob, "\"min_gap\": 600", "\"min_gap\": 601");
    expect_report(bad, sol, 1, 0,
                  "relations[0] (precedence: job 20 then job 21): job 21 starts at 6300 "
                  "(routes[1].steps[5]), 600 after job 20 at 5700 (routes[0].steps[3]); less than "
                  "its min_gap 601");
    free(bad);
    bad = replace_once(prob, "\"max\": 900", "\"max\": 559");
    expect_report(bad, sol, 1, 2,
                  "routes[1].steps[4] (job 30): service starts at 4560, 560 after the end of its "
                  "time window [3000, 4000], more than its lateness max 559");
    free(bad);
    bad = replace_once(prob, "\"fairness\": {\"per_hour\": 1200}",
                       "\"fairness\": {\"per_hour\": 2400}");
    expect_report(bad, sol, 0, 1, "summary: cost is 7960, recomputed 8860");
    free(bad);
    free(prob);
    free(sol);
}

static void test_care_day_every_number(void **state)
{
    (void)state;
    char *prob = read_fixture("care_problem.json");
    char *sol = read_fixture("care_solution.json");
    every_number_change_caught(prob, sol);
    free(prob);
    free(sol);
}

/* Damaged text never crashes the care rules (run under ASan in CI): every
 * prefix, and every byte replaced by characters that break the structure
 * or change an id (a visit's copies, a relation's ends). */
static void damage(const char *problem, const char *sol)
{
    cv_problem *p = load_problem(problem);
    size_t len = strlen(sol);
    char *buf = malloc(len + 1);
    assert_non_null(buf);
    for (size_t i = 0; i < len; i++) {
        assert_true(objects(p, sol, i)); /* every strict prefix is unreadable */
        static const char repl[] = "0156-\"}]{[,x ";
        for (size_t r = 0; r < sizeof repl - 1; r++) {
            if (sol[i] == repl[r]) continue;
            memcpy(buf, sol, len + 1);
            buf[i] = repl[r];
            (void)objects(p, buf, len);
        }
    }
    free(buf);
    cv_problem_destroy(p);
}

static void test_damaged_text_never_crashes(void **state)
{
    (void)state;
    damage(PW, SW);
    damage(PR, SR);
}

int main(void)
{
    static const struct CMUnitTest fixed[] = {
        cmocka_unit_test(test_workers_valid),
        cmocka_unit_test(test_workers_amounts_on_first_route),
        cmocka_unit_test(test_workers_cost_with_costs_matrix),
        cmocka_unit_test(test_lateness_valid),
        cmocka_unit_test(test_lateness_default_wait),
        cmocka_unit_test(test_lateness_with_costs_matrix),
        cmocka_unit_test(test_working_time_valid),
        cmocka_unit_test(test_working_time_flexible_start),
        cmocka_unit_test(test_ride_time_waiting_counts),
        cmocka_unit_test(test_every_number_change_caught),
        cmocka_unit_test(test_care_day),
        cmocka_unit_test(test_care_day_every_number),
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
    return _cmocka_run_group_tests("engine_checker_care", tests, NFIXED + NFAULTS, NULL, NULL);
}
