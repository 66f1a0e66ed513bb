/* Benchmark converters: Solomon / Gehring & Homberger (VRPTW) and Li & Lim
 * (PDPTW) text files -> cv_problem with matrices on the DIMACS convention.
 *
 * DIMACS convention: arc length and travel time are floor(10 * euclid), so
 * every number is an integer in tenths of the file's unit (service times and
 * time windows are multiplied by 10 as well).  A total distance D in our
 * output is D / 10 in the benchmark's unit: compare with the distance-trunc1
 * BKS, never with the hierarchical-real ones. */
#define _POSIX_C_SOURCE 200809L
#include "convert_int.h"
#include "cv/engine.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct node {
    double x, y;
    int64_t demand, ready, due, service;
    int64_t pickup_of, delivery_of; /* Li & Lim sibling indices */
    int64_t num;
} node;

static cv_status read_lines(const char *path, char **text, cv_diag *diag)
{
    size_t len;
    return cv_read_file(path, (size_t)64 << 20, text, &len, diag);
}

/* The part of a problem every converted benchmark shares: n locations given
 * by index, one dimension, one "car" profile with n x n duration and
 * distance matrices (zeroed; the caller fills them and the locations). */
cv_status cv__bench_problem_skeleton(cv_problem *p, uint32_t n)
{
    p->ndims = 1;
    p->nlocs = n;
    p->uses_indices = true;
    p->locs = cv_calloc(n, sizeof *p->locs);
    p->nprofiles = 1;
    p->profiles = cv_calloc(1, sizeof *p->profiles);
    p->strings = cv_calloc(1, sizeof *p->strings);
    if (!p->locs || !p->profiles || !p->strings) return CV_ENOMEM;
    p->strings[0] = strdup("car");
    if (!p->strings[0]) return CV_ENOMEM;
    p->nstrings = 1;
    cv_profile *pr = &p->profiles[0];
    pr->name = p->strings[0];
    pr->n = n;
    pr->durations = cv_calloc((size_t)n * n, sizeof *pr->durations);
    pr->distances = cv_calloc((size_t)n * n, sizeof *pr->distances);
    return pr->durations && pr->distances ? CV_OK : CV_ENOMEM;
}

/* Builds a problem: node 0 is the depot, vehicles nveh x capacity cap. */
static cv_status build(cv_problem **out, const node *nodes, uint32_t n, int64_t nveh, int64_t cap,
                       bool pdptw, const char *path, cv_diag *diag)
{
    cv_problem *p = calloc(1, sizeof *p);
    if (!p) return CV_ENOMEM;
    cv_status s = CV_ENOMEM;
    uint32_t ncust = n - 1;
    if (cv__bench_problem_skeleton(p, n) != CV_OK) goto fail;
    cv_profile *pr = &p->profiles[0];
    for (uint32_t i = 0; i < n; i++) {
        p->locs[i] = (cv_location){nodes[i].x, nodes[i].y, false};
        for (uint32_t j = 0; j < n; j++) {
            double dx = nodes[i].x - nodes[j].x, dy = nodes[i].y - nodes[j].y;
            uint32_t d = (uint32_t)floor(10.0 * sqrt(dx * dx + dy * dy));
            pr->durations[(size_t)i * n + j] = pr->distances[(size_t)i * n + j] = d;
        }
    }
    /* Tasks: VRPTW one job per customer; PDPTW one shipment per pickup node. */
    uint32_t ntasks = 0;
    if (pdptw) {
        for (uint32_t i = 1; i < n; i++)
            if (nodes[i].delivery_of > 0) ntasks += 2;
    } else {
        ntasks = ncust;
    }
    p->ntasks = ntasks;
    p->njobs = pdptw ? 0 : ncust;
    p->nshipments = pdptw ? ntasks / 2 : 0;
    p->tasks = cv_calloc(ntasks, sizeof *p->tasks);
    p->tws = cv_calloc(ntasks, sizeof *p->tws);
    p->amounts = cv_calloc((size_t)ntasks * 2 + (size_t)nveh, sizeof *p->amounts);
    p->nvehicles = (uint32_t)nveh;
    p->vehicles = cv_calloc((size_t)nveh, sizeof *p->vehicles);
    if (!p->tasks || !p->tws || !p->amounts || !p->vehicles) goto fail;
    uint32_t t = 0;
    for (uint32_t i = 1; i < n; i++) {
        const node *nd = &nodes[i];
        uint32_t halves = 1;
        uint32_t idx[2] = {i, 0};
        if (pdptw) {
            if (nd->delivery_of <= 0) continue; /* deliveries come with their pickup */
            idx[1] = (uint32_t)nd->delivery_of;
            halves = 2;
        }
        for (uint32_t h = 0; h < halves; h++) {
            const node *m = &nodes[idx[h]];
            cv_task *task = &p->tasks[t];
            task->id = (uint64_t)m->num;
            task->loc = idx[h];
            task->service = m->service * 10;
            task->tw_first = t;
            task->tw_count = 1;
            p->tws[t] = (cv_tw){m->ready * 10, m->due * 10};
            task->amount_off = 2 * t;
            task->input_index = pdptw ? t / 2 : t;
            if (pdptw) {
                task->kind = h == 0 ? CV_TASK_PICKUP : CV_TASK_DELIVERY;
                task->ship = t / 2;
                task->sibling = h == 0 ? t + 1 : t - 1;
                /* amount = the pickup's demand: delivery half carries it as delivery. */
                p->amounts[2 * t + (h == 0 ? 1 : 0)] = nd->demand;
            } else {
                task->kind = CV_TASK_JOB;
                task->ship = task->sibling = CV_NONE;
                p->amounts[2 * t] = m->demand; /* delivery */
            }
            t++;
        }
    }
    p->ntws = ntasks;
    p->namounts = 2 * ntasks + (uint32_t)nveh;
    for (uint32_t v = 0; v < (uint32_t)nveh; v++) {
        cv_vehicle *veh = &p->vehicles[v];
        veh->id = v + 1;
        veh->profile = 0;
        veh->start_loc = veh->end_loc = 0;
        veh->capacity_off = 2 * ntasks + v;
        p->amounts[veh->capacity_off] = cap;
        veh->tw = (cv_tw){nodes[0].ready * 10, nodes[0].due * 10};
        veh->max_tasks = UINT32_MAX;
        veh->max_travel_time = veh->max_distance = CV_TIME_MAX;
        veh->per_hour = 3600;
        veh->speed_factor = 1.0;
    }
    *out = p;
    return CV_OK;
fail:
    cv_problem_destroy(p);
    if (s == CV_ENOMEM) cv_diag_set(diag, "%s: out of memory", path);
    return s;
}

/* Parses the numbers of the file after its header into an array of nodes. */
static cv_status parse_nodes(const char *path, char *text, bool pdptw, node **out_nodes,
                             uint32_t *out_n, int64_t *nveh, int64_t *cap, cv_diag *diag)
{
    char *save = NULL;
    uint32_t lineno = 0, n = 0, cap_nodes = 0;
    node *nodes = NULL;
    bool have_fleet = false;
    for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        lineno++;
        double v[9];
        int k = 0;
        char *p = line, *end;
        while (k < 9) {
            errno = 0;
            double x = strtod(p, &end);
            if (end == p) break;
            if (errno || !isfinite(x)) {
                free(nodes);
                return cv_diag_set(diag, "%s:%u: number out of range", path, lineno);
            }
            v[k++] = x;
            p = end;
        }
        while (*p == ' ' || *p == '\t' || *p == '\r') p++;
        if (k == 0) continue; /* header or blank line */
        if (*p) {
            if (!have_fleet || n == 0) continue; /* text in header lines (Solomon) */
            free(nodes);
            return cv_diag_set(diag, "%s:%u: unexpected text \"%.20s\"", path, lineno, p);
        }
        if (!have_fleet) {
            /* Solomon: "NUMBER CAPACITY" (2 values); Li & Lim: "K Q S" (3). */
            if (k != (pdptw ? 3 : 2)) continue;
            *nveh = (int64_t)v[0];
            *cap = (int64_t)v[1];
            if (*nveh <= 0 || *nveh > 100000 || *cap < 0) {
                free(nodes);
                return cv_diag_set(diag, "%s:%u: bad fleet line (vehicles %g, capacity %g)", path,
                                   lineno, v[0], v[1]);
            }
            have_fleet = true;
            continue;
        }
        int want = pdptw ? 9 : 7;
        if (k != want) {
            free(nodes);
            return cv_diag_set(diag, "%s:%u: expected %d numbers on a customer line, got %d", path,
                               lineno, want, k);
        }
        if (n == cap_nodes) {
            cap_nodes = cap_nodes ? 2 * cap_nodes : 128;
            node *nn = cv_realloc_array(nodes, cap_nodes, sizeof *nodes);
            if (!nn) {
                free(nodes);
                return CV_ENOMEM;
            }
            nodes = nn;
        }
        node *nd = &nodes[n];
        nd->num = (int64_t)v[0];
        nd->x = v[1];
        nd->y = v[2];
        nd->demand = (int64_t)v[3];
        nd->ready = (int64_t)v[4];
        nd->due = (int64_t)v[5];
        nd->service = (int64_t)v[6];
        nd->pickup_of = pdptw ? (int64_t)v[7] : 0;
        nd->delivery_of = pdptw ? (int64_t)v[8] : 0;
        if ((uint32_t)nd->num != n || nd->ready > nd->due || nd->service < 0 ||
            (!pdptw && nd->demand < 0)) {
            cv_diag_set(diag,
                        "%s:%u: bad customer line (number %lld expected %u, window [%lld, "
                        "%lld], service %lld, demand %lld)",
                        path, lineno, (long long)nd->num, n, (long long)nd->ready,
                        (long long)nd->due, (long long)nd->service, (long long)nd->demand);
            free(nodes);
            return CV_EINVAL;
        }
        n++;
    }
    if (!have_fleet || n < 2) {
        free(nodes);
        return cv_diag_set(diag, "%s: not a %s file (no fleet line or no customers)", path,
                           pdptw ? "Li & Lim" : "Solomon");
    }
    if (pdptw) {
        for (uint32_t i = 1; i < n; i++) {
            int64_t d = nodes[i].delivery_of, pk = nodes[i].pickup_of;
            bool ok = d > 0 ? (d < n && nodes[d].pickup_of == (int64_t)i && pk == 0)
                            : (pk > 0 && pk < n && nodes[pk].delivery_of == (int64_t)i);
            if (!ok) {
                free(nodes);
                return cv_diag_set(diag, "%s: node %u: pickup/delivery pairing is inconsistent",
                                   path, i);
            }
        }
    }
    *out_nodes = nodes;
    *out_n = n;
    return CV_OK;
}

static cv_status convert(cv_problem **out, const char *path, bool pdptw, cv_diag *diag)
{
    char *text;
    cv_status s = read_lines(path, &text, diag);
    if (s) return s;
    node *nodes = NULL;
    uint32_t n = 0;
    int64_t nveh = 0, cap = 0;
    s = parse_nodes(path, text, pdptw, &nodes, &n, &nveh, &cap, diag);
    free(text);
    if (s) return s;
    s = build(out, nodes, n, nveh, cap, pdptw, path, diag);
    free(nodes);
    return s;
}

cv_status cv_convert_solomon(cv_problem **out, const char *path, cv_diag *diag)
{
    return convert(out, path, false, diag);
}

cv_status cv_convert_lilim(cv_problem **out, const char *path, cv_diag *diag)
{
    return convert(out, path, true, diag);
}
