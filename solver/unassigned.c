/* Why a task stays unassigned: the task (a shipment: both halves) is tried
 * alone on every vehicle, checking in the order of cv_reason: skills, time
 * windows (with the shift), capacity, max_tasks, max_travel_time,
 * max_distance, then breaks (the full evaluation).  Each vehicle stops at its
 * first failing check; the reason given is the furthest any vehicle got, so
 * "time_window" means that some vehicle had the skills but none could be on
 * time, and "no_room" that the task fits some vehicle alone.
 */
#include "solver_int.h"

static cv_reason check_vehicle(const cv__ctx *c, uint32_t v, const uint32_t *seq, uint32_t n)
{
    const cv_problem *p = c->p;
    const cv_vehicle *vh = &p->vehicles[v];
    const cv__veh *w = &c->veh[v];
    for (uint32_t i = 0; i < n; i++)
        if (!c->can[(size_t)seq[i] * c->nv + v]) return CV_REASON_SKILLS;
    /* Time windows and shift, nothing else. */
    int64_t T = vh->tw.start, dur = 0, dist = 0;
    uint32_t prev = vh->start_loc;
    for (uint32_t i = 0; i < n; i++) {
        const cv_task *t = &p->tasks[seq[i]];
        int64_t arr = T + cv__dur(w, prev, t->loc);
        int64_t b = cv__tw_begin(cv_task_tws(p, t), t->tw_count, arr);
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
    if (!cv__route_eval(c, v, seq, n, &e, NULL, NULL, NULL)) return CV_REASON_BREAKS;
    return CV_REASON_NO_ROOM;
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
    return best;
}
