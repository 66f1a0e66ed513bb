/* SWAP* (solver/ls_swap_star.c) against an enumeration of its neighbourhood.
 *
 * The reference shares no code with the operator: for every pair of routes
 * of a regret-built plan and every job u of one and v of the other it builds
 * the candidate routes as explicit sequences and judges them with the full
 * route evaluation (route_eval.c):
 *   - the three cheapest places of u in the other route (with v), among the
 *     places where u fits in time: full evaluation of the route with u on a
 *     copy of the problem without loads and travel limits (so only windows,
 *     shifts and service times bind), ties to the earlier place;
 *   - u's candidates: those of the three not next to v, and v's old place;
 *   - the best move: the cheapest feasible candidate on each side, summed.
 * The operator's best move (best improvement, bound +inf, so non-improving
 * pairs are compared too) must have the same cost change; the improving
 * moves, applied, must give feasible routes with the predicted cost change,
 * and the plan must pass the independent checker.  The problems have two
 * load dimensions with pickups and deliveries, windows, skills, open ends,
 * other starts, speed factors, per-hour costs, max_tasks and
 * max_travel_time, and matrices without the triangle inequality. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cv/engine.h"
#include "solver_int_test_util.h"

/* A random problem; relaxed: the same without capacities and limits. */
static char *random_problem(uint64_t seed, uint32_t njobs, uint32_t nveh, bool relaxed)
{
    cv_rng r;
    cv_rng_seed(&r, seed);
    const uint32_t nloc = 2 + njobs;
    size_t cap = 4096 + (size_t)nloc * nloc * 12 + (size_t)njobs * 256 + nveh * 256;
    char *s = malloc(cap);
    size_t n = 0;
    double *x, *y;
    random_points(&r, nloc, &x, &y);
    n += (size_t)snprintf(s + n, cap - n, "{\"vehicles\":[");
    for (uint32_t v = 0; v < nveh; v++) {
        uint32_t c0 = 25 + cv_rng_below(&r, 20), c1 = 15 + cv_rng_below(&r, 15);
        uint32_t end = 700 + cv_rng_below(&r, 500);
        char extra[256] = "";
        if (!relaxed && v % 4 == 1) snprintf(extra, sizeof extra, ",\"max_tasks\":%u", 4 + v % 3);
        if (!relaxed && v % 4 == 2) snprintf(extra, sizeof extra, ",\"max_travel_time\":350");
        if (relaxed) c0 = c1 = 100000;
        n += (size_t)snprintf(s + n, cap - n,
                              "%s{\"id\":%u,\"start_index\":%u%s,\"capacity\":[%u,%u],"
                              "\"skills\":[%u],\"time_window\":[0,%u]%s%s%s}",
                              v ? "," : "", v + 1, v % 5 == 4 ? 1 : 0,
                              v % 3 == 2 ? "" : ",\"end_index\":0", c0, c1, v % 2, end,
                              v % 4 == 3 ? ",\"speed_factor\":1.5" : "",
                              v % 3 == 1 ? ",\"costs\":{\"per_hour\":7200}" : "", extra);
    }
    n += (size_t)snprintf(s + n, cap - n, "],\"jobs\":[");
    for (uint32_t j = 0; j < njobs; j++) {
        uint32_t a = cv_rng_below(&r, 800), w = 80 + cv_rng_below(&r, 300);
        n += (size_t)snprintf(
            s + n, cap - n,
            "%s{\"id\":%u,\"location_index\":%u,\"service\":%u,\"setup\":%u,"
            "\"delivery\":[%u,%u],\"pickup\":[%u,%u],\"skills\":[%u],"
            "\"time_windows\":[[%u,%u],[%u,%u]]}",
            j ? "," : "", j + 1, 2 + j, 5 + cv_rng_below(&r, 10), cv_rng_below(&r, 5),
            cv_rng_below(&r, 8), cv_rng_below(&r, 6), cv_rng_below(&r, 6), cv_rng_below(&r, 3),
            cv_rng_below(&r, 5) == 0 ? 1 : 0, a / 2, a / 2 + w / 3, a + w, a + 2 * w);
    }
    n += (size_t)snprintf(s + n, cap - n, "],\"matrices\":{\"car\":{\"durations\":");
    n = write_distance_rows(s, n, cap, x, y, nloc, 1.15);
    n += (size_t)snprintf(s + n, cap - n, "}}}");
    free(x);
    free(y);
    return s;
}

/* Full evaluation of vehicle v serving seq; cost or NAN when infeasible. */
static double eval(const cv__ctx *c, uint32_t v, const uint32_t *seq, uint32_t n)
{
    cv__eval e;
    return cv__route_eval(c, v, seq, n, &e, NULL, NULL, NULL) ? e.cost : NAN;
}

/* R with task x inserted after position g (0..n) and, when drop >= 1, the
 * task at position drop removed (place: x takes position drop). */
static uint32_t build(const cv__route *R, uint32_t x, uint32_t g, bool place, uint32_t drop,
                      uint32_t *seq)
{
    uint32_t n = 0;
    if (!place && g == 0) seq[n++] = x;
    for (uint32_t q = 1; q <= R->n; q++) {
        if (q == drop) {
            if (place) seq[n++] = x;
        } else {
            seq[n++] = R->t[q - 1];
        }
        if (!place && g == q) seq[n++] = x;
    }
    return n;
}

/* Cheapest feasible candidate cost of x into R without its task at
 * position q (NAN when none), per the rule in the file comment. */
static double best_side(const cv__ctx *c, const cv__ctx *relaxed, const cv__route *R, uint32_t q,
                        uint32_t x, uint32_t *seq)
{
    const uint32_t v = R->v;
    if (c->p->tasks[x].kind != CV_TASK_JOB || !c->can[(size_t)x * c->nv + v]) return NAN;
    const double base = eval(relaxed, v, R->t, R->n);
    assert_false(isnan(base));
    double tc[3];
    uint32_t tg[3], nt = 0;
    for (uint32_t g = 0; g <= R->n; g++) {
        uint32_t n = build(R, x, g, false, 0, seq);
        double cost = eval(relaxed, v, seq, n);
        if (isnan(cost)) continue;
        cost -= base;
        if (nt == 3 && !(cost < tc[2])) continue;
        uint32_t k = nt < 3 ? nt++ : 2;
        while (k > 0 && cost < tc[k - 1]) {
            tc[k] = tc[k - 1];
            tg[k] = tg[k - 1];
            k--;
        }
        tc[k] = cost;
        tg[k] = g;
    }
    double best = NAN;
    for (uint32_t k = 0; k <= nt; k++) {
        bool place = k == nt;
        if (!place && (tg[k] == q - 1 || tg[k] == q)) continue;
        uint32_t n = build(R, x, place ? 0 : tg[k], place, q, seq);
        double cost = eval(c, v, seq, n);
        if (!isnan(cost) && (isnan(best) || cost < best)) best = cost;
    }
    return best;
}

/* The reference best move between routes ra and rb (INFINITY: none),
 * exchanging only_u / only_v when not CV_NONE. */
static double reference(const cv__ctx *c, const cv__ctx *relaxed, const cv__sol *s, uint32_t ra,
                        uint32_t rb, uint32_t only_u, uint32_t only_v, uint32_t *seq)
{
    const cv__route *A = &s->r[ra], *B = &s->r[rb];
    const double ca = eval(c, A->v, A->t, A->n), cb = eval(c, B->v, B->t, B->n);
    double best = INFINITY;
    for (uint32_t a = 1; a <= A->n; a++)
        for (uint32_t b = 1; b <= B->n; b++) {
            if ((only_u != CV_NONE && A->t[a - 1] != only_u) ||
                (only_v != CV_NONE && B->t[b - 1] != only_v))
                continue;
            double na = best_side(c, relaxed, A, a, B->t[b - 1], seq);
            if (isnan(na)) continue;
            double nb = best_side(c, relaxed, B, b, A->t[a - 1], seq);
            if (isnan(nb)) continue;
            if (na + nb - ca - cb < best) best = na + nb - ca - cb;
        }
    return best;
}

static void test_best_move_equals_enumeration(void **state)
{
    (void)state;
    const uint32_t nprob = quick() ? 4 : 16;
    uint32_t compared = 0, moves = 0, improving = 0, applied = 0, exchanges = 0, xmoves = 0;
    for (uint32_t i = 0; i < nprob; i++) {
        const uint32_t njobs = 18 + 4 * i, nveh = 3 + i % 4;
        char *js = random_problem(700 + i, njobs, nveh, false);
        char *jr = random_problem(700 + i, njobs, nveh, true);
        cv_problem *p = parse(js), *pr = parse(jr);
        cv__ctx c, cr;
        assert_int_equal(cv__ctx_init(&c, p), CV_OK);
        assert_int_equal(cv__ctx_init(&cr, pr), CV_OK);
        cv__sol s;
        assert_int_equal(cv__sol_init(&s, &c), CV_OK);
        uint64_t effort = 0;
        assert_int_equal(cv__construct_regret(&c, &s, &effort), CV_OK);
        cv__ls ls;
        assert_int_equal(cv__ls_init(&ls, &c), CV_OK);
        ls.s = &s;
        uint32_t *seq = malloc((c.nt + 2) * sizeof *seq);
        for (uint32_t ra = 0; ra < s.nv; ra++)
            for (uint32_t rb = 0; rb < s.nv; rb++) {
                if (ra == rb || !s.r[ra].n || !s.r[rb].n) continue;
                /* Every exchange (u, v) alone, then the pair's best. */
                for (uint32_t a = 0; a < s.r[ra].n; a++)
                    for (uint32_t b = 0; b < s.r[rb].n; b++) {
                        const uint32_t u = s.r[ra].t[a], v = s.r[rb].t[b];
                        cv__swap_star_move m;
                        bool found = cv__swap_star_best(&ls, ra, rb, u, v, INFINITY, &m);
                        double ref = reference(&c, &cr, &s, ra, rb, u, v, seq);
                        if (found != (ref < INFINITY) ||
                            (found && fabs(m.delta - ref) > 1e-6 * (1 + fabs(ref))))
                            fail_msg("problem %u routes %u/%u tasks %u/%u: found %d %.3f, "
                                     "reference %.3f",
                                     i, ra, rb, u, v, found, found ? m.delta : 0.0, ref);
                        exchanges++;
                        xmoves += found;
                    }
                cv__swap_star_move m;
                bool found = cv__swap_star_best(&ls, ra, rb, CV_NONE, CV_NONE, INFINITY, &m);
                double ref = reference(&c, &cr, &s, ra, rb, CV_NONE, CV_NONE, seq);
                compared++;
                if (found != (ref < INFINITY))
                    fprintf(stderr, "problem %u routes %u/%u: found %d %.3f, reference %.3f\n", i,
                            ra, rb, found, found ? m.delta : 0.0, ref);
                assert_int_equal(found, ref < INFINITY);
                if (!found) continue;
                moves++;
                assert_true(fabs(m.delta - ref) <= 1e-6 * (1 + fabs(ref)));
                improving += m.delta < -CV__LS_EPS;
                /* The bound filters: nothing at or above the best. */
                cv__swap_star_move m2;
                assert_false(cv__swap_star_best(&ls, ra, rb, CV_NONE, CV_NONE, m.delta, &m2));
            }
        /* Apply improving moves until none is left; each must give feasible
         * routes with the predicted cost change. */
        for (bool more = true; more;) {
            more = false;
            for (uint32_t ra = 0; ra < s.nv && !more; ra++)
                for (uint32_t rb = 0; rb < s.nv && !more; rb++) {
                    cv__swap_star_move m;
                    if (ra == rb ||
                        !cv__swap_star_best(&ls, ra, rb, CV_NONE, CV_NONE, -CV__LS_EPS, &m))
                        continue;
                    const double before = s.cost;
                    assert_int_equal(cv__swap_star_apply(&ls, &m), CV_OK);
                    assert_true(s.route_of[m.u] == rb && s.route_of[m.v] == ra);
                    double ea = eval(&c, s.r[ra].v, s.r[ra].t, s.r[ra].n);
                    double eb = eval(&c, s.r[rb].v, s.r[rb].t, s.r[rb].n);
                    assert_false(isnan(ea) || isnan(eb));
                    assert_true(fabs(s.cost - before - m.delta) <= 1e-6 * (1 + fabs(before)));
                    applied++;
                    more = true;
                }
        }
        assert_sol_checked(&c, &s);
        free(seq);
        cv__ls_fini(&ls);
        cv__sol_fini(&s);
        cv__ctx_fini(&cr);
        cv__ctx_fini(&c);
        cv_problem_destroy(p);
        cv_problem_destroy(pr);
        free(js);
        free(jr);
    }
    fprintf(stderr,
            "swap*: %u exchanges, %u feasible; %u route pairs, %u with a move, %u improving, %u "
            "applied\n",
            exchanges, xmoves, compared, moves, improving, applied);
    /* The comparison is not vacuous. */
    assert_true(moves > compared / 4 && xmoves > exchanges / 20);
    assert_true(improving > 0 && applied > 0);
}

/* The operator alone, through the solver: plans pass the checker (the
 * solver's own moves are re-evaluated in CV_DEBUG_CHECKS builds). */
static void test_solver_with_swap_star(void **state)
{
    (void)state;
    for (uint32_t i = 0; i < (quick() ? 2u : 5u); i++) {
        char *js = random_problem(900 + i, 40, 5, false);
        cv_problem *p = parse(js);
        for (int ops = 0; ops < 2; ops++) {
            cv_solver_config cfg;
            cv_solver_config_init(&cfg);
            cfg.local_search = ops ? CV_LS_ALL : CV_LS_SWAP_STAR;
            cfg.max_effort = quick() ? 30000 : 150000;
            cfg.seed = i + 1;
            cv_plan *plan = solve_checked_cfg(p, &cfg, NULL);
            cv_plan_destroy(plan);
        }
        cv_problem_destroy(p);
        free(js);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_best_move_equals_enumeration),
        cmocka_unit_test(test_solver_with_swap_star),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
