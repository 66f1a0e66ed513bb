/* The plan checker for multi-day problems (docs/care-extensions.md, "Several
 * days"): cv_check_json hands a problem with a horizon to this file.
 *
 * A multi-day solution is VROOM's output shape where every route names its
 * `day` (0 .. days-1).  The checker judges it in two layers:
 *   1. each day on its own: the day's routes form an ordinary one-day
 *      solution of the problem with each vehicle's shift of that day as its
 *      time window; the one-day checker (checker.c) recomputes and judges it
 *      completely (the jobs not visited that day are listed as unassigned
 *      for it).  Its messages come back prefixed "day D: " with route
 *      numbers translated to the solution's own routes[i];
 *   2. the horizon rules, checked here from the solution alone:
 *      - a route's vehicle works on the route's day (has a shift then);
 *      - a served job is served on exactly `frequency` distinct days, which
 *        form one of its day_patterns (when given) and keep its min_spacing
 *        (around the end of a cyclic horizon too);
 *      - at most `max_vehicles` distinct vehicles serve a job over the horizon;
 *      - a job served on no day is listed in `unassigned`, and a listed job is
 *        served on no day (all its visits or none).
 * Totals: cost and every other summary field are sums over the days; the
 * report counts jobs (not visits) as assigned or unassigned.
 *
 * Like checker.c it shares no code with the planner (engine/periodic.c): the
 * day view below is built here from the problem's definition.
 *
 * Workload: one one-day check per day, plus O(steps log steps) here.
 */
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checker_int.h"

typedef struct job_key {
    uint64_t id;
    uint32_t task; /* first task of the job (copies of a multi-worker visit follow) */
} job_key;

typedef struct served {
    uint32_t job;    /* index into the job table */
    int64_t vehicle; /* stated vehicle id */
} served;

typedef struct pchecker {
    const cv_problem *p;
    cv_check_report rep;
    char **viol, **mism; /* messages, violations and mismatches kept apart */
    uint32_t nviol, nmism, cap_viol, cap_mism;
    cv_status status;
    job_key *jobs;
    uint32_t njobs;
    uint64_t *mask;   /* per job: days it is served */
    uint32_t *listed; /* per job: entries in unassigned */
    served *visits;   /* one per job step */
    uint32_t nvisits, cap_visits;
} pchecker;

static void add_message(pchecker *c, bool mismatch, char *m)
{
    if (!m) {
        c->status = CV_ENOMEM;
        return;
    }
    char ***arr = mismatch ? &c->mism : &c->viol;
    uint32_t *n = mismatch ? &c->nmism : &c->nviol, *cap = mismatch ? &c->cap_mism : &c->cap_viol;
    if (!cv_array_grow((void **)arr, cap, *n + 1, sizeof **arr)) {
        free(m);
        c->status = CV_ENOMEM;
        return;
    }
    (*arr)[(*n)++] = m;
}

#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
static void
say(pchecker *c, bool mismatch, const char *fmt, ...)
{
    if (c->status != CV_OK) return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *m = n >= 0 ? malloc((size_t)n + 1) : NULL;
    if (m) {
        va_start(ap, fmt);
        vsnprintf(m, (size_t)n + 1, fmt, ap);
        va_end(ap);
    }
    add_message(c, mismatch, m);
}
#define VIOLATION(c, ...) say((c), false, __VA_ARGS__)
#define MISMATCH(c, ...) say((c), true, __VA_ARGS__)

static int cmp_job(const void *a, const void *b)
{
    const job_key *x = a, *y = b;
    return (x->id > y->id) - (x->id < y->id);
}

static int cmp_served(const void *a, const void *b)
{
    const served *x = a, *y = b;
    if (x->job != y->job) return (x->job > y->job) - (x->job < y->job);
    return (x->vehicle > y->vehicle) - (x->vehicle < y->vehicle);
}

static uint32_t find_job(const pchecker *c, uint64_t id)
{
    job_key key = {.id = id};
    const job_key *k = bsearch(&key, c->jobs, c->njobs, sizeof *c->jobs, cmp_job);
    return k ? (uint32_t)(k - c->jobs) : CV_NONE;
}

/* An integer member; false when absent or not an integer within 2^53. */
static bool get_int(const json_t *obj, const char *key, int64_t *out)
{
    const json_t *v = json_object_get(obj, key);
    if (json_is_integer(v)) {
        *out = (int64_t)json_integer_value(v);
        return *out <= CV__CHECK_INT_MAX && *out >= -CV__CHECK_INT_MAX;
    }
    if (json_is_real(v)) {
        double d = json_real_value(v);
        if (!(d >= -(double)CV__CHECK_INT_MAX && d <= (double)CV__CHECK_INT_MAX)) return false;
        if ((double)(int64_t)d != d) return false;
        *out = (int64_t)d;
        return true;
    }
    return false;
}

/* The working hours of vehicle v on `day`; false when it does not work then. */
static bool works_on(const cv_problem *p, const cv_vehicle *v, uint32_t day, cv_tw *tw)
{
    if (v->shift_count == 0) {
        *tw = v->tw;
        return true;
    }
    for (uint32_t i = 0; i < v->shift_count; i++)
        if (p->shifts[v->shift_first + i].day == day) {
            *tw = p->shifts[v->shift_first + i].tw;
            return true;
        }
    return false;
}

static int64_t vehicle_index(const cv_problem *p, int64_t id)
{
    for (uint32_t v = 0; v < p->nvehicles; v++)
        if ((int64_t)p->vehicles[v].id == id) return v;
    return -1;
}

/* Copy of msg with every "routes[K]" (K a route of the day) renamed to the
 * solution's own routes[map[K]]. */
static char *remap_routes(const char *msg, uint32_t day, const uint32_t *map, uint32_t n)
{
    cv_sbuf b = {0};
    cv_sbuf_printf(&b, "day %u: ", day);
    const char *s = msg;
    for (;;) {
        const char *hit = strstr(s, "routes[");
        if (!hit) break;
        const char *digits = hit + 7;
        char *end;
        unsigned long k = strtoul(digits, &end, 10);
        cv_sbuf_printf(&b, "%.*s", (int)(digits - s), s);
        if (end != digits && *end == ']' && k < n) {
            cv_sbuf_printf(&b, "%u", map[k]);
            s = end;
        } else {
            s = digits;
        }
    }
    cv_sbuf_printf(&b, "%s", s);
    char *out = NULL;
    return cv_sbuf_finish(&b, &out) == CV_OK ? out : NULL;
}

/* Phase 1: shape of the multi-day solution (every route names a valid day),
 * and which job is served on which day by which vehicle. */
static cv_status read_days(pchecker *c, const json_t *routes, uint32_t *route_day, cv_diag *diag)
{
    const cv_problem *p = c->p;
    for (size_t i = 0; i < json_array_size(routes); i++) {
        const json_t *r = json_array_get(routes, i);
        if (!json_is_object(r)) return cv_diag_set(diag, "routes[%zu]: expected an object", i);
        const json_t *jd = json_object_get(r, "day");
        if (!jd)
            return cv_diag_set(diag,
                               "routes[%zu]: missing \"day\" (each route of a multi-day "
                               "plan names its day)",
                               i);
        int64_t day;
        if (!get_int(r, "day", &day))
            return cv_diag_set(diag, "routes[%zu].day: expected an integer", i);
        if (day < 0 || day >= (int64_t)p->horizon_days)
            return cv_diag_set(diag,
                               "routes[%zu].day: %lld is outside the horizon of %u days "
                               "(0 to %u)",
                               i, (long long)day, p->horizon_days, p->horizon_days - 1);
        route_day[i] = (uint32_t)day;
        int64_t vid;
        if (!get_int(r, "vehicle", &vid))
            return cv_diag_set(diag, "routes[%zu].vehicle: missing or not an integer", i);
        int64_t vi = vehicle_index(p, vid);
        cv_tw tw;
        if (vi >= 0 && !works_on(p, &p->vehicles[vi], (uint32_t)day, &tw))
            VIOLATION(c,
                      "routes[%zu]: vehicle %lld does not work on day %lld (it has no shift "
                      "that day)",
                      i, (long long)vid, (long long)day);
        const json_t *steps = json_object_get(r, "steps");
        for (size_t k = 0; k < json_array_size(steps); k++) {
            const json_t *st = json_array_get(steps, k);
            const json_t *type = json_object_get(st, "type");
            int64_t id;
            if (!json_is_string(type) || strcmp(json_string_value(type), "job") ||
                !get_int(st, "id", &id) || id < 0)
                continue; /* other steps, and unreadable ones, are the day check's business */
            uint32_t j = find_job(c, (uint64_t)id);
            if (j == CV_NONE) continue; /* reported as unknown by the day check */
            c->mask[j] |= (uint64_t)1 << day;
            if (!cv_array_grow((void **)&c->visits, &c->cap_visits, c->nvisits + 1,
                               sizeof *c->visits))
                return CV_ENOMEM;
            c->visits[c->nvisits++] = (served){j, vid};
        }
    }
    return CV_OK;
}

/* Phase 2, layer 1: day `day` as a one-day solution. */
static cv_status check_day(pchecker *c, const json_t *routes, const uint32_t *route_day,
                           uint32_t day, cv_vehicle *vehicles, cv_diag *diag)
{
    const cv_problem *p = c->p;
    cv_problem view = *p;
    view.horizon_days = 0;
    view.vehicles = vehicles;
    for (uint32_t v = 0; v < p->nvehicles; v++) {
        vehicles[v] = p->vehicles[v];
        cv_tw tw;
        if (works_on(p, &p->vehicles[v], day, &tw)) vehicles[v].tw = tw;
    }
    uint32_t n = 0;
    uint32_t *map = cv_calloc(json_array_size(routes) + 1, sizeof *map);
    json_t *root = json_object(), *dr = json_array(), *un = json_array();
    cv_status st = CV_ENOMEM;
    if (!map || !root || !dr || !un) goto done;
    for (size_t i = 0; i < json_array_size(routes); i++)
        if (route_day[i] == day) {
            map[n++] = (uint32_t)i;
            if (json_array_append(dr, json_array_get(routes, i))) goto done;
        }
    for (uint32_t j = 0; j < c->njobs; j++)
        if (!(c->mask[j] >> day & 1) &&
            json_array_append_new(
                un, json_pack("{s:I,s:s}", "id", (json_int_t)c->jobs[j].id, "type", "job")))
            goto done;
    json_object_set_new(root, "routes", dr);
    json_object_set_new(root, "unassigned", un);
    dr = un = NULL;
    char *text = json_dumps(root, JSON_COMPACT);
    if (!text) goto done;
    cv_check_report rep;
    memset(&rep, 0, sizeof rep);
    cv_diag dd;
    cv_diag_clear(&dd);
    st = cv_check_json(&view, text, strlen(text), &rep, &dd);
    free(text);
    if (st == CV_EINVAL) {
        char *m = remap_routes(dd.msg, day, map, n);
        cv_diag_set(diag, "%s", m ? m : dd.msg);
        free(m);
        goto done;
    }
    if (st != CV_OK) goto done;
    for (uint32_t i = 0; i < rep.nmessages; i++)
        add_message(c, i >= rep.nviolations, remap_routes(rep.messages[i], day, map, n));
    c->rep.cost += rep.cost;
    c->rep.duration += rep.duration;
    c->rep.distance += rep.distance;
    c->rep.waiting += rep.waiting;
    c->rep.service += rep.service;
    c->rep.setup += rep.setup;
    c->rep.priority += rep.priority;
    c->rep.routes += rep.routes;
    if (rep.working_time_spread > c->rep.working_time_spread)
        c->rep.working_time_spread = rep.working_time_spread;
    cv_check_report_fini(&rep);
    st = c->status;
done:
    json_decref(root);
    json_decref(dr);
    json_decref(un);
    free(map);
    return st;
}

/* "[0, 2, 4]" */
static const char *days_text(char *buf, size_t size, uint64_t mask, uint32_t days)
{
    size_t used = (size_t)snprintf(buf, size, "[");
    bool first = true;
    for (uint32_t d = 0; d < days && used < size; d++)
        if (mask >> d & 1) {
            used += (size_t)snprintf(buf + used, size - used, "%s%u", first ? "" : ", ", d);
            first = false;
        }
    if (used < size) snprintf(buf + used, size - used, "]");
    return buf;
}

/* The closest two consecutive visits (around the end when cyclic): their days
 * and gap; false when fewer than two visits and not cyclic. */
static bool closest_pair(uint64_t mask, uint32_t days, bool cyclic, uint32_t *a, uint32_t *b,
                         uint32_t *gap)
{
    int first = -1, prev = -1;
    bool found = false;
    for (uint32_t d = 0; d < days; d++) {
        if (!(mask >> d & 1)) continue;
        if (prev >= 0 && (!found || d - (uint32_t)prev < *gap)) {
            *a = (uint32_t)prev, *b = d, *gap = d - (uint32_t)prev;
            found = true;
        }
        if (first < 0) first = (int)d;
        prev = (int)d;
    }
    if (cyclic && first >= 0) {
        uint32_t g = (uint32_t)(first + (int)days - prev);
        if (!found || g < *gap) {
            *a = (uint32_t)prev, *b = (uint32_t)first, *gap = g;
            found = true;
        }
    }
    return found;
}

/* Phase 2, layer 2: the horizon rules of each job. */
static void check_jobs(pchecker *c)
{
    const cv_problem *p = c->p;
    qsort(c->visits, c->nvisits, sizeof *c->visits, cmp_served);
    uint32_t vi = 0;
    for (uint32_t j = 0; j < c->njobs; j++) {
        const cv_task *t = &p->tasks[c->jobs[j].task];
        unsigned long long id = (unsigned long long)t->id;
        uint64_t m = c->mask[j];
        char buf[256];
        uint32_t nveh = 0;
        int64_t vids[8];
        for (; vi < c->nvisits && c->visits[vi].job == j; vi++)
            if (vi == 0 || c->visits[vi - 1].job != j ||
                c->visits[vi - 1].vehicle != c->visits[vi].vehicle) {
                if (nveh < 8) vids[nveh] = c->visits[vi].vehicle;
                nveh++;
            }
        if (m == 0) {
            c->rep.unassigned++;
            if (!c->listed[j])
                VIOLATION(c, "job %llu: served on no day and not listed in unassigned", id);
            continue;
        }
        c->rep.assigned++;
        if (c->listed[j])
            VIOLATION(c, "job %llu: listed in unassigned but served on days %s", id,
                      days_text(buf, sizeof buf, m, p->horizon_days));
        uint32_t f = (uint32_t)__builtin_popcountll(m);
        if (f != t->frequency)
            VIOLATION(c, "job %llu: served on %u day%s %s, but its frequency is %u visit%s", id, f,
                      f == 1 ? "" : "s", days_text(buf, sizeof buf, m, p->horizon_days),
                      t->frequency, t->frequency == 1 ? "" : "s");
        else if (t->pattern_count) {
            bool allowed = false;
            for (uint32_t k = 0; k < t->pattern_count && !allowed; k++)
                allowed = p->day_patterns[t->pattern_first + k] == m;
            if (!allowed)
                VIOLATION(c, "job %llu: served on days %s, which is none of its day_patterns", id,
                          days_text(buf, sizeof buf, m, p->horizon_days));
        }
        uint32_t a = 0, b = 0, gap = 0;
        if (t->min_spacing > 1 &&
            closest_pair(m, p->horizon_days, p->horizon_cyclic, &a, &b, &gap) &&
            gap < t->min_spacing)
            VIOLATION(c,
                      "job %llu: visits on days %u and %u are %u day%s apart%s, less than its "
                      "min_spacing %u",
                      id, a, b, gap, gap == 1 ? "" : "s",
                      b < a ? " across the end of the cyclic horizon" : "", t->min_spacing);
        if (t->max_vehicles && nveh > t->max_vehicles) {
            size_t used = (size_t)snprintf(buf, sizeof buf, "%lld", (long long)vids[0]);
            for (uint32_t k = 1; k < nveh && k < 8 && used < sizeof buf; k++)
                used +=
                    (size_t)snprintf(buf + used, sizeof buf - used, ", %lld", (long long)vids[k]);
            VIOLATION(c,
                      "job %llu: served by %u distinct vehicles (%s%s) over the horizon, more "
                      "than its max_vehicles %u",
                      id, nveh, buf, nveh > 8 ? ", ..." : "", t->max_vehicles);
        }
    }
}

static void compare(pchecker *c, const json_t *sum, const char *field, int64_t expected)
{
    int64_t stated;
    if (json_object_get(sum, field) && get_int(sum, field, &stated) && stated != expected)
        MISMATCH(c, "summary: %s is %lld, recomputed %lld", field, (long long)stated,
                 (long long)expected);
}

static cv_status read_unassigned(pchecker *c, const json_t *un, cv_diag *diag)
{
    if (!un) return CV_OK;
    if (!json_is_array(un)) return cv_diag_set(diag, "unassigned: expected an array");
    for (size_t i = 0; i < json_array_size(un); i++) {
        const json_t *u = json_array_get(un, i);
        int64_t id;
        if (!json_is_object(u) || !get_int(u, "id", &id))
            return cv_diag_set(diag, "unassigned[%zu]: expected an object with an integer id", i);
        const json_t *type = json_object_get(u, "type");
        uint32_t j = id >= 0 ? find_job(c, (uint64_t)id) : CV_NONE;
        if ((type && (!json_is_string(type) || strcmp(json_string_value(type), "job"))) ||
            j == CV_NONE) {
            VIOLATION(c, "unassigned[%zu]: no job with id %lld in the problem", i, (long long)id);
            continue;
        }
        if (c->listed[j]++)
            VIOLATION(c, "unassigned[%zu]: job %lld is listed more than once", i, (long long)id);
    }
    return CV_OK;
}

static cv_status run(pchecker *c, const json_t *root, cv_diag *diag)
{
    const cv_problem *p = c->p;
    if (!json_is_object(root)) return cv_diag_set(diag, "solution: expected an object");
    int64_t code;
    if (json_object_get(root, "code") && (!get_int(root, "code", &code) || code != 0))
        return cv_diag_set(diag, "code: the solution is an error report, not a plan");
    const json_t *routes = json_object_get(root, "routes");
    if (!json_is_array(routes)) return cv_diag_set(diag, "solution: missing \"routes\" array");
    for (uint32_t t = 0; t < p->ntasks; t++)
        if (p->tasks[t].kind == CV_TASK_JOB &&
            (p->tasks[t].group_size <= 1 || p->tasks[t].group_first == t))
            c->jobs[c->njobs++] = (job_key){p->tasks[t].id, t};
    qsort(c->jobs, c->njobs, sizeof *c->jobs, cmp_job);
    uint32_t *route_day = cv_calloc(json_array_size(routes) + 1, sizeof *route_day);
    cv_vehicle *vehicles = cv_calloc(p->nvehicles, sizeof *vehicles);
    cv_status st = CV_ENOMEM;
    if (!route_day || !vehicles) goto done;
    if ((st = read_days(c, routes, route_day, diag))) goto done;
    if ((st = read_unassigned(c, json_object_get(root, "unassigned"), diag))) goto done;
    for (uint32_t d = 0; d < p->horizon_days; d++)
        if ((st = check_day(c, routes, route_day, d, vehicles, diag))) goto done;
    check_jobs(c);
    const json_t *sum = json_object_get(root, "summary");
    if (json_is_object(sum)) {
        compare(c, sum, "cost", c->rep.cost);
        compare(c, sum, "routes", c->rep.routes);
        compare(c, sum, "unassigned", c->rep.unassigned);
        compare(c, sum, "setup", c->rep.setup);
        compare(c, sum, "service", c->rep.service);
        compare(c, sum, "duration", c->rep.duration);
        compare(c, sum, "waiting_time", c->rep.waiting);
        compare(c, sum, "priority", c->rep.priority);
        compare(c, sum, "distance", c->rep.distance);
    }
    st = c->status;
done:
    free(route_day);
    free(vehicles);
    return st;
}

cv_status cv__check_periodic(const cv_problem *p, const char *text, size_t len,
                             cv_check_report *rep, cv_diag *diag)
{
    if (len > CV_MAX_INPUT_BYTES)
        return cv_diag_set(diag, "solution: %zu bytes, more than the limit of %zu", len,
                           CV_MAX_INPUT_BYTES);
    json_error_t err;
    json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &err);
    if (!root)
        return cv_diag_set(diag, "solution: line %d, column %d: %s", err.line, err.column,
                           err.text);
    pchecker c;
    memset(&c, 0, sizeof c);
    c.p = p;
    size_t nt = p->ntasks ? p->ntasks : 1;
    c.jobs = cv_calloc(nt, sizeof *c.jobs);
    c.mask = cv_calloc(nt, sizeof *c.mask);
    c.listed = cv_calloc(nt, sizeof *c.listed);
    cv_status st = c.jobs && c.mask && c.listed ? run(&c, root, diag) : CV_ENOMEM;
    json_decref(root);
    free(c.jobs);
    free(c.mask);
    free(c.listed);
    free(c.visits);
    if (st == CV_OK) {
        /* Violations first, then mismatches, as the one-day checker lists them. */
        uint32_t n = c.nviol + c.nmism;
        c.rep.messages = cv_calloc(n ? n : 1, sizeof *c.rep.messages);
        if (!c.rep.messages)
            st = CV_ENOMEM;
        else {
            if (c.nviol) memcpy(c.rep.messages, c.viol, c.nviol * sizeof *c.viol);
            if (c.nmism) memcpy(c.rep.messages + c.nviol, c.mism, c.nmism * sizeof *c.mism);
            c.rep.nmessages = n;
            c.rep.nviolations = c.nviol;
            c.rep.nmismatches = c.nmism;
            c.nviol = c.nmism = 0;
        }
    }
    for (uint32_t i = 0; i < c.nviol; i++) free(c.viol[i]);
    for (uint32_t i = 0; i < c.nmism; i++) free(c.mism[i]);
    free(c.viol);
    free(c.mism);
    if (st != CV_OK) {
        cv_check_report_fini(&c.rep);
        if (st == CV_ENOMEM) cv_diag_set(diag, "out of memory while checking the plan");
        return st;
    }
    *rep = c.rep;
    return CV_OK;
}
