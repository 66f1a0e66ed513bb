/* Why a task stays unassigned: the task (a shipment: both halves) is tried
 * alone on every vehicle, checking in the order of cv_reason: skills, the
 * allowed / forbidden vehicles, time windows (with the shift and any
 * allowed lateness), capacity, max_tasks, max_travel_time, max_distance,
 * then the full evaluation (breaks, max_working_time, max_ride_time).  Each
 * vehicle stops at its first failing check; the reason given is the furthest
 * any vehicle got, so "time_window" means that some vehicle had the skills
 * but none could be on time, and "no_room" that the task fits some vehicle
 * alone.  A task tied to others (a visit with several workers, relations)
 * that fits alone is then tried with its whole unit in an empty plan:
 * "relations" when even that fails.
 */
#include "solver_int.h"

static cv_reason check_vehicle(const cv__ctx *c, uint32_t v, const uint32_t *seq, uint32_t n)
{
    const cv_problem *p = c->p;
    const cv_vehicle *vh = &p->vehicles[v];
    const cv__veh *w = &c->veh[v];
    for (uint32_t i = 0; i < n; i++)
        if (!cv_vehicle_has_skills(p, vh, &p->tasks[seq[i]])) return CV_REASON_SKILLS;
    for (uint32_t i = 0; i < n; i++)
        if (!c->can[(size_t)seq[i] * c->nv + v]) return CV_REASON_VEHICLES;
    /* Time windows and shift, nothing else. */
    int64_t T = vh->tw.start, dur = 0, dist = 0;
    uint32_t prev = vh->start_loc;
    for (uint32_t i = 0; i < n; i++) {
        const cv_task *t = &p->tasks[seq[i]];
        int64_t arr = T + cv__dur(w, prev, t->loc);
        int64_t b = cv__task_begin(p, t, arr);
        if (b < 0) return CV_REASON_TIME_WINDOW;
        T = b + ((prev == CV_NONE || prev != t->loc) ? t->setup : 0) + t->service;
        dur += cv__dur(w, prev, t->loc);
        dist += cv__dist(w, prev, t->loc);
        prev = t->loc;
    }
    dur += cv__dur(w, prev, vh->end_loc);
    dist += cv__dist(w, prev, vh->end_loc);
    if (T + cv__dur(w, prev, vh->end_loc) > vh->tw.end) return CV_REASON_TIME_WINDOW;
    /* Capacity: the largest load the task alone causes. */
    const int64_t *cap = cv_vehicle_capacity(p, vh);
    for (uint32_t i = 0; i < n; i++) {
        const cv_task *t = &p->tasks[seq[i]];
        const int64_t *del = cv_task_delivery(p, t), *pick = cv_task_pickup(p, t);
        for (uint32_t d = 0; d < c->nd; d++)
            if (del[d] > cap[d] || pick[d] > cap[d]) return CV_REASON_CAPACITY;
    }
    if (n > vh->max_tasks) return CV_REASON_MAX_TASKS;
    if (dur > vh->max_travel_time) return CV_REASON_MAX_TRAVEL_TIME;
    if (dist > vh->max_distance) return CV_REASON_MAX_DISTANCE;
    cv__eval e;
    if (!cv__route_eval(c, v, seq, n, &e, NULL, NULL, NULL))
        return e.fail == CV_REASON_MAX_WORKING_TIME || e.fail == CV_REASON_MAX_RIDE_TIME
                   ? e.fail
                   : CV_REASON_BREAKS;
    return CV_REASON_NO_ROOM;
}

/* True when the unit of task t can be planned alone (empty routes). */
static bool unit_fits_alone(const cv__ctx *c, uint32_t t)
{
    cv__sol s;
    cv__care_ws ws;
    bool in = false;
    uint64_t effort = 0;
    if (cv__sol_init(&s, c) != CV_OK) return true; /* no memory: claim nothing */
    if (cv__care_ws_init(&ws, c) == CV_OK) {
        if (cv__care_insert(c, &ws, &s, c->unit_task[c->unit_first[c->unit_of[t]]], 0, NULL, NULL,
                            &effort, &in) != CV_OK)
            in = true;
        cv__care_ws_fini(&ws);
    } else {
        in = true;
    }
    cv__sol_fini(&s);
    return in;
}

cv_reason cv__unassigned_reason(const cv__ctx *c, uint32_t task)
{
    const cv_task *t = &c->p->tasks[task];
    uint32_t seq[2], n = 1;
    if (t->kind == CV_TASK_JOB) {
        seq[0] = task;
    } else {
        seq[0] = t->kind == CV_TASK_PICKUP ? task : t->sibling;
        seq[1] = c->p->tasks[seq[0]].sibling;
        n = 2;
    }
    cv_reason best = CV_REASON_SKILLS;
    for (uint32_t v = 0; v < c->nv; v++) {
        cv_reason r = check_vehicle(c, v, seq, n);
        if (r > best) best = r;
        if (best == CV_REASON_NO_ROOM) break;
    }
    if (best == CV_REASON_NO_ROOM && c->care) {
        uint32_t u = c->unit_of[task];
        if (c->unit_first[u + 1] - c->unit_first[u] > 1 && !unit_fits_alone(c, task))
            best = CV_REASON_RELATIONS;
    }
    return best;
}
