/* Full evaluation of one route: the solver's reference semantics.
 *
 * Given a vehicle and an order of tasks it checks every constraint of
 * problem.h (skills, max_tasks, shipment order, loads in every dimension,
 * max_travel_time, max_distance, time windows with setup/service, the shift,
 * breaks with their windows and max_load) and computes the travel totals and
 * the cost.  Breaks are placed by a small dynamic programme over (tasks done,
 * breaks taken) keeping the earliest time of each state: earliest dominates
 * because every later constraint only asks "begin >= arrival inside a
 * window", so the programme decides feasibility exactly in O(n * breaks).
 * It is also what writes the plan's schedule, and the debug-build check that
 * the incremental insertion tests of route.c agree with it.
 */
#include "solver_int.h"

#include <stdlib.h>
#include <string.h>

#define TIME_UNSET INT64_MIN

static bool fail(cv__eval *out, cv_reason why)
{
    out->feasible = false;
    out->fail = why;
    return false;
}

/* Departure from task t arriving at `arrival` from location `prev`; -1 if no
 * window fits.  Soft windows (max_lateness) stretch each window's end. */
static inline int64_t task_depart(const cv_problem *p, const cv_task *t, uint32_t prev,
                                  int64_t arrival, int64_t *begin, int64_t *setup)
{
    int64_t b = cv__task_begin(p, t, arrival);
    if (b < 0) return -1;
    int64_t su = (prev == CV_NONE || prev != t->loc) ? t->setup : 0;
    if (begin) *begin = b;
    if (setup) *setup = su;
    return b + su + t->service;
}

static inline int64_t break_depart(const cv_problem *p, const cv_break *br, int64_t arrival)
{
    if (br->tw_count == 0) return arrival + br->service;
    int64_t b = cv__tw_begin(p->tws + br->tw_first, br->tw_count, arrival);
    return b < 0 ? -1 : b + br->service;
}

int64_t cv__route_cost_exact(const cv__ctx *c, uint32_t v, const uint32_t *seq, uint32_t n,
                             const cv__eval *e)
{
    if (n == 0) return 0;
    const cv_problem *p = c->p;
    const cv_vehicle *vh = &p->vehicles[v];
    const cv__veh *w = &c->veh[v];
    int64_t cost = vh->fixed_cost + e->pref;
    /* round(x / den) halves away from zero, in exact integers. */
    __extension__ typedef __int128 i128;
    i128 num, den;
    if (w->costs) {
        uint32_t prev = vh->start_loc;
        for (uint32_t i = 0; i <= n; i++) {
            uint32_t l = i < n ? p->tasks[seq[i]].loc : vh->end_loc;
            if (prev != CV_NONE && l != CV_NONE) cost += w->costs[cv__arc(w, prev, l)];
            if (l != CV_NONE) prev = l;
        }
        num = e->care_num;
        den = 3600;
    } else {
        /* round((per_hour * dur + per_km * dist * 3.6 + care) / 3600). */
        num = (i128)vh->per_hour * e->dur * 1000 + (i128)vh->per_km * e->dist * 3600 +
              e->care_num * 1000;
        den = 3600000;
    }
    i128 q = num >= 0 ? (num + den / 2) / den : -((-num + den / 2) / den);
    return cost + (int64_t)q;
}

/* Lateness of a task beginning at b: past the end of the last window its
 * begin has opened (docs/care-extensions.md); 0 for hard windows. */
static int64_t lateness(const cv_problem *p, const cv_task *t, int64_t b)
{
    if (t->max_lateness <= 0) return 0;
    const cv_tw *tw = cv_task_tws(p, t);
    uint32_t i = t->tw_count;
    while (i > 0 && tw[i - 1].start > b) i--;
    if (i == 0) return 0;
    return b > tw[i - 1].end ? b - tw[i - 1].end : 0;
}

/* Replays an order of tasks and breaks (is_break NULL: no breaks) from the
 * shift start, every task beginning no earlier than lb: writes the begins,
 * the schedule when asked, working time and the care costs into out.  The
 * route leaves the start as late as its first task allows (the flexible
 * shift start; not past a break taken at the start).  When a ride exceeds a
 * pickup's max_ride_time, *raise_at is the pickup's position and *raise_to
 * the begin that would fix it. */
static bool replay(const cv__ctx *c, uint32_t v, const uint32_t *seq, uint32_t n, const int64_t *lb,
                   const uint8_t *is_break, cv__eval *out, cv__sched_step *sched, uint32_t *nsched,
                   int64_t *loads, int64_t *begin, int64_t *raise_at, int64_t *raise_to)
{
    const cv_problem *p = c->p;
    const cv_vehicle *vh = &p->vehicles[v];
    const cv__veh *w = &c->veh[v];
    const uint32_t nd = p->ndims, nb = is_break ? vh->break_count : 0, total = n + nb;
    const int64_t t0 = vh->tw.start;
    cv__sched_step tmp;
    int64_t T = t0, cdur = 0, cdist = 0, unpaid = 0, first_wait = -1;
    uint32_t prev = vh->start_loc, ns = 0;
    int64_t load[CV_MAX_AMOUNT_DIMS] = {0};
    out->care_num = 0;
    if (loads)
        for (uint32_t i = 0; i < n; i++) {
            const cv_task *t = &p->tasks[seq[i]];
            if (t->kind != CV_TASK_JOB) continue;
            const int64_t *del = cv_task_delivery(p, t);
            for (uint32_t d = 0; d < nd; d++) load[d] += del[d];
        }
    /* Start and end steps are always written (as VROOM does); an open start
     * is at the first task, an open end at the last, without travel. */
    if (sched) {
        cv__sched_step *s = &sched[ns];
        memset(s, 0, sizeof *s);
        s->type = CV_STEP_START;
        s->index = CV_NONE;
        s->loc = vh->start_loc != CV_NONE ? vh->start_loc : p->tasks[seq[0]].loc;
        s->arrival = T;
        if (loads) memcpy(loads + (size_t)ns * nd, load, nd * sizeof *load);
        ns++;
    }
    uint32_t ti = 0, bi = 0;
    for (uint32_t pos = 0; pos < total; pos++) {
        cv__sched_step *s = sched ? &sched[ns] : &tmp;
        memset(s, 0, sizeof *s);
        if (is_break && is_break[pos]) {
            const cv_break *br = &p->breaks[vh->break_first + bi];
            s->type = CV_STEP_BREAK;
            s->index = bi;
            s->loc = prev != CV_NONE ? prev : p->tasks[seq[0]].loc;
            s->arrival = T;
            int64_t b = br->tw_count ? cv__tw_begin(p->tws + br->tw_first, br->tw_count, T) : T;
            s->waiting = b - T;
            s->service = br->service;
            T = b + br->service;
            if (br->unpaid) unpaid += br->service;
            bi++;
        } else {
            const cv_task *t = &p->tasks[seq[ti]];
            int64_t tr = cv__dur(w, prev, t->loc);
            cdur += tr;
            cdist += cv__dist(w, prev, t->loc);
            int64_t b = 0, su = 0, a = T + tr;
            s->type = t->kind == CV_TASK_JOB      ? CV_STEP_JOB
                      : t->kind == CV_TASK_PICKUP ? CV_STEP_PICKUP
                                                  : CV_STEP_DELIVERY;
            s->index = seq[ti];
            s->loc = t->loc;
            s->arrival = a;
            T = task_depart(p, t, prev, lb && lb[ti] > a ? lb[ti] : a, &b, &su);
            /* Without breaks the replay is also the feasibility test. */
            if (T < 0 || T > vh->tw.end) return false;
            s->waiting = b - a;
            s->setup = su;
            s->service = t->service;
            if (pos == 0) first_wait = s->waiting;
            if (begin) begin[ti] = b;
            if (t->lateness_per_hour)
                out->care_num += (int64_t)t->lateness_per_hour * lateness(p, t, b);
            if (t->kind == CV_TASK_DELIVERY && *raise_at < 0) {
                const cv_task *pu = &p->tasks[t->sibling];
                if (pu->max_ride_time > 0) {
                    /* The pickup is earlier in this route: time it again. */
                    int64_t pt, pb, psu;
                    uint32_t pprev = CV_NONE;
                    for (uint32_t j = 0; j < ti; j++)
                        if (seq[j] == t->sibling) pprev = j;
                    if (pprev != CV_NONE && begin) {
                        pb = begin[pprev];
                        uint32_t from = pprev ? p->tasks[seq[pprev - 1]].loc : vh->start_loc;
                        psu = (from == CV_NONE || from != pu->loc) ? pu->setup : 0;
                        pt = pb + psu + pu->service;
                        if (b - pt > pu->max_ride_time) {
                            *raise_at = pprev;
                            *raise_to = b - pu->max_ride_time - psu - pu->service;
                        }
                    }
                }
            }
            if (loads) {
                const int64_t *del = cv_task_delivery(p, t), *pick = cv_task_pickup(p, t);
                for (uint32_t d = 0; d < nd; d++) load[d] += pick[d] - del[d];
            }
            prev = t->loc;
            ti++;
        }
        s->duration = cdur;
        s->distance = cdist;
        if (sched) {
            if (loads) memcpy(loads + (size_t)ns * nd, load, nd * sizeof *load);
            ns++;
        }
    }
    int64_t tr = cv__dur(w, prev, vh->end_loc);
    int64_t end_arr = T + tr;
    if (end_arr > vh->tw.end) return false;
    if (sched) {
        cv__sched_step *s = &sched[ns];
        memset(s, 0, sizeof *s);
        s->type = CV_STEP_END;
        s->index = CV_NONE;
        s->loc = vh->end_loc != CV_NONE ? vh->end_loc : prev;
        s->arrival = end_arr;
        s->duration = cdur + tr;
        s->distance = cdist + cv__dist(w, prev, vh->end_loc);
        if (loads) memcpy(loads + (size_t)ns * nd, load, nd * sizeof *load);
        ns++;
    }
    /* Leave the start as late as the first task allows: same schedule from
     * the first task on, without idle time at the first door. */
    int64_t shift = first_wait > 0 ? first_wait : 0;
    if (sched && shift > 0) {
        sched[0].arrival += shift;
        sched[1].arrival += shift;
        sched[1].waiting = 0;
    }
    if (nsched) *nsched = ns;
    out->start = t0 + shift;
    out->work = end_arr - out->start - unpaid;
    if (vh->overtime_per_hour > 0 && out->work > vh->overtime_after)
        out->care_num += vh->overtime_per_hour * (out->work - vh->overtime_after);
    return true;
}

bool cv__route_eval(const cv__ctx *c, uint32_t v, const uint32_t *seq, uint32_t n, cv__eval *out,
                    cv__sched_step *sched, uint32_t *nsched, int64_t *loads)
{
    return cv__route_eval_lb(c, v, seq, n, NULL, out, sched, nsched, loads, NULL);
}

bool cv__route_eval_lb(const cv__ctx *c, uint32_t v, const uint32_t *seq, uint32_t n,
                       const int64_t *lb, cv__eval *out, cv__sched_step *sched, uint32_t *nsched,
                       int64_t *loads, int64_t *begin)
{
    const cv_problem *p = c->p;
    const cv_vehicle *vh = &p->vehicles[v];
    const cv__veh *w = &c->veh[v];
    const uint32_t nd = p->ndims;
    memset(out, 0, sizeof *out);
    out->feasible = true;
    out->fail = CV_REASON_NONE;
    if (nsched) *nsched = 0;
    if (n == 0) return true;

    /* Skills, max_tasks, shipment order. */
    for (uint32_t i = 0; i < n; i++)
        if (!c->can[(size_t)seq[i] * c->nv + v]) return fail(out, CV_REASON_SKILLS);
    if (n > vh->max_tasks) return fail(out, CV_REASON_MAX_TASKS);
    for (uint32_t i = 0; i < n; i++) {
        const cv_task *t = &p->tasks[seq[i]];
        if (t->kind == CV_TASK_JOB) continue;
        bool ok = false;
        if (t->kind == CV_TASK_DELIVERY) {
            for (uint32_t j = 0; j < i && !ok; j++) ok = seq[j] == t->sibling;
        } else {
            for (uint32_t j = i + 1; j < n && !ok; j++) ok = seq[j] == t->sibling;
        }
        if (!ok) return fail(out, CV_REASON_NONE);
    }

    /* Loads after each position 0..n, checked against the capacity. */
    const int64_t *cap = cv_vehicle_capacity(p, vh);
    int64_t *la = NULL; /* (n + 1) x nd, needed for breaks with max_load */
    const uint32_t nb = vh->break_count;
    bool need_la = nd && nb;
    if (need_la) {
        la = cv_calloc((size_t)(n + 1) * nd, sizeof *la);
        if (!la) return fail(out, CV_REASON_NONE);
    }
    int64_t cur[CV_MAX_AMOUNT_DIMS] = {0};
    for (uint32_t i = 0; i < n; i++) {
        const cv_task *t = &p->tasks[seq[i]];
        if (t->kind != CV_TASK_JOB) continue;
        const int64_t *del = cv_task_delivery(p, t);
        for (uint32_t d = 0; d < nd; d++) cur[d] += del[d];
    }
    for (uint32_t i = 0; i <= n; i++) {
        if (i > 0) {
            const cv_task *t = &p->tasks[seq[i - 1]];
            const int64_t *del = cv_task_delivery(p, t), *pick = cv_task_pickup(p, t);
            for (uint32_t d = 0; d < nd; d++) cur[d] += pick[d] - del[d];
        }
        for (uint32_t d = 0; d < nd; d++)
            if (cur[d] > cap[d]) {
                free(la);
                return fail(out, CV_REASON_CAPACITY);
            }
        if (la) memcpy(la + (size_t)i * nd, cur, nd * sizeof *cur);
    }

    /* Travel totals. */
    {
        uint32_t prev = vh->start_loc;
        for (uint32_t i = 0; i <= n; i++) {
            uint32_t l = i < n ? p->tasks[seq[i]].loc : vh->end_loc;
            out->dur += cv__dur(w, prev, l);
            out->dist += cv__dist(w, prev, l);
            out->cost += cv__cost(w, prev, l);
            if (l != CV_NONE) prev = l;
        }
        out->cost += w->fixed;
        for (uint32_t i = 0; i < n; i++) out->pref += cv__pref_cost(c, seq[i], v);
        out->cost += (double)out->pref;
    }
    if (out->dur > vh->max_travel_time) {
        free(la);
        return fail(out, CV_REASON_MAX_TRAVEL_TIME);
    }
    if (out->dist > vh->max_distance) {
        free(la);
        return fail(out, CV_REASON_MAX_DISTANCE);
    }

    /* Time: the order of tasks and breaks (a dynamic programme over the
     * earliest time of each state, i tasks done and k breaks taken), then one
     * replay of that order that writes the begins, the schedule and the care
     * terms.  A pickup whose ride exceeds its max_ride_time raises its own
     * lower bound (it waits at the pickup) and the route is timed again. */
    const int64_t t0 = vh->tw.start;
    const uint32_t nbs = nb + 1, total = n + nb;
    int64_t *E = NULL, *mylb = NULL, *mybegin = NULL;
    uint8_t *par = NULL, *is_break = NULL;
    bool ok = true;
    if (nb) {
        E = cv_calloc((size_t)(n + 1) * nbs, sizeof *E);
        par = cv_calloc((size_t)(n + 1) * nbs, 1);
        is_break = cv_calloc(total + 1, 1);
        if (!E || !par || !is_break) {
            ok = fail(out, CV_REASON_NONE);
            goto done;
        }
    }
    if (!begin && c->has_ride) {
        /* Ride times are checked on the begins. */
        begin = mybegin = cv_calloc(n, sizeof *begin);
        if (!begin) {
            ok = fail(out, CV_REASON_NONE);
            goto done;
        }
    }
    for (uint32_t round = 0;; round++) {
        if (nb) {
            for (size_t i = 0; i < (size_t)(n + 1) * nbs; i++) E[i] = TIME_UNSET;
            E[0] = t0;
            for (uint32_t i = 0; i <= n; i++) {
                uint32_t here = i ? p->tasks[seq[i - 1]].loc : vh->start_loc;
                for (uint32_t k = 0; k <= nb; k++) {
                    int64_t T = E[(size_t)i * nbs + k];
                    if (T == TIME_UNSET) continue;
                    if (k < nb) {
                        const cv_break *br = &p->breaks[vh->break_first + k];
                        bool load_ok = true;
                        if (br->has_max_load) {
                            const int64_t *ml = p->amounts + br->max_load_off;
                            for (uint32_t d = 0; d < nd; d++)
                                if (la[(size_t)i * nd + d] > ml[d]) load_ok = false;
                        }
                        int64_t T2 = load_ok ? break_depart(p, br, T) : -1;
                        int64_t *dst = &E[(size_t)i * nbs + k + 1];
                        if (T2 >= 0 && T2 <= vh->tw.end && (*dst == TIME_UNSET || T2 < *dst)) {
                            *dst = T2;
                            par[(size_t)i * nbs + k + 1] = 1;
                        }
                    }
                    if (i < n) {
                        const cv_task *t = &p->tasks[seq[i]];
                        int64_t a = T + cv__dur(w, here, t->loc);
                        if (lb && lb[i] > a) a = lb[i];
                        int64_t T2 = task_depart(p, t, here, a, NULL, NULL);
                        int64_t *dst = &E[(size_t)(i + 1) * nbs + k];
                        if (T2 >= 0 && T2 <= vh->tw.end && (*dst == TIME_UNSET || T2 < *dst)) {
                            *dst = T2;
                            par[(size_t)(i + 1) * nbs + k] = 0;
                        }
                    }
                }
            }
            int64_t T = E[(size_t)n * nbs + nb];
            uint32_t last = p->tasks[seq[n - 1]].loc;
            if (T == TIME_UNSET || T + cv__dur(w, last, vh->end_loc) > vh->tw.end) {
                ok = fail(out, mylb ? CV_REASON_MAX_RIDE_TIME : CV_REASON_BREAKS);
                goto done;
            }
            /* Recover the order of tasks and breaks. */
            memset(is_break, 0, total + 1);
            uint32_t i = n, k = nb, pos = total;
            while (pos > 0) {
                pos--;
                if (par[(size_t)i * nbs + k] && k > 0) {
                    is_break[pos] = 1;
                    k--;
                } else {
                    i--;
                }
            }
        }
        int64_t raise_at = -1, raise_to = 0;
        if (!replay(c, v, seq, n, lb, is_break, out, sched, nsched, loads, begin, &raise_at,
                    &raise_to)) {
            ok = fail(out, mylb ? CV_REASON_MAX_RIDE_TIME
                           : nb ? CV_REASON_BREAKS
                                : CV_REASON_TIME_WINDOW);
            goto done;
        }
        if (raise_at < 0) break;
        /* A ride too long: the pickup waits; no more than n rounds (each
         * fixes one pickup's wait until a later one pushes it again). */
        if (round >= n + 1) {
            ok = fail(out, CV_REASON_MAX_RIDE_TIME);
            goto done;
        }
        if (!mylb) {
            mylb = cv_calloc(n, sizeof *mylb);
            if (!mylb) {
                ok = fail(out, CV_REASON_NONE);
                goto done;
            }
            for (uint32_t i = 0; i < n; i++) mylb[i] = lb ? lb[i] : CV__TIME_NONE;
            lb = mylb;
        }
        mylb[(uint32_t)raise_at] = raise_to;
    }
    if (vh->max_working_time > 0 && out->work > vh->max_working_time)
        ok = fail(out, CV_REASON_MAX_WORKING_TIME);
    if (ok) out->cost += (double)out->care_num / 3600.0;
done:
    free(E);
    free(par);
    free(is_break);
    free(mylb);
    free(mybegin);
    free(la);
    return ok;
}
