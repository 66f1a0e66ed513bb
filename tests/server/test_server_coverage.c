/* The coverage, siting and caravan_stops RPC methods (server/rpc_coverage.c)
 * on a tiny road graph: the 5 x 5 grid of grid_server.h (residential streets
 * 0.001 degrees apart at the equator, 111.2 m a block), imported for car and
 * walk.  Expected times follow from the grid geometry and the walk speed
 * (5 km/h: 80.1 s a block): which clients are covered, by which site, the
 * best new site, the fewest caravan stops; and a table of bad parameters,
 * each naming its field. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "client.h"
#include "rpc_expect.h"
#include "grid_server.h"

static int setup(void **state)
{
    (void)state;
    return grid_server_start("/tmp/cv_cov_srv_XXXXXX", "car,walk");
}

static int teardown(void **state)
{
    (void)state;
    return grid_server_stop();
}

/* Walk on the grid: a block is 111.2 m at 5 km/h = 80.1 s.  Site at the
 * corner (0,0); with 3 minutes (180 s) two blocks (160 s) are inside and
 * three (240 s) are not. */
#define CLIENTS "[[0.002, 0], [0.001, 0.001], [0.002, 0.001], [0.004, 0.004], [0.003, 0]]"

static void test_coverage(void **state)
{
    (void)state;
    tclient c;
    assert_int_equal(tc_connect_tcp(&c, port), 0);
    json_t *r = ok_call(&c, 1, "coverage",
                        "[{\"minutes\": 3, \"sites\": [[0, 0]], \"clients\": " CLIENTS
                        ", \"isochrones\": true}]");
    json_t *res = tc_result(r);
    assert_int_equal(json_integer_value(json_object_get(res, "clients")), 5);
    assert_int_equal(json_integer_value(json_object_get(res, "covered")), 2);
    json_t *ts = json_object_get(res, "time_s"), *site = json_object_get(res, "site");
    assert_int_equal(json_integer_value(json_array_get(ts, 0)), 160);
    assert_int_equal(json_integer_value(json_array_get(ts, 1)), 160);
    for (size_t i = 2; i < 5; i++) {
        assert_true(json_is_null(json_array_get(ts, i)));
        assert_true(json_is_null(json_array_get(site, i)));
    }
    assert_int_equal(json_integer_value(json_array_get(site, 0)), 0);
    json_t *iso = json_object_get(res, "isochrones");
    assert_int_equal(json_array_size(iso), 1);
    assert_string_equal(json_string_value(json_object_get(json_array_get(iso, 0), "type")),
                        "MultiPolygon");
    assert_true(json_array_size(json_object_get(json_array_get(iso, 0), "coordinates")) >= 1);
    json_decref(r);
    /* the car is faster: everything within 3 minutes */
    r = ok_call(&c, 2, "coverage",
                "[{\"profile\": \"car\", \"minutes\": 3, \"sites\": [[0, 0]], \"clients\": " CLIENTS
                "}]");
    assert_int_equal(json_integer_value(json_object_get(tc_result(r), "covered")), 5);
    assert_null(json_object_get(tc_result(r), "isochrones"));
    json_decref(r);
    tc_close(&c);
}

static void test_siting(void **state)
{
    (void)state;
    tclient c;
    assert_int_equal(tc_connect_tcp(&c, port), 0);
    /* candidate 1 (0.003, 0.001) reaches clients 2 and 4 in one block; candidate 0
     * (0.004, 0.004) only client 3 */
    const char *p = "[{\"minutes\": 3, \"sites\": [[0, 0]], \"clients\": " CLIENTS
                    ", \"candidates\": [[0.004, 0.004], [0.003, 0.001]], \"add\": %d}]";
    char buf[512];
    snprintf(buf, sizeof buf, p, 1);
    json_t *r = ok_call(&c, 1, "siting", buf);
    json_t *res = tc_result(r);
    assert_int_equal(json_array_size(json_object_get(res, "chosen")), 1);
    assert_int_equal(json_integer_value(json_array_get(json_object_get(res, "chosen"), 0)), 1);
    assert_int_equal(json_integer_value(json_object_get(res, "covered_before")), 2);
    assert_int_equal(json_integer_value(json_object_get(res, "covered_after")), 4);
    assert_true(json_is_true(json_object_get(res, "optimal")));
    json_decref(r);
    snprintf(buf, sizeof buf, p, 2);
    r = ok_call(&c, 2, "siting", buf);
    assert_int_equal(json_integer_value(json_object_get(tc_result(r), "covered_after")), 5);
    json_decref(r);
    /* no existing sites: everything counts as uncovered */
    r = ok_call(&c, 3, "siting",
                "[{\"minutes\": 3, \"sites\": [], \"clients\": " CLIENTS
                ", \"candidates\": [[0, 0], [0.003, 0.001]], \"add\": 1}]");
    assert_int_equal(json_integer_value(json_object_get(tc_result(r), "covered_before")), 0);
    /* (0.003, 0.001) is within two blocks of clients 0, 1, 2 and 4 */
    assert_int_equal(json_integer_value(json_object_get(tc_result(r), "covered_after")), 4);
    assert_int_equal(json_integer_value(json_array_get(json_object_get(tc_result(r), "chosen"), 0)),
                     1);
    json_decref(r);
    tc_close(&c);
}

/* Households H0 (0,0), H1 (0.002,0), H2 (0.004,0), H3 (0.004,0.004) and H4
 * (0,0.004); a 3-minute walk is two blocks.  Candidates C0 (0.002,0) reaches
 * H0-H2, C1 (0.004,0.002) H2 and H3, C2 (0,0) H0 and H1, C3 (0.004,0.004) H3;
 * none reaches H4 (four blocks or more).  The fewest stops: {C0, C1}. */
#define HOUSEHOLDS "[[0, 0], [0.002, 0], [0.004, 0], [0.004, 0.004], [0, 0.004]]"

static int64_t ival(json_t *o, const char *key, size_t i)
{
    json_t *v = json_array_get(json_object_get(o, key), i);
    return json_is_null(v) ? -1 : json_integer_value(v);
}

static void test_caravan_stops(void **state)
{
    (void)state;
    tclient c;
    assert_int_equal(tc_connect_tcp(&c, port), 0);
    json_t *r = ok_call(&c, 1, "caravan_stops",
                        "[{\"minutes\": 3, \"households\": " HOUSEHOLDS
                        ", \"candidates\": [[0.002, 0], [0.004, 0.002], [0, 0], [0.004, 0.004]]}]");
    json_t *res = tc_result(r);
    assert_int_equal(json_array_size(json_object_get(res, "stops")), 2);
    assert_int_equal(ival(res, "stops", 0), 0);
    assert_int_equal(ival(res, "stops", 1), 1);
    assert_int_equal(json_integer_value(json_object_get(res, "households")), 5);
    assert_int_equal(json_integer_value(json_object_get(res, "served")), 4);
    /* H0 walks two blocks to C0, H1 stands at it, H3 walks two blocks to C1 */
    assert_int_equal(ival(res, "stop", 0), 0);
    assert_int_equal(ival(res, "walk_s", 0), 160);
    assert_int_equal(ival(res, "stop", 1), 0);
    assert_int_equal(ival(res, "walk_s", 1), 0);
    assert_int_equal(ival(res, "walk_s", 2), 160);
    assert_int_equal(ival(res, "stop", 3), 1);
    /* H4: no stop, reported */
    assert_int_equal(ival(res, "stop", 4), -1);
    assert_int_equal(ival(res, "walk_s", 4), -1);
    assert_int_equal(json_array_size(json_object_get(res, "unserved")), 1);
    assert_int_equal(ival(res, "unserved", 0), 4);
    assert_true(json_is_true(json_object_get(res, "optimal")));
    json_decref(r);
    /* Without candidates the households themselves are the candidates: H1
     * serves H0-H2, H3 and H4 each only themselves. */
    r = ok_call(&c, 2, "caravan_stops", "[{\"minutes\": 3, \"households\": " HOUSEHOLDS "}]");
    res = tc_result(r);
    assert_int_equal(json_array_size(json_object_get(res, "stops")), 3);
    assert_int_equal(ival(res, "stops", 0), 1);
    assert_int_equal(ival(res, "stops", 1), 3);
    assert_int_equal(ival(res, "stops", 2), 4);
    assert_int_equal(json_integer_value(json_object_get(res, "served")), 5);
    assert_int_equal(json_array_size(json_object_get(res, "unserved")), 0);
    json_decref(r);
    /* By car (faster), one stop in the middle row serves everyone */
    r = ok_call(&c, 3, "caravan_stops",
                "[{\"profile\": \"car\", \"minutes\": 3, \"households\": " HOUSEHOLDS "}]");
    assert_int_equal(json_array_size(json_object_get(tc_result(r), "stops")), 1);
    json_decref(r);
    tc_close(&c);
}

static void test_bad_params(void **state)
{
    (void)state;
    tclient c;
    assert_int_equal(tc_connect_tcp(&c, port), 0);
    static const struct {
        const char *method, *params, *msg;
    } bad[] = {
        {"coverage", "[]", "params[0]: a map is required"},
        {"coverage", "[{\"sites\": [[0, 0]], \"clients\": []}]", "params[0].minutes: required"},
        {"coverage", "[{\"minutes\": -1, \"sites\": [[0, 0]], \"clients\": []}]",
         "params[0].minutes: expected a number in [0, 240]"},
        {"coverage", "[{\"minutes\": 5, \"sites\": [], \"clients\": []}]",
         "params[0].sites: expected an array of 1..5000"},
        {"coverage", "[{\"minutes\": 5, \"sites\": [[0, 0]], \"clients\": [[0, 0], [1]]}]",
         "params[0].clients[1]: expected [lon, lat] in degrees"},
        {"coverage", "[{\"minutes\": 5, \"sites\": [[0, 0]], \"clients\": [[0, 0], [0.5, 0.5]]}]",
         "params[0].clients[1] (0.500000,0.500000): nearest walk road is"},
        {"coverage", "[{\"minutes\": 5, \"sites\": [[0, 0]], \"clients\": [], \"colour\": 1}]",
         "params[0].colour: unknown field"},
        {"coverage",
         "[{\"profile\": \"boat\", \"minutes\": 5, \"sites\": [[0, 0]], \"clients\": []}]",
         "params[0].profile: not a profile"},
        {"coverage", "[{\"minutes\": 5, \"sites\": [[0, 0]], \"clients\": [], \"isochrones\": 1}]",
         "params[0].isochrones: expected true or false"},
        {"siting", "[{\"minutes\": 5, \"sites\": [[0, 0]], \"clients\": [], \"add\": 1}]",
         "params[0].candidates: expected an array of 1..5000"},
        {"siting",
         "[{\"minutes\": 5, \"sites\": [[0, 0]], \"clients\": [], \"candidates\": [[0, 0]], "
         "\"add\": 1.5}]",
         "params[0].add: expected a whole number"},
        {"siting",
         "[{\"minutes\": 5, \"sites\": [[0, 0]], \"clients\": [], \"candidates\": [[9, 9]], "
         "\"add\": 1}]",
         "params[0].candidates[0] (9.000000,9.000000): nearest walk road is"},
        {"caravan_stops", "[{\"households\": [[0, 0]]}]", "params[0].minutes: required"},
        {"caravan_stops", "[{\"minutes\": 5}]",
         "params[0].households: expected an array of 1..10000"},
        {"caravan_stops", "[{\"minutes\": 5, \"households\": []}]",
         "params[0].households: expected an array of 1..10000"},
        {"caravan_stops", "[{\"minutes\": 5, \"households\": [[0, 0], [0, 91]]}]",
         "params[0].households[1]: expected [lon, lat] in degrees"},
        {"caravan_stops", "[{\"minutes\": 5, \"households\": [[0.5, 0.5]]}]",
         "params[0].households[0] (0.500000,0.500000): nearest walk road is"},
        {"caravan_stops", "[{\"minutes\": 5, \"households\": [[0, 0]], \"candidates\": []}]",
         "params[0].candidates: expected an array of 1..10000"},
        {"caravan_stops", "[{\"minutes\": 5, \"households\": [[0, 0]], \"candidates\": [[9, 9]]}]",
         "params[0].candidates[0] (9.000000,9.000000): nearest walk road is"},
        {"caravan_stops", "[{\"minutes\": 5, \"households\": [[0, 0]], \"time_limit\": -1}]",
         "params[0].time_limit: expected a number in [0, 120]"},
        {"caravan_stops", "[{\"minutes\": 500, \"households\": [[0, 0]]}]",
         "params[0].minutes: expected a number in [0, 240]"},
        {"caravan_stops", "[{\"minutes\": 5, \"households\": [[0, 0]], \"sites\": []}]",
         "params[0].sites: unknown field"},
        {"caravan_stops", "[{\"profile\": 7, \"minutes\": 5, \"households\": [[0, 0]]}]",
         "params[0].profile: expected a non-empty string"},
        {"caravan_stops", "[{\"profile\": \"van\", \"minutes\": 5, \"households\": [[0, 0]]}]",
         "params[0].profile: not a profile of the loaded graph"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        json_t *r = tc_call(&c, (uint32_t)(10 + i), bad[i].method, bad[i].params);
        const char *code = tc_err_code(r);
        if (!code || strcmp(code, "invalid_params") || !strstr(tc_err_msg(r), bad[i].msg))
            fail_msg("case %zu: %s: %s, want invalid_params \"%s\"", i, code ? code : "ok",
                     code ? tc_err_msg(r) : "", bad[i].msg);
        json_decref(r);
    }
    tc_close(&c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_coverage),
        cmocka_unit_test(test_siting),
        cmocka_unit_test(test_caravan_stops),
        cmocka_unit_test(test_bad_params),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
