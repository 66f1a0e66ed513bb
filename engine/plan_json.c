/* Plan -> VROOM-shaped JSON.  Only formatting: every number comes from the
 * plan as its builder computed it.  Fields follow VROOM's output (code,
 * summary, unassigned, routes with steps); our additions are documented in
 * README: unassigned[].reason / .explanation, summary.lower_bound / gap. */
#include "cv/engine.h"

#include <jansson.h>
#include <stdlib.h>

/* jansson returns NULL on allocation failure; one flag records it so that the
 * building code stays readable and the failure is still reported. */
typedef struct out {
    bool failed;
} out;

static json_t *chk(out *o, json_t *v)
{
    if (!v) o->failed = true;
    return v;
}

static void set(out *o, json_t *obj, const char *key, json_t *v)
{
    if (!v || json_object_set_new(obj, key, v) != 0) o->failed = true;
}

static void append(out *o, json_t *arr, json_t *v)
{
    if (!v || json_array_append_new(arr, v) != 0) o->failed = true;
}

static json_t *amount_json(out *o, const int64_t *a, uint32_t n)
{
    json_t *arr = chk(o, json_array());
    if (!arr) return NULL;
    for (uint32_t i = 0; i < n; i++) append(o, arr, json_integer(a[i]));
    return arr;
}

static void add_location(out *o, json_t *obj, const cv_problem *p, uint32_t loc)
{
    if (loc == CV_NONE) return;
    if (p->locs && loc < p->nlocs && p->locs[loc].has_coords) {
        json_t *c = chk(o, json_array());
        if (c) {
            append(o, c, json_real(p->locs[loc].lon));
            append(o, c, json_real(p->locs[loc].lat));
        }
        set(o, obj, "location", c);
    }
    if (p->uses_indices) set(o, obj, "location_index", json_integer(loc));
}

static const char *task_step_type(const cv_task *t)
{
    return t->kind == CV_TASK_JOB ? "job" : t->kind == CV_TASK_PICKUP ? "pickup" : "delivery";
}

static json_t *step_json(out *o, const cv_plan *plan, const cv_problem *p, const cv_vehicle *v,
                         const cv_plan_step *s)
{
    json_t *j = chk(o, json_object());
    if (!j) return NULL;
    set(o, j, "type", json_string(cv_step_type_name(s->type)));
    add_location(o, j, p, s->loc);
    if (s->type == CV_STEP_BREAK) {
        const cv_break *b = &p->breaks[v->break_first + s->index];
        set(o, j, "id", json_integer((json_int_t)b->id));
        if (b->description) set(o, j, "description", json_string(b->description));
    } else if (s->type != CV_STEP_START && s->type != CV_STEP_END) {
        const cv_task *t = &p->tasks[s->index];
        set(o, j, "id", json_integer((json_int_t)t->id));
        if (t->description) set(o, j, "description", json_string(t->description));
    }
    set(o, j, "setup", json_integer(s->setup));
    set(o, j, "service", json_integer(s->service));
    set(o, j, "waiting_time", json_integer(s->waiting));
    if (p->ndims) set(o, j, "load", amount_json(o, plan->loads + s->load_off, p->ndims));
    set(o, j, "arrival", json_integer(s->arrival));
    set(o, j, "duration", json_integer(s->duration));
    set(o, j, "distance", json_integer(s->distance));
    set(o, j, "violations", json_array());
    return j;
}

/* Sums the delivery (resp. pickup) amounts of the route's tasks: for jobs their
 * own amounts, for shipments the amount once on each side. */
static void route_amounts(const cv_plan *plan, const cv_problem *p, const cv_plan_route *r,
                          int64_t *delivery, int64_t *pickup)
{
    for (uint32_t d = 0; d < p->ndims; d++) delivery[d] = pickup[d] = 0;
    for (uint32_t k = 0; k < r->step_count; k++) {
        const cv_plan_step *s = &plan->steps[r->step_first + k];
        if (s->type != CV_STEP_JOB && s->type != CV_STEP_PICKUP && s->type != CV_STEP_DELIVERY)
            continue;
        const cv_task *t = &p->tasks[s->index];
        const int64_t *td = cv_task_delivery(p, t), *tp = cv_task_pickup(p, t);
        for (uint32_t d = 0; d < p->ndims; d++) {
            delivery[d] += td[d];
            pickup[d] += tp[d];
        }
    }
}

cv_status cv_plan_to_json(const cv_plan *plan, const cv_problem *p, char **result)
{
    out o = {false};
    json_t *root = json_object();
    if (!root) return CV_ENOMEM;
    int64_t delivery[CV_MAX_AMOUNT_DIMS], pickup[CV_MAX_AMOUNT_DIMS];
    int64_t tot_delivery[CV_MAX_AMOUNT_DIMS] = {0}, tot_pickup[CV_MAX_AMOUNT_DIMS] = {0};

    json_t *routes = chk(&o, json_array());
    for (uint32_t ri = 0; routes && ri < plan->nroutes; ri++) {
        const cv_plan_route *r = &plan->routes[ri];
        const cv_vehicle *v = &p->vehicles[r->vehicle];
        json_t *jr = chk(&o, json_object());
        if (!jr) break;
        set(&o, jr, "vehicle", json_integer((json_int_t)v->id));
        set(&o, jr, "cost", json_integer(r->cost));
        set(&o, jr, "setup", json_integer(r->setup));
        set(&o, jr, "service", json_integer(r->service));
        set(&o, jr, "duration", json_integer(r->duration));
        set(&o, jr, "waiting_time", json_integer(r->waiting));
        set(&o, jr, "priority", json_integer(r->priority));
        set(&o, jr, "distance", json_integer(r->distance));
        if (p->ndims) {
            route_amounts(plan, p, r, delivery, pickup);
            for (uint32_t d = 0; d < p->ndims; d++) {
                tot_delivery[d] += delivery[d];
                tot_pickup[d] += pickup[d];
            }
            set(&o, jr, "delivery", amount_json(&o, delivery, p->ndims));
            set(&o, jr, "pickup", amount_json(&o, pickup, p->ndims));
        }
        if (v->description) set(&o, jr, "description", json_string(v->description));
        if (r->geometry) set(&o, jr, "geometry", json_string(r->geometry));
        json_t *steps = chk(&o, json_array());
        for (uint32_t k = 0; steps && k < r->step_count; k++)
            append(&o, steps, step_json(&o, plan, p, v, &plan->steps[r->step_first + k]));
        set(&o, jr, "steps", steps);
        set(&o, jr, "violations", json_array());
        append(&o, routes, jr);
    }

    json_t *un = chk(&o, json_array());
    for (uint32_t i = 0; un && i < plan->nunassigned; i++) {
        const cv_task *t = &p->tasks[plan->unassigned[i].task];
        json_t *ju = chk(&o, json_object());
        if (!ju) break;
        set(&o, ju, "id", json_integer((json_int_t)t->id));
        set(&o, ju, "type", json_string(task_step_type(t)));
        add_location(&o, ju, p, t->loc);
        if (t->description) set(&o, ju, "description", json_string(t->description));
        set(&o, ju, "reason", json_string(cv_reason_key(plan->unassigned[i].reason)));
        set(&o, ju, "explanation", json_string(cv_reason_message(plan->unassigned[i].reason)));
        append(&o, un, ju);
    }

    json_t *sum = chk(&o, json_object());
    if (sum) {
        set(&o, sum, "cost", json_integer(plan->cost));
        set(&o, sum, "routes", json_integer(plan->nroutes));
        set(&o, sum, "unassigned", json_integer(plan->nunassigned));
        if (p->ndims) {
            set(&o, sum, "delivery", amount_json(&o, tot_delivery, p->ndims));
            set(&o, sum, "pickup", amount_json(&o, tot_pickup, p->ndims));
        }
        set(&o, sum, "setup", json_integer(plan->setup));
        set(&o, sum, "service", json_integer(plan->service));
        set(&o, sum, "duration", json_integer(plan->duration));
        set(&o, sum, "waiting_time", json_integer(plan->waiting));
        set(&o, sum, "priority", json_integer(plan->priority));
        set(&o, sum, "distance", json_integer(plan->distance));
        if (cv_problem_uses_care_extensions(p))
            set(&o, sum, "working_time_spread", json_integer(plan->working_time_spread));
        set(&o, sum, "violations", json_array());
        if (plan->lower_bound >= 0) {
            set(&o, sum, "lower_bound", json_real(plan->lower_bound));
            /* gap = (cost - bound) / bound: the plan is at most this far above the
             * best possible, since best >= bound */
            if (plan->lower_bound > 0)
                set(&o, sum, "gap",
                    json_real(((double)plan->cost - plan->lower_bound) / plan->lower_bound));
            if (plan->bound_relaxation)
                set(&o, sum, "lower_bound_relaxation", json_string(plan->bound_relaxation));
        }
        if (plan->min_vehicles) set(&o, sum, "min_vehicles", json_integer(plan->min_vehicles));
        json_t *ct = chk(&o, json_object());
        if (ct) {
            set(&o, ct, "loading", json_integer(plan->ms_loading));
            set(&o, ct, "solving", json_integer(plan->ms_solving));
            set(&o, ct, "routing", json_integer(plan->ms_routing));
        }
        set(&o, sum, "computing_times", ct);
    }
    set(&o, root, "code", json_integer(0));
    set(&o, root, "summary", sum);
    set(&o, root, "unassigned", un);
    set(&o, root, "routes", routes);
    char *text = o.failed ? NULL : json_dumps(root, JSON_COMPACT | JSON_REAL_PRECISION(10));
    json_decref(root);
    if (!text) return CV_ENOMEM;
    *result = text;
    return CV_OK;
}
