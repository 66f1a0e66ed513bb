/* Graph methods on a real (tiny) road graph: a 5 x 5 grid of residential
 * streets 0.001 degrees apart at the equator (111.2 m per block), written
 * as OSM XML and imported with cv_graph_import.  References: grid geometry
 * (a corner-to-corner route is 8 blocks), and the server's own methods
 * against each other (matrix cells = route durations).  Also a problem
 * given by coordinates (matrices filled from the graph) and plan.route
 * geometry. */
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
    return grid_server_start("/tmp/cv_graph_srv_XXXXXX", "car");
}

static int teardown(void **state)
{
    (void)state;
    return grid_server_stop();
}

static void test_snap_route_matrix(void **state)
{
    (void)state;
    tclient c;
    assert_int_equal(tc_connect_tcp(&c, port), 0);
    json_t *r = ok_call(&c, 1, "snap", "[{\"profile\": \"car\", \"point\": [0.0021, 0.0004]}]");
    double dist = json_number_value(json_object_get(tc_result(r), "distance_m"));
    assert_true(dist > 5 && dist < 20); /* 0.0001 deg = 11 m from the street lon 0.002 */
    json_decref(r);
    err_call(&c, 2, "snap", "[{\"point\": [0.5, 0.5]}]", "invalid_params", "m away");
    err_call(&c, 3, "snap", "[{\"profile\": \"boat\", \"point\": [0, 0]}]", "invalid_params",
             "params[0].profile");
    r = ok_call(&c, 4, "route", "[{\"points\": [[0, 0], [0.004, 0.004]]}]");
    double dm = (double)json_integer_value(json_object_get(tc_result(r), "distance_m"));
    assert_true(dm > 8 * 111.2 * 0.97 && dm < 8 * 111.2 * 1.03);
    assert_true(json_integer_value(json_object_get(tc_result(r), "duration_s")) > 0);
    assert_true(strlen(json_string_value(json_object_get(tc_result(r), "polyline"))) > 4);
    json_decref(r);
    err_call(&c, 5, "route", "[{\"points\": [[0, 0]]}]", "invalid_params", "params[0].points");
    /* Matrix cells agree with single routes. */
    const char *pts[3] = {"[0, 0]", "[0.003, 0.001]", "[0.001, 0.004]"};
    r = ok_call(&c, 6, "matrix", "[{\"points\": [[0, 0], [0.003, 0.001], [0.001, 0.004]]}]");
    json_t *durs = json_object_get(tc_result(r), "durations");
    json_t *dsts = json_object_get(tc_result(r), "distances");
    for (int i = 0; i < 3; i++)
        for (int k = 0; k < 3; k++) {
            json_int_t md =
                json_integer_value(json_array_get(json_array_get(durs, (size_t)i), (size_t)k));
            json_int_t mm =
                json_integer_value(json_array_get(json_array_get(dsts, (size_t)i), (size_t)k));
            if (i == k) {
                assert_int_equal(md, 0);
                continue;
            }
            char p[128];
            snprintf(p, sizeof p, "[{\"points\": [%s, %s]}]", pts[i], pts[k]);
            json_t *rr = tc_call(&c, 7, "route", p);
            assert_int_equal(json_integer_value(json_object_get(tc_result(rr), "duration_s")), md);
            assert_int_equal(json_integer_value(json_object_get(tc_result(rr), "distance_m")), mm);
            json_decref(rr);
        }
    json_decref(r);
    r = ok_call(&c, 8, "matrix",
                "[{\"sources\": [[0, 0]], \"destinations\": [[0.003, 0.001], [0.001, 0.004]]}]");
    assert_int_equal(json_array_size(json_array_get(json_object_get(tc_result(r), "durations"), 0)),
                     2);
    json_decref(r);
    tc_close(&c);
}

static void test_coordinates_problem_and_geometry(void **state)
{
    (void)state;
#ifndef CV_SOLVER_AVAILABLE
    skip();
#endif
    tclient c;
    assert_int_equal(tc_connect_tcp(&c, port), 0);
    const char *prob =
        "{\"vehicles\": [{\"id\": 7, \"profile\": \"car\", \"start\": [0, 0], \"end\": [0, 0]}],"
        " \"jobs\": [{\"id\": 1, \"location\": [0.004, 0.0]}, {\"id\": 2, \"location\": [0.004, "
        "0.004]},"
        " {\"id\": 3, \"location\": [0.0, 0.004]}]}";
    char params[1024];
    snprintf(params, sizeof params, "[%s, {\"effort\": 2000}]", prob);
    json_t *r = ok_call(&c, 1, "solve", params);
    json_t *plan = json_incref(tc_result(r));
    assert_int_equal(
        json_integer_value(json_object_get(json_object_get(plan, "summary"), "unassigned")), 0);
    /* A square of 16 blocks around the grid. */
    json_int_t dur =
        json_integer_value(json_object_get(json_object_get(plan, "summary"), "duration"));
    assert_true(dur > 0);
    json_decref(r);
    json_error_t e;
    json_t *pj = json_loads(prob, 0, &e);
    json_t *save = json_pack("[{s:s,s:s,s:O,s:O}]", "date", "2026-11-23", "team", "grid", "plan",
                             plan, "problem", pj);
    char *sp = json_dumps(save, JSON_COMPACT);
    r = ok_call(&c, 2, "plan.save", sp);
    json_decref(r);
    r = ok_call(&c, 3, "plan.route", "[\"2026-11-23\", \"grid\", 7]");
    json_t *geo = json_object_get(tc_result(r), "geometry");
    assert_true(json_is_object(geo));
    assert_true(strlen(json_string_value(json_object_get(geo, "polyline"))) > 8);
    double gd = (double)json_integer_value(json_object_get(geo, "distance_m"));
    assert_true(gd > 16 * 111.2 * 0.97 && gd < 16 * 111.2 * 1.03);
    json_decref(r);
    /* The day live: an urgent call from a street corner that is no client's
     * home is snapped to the graph and routed (plan.insert_urgent with
     * "location"); a point off the network gets the graph's reason. */
    r = ok_call(&c, 4, "live.start", "[{\"date\": \"2026-11-23\", \"team\": \"grid\"}]");
    json_decref(r);
    r = ok_call(&c, 5, "plan.insert_urgent",
                "[{\"date\": \"2026-11-23\", \"team\": \"grid\", \"time\": 100, \"id\": 90, "
                "\"location\": [0.002, 0.0025], \"deadline\": 1800, \"service\": 300}]");
    assert_string_not_equal(json_string_value(json_object_get(tc_result(r), "method")), "refused");
    json_decref(r);
    r = ok_call(&c, 6, "live.get", "[{\"date\": \"2026-11-23\", \"team\": \"grid\"}]");
    assert_int_equal(json_array_size(json_object_get(tc_result(r), "added_locations")), 1);
    json_decref(r);
    err_call(&c, 7, "plan.insert_urgent",
             "[{\"date\": \"2026-11-23\", \"team\": \"grid\", \"time\": 100, \"id\": 91, "
             "\"location\": [0.3, 0.3], \"deadline\": 1800, \"service\": 300}]",
             "invalid_params", "location: cannot be placed on the road graph");
    free(sp);
    json_decref(save);
    json_decref(pj);
    json_decref(plan);
    tc_close(&c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_snap_route_matrix),
        cmocka_unit_test(test_coordinates_problem_and_geometry),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
