/* CVRPLIB (TSPLIB/VRPLIB format) capacitated VRP files -> cv_problem.
 *
 * Reads the header fields (NAME, TYPE : CVRP, DIMENSION, CAPACITY,
 * EDGE_WEIGHT_TYPE : EUC_2D, optional VEHICLES), NODE_COORD_SECTION,
 * DEMAND_SECTION and DEPOT_SECTION (one depot, ended by -1).  Distances
 * follow the CVRPLIB convention for EUC_2D: the Euclidean distance rounded
 * to the nearest integer (TSPLIB nint), used as both travel time and
 * distance, so a plan's distance is directly comparable with the CVRPLIB
 * BKS (convention distance-nint).  Every customer is a job with its demand
 * as a delivery and no time window.  Fleet: VEHICLES when given, else
 * 2 x ceil(total demand / capacity) + 5 (capped at the number of customers):
 * X instances leave the fleet free and their best plans use the lower bound
 * or a few routes more.  Work: O(n^2) for the matrix. */
#define _POSIX_C_SOURCE 200809L
#include "convert_int.h"
#include "cv/engine.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define CVRPLIB_MAX_NODES 100000u

typedef struct cvrp {
    const char *path;
    cv_diag *diag;
    uint32_t n; /* DIMENSION: depot and customers */
    int64_t cap, vehicles;
    double *x, *y;
    int64_t *demand;
    uint8_t *seen_coord, *seen_demand;
    uint32_t depot; /* 0-based, CV_NONE until read */
} cvrp;

static cv_status bad(cvrp *f, uint32_t line, const char *fmt, const char *what)
{
    return cv_diag_set(f->diag, "%s:%u: %s%s", f->path, line, fmt, what ? what : "");
}

/* Reads up to `max` numbers from the line; returns how many, -1 on trailing text. */
static int numbers(char *p, double *v, int max)
{
    int k = 0;
    for (;;) {
        while (*p == ' ' || *p == '\t' || *p == '\r') p++;
        if (!*p) return k;
        if (k == max) return -1;
        char *end;
        errno = 0;
        double x = strtod(p, &end);
        if (end == p || errno || !isfinite(x)) return -1;
        v[k++] = x;
        p = end;
    }
}

static bool is_int(double x, double lo, double hi)
{
    return x == floor(x) && x >= lo && x <= hi;
}

/* "KEY : value" header line: copies the trimmed key and value. */
static bool header(char *line, char **key, char **val)
{
    char *colon = strchr(line, ':');
    if (!colon) return false;
    *colon = 0;
    char *k = line, *v = colon + 1;
    while (isspace((unsigned char)*k)) k++;
    for (char *e = k + strlen(k); e > k && isspace((unsigned char)e[-1]);) *--e = 0;
    while (isspace((unsigned char)*v)) v++;
    for (char *e = v + strlen(v); e > v && isspace((unsigned char)e[-1]);) *--e = 0;
    *key = k;
    *val = v;
    return true;
}

static cv_status parse(cvrp *f, char *text)
{
    enum { HEAD, COORD, DEMAND, DEPOT, DONE } sec = HEAD;
    char *save = NULL;
    uint32_t lineno = 0;
    bool euc = false, have_cap = false;
    for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        lineno++;
        char *t = line;
        while (isspace((unsigned char)*t)) t++;
        if (!*t) continue;
        if (isalpha((unsigned char)*t)) {
            char word[64];
            size_t w = 0;
            while (t[w] && !isspace((unsigned char)t[w]) && t[w] != ':' && w + 1 < sizeof word)
                word[w] = t[w], w++;
            word[w] = 0;
            if (!strcasecmp(word, "NODE_COORD_SECTION") || !strcasecmp(word, "DEMAND_SECTION") ||
                !strcasecmp(word, "DEPOT_SECTION")) {
                if (!f->n) return bad(f, lineno, "section before DIMENSION", NULL);
                sec = !strcasecmp(word, "NODE_COORD_SECTION") ? COORD
                      : !strcasecmp(word, "DEMAND_SECTION")   ? DEMAND
                                                              : DEPOT;
                continue;
            }
            if (!strcasecmp(word, "EOF")) {
                sec = DONE;
                continue;
            }
            char *key, *val;
            if (sec != HEAD) return bad(f, lineno, "unexpected text in a section: ", word);
            if (!header(t, &key, &val))
                return bad(f, lineno, "expected \"KEY : value\" (not a CVRPLIB file?), got ", word);
            if (!strcasecmp(key, "DIMENSION")) {
                double d;
                if (numbers(val, &d, 1) != 1 || !is_int(d, 2, CVRPLIB_MAX_NODES))
                    return bad(f, lineno, "DIMENSION: expected an integer in 2..100000, got ", val);
                f->n = (uint32_t)d;
            } else if (!strcasecmp(key, "CAPACITY")) {
                double d;
                if (numbers(val, &d, 1) != 1 || !is_int(d, 1, 1e15))
                    return bad(f, lineno, "CAPACITY: expected a positive integer, got ", val);
                f->cap = (int64_t)d;
                have_cap = true;
            } else if (!strcasecmp(key, "VEHICLES")) {
                double d;
                if (numbers(val, &d, 1) != 1 || !is_int(d, 1, CVRPLIB_MAX_NODES))
                    return bad(f, lineno, "VEHICLES: expected an integer in 1..100000, got ", val);
                f->vehicles = (int64_t)d;
            } else if (!strcasecmp(key, "TYPE")) {
                if (strcasecmp(val, "CVRP"))
                    return bad(f, lineno, "TYPE: only CVRP is supported, got ", val);
            } else if (!strcasecmp(key, "EDGE_WEIGHT_TYPE")) {
                if (strcasecmp(val, "EUC_2D"))
                    return bad(f, lineno, "EDGE_WEIGHT_TYPE: only EUC_2D is supported, got ", val);
                euc = true;
            } else if (!strcasecmp(key, "DISTANCE") || !strcasecmp(key, "SERVICE_TIME")) {
                return bad(f, lineno,
                           "unsupported field (route length or service time limits): ", key);
            }
            /* NAME, COMMENT and other descriptive fields are ignored. */
            if (f->n && !f->x) {
                f->x = cv_calloc(f->n, sizeof *f->x);
                f->y = cv_calloc(f->n, sizeof *f->y);
                f->demand = cv_calloc(f->n, sizeof *f->demand);
                f->seen_coord = cv_calloc(f->n, 1);
                f->seen_demand = cv_calloc(f->n, 1);
                if (!f->x || !f->y || !f->demand || !f->seen_coord || !f->seen_demand)
                    return CV_ENOMEM;
            }
            continue;
        }
        double v[3];
        int k = numbers(t, v, 3);
        switch (sec) {
        case HEAD:
        case DONE:
            return bad(f, lineno, "numbers outside a section", NULL);
        case COORD: {
            if (k != 3 || !is_int(v[0], 1, f->n))
                return bad(f, lineno,
                           "NODE_COORD_SECTION: expected \"node x y\" with node in "
                           "1..DIMENSION",
                           NULL);
            uint32_t i = (uint32_t)v[0] - 1;
            if (f->seen_coord[i])
                return bad(f, lineno, "NODE_COORD_SECTION: node given twice", NULL);
            f->seen_coord[i] = 1;
            f->x[i] = v[1];
            f->y[i] = v[2];
            break;
        }
        case DEMAND: {
            if (k != 2 || !is_int(v[0], 1, f->n) || !is_int(v[1], 0, 1e15))
                return bad(f, lineno,
                           "DEMAND_SECTION: expected \"node demand\" with node in "
                           "1..DIMENSION and demand >= 0",
                           NULL);
            uint32_t i = (uint32_t)v[0] - 1;
            if (f->seen_demand[i]) return bad(f, lineno, "DEMAND_SECTION: node given twice", NULL);
            f->seen_demand[i] = 1;
            f->demand[i] = (int64_t)v[1];
            break;
        }
        case DEPOT:
            if (k != 1) return bad(f, lineno, "DEPOT_SECTION: expected one node per line", NULL);
            if (v[0] == -1) {
                sec = DONE;
                break;
            }
            if (!is_int(v[0], 1, f->n))
                return bad(f, lineno, "DEPOT_SECTION: node outside 1..DIMENSION", NULL);
            if (f->depot != CV_NONE)
                return bad(f, lineno, "DEPOT_SECTION: only one depot is supported", NULL);
            f->depot = (uint32_t)v[0] - 1;
            break;
        }
    }
    if (!f->n) return cv_diag_set(f->diag, "%s: DIMENSION missing (not a CVRPLIB file)", f->path);
    if (!have_cap) return cv_diag_set(f->diag, "%s: CAPACITY missing", f->path);
    if (!euc) return cv_diag_set(f->diag, "%s: EDGE_WEIGHT_TYPE : EUC_2D missing", f->path);
    if (f->depot == CV_NONE) return cv_diag_set(f->diag, "%s: DEPOT_SECTION missing", f->path);
    for (uint32_t i = 0; i < f->n; i++) {
        if (!f->seen_coord[i])
            return cv_diag_set(f->diag, "%s: NODE_COORD_SECTION: node %u missing", f->path, i + 1);
        if (!f->seen_demand[i])
            return cv_diag_set(f->diag, "%s: DEMAND_SECTION: node %u missing", f->path, i + 1);
        if (i != f->depot && f->demand[i] > f->cap)
            return cv_diag_set(f->diag, "%s: DEMAND_SECTION: node %u: demand %lld > capacity %lld",
                               f->path, i + 1, (long long)f->demand[i], (long long)f->cap);
    }
    return CV_OK;
}

static cv_status build(cv_problem **out, const cvrp *f)
{
    const uint32_t n = f->n, nc = n - 1;
    int64_t total = 0;
    for (uint32_t i = 0; i < n; i++)
        if (i != f->depot) total += f->demand[i];
    int64_t nveh = f->vehicles;
    if (!nveh) {
        nveh = 2 * ((total + f->cap - 1) / f->cap) + 5;
        if (nveh > nc) nveh = nc;
        if (nveh < 1) nveh = 1;
    }
    cv_problem *p = calloc(1, sizeof *p);
    if (!p) return CV_ENOMEM;
    if (cv__bench_problem_skeleton(p, n) != CV_OK) goto oom;
    cv_profile *pr = &p->profiles[0];
    for (uint32_t i = 0; i < n; i++) {
        p->locs[i] = (cv_location){f->x[i], f->y[i], false};
        for (uint32_t j = 0; j < n; j++) {
            double dx = f->x[i] - f->x[j], dy = f->y[i] - f->y[j];
            double d = floor(sqrt(dx * dx + dy * dy) + 0.5); /* TSPLIB nint */
            uint32_t u = d > 4e9 ? UINT32_MAX : (uint32_t)d;
            pr->durations[(size_t)i * n + j] = pr->distances[(size_t)i * n + j] = u;
        }
    }
    p->ntasks = p->njobs = nc;
    p->tasks = cv_calloc(nc, sizeof *p->tasks);
    p->tws = cv_calloc(nc, sizeof *p->tws);
    p->amounts = cv_calloc((size_t)nc * 2 + (size_t)nveh, sizeof *p->amounts);
    p->nvehicles = (uint32_t)nveh;
    p->vehicles = cv_calloc((size_t)nveh, sizeof *p->vehicles);
    if (!p->tasks || !p->tws || !p->amounts || !p->vehicles) goto oom;
    uint32_t t = 0;
    for (uint32_t i = 0; i < n; i++) {
        if (i == f->depot) continue;
        cv_task *task = &p->tasks[t];
        task->id = i + 1; /* the file's node number */
        task->kind = CV_TASK_JOB;
        task->ship = task->sibling = CV_NONE;
        task->loc = i;
        task->tw_first = t;
        task->tw_count = 1;
        p->tws[t] = (cv_tw){0, CV_TIME_MAX};
        task->amount_off = 2 * t;
        task->input_index = t;
        p->amounts[2 * t] = f->demand[i];
        t++;
    }
    p->ntws = nc;
    p->namounts = 2 * nc + (uint32_t)nveh;
    for (uint32_t v = 0; v < (uint32_t)nveh; v++) {
        cv_vehicle *veh = &p->vehicles[v];
        veh->id = v + 1;
        veh->start_loc = veh->end_loc = f->depot;
        veh->capacity_off = 2 * nc + v;
        p->amounts[veh->capacity_off] = f->cap;
        veh->tw = (cv_tw){0, CV_TIME_MAX};
        veh->max_tasks = UINT32_MAX;
        veh->max_travel_time = veh->max_distance = CV_TIME_MAX;
        veh->per_hour = 3600;
        veh->speed_factor = 1.0;
    }
    *out = p;
    return CV_OK;
oom:
    cv_problem_destroy(p);
    return CV_ENOMEM;
}

cv_status cv_convert_cvrplib(cv_problem **out, const char *path, cv_diag *diag)
{
    char *text;
    size_t len;
    cv_status s = cv_read_file(path, (size_t)64 << 20, &text, &len, diag);
    if (s) return s;
    cvrp f;
    memset(&f, 0, sizeof f);
    f.path = path;
    f.diag = diag;
    f.depot = CV_NONE;
    s = parse(&f, text);
    free(text);
    if (s == CV_OK) s = build(out, &f);
    if (s == CV_ENOMEM) cv_diag_set(diag, "%s: out of memory", path);
    free(f.x);
    free(f.y);
    free(f.demand);
    free(f.seen_coord);
    free(f.seen_demand);
    return s;
}
