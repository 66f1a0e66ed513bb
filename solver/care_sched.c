/* Scheduling of linked routes, and insertion under the care extensions.
 *
 * Relations and visits with several workers tie service starts across
 * routes: x[to] >= x[from] + w for every time edge (care_ctx.c).  With each
 * route's own order, windows (soft ends), shift, breaks and ride times, the
 * plan's schedule is the least solution of these constraints: every
 * constraint reads "x >= monotone function of other x" (a route's earliest
 * timing given lower bounds on its begins is monotone in them, and
 * within-window choices are closed under minimum), so the least solution
 * exists when any does, and a label-correcting iteration from below finds
 * it: re-time a route whose lower bounds rose, raise the bounds its changed
 * begins imply, repeat.  This is Bellman-Ford on the simple temporal network
 * of route order, sync and precedence edges; a positive cycle (two routes
 * waiting for each other) or an upper bound (a window end, the shift, a
 * max_gap) that the least solution violates means infeasible, and so does
 * an iteration that does not settle within its budget of route timings.
 *
 * A trial changes the sequences of a few routes (an insertion only adds
 * tasks, so every begin can only rise: the iteration starts from the
 * current schedule) and re-times what the change reaches; its delta is the
 * change of route costs plus the fairness term.  A committed trial becomes
 * the solution.  After a ruin (begins may fall) the schedule is recomputed
 * from below.
 *
 * Insertion works on units (tasks planned together or not at all): a lone
 * job or shipment at its best position in any route; a unit of several
 * tasks by its first task's few best positions, each completed greedily
 * (each further task at its best position given the ones placed), keeping
 * the cheapest completion.  Distinct-vehicle rules filter the routes.
 *
 * Work per trial: O(length) for the changed route when nothing linked
 * moves, plus O(length) per route timing the propagation needs.
 */
#include "solver_int.h"

#include <assert.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BOTTOM INT64_MIN
#define CARE_BEAM 3u /* first-task positions completed per unit of several tasks */

typedef struct cv__care_cand {
    double delta;
    uint32_t r, pos, pos2;
} cand;

cv_status cv__care_ws_init(cv__care_ws *ws, const cv__ctx *c)
{
    memset(ws, 0, sizeof *ws);
    ws->c = c;
    const uint32_t nt = c->nt + 1, nv = c->nv + 1;
    ws->x = cv_calloc(nt, sizeof *ws->x);
    ws->xset = cv_calloc(nt, 1);
    ws->xlist = cv_calloc(nt, sizeof *ws->xlist);
    ws->troute = cv_calloc(nt, sizeof *ws->troute);
    ws->tlist = cv_calloc(nt, sizeof *ws->tlist);
    ws->seq = cv_calloc(nv, sizeof *ws->seq);
    ws->seqn = cv_calloc(nv, sizeof *ws->seqn);
    ws->rmod = cv_calloc(nv, 1);
    ws->rtouch = cv_calloc(nv, 1);
    ws->rtouch2 = cv_calloc(nv, 1);
    ws->rlist = cv_calloc(nv, sizeof *ws->rlist);
    ws->rcost = cv_calloc(nv, sizeof *ws->rcost);
    ws->rwork = cv_calloc(nv, sizeof *ws->rwork);
    ws->queue = cv_calloc(nv, sizeof *ws->queue);
    ws->inq = cv_calloc(nv, 1);
    ws->lb = cv_calloc(nt + 2, sizeof *ws->lb);
    ws->beg = cv_calloc(nt + 2, sizeof *ws->beg);
    ws->buf = cv_calloc(nt + 2, sizeof *ws->buf);
    ws->saved = cv_calloc(nv, sizeof *ws->saved);
    ws->rsaved = cv_calloc(nv, 1);
    ws->slist = cv_calloc(nv, sizeof *ws->slist);
    ws->sbegin = cv_calloc(nt, sizeof *ws->sbegin);
    ws->sroute_of = cv_calloc(nt, sizeof *ws->sroute_of);
    ws->mark = cv_calloc(nt, 1);
    ws->class_seen = cv_calloc(nv, sizeof *ws->class_seen);
    ws->choice = cv_calloc(nt, sizeof *ws->choice);
    ws->keep_choice = cv_calloc(nt, sizeof *ws->keep_choice);
    if (!ws->choice || !ws->keep_choice || !ws->x || !ws->xset || !ws->xlist || !ws->troute ||
        !ws->tlist || !ws->seq || !ws->seqn || !ws->rmod || !ws->rtouch || !ws->rtouch2 ||
        !ws->rlist || !ws->rcost || !ws->rwork || !ws->queue || !ws->inq || !ws->lb || !ws->beg ||
        !ws->buf || !ws->saved || !ws->rsaved || !ws->slist || !ws->sbegin || !ws->sroute_of ||
        !ws->mark || !ws->class_seen) {
        cv__care_ws_fini(ws);
        return CV_ENOMEM;
    }
    for (uint32_t t = 0; t < nt; t++) ws->troute[t] = CV_NONE;
    for (uint32_t r = 0; r < c->nv; r++) {
        ws->seq[r] = cv_calloc(nt + 1, sizeof **ws->seq);
        if (!ws->seq[r]) {
            cv__care_ws_fini(ws);
            return CV_ENOMEM;
        }
    }
    return CV_OK;
}

void cv__care_ws_fini(cv__care_ws *ws)
{
    if (ws->seq && ws->c)
        for (uint32_t r = 0; r < ws->c->nv; r++) free(ws->seq[r]);
    if (ws->saved && ws->c)
        for (uint32_t r = 0; r < ws->c->nv; r++) cv__route_free(&ws->saved[r]);
    free(ws->x);
    free(ws->xset);
    free(ws->xlist);
    free(ws->troute);
    free(ws->tlist);
    free(ws->seq);
    free(ws->seqn);
    free(ws->rmod);
    free(ws->rtouch);
    free(ws->rtouch2);
    free(ws->rlist);
    free(ws->rcost);
    free(ws->rwork);
    free(ws->queue);
    free(ws->inq);
    free(ws->lb);
    free(ws->beg);
    free(ws->buf);
    free(ws->saved);
    free(ws->rsaved);
    free(ws->slist);
    free(ws->sbegin);
    free(ws->sroute_of);
    free(ws->mark);
    free(ws->class_seen);
    free(ws->choice);
    free(ws->keep_choice);
    memset(ws, 0, sizeof *ws);
}

/* ---- Fairness ---- */

double cv__care_fairness(const cv__ctx *c, const cv__sol *s)
{
    const int64_t fph = c->p->fairness_per_hour;
    if (!fph) return 0;
    int64_t lo = 0, hi = 0;
    bool any = false;
    for (uint32_t r = 0; r < s->nv; r++) {
        if (!s->r[r].n) continue;
        int64_t wk = s->r[r].work;
        if (!any || wk < lo) lo = wk;
        if (!any || wk > hi) hi = wk;
        any = true;
    }
    return any ? (double)fph * (double)(hi - lo) / 3600.0 : 0;
}

/* ---- Trials ---- */

static void trial_reset(cv__care_ws *ws)
{
    for (uint32_t i = 0; i < ws->nx; i++) ws->xset[ws->xlist[i]] = 0;
    for (uint32_t i = 0; i < ws->ntl; i++) ws->troute[ws->tlist[i]] = CV_NONE;
    for (uint32_t i = 0; i < ws->nr; i++)
        ws->rmod[ws->rlist[i]] = ws->rtouch[ws->rlist[i]] = ws->rtouch2[ws->rlist[i]] = 0;
    for (uint32_t i = 0; i < ws->qn; i++) ws->inq[ws->queue[(ws->qh + i) % ws->c->nv]] = 0;
    ws->nx = ws->ntl = ws->nr = ws->qh = ws->qn = 0;
    ws->fail_route = CV_NONE;
    ws->scratch = false;
    ws->bound = INFINITY;
    ws->pdelta = 0;
}

static void touch_route(cv__care_ws *ws, uint32_t r)
{
    if (!ws->rtouch[r]) {
        ws->rtouch[r] = 1;
        ws->rlist[ws->nr++] = r;
    }
}

static void enqueue(cv__care_ws *ws, uint32_t r)
{
    if (ws->inq[r]) return;
    ws->inq[r] = 1;
    ws->queue[(ws->qh + ws->qn++) % ws->c->nv] = r;
}

static inline uint32_t route_now(const cv__care_ws *ws, const cv__sol *s, uint32_t t)
{
    return ws->troute[t] != CV_NONE ? ws->troute[t] : s->route_of[t];
}

static inline int64_t x_now(const cv__care_ws *ws, const cv__sol *s, uint32_t t)
{
    if (ws->xset[t]) return ws->x[t];
    if (ws->scratch || ws->troute[t] != CV_NONE || s->route_of[t] == CV_NONE) return BOTTOM;
    return s->begin[t];
}

/* Route ri gets sequence seq (n tasks, a superset of its current tasks). */
static void trial_route(cv__care_ws *ws, const cv__sol *s, uint32_t ri, const uint32_t *seq,
                        uint32_t n)
{
    memcpy(ws->seq[ri], seq, n * sizeof *seq);
    ws->seqn[ri] = n;
    ws->rmod[ri] = 1;
    touch_route(ws, ri);
    for (uint32_t k = 0; k < n; k++)
        if (s->route_of[seq[k]] != ri && ws->troute[seq[k]] == CV_NONE) {
            ws->troute[seq[k]] = ri;
            ws->tlist[ws->ntl++] = seq[k];
        }
    enqueue(ws, ri);
}

/* Propagates until every route's timing agrees with its bounds; false when
 * infeasible (ws->fail_route then names the route that failed, or CV_NONE
 * when the budget ran out). */
static bool trial_run(cv__care_ws *ws, const cv__sol *s, uint64_t limit, uint64_t *effort)
{
    const cv__ctx *c = ws->c;
    uint64_t evals = 0;
    while (ws->qn) {
        uint32_t r = ws->queue[ws->qh];
        ws->qh = (ws->qh + 1) % c->nv;
        ws->qn--;
        ws->inq[r] = 0;
        if (++evals > limit) {
            ws->fail_route = CV_NONE;
            return false;
        }
        const uint32_t *seq = ws->rmod[r] ? ws->seq[r] : s->r[r].t;
        const uint32_t n = ws->rmod[r] ? ws->seqn[r] : s->r[r].n;
        touch_route(ws, r);
        if (n == 0) {
            ws->rcost[r] = 0;
            ws->rwork[r] = 0;
            continue;
        }
        bool any_lb = false;
        for (uint32_t k = 0; k < n; k++) {
            uint32_t t = seq[k];
            int64_t lb = BOTTOM;
            for (uint32_t e = c->in_first[t]; e < c->in_first[t + 1]; e++) {
                const cv__edge *ed = &c->in_edge[e];
                if (route_now(ws, s, ed->task) == CV_NONE) continue;
                int64_t xs = x_now(ws, s, ed->task);
                if (xs == BOTTOM) continue;
                if (xs + ed->w > lb) lb = xs + ed->w;
            }
            ws->lb[k] = lb;
            any_lb |= lb != BOTTOM;
        }
        cv__eval e;
        *effort += n + 8;
        if (!cv__route_eval_lb(c, r, seq, n, any_lb ? ws->lb : NULL, &e, NULL, NULL, NULL,
                               ws->beg)) {
            ws->fail_route = r;
            return false;
        }
        /* Without fairness, costs only grow while begins rise: a trial
         * already above the bound cannot win (its timing stops here). */
        ws->pdelta += e.cost - (ws->rtouch2[r] ? ws->rcost[r] : s->r[r].cost);
        ws->rtouch2[r] = 1;
        ws->rcost[r] = e.cost;
        ws->rwork[r] = e.work;
        if (!ws->scratch && ws->pdelta >= ws->bound - 1e-9) {
            ws->fail_route = CV_NONE;
            return false;
        }
        for (uint32_t k = 0; k < n; k++) {
            uint32_t t = seq[k];
            int64_t b = ws->beg[k];
            if (ws->xset[t] && ws->x[t] == b) continue;
            if (!ws->scratch &&
                c->out_first[t + 1] + c->in_first[t + 1] > c->out_first[t] + c->in_first[t]) {
                int64_t old = x_now(ws, s, t);
                if (old != BOTTOM && b < old) {
                    /* A begin fell (travel without the triangle inequality):
                     * the current schedule is no longer below the new least
                     * one; time every route from below instead. */
                    for (uint32_t i = 0; i < ws->nx; i++) ws->xset[ws->xlist[i]] = 0;
                    ws->nx = 0;
                    ws->scratch = true;
                    for (uint32_t q = 0; q < s->nv; q++)
                        if (ws->rmod[q] ? ws->seqn[q] : s->r[q].n) enqueue(ws, q);
                    evals = 0;
                    limit *= 4;
                    break;
                }
            }
            if (!ws->xset[t]) {
                if (!ws->scratch && ws->troute[t] == CV_NONE && s->begin[t] == b) continue;
                ws->xset[t] = 1;
                ws->xlist[ws->nx++] = t;
            }
            ws->x[t] = b;
            for (uint32_t q = c->out_first[t]; q < c->out_first[t + 1]; q++) {
                const cv__edge *ed = &c->out_edge[q];
                uint32_t rq = route_now(ws, s, ed->task);
                if (rq == CV_NONE) continue;
                int64_t xq = x_now(ws, s, ed->task);
                if (xq == BOTTOM || b + ed->w > xq) enqueue(ws, rq);
            }
        }
    }
    return true;
}

/* Cost change of a successful trial (routes evaluated, fairness). */
static double trial_delta(const cv__care_ws *ws, const cv__sol *s)
{
    const cv__ctx *c = ws->c;
    double d = 0;
    for (uint32_t i = 0; i < ws->nr; i++) {
        uint32_t r = ws->rlist[i];
        d += ws->rcost[r] - s->r[r].cost;
    }
    if (c->p->fairness_per_hour) {
        int64_t lo = 0, hi = 0;
        bool any = false;
        for (uint32_t r = 0; r < s->nv; r++) {
            uint32_t n = ws->rmod[r] ? ws->seqn[r] : s->r[r].n;
            if (!n) continue;
            int64_t wk = ws->rtouch[r] ? ws->rwork[r] : s->r[r].work;
            if (!any || wk < lo) lo = wk;
            if (!any || wk > hi) hi = wk;
            any = true;
        }
        double f = any ? (double)c->p->fairness_per_hour * (double)(hi - lo) / 3600.0 : 0;
        d += f - cv__care_fairness(c, s);
    }
    return d;
}

static void touch_out(cv__care_touch *tc, uint32_t r)
{
    if (!tc || !tc->touched) return;
    if (!tc->touched[r]) {
        tc->touched[r] = 1;
        tc->tlist[(*tc->ntouched)++] = r;
    }
}

/* Saves route r before its first change since the snapshot. */
static cv_status save_route(cv__care_ws *ws, const cv__sol *s, uint32_t r)
{
    if (!ws->snap || ws->rsaved[r]) return CV_OK;
    ws->rsaved[r] = 1;
    ws->slist[ws->ns++] = r;
    return cv__route_copy(&ws->saved[r], &s->r[r], ws->c->nd);
}

static cv_status trial_commit(cv__care_ws *ws, cv__sol *s, cv__care_touch *tc)
{
    const cv__ctx *c = ws->c;
    for (uint32_t i = 0; i < ws->nr; i++) {
        uint32_t r = ws->rlist[i];
        cv_status st = save_route(ws, s, r);
        if (st != CV_OK) return st;
        if (ws->rmod[r]) {
            st = cv__route_set_norecount(c, s, r, ws->seq[r], ws->seqn[r]);
            if (st != CV_OK) return st;
        }
        touch_out(tc, r);
    }
    for (uint32_t i = 0; i < ws->nr; i++) {
        uint32_t r = ws->rlist[i];
        s->r[r].cost = ws->rcost[r];
        s->r[r].work = ws->rwork[r];
    }
    for (uint32_t i = 0; i < ws->nx; i++) s->begin[ws->xlist[i]] = ws->x[ws->xlist[i]];
    cv__sol_recount(c, s);
    return CV_OK;
}

static uint64_t run_limit(const cv__ctx *c)
{
    return (uint64_t)(c->nv + 1) * (c->nlinked + 2) + 16;
}

/* ---- Recomputing the schedule from below ---- */

/* Removes whole units of the tasks flagged in ws->mark from their routes. */
static void remove_marked_units(cv__care_ws *ws, cv__sol *s, cv__care_touch *tc)
{
    const cv__ctx *c = ws->c;
    /* Complete the marks to whole units (with shipment halves). */
    for (uint32_t t = 0; t < c->nt; t++) {
        if (!ws->mark[t]) continue;
        uint32_t u = c->unit_of[t];
        for (uint32_t i = c->unit_first[u]; i < c->unit_first[u + 1]; i++) {
            uint32_t m = c->unit_task[i];
            ws->mark[m] = 1;
            if (c->p->tasks[m].sibling != CV_NONE) ws->mark[c->p->tasks[m].sibling] = 1;
        }
    }
    for (uint32_t r = 0; r < s->nv; r++) {
        bool hit = false;
        for (uint32_t k = 0; k < s->r[r].n && !hit; k++) hit = ws->mark[s->r[r].t[k]];
        if (!hit) continue;
        save_route(ws, s, r);
        cv__route_remove_marked(c, s, r, ws->mark);
        touch_out(tc, r);
    }
    memset(ws->mark, 0, c->nt);
}

cv_status cv__care_repair(const cv__ctx *c, cv__care_ws *ws, cv__sol *s, cv__care_touch *tc,
                          uint64_t *effort)
{
    /* Units partly planned (a warm start, a route emptied by the ruin): out. */
    for (uint32_t u = 0; u < c->nunits; u++) {
        uint32_t in = 0, all = c->unit_first[u + 1] - c->unit_first[u];
        for (uint32_t i = c->unit_first[u]; i < c->unit_first[u + 1]; i++)
            in += s->route_of[c->unit_task[i]] != CV_NONE;
        if (in && in < all)
            for (uint32_t i = c->unit_first[u]; i < c->unit_first[u + 1]; i++)
                ws->mark[c->unit_task[i]] = 1;
    }
    remove_marked_units(ws, s, tc);
    for (;;) {
        trial_reset(ws);
        ws->scratch = true;
        for (uint32_t r = 0; r < s->nv; r++)
            if (s->r[r].n) enqueue(ws, r);
        bool ok = trial_run(ws, s, run_limit(c) * 4, effort);
        ws->scratch = false;
        if (ok) {
            for (uint32_t r = 0; r < s->nv; r++) touch_route(ws, r);
            for (uint32_t i = 0; i < ws->nr; i++) {
                uint32_t r = ws->rlist[i];
                if (!s->r[r].n) ws->rcost[r] = ws->rwork[r] = 0;
            }
            /* Every begin is rewritten (the scratch run set each one). */
            cv_status st = trial_commit(ws, s, tc);
            trial_reset(ws);
            return st;
        }
        /* Drop the units of the failing route (all routes when the
         * iteration did not settle: then some cycle of waits). */
        for (uint32_t r = 0; r < s->nv; r++) {
            if (ws->fail_route != CV_NONE && r != ws->fail_route) continue;
            for (uint32_t k = 0; k < s->r[r].n; k++) ws->mark[s->r[r].t[k]] = 1;
        }
        trial_reset(ws);
        remove_marked_units(ws, s, tc);
    }
}

/* ---- Insertion ---- */

/* Route r may take task u: skills and vehicle lists, distinct workers, and a
 * visit's copies in increasing route order when its first copy carries
 * amounts (the plan names copies by route order). */
static bool route_allows(const cv__ctx *c, const cv__sol *s, uint32_t u, uint32_t r)
{
    const cv_problem *p = c->p;
    const cv_task *t = &p->tasks[u];
    if (!c->can[(size_t)u * c->nv + r]) return false;
    uint32_t add = t->kind == CV_TASK_PICKUP ? 2 : 1;
    if ((uint64_t)s->r[r].n + add > p->vehicles[r].max_tasks) return false;
    for (uint32_t i = c->dis_first[u]; i < c->dis_first[u + 1]; i++)
        if (s->route_of[c->dis_to[i]] == r) return false;
    if (t->group_size > 1 && t->group_first != u) {
        uint32_t g = t->group_first;
        const int64_t *del = cv_task_delivery(p, &p->tasks[g]),
                      *pick = cv_task_pickup(p, &p->tasks[g]);
        bool amounts = false;
        for (uint32_t d = 0; d < c->nd; d++) amounts |= del[d] != 0 || pick[d] != 0;
        if (amounts && s->route_of[g] != CV_NONE && r <= s->route_of[g]) return false;
    }
    return true;
}

/* Travel, fixed and preference part of inserting u (and its delivery) in
 * route r at i (j): a lower bound of the delta when no fairness term can
 * fall (care costs only grow as begins rise). */
static double travel_delta(const cv__ctx *c, const cv__sol *s, uint32_t r, uint32_t u, uint32_t i,
                           uint32_t j)
{
    const cv_problem *p = c->p;
    const cv__route *rt = &s->r[r];
    const cv__veh *w = &c->veh[r];
    const uint32_t lu = p->tasks[u].loc;
    double d = (rt->n ? 0 : w->fixed) + (double)cv__pref_cost(c, u, r);
    uint32_t pl = rt->loc[i], nl = rt->loc[i + 1];
    if (j == CV_NONE) return d + cv__cost(w, pl, lu) + cv__cost(w, lu, nl) - cv__cost(w, pl, nl);
    const uint32_t ld = p->tasks[p->tasks[u].sibling].loc;
    if (j == i + 1)
        return d + cv__cost(w, pl, lu) + cv__cost(w, lu, ld) + cv__cost(w, ld, nl) -
               cv__cost(w, pl, nl);
    /* j counts in the new sequence: the delivery goes between old j-2 and j-1. */
    uint32_t ql = rt->loc[j - 1], ql1 = rt->loc[j];
    return d + cv__cost(w, pl, lu) + cv__cost(w, lu, nl) - cv__cost(w, pl, nl) +
           cv__cost(w, ql, ld) + cv__cost(w, ld, ql1) - cv__cost(w, ql, ql1);
}

/* Time added between the tasks around position i of route r by putting task
 * u there (travel, setup, service; the next task's setup may change).  When
 * it is negative (travel without the triangle inequality) later tasks of
 * the route may begin earlier. */
static int64_t added_time(const cv__ctx *c, const cv__route *rt, uint32_t u, uint32_t i)
{
    const cv_problem *p = c->p;
    const cv__veh *w = &c->veh[rt->v];
    const cv_task *t = &p->tasks[u];
    uint32_t pl = rt->loc[i], nl = rt->loc[i + 1];
    int64_t add = cv__dur(w, pl, t->loc) + cv__dur(w, t->loc, nl) - cv__dur(w, pl, nl) +
                  ((pl == CV_NONE || pl != t->loc) ? t->setup : 0) + t->service;
    if (i < rt->n) {
        const cv_task *b = &p->tasks[rt->t[i]];
        int64_t old_su = (pl == CV_NONE || pl != b->loc) ? b->setup : 0;
        int64_t new_su = t->loc != b->loc ? b->setup : 0;
        add += new_su - old_su;
    }
    return add;
}

/* A necessary condition for route r with the tasks seq[0..m): each task
 * can begin in a window (soft ends stretched) and the vehicle is back by
 * the end of its shift, timing every task as early as travel and windows
 * allow.  Setups, breaks, waits for linked visits and for a meal's ride
 * time only add time, so a sequence that fails here fails the full timing;
 * on a day of tight windows most positions fail here, at a fraction of the
 * cost of timing the linked routes. */
static bool may_fit(const cv__ctx *c, uint32_t r, const uint32_t *seq, uint32_t m)
{
    const cv_problem *p = c->p;
    const cv_vehicle *vh = &p->vehicles[r];
    const cv__veh *w = &c->veh[r];
    int64_t end = c->start_dep[r];
    uint32_t prev = vh->start_loc;
    for (uint32_t k = 0; k < m; k++) {
        const cv_task *t = &p->tasks[seq[k]];
        int64_t b = cv__task_begin(p, t, end + cv__dur(w, prev, t->loc));
        if (b < 0) return false;
        end = b + t->service;
        prev = t->loc;
    }
    return end + cv__dur(w, prev, vh->end_loc) <= vh->tw.end;
}

/* Runs the trial of u at (r, i, j); true with *delta when feasible. */
static bool try_at(cv__care_ws *ws, const cv__sol *s, uint32_t u, uint32_t r, uint32_t i,
                   uint32_t j, double bound, double *delta, uint64_t *effort)
{
    const cv__ctx *c = ws->c;
    const cv__route *rt = &s->r[r];
    uint32_t *seq = ws->buf, m = 0;
    const uint32_t sib = c->p->tasks[u].sibling;
    const uint32_t total = rt->n + (j == CV_NONE ? 1 : 2);
    for (uint32_t x = 0, k = 0; x < total; x++) {
        if (x == i)
            seq[m++] = u;
        else if (j != CV_NONE && x == j)
            seq[m++] = sib;
        else
            seq[m++] = rt->t[k++];
    }
    /* A position turned away costs a pass over the route (a quarter of a
     * timing, in work units); one that passes costs what its timing costs,
     * so searches where the test never fails (soft windows without a
     * limit) spend their effort as before. */
    const bool fits = may_fit(c, r, seq, m);
    if (!fits) *effort += m / 4 + 1;
#ifndef CV_DEBUG_CHECKS
    if (!fits) return false;
#endif
    trial_reset(ws);
    if (c->p->fairness_per_hour == 0) ws->bound = bound;
    trial_route(ws, s, r, seq, m);
    uint64_t limit = run_limit(c);
    if (c->nlinked &&
        (added_time(c, rt, u, i) < 0 || (j != CV_NONE && added_time(c, rt, sib, j - 1) < 0))) {
        /* Begins may fall: the current schedule is no start from below. */
        ws->scratch = true;
        for (uint32_t q = 0; q < s->nv; q++)
            if (q != r && s->r[q].n) enqueue(ws, q);
        limit *= 4;
    }
#ifdef CV_DEBUG_CHECKS
    /* The filter must only turn away positions the full timing rejects. */
    if (!fits) {
        uint64_t spent = 0;
        ws->bound = INFINITY;
        if (trial_run(ws, s, limit, &spent)) {
            fprintf(stderr,
                    "cv_solver: CV_DEBUG_CHECKS: task %u at route %u position %u/%u "
                    "turned away but feasible\n",
                    u, r, i, j);
            abort();
        }
        return false;
    }
#endif
    bool ok = trial_run(ws, s, limit, effort);
    if (ok) *delta = trial_delta(ws, s);
    return ok;
}

/* Keeps the k best candidates, sorted by delta. */
static void keep(cand *best, uint32_t *nbest, uint32_t k, cand x)
{
    uint32_t n = *nbest;
    if (n == k && !(x.delta < best[n - 1].delta - 1e-9)) return;
    uint32_t at = n < k ? n++ : k - 1;
    while (at > 0 && x.delta < best[at - 1].delta - 1e-9) {
        best[at] = best[at - 1];
        at--;
    }
    best[at] = x;
    *nbest = n;
}

/* The k best positions of task u (a job or a pickup with its delivery) in
 * the current solution. */
static uint32_t search(cv__care_ws *ws, const cv__sol *s, uint32_t u, double blink, cv_rng *rng,
                       cand *best, uint32_t k, uint64_t *effort)
{
    const cv__ctx *c = ws->c;
    const bool prune = c->p->fairness_per_hour == 0;
    const bool pair = c->p->tasks[u].kind == CV_TASK_PICKUP;
    const uint64_t thr = blink > 0 ? (uint64_t)(blink * 18446744073709551615.0) : 0;
    uint32_t nbest = 0;
    ws->stamp++;
    for (uint32_t r = 0; r < c->nv; r++) {
        const cv__route *rt = &s->r[r];
        *effort += 1;
        if (!route_allows(c, s, u, r)) continue;
        if (rt->n == 0) {
            uint32_t cl = c->vclass[r];
            if (ws->class_seen[cl] == ws->stamp) continue;
            ws->class_seen[cl] = ws->stamp;
        }
        for (uint32_t i = 0; i <= rt->n; i++) {
            uint32_t jlo = pair ? i + 1 : CV_NONE, jhi = pair ? rt->n + 1 : CV_NONE;
            for (uint32_t j = jlo;; j++) {
                if (thr && cv_rng_next(rng) < thr) goto next;
                double bound = nbest == k ? best[k - 1].delta : INFINITY;
                if (prune && !(travel_delta(c, s, r, u, i, j) < bound - 1e-9)) goto next;
                double d;
                if (try_at(ws, s, u, r, i, j, bound, &d, effort) && d < bound - 1e-9)
                    keep(best, &nbest, k, (cand){d, r, i, j});
            next:
                if (!pair || j >= jhi) break;
            }
        }
    }
    trial_reset(ws);
    return nbest;
}

static cv_status apply(cv__care_ws *ws, cv__sol *s, uint32_t u, const cand *x, cv__care_touch *tc,
                       uint64_t *effort, bool *ok)
{
    double d;
    *ok = try_at(ws, s, u, x->r, x->pos, x->pos2, INFINITY, &d, effort);
    cv_status st = *ok ? trial_commit(ws, s, tc) : CV_OK;
    trial_reset(ws);
    return st;
}

static void snapshot(cv__care_ws *ws, const cv__sol *s)
{
    const cv__ctx *c = ws->c;
    ws->snap = true;
    ws->ns = 0;
    memcpy(ws->sbegin, s->begin, c->nt * sizeof *s->begin);
    memcpy(ws->sroute_of, s->route_of, c->nt * sizeof *s->route_of);
    ws->scost = s->cost;
    ws->sprio = s->unassigned_prio;
    ws->sun = s->nunassigned;
}

static cv_status rollback(cv__care_ws *ws, cv__sol *s)
{
    const cv__ctx *c = ws->c;
    for (uint32_t i = 0; i < ws->ns; i++) {
        uint32_t r = ws->slist[i];
        cv_status st = cv__route_copy(&s->r[r], &ws->saved[r], c->nd);
        if (st != CV_OK) return st;
        ws->rsaved[r] = 0;
    }
    ws->ns = 0;
    memcpy(s->begin, ws->sbegin, c->nt * sizeof *s->begin);
    memcpy(s->route_of, ws->sroute_of, c->nt * sizeof *s->route_of);
    s->cost = ws->scost;
    s->unassigned_prio = ws->sprio;
    s->nunassigned = ws->sun;
    return CV_OK;
}

static void snapshot_end(cv__care_ws *ws)
{
    for (uint32_t i = 0; i < ws->ns; i++) ws->rsaved[ws->slist[i]] = 0;
    ws->ns = 0;
    ws->snap = false;
}

cv_status cv__care_insert(const cv__ctx *c, cv__care_ws *ws, cv__sol *s, uint32_t head,
                          double blink, cv_rng *rng, cv__care_touch *tc, uint64_t *effort,
                          bool *inserted)
{
    const uint32_t un = c->unit_of[head];
    const uint32_t *m = c->unit_task + c->unit_first[un];
    const uint32_t nm = c->unit_first[un + 1] - c->unit_first[un];
    cand best[CARE_BEAM];
    *inserted = false;
    if (nm == 1) {
        if (!search(ws, s, m[0], blink, rng, best, 1, effort)) return CV_OK;
        return apply(ws, s, m[0], &best[0], tc, effort, inserted);
    }
    uint32_t nb = search(ws, s, m[0], blink, rng, best, CARE_BEAM, effort);
    if (!nb) return CV_OK;
    cand *choice = ws->choice, *keep_choice = ws->keep_choice;
    double best_total = INFINITY;
    const double base = s->cost;
    cv_status st = CV_OK;
    snapshot(ws, s);
    for (uint32_t b = 0; b < nb && st == CV_OK; b++) {
        bool ok;
        choice[0] = best[b];
        st = apply(ws, s, m[0], &choice[0], tc, effort, &ok);
        for (uint32_t k = 1; ok && st == CV_OK && k < nm; k++) {
            cand x;
            ok = search(ws, s, m[k], blink, rng, &x, 1, effort) == 1;
            if (ok) {
                choice[k] = x;
                st = apply(ws, s, m[k], &x, tc, effort, &ok);
            }
        }
        if (st == CV_OK && ok && s->cost - base < best_total - 1e-9) {
            best_total = s->cost - base;
            memcpy(keep_choice, choice, nm * sizeof *choice);
        }
        if (st == CV_OK) st = rollback(ws, s);
    }
    snapshot_end(ws);
    if (st != CV_OK || best_total == INFINITY) return st;
    /* Replay the best completion (deterministic: the same trials again). */
    for (uint32_t k = 0; k < nm && st == CV_OK; k++) {
        bool ok;
        st = apply(ws, s, m[k], &keep_choice[k], tc, effort, &ok);
        if (st == CV_OK && !ok) {
            /* Cannot happen: the same state, the same trial. */
            assert(!"care: replayed insertion failed");
            return CV_EINTERNAL;
        }
    }
    *inserted = st == CV_OK;
    return st;
}

cv_status cv__care_construct(const cv__ctx *c, cv__care_ws *ws, cv__sol *s, uint64_t *effort)
{
    const cv_problem *p = c->p;
    for (uint32_t prio = 101; prio-- > 0;)
        for (uint32_t u = 0; u < c->nunits; u++) {
            uint32_t head = c->unit_task[c->unit_first[u]];
            if (c->unit_first[u + 1] == c->unit_first[u]) continue;
            if (p->tasks[head].priority != prio || s->route_of[head] != CV_NONE) continue;
            bool in;
            cv_status st = cv__care_insert(c, ws, s, head, 0, NULL, NULL, effort, &in);
            if (st != CV_OK) return st;
        }
    return CV_OK;
}

#ifdef CV_DEBUG_CHECKS
/* The incremental schedule against a full recomputation: every route timed
 * again from its own begins must give back those begins, its cost and its
 * working time (what the plan writer relies on); every time edge holds; the
 * solution's cost is the sum of its routes and the fairness term.  (The
 * schedule is the least one when no route has breaks; with breaks a
 * route's best path need not give each task its earliest begin, so only
 * consistency is required.) */
void cv__care_debug_check(const cv__ctx *c, cv__care_ws *ws, const cv__sol *s)
{
    bool bad = false;
    for (uint32_t r = 0; r < s->nv; r++) {
        const cv__route *rt = &s->r[r];
        if (!rt->n) continue;
        for (uint32_t k = 0; k < rt->n; k++) ws->lb[k] = s->begin[rt->t[k]];
        cv__eval e;
        if (!cv__route_eval_lb(c, r, rt->t, rt->n, ws->lb, &e, NULL, NULL, NULL, ws->beg)) {
            fprintf(stderr, "route %u: infeasible with its own begins\n", r);
            bad = true;
            continue;
        }
        if (fabs(e.cost - rt->cost) > 1e-6 * (1 + fabs(e.cost)) || e.work != rt->work) {
            fprintf(stderr, "route %u: cost %.3f work %lld, recomputed %.3f %lld\n", r, rt->cost,
                    (long long)rt->work, e.cost, (long long)e.work);
            bad = true;
        }
        for (uint32_t k = 0; k < rt->n; k++) {
            uint32_t t = rt->t[k];
            if (ws->beg[k] != s->begin[t]) {
                fprintf(stderr, "route %u task %u: begin %lld, recomputed %lld\n", r, t,
                        (long long)s->begin[t], (long long)ws->beg[k]);
                bad = true;
            }
            for (uint32_t q = c->out_first[t]; q < c->out_first[t + 1]; q++) {
                const cv__edge *ed = &c->out_edge[q];
                if (s->route_of[ed->task] == CV_NONE) continue;
                if (s->begin[ed->task] < s->begin[t] + ed->w) {
                    fprintf(stderr, "edge %u -> %u (%lld): begins %lld, %lld\n", t, ed->task,
                            (long long)ed->w, (long long)s->begin[t],
                            (long long)s->begin[ed->task]);
                    bad = true;
                }
            }
        }
    }
    double sum = cv__care_fairness(c, s);
    for (uint32_t r = 0; r < s->nv; r++) sum += s->r[r].cost;
    if (fabs(sum - s->cost) > 1e-6 * (1 + fabs(sum))) {
        fprintf(stderr, "solution cost %.3f, sum of routes %.3f\n", s->cost, sum);
        bad = true;
    }
    if (bad) {
        fprintf(stderr, "cv_solver: CV_DEBUG_CHECKS: care schedule differs from its "
                        "recomputation\n");
        abort();
    }
}
#endif
