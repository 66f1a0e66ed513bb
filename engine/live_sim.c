/* A simulated running day (cv/live.h, cv_live_simulate): the field driven
 * from the live state's own ETAs, or replayed from a file, with every
 * intermediate plan verified.
 *
 * The driver reads the state only through cv_live_to_json (what an operator
 * sees), and judges it with tools that share nothing with the live
 * bookkeeping: the plan checker on the remaining day, cv_live_check_frozen
 * between consecutive states, and its own log of the events it sent. */
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cv/engine.h"
#include "cv/live.h"

typedef struct sim {
    cv_live *L;
    const cv_live_sim_config *cfg;
    cv_live_sim_report *rep;
    char *state; /* the last cv_live_to_json */
    json_t *out; /* events applied, for replay */
    /* Accepted urgent requests: id, deadline, start seen. */
    uint64_t *uid;
    int64_t *udeadline, *ustart;
    uint32_t nu;
} sim;

static void failure(sim *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void failure(sim *s, const char *fmt, ...)
{
    char msg[CV_DIAG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (!s->rep->first_failure[0])
        snprintf(s->rep->first_failure, sizeof s->rep->first_failure, "%s", msg);
    if (s->cfg->log) fprintf(s->cfg->log, "FAIL at %lld: %s\n", (long long)cv_live_now(s->L), msg);
}

static bool any_infeasible(const char *state);

/* The checks after every change.  The checker must agree with the state:
 * clean when every route holds, a violation when the state says one does not
 * (an overrun can break a plan; the operator's reoptimize must mend it). */
static cv_status verify(sim *s)
{
    char *now = NULL;
    cv_status st = cv_live_to_json(s->L, &now);
    if (st != CV_OK) return st;
    cv_diag d;
    cv_diag_clear(&d);
    if (s->state && cv_live_check_frozen(s->state, now, &d) > 0) {
        s->rep->frozen_failures++;
        failure(s, "frozen prefix changed: %s", d.msg);
    }
    free(s->state);
    s->state = now;
    cv_problem *sub = NULL;
    char *plan = NULL;
    cv_diag_clear(&d);
    if ((st = cv_live_subplan(s->L, &sub, &plan, &d)) != CV_OK) return st;
    cv_check_report rep;
    st = cv_check_json(sub, plan, strlen(plan), &rep, &d);
    s->rep->checks++;
    bool broken = any_infeasible(s->state);
    if (broken) s->rep->broken++;
    if (st == CV_OK && broken) {
        if (rep.nmismatches || !rep.nviolations) {
            s->rep->check_failures++;
            failure(s,
                    "checker disagrees with the live state: state says a route no longer "
                    "holds, checker finds %u violations, %u mismatches%s%s",
                    rep.nviolations, rep.nmismatches, rep.nmessages ? "; first: " : "",
                    rep.nmessages ? rep.messages[0] : "");
        }
    } else if (st == CV_OK && (rep.nviolations || rep.nmismatches)) {
        s->rep->check_failures++;
        failure(s, "checker: remaining day: %u violations, %u mismatches; first: %s",
                rep.nviolations, rep.nmismatches, rep.nmessages ? rep.messages[0] : "");
    } else if (st != CV_OK) {
        s->rep->check_failures++;
        failure(s, "checker could not read the remaining day: %s", d.msg);
        st = CV_OK;
    }
    if (st == CV_OK || rep.nmessages) cv_check_report_fini(&rep);
    free(plan);
    cv_problem_destroy(sub);
    return CV_OK;
}

/* The event just applied must show in the state, as sent. */
static void verify_event(sim *s, const cv_live_event *ev)
{
    if (ev->kind != CV_LIVE_VISIT_START && ev->kind != CV_LIVE_VISIT_DONE) return;
    json_t *root = json_loads(s->state, 0, NULL), *v, *st;
    size_t i, k;
    bool ok = false;
    const char *kind = ev->task_kind == CV_TASK_JOB      ? "job"
                       : ev->task_kind == CV_TASK_PICKUP ? "pickup"
                                                         : "delivery";
    json_array_foreach(json_object_get(root, "vehicles"), i, v)
    {
        if ((uint64_t)json_integer_value(json_object_get(v, "id")) != ev->vehicle) continue;
        json_array_foreach(json_object_get(v, "steps"), k, st)
        {
            if (strcmp(json_string_value(json_object_get(st, "type")), kind) != 0 ||
                (uint64_t)json_integer_value(json_object_get(st, "id")) != ev->task)
                continue;
            const char *status = json_string_value(json_object_get(st, "status"));
            if (ev->kind == CV_LIVE_VISIT_START)
                ok = (!strcmp(status, "started") || !strcmp(status, "done")) &&
                     json_integer_value(json_object_get(st, "start")) == ev->time;
            else
                ok = !strcmp(status, "done") &&
                     json_integer_value(json_object_get(st, "end")) == ev->time;
        }
    }
    json_decref(root);
    if (!ok) {
        s->rep->log_failures++;
        failure(s, "%s of %s %llu by vehicle %llu at %lld is not in the state",
                ev->kind == CV_LIVE_VISIT_START ? "visit.start" : "visit.done", kind,
                (unsigned long long)ev->task, (unsigned long long)ev->vehicle, (long long)ev->time);
    }
}

static void record(sim *s, json_t *ev)
{
    if (s->out) json_array_append(s->out, ev);
}

static cv_status do_event(sim *s, const cv_live_event *ev, json_t *as_json, cv_diag *diag)
{
    cv_status st = cv_live_apply(s->L, ev, diag);
    if (st != CV_OK) return st;
    s->rep->events++;
    record(s, as_json);
    if (ev->kind == CV_LIVE_VISIT_START && ev->task_kind == CV_TASK_JOB)
        for (uint32_t i = 0; i < s->nu; i++)
            if (s->uid[i] == ev->task) {
                s->ustart[i] = ev->time;
                if (s->cfg->log)
                    fprintf(s->cfg->log, "%02lld:%02lld urgent %llu started by vehicle %llu, %s\n",
                            (long long)(ev->time / 3600), (long long)(ev->time / 60 % 60),
                            (unsigned long long)ev->task, (unsigned long long)ev->vehicle,
                            ev->time <= s->udeadline[i] ? "in time" : "LATE");
            }
    if ((st = verify(s)) != CV_OK) return st;
    verify_event(s, ev);
    return CV_OK;
}

static cv_status do_urgent(sim *s, const cv_live_urgent *q, json_t *as_json, cv_diag *diag)
{
    cv_live_outcome o;
    cv_status st = cv_live_insert_urgent(s->L, q, &o, diag);
    if (st != CV_OK) return st;
    record(s, as_json);
    s->rep->urgent++;
    s->rep->changed += o.changed;
    s->rep->urgent_ms_sum += o.ms;
    if (o.ms > s->rep->urgent_ms_max) s->rep->urgent_ms_max = o.ms;
    if (o.method == CV_LIVE_INSERTED) s->rep->inserted++;
    if (o.method == CV_LIVE_REPLANNED) s->rep->replanned++;
    if (o.method == CV_LIVE_REFUSED) s->rep->refused++;
    if (o.method != CV_LIVE_REFUSED) {
        uint64_t *a = cv_realloc_array(s->uid, s->nu + 1, sizeof *a);
        if (!a) return CV_ENOMEM;
        s->uid = a;
        int64_t *b = cv_realloc_array(s->udeadline, s->nu + 1, sizeof *b);
        if (!b) return CV_ENOMEM;
        s->udeadline = b;
        int64_t *c = cv_realloc_array(s->ustart, s->nu + 1, sizeof *c);
        if (!c) return CV_ENOMEM;
        s->ustart = c;
        s->uid[s->nu] = q->id;
        s->udeadline[s->nu] = o.deadline;
        s->ustart[s->nu] = -1;
        s->nu++;
        if (o.arrival > o.deadline)
            failure(s, "urgent %llu accepted late", (unsigned long long)q->id);
    }
    if (s->cfg->log)
        fprintf(s->cfg->log, "%02lld:%02lld urgent %llu: %s (%.1f ms)\n",
                (long long)(q->time / 3600), (long long)(q->time / 60 % 60),
                (unsigned long long)q->id, o.message, o.ms);
    return verify(s);
}

static cv_status do_reoptimize(sim *s, int64_t time, cv_diag *diag)
{
    cv_live_outcome o;
    /* A modest budget: the simulated operator mends a broken route at once. */
    uint64_t effort = 1000000u + 5000u * (uint64_t)cv_live_problem(s->L)->ntasks;
    cv_status st = cv_live_reoptimize(s->L, time, effort, &o, diag);
    if (st != CV_OK) return st;
    s->rep->reoptimized++;
    s->rep->changed += o.changed;
    json_t *ev = json_pack("{s:s, s:I}", "type", "reoptimize", "time", (json_int_t)time);
    record(s, ev);
    json_decref(ev);
    if (s->cfg->log)
        fprintf(s->cfg->log, "%02lld:%02lld %s\n", (long long)(time / 3600),
                (long long)(time / 60 % 60), o.message);
    return verify(s);
}

static bool any_infeasible(const char *state)
{
    json_t *root = json_loads(state, 0, NULL), *v;
    size_t i;
    bool bad = false;
    json_array_foreach(json_object_get(root, "vehicles"), i,
                       v) if (json_is_false(json_object_get(v, "feasible"))) bad = true;
    json_decref(root);
    return bad;
}

/* ---- Replay ---- */

static cv_status replay(sim *s, const json_t *events, cv_diag *diag)
{
    if (!json_is_array(events)) return cv_diag_set(diag, "events: an array is required");
    size_t i;
    json_t *e;
    json_array_foreach(events, i, e)
    {
        char path[64];
        snprintf(path, sizeof path, "events[%zu]", i);
        const char *ty = json_string_value(json_object_get(e, "type"));
        cv_status st;
        cv_diag d;
        cv_diag_clear(&d);
        if (ty && !strcmp(ty, "urgent")) {
            cv_live_urgent q;
            st = cv_live_urgent_from_json(e, path, cv_live_problem(s->L), &q, &d);
            if (st == CV_OK) st = do_urgent(s, &q, e, &d);
        } else if (ty && !strcmp(ty, "reoptimize")) {
            int64_t t = -1;
            json_t *tj = json_object_get(e, "time");
            if (json_is_integer(tj)) t = json_integer_value(tj);
            if (t < 0)
                st = cv_diag_set(&d, "%s.time: an integer time is required", path);
            else
                st = do_reoptimize(s, t, &d);
        } else {
            cv_live_event ev;
            st = cv_live_event_from_json(e, path, &ev, &d);
            if (st == CV_OK) {
                cv_diag d2;
                cv_diag_clear(&d2);
                st = do_event(s, &ev, e, &d2);
                if (st != CV_OK) cv_diag_set(&d, "%s: %s", path, d2.msg);
            }
        }
        if (st != CV_OK) return cv_diag_set(diag, "%s", d.msg), st;
    }
    return CV_OK;
}

/* ---- Generation ---- */

typedef struct next {
    bool have;
    int64_t time;
    uint64_t vehicle, id;
    uint32_t vindex; /* the vehicle's index (its place in the state) */
    const char *kind;
    bool done; /* visit.done (else visit.start) */
} next;

/* The earliest next event of any vehicle: a visit under way ends at its
 * expected end plus the overrun drawn when it started (overrun[vehicle]),
 * the next planned visit starts at its ETA (now if overdue).  Ordering by
 * the true times matters: applying a done event late (its overrun added
 * after it was chosen) moved the clock past other vehicles' starts, and the
 * vehicles with higher ids, losing every tie at `now`, starved for hours. */
static void next_event(const char *state, int64_t now, const int64_t *overrun, next *n)
{
    json_t *root = json_loads(state, 0, NULL), *v, *st;
    size_t i, k;
    memset(n, 0, sizeof *n);
    json_array_foreach(json_object_get(root, "vehicles"), i, v)
    {
        json_t *steps = json_object_get(v, "steps");
        json_t *cur = NULL;
        bool done = false;
        json_array_foreach(steps, k, st)
        {
            const char *status = json_string_value(json_object_get(st, "status"));
            const char *ty = json_string_value(json_object_get(st, "type"));
            if (!strcmp(status, "started")) {
                cur = st, done = true;
                break;
            }
            if (!strcmp(status, "planned") && strcmp(ty, "break") != 0) {
                cur = st;
                break;
            }
        }
        if (!cur) continue;
        int64_t t = json_integer_value(json_object_get(cur, done ? "end" : "start"));
        if (done && overrun) t += overrun[i];
        if (t < now) t = now;
        uint64_t vid = (uint64_t)json_integer_value(json_object_get(v, "id"));
        if (!n->have || t < n->time || (t == n->time && vid < n->vehicle)) {
            n->have = true;
            n->time = t;
            n->vehicle = vid;
            n->id = (uint64_t)json_integer_value(json_object_get(cur, "id"));
            n->vindex = (uint32_t)i;
            n->kind = json_string_value(json_object_get(cur, "type"));
            n->done = done;
        }
    }
    /* kind points into root: copy the constant it equals. */
    if (n->have)
        n->kind = !strcmp(n->kind, "job")      ? "job"
                  : !strcmp(n->kind, "pickup") ? "pickup"
                                               : "delivery";
    json_decref(root);
}

/* Urgent callers are at home: only planned visits are ever skipped. */
static bool is_urgent(const sim *s, uint64_t id)
{
    for (uint32_t i = 0; i < s->nu; i++)
        if (s->uid[i] == id) return true;
    return false;
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

static cv_status generate(sim *s, const cv_problem *p, cv_diag *diag)
{
    cv_rng rng;
    cv_rng_seed(&rng, s->cfg->seed);
    int64_t day0 = CV_TIME_MAX, day1 = 0;
    for (uint32_t v = 0; v < p->nvehicles; v++) {
        if (p->vehicles[v].tw.start < day0) day0 = p->vehicles[v].tw.start;
        if (p->vehicles[v].tw.end < CV_TIME_MAX && p->vehicles[v].tw.end > day1)
            day1 = p->vehicles[v].tw.end;
    }
    if (day1 <= day0) day1 = day0 + 8 * 3600;
    int64_t span = day1 - day0 > 7200 ? day1 - day0 - 3600 : day1 - day0;
    uint32_t nu = s->cfg->urgent;
    int64_t *ut = cv_calloc(nu ? nu : 1, sizeof *ut);
    if (!ut) return CV_ENOMEM;
    for (uint32_t i = 0; i < nu; i++) ut[i] = day0 + (int64_t)(cv_rng_unit(&rng) * (double)span);
    qsort(ut, nu, sizeof *ut, cmp_i64);
    uint64_t next_id = 0;
    for (uint32_t t = 0; t < p->ntasks; t++)
        if (p->tasks[t].kind == CV_TASK_JOB && p->tasks[t].id >= next_id)
            next_id = p->tasks[t].id + 1;
    next_id = next_id < 900000 ? 900000 : next_id;
    uint32_t ui = 0;
    cv_status st = CV_OK;
    int64_t *overrun = cv_calloc(p->nvehicles ? p->nvehicles : 1, sizeof *overrun);
    if (!overrun) {
        free(ut);
        return CV_ENOMEM;
    }
    for (uint32_t guard = 0; guard < 1000000; guard++) {
        next n;
        next_event(s->state, cv_live_now(s->L), overrun, &n);
        if (ui < nu && (!n.have || ut[ui] <= n.time)) {
            /* An urgent call from a client's home, with a visit's skills. */
            int64_t t = ut[ui] < cv_live_now(s->L) ? cv_live_now(s->L) : ut[ui];
            uint32_t like = p->njobs ? cv_rng_below(&rng, p->njobs) : 0;
            json_t *sk = json_array();
            if (p->njobs)
                for (uint32_t k = 0; k < p->tasks[like].skill_count; k++)
                    json_array_append_new(sk,
                                          json_integer(p->skills[p->tasks[like].skill_first + k]));
            int64_t deadline = cv_rng_below(&rng, 3) == 0 ? 900 : 1800;
            json_t *ev = json_pack("{s:s, s:I, s:I, s:I, s:I, s:I, s:o}", "type", "urgent", "id",
                                   (json_int_t)next_id++, "time", (json_int_t)t, "deadline",
                                   (json_int_t)deadline, "location_index",
                                   (json_int_t)(p->njobs ? p->tasks[like].loc : 0), "service",
                                   (json_int_t)(1200 + 300 * cv_rng_below(&rng, 6)), "skills", sk);
            uint32_t home = p->njobs ? p->tasks[like].loc : 0;
            if (ev && s->cfg->graph && s->cfg->offsite_every &&
                ui % s->cfg->offsite_every == s->cfg->offsite_every - 1 && home < p->nlocs &&
                p->locs[home].has_coords) {
                /* Not at a home: somewhere near one (a fall in the street). */
                double dx = (cv_rng_unit(&rng) * 2 - 1) * 400,
                       dy = (cv_rng_unit(&rng) * 2 - 1) * 400;
                json_object_del(ev, "location_index");
                json_object_set_new(ev, "location",
                                    json_pack("[f, f]", p->locs[home].lon + dx / 96000.0,
                                              p->locs[home].lat + dy / 111000.0));
            }
            if (ev && s->cfg->urgent_margin != CV_LIVE_MARGIN_DEFAULT)
                json_object_set_new(ev, "margin", json_integer(s->cfg->urgent_margin));
            cv_live_urgent q;
            st = ev ? cv_live_urgent_from_json(ev, "urgent", cv_live_problem(s->L), &q, diag)
                    : CV_ENOMEM;
            if (st == CV_OK) st = do_urgent(s, &q, ev, diag);
            json_decref(ev);
            ui++;
        } else if (n.have) {
            cv_live_event e = {.time = n.time, .vehicle = n.vehicle, .task = n.id, .loc = CV_NONE};
            e.task_kind = !strcmp(n.kind, "job")      ? CV_TASK_JOB
                          : !strcmp(n.kind, "pickup") ? CV_TASK_PICKUP
                                                      : CV_TASK_DELIVERY;
            const char *type = "visit.start";
            if (n.done) {
                /* n.time has the overrun drawn at the start. */
                e.kind = CV_LIVE_VISIT_DONE;
                type = "visit.done";
            } else if (e.task_kind != CV_TASK_DELIVERY && !is_urgent(s, e.task) &&
                       s->cfg->skip_percent && cv_rng_below(&rng, 100) < s->cfg->skip_percent) {
                e.kind = CV_LIVE_VISIT_SKIPPED;
                type = "visit.skipped";
            } else {
                e.kind = CV_LIVE_VISIT_START;
                overrun[n.vindex] =
                    s->cfg->delay_max > 0
                        ? (int64_t)cv_rng_below(&rng, (uint32_t)s->cfg->delay_max + 1)
                        : 0;
            }
            json_t *ev = json_pack("{s:s, s:I, s:I, s:I}", "type", type, "time", (json_int_t)e.time,
                                   "vehicle", (json_int_t)e.vehicle, n.kind, (json_int_t)e.task);
            st = ev ? do_event(s, &e, ev, diag) : CV_ENOMEM;
            json_decref(ev);
        } else {
            break;
        }
        if (st != CV_OK) break;
        if (any_infeasible(s->state) && (st = do_reoptimize(s, cv_live_now(s->L), diag)) != CV_OK)
            break;
    }
    free(ut);
    free(overrun);
    return st;
}

cv_status cv_live_simulate(const cv_problem *p, const char *plan_json, size_t len,
                           const json_t *events, const cv_live_sim_config *cfg,
                           cv_live_sim_report *rep, json_t **events_out, cv_diag *diag)
{
    memset(rep, 0, sizeof *rep);
    int64_t day0 = CV_TIME_MAX;
    for (uint32_t v = 0; v < p->nvehicles; v++)
        if (p->vehicles[v].tw.start < day0) day0 = p->vehicles[v].tw.start;
    if (day0 == CV_TIME_MAX) day0 = 0;
    sim s = {.cfg = cfg, .rep = rep};
    cv_status st = cv_live_create(&s.L, p, plan_json, len, day0, diag);
    if (st != CV_OK) return st;
    if (cfg->graph && (st = cv_live_set_graph(s.L, cfg->graph, diag)) != CV_OK) {
        cv_live_destroy(s.L);
        return st;
    }
    if (events_out && !(s.out = json_array())) st = CV_ENOMEM;
    if (st == CV_OK) st = verify(&s);
    if (st == CV_OK) st = events ? replay(&s, events, diag) : generate(&s, p, diag);
    if (st == CV_OK)
        for (uint32_t i = 0; i < s.nu; i++) {
            if (s.ustart[i] < 0) {
                rep->dropped_after_accept++;
                failure(&s, "urgent %llu was accepted but never started",
                        (unsigned long long)s.uid[i]);
            } else if (s.ustart[i] <= s.udeadline[i]) {
                rep->reached_in_time++;
            } else {
                rep->reached_late++;
            }
        }
    if (st == CV_OK) {
        /* Every refused urgent call left one skipped task of its own. */
        uint32_t skipped;
        cv_live_task_counts(s.L, &rep->tasks_done, &skipped, &rep->tasks_not_done);
        if (skipped < rep->refused) {
            rep->check_failures++;
            failure(&s, "%u skipped tasks for %u refused urgent calls", skipped, rep->refused);
        } else {
            rep->tasks_absent = skipped - rep->refused;
        }
    }
    if (st == CV_OK && events_out) {
        *events_out = s.out;
        s.out = NULL;
    }
    json_decref(s.out);
    free(s.state);
    free(s.uid);
    free(s.udeadline);
    free(s.ustart);
    cv_live_destroy(s.L);
    return st;
}
