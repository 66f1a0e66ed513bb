/* Service-circle benchmark: the bounded searches, isochrone polygons,
 * coverage, siting and caravan stops of `carevan coverage` on a real graph.
 *
 *   coverage_bench CITY.cvg --centre LON,LAT --span DEG [--profile walk]
 *                  [--minutes 15] [--seed 1]
 *
 * Points are random in a square of side DEG around the centre, each moved
 * onto the nearest road of the profile (points more than 200 m from a road
 * are redrawn), as `carevan scenario` places homes.  Reports CPU time
 * (CLOCK_PROCESS_CPUTIME_ID, one thread) and wall time per step.  Baseline
 * in the same run: the same coverage from a CH many-to-many matrix (sites x
 * clients, one thread), which is what one would do without a bounded
 * search; the ratio is printed. */
#define _POSIX_C_SOURCE 200809L
#include "cv/engine.h"
#include "cv/graph.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double cpu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

typedef struct clocks {
    double cpu, wall;
} clocks;

static clocks tic(void)
{
    return (clocks){cpu_now(), cv_clock_now()};
}

static clocks toc(clocks t0)
{
    return (clocks){cpu_now() - t0.cpu, cv_clock_now() - t0.wall};
}

static double *points(const cv_graph *g, int prof, cv_rng *r, uint32_t n, double lon0, double lat0,
                      double span)
{
    double *xy = malloc(2 * (size_t)n * sizeof *xy);
    for (uint32_t i = 0; i < n;) {
        double lon = lon0 + span * (cv_rng_unit(r) - 0.5),
               lat = lat0 + span * (cv_rng_unit(r) - 0.5);
        cv_graph_snap sn;
        cv_diag d;
        cv_diag_clear(&d);
        if (cv_graph_snap_point(g, prof, lon, lat, &sn, &d) == CV_OK && sn.distance_m < 200) {
            xy[2 * i] = sn.lon, xy[2 * i + 1] = sn.lat;
            i++;
        }
    }
    return xy;
}

static void die(const char *what, cv_status s, const cv_diag *d)
{
    fprintf(stderr, "coverage_bench: %s: %s\n", what, d->set ? d->msg : cv_status_message(s));
    exit(1);
}

int main(int argc, char **argv)
{
    const char *path = NULL, *pname = "walk";
    double lon0 = NAN, lat0 = NAN, span = 0.05, minutes = 15;
    uint64_t seed = 1;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--centre") && i + 1 < argc)
            sscanf(argv[++i], "%lf,%lf", &lon0, &lat0);
        else if (!strcmp(argv[i], "--span") && i + 1 < argc)
            span = atof(argv[++i]);
        else if (!strcmp(argv[i], "--profile") && i + 1 < argc)
            pname = argv[++i];
        else if (!strcmp(argv[i], "--minutes") && i + 1 < argc)
            minutes = atof(argv[++i]);
        else if (!strcmp(argv[i], "--seed") && i + 1 < argc)
            seed = strtoull(argv[++i], NULL, 10);
        else
            path = argv[i];
    }
    if (!path || isnan(lon0)) {
        fprintf(stderr, "usage: coverage_bench CITY.cvg --centre LON,LAT --span DEG [--profile "
                        "walk] [--minutes 15] [--seed 1]\n");
        return 2;
    }
    cv_diag d;
    cv_diag_clear(&d);
    cv_graph *g = NULL;
    cv_status s = cv_graph_load(&g, path, &d);
    if (s) die("load", s, &d);
    int prof = cv_graph_profile_find(g, pname);
    if (prof < 0) {
        fprintf(stderr, "coverage_bench: no profile %s\n", pname);
        return 2;
    }
    const uint32_t limit = (uint32_t)llround(minutes * 60);
    cv_rng r;
    cv_rng_seed(&r, seed);
    printf("graph %s, profile %s, %.1f min, square %.3f deg around %.4f,%.4f, seed %llu\n", path,
           pname, minutes, span, lon0, lat0, (unsigned long long)seed);

    /* 1. single-site searches and polygons */
    const uint32_t nrep = 50;
    double *one = points(g, prof, &r, nrep, lon0, lat0, span);
    double reach_cpu = 0, iso_cpu = 0, reach_wall = 0, iso_wall = 0;
    uint64_t nodes = 0, vertices = 0;
    for (uint32_t k = 0; k < nrep; k++) {
        cv_graph_points *S = NULL;
        cv_graph_reach *R = NULL;
        if ((s = cv_graph_points_create(&S, g, prof, one + 2 * k, 1, "site", &d)))
            die("snap", s, &d);
        clocks t = tic();
        if ((s = cv_graph_reach_create(&R, S, limit, false))) die("reach", s, &d);
        clocks e = toc(t);
        reach_cpu += e.cpu, reach_wall += e.wall;
        nodes += cv_graph_reach_count(R);
        char *gj = NULL;
        t = tic();
        if ((s = cv_graph_reach_geojson(R, 60, 20, &gj))) die("isochrone", s, &d);
        e = toc(t);
        iso_cpu += e.cpu, iso_wall += e.wall;
        for (const char *c = gj; (c = strstr(c, "],[")); c++) vertices++;
        free(gj);
        cv_graph_reach_destroy(R);
        cv_graph_points_destroy(S);
    }
    printf("single-site search (%u sites): %.2f ms CPU (%.2f ms wall) each, %.0f nodes settled\n",
           nrep, 1e3 * reach_cpu / nrep, 1e3 * reach_wall / nrep, (double)nodes / nrep);
    printf("isochrone polygon (60 m buffer, 20 m cells): %.2f ms CPU (%.2f ms wall) each, ~%.0f "
           "vertices\n",
           1e3 * iso_cpu / nrep, 1e3 * iso_wall / nrep, (double)vertices / nrep);
    free(one);

    /* 2. coverage: 10 sites, 10000 clients; baseline: CH matrix */
    const uint32_t ns = 10, nc = 10000;
    double *sites = points(g, prof, &r, ns, lon0, lat0, span);
    double *clients = points(g, prof, &r, nc, lon0, lat0, span);
    cv_coverage cov;
    clocks t = tic();
    if ((s = cv_engine_coverage(g, prof, sites, ns, clients, nc, limit, &cov, &d)))
        die("coverage", s, &d);
    clocks ec = toc(t);
    uint32_t *dur = malloc((size_t)ns * nc * sizeof *dur);
    t = tic();
    if ((s = cv_graph_matrix_st(g, prof, sites, ns, clients, nc, dur, NULL, 1, &d)))
        die("matrix", s, &d);
    uint32_t covm = 0;
    for (uint32_t c = 0; c < nc; c++) {
        uint32_t best = UINT32_MAX;
        for (uint32_t k = 0; k < ns; k++)
            if (dur[(size_t)k * nc + c] < best) best = dur[(size_t)k * nc + c];
        covm += best <= limit;
    }
    clocks em = toc(t);
    printf("coverage %u sites x %u clients: %.1f ms CPU (%.1f ms wall), %u covered; CH matrix "
           "baseline %.1f ms CPU (%.1f ms wall), %u covered%s; ratio matrix/coverage CPU %.1fx\n",
           ns, nc, 1e3 * ec.cpu, 1e3 * ec.wall, cov.ncovered, 1e3 * em.cpu, 1e3 * em.wall, covm,
           covm == cov.ncovered ? " (same)" : " (DIFFERENT)", em.cpu / ec.cpu);
    free(dur);
    cv_coverage_fini(&cov);

    /* 3. siting: add 5 of 100 candidates for 2000 of the clients */
    const uint32_t nk = 100, nc2 = 2000, K = 5;
    double *cands = points(g, prof, &r, nk, lon0, lat0, span);
    cv_siting si;
    t = tic();
    if ((s = cv_engine_siting(g, prof, sites, ns, clients, nc2, cands, nk, limit, K, 60, &si, &d)))
        die("siting", s, &d);
    clocks es = toc(t);
    printf("siting: add %u of %u candidates, %u clients: %u -> %u covered, %s, %.1f ms CPU (%.1f "
           "ms wall)\n",
           K, nk, nc2, si.covered_before, si.covered_after,
           si.optimal ? "proven optimal" : "NOT proven optimal", 1e3 * es.cpu, 1e3 * es.wall);
    cv_siting_fini(&si);

    /* 4. caravan stops: 300 households in a square a fifth of the span, 10 min walk */
    const uint32_t nh = 300;
    double *hh = points(g, prof, &r, nh, lon0, lat0, span / 5);
    cv_caravan_stops cs;
    t = tic();
    if ((s = cv_engine_caravan_stops(g, prof, hh, nh, NULL, 0, 600, 60, &cs, &d)))
        die("stops", s, &d);
    clocks eh = toc(t);
    printf("caravan stops: %u households (candidates: themselves), 10 min walk: %u stops, %s, "
           "%.1f ms CPU (%.1f ms wall)\n",
           nh, cs.nstops, cs.optimal ? "proven fewest" : "NOT proven fewest", 1e3 * eh.cpu,
           1e3 * eh.wall);
    cv_caravan_stops_fini(&cs);
    free(hh), free(cands), free(sites), free(clients);
    cv_graph_destroy(g);
    return 0;
}
