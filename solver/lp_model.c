/* The relaxed VRPTW that cv_lp_bound prices (cv/lp.h (1)-(4)): one set of
 * customers, arcs with the cheapest cost and shortest time over all
 * vehicles, window hulls, a few capacity resources.  Built once per call in
 * O(n^2 * vehicle kinds).
 *
 * The rule that keeps the bound valid: a task enters C only when some
 * vehicle can certainly serve it alone (strict), and the model is lenient
 * everywhere else (it admits every route some vehicle could drive, at no
 * more than its cost). */
#include "lp_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int64_t dur_v(const cv_problem *p, const cv_vehicle *v, uint32_t a, uint32_t b)
{
    if (a == CV_NONE || b == CV_NONE) return 0;
    const cv_profile *pf = &p->profiles[v->profile];
    uint32_t d = pf->durations[(size_t)a * pf->n + b];
    if (v->speed_factor == 1.0) return d;
    return (int64_t)((double)d / v->speed_factor + 0.5);
}

static int64_t dist_v(const cv_problem *p, const cv_vehicle *v, uint32_t a, uint32_t b)
{
    if (a == CV_NONE || b == CV_NONE) return 0;
    const cv_profile *pf = &p->profiles[v->profile];
    return pf->distances ? pf->distances[(size_t)a * pf->n + b] : 0;
}

/* Arc cost before the route's rounding (cv/problem.h). */
static double cost_v(const cv_problem *p, const cv_vehicle *v, uint32_t a, uint32_t b)
{
    if (a == CV_NONE || b == CV_NONE) return 0;
    const cv_profile *pf = &p->profiles[v->profile];
    if (pf->costs) return pf->costs[(size_t)a * pf->n + b];
    return ((double)v->per_hour * (double)dur_v(p, v, a, b) +
            3.6 * (double)v->per_km * (double)dist_v(p, v, a, b)) /
           3600.0;
}

static bool vehicle_integral(const cv_problem *p, const cv_vehicle *v)
{
    return p->profiles[v->profile].costs || (v->per_hour % 3600 == 0 && v->per_km % 1000 == 0);
}

/* Two vehicles of one kind have the same arcs and may serve the same tasks. */
static bool same_kind(const cv_problem *p, const cv_vehicle *x, const cv_vehicle *y)
{
    return x->profile == y->profile && x->speed_factor == y->speed_factor &&
           x->start_loc == y->start_loc && x->end_loc == y->end_loc && x->per_hour == y->per_hour &&
           x->per_km == y->per_km && x->skill_count == y->skill_count &&
           (x->skill_count == 0 || !memcmp(p->skills + x->skill_first, p->skills + y->skill_first,
                                           x->skill_count * sizeof *p->skills));
}

/* First window of t that a service starting no earlier than `arr` can use;
 * the service start in *begin.  False when none. */
static bool fit_window(const cv_problem *p, const cv_task *t, int64_t arr, int64_t *begin)
{
    const cv_tw *w = cv_task_tws(p, t);
    for (uint32_t k = 0; k < t->tw_count; k++)
        if (w[k].end >= arr) {
            *begin = arr > w[k].start ? arr : w[k].start;
            return true;
        }
    return false;
}

/* Strict single-visit check of task t on vehicle v, starting at `from` no
 * earlier than time `at` (from == CV_NONE: an open start).  Returns the
 * finish time, or -1. */
static int64_t visit_after(const cv_problem *p, const cv_vehicle *v, const cv_task *t,
                           uint32_t from, int64_t at)
{
    int64_t arr = at + dur_v(p, v, from, t->loc), begin;
    if (!fit_window(p, t, arr, &begin)) return -1;
    return begin + (from != t->loc ? t->setup : 0) + t->service;
}

static bool amounts_fit(const cv_problem *p, const cv_vehicle *v, const int64_t *amt)
{
    const int64_t *cap = cv_vehicle_capacity(p, v);
    for (uint32_t d = 0; d < p->ndims; d++)
        if (amt[d] > cap[d]) return false;
    return true;
}

/* Can vehicle v serve task t (a job, or a whole shipment when t is its
 * pickup) alone, certainly?  Every constraint checked except breaks, which
 * the bound's semantics leave to the caller (see cv_lp_bound). */
static bool servable_by(const cv_problem *p, const cv_vehicle *v, const cv_task *t)
{
    if (!cv_vehicle_has_skills(p, v, t)) return false;
    const cv_task *u = t->kind == CV_TASK_PICKUP ? &p->tasks[t->sibling] : NULL;
    if (u && !cv_vehicle_has_skills(p, v, u)) return false;
    if (v->max_tasks < (u ? 2u : 1u)) return false;
    if (!amounts_fit(p, v, cv_task_delivery(p, t)) || !amounts_fit(p, v, cv_task_pickup(p, t)))
        return false;
    int64_t fin = visit_after(p, v, t, v->start_loc, v->tw.start);
    if (fin < 0) return false;
    uint32_t last = t->loc;
    int64_t travel = dur_v(p, v, v->start_loc, t->loc), dist = dist_v(p, v, v->start_loc, t->loc);
    if (u) {
        fin = visit_after(p, v, u, t->loc, fin);
        if (fin < 0) return false;
        travel += dur_v(p, v, t->loc, u->loc);
        dist += dist_v(p, v, t->loc, u->loc);
        last = u->loc;
    }
    fin += dur_v(p, v, last, v->end_loc);
    travel += dur_v(p, v, last, v->end_loc);
    dist += dist_v(p, v, last, v->end_loc);
    return fin <= v->tw.end && travel <= v->max_travel_time && dist <= v->max_distance;
}

void cv__lp_model_fini(cv__lp_model *m)
{
    free(m->task);
    free(m->dem);
    free(m->a);
    free(m->b);
    free(m->c);
    free(m->t);
    free(m->c0);
    free(m->ce);
    free(m->t0);
    free(m->te);
    memset(m, 0, sizeof *m);
}

static void note(cv__lp_model *m, bool cond, const char *what)
{
    if (!cond) return;
    size_t len = strlen(m->relaxation);
    snprintf(m->relaxation + len, sizeof m->relaxation - len, "%s%s",
             m->relaxation[len - 1] == ':' ? " " : ", ", what);
}

cv_status cv__lp_model_build(cv__lp_model *m, const cv_problem *p, cv_diag *diag)
{
    memset(m, 0, sizeof *m);
    if (!cv_problem_has_matrices(p))
        return cv_diag_set(diag, "lower bound: the problem's matrices are not filled");
    const uint32_t nt = p->ntasks, nv = p->nvehicles;
    uint32_t *kind = cv_calloc(nv ? nv : 1, sizeof *kind), nkind = 0;
    m->task = cv_calloc(nt ? nt : 1, sizeof *m->task);
    if (!kind || !m->task) goto nomem;
    for (uint32_t v = 0; v < nv; v++) {
        uint32_t k = 0;
        while (k < nkind && !same_kind(p, &p->vehicles[kind[k]], &p->vehicles[v])) k++;
        if (k == nkind) kind[nkind++] = v;
    }

    /* C: tasks some vehicle certainly serves alone (shipments as a pair). */
    bool has_ship = false, has_skills = false, has_breaks = false, has_limits = false;
    for (uint32_t i = 0; i < nt; i++) {
        const cv_task *t = &p->tasks[i];
        const cv_task *lead = t->kind == CV_TASK_DELIVERY ? &p->tasks[t->sibling] : t;
        has_ship |= t->kind != CV_TASK_JOB;
        has_skills |= t->skill_count > 0;
        for (uint32_t v = 0; v < nv; v++)
            if (servable_by(p, &p->vehicles[v], lead)) {
                m->task[m->n++] = i;
                break;
            }
    }
    const uint32_t n = m->n;
    size_t nn;
    if (!cv_mul_size(n ? n : 1, n ? n : 1, &nn)) goto nomem;
    m->c = cv_calloc(nn, sizeof *m->c);
    m->t = cv_calloc(nn, sizeof *m->t);
    m->a = cv_calloc(n + 1, sizeof *m->a);
    m->b = cv_calloc(n + 1, sizeof *m->b);
    m->c0 = cv_calloc(n + 1, sizeof *m->c0);
    m->ce = cv_calloc(n + 1, sizeof *m->ce);
    m->t0 = cv_calloc(n + 1, sizeof *m->t0);
    m->te = cv_calloc(n + 1, sizeof *m->te);
    m->dem = cv_calloc((size_t)(n + 1) * CV__LP_MAX_RES, sizeof *m->dem);
    if (!m->c || !m->t || !m->a || !m->b || !m->c0 || !m->ce || !m->t0 || !m->te || !m->dem)
        goto nomem;

    /* Depot window, fixed cost, integrality, fleet. */
    m->depot_a = CV_TIME_MAX;
    m->depot_b = 0;
    double fixed = INFINITY;
    m->integral = true;
    for (uint32_t v = 0; v < nv; v++) {
        const cv_vehicle *veh = &p->vehicles[v];
        if (veh->tw.start < m->depot_a) m->depot_a = veh->tw.start;
        if (veh->tw.end > m->depot_b) m->depot_b = veh->tw.end;
        if ((double)veh->fixed_cost < fixed) fixed = (double)veh->fixed_cost;
        m->integral &= vehicle_integral(p, veh);
        has_breaks |= veh->break_count > 0;
        has_skills |= veh->skill_count > 0;
        has_limits |= veh->max_tasks != UINT32_MAX || veh->max_travel_time < CV_TIME_MAX ||
                      veh->max_distance < CV_TIME_MAX;
    }
    m->route_fixed = nv ? fixed - (m->integral ? 0.0 : 0.5) : 0;
    m->fleet = nv < n ? nv : n;

    /* Setup that every arrival at i pays: only when no other customer and no
     * start shares i's location (an open start counts as elsewhere). */
    int64_t *setup_min = cv_calloc(n + 1, sizeof *setup_min);
    if (!setup_min) goto nomem;
    for (uint32_t i = 0; i < n; i++) {
        const cv_task *ti = &p->tasks[m->task[i]];
        bool shared = false;
        for (uint32_t j = 0; j < n && !shared; j++)
            shared = j != i && p->tasks[m->task[j]].loc == ti->loc;
        for (uint32_t v = 0; v < nv && !shared; v++) shared = p->vehicles[v].start_loc == ti->loc;
        setup_min[i] = shared ? 0 : ti->setup;
    }

    for (uint32_t i = 0; i < n; i++) {
        const cv_task *ti = &p->tasks[m->task[i]];
        const cv_tw *w = cv_task_tws(p, ti);
        m->a[i] = w[0].start;
        m->b[i] = w[ti->tw_count - 1].end;
        const int64_t stay = setup_min[i] + ti->service;
        double c0 = INFINITY, ce = INFINITY;
        int64_t t0 = CV_TIME_MAX, te = CV_TIME_MAX;
        for (uint32_t k = 0; k < nkind; k++) {
            const cv_vehicle *v = &p->vehicles[kind[k]];
            if (!cv_vehicle_has_skills(p, v, ti)) continue;
            double c;
            int64_t d;
            if ((c = cost_v(p, v, v->start_loc, ti->loc)) < c0) c0 = c;
            if ((d = dur_v(p, v, v->start_loc, ti->loc)) < t0) t0 = d;
            if ((c = cost_v(p, v, ti->loc, v->end_loc)) < ce) ce = c;
            if ((d = dur_v(p, v, ti->loc, v->end_loc)) < te) te = d;
        }
        m->c0[i] = c0;
        m->t0[i] = t0;
        m->ce[i] = ce;
        m->te[i] = stay + te;
        for (uint32_t j = 0; j < n; j++) {
            if (j == i) continue;
            const uint32_t lj = p->tasks[m->task[j]].loc;
            double cmin = INFINITY;
            int64_t dmin = CV_TIME_MAX;
            for (uint32_t k = 0; k < nkind; k++) {
                const cv_vehicle *v = &p->vehicles[kind[k]];
                /* Skills, pairwise: only a kind that may serve both tasks drives
                 * the arc; with none, no route holds both (arc left out). */
                if (!cv_vehicle_has_skills(p, v, ti) ||
                    !cv_vehicle_has_skills(p, v, &p->tasks[m->task[j]]))
                    continue;
                double c = cost_v(p, v, ti->loc, lj);
                int64_t d = dur_v(p, v, ti->loc, lj);
                if (c < cmin) cmin = c;
                if (d < dmin) dmin = d;
            }
            m->c[(size_t)i * n + j] = isfinite(cmin) ? cmin : 0.0;
            /* A missing arc takes longer than any window allows (2^61 > CV_TIME_MAX,
             * and sums with a time below 2^53 cannot overflow). */
            m->t[(size_t)i * n + j] = dmin < CV_TIME_MAX ? stay + dmin : INT64_MAX / 4;
        }
    }
    free(setup_min);

    /* Capacity resources: per dimension, job deliveries and job pickups. */
    bool dropped_res = false;
    for (uint32_t d = 0; d < p->ndims; d++)
        for (int side = 0; side < 2; side++) {
            bool used = false;
            int64_t cap = 0;
            for (uint32_t i = 0; i < n; i++) {
                const cv_task *t = &p->tasks[m->task[i]];
                if (t->kind != CV_TASK_JOB) continue;
                used |= (side ? cv_task_pickup(p, t) : cv_task_delivery(p, t))[d] > 0;
            }
            for (uint32_t v = 0; v < nv; v++) {
                int64_t q = cv_vehicle_capacity(p, &p->vehicles[v])[d];
                if (q > cap) cap = q;
            }
            if (!used) continue;
            if (m->nres == CV__LP_MAX_RES) {
                dropped_res = true;
                continue;
            }
            const uint32_t r = m->nres++;
            m->cap[r] = cap;
            for (uint32_t i = 0; i < n; i++) {
                const cv_task *t = &p->tasks[m->task[i]];
                if (t->kind == CV_TASK_JOB)
                    m->dem[(size_t)i * CV__LP_MAX_RES + r] =
                        (side ? cv_task_pickup(p, t) : cv_task_delivery(p, t))[d];
            }
        }

    bool multi_tw = false, hetero = nkind > 1, setups = false;
    for (uint32_t i = 0; i < n; i++) {
        const cv_task *t = &p->tasks[m->task[i]];
        multi_tw |= t->tw_count > 1;
        setups |= t->setup > 0;
    }
    for (uint32_t v = 1; v < nv; v++) {
        const cv_vehicle *x = &p->vehicles[0], *y = &p->vehicles[v];
        hetero |= x->tw.start != y->tw.start || x->tw.end != y->tw.end ||
                  x->fixed_cost != y->fixed_cost ||
                  memcmp(cv_vehicle_capacity(p, x), cv_vehicle_capacity(p, y),
                         p->ndims * sizeof(int64_t)) != 0;
    }
    snprintf(m->relaxation, sizeof m->relaxation, "ng-route set-covering LP");
    size_t len = strlen(m->relaxation);
    snprintf(m->relaxation + len, sizeof m->relaxation - len, "; relaxed:");
    note(m, multi_tw, "window hulls");
    note(m, has_breaks, "breaks");
    note(m, has_skills, "skills (kept pairwise only)");
    note(m, has_ship, "shipment pairing and amounts");
    note(m, hetero, "mixed fleet (cheapest arcs, widest shift, largest capacity)");
    note(m, has_limits, "max_tasks/travel/distance");
    note(m, setups, "setups at shared locations");
    note(m, dropped_res, "amount dimensions beyond 4");
    note(m, !m->integral, "route cost rounding (-1/2 per route)");
    if (m->relaxation[strlen(m->relaxation) - 1] == ':')
        m->relaxation[strlen(m->relaxation) - strlen("; relaxed:")] = '\0';
    free(kind);
    return CV_OK;
nomem:
    free(kind);
    cv__lp_model_fini(m);
    return CV_ENOMEM;
}

bool cv__lp_route_eval(const cv__lp_model *m, const uint32_t *seq, uint32_t len, double *cost)
{
    if (len == 0) return false;
    const uint32_t n = m->n;
    int64_t load[CV__LP_MAX_RES] = {0};
    int64_t time = m->depot_a + m->t0[seq[0]];
    double c = m->route_fixed + m->c0[seq[0]];
    for (uint32_t k = 0; k < len; k++) {
        const uint32_t i = seq[k];
        if (k > 0) {
            time += m->t[(size_t)seq[k - 1] * n + i];
            c += m->c[(size_t)seq[k - 1] * n + i];
        }
        if (time < m->a[i]) time = m->a[i];
        if (time > m->b[i]) return false;
        for (uint32_t r = 0; r < m->nres; r++)
            if ((load[r] += m->dem[(size_t)i * CV__LP_MAX_RES + r]) > m->cap[r]) return false;
    }
    if (time + m->te[seq[len - 1]] > m->depot_b) return false;
    *cost = c + m->ce[seq[len - 1]];
    return true;
}
