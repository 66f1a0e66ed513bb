/* engine: exports for people (GeoJSON, GPX, HTML sheet) and the polyline
 * decoder, on a hand-built plan: each output is parsed back and compared. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cv/engine.h"

static const char *problem_json =
    "{\"vehicles\":[{\"id\":7,\"description\":\"carer <Li>\",\"start_index\":0,"
    "\"start\":[104.07,30.67],\"end_index\":0,\"end\":[104.07,30.67],"
    "\"breaks\":[{\"id\":1,\"service\":1800,\"description\":\"lunch\"}]}],"
    "\"jobs\":[{\"id\":11,\"location_index\":1,\"location\":[104.08,30.66],"
    "\"description\":\"client C001: bathing & care\",\"service\":2700},"
    "{\"id\":12,\"location_index\":2,\"location\":[104.09,30.68],\"service\":600}],"
    "\"matrices\":{\"car\":{\"durations\":[[0,600,900],[600,0,300],[900,300,0]]}}}";

static cv_plan *make_plan(const cv_problem *p)
{
    cv_plan_builder b;
    assert_int_equal(cv_plan_builder_init(&b, 0), CV_OK);
    assert_int_equal(cv_plan_builder_route(&b, 0), CV_OK);
    cv_plan_step steps[] = {
        {.type = CV_STEP_START, .index = CV_NONE, .loc = 0, .arrival = 28800},
        {.type = CV_STEP_JOB,
         .index = 0,
         .loc = 1,
         .arrival = 29400,
         .service = 2700,
         .duration = 600},
        {.type = CV_STEP_BREAK,
         .index = 0,
         .loc = 1,
         .arrival = 32100,
         .service = 1800,
         .duration = 600},
        {.type = CV_STEP_END, .index = CV_NONE, .loc = 0, .arrival = 34500, .duration = 1200},
    };
    for (size_t i = 0; i < 4; i++) assert_int_equal(cv_plan_builder_step(&b, &steps[i], NULL), 0);
    assert_int_equal(cv_plan_builder_unassigned(&b, 1, CV_REASON_TIME_WINDOW), CV_OK);
    cv_plan *plan = cv_plan_builder_finish(&b);
    plan->routes[0].cost = 1200;
    cv_plan_sum(plan, p);
    return plan;
}

static void test_polyline_decode(void **state)
{
    (void)state;
    double *pts = NULL;
    uint32_t n = 0;
    /* Google's documented example. */
    assert_int_equal(cv_polyline_decode("_p~iF~ps|U_ulLnnqC_mqNvxq`@", &pts, &n), CV_OK);
    assert_int_equal(n, 3);
    assert_true(fabs(pts[0] + 120.2) < 1e-9 && fabs(pts[1] - 38.5) < 1e-9);
    assert_true(fabs(pts[4] + 126.453) < 1e-9 && fabs(pts[5] - 43.252) < 1e-9);
    free(pts);
    assert_int_equal(cv_polyline_decode("_p~iF~ps|U_", &pts, &n), CV_EFORMAT);
    assert_int_equal(cv_polyline_decode("_p~iF\x01", &pts, &n), CV_EFORMAT);
}

static void test_exports(void **state)
{
    (void)state;
    cv_diag d;
    cv_diag_clear(&d);
    cv_problem *p = NULL;
    assert_int_equal(cv_problem_from_json(&p, problem_json, strlen(problem_json), &d), CV_OK);
    cv_plan *plan = make_plan(p);

    char *gj = NULL;
    assert_int_equal(cv_export_geojson(plan, p, &gj), CV_OK);
    json_error_t err;
    json_t *fc = json_loads(gj, 0, &err);
    assert_non_null(fc);
    assert_string_equal(json_string_value(json_object_get(fc, "type")), "FeatureCollection");
    json_t *features = json_object_get(fc, "features");
    /* 1 route line + 4 stops (start, job, break at the job's place, end) + 1 unassigned */
    assert_int_equal(json_array_size(features), 6);
    json_t *line = json_array_get(features, 0);
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(line, "geometry"), "type")),
        "LineString");
    assert_true(json_is_false(json_object_get(json_object_get(line, "properties"), "on_roads")));
    json_t *job = json_object_get(json_array_get(features, 2), "properties");
    assert_string_equal(json_string_value(json_object_get(job, "name")),
                        "client C001: bathing & care");
    assert_string_equal(json_string_value(json_object_get(job, "start_text")), "08:10");
    json_t *un = json_object_get(json_array_get(features, 5), "properties");
    assert_string_equal(json_string_value(json_object_get(un, "reason")), "time_window");
    json_decref(fc);
    free(gj);

    char *gpx = NULL;
    assert_int_equal(cv_export_gpx(plan, p, 0, &gpx), CV_OK);
    assert_non_null(strstr(gpx, "<name>carer &lt;Li&gt;</name>")); /* escaped */
    assert_non_null(strstr(gpx, "<wpt lat=\"30.660000\" lon=\"104.080000\"><name>1. client C001: "
                                "bathing &amp; care</name>"));
    assert_null(strstr(gpx, "<trk>")); /* no road geometry, no track */
    free(gpx);
    assert_int_equal(cv_export_gpx(plan, p, 1, &gpx), CV_EINVAL);

    /* with a road geometry: a track with its points */
    plan->routes[0].geometry = strdup("_p~iF~ps|U_ulLnnqC_mqNvxq`@");
    assert_int_equal(cv_export_gpx(plan, p, 0, &gpx), CV_OK);
    assert_non_null(strstr(gpx, "<trkpt lat=\"43.252000\" lon=\"-126.453000\"/>"));
    free(gpx);

    char *html = NULL;
    assert_int_equal(cv_export_sheet_html(plan, p, 0, &html), CV_OK);
    assert_non_null(strstr(html, "<h1>carer &lt;Li&gt;</h1>"));
    assert_non_null(strstr(html, "08:00 – 09:35 · 1 visit ·"));
    assert_non_null(strstr(html, "<tr class=\"break\"><td>2</td><td>08:55</td>"));
    free(html);

    cv_plan_destroy(plan);
    cv_problem_destroy(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_polyline_decode),
        cmocka_unit_test(test_exports),
    };
    return cmocka_run_group_tests_name("engine_export", tests, NULL, NULL);
}
