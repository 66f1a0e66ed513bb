/* Graph rules: profile tag decisions (unit level), and tiny OSM fixtures
 * proving oneway, turn restrictions, private roads, missing nodes and the
 * largest-component rule end to end (import -> file -> load -> query). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "graph_int.h"
#include "graph_test_util.h"

#define TAGS(...) ((const cv_osm_tag[]){__VA_ARGS__})
#define NTAGS(...) (sizeof((const cv_osm_tag[]){__VA_ARGS__}) / sizeof(cv_osm_tag))
#define WAY(p, rule, ...) cv__graph_profile_way((p), TAGS(__VA_ARGS__), NTAGS(__VA_ARGS__), (rule))

static void test_profile_classes(void **state)
{
    (void)state;
    cv__way_rule r;
    assert_true(WAY(CV__PROF_CAR, &r, {"highway", "primary"}));
    assert_true(r.fwd && r.bwd);
    assert_float_equal(r.speed_kmh, 55, 1e-6);
    assert_false(WAY(CV__PROF_CAR, &r, {"highway", "footway"}));
    assert_false(WAY(CV__PROF_EBIKE, &r, {"highway", "motorway"}));
    assert_true(WAY(CV__PROF_EBIKE, &r, {"highway", "cycleway"}));
    assert_false(WAY(CV__PROF_CAR, &r, {"highway", "cycleway"}));
    assert_true(WAY(CV__PROF_WALK, &r, {"highway", "steps"}));
    assert_false(WAY(CV__PROF_WALK, &r, {"highway", "motorway"}));
    assert_false(WAY(CV__PROF_CAR, &r, {"highway", "proposed"}));
    assert_false(WAY(CV__PROF_CAR, &r, {"building", "yes"}));
    /* ebike on footway only when bicycles are allowed */
    assert_false(WAY(CV__PROF_EBIKE, &r, {"highway", "footway"}));
    assert_true(WAY(CV__PROF_EBIKE, &r, {"highway", "footway"}, {"bicycle", "yes"}));
}

static void test_profile_oneway(void **state)
{
    (void)state;
    cv__way_rule r;
    assert_true(WAY(CV__PROF_CAR, &r, {"highway", "residential"}, {"oneway", "yes"}));
    assert_true(r.fwd && !r.bwd);
    assert_true(WAY(CV__PROF_CAR, &r, {"highway", "residential"}, {"oneway", "-1"}));
    assert_true(!r.fwd && r.bwd);
    assert_true(WAY(CV__PROF_CAR, &r, {"highway", "residential"}, {"junction", "roundabout"}));
    assert_true(r.fwd && !r.bwd);
    assert_true(WAY(CV__PROF_CAR, &r, {"highway", "motorway"}));
    assert_true(r.fwd && !r.bwd);
    assert_true(WAY(CV__PROF_CAR, &r, {"highway", "motorway"}, {"oneway", "no"}));
    assert_true(r.fwd && r.bwd);
    /* ebike: oneway:bicycle and cycleway=opposite* */
    assert_true(WAY(CV__PROF_EBIKE, &r, {"highway", "residential"}, {"oneway", "yes"}));
    assert_true(r.fwd && !r.bwd);
    assert_true(WAY(CV__PROF_EBIKE, &r, {"highway", "residential"}, {"oneway", "yes"},
                    {"oneway:bicycle", "no"}));
    assert_true(r.fwd && r.bwd);
    assert_true(WAY(CV__PROF_EBIKE, &r, {"highway", "residential"}, {"oneway", "yes"},
                    {"cycleway", "opposite_lane"}));
    assert_true(r.fwd && r.bwd);
    assert_true(WAY(CV__PROF_EBIKE, &r, {"highway", "cycleway"}, {"oneway:bicycle", "-1"}));
    assert_true(!r.fwd && r.bwd);
    /* walk ignores oneway for vehicles */
    assert_true(WAY(CV__PROF_WALK, &r, {"highway", "residential"}, {"oneway", "yes"}));
    assert_true(r.fwd && r.bwd);
}

static void test_profile_access_speed(void **state)
{
    (void)state;
    cv__way_rule r;
    assert_false(WAY(CV__PROF_CAR, &r, {"highway", "residential"}, {"access", "private"}));
    assert_false(WAY(CV__PROF_WALK, &r, {"highway", "residential"}, {"access", "private"}));
    assert_true(
        WAY(CV__PROF_WALK, &r, {"highway", "residential"}, {"access", "private"}, {"foot", "yes"}));
    assert_true(WAY(CV__PROF_CAR, &r, {"highway", "residential"}, {"access", "no"},
                    {"motor_vehicle", "destination"}));
    assert_false(WAY(CV__PROF_CAR, &r, {"highway", "residential"}, {"motor_vehicle", "no"}));
    assert_true(WAY(CV__PROF_EBIKE, &r, {"highway", "residential"}, {"motor_vehicle", "no"}));
    assert_false(WAY(CV__PROF_CAR, &r, {"highway", "service"}, {"service", "emergency_access"}));
    assert_true(WAY(CV__PROF_CAR, &r, {"highway", "service"}, {"service", "parking_aisle"}));
    assert_float_equal(r.speed_kmh, 8, 1e-6);
    /* maxspeed: 80 % of the limit for car, van capped at 80 */
    assert_true(WAY(CV__PROF_CAR, &r, {"highway", "primary"}, {"maxspeed", "100"}));
    assert_float_equal(r.speed_kmh, 80, 1e-4);
    assert_true(WAY(CV__PROF_VAN, &r, {"highway", "primary"}, {"maxspeed", "120"}));
    assert_float_equal(r.speed_kmh, 80, 1e-4);
    assert_true(WAY(CV__PROF_CAR, &r, {"highway", "primary"}, {"maxspeed", "30 mph"}));
    assert_float_equal(r.speed_kmh, 0.8 * 30 * 1.609344, 1e-3);
    assert_true(WAY(CV__PROF_EBIKE, &r, {"highway", "primary"}, {"maxspeed", "10"}));
    assert_float_equal(r.speed_kmh, 10, 1e-4);
    /* surface / tracktype: van never on grade4/5, slower on gravel than a car */
    assert_false(WAY(CV__PROF_VAN, &r, {"highway", "track"}, {"tracktype", "grade4"}));
    assert_true(WAY(CV__PROF_CAR, &r, {"highway", "track"}, {"tracktype", "grade4"}));
    cv__way_rule car, van;
    assert_true(WAY(CV__PROF_CAR, &car, {"highway", "unclassified"}, {"surface", "gravel"}));
    assert_true(WAY(CV__PROF_VAN, &van, {"highway", "unclassified"}, {"surface", "gravel"}));
    assert_true(van.speed_kmh < car.speed_kmh);
    assert_float_equal(car.speed_kmh, 35 * 0.6, 1e-4);
    /* the van's height and weight */
    assert_false(WAY(CV__PROF_VAN, &r, {"highway", "residential"}, {"maxheight", "2.5"}));
    assert_true(WAY(CV__PROF_CAR, &r, {"highway", "residential"}, {"maxheight", "2.5"}));
    assert_true(WAY(CV__PROF_VAN, &r, {"highway", "residential"}, {"maxheight", "3.2 m"}));
    assert_false(WAY(CV__PROF_VAN, &r, {"highway", "residential"}, {"maxweight", "2 t"}));
    assert_true(WAY(CV__PROF_VAN, &r, {"highway", "residential"}, {"maxweight", "7.5"}));
    assert_true(WAY(CV__PROF_VAN, &r, {"highway", "residential"}, {"maxheight", "default"}));
}

static void test_profile_restriction_tags(void **state)
{
    (void)state;
    assert_int_equal(
        cv__graph_profile_restriction(
            CV__PROF_CAR, TAGS({"type", "restriction"}, {"restriction", "no_left_turn"}), 2),
        CV__RESTR_NO);
    assert_int_equal(
        cv__graph_profile_restriction(
            CV__PROF_VAN, TAGS({"type", "restriction"}, {"restriction", "only_straight_on"}), 2),
        CV__RESTR_ONLY);
    assert_int_equal(
        cv__graph_profile_restriction(
            CV__PROF_WALK, TAGS({"type", "restriction"}, {"restriction", "no_left_turn"}), 2),
        0);
    assert_int_equal(
        cv__graph_profile_restriction(
            CV__PROF_CAR,
            TAGS({"type", "restriction"}, {"restriction", "no_left_turn"}, {"except", "motorcar"}),
            3),
        0);
    assert_int_equal(cv__graph_profile_restriction(CV__PROF_CAR, TAGS({"type", "multipolygon"}), 1),
                     0);
}

/* oneway.osm: 1-2-3 oneway eastwards (bicycles both ways), detour 3-4-5-1. */
static void test_fixture_oneway(void **state)
{
    (void)state;
    cv_graph *g = import_fixture("oneway.osm", NULL, NULL);
    assert_non_null(g);
    const double w = 0.0005, e = 0.0015;
    uint32_t east = route_m(g, "car", w, 0, e, 0, NULL), west = route_m(g, "car", e, 0, w, 0, NULL);
    assert_in_range(east, 100, 125);
    assert_true(west > 600 && west < 900); /* around the block */
    assert_in_range(route_m(g, "ebike", e, 0, w, 0, NULL), 100, 125);
    assert_in_range(route_m(g, "walk", e, 0, w, 0, NULL), 100, 125);
    cv_graph_destroy(g);
    /* the same fixture compressed with bzip2 reads the same */
    g = import_fixture("oneway.osm.bz2", "car", NULL);
    assert_non_null(g);
    assert_int_equal(route_m(g, "car", e, 0, w, 0, NULL), west);
    cv_graph_destroy(g);
}

/* restriction.osm: no_left_turn west->north, only_straight_on south->north at node 100. */
static void test_fixture_restriction(void **state)
{
    (void)state;
    cv_graph_import_stats st;
    cv_graph *g = import_fixture("restriction.osm", "car,walk", &st);
    assert_non_null(g);
    assert_int_equal(st.profile[0].restrictions_applied, 2);
    const double d = 0.0008;
    /* west -> north: forbidden left turn, car goes round via 108 */
    uint32_t car = route_m(g, "car", -d, 0, 0, d, NULL),
             walk = route_m(g, "walk", -d, 0, 0, d, NULL);
    assert_in_range(walk, 150, 200);
    assert_true(car > 240);
    /* west -> east straight on is allowed */
    assert_in_range(route_m(g, "car", -d, 0, d, 0, NULL), 150, 200);
    /* south -> east: only straight on, so no right turn */
    assert_true(route_m(g, "car", 0, -d, d, 0, NULL) > 240);
    assert_in_range(route_m(g, "car", 0, -d, 0, d, NULL), 150, 200);
    /* north -> west unaffected */
    assert_in_range(route_m(g, "car", 0, d, -d, 0, NULL), 150, 200);
    cv_graph_destroy(g);
}

/* private.osm: private shortcut 1-2 with foot=yes, public detour. */
static void test_fixture_private(void **state)
{
    (void)state;
    cv_graph *g = import_fixture("private.osm", "car,walk", NULL);
    assert_non_null(g);
    uint32_t car = route_m(g, "car", -0.0005, 0, 0.0025, 0, NULL);
    uint32_t walk = route_m(g, "walk", -0.0005, 0, 0.0025, 0, NULL);
    assert_true(car > 700);
    assert_in_range(walk, 300, 360);
    cv_graph_destroy(g);
}

/* missing_node.osm: way 30 passes through node 99 that the file lacks. */
static void test_fixture_missing_node(void **state)
{
    (void)state;
    cv_graph_import_stats st;
    cv_graph *g = import_fixture("missing_node.osm", "car", &st);
    assert_non_null(g);
    assert_int_equal(st.missing_refs, 1);
    assert_int_equal(st.ways_with_missing, 1);
    /* 2 -> 3 cannot cross the gap: it goes back to 1, up to 5, down to 4 */
    uint32_t m = route_m(g, "car", 0.001, 0, 0.003, 0, NULL);
    assert_true(m > 600);
    cv_graph_destroy(g);
}

/* island.osm: the separate road 500 m east is not in the kept component. */
static void test_fixture_island(void **state)
{
    (void)state;
    cv_graph_import_stats st;
    cv_graph *g = import_fixture("island.osm", "car", &st);
    assert_non_null(g);
    assert_int_equal(st.profile[0].nodes_dropped_scc, 2);
    assert_int_equal(st.profile[0].nodes, 4);
    cv_graph_snap s;
    cv_diag d;
    cv_diag_clear(&d);
    assert_int_equal(cv_graph_snap_point(g, 0, 0.006, 0, &s, &d), CV_OK);
    assert_true(s.distance_m > 500 && s.distance_m < 600); /* snapped back to the square */
    cv_graph_set_snap_radius(g, 100);
    double pts[4] = {0.0005, 0, 0.006, 0};
    uint32_t dur[4];
    assert_int_equal(cv_graph_matrix(g, 0, pts, 2, dur, NULL, 1, &d), CV_EINVAL);
    assert_string_equal(
        d.msg, "points[1] (0.006000,0.000000): nearest car road is 556 m away (limit 100 m)");
    cv_graph_destroy(g);
}

/* barrier.osm: 1-2-3 with a bollard at 2, 1-6-3 with a private gate at 6
 * (foot=yes), open detour 1-4-5-3. */
static void test_fixture_barrier(void **state)
{
    (void)state;
    cv_graph *g = import_fixture("barrier.osm", "car,ebike,walk", NULL);
    assert_non_null(g);
    /* across the bollard: car goes round, ebike and walk pass */
    assert_true(route_m(g, "car", 0.0005, 0, 0.0015, 0, NULL) > 600);
    assert_in_range(route_m(g, "ebike", 0.0005, 0, 0.0015, 0, NULL), 100, 125);
    assert_in_range(route_m(g, "walk", 0.0005, 0, 0.0015, 0, NULL), 100, 125);
    /* up to the bollard and back is allowed: both points west of it */
    assert_in_range(route_m(g, "car", 0.0002, 0, 0.0008, 0, NULL), 60, 70);
    /* through the private gate: walk yes (foot=yes), car and ebike no */
    const double a[2] = {0.0005, -0.0005}, b[2] = {0.0015, -0.0005};
    uint32_t walk = route_m(g, "walk", a[0], a[1], b[0], b[1], NULL);
    assert_in_range(walk, 150, 165);
    assert_true(route_m(g, "car", a[0], a[1], b[0], b[1], NULL) > 300);
    assert_true(route_m(g, "ebike", a[0], a[1], b[0], b[1], NULL) > 300);
    cv_graph_destroy(g);
}

static void test_profile_barriers(void **state)
{
    (void)state;
#define BAR(p, ...) cv__graph_profile_barrier((p), TAGS(__VA_ARGS__), NTAGS(__VA_ARGS__))
    assert_true(BAR(CV__PROF_CAR, {"barrier", "bollard"}));
    assert_false(BAR(CV__PROF_EBIKE, {"barrier", "bollard"}));
    assert_false(BAR(CV__PROF_CAR, {"barrier", "gate"}));
    assert_true(BAR(CV__PROF_CAR, {"barrier", "gate"}, {"access", "private"}));
    assert_false(BAR(CV__PROF_WALK, {"barrier", "gate"}, {"access", "private"}, {"foot", "yes"}));
    assert_true(BAR(CV__PROF_VAN, {"barrier", "height_restrictor"}, {"maxheight", "2.2"}));
    assert_false(BAR(CV__PROF_CAR, {"barrier", "height_restrictor"}, {"maxheight", "2.2"}));
    assert_true(BAR(CV__PROF_EBIKE, {"barrier", "stile"}));
    assert_false(BAR(CV__PROF_WALK, {"barrier", "stile"}));
    assert_false(BAR(CV__PROF_CAR, {"highway", "crossing"}));
#undef BAR
}

/* Routes: geometry starts and ends at the snapped points, legs add up, the
 * polyline decodes back to the coordinates. */
static void test_route_geometry(void **state)
{
    (void)state;
    cv_graph *g = import_fixture("oneway.osm", "car", NULL);
    assert_non_null(g);
    double pts[6] = {0.0015, 0.00001, 0.0005, 0, 0.0015, 0};
    cv_graph_route r;
    cv_diag d;
    cv_diag_clear(&d);
    assert_int_equal(cv_graph_route_compute(g, 0, pts, 3, &r, &d), CV_OK);
    assert_int_equal(r.nlegs, 2);
    assert_true(r.legs[0].distance_m > 600);
    assert_in_range(r.legs[1].distance_m, 100, 125);
    assert_in_range(r.distance_m, r.legs[0].distance_m + r.legs[1].distance_m - 1,
                    r.legs[0].distance_m + r.legs[1].distance_m + 1);
    assert_float_equal(r.coords[0], 0.0015, 1e-9);
    assert_float_equal(r.coords[1], 0.0, 1e-9);
    /* the detour passes the corner nodes 4 (0.002,0.002) and 5 (0,0.002) */
    bool n4 = false, n5 = false;
    for (uint32_t i = 0; i < r.ncoords; i++) {
        n4 |= fabs(r.coords[2 * i] - 0.002) < 1e-9 && fabs(r.coords[2 * i + 1] - 0.002) < 1e-9;
        n5 |= fabs(r.coords[2 * i]) < 1e-9 && fabs(r.coords[2 * i + 1] - 0.002) < 1e-9;
    }
    assert_true(n4 && n5);
    char *pl = NULL, *gj = NULL;
    assert_int_equal(cv_graph_route_polyline_encode(&r, &pl), CV_OK);
    /* decode */
    long long lat = 0, lon = 0;
    uint32_t k = 0;
    for (const char *c = pl; *c;) {
        long long v[2];
        for (int q = 0; q < 2; q++) {
            long long res = 0;
            int shift = 0, b;
            do {
                b = *c++ - 63;
                res |= (long long)(b & 0x1f) << shift;
                shift += 5;
            } while (b >= 0x20);
            v[q] = (res & 1) ? ~(res >> 1) : (res >> 1);
        }
        lat += v[0], lon += v[1];
        assert_true(k < r.ncoords);
        assert_float_equal(lat * 1e-5, r.coords[2 * k + 1], 1e-5);
        assert_float_equal(lon * 1e-5, r.coords[2 * k], 1e-5);
        k++;
    }
    assert_int_equal(k, r.ncoords);
    assert_int_equal(cv_graph_route_geojson(&r, &gj), CV_OK);
    assert_non_null(strstr(gj, "\"type\":\"LineString\""));
    assert_non_null(strstr(gj, "\"legs\":[{"));
    free(pl), free(gj);
    /* the lead's entry point agrees */
    char *pl2 = NULL;
    uint32_t dur = 0, dist = 0;
    assert_int_equal(cv_graph_route_polyline(g, 0, pts, 3, &pl2, &dur, &dist, &d), CV_OK);
    assert_int_equal(dist, r.distance_m);
    assert_int_equal(dur, r.duration_s);
    free(pl2);
    cv_graph_route_fini(&r);
    cv_graph_destroy(g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_profile_classes),
        cmocka_unit_test(test_profile_oneway),
        cmocka_unit_test(test_profile_access_speed),
        cmocka_unit_test(test_profile_restriction_tags),
        cmocka_unit_test(test_fixture_oneway),
        cmocka_unit_test(test_fixture_restriction),
        cmocka_unit_test(test_fixture_private),
        cmocka_unit_test(test_fixture_missing_node),
        cmocka_unit_test(test_fixture_island),
        cmocka_unit_test(test_fixture_barrier),
        cmocka_unit_test(test_profile_barriers),
        cmocka_unit_test(test_route_geometry),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
