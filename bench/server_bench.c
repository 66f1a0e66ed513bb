/* Server benchmark: requests per second and p50/p99 latency on loopback
 * with several client connections, for `route` (2 points), `matrix` 10x10
 * and 100x100 (needs --graph), `health` (protocol overhead alone) and
 * `solve` of a 100-visit day (matrices given).  The server runs in this
 * process on its own threads; each client connection is a thread doing
 * request -> reply round trips (one in flight), so latency is end to end.
 *
 * usage: server_bench [--graph CITY.cvg --center LON,LAT [--radius DEG]] [--conns N] [--seconds S]
 * [--solve 0|1] Points are drawn at random within RADIUS degrees (default 0.01) of the center and
 * kept only if `snap` accepts them. */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../tests/server/client.h"
#include "cv/server.h"
#ifdef CV_GRAPH_AVAILABLE
#include "cv/graph.h"
#endif

static int port;
static double seconds = 3;
static int nconns = 4;
static double radius = 0.01;
static int do_solve = 1;

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

typedef struct worker {
    const char *method;
    const char *params;
    double *lat;
    size_t n, cap;
    int errors;
    double max_seconds;
    size_t max_requests;
} worker;

static void *client(void *arg)
{
    worker *w = arg;
    tclient c;
    if (tc_connect_tcp(&c, port) != 0) return NULL;
    /* Params packed once. */
    json_error_t e;
    json_t *pj = json_loads(w->params, 0, &e);
    msgpack_sbuffer sb;
    msgpack_sbuffer_init(&sb);
    msgpack_packer pk;
    msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
    uint32_t np = (uint32_t)json_array_size(pj);
    for (uint32_t i = 0; i < np; i++) tc_pack_json(&pk, json_array_get(pj, i));
    json_decref(pj);
    double t_end = now() + w->max_seconds;
    uint32_t id = 1;
    while (now() < t_end && w->n < w->max_requests) {
        double t0 = now();
        /* Only the envelope is checked: converting 20,000 matrix cells to
         * JSON here would measure the client, not the server. */
        uint32_t want = id++;
        if (tc_request_raw(&c, want, w->method, np, sb.data, sb.size) != 0) break;
        tmsg m;
        int got = tc_next(&c, &m, 60000);
        double dt = now() - t0;
        const msgpack_object *o = got == 1 ? m.o : NULL;
        if (!o || o->type != MSGPACK_OBJECT_ARRAY || o->via.array.size != 4 ||
            o->via.array.ptr[1].via.u64 != want || o->via.array.ptr[2].type != MSGPACK_OBJECT_NIL) {
            if (w->errors++ == 0) fprintf(stderr, "%s: error reply\n", w->method);
        }
        tm_free(&m);
        if (got != 1) break;
        if (w->n == w->cap) {
            w->cap = w->cap ? 2 * w->cap : 1024;
            w->lat = realloc(w->lat, w->cap * sizeof *w->lat);
        }
        w->lat[w->n++] = dt;
    }
    msgpack_sbuffer_destroy(&sb);
    tc_close(&c);
    return NULL;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

#ifdef CV_GRAPH_AVAILABLE
/* The same matrix by a direct library call (one thread, in process): the
 * baseline that shows what the server adds. */
static void direct_matrix(const char *label, const char *graph, const char *points_json, int reps)
{
    cv_graph *g = NULL;
    cv_diag d;
    cv_diag_clear(&d);
    if (cv_graph_load(&g, graph, &d) != CV_OK) return;
    json_error_t e;
    json_t *a = json_loads(points_json, 0, &e);
    uint32_t n = (uint32_t)json_array_size(a);
    double *pts = calloc(2 * (size_t)n, sizeof *pts);
    for (uint32_t i = 0; i < n; i++) {
        pts[2 * i] = json_number_value(json_array_get(json_array_get(a, i), 0));
        pts[2 * i + 1] = json_number_value(json_array_get(json_array_get(a, i), 1));
    }
    uint32_t *dur = calloc((size_t)n * n, sizeof *dur), *dist = calloc((size_t)n * n, sizeof *dist);
    double *lat = calloc((size_t)reps, sizeof *lat);
    int prof = cv_graph_profile_find(g, "car");
    for (int r = 0; r < reps; r++) {
        double t0 = now();
        cv_graph_matrix(g, prof < 0 ? 0 : prof, pts, n, dur, dist, 1, &d);
        lat[r] = now() - t0;
    }
    qsort(lat, (size_t)reps, sizeof *lat, cmp);
    printf("| %-22s | %5s | %8d | %9s | %9.3f | %9.3f | %6s |\n", label, "-", reps, "-",
           1e3 * lat[reps / 2], 1e3 * lat[(size_t)(0.99 * (reps - 1))], "-");
    free(lat);
    free(dur);
    free(dist);
    free(pts);
    json_decref(a);
    cv_graph_destroy(g);
}
#endif

static void *serve(void *arg)
{
    cv_server_run(arg);
    return NULL;
}

static void run(const char *label, const char *method, const char *params, int conns, double secs,
                size_t max_requests)
{
    worker *ws = calloc((size_t)conns, sizeof *ws);
    pthread_t *th = calloc((size_t)conns, sizeof *th);
    double t0 = now();
    for (int i = 0; i < conns; i++) {
        ws[i].method = method;
        ws[i].params = params;
        ws[i].max_seconds = secs;
        ws[i].max_requests = max_requests;
        pthread_create(&th[i], NULL, client, &ws[i]);
    }
    size_t total = 0;
    int errors = 0;
    for (int i = 0; i < conns; i++) {
        pthread_join(th[i], NULL);
        total += ws[i].n;
        errors += ws[i].errors;
    }
    double el = now() - t0;
    double *all = malloc((total ? total : 1) * sizeof *all);
    size_t k = 0;
    for (int i = 0; i < conns; i++) {
        memcpy(all + k, ws[i].lat, ws[i].n * sizeof *all);
        k += ws[i].n;
        free(ws[i].lat);
    }
    qsort(all, total, sizeof *all, cmp);
    if (total)
        printf("| %-22s | %5d | %8zu | %9.1f | %9.3f | %9.3f | %6d |\n", label, conns, total,
               total / el, 1e3 * all[total / 2], 1e3 * all[(size_t)(0.99 * (double)(total - 1))],
               errors);
    fflush(stdout);
    free(all);
    free(ws);
    free(th);
}

/* JSON array of n [lon,lat] points near the center that snap. */
static char *points_json(int n, double lon, double lat, unsigned *seed)
{
    tclient c;
    if (tc_connect_tcp(&c, port) != 0) return NULL;
    size_t cap = (size_t)n * 48 + 16, len = 0;
    char *out = malloc(cap);
    len += (size_t)snprintf(out, cap, "[");
    int got = 0;
    uint32_t id = 1;
    for (int tries = 0; got < n && tries < 100 * n; tries++) {
        *seed = *seed * 1103515245u + 12345u;
        double x = lon + ((double)((*seed >> 8) % 20001) - 10000) * 1e-4 * radius;
        *seed = *seed * 1103515245u + 12345u;
        double y = lat + ((double)((*seed >> 8) % 20001) - 10000) * 1e-4 * radius;
        char p[128];
        snprintf(p, sizeof p, "[{\"point\": [%.6f, %.6f]}]", x, y);
        json_t *r = tc_call(&c, id++, "snap", p);
        bool ok = r && !tc_err_code(r);
        json_decref(r);
        if (!ok) continue;
        len += (size_t)snprintf(out + len, cap - len, "%s[%.6f, %.6f]", got ? ", " : "", x, y);
        got++;
    }
    snprintf(out + len, cap - len, "]");
    tc_close(&c);
    if (got < n) {
        free(out);
        return NULL;
    }
    return out;
}

int main(int argc, char **argv)
{
    const char *graph = NULL;
    double lon = 0, lat = 0;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--graph"))
            graph = argv[i + 1];
        else if (!strcmp(argv[i], "--center"))
            sscanf(argv[i + 1], "%lf,%lf", &lon, &lat);
        else if (!strcmp(argv[i], "--conns"))
            nconns = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--seconds"))
            seconds = atof(argv[i + 1]);
        else if (!strcmp(argv[i], "--radius"))
            radius = atof(argv[i + 1]);
        else if (!strcmp(argv[i], "--solve"))
            do_solve = atoi(argv[i + 1]);
    }
    cv_server_config cfg;
    cv_server_config_init(&cfg);
    cfg.listen = "127.0.0.1:0";
    cfg.graph_path = graph;
    cfg.workers = 2;
    cfg.query_threads = 2;
    cfg.max_queued = 64;
    cv_server *s;
    cv_diag d;
    cv_diag_clear(&d);
    if (cv_server_create(&s, &cfg, &d) != CV_OK) {
        fprintf(stderr, "server_bench: %s\n", d.msg);
        return 1;
    }
    port = cv_server_port(s);
    pthread_t th;
    pthread_create(&th, NULL, serve, s);
    printf("| request                | conns | requests |     req/s |  p50 (ms) |  p99 (ms) | "
           "errors |\n");
    printf("|------------------------|------:|---------:|----------:|----------:|----------:|------"
           "-:|\n");
    run("health", "health", "[]", nconns, seconds, (size_t)-1);
    if (graph) {
        unsigned seed = 7;
        char *p2 = points_json(2, lon, lat, &seed), *p10 = points_json(10, lon, lat, &seed),
             *p100 = points_json(100, lon, lat, &seed);
        if (!p2 || !p10 || !p100) {
            fprintf(stderr, "server_bench: not enough snappable points near the center\n");
        } else {
            size_t n = strlen(p100) + 64;
            char *q = malloc(n);
            snprintf(q, n, "[{\"points\": %s}]", p2);
            run("route (2 points)", "route", q, nconns, seconds, (size_t)-1);
            snprintf(q, n, "[{\"points\": %s}]", p10);
            run("matrix 10x10", "matrix", q, nconns, seconds, (size_t)-1);
            snprintf(q, n, "[{\"points\": %s}]", p100);
            run("matrix 100x100", "matrix", q, nconns, seconds, (size_t)-1);
#ifdef CV_GRAPH_AVAILABLE
            direct_matrix("matrix 10x10 direct", graph, p10, 2000);
            direct_matrix("matrix 100x100 direct", graph, p100, 100);
#endif
            free(q);
        }
        free(p2);
        free(p10);
        free(p100);
    }
    char *prob = tc_problem_json(100, 1);
    size_t n = strlen(prob) + 32;
    char *q = malloc(n);
    snprintf(q, n, "[%s]", prob);
    if (do_solve) run("solve 100 visits", "solve", q, nconns < 2 ? nconns : 2, seconds * 3, 20);
    free(q);
    free(prob);
    cv_server_stop(s);
    pthread_join(th, NULL);
    cv_server_destroy(s);
    return 0;
}
