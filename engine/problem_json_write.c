/* cv_problem -> VROOM JSON (used by `carevan convert` and scenario writers).
 * The output reads back with cv_problem_from_json into an equal problem. */
#include "cv/engine.h"

#include <jansson.h>
#include <stdlib.h>

typedef struct w {
    bool failed;
} w;

static void set(w *o, json_t *obj, const char *key, json_t *v)
{
    if (!v || json_object_set_new(obj, key, v) != 0) o->failed = true;
}

static void append(w *o, json_t *arr, json_t *v)
{
    if (!v || json_array_append_new(arr, v) != 0) o->failed = true;
}

static json_t *ints(w *o, const int64_t *a, uint32_t n)
{
    json_t *arr = json_array();
    if (!arr) o->failed = true;
    for (uint32_t i = 0; arr && i < n; i++) append(o, arr, json_integer(a[i]));
    return arr;
}

static json_t *tws(w *o, const cv_problem *p, uint32_t first, uint32_t count)
{
    json_t *arr = json_array();
    if (!arr) o->failed = true;
    for (uint32_t i = 0; arr && i < count; i++) {
        json_t *tw = json_array();
        if (tw) {
            append(o, tw, json_integer(p->tws[first + i].start));
            append(o, tw, json_integer(p->tws[first + i].end));
        }
        append(o, arr, tw);
    }
    return arr;
}

static bool unbounded(const cv_problem *p, uint32_t first, uint32_t count)
{
    return count == 1 && p->tws[first].start == 0 && p->tws[first].end == CV_TIME_MAX;
}

static json_t *skills(w *o, const cv_problem *p, uint32_t first, uint32_t count)
{
    json_t *arr = json_array();
    if (!arr) o->failed = true;
    for (uint32_t i = 0; arr && i < count; i++) append(o, arr, json_integer(p->skills[first + i]));
    return arr;
}

static void location(w *o, json_t *obj, const cv_problem *p, uint32_t loc, const char *coord_key,
                     const char *index_key)
{
    if (loc == CV_NONE) return;
    if (p->uses_indices) set(o, obj, index_key, json_integer(loc));
    if (p->locs[loc].has_coords) {
        json_t *c = json_array();
        if (c) {
            append(o, c, json_real(p->locs[loc].lon));
            append(o, c, json_real(p->locs[loc].lat));
        }
        set(o, obj, coord_key, c);
    }
}

static void task_fields(w *o, json_t *obj, const cv_problem *p, const cv_task *t)
{
    set(o, obj, "id", json_integer((json_int_t)t->id));
    if (t->description) set(o, obj, "description", json_string(t->description));
    location(o, obj, p, t->loc, "location", "location_index");
    if (t->setup) set(o, obj, "setup", json_integer(t->setup));
    if (t->service) set(o, obj, "service", json_integer(t->service));
    if (!unbounded(p, t->tw_first, t->tw_count))
        set(o, obj, "time_windows", tws(o, p, t->tw_first, t->tw_count));
}

static json_t *matrix(w *o, const uint32_t *m, uint32_t n)
{
    json_t *rows = json_array();
    if (!rows) o->failed = true;
    for (uint32_t i = 0; rows && i < n; i++) {
        json_t *row = json_array();
        for (uint32_t j = 0; row && j < n; j++) append(o, row, json_integer(m[(size_t)i * n + j]));
        append(o, rows, row);
    }
    return rows;
}

static json_t *vehicle_ids(w *o, const cv_problem *p, uint32_t first, uint32_t count)
{
    json_t *arr = json_array();
    if (!arr) o->failed = true;
    for (uint32_t i = 0; arr && i < count; i++)
        append(o, arr, json_integer((json_int_t)p->vehicles[p->vehicle_refs[first + i]].id));
    return arr;
}

/* Care extensions of a job (docs/care-extensions.md). */
static void care_task_fields(w *o, json_t *j, const cv_problem *p, const cv_task *t)
{
    if (t->group_size > 1) set(o, j, "workers", json_integer(t->group_size));
    if (t->max_lateness) {
        json_t *l = json_object();
        if (l) {
            set(o, l, "max", json_integer(t->max_lateness));
            set(o, l, "per_hour", json_integer(t->lateness_per_hour));
        }
        set(o, j, "lateness", l);
    }
    if (t->allowed_count)
        set(o, j, "allowed_vehicles", vehicle_ids(o, p, t->allowed_first, t->allowed_count));
    if (t->forbidden_count)
        set(o, j, "forbidden_vehicles", vehicle_ids(o, p, t->forbidden_first, t->forbidden_count));
    if (t->preferred_count)
        set(o, j, "preferred_vehicles", vehicle_ids(o, p, t->preferred_first, t->preferred_count));
    if (t->preference_cost) set(o, j, "preference_cost", json_integer(t->preference_cost));
}

/* Multi-day fields of a job (docs/care-extensions.md, "Several days"). */
static void periodic_task_fields(w *o, json_t *j, const cv_problem *p, const cv_task *t)
{
    if (!p->horizon_days) return;
    if (t->frequency != 1) set(o, j, "frequency", json_integer(t->frequency));
    if (t->min_spacing) set(o, j, "min_spacing", json_integer(t->min_spacing));
    if (t->max_vehicles) set(o, j, "max_vehicles", json_integer(t->max_vehicles));
    if (!t->pattern_count) return;
    json_t *pats = json_array();
    if (!pats) o->failed = true;
    for (uint32_t i = 0; pats && i < t->pattern_count; i++) {
        json_t *days = json_array();
        for (uint32_t d = 0; days && d < p->horizon_days; d++)
            if (p->day_patterns[t->pattern_first + i] >> d & 1) append(o, days, json_integer(d));
        append(o, pats, days);
    }
    set(o, j, "day_patterns", pats);
}

static void periodic_vehicle_fields(w *o, json_t *j, const cv_problem *p, const cv_vehicle *v)
{
    if (!p->horizon_days || !v->shift_count) return;
    json_t *arr = json_array();
    if (!arr) o->failed = true;
    for (uint32_t i = 0; arr && i < v->shift_count; i++) {
        const cv_shift *sh = &p->shifts[v->shift_first + i];
        append(o, arr,
               json_pack("{s:I,s:[I,I]}", "day", (json_int_t)sh->day, "time_window",
                         (json_int_t)sh->tw.start, (json_int_t)sh->tw.end));
    }
    set(o, j, "shifts", arr);
}

static void care_problem_fields(w *o, json_t *root, const cv_problem *p)
{
    json_t *rels = NULL;
    for (uint32_t i = 0; i < p->nrelations; i++) {
        const cv_relation *r = &p->relations[i];
        const cv_task *a = &p->tasks[r->first], *b = &p->tasks[r->second];
        /* relations made by "workers" are written as that field */
        if (a->group_size > 1 && a->group_first == b->group_first) continue;
        if (!rels && !(rels = json_array())) {
            o->failed = true;
            return;
        }
        json_t *j = json_object();
        if (!j) {
            o->failed = true;
            break;
        }
        set(o, j, "type", json_string(r->kind == CV_REL_TOGETHER ? "together" : "precedence"));
        set(o, j, "first", json_integer((json_int_t)a->id));
        set(o, j, "second", json_integer((json_int_t)b->id));
        if (r->kind == CV_REL_PRECEDENCE) {
            set(o, j, "min_gap", json_integer(r->min_gap));
            if (r->max_gap != CV_TIME_MAX) set(o, j, "max_gap", json_integer(r->max_gap));
            if (r->distinct) set(o, j, "distinct_workers", json_true());
        }
        append(o, rels, j);
    }
    if (rels) set(o, root, "relations", rels);
    if (p->fairness_per_hour) {
        json_t *f = json_object();
        if (f) set(o, f, "per_hour", json_integer(p->fairness_per_hour));
        set(o, root, "fairness", f);
    }
}

cv_status cv_problem_to_json(const cv_problem *p, char **out)
{
    w o = {false};
    json_t *root = json_object(), *jobs = json_array(), *ships = json_array(), *vehs = json_array();
    if (!root || !jobs || !ships || !vehs) o.failed = true;
    for (uint32_t i = 0; !o.failed && i < p->ntasks; i++) {
        const cv_task *t = &p->tasks[i];
        if (t->kind == CV_TASK_JOB) {
            if (t->group_size > 1 && t->group_first != i) continue; /* written once */
            json_t *j = json_object();
            if (!j) {
                o.failed = true;
                break;
            }
            task_fields(&o, j, p, t);
            if (p->ndims) {
                set(&o, j, "delivery", ints(&o, cv_task_delivery(p, t), p->ndims));
                set(&o, j, "pickup", ints(&o, cv_task_pickup(p, t), p->ndims));
            }
            if (t->skill_count) set(&o, j, "skills", skills(&o, p, t->skill_first, t->skill_count));
            if (t->priority) set(&o, j, "priority", json_integer(t->priority));
            care_task_fields(&o, j, p, t);
            periodic_task_fields(&o, j, p, t);
            append(&o, jobs, j);
        } else if (t->kind == CV_TASK_PICKUP) {
            const cv_task *d = &p->tasks[t->sibling];
            json_t *s = json_object(), *pj = json_object(), *dj = json_object();
            if (!s || !pj || !dj) {
                json_decref(s);
                json_decref(pj);
                json_decref(dj);
                o.failed = true;
                break;
            }
            task_fields(&o, pj, p, t);
            task_fields(&o, dj, p, d);
            set(&o, s, "pickup", pj);
            set(&o, s, "delivery", dj);
            if (p->ndims) set(&o, s, "amount", ints(&o, cv_task_pickup(p, t), p->ndims));
            if (t->skill_count) set(&o, s, "skills", skills(&o, p, t->skill_first, t->skill_count));
            if (t->priority) set(&o, s, "priority", json_integer(t->priority));
            if (t->max_ride_time) set(&o, s, "max_ride_time", json_integer(t->max_ride_time));
            append(&o, ships, s);
        }
    }
    for (uint32_t i = 0; !o.failed && i < p->nvehicles; i++) {
        const cv_vehicle *v = &p->vehicles[i];
        json_t *j = json_object();
        if (!j) {
            o.failed = true;
            break;
        }
        set(&o, j, "id", json_integer((json_int_t)v->id));
        set(&o, j, "profile", json_string(p->profiles[v->profile].name));
        if (v->description) set(&o, j, "description", json_string(v->description));
        location(&o, j, p, v->start_loc, "start", "start_index");
        location(&o, j, p, v->end_loc, "end", "end_index");
        if (p->ndims) set(&o, j, "capacity", ints(&o, cv_vehicle_capacity(p, v), p->ndims));
        if (v->skill_count) set(&o, j, "skills", skills(&o, p, v->skill_first, v->skill_count));
        if (!(v->tw.start == 0 && v->tw.end == CV_TIME_MAX)) {
            json_t *tw = json_array();
            if (tw) {
                append(&o, tw, json_integer(v->tw.start));
                append(&o, tw, json_integer(v->tw.end));
            }
            set(&o, j, "time_window", tw);
        }
        if (v->fixed_cost || v->per_hour != 3600 || v->per_km) {
            json_t *c = json_object();
            if (c) {
                set(&o, c, "fixed", json_integer(v->fixed_cost));
                set(&o, c, "per_hour", json_integer(v->per_hour));
                set(&o, c, "per_km", json_integer(v->per_km));
            }
            set(&o, j, "costs", c);
        }
        if (v->speed_factor != 1.0) set(&o, j, "speed_factor", json_real(v->speed_factor));
        if (v->max_tasks != UINT32_MAX) set(&o, j, "max_tasks", json_integer(v->max_tasks));
        if (v->max_travel_time != CV_TIME_MAX)
            set(&o, j, "max_travel_time", json_integer(v->max_travel_time));
        if (v->max_distance != CV_TIME_MAX)
            set(&o, j, "max_distance", json_integer(v->max_distance));
        if (v->max_working_time) set(&o, j, "max_working_time", json_integer(v->max_working_time));
        if (v->overtime_per_hour) {
            json_t *ot = json_object();
            if (ot) {
                set(&o, ot, "after", json_integer(v->overtime_after));
                set(&o, ot, "per_hour", json_integer(v->overtime_per_hour));
            }
            set(&o, j, "overtime", ot);
        }
        if (v->break_count) {
            json_t *bs = json_array();
            for (uint32_t b = 0; bs && b < v->break_count; b++) {
                const cv_break *br = &p->breaks[v->break_first + b];
                json_t *bj = json_object();
                if (!bj) {
                    o.failed = true;
                    break;
                }
                set(&o, bj, "id", json_integer((json_int_t)br->id));
                if (!unbounded(p, br->tw_first, br->tw_count))
                    set(&o, bj, "time_windows", tws(&o, p, br->tw_first, br->tw_count));
                set(&o, bj, "service", json_integer(br->service));
                if (br->description) set(&o, bj, "description", json_string(br->description));
                if (br->unpaid) set(&o, bj, "paid", json_false());
                if (br->has_max_load)
                    set(&o, bj, "max_load", ints(&o, p->amounts + br->max_load_off, p->ndims));
                append(&o, bs, bj);
            }
            set(&o, j, "breaks", bs);
        }
        periodic_vehicle_fields(&o, j, p, v);
        append(&o, vehs, j);
    }
    if (!o.failed) {
        set(&o, root, "vehicles", vehs);
        vehs = NULL;
        if (p->njobs) set(&o, root, "jobs", jobs), jobs = NULL;
        if (p->nshipments) set(&o, root, "shipments", ships), ships = NULL;
        care_problem_fields(&o, root, p);
        if (p->horizon_days)
            set(&o, root, "horizon",
                json_pack("{s:I,s:b}", "days", (json_int_t)p->horizon_days, "cyclic",
                          (int)p->horizon_cyclic));
        if (p->uses_indices && cv_problem_has_matrices(p)) {
            json_t *ms = json_object();
            for (uint32_t i = 0; ms && i < p->nprofiles; i++) {
                const cv_profile *pr = &p->profiles[i];
                json_t *m = json_object();
                if (!m) {
                    o.failed = true;
                    break;
                }
                set(&o, m, "durations", matrix(&o, pr->durations, p->nlocs));
                if (pr->distances) set(&o, m, "distances", matrix(&o, pr->distances, p->nlocs));
                if (pr->costs) set(&o, m, "costs", matrix(&o, pr->costs, p->nlocs));
                set(&o, ms, pr->name, m);
            }
            set(&o, root, "matrices", ms);
        }
    }
    json_decref(jobs);
    json_decref(ships);
    json_decref(vehs);
    char *text = o.failed ? NULL : json_dumps(root, JSON_COMPACT | JSON_REAL_PRECISION(12));
    json_decref(root);
    if (!text) return CV_ENOMEM;
    *out = text;
    return CV_OK;
}
