/* Plan checker, phase 1: reads a VROOM-shaped solution into flat structs.
 *
 * Only the shape is judged here (JSON syntax, types, step types, presence of
 * ids, start first and end last); whether ids exist in the problem and whether
 * numbers agree is phase 2's business (checker.c), where it becomes a counted
 * violation or mismatch instead of an unreadable input.  Unknown keys are
 * ignored: VROOM adds fields over versions (violations, geometry, description)
 * and the checker must keep accepting its output.
 *
 * It deliberately does not use engine/json_read.c (the problem reader's
 * helpers): the checker shares no code with the path that produced the plan.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checker_int.h"

/* Path buffers, each level sized for the one above plus its suffix so that
 * no message is ever truncated (gcc checks this under -Wformat-truncation). */
#define PATH_ROUTE 48               /* routes[N] */
#define PATH_STEP (PATH_ROUTE + 32) /* routes[N].steps[N] */
#define PATH_FIELD (PATH_STEP + 32) /* ....field */
#define PATH_ELEM (PATH_FIELD + 24) /* ....field[N] */

typedef struct reader {
    cv__sol *sol;
    cv_diag *diag;
    uint32_t cap_routes, cap_steps, cap_unassigned, cap_amounts;
} reader;

static const char *type_name(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT:
        return "an object";
    case JSON_ARRAY:
        return "an array";
    case JSON_STRING:
        return "a string";
    case JSON_INTEGER:
        return "an integer";
    case JSON_REAL:
        return "a real number";
    case JSON_TRUE:
    case JSON_FALSE:
        return "a boolean";
    case JSON_NULL:
        return "null";
    }
    return "a value";
}

/* Integers as JSON integers, or integral reals (VROOM writes integers, but a
 * tool re-serialising its output may print 300.0: the value is the same). */
static cv_status read_int(reader *r, const json_t *v, const char *path, int64_t *out)
{
    int64_t x;
    if (json_is_integer(v)) {
        x = (int64_t)json_integer_value(v);
    } else if (json_is_real(v)) {
        double d = json_real_value(v);
        /* Range first: the cast is only defined for values that fit. */
        if (!(d >= -(double)CV__CHECK_INT_MAX && d <= (double)CV__CHECK_INT_MAX) ||
            (double)(int64_t)d != d)
            return cv_diag_set(r->diag, "%s: expected an integer, got %g", path, d);
        x = (int64_t)d;
    } else {
        return cv_diag_set(r->diag, "%s: expected an integer, got %s", path, type_name(v));
    }
    if (x > CV__CHECK_INT_MAX || x < -CV__CHECK_INT_MAX)
        return cv_diag_set(r->diag, "%s: %lld is out of range (magnitude above 2^53)", path,
                           (long long)x);
    *out = x;
    return CV_OK;
}

/* Optional integer member: *has tells whether it was there. */
static cv_status opt_int(reader *r, const json_t *obj, const char *path, const char *key, bool *has,
                         int64_t *out)
{
    const json_t *v = json_object_get(obj, key);
    *has = false;
    if (!v) return CV_OK;
    char p[PATH_FIELD];
    snprintf(p, sizeof p, "%s.%s", path, key);
    cv_status st = read_int(r, v, p, out);
    if (st == CV_OK) *has = true;
    return st;
}

static cv_status push_amount(reader *r, int64_t x)
{
    cv__sol *s = r->sol;
    if (s->namounts == r->cap_amounts) {
        uint32_t cap = r->cap_amounts ? 2 * r->cap_amounts : 64;
        int64_t *a = cv_realloc_array(s->amounts, cap, sizeof *a);
        if (!a) return CV_ENOMEM;
        s->amounts = a;
        r->cap_amounts = cap;
    }
    s->amounts[s->namounts++] = x;
    return CV_OK;
}

/* Optional array of integers (load, delivery, pickup). */
static cv_status opt_amount(reader *r, const json_t *obj, const char *path, const char *key,
                            bool *has, uint32_t *off, uint32_t *len)
{
    const json_t *v = json_object_get(obj, key);
    *has = false;
    if (!v) return CV_OK;
    char p[PATH_FIELD];
    snprintf(p, sizeof p, "%s.%s", path, key);
    if (!json_is_array(v))
        return cv_diag_set(r->diag, "%s: expected an array of integers, got %s", p, type_name(v));
    size_t n = json_array_size(v);
    if (n > CV_MAX_AMOUNT_DIMS)
        return cv_diag_set(r->diag, "%s: %zu dimensions, at most %d are possible", p, n,
                           CV_MAX_AMOUNT_DIMS);
    *off = r->sol->namounts;
    *len = (uint32_t)n;
    for (size_t i = 0; i < n; i++) {
        char q[PATH_ELEM];
        snprintf(q, sizeof q, "%s[%zu]", p, i);
        int64_t x;
        cv_status st = read_int(r, json_array_get(v, i), q, &x);
        if (st == CV_OK) st = push_amount(r, x);
        if (st != CV_OK) return st;
    }
    *has = true;
    return CV_OK;
}

static cv_status read_totals(reader *r, const json_t *obj, const char *path, cv__sol_totals *t)
{
    cv_status st;
    if ((st = opt_int(r, obj, path, "cost", &t->has_cost, &t->cost)) ||
        (st = opt_int(r, obj, path, "setup", &t->has_setup, &t->setup)) ||
        (st = opt_int(r, obj, path, "service", &t->has_service, &t->service)) ||
        (st = opt_int(r, obj, path, "duration", &t->has_duration, &t->duration)) ||
        (st = opt_int(r, obj, path, "waiting_time", &t->has_waiting, &t->waiting)) ||
        (st = opt_int(r, obj, path, "distance", &t->has_distance, &t->distance)) ||
        (st = opt_int(r, obj, path, "priority", &t->has_priority, &t->priority)) ||
        (st = opt_amount(r, obj, path, "delivery", &t->has_delivery, &t->delivery_off,
                         &t->delivery_len)) ||
        (st = opt_amount(r, obj, path, "pickup", &t->has_pickup, &t->pickup_off, &t->pickup_len)))
        return st;
    return CV_OK;
}

/* Optional "location": [lon, lat]. */
static cv_status opt_coords(reader *r, const json_t *obj, const char *path, bool *has, double *lon,
                            double *lat)
{
    const json_t *jl = json_object_get(obj, "location");
    *has = false;
    if (!jl) return CV_OK;
    if (!json_is_array(jl) || json_array_size(jl) != 2 || !json_is_number(json_array_get(jl, 0)) ||
        !json_is_number(json_array_get(jl, 1)))
        return cv_diag_set(r->diag, "%s.location: expected [lon, lat], two numbers", path);
    *has = true;
    *lon = json_number_value(json_array_get(jl, 0));
    *lat = json_number_value(json_array_get(jl, 1));
    return CV_OK;
}

static bool step_type_from_name(const char *s, cv_step_type *out)
{
    static const struct {
        const char *name;
        cv_step_type type;
    } names[] = {{"start", CV_STEP_START},   {"job", CV_STEP_JOB},
                 {"pickup", CV_STEP_PICKUP}, {"delivery", CV_STEP_DELIVERY},
                 {"break", CV_STEP_BREAK},   {"end", CV_STEP_END}};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcmp(s, names[i].name) == 0) {
            *out = names[i].type;
            return true;
        }
    return false;
}

static cv_status read_step(reader *r, const json_t *js, const char *path, cv__sol_step *st_out)
{
    cv__sol_step s;
    memset(&s, 0, sizeof s);
    if (!json_is_object(js))
        return cv_diag_set(r->diag, "%s: expected an object, got %s", path, type_name(js));
    const json_t *jt = json_object_get(js, "type");
    if (!jt) return cv_diag_set(r->diag, "%s: missing \"type\"", path);
    if (!json_is_string(jt))
        return cv_diag_set(r->diag, "%s.type: expected a string, got %s", path, type_name(jt));
    if (!step_type_from_name(json_string_value(jt), &s.type))
        return cv_diag_set(r->diag,
                           "%s.type: unknown step type \"%.40s\" (expected start, job, pickup, "
                           "delivery, break or end)",
                           path, json_string_value(jt));
    cv_status st;
    bool has_id;
    if ((st = opt_int(r, js, path, "id", &has_id, &s.id))) return st;
    if (!has_id && s.type != CV_STEP_START && s.type != CV_STEP_END)
        return cv_diag_set(r->diag, "%s: %s step without \"id\"", path, cv_step_type_name(s.type));
    if ((st = opt_int(r, js, path, "arrival", &s.has_arrival, &s.arrival)) ||
        (st = opt_int(r, js, path, "waiting_time", &s.has_waiting, &s.waiting)) ||
        (st = opt_int(r, js, path, "setup", &s.has_setup, &s.setup)) ||
        (st = opt_int(r, js, path, "service", &s.has_service, &s.service)) ||
        (st = opt_int(r, js, path, "duration", &s.has_duration, &s.duration)) ||
        (st = opt_int(r, js, path, "distance", &s.has_distance, &s.distance)) ||
        (st = opt_int(r, js, path, "location_index", &s.has_loc_index, &s.loc_index)) ||
        (st = opt_amount(r, js, path, "load", &s.has_load, &s.load_off, &s.load_len)))
        return st;
    if ((st = opt_coords(r, js, path, &s.has_coords, &s.lon, &s.lat))) return st;
    *st_out = s;
    return CV_OK;
}

static cv_status read_route(reader *r, const json_t *jr, size_t ri)
{
    cv__sol *sol = r->sol;
    char path[PATH_ROUTE];
    snprintf(path, sizeof path, "routes[%zu]", ri);
    if (!json_is_object(jr))
        return cv_diag_set(r->diag, "%s: expected an object, got %s", path, type_name(jr));
    cv__sol_route rt;
    memset(&rt, 0, sizeof rt);
    const json_t *jv = json_object_get(jr, "vehicle");
    if (!jv) return cv_diag_set(r->diag, "%s: missing \"vehicle\"", path);
    char p[PATH_FIELD];
    snprintf(p, sizeof p, "%s.vehicle", path);
    cv_status st = read_int(r, jv, p, &rt.vehicle);
    if (st == CV_OK) st = read_totals(r, jr, path, &rt.totals);
    if (st != CV_OK) return st;
    const json_t *jsteps = json_object_get(jr, "steps");
    if (!jsteps) return cv_diag_set(r->diag, "%s: missing \"steps\"", path);
    if (!json_is_array(jsteps))
        return cv_diag_set(r->diag, "%s.steps: expected an array, got %s", path, type_name(jsteps));
    size_t n = json_array_size(jsteps);
    if (n < 2)
        return cv_diag_set(r->diag, "%s.steps: %zu steps; a route has at least a start and an end",
                           path, n);
    if (n > UINT32_MAX - sol->nsteps) return cv_diag_set(r->diag, "%s.steps: too many steps", path);
    rt.step_first = sol->nsteps;
    rt.step_count = (uint32_t)n;
    for (size_t k = 0; k < n; k++) {
        if (sol->nsteps == r->cap_steps) {
            uint32_t cap = r->cap_steps ? 2 * r->cap_steps : 64;
            cv__sol_step *a = cv_realloc_array(sol->steps, cap, sizeof *a);
            if (!a) return CV_ENOMEM;
            sol->steps = a;
            r->cap_steps = cap;
        }
        char sp[PATH_STEP];
        snprintf(sp, sizeof sp, "%s.steps[%zu]", path, k);
        cv__sol_step s;
        if ((st = read_step(r, json_array_get(jsteps, k), sp, &s))) return st;
        /* Start first and end last is the shape of every VROOM route; without
         * it there is no anchor to recompute times from. */
        if (k == 0 && s.type != CV_STEP_START)
            return cv_diag_set(r->diag, "%s: the first step must be the start, not a %s", sp,
                               cv_step_type_name(s.type));
        if (k == n - 1 && s.type != CV_STEP_END)
            return cv_diag_set(r->diag, "%s: the last step must be the end, not a %s", sp,
                               cv_step_type_name(s.type));
        if (k > 0 && k < n - 1 && (s.type == CV_STEP_START || s.type == CV_STEP_END))
            return cv_diag_set(r->diag, "%s: a %s step in the middle of the route", sp,
                               cv_step_type_name(s.type));
        sol->steps[sol->nsteps++] = s;
    }
    if (sol->nroutes == r->cap_routes) {
        uint32_t cap = r->cap_routes ? 2 * r->cap_routes : 16;
        cv__sol_route *a = cv_realloc_array(sol->routes, cap, sizeof *a);
        if (!a) return CV_ENOMEM;
        sol->routes = a;
        r->cap_routes = cap;
    }
    sol->routes[sol->nroutes++] = rt;
    return CV_OK;
}

static cv_status read_unassigned(reader *r, const json_t *ju, size_t i)
{
    cv__sol *sol = r->sol;
    char path[PATH_ROUTE];
    snprintf(path, sizeof path, "unassigned[%zu]", i);
    if (!json_is_object(ju))
        return cv_diag_set(r->diag, "%s: expected an object, got %s", path, type_name(ju));
    cv__sol_unassigned u = {.kind = CV_TASK_JOB};
    bool has_id;
    cv_status st = opt_int(r, ju, path, "id", &has_id, &u.id);
    if (st != CV_OK) return st;
    if (!has_id) return cv_diag_set(r->diag, "%s: missing \"id\"", path);
    if ((st = opt_int(r, ju, path, "location_index", &u.has_loc_index, &u.loc_index)) ||
        (st = opt_coords(r, ju, path, &u.has_coords, &u.lon, &u.lat)))
        return st;
    /* VROOM before shipments wrote no type: such entries are jobs. */
    const json_t *jt = json_object_get(ju, "type");
    if (jt) {
        if (!json_is_string(jt))
            return cv_diag_set(r->diag, "%s.type: expected a string, got %s", path, type_name(jt));
        const char *t = json_string_value(jt);
        if (strcmp(t, "job") == 0)
            u.kind = CV_TASK_JOB;
        else if (strcmp(t, "pickup") == 0)
            u.kind = CV_TASK_PICKUP;
        else if (strcmp(t, "delivery") == 0)
            u.kind = CV_TASK_DELIVERY;
        else
            return cv_diag_set(r->diag,
                               "%s.type: unknown type \"%.40s\" (expected job, pickup or delivery)",
                               path, t);
    }
    if (sol->nunassigned == r->cap_unassigned) {
        uint32_t cap = r->cap_unassigned ? 2 * r->cap_unassigned : 16;
        cv__sol_unassigned *a = cv_realloc_array(sol->unassigned, cap, sizeof *a);
        if (!a) return CV_ENOMEM;
        sol->unassigned = a;
        r->cap_unassigned = cap;
    }
    sol->unassigned[sol->nunassigned++] = u;
    return CV_OK;
}

static cv_status read_root(reader *r, const json_t *root)
{
    cv_status st;
    if (!json_is_object(root))
        return cv_diag_set(r->diag, "solution: expected an object, got %s", type_name(root));
    const json_t *jc = json_object_get(root, "code");
    if (jc) {
        int64_t code;
        if ((st = read_int(r, jc, "code", &code))) return st;
        if (code != 0) {
            const json_t *je = json_object_get(root, "error");
            return cv_diag_set(r->diag, "code: %lld, the solution is an error report: %.200s",
                               (long long)code,
                               json_is_string(je) ? json_string_value(je) : "(no error message)");
        }
    }
    const json_t *jroutes = json_object_get(root, "routes");
    if (!jroutes) return cv_diag_set(r->diag, "solution: missing \"routes\"");
    if (!json_is_array(jroutes))
        return cv_diag_set(r->diag, "routes: expected an array, got %s", type_name(jroutes));
    for (size_t i = 0; i < json_array_size(jroutes); i++)
        if ((st = read_route(r, json_array_get(jroutes, i), i))) return st;
    const json_t *junas = json_object_get(root, "unassigned");
    if (junas) {
        if (!json_is_array(junas))
            return cv_diag_set(r->diag, "unassigned: expected an array, got %s", type_name(junas));
        for (size_t i = 0; i < json_array_size(junas); i++)
            if ((st = read_unassigned(r, json_array_get(junas, i), i))) return st;
    }
    const json_t *jsum = json_object_get(root, "summary");
    if (jsum) {
        if (!json_is_object(jsum))
            return cv_diag_set(r->diag, "summary: expected an object, got %s", type_name(jsum));
        cv__sol_totals *t = &r->sol->summary;
        if ((st = read_totals(r, jsum, "summary", t)) ||
            (st = opt_int(r, jsum, "summary", "routes", &t->has_routes, &t->routes)) ||
            (st = opt_int(r, jsum, "summary", "unassigned", &t->has_unassigned, &t->unassigned)) ||
            (st = opt_int(r, jsum, "summary", "working_time_spread", &t->has_spread, &t->spread)))
            return st;
        r->sol->has_summary = true;
    }
    return CV_OK;
}

void cv__check_sol_fini(cv__sol *sol)
{
    free(sol->routes);
    free(sol->steps);
    free(sol->unassigned);
    free(sol->amounts);
    memset(sol, 0, sizeof *sol);
}

cv_status cv__check_read(cv__sol *sol, const char *text, size_t len, cv_diag *diag)
{
    memset(sol, 0, sizeof *sol);
    if (len > CV_MAX_INPUT_BYTES) {
        cv_diag_set(diag, "solution: %zu bytes, more than the limit of %zu", len,
                    CV_MAX_INPUT_BYTES);
        return CV_ETOOBIG;
    }
    json_error_t err;
    json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &err);
    if (!root)
        return cv_diag_set(diag, "solution: line %d, column %d: %s", err.line, err.column,
                           err.text);
    reader r = {.sol = sol, .diag = diag};
    cv_status st = read_root(&r, root);
    json_decref(root);
    if (st != CV_OK) cv__check_sol_fini(sol);
    return st;
}
