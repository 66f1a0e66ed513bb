/* Turns the search's routes into a cv_plan: each used vehicle's route is
 * scheduled by the full evaluation (which also places the breaks), every
 * step gets its arrival, waiting, setup, service, cumulative travel and load,
 * each route its exact cost (fixed + rounded travel cost, problem.h), and
 * each unassigned task the reason found by unassigned.c. */
#include "solver_int.h"

#include <stdlib.h>

cv_status cv__plan_build(const cv__ctx *c, const cv__sol *s, cv_plan **out)
{
    const cv_problem *p = c->p;
    cv_plan_builder b;
    cv_status st = cv_plan_builder_init(&b, c->nd);
    if (st != CV_OK) return st;
    uint32_t maxn = 0, maxb = 0;
    for (uint32_t v = 0; v < c->nv; v++) {
        if (s->r[v].n > maxn) maxn = s->r[v].n;
        if (p->vehicles[v].break_count > maxb) maxb = p->vehicles[v].break_count;
    }
    size_t room = (size_t)maxn + maxb + 2;
    cv__sched_step *sched = cv_calloc(room, sizeof *sched);
    int64_t *loads = cv_calloc(room * (c->nd ? c->nd : 1), sizeof *loads);
    if (!sched || !loads) {
        st = CV_ENOMEM;
        goto out;
    }
    for (uint32_t v = 0; v < c->nv; v++) {
        const cv__route *r = &s->r[v];
        if (r->n == 0) continue;
        cv__eval e;
        uint32_t ns = 0;
        if (!cv__route_eval(c, v, r->t, r->n, &e, sched, &ns, loads)) {
            /* The search only keeps feasible routes; reaching this is a bug. */
            st = CV_EINTERNAL;
            goto out;
        }
        if ((st = cv_plan_builder_route(&b, v)) != CV_OK) goto out;
        for (uint32_t k = 0; k < ns; k++) {
            const cv__sched_step *x = &sched[k];
            cv_plan_step ps = {
                .type = x->type,
                .index = x->index,
                .loc = x->loc,
                .arrival = x->arrival,
                .waiting = x->waiting,
                .setup = x->setup,
                .service = x->service,
                .duration = x->duration,
                .distance = x->distance,
            };
            if ((st = cv_plan_builder_step(&b, &ps, loads + (size_t)k * c->nd)) != CV_OK) goto out;
        }
        b.plan->routes[b.plan->nroutes - 1].cost =
            cv__route_cost_exact(c, v, r->t, r->n, e.dur, e.dist);
    }
    for (uint32_t t = 0; t < c->nt; t++)
        if (s->route_of[t] == CV_NONE)
            if ((st = cv_plan_builder_unassigned(&b, t, cv__unassigned_reason(c, t))) != CV_OK)
                goto out;
    cv_plan_sum(b.plan, p);
    *out = cv_plan_builder_finish(&b);
out:
    free(sched);
    free(loads);
    cv_plan_builder_fini(&b);
    return st;
}
