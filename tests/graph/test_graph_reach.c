/* Service circles (graph/reach.c, graph/isochrone.c) on the bundled Chengdu
 * extract, car (oneways: the two directions differ) and walk, against
 * references written here:
 *  - node labels: a plain Dijkstra over the whole graph written in this test
 *    (array scan, no heap, no limit) from the same seeds; every node within
 *    the limit must carry exactly its label, every other none;
 *  - point times: the minimum over the sites of the Dijkstra matrix
 *    (cv_graph_matrix_dijkstra) row (from the sites) or column (towards
 *    them), exactly, with the right site;
 *  - isochrones: every reached OSM node lies inside the polygon, and random
 *    points farther than buffer + 2 cells from every reached road piece
 *    (recomputed here from the reference labels) lie outside; rings closed,
 *    outer counter-clockwise, holes clockwise.
 * Also bad points and bad polygon parameters. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "graph_int.h"
#include "graph_test_util.h"

#include <jansson.h>

static cv_graph *G;

static int setup(void **state)
{
    (void)state;
    char in[1024], out[1024];
    snprintf(in, sizeof in, "%s/chengdu-center.osm.pbf", CV_BUNDLED_OSM);
    snprintf(out, sizeof out, "%s/reach-chengdu.cvg", g_tmpdir);
    cv_diag d;
    cv_diag_clear(&d);
    cv_graph_import_stats s;
    if (cv_graph_import(in, out, "car,walk", false, &s, &d) != CV_OK ||
        cv_graph_load(&G, out, &d) != CV_OK) {
        fprintf(stderr, "chengdu: %s\n", d.msg);
        return -1;
    }
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    cv_graph_destroy(G);
    return 0;
}

/* Random points in the extract's core (some will snap onto the same segment). */
static void random_points(cv_rng *r, double *xy, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++) {
        xy[2 * i] = 104.05 + 0.07 * cv_rng_unit(r);
        xy[2 * i + 1] = 30.66 + 0.06 * cv_rng_unit(r);
    }
}

/* Reference labels: O(n^2) Dijkstra without a heap or a limit. */
static cv__w *ref_labels(const cv__prof *pr, const cv_graph_points *S, bool towards)
{
    const uint32_t n = pr->h.n;
    cv__w *d = malloc(n * sizeof *d);
    uint8_t *done = calloc(n, 1);
    for (uint32_t v = 0; v < n; v++) d[v] = CV__WINF;
    for (uint32_t s = 0; s < S->n; s++) {
        const cv__phantom *ph = &S->ph[s];
        int ne = towards ? ph->ntgt : ph->nsrc;
        const cv__entry *e = towards ? ph->tgt : ph->src;
        for (int k = 0; k < ne; k++)
            if (e[k].w < d[e[k].node]) d[e[k].node] = e[k].w;
    }
    const uint32_t *first = towards ? pr->bwd_first : pr->fwd_first;
    const cv__arc *arcs = towards ? pr->bwd : pr->fwd;
    for (;;) {
        uint32_t u = CV__NONE;
        for (uint32_t v = 0; v < n; v++)
            if (!done[v] && d[v] != CV__WINF && (u == CV__NONE || d[v] < d[u])) u = v;
        if (u == CV__NONE) break;
        done[u] = 1;
        for (uint32_t e = first[u]; e < first[u + 1]; e++)
            if (d[u] + arcs[e].w < d[arcs[e].head]) d[arcs[e].head] = d[u] + arcs[e].w;
    }
    free(done);
    return d;
}

/* ---- polygon helpers ---- */
static bool ring_has(json_t *ring, double x, double y)
{
    bool in = false;
    size_t n = json_array_size(ring);
    for (size_t i = 0, j = n - 1; i < n; j = i++) {
        json_t *a = json_array_get(ring, i), *b = json_array_get(ring, j);
        double xi = json_real_value(json_array_get(a, 0)),
               yi = json_real_value(json_array_get(a, 1));
        double xj = json_real_value(json_array_get(b, 0)),
               yj = json_real_value(json_array_get(b, 1));
        if ((yi > y) != (yj > y) && x < (xj - xi) * (y - yi) / (yj - yi) + xi) in = !in;
    }
    return in;
}

static bool multipolygon_has(json_t *coords, double x, double y)
{
    for (size_t p = 0; p < json_array_size(coords); p++) {
        json_t *poly = json_array_get(coords, p);
        bool in = ring_has(json_array_get(poly, 0), x, y);
        for (size_t h = 1; in && h < json_array_size(poly); h++)
            if (ring_has(json_array_get(poly, h), x, y)) in = false;
        if (in) return true;
    }
    return false;
}

static double ring_area(json_t *ring)
{
    double a = 0;
    for (size_t i = 0; i + 1 < json_array_size(ring); i++) {
        json_t *p = json_array_get(ring, i), *q = json_array_get(ring, i + 1);
        a += json_real_value(json_array_get(p, 0)) * json_real_value(json_array_get(q, 1)) -
             json_real_value(json_array_get(q, 0)) * json_real_value(json_array_get(p, 1));
    }
    return a / 2;
}

static void check_polygon(const cv__prof *pr, const cv_graph_points *S, const cv__w *ref,
                          uint64_t L, json_t *geom, double buffer_m, double cell_m, cv_rng *rng)
{
    assert_string_equal(json_string_value(json_object_get(geom, "type")), "MultiPolygon");
    json_t *coords = json_object_get(geom, "coordinates");
    assert_true(json_array_size(coords) >= 1);
    for (size_t p = 0; p < json_array_size(coords); p++) {
        json_t *poly = json_array_get(coords, p);
        for (size_t r = 0; r < json_array_size(poly); r++) {
            json_t *ring = json_array_get(poly, r);
            size_t n = json_array_size(ring);
            assert_true(n >= 4);
            json_t *a = json_array_get(ring, 0), *b = json_array_get(ring, n - 1);
            assert_true(json_real_value(json_array_get(a, 0)) ==
                        json_real_value(json_array_get(b, 0)));
            assert_true(json_real_value(json_array_get(a, 1)) ==
                        json_real_value(json_array_get(b, 1)));
            if (r == 0)
                assert_true(ring_area(ring) > 0);
            else
                assert_true(ring_area(ring) < 0);
        }
    }
    /* every reached OSM node is inside */
    uint32_t checked = 0;
    for (uint32_t v = 0; v < pr->h.n; v++) {
        if (ref[v] == CV__WINF || CV__W_DS(ref[v]) > L) continue;
        uint32_t o = pr->orig[v];
        if (!multipolygon_has(coords, cv__graph_lon(G, o), cv__graph_lat(G, o)))
            fail_msg("reached node %u (%.6f,%.6f) outside the isochrone", v, cv__graph_lon(G, o),
                     cv__graph_lat(G, o));
        checked++;
    }
    /* reference pieces: reached parts of segments (whole source segments) */
    typedef struct {
        double ax, ay, bx, by;
    } pc;
    pc *pcs = malloc((2 * (size_t)pr->h.nseg + S->n) * sizeof *pcs);
    size_t np = 0;
    const double ky = 6371008.8 * 3.14159265358979323846 / 180,
                 kx = ky * cos(30.69 * 3.14159265358979323846 / 180);
    for (uint32_t i = 0; i < pr->h.nseg; i++) {
        const cv__seg *s = &pr->segs[i];
        double ax = cv__graph_lon(G, s->a) * kx, ay = cv__graph_lat(G, s->a) * ky;
        double bx = cv__graph_lon(G, s->b) * kx, by = cv__graph_lat(G, s->b) * ky;
        for (int dir = 0; dir < 2; dir++) {
            uint32_t tail = dir ? s->b : s->a, head = dir ? s->head_ba : s->head_ab;
            if (head == CV__NONE) continue;
            cv__w best = CV__WINF; /* label at the entry end (from the sources) */
            for (uint32_t c = pr->copy_first[tail]; c < pr->copy_first[tail + 1]; c++)
                if (ref[pr->copies[c]] < best) best = ref[pr->copies[c]];
            if (best == CV__WINF || CV__W_DS(best) > L) continue;
            double q = (double)(L - CV__W_DS(best)) / CV__W_DS(s->w);
            if (q > 1) q = 1;
            if (dir == 0)
                pcs[np++] = (pc){ax, ay, ax + q * (bx - ax), ay + q * (by - ay)};
            else
                pcs[np++] = (pc){bx, by, bx + q * (ax - bx), by + q * (ay - by)};
        }
    }
    for (uint32_t k = 0; k < S->n; k++) {
        const cv__seg *s = &pr->segs[S->ph[k].seg];
        pcs[np++] = (pc){cv__graph_lon(G, s->a) * kx, cv__graph_lat(G, s->a) * ky,
                         cv__graph_lon(G, s->b) * kx, cv__graph_lat(G, s->b) * ky};
    }
    const double far = buffer_m + 2 * cell_m;
    uint32_t outside = 0;
    for (int t = 0; t < 400; t++) {
        double lon = S->ph[0].lon + (cv_rng_unit(rng) - 0.5) * 0.05;
        double lat = S->ph[0].lat + (cv_rng_unit(rng) - 0.5) * 0.05;
        double x = lon * kx, y = lat * ky, dmin = INFINITY;
        for (size_t i = 0; i < np; i++) {
            double dx = pcs[i].bx - pcs[i].ax, dy = pcs[i].by - pcs[i].ay, l2 = dx * dx + dy * dy;
            double u = l2 > 0 ? ((x - pcs[i].ax) * dx + (y - pcs[i].ay) * dy) / l2 : 0;
            u = u < 0 ? 0 : u > 1 ? 1 : u;
            double ex = pcs[i].ax + u * dx - x, ey = pcs[i].ay + u * dy - y;
            double dd = sqrt(ex * ex + ey * ey);
            if (dd < dmin) dmin = dd;
        }
        if (dmin <= far) continue;
        if (multipolygon_has(coords, lon, lat))
            fail_msg("(%.6f,%.6f) is %.0f m from every reached road but inside", lon, lat, dmin);
        outside++;
    }
    free(pcs);
    assert_true(checked > 0);
    assert_true(outside > 10); /* the test did test something */
}

static void run_case(const char *profile, uint32_t nsites, uint32_t limit_s, bool towards,
                     bool polygon, uint64_t seed)
{
    const int p = cv_graph_profile_find(G, profile);
    assert_true(p >= 0);
    const cv__prof *pr = &G->prof[p];
    cv_rng rng;
    cv_rng_seed(&rng, seed);
    const uint32_t nc = getenv("CV_TEST_QUICK") ? 40 : 150;
    double *xy = malloc(2 * (nsites + nc) * sizeof *xy);
    random_points(&rng, xy, nsites + nc);
    cv_diag d;
    cv_diag_clear(&d);
    cv_graph_points *S, *C;
    assert_int_equal(cv_graph_points_create(&S, G, p, xy, nsites, "sites", &d), CV_OK);
    assert_int_equal(cv_graph_points_create(&C, G, p, xy + 2 * nsites, nc, "clients", &d), CV_OK);
    cv_graph_reach *R;
    assert_int_equal(cv_graph_reach_create(&R, S, limit_s, towards), CV_OK);
    /* node labels */
    cv__w *ref = ref_labels(pr, S, towards);
    const uint64_t L = 10 * (uint64_t)limit_s + 4;
    uint32_t inside = 0;
    for (uint32_t v = 0; v < pr->h.n; v++) {
        cv__w want = ref[v] != CV__WINF && CV__W_DS(ref[v]) <= L ? ref[v] : CV__WINF;
        if (R->dist[v] != want)
            fail_msg("%s node %u: label %llx, reference %llx", profile, v,
                     (unsigned long long)R->dist[v], (unsigned long long)want);
        inside += want != CV__WINF;
    }
    assert_int_equal(cv_graph_reach_count(R), inside);
    /* point times against the Dijkstra matrix */
    const uint32_t n = nsites + nc;
    uint32_t *dur = malloc((size_t)n * n * sizeof *dur);
    assert_int_equal(cv_graph_matrix_dijkstra(G, p, xy, n, dur, NULL, 1, &d), CV_OK);
    uint32_t *t = malloc(nc * sizeof *t), *src = malloc(nc * sizeof *src);
    assert_int_equal(cv_graph_reach_times(R, C, t, src), CV_OK);
    uint32_t covered = 0;
    for (uint32_t c = 0; c < nc; c++) {
        uint32_t best = UINT32_MAX;
        for (uint32_t s = 0; s < nsites; s++) {
            uint32_t m =
                towards ? dur[(size_t)(nsites + c) * n + s] : dur[(size_t)s * n + nsites + c];
            if (m < best) best = m;
        }
        uint32_t want = best <= limit_s ? best : UINT32_MAX;
        if (t[c] != want) fail_msg("%s client %u: %u s, matrix says %u s", profile, c, t[c], best);
        if (want != UINT32_MAX) {
            covered++;
            assert_true(src[c] < nsites);
            uint32_t m = towards ? dur[(size_t)(nsites + c) * n + src[c]]
                                 : dur[(size_t)src[c] * n + nsites + c];
            assert_int_equal(m, want);
        } else {
            assert_int_equal(src[c], UINT32_MAX);
        }
    }
    if (polygon) {
        char *gj = NULL;
        assert_int_equal(cv_graph_reach_geojson(R, 60, 20, &gj), CV_OK);
        json_error_t je;
        json_t *geom = json_loads(gj, 0, &je);
        assert_non_null(geom);
        check_polygon(pr, S, ref, L, geom, 60, 20, &rng);
        json_decref(geom);
        free(gj);
        assert_int_equal(cv_graph_reach_geojson(R, -1, 20, &gj), CV_EINVAL);
        assert_int_equal(cv_graph_reach_geojson(R, 60, 0, &gj), CV_EINVAL);
    }
    printf("  %s %u site(s) %s, %u s: %u nodes, %u of %u points inside\n", profile, nsites,
           towards ? "towards" : "from", limit_s, inside, covered, nc);
    free(t), free(src), free(dur), free(ref), free(xy);
    cv_graph_reach_destroy(R);
    cv_graph_points_destroy(C);
    cv_graph_points_destroy(S);
}

static void test_walk_from_sites(void **state)
{
    (void)state;
    run_case("walk", 3, 900, false, true, 1);
    run_case("walk", 1, 600, false, true, 2);
    run_case("walk", 5, 0, false, false, 3);
}

static void test_car_both_directions(void **state)
{
    (void)state;
    run_case("car", 2, 240, false, true, 4);
    run_case("car", 2, 240, true, false, 4);
    run_case("car", 4, 120, true, false, 5);
}

static void test_walk_towards(void **state)
{
    (void)state;
    run_case("walk", 2, 300, true, true, 6);
}

static void test_bad_points(void **state)
{
    (void)state;
    int p = cv_graph_profile_find(G, "walk");
    double xy[4] = {104.08, 30.69, 0.5, 0.5};
    cv_graph_points *S = NULL;
    cv_diag d;
    cv_diag_clear(&d);
    assert_int_equal(cv_graph_points_create(&S, G, p, xy, 2, "sites", &d), CV_EINVAL);
    assert_null(S);
    assert_non_null(strstr(d.msg, "sites[1]"));
    assert_non_null(strstr(d.msg, "nearest walk road"));
    cv_diag_clear(&d);
    xy[2] = 200;
    assert_int_equal(cv_graph_points_create(&S, G, p, xy, 2, "clients", &d), CV_EINVAL);
    assert_non_null(strstr(d.msg, "clients[1]"));
    cv_diag_clear(&d);
    assert_int_equal(cv_graph_points_create(&S, G, 9, xy, 1, "sites", &d), CV_EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_walk_from_sites),
        cmocka_unit_test(test_car_both_directions),
        cmocka_unit_test(test_walk_towards),
        cmocka_unit_test(test_bad_points),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
