/* VROOM-shaped plan JSON -> cv_plan, against the problem it was made for:
 * what `carevan map PLAN.json PROBLEM.json` needs to draw a plan written
 * earlier (by `carevan solve`, the server or VROOM itself).
 *
 * This is a reader, not a checker: times are taken as written (the map
 * shows the plan as it is; `carevan check` judges it).  It checks what it
 * must to build a consistent plan: each vehicle, task and break exists, a
 * task is in the plan once, and every number is an integer in range.  Loads
 * are not read (the map does not show them); they read as zero. */
#define _POSIX_C_SOURCE 200809L
#include "cv/engine.h"
#include "json_read.h"

#include <stdlib.h>
#include <string.h>

typedef struct reader {
    const cv_problem *p;
    uint8_t *used; /* [ntasks] task already in the plan */
    cv_diag *diag;
} reader;

static cv_status step_type(const json_t *v, const char *path, cv_step_type *out, cv_diag *diag)
{
    static const char *const names[] = {"start", "job", "pickup", "delivery", "break", "end"};
    const char *s = json_string_value(v);
    if (!s) return cv_diag_set(diag, "%s: expected a string, got %s", path, cv__json_type_name(v));
    for (int i = 0; i < 6; i++)
        if (!strcmp(s, names[i])) {
            *out = (cv_step_type)i;
            return CV_OK;
        }
    return cv_diag_set(diag,
                       "%s: \"%s\" is not a step type (start, job, pickup, delivery, "
                       "break, end)",
                       path, s);
}

/* The task of kind `kind` with this id not yet in the plan (tasks needing
 * several workers share one id). */
static cv_status find_task(reader *rd, cv_task_kind kind, int64_t id, const char *path,
                           uint32_t *out)
{
    bool seen = false;
    for (uint32_t t = 0; t < rd->p->ntasks; t++) {
        const cv_task *task = &rd->p->tasks[t];
        if (task->kind != kind || (int64_t)task->id != id) continue;
        seen = true;
        if (rd->used[t]) continue;
        rd->used[t] = 1;
        *out = t;
        return CV_OK;
    }
    if (seen)
        return cv_diag_set(rd->diag,
                           "%s: %s %lld is in the plan more often than the problem has it", path,
                           cv_task_kind_name(kind), (long long)id);
    return cv_diag_set(rd->diag, "%s: no %s %lld in the problem", path, cv_task_kind_name(kind),
                       (long long)id);
}

static cv_status read_step(reader *rd, const json_t *js, const char *path, uint32_t vehicle,
                           uint32_t prev_loc, cv_plan_step *s)
{
    const cv_problem *p = rd->p;
    const cv_vehicle *v = &p->vehicles[vehicle];
    char sub[256];
    cv_status st = cv__json_object(js, path, rd->diag);
    if (st) return st;
    cv__json_path_key(sub, sizeof sub, path, "type");
    const json_t *jt = json_object_get(js, "type");
    if (!jt) return cv_diag_set(rd->diag, "%s: missing", sub);
    if ((st = step_type(jt, sub, &s->type, rd->diag))) return st;
    int64_t id = 0;
    s->index = CV_NONE;
    if (s->type != CV_STEP_START && s->type != CV_STEP_END) {
        cv__json_path_key(sub, sizeof sub, path, "id");
        const json_t *jid = json_object_get(js, "id");
        if (!jid) return cv_diag_set(rd->diag, "%s: missing", sub);
        if ((st = cv__json_int(jid, sub, 0, INT64_MAX, &id, rd->diag))) return st;
    }
    switch (s->type) {
    case CV_STEP_START:
        s->loc = v->start_loc;
        break;
    case CV_STEP_END:
        s->loc = v->end_loc;
        break;
    case CV_STEP_BREAK:
        for (uint32_t b = 0; b < v->break_count && s->index == CV_NONE; b++)
            if ((int64_t)p->breaks[v->break_first + b].id == id) s->index = b;
        if (s->index == CV_NONE)
            return cv_diag_set(rd->diag, "%s: vehicle %llu has no break %lld", sub,
                               (unsigned long long)v->id, (long long)id);
        s->loc = prev_loc; /* taken where the vehicle is */
        break;
    default: {
        cv_task_kind kind = s->type == CV_STEP_JOB      ? CV_TASK_JOB
                            : s->type == CV_STEP_PICKUP ? CV_TASK_PICKUP
                                                        : CV_TASK_DELIVERY;
        if ((st = find_task(rd, kind, id, sub, &s->index))) return st;
        s->loc = p->tasks[s->index].loc;
    }
    }
    static const char *const keys[] = {"arrival", "waiting_time", "setup",
                                       "service", "duration",     "distance"};
    int64_t *fields[] = {&s->arrival, &s->waiting,  &s->setup,
                         &s->service, &s->duration, &s->distance};
    for (int i = 0; i < 6; i++) {
        *fields[i] = 0;
        if ((st = cv__json_opt_int(js, path, keys[i], 0, CV_TIME_MAX, fields[i], rd->diag)))
            return st;
    }
    return CV_OK;
}

static cv_status read_route(reader *rd, cv_plan_builder *b, const json_t *jr, const char *path)
{
    const cv_problem *p = rd->p;
    char sub[256];
    cv_status st = cv__json_object(jr, path, rd->diag);
    if (st) return st;
    int64_t vid;
    cv__json_path_key(sub, sizeof sub, path, "vehicle");
    const json_t *jv = json_object_get(jr, "vehicle");
    if (!jv) return cv_diag_set(rd->diag, "%s: missing", sub);
    if ((st = cv__json_int(jv, sub, 0, INT64_MAX, &vid, rd->diag))) return st;
    uint32_t v = CV_NONE;
    for (uint32_t i = 0; i < p->nvehicles && v == CV_NONE; i++)
        if ((int64_t)p->vehicles[i].id == vid) v = i;
    if (v == CV_NONE)
        return cv_diag_set(rd->diag, "%s: no vehicle %lld in the problem", sub, (long long)vid);
    for (uint32_t r = 0; r < b->plan->nroutes; r++)
        if (b->plan->routes[r].vehicle == v)
            return cv_diag_set(rd->diag, "%s: vehicle %lld has two routes", sub, (long long)vid);
    cv__json_path_key(sub, sizeof sub, path, "steps");
    const json_t *steps = json_object_get(jr, "steps");
    if (!steps) return cv_diag_set(rd->diag, "%s: missing", sub);
    if ((st = cv__json_array(steps, sub, SIZE_MAX, rd->diag))) return st;
    if (json_array_size(steps) == 0) return cv_diag_set(rd->diag, "%s: empty route", sub);
    if ((st = cv_plan_builder_route(b, v))) return st;
    int64_t zeros[CV_MAX_AMOUNT_DIMS] = {0};
    uint32_t prev_loc = CV_NONE;
    for (size_t k = 0; k < json_array_size(steps); k++) {
        char sp[256];
        cv__json_path_index(sp, sizeof sp, sub, k);
        cv_plan_step s;
        memset(&s, 0, sizeof s);
        if ((st = read_step(rd, json_array_get(steps, k), sp, v, prev_loc, &s))) return st;
        if ((st = cv_plan_builder_step(b, &s, zeros))) return st;
        if (s.loc != CV_NONE) prev_loc = s.loc;
    }
    cv_plan_route *route = &b->plan->routes[b->plan->nroutes - 1];
    int64_t cost = 0;
    if ((st = cv__json_opt_int(jr, path, "cost", 0, CV_TIME_MAX, &cost, rd->diag))) return st;
    route->cost = cost;
    const json_t *geo = json_object_get(jr, "geometry");
    if (geo) {
        cv__json_path_key(sub, sizeof sub, path, "geometry");
        const char *g = json_string_value(geo);
        if (!g) return cv_diag_set(rd->diag, "%s: expected an encoded polyline string", sub);
        double *pts = NULL;
        uint32_t n = 0;
        if (cv_polyline_decode(g, &pts, &n) != CV_OK)
            return cv_diag_set(rd->diag, "%s: not an encoded polyline (precision 5)", sub);
        free(pts);
        route->geometry = strdup(g);
        if (!route->geometry) return CV_ENOMEM;
    }
    return CV_OK;
}

static cv_status read_unassigned(reader *rd, cv_plan_builder *b, const json_t *ju, const char *path)
{
    char sub[256];
    cv_status st = cv__json_object(ju, path, rd->diag);
    if (st) return st;
    int64_t id;
    cv__json_path_key(sub, sizeof sub, path, "id");
    const json_t *jid = json_object_get(ju, "id");
    if (!jid) return cv_diag_set(rd->diag, "%s: missing", sub);
    if ((st = cv__json_int(jid, sub, 0, INT64_MAX, &id, rd->diag))) return st;
    cv_step_type type = CV_STEP_JOB;
    const json_t *jt = json_object_get(ju, "type");
    cv__json_path_key(sub, sizeof sub, path, "type");
    if (jt && (st = step_type(jt, sub, &type, rd->diag))) return st;
    if (type != CV_STEP_JOB && type != CV_STEP_PICKUP && type != CV_STEP_DELIVERY)
        return cv_diag_set(rd->diag, "%s: a %s cannot be unassigned", sub, cv_step_type_name(type));
    cv_task_kind kind = type == CV_STEP_JOB      ? CV_TASK_JOB
                        : type == CV_STEP_PICKUP ? CV_TASK_PICKUP
                                                 : CV_TASK_DELIVERY;
    uint32_t task;
    cv__json_path_key(sub, sizeof sub, path, "id");
    if ((st = find_task(rd, kind, id, sub, &task))) return st;
    /* our own field; VROOM's output has none: "no_room" says the least */
    cv_reason reason = CV_REASON_NO_ROOM;
    const char *key = json_string_value(json_object_get(ju, "reason"));
    if (key) {
        bool found = false;
        for (int r = 1; r < CV_REASON_COUNT && !found; r++)
            if (!strcmp(key, cv_reason_key((cv_reason)r))) reason = (cv_reason)r, found = true;
        if (!found) {
            cv__json_path_key(sub, sizeof sub, path, "reason");
            return cv_diag_set(rd->diag, "%s: \"%s\" is not a known reason", sub, key);
        }
    }
    return cv_plan_builder_unassigned(b, task, reason);
}

cv_status cv_plan_from_json(cv_plan **out, const cv_problem *p, const char *text, size_t len,
                            cv_diag *diag)
{
    json_error_t err;
    json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &err);
    if (!root)
        return cv_diag_set(diag, "JSON syntax error at line %d column %d: %s", err.line, err.column,
                           err.text);
    reader rd = {p, cv_calloc(p->ntasks ? p->ntasks : 1, 1), diag};
    cv_plan_builder b;
    cv_status st = rd.used ? cv_plan_builder_init(&b, p->ndims) : CV_ENOMEM;
    if (st) {
        free(rd.used);
        json_decref(root);
        return st;
    }
    if ((st = cv__json_object(root, "plan", diag))) goto done;
    const json_t *routes = json_object_get(root, "routes");
    if (!routes) {
        st = cv_diag_set(diag, "routes: missing (not a plan?)");
        goto done;
    }
    if ((st = cv__json_array(routes, "routes", SIZE_MAX, diag))) goto done;
    for (size_t r = 0; r < json_array_size(routes) && st == CV_OK; r++) {
        char path[64];
        cv__json_path_index(path, sizeof path, "routes", r);
        st = read_route(&rd, &b, json_array_get(routes, r), path);
    }
    const json_t *un = json_object_get(root, "unassigned");
    if (st == CV_OK && un) {
        if ((st = cv__json_array(un, "unassigned", SIZE_MAX, diag))) goto done;
        for (size_t i = 0; i < json_array_size(un) && st == CV_OK; i++) {
            char path[64];
            cv__json_path_index(path, sizeof path, "unassigned", i);
            st = read_unassigned(&rd, &b, json_array_get(un, i), path);
        }
    }
done:
    if (st == CV_OK) {
        cv_plan *plan = cv_plan_builder_finish(&b);
        if (!plan) {
            st = CV_ENOMEM;
        } else {
            cv_plan_sum(plan, p);
            *out = plan;
        }
    }
    cv_plan_builder_fini(&b);
    free(rd.used);
    json_decref(root);
    return st;
}
