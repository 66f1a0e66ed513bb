/* CH == Dijkstra, exactly, on the real extracts of ../shared/datasets/osm.
 *
 * For every extract and profile: S random sources x T random targets
 * (random kept nodes jittered by up to ~30 m, so most points land inside a
 * segment).  The reference is a plain one-to-many Dijkstra on the
 * uncontracted graph; compared with it, exactly (duration and distance
 * packed in one integer): every CH one-to-one query, the CH bucket matrix
 * (2 threads) and, on every 50th pair, the bidirectional Dijkstra.  Every pair must
 * be reachable (largest strongly connected component).  The CH path of a
 * subset is unpacked and its arcs summed, to check the geometry is the path
 * the weight claims.  Counts: 100 x 100 = 10,000 pairs per profile, or
 * 20 x 50 = 1,000 under CV_TEST_QUICK (ASan build).  Without the shared
 * folder, Chengdu comes from the bundled datasets/osm copy and the others are
 * skipped with a note. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <unistd.h>

#include "graph_int.h"
#include "graph_test_util.h"

static uint32_t S = 100, T = 100;

/* Sum of the arcs along a final-node path plus the phantom ends; CV__WINF if
 * some consecutive pair is not an arc. */
static cv__w path_weight(const cv__prof *pr, const cv__phantom *s, const cv__phantom *t,
                         const cv__path *p)
{
    if (p->n == 0) return cv__graph_same_segment(pr, s, t);
    cv__w w = CV__WINF;
    for (int i = 0; i < s->nsrc; i++)
        if (s->src[i].node == p->nodes[0]) w = s->src[i].w < w ? s->src[i].w : w;
    if (w == CV__WINF) return CV__WINF;
    for (uint32_t k = 0; k + 1 < p->n; k++) {
        cv__w best = CV__WINF;
        uint32_t a = p->nodes[k], b = p->nodes[k + 1];
        for (uint32_t e = pr->fwd_first[a]; e < pr->fwd_first[a + 1]; e++)
            if (pr->fwd[e].head == b && pr->fwd[e].w < best) best = pr->fwd[e].w;
        if (best == CV__WINF) return CV__WINF;
        w += best;
    }
    cv__w end = CV__WINF;
    for (int i = 0; i < t->ntgt; i++)
        if (t->tgt[i].node == p->nodes[p->n - 1]) end = t->tgt[i].w < end ? t->tgt[i].w : end;
    return end == CV__WINF ? CV__WINF : w + end;
}

static void random_points(const cv_graph *g, int p, cv_rng *rng, uint32_t n, double *pts)
{
    const cv__prof *pr = &g->prof[p];
    for (uint32_t i = 0; i < n; i++) {
        uint32_t o = pr->orig[cv_rng_below(rng, pr->h.n)];
        pts[2 * i] = cv__graph_lon(g, o) + (cv_rng_unit(rng) - 0.5) * 0.0006;
        pts[2 * i + 1] = cv__graph_lat(g, o) + (cv_rng_unit(rng) - 0.5) * 0.0006;
    }
}

static void check_extract(const char *name)
{
    char in[1024], out[1024];
    snprintf(in, sizeof in, "%s/%s.osm.pbf", CV_SHARED_OSM, name);
    if (access(in, R_OK) != 0) {
        /* the bundled sample stands in for the shared copy when that is absent */
        char bundled[1024];
        snprintf(bundled, sizeof bundled, "%s/%s.osm.pbf", CV_BUNDLED_OSM, name);
        if (access(bundled, R_OK) != 0) {
            printf("note: %s not found, CH == Dijkstra check on %s skipped\n", in, name);
            return;
        }
        printf("note: %s not found, using the bundled %s\n", in, bundled);
        snprintf(in, sizeof in, "%s", bundled);
    }
    snprintf(out, sizeof out, "%s/%s.cvg", g_tmpdir, name);
    cv_diag d;
    cv_diag_clear(&d);
    cv_graph_import_stats st;
    assert_int_equal(cv_graph_import(in, out, NULL, false, &st, &d), CV_OK);
    cv_graph *g = NULL;
    assert_int_equal(cv_graph_load(&g, out, &d), CV_OK);
    assert_int_equal(cv_graph_profile_count(g), 4);
    cv_rng rng;
    cv_rng_seed(&rng, 42);
    for (int p = 0; p < 4; p++) {
        const cv__prof *pr = &g->prof[p];
        double *sp = malloc(sizeof(double) * 2 * S), *tp = malloc(sizeof(double) * 2 * T);
        assert_non_null(sp);
        assert_non_null(tp);
        random_points(g, p, &rng, S, sp);
        random_points(g, p, &rng, T, tp);
        cv__phantom *s = NULL, *t = NULL;
        assert_int_equal(cv__graph_snap_all(g, p, sp, S, "sources", &s, &d), CV_OK);
        assert_int_equal(cv__graph_snap_all(g, p, tp, T, "targets", &t, &d), CV_OK);
        cv__w *ref = malloc(sizeof(cv__w) * S * T), *m2m = malloc(sizeof(cv__w) * S * T);
        assert_non_null(ref);
        assert_non_null(m2m);
        assert_int_equal(cv__graph_dijkstra_many_to_many(pr, s, S, t, T, ref, 2), CV_OK);
        assert_int_equal(cv__graph_ch_many_to_many(pr, s, S, t, T, m2m, 2), CV_OK);
        cv__heap fw, bw;
        assert_int_equal(cv__graph_heap_init(&fw, pr->h.n), CV_OK);
        assert_int_equal(cv__graph_heap_init(&bw, pr->h.n), CV_OK);
        uint64_t pairs = 0, bidir = 0, paths = 0;
        for (uint32_t i = 0; i < S; i++)
            for (uint32_t j = 0; j < T; j++) {
                cv__w r = ref[i * T + j];
                if (r == CV__WINF)
                    fail_msg("%s/%s: pair %u,%u unreachable", name, pr->h.name, i, j);
                bool want_path = (i * T + j) % 50 == 0;
                cv__path path = {NULL, 0};
                cv__w c = cv__graph_ch_query(pr, &fw, &bw, &s[i], &t[j], want_path ? &path : NULL);
                if (c != r || m2m[i * T + j] != r)
                    fail_msg("%s/%s: pair %u,%u: dijkstra %u ds %u dm, CH %u ds %u dm, matrix %u "
                             "ds %u dm",
                             name, pr->h.name, i, j, CV__W_DS(r), CV__W_DM(r), CV__W_DS(c),
                             CV__W_DM(c), CV__W_DS(m2m[i * T + j]), CV__W_DM(m2m[i * T + j]));
                if (want_path) {
                    assert_true(path_weight(pr, &s[i], &t[j], &path) == r);
                    free(path.nodes);
                    paths++;
                }
                if ((i * T + j) % 50 == 0) {
                    cv__path bp = {NULL, 0};
                    cv__w b = cv__graph_dijkstra_bidir(pr, &fw, &bw, &s[i], &t[j],
                                                       want_path ? &bp : NULL);
                    assert_true(b == r);
                    if (want_path) {
                        assert_true(path_weight(pr, &s[i], &t[j], &bp) == r);
                        free(bp.nodes);
                    }
                    bidir++;
                }
                pairs++;
            }
        printf("%s/%s: %u nodes, %llu pairs CH == Dijkstra == matrix, %llu bidirectional, %llu "
               "paths unpacked\n",
               name, pr->h.name, pr->h.n, (unsigned long long)pairs, (unsigned long long)bidir,
               (unsigned long long)paths);
        cv__graph_heap_fini(&fw);
        cv__graph_heap_fini(&bw);
        free(ref), free(m2m), free(s), free(t), free(sp), free(tp);
    }
    cv_graph_destroy(g);
    remove(out);
}

static void test_chengdu(void **state)
{
    (void)state;
    check_extract("chengdu-center");
}

static void test_andorra(void **state)
{
    (void)state;
    check_extract("andorra");
}

static void test_porto(void **state)
{
    (void)state;
    check_extract("porto-center");
}

int main(void)
{
    if (getenv("CV_TEST_QUICK")) S = 20, T = 50;
    printf("CH vs Dijkstra: %u x %u = %u pairs per profile\n", S, T, S * T);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_chengdu),
        cmocka_unit_test(test_andorra),
        cmocka_unit_test(test_porto),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
