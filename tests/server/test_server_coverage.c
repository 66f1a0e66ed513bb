/* The coverage and siting RPC methods (server/rpc_coverage.c) on a tiny
 * road graph: the 5 x 5 grid of test_server_graph.c (residential streets
 * 0.001 degrees apart at the equator, 111.2 m a block), imported for car and
 * walk.  Expected times follow from the grid geometry and the walk speed
 * (5 km/h: 80.1 s a block): which clients are covered, by which site, the
 * best new site; and a table of bad parameters, each naming its field. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>

#include "client.h"
#include "cv/graph.h"
#include "cv/server.h"

static char dir[64], osm[128], cvg[128];
static cv_server *srv;
static pthread_t th;
static int port;

static void *run_thread(void *arg)
{
    cv_server_run(arg);
    return NULL;
}

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/cv_cov_srv_XXXXXX");
    if (!mkdtemp(dir)) return -1;
    snprintf(osm, sizeof osm, "%s/grid.osm", dir);
    snprintf(cvg, sizeof cvg, "%s/grid.cvg", dir);
    FILE *f = fopen(osm, "w");
    fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<osm version=\"0.6\">\n");
    for (int r = 0; r < 5; r++)
        for (int c = 0; c < 5; c++)
            fprintf(f, "  <node id=\"%d\" lat=\"%.3f\" lon=\"%.3f\"/>\n", 1 + r * 5 + c, r * 0.001,
                    c * 0.001);
    int way = 100;
    for (int r = 0; r < 5; r++) {
        fprintf(f, "  <way id=\"%d\">", way++);
        for (int c = 0; c < 5; c++) fprintf(f, "<nd ref=\"%d\"/>", 1 + r * 5 + c);
        fprintf(f, "<tag k=\"highway\" v=\"residential\"/></way>\n");
    }
    for (int c = 0; c < 5; c++) {
        fprintf(f, "  <way id=\"%d\">", way++);
        for (int r = 0; r < 5; r++) fprintf(f, "<nd ref=\"%d\"/>", 1 + r * 5 + c);
        fprintf(f, "<tag k=\"highway\" v=\"residential\"/></way>\n");
    }
    fprintf(f, "</osm>\n");
    fclose(f);
    cv_diag d;
    cv_diag_clear(&d);
    if (cv_graph_import(osm, cvg, "car,walk", false, NULL, &d) != CV_OK) {
        fprintf(stderr, "import: %s\n", d.msg);
        return -1;
    }
    cv_server_config cfg;
    cv_server_config_init(&cfg);
    cfg.listen = "127.0.0.1:0";
    cfg.graph_path = cvg;
    cfg.data_dir = dir;
    if (cv_server_create(&srv, &cfg, &d) != CV_OK) {
        fprintf(stderr, "create: %s\n", d.msg);
        return -1;
    }
    port = cv_server_port(srv);
    return pthread_create(&th, NULL, run_thread, srv);
}

static int teardown(void **state)
{
    (void)state;
    cv_server_stop(srv);
    pthread_join(th, NULL);
    cv_server_destroy(srv);
    char cmd[96];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
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
    json_t *r = tc_call(&c, 1, "coverage",
                        "[{\"minutes\": 3, \"sites\": [[0, 0]], \"clients\": " CLIENTS
                        ", \"isochrones\": true}]");
    if (tc_err_code(r)) fprintf(stderr, "coverage: %s\n", tc_err_msg(r));
    assert_null(tc_err_code(r));
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
    r = tc_call(&c, 2, "coverage",
                "[{\"profile\": \"car\", \"minutes\": 3, \"sites\": [[0, 0]], \"clients\": " CLIENTS
                "}]");
    assert_null(tc_err_code(r));
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
    json_t *r = tc_call(&c, 1, "siting", buf);
    if (tc_err_code(r)) fprintf(stderr, "siting: %s\n", tc_err_msg(r));
    assert_null(tc_err_code(r));
    json_t *res = tc_result(r);
    assert_int_equal(json_array_size(json_object_get(res, "chosen")), 1);
    assert_int_equal(json_integer_value(json_array_get(json_object_get(res, "chosen"), 0)), 1);
    assert_int_equal(json_integer_value(json_object_get(res, "covered_before")), 2);
    assert_int_equal(json_integer_value(json_object_get(res, "covered_after")), 4);
    assert_true(json_is_true(json_object_get(res, "optimal")));
    json_decref(r);
    snprintf(buf, sizeof buf, p, 2);
    r = tc_call(&c, 2, "siting", buf);
    assert_null(tc_err_code(r));
    assert_int_equal(json_integer_value(json_object_get(tc_result(r), "covered_after")), 5);
    json_decref(r);
    /* no existing sites: everything counts as uncovered */
    r = tc_call(&c, 3, "siting",
                "[{\"minutes\": 3, \"sites\": [], \"clients\": " CLIENTS
                ", \"candidates\": [[0, 0], [0.003, 0.001]], \"add\": 1}]");
    assert_null(tc_err_code(r));
    assert_int_equal(json_integer_value(json_object_get(tc_result(r), "covered_before")), 0);
    /* (0.003, 0.001) is within two blocks of clients 0, 1, 2 and 4 */
    assert_int_equal(json_integer_value(json_object_get(tc_result(r), "covered_after")), 4);
    assert_int_equal(json_integer_value(json_array_get(json_object_get(tc_result(r), "chosen"), 0)),
                     1);
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
        cmocka_unit_test(test_bad_params),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
