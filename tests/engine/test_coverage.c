/* Coverage, siting and caravan stops (engine/coverage.c, points_csv.c) on
 * the bundled Chengdu extract, against brute force computed here from the
 * plain Dijkstra matrix (cv_graph_matrix_dijkstra, no hierarchy, no bounded
 * search):
 *  - coverage: client i is covered iff min over sites of duration(site, i)
 *    <= limit; the count and the outside list must agree;
 *  - siting: every subset of at most k candidates is tried; the MIP's
 *    coverage after must equal the best;
 *  - caravan stops: every subset of candidate stops is tried (households
 *    walk to the stop: matrix(household, stop)); the MIP's stop count must be
 *    the fewest, every household must be assigned a stop it reaches in time
 *    and its reported walk must be the matrix value to its nearest chosen stop;
 *  - CSV input: a table of bad files, each message naming file:line:column. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "cv/engine.h"
#include "cv/graph.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static cv_graph *G;
static int WALK, CAR;
static char tmp[64];

static int setup(void **state)
{
    (void)state;
    snprintf(tmp, sizeof tmp, "/tmp/cv_coverage_XXXXXX");
    if (!mkdtemp(tmp)) return -1;
    char in[1024], out[1024];
    snprintf(in, sizeof in, "%s/datasets/osm/chengdu-center.osm.pbf", CV_SOURCE_DIR);
    snprintf(out, sizeof out, "%s/chengdu.cvg", tmp);
    cv_diag d;
    cv_diag_clear(&d);
    if (cv_graph_import(in, out, "car,walk", false, NULL, &d) != CV_OK ||
        cv_graph_load(&G, out, &d) != CV_OK) {
        fprintf(stderr, "%s\n", d.msg);
        return -1;
    }
    unlink(out);
    rmdir(tmp);
    WALK = cv_graph_profile_find(G, "walk");
    CAR = cv_graph_profile_find(G, "car");
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    cv_graph_destroy(G);
    return 0;
}

static void random_points(cv_rng *r, double *xy, uint32_t n, double lon0, double lat0, double span)
{
    for (uint32_t i = 0; i < n; i++) {
        xy[2 * i] = lon0 + span * (cv_rng_unit(r) - 0.5);
        xy[2 * i + 1] = lat0 + span * (cv_rng_unit(r) - 0.5);
    }
}

/* Square Dijkstra matrix over the concatenation of the given point arrays. */
static uint32_t *matrix(int prof, const double *xy, uint32_t n)
{
    uint32_t *m = malloc((size_t)n * n * sizeof *m);
    cv_diag d;
    cv_diag_clear(&d);
    assert_int_equal(cv_graph_matrix_dijkstra(G, prof, xy, n, m, NULL, 1, &d), CV_OK);
    return m;
}

static void test_coverage_brute_force(void **state)
{
    (void)state;
    cv_rng r;
    cv_rng_seed(&r, 11);
    const uint32_t ns = 4, nc = getenv("CV_TEST_QUICK") ? 60 : 200, n = ns + nc;
    const int profs[2] = {WALK, CAR};
    const uint32_t limits[2] = {900, 180};
    for (int k = 0; k < 2; k++) {
        double *xy = malloc(2 * n * sizeof *xy);
        random_points(&r, xy, n, 104.085, 30.69, 0.06);
        uint32_t *m = matrix(profs[k], xy, n);
        cv_coverage cov;
        cv_diag d;
        cv_diag_clear(&d);
        assert_int_equal(
            cv_engine_coverage(G, profs[k], xy, ns, xy + 2 * ns, nc, limits[k], &cov, &d), CV_OK);
        uint32_t want = 0;
        for (uint32_t c = 0; c < nc; c++) {
            uint32_t best = UINT32_MAX, bs = 0;
            for (uint32_t s = 0; s < ns; s++)
                if (m[(size_t)s * n + ns + c] < best) best = m[(size_t)s * n + ns + c], bs = s;
            bool in = best <= limits[k];
            want += in;
            assert_int_equal(cov.time_s[c], in ? best : UINT32_MAX);
            if (in) assert_int_equal(m[(size_t)cov.site[c] * n + ns + c], best);
            (void)bs;
        }
        assert_int_equal(cov.ncovered, want);
        assert_true(want > 0 && want < nc); /* the instance discriminates */
        printf("  %s: %u of %u clients within %u s\n", k ? "car" : "walk", want, nc, limits[k]);
        cv_coverage_fini(&cov);
        free(m);
        free(xy);
    }
}

static void test_siting_exhaustive(void **state)
{
    (void)state;
    cv_rng r;
    cv_rng_seed(&r, 5);
    const uint32_t ns = 2, nc = 80, nk = 10, n = ns + nc + nk, limit = 600;
    double *xy = malloc(2 * n * sizeof *xy);
    random_points(&r, xy, n, 104.08, 30.685, 0.035);
    uint32_t *m = matrix(WALK, xy, n);
    const double *sites = xy, *clients = xy + 2 * ns, *cands = xy + 2 * (ns + nc);
    for (uint32_t K = 1; K <= 3; K++) {
        cv_siting si;
        cv_diag d;
        cv_diag_clear(&d);
        assert_int_equal(
            cv_engine_siting(G, WALK, sites, ns, clients, nc, cands, nk, limit, K, 30, &si, &d),
            CV_OK);
        /* brute force over every subset of <= K candidates */
        uint32_t best = 0, before = 0;
        for (uint32_t mask = 0; mask < (1u << nk); mask++) {
            if ((uint32_t)__builtin_popcount(mask) > K) continue;
            uint32_t cov = 0;
            for (uint32_t c = 0; c < nc; c++) {
                bool in = false;
                for (uint32_t s = 0; s < ns && !in; s++) in = m[(size_t)s * n + ns + c] <= limit;
                for (uint32_t j = 0; j < nk && !in; j++)
                    in = (mask >> j & 1) && m[(size_t)(ns + nc + j) * n + ns + c] <= limit;
                cov += in;
            }
            if (mask == 0) before = cov;
            if (cov > best) best = cov;
        }
        assert_int_equal(si.covered_before, before);
        if (si.covered_after != best)
            fail_msg("k=%u: MIP covers %u, exhaustive best %u", K, si.covered_after, best);
        assert_true(si.optimal);
        assert_true(si.nchosen <= K);
        /* and the chosen candidates really cover that many */
        uint32_t cov = 0;
        for (uint32_t c = 0; c < nc; c++) {
            bool in = false;
            for (uint32_t s = 0; s < ns && !in; s++) in = m[(size_t)s * n + ns + c] <= limit;
            for (uint32_t q = 0; q < si.nchosen && !in; q++)
                in = m[(size_t)(ns + nc + si.chosen[q]) * n + ns + c] <= limit;
            cov += in;
        }
        assert_int_equal(cov, si.covered_after);
        printf("  siting k=%u: %u -> %u of %u clients\n", K, before, best, nc);
        assert_true(best > before);
        cv_siting_fini(&si);
    }
    free(m);
    free(xy);
}

static void test_caravan_stops_exhaustive(void **state)
{
    (void)state;
    cv_rng r;
    cv_rng_seed(&r, 8);
    const uint32_t nh = 14, walk = 420;
    for (int variant = 0; variant < 2; variant++) {
        /* variant 0: candidates = the households; 1: 12 separate candidates */
        const uint32_t nk = variant ? 12 : nh, n = nh + (variant ? nk : 0);
        double *xy = malloc(2 * n * sizeof *xy);
        random_points(&r, xy, n, 104.075, 30.68, 0.02);
        uint32_t *m = matrix(WALK, xy, n);
        const uint32_t off = variant ? nh : 0; /* candidate j is point off + j */
        cv_caravan_stops cs;
        cv_diag d;
        cv_diag_clear(&d);
        assert_int_equal(cv_engine_caravan_stops(G, WALK, xy, nh, variant ? xy + 2 * nh : NULL, nk,
                                                 walk, 30, &cs, &d),
                         CV_OK);
        /* walking household h -> stop j */
#define REACH(h, j) (m[(size_t)(h)*n + off + (j)] <= walk)
        uint32_t coverable = 0;
        for (uint32_t h = 0; h < nh; h++) {
            bool any = false;
            for (uint32_t j = 0; j < nk; j++) any = any || REACH(h, j);
            coverable |= (uint32_t)any << h;
        }
        uint32_t fewest = UINT32_MAX;
        for (uint32_t mask = 0; mask < (1u << nk); mask++) {
            uint32_t got = 0;
            for (uint32_t h = 0; h < nh; h++)
                for (uint32_t j = 0; j < nk; j++)
                    if ((mask >> j & 1) && REACH(h, j)) {
                        got |= 1u << h;
                        break;
                    }
            if (got == coverable && (uint32_t)__builtin_popcount(mask) < fewest)
                fewest = (uint32_t)__builtin_popcount(mask);
        }
        if (cs.nstops != fewest)
            fail_msg("variant %d: %u stops, fewest %u", variant, cs.nstops, fewest);
        assert_true(cs.optimal);
        assert_int_equal(cs.nuncoverable, nh - (uint32_t)__builtin_popcount(coverable));
        for (uint32_t h = 0; h < nh; h++) {
            if (!(coverable >> h & 1)) {
                assert_int_equal(cs.stop_of[h], UINT32_MAX);
                continue;
            }
            uint32_t best = UINT32_MAX;
            for (uint32_t q = 0; q < cs.nstops; q++) {
                uint32_t t = m[(size_t)h * n + off + cs.stops[q]];
                if (t < best) best = t;
            }
            assert_true(cs.stop_of[h] < cs.nstops);
            assert_int_equal(cs.walk_s[h], best);
            assert_int_equal(m[(size_t)h * n + off + cs.stops[cs.stop_of[h]]], best);
            assert_true(best <= walk);
        }
        printf("  caravan stops (%s): %u stops for %u households, %u uncoverable\n",
               variant ? "given candidates" : "households as candidates", cs.nstops, nh,
               cs.nuncoverable);
        assert_true(cs.nstops > 1 && cs.nstops < nk);
#undef REACH
        cv_caravan_stops_fini(&cs);
        free(m);
        free(xy);
    }
}

static void test_bad_calls(void **state)
{
    (void)state;
    double xy[4] = {104.08, 30.69, 10.0, 10.0};
    cv_coverage cov;
    cv_diag d;
    cv_diag_clear(&d);
    assert_int_equal(cv_engine_coverage(G, WALK, xy, 1, xy + 2, 1, 900, &cov, &d), CV_EINVAL);
    assert_non_null(strstr(d.msg, "clients[0]"));
    cv_diag_clear(&d);
    assert_int_equal(cv_engine_coverage(G, WALK, xy, 0, xy, 1, 900, &cov, &d), CV_EINVAL);
    assert_non_null(strstr(d.msg, "sites"));
    cv_diag_clear(&d);
    assert_int_equal(cv_engine_coverage(G, 7, xy, 1, xy, 1, 900, &cov, &d), CV_EINVAL);
    cv_siting si;
    cv_diag_clear(&d);
    assert_int_equal(cv_engine_siting(G, WALK, xy, 1, xy, 1, xy + 2, 1, 900, 1, 5, &si, &d),
                     CV_EINVAL);
    assert_non_null(strstr(d.msg, "candidates[0]"));
}

static void test_csv(void **state)
{
    (void)state;
    static const struct {
        const char *text, *msg;
    } bad[] = {
        {"", "f.csv: empty: expected the header \"id,lon,lat\""},
        {"name,x,y\n1,104,30\n", "f.csv:1:1: expected the header \"id,lon,lat\""},
        {"id,lon,lat\n1,104.1,30.6\n2,abc,30.6\n",
         "f.csv:3:3: lon: expected a number in [-180, 180], got \"abc\""},
        {"id,lon,lat\n1,104.1, 95\n",
         "f.csv:2:10: lat: expected a number in [-90, 90], got \"95\""},
        {"id,lon,lat\n1,104.1\n", "f.csv:2:8: expected 3 fields id,lon,lat, got 2"},
        {"id,lon,lat\n1,104.1,30.6,7\n", "f.csv:2:14: expected 3 fields id,lon,lat, got 4"},
        {"id,lon,lat\n ,104.1,30.6\n", "f.csv:2:2: id: empty"},
        {"id,lon,lat\na,104.1,30.6\nb,104.2,30.6\n\na,104.3,30.6\n",
         "f.csv:5:1: id: \"a\" already used on line 2"},
        {"id,lon,lat\n1,104.1,\n", "f.csv:2:9: lat: expected a number in [-90, 90], got \"\""},
        {"id,lon,lat\n1,nan,30\n", "f.csv:2:3: lon: expected a number"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        cv_points p;
        cv_diag d;
        cv_diag_clear(&d);
        assert_int_equal(cv_points_parse_csv(&p, "f.csv", bad[i].text, strlen(bad[i].text), &d),
                         CV_EINVAL);
        if (!strstr(d.msg, bad[i].msg))
            fail_msg("case %zu: got \"%s\", want \"%s\"", i, d.msg, bad[i].msg);
    }
    const char *good =
        "\xEF\xBB\xBFID, Lon ,LAT\r\n# a comment\r\nhome 1,104.1,30.6\r\n\r\nh2, -0.5 ,1e1\n";
    cv_points p;
    cv_diag d;
    cv_diag_clear(&d);
    assert_int_equal(cv_points_parse_csv(&p, "g.csv", good, strlen(good), &d), CV_OK);
    assert_int_equal(p.n, 2);
    assert_string_equal(p.ids[0], "home 1");
    assert_string_equal(p.ids[1], "h2");
    assert_true(p.lonlat[2] == -0.5 && p.lonlat[3] == 10);
    assert_int_equal(p.line[1], 5);
    cv_points_fini(&p);
    cv_diag_clear(&d);
    assert_int_equal(cv_points_read_csv(&p, "/nonexistent/x.csv", &d), CV_EIO);
    assert_non_null(strstr(d.msg, "/nonexistent/x.csv: cannot open"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_csv),
        cmocka_unit_test(test_coverage_brute_force),
        cmocka_unit_test(test_siting_exhaustive),
        cmocka_unit_test(test_caravan_stops_exhaustive),
        cmocka_unit_test(test_bad_calls),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
