/* Turns the search's routes into a cv_plan: each used vehicle's route is
 * scheduled by the full evaluation (which also places the breaks), every
 * step gets its arrival, waiting, setup, service, cumulative travel and load,
 * each route its exact cost (fixed + rounded travel cost, problem.h, with
 * the care costs), and each unassigned task the reason found by
 * unassigned.c.
 *
 * Care extensions: each task begins no earlier than its begin in the linked
 * schedule (care_sched.c), which the evaluation then reproduces; the copies
 * of a visit with several workers are named by route order (the plan's
 * convention: the first route serving the visit has its first copy), and an
 * unplanned visit is listed once. */
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
    int64_t *lb = cv_calloc(maxn + 1, sizeof *lb);
    uint32_t *name = cv_calloc(c->nt + 1, sizeof *name);
    if (!sched || !loads || !lb || !name) {
        st = CV_ENOMEM;
        goto out;
    }
    /* Copies of a visit: the k-th in route order is named copy k.  They
     * differ only in amounts, which the search keeps on the first copy in
     * route order when there are any (care_sched.c). */
    for (uint32_t t = 0; t < c->nt; t++) name[t] = t;
    for (uint32_t t = 0; t < c->nt; t++) {
        const cv_task *k = &p->tasks[t];
        if (k->group_size <= 1 || k->group_first != t || s->route_of[t] == CV_NONE) continue;
        uint32_t g = t, n = k->group_size;
        for (uint32_t i = 0; i < n; i++) {
            uint32_t rank = 0;
            for (uint32_t j = 0; j < n; j++) rank += s->route_of[g + j] < s->route_of[g + i];
            name[g + i] = g + rank;
        }
    }
    for (uint32_t v = 0; v < c->nv; v++) {
        const cv__route *r = &s->r[v];
        if (r->n == 0) continue;
        cv__eval e;
        uint32_t ns = 0;
        if (s->begin)
            for (uint32_t k = 0; k < r->n; k++) lb[k] = s->begin[r->t[k]];
        if (!cv__route_eval_lb(c, v, r->t, r->n, s->begin ? lb : NULL, &e, sched, &ns, loads,
                               NULL)) {
            /* The search only keeps feasible routes; reaching this is a bug. */
            st = CV_EINTERNAL;
            goto out;
        }
        if ((st = cv_plan_builder_route(&b, v)) != CV_OK) goto out;
        for (uint32_t k = 0; k < ns; k++) {
            const cv__sched_step *x = &sched[k];
            /* The linked schedule must come out as the search kept it (the
             * ties between routes hold on those begins); a difference is a
             * bug, reported rather than written. */
            if (s->begin && x->index != CV_NONE && x->type != CV_STEP_BREAK &&
                x->arrival + x->waiting != s->begin[x->index]) {
                st = CV_EINTERNAL;
                goto out;
            }
            bool task =
                x->type == CV_STEP_JOB || x->type == CV_STEP_PICKUP || x->type == CV_STEP_DELIVERY;
            cv_plan_step ps = {
                .type = x->type,
                .index = task ? name[x->index] : x->index,
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
        b.plan->routes[b.plan->nroutes - 1].cost = cv__route_cost_exact(c, v, r->t, r->n, &e);
    }
    for (uint32_t t = 0; t < c->nt; t++)
        if (s->route_of[t] == CV_NONE &&
            (p->tasks[t].group_size <= 1 || p->tasks[t].group_first == t))
            if ((st = cv_plan_builder_unassigned(&b, t, cv__unassigned_reason(c, t))) != CV_OK)
                goto out;
    cv_plan_sum(b.plan, p);
    *out = cv_plan_builder_finish(&b);
out:
    free(sched);
    free(loads);
    free(lb);
    free(name);
    cv_plan_builder_fini(&b);
    return st;
}
