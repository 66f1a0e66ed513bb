/* A live day as JSON (cv/live.h): the state with ETAs (what operators see,
 * and the persisted form cv_live_restore reads back), and events and urgent
 * requests read from JSON with field-path errors. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json_read.h"
#include "live_int.h"

typedef struct out {
    bool failed;
} out;

static void set(out *o, json_t *obj, const char *key, json_t *v)
{
    if (!v || json_object_set_new(obj, key, v) != 0) o->failed = true;
}

static void append(out *o, json_t *arr, json_t *v)
{
    if (!v || json_array_append_new(arr, v) != 0) o->failed = true;
}

static const char *kind_key(cv_task_kind k)
{
    return k == CV_TASK_JOB ? "job" : k == CV_TASK_PICKUP ? "pickup" : "delivery";
}

static json_t *task_ref(out *o, const cv_problem *p, uint32_t t)
{
    json_t *j = json_object();
    if (!j)
        o->failed = true;
    else {
        set(o, j, "type", json_string(kind_key(p->tasks[t].kind)));
        set(o, j, "id", json_integer((json_int_t)p->tasks[t].id));
    }
    return j;
}

static json_t *vehicle_json(out *o, const cv_live *L, uint32_t v, const cv__live_day *d)
{
    const cv_problem *p = L->p;
    const cv_vehicle *vh = &p->vehicles[v];
    const cv__live_route *r = &L->routes[v];
    json_t *j = json_object(), *steps = json_array(), *av = json_object();
    if (!j || !steps || !av) {
        o->failed = true;
        json_decref(j), json_decref(steps), json_decref(av);
        return NULL;
    }
    set(o, j, "id", json_integer((json_int_t)vh->id));
    cv__live_avail a;
    cv__live_avail_of(L, v, &a);
    if (a.loc != CV_NONE) set(o, av, "location_index", json_integer(a.loc));
    set(o, av, "time", json_integer(a.time));
    set(o, j, "available", av);
    if (r->has_pos) {
        json_t *pos = json_object();
        if (pos) {
            set(o, pos, "location_index", json_integer(r->pos_loc));
            set(o, pos, "time", json_integer(r->pos_time));
        }
        set(o, j, "position", pos);
    }
    const cv__live_eta *eta = d->eta[v];
    const cv__live_sched *sc = &d->sched[v];
    set(o, j, "feasible", json_boolean(sc->feasible));
    if (!sc->feasible) set(o, j, "problem", json_string(sc->why));
    set(o, j, "cost", json_integer(sc->cost));
    if (p->vehicles[v].max_working_time || p->vehicles[v].overtime_per_hour)
        set(o, j, "working_time", json_integer(sc->work));
    for (uint32_t k = 0; k < r->n; k++) {
        uint32_t x = r->step[k];
        json_t *s = json_object();
        if (!s) {
            o->failed = true;
            break;
        }
        if (CV__LIVE_IS_BREAK(x)) {
            set(o, s, "type", json_string("break"));
            set(o, s, "id",
                json_integer((json_int_t)p->breaks[vh->break_first + (x & ~CV__LIVE_BREAK)].id));
        } else {
            set(o, s, "type", json_string(kind_key(p->tasks[x].kind)));
            set(o, s, "id", json_integer((json_int_t)p->tasks[x].id));
            set(o, s, "location_index", json_integer(p->tasks[x].loc));
        }
        if (k < r->nfrozen) {
            const char *st = CV__LIVE_IS_BREAK(x)               ? "taken"
                             : L->status[x] == CV__LIVE_STARTED ? "started"
                                                                : "done";
            set(o, s, "status", json_string(st));
            set(o, s, "arrival", json_integer(r->arrive[k]));
            set(o, s, "start", json_integer(r->start[k]));
            set(o, s, "end", json_integer(r->end[k]));
        } else {
            const cv__live_eta *e = &eta[k - r->nfrozen];
            set(o, s, "status", json_string("planned"));
            set(o, s, "arrival", json_integer(e->arrival));
            set(o, s, "start", json_integer(e->start));
            set(o, s, "end", json_integer(e->end));
            if (e->late > 0) set(o, s, "late", json_integer(e->late));
            if (e->lateness > 0) set(o, s, "lateness", json_integer(e->lateness));
        }
        append(o, steps, s);
    }
    set(o, j, "steps", steps);
    return j;
}

static cv_status finish(out *o, json_t *root, char **text)
{
    if (o->failed) {
        json_decref(root);
        return CV_ENOMEM;
    }
    *text = json_dumps(root, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(root);
    return *text ? CV_OK : CV_ENOMEM;
}

cv_status cv_live_vehicles_json(const cv_live *L, const uint64_t *ids, uint32_t n, char **text)
{
    out o = {0};
    json_t *root = json_object(), *vs = json_array();
    if (!root || !vs) o.failed = true;
    set(&o, root, "now", json_integer(L->now));
    cv__live_day d;
    if (cv__live_day_of(L, &d) != CV_OK) {
        json_decref(root);
        json_decref(vs);
        return CV_ENOMEM;
    }
    for (uint32_t v = 0; vs && v < L->p->nvehicles; v++) {
        bool want = ids == NULL;
        for (uint32_t i = 0; i < n && !want; i++) want = ids[i] == L->p->vehicles[v].id;
        if (want) append(&o, vs, vehicle_json(&o, L, v, &d));
    }
    cv__live_day_fini(&d);
    set(&o, root, "vehicles", vs);
    return finish(&o, root, text);
}

cv_status cv_live_to_json(const cv_live *L, char **text)
{
    const cv_problem *p = L->p;
    out o = {0};
    json_t *root = json_object(), *vs = json_array(), *un = json_array(), *sk = json_array(),
           *ur = json_array();
    if (!root || !vs || !un || !sk || !ur) o.failed = true;
    set(&o, root, "now", json_integer(L->now));
    set(&o, root, "changes", json_integer(L->changes));
    cv__live_day d;
    if (cv__live_day_of(L, &d) != CV_OK) {
        json_decref(root), json_decref(vs), json_decref(un), json_decref(sk), json_decref(ur);
        return CV_ENOMEM;
    }
    for (uint32_t v = 0; vs && v < p->nvehicles; v++) append(&o, vs, vehicle_json(&o, L, v, &d));
    cv__live_day_fini(&d);
    set(&o, root, "vehicles", vs);
    for (uint32_t t = 0; un && sk && t < p->ntasks; t++) {
        if (L->status[t] == CV__LIVE_UNASSIGNED) append(&o, un, task_ref(&o, p, t));
        if (L->status[t] == CV__LIVE_SKIPPED) append(&o, sk, task_ref(&o, p, t));
    }
    set(&o, root, "unassigned", un);
    set(&o, root, "skipped", sk);
    for (uint32_t i = 0; ur && i < L->nextra; i++) {
        const cv__live_extra *e = &L->extra[i];
        json_t *j = json_object(), *skills = json_array();
        if (!j || !skills) {
            o.failed = true;
            json_decref(j), json_decref(skills);
            break;
        }
        set(&o, j, "id", json_integer((json_int_t)e->req.id));
        set(&o, j, "time", json_integer(e->req.time));
        set(&o, j, "deadline", json_integer(e->req.deadline_s));
        set(&o, j, "location_index", json_integer(e->req.loc));
        if (e->req.at_coords) set(&o, j, "location", json_pack("[f, f]", e->req.lon, e->req.lat));
        set(&o, j, "service", json_integer(e->req.service));
        set(&o, j, "setup", json_integer(e->req.setup));
        set(&o, j, "priority", json_integer(e->req.priority));
        if (e->req.margin_s != CV_LIVE_MARGIN_DEFAULT)
            set(&o, j, "margin", json_integer(e->req.margin_s));
        for (uint32_t s = 0; s < e->req.nskills; s++)
            append(&o, skills, json_integer(e->req.skills[s]));
        set(&o, j, "skills", skills);
        for (int list = 0; list < 2; list++) {
            uint32_t n = list ? e->req.nforbidden : e->req.nallowed;
            if (!n) continue;
            json_t *a = json_array();
            for (uint32_t i = 0; a && i < n; i++)
                append(&o, a,
                       json_integer((json_int_t)(list ? e->req.forbidden : e->req.allowed)[i]));
            set(&o, j, list ? "forbidden_vehicles" : "allowed_vehicles", a);
        }
        append(&o, ur, j);
    }
    set(&o, root, "urgent", ur);
    if (L->base->nlocs > L->nlocs0) set(&o, root, "added_locations", cv__live_added_json(L));
    return finish(&o, root, text);
}

/* ---- Reading ---- */

cv_status cv_live_urgent_from_json(const json_t *o, const char *path, const cv_problem *p,
                                   cv_live_urgent *q, cv_diag *diag)
{
    static const char *const known[] = {"type",
                                        "id",
                                        "time",
                                        "deadline",
                                        "location_index",
                                        "location",
                                        "service",
                                        "setup",
                                        "skills",
                                        "priority",
                                        "description",
                                        "allowed_vehicles",
                                        "forbidden_vehicles",
                                        "margin",
                                        NULL};
    char sub[256];
    cv_status st;
    if ((st = cv__json_object(o, path, diag)) || (st = cv__json_known_keys(o, path, known, diag)))
        return st;
    memset(q, 0, sizeof *q);
    q->priority = 100;
    int64_t id = -1, time = -1, deadline = -1, loc = -1, prio = 100;
    q->margin_s = CV_LIVE_MARGIN_DEFAULT;
    if ((st = cv__json_opt_int(o, path, "margin", 0, 86399, &q->margin_s, diag)) ||
        (st = cv__json_opt_int(o, path, "id", 0, INT64_MAX, &id, diag)) ||
        (st = cv__json_opt_int(o, path, "time", 0, CV_TIME_MAX, &time, diag)) ||
        (st = cv__json_opt_int(o, path, "deadline", 1, 86400, &deadline, diag)) ||
        (st = cv__json_opt_int(o, path, "location_index", 0, UINT32_MAX - 1, &loc, diag)) ||
        (st = cv__json_opt_int(o, path, "service", 0, 86400, &q->service, diag)) ||
        (st = cv__json_opt_int(o, path, "setup", 0, 86400, &q->setup, diag)) ||
        (st = cv__json_opt_int(o, path, "priority", 0, 100, &prio, diag)))
        return st;
    const char *missing = id < 0 ? "id" : time < 0 ? "time" : deadline < 0 ? "deadline" : NULL;
    if (missing) {
        cv__json_path_key(sub, sizeof sub, path, missing);
        return cv_diag_set(diag, "%s: required", sub);
    }
    if (q->margin_s >= deadline) {
        cv__json_path_key(sub, sizeof sub, path, "margin");
        return cv_diag_set(diag, "%s: %lld s leaves no time before the deadline (%lld s)", sub,
                           (long long)q->margin_s, (long long)deadline);
    }
    json_t *ll = json_object_get(o, "location");
    if (ll) {
        cv__json_path_key(sub, sizeof sub, path, "location");
        double c[2];
        if ((st = cv__json_array(ll, sub, 2, diag))) return st;
        for (int i = 0; i < 2; i++) {
            char s2[280];
            cv__json_path_index(s2, sizeof s2, sub, (size_t)i);
            if ((st = cv__json_number(json_array_get(ll, (size_t)i), s2, -180, 180, &c[i], diag)))
                return st;
        }
        if (c[1] < -90 || c[1] > 90)
            return cv_diag_set(diag, "%s[1]: latitude %g is not in -90..90", sub, c[1]);
        /* A client's home is a location of the day: match within ~50 m;
         * elsewhere the live day routes to the point on its road graph.
         * The coordinates are kept either way (the persisted form). */
        q->at_coords = true;
        q->lon = c[0];
        q->lat = c[1];
        for (uint32_t i = 0; i < p->nlocs && loc < 0; i++) {
            if (!p->locs[i].has_coords) continue;
            double dx = (p->locs[i].lon - c[0]) * 96000.0, dy = (p->locs[i].lat - c[1]) * 111000.0;
            if (dx * dx + dy * dy <= 50.0 * 50.0) {
                loc = i;
                break;
            }
        }
    }
    if (loc < 0 && !q->at_coords) {
        cv__json_path_key(sub, sizeof sub, path, "location_index");
        return cv_diag_set(diag, "%s: required (or location)", sub);
    }
    json_t *sk = json_object_get(o, "skills");
    if (sk) {
        cv__json_path_key(sub, sizeof sub, path, "skills");
        if ((st = cv__json_array(sk, sub, SIZE_MAX, diag))) return st;
        if (json_array_size(sk) > 8) return cv_diag_set(diag, "%s: at most 8 skills", sub);
        for (size_t i = 0; i < json_array_size(sk); i++) {
            char s2[280];
            int64_t v;
            cv__json_path_index(s2, sizeof s2, sub, i);
            if ((st = cv__json_int(json_array_get(sk, i), s2, 0, UINT32_MAX - 1, &v, diag)))
                return st;
            q->skills[q->nskills++] = (uint32_t)v;
        }
        /* Sorted unique, as the problem model keeps skills. */
        for (uint32_t i = 1; i < q->nskills; i++)
            for (uint32_t j = i; j > 0 && q->skills[j] < q->skills[j - 1]; j--) {
                uint32_t x = q->skills[j];
                q->skills[j] = q->skills[j - 1];
                q->skills[j - 1] = x;
            }
        uint32_t m = 0;
        for (uint32_t i = 0; i < q->nskills; i++)
            if (m == 0 || q->skills[i] != q->skills[m - 1]) q->skills[m++] = q->skills[i];
        q->nskills = m;
    }
    for (int list = 0; list < 2; list++) {
        const char *key = list ? "forbidden_vehicles" : "allowed_vehicles";
        json_t *vl = json_object_get(o, key);
        if (!vl) continue;
        cv__json_path_key(sub, sizeof sub, path, key);
        if ((st = cv__json_array(vl, sub, SIZE_MAX, diag))) return st;
        if (json_array_size(vl) > CV_LIVE_MAX_VEHICLE_LIST)
            return cv_diag_set(diag, "%s: at most %d vehicles", sub, CV_LIVE_MAX_VEHICLE_LIST);
        uint64_t *ids = list ? q->forbidden : q->allowed;
        uint32_t *n = list ? &q->nforbidden : &q->nallowed;
        for (size_t i = 0; i < json_array_size(vl); i++) {
            char s2[280];
            int64_t v;
            cv__json_path_index(s2, sizeof s2, sub, i);
            if ((st = cv__json_int(json_array_get(vl, i), s2, 0, INT64_MAX, &v, diag))) return st;
            if (p && cv__live_find_vehicle(p, (uint64_t)v) == CV_NONE)
                return cv_diag_set(diag, "%s: no vehicle %lld in the day", s2, (long long)v);
            ids[(*n)++] = (uint64_t)v;
        }
    }
    q->id = (uint64_t)id;
    q->time = time;
    q->deadline_s = deadline;
    q->loc = loc < 0 ? CV_NONE : (uint32_t)loc;
    q->priority = (uint32_t)prio;
    return CV_OK;
}

cv_status cv_live_event_from_json(const json_t *o, const char *path, cv_live_event *ev,
                                  cv_diag *diag)
{
    static const char *const known[] = {"type",     "time",           "vehicle",  "job", "pickup",
                                        "delivery", "location_index", "location", NULL};
    char sub[256];
    cv_status st;
    if ((st = cv__json_object(o, path, diag))) return st;
    memset(ev, 0, sizeof *ev);
    ev->loc = CV_NONE;
    const char *ty = json_string_value(json_object_get(o, "type"));
    cv__json_path_key(sub, sizeof sub, path, "type");
    if (!ty) return cv_diag_set(diag, "%s: a string is required", sub);
    if (!strcmp(ty, "visit.start"))
        ev->kind = CV_LIVE_VISIT_START;
    else if (!strcmp(ty, "visit.done"))
        ev->kind = CV_LIVE_VISIT_DONE;
    else if (!strcmp(ty, "visit.skipped"))
        ev->kind = CV_LIVE_VISIT_SKIPPED;
    else if (!strcmp(ty, "vehicle.position"))
        ev->kind = CV_LIVE_POSITION;
    else
        return cv_diag_set(diag,
                           "%s: \"%s\" is not visit.start, visit.done, visit.skipped or "
                           "vehicle.position",
                           sub, ty);
    if ((st = cv__json_known_keys(o, path, known, diag))) return st;
    int64_t time = -1, vehicle = -1;
    if ((st = cv__json_opt_int(o, path, "time", 0, CV_TIME_MAX, &time, diag)) ||
        (st = cv__json_opt_int(o, path, "vehicle", 0, INT64_MAX, &vehicle, diag)))
        return st;
    if (time < 0 || vehicle < 0) {
        cv__json_path_key(sub, sizeof sub, path, time < 0 ? "time" : "vehicle");
        return cv_diag_set(diag, "%s: required", sub);
    }
    ev->time = time;
    ev->vehicle = (uint64_t)vehicle;
    if (ev->kind == CV_LIVE_POSITION) {
        int64_t loc = -1;
        if ((st = cv__json_opt_int(o, path, "location_index", 0, UINT32_MAX - 1, &loc, diag)))
            return st;
        json_t *ll = json_object_get(o, "location");
        if (loc >= 0) {
            ev->loc = (uint32_t)loc;
        } else if (ll) {
            cv__json_path_key(sub, sizeof sub, path, "location");
            if ((st = cv__json_array(ll, sub, 2, diag))) return st;
            char s2[280];
            cv__json_path_index(s2, sizeof s2, sub, 0);
            if ((st = cv__json_number(json_array_get(ll, 0), s2, -180, 180, &ev->lon, diag)))
                return st;
            cv__json_path_index(s2, sizeof s2, sub, 1);
            if ((st = cv__json_number(json_array_get(ll, 1), s2, -90, 90, &ev->lat, diag)))
                return st;
        } else {
            cv__json_path_key(sub, sizeof sub, path, "location_index");
            return cv_diag_set(diag, "%s: required (or location [lon, lat])", sub);
        }
        return CV_OK;
    }
    static const char *const keys[3] = {"job", "pickup", "delivery"};
    int found = -1;
    for (int i = 0; i < 3; i++)
        if (json_object_get(o, keys[i])) {
            if (found >= 0) return cv_diag_set(diag, "%s: give one of job, pickup, delivery", path);
            found = i;
        }
    if (found < 0) {
        cv__json_path_key(sub, sizeof sub, path, "job");
        return cv_diag_set(diag, "%s: required (the visit's id; or pickup / delivery)", sub);
    }
    int64_t id;
    cv__json_path_key(sub, sizeof sub, path, keys[found]);
    if ((st = cv__json_int(json_object_get(o, keys[found]), sub, 0, INT64_MAX, &id, diag)))
        return st;
    ev->task = (uint64_t)id;
    ev->task_kind = found == 0 ? CV_TASK_JOB : found == 1 ? CV_TASK_PICKUP : CV_TASK_DELIVERY;
    return CV_OK;
}

cv_status cv_live_restore(cv_live **out, const cv_problem *p, const char *state_json, size_t len,
                          cv_diag *diag)
{
    json_error_t je;
    json_t *root = json_loadb(state_json, len, 0, &je);
    if (!root) return cv_diag_set(diag, "live state: not JSON: %s", je.text);
    cv_live *L = NULL;
    int64_t now = 0, changes = 0;
    cv_status st;
    if ((st = cv__json_opt_int(root, "live", "now", 0, CV_TIME_MAX, &now, diag)) ||
        (st = cv__json_opt_int(root, "live", "changes", 0, UINT32_MAX, &changes, diag)) ||
        (st = cv__live_new(&L, p, now, diag)))
        goto out;
    L->changes = (uint32_t)changes;
    if ((st = cv__live_added_read(L, json_object_get(root, "added_locations"), diag))) goto out;
    json_t *ur = json_object_get(root, "urgent"), *u;
    size_t i;
    json_array_foreach(ur, i, u)
    {
        char path[64];
        snprintf(path, sizeof path, "live.urgent[%zu]", i);
        cv_live_urgent q;
        uint32_t t;
        if ((st = cv_live_urgent_from_json(u, path, L->p, &q, diag)) ||
            (st = cv__live_add_extra(L, &q, q.time, q.time + q.deadline_s, &t)))
            goto out;
    }
    if ((st = cv__live_read_routes(L, json_object_get(root, "vehicles"), "live.vehicles", true,
                                   diag)))
        goto out;
    json_t *vs = json_object_get(root, "vehicles"), *v;
    json_array_foreach(vs, i, v)
    {
        json_t *pos = json_object_get(v, "position");
        if (!pos) continue;
        uint32_t vi =
            cv__live_find_vehicle(L->p, (uint64_t)json_integer_value(json_object_get(v, "id")));
        int64_t loc = -1, t = -1;
        if ((st = cv__json_opt_int(pos, "live.vehicles[].position", "location_index", 0,
                                   (int64_t)L->p->nlocs - 1, &loc, diag)) ||
            (st = cv__json_opt_int(pos, "live.vehicles[].position", "time", 0, CV_TIME_MAX, &t,
                                   diag)))
            goto out;
        if (loc >= 0 && t >= 0) {
            L->routes[vi].has_pos = true;
            L->routes[vi].pos_loc = (uint32_t)loc;
            L->routes[vi].pos_time = t;
        }
    }
    json_t *sk = json_object_get(root, "skipped"), *s;
    json_array_foreach(sk, i, s)
    {
        const char *ty = json_string_value(json_object_get(s, "type"));
        cv_task_kind k = ty && !strcmp(ty, "pickup")     ? CV_TASK_PICKUP
                         : ty && !strcmp(ty, "delivery") ? CV_TASK_DELIVERY
                                                         : CV_TASK_JOB;
        uint32_t t =
            cv__live_find_task(L->p, k, (uint64_t)json_integer_value(json_object_get(s, "id")));
        if (t == CV_NONE) {
            st = cv_diag_set(diag, "live.skipped[%zu]: no such task", i);
            goto out;
        }
        L->status[t] = CV__LIVE_SKIPPED;
    }
out:
    json_decref(root);
    if (st != CV_OK) {
        cv_live_destroy(L);
        return st;
    }
    *out = L;
    return CV_OK;
}

uint32_t cv_live_changed_vehicles(const char *before, const char *after, uint64_t *ids,
                                  uint32_t cap)
{
    json_t *a = json_loads(before ? before : "{}", 0, NULL), *b = json_loads(after, 0, NULL);
    uint32_t n = 0;
    json_t *vb = json_object_get(b, "vehicles"), *x;
    size_t i;
    json_array_foreach(vb, i, x)
    {
        json_t *id = json_object_get(x, "id"), *y, *old = NULL;
        size_t j;
        json_array_foreach(json_object_get(a, "vehicles"), j,
                           y) if (json_equal(json_object_get(y, "id"), id)) old = y;
        if (old && json_equal(json_object_get(old, "steps"), json_object_get(x, "steps"))) continue;
        if (n < cap) ids[n] = (uint64_t)json_integer_value(id);
        n++;
    }
    json_decref(a);
    json_decref(b);
    return n < cap ? n : cap;
}
