/* engine: the HTML map writer (export_map*.c) and the plan JSON reader.
 *
 * The page's data object is cut out of the HTML and parsed back: counts of
 * routes, stops, depots and unassigned visits, straight lines versus road
 * geometry, and user text that tries to break out of the <script> element
 * or inject markup comes back unchanged while the HTML carries none of it.
 * With the road graph: the roads of a fixture by class, and thinning. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cv/engine.h"
#ifdef CV_GRAPH_AVAILABLE
#include "cv/graph.h"
#endif

/* Names from users, hostile on purpose. */
#define EVIL_VEHICLE "carer </script><script>alert(1)</script> & \"Li\" 'x'"
#define EVIL_JOB "<img src=x onerror=alert(2)> Mrs. O'Hara & son"

static const char *problem_json =
    "{\"vehicles\":[{\"id\":7,\"description\":\"carer <\\/script><script>alert(1)<\\/script> & "
    "\\\"Li\\\" 'x'\",\"start\":[0.001,0.001],\"end\":[0.001,0.001],"
    "\"breaks\":[{\"id\":1,\"service\":1800,\"description\":\"lunch\"}]},"
    "{\"id\":8,\"start\":[0.0015,0.0005]}],"
    "\"jobs\":[{\"id\":11,\"location\":[0.0,0.0],"
    "\"description\":\"<img src=x onerror=alert(2)> Mrs. O'Hara & son\",\"service\":2700},"
    "{\"id\":12,\"location\":[0.002,0.0],\"service\":600},"
    "{\"id\":13,\"location\":[0.001,0.002],\"service\":600,\"time_windows\":[[0,100]]}]}";

/* Vehicle 7: start, job 11, break, job 12, end; job 13 unassigned. */
static cv_plan *make_plan(const cv_problem *p)
{
    cv_plan_builder b;
    assert_int_equal(cv_plan_builder_init(&b, 0), CV_OK);
    assert_int_equal(cv_plan_builder_route(&b, 0), CV_OK);
    cv_plan_step steps[] = {
        {.type = CV_STEP_START,
         .index = CV_NONE,
         .loc = p->vehicles[0].start_loc,
         .arrival = 28800},
        {.type = CV_STEP_JOB,
         .index = 0,
         .loc = p->tasks[0].loc,
         .arrival = 29400,
         .waiting = 300,
         .service = 2700,
         .duration = 600,
         .distance = 150},
        {.type = CV_STEP_BREAK,
         .index = 0,
         .loc = p->tasks[0].loc,
         .arrival = 32400,
         .service = 1800,
         .duration = 600,
         .distance = 150},
        {.type = CV_STEP_JOB,
         .index = 1,
         .loc = p->tasks[1].loc,
         .arrival = 34500,
         .service = 600,
         .duration = 900,
         .distance = 380},
        {.type = CV_STEP_END,
         .index = CV_NONE,
         .loc = p->vehicles[0].end_loc,
         .arrival = 35400,
         .duration = 1200,
         .distance = 530},
    };
    for (size_t i = 0; i < 5; i++) assert_int_equal(cv_plan_builder_step(&b, &steps[i], NULL), 0);
    assert_int_equal(cv_plan_builder_unassigned(&b, 2, CV_REASON_TIME_WINDOW), CV_OK);
    cv_plan *plan = cv_plan_builder_finish(&b);
    plan->routes[0].cost = 1200;
    cv_plan_sum(plan, p);
    return plan;
}

static size_t count(const char *hay, const char *needle)
{
    size_t n = 0;
    for (const char *s = strstr(hay, needle); s; s = strstr(s + 1, needle)) n++;
    return n;
}

/* The page's data object, parsed. */
static json_t *page_data(const char *html)
{
    const char *open = "<script type=\"application/json\" id=\"plan-data\">";
    const char *a = strstr(html, open);
    assert_non_null(a);
    a += strlen(open);
    const char *z = strstr(a, "</script>");
    assert_non_null(z);
    json_error_t err;
    json_t *d = json_loadb(a, (size_t)(z - a), 0, &err);
    if (!d) fail_msg("page data is not JSON: %s", err.text);
    return d;
}

static cv_problem *load_problem(void)
{
    cv_diag d;
    cv_diag_clear(&d);
    cv_problem *p = NULL;
    if (cv_problem_from_json(&p, problem_json, strlen(problem_json), &d) != CV_OK)
        fail_msg("%s", d.msg);
    return p;
}

static void test_page_and_escaping(void **state)
{
    (void)state;
    cv_problem *p = load_problem();
    assert_string_equal(p->vehicles[0].description, EVIL_VEHICLE);
    cv_plan *plan = make_plan(p);
    cv_map_config cfg;
    cv_map_config_init(&cfg);
    cfg.title = "Plan <b>Monday</b> & co";
    char *html = NULL;
    cv_diag d;
    cv_diag_clear(&d);
    assert_int_equal(cv_export_map_html(plan, p, &cfg, &html, &d), CV_OK);

    /* exactly our two script elements; no user markup anywhere */
    assert_int_equal(count(html, "</script>"), 2);
    assert_int_equal(count(html, "<script"), 2);
    assert_null(strstr(html, "<img"));
    assert_null(strstr(html, "alert(1)</"));
    assert_null(strstr(html, "<b>Monday"));
    assert_non_null(strstr(html, "<title>Plan &lt;b&gt;Monday&lt;/b&gt; &amp; co</title>"));
    assert_non_null(strstr(html, "<h1>Plan &lt;b&gt;Monday&lt;/b&gt; &amp; co</h1>"));
    /* nothing from the network */
    assert_null(strstr(html, "http://cdn"));
    assert_null(strstr(html, "src=\"http"));
    assert_null(strstr(html, "href=\"http"));

    json_t *data = page_data(html);
    assert_string_equal(json_string_value(json_object_get(data, "title")), cfg.title);
    json_t *routes = json_object_get(data, "routes");
    assert_int_equal(json_array_size(routes), 1);
    json_t *r0 = json_array_get(routes, 0);
    assert_string_equal(json_string_value(json_object_get(r0, "name")), EVIL_VEHICLE);
    assert_true(json_is_false(json_object_get(r0, "on_roads")));
    /* straight legs: depot, job 11, job 12, depot = 4 points (the break adds none) */
    assert_int_equal(json_array_size(json_object_get(r0, "line")), 8);
    json_t *stops = json_object_get(r0, "stops");
    assert_int_equal(json_array_size(stops), 2);
    json_t *s1 = json_array_get(stops, 0);
    assert_string_equal(json_string_value(json_object_get(s1, "title")), EVIL_JOB);
    assert_int_equal(json_integer_value(json_object_get(s1, "n")), 1);
    /* popup rows: arrival 08:10, waits 5 min, 45 min service, leaves 09:00,
     * and the lunch break that follows */
    char *rows = json_dumps(json_object_get(s1, "rows"), JSON_COMPACT);
    assert_non_null(strstr(rows, "[\"arrival\",\"08:10\"]"));
    assert_non_null(strstr(rows, "[\"start\",\"08:15 (waits 5 min)\"]"));
    assert_non_null(strstr(rows, "[\"service\",\"45 min\"]"));
    assert_non_null(strstr(rows, "[\"leaves\",\"09:00\"]"));
    assert_non_null(strstr(rows, "[\"then\",\"lunch at 09:00, 30 min\"]"));
    free(rows);
    /* the map is 2 x 2 hundredths of a degree plus margins; job 11 at lon 0, lat 0
     * lies margin_m right of the left edge and below the top edge */
    long x = (long)json_integer_value(json_object_get(s1, "x"));
    long y = (long)json_integer_value(json_object_get(s1, "y"));
    assert_true(labs(x - 400) <= 1);
    assert_true(labs(y - (400 + 221)) <= 1);
    /* one depot (both ends of vehicle 7 at one place); vehicle 8 has no route */
    assert_int_equal(json_array_size(json_object_get(data, "depots")), 1);
    json_t *un = json_object_get(data, "unassigned");
    assert_int_equal(json_array_size(un), 1);
    assert_string_equal(json_string_value(json_object_get(json_array_get(un, 0), "reason")),
                        "time_window");
    assert_int_equal(json_array_size(json_object_get(json_object_get(data, "roads"), "classes")),
                     0);
    json_decref(data);
    free(html);

    /* with a road geometry the route follows it */
    plan->routes[0].geometry = strdup("_p~iF~ps|U_ulLnnqC_mqNvxq`@"); /* Google's example */
    double *pts = NULL;
    uint32_t n = 0;
    assert_int_equal(cv_polyline_decode(plan->routes[0].geometry, &pts, &n), CV_OK);
    free(pts);
    assert_int_equal(cv_export_map_html(plan, p, NULL, &html, &d), CV_OK);
    data = page_data(html);
    r0 = json_array_get(json_object_get(data, "routes"), 0);
    assert_true(json_is_true(json_object_get(r0, "on_roads")));
    assert_int_equal(n, 3);
    assert_int_equal(json_array_size(json_object_get(r0, "line")), 6);
    json_decref(data);
    free(html);

    /* bad configuration and a problem without coordinates */
    cfg.margin_m = -1;
    assert_int_equal(cv_export_map_html(plan, p, &cfg, &html, &d), CV_EINVAL);
    assert_non_null(strstr(d.msg, "map margin -1 m"));
    cv_plan_destroy(plan);

    /* a route without steps (no builder of ours makes one) is refused, not read past */
    cv_plan_builder eb;
    assert_int_equal(cv_plan_builder_init(&eb, 0), CV_OK);
    assert_int_equal(cv_plan_builder_route(&eb, 0), CV_OK);
    plan = cv_plan_builder_finish(&eb);
    cv_diag_clear(&d);
    assert_int_equal(cv_export_map_html(plan, p, NULL, &html, &d), CV_EINVAL);
    assert_string_equal(d.msg, "routes[0]: no steps");
    cv_plan_destroy(plan);
    cv_problem_destroy(p);

    const char *nocoords = "{\"vehicles\":[{\"id\":1,\"start_index\":0}],\"jobs\":[{\"id\":3,"
                           "\"location_index\":1}],\"matrix\":[[0,5],[5,0]]}";
    assert_int_equal(cv_problem_from_json(&p, nocoords, strlen(nocoords), &d), CV_OK);
    cv_plan_builder b;
    assert_int_equal(cv_plan_builder_init(&b, 0), CV_OK);
    assert_int_equal(cv_plan_builder_unassigned(&b, 0, CV_REASON_NO_ROOM), CV_OK);
    plan = cv_plan_builder_finish(&b);
    cv_diag_clear(&d);
    assert_int_equal(cv_export_map_html(plan, p, NULL, &html, &d), CV_EINVAL);
    assert_non_null(strstr(d.msg, "nothing to draw"));
    cv_plan_destroy(plan);
    cv_problem_destroy(p);
}

/* Plan JSON -> cv_plan -> the same map; bad plans name the field. */
static void test_plan_reader(void **state)
{
    (void)state;
    cv_problem *p = load_problem();
    cv_plan *plan = make_plan(p);
    char *json = NULL, *html1 = NULL, *html2 = NULL;
    assert_int_equal(cv_plan_to_json(plan, p, &json), CV_OK);
    cv_diag d;
    cv_diag_clear(&d);
    cv_plan *back = NULL;
    if (cv_plan_from_json(&back, p, json, strlen(json), &d) != CV_OK) fail_msg("%s", d.msg);
    assert_int_equal(back->nroutes, 1);
    assert_int_equal(back->routes[0].step_count, 5);
    assert_int_equal(back->steps[2].type, CV_STEP_BREAK);
    assert_int_equal(back->steps[2].loc, p->tasks[0].loc);
    assert_int_equal(back->unassigned[0].reason, CV_REASON_TIME_WINDOW);
    assert_int_equal(back->duration, plan->duration);
    assert_int_equal(cv_export_map_html(plan, p, NULL, &html1, &d), CV_OK);
    assert_int_equal(cv_export_map_html(back, p, NULL, &html2, &d), CV_OK);
    assert_string_equal(html1, html2);
    free(html1), free(html2), free(json);
    cv_plan_destroy(back);
    cv_plan_destroy(plan);

    static const struct {
        const char *plan, *msg;
    } bad[] = {
        {"{\"routes\": [", "JSON syntax error"},
        {"[]", "plan: expected an object"},
        {"{\"unassigned\":[]}", "routes: missing"},
        {"{\"routes\":[{\"vehicle\":9,\"steps\":[{\"type\":\"start\"}]}]}",
         "routes[0].vehicle: no vehicle 9 in the problem"},
        {"{\"routes\":[{\"vehicle\":7,\"steps\":[{\"type\":\"job\",\"id\":99}]}]}",
         "routes[0].steps[0].id: no job 99 in the problem"},
        {"{\"routes\":[{\"vehicle\":7,\"steps\":[{\"type\":\"job\",\"id\":11},{\"type\":\"job\","
         "\"id\":11}]}]}",
         "routes[0].steps[1].id: job 11 is in the plan more often than the problem has it"},
        {"{\"routes\":[{\"vehicle\":7,\"steps\":[{\"type\":\"visit\",\"id\":11}]}]}",
         "routes[0].steps[0].type: \"visit\" is not a step type"},
        {"{\"routes\":[{\"vehicle\":7,\"steps\":[{\"type\":\"break\",\"id\":5}]}]}",
         "vehicle 7 has no break 5"},
        {"{\"routes\":[{\"vehicle\":7,\"steps\":[{\"type\":\"job\",\"id\":11,\"arrival\":-4}]}]}",
         "routes[0].steps[0].arrival"},
        {"{\"routes\":[{\"vehicle\":7,\"geometry\":\"_p~iF~ps|U_\",\"steps\":[{\"type\":"
         "\"start\"}]}]}",
         "routes[0].geometry: not an encoded polyline"},
        {"{\"routes\":[{\"vehicle\":7,\"steps\":[]}]}", "routes[0].steps: empty route"},
        {"{\"routes\":[{\"vehicle\":7,\"steps\":[{\"type\":\"start\"}]},{\"vehicle\":7,"
         "\"steps\":[{\"type\":\"start\"}]}]}",
         "routes[1].vehicle: vehicle 7 has two routes"},
        {"{\"routes\":[],\"unassigned\":[{\"id\":13,\"reason\":\"bad_luck\"}]}",
         "unassigned[0].reason: \"bad_luck\" is not a known reason"},
        {"{\"routes\":[],\"unassigned\":[{\"id\":13,\"type\":\"break\"}]}",
         "unassigned[0].type: a break cannot be unassigned"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        cv_diag_clear(&d);
        back = NULL;
        cv_status st = cv_plan_from_json(&back, p, bad[i].plan, strlen(bad[i].plan), &d);
        if (st != CV_EINVAL || !strstr(d.msg, bad[i].msg))
            fail_msg("bad plan %zu: status %d, message \"%s\", expected \"%s\"", i, st, d.msg,
                     bad[i].msg);
        assert_null(back);
    }
    cv_problem_destroy(p);
}

#ifdef CV_GRAPH_AVAILABLE
/* Roads from a graph: the classes fixture of the graph tests, drawn for the
 * problem's "car" vehicles, and thinned when the budget is small. */
static void test_roads(void **state)
{
    (void)state;
    char out[1024];
    snprintf(out, sizeof out, "%s/map-classes.cvg", CV_TEST_TMPDIR);
    cv_graph_import_stats st;
    cv_diag d;
    cv_diag_clear(&d);
    if (cv_graph_import(CV_GRAPH_FIXTURES "/classes.osm", out, "car,walk", false, &st, &d) != CV_OK)
        fail_msg("%s", d.msg);
    cv_graph *g = NULL;
    assert_int_equal(cv_graph_load(&g, out, &d), CV_OK);
    cv_problem *p = load_problem();
    cv_plan *plan = make_plan(p);
    cv_map_config cfg;
    cv_map_config_init(&cfg);
    cfg.graph = g;
    char *html = NULL;
    assert_int_equal(cv_export_map_html(plan, p, &cfg, &html, &d), CV_OK);
    json_t *data = page_data(html);
    json_t *roads = json_object_get(data, "roads");
    json_t *classes = json_object_get(roads, "classes");
    /* car roads only (no footway), drawn minor first, main roads last */
    char *text = json_dumps(classes, JSON_COMPACT);
    assert_non_null(strstr(text, "\"cls\":\"service\""));
    assert_non_null(strstr(text, "\"cls\":\"local\""));
    assert_non_null(strstr(text, "\"cls\":\"primary\""));
    assert_null(strstr(text, "\"cls\":\"path\""));
    assert_true(strstr(text, "\"service\"") < strstr(text, "\"primary\""));
    free(text);
    /* the service road 3-6-4 is one way of two segments: one line of three points */
    json_t *first = json_array_get(classes, 0);
    assert_string_equal(json_string_value(json_object_get(first, "cls")), "service");
    assert_int_equal(json_array_size(json_object_get(first, "lines")), 1);
    assert_int_equal(json_array_size(json_array_get(json_object_get(first, "lines"), 0)), 6);
    /* of the one-way primary 1-2-3 only 2-3 is in the graph: node 1 cannot be reached */
    json_t *last = json_array_get(classes, json_array_size(classes) - 1);
    assert_string_equal(json_string_value(json_object_get(last, "cls")), "primary");
    assert_int_equal(json_array_size(json_array_get(json_object_get(last, "lines"), 0)), 4);
    assert_int_equal(json_array_size(json_object_get(roads, "omitted")), 0);
    json_decref(data);
    free(html);

    /* 7 points in all; a budget of 3: service (3) and local (2) roads go, the primary stays */
    cfg.max_road_points = 3;
    assert_int_equal(cv_export_map_html(plan, p, &cfg, &html, &d), CV_OK);
    data = page_data(html);
    roads = json_object_get(data, "roads");
    assert_int_equal(json_array_size(json_object_get(roads, "classes")), 1);
    text = json_dumps(json_object_get(roads, "omitted"), JSON_COMPACT);
    assert_string_equal(text, "[{\"cls\":\"service\",\"segments\":2},{\"cls\":\"local\","
                              "\"segments\":1}]");
    free(text);
    json_decref(data);
    free(html);
    cv_plan_destroy(plan);
    cv_problem_destroy(p);
    cv_graph_destroy(g);
}
#endif

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_page_and_escaping),
        cmocka_unit_test(test_plan_reader),
#ifdef CV_GRAPH_AVAILABLE
        cmocka_unit_test(test_roads),
#endif
    };
    return cmocka_run_group_tests_name("engine_export_map", tests, NULL, NULL);
}
