/* Mankowska, Meisel & Bierwirth (2014) home health care instances -> our
 * problem with care extensions (see ../shared/datasets/vrp/hhc/README.md for
 * the file format).
 *
 * Mapping: each service a patient needs is one job (skill = service index,
 * duration p[i][s]); a double-service patient's two jobs are tied by a
 * `together` relation when mind = maxd = 0, else by a `precedence` relation
 * (the lower service index first, start-to-start gap in [mind, maxd], distinct
 * workers).  The end of each window is soft with unbounded tardiness at one
 * cost unit per time unit, so our cost is D + T of the Mankowska objective
 * (D + T + Tmax) / 3; Tmax is computed from the plan by the benchmark.
 * Real-valued times and distances are scaled by 100 and rounded.
 *
 * The problem is built as VROOM JSON and read back with cv_problem_from_json,
 * so every converted instance passes the same validation as user input. */
#define _POSIX_C_SOURCE 200809L
#include "cv/engine.h"

#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MK_SCALE 100.0
#define MK_MAX_NODES 2000
#define MK_MAX_VEHICLES 500
#define MK_MAX_SERVICES 32

typedef struct mk_file {
    const char *path;
    char *text, *pos;
    cv_diag *diag;
} mk_file;

static char *next_token(mk_file *f)
{
    char *p = f->pos;
    while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n') p++;
    if (!*p) return NULL;
    char *start = p;
    while (*p && *p != ' ' && *p != '\t' && *p != '\r' && *p != '\n') p++;
    if (*p) *p++ = '\0';
    f->pos = p;
    return start;
}

/* True when the next token is kw (nothing is consumed). */
static bool peek_is(const mk_file *f, const char *kw)
{
    const char *p = f->pos;
    while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n') p++;
    size_t n = strlen(kw);
    return strncmp(p, kw, n) == 0 &&
           (p[n] == '\0' || p[n] == ' ' || p[n] == '\t' || p[n] == '\r' || p[n] == '\n');
}

static cv_status expect_keyword(mk_file *f, const char *kw)
{
    char *t = next_token(f);
    if (!t || strcmp(t, kw) != 0)
        return cv_diag_set(f->diag, "%s: expected keyword \"%s\", found \"%s\"", f->path, kw,
                           t ? t : "end of file");
    return CV_OK;
}

static cv_status read_num(mk_file *f, const char *what, double *out)
{
    char *t = next_token(f), *end;
    if (!t) return cv_diag_set(f->diag, "%s: file ends inside %s", f->path, what);
    errno = 0;
    double v = strtod(t, &end);
    if (*end || errno || !isfinite(v) || v < 0 || v > 1e9)
        return cv_diag_set(f->diag, "%s: in %s: \"%s\" is not a non-negative number", f->path, what,
                           t);
    *out = v;
    return CV_OK;
}

static cv_status read_count(mk_file *f, const char *kw, uint32_t max, uint32_t *out)
{
    cv_status s = expect_keyword(f, kw);
    double v = 0;
    if (!s) s = read_num(f, kw, &v);
    if (s) return s;
    if (v != floor(v) || v < 1 || v > max)
        return cv_diag_set(f->diag, "%s: %s = %g, expected an integer in [1, %u]", f->path, kw, v,
                           max);
    *out = (uint32_t)v;
    return CV_OK;
}

static cv_status read_block(mk_file *f, const char *kw, double *dst, size_t n)
{
    cv_status s = expect_keyword(f, kw);
    for (size_t i = 0; !s && i < n; i++) s = read_num(f, kw, &dst[i]);
    return s;
}

static json_int_t scaled(double v)
{
    return (json_int_t)llround(v * MK_SCALE);
}

static json_t *int_pair(json_int_t a, json_int_t b)
{
    return json_pack("[II]", (json_int_t)a, (json_int_t)b);
}

cv_status cv_convert_mankowska(cv_problem **out, const char *path, cv_diag *diag)
{
    mk_file f = {.path = path, .diag = diag};
    size_t len;
    cv_status s = cv_read_file(path, (size_t)64 << 20, &f.text, &len, diag);
    if (s) return s;
    f.pos = f.text;
    uint32_t N = 0, V = 0, S = 0;
    double *r = NULL, *a = NULL, *x = NULL, *y = NULL, *d = NULL, *pt = NULL, *mind = NULL,
           *maxd = NULL, *e = NULL, *l = NULL;
    uint8_t *is_double = NULL;
    json_t *root = NULL;
    char *text = NULL;
    if ((s = read_count(&f, "nbNodes", MK_MAX_NODES, &N)) ||
        (s = read_count(&f, "nbVehi", MK_MAX_VEHICLES, &V)) ||
        (s = read_count(&f, "nbServi", MK_MAX_SERVICES, &S)))
        goto done;
    if (N < 3) {
        s = cv_diag_set(diag, "%s: nbNodes %u: at least one patient is needed", path, N);
        goto done;
    }
    r = cv_calloc((size_t)N * S, sizeof *r);
    a = cv_calloc((size_t)V * S, sizeof *a);
    x = cv_calloc(N, sizeof *x);
    y = cv_calloc(N, sizeof *y);
    d = cv_calloc((size_t)N * N, sizeof *d);
    pt = cv_calloc((size_t)N * V * S, sizeof *pt);
    mind = cv_calloc(N, sizeof *mind);
    maxd = cv_calloc(N, sizeof *maxd);
    e = cv_calloc(N, sizeof *e);
    l = cv_calloc(N, sizeof *l);
    is_double = cv_calloc(N, 1);
    if (!r || !a || !x || !y || !d || !pt || !mind || !maxd || !e || !l || !is_double) {
        s = CV_ENOMEM;
        goto done;
    }
    if ((s = read_block(&f, "r", r, (size_t)N * S))) goto done;
    /* DS: 1-based node numbers up to the next keyword ("a"). */
    if ((s = expect_keyword(&f, "DS"))) goto done;
    while (!peek_is(&f, "a")) {
        char *t = next_token(&f);
        if (!t) {
            s = cv_diag_set(diag, "%s: file ends inside DS", path);
            goto done;
        }
        char *end;
        long v = strtol(t, &end, 10);
        if (*end || v < 2 || v > (long)N - 1) {
            s = cv_diag_set(diag, "%s: DS: \"%s\" is not a patient node (2..%u, 1-based)", path, t,
                            N - 1);
            goto done;
        }
        is_double[v - 1] = 1;
    }
    if ((s = read_block(&f, "a", a, (size_t)V * S)) || (s = read_block(&f, "x", x, N)) ||
        (s = read_block(&f, "y", y, N)) || (s = read_block(&f, "d", d, (size_t)N * N)) ||
        (s = read_block(&f, "p", pt, (size_t)N * V * S)) || (s = read_block(&f, "mind", mind, N)) ||
        (s = read_block(&f, "maxd", maxd, N)) || (s = read_block(&f, "e", e, N)) ||
        (s = read_block(&f, "l", l, N)))
        goto done;

    /* Locations: node i is location i; the end depot copy (N-1) is node 0. */
    uint32_t nl = N - 1;
    root = json_object();
    json_t *jobs = json_array(), *vehs = json_array(), *rels = json_array(), *dur = json_array();
    if (!root || !jobs || !vehs || !rels || !dur) {
        json_decref(jobs);
        json_decref(vehs);
        json_decref(rels);
        json_decref(dur);
        s = CV_ENOMEM;
        goto done;
    }
    json_object_set_new(root, "jobs", jobs);
    json_object_set_new(root, "vehicles", vehs);
    for (uint32_t i = 0; i < nl; i++) {
        json_t *row = json_array();
        for (uint32_t j = 0; j < nl; j++)
            json_array_append_new(row, json_integer(scaled(d[(size_t)i * N + j])));
        json_array_append_new(dur, row);
    }
    json_object_set_new(root, "matrices",
                        json_pack("{s:{s:o,s:O}}", "car", "durations", dur, "distances", dur));
    /* Horizon: tardiness is unbounded in the model; allow ten times the day. */
    double horizon = e[0];
    for (uint32_t i = 0; i < N; i++) horizon = fmax(horizon, l[i]);
    json_int_t max_late = scaled(10 * horizon + 1);
    for (uint32_t i = 1; i < nl; i++) {
        uint32_t svc[2], ns = 0;
        for (uint32_t k = 0; k < S; k++)
            if (r[(size_t)i * S + k] != 0) {
                if (ns == 2) {
                    s = cv_diag_set(diag, "%s: node %u requires more than two services", path, i);
                    goto done;
                }
                svc[ns++] = k;
            }
        if (ns == 0 || (ns == 2) != (is_double[i] != 0)) {
            s = cv_diag_set(diag, "%s: node %u: %u services required, but DS %s it", path, i, ns,
                            is_double[i] ? "lists" : "does not list");
            goto done;
        }
        if (e[i] > l[i]) {
            s = cv_diag_set(diag, "%s: node %u: window [%g, %g] is empty", path, i, e[i], l[i]);
            goto done;
        }
        for (uint32_t k = 0; k < ns; k++) {
            char desc[64];
            snprintf(desc, sizeof desc, "patient %u service %u", i, svc[k]);
            json_t *j = json_pack(
                "{s:I,s:s,s:I,s:I,s:[I],s:[o],s:{s:I,s:I}}", "id", (json_int_t)(i * 100 + svc[k]),
                "description", desc, "location_index", (json_int_t)i, "service",
                scaled(pt[((size_t)i * V) * S + svc[k]]), "skills", (json_int_t)svc[k],
                "time_windows", int_pair(scaled(e[i]), scaled(l[i])), "lateness", "max", max_late,
                "per_hour", (json_int_t)3600);
            if (!j) {
                s = CV_ENOMEM;
                goto done;
            }
            json_array_append_new(jobs, j);
        }
        if (ns == 2) {
            json_t *rel;
            json_int_t first = i * 100 + svc[0], second = i * 100 + svc[1];
            if (mind[i] == 0 && maxd[i] == 0)
                rel = json_pack("{s:s,s:I,s:I}", "type", "together", "first", first, "second",
                                second);
            else
                rel = json_pack("{s:s,s:I,s:I,s:I,s:I,s:b}", "type", "precedence", "first", first,
                                "second", second, "min_gap", scaled(mind[i]), "max_gap",
                                scaled(maxd[i]), "distinct_workers", 1);
            json_array_append_new(rels, rel);
        }
    }
    for (uint32_t v = 0; v < V; v++) {
        json_t *skills = json_array();
        for (uint32_t k = 0; k < S; k++)
            if (a[(size_t)v * S + k] != 0) json_array_append_new(skills, json_integer(k));
        json_t *veh = json_pack("{s:I,s:I,s:I,s:o,s:o}", "id", (json_int_t)(v + 1), "start_index",
                                (json_int_t)0, "end_index", (json_int_t)0, "skills", skills,
                                "time_window", int_pair(scaled(e[0]), 2 * max_late));
        if (!veh) {
            s = CV_ENOMEM;
            goto done;
        }
        json_array_append_new(vehs, veh);
    }
    if (json_array_size(rels))
        json_object_set_new(root, "relations", rels);
    else
        json_decref(rels);
    text = json_dumps(root, JSON_COMPACT);
    if (!text) {
        s = CV_ENOMEM;
        goto done;
    }
    s = cv_problem_from_json(out, text, strlen(text), diag);
done:
    if (s == CV_ENOMEM) cv_diag_set(diag, "%s: out of memory", path);
    json_decref(root);
    free(text);
    free(f.text);
    free(r);
    free(a);
    free(x);
    free(y);
    free(d);
    free(pt);
    free(mind);
    free(maxd);
    free(e);
    free(l);
    free(is_double);
    return s;
}
