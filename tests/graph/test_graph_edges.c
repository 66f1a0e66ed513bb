/* graph: road edges in a box (graph/edges.c).  Classes, directions and
 * coordinates on a hand-made fixture; on the bundled Chengdu extract every
 * box query is compared with a plain scan of all segments (each segment
 * whose box meets the query exactly once, in file order); version 1 files
 * still load and report unknown classes; bad arguments are refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "graph_int.h"
#include "graph_test_util.h"

typedef struct collected {
    cv_graph_edge *e;
    size_t n, cap;
    size_t stop_after; /* 0 = never */
} collected;

static int collect(void *ctx, const cv_graph_edge *e)
{
    collected *c = ctx;
    if (c->n == c->cap) {
        c->cap = c->cap ? 2 * c->cap : 64;
        c->e = realloc(c->e, c->cap * sizeof *c->e);
        assert_non_null(c->e);
    }
    c->e[c->n++] = *e;
    return c->stop_after && c->n >= c->stop_after;
}

/* The edge a->b (either orientation as stored) between OSM points, or NULL. */
static const cv_graph_edge *find_edge(const collected *c, double lon1, double lat1, double lon2,
                                      double lat2)
{
    for (size_t i = 0; i < c->n; i++) {
        const cv_graph_edge *e = &c->e[i];
        if (fabs(e->lon_a - lon1) < 1e-9 && fabs(e->lat_a - lat1) < 1e-9 &&
            fabs(e->lon_b - lon2) < 1e-9 && fabs(e->lat_b - lat2) < 1e-9)
            return e;
    }
    return NULL;
}

static void test_fixture_classes(void **state)
{
    (void)state;
    cv_graph *g = import_fixture("classes.osm", "car,walk", NULL);
    assert_non_null(g);
    int car = cv_graph_profile_find(g, "car"), walk = cv_graph_profile_find(g, "walk");
    collected c = {0};
    assert_int_equal(cv_graph_edges_in_bbox(g, walk, -1, -1, 1, 1, collect, &c), CV_OK);
    assert_int_equal(c.n, 6); /* 1-2, 2-3, 2-4, 4-5, 3-6, 6-4 */
    const cv_graph_edge *e = find_edge(&c, 0, 0, 0.001, 0);
    assert_non_null(e);
    assert_int_equal(e->road_class, CV_GRAPH_ROAD_PRIMARY);
    assert_true(e->forward && e->backward); /* walking ignores oneway */
    e = find_edge(&c, 0.001, 0.001, 0.001, 0.002);
    assert_non_null(e);
    assert_int_equal(e->road_class, CV_GRAPH_ROAD_PATH);
    e = find_edge(&c, 0.002, 0.001, 0.001, 0.001);
    assert_non_null(e);
    assert_int_equal(e->road_class, CV_GRAPH_ROAD_SERVICE);
    assert_string_equal(cv_graph_road_class_name(e->road_class), "service");
    assert_string_equal(cv_graph_road_class_name(CV_GRAPH_ROAD_CLASS_COUNT), "?");
    /* consecutive segments of one way chain: 3-6 then 6-4 */
    for (size_t i = 0; i + 1 < c.n; i++)
        if (c.e[i].road_class == CV_GRAPH_ROAD_SERVICE)
            assert_int_equal(c.e[i].node_b, c.e[i + 1].node_a);

    /* car: no footway; the primary is oneway */
    c.n = 0;
    assert_int_equal(cv_graph_edges_in_bbox(g, car, -1, -1, 1, 1, collect, &c), CV_OK);
    for (size_t i = 0; i < c.n; i++) assert_int_not_equal(c.e[i].road_class, CV_GRAPH_ROAD_PATH);
    e = find_edge(&c, 0.001, 0, 0.002, 0);
    assert_non_null(e);
    assert_true(e->forward && !e->backward);

    /* a box around node 5 only meets the footway */
    c.n = 0;
    assert_int_equal(cv_graph_edges_in_bbox(g, walk, 0.0009, 0.0019, 0.0011, 0.0021, collect, &c),
                     CV_OK);
    assert_int_equal(c.n, 1);
    assert_int_equal(c.e[0].road_class, CV_GRAPH_ROAD_PATH);
    /* far away: nothing; stopping early; bad arguments */
    c.n = 0;
    assert_int_equal(cv_graph_edges_in_bbox(g, walk, 10, 10, 11, 11, collect, &c), CV_OK);
    assert_int_equal(c.n, 0);
    c.stop_after = 2;
    assert_int_equal(cv_graph_edges_in_bbox(g, walk, -1, -1, 1, 1, collect, &c), CV_ECANCELED);
    assert_int_equal(c.n, 2);
    assert_int_equal(cv_graph_edges_in_bbox(g, walk, 1, -1, -1, 1, collect, &c), CV_EINVAL);
    assert_int_equal(cv_graph_edges_in_bbox(g, walk, NAN, -1, 1, 1, collect, &c), CV_EINVAL);
    assert_int_equal(cv_graph_edges_in_bbox(g, 7, -1, -1, 1, 1, collect, &c), CV_EINVAL);
    free(c.e);
    cv_graph_destroy(g);
}

/* Reference: a plain scan of every segment of the profile. */
static size_t scan_count(const cv_graph *g, int p, double x0, double y0, double x1, double y1)
{
    const cv__prof *pr = &g->prof[p];
    size_t n = 0;
    for (uint32_t s = 0; s < pr->h.nseg; s++) {
        double la = cv__graph_lon(g, pr->segs[s].a), pa = cv__graph_lat(g, pr->segs[s].a);
        double lb = cv__graph_lon(g, pr->segs[s].b), pb = cv__graph_lat(g, pr->segs[s].b);
        if (fmax(la, lb) < x0 || fmin(la, lb) > x1 || fmax(pa, pb) < y0 || fmin(pa, pb) > y1)
            continue;
        n++;
    }
    return n;
}

static void test_against_scan(void **state)
{
    (void)state;
    char in[1024], out[1024];
    snprintf(in, sizeof in, "%s/chengdu-center.osm.pbf", CV_BUNDLED_OSM);
    snprintf(out, sizeof out, "%s/chengdu-edges.cvg", g_tmpdir);
    cv_graph_import_stats st;
    cv_diag d;
    cv_diag_clear(&d);
    if (cv_graph_import(in, out, "car,walk", false, &st, &d) != CV_OK) fail_msg("%s", d.msg);
    cv_graph *g = NULL;
    assert_int_equal(cv_graph_load(&g, out, &d), CV_OK);
    cv_rng rng;
    cv_rng_seed(&rng, 42);
    size_t classes[CV_GRAPH_ROAD_CLASS_COUNT] = {0};
    for (int p = 0; p < cv_graph_profile_count(g); p++) {
        const cv__prof_hdr *h = &g->prof[p].h;
        double span_x = h->grid_nx * h->grid_cell_deg, span_y = h->grid_ny * h->grid_cell_deg;
        for (int q = 0; q < 40; q++) {
            /* boxes from tiny to larger than the extract, some hanging over its edge */
            double w = span_x * (q == 0 ? 2 : cv_rng_unit(&rng) * 0.6);
            double hgt = span_y * (q == 0 ? 2 : cv_rng_unit(&rng) * 0.6);
            double x0 = h->grid_lon0 + (cv_rng_unit(&rng) - 0.2) * span_x;
            double y0 = h->grid_lat0 + (cv_rng_unit(&rng) - 0.2) * span_y;
            if (q == 0) x0 = h->grid_lon0 - span_x / 2, y0 = h->grid_lat0 - span_y / 2;
            collected c = {0};
            assert_int_equal(cv_graph_edges_in_bbox(g, p, x0, y0, x0 + w, y0 + hgt, collect, &c),
                             CV_OK);
            assert_int_equal(c.n, scan_count(g, p, x0, y0, x0 + w, y0 + hgt));
            if (q == 0) assert_int_equal(c.n, h->nseg); /* the whole extract */
            for (size_t i = 0; i < c.n; i++) {
                assert_true(c.e[i].forward || c.e[i].backward);
                classes[c.e[i].road_class]++;
                /* file order: node pairs never repeat */
                if (i)
                    assert_false(c.e[i].node_a == c.e[i - 1].node_a &&
                                 c.e[i].node_b == c.e[i - 1].node_b);
            }
            free(c.e);
        }
    }
    /* a city centre has main and local roads, and a new file knows every class */
    assert_true(classes[CV_GRAPH_ROAD_PRIMARY] > 0 && classes[CV_GRAPH_ROAD_LOCAL] > 0);
    assert_int_equal(classes[CV_GRAPH_ROAD_UNKNOWN], 0);
    cv_graph_destroy(g);

    /* The same file labelled version 1 (as written before classes existed):
     * it loads, and every segment reads as unknown. */
    FILE *f = fopen(out, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    size_t len = (size_t)ftell(f);
    fseek(f, 0, SEEK_SET);
    char *b = malloc(len);
    assert_int_equal(fread(b, 1, len, f), len);
    fclose(f);
    cv__file_hdr *fh = (cv__file_hdr *)(void *)b;
    fh->version = 1;
    fh->checksum = cv__graph_checksum(b + sizeof *fh, len - sizeof *fh);
    snprintf(out, sizeof out, "%s/chengdu-edges-v1.cvg", g_tmpdir);
    f = fopen(out, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(b, 1, len, f), len);
    fclose(f);
    free(b);
    assert_int_equal(cv_graph_load(&g, out, &d), CV_OK);
    collected c = {0};
    assert_int_equal(cv_graph_edges_in_bbox(g, 0, -180, -90, 180, 90, collect, &c), CV_OK);
    assert_int_equal(c.n, g->prof[0].h.nseg);
    for (size_t i = 0; i < c.n; i++) assert_int_equal(c.e[i].road_class, CV_GRAPH_ROAD_UNKNOWN);
    free(c.e);
    cv_graph_destroy(g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fixture_classes),
        cmocka_unit_test(test_against_scan),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
