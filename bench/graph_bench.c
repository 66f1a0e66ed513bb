/* Road-graph benchmark (not a test): for each OSM extract given on the
 * command line,
 *  - import + contraction wall time and peak RSS (in a forked child, so each
 *    import's peak is its own), for all four profiles and for car alone
 *    (OSRM's published import figures are car only);
 *  - .cvg load (mmap) time;
 *  - car duration matrices of N = 100, 500, 1000, 2000 points, CH bucket
 *    many-to-many against plain Dijkstra (one search per source) in the same
 *    run, both on 2 threads, both including snapping;
 *  - single route query latency (snap + CH + unpack);
 *  - plausibility of car durations against straight-line distance for 1000
 *    random pairs.
 * Points are sampled like OSRM's baseline (../shared/baselines/README.md):
 * uniformly, seed 42, from the vertices of the LineStrings of ways with
 * highway=motorway..living_street (car road classes), each way contributing
 * its vertices as osmium export would; point i of the 100-set is point i of
 * the larger sets.  Our RNG is carevan's xoshiro256** with seed 42, so the
 * points are drawn the same way but are not OSRM's exact points.
 * Output: markdown on stdout.
 *
 * usage: graph_bench [--quick] EXTRACT.osm.pbf... */
#define _DEFAULT_SOURCE
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cv/graph.h"
#include "../graph/osm/osm_reader.h" /* the bench reads OSM itself to sample points */

static const char *const car_classes[] = {
    "motorway",     "motorway_link", "trunk",          "trunk_link", "primary",
    "primary_link", "secondary",     "secondary_link", "tertiary",   "tertiary_link",
    "unclassified", "residential",   "living_street",  NULL};

typedef struct vertex_ctx {
    int64_t *ids;
    size_t n, cap;
    int64_t *nid;
    int32_t *nlon, *nlat;
    size_t nn, ncap;
} vertex_ctx;

static int on_node(void *c, int64_t id, int32_t lon, int32_t lat, const cv_osm_tag *tags,
                   size_t ntags)
{
    (void)tags, (void)ntags;
    vertex_ctx *v = c;
    if (v->nn == v->ncap) {
        v->ncap = v->ncap ? 2 * v->ncap : 4096;
        v->nid = realloc(v->nid, v->ncap * sizeof *v->nid);
        v->nlon = realloc(v->nlon, v->ncap * sizeof *v->nlon);
        v->nlat = realloc(v->nlat, v->ncap * sizeof *v->nlat);
        if (!v->nid || !v->nlon || !v->nlat) return CV_ENOMEM;
    }
    v->nid[v->nn] = id, v->nlon[v->nn] = lon, v->nlat[v->nn] = lat, v->nn++;
    return 0;
}

static int on_way(void *c, int64_t id, const int64_t *refs, size_t nrefs, const cv_osm_tag *tags,
                  size_t ntags)
{
    vertex_ctx *v = c;
    (void)id;
    const char *hw = NULL;
    for (size_t i = 0; i < ntags; i++)
        if (!strcmp(tags[i].key, "highway")) hw = tags[i].value;
    if (!hw) return 0;
    bool car = false;
    for (const char *const *k = car_classes; *k; k++) car |= !strcmp(hw, *k);
    if (!car || nrefs < 2) return 0;
    for (size_t i = 0; i < nrefs; i++) {
        if (v->n == v->cap) {
            v->cap = v->cap ? 2 * v->cap : 4096;
            v->ids = realloc(v->ids, v->cap * sizeof *v->ids);
            if (!v->ids) return CV_ENOMEM;
        }
        v->ids[v->n++] = refs[i];
    }
    return 0;
}

static long find_id(const int64_t *ids, size_t n, int64_t id)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t m = (lo + hi) / 2;
        if (ids[m] < id)
            lo = m + 1;
        else
            hi = m;
    }
    return lo < n && ids[lo] == id ? (long)lo : -1;
}

/* n points sampled without replacement from the car-road vertices, in draw
 * order, skipping vertices with no kept car road within the snap radius
 * (ways cut at the extract's edge that are not strongly connected to the
 * rest); *skipped counts them. */
static int sample_points(const char *osm, const cv_graph *g, double *pts, uint32_t n,
                         uint32_t *skipped)
{
    vertex_ctx v = {0};
    cv_osm_handler h = {&v, on_node, on_way, NULL, NULL};
    cv_diag d;
    cv_diag_clear(&d);
    if (cv_osm_read(osm, &h, &d) != CV_OK) {
        fprintf(stderr, "%s\n", d.msg);
        return -1;
    }
    /* keep vertices whose node is in the file (nodes of these extracts are sorted) */
    size_t k = 0;
    for (size_t i = 0; i < v.n; i++)
        if (find_id(v.nid, v.nn, v.ids[i]) >= 0) v.ids[k++] = v.ids[i];
    v.n = k;
    cv_rng rng;
    cv_rng_seed(&rng, 42);
    int car = cv_graph_profile_find(g, "car");
    *skipped = 0;
    uint32_t got = 0;
    for (size_t i = 0; i < v.n && got < n; i++) { /* partial Fisher-Yates */
        size_t j = i + cv_rng_below(&rng, (uint32_t)(v.n - i));
        int64_t t = v.ids[i];
        v.ids[i] = v.ids[j], v.ids[j] = t;
        long x = find_id(v.nid, v.nn, v.ids[i]);
        double lon = v.nlon[x] * 1e-7, lat = v.nlat[x] * 1e-7;
        cv_graph_snap s;
        if (cv_graph_snap_point(g, car, lon, lat, &s, NULL) != CV_OK) {
            (*skipped)++;
            continue;
        }
        pts[2 * got] = lon, pts[2 * got + 1] = lat, got++;
    }
    free(v.ids), free(v.nid), free(v.nlon), free(v.nlat);
    return got == n ? 0 : -1;
}

/* Import in a child; returns wall seconds, peak RSS in MB and CPU seconds
 * (user + system, all threads) through *mb and *cpu. */
static double timed_import(const char *osm, const char *out, const char *profiles, double *mb,
                           double *cpu)
{
    double t0 = cv_clock_now();
    pid_t pid = fork();
    if (pid == 0) {
        cv_diag d;
        cv_diag_clear(&d);
        cv_status st = cv_graph_import(osm, out, profiles, false, NULL, &d);
        if (st) fprintf(stderr, "import: %s\n", d.msg);
        _exit(st ? 1 : 0);
    }
    int status = 0;
    struct rusage ru;
    if (pid < 0 || wait4(pid, &status, 0, &ru) < 0 || !WIFEXITED(status) || WEXITSTATUS(status))
        return -1;
    *mb = ru.ru_maxrss / 1024.0;
    *cpu = ru.ru_utime.tv_sec + ru.ru_utime.tv_usec * 1e-6 + ru.ru_stime.tv_sec +
           ru.ru_stime.tv_usec * 1e-6;
    return cv_clock_now() - t0;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

static double haversine(double lon1, double lat1, double lon2, double lat2)
{
    const double r = 6371008.8, k = 3.14159265358979323846 / 180;
    double a = pow(sin((lat2 - lat1) * k / 2), 2) +
               cos(lat1 * k) * cos(lat2 * k) * pow(sin((lon2 - lon1) * k / 2), 2);
    return 2 * r * asin(sqrt(a));
}

int main(int argc, char **argv)
{
    bool quick = false;
    int first = 1;
    if (argc > 1 && !strcmp(argv[1], "--quick")) quick = true, first = 2;
    if (first >= argc) {
        fprintf(stderr, "usage: graph_bench [--quick] EXTRACT.osm.pbf...\n");
        return 2;
    }
    static const uint32_t sizes[] = {100, 500, 1000, 2000};
    const unsigned threads = 2;
    double load[3] = {0};
    if (getloadavg(load, 3) > 0) printf("load average at start: %.2f (2 cores)\n\n", load[0]);
    printf("| extract | import+CH all 4 profiles | peak RSS | import+CH car only | peak RSS | .cvg "
           "size (4 profiles) | load (mmap) |\n|---|---|---|---|---|---|---|\n");
    char(*outs)[1024] = calloc((size_t)argc, sizeof *outs);
    uint32_t *skipped_total = calloc((size_t)argc, sizeof *skipped_total);
    for (int a = first; a < argc; a++) {
        const char *osm = argv[a];
        char car[1100];
        snprintf(outs[a], sizeof outs[a], "/tmp/graph_bench_%d_%d.cvg", (int)getpid(), a);
        snprintf(car, sizeof car, "%s.car", outs[a]);
        double rss4 = 0, rss1 = 0, w4[3], w1[3], c4[3], c1[3];
        int reps = quick ? 1 : 3;
        for (int r = 0; r < reps; r++) {
            w4[r] = timed_import(osm, outs[a], NULL, &rss4, &c4[r]);
            w1[r] = timed_import(osm, car, "car", &rss1, &c1[r]);
        }
        double t4 = median(w4, reps), t1 = median(w1, reps), cpu4 = median(c4, reps),
               cpu1 = median(c1, reps);
        double tl[5];
        for (int r = 0; r < 5; r++) {
            cv_graph *g = NULL;
            double t0 = cv_clock_now();
            if (cv_graph_load(&g, outs[a], NULL) != CV_OK) return 1;
            tl[r] = cv_clock_now() - t0;
            cv_graph_destroy(g);
        }
        FILE *f = fopen(outs[a], "rb");
        fseek(f, 0, SEEK_END);
        long sz = ftell(f);
        fclose(f);
        remove(car);
        const char *base = strrchr(osm, '/');
        printf("| %s | %.2f s (CPU %.2f s) | %.0f MB | %.2f s (CPU %.2f s) | %.0f MB | %.1f MB | "
               "%.1f ms |\n",
               base ? base + 1 : osm, t4, cpu4, rss4, t1, cpu1, rss1, sz / 1e6,
               median(tl, 5) * 1e3);
        fflush(stdout);
    }
    printf("\nCar duration matrices N x N, 2 threads, snapping included, median wall ms (CH runs / "
           "Dijkstra runs):\n\n");
    printf("| extract | N | carevan CH | plain Dijkstra | Dijkstra / CH | OSRM published "
           "|\n|---|---|---|---|---|---|\n");
    for (int a = first; a < argc; a++) {
        const char *osm = argv[a], *base = strrchr(osm, '/');
        base = base ? base + 1 : osm;
        static const struct {
            const char *name;
            int ms[4];
        } osrm[] = {{"andorra", {5, 38, 108, 345}},
                    {"porto-center", {6, 44, 127, 430}},
                    {"chengdu-center", {10, 85, 248, 794}}};
        const int *ref = NULL;
        for (int k = 0; k < 3; k++)
            if (!strncmp(base, osrm[k].name, strlen(osrm[k].name))) ref = osrm[k].ms;
        double *pts = malloc(sizeof(double) * 2 * 2000);
        cv_graph *g = NULL;
        cv_diag d;
        cv_diag_clear(&d);
        if (cv_graph_load(&g, outs[a], &d) != CV_OK) return 1;
        uint32_t skipped = 0;
        if (sample_points(osm, g, pts, 2000, &skipped) != 0) {
            printf("| %s | (could not sample 2000 car-road vertices) |||||\n", base);
            continue;
        }
        if (skipped)
            fprintf(stderr, "%s: %u sampled vertices skipped (no kept car road within 1 km)\n",
                    base, skipped);
        skipped_total[a] = skipped;
        int p = cv_graph_profile_find(g, "car");
        uint32_t *dur = malloc(sizeof(uint32_t) * 2000 * 2000),
                 *dur2 = malloc(sizeof(uint32_t) * 2000 * 2000);
        for (int si = 0; si < 4; si++) {
            uint32_t n = sizes[si];
            int runs = quick ? 1 : (n <= 500 ? 7 : 3), druns = quick || n >= 1000 ? 1 : 3;
            double tc[7], td[3];
            for (int r = 0; r < runs; r++) {
                double t0 = cv_clock_now();
                if (cv_graph_matrix(g, p, pts, n, dur, NULL, threads, &d) != CV_OK) {
                    printf("| %s | %u | error: %s ||||\n", base, n, d.msg);
                    goto next;
                }
                tc[r] = cv_clock_now() - t0;
            }
            for (int r = 0; r < druns; r++) {
                double t0 = cv_clock_now();
                if (cv_graph_matrix_dijkstra(g, p, pts, n, dur2, NULL, threads, &d) != CV_OK)
                    return 1;
                td[r] = cv_clock_now() - t0;
            }
            if (memcmp(dur, dur2, sizeof(uint32_t) * n * n) != 0)
                printf("MISMATCH CH vs Dijkstra at N=%u\n", n);
            double mc = median(tc, runs) * 1e3, md = median(td, druns) * 1e3;
            char osrm_s[32] = "-";
            if (ref) snprintf(osrm_s, sizeof osrm_s, "%d ms", ref[si]);
            printf("| %s | %u | %.1f ms (%d) | %.0f ms (%d) | %.0f x | %s |\n", base, n, mc, runs,
                   md, druns, md / mc, osrm_s);
            fflush(stdout);
        }
        {
            /* single route queries on 1000 pairs (i, 1000+i), timed alone */
            double t0 = cv_clock_now();
            uint32_t rds[1000], rdm[1000];
            for (int i = 0; i < 1000; i++) {
                double q[4] = {pts[2 * i], pts[2 * i + 1], pts[2 * (1000 + i)],
                               pts[2 * (1000 + i) + 1]};
                char *pl = NULL;
                if (cv_graph_route_polyline(g, p, q, 2, &pl, &rds[i], &rdm[i], &d) != CV_OK)
                    return 1;
                free(pl);
            }
            double per = (cv_clock_now() - t0) / 1000 * 1e3;
            /* plausibility of the same pairs */
            double speed[1000], detour[1000];
            int np = 0, far = 0;
            for (int i = 0; i < 1000; i++) {
                double q[4] = {pts[2 * i], pts[2 * i + 1], pts[2 * (1000 + i)],
                               pts[2 * (1000 + i) + 1]};
                uint32_t ds = rds[i], dm = rdm[i];
                cv_graph_snap sa, sb; /* straight line between the snapped points */
                if (cv_graph_snap_point(g, p, q[0], q[1], &sa, NULL) ||
                    cv_graph_snap_point(g, p, q[2], q[3], &sb, NULL))
                    return 1;
                double crow = haversine(sa.lon, sa.lat, sb.lon, sb.lat);
                if (crow >= 1000 && ds > 0) {
                    speed[np] = crow / ds * 3.6, detour[np] = dm / crow, np++;
                    if (crow / ds * 3.6 > 100 || dm < crow) far++;
                }
            }
            double sp2[1000], de2[1000];
            memcpy(sp2, speed, sizeof(double) * np), memcpy(de2, detour, sizeof(double) * np);
            qsort(sp2, (size_t)np, sizeof(double), cmp_double);
            qsort(de2, (size_t)np, sizeof(double), cmp_double);
            fprintf(stderr, "%s route: %.3f ms per query\n", base, per);
            printf("\n%s: %u sampled vertices were skipped (no kept car road within 1 km). ", base,
                   skipped_total[a]);
            printf("Single route query (snap 2 points + CH + unpack + polyline) %.3f ms mean over "
                   "1000; "
                   "car plausibility on %d of 1000 pairs with straight line >= 1 km: straight-line "
                   "speed "
                   "km/h min %.1f / p5 %.1f / median %.1f / p95 %.1f / max %.1f; road distance / "
                   "straight "
                   "line min %.2f / median %.2f / p95 %.2f / max %.2f; implausible (straight-line "
                   "speed > 100 km/h "
                   "or road shorter than straight line): %d\n\n",
                   per, np, sp2[0], sp2[np / 20], sp2[np / 2], sp2[np - 1 - np / 20], sp2[np - 1],
                   de2[0], de2[np / 2], de2[np - 1 - np / 20], de2[np - 1], far);
        }
    next:
        free(dur), free(dur2), free(pts);
        cv_graph_destroy(g);
        remove(outs[a]);
    }
    free(outs), free(skipped_total);
    return 0;
}
