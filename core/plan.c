/* Plan construction (a growable builder) and summary totals.  The builder
 * owns its arrays until cv_plan_builder_finish hands them to the caller. */
#include "cv/plan.h"

#include <stdlib.h>
#include <string.h>

const char *cv_reason_key(cv_reason r)
{
    switch (r) {
#define CV__REASON_KEY(name, key, msg)                                                             \
    case CV_REASON_##name:                                                                         \
        return key;
        CV_REASON_MAP(CV__REASON_KEY)
#undef CV__REASON_KEY
    case CV_REASON_COUNT:
        break;
    }
    return "unknown";
}

const char *cv_reason_message(cv_reason r)
{
    switch (r) {
#define CV__REASON_MSG(name, key, msg)                                                             \
    case CV_REASON_##name:                                                                         \
        return msg;
        CV_REASON_MAP(CV__REASON_MSG)
#undef CV__REASON_MSG
    case CV_REASON_COUNT:
        break;
    }
    return "unknown reason";
}

cv_status cv_plan_builder_init(cv_plan_builder *b, uint32_t ndims)
{
    memset(b, 0, sizeof *b);
    b->ndims = ndims;
    b->plan = calloc(1, sizeof *b->plan);
    if (!b->plan) return CV_ENOMEM;
    b->plan->lower_bound = -1;
    return CV_OK;
}

/* Grows *arr so that it holds at least need elements of size sz. */

cv_status cv_plan_builder_route(cv_plan_builder *b, uint32_t vehicle)
{
    cv_plan *p = b->plan;
    if (!cv_array_grow((void **)&p->routes, &b->cap_routes, p->nroutes + 1, sizeof *p->routes))
        return CV_ENOMEM;
    cv_plan_route *r = &p->routes[p->nroutes++];
    memset(r, 0, sizeof *r);
    r->vehicle = vehicle;
    r->step_first = p->nsteps;
    return CV_OK;
}

cv_status cv_plan_builder_step(cv_plan_builder *b, const cv_plan_step *step, const int64_t *load)
{
    cv_plan *p = b->plan;
    if (p->nroutes == 0) return CV_EINTERNAL;
    if (!cv_array_grow((void **)&p->steps, &b->cap_steps, p->nsteps + 1, sizeof *p->steps))
        return CV_ENOMEM;
    if (b->ndims && p->nloads > UINT32_MAX - b->ndims) return CV_ENOMEM;
    if (!cv_array_grow((void **)&p->loads, &b->cap_loads, p->nloads + b->ndims, sizeof *p->loads))
        return CV_ENOMEM;
    cv_plan_step *s = &p->steps[p->nsteps++];
    *s = *step;
    s->load_off = p->nloads;
    if (b->ndims) memcpy(p->loads + p->nloads, load, b->ndims * sizeof *load);
    p->nloads += b->ndims;
    p->routes[p->nroutes - 1].step_count++;
    return CV_OK;
}

cv_status cv_plan_builder_unassigned(cv_plan_builder *b, uint32_t task, cv_reason reason)
{
    cv_plan *p = b->plan;
    if (!cv_array_grow((void **)&p->unassigned, &b->cap_unassigned, p->nunassigned + 1,
                       sizeof *p->unassigned))
        return CV_ENOMEM;
    p->unassigned[p->nunassigned].task = task;
    p->unassigned[p->nunassigned].reason = reason;
    p->nunassigned++;
    return CV_OK;
}

cv_plan *cv_plan_builder_finish(cv_plan_builder *b)
{
    cv_plan *p = b->plan;
    b->plan = NULL;
    b->cap_routes = b->cap_steps = b->cap_loads = b->cap_unassigned = 0;
    return p;
}

void cv_plan_builder_fini(cv_plan_builder *b)
{
    cv_plan_destroy(b->plan);
    b->plan = NULL;
}

void cv_plan_destroy(cv_plan *plan)
{
    if (!plan) return;
    for (uint32_t i = 0; i < plan->nroutes; i++) free(plan->routes[i].geometry);
    free(plan->routes);
    free(plan->steps);
    free(plan->loads);
    free(plan->unassigned);
    free(plan->bound_relaxation);
    free(plan);
}

void cv_plan_sum(cv_plan *plan, const cv_problem *p)
{
    plan->cost = plan->setup = plan->service = plan->duration = plan->waiting = 0;
    plan->distance = 0;
    plan->priority = 0;
    plan->working_time_spread = 0;
    int64_t work_lo = 0, work_hi = 0;
    bool working = false;
    for (uint32_t r = 0; r < plan->nroutes; r++) {
        cv_plan_route *route = &plan->routes[r];
        route->setup = route->service = route->waiting = 0;
        route->priority = 0;
        uint32_t ntasks = 0;
        int64_t unpaid = 0;
        for (uint32_t k = 0; k < route->step_count; k++) {
            const cv_plan_step *s = &plan->steps[route->step_first + k];
            route->setup += s->setup;
            route->service += s->service;
            route->waiting += s->waiting;
            if (s->type == CV_STEP_JOB || s->type == CV_STEP_PICKUP ||
                s->type == CV_STEP_DELIVERY) {
                const cv_task *t = &p->tasks[s->index];
                if (t->group_size <= 1 || t->group_first == s->index)
                    route->priority += t->priority;
                ntasks++;
            }
            if (s->type == CV_STEP_BREAK &&
                p->breaks[p->vehicles[route->vehicle].break_first + s->index].unpaid)
                unpaid += s->service;
        }
        if (route->step_count) {
            const cv_plan_step *first = &plan->steps[route->step_first];
            const cv_plan_step *last = &plan->steps[route->step_first + route->step_count - 1];
            route->duration = last->duration;
            route->distance = last->distance;
            if (ntasks) {
                /* Working time (docs/care-extensions.md). */
                int64_t w = last->arrival - first->arrival - unpaid;
                if (!working || w < work_lo) work_lo = w;
                if (!working || w > work_hi) work_hi = w;
                working = true;
            }
        }
        plan->cost += route->cost;
        plan->setup += route->setup;
        plan->service += route->service;
        plan->duration += route->duration;
        plan->waiting += route->waiting;
        plan->distance += route->distance;
        plan->priority += route->priority;
    }
    if (working) plan->working_time_spread = work_hi - work_lo;
    if (p->fairness_per_hour) {
        /* round(per_hour x spread / 3600), halves away from zero (spread >= 0). */
        __extension__ typedef __int128 i128;
        i128 num = (i128)p->fairness_per_hour * plan->working_time_spread;
        plan->cost += (int64_t)((num + 1800) / 3600);
    }
}
