/* Urgent visits and re-planning of a live day (cv/live.h): cheapest
 * insertion, re-plan around a worker sent there next, refusal with the best
 * achievable arrival; reoptimize; the remaining day as a plan for the
 * checker.
 *
 * Workload: an insertion tries every position of every qualified vehicle's
 * remaining route, each scheduled in full (O(n^2) per route, a few thousand
 * steps on a 300-visit day); a re-plan calls the solver on the remaining day
 * with a small deterministic effort budget, for at most three candidates. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cv/engine.h"
#include "cv/solver.h"
#include "live_int.h"

#define MAX_CANDIDATES 3

cv_status cv__live_add_extra(cv_live *L, const cv_live_urgent *req, int64_t tw_start,
                             int64_t tw_end, uint32_t *task)
{
    cv__live_extra *e = cv_realloc_array(L->extra, L->nextra + 1, sizeof *e);
    if (!e) return CV_ENOMEM;
    L->extra = e;
    e[L->nextra] = (cv__live_extra){.req = *req, .tw_start = tw_start, .tw_end = tw_end};
    cv_problem *np;
    cv_status st = cv__live_problem_with_extras(L->base, L->extra, L->nextra + 1, &np);
    if (st != CV_OK) return st;
    const uint32_t at = L->p->njobs, nt = np->ntasks;
    uint8_t *status = cv_calloc(nt, sizeof *status);
    uint32_t *veh = cv_calloc(nt, sizeof *veh);
    if (!status || !veh) {
        free(status);
        free(veh);
        cv_problem_destroy(np);
        return CV_ENOMEM;
    }
    for (uint32_t t = 0; t < L->p->ntasks; t++) {
        uint32_t n = t < at ? t : t + 1;
        status[n] = L->status[t];
        veh[n] = L->vehicle[t];
    }
    status[at] = CV__LIVE_UNASSIGNED;
    veh[at] = CV_NONE;
    for (uint32_t v = 0; v < np->nvehicles; v++) {
        cv__live_route *r = &L->routes[v];
        for (uint32_t k = 0; k < r->n; k++)
            if (!CV__LIVE_IS_BREAK(r->step[k]) && r->step[k] >= at) r->step[k]++;
    }
    free(L->status);
    free(L->vehicle);
    L->status = status;
    L->vehicle = veh;
    cv_problem_destroy(L->p);
    L->p = np;
    L->nextra++;
    *task = at;
    /* Task indices after the jobs moved up by one: the tie flags follow. */
    return cv__live_build_tied(L);
}

/* ---- The remaining day as a plan ---- */

cv_status cv__live_sub_plan(const cv_live *L, const cv__live_sub *s, cv_plan **out)
{
    const cv_problem *q = s->q;
    cv_plan_builder b;
    cv_status st = cv_plan_builder_init(&b, q->ndims);
    if (st != CV_OK) return st;
    uint32_t maxn = 1;
    for (uint32_t v = 0; v < q->nvehicles; v++)
        if (L->routes[v].n > maxn) maxn = L->routes[v].n;
    uint32_t *seq = cv_calloc(maxn, sizeof *seq);
    cv__live_eta *qeta = cv_calloc(maxn, sizeof *qeta);
    bool *routed = cv_calloc(q->ntasks ? q->ntasks : 1, sizeof *routed);
    cv__live_bounds at = {0};
    cv__live_day day = {0};
    if (!seq || !qeta || !routed) {
        st = CV_ENOMEM;
        goto out;
    }
    at.lo = cv_calloc(q->ntasks ? q->ntasks : 1, sizeof *at.lo);
    at.hi = cv_calloc(q->ntasks ? q->ntasks : 1, sizeof *at.hi);
    if (!at.lo || !at.hi || (st = cv__live_day_of(L, &day)) != CV_OK) {
        if (st == CV_OK) st = CV_ENOMEM;
        goto out;
    }
    /* Times are the live day's own (every route timed with its ties); the
     * loads and the route cost are those of the remaining day q (its
     * capacities, budgets and working-time limits are what is left). */
    for (uint32_t v = 0; v < q->nvehicles; v++) {
        const cv__live_route *r = &L->routes[v];
        const cv_vehicle *vh = &q->vehicles[v];
        const cv__live_eta *eta = day.eta[v];
        uint32_t n = 0, ntasks = 0, nb = 0;
        for (uint32_t k = r->nfrozen; k < r->n; k++) {
            uint32_t x = r->step[k];
            if (CV__LIVE_IS_BREAK(x)) {
                seq[n++] = nb++ | CV__LIVE_BREAK;
            } else if (s->sub_of[x] != CV_NONE) {
                seq[n++] = s->sub_of[x];
                routed[s->sub_of[x]] = true;
                at.lo[s->sub_of[x]] = at.hi[s->sub_of[x]] = eta[k - r->nfrozen].start;
                ntasks++;
            } else {
                /* Cannot happen: every planned step is a task of q. */
                st = CV_EINVAL;
                goto out;
            }
        }
        if (ntasks == 0) continue;
        cv__live_avail a = {.loc = vh->start_loc,
                            .time = vh->tw.start,
                            .setup_from = vh->start_loc,
                            .begun = day.av[v].begun};
        cv__live_sched sc;
        cv__live_schedule(q, v, &a, seq, n, true, &at, qeta, &sc);
        if ((st = cv_plan_builder_route(&b, v)) != CV_OK) goto out;
        cv_plan_step ps = {.type = CV_STEP_START,
                           .index = CV_NONE,
                           .loc = vh->start_loc,
                           .arrival = day.sched[v].depart};
        if ((st = cv_plan_builder_step(&b, &ps, sc.load0)) != CV_OK) goto out;
        for (uint32_t k = 0; k < n; k++) {
            const cv__live_eta *e = &eta[k];
            uint32_t x = seq[k];
            bool br = CV__LIVE_IS_BREAK(x);
            const cv_task *t = br ? NULL : &q->tasks[x];
            ps = (cv_plan_step){
                .type = br                          ? CV_STEP_BREAK
                        : t->kind == CV_TASK_JOB    ? CV_STEP_JOB
                        : t->kind == CV_TASK_PICKUP ? CV_STEP_PICKUP
                                                    : CV_STEP_DELIVERY,
                .index = br ? (x & ~CV__LIVE_BREAK) : x,
                .loc = CV_NONE,
                .arrival = e->arrival,
                .waiting = e->wait,
                .setup = e->setup,
                .service =
                    br ? q->breaks[vh->break_first + (x & ~CV__LIVE_BREAK)].service : t->service,
                .duration = e->duration,
                .distance = e->distance,
            };
            if (!br)
                ps.loc = t->loc;
            else {
                /* Taken at the previous stop. */
                for (uint32_t j = k; j-- > 0;)
                    if (!CV__LIVE_IS_BREAK(seq[j])) {
                        ps.loc = q->tasks[seq[j]].loc;
                        break;
                    }
                if (ps.loc == CV_NONE) ps.loc = vh->start_loc;
            }
            if ((st = cv_plan_builder_step(&b, &ps, qeta[k].load)) != CV_OK) goto out;
        }
        ps = (cv_plan_step){.type = CV_STEP_END,
                            .index = CV_NONE,
                            .loc = vh->end_loc,
                            .arrival = day.sched[v].end_arrival,
                            .duration = day.sched[v].duration,
                            .distance = day.sched[v].distance};
        if ((st = cv_plan_builder_step(&b, &ps, n ? qeta[n - 1].load : sc.load0)) != CV_OK)
            goto out;
        b.plan->routes[b.plan->nroutes - 1].cost = sc.cost;
    }
    /* A visit with several workers is listed once, by its first copy. */
    for (uint32_t t = 0; t < q->ntasks; t++)
        if (!routed[t] && (q->tasks[t].group_size <= 1 || q->tasks[t].group_first == t) &&
            (st = cv_plan_builder_unassigned(&b, t, CV_REASON_NO_ROOM)) != CV_OK)
            goto out;
    cv_plan_sum(b.plan, q);
    *out = cv_plan_builder_finish(&b);
out:
    free(seq);
    free(qeta);
    free(routed);
    free(at.lo);
    free(at.hi);
    cv__live_day_fini(&day);
    cv_plan_builder_fini(&b);
    return st;
}

cv_status cv_live_subplan(const cv_live *L, cv_problem **sub, char **plan_json, cv_diag *diag)
{
    cv__live_sub s;
    cv_status st = cv__live_sub_build(L, CV_NONE, CV_NONE, false, false, &s, diag);
    if (st != CV_OK) return st;
    cv_plan *plan = NULL;
    if ((st = cv__live_sub_plan(L, &s, &plan)) == CV_OK &&
        (st = cv_plan_to_json(plan, s.q, plan_json)) == CV_OK) {
        *sub = s.q;
        s.q = NULL;
    }
    cv_plan_destroy(plan);
    cv__live_sub_fini(&s, L->p->nvehicles);
    return st;
}

/* ---- Costs of the current remaining day ---- */

typedef struct day_eval {
    bool feasible;
    int64_t cost;
    uint32_t assigned;
    uint32_t broken; /* routes that do not hold */
} day_eval;

static cv_status eval_day(const cv_live *L, day_eval *d)
{
    memset(d, 0, sizeof *d);
    cv__live_day day;
    cv_status st = cv__live_day_of(L, &day);
    if (st != CV_OK) return st;
    d->feasible = day.feasible;
    for (uint32_t v = 0; v < L->p->nvehicles; v++) {
        d->cost += day.sched[v].cost;
        d->broken += !day.sched[v].feasible;
    }
    cv__live_day_fini(&day);
    for (uint32_t t = 0; t < L->p->ntasks; t++)
        if (L->status[t] == CV__LIVE_PLANNED) d->assigned++;
    return CV_OK;
}

/* ---- Applying a solver plan of the remaining day ---- */

typedef struct trial {
    uint32_t **seq; /* per vehicle: new remaining steps (L's indices) */
    uint32_t *n;
    uint32_t *veh; /* per task: new vehicle (CV_NONE: unassigned) */
    uint32_t changed, dropped;
    int64_t cost;
    uint32_t broken; /* routes that would not hold (the whole day timed) */
    uint32_t pin_vehicle;
} trial;

/* The trial's day timed as a whole (ties between routes included): its cost
 * and how many routes would not hold. */
static cv_status time_trial(const cv_live *L, trial *t)
{
    cv__live_day day;
    cv_status st = cv__live_day_of(L, &day);
    if (st != CV_OK) return st;
    for (uint32_t v = 0; v < L->p->nvehicles; v++) {
        uint32_t *sq = cv_calloc(t->n[v] + 2, sizeof *sq);
        cv__live_eta *e = cv_calloc(t->n[v] + 2, sizeof *e);
        if (!sq || !e) {
            free(sq), free(e);
            cv__live_day_fini(&day);
            return CV_ENOMEM;
        }
        memcpy(sq, t->seq[v], t->n[v] * sizeof *sq);
        free(day.seq[v]), free(day.eta[v]);
        day.seq[v] = sq, day.eta[v] = e, day.n[v] = t->n[v];
    }
    cv__live_day_time(L, &day);
    t->cost = 0;
    t->broken = 0;
    for (uint32_t v = 0; v < L->p->nvehicles; v++) {
        t->cost += day.sched[v].cost;
        t->broken += !day.sched[v].feasible;
    }
    cv__live_day_fini(&day);
    return CV_OK;
}

static void trial_fini(trial *t, uint32_t nv)
{
    if (t->seq)
        for (uint32_t v = 0; v < nv; v++) free(t->seq[v]);
    free(t->seq);
    free(t->n);
    free(t->veh);
    memset(t, 0, sizeof *t);
}

static cv_status trial_from_plan(const cv_live *L, const cv__live_sub *s, const cv_plan *plan,
                                 uint32_t pin_vehicle, uint32_t pin_task, trial *out)
{
    const uint32_t nv = L->p->nvehicles, nt = L->p->ntasks;
    trial t = {.pin_vehicle = pin_vehicle};
    t.seq = cv_calloc(nv, sizeof *t.seq);
    t.n = cv_calloc(nv, sizeof *t.n);
    t.veh = cv_calloc(nt, sizeof *t.veh);
    if (!t.seq || !t.n || !t.veh) goto fail;
    for (uint32_t x = 0; x < nt; x++) t.veh[x] = CV_NONE;
    for (uint32_t v = 0; v < nv; v++) {
        t.seq[v] = cv_calloc((size_t)plan->nsteps + 2, sizeof **t.seq);
        if (!t.seq[v]) goto fail;
    }
    for (uint32_t v = 0; v < nv; v++) {
        uint32_t *more =
            cv_realloc_array(t.seq[v], (size_t)plan->nsteps + 2 + s->ncommit[v], sizeof *more);
        if (!more) goto fail;
        t.seq[v] = more;
        for (uint32_t k = 0; k < s->ncommit[v]; k++) {
            uint32_t x = s->commit[v][k];
            t.seq[v][t.n[v]++] = x;
            if (!CV__LIVE_IS_BREAK(x)) t.veh[x] = v;
        }
    }
    (void)pin_task;
    for (uint32_t i = 0; i < plan->nroutes; i++) {
        const cv_plan_route *r = &plan->routes[i];
        uint32_t v = r->vehicle;
        for (uint32_t k = 0; k < r->step_count; k++) {
            const cv_plan_step *ps = &plan->steps[r->step_first + k];
            if (ps->type == CV_STEP_START || ps->type == CV_STEP_END) continue;
            if (ps->type == CV_STEP_BREAK) {
                t.seq[v][t.n[v]++] = s->break_of[v][ps->index] | CV__LIVE_BREAK;
            } else {
                uint32_t x = s->task_of[ps->index];
                t.seq[v][t.n[v]++] = x;
                t.veh[x] = v;
            }
        }
    }
    for (uint32_t x = 0; x < nt; x++) {
        if (L->status[x] != CV__LIVE_PLANNED) continue;
        if (t.veh[x] != L->vehicle[x]) t.changed++;
        if (t.veh[x] == CV_NONE) t.dropped++;
    }
    /* The cost as the live schedule sees it (pinned vehicle included). */
    if (time_trial(L, &t) != CV_OK) goto fail;
    *out = t;
    return CV_OK;
fail:
    trial_fini(&t, nv);
    return CV_ENOMEM;
}

static cv_status trial_apply(cv_live *L, const trial *t)
{
    const uint32_t nv = L->p->nvehicles;
    for (uint32_t v = 0; v < nv; v++) {
        cv__live_route *r = &L->routes[v];
        if (cv__live_route_reserve(r, r->nfrozen + t->n[v]) != CV_OK) return CV_ENOMEM;
    }
    for (uint32_t v = 0; v < nv; v++) {
        cv__live_route *r = &L->routes[v];
        r->n = r->nfrozen;
        for (uint32_t k = 0; k < t->n[v]; k++) {
            r->step[r->n] = t->seq[v][k];
            r->start[r->n] = r->end[r->n] = r->arrive[r->n] = 0;
            r->n++;
        }
    }
    for (uint32_t x = 0; x < L->p->ntasks; x++) {
        if (L->status[x] != CV__LIVE_PLANNED && L->status[x] != CV__LIVE_UNASSIGNED) continue;
        L->vehicle[x] = t->veh[x];
        L->status[x] = t->veh[x] == CV_NONE ? CV__LIVE_UNASSIGNED : CV__LIVE_PLANNED;
    }
    L->changes += t->changed;
    return CV_OK;
}

/* Changes have a cost (issue #8): a re-plan that hands a visit to another
 * worker tells a client a new face and a worker a new route.  Each visit
 * planned on a worker prefers that worker (the care extension
 * preferred_vehicles, so the solver weighs it in every move) at this cost,
 * in the problem's cost unit: 10 min of travel at the default per_hour.
 * Visits with preferred workers of their own keep those (the client's
 * wish outranks the plan's). */
#define CHANGE_COST 600

static cv_status add_change_costs(const cv_live *L, cv__live_sub *s)
{
    cv_problem *q = s->q;
    uint32_t n = 0;
    for (uint32_t j = 0; j < q->ntasks; j++)
        n += q->tasks[j].preferred_count == 0 && L->vehicle[s->task_of[j]] != CV_NONE;
    if (n == 0) return CV_OK;
    uint32_t *refs = cv_realloc_array(q->vehicle_refs, (size_t)q->nvehicle_refs + n, sizeof *refs);
    if (!refs) return CV_ENOMEM;
    q->vehicle_refs = refs;
    for (uint32_t j = 0; j < q->ntasks; j++) {
        cv_task *k = &q->tasks[j];
        uint32_t w = L->vehicle[s->task_of[j]];
        if (k->preferred_count || w == CV_NONE) continue;
        k->preferred_first = q->nvehicle_refs;
        k->preferred_count = 1;
        k->preference_cost = CHANGE_COST;
        q->vehicle_refs[q->nvehicle_refs++] = w;
    }
    return CV_OK;
}

static cv_status solve_sub(const cv_live *L, uint32_t pin_vehicle, uint32_t pin_task,
                           uint64_t effort, trial *out, cv_diag *diag)
{
    cv__live_sub s;
    cv_status st = cv__live_sub_build(L, pin_vehicle, pin_task, true, true, &s, diag);
    if (st != CV_OK) return st;
    cv_solver_config cfg;
    cv_solver_config_init(&cfg);
    cfg.seed = 1;
    cfg.threads = 1;
    cfg.max_effort = effort;
    cfg.time_limit_s = 5.0; /* safety net only: effort is what stops the search */
    if (!s.pin_ok) {
        /* Going there next would make an accepted urgent visit late. */
        cv__live_sub_fini(&s, L->p->nvehicles);
        return CV_EINFEASIBLE;
    }
    if ((st = add_change_costs(L, &s)) != CV_OK) {
        cv__live_sub_fini(&s, L->p->nvehicles);
        return st;
    }
    cv_plan *plan = NULL;
    st = cv_solver_run(s.q, &cfg, &plan, diag);
    if (st == CV_OK) st = trial_from_plan(L, &s, plan, pin_vehicle, pin_task, out);
    cv_plan_destroy(plan);
    cv__live_sub_fini(&s, L->p->nvehicles);
    return st;
}

/* ---- Local repair: the urgent visit next on v, displaced visits moved ---- */

static bool is_extra(const cv_live *L, uint32_t x)
{
    return !CV__LIVE_IS_BREAK(x) && x >= L->base->njobs && x < L->base->njobs + L->nextra;
}

/* The first task step of seq[from..n) that the schedule finds late, or the
 * last task step after `from` when the route fails otherwise (shift end,
 * capacity, budgets); CV_NONE when none can go. */
static uint32_t victim(const cv_live *L, const uint32_t *seq, uint32_t n, uint32_t from,
                       const cv__live_eta *eta)
{
    /* A visit tied to others (several workers, relations) is never shed
     * alone, nor an accepted urgent visit: when one of them is the late one,
     * the visit before it goes instead (moved elsewhere by the repair), so
     * that it starts earlier. */
    for (uint32_t k = from; k < n; k++) {
        if (eta[k].late <= 0 || CV__LIVE_IS_BREAK(seq[k])) continue;
        if (!is_extra(L, seq[k]) && !cv__live_tied(L, seq[k])) return k;
        for (uint32_t j = k; j-- > from;)
            if (!CV__LIVE_IS_BREAK(seq[j]) && !is_extra(L, seq[j]) && !cv__live_tied(L, seq[j]))
                return j;
        break;
    }
    for (uint32_t k = n; k-- > from;)
        if (!CV__LIVE_IS_BREAK(seq[k]) && !is_extra(L, seq[k]) && !cv__live_tied(L, seq[k]))
            return k;
    return CV_NONE;
}

/* The repair: with pin_v != CV_NONE, task u goes on pin_v right after the
 * step under way; then every route that does not hold sheds visits (the
 * first late one, else its last) until it does, and each shed visit goes to
 * its cheapest feasible place on any route (goods on board stay with their
 * vehicle), else is dropped.  *ok false: not repairable this way (u itself
 * late, or a shipment would have to move); the solver's turn then. */
static cv_status repair(const cv_live *L, uint32_t pin_v, uint32_t u, trial *out, bool *ok)
{
    const cv_problem *p = L->p;
    const uint32_t nv = p->nvehicles, nt = p->ntasks;
    trial t = {.pin_vehicle = pin_v};
    *ok = false;
    uint32_t total = 2;
    for (uint32_t w = 0; w < nv; w++) total += L->routes[w].n - L->routes[w].nfrozen;
    const uint32_t cap = total + 2;
    t.seq = cv_calloc(nv, sizeof *t.seq);
    t.n = cv_calloc(nv, sizeof *t.n);
    t.veh = cv_calloc(nt, sizeof *t.veh);
    uint32_t *gone = cv_calloc(cap, sizeof *gone), ngone = 0;
    uint32_t *from = cv_calloc(cap, sizeof *from);
    cv__live_eta *eta = cv_calloc(cap, sizeof *eta);
    uint32_t *tmp = cv_calloc(cap, sizeof *tmp);
    cv__live_avail *av = cv_calloc(nv, sizeof *av);
    cv__live_bounds bd = {0};
    cv_status st = CV_ENOMEM;
    if (!t.seq || !t.n || !t.veh || !gone || !from || !eta || !tmp || !av) goto out;
    {
        /* Tied visits keep their partners' times while routes are mended. */
        cv__live_day day;
        if ((st = cv__live_day_of(L, &day)) != CV_OK) goto out;
        st = cv__live_trial_bounds(p, &day, &bd);
        cv__live_day_fini(&day);
        if (st != CV_OK) goto out;
        st = CV_ENOMEM;
    }
    memcpy(t.veh, L->vehicle, nt * sizeof *t.veh);
    for (uint32_t w = 0; w < nv; w++) {
        const cv__live_route *r = &L->routes[w];
        if (!(t.seq[w] = cv_calloc(cap, sizeof **t.seq))) goto out;
        t.n[w] = r->n - r->nfrozen;
        memcpy(t.seq[w], r->step + r->nfrozen, t.n[w] * sizeof **t.seq);
        cv__live_avail_of(L, w, &av[w]);
    }
    st = CV_OK;
    uint32_t at = 0;
    if (pin_v != CV_NONE) {
        uint32_t *sv = t.seq[pin_v];
        at = cv__live_transit(L, pin_v);
        memmove(sv + at + 1, sv + at, (t.n[pin_v] - at) * sizeof *sv);
        sv[at] = u;
        t.n[pin_v]++;
        t.veh[u] = pin_v;
    }
    for (uint32_t w = 0; w < nv; w++) {
        uint32_t *sw = t.seq[w];
        /* Steps before `keep` stay: the one under way (and u). */
        uint32_t keep = w == pin_v ? at + 1 : cv__live_transit(L, w);
        for (;;) {
            cv__live_sched sc;
            cv__live_schedule(p, w, &av[w], sw, t.n[w], true, &bd, eta, &sc);
            if (w == pin_v && eta[at].late > 0) goto out;
            if (sc.feasible) break;
            uint32_t k = victim(L, sw, t.n[w], keep, eta);
            if (k == CV_NONE) break; /* nothing left to shed: stays as it is */
            from[ngone] = w;
            gone[ngone++] = sw[k];
            t.veh[sw[k]] = CV_NONE;
            memmove(sw + k, sw + k + 1, (t.n[w] - k - 1) * sizeof *sw);
            t.n[w]--;
        }
    }
    for (uint32_t g = 0; g < ngone; g++) {
        uint32_t x = gone[g];
        const cv_task *k = &p->tasks[x];
        if (k->kind != CV_TASK_JOB) goto out; /* shipments: leave them to the solver */
        bool on_board = false;
        const cv__live_route *rf = &L->routes[from[g]];
        for (uint32_t d = 0; d < p->ndims; d++)
            if (cv_task_delivery(p, k)[d] && (rf->nfrozen || rf->has_pos)) on_board = true;
        uint32_t bw = CV_NONE, bpos = 0;
        int64_t bdelta = 0;
        for (uint32_t w = 0; w < nv; w++) {
            if ((on_board && w != from[g]) || !cv_vehicle_has_skills(p, &p->vehicles[w], k))
                continue;
            cv__live_sched s0, s1;
            cv__live_schedule(p, w, &av[w], t.seq[w], t.n[w], false, &bd, NULL, &s0);
            if (!s0.feasible) continue;
            uint32_t first = w == pin_v ? at + 1 : cv__live_transit(L, w);
            for (uint32_t pos = first; pos <= t.n[w]; pos++) {
                memcpy(tmp, t.seq[w], pos * sizeof *tmp);
                tmp[pos] = x;
                memcpy(tmp + pos + 1, t.seq[w] + pos, (t.n[w] - pos) * sizeof *tmp);
                cv__live_schedule(p, w, &av[w], tmp, t.n[w] + 1, false, &bd, NULL, &s1);
                if (s1.feasible && (bw == CV_NONE || s1.cost - s0.cost < bdelta))
                    bw = w, bpos = pos, bdelta = s1.cost - s0.cost;
            }
        }
        if (bw == CV_NONE) continue;
        uint32_t *sw = t.seq[bw];
        memmove(sw + bpos + 1, sw + bpos, (t.n[bw] - bpos) * sizeof *sw);
        sw[bpos] = x;
        t.n[bw]++;
        t.veh[x] = bw;
    }
    for (uint32_t x = 0; x < nt; x++) {
        if (L->status[x] != CV__LIVE_PLANNED) continue;
        if (t.veh[x] != L->vehicle[x]) t.changed++;
        if (t.veh[x] == CV_NONE) t.dropped++;
    }
    if ((st = time_trial(L, &t)) != CV_OK) goto out;
    *ok = true;
out:
    cv__live_bounds_fini(&bd);
    free(gone);
    free(from);
    free(eta);
    free(tmp);
    free(av);
    if (*ok)
        *out = t;
    else
        trial_fini(&t, nv);
    return st;
}

static bool trial_better(const trial *a, const trial *b)
{
    return a->dropped < b->dropped ||
           (a->dropped == b->dropped &&
            (a->changed < b->changed || (a->changed == b->changed && a->cost < b->cost)));
}

static uint64_t default_effort(const cv_live *L)
{
    return 2000000u + 10000u * (uint64_t)L->p->ntasks;
}

/* ---- Urgent requests ---- */

static cv_status check_request(const cv_live *L, const cv_live_urgent *q, cv_diag *diag)
{
    const cv_problem *p = L->p;
    if (cv__live_find_task(p, CV_TASK_JOB, q->id) != CV_NONE)
        return cv_diag_set(diag, "id: job %llu already exists", (unsigned long long)q->id);
    if (q->loc == CV_NONE && q->at_coords) {
        if (!(q->lon >= -180 && q->lon <= 180 && q->lat >= -90 && q->lat <= 90))
            return cv_diag_set(diag, "location: [%g, %g] is not a [lon, lat] point", q->lon,
                               q->lat);
        if (!L->graph)
            return cv_diag_set(diag,
                               "location: [%g, %g] is not within 50 m of a location of the day, "
                               "and the live day has no road graph to route to it (start it with "
                               "a graph: carevan simulate --graph, carevan serve --graph)",
                               q->lon, q->lat);
    } else if (q->loc >= p->nlocs) {
        return cv_diag_set(diag, "location_index: %u is not a location of the day (0..%u)", q->loc,
                           p->nlocs ? p->nlocs - 1 : 0);
    }
    if (q->deadline_s <= 0 || q->deadline_s > 24 * 3600)
        return cv_diag_set(diag, "deadline: %lld s is not in 1..86400", (long long)q->deadline_s);
    if (q->margin_s != CV_LIVE_MARGIN_DEFAULT && (q->margin_s < 0 || q->margin_s >= q->deadline_s))
        return cv_diag_set(diag, "margin: %lld s is not in 0..%lld (below the deadline)",
                           (long long)q->margin_s, (long long)q->deadline_s - 1);
    if (q->service < 0 || q->service > 24 * 3600 || q->setup < 0 || q->setup > 24 * 3600)
        return cv_diag_set(diag, "service: must be in 0..86400 s");
    if (q->nskills > 8) return cv_diag_set(diag, "skills: at most 8");
    for (uint32_t i = 1; i < q->nskills; i++)
        if (q->skills[i] <= q->skills[i - 1])
            return cv_diag_set(diag, "skills[%u]: skills must be sorted and unique", i);
    if (q->priority > 100) return cv_diag_set(diag, "priority: %u is above 100", q->priority);
    for (int list = 0; list < 2; list++) {
        const uint64_t *ids = list ? q->forbidden : q->allowed;
        uint32_t n = list ? q->nforbidden : q->nallowed;
        const char *name = list ? "forbidden_vehicles" : "allowed_vehicles";
        if (n > CV_LIVE_MAX_VEHICLE_LIST)
            return cv_diag_set(diag, "%s: at most %d vehicles", name, CV_LIVE_MAX_VEHICLE_LIST);
        for (uint32_t i = 0; i < n; i++)
            if (cv__live_find_vehicle(p, ids[i]) == CV_NONE)
                return cv_diag_set(diag, "%s[%u]: no vehicle %llu in the day", name, i,
                                   (unsigned long long)ids[i]);
    }
    if (q->time < L->now)
        return cv_diag_set(diag, "time: %lld is before the live clock %lld", (long long)q->time,
                           (long long)L->now);
    return CV_OK;
}

typedef struct direct {
    uint32_t v;
    int64_t on_site; /* arrival, or the request time if earlier */
    bool in_shift;   /* can serve it and still end its shift in time */
} direct;

static int cmp_direct(const void *a, const void *b)
{
    const direct *x = a, *y = b;
    if (x->on_site != y->on_site) return x->on_site < y->on_site ? -1 : 1;
    return x->v < y->v ? -1 : x->v > y->v;
}

static void set_msg(cv_live_outcome *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void set_msg(cv_live_outcome *o, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(o->message, sizeof o->message, fmt, ap);
    va_end(ap);
}

int64_t cv_live_default_margin(int64_t deadline_s)
{
    return deadline_s / 3;
}

/* A place for the urgent visit in a route, found feasible on that route. */
typedef struct place {
    uint32_t v, pos;
    int64_t delta, start;
} place;

static int cmp_place(const void *a, const void *b)
{
    const place *x = a, *y = b;
    if (x->delta != y->delta) return x->delta < y->delta ? -1 : 1;
    if (x->start != y->start) return x->start < y->start ? -1 : 1;
    if (x->v != y->v) return x->v < y->v ? -1 : 1;
    return x->pos < y->pos ? -1 : x->pos > y->pos;
}

/* How many of the cheapest places are timed with the whole day before
 * giving up on a plain insertion (each costs one timing of the day). */
#define MAX_PLACES_TIMED 8

/* Care extensions: a job's allowed and forbidden vehicles. */
static bool vehicle_allowed(const cv_problem *p, const cv_task *t, uint32_t v)
{
    bool in = t->allowed_count == 0;
    for (uint32_t i = 0; i < t->allowed_count; i++)
        in |= p->vehicle_refs[t->allowed_first + i] == v;
    for (uint32_t i = 0; i < t->forbidden_count; i++)
        if (p->vehicle_refs[t->forbidden_first + i] == v) return false;
    return in;
}

cv_status cv_live_insert_urgent(cv_live *L, const cv_live_urgent *req, cv_live_outcome *out,
                                cv_diag *diag)
{
    double t0 = cv_clock_now();
    cv_status st = check_request(L, req, diag);
    if (st != CV_OK) return st;
    memset(out, 0, sizeof *out);
    L->now = req->time;
    const int64_t deadline = req->time + req->deadline_s;
    out->deadline = deadline;
    const int64_t margin = req->margin_s == CV_LIVE_MARGIN_DEFAULT
                               ? cv_live_default_margin(req->deadline_s)
                               : req->margin_s;
    out->margin = margin;
    /* The latest planned arrival that leaves the margin in hand. */
    const int64_t latest = deadline - margin;
    day_eval before;
    if ((st = eval_day(L, &before)) != CV_OK) return st;
    out->cost_before = before.cost;
    uint32_t u;
    cv_live_urgent rq = *req;
    if (rq.loc == CV_NONE &&
        (st = cv__live_add_location(L, rq.lon, rq.lat, &rq.loc, diag)) != CV_OK)
        return st;
    if ((st = cv__live_add_extra(L, &rq, req->time, deadline, &u)) != CV_OK) return st;
    const cv_problem *p = L->p;
    const cv_task *ut = &p->tasks[u];
    const uint32_t nv = p->nvehicles;

    /* 1. Cheapest insertion into the remaining routes: every feasible
     * place, cheapest first, each then checked with the whole day timed
     * (a place may delay a visit another worker waits for). */
    uint32_t maxn = 1;
    for (uint32_t v = 0; v < nv; v++)
        if (L->routes[v].n + 1 > maxn) maxn = L->routes[v].n + 1;
    uint32_t *seq = cv_calloc(maxn, sizeof *seq);
    cv__live_eta *eta = cv_calloc(maxn, sizeof *eta);
    direct *cand = cv_calloc(nv ? nv : 1, sizeof *cand);
    place *places = NULL;
    uint32_t nplaces = 0, cap_places = 0;
    cv__live_day day = {0};
    cv__live_bounds bd = {0};
    if (!seq || !eta || !cand) {
        st = CV_ENOMEM;
        goto done;
    }
    if ((st = cv__live_day_of(L, &day)) != CV_OK ||
        (st = cv__live_trial_bounds(p, &day, &bd)) != CV_OK)
        goto done;
    uint32_t ncand = 0;
    for (uint32_t v = 0; v < nv; v++) {
        const cv_vehicle *vh = &p->vehicles[v];
        if (!cv_vehicle_has_skills(p, vh, ut) || !vehicle_allowed(p, ut, v)) continue;
        cv__live_route *r = &L->routes[v];
        const cv__live_avail *a = &day.av[v];
        uint32_t rem = r->n - r->nfrozen;
        const uint32_t *cur = r->step + r->nfrozen;
        /* The direct trip, for step 2 and the refusal: after the step under
         * way, if any. */
        const uint32_t tr = cv__live_transit(L, v);
        cv__live_avail at = *a;
        if (tr) {
            at.time = day.eta[v][0].end;
            if (!CV__LIVE_IS_BREAK(cur[0])) at.loc = at.setup_from = p->tasks[cur[0]].loc;
        }
        int64_t arr = at.time + cv__live_dur(p, vh, at.loc, ut->loc);
        int64_t on_site = arr > req->time ? arr : req->time;
        int64_t setup = ut->loc != at.setup_from ? ut->setup : 0;
        int64_t back = on_site + setup + ut->service + cv__live_dur(p, vh, ut->loc, vh->end_loc);
        cand[ncand++] = (direct){.v = v, .on_site = on_site, .in_shift = back <= vh->tw.end};
        cv__live_sched sc0, sc;
        cv__live_schedule(p, v, a, cur, rem, false, &bd, NULL, &sc0);
        if (!sc0.feasible) continue;
        for (uint32_t pos = tr; pos <= rem; pos++) {
            memcpy(seq, cur, pos * sizeof *seq);
            seq[pos] = u;
            memcpy(seq + pos + 1, cur + pos, (rem - pos) * sizeof *seq);
            cv__live_schedule(p, v, a, seq, rem + 1, false, &bd, eta, &sc);
            if (!sc.feasible || eta[pos].start > latest) continue;
            if (nplaces == cap_places) {
                cap_places = cap_places ? 2 * cap_places : 64;
                place *np = cv_realloc_array(places, cap_places, sizeof *np);
                if (!np) {
                    st = CV_ENOMEM;
                    goto done;
                }
                places = np;
            }
            places[nplaces++] =
                (place){.v = v, .pos = pos, .delta = sc.cost - sc0.cost, .start = eta[pos].start};
        }
    }
    if (nplaces) qsort(places, nplaces, sizeof *places, cmp_place);
    uint32_t chosen = CV_NONE;
    for (uint32_t i = 0; i < nplaces && i < MAX_PLACES_TIMED && chosen == CV_NONE; i++) {
        const place *pl = &places[i];
        const cv__live_route *r = &L->routes[pl->v];
        uint32_t rem = r->n - r->nfrozen;
        memcpy(seq, r->step + r->nfrozen, pl->pos * sizeof *seq);
        seq[pl->pos] = u;
        memcpy(seq + pl->pos + 1, r->step + r->nfrozen + pl->pos, (rem - pl->pos) * sizeof *seq);
        uint32_t *keep = day.seq[pl->v], keep_n = day.n[pl->v];
        cv__live_eta *keep_eta = day.eta[pl->v];
        day.seq[pl->v] = seq, day.n[pl->v] = rem + 1, day.eta[pl->v] = eta;
        cv__live_day_time(L, &day);
        uint32_t broken = 0;
        for (uint32_t w = 0; w < nv; w++) broken += !day.sched[w].feasible;
        int64_t start = 0;
        for (uint32_t k = 0; k <= rem; k++)
            if (seq[k] == u) start = eta[k].start;
        if (day.sched[pl->v].feasible && broken <= before.broken && start <= latest) {
            chosen = i;
            places[i].start = start;
        }
        day.seq[pl->v] = keep, day.n[pl->v] = keep_n, day.eta[pl->v] = keep_eta;
    }
    if (chosen != CV_NONE) {
        const place *pl = &places[chosen];
        cv__live_route *r = &L->routes[pl->v];
        if ((st = cv__live_route_insert(r, r->nfrozen + pl->pos, u)) != CV_OK) goto done;
        L->status[u] = CV__LIVE_PLANNED;
        L->vehicle[u] = pl->v;
        out->method = CV_LIVE_INSERTED;
        out->vehicle = p->vehicles[pl->v].id;
        out->arrival = pl->start;
        set_msg(out,
                "urgent visit %llu: inserted into vehicle %llu's route, on site at %lld "
                "(%lld min after the call, deadline %lld min); no other visit changes vehicle",
                (unsigned long long)req->id, (unsigned long long)out->vehicle,
                (long long)out->arrival, (long long)((out->arrival - req->time) / 60),
                (long long)(req->deadline_s / 60));
        goto done;
    }

    /* 2. Someone who can be there in time by going next.  First a local
     * repair for each such worker (the visits that no longer fit move to
     * their cheapest place elsewhere); the solver re-plans the rest of the
     * day only when every repair drops a visit. */
    qsort(cand, ncand, sizeof *cand, cmp_direct);
    trial best = {0};
    bool have = false, solved = false;
    for (uint32_t i = 0; i < ncand; i++) {
        if (!cand[i].in_shift || cand[i].on_site > latest) continue;
        trial t;
        bool ok;
        if ((st = repair(L, cand[i].v, u, &t, &ok)) != CV_OK) {
            trial_fini(&best, nv);
            goto done;
        }
        if (!ok) continue;
        if (t.broken > before.broken) {
            /* Mending one route broke a visit another worker waits for. */
            trial_fini(&t, nv);
            continue;
        }
        if (!have || trial_better(&t, &best)) {
            trial_fini(&best, nv);
            best = t;
            have = true;
        } else {
            trial_fini(&t, nv);
        }
    }
    uint32_t tried = 0;
    for (uint32_t i = 0; i < ncand && tried < MAX_CANDIDATES && (!have || best.dropped > 0); i++) {
        if (!cand[i].in_shift || cand[i].on_site > latest) continue;
        tried++;
        trial t;
        st = solve_sub(L, cand[i].v, u, default_effort(L), &t, diag);
        if (st == CV_EINFEASIBLE) {
            st = CV_OK;
            continue;
        }
        if (st != CV_OK) {
            trial_fini(&best, nv);
            goto done;
        }
        if (t.broken > before.broken) {
            trial_fini(&t, nv);
            continue;
        }
        if (!have || trial_better(&t, &best)) {
            trial_fini(&best, nv);
            best = t;
            have = true;
            solved = true;
        } else {
            trial_fini(&t, nv);
        }
    }
    if (have) {
        st = trial_apply(L, &best);
        out->method = CV_LIVE_REPLANNED;
        out->vehicle = p->vehicles[best.pin_vehicle].id;
        out->changed = best.changed;
        out->dropped = best.dropped;
        for (uint32_t i = 0; i < ncand; i++)
            if (cand[i].v == best.pin_vehicle) out->arrival = cand[i].on_site;
        set_msg(out,
                "urgent visit %llu: vehicle %llu goes next, on site at %lld (%lld min, "
                "deadline %lld min); %s: %u visit%s changed vehicle or were dropped, %u dropped",
                (unsigned long long)req->id, (unsigned long long)out->vehicle,
                (long long)out->arrival, (long long)((out->arrival - req->time) / 60),
                (long long)(req->deadline_s / 60),
                solved ? "the rest of the day re-planned" : "its displaced visits moved",
                best.changed, best.changed == 1 ? "" : "s", best.dropped);
        trial_fini(&best, nv);
        goto done;
    }

    /* 3. Nobody can: refuse, with the best achievable arrival. */
    L->status[u] = CV__LIVE_SKIPPED;
    out->method = CV_LIVE_REFUSED;
    {
        const direct *b = NULL;
        for (uint32_t i = 0; i < ncand && !b; i++)
            if (cand[i].in_shift) b = &cand[i];
        if (!b && ncand) b = &cand[0];
        if (!b) {
            set_msg(out,
                    "urgent visit %llu: cannot be reached: no vehicle is qualified (skills, "
                    "allowed_vehicles, forbidden_vehicles)",
                    (unsigned long long)req->id);
        } else {
            out->vehicle = p->vehicles[b->v].id;
            out->arrival = b->on_site;
            if (b->on_site <= latest && b->in_shift)
                set_msg(out,
                        "urgent visit %llu: vehicle %llu could be on site in %lld min (deadline "
                        "%lld min), but no re-plan with it keeps the rest of the day feasible "
                        "(visits tied to others, working time, shift ends)",
                        (unsigned long long)req->id, (unsigned long long)out->vehicle,
                        (long long)((b->on_site - req->time + 59) / 60),
                        (long long)(req->deadline_s / 60));
            else if (b->on_site <= deadline && b->in_shift && margin > 0)
                set_msg(out,
                        "urgent visit %llu: cannot reach in time with the safety margin "
                        "(deadline %lld min, margin %lld min); best is %lld min by vehicle %llu",
                        (unsigned long long)req->id, (long long)(req->deadline_s / 60),
                        (long long)(margin / 60), (long long)((b->on_site - req->time + 59) / 60),
                        (unsigned long long)out->vehicle);
            else
                set_msg(out,
                        "urgent visit %llu: cannot reach in time (deadline %lld min); best is "
                        "%lld min by vehicle %llu%s",
                        (unsigned long long)req->id, (long long)(req->deadline_s / 60),
                        (long long)((b->on_site - req->time + 59) / 60),
                        (unsigned long long)out->vehicle, b->in_shift ? "" : " (beyond its shift)");
        }
    }
done:
    free(seq);
    free(eta);
    free(cand);
    free(places);
    cv__live_day_fini(&day);
    cv__live_bounds_fini(&bd);
    if (st == CV_OK) {
        day_eval after;
        if ((st = eval_day(L, &after)) != CV_OK) return st;
        out->cost_after = after.cost;
        out->ms = (cv_clock_now() - t0) * 1000.0;
    }
    return st;
}

cv_status cv_live_reoptimize(cv_live *L, int64_t time, uint64_t effort, cv_live_outcome *out,
                             cv_diag *diag)
{
    double t0 = cv_clock_now();
    if (time < L->now)
        return cv_diag_set(diag, "time: %lld is before the live clock %lld", (long long)time,
                           (long long)L->now);
    memset(out, 0, sizeof *out);
    L->now = time;
    day_eval before;
    cv_status st0 = eval_day(L, &before);
    if (st0 != CV_OK) return st0;
    out->cost_before = before.cost;
    trial t;
    cv_status st;
    bool ok = false, repaired = false;
    trial rep = {0};
    if (!before.feasible) {
        /* Broken routes (overruns): the fewest changes that mend them first;
         * the solver only when the repair drops a visit, and then the better
         * of the two (fewer dropped, then fewer changed). */
        if ((st = repair(L, CV_NONE, CV_NONE, &rep, &ok)) != CV_OK) return st;
        if (ok && rep.dropped == 0 && rep.broken == 0) t = rep, repaired = true;
    }
    if (!repaired) {
        st = solve_sub(L, CV_NONE, CV_NONE, effort ? effort : 4 * default_effort(L), &t, diag);
        if (st != CV_OK) {
            if (ok) trial_fini(&rep, L->p->nvehicles);
            return st;
        }
        if (ok &&
            (rep.broken < t.broken ||
             (rep.broken == t.broken && (rep.dropped < t.dropped ||
                                         (rep.dropped == t.dropped && rep.changed < t.changed))))) {
            trial_fini(&t, L->p->nvehicles);
            t = rep;
            repaired = true;
        } else if (ok) {
            trial_fini(&rep, L->p->nvehicles);
        }
    }
    /* Keep the current routes unless the re-plan serves more, or the same
     * for less (or the current routes no longer hold). */
    uint32_t un_before = 0, un_after = 0;
    for (uint32_t x = 0; x < L->p->ntasks; x++) {
        uint8_t s = L->status[x];
        if (s != CV__LIVE_PLANNED && s != CV__LIVE_UNASSIGNED) continue;
        un_before += L->vehicle[x] == CV_NONE;
        un_after += t.veh[x] == CV_NONE;
    }
    bool take =
        t.broken <= before.broken && (repaired || !before.feasible || un_after < un_before ||
                                      (un_after == un_before && t.cost < before.cost));
    if (take) {
        st = trial_apply(L, &t);
        out->changed = t.changed;
        out->dropped = t.dropped;
    }
    trial_fini(&t, L->p->nvehicles);
    out->method = CV_LIVE_REPLANNED;
    day_eval after = {0};
    if (st == CV_OK) st = eval_day(L, &after);
    out->cost_after = after.cost;
    out->ms = (cv_clock_now() - t0) * 1000.0;
    snprintf(out->message, sizeof out->message,
             "reoptimize: %s; %u visit%s changed vehicle or were dropped; remaining cost %lld -> "
             "%lld",
             repaired ? "broken routes mended"
             : take   ? "new routes"
                      : "current routes kept",
             out->changed, out->changed == 1 ? "" : "s", (long long)out->cost_before,
             (long long)out->cost_after);
    return st;
}
